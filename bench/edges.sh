#!/usr/bin/env bash
# CPU per delivered Gbit of one server alone against an origin with three edges (--mirror) behind a balancer,
# each setup loaded by N clients reading a 720p30 MJPEG file passed through:
#   1. alone: one server; 2. cluster-nginx: deploy/nginx/nginx.conf in front of the edges; 3. cluster-haproxy:
#   deploy/haproxy/haproxy.cfg likewise (their addresses and paths replaced, as EdgeClusterTest does).
# CPU is read from /proc for every process of a setup over the load client's run. Writes bench/results/edges.jsonl
# (the load client's JSON line with the CPU figures) and bench/results/edges.md (the table for BENCHMARKS.md).
# Knobs: EDGES_CLIENTS=500 EDGES_WARMUP=5 EDGES_DURATION=20 EDGES_SKIP_BUILD=0 BENCH_OUT=bench/results
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
CLIENTS=${EDGES_CLIENTS:-500}
WARMUP=${EDGES_WARMUP:-5}
DURATION=${EDGES_DURATION:-20}
OUT=${BENCH_OUT:-$ROOT/bench/results}

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
need_tools "" ffmpeg jq curl ss bc "$NGINX" "$HAPROXY"
raise_fds $((2 * CLIENTS + 4096))
build_jars "${EDGES_SKIP_BUILD:-0}"
make_work server/target/mjpeg-server.jar bench/target/mjpeg-bench.jar
mkdir -p "$OUT/logs"
rm -f "$OUT/edges.jsonl"
log "load before the runs: $(uptime)"
make_clip "$WORK/clip.avi"

# Sum of cpu_ticks over PIDS...
ticks_of() { local t=0 p; for p in "$@"; do t=$((t + $(cpu_ticks "$p"))); done; echo "$t"; }

# Loads URL with the load client, measuring the CPU of SERVERS and BALANCER (quoted lists of pids, or ""):
# load LABEL URL SERVERS BALANCER
load() {
  local label=$1 url=$2 servers=$3 balancer=$4
  log "== $label: $CLIENTS clients on $url"
  # shellcheck disable=SC2086
  local s0 b0 t0; s0=$(ticks_of $servers); b0=$(ticks_of $balancer); t0=$(date +%s.%N)
  local json; json=$(load_client "$label" "$url")
  # shellcheck disable=SC2086
  local s1 b1 t1; s1=$(ticks_of $servers); b1=$(ticks_of $balancer); t1=$(date +%s.%N)
  local seconds; seconds=$(echo "$t1 - $t0" | bc -l)
  jq -c \
    --argjson servers "$(cores_between "$s0" "$s1" "$seconds")" --argjson balancer "$(cores_between "$b0" "$b1" "$seconds")" \
    --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
    '. + {servers_cores: $servers, balancer_cores: $balancer, loadavg: $load,
          servers_cpu_s_per_gbit: (if .gbit_per_s > 0 then $servers / .gbit_per_s else null end),
          all_cpu_s_per_gbit: (if .gbit_per_s > 0 then ($servers + $balancer) / .gbit_per_s else null end)}' \
    <<<"$json" >>"$OUT/edges.jsonl"
}

# 1. alone
serve alone /healthz --log-level warn --file "$WORK/clip.avi" --fps 30
A_PID=$LAST_PID; A_PORT=$LAST_PORT
load alone "http://127.0.0.1:$A_PORT/stream" "$A_PID" ""
stop_pid "$A_PID"

# 2. origin, three edges, nginx
serve origin /healthz --log-level warn --file "$WORK/clip.avi" --fps 30
O_PID=$LAST_PID; O_PORT=$LAST_PORT
EDGE_PIDS=""; EDGE_PORTS=()
for i in 1 2 3; do
  serve "edge$i" /healthz --log-level warn --mirror "http://127.0.0.1:$O_PORT/"
  EDGE_PIDS="$EDGE_PIDS $LAST_PID"; EDGE_PORTS+=("$LAST_PORT")
done
LB_PORT=$(free_port)
mkdir -p "$WORK/nginx"
sed -e '/^user www-data;$/d' -e "s#/run/#$WORK/nginx/#; s#/var/log/nginx/#$WORK/nginx/#; s#/var/lib/nginx/#$WORK/nginx/#" \
    -e "s/10.0.0.11:8080/127.0.0.1:${EDGE_PORTS[0]}/; s/10.0.0.12:8080/127.0.0.1:${EDGE_PORTS[1]}/" \
    -e "s/10.0.0.13:8080/127.0.0.1:${EDGE_PORTS[2]}/; s/listen 80;/listen 127.0.0.1:$LB_PORT;/" \
    deploy/nginx/nginx.conf >"$WORK/nginx/nginx.conf"
"$NGINX" -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' >"$OUT/logs/edges-nginx.log" 2>&1 &
LB_PID=$!
PIDS+=("$LB_PID")
wait_serving "$LB_PID" "http://127.0.0.1:$LB_PORT/healthz" "$OUT/logs/edges-nginx.log"
LB_PIDS="$LB_PID $(pgrep -P "$LB_PID" | tr '\n' ' ')"
load cluster-nginx "http://127.0.0.1:$LB_PORT/stream" "$O_PID$EDGE_PIDS" "$LB_PIDS"
log "origin stream connections after the run: $(curl -sf "http://127.0.0.1:$O_PORT/state" | jq '[.feeds[].clients[]] | length')"
stop_pid "$LB_PID"

# 3. the same edges behind HAProxy with deploy/haproxy/haproxy.cfg
LB_PORT=$(free_port)
sed -e "s/10.0.0.11:8080/127.0.0.1:${EDGE_PORTS[0]}/; s/10.0.0.12:8080/127.0.0.1:${EDGE_PORTS[1]}/" \
    -e "s/10.0.0.13:8080/127.0.0.1:${EDGE_PORTS[2]}/; s/bind :80/bind 127.0.0.1:$LB_PORT/" \
    deploy/haproxy/haproxy.cfg >"$WORK/haproxy.cfg"
"$HAPROXY" -f "$WORK/haproxy.cfg" -db >"$OUT/logs/edges-haproxy.log" 2>&1 &
LB_PID=$!
PIDS+=("$LB_PID")
wait_serving "$LB_PID" "http://127.0.0.1:$LB_PORT/healthz" "$OUT/logs/edges-haproxy.log"
load cluster-haproxy "http://127.0.0.1:$LB_PORT/stream" "$O_PID$EDGE_PIDS" "$LB_PID"
stop_pid "$LB_PID"
for p in $EDGE_PIDS; do stop_pid "$p"; done
stop_pid "$O_PID"

{
  echo "| run | clients | slowest client fps | delivered | Gbit/s | mjpeg-server CPU (cores) | balancer CPU (cores) | CPU s per Gbit, servers | CPU s per Gbit, all | p99 latency (ms) | load average |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  jq -r '"| \(.label) | \(.clients) | \(.fps_min) | \(.delivered_pct) % | \(.gbit_per_s | .*100|round/100) | \(.servers_cores) | \(.balancer_cores) | \(.servers_cpu_s_per_gbit | .*1000|round/1000) | \(.all_cpu_s_per_gbit | .*1000|round/1000) | \(.latency_p99_ms) | \(.loadavg) |"' "$OUT/edges.jsonl"
} >"$OUT/edges.md"
cat "$OUT/edges.md"
