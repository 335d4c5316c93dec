#!/usr/bin/env bash
# What relaying costs, how fast an on-demand relayed feed starts, and how much latency a hop adds, on a 720p30
# MJPEG file (RELAY_CASES picks which, all by default):
#   cost: 1. direct: server A passes the file through to N clients; 2. relayed: server B relays A (--url) to the
#      clients; the table adds A's own cost of feeding B;
#   cold: B relays A on demand (--on-demand --idle-grace 1); REPS times, once B is idle, the time until a snapshot
#      of the cold feed is answered;
#   hops: origin A, edge E1 relaying A, and E2, E3 each relaying the one before (a chain of three); RELAY_HOP_CLIENTS
#      clients of bench/mjpeg-load.c on each of A, E1 and E3 at once. An edge passes the origin's X-Timestamp on, so
#      each client's latency (a part's last byte minus its stamp) runs from the origin's capture; what a hop adds is
#      an edge's client's percentile less the origin's client's, in the same window.
# Writes, in bench/results, for cost and cold relay.jsonl (the load client's JSON lines with the CPU figures),
# relay-cold.txt and relay.md, for hops relay-hops.jsonl and relay-hops.md (the tables for BENCHMARKS.md).
# Knobs: RELAY_CASES="cost cold hops" RELAY_CLIENTS=1000 RELAY_HOP_CLIENTS=50 RELAY_WARMUP=5 RELAY_DURATION=20
#   RELAY_REPS=10 RELAY_SKIP_BUILD=0 BENCH_OUT=bench/results
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
CLIENTS=${RELAY_CLIENTS:-1000}
WARMUP=${RELAY_WARMUP:-5}
DURATION=${RELAY_DURATION:-20}
REPS=${RELAY_REPS:-10}
CASES=${RELAY_CASES:-cost cold hops}
HOP_CLIENTS=${RELAY_HOP_CLIENTS:-50}
OUT=${BENCH_OUT:-$ROOT/bench/results}

need_tools "bench/run.sh installs it" ffmpeg jq curl ss bc cc
case " $CASES " in *" hops "*) [[ "$HOP_CLIENTS" =~ ^[1-9][0-9]*$ ]] \
  || { log "RELAY_HOP_CLIENTS: '$HOP_CLIENTS' (expected: a count from 1)"; exit 2; } ;; esac
raise_fds $((CLIENTS + 4096))
build_jars "${RELAY_SKIP_BUILD:-0}"
make_work server/target/mjpeg-server.jar bench/target/mjpeg-bench.jar
mkdir -p "$OUT/logs"
wants() { case " $CASES " in *" $1 "*) return 0 ;; esac; return 1; }
if wants cost || wants cold; then rm -f "$OUT/relay.jsonl" "$OUT/relay-cold.txt"; fi
if wants hops; then rm -f "$OUT/relay-hops.jsonl"; fi
make_clip "$WORK/clip.avi"
cc -O2 -Wall -std=gnu11 -o "$WORK/mjpeg-load" bench/mjpeg-load.c

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
if wants cost; then
  # 1. direct: the load on A; the "other" server is A itself, for the same window.
  load direct "http://127.0.0.1:$A_PORT/stream" "$A_PID" "$A_PID"
  # 2. relayed: the load on B; A feeds B alone.
  serve relay /snapshot --url "http://127.0.0.1:$A_PORT/stream"
  B_PID=$LAST_PID; B_PORT=$LAST_PORT
  load relayed "http://127.0.0.1:$B_PORT/stream" "$B_PID" "$A_PID"
  stop_pid "$B_PID"
fi

# 3. cold starts of an on-demand relayed feed.
if wants cold; then
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
fi
# 4. the latency of a chain of edges: A, E1 relaying A, E2 relaying E1, E3 relaying E2; clients on A, E1 and E3 at once.
if wants hops; then
  upstream=$A_PORT; HOP_PIDS=""; E1_PORT=""; E3_PORT=""; E1_PID=""; E3_PID=""
  for i in 1 2 3; do
    serve "edge$i" /snapshot --log-level warn --url "http://127.0.0.1:$upstream/stream"
    HOP_PIDS="$HOP_PIDS $LAST_PID"; upstream=$LAST_PORT
    [ "$i" = 1 ] && { E1_PORT=$LAST_PORT; E1_PID=$LAST_PID; }
    [ "$i" = 3 ] && { E3_PORT=$LAST_PORT; E3_PID=$LAST_PID; }
  done
  log "== hops: $HOP_CLIENTS clients on each of origin, edge 1 and edge 3 (load $(cut -d' ' -f1 /proc/loadavg))"
  hop_load() {
    "$WORK/mjpeg-load" --port "$2" --clients "$HOP_CLIENTS" --warmup "$WARMUP" --duration "$DURATION" --fps 30 \
      --server-pid "$3" --label "$1" >"$OUT/logs/relay-hops-$1.json" 2>"$OUT/logs/relay-hops-$1.log"
  }
  hop_load origin "$A_PORT" "$A_PID" & L0=$!
  hop_load edge1 "$E1_PORT" "$E1_PID" & L1=$!
  hop_load edge3 "$E3_PORT" "$E3_PID" & L3=$!
  wait "$L0" "$L1" "$L3" || die "a load client failed; see $OUT/logs/relay-hops-*.log"
  for label in origin edge1 edge3; do
    jq -c --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" '. + {loadavg: $load}' "$OUT/logs/relay-hops-$label.json" \
      >>"$OUT/relay-hops.jsonl"
  done
  for p in $HOP_PIDS; do stop_pid "$p"; done
fi
stop_pid "$A_PID"

if wants cost || wants cold; then
  {
    if [ -s "$OUT/relay.jsonl" ]; then
      echo "| run | clients | slowest client fps | delivered | Gbit/s | measured server CPU (cores) | CPU s per Gbit | p99 latency (ms) | origin CPU (cores) |"
      echo "|---|---|---|---|---|---|---|---|---|"
      jq -r '"| \(.label) | \(.clients) | \(.fps_min) | \(.delivered_pct) % | \(.gbit_per_s | .*100|round/100) | \(.server_cpu_cores) | \(.server_cpu_s_per_gbit) | \(.latency_p99_ms) | \(.other_server_cores) |"' "$OUT/relay.jsonl"
    fi
    if [ -s "$OUT/relay-cold.txt" ]; then
      echo
      sort -n "$OUT/relay-cold.txt" | awk '{ t[NR] = $1 * 1000 } END { printf "cold snapshot of an on-demand relayed feed, %d reps: min %.0f ms, median %.0f ms, max %.0f ms\n", NR, t[1], t[int((NR + 1) / 2)], t[NR] }'
    fi
  } >"$OUT/relay.md"
  cat "$OUT/relay.md"
fi
if wants hops; then
  {
    echo "| clients of | clients | slowest client fps | latency from the origin's stamp p50 / p99 (ms) | added by the hops p50 / p99 (ms) | server CPU (cores) |"
    echo "|---|---|---|---|---|---|"
    jq -rs '(.[] | select(.label == "origin")) as $o | .[] |
      "| \(.label) | \(.clients) | \(.fps_min) | \(.latency_ms.p50) / \(.latency_ms.p99) | \(if .label == "origin" then "-" else "\((.latency_ms.p50 - $o.latency_ms.p50) * 100 | round / 100) / \((.latency_ms.p99 - $o.latency_ms.p99) * 100 | round / 100)" end) | \(.server_cores) |"' \
      "$OUT/relay-hops.jsonl"
  } >"$OUT/relay-hops.md"
  cat "$OUT/relay-hops.md"
fi
