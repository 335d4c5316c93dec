#!/usr/bin/env bash
# Time from launch to the first frame served: `java -jar mjpeg-server.jar --test-pattern` is started, and
# GET /snapshot is polled every 5 ms (from bash itself: no process is forked while the server starts) until it
# answers 200 with a JPEG. Printed in milliseconds, min / median / max over the runs, with the load average, and
# the CPU time the server had used by then (user + system, all its threads): on a busy machine the wall-clock
# figure grows with the load, the CPU figure much less.
#   cold: a new, empty JavaCPP natives cache each run (the natives are unpacked at start; the OS page cache is
#         left as it is, so the jar and the JDK are read from memory);
#   warm: one cache, unpacked by an untimed first run, then kept.
# The server's JVM options come from LAUNCH_JAVA_OPTS (default: none), its flags after the test pattern's
# from LAUNCH_ARGS. Writes nothing to the repository.
#   bench/launch.sh [JAR]          JAR defaults to server/target/mjpeg-server.jar (build it first)
# Knobs: LAUNCH_RUNS=10 (warm runs) LAUNCH_COLD_RUNS=LAUNCH_RUNS LAUNCH_JAVA_OPTS="" LAUNCH_ARGS=""
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=${1:-$ROOT/server/target/mjpeg-server.jar}
RUNS=${LAUNCH_RUNS:-10}
COLD_RUNS=${LAUNCH_COLD_RUNS:-$RUNS}
read -r -a JAVA_OPTS <<<"${LAUNCH_JAVA_OPTS:-}"
read -r -a ARGS <<<"${LAUNCH_ARGS:-}"
CLK_TCK=$(getconf CLK_TCK)
die() { echo "launch.sh: $*" >&2; exit 1; }
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"

[ -f "$JAR" ] || die "no $JAR (build it: mvn -B -q package -DskipTests)"
WORK=$(mktemp -d /tmp/mjpeg-launch.XXXXXX)
SERVER=
cleanup() { [ -n "$SERVER" ] && stop_pid "$SERVER"; rm -rf "$WORK"; }
trap cleanup EXIT
# A FIFO held open both ways: `read -t` on it is a sleep that forks nothing.
mkfifo "$WORK/tick"
exec 9<>"$WORK/tick"
pause() { read -r -t "$1" -u 9 _ || true; }

# Whether GET /snapshot on PORT answers 200 with a JPEG (FF D8: its first two bytes, as bash reads them).
snapshot_ok() {
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET /snapshot HTTP/1.0\r\n\r\n' >&3
  local status line ok=1
  IFS= read -r -t 5 status <&3 || status=
  if [[ $status == "HTTP/1."?" 200 "* ]]; then
    while IFS= read -r -t 5 line <&3 && [ "$line" != $'\r' ]; do :; done
    [ "$(LC_ALL=C head -c 2 <&3 | od -An -tx1 | tr -d ' \n')" = ffd8 ] && ok=0
  fi
  exec 3<&- 3>&-
  return $ok
}

# One launch with natives cache CACHE: sets MS to the milliseconds to the first frame, CPU_MS to the server's CPU time then.
launch_ms() {
  local cache=$1 port start now
  port=$(free_port)
  start=$(date +%s%N)
  java "${JAVA_OPTS[@]}" -Dorg.bytedeco.javacpp.cachedir="$cache" -jar "$JAR" --test-pattern --host 127.0.0.1 \
    --port "$port" "${ARGS[@]}" >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 6000); do
    if ! kill -0 "$SERVER" 2>/dev/null; then
      # Another program took the free port first: start again on another.
      grep -q "already in use" "$WORK/server.log" && { wait "$SERVER" || true; SERVER=; launch_ms "$cache"; return; }
      cat "$WORK/server.log" >&2
      die "the server exited at start"
    fi
    if snapshot_ok "$port"; then
      now=$(date +%s%N)
      CPU_MS=$(($(cpu_ticks "$SERVER") * 1000 / CLK_TCK))
      stop_pid "$SERVER"
      SERVER=
      MS=$(((now - start) / 1000000))
      return
    fi
    pause 0.005
  done
  die "no frame within 30 s; see the log above"
}

# min / median / max of the numbers on stdin.
summary() { sort -n | awk '{ v[NR] = $1 } END { printf "%d / %d / %d ms (%d runs)", v[1], v[int((NR + 1) / 2)], v[NR], NR }'; }

echo "jar: $JAR ($(stat -c %s "$JAR") bytes); java options: ${LAUNCH_JAVA_OPTS:-none}; args: --test-pattern ${LAUNCH_ARGS:-}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cold=()
cold_cpu=()
for i in $(seq 1 "$COLD_RUNS"); do
  launch_ms "$WORK/cold-$i"
  cold+=("$MS")
  cold_cpu+=("$CPU_MS")
  rm -rf "$WORK/cold-$i"
done
launch_ms "$WORK/warm"
warm=()
warm_cpu=()
for _ in $(seq 1 "$RUNS"); do
  launch_ms "$WORK/warm"
  warm+=("$MS")
  warm_cpu+=("$CPU_MS")
done
echo "natives cache after start: $(du -sm "$WORK/warm" | cut -f1) MB"
if [ "$COLD_RUNS" -gt 0 ]; then
  echo "cold (empty natives cache): $(printf '%s\n' "${cold[@]}" | summary)  [${cold[*]}]"
  echo "  its CPU time then:        $(printf '%s\n' "${cold_cpu[@]}" | summary)"
fi
echo "warm (natives unpacked):    $(printf '%s\n' "${warm[@]}" | summary)  [${warm[*]}]"
echo "  its CPU time then:        $(printf '%s\n' "${warm_cpu[@]}" | summary)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
