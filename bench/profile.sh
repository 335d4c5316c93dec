#!/usr/bin/env bash
# Where the fan-out's CPU goes: the server as built (server/target/mjpeg-server.jar, with the shipped jvm.options
# and MALLOC_ARENA_MAX=2) on a 720p30 MJPEG file under bench/mjpeg-load with N clients, profiled by async-profiler
# (tools.profiler:async-profiler from Maven Central). Prints the share of CPU samples under StreamSession.offer in
# the send syscall (writev or send), the Java above it, and the Java frames that cost most there. The samples
# include start-up: compare runs with each other, not with absolute figures.
#   bench/profile.sh [CLIENTS=1000] [OUT=bench/results/floor/profile/run]
# Knobs: PROFILE_SIZE=1280x720 PROFILE_FRAME_BYTES=0 (as FLOOR_SIZE and FLOOR_FRAME_BYTES of bench/floor.sh)
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
N=${1:-1000}
OUT=${2:-bench/results/floor/profile/run}
AP_VERSION=3.0
need_tools "" cc ffmpeg curl jq python3 mvn
[ -f server/target/mjpeg-server.jar ] || die "build first (mvn -B -q -pl server -am package -DskipTests)"
mkdir -p "$(dirname "$OUT")"
AP_JAR=$HOME/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar
[ -f "$AP_JAR" ] || mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:$AP_VERSION >/dev/null
WORK=$(mktemp -d -t mjpeg-profile.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
(cd "$WORK" && unzip -q "$AP_JAR" 'linux-x64/*')
cc -O2 -Wall -std=gnu11 -o "$WORK/mjpeg-load" bench/mjpeg-load.c
make_frames "$WORK" "${PROFILE_SIZE:-1280x720}" 30 "${PROFILE_FRAME_BYTES:-0}"
raise_fds $((N + 4096))
PORT=$(free_port)
MALLOC_ARENA_MAX=2 java @server/src/deb/jvm.options \
  "-agentpath:$WORK/linux-x64/libasyncProfiler.so=start,event=cpu,interval=997us,file=$OUT.collapsed,collapsed" \
  -jar server/target/mjpeg-server.jar --file "$WORK/frames.mkv" --host 127.0.0.1 --port "$PORT" --max-clients 0 --max-connection-rate 0 \
  >"$OUT.server.log" 2>&1 &
PID=$!
wait_streaming "the server" "$PID" "$PORT" "$OUT.server.log"
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
