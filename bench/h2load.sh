#!/usr/bin/env bash
# HTTP/2 against HTTP/1.1 under load with nghttp2's h2load, in one run: our server (with the shipped jvm.options)
# passes a 720p30 MJPEG file through to 1000 HTTP/2 streams over 20 connections (h2load -c 20 -m 50), 1000
# streams over 100 connections (-c 100 -m 10) and 1000 HTTP/1.1 connections (--h1 -c 1000 -m 1), each rep in the
# other order. Per run: the server's CPU over the measured window, Gbit/s received, CPU s per Gbit and its ratio
# to the same rep's HTTP/1.1, the slowest and median stream's fps from /state mid-run, RSS. With H2_PROFILE=1,
# async-profiler (Maven Central's tools.profiler:async-profiler) samples the server's CPU over each measured
# window into bench/results/h2load-LABEL-REP.collapsed and its top frames are printed.
# Writes bench/results/h2load.md and the raw h2load outputs beside it, and /state as read mid-run per case in logs/.
# Knobs: H2_WARMUP=5 H2_DURATION=10 H2_REPS=1 H2_PROFILE=0 H2_BIG_FRAMES=0 H2_SKIP_BUILD=0 JIT_WARMUP=10
# H2_CLIENT_THREADS=1 (h2load -t: its threads, the connections spread over them, in every measured case alike)
# BENCH_OUT=bench/results
# H2_JAR=server/target/mjpeg-server.jar (another build to compare, named mjpeg-server.jar)
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
WARMUP=${H2_WARMUP:-5}
DURATION=${H2_DURATION:-10}
REPS=${H2_REPS:-1}
PROFILE=${H2_PROFILE:-0}
CLIENT_THREADS=${H2_CLIENT_THREADS:-1}
[[ "$CLIENT_THREADS" =~ ^[1-9][0-9]*$ ]] || die "H2_CLIENT_THREADS: '$CLIENT_THREADS' (expected: a count from 1)"
OUT=$(realpath -m "${BENCH_OUT:-$ROOT/bench/results}")
AP_VERSION=3.0

need_tools "apt-get install nghttp2-client ffmpeg jq curl iproute2" h2load ffmpeg jq curl ss python3
raise_fds 8192
build_jars "${H2_SKIP_BUILD:-0}"
make_work "${H2_JAR:-server/target/mjpeg-server.jar}"
mkdir -p "$OUT/logs"
if [ "$PROFILE" = 1 ]; then
  need_tools "" jcmd mvn unzip
  AP_JAR=$HOME/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar
  [ -f "$AP_JAR" ] || mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:$AP_VERSION >/dev/null
  (cd "$WORK" && unzip -q "$AP_JAR" 'linux-x64/*')
fi
make_clip "$WORK/clip.avi"
# The server as shipped: its JVM options (small serial heap, leak detector off) from the package's jvm.options.
JDK_JAVA_OPTIONS="$(grep -v '^#' server/src/deb/jvm.options | grep . | tr '\n' ' ')" \
  serve server /snapshot --file "$WORK/clip.avi"
SERVER=$LAST_PID
port=$LAST_PORT
frame=$(curl -s "http://127.0.0.1:$port/snapshot" | wc -c)

# profiler COMMAND : sends async-profiler COMMAND (start,... or stop,...) to the server, loading it the first time.
# jcmd splits an argument at commas unless it is quoted.
profiler() {
  jcmd "$SERVER" JVMTI.agent_load "$WORK/linux-x64/libasyncProfiler.so" "\"$1\"" | grep -q 'return code: 0' \
    || die "async-profiler: $1 failed; see $OUT/logs/${SCRIPT%.sh}-server.log"
}

# rejects REASON : the server's count of clients cut off for REASON so far (mjpeg_connection_rejects_total).
rejects() {
  curl -s --max-time 5 "http://127.0.0.1:$port/metrics" \
    | awk -v k="mjpeg_connection_rejects_total{reason=\"$1\"}" '$1 == k { printf "%d", $2 }'
}

