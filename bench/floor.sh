#!/usr/bin/env bash
# Our server side by side with the C floor (../shared/bench/mjpeg-floor.c, the cheapest MJPEG fan-out a C program
# can do), with the same 60 testsrc2 JPEGs (ours passes them through from an MJPEG file) and one load client,
# bench/mjpeg-load.c. At each client count, each rep runs each server fresh (their order flipped every rep) and
# appends one JSON line per run to floor.jsonl; then floor-summary.sh writes floor.md and the charts.
# Knobs (environment): FLOOR_CLIENTS="1 100 1000 3000"  FLOOR_REPS=2  FLOOR_WARMUP=5  FLOOR_DURATION=15
#   FLOOR_FPS=30  FLOOR_SIZE=1280x720  FLOOR_FRAME_BYTES=0 (e.g. 300000: noise added to testsrc2 until its
#   JPEGs average about that, a noisy camera scene; 0: plain testsrc2)  FLOOR_HTTP10=1 (0: ours is asked with HTTP/1.1, chunked; the floor
#   answers HTTP/1.0 whatever it is asked)  FLOOR_SERVERS="floor ours" (also: floor-sendfile, and any NAME
#   given a jar in FLOOR_JAR_NAME)  FLOOR_JAVA_OPTS="@server/src/deb/jvm.options" (the settings the package and
#   the README launch with; the servers run with MALLOC_ARENA_MAX=2 as the launcher sets it)  FLOOR_SERVER_ARGS=""
#   FLOOR_OUT=bench/results/floor
#   FLOOR_SKIP_BUILD=0 (1: use server/target/mjpeg-server.jar as it is)  FLOOR_SRC=../shared/bench/mjpeg-floor.c
#   FLOOR_NICE=0 (e.g. -10, as root: the servers and the load client, alike, ahead of other work on a shared machine)
# A server NAME may carry its own options: FLOOR_JAVA_OPTS_NAME, FLOOR_SERVER_ARGS_NAME, FLOOR_JAR_NAME
# (NAME upper-cased, '-' as '_'), e.g. FLOOR_SERVERS="floor ours big" FLOOR_JAVA_OPTS_BIG="-Xmx1g".
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
CLIENTS=$(echo "${FLOOR_CLIENTS:-1 100 1000 3000}" | tr ',' ' ')
REPS=${FLOOR_REPS:-2}
WARMUP=${FLOOR_WARMUP:-5}
DURATION=${FLOOR_DURATION:-15}
FPS=${FLOOR_FPS:-30}
SIZE=${FLOOR_SIZE:-1280x720}
FRAME_BYTES=${FLOOR_FRAME_BYTES:-0}
HTTP10=${FLOOR_HTTP10:-1}
SERVERS=${FLOOR_SERVERS:-floor ours}
OUT=${FLOOR_OUT:-$ROOT/bench/results/floor}
SRC=${FLOOR_SRC:-$(dirname "$ROOT")/shared/bench/mjpeg-floor.c}
NICE=${FLOOR_NICE:-0}
[[ "$NICE" =~ ^-?[0-9]+$ ]] || { log "FLOOR_NICE: '$NICE' (expected: a niceness, -20 to 19)"; exit 2; }

