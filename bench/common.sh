# What the benchmark scripts share; sourced first, not run. Sets bash's strict mode, moves to the repository's
# root (ROOT), and defines log and die (prefixed with the script's name), CLK_TCK and the functions below.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
SCRIPT=$(basename "$0")
CLK_TCK=$(getconf CLK_TCK)
log() { echo "$SCRIPT: $*" >&2; }
die() { echo "$SCRIPT: $*" >&2; exit 1; }

# utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat, counted after the name).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# Cores a process used between two cpu_ticks readings over SECONDS: cores_between T0 T1 SECONDS
cores_between() { awk -v a="$1" -v b="$2" -v hz="$CLK_TCK" -v s="$3" 'BEGIN { printf "%.4f", (b - a) / hz / s }'; }

# A port no socket uses, below the ephemeral range the clients' own ends take (32768 and up on Linux).
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 12000))
    [ -z "$(ss -Htan "( sport = :$p or dport = :$p )")" ] && { echo "$p"; return; }
  done
  die "no free port found"
}

# Waits (60 s at most) until process PID answers URL (https: any certificate) with 2xx; dies naming LOGFILE
# otherwise: wait_serving PID URL LOGFILE
wait_serving() {
  for _ in $(seq 1 600); do
    kill -0 "$1" 2>/dev/null || die "the server exited at start; see $3"
    curl -skf --max-time 2 -o /dev/null "$2" && return
    sleep 0.1
  done
  die "the server did not answer $2 within 60 s; see $3"
}

# Waits (60 s at most) until process PID sends over 1000 bytes of GET /stream on PORT within a second, so a frame
# is flowing; dies naming NAME and LOGFILE otherwise: wait_streaming NAME PID PORT LOGFILE
wait_streaming() {
  for _ in $(seq 1 600); do
    kill -0 "$2" 2>/dev/null || die "$1 exited at start; see $4"
    [ "$(curl -s --max-time 1 -o /dev/null -w '%{size_download}' "http://127.0.0.1:$3/stream" || true)" -gt 1000 ] && return
    sleep 0.1
  done
  die "$1 did not stream within 60 s; see $4"
}

# SIGTERM, then SIGKILL after 10 s: stop_pid PID
stop_pid() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# Dies naming the first TOOL not on the PATH and HINT (how to install it): need_tools HINT TOOL...
need_tools() {
  local hint=$1 t
  shift
  for t in "$@"; do command -v "$t" >/dev/null || die "$t is missing${hint:+ ($hint)}"; done
}

# Raises the open-files limit, which servers and clients inherit, to N when it is lower: raise_fds N
raise_fds() {
  [ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$1" ] || ulimit -n "$1" 2>/dev/null \
    || die "ulimit -n: cannot raise it to $1 (the hard limit is $(ulimit -Hn))"
}

# Builds every module's jar unless SKIP is 1: build_jars SKIP
build_jars() {
  [ "$1" = 1 ] && return
  log "building (mvn -B -q package -DskipTests)"
  mvn -B -q package -DskipTests
}

# Makes the scratch directory WORK, removed at exit after killing every process in PIDS, and copies FILES
# into it, so that a rebuild during the run cannot change what is measured: make_work FILE...
make_work() {
  WORK=$(mktemp -d -t "mjpeg-${SCRIPT%.sh}.XXXXXX")
  PIDS=()
  trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
  cp "$@" "$WORK/"
}

# The file source of the load runs: 10 s of MJPEG at -q:v 5 (about 46 KB a frame at 720p), which the server
# passes through: make_clip FILE [SIZE [FPS]]
make_clip() {
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=${2:-1280x720}:rate=${3:-30}" -t 10 -c:v mjpeg -q:v 5 \
    -pix_fmt yuvj420p "$1"
}

# 60 testsrc2 JPEGs at -q:v 5 in DIR/frames, which the C floor serves, and the same JPEGs as DIR/frames.mkv, which
# our server passes through. With BYTES (0: plain testsrc2), noise (ffmpeg's noise filter, as a noisy camera scene)
# is added at the strength whose JPEGs average closest to BYTES: make_frames DIR [SIZE [FPS [BYTES]]]
make_frames() {
  local vf=null
  [ "${4:-0}" -gt 0 ] && vf="noise=alls=$(noise_for "$1" "${2:-1280x720}" "$4"):allf=t"
  mkdir -p "$1/frames"
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=${2:-1280x720}:rate=${3:-30}" -vf "$vf" -frames:v 60 -q:v 5 \
    "$1/frames/frame_%03d.jpg"
  ffmpeg -v error -y -framerate "${3:-30}" -i "$1/frames/frame_%03d.jpg" -c copy "$1/frames.mkv"
}

# The noise strength (0 to 100, found by bisection on 10 frames) whose -q:v 5 testsrc2 JPEGs of SIZE average
# closest to BYTES; scratch in DIR: noise_for DIR SIZE BYTES
noise_for() {
  local lo=0 hi=100 mid avg
  mkdir -p "$1/probe"
  while [ $((hi - lo)) -gt 1 ]; do
    mid=$(((lo + hi) / 2))
    rm -f "$1"/probe/*.jpg
    ffmpeg -v error -y -f lavfi -i "testsrc2=size=$2:rate=30" -vf "noise=alls=$mid:allf=t" -frames:v 10 -q:v 5 \
      "$1/probe/p_%02d.jpg"
    avg=$(du -cb "$1"/probe/*.jpg | awk 'END { printf "%.0f", $1 / 10 }')
    if [ "$avg" -lt "$3" ]; then lo=$mid; else hi=$mid; fi
  done
  rm -rf "$1/probe"
  echo "$hi"
}

# Starts $WORK/mjpeg-server.jar on a free port without client limits, logging to $OUT/logs/SCRIPT-NAME.log,
# and waits until GET PATH answers 2xx; sets LAST_PID and LAST_PORT: serve NAME PATH ARGS...
serve() {
  local name=$1 path=$2 port logf
  shift 2
  port=$(free_port)
  logf="$OUT/logs/${SCRIPT%.sh}-$name.log"
  java -jar "$WORK/mjpeg-server.jar" --host 127.0.0.1 --port "$port" --max-clients 0 --max-connection-rate 0 "$@" \
    >"$logf" 2>&1 &
  LAST_PID=$!
  LAST_PORT=$port
  PIDS+=("$LAST_PID")
  wait_serving "$LAST_PID" "http://127.0.0.1:$port$path" "$logf"
}

# Runs $WORK/mjpeg-bench.jar with CLIENTS on URL (ramp 500/s, WARMUP, DURATION), its output in
# $OUT/logs/SCRIPT-LABEL.*; prints its table on stderr and its JSON line on stdout: load_client LABEL URL ARGS...
load_client() {
  local label=$1 url=$2 logs
  shift 2
  logs="$OUT/logs/${SCRIPT%.sh}-$label"
  java -Xmx1g -Dio.netty.leakDetection.level=disabled -jar "$WORK/mjpeg-bench.jar" --url "$url" --clients "$CLIENTS" \
    --ramp 500 --warmup "$WARMUP" --duration "$DURATION" --label "$label" "$@" >"$logs.client.txt" 2>"$logs.progress.log"
  head -n -1 "$logs.client.txt" >&2 || true
  tail -n 1 "$logs.client.txt"
}
