#!/usr/bin/env bash
# Variants and walls (docs/variants.md) on this machine, in one run, each figure beside its target:
#   1. a 1920x1080 30 fps MJPEG file passed through (feed src) and the same file turned 90 degrees (feed rot,
#      on demand, so it costs nothing until watched); VARIANTS_CLIENTS clients read by bench/mjpeg-load.c, spread
#      evenly over ?width=640, ?width=320, ?quality=50 and the rotated feed, beside VARIANTS_REF_CLIENTS on the
#      source itself: the server's CPU, each group's rate (min / median) and latency (receive time minus
#      X-Timestamp, which a derived frame takes from its source frame), and the derive latency from /metrics;
#   2. the fan-out alone: as many clients on the source itself, no variant;
#   3. baseline (a), one encoder per client as re-encoding NVRs run them: one ffmpeg per kind reading the
#      source's stream and doing the same scale (or rotation) and encode; CPU per frame of each;
#   4. ours per variant frame: one client per kind in turn, the CPU of the server's derive threads over the
#      frames they made; baseline (b): ffmpeg doing the same on the same file once (-threads 1);
#   5. a wall of 9 feeds at 1280x720 (the same 720p30 file passed through 9 times), /wall read by
#      VARIANTS_WALL_CLIENTS clients, against the same 9 feeds with no wall watched.
# Writes bench/results/variants/ (variants.md, the table; results.jsonl, one line per phase; machine.txt; logs/).
# The machine's load average is printed beside the figures: run it on a quiet machine.
#   bench/variants.sh                       about 6 minutes on 2 cores
# Knobs (environment): VARIANTS_CLIENTS=200 VARIANTS_REF_CLIENTS=10 VARIANTS_FFMPEG_PER_KIND=1
#   VARIANTS_WALL_CLIENTS=3 VARIANTS_WARMUP=5 VARIANTS_DURATION=20 (the load windows, seconds)
#   VARIANTS_COST_WINDOW=10 (the idle and per-variant windows) VARIANTS_FFMPEG_Q80=3 VARIANTS_FFMPEG_Q50=7
#   (ffmpeg's -q:v giving about the bytes of our quality 80 and 50) VARIANTS_SKIP_BUILD=0 (1: the jar as it is)
#   VARIANTS_OUT=bench/results/variants
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
need_tools "apt-get install ffmpeg gcc curl jq python3 iproute2" ffmpeg cc curl jq python3 ss
CLIENTS=${VARIANTS_CLIENTS:-200}
REF_CLIENTS=${VARIANTS_REF_CLIENTS:-10}
FF_PER_KIND=${VARIANTS_FFMPEG_PER_KIND:-1}
WALL_CLIENTS=${VARIANTS_WALL_CLIENTS:-3}
WARMUP=${VARIANTS_WARMUP:-5}
DURATION=${VARIANTS_DURATION:-20}
COST=${VARIANTS_COST_WINDOW:-10}
Q80=${VARIANTS_FFMPEG_Q80:-3}
Q50=${VARIANTS_FFMPEG_Q50:-7}
OUT=${VARIANTS_OUT:-$ROOT/bench/results/variants}
FPS=30
for v in CLIENTS REF_CLIENTS FF_PER_KIND WALL_CLIENTS WARMUP DURATION COST Q80 Q50; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { log "VARIANTS_$v: '${!v}' (expected: a whole number)"; exit 2; }
done
[ "$CLIENTS" -ge 4 ] && [ $((CLIENTS % 4)) = 0 ] && [ "$CLIENTS" -le 20000 ] \
  || { log "VARIANTS_CLIENTS: '$CLIENTS' (expected: a multiple of 4, from 4 to 20000)"; exit 2; }
[ "$DURATION" -ge 8 ] && [ "$COST" -ge 3 ] && [ "$FF_PER_KIND" -ge 1 ] && [ "$WALL_CLIENTS" -ge 1 ] \
  || { log "VARIANTS_DURATION >= 8, VARIANTS_COST_WINDOW >= 3, VARIANTS_FFMPEG_PER_KIND and VARIANTS_WALL_CLIENTS >= 1 expected"; exit 2; }
raise_fds $((CLIENTS + REF_CLIENTS + 4096))

if [ "${VARIANTS_SKIP_BUILD:-0}" != 1 ]; then
  log "building the server (mvn -B -q -o -pl server -am package -DskipTests)"
  mvn -B -q -o -pl server -am package -DskipTests
