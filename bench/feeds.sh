#!/usr/bin/env bash
# Many feeds against one: total server CPU per delivered Gbit of 16 feeds of 60 clients each against one feed of
# 960 clients, in the same run, each feed a 720p30 MJPEG file passed through. "feeds" is a server started from a
# YAML config with 16 file feeds (cam01..cam16), loaded by one bench/mjpeg-load.c whose clients are spread over
# /cam/camNN/stream; "one" is a server with that file as its only feed, all clients on /stream. Each rep runs both
# fresh, their order flipped every rep. Writes bench/results/feeds/feeds.jsonl (the load client's JSON lines) and
# feeds.md (the table for BENCHMARKS.md), and prints the table.
# Knobs: FEEDS_COUNT=16 FEEDS_CLIENTS=960 (in all, split evenly over the feeds) FEEDS_REPS=2 FEEDS_WARMUP=15 (16 feeds
#   warm up slower: 10 s after start, the JIT still took a quarter of the server's CPU samples)
#   FEEDS_DURATION=10 FEEDS_IDLE=10 (each server's CPU with no client over that many seconds, once the
#   load client has gone; 0: not measured) FEEDS_SKIP_BUILD=0 FEEDS_JAVA_OPTS="@server/src/deb/jvm.options" FEEDS_OUT=bench/results/feeds
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
COUNT=${FEEDS_COUNT:-16}
CLIENTS=${FEEDS_CLIENTS:-960}
REPS=${FEEDS_REPS:-2}
WARMUP=${FEEDS_WARMUP:-15}
DURATION=${FEEDS_DURATION:-10}
IDLE=${FEEDS_IDLE:-10}
OUT=${FEEDS_OUT:-$ROOT/bench/results/feeds}
[[ "$COUNT" =~ ^[0-9]+$ ]] && [ "$COUNT" -ge 1 ] && [ "$COUNT" -le 64 ] \
  || { log "FEEDS_COUNT: '$COUNT' (expected: a count from 1 to 64)"; exit 2; }
[[ "$CLIENTS" =~ ^[0-9]+$ ]] && [ "$CLIENTS" -ge "$COUNT" ] && [ "$CLIENTS" -le 20000 ] \
  || { log "FEEDS_CLIENTS: '$CLIENTS' (expected: a count from FEEDS_COUNT to 20000)"; exit 2; }