# run LABEL REP H2LOAD-ARGS... : one measured run; prints one table row and appends "LABEL REP per fps" to $WORK/rows.
run() {
  local label=$1 rep=$2; shift 2
  log "== $label (rep $rep): h2load $*"
  local bound0 timeout0; bound0=$(rejects unsent_bound); timeout0=$(rejects client_timeout)
  local raw="$OUT/h2load-$label.txt"
  h2load -t "$CLIENT_THREADS" -D "$DURATION" --warm-up-time "$WARMUP" "$@" "http://127.0.0.1:$port/stream" >"$raw" 2>&1 &
  local h2=$!
  sleep "$WARMUP"
  if [ "$PROFILE" = 1 ]; then profiler "start,event=cpu,interval=997us"; fi
  local t0; t0=$(cpu_ticks "$SERVER")
  local s0; s0=$(date +%s.%N)
  sleep $((DURATION / 2))
  local state; state=$(curl -s --retry 3 --max-time 5 "http://127.0.0.1:$port/state" || echo '{"clients": []}')
  echo "$state" >"$OUT/logs/state-$label-$rep.json"
  local rss; rss=$(rss_mb "$SERVER")
  sleep $((DURATION - DURATION / 2))
  local t1; t1=$(cpu_ticks "$SERVER")
  local s1; s1=$(date +%s.%N)
  if [ "$PROFILE" = 1 ]; then profiler "stop,file=$OUT/h2load-$label-$rep.collapsed,collapsed"; fi
  wait "$h2" || true
  # Streams reset over the run, warm-up included: a reset stream is opened again by h2load, and shows in /state
  # as a new stream with no rate yet.
  local resets; resets="$(($(rejects unsent_bound) - bound0)) / $(($(rejects client_timeout) - timeout0))"
  local seconds; seconds=$(awk -v a="$s0" -v b="$s1" 'BEGIN { print b - a }')
  local cores; cores=$(cores_between "$t0" "$t1" "$seconds")
  # h2load: "traffic: 1.23GB (1320702976) total, ..." over the -D window.
  local bytes; bytes=$(sed -n 's/^traffic: [^(]*(\([0-9]*\)) total.*/\1/p' "$raw")
  [ -n "$bytes" ] || die "no traffic line in $raw"
  local gbit; gbit=$(awk -v b="$bytes" -v d="$DURATION" 'BEGIN { printf "%.2f", b * 8 / d / 1e9 }')
  local per; per=$(awk -v c="$cores" -v g="$gbit" 'BEGIN { printf "%.4f", c / g }')
  local streams; streams=$(jq '[.clients[]] | length' <<<"$state")
  local protocols; protocols=$(jq -r '[.clients[].protocol] | unique | join(",")' <<<"$state")
  local slowest; slowest=$(jq -r '[.clients[].fps] | sort | .[0] // 0' <<<"$state")
  local median; median=$(jq -r '[.clients[].fps] | sort | .[length / 2 | floor] // 0' <<<"$state")
  local conns; conns=$(jq '[.clients[].remote] | unique | length' <<<"$state")
  echo "$label $rep $per $slowest" >>"$WORK/rows"
  echo "| $label | $rep | $protocols | $conns | $streams | $slowest / $median | $resets | $gbit | $cores | $per | $rss |"
}

# Unmeasured first, so both protocols' paths are compiled before any window counts: in a fresh JVM the JIT took
# 35 to 50 % of the first window's CPU samples.
log "JIT warm-up: ${JIT_WARMUP:=10} s of h2, then of HTTP/1.1"
h2load -D "$JIT_WARMUP" -c 20 -m 50 "http://127.0.0.1:$port/stream" >"$OUT/logs/h2load-jit-h2.txt" 2>&1 || true
h2load -D "$JIT_WARMUP" --h1 -c 200 -m 1 "http://127.0.0.1:$port/stream" >"$OUT/logs/h2load-jit-h1.txt" 2>&1 || true
CASES=("h2-1000-over-20 -c 20 -m 50" "h2-1000-over-100 -c 100 -m 10" "h1-1000 --h1 -c 1000 -m 1")
# With H2_BIG_FRAMES=1, also 20 connections whose client allows 64 KiB frames, so a part is one DATA frame.
[ "${H2_BIG_FRAMES:-0}" = 1 ] && CASES=("h2-1000-over-20-f64k -c 20 -m 50 -f 64K" "${CASES[@]}")
{
  echo "h2load against our server, 720p30 MJPEG file passed through (frames of about $((frame / 1000)) KB), ${WARMUP} s warm-up,"
  echo "${DURATION} s measured, $REPS rep(s) in alternating order, \`$(h2load --version | head -1)\` with $CLIENT_THREADS thread(s), load average at start:"
  echo "$(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| run | rep | protocol | connections | streams | slowest / median stream fps | cut off: over the unsent bound / no progress | Gbit/s received | server cores | CPU s per Gbit | RSS MB |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for rep in $(seq 1 "$REPS"); do
    order=$(seq 0 $((${#CASES[@]} - 1)))
    [ $((rep % 2)) = 0 ] && order=$(seq $((${#CASES[@]} - 1)) -1 0)
    for i in $order; do
      # shellcheck disable=SC2086
      run ${CASES[$i]%% *} "$rep" ${CASES[$i]#* }
    done
  done
  echo
  echo "| case | CPU s per Gbit (median of reps) | × HTTP/1.1's, same reps | slowest stream fps (lowest of reps) |"
  echo "|---|---|---|---|"
  python3 - "$WORK/rows" <<'EOF'
import collections, statistics, sys
per, fps, h1 = collections.defaultdict(list), collections.defaultdict(list), {}
for line in open(sys.argv[1]):
    label, rep, p, f = line.split()
    per[label].append(float(p)); fps[label].append(float(f))
    if label.startswith('h1'):
        h1[rep] = float(p)
ratios = collections.defaultdict(list)
for line in open(sys.argv[1]):
    label, rep, p, _ = line.split()
    if rep in h1:
        ratios[label].append(float(p) / h1[rep])
for label in per:
    ratio = f"{statistics.median(ratios[label]):.2f}" if ratios[label] else "-"
    print(f"| {label} | {statistics.median(per[label]):.4f} | {ratio} | {min(fps[label]):.1f} |")
EOF
} | tee "$OUT/h2load.md"
if [ "$PROFILE" = 1 ]; then
  for f in "$OUT"/h2load-*-1.collapsed; do
    echo "== $f"
    python3 bench/top-frames.py "$f" 15
  done
fi