for n in $CLIENTS; do
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 20000 ] || die "FLOOR_CLIENTS: '$n' (expected: counts from 1 to 20000)"
done
[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || die "FLOOR_REPS: '$REPS' (expected: a count from 1)"
[[ "$FRAME_BYTES" =~ ^[0-9]+$ ]] || die "FLOOR_FRAME_BYTES: '$FRAME_BYTES' (expected: a size in bytes, or 0)"
[ -f "$SRC" ] || die "the C floor: $SRC not found (expected: ../shared/bench/mjpeg-floor.c beside the repository, or FLOOR_SRC=/path/to/mjpeg-floor.c)"
need_tools "apt-get install gcc ffmpeg jq curl iproute2" cc ffmpeg jq curl ss
MAX=$(printf '%s\n' $CLIENTS | sort -n | tail -1)
raise_fds $((MAX + 4096))

if [ "${FLOOR_SKIP_BUILD:-0}" != 1 ]; then
  log "building the server (mvn -B -q -pl server -am package -DskipTests)"
  mvn -B -q -pl server -am package -DskipTests
fi
[ -f server/target/mjpeg-server.jar ] || die "server/target/mjpeg-server.jar missing: build first"

WORK=$(mktemp -d -t mjpeg-floor.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && stop_pid "$PID"; rm -rf "$WORK"; }
trap cleanup EXIT
cp server/target/mjpeg-server.jar "$WORK/ours.jar" # a rebuild during the run cannot change what is measured
cp server/src/deb/jvm.options "$WORK/jvm.options"
# Ours runs as the package's launcher runs it, unless FLOOR_JAVA_OPTS says otherwise (set to "" for the JVM's defaults).
JAVA_OPTS_ALL=${FLOOR_JAVA_OPTS-@$WORK/jvm.options}
cc -O2 -Wall -std=gnu11 -pthread -o "$WORK/mjpeg-floor" "$SRC"
cc -O2 -Wall -std=gnu11 -o "$WORK/mjpeg-load" bench/mjpeg-load.c
make_frames "$WORK" "$SIZE" "$FPS" "$FRAME_BYTES"
frame_kb=$(du -cb "$WORK"/frames/*.jpg | awk 'END { printf "%.0f", $1 / 60 / 1000 }')

mkdir -p "$OUT/logs"
rm -f "$OUT/floor.jsonl" "$OUT"/logs/*
{
  echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "commit:   $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- capture server bench pom.xml 2>/dev/null || echo ' (working tree differs from it)')"
  echo "cpu:      $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "kernel:   $(uname -srm)"
  echo "jdk:      $(java -version 2>&1 | head -2 | tail -1)"
  echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (at start)"
  echo "frames:   60 testsrc2 $SIZE JPEGs$([ "$FRAME_BYTES" -gt 0 ] && echo " with noise (target $FRAME_BYTES bytes)"), -q:v 5, $frame_kb KB on average; ours passes them through from an MJPEG file"
  echo "matrix:   servers [$SERVERS] clients [$CLIENTS] reps $REPS warm-up ${WARMUP}s window ${DURATION}s fps $FPS http10=$HTTP10 nice $NICE"
  echo "client:   mjpeg-load --port P --clients N --warmup $WARMUP --duration $DURATION --fps $FPS --server-pid PID$([ "$HTTP10" = 1 ] && echo ' --http10')"
  echo "floor:    mjpeg-floor --port P --frames DIR --fps $FPS [--sendfile]   (2 threads)"
  echo "ours:     MALLOC_ARENA_MAX=2 java $JAVA_OPTS_ALL -jar mjpeg-server.jar --file frames.mkv --host 127.0.0.1 --port P --max-clients 0 --max-connection-rate 0 ${FLOOR_SERVER_ARGS:-}"
} >"$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

var() { local v="FLOOR_${1}_$(echo "$2" | tr 'a-z-' 'A-Z_')"; echo "${!v:-}"; }

# Starts server NAME on PORT in the background (PID), and waits until it answers.
start() {
  local name=$1 port=$2 logf=$3
  case "$name" in
    floor) nice -n "$NICE" "$WORK/mjpeg-floor" --port "$port" --frames "$WORK/frames" --fps "$FPS" >"$logf" 2>&1 & PID=$! ;;
    floor-sendfile) nice -n "$NICE" "$WORK/mjpeg-floor" --port "$port" --frames "$WORK/frames" --fps "$FPS" --sendfile >"$logf" 2>&1 & PID=$! ;;
    *)
      local jar opts args env=()
      jar=$(var JAR "$name"); [ -n "$jar" ] || jar=$WORK/ours.jar # the server as built, with NAME's own options
      opts="$JAVA_OPTS_ALL $(var JAVA_OPTS "$name")"
      args="${FLOOR_SERVER_ARGS:-} $(var SERVER_ARGS "$name")"
      # shellcheck disable=SC2086
      MALLOC_ARENA_MAX=2 nice -n "$NICE" java $opts -jar "$jar" --file "$WORK/frames.mkv" --host 127.0.0.1 --port "$port" --max-clients 0 --max-connection-rate 0 $args >"$logf" 2>&1 &
      PID=$!
      ;;
  esac
  wait_streaming "$name" "$PID" "$port" "$logf"
}

http_flag=(); [ "$HTTP10" = 1 ] && http_flag=(--http10)
for n in $CLIENTS; do
  for rep in $(seq 1 "$REPS"); do
    order=$SERVERS
    [ $((rep % 2)) = 0 ] && order=$(printf '%s\n' $SERVERS | tac | tr '\n' ' ')
    for name in $order; do
      port=$(free_port)
      tag="$name-$n-$rep"
      log "== $name, $n clients, rep $rep (load $(cut -d' ' -f1 /proc/loadavg))"
      start "$name" "$port" "$OUT/logs/$tag.server.log"
      load=$(cut -d' ' -f1-3 /proc/loadavg)
      if nice -n "$NICE" "$WORK/mjpeg-load" --port "$port" --clients "$n" --warmup "$WARMUP" --duration "$DURATION" --fps "$FPS" \
          --server-pid "$PID" --label "$name" "${http_flag[@]}" >"$OUT/logs/$tag.json" 2>"$OUT/logs/$tag.client.log"; then
        jq -c --arg server "$name" --argjson rep "$rep" --arg load "$load" --argjson frame_kb "$frame_kb" \
          '. + {server: $server, rep: $rep, load_at_start: $load, frame_kb: $frame_kb}' "$OUT/logs/$tag.json" >>"$OUT/floor.jsonl"
        jq -r '"   \(.fps_min) fps min, \(.delivered * 100 | floor) % delivered, \(.gbit_per_s) Gbit/s, \(.server_cores) cores, \(.server_cpu_s_per_gbit) s/Gbit, p99 \(.latency_ms.p99) ms (frame \(.frame_latency_ms.p99 // "-") ms), RSS \(.server_rss_mb) MB, accepted in \(.connect_s) s; user \(.server_user_cores) cores; by thread \(.server_threads | to_entries | map("\(.key) \(.value)") | join(", "))"' "$OUT/logs/$tag.json" >&2
      else
        log "the load client failed for $tag; see $OUT/logs/$tag.*"
      fi
      stop_pid "$PID"; PID=""
      sleep 1
    done
  done
done

bench/floor-summary.sh "$OUT"
log "done: $OUT/floor.md"
