#!/usr/bin/env bash
# What relaying costs, and how fast an on-demand feed starts, on this machine, in one run:
#   1. direct:  server A passes a 720p30 MJPEG file through to N load clients (default 1000);
#   2. relayed: server A serves one client, server B relays A (--url) to the same N load clients;
#      the table compares B's CPU with A's in (1), and adds A's own cost of feeding B;
#   3. cold start: server B relays A on demand (--on-demand --idle-grace 1); REPS times, once B is idle, the
#      time until a snapshot of the cold feed is answered (B connects to A and waits for a frame).
# Writes bench/results/relay.jsonl (one JSON line per load run, the load client's plus the CPU figures),
# bench/results/relay-cold.txt and bench/results/relay.md (the tables for BENCHMARKS.md).
#   bench/relay.sh                 1000 clients, 5 s warm-up, 20 s windows, 10 cold starts
# Knobs: RELAY_CLIENTS=1000 RELAY_WARMUP=5 RELAY_DURATION=20 RELAY_REPS=10 RELAY_SKIP_BUILD=0 BENCH_OUT=bench/results
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CLIENTS=${RELAY_CLIENTS:-1000}
WARMUP=${RELAY_WARMUP:-5}
DURATION=${RELAY_DURATION:-20}
REPS=${RELAY_REPS:-10}
OUT=${BENCH_OUT:-$ROOT/bench/results}
CLK_TCK=$(getconf CLK_TCK)
log() { echo "relay.sh: $*" >&2; }
die() { echo "relay.sh: $*" >&2; exit 1; }
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"

for tool in ffmpeg jq curl ss; do command -v "$tool" >/dev/null || die "$tool is missing (bench/run.sh installs it)"; done
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((CLIENTS + 4096)) ] || ulimit -n $((CLIENTS + 4096))
if [ "${RELAY_SKIP_BUILD:-0}" != 1 ]; then
  log "building (mvn -B -q package -DskipTests)"
  mvn -B -q package -DskipTests
fi
WORK=$(mktemp -d /tmp/mjpeg-relay.XXXXXX)
cp server/target/mjpeg-server.jar bench/target/mjpeg-bench.jar "$WORK/"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$OUT/logs"
rm -f "$OUT/relay.jsonl" "$OUT/relay-cold.txt"

# The same clip as bench/run.sh's file source: 720p MJPEG, about 46 KB a frame, passed through.
ffmpeg -v error -y -f lavfi -i "testsrc2=size=1280x720:rate=30" -t 10 -c:v mjpeg -q:v 5 -pix_fmt yuvj420p "$WORK/clip.avi"

# Starts a server in the background: serve NAME ARGS... ; sets LAST_PID and LAST_PORT.
serve() {
  local name=$1; shift
  local port; port=$(free_port)
  java -jar "$WORK/mjpeg-server.jar" --host 127.0.0.1 --port "$port" --max-clients 0 --max-connection-rate 0 "$@" >"$OUT/logs/relay-$name.log" 2>&1 &
  LAST_PID=$!
  LAST_PORT=$port
  PIDS+=("$LAST_PID")
  wait_serving "$LAST_PID" "http://127.0.0.1:$port/snapshot" "$OUT/logs/relay-$name.log"
}

# Loads the stream at URL with the load client, measuring server PID and (by /proc) the other server OTHER.
load() {
  local label=$1 url=$2 pid=$3 other=$4
  log "== $label: $CLIENTS clients on $url"
  local o0; o0=$(cpu_ticks "$other")
  local s0; s0=$(date +%s.%N)
  java -Xmx1g -Dio.netty.leakDetection.level=disabled -jar "$WORK/mjpeg-bench.jar" --url "$url" --clients "$CLIENTS" \
    --ramp 500 --warmup "$WARMUP" --duration "$DURATION" --server-pid "$pid" --label "$label" \
    >"$OUT/logs/relay-$label.client.txt" 2>"$OUT/logs/relay-$label.progress.log"
  local o1; o1=$(cpu_ticks "$other")
  local s1; s1=$(date +%s.%N)
  local other_cores; other_cores=$(cores_between "$o0" "$o1" "$(echo "$s1 - $s0" | bc -l)")
  tail -n 1 "$OUT/logs/relay-$label.client.txt" | jq -c --argjson other "$other_cores" '. + {other_server_cores: $other}' \
    >>"$OUT/relay.jsonl"
  head -n -1 "$OUT/logs/relay-$label.client.txt" >&2 || true
}

serve origin --file "$WORK/clip.avi" --fps 30
A_PID=$LAST_PID; A_PORT=$LAST_PORT
# 1. direct: the load on A; the "other" server is A itself, for the same window.
load direct "http://127.0.0.1:$A_PORT/stream" "$A_PID" "$A_PID"
# 2. relayed: the load on B; A feeds B alone.
serve relay --url "http://127.0.0.1:$A_PORT/stream"
B_PID=$LAST_PID; B_PORT=$LAST_PORT
load relayed "http://127.0.0.1:$B_PORT/stream" "$B_PID" "$A_PID"
stop_pid "$B_PID"

# 3. cold starts of an on-demand relayed feed.
serve ondemand --url "http://127.0.0.1:$A_PORT/stream" --on-demand --idle-grace 1
C_PID=$LAST_PID; C_PORT=$LAST_PORT
for rep in $(seq 1 "$REPS"); do
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$C_PORT/state" | jq -e '.feeds[0].source.idle' >/dev/null && break
    sleep 0.1
  done
  curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$C_PORT/snapshot" >>"$OUT/relay-cold.txt"
done
stop_pid "$C_PID"
stop_pid "$A_PID"

{
  echo "| run | clients | slowest client fps | delivered | Gbit/s | measured server CPU (cores) | CPU s per Gbit | p99 latency (ms) | origin CPU (cores) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  jq -r '"| \(.label) | \(.clients) | \(.fps_min) | \(.delivered_pct) % | \(.gbit_per_s | .*100|round/100) | \(.server_cpu_cores) | \(.server_cpu_s_per_gbit) | \(.latency_p99_ms) | \(.other_server_cores) |"' "$OUT/relay.jsonl"
  echo
  sort -n "$OUT/relay-cold.txt" | awk '{ t[NR] = $1 * 1000 } END { printf "cold snapshot of an on-demand relayed feed, %d reps: min %.0f ms, median %.0f ms, max %.0f ms\n", NR, t[1], t[int((NR + 1) / 2)], t[NR] }'
} >"$OUT/relay.md"
cat "$OUT/relay.md"