[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || { log "FEEDS_REPS: '$REPS' (expected: a count from 1)"; exit 2; }
[[ "$IDLE" =~ ^[0-9]+$ ]] || { log "FEEDS_IDLE: '$IDLE' (expected: seconds, or 0)"; exit 2; }

need_tools "apt-get install gcc ffmpeg jq curl iproute2" cc ffmpeg jq curl ss
raise_fds $((CLIENTS + 4096))
if [ "${FEEDS_SKIP_BUILD:-0}" != 1 ]; then
  log "building the server (mvn -B -q -pl server -am package -DskipTests)"
  mvn -B -q -pl server -am package -DskipTests
fi
make_work server/target/mjpeg-server.jar server/src/deb/jvm.options
JAVA_OPTS=${FEEDS_JAVA_OPTS-@$WORK/jvm.options}
mkdir -p "$OUT/logs"
rm -f "$OUT/feeds.jsonl" "$OUT"/logs/*
cc -O2 -Wall -std=gnu11 -o "$WORK/mjpeg-load" bench/mjpeg-load.c
make_clip "$WORK/clip.avi"
paths=()
{
  echo "feeds:"
  for i in $(seq 1 "$COUNT"); do
    name=$(printf 'cam%02d' "$i")
    echo "  $name: { file: $WORK/clip.avi, fps: 30 }"
    paths+=(--path "/cam/$name/stream")
  done
} >"$WORK/feeds.yaml"
log "load before the runs: $(uptime)"

# The cores process PID used over SECONDS (utime + stime from /proc): cores_over PID SECONDS
cores_over() {
  local hz t0 t1 s0 s1
  hz=$(getconf CLK_TCK)
  t0=$(awk '{ print $14 + $15 }' "/proc/$1/stat"); s0=$(date +%s.%N)
  sleep "$2"
  t1=$(awk '{ print $14 + $15 }' "/proc/$1/stat"); s1=$(date +%s.%N)
  awk -v t0="$t0" -v t1="$t1" -v s0="$s0" -v s1="$s1" -v hz="$hz" 'BEGIN { printf "%.3f", (t1 - t0) / hz / (s1 - s0) }'
}

# Runs setup NAME (feeds or one) fresh under the load client and appends its JSON line: run NAME REP
run() {
  local name=$1 rep=$2 port pid logf args path_args idle=null
  port=$(free_port)
  logf="$OUT/logs/$name-$rep.server.log"
  if [ "$name" = feeds ]; then args=(--config "$WORK/feeds.yaml"); path_args=("${paths[@]}")
  else args=(--file "$WORK/clip.avi" --fps 30); path_args=(--path /stream); fi
  # shellcheck disable=SC2086
  MALLOC_ARENA_MAX=2 java $JAVA_OPTS -jar "$WORK/mjpeg-server.jar" "${args[@]}" --host 127.0.0.1 --port "$port" \
    --max-clients 0 --max-connection-rate 0 --log-level warn >"$logf" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_streaming "$name" "$pid" "$port" "$logf"
  log "== $name, rep $rep: $CLIENTS clients over $((${#path_args[@]} / 2)) path(s) (load $(cut -d' ' -f1 /proc/loadavg))"
  if "$WORK/mjpeg-load" --port "$port" --clients "$CLIENTS" "${path_args[@]}" --warmup "$WARMUP" \
      --duration "$DURATION" --fps 30 --server-pid "$pid" --label "$name" >"$OUT/logs/$name-$rep.json" \
      2>"$OUT/logs/$name-$rep.client.log"; then
    # What the feeds cost with no client, on a JIT the load has warmed: shortly after start it still compiles.
    if [ "$IDLE" -gt 0 ]; then
      sleep 3
      idle=$(cores_over "$pid" "$IDLE")
    fi
    jq -c --argjson rep "$rep" --argjson idle "$idle" --argjson feeds "$([ "$name" = feeds ] && echo "$COUNT" || echo 1)" \
      --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" '. + {rep: $rep, feeds: $feeds, idle_cores: $idle, loadavg: $load}' \
      "$OUT/logs/$name-$rep.json" >>"$OUT/feeds.jsonl"
  else
    log "the load client failed for $name rep $rep; see $OUT/logs/$name-$rep.*"
  fi
  stop_pid "$pid"
}

for rep in $(seq 1 "$REPS"); do
  if [ $((rep % 2)) = 1 ]; then run feeds "$rep"; run one "$rep"; else run one "$rep"; run feeds "$rep"; fi
done

{
  echo "| setup | rep | feeds | clients | slowest client fps | delivered | Gbit/s | server CPU (cores) | CPU s per Gbit | p99 latency (ms) | no client: cores | load average |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  jq -r '"| \(.label) | \(.rep) | \(.feeds) | \(.clients) | \(.fps_min) | \(.delivered * 1000 | round / 10) % | \(.gbit_per_s) | \(.server_cores) | \(.server_cpu_s_per_gbit) | \(.latency_ms.p99) | \(.idle_cores // "-") | \(.loadavg) |"' "$OUT/feeds.jsonl"
  echo
  jq -rs '[.[] | select(.label == "feeds") | .server_cpu_s_per_gbit] as $f | [.[] | select(.label == "one") | .server_cpu_s_per_gbit] as $o
    | if ($f | length) > 0 and ($o | length) > 0 then
        "CPU per Gbit, \($f | length) rep(s) each: \(($f | add / length) / ($o | add / length) * 100 | round / 100) x one feed'"'"'s (mean of reps; target <= 1.15 x)"
      else "a setup has no figures: see the logs" end' "$OUT/feeds.jsonl"
} >"$OUT/feeds.md"
cat "$OUT/feeds.md"
