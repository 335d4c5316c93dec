#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this).
# Installs the real clients the interop tests drive (ffmpeg, VLC, Chromium, Firefox ESR, WebKitGTK, curl, nghttp),
# ZoneMinder and motion as real consumers, nginx and HAProxy as load balancers in front of edges, motion as a real
# upstream for the relay, asciidoctor for the package's man page, openssl for the TLS test certificates, GStreamer's
# RTSP server for the RTSP source's tests, and mmdebstrap, podman and runc for the container image's test, when they
# are missing,
# then runs every module's tests with paranoid leak detection, and fails on any LEAK: report.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v ffmpeg   >/dev/null 2>&1 || missing+=(ffmpeg)
command -v cvlc     >/dev/null 2>&1 || missing+=(vlc)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# VariantInteropTest screenshots variants, a turned feed and a wall in Firefox ESR, headless.
command -v firefox-esr >/dev/null 2>&1 || missing+=(firefox-esr)
command -v curl     >/dev/null 2>&1 || missing+=(curl)
command -v openssl  >/dev/null 2>&1 || missing+=(openssl)
command -v motion   >/dev/null 2>&1 || missing+=(motion)
command -v nghttp   >/dev/null 2>&1 || missing+=(nghttp2-client)
# The side-by-side benchmark's load client (bench/mjpeg-load.c) is built and checked by MjpegLoadTest.
command -v cc       >/dev/null 2>&1 || missing+=(gcc libc6-dev)
# FakeCamTest builds the LD_PRELOAD camera (capture/src/test/c/fakecam) with make.
command -v make     >/dev/null 2>&1 || missing+=(make)
# The edge cluster test runs Debian's nginx and HAProxy in front of three edges (they live in /usr/sbin); nginx
# also fronts --unix in NginxUnixSocketTest.
[ -x /usr/sbin/nginx ]   || command -v nginx   >/dev/null 2>&1 || missing+=(nginx)
[ -x /usr/sbin/haproxy ] || command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
# The Debian package's tests (server/src/test/deb/test-package.sh) and the socket activation test.
command -v lintian  >/dev/null 2>&1 || missing+=(lintian)
# -Pdeb turns the man page's AsciiDoc (made by picocli) into roff with Debian's asciidoctor.
command -v asciidoctor >/dev/null 2>&1 || missing+=(asciidoctor)
command -v systemd-socket-activate >/dev/null 2>&1 || missing+=(systemd)
# The container image's test (server/src/test/deb/test-container.sh): mmdebstrap makes its Debian 12 base, podman
# builds deploy/container/Containerfile on it and runs it with runc.
command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
command -v podman     >/dev/null 2>&1 || missing+=(podman)
[ -x /usr/sbin/runc ] || command -v runc >/dev/null 2>&1 || missing+=(runc)
# The RTSP source's tests run GStreamer's RTSP server (x264enc, jpegenc) with Debian's own Python.
/usr/bin/python3 capture/src/test/resources/rtsp/rtsp-server.py --check >/dev/null 2>&1 \
  || missing+=(python3 python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly)
# Real consumers: ZoneMinder 1.36 with the database it needs (the test starts MariaDB itself; without Apache, PHP's
# web server or systemd, hence without recommends), and WebKitGTK's MiniBrowser driven by WebKitWebDriver under Xvfb.
lean=()
command -v zmc             >/dev/null 2>&1 || lean+=(zoneminder)
[ -x /etc/init.d/mariadb ] || lean+=(mariadb-server)
command -v WebKitWebDriver >/dev/null 2>&1 || lean+=(webkit2gtk-driver)
command -v Xvfb            >/dev/null 2>&1 || lean+=(xvfb)
if [ ${#missing[@]} -gt 0 ] || [ ${#lean[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "run-tests: installing ${missing[*]} ${lean[*]} with apt-get"
  $sudo apt-get update -qq
  if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if [ ${#lean[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${lean[@]}" >/dev/null
  fi
fi
# VLC refuses to run as root; as root, the VLC test runs it as this unprivileged user, and UnprivilegedStartTest
# runs the server as this user (port 80 without privilege, a file it may not read).
if [ "$(id -u)" -eq 0 ] && ! id vlcuser >/dev/null 2>&1; then
  useradd -m vlcuser
fi

# Reports from earlier runs would feed the LEAK: check below with stale output.
rm -rf -- */target/surefire-reports
# -Pdeb also builds the Debian package, tested below.
mvn -B verify -Pdeb "$@"

# LeakGuard fails the test class that leaked; this also catches a report logged after the last check.
if grep -rl --include='*-output.txt' 'LEAK:' -- */target/surefire-reports 2>/dev/null; then
  echo "run-tests: Netty reported a buffer leak (LEAK: in the files above)" >&2
  exit 1
fi

# The package: lintian, then (as root, so in CI) dpkg -i, the installed server, systemd-analyze verify, dpkg -r.
server/src/test/deb/test-package.sh server/target/mjpeg-server_*_"$(dpkg --print-architecture)".deb
# The container image, built from that package by deploy/container/Containerfile: podman build, run, a frame, non-root.
server/src/test/deb/test-container.sh
