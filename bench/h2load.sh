#!/usr/bin/env bash
# HTTP/2 under load, with nghttp2's h2load, in one run on this machine: our server passes a 720p30 MJPEG file
# (about 46 KB a frame) through to
#   1. HTTP/2: 1000 streams over 20 connections (h2load -c 20 -m 50, prior knowledge);
#   2. HTTP/1.1: 1000 connections, one stream each (h2load --h1 -c 1000 -m 1), the same h2load, for comparison.
# For each: the server's CPU over the measured window, what h2load received (Gbit/s), the CPU seconds per
# delivered gigabit, the slowest and median stream's frame rate as the server's /state shows it mid-run, RSS.
# Writes bench/results/h2load.md (the table for BENCHMARKS.md) and the raw h2load outputs beside it.
#   bench/h2load.sh                     5 s warm-up, 20 s measured
# Knobs: H2_WARMUP=5 H2_DURATION=20 H2_SKIP_BUILD=0 BENCH_OUT=bench/results
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WARMUP=${H2_WARMUP:-5}
DURATION=${H2_DURATION:-20}
OUT=${BENCH_OUT:-$ROOT/bench/results}
CLK_TCK=$(getconf CLK_TCK)
log() { echo "h2load.sh: $*" >&2; }
die() { echo "h2load.sh: $*" >&2; exit 1; }
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"

for tool in h2load ffmpeg jq curl ss; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install nghttp2-client ffmpeg jq curl iproute2)"
done
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 8192 ] || ulimit -n 8192
if [ "${H2_SKIP_BUILD:-0}" != 1 ]; then
  log "building (mvn -B -q package -DskipTests)"
  mvn -B -q package -DskipTests
fi
WORK=$(mktemp -d /tmp/mjpeg-h2load.XXXXXX)
cp server/target/mjpeg-server.jar "$WORK/"
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$OUT/logs"

# The same clip as bench/run.sh's file source: 720p MJPEG, about 46 KB a frame, passed through.
ffmpeg -v error -y -f lavfi -i "testsrc2=size=1280x720:rate=30" -t 10 -c:v mjpeg -q:v 5 -pix_fmt yuvj420p "$WORK/clip.avi"
port=$(free_port)
java -jar "$WORK/mjpeg-server.jar" --host 127.0.0.1 --port "$port" --max-clients 0 --max-connection-rate 0 --file "$WORK/clip.avi" \
  >"$OUT/logs/h2load-server.log" 2>&1 &
SERVER=$!
wait_serving "$SERVER" "http://127.0.0.1:$port/snapshot" "$OUT/logs/h2load-server.log"
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
