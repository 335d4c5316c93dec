#!/usr/bin/env bash
# TLS fan-out against plain HTTP/1.1 in the same run: our server passes a 720p30 MJPEG file through to N HTTP/1.1
# connections (h2load --h1 -c N -m 1, TLS 1.3 with TLS_AES_128_GCM_SHA256) four ways: plain http://, https:// with the
# JDK's TLS engine, https:// with Netty's OpenSSL engine (BoringSSL, the default), and Debian's nginx terminating
# TLS in front of our plain port (nginx's CPU counted with ours). Per run: CPU s per Gbit sent, its ratio to
# plain, the slowest and median client fps from /state mid-run, bytes sent against 30 fps of the clip's average part
# to every connection, and the load client's own CPU. Bytes are what our server wrote to its stream clients (its
# mjpeg_sent counter; for nginx, what it relayed), before TLS's 0.14 % of records' overhead. The limit is plain's CPU per Gbit plus the
# cipher's for the same bytes (openssl speed -evp aes-128-gcm on 16 KB records, one core); the target is 1.2 x it.
# TLS_PROFILE=1 also profiles our server over each measured window with async-profiler (attached with jcmd) and
# prints where its CPU goes.
# Writes bench/results/tls.md (and the raw outputs in bench/results/logs/).
# Knobs: TLS_CLIENTS=500 TLS_WARMUP=8 TLS_DURATION=10 TLS_REPS=1 TLS_RUNS="plain jdk openssl nginx" TLS_PROFILE=0
#        TLS_SKIP_BUILD=0 BENCH_OUT=bench/results; TLS_OTHER_JAR=JAR adds the run "other": OpenSSL from that jar, to
#        compare a change with the jar as built in the same run (TLS_RUNS="plain openssl other").
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
N=${TLS_CLIENTS:-500}
WARMUP=${TLS_WARMUP:-8}
DURATION=${TLS_DURATION:-10}
REPS=${TLS_REPS:-1}
PROFILE=${TLS_PROFILE:-0}
RUNS=${TLS_RUNS:-plain jdk openssl nginx}
OUT=${BENCH_OUT:-$ROOT/bench/results}
CIPHER=TLS_AES_128_GCM_SHA256
AP_VERSION=3.0

need_tools "apt-get install nghttp2-client nginx-light openssl ffmpeg jq curl iproute2" h2load nginx openssl ffmpeg jq curl ss
raise_fds $((4 * N + 4096))
build_jars "${TLS_SKIP_BUILD:-0}"
make_work server/target/mjpeg-server.jar
[ -z "${TLS_OTHER_JAR:-}" ] || cp "$TLS_OTHER_JAR" "$WORK/other.jar"
mkdir -p "$OUT/logs"
make_clip "$WORK/clip.avi"
frames=$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$WORK/clip.avi")
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
if [ "$PROFILE" = 1 ]; then
  AP_JAR=$HOME/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar
  [ -f "$AP_JAR" ] || mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:$AP_VERSION >/dev/null
  (cd "$WORK" && unzip -q "$AP_JAR" 'linux-x64/*')
fi

# The cipher's cost: CPU s per Gbit of AES-128-GCM on 16 KB records, from openssl speed's 1000s of bytes per second.
cipher_kbps=$(openssl speed -seconds 2 -bytes 16384 -evp aes-128-gcm 2>/dev/null | awk '/^AES-128-GCM/ { sub(/k$/, "", $NF); print $NF }')
[ -n "$cipher_kbps" ] || die "openssl speed printed no AES-128-GCM line"
cipher=$(awk -v k="$cipher_kbps" 'BEGIN { printf "%.4f", 1e9 / 8 / (k * 1000) }')

# Our plain server, which the plain and the nginx runs read; the TLS servers start for their own run.
serve plain /snapshot --file "$WORK/clip.avi"
PLAIN=$LAST_PID
PLAIN_PORT=$LAST_PORT
part=$(awk -v s="$(stat -c %s "$WORK/clip.avi")" -v n="$frames" 'BEGIN { printf "%d", s / n + 100 }')