fi
[ -f server/target/mjpeg-server.jar ] || die "server/target/mjpeg-server.jar missing: build first"
mkdir -p "$OUT/logs"
rm -f "$OUT"/results.jsonl "$OUT"/variants.md "$OUT"/logs/*
make_work server/target/mjpeg-server.jar
cc -O2 -Wall -std=gnu11 -o "$WORK/mjpeg-load" bench/mjpeg-load.c
log "making the clips (10 s of testsrc2 at -q:v 5, 1080p30 and 720p30)"
make_clip "$WORK/clip1080.avi" 1920x1080 "$FPS"
make_clip "$WORK/clip720.avi" 1280x720 "$FPS"
RESULTS=$OUT/results.jsonl

{
  echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "commit:   $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- capture server bench pom.xml 2>/dev/null || echo ' (working tree differs from it)')"
  echo "cpu:      $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "kernel:   $(uname -srm)"
  echo "jdk:      $(java -version 2>&1 | head -2 | tail -1)"
  echo "ffmpeg:   $(ffmpeg -version | head -1)"
  echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (at start)"
  echo "run:      clients $CLIENTS (+$REF_CLIENTS on the source) warm-up ${WARMUP}s window ${DURATION}s cost window ${COST}s ffmpeg per kind $FF_PER_KIND -q:v $Q80 (q80) / $Q50 (q50) wall clients $WALL_CLIENTS"
} >"$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

# The variant kinds: name, our path on the config's feeds, ffmpeg's filter and -q:v for the same output.
KINDS=(w640 w320 q50 rot90)
declare -A PATH_OF=([w640]='/cam/src/stream?width=640' [w320]='/cam/src/stream?width=320'
  [q50]='/cam/src/stream?quality=50' [rot90]='/cam/rot/stream' [source]='/cam/src/stream')
declare -A VF_OF=([w640]='scale=640:-2' [w320]='scale=320:-2' [q50]='null' [rot90]='transpose=1')
declare -A QV_OF=([w640]=$Q80 [w320]=$Q80 [q50]=$Q50 [rot90]=$Q80)

load1() { cut -d' ' -f1 /proc/loadavg; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# Waits (60 s at most) until N connections to PORT are established, so every load client is connected:
# wait_connected PORT N
wait_connected() {
  for _ in $(seq 1 600); do
    [ "$(ss -Htn state established "( sport = :$1 )" | wc -l)" -ge "$2" ] && return
    sleep 0.1
  done
  log "fewer than $2 connections to port $1 after 60 s; measuring anyway"
}

# The figures of feed src's variants in /state, as a JSON array: variant_figures PORT
variant_figures() {
  curl -sf --max-time 10 "http://127.0.0.1:$1/state" \
    | jq -c '[.feeds[] | select(.name == "src") | .variants[] | {name, streams, framesIn, framesOut, framesDropped}]'
}

# CPU ticks of the threads of PID whose name starts with derive- (variants, transforms, walls): derive_ticks PID
derive_ticks() {
  cat /proc/"$1"/task/*/stat 2>/dev/null | awk '$2 ~ /^\(derive-/ { s += $14 + $15 } END { print s + 0 }'
}

# The frames feed src's variants made so far, all together, and those of feed rot: derived_frames PORT
derived_frames() {
  curl -sf --max-time 5 "http://127.0.0.1:$1/state" \
    | jq '[(.feeds[] | select(.name == "src") | [.variants[].framesOut] | add // 0),
           (.feeds[] | select(.name == "rot") | .ring.published)] | add'
}

# p50 and p99 of mjpeg_derive_latency_seconds{feed=FEED} between two /metrics scrapes, linear within a bucket,
# as a JSON object: derive_latency BEFORE AFTER FEED
cat >"$WORK/hist.py" <<'EOF'
import json, re, sys
def buckets(path, feed):
    b = {}
    for line in open(path):
        m = re.match(r'mjpeg_derive_latency_seconds_bucket\{feed="([^"]*)",le="([^"]*)"\} (\S+)', line)
        if m and m.group(1) == feed:
            b[float(m.group(2))] = float(m.group(3))
    return b
