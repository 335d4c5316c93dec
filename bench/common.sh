# Shell functions shared by the benchmark scripts (bench/run.sh, bench/relay.sh); sourced, not run.
# Expects: CLK_TCK set by the caller (getconf CLK_TCK), and a `die` function.

# utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat, counted after the name).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# Cores a process used between two cpu_ticks readings over SECONDS: cores_between T0 T1 SECONDS
cores_between() { awk -v a="$1" -v b="$2" -v hz="$CLK_TCK" -v s="$3" 'BEGIN { printf "%.4f", (b - a) / hz / s }'; }

free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 20000))
    [ -z "$(ss -Hltn "sport = :$p")" ] && { echo "$p"; return; }
  done
  die "no free port found"
}

# Waits (60 s at most) until process PID answers URL with 2xx; dies naming LOGFILE otherwise: wait_serving PID URL LOGFILE
wait_serving() {
  for _ in $(seq 1 600); do
    kill -0 "$1" 2>/dev/null || die "the server exited at start; see $3"
    curl -sf --max-time 2 -o /dev/null "$2" && return
    sleep 0.1
  done
  die "the server did not answer $2 within 60 s; see $3"
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
