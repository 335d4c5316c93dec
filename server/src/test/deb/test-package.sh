#!/usr/bin/env bash
# The Debian package's tests, as run-tests.sh (so CI) runs them after `mvn -Pdeb verify`:
#   server/src/test/deb/test-package.sh server/target/mjpeg-server_*.deb
# lintian finds no error and the man page is picocli's of the command; then, as root only (they install on this machine): dpkg -i installs it, the installed
# /usr/bin/mjpeg-server --test-pattern serves frames ffmpeg decodes, the shipped config file starts the server, socket
# activation reaches the server through the launcher, systemd-analyze verify accepts the units, and dpkg -r and
# dpkg --purge leave nothing behind. Every wait is bounded; any failure ends the script with status 1.
set -euo pipefail

deb=${1:?usage: test-package.sh PACKAGE.deb}
[ -f "$deb" ] || { echo "test-package: $deb: no such package" >&2; exit 1; }
deb=$(readlink -f "$deb")
work=$(mktemp -d)
# The servers run as the service's user, who must reach their cache directories in here.
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    # Its children too: were the launcher not to exec, java would be one.
    pkill -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
  done
  rm -rf -- "$work"
}
trap cleanup EXIT

fail() {
  echo "test-package: FAILED: $*" >&2
  exit 1
}
step() {
  echo "test-package: [${SECONDS} s] $*"
}

step "lintian $(basename "$deb")"
lintian --fail-on error --suppress-tags package-supports-alternative-init-but-no-init.d-script "$deb" \
  || fail "lintian reports errors (above)"

step "man page"
# The page picocli makes of the command: its name, and every option --help lists (one checked for each kind).
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/man/man1/mjpeg-server.1.gz > "$work/man.gz" \
  || fail "no /usr/share/man/man1/mjpeg-server.1.gz in the package"
# roff escapes each dash (\-): read without the escapes.
man_text=$(zcat "$work/man.gz" | sed 's/\\-/-/g')
grep -q '^\.TH "MJPEG-SERVER" "1"' <<<"$man_text" || fail "mjpeg-server.1 has no .TH header"
for option in device test-pattern tls-key max-connection-rate relay-read-timeout; do
  grep -q -- "$option" <<<"$man_text" || fail "mjpeg-server.1 does not document --$option"
done

if [ "$(id -u)" -ne 0 ]; then
  step "SKIPPED dpkg -i, the installed server, systemd-analyze verify and dpkg -r: they install on this machine,"
  step "so they run as root only (CI runs them)"
  exit 0
fi

package=$(dpkg-deb -f "$deb" Package)
if dpkg -s "$package" >/dev/null 2>&1; then
  step "removing the $package already installed"
  dpkg --purge "$package" >/dev/null
fi

step "dpkg -i"
dpkg -i "$deb" >"$work/dpkg-i.log" 2>&1 || { cat "$work/dpkg-i.log" >&2; fail "dpkg -i"; }
[ -x /usr/bin/mjpeg-server ] || fail "/usr/bin/mjpeg-server is not installed"
id -nG mjpeg-server | tr ' ' '\n' | grep -qx video || fail "user mjpeg-server is not in the group video"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Runs a command as the service's user, with its own native cache, in the background. setpriv and env exec, and so
# does the launcher: the pid is java's.
start_as_service_user() {
  local name=$1
  shift
  # One cache for all: JavaCV unpacks its natives (about 150 MB) once.
  local cache="$work/cache"
  mkdir -p "$cache"
  chown mjpeg-server: "$cache"
  setpriv --reuid=mjpeg-server --regid=mjpeg-server --init-groups env XDG_CACHE_HOME="$cache" "$@" \
    >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
}

# Waits (30 s at most) for URL to answer 200, as curl sees it with CURL_ARGS.
await_200() {
  local url=$1
  shift
  local status=""
  for _ in $(seq 1 150); do
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url" || true)
    [ "$status" = 200 ] && return 0
    sleep 0.2
  done
  return 1
}

step "the installed /usr/bin/mjpeg-server --test-pattern serves frames"
port=$(free_port)
start_as_service_user pattern /usr/bin/mjpeg-server --test-pattern --size 320x240 --fps 15 --host 127.0.0.1 --port "$port"
await_200 "http://127.0.0.1:$port/healthz" || { cat "$work/pattern.err" >&2; fail "the installed server did not answer"; }
frames=$(timeout 60 ffmpeg -v error -xerror -i "http://127.0.0.1:$port/stream" -frames:v 10 -f framecrc - | grep -c '^0,' || true)
[ "$frames" = 10 ] || fail "ffmpeg decoded $frames frames of the installed server's stream (expected: 10)"
size=$(timeout 30 ffprobe -v error -show_entries stream=width,height -of csv=p=0 "http://127.0.0.1:$port/snapshot")
[ "$size" = "320,240" ] || fail "the snapshot is $size (expected: 320,240)"
# The JVM settings of /etc/mjpeg-server/jvm.options are in force.
java_pid=${pids[0]}
tr '\0' ' ' <"/proc/$java_pid/cmdline" | grep -q -- "@/etc/mjpeg-server/jvm.options" \
  || fail "the launcher did not pass /etc/mjpeg-server/jvm.options: $(tr '\0' ' ' <"/proc/$java_pid/cmdline")"