a, b = buckets(sys.argv[1], sys.argv[3]), buckets(sys.argv[2], sys.argv[3])
les = sorted(b)
d = [(le, b[le] - a.get(le, 0)) for le in les]
total = d[-1][1] if d else 0
def q(p):
    if total <= 0: return None
    want, lo, below = p * total, 0.0, 0.0
    for le, c in d:
        if c >= want:
            if le == float('inf'): return None
            return round((lo + (le - lo) * (want - below) / max(c - below, 1e-9)) * 1000, 1)
        lo, below = le, c
    return None
print(json.dumps({"count": int(total), "p50_ms": q(0.5), "p99_ms": q(0.99)}))
EOF
derive_latency() { python3 "$WORK/hist.py" "$@"; }
scrape() { curl -sf --max-time 5 "http://127.0.0.1:$1/metrics" >"$2"; }

# Starts mjpeg-load in the background on PATH of PORT with N clients, its JSON line in $OUT/NAME.json; appends its
# pid to LOADS: load_start NAME PORT PATH N [ARGS...]
LOADS=()
load_start() {
  local name=$1 port=$2 path=$3 n=$4
  shift 4
  "$WORK/mjpeg-load" --port "$port" --path "$path" --clients "$n" --fps "$FPS" \
    --warmup "$WARMUP" --duration "$DURATION" --label "$name" "$@" >"$OUT/$name.json" 2>"$OUT/logs/$name.load.log" &
  LOADS+=($!)
  PIDS+=($!)
}
load_wait() {
  local p
  for p in "${LOADS[@]}"; do wait "$p" || log "a load client ended with status $? (see $OUT/logs)"; done
  LOADS=()
}

# --- the 1080p server: src passed through, rot the same file turned 90 degrees, opened while watched -----------
cat >"$WORK/variants.yaml" <<EOF
feeds:
  src: { file: $WORK/clip1080.avi }
  rot: { file: $WORK/clip1080.avi, rotate: 90, on-demand: true, idle-grace: 1 }
EOF
serve variants /cam/src/snapshot --config "$WORK/variants.yaml"
SPID=$LAST_PID
SPORT=$LAST_PORT
sleep 3

log "== idle: the source alone, ${COST}s"
t0=$(cpu_ticks "$SPID"); sleep "$COST"; t1=$(cpu_ticks "$SPID")
jq -nc --arg load "$(load1)" --argjson cores "$(cores_between "$t0" "$t1" "$COST")" \
  '{phase: "idle", server_cores: $cores, load: $load}' >>"$RESULTS"

log "== fan-out: $CLIENTS clients on the source itself"
load_start fanout "$SPORT" "${PATH_OF[source]}" "$CLIENTS" --server-pid "$SPID"
load_wait
jq -c --arg load "$(load1)" '{phase: "fanout", load: $load} + .' "$OUT/fanout.json" >>"$RESULTS"

log "== baseline (a): one ffmpeg per client, $FF_PER_KIND per kind, reading the source's stream"
FFS=() # kind:n:pid
for k in "${KINDS[@]}"; do
  for n in $(seq 1 "$FF_PER_KIND"); do
    ffmpeg -nostdin -v error -reconnect 1 -reconnect_streamed 1 -reconnect_at_eof 1 -reconnect_delay_max 2 \
      -i "http://127.0.0.1:$SPORT${PATH_OF[source]}" -vf "${VF_OF[$k]}" -sws_flags area \
      -c:v mjpeg -q:v "${QV_OF[$k]}" -t $((WARMUP + DURATION + 30)) -progress "$WORK/ff-$k-$n.progress" -f mjpeg -y /dev/null 2>"$OUT/logs/ffmpeg-$k-$n.log" &
    FFS+=("$k:$n:$!")
    PIDS+=($!)
  done
done
# (The server closes a client that takes no whole part for 3 s, as a starved ffmpeg may on a loaded machine: it
# reconnects, as NVRs do.)
# Frames an ffmpeg has encoded so far, from its -progress file: progress_frames FILE
progress_frames() { { grep -a '^frame=' "$1" 2>/dev/null || echo frame=0; } | tail -1 | cut -d= -f2; }
sleep "$WARMUP"
declare -A FT0 FN0
for e in "${FFS[@]}"; do
  IFS=: read -r k n p <<<"$e"
  FT0[$e]=$(cpu_ticks "$p") || die "ffmpeg ($k) exited; see $OUT/logs/ffmpeg-$k-$n.log"
  FN0[$e]=$(progress_frames "$WORK/ff-$k-$n.progress")
