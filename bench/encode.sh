#!/usr/bin/env bash
# Whether the test pattern is sustained at high resolutions, by --workers: for each case (WxH@FPS) and worker
# count, a fresh server draws and encodes the pattern and one load client reads it over a window. Prints per run
# the rate asked and received, frames missed, the server's cores, the captured rate from /state, the load average.
#   bench/encode.sh [SERVER_JAR [BENCH_JAR]]   defaults: server/target/mjpeg-server.jar, bench/target/mjpeg-bench.jar
# Knobs: ENCODE_CASES="1920x1080@60 3840x2160@30" ENCODE_WORKERS="1 2" ("-": no --workers flag, the default)
#        ENCODE_WARMUP=5 ENCODE_DURATION=20
#        ENCODE_ARGS="" (more server flags, e.g. --quality 70)
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
SERVER_JAR=${1:-$ROOT/server/target/mjpeg-server.jar}
BENCH_JAR=${2:-$ROOT/bench/target/mjpeg-bench.jar}
CASES=${ENCODE_CASES:-1920x1080@60 3840x2160@30}
WORKERS=${ENCODE_WORKERS:-1 2}
WARMUP=${ENCODE_WARMUP:-5}
DURATION=${ENCODE_DURATION:-20}
read -r -a EXTRA <<<"${ENCODE_ARGS:-}"

for f in "$SERVER_JAR" "$BENCH_JAR"; do [ -f "$f" ] || die "no $f (build it: mvn -B -q package -DskipTests)"; done
need_tools "" jq curl ss
WORK=$(mktemp -d -t mjpeg-encode.XXXXXX)
SERVER=
cleanup() { [ -n "$SERVER" ] && stop_pid "$SERVER"; rm -rf "$WORK"; }
trap cleanup EXIT

captured() { curl -sf "http://127.0.0.1:$1/state" | jq '.source.framesCaptured'; }

echo "| size | fps asked | --workers | fps received (client) | missed | latency p50 / p99 ms | server cores | captured fps (/state) | encode ms (last) | load average |"
echo "|---|---:|---:|---:|---:|---|---:|---:|---:|---|"
for c in $CASES; do
  size=${c%@*}
  fps=${c#*@}
  for w in $WORKERS; do
    port=$(free_port)
    flag=()
    [ "$w" = - ] || flag=(--workers "$w")
    java -jar "$SERVER_JAR" --test-pattern --size "$size" --fps "$fps" "${flag[@]}" --host 127.0.0.1 --port "$port" \
      "${EXTRA[@]}" >"$WORK/server.log" 2>&1 &
    SERVER=$!
    wait_serving "$SERVER" "http://127.0.0.1:$port/snapshot" "$WORK/server.log"
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    c0=$(captured "$port")
    t0=$(date +%s.%N)
    java -Xmx512m -Dio.netty.leakDetection.level=disabled -jar "$BENCH_JAR" --url "http://127.0.0.1:$port/stream" \
      --clients 1 --warmup "$WARMUP" --duration "$DURATION" --server-pid "$SERVER" --quiet >"$WORK/client.txt" 2>&1 \
      || { cat "$WORK/client.txt" >&2; die "the load client failed"; }
    c1=$(captured "$port")
    t1=$(date +%s.%N)
    encode=$(curl -sf "http://127.0.0.1:$port/state" | jq '.source.lastEncodeMillis')
    stop_pid "$SERVER"
    SERVER=
    tail -n 1 "$WORK/client.txt" | jq -r --arg size "$size" --arg fps "$fps" --arg w "$w" --arg load "$load" \
      --arg cfps "$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.1f", (b - a) / (e - s) }')" \
      --arg enc "$encode" \
      '"| \($size) | \($fps) | \($w) | \(.fps_median * 10 | round / 10) | \(.frames_skipped) | \(.latency_p50_ms) / \(.latency_p99_ms) | \(.server_cpu_cores * 100 | round / 100) | \($cfps) | \($enc) | \($load) |"'
  done
done
