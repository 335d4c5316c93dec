#!/usr/bin/env bash
# The benchmark matrix of BENCHMARKS.md on this machine: the server on the test pattern and on an MJPEG file
# (passed through) at each size, loaded by bench/target/mjpeg-bench.jar at each client count, with its CPU and RSS
# from /proc over the window and its idle CPU before; iperf3 over loopback (-R, -P min(clients,128)) with the
# sender's CPU, the physical limit; the JMH microbenchmarks. Writes bench/results/ (runs.jsonl, iperf3.jsonl,
# jmh.json, summary.csv, summary.md, machine.txt and the charts). Run it on a quiet machine.
#   bench/run.sh                  the full matrix (about 25 minutes on 2 cores)
#   BENCH_QUICK=1 bench/run.sh    a smoke run: clients 1 10 100, 2 s warm-up, 5 s windows, short JMH
#   bench/run.sh --floor          (or BENCH_FLOOR=1) bench/floor.sh instead: ours beside the C floor
# Knobs (environment): BENCH_CLIENTS="1 10 100 300 1000 3000"  BENCH_SIZES="1280x720 1920x1080"
#   BENCH_SOURCES="pattern file"  BENCH_FPS=30  BENCH_WARMUP=5  BENCH_DURATION=20  BENCH_IDLE=5  BENCH_RAMP=500
#   BENCH_IPERF=1  BENCH_JMH=1  BENCH_JMH_ARGS=""  BENCH_SKIP_BUILD=0  BENCH_OUT=bench/results
#   BENCH_SERVER_JAVA_OPTS=""  BENCH_SERVER_ARGS=""  BENCH_CLIENT_JAVA_OPTS="-Xmx1g"  BENCH_HTTP10=0
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
if [ "${1:-}" = --floor ] || [ "${BENCH_FLOOR:-0}" = 1 ]; then
  exec bench/floor.sh