done
s0=$(cpu_ticks "$SPID")
sleep "$DURATION"
s1=$(cpu_ticks "$SPID")
for e in "${FFS[@]}"; do
  IFS=: read -r k n p <<<"$e"
  t1=$(cpu_ticks "$p" 2>/dev/null) || { log "ffmpeg ($k) exited; see $OUT/logs/ffmpeg-$k-$n.log"; continue; }
  f1=$(progress_frames "$WORK/ff-$k-$n.progress")
  jq -nc --arg kind "$k" --argjson ticks $((t1 - FT0[$e])) --argjson frames $((f1 - FN0[$e])) --argjson hz "$CLK_TCK" \
    --argjson window "$DURATION" --arg load "$(load1)" \
    '{phase: "ffmpeg-client", kind: $kind, frames: $frames, fps: ($frames / $window), cores: ($ticks / $hz / $window),
      ms_per_frame: (if $frames > 0 then $ticks / $hz * 1000 / $frames else null end), load: $load}' >>"$RESULTS"
done
for e in "${FFS[@]}"; do kill "${e##*:}" 2>/dev/null || true; done
jq -nc --argjson cores "$(cores_between "$s0" "$s1" "$DURATION")" --argjson n "${#FFS[@]}" \
  '{phase: "ffmpeg-clients-server", clients: $n, server_cores: $cores}' >>"$RESULTS"
for e in "${FFS[@]}"; do wait "${e##*:}" 2>/dev/null || true; done
sleep 3

log "== ours per variant frame: one client per kind, ${COST}s each"
for k in "${KINDS[@]}"; do
  curl -s --max-time $((COST + 20)) -o /dev/null "http://127.0.0.1:$SPORT${PATH_OF[$k]}" &
  c=$!
  PIDS+=($c)
  sleep 4
  snap=${PATH_OF[$k]/stream/snapshot}
  bytes=$(curl -s --max-time 5 -o /dev/null -w '%{size_download}' "http://127.0.0.1:$SPORT$snap")
  d0=$(derive_ticks "$SPID"); f0=$(derived_frames "$SPORT")
  sleep "$COST"
  d1=$(derive_ticks "$SPID"); f1=$(derived_frames "$SPORT")
  kill "$c" 2>/dev/null || true
  wait "$c" 2>/dev/null || true
  jq -nc --arg kind "$k" --argjson ticks $((d1 - d0)) --argjson frames $((f1 - f0)) --argjson hz "$CLK_TCK" \
    --argjson bytes "$bytes" --arg load "$(load1)" \
    '{phase: "ours-per-frame", kind: $kind, frames: $frames, bytes: $bytes,
      ms_per_frame: (if $frames > 0 then $ticks / $hz * 1000 / $frames else null end), load: $load}' >>"$RESULTS"
  sleep 3 # the variant stops 2 s after its last client
done

log "== variants: $CLIENTS clients over ${KINDS[*]}, $REF_CLIENTS on the source"
per=$((CLIENTS / 4))
load_start source "$SPORT" "${PATH_OF[source]}" "$REF_CLIENTS" --server-pid "$SPID"
for k in "${KINDS[@]}"; do load_start "$k" "$SPORT" "${PATH_OF[$k]}" "$per"; done
# Ours is a window inside the load clients' (theirs starts once every client has a part and WARMUP has passed),
# with room for the scrapes a loaded machine slows down.
WINDOW=$((DURATION - 5))
wait_connected "$SPORT" $((CLIENTS + REF_CLIENTS))
sleep $((WARMUP + 1))
e0=$(date +%s.%N); t0=$(cpu_ticks "$SPID"); d0=$(derive_ticks "$SPID"); scrape "$SPORT" "$WORK/m0"
variant_figures "$SPORT" >"$OUT/logs/variants-state-0.json"
sleep "$WINDOW"
e1=$(date +%s.%N); t1=$(cpu_ticks "$SPID"); d1=$(derive_ticks "$SPID"); scrape "$SPORT" "$WORK/m1"
variant_figures "$SPORT" >"$OUT/logs/variants-state-1.json"
load_wait
for k in source "${KINDS[@]}"; do
  jq -c --arg kind "$k" --arg load "$(load1)" '{phase: "variants", kind: $kind, load: $load} + .' "$OUT/$k.json" >>"$RESULTS"
