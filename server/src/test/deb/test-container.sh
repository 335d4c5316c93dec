#!/usr/bin/env bash
# The container image's test, as run-tests.sh (so CI) runs it after `mvn -Pdeb verify`:
#   server/src/test/deb/test-container.sh
# CI reaches no image registry, so the base image is Debian 12 made here by mmdebstrap from Debian's mirror (apt's
# sources), minbase with debian:12-slim's dpkg exclusions, imported into podman; then deploy/container/Containerfile
# is built as users build it, with only its FROM replaced (podman build --from). The image runs with podman, with
# a YAML file of two feeds mounted as /etc/mjpeg-server/mjpeg-server.yaml and port 8080 published: each feed's
# snapshot and 10 frames of its stream decode with ffmpeg, java runs as the user mjpeg-server (uid not 0, in the
# group video) with jvm.options, the HEALTHCHECK passes (and fails on a closed port), and podman stop ends it with
# status 0. Root only (mmdebstrap and podman need it here). Every wait is bounded; a failure exits with status 1.
#
# podman runs with runc, not crun: crun refuses a cgroup v1/v2 hybrid whose v2 hierarchy holds a controller
# ("cgroups in hybrid mode not supported, drop all controllers from cgroupv2"). And with --ulimit within the
# limits podman leaves its children: without CAP_SYS_RESOURCE, the runtime cannot raise them to podman's defaults
# (NOFILE 1048576; NPROC above the 32768 podman sets for itself), "setrlimit `RLIMIT_NPROC`: Operation not permitted".
set -euo pipefail
cd "$(dirname "$0")/../../../.."

fail() {
  echo "test-container: FAILED: $*" >&2
  exit 1
}
step() {
  echo "test-container: [${SECONDS} s] $*"
}

if [ "$(id -u)" -ne 0 ]; then
  step "SKIPPED: mmdebstrap and podman build and run the image as root only (CI runs it)"
  exit 0
fi
debs=(server/target/mjpeg-server_*.deb)
[ "${#debs[@]}" -eq 1 ] && [ -f "${debs[0]}" ] \
  || fail "expected one server/target/mjpeg-server_*.deb (mvn -Pdeb package), found: ${debs[*]}"

work=$(mktemp -d /tmp/test-container.XXXXXX)
podman=(podman --root "$work/storage" --runroot "$work/run" --storage-driver overlay --cgroup-manager cgroupfs
  --runtime runc)
name=mjpeg-server-test-$$
cleanup() {
  "${podman[@]}" rm -f -t 0 "$name" >/dev/null 2>&1 || true
  "${podman[@]}" rmi -a -f >/dev/null 2>&1 || true
  rm -rf -- "$work"
}
trap cleanup EXIT

hard_nofile=$(ulimit -Hn)
hard_nproc=$(ulimit -Hu)
[ "$hard_nofile" = unlimited ] && hard_nofile=1048576
{ [ "$hard_nproc" = unlimited ] || [ "$hard_nproc" -gt 32768 ]; } && hard_nproc=32768
limits=(--ulimit "nofile=$hard_nofile:$hard_nofile" --ulimit "nproc=$hard_nproc:$hard_nproc")

step "mmdebstrap: a Debian 12 minbase root filesystem, as slim as debian:12-slim"
slim=()
for path in '/usr/share/doc/*' '/usr/share/groff/*' '/usr/share/info/*' '/usr/share/linda/*' \
  '/usr/share/lintian/overrides/*' '/usr/share/locale/*' '/usr/share/man/*'; do
  slim+=(--dpkgopt="path-exclude=$path")
done
slim+=(--dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-include=/usr/share/locale/locale.alias')
# As debian:12-slim's dpkg does: no fsync per file (minutes saved on a busy disk), no translations in apt's lists.
slim+=(--dpkgopt=force-unsafe-io --aptopt='Acquire::Languages "none"')
mmdebstrap --quiet --mode=root --variant=minbase --format=tar "${slim[@]}" bookworm "$work/base.tar" \
  >"$work/mmdebstrap.log" 2>&1 || { cat "$work/mmdebstrap.log" >&2; fail "mmdebstrap"; }
base_seconds=$SECONDS

step "podman import, then podman build -f deploy/container/Containerfile --from that base"
"${podman[@]}" import --quiet "$work/base.tar" localhost/mjpeg-server-base:12 >/dev/null || fail "podman import"
rm -f "$work/base.tar"
# --format docker keeps the HEALTHCHECK (the OCI format has none).
"${podman[@]}" build --format docker --from localhost/mjpeg-server-base:12 --network host "${limits[@]}" \
  -f deploy/container/Containerfile -t localhost/mjpeg-server:test . >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; fail "podman build"; }
