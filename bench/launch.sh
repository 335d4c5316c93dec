#!/usr/bin/env bash
# Time from launch to the first frame served: starts `java -jar mjpeg-server.jar --test-pattern` and polls
# GET /snapshot every 5 ms (from bash itself, forking nothing) until it answers a JPEG. Prints min / median / max
# in milliseconds, and the server's CPU time by then, which grows much less than the wall clock on a busy machine.
# cold: a new, empty JavaCPP natives cache each run; warm: one cache, unpacked by an untimed first run.
#   bench/launch.sh [JAR]          JAR defaults to server/target/mjpeg-server.jar (build it first)
# Knobs: LAUNCH_RUNS=10 (warm runs) LAUNCH_COLD_RUNS=LAUNCH_RUNS LAUNCH_JAVA_OPTS="" (the server's JVM options)
#   LAUNCH_ARGS="" (its flags after --test-pattern)
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
JAR=${1:-$ROOT/server/target/mjpeg-server.jar}
RUNS=${LAUNCH_RUNS:-10}
COLD_RUNS=${LAUNCH_COLD_RUNS:-$RUNS}
read -r -a JAVA_OPTS <<<"${LAUNCH_JAVA_OPTS:-}"
read -r -a ARGS <<<"${LAUNCH_ARGS:-}"

[ -f "$JAR" ] || die "no $JAR (build it: mvn -B -q package -DskipTests)"
WORK=$(mktemp -d -t mjpeg-launch.XXXXXX)
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

# COUNT timed launches with natives cache CACHE (empty: a new cache each run); sets REPORT to their summary,
# under LABEL, or to nothing when COUNT is 0: launches COUNT CACHE LABEL
launches() {
  local count=$1 cache=$2 label=$3 i dir ms=() cpu=()
  REPORT=
  [ "$count" -gt 0 ] || return 0
  for i in $(seq 1 "$count"); do
    dir=${cache:-$WORK/cold-$i}
    launch_ms "$dir"
    ms+=("$MS")
    cpu+=("$CPU_MS")
    [ -n "$cache" ] || rm -rf "$dir"
  done
  REPORT=$(printf '%-28s%s  [%s]\n%-28s%s' "$label:" "$(printf '%s\n' "${ms[@]}" | summary)" "${ms[*]}" \
    "  its CPU time then:" "$(printf '%s\n' "${cpu[@]}" | summary)")
}

echo "jar: $JAR ($(stat -c %s "$JAR") bytes); java options: ${LAUNCH_JAVA_OPTS:-none}; args: --test-pattern ${LAUNCH_ARGS:-}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
launches "$COLD_RUNS" "" "cold (empty natives cache)"
cold=$REPORT
launch_ms "$WORK/warm"
launches "$RUNS" "$WORK/warm" "warm (natives unpacked)"
warm=$REPORT
echo "natives cache after start: $(du -sm "$WORK/warm" | cut -f1) MB"
for report in "$cold" "$warm"; do
  [ -z "$report" ] || echo "$report"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