done
jq -nc --argjson src "$(derive_latency "$WORK/m0" "$WORK/m1" src)" --argjson rot "$(derive_latency "$WORK/m0" "$WORK/m1" rot)" \
  --argjson dc "$(cores_between "$d0" "$d1" "$(elapsed "$e0" "$e1")")" \
  --argjson sc "$(cores_between "$t0" "$t1" "$(elapsed "$e0" "$e1")")" \
  --slurpfile a "$OUT/logs/variants-state-0.json" --slurpfile b "$OUT/logs/variants-state-1.json" --arg load "$(load1)" \
  '($a[0] | map({key: .name, value: .}) | from_entries) as $x
   | {phase: "variants-window", latency_src: $src, latency_rot: $rot, derive_cores: $dc, server_cores: $sc, load: $load,
      variants: [$b[0][] | {name, framesOut: (.framesOut - ($x[.name].framesOut // 0)),
                            framesDropped: (.framesDropped - ($x[.name].framesDropped // 0))}]}' >>"$RESULTS"
stop_pid "$SPID"

log "== baseline (b): ffmpeg doing each kind once on the same file, -threads 1"
frames=$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$WORK/clip1080.avi")
for k in "${KINDS[@]}"; do
  b=$(ffmpeg -nostdin -hide_banner -nostats -benchmark -threads 1 -i "$WORK/clip1080.avi" -vf "${VF_OF[$k]}" \
    -sws_flags area -c:v mjpeg -q:v "${QV_OF[$k]}" -threads 1 -f mjpeg -y "$WORK/ff-$k.mjpeg" 2>&1 | grep -a 'bench: utime')
  u=$(sed 's/.*utime=\([0-9.]*\)s.*/\1/' <<<"$b")
  s=$(sed 's/.*stime=\([0-9.]*\)s.*/\1/' <<<"$b")
  jq -nc --arg kind "$k" --argjson u "$u" --argjson s "$s" --argjson frames "$frames" \
    --argjson size "$(stat -c %s "$WORK/ff-$k.mjpeg")" --arg load "$(load1)" \
    '{phase: "ffmpeg-once", kind: $kind, frames: $frames, ms_per_frame: (($u + $s) * 1000 / $frames),
      bytes: ($size / $frames | floor), load: $load}' >>"$RESULTS"
  rm -f "$WORK/ff-$k.mjpeg"
done

# --- the wall: 9 feeds of the 720p file passed through --------------------------------------------------------
{
  echo "feeds:"
  for i in 1 2 3 4 5 6 7 8 9; do echo "  cam$i: { file: $WORK/clip720.avi }"; done
} >"$WORK/wall.yaml"
serve wall /cam/cam9/snapshot --config "$WORK/wall.yaml"
WPID=$LAST_PID
WPORT=$LAST_PORT
sleep 3
log "== wall: 9 feeds, none watched, ${COST}s"
t0=$(cpu_ticks "$WPID"); sleep "$COST"; t1=$(cpu_ticks "$WPID")
jq -nc --arg load "$(load1)" --argjson cores "$(cores_between "$t0" "$t1" "$COST")" \
  '{phase: "wall-idle", server_cores: $cores, load: $load}' >>"$RESULTS"
log "== wall: /wall read by $WALL_CLIENTS clients"
load_start wall "$WPORT" /wall "$WALL_CLIENTS" --server-pid "$WPID"
wait_connected "$WPORT" "$WALL_CLIENTS"
sleep $((WARMUP + 1))
e0=$(date +%s.%N); d0=$(derive_ticks "$WPID"); scrape "$WPORT" "$WORK/w0"
sleep "$WINDOW"
e1=$(date +%s.%N); d1=$(derive_ticks "$WPID"); scrape "$WPORT" "$WORK/w1"
load_wait
jq -c --arg load "$(load1)" --argjson lat "$(derive_latency "$WORK/w0" "$WORK/w1" wall)" \
  --argjson dc "$(cores_between "$d0" "$d1" "$(elapsed "$e0" "$e1")")" \
  '{phase: "wall", load: $load, derive_latency: $lat, derive_cores: $dc} + .' "$OUT/wall.json" >>"$RESULTS"
stop_pid "$WPID"

echo "end:      $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
python3 bench/variants-table.py "$RESULTS" "$OUT/machine.txt" | tee "$OUT/variants.md"
