#!/usr/bin/env bash
# HTTP/2 under load with nghttp2's h2load: our server passes a 720p30 MJPEG file through to 1000 HTTP/2 streams
# over 20 connections (h2load -c 20 -m 50), then to 1000 HTTP/1.1 connections (h2load --h1 -c 1000 -m 1).
# Per run: the server's CPU over the measured window, Gbit/s received, CPU s per Gbit, the slowest and median
# stream's fps from /state mid-run, RSS. Writes bench/results/h2load.md and the raw h2load outputs beside it.
# Knobs: H2_WARMUP=5 H2_DURATION=20 H2_SKIP_BUILD=0 BENCH_OUT=bench/results
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
WARMUP=${H2_WARMUP:-5}
DURATION=${H2_DURATION:-20}
OUT=${BENCH_OUT:-$ROOT/bench/results}

need_tools "apt-get install nghttp2-client ffmpeg jq curl iproute2" h2load ffmpeg jq curl ss
raise_fds 8192
build_jars "${H2_SKIP_BUILD:-0}"
make_work server/target/mjpeg-server.jar
mkdir -p "$OUT/logs"
make_clip "$WORK/clip.avi"
serve server /snapshot --file "$WORK/clip.avi"
SERVER=$LAST_PID
port=$LAST_PORT
frame=$(curl -s "http://127.0.0.1:$port/snapshot" | wc -c)

# run LABEL H2LOAD-ARGS... : one measured run; prints one table row.
run() {
  local label=$1; shift
  log "== $label: h2load $*"
  h2load -D "$DURATION" --warm-up-time "$WARMUP" "$@" "http://127.0.0.1:$port/stream" >"$OUT/h2load-$label.txt" 2>&1 &
  local h2=$!
  sleep "$WARMUP"
  local t0; t0=$(cpu_ticks "$SERVER")
  local s0; s0=$(date +%s.%N)
  sleep $((DURATION / 2))
  local state; state=$(curl -s "http://127.0.0.1:$port/state")
  local rss; rss=$(rss_mb "$SERVER")
  sleep $((DURATION - DURATION / 2))
  local t1; t1=$(cpu_ticks "$SERVER")
  local s1; s1=$(date +%s.%N)
  wait "$h2" || true
  local seconds; seconds=$(awk -v a="$s0" -v b="$s1" 'BEGIN { print b - a }')
  local cores; cores=$(cores_between "$t0" "$t1" "$seconds")
  # h2load: "traffic: 1.23GB (1320702976) total, ..." over the -D window.
  local bytes; bytes=$(sed -n 's/^traffic: [^(]*(\([0-9]*\)) total.*/\1/p' "$OUT/h2load-$label.txt")
  [ -n "$bytes" ] || die "no traffic line in $OUT/h2load-$label.txt"
  local gbit; gbit=$(awk -v b="$bytes" -v d="$DURATION" 'BEGIN { printf "%.2f", b * 8 / d / 1e9 }')
  local per; per=$(awk -v c="$cores" -v g="$gbit" 'BEGIN { printf "%.3f", c / g }')
  local streams; streams=$(jq '[.clients[]] | length' <<<"$state")
  local protocols; protocols=$(jq -r '[.clients[].protocol] | unique | join(",")' <<<"$state")
  local fps; fps=$(jq -r '[.clients[].fps] | sort | "\(.[0]) / \(.[length / 2 | floor])"' <<<"$state")
  local conns; conns=$(jq '[.clients[].remote] | unique | length' <<<"$state")
  echo "| $label | $protocols | $conns | $streams | $fps | $gbit | $cores | $per | $rss |"
}

{
  echo "h2load against our server, 720p30 MJPEG file passed through (frames of about $((frame / 1000)) KB), ${WARMUP} s warm-up,"
  echo "${DURATION} s measured, \`$(h2load --version | head -1)\`, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| run | protocol | connections | streams | slowest / median stream fps | Gbit/s received | server cores | CPU s per Gbit | RSS MB |"
  echo "|---|---|---|---|---|---|---|---|---|"
  run h2-1000-over-20 -c 20 -m 50
  run h1-1000 --h1 -c 1000 -m 1
} | tee "$OUT/h2load.md"