# Bytes our server at BASE (its http(s)://host:port) has written to stream clients (mjpeg_sent in /metrics): sent_of BASE
sent_of() {
  local metrics
  for _ in 1 2 3; do
    metrics=$(curl -sk --max-time 10 "$1/metrics") && break
  done
  [ -n "$metrics" ] || die "no answer from $1/metrics"
  awk '/^mjpeg_sent_bytes_total/ { s += $2 } END { printf "%.0f", s }' <<<"$metrics"
}

# The sum of cpu_ticks over PIDS (processes that exited count 0): ticks_of PID...
ticks_of() {
  local t=0 p
  for p in "$@"; do t=$((t + $(cpu_ticks "$p" 2>/dev/null || echo 0))); done
  echo "$t"
}

# measure LABEL URL BASE PIDS...: h2load on URL while PIDS' CPU and the bytes our server at BASE sends (to the
# clients, or to nginx) are counted over the window; prints one table row.
measure() {
  local label=$1 url=$2 base=$3
  shift 3
  local raw="$OUT/logs/tls-$label.h2load.txt"
  log "== $label: h2load --h1 -c $N on $url"
  # 3 s of 100 connections first, so the JIT compiler's first work on this path falls outside the window.
  timeout 10 h2load --h1 -c 100 -m 1 -D 3 --warm-up-time 1 "$url" >/dev/null 2>&1 || true
  # h2load runs past the window and is stopped after it, whatever the profiler's attaching took.
  h2load --h1 -c "$N" -m 1 -D $((DURATION + 60)) --warm-up-time "$WARMUP" --tls13-ciphers="$CIPHER" "$url" >"$raw" 2>&1 &
  local h2=$!
  sleep "$WARMUP"
  local t0 c0 b0 s0 t1 c1 b1 s1 state
  [ "$PROFILE" = 1 ] && [ "$label" != nginx ] && profiler "$1" "start,event=cpu,interval=997us"
  t0=$(ticks_of "$@"); c0=$(ticks_of "$h2"); b0=$(sent_of "$base"); s0=$(date +%s.%N)
  sleep $((DURATION / 2))
  state=$(curl -sk --max-time 10 "$base/state" || true)
  sleep $((DURATION - DURATION / 2))
  t1=$(ticks_of "$@"); c1=$(ticks_of "$h2"); b1=$(sent_of "$base"); s1=$(date +%s.%N)
  [ "$PROFILE" = 1 ] && [ "$label" != nginx ] && profiler "$1" "stop,file=$OUT/logs/tls-$label.collapsed,collapsed"
  kill "$h2" 2>/dev/null || true
  wait "$h2" || true
  local seconds; seconds=$(awk -v a="$s0" -v b="$s1" 'BEGIN { print b - a }')
  local cores; cores=$(cores_between "$t0" "$t1" "$seconds")
  local client; client=$(cores_between "$c0" "$c1" "$seconds")
  local tls; tls=$(sed -n 's/^TLS Protocol: \(.*\)$/\1/p; s/^Cipher: \(.*\)$/\1/p' "$raw" | paste -sd' ')
  local gbit; gbit=$(awk -v b=$((b1 - b0)) -v s="$seconds" 'BEGIN { printf "%.3f", b * 8 / s / 1e9 }')
  local per; per=$(awk -v c="$cores" -v g="$gbit" 'BEGIN { printf "%.4f", (g > 0) ? c / g : 0 }')
  local delivered; delivered=$(awk -v b=$((b1 - b0)) -v n="$N" -v p="$part" -v s="$seconds" 'BEGIN { printf "%.1f", 100 * b / (n * 30 * p * s) }')
  local fps; fps=$(jq -r '[.clients[].fps] | sort | "\(.[0]) / \(.[length / 2 | floor])"' <<<"$state" 2>/dev/null || echo "? / ?")
  echo "$label|${tls:-none}|$gbit|$cores|$per|$delivered|$fps|$client"
}