fi
[ $# -eq 0 ] || { echo "run.sh: unknown argument '$1' (expected: none, or --floor)" >&2; exit 2; }

QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
  DEF_CLIENTS="1 10 100"; DEF_WARMUP=2; DEF_DURATION=5; DEF_IDLE=3; DEF_JMH_ARGS="-f 1 -wi 1 -i 2 -w 1 -r 1"
else
  DEF_CLIENTS="1 10 100 300 1000 3000"; DEF_WARMUP=5; DEF_DURATION=20; DEF_IDLE=5; DEF_JMH_ARGS=""
fi
CLIENTS=$(echo "${BENCH_CLIENTS:-$DEF_CLIENTS}" | tr ',' ' ')
SIZES=$(echo "${BENCH_SIZES:-1280x720 1920x1080}" | tr ',' ' ')
SOURCES=$(echo "${BENCH_SOURCES:-pattern file}" | tr ',' ' ')
FPS=${BENCH_FPS:-30}
WARMUP=${BENCH_WARMUP:-$DEF_WARMUP}
DURATION=${BENCH_DURATION:-$DEF_DURATION}
IDLE=${BENCH_IDLE:-$DEF_IDLE}
RAMP=${BENCH_RAMP:-500}
DO_IPERF=${BENCH_IPERF:-1}
DO_JMH=${BENCH_JMH:-1}
JMH_ARGS=${BENCH_JMH_ARGS:-$DEF_JMH_ARGS}
SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
OUT=${BENCH_OUT:-$ROOT/bench/results}
SERVER_JAVA_OPTS=${BENCH_SERVER_JAVA_OPTS:-}
SERVER_ARGS=${BENCH_SERVER_ARGS:-}
CLIENT_JAVA_OPTS=${BENCH_CLIENT_JAVA_OPTS:--Xmx1g}
HTTP10=${BENCH_HTTP10:-0}

for n in $CLIENTS; do
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 20000 ] || die "BENCH_CLIENTS: '$n' (expected: counts from 1 to 20000)"
done
for v in "$WARMUP" "$DURATION" "$IDLE" "$RAMP" "$FPS"; do
  [[ "$v" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "BENCH_WARMUP/DURATION/IDLE/RAMP/FPS: '$v' (expected: a number)"
done
MAX_CLIENTS=$(printf '%s\n' $CLIENTS | sort -n | tail -1)

# --- tools -------------------------------------------------------------------------------------------------
need=()
command -v iperf3  >/dev/null 2>&1 || need+=(iperf3)
command -v gnuplot >/dev/null 2>&1 || need+=(gnuplot-nox)
command -v ffmpeg  >/dev/null 2>&1 || need+=(ffmpeg)
command -v jq      >/dev/null 2>&1 || need+=(jq)
command -v curl    >/dev/null 2>&1 || need+=(curl)
command -v ss      >/dev/null 2>&1 || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing ${need[*]} with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Every connection is a descriptor, in the client and in the server (both inherit this limit).
want_fds=$((MAX_CLIENTS + 4096))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want_fds" ]; then
  hard=$(ulimit -Hn)
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$want_fds" ]; then
    die "ulimit -n: hard limit $hard is below the $want_fds that $MAX_CLIENTS clients need; raise it (limits.conf) or lower BENCH_CLIENTS"
  fi
  ulimit -n "$want_fds"
fi

# --- build, once -------------------------------------------------------------------------------------------
if [ "$SKIP_BUILD" != 1 ]; then
  log "building (mvn -B -q install -DskipTests)"
  mvn -B -q install -DskipTests
  if [ "$DO_JMH" = 1 ]; then
    log "building the JMH benchmarks (-Pjmh)"
    mvn -B -q -Pjmh -pl bench test-compile || { log "JMH build failed: continuing without JMH"; DO_JMH=0; }
  fi
fi
[ -f server/target/mjpeg-server.jar ] || die "server/target/mjpeg-server.jar missing: build first (or unset BENCH_SKIP_BUILD)"
[ -f bench/target/mjpeg-bench.jar ] || die "bench/target/mjpeg-bench.jar missing: build first (or unset BENCH_SKIP_BUILD)"

# The jars are copied so that a rebuild during the run cannot change what is measured.
WORK=$(mktemp -d -t mjpeg-bench.XXXXXX)
cp server/target/mjpeg-server.jar bench/target/mjpeg-bench.jar "$WORK/"
# The server turns clients away past --max-clients (default 1000); the matrix goes beyond it on purpose.
if java -jar "$WORK/mjpeg-server.jar" --help 2>&1 | grep -q -- '--max-clients'; then
  SERVER_ARGS="--max-clients 0 --max-connection-rate 0 $SERVER_ARGS"
fi
SERVER_PID=""
IPERF_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -n "$IPERF_PID" ] && kill "$IPERF_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$OUT"
rm -rf "$OUT/logs"
rm -f "$OUT"/runs.jsonl "$OUT"/iperf3.jsonl "$OUT"/jmh.json "$OUT"/jmh.txt "$OUT"/summary.* "$OUT"/*.dat "$OUT"/*.png
mkdir -p "$OUT/logs"

# --- the machine -------------------------------------------------------------------------------------------
{
  echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "commit:   $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- capture server bench pom.xml 2>/dev/null || echo ' (working tree differs from it)')"
  echo "cpu:      $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory:   $(free -m | awk '/^Mem:/ {print $2 " MiB"}')"
  echo "kernel:   $(uname -srm)"
  echo "os:       $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
  echo "jdk:      $(java -version 2>&1 | head -2 | tail -1)"
  echo "iperf3:   $(iperf3 --version | head -1)"
  echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min averages at start)"
  echo "ulimit -n: $(ulimit -n)"
  echo "matrix:   sources [$SOURCES] sizes [$SIZES] fps $FPS clients [$CLIENTS] warm-up ${WARMUP}s window ${DURATION}s idle ${IDLE}s ramp ${RAMP}/s http10=$HTTP10"
  echo "server:   java ${SERVER_JAVA_OPTS:-(default JVM options)} -jar mjpeg-server.jar SOURCE --port 0 --host 127.0.0.1 $SERVER_ARGS"
  echo "client:   java $CLIENT_JAVA_OPTS -jar mjpeg-bench.jar --clients N --ramp $RAMP --warmup $WARMUP --duration $DURATION"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" >&2
load1=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }'; then
  log "WARNING: load average $load1 before the run: the machine is not quiet, the figures will be distorted"
fi

# --- helpers -----------------------------------------------------------------------------------------------
# Starts the server in the background (SERVER_PID), finds its port (SERVER_PORT), waits until it serves.
start_server() {
  local source=$1 size=$2 logfile=$3 args
  if [ "$source" = pattern ]; then
    args=(--test-pattern --size "$size" --fps "$FPS")
  else
    args=(--file "$WORK/clip-$size.avi" --fps "$FPS")
  fi
  # shellcheck disable=SC2086
  java $SERVER_JAVA_OPTS -jar "$WORK/mjpeg-server.jar" "${args[@]}" --port 0 --host 127.0.0.1 $SERVER_ARGS >"$logfile" 2>&1 &
  SERVER_PID=$!
  SERVER_PORT=""
  for _ in $(seq 1 600); do
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited at start; see $logfile"
    if [ -z "$SERVER_PORT" ]; then
      SERVER_PORT=$(ss -Hltnp | awk -v pid="pid=$SERVER_PID," 'index($0, pid) { n = split($4, a, ":"); print a[n]; exit }')
    fi
    if [ -n "$SERVER_PORT" ] && curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$SERVER_PORT/snapshot"; then
      return
    fi
    sleep 0.1
  done
  die "the server did not serve a snapshot within 60 s; see $logfile"
}

stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=""
}

# --- the clips for the file source -------------------------------------------------------------------------
for size in $SIZES; do
  if [[ " $SOURCES " == *" file "* ]]; then
    make_clip "$WORK/clip-$size.avi" "$size" "$FPS"
  fi
done

# --- the load runs -----------------------------------------------------------------------------------------
http_flag=(); [ "$HTTP10" = 1 ] && http_flag=(--http10)
for source in $SOURCES; do
  for size in $SIZES; do
    for n in $CLIENTS; do
      name="$source-$size-$n"
      log "== $source $size, $n clients"
      start_server "$source" "$size" "$OUT/logs/$name.server.log"
      # The server's own cost with the source running and nobody watching (capture, encoding).
      t0=$(cpu_ticks "$SERVER_PID"); sleep "$IDLE"; t1=$(cpu_ticks "$SERVER_PID")
      idle_cores=$(cores_between "$t0" "$t1" "$IDLE")
      # shellcheck disable=SC2086
      java $CLIENT_JAVA_OPTS -Dio.netty.leakDetection.level=disabled -jar "$WORK/mjpeg-bench.jar" \
        --url "http://127.0.0.1:$SERVER_PORT/stream" --clients "$n" --ramp "$RAMP" --warmup "$WARMUP" \
        --duration "$DURATION" --server-pid "$SERVER_PID" --progress 2 --label "$source $size" "${http_flag[@]}" \
        >"$OUT/logs/$name.client.txt" 2>"$OUT/logs/$name.progress.log" || log "the load client failed (status $?); see $OUT/logs/$name.*"
      tail -n 1 "$OUT/logs/$name.client.txt" | jq -c --arg source "$source" --arg size "$size" --argjson fps "$FPS" \
        --argjson idle "$idle_cores" '. + {source: $source, size: $size, target_fps: $fps, server_idle_cores: $idle}' \
        >>"$OUT/runs.jsonl" || log "no JSON line from the load client for $name"
      head -n -1 "$OUT/logs/$name.client.txt" >&2 || true
      stop_server
    done
  done
done

# --- the physical limit: iperf3 over loopback --------------------------------------------------------------
if [ "$DO_IPERF" = 1 ]; then
  # One iperf3 server for every count: it lives across the tests, so its CPU can be read before and after each.
  port=$(free_port)
  iperf3 -s -B 127.0.0.1 -p "$port" >"$OUT/logs/iperf3.server.log" 2>&1 &
  IPERF_PID=$!
  for _ in $(seq 1 50); do
    [ -n "$(ss -Hltn "sport = :$port")" ] && break
    sleep 0.1
  done
  for n in $CLIENTS; do
    streams=$(( n < 128 ? n : 128 ))
    log "== iperf3 -P $streams (for $n clients)"
    kill -0 "$IPERF_PID" 2>/dev/null || die "the iperf3 server exited; see $OUT/logs/iperf3.server.log"
    t0=$(cpu_ticks "$IPERF_PID")
    # -R: the iperf3 server sends and its client receives, as with our server and the load client.
    if iperf3 -c 127.0.0.1 -p "$port" -P "$streams" -t "$DURATION" -R -J >"$OUT/logs/iperf3-$n.json"; then
      t1=$(cpu_ticks "$IPERF_PID")
      jq -c --argjson clients "$n" --argjson streams "$streams" --argjson ticks "$((t1 - t0))" --argjson hz "$CLK_TCK" '
        .end.sum_received as $r
        | ($r.bytes * 8 / 1e9) as $gbit
        | {clients: $clients, streams: $streams, seconds: $r.seconds, gbit_per_s: ($gbit / $r.seconds),
           sender_cpu_s: ($ticks / $hz), sender_cpu_s_per_gbit: (($ticks / $hz) / $gbit),
           iperf3_sender_cpu_pct: .end.cpu_utilization_percent.remote_total}' \
        "$OUT/logs/iperf3-$n.json" >>"$OUT/iperf3.jsonl" || log "no iperf3 result for $n clients"
    else
      log "iperf3 failed for $n clients; see $OUT/logs/iperf3-$n.json"
    fi
    sleep 1 # let the server settle between tests
  done
  kill "$IPERF_PID" 2>/dev/null || true
  wait "$IPERF_PID" 2>/dev/null || true
  IPERF_PID=""
fi

# --- JMH ---------------------------------------------------------------------------------------------------
if [ "$DO_JMH" = 1 ]; then
  log "== JMH microbenchmarks"
  # shellcheck disable=SC2086
  bench/jmh.sh $JMH_ARGS -rf json -rff "$OUT/jmh.json" >"$OUT/jmh.txt" 2>&1 \
    || log "JMH failed; see $OUT/jmh.txt"
fi

# --- summaries and charts ----------------------------------------------------------------------------------
bench/summarize.sh "$OUT"
log "done: results in $OUT"
