#!/usr/bin/env bash
# Where the fan-out's CPU goes: runs the server as built (server/target/mjpeg-server.jar, with the shipped
# jvm.options and MALLOC_ARENA_MAX=2) on a 720p30 MJPEG file under bench/mjpeg-load with N clients, profiled by
# async-profiler (fetched from Maven Central: tools.profiler:async-profiler), and prints the share of CPU samples
# in the send syscall (writev or send) under StreamSession.offer, the Java above it, and the Java frames that
# cost most there.
#   bench/profile.sh [CLIENTS=1000] [OUT=bench/results/floor/profile/run]
# The samples cover the whole run, start-up included; compare runs with each other, not with absolute figures.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
OUT=${2:-bench/results/floor/profile/run}
AP_VERSION=3.0
for t in cc ffmpeg curl jq python3 mvn; do command -v "$t" >/dev/null || { echo "profile.sh: $t is missing" >&2; exit 1; }; done
[ -f server/target/mjpeg-server.jar ] || { echo "profile.sh: build first (mvn -B -q -pl server -am package -DskipTests)" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
AP_JAR=$HOME/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar
[ -f "$AP_JAR" ] || mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:$AP_VERSION >/dev/null
WORK=$(mktemp -d /tmp/mjpeg-profile.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
(cd "$WORK" && unzip -q "$AP_JAR" 'linux-x64/*')
cc -O2 -Wall -std=gnu11 -o "$WORK/mjpeg-load" bench/mjpeg-load.c
mkdir -p "$WORK/frames"
ffmpeg -v error -y -f lavfi -i testsrc2=size=1280x720:rate=30 -frames:v 60 -q:v 5 "$WORK/frames/frame_%03d.jpg"
ffmpeg -v error -y -framerate 30 -i "$WORK/frames/frame_%03d.jpg" -c copy "$WORK/frames.mkv"
ulimit -n $((N + 4096))
PORT=$((20000 + RANDOM % 10000))
MALLOC_ARENA_MAX=2 java @server/src/deb/jvm.options \
  "-agentpath:$WORK/linux-x64/libasyncProfiler.so=start,event=cpu,interval=997us,file=$OUT.collapsed,collapsed" \
  -jar server/target/mjpeg-server.jar --file "$WORK/frames.mkv" --host 127.0.0.1 --port "$PORT" --max-clients 0 --max-connection-rate 0 \
  >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do
  [ "$(curl -s --max-time 1 -o /dev/null -w '%{size_download}' "http://127.0.0.1:$PORT/stream" || true)" -gt 1000 ] && break
  sleep 0.2
done
"$WORK/mjpeg-load" --port "$PORT" --clients "$N" --warmup 3 --duration 12 --http10 --server-pid "$PID" >"$OUT.json"
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
jq -c '{fps_min, delivered, gbit_per_s, server_cores, server_cpu_s_per_gbit, p99: .latency_ms.p99}' "$OUT.json"
python3 - "$OUT.collapsed" <<'EOF'
import collections, sys
total = offer = send = 0
above = collections.Counter()
for line in open(sys.argv[1]):
    stack, n = line.rstrip().rsplit(' ', 1)
    n = int(n); total += n
    frames = stack.split(';')
    if not any('StreamSession.offer' in f for f in frames):
        continue
    offer += n
    if any(f in ('writev', 'send') or 'writevAddresses' in f or 'sendAddress' in f for f in frames):
        send += n
    else:
        above[[f for f in frames if 'mjpegserver' in f or 'netty' in f][-1]] += n
print(f"samples {total}: under StreamSession.offer {100 * offer / total:.1f} %, of which the send syscall "
      f"{100 * send / total:.1f} % and Java above it {100 * (offer - send) / total:.1f} % "
      f"(Java per unit of syscall: {(offer - send) / max(send, 1):.3f})")
for frame, n in above.most_common(12):
    print(f"  {100 * n / total:5.2f} %  {frame}")
EOF
