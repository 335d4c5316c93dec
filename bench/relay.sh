#!/usr/bin/env bash
# What relaying costs, and how fast an on-demand relayed feed starts, loading N clients on a 720p30 MJPEG file:
#   1. direct: server A passes the file through to the clients;
#   2. relayed: server B relays A (--url) to the clients; the table adds A's own cost of feeding B;
#   3. cold start: B relays A on demand (--on-demand --idle-grace 1); REPS times, once B is idle, the time
#      until a snapshot of the cold feed is answered.
# Writes bench/results/relay.jsonl (the load client's JSON lines with the CPU figures), relay-cold.txt and
# relay.md (the tables for BENCHMARKS.md).
# Knobs: RELAY_CLIENTS=1000 RELAY_WARMUP=5 RELAY_DURATION=20 RELAY_REPS=10 RELAY_SKIP_BUILD=0 BENCH_OUT=bench/results
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
CLIENTS=${RELAY_CLIENTS:-1000}
WARMUP=${RELAY_WARMUP:-5}
DURATION=${RELAY_DURATION:-20}
REPS=${RELAY_REPS:-10}
OUT=${BENCH_OUT:-$ROOT/bench/results}

need_tools "bench/run.sh installs it" ffmpeg jq curl ss bc
raise_fds $((CLIENTS + 4096))
build_jars "${RELAY_SKIP_BUILD:-0}"
make_work server/target/mjpeg-server.jar bench/target/mjpeg-bench.jar
mkdir -p "$OUT/logs"
rm -f "$OUT/relay.jsonl" "$OUT/relay-cold.txt"
make_clip "$WORK/clip.avi"

# Loads URL with the load client, measuring server PID (by the client) and server OTHER (by /proc):
# load LABEL URL PID OTHER
load() {
  local label=$1 url=$2 pid=$3 other=$4
  log "== $label: $CLIENTS clients on $url"
  local o0 s0; o0=$(cpu_ticks "$other"); s0=$(date +%s.%N)
  local json; json=$(load_client "$label" "$url" --server-pid "$pid")
  local o1 s1; o1=$(cpu_ticks "$other"); s1=$(date +%s.%N)
  local other_cores; other_cores=$(cores_between "$o0" "$o1" "$(echo "$s1 - $s0" | bc -l)")
  jq -c --argjson other "$other_cores" '. + {other_server_cores: $other}' <<<"$json" >>"$OUT/relay.jsonl"
}

serve origin /snapshot --file "$WORK/clip.avi" --fps 30
A_PID=$LAST_PID; A_PORT=$LAST_PORT
# 1. direct: the load on A; the "other" server is A itself, for the same window.
load direct "http://127.0.0.1:$A_PORT/stream" "$A_PID" "$A_PID"
# 2. relayed: the load on B; A feeds B alone.
serve relay /snapshot --url "http://127.0.0.1:$A_PORT/stream"
B_PID=$LAST_PID; B_PORT=$LAST_PORT
load relayed "http://127.0.0.1:$B_PORT/stream" "$B_PID" "$A_PID"
stop_pid "$B_PID"

# 3. cold starts of an on-demand relayed feed.
serve ondemand /snapshot --url "http://127.0.0.1:$A_PORT/stream" --on-demand --idle-grace 1
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