size=$("${podman[@]}" image inspect --format '{{.Size}}' localhost/mjpeg-server:test)
step "image built in $((SECONDS - base_seconds)) s (base: ${base_seconds} s), $((size / 1000000)) MB"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Two feeds, as deploy/container/compose.yaml's two cameras, on test patterns (CI has no camera).
cat >"$work/cams.yaml" <<'YAML'
host: 0.0.0.0
port: 8080
feeds:
  front: { test-pattern: true, size: 320x240, fps: 15 }
  back: { test-pattern: true, size: 640x360, fps: 10 }
YAML
chmod 644 "$work/cams.yaml"
port=$(free_port)
step "podman run -p 127.0.0.1:$port:8080 -v cams.yaml:/etc/mjpeg-server/mjpeg-server.yaml:ro"
started=$SECONDS
# No health timer (podman schedules one with systemd, which the CI machine does not run, and says so on stderr):
# the check runs below.
"${podman[@]}" run -d --name "$name" -p "127.0.0.1:$port:8080" --health-interval disable "${limits[@]}" \
  -v "$work/cams.yaml:/etc/mjpeg-server/mjpeg-server.yaml:ro" localhost/mjpeg-server:test >/dev/null 2>"$work/run.err" \
  || { cat "$work/run.err" >&2; fail "podman run"; }
status=""
for _ in $(seq 1 300); do
  status=$(curl -s -o "$work/front.jpg" -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/cam/front/snapshot" || true)
  [ "$status" = 200 ] && break
  sleep 0.2
done
[ "$status" = 200 ] || { "${podman[@]}" logs "$name" >&2; fail "no snapshot from the container within 60 s"; }
step "first frame $((SECONDS - started)) s after podman run"

for feed in front:320,240 back:640,360; do
  url="http://127.0.0.1:$port/cam/${feed%%:*}"
  got=$(timeout 30 ffprobe -v error -show_entries stream=width,height -of csv=p=0 "$url/snapshot")
  [ "$got" = "${feed#*:}" ] || fail "$url/snapshot is $got (expected: ${feed#*:})"
  frames=$(timeout 60 ffmpeg -v error -xerror -i "$url/stream" -frames:v 10 -f framecrc - | grep -c '^0,' || true)
  [ "$frames" = 10 ] || fail "ffmpeg decoded $frames frames of $url/stream (expected: 10)"
done

step "java runs as mjpeg-server, not root, with /etc/mjpeg-server/jvm.options"
pid=$("${podman[@]}" inspect --format '{{.State.Pid}}' "$name")
uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
for uid in $uids; do
  [ "$uid" -ne 0 ] || fail "the server's process runs with uid 0 (Uid: $uids)"
done
user=$("${podman[@]}" top "$name" user comm | awk 'NR == 2 { print $1, $2 }')
[ "$user" = "mjpeg-server java" ] || fail "the container's process 1 is '$user' (expected: mjpeg-server java)"
"${podman[@]}" exec "$name" id -nG | tr ' ' '\n' | grep -qx video || fail "mjpeg-server is not in the group video"
tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "@/etc/mjpeg-server/jvm.options" \
  || fail "java runs without /etc/mjpeg-server/jvm.options: $(tr '\0' ' ' <"/proc/$pid/cmdline")"

step "HEALTHCHECK"
health=$("${podman[@]}" healthcheck run "$name" 2>&1) || fail "the HEALTHCHECK fails on a serving container: $health"
"${podman[@]}" exec "$name" mjpeg-server-healthcheck 1 >/dev/null 2>&1 && fail "the health check passes on a closed port"

step "deploy/container/cameras.yaml (compose.yaml's) without its cameras: refused, naming the missing device"
out=$("${podman[@]}" run --rm --health-interval disable "${limits[@]}" \
  -v "$PWD/deploy/container/cameras.yaml:/etc/mjpeg-server/mjpeg-server.yaml:ro" localhost/mjpeg-server:test 2>&1) \
  && fail "the server started without the cameras of cameras.yaml"
grep -q 'camera /dev/video0 not found' <<<"$out" || fail "cameras.yaml without /dev/video0: $out (expected: camera /dev/video0 not found)"

step "podman stop"
"${podman[@]}" stop -t 15 "$name" >/dev/null 2>"$work/stop.err" || { cat "$work/stop.err" >&2; fail "podman stop"; }
code=$("${podman[@]}" inspect --format '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || { "${podman[@]}" logs "$name" | tail -20 >&2; fail "the server exited with status $code at SIGTERM (expected: 0)"; }
step "passed"