# Runs an async-profiler command in the JVM PID: profiler PID COMMAND
profiler() {
  # Quoted for jcmd, which would otherwise read the command's first "=" as one of its own options.
  jcmd "$1" JVMTI.agent_load "$WORK/linux-x64/libasyncProfiler.so" "\"$2\"" | grep -q "return code: 0" \
    || die "async-profiler's $2 failed in $1 (see its log)"
}

# tls_server LABEL JAVA-OPTIONS...: starts a TLS server from $WORK/mjpeg-server.jar, or from $WORK/other.jar for
# the label other; sets LAST_PID and LAST_PORT.
tls_server() {
  local label=$1 port logf jar=$WORK/mjpeg-server.jar
  shift
  [ "$label" = other ] && jar=$WORK/other.jar
  port=$(free_port)
  logf="$OUT/logs/tls-$label.log"
  java "$@" -jar "$jar" --host 127.0.0.1 --port "$port" --max-clients 0 \
    --max-connection-rate 0 --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem" --file "$WORK/clip.avi" >"$logf" 2>&1 &
  LAST_PID=$!
  LAST_PORT=$port
  PIDS+=("$LAST_PID")
  wait_serving "$LAST_PID" "https://127.0.0.1:$port/snapshot" "$logf"
}

run_tls() {
  local label=$1
  shift
  tls_server "$label" "$@"
  local pid=$LAST_PID port=$LAST_PORT
  measure "$label" "https://127.0.0.1:$port/stream" "https://127.0.0.1:$port" "$pid" | sed "s/^/$rep/"
  stop_pid "$pid"
}

run_nginx() {
  local port; port=$(free_port)
  local conf="$WORK/nginx.conf"
  mkdir -p "$WORK/nginx"
  cat >"$conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections $((4 * N)); }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {
      proxy_pass http://127.0.0.1:$PLAIN_PORT;
      proxy_http_version 1.1;
      proxy_buffering off;
      # Reads of up to 64 KB from our server (whole parts), so nginx writes whole records: its best case.
      proxy_buffer_size 64k;
      proxy_buffers 4 64k;
      proxy_busy_buffers_size 128k;
    }
  }
}
EOF
  nginx -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$conf" -g 'daemon off;' >"$OUT/logs/tls-nginx.log" 2>&1 &
  local master=$!
  PIDS+=("$master")
  wait_serving "$master" "https://127.0.0.1:$port/snapshot" "$OUT/logs/tls-nginx.log"
  local workers; workers=$(pgrep -P "$master" | paste -sd' ')
  [ -n "$workers" ] || die "nginx did not start; see $OUT/logs/tls-nginx.log and $WORK/nginx/error.log"
  # shellcheck disable=SC2086
  measure nginx "https://127.0.0.1:$port/stream" "http://127.0.0.1:$PLAIN_PORT" "$PLAIN" "$master" $workers \
    | sed "s/^/$rep/"
  stop_pid "$master"
}

rows="$WORK/rows"
# Netty deletes the native library it unpacked once loaded, and the profiler then cannot name its functions.
deleted=()
[ "$PROFILE" = 1 ] && deleted=(-Dio.netty.native.deleteLibAfterLoading=false)
for rep in $(seq 1 "$REPS"); do
  rep="$rep|"
  for run in $RUNS; do
    case $run in
      plain) measure plain "http://127.0.0.1:$PLAIN_PORT/stream" "http://127.0.0.1:$PLAIN_PORT" "$PLAIN" | sed "s/^/$rep/" ;;
      jdk) run_tls jdk -Dio.netty.handler.ssl.noOpenSsl=true ;;
      openssl) run_tls openssl "${deleted[@]}" ;;
      other) [ -f "$WORK/other.jar" ] || die "TLS_RUNS: other needs TLS_OTHER_JAR"; run_tls other "${deleted[@]}" ;;
      nginx) run_nginx ;;
      *) die "TLS_RUNS: unknown run $run (expected: plain, jdk, openssl, other, nginx)" ;;
    esac >>"$rows"
  done
