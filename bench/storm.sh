#!/usr/bin/env bash
# A connection storm: N clients connecting at once (bench/mjpeg-load.c, every connect() issued in one go) to our
# server and to the C floor (../shared/bench/mjpeg-floor.c, which accepts on one SO_REUSEPORT socket per loop),
# alternated, the order flipped every rep, each server fresh. Per run: the slowest client's connect() to
# established (a SYN the server's kernel dropped shows as a retry, 1 s and more) and to its response head, the
# time until every client had its head, and the kernel's TcpExtListenOverflows / TcpExtListenDrops deltas
# (machine-wide counters: another program's storm during the run counts too). Writes storm.jsonl and storm.md.
# Knobs (environment): STORM_CLIENTS=3000  STORM_REPS=2  STORM_DURATION=2 (the window after every client streams)
#   STORM_SERVERS="floor ours" (any NAME given a jar in STORM_JAR_NAME, e.g. a build before a change, or its own
#   JVM options in STORM_JAVA_OPTS_NAME; NAME upper-cased, '-' as '_')
#   STORM_JAVA_OPTS="@server/src/deb/jvm.options"  STORM_SERVER_ARGS=""  STORM_SERVER_ARGS_NAME=""
#   STORM_OUT=bench/results/storm  STORM_SKIP_BUILD=0  STORM_SRC=../shared/bench/mjpeg-floor.c  STORM_NICE=5
#   STORM_STORMS=1 (storms per server start, one after the other: the second and later hit a warmed-up JVM)
#   STORM_PROFILE=0 (1: async-profiler on each of our runs, from just before the storm to the end of the window;
#   logs/NAME-REP.collapsed, and the shares of the accept path's parts and its costliest frames printed)
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
N=${STORM_CLIENTS:-3000}
REPS=${STORM_REPS:-2}
DURATION=${STORM_DURATION:-2}
SERVERS=${STORM_SERVERS:-floor ours}
OUT=${STORM_OUT:-$ROOT/bench/results/storm}
SRC=${STORM_SRC:-$(dirname "$ROOT")/shared/bench/mjpeg-floor.c}
NICE=${STORM_NICE:-5}
STORMS=${STORM_STORMS:-1}
[[ "$STORMS" =~ ^[1-9][0-9]*$ ]] || die "STORM_STORMS: '$STORMS' (expected: a count from 1)"
[[ "$N" =~ ^[0-9]+$ ]] && [ "$N" -ge 1 ] && [ "$N" -le 20000 ] || die "STORM_CLIENTS: '$N' (expected: a count from 1 to 20000)"
[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || die "STORM_REPS: '$REPS' (expected: a count from 1)"
[[ "$NICE" =~ ^-?[0-9]+$ ]] || die "STORM_NICE: '$NICE' (expected: a niceness, -20 to 19)"
[ -f "$SRC" ] || die "the C floor: $SRC not found (expected: ../shared/bench/mjpeg-floor.c beside the repository, or STORM_SRC=...)"
need_tools "apt-get install gcc ffmpeg jq curl iproute2" cc ffmpeg jq curl ss nstat
raise_fds $((N + 4096))

if [ "${STORM_SKIP_BUILD:-0}" != 1 ]; then
  log "building the server (mvn -B -q -pl server -am package -DskipTests)"
  mvn -B -q -pl server -am package -DskipTests
fi
[ -f server/target/mjpeg-server.jar ] || die "server/target/mjpeg-server.jar missing: build first"
make_work server/target/mjpeg-server.jar server/src/deb/jvm.options
JAVA_OPTS_ALL=${STORM_JAVA_OPTS-@$WORK/jvm.options}
cc -O2 -Wall -std=gnu11 -pthread -o "$WORK/mjpeg-floor" "$SRC"
cc -O2 -Wall -std=gnu11 -o "$WORK/mjpeg-load" bench/mjpeg-load.c
make_frames "$WORK"
PROFILE=${STORM_PROFILE:-0}
if [ "$PROFILE" = 1 ]; then
  AP_JAR=$HOME/.m2/repository/tools/profiler/async-profiler/3.0/async-profiler-3.0.jar
  [ -f "$AP_JAR" ] || mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:3.0 >/dev/null
  (cd "$WORK" && unzip -q "$AP_JAR" 'linux-x64/*')
fi
mkdir -p "$OUT/logs"
rm -f "$OUT/storm.jsonl" "$OUT"/logs/*

# Tells async-profiler in process PID to do COMMAND: profiler PID COMMAND
profiler() { jcmd "$1" JVMTI.agent_load "$WORK/linux-x64/libasyncProfiler.so" "\"$2\"" >/dev/null || die "jcmd: cannot attach to $1"; }
var() { local v="STORM_${1}_$(echo "$2" | tr 'a-z-' 'A-Z_')"; echo "${!v:-}"; }
# The kernel's counter NAME, absolute: listen_counter NAME
listen_counter() { nstat -az "$1" | awk -v k="$1" '$1 == k { print $2 }'; }

for rep in $(seq 1 "$REPS"); do
  order=$SERVERS
  [ $((rep % 2)) = 0 ] && order=$(printf '%s\n' $SERVERS | tac | tr '\n' ' ')
  for name in $order; do
    port=$(free_port)
    logf="$OUT/logs/$name-$rep.server.log"
    if [ "$name" = floor ]; then
      nice -n "$NICE" "$WORK/mjpeg-floor" --port "$port" --frames "$WORK/frames" >"$logf" 2>&1 &
    else
      jar=$(var JAR "$name"); [ -n "$jar" ] || jar=$WORK/mjpeg-server.jar
      opts=$(var JAVA_OPTS "$name"); [ -n "$opts" ] || opts=$JAVA_OPTS_ALL
      # shellcheck disable=SC2086
      MALLOC_ARENA_MAX=2 nice -n "$NICE" java $opts -jar "$jar" --file "$WORK/frames.mkv" --host 127.0.0.1 \
        --port "$port" --max-clients 0 --max-connection-rate 0 ${STORM_SERVER_ARGS:-} $(var SERVER_ARGS "$name") >"$logf" 2>&1 &
    fi
    pid=$!
    PIDS+=("$pid")
    wait_streaming "$name" "$pid" "$port" "$logf"
    for storm in $(seq 1 "$STORMS"); do
      tag="$name-$rep-$storm"
      overflows=$(listen_counter TcpExtListenOverflows)
      drops=$(listen_counter TcpExtListenDrops)
      log "== $name, $N clients at once, rep $rep, storm $storm (load $(cut -d' ' -f1 /proc/loadavg))"
      # jcmd hands the agent its options whole only when quoted inside.
      [ "$PROFILE" = 1 ] && [ "$name" != floor ] && profiler "$pid" start,event=cpu,interval=997us
      if nice -n "$NICE" "$WORK/mjpeg-load" --port "$port" --clients "$N" --warmup 0 --duration "$DURATION" --http10 \
          --server-pid "$pid" --label "$name" >"$OUT/logs/$tag.json" 2>"$OUT/logs/$tag.client.log"; then
        jq -c --arg server "$name" --argjson rep "$rep" --argjson storm "$storm" \
          --argjson overflows $(($(listen_counter TcpExtListenOverflows) - overflows)) \
          --argjson drops $(($(listen_counter TcpExtListenDrops) - drops)) \
          '{server: $server, rep: $rep, storm: $storm, clients, connected, connect_failures, established_ms_max: .connect_ms_max.established,
            head_ms_max: .connect_ms_max.head, head_ms_p50: .head_ms.p50, head_ms_p99: .head_ms.p99, connect_s, listen_overflows: $overflows, listen_drops: $drops}' \
          "$OUT/logs/$tag.json" | tee -a "$OUT/storm.jsonl" >&2
      else
        log "the load client failed for $tag; see $OUT/logs/$tag.*"
      fi
      kill -0 "$pid" 2>/dev/null || log "$name exited during the storm; see $logf"
      if [ "$PROFILE" = 1 ] && [ "$name" != floor ]; then
        profiler "$pid" "stop,file=$OUT/logs/$tag.collapsed,collapsed"
        python3 bench/storm-profile.py "$OUT/logs/$tag.collapsed" | tee "$OUT/logs/$tag.profile.txt" >&2
      fi
      sleep 1 # the last storm's connections closed
    done
    stop_pid "$pid"
    sleep 1
  done
done

{
  echo "$N clients connecting at once, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)," \
    "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| server | rep | storm | slowest connect to established (ms) | slowest connect to head (ms) | connect to head p50 / p99 (ms) | all heads (s) | ListenOverflows | ListenDrops | connected |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  jq -r '"| \(.server) | \(.rep) | \(.storm) | \(.established_ms_max) | \(.head_ms_max) | \(.head_ms_p50) / \(.head_ms_p99) | \(.connect_s) | \(.listen_overflows) | \(.listen_drops) | \(.connected) of \(.clients) |"' \
    "$OUT/storm.jsonl"
} >"$OUT/storm.md"
cat "$OUT/storm.md"