grep -q "ExitOnOutOfMemoryError" /etc/mjpeg-server/jvm.options || fail "jvm.options without -XX:+ExitOnOutOfMemoryError"

step "under systemd the launcher keeps a class-data archive: written at the first exit, mapped at the next start"
cds="$work/cds"
mkdir -p "$cds"
chown mjpeg-server: "$cds"
port=$(free_port)
start_as_service_user cds-first env CACHE_DIRECTORY="$cds" /usr/bin/mjpeg-server --test-pattern --size 320x240 \
  --host 127.0.0.1 --port "$port"
first_pid=${pids[${#pids[@]}-1]}
await_200 "http://127.0.0.1:$port/snapshot" || { cat "$work/cds-first.err" >&2; fail "the server did not answer"; }
kill -TERM "$first_pid"
for _ in $(seq 1 300); do kill -0 "$first_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$first_pid" 2>/dev/null && fail "the server did not exit within 30 s of SIGTERM"
ls "$cds"/classes-*.jsa >/dev/null 2>&1 || fail "no class-data archive in CACHE_DIRECTORY after the first run: $(ls -la "$cds")"
port=$(free_port)
start_as_service_user cds-second env CACHE_DIRECTORY="$cds" JAVA_OPTS="-Xlog:cds" /usr/bin/mjpeg-server --test-pattern \
  --size 320x240 --host 127.0.0.1 --port "$port"
await_200 "http://127.0.0.1:$port/snapshot" || { cat "$work/cds-second.err" >&2; fail "the server did not answer"; }
grep -q "Opened archive $cds/classes-" "$work/cds-second.out" \
  || fail "the second start did not map the archive: $(grep cds "$work/cds-second.out" | head -5)"

step "the shipped /etc/mjpeg-server/mjpeg-server.yaml is a config the server runs"
port=$(free_port)
start_as_service_user conffile /usr/bin/mjpeg-server --config /etc/mjpeg-server/mjpeg-server.yaml --host 127.0.0.1 --port "$port"
await_200 "http://127.0.0.1:$port/snapshot" || { cat "$work/conffile.err" >&2; fail "the server did not serve the shipped config"; }
size=$(timeout 30 ffprobe -v error -show_entries stream=width,height -of csv=p=0 "http://127.0.0.1:$port/snapshot")
[ "$size" = "640,480" ] || fail "the shipped config's snapshot is $size (expected: 640,480)"

step "socket activation through the launcher (it must exec java, keeping the pid LISTEN_PID names)"
socket_dir="$work/activated"
mkdir -p "$socket_dir"
chown mjpeg-server: "$socket_dir"
start_as_service_user activated systemd-socket-activate -l "$socket_dir/http.sock" \
  /usr/bin/mjpeg-server --config /etc/mjpeg-server/mjpeg-server.yaml
for _ in $(seq 1 50); do [ -S "$socket_dir/http.sock" ] && break; sleep 0.1; done
await_200 "http://localhost/snapshot" --unix-socket "$socket_dir/http.sock" \
  || { cat "$work/activated.err" >&2; fail "no answer on the socket systemd-socket-activate passed"; }

step "systemd-analyze verify"
systemd-analyze verify /lib/systemd/system/mjpeg-server.service /lib/systemd/system/mjpeg-server.socket \
  >"$work/verify.log" 2>&1 || { cat "$work/verify.log" >&2; fail "systemd-analyze verify rejects the units"; }
if [ -s "$work/verify.log" ]; then
  cat "$work/verify.log" >&2
  fail "systemd-analyze verify has something to say about the units (above)"
fi

for pid in "${pids[@]}"; do
  kill "$pid" 2>/dev/null || true
done
for pid in "${pids[@]}"; do
  timeout 15 tail --pid="$pid" -f /dev/null || fail "a server did not stop within 15 s of SIGTERM"
done
pids=()

step "dpkg -r, then dpkg --purge"
mapfile -t conffiles < <(dpkg-query -W -f='${Conffiles}\n' "$package" | awk 'NF { print $1 }')
mapfile -t files < <(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }')
dpkg -r "$package" >"$work/dpkg-r.log" 2>&1 || { cat "$work/dpkg-r.log" >&2; fail "dpkg -r"; }
for file in "${files[@]}"; do
  is_conffile=no
  for conffile in "${conffiles[@]}"; do
    [ "$file" = "$conffile" ] && is_conffile=yes
  done
  if [ "$is_conffile" = no ] && [ -e "$file" ]; then
    fail "$file is still there after dpkg -r"
  fi
done
for conffile in "${conffiles[@]}"; do
  [ -e "$conffile" ] || fail "$conffile (a conffile) is gone after dpkg -r: dpkg -r keeps conffiles until --purge"
done
dpkg --purge "$package" >"$work/dpkg-purge.log" 2>&1 || { cat "$work/dpkg-purge.log" >&2; fail "dpkg --purge"; }
[ ! -e /etc/mjpeg-server ] || fail "/etc/mjpeg-server is still there after dpkg --purge: $(ls -A /etc/mjpeg-server)"
leftovers=$(find /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled -name 'mjpeg-server*' 2>/dev/null || true)
[ -z "$leftovers" ] || fail "after dpkg --purge, still: $leftovers"
step "passed"