done

{
  echo "$N HTTP/1.1 connections (h2load --h1 -c $N -m 1, \`$(h2load --version | head -1)\`, $(nginx -v 2>&1 | sed 's/^nginx version: //'),"
  echo "$(openssl version | cut -d' ' -f1-2)) on a 720p30 MJPEG file passed through (parts of about $((part / 1000)) KB), ${WARMUP} s warm-up,"
  echo "${DURATION} s measured, $REPS rep(s); load average at start: $(cut -d' ' -f1-3 /proc/loadavg). AES-128-GCM on 16 KB records:"
  echo "$(awk -v k="$cipher_kbps" 'BEGIN { printf "%.2f", k / 1e6 }') GB/s on one core, $cipher CPU s per Gbit."
  echo
  echo "| rep | run | TLS | Gbit/s sent | server cores | CPU s per Gbit | x plain | limit (plain + cipher) | x limit | delivered % | slowest / median fps | h2load cores |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  awk -F'|' -v cipher="$cipher" '
    $2 == "plain" { plain[$1] = $6 }
    { lines[NR] = $0 }
    END {
      for (i = 1; i <= NR; i++) {
        split(lines[i], f, "|")
        p = plain[f[1]]; limit = p + cipher
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3], f[4], f[5], f[6],
          (p > 0) ? sprintf("%.2f", f[6] / p) : "-", (p > 0) ? sprintf("%.4f", limit) : "-",
          (p > 0) ? sprintf("%.2f", f[6] / limit) : "-", f[7], f[8], f[9]
      }
    }' "$rows"
  echo
  echo "Target: TLS with the default engine at most 1.2 x the limit, and under nginx's CPU per Gbit."
} | tee "$OUT/tls.md"

if [ "$PROFILE" = 1 ]; then
  for label in $RUNS; do
    [ -f "$OUT/logs/tls-$label.collapsed" ] || continue
    echo
    echo "Profile of our server, $label, over the window:"
    python3 - "$OUT/logs/tls-$label.collapsed" <<'EOF'
import collections, re, sys
inclusive = {
    "SslHandler.wrap (encrypting), inclusive": re.compile(r"SslHandler\.wrap\b|SslHandler\.wrapAndFlush"),
    "the cipher (AES-GCM, GHASH), inclusive": re.compile(r"aes_gcm|gcm_|aesni|GHASH|CounterMode|aescrypt|AESCrypt|GaloisCounterMode|ghash"),
    "the send syscall (writev/send), inclusive": re.compile(r"^(writev|send|__libc_writev|__send)$|writevAddresses|sendAddress"),
}
copies = re.compile(r"memmove|memcpy|arraycopy|copyMemory")
jit = re.compile(r"CompileBroker|C2Compiler|GCTaskThread|VM_Thread|SerialHeap|G1")
total = own_threads = copied = 0
inc = collections.Counter()
own = collections.Counter()
for line in open(sys.argv[1]):
    stack, n = line.rstrip().rsplit(" ", 1)
    n = int(n); total += n
    frames = stack.split(";")
    if any(jit.search(f) for f in frames):
        continue
    own_threads += n
    own[frames[-1]] += n
    copied += n if copies.search(frames[-1]) else 0
    for name, pat in inclusive.items():
        if any(pat.search(f) for f in frames):
            inc[name] += n
print(f"  {total} samples, {100 * (total - own_threads) / max(total, 1):.1f} % of them the JIT compiler's and GC's;"
      " shares of the rest:")
for name in inclusive:
    print(f"  {100 * inc[name] / max(own_threads, 1):5.1f} %  {name}")
print(f"  {100 * copied / max(own_threads, 1):5.1f} %  copies (memmove, memcpy, arraycopy), self")
print("  top frames (self):")
for frame, n in own.most_common(12):
    print(f"  {100 * n / max(own_threads, 1):5.1f} %    {frame}")
EOF
  done | tee -a "$OUT/tls.md"
fi
