#!/usr/bin/env bash
# Turns the raw results of bench/run.sh (runs.jsonl, iperf3.jsonl, jmh.json in DIR) into summary.csv,
# summary.md and the charts fps.png, cpu_per_gbit.png and latency_p99.png. Safe to re-run.
#   bench/summarize.sh [DIR]     (default: bench/results)
set -euo pipefail
OUT=${1:-"$(dirname "$0")/results"}
[ -s "$OUT/runs.jsonl" ] || { echo "summarize.sh: no $OUT/runs.jsonl" >&2; exit 1; }
touch "$OUT/iperf3.jsonl"

# One object per load run, with iperf3's sender CPU per Gbit at the same client count and the ratios.
# merit:     server CPU s per delivered Gbit / iperf3's (1.0: we cost what the kernel's TCP path costs).
# merit_net: the same after taking off the server's idle CPU (capture and encoding, paid once per frame).
rows() {
  jq -s -c --slurpfile iperf "$OUT/iperf3.jsonl" '
    def r(d): if . == null then null else (. * pow(10; d) | round) / pow(10; d) end;
    ($iperf | map({key: (.clients | tostring), value: .sender_cpu_s_per_gbit}) | from_entries) as $ip
    | .[]
    | ($ip[.clients | tostring]) as $base
    | (.gbit_per_s * .window_s) as $gbit
    | (if .server_cpu_s == null or $gbit == 0 then null
       else (.server_cpu_s - .server_idle_cores * .window_s) / $gbit end) as $net
    | . + {iperf3_cpu_s_per_gbit: $base, server_cpu_s_per_gbit_net: $net,
           merit: (if ($base // 0) == 0 or .server_cpu_s_per_gbit == null then null else .server_cpu_s_per_gbit / $base end),
           merit_net: (if ($base // 0) == 0 or $net == null then null else $net / $base end)}
    | with_entries(if (.value | type) == "number" then .value |= r(4) else . end)' "$OUT/runs.jsonl"
}

COLUMNS="source size clients connected_at_end fps_min fps_median fps_max delivered_pct frames_skipped repeats invalid_frames
connect_failures disconnects protocol_errors gbit_per_s latency_p50_ms latency_p99_ms latency_max_ms server_cpu_cores
server_idle_cores server_cpu_s_per_gbit server_cpu_s_per_gbit_net iperf3_cpu_s_per_gbit merit merit_net server_rss_max_mb client_cpu_cores"
cols_json=$(printf '%s\n' $COLUMNS | jq -R . | jq -s -c .)
{
  echo "$cols_json" | jq -r 'join(",")'
  rows | jq -r --argjson cols "$cols_json" '[.[$cols[]]] | map(if . == null then "" else tostring end) | join(",")'
} >"$OUT/summary.csv"

# Markdown.
{
  echo "| source | size | clients | fps per client min / median / max | delivered | repeated | invalid | errors conn / disc / proto | Gbit/s | latency p50 / p99 / max ms | server cores (idle) | server CPU s per Gbit | x iperf3 (net of idle) | server RSS MB |"
  echo "|---|---|---:|---|---:|---:|---:|---|---:|---|---|---:|---|---:|"
  rows | jq -r '
    def f(d): if . == null then "-" else ((. * pow(10; d) | round) / pow(10; d) | tostring) end;
    "| \(.source) | \(.size) | \(.clients) | \(.fps_min | f(2)) / \(.fps_median | f(2)) / \(.fps_max | f(2))"
    + " | \(.delivered_pct | f(2)) % | \(.repeats) | \(.invalid_frames)"
    + " | \(.connect_failures) / \(.disconnects) / \(.protocol_errors) | \(.gbit_per_s | f(3))"
    + " | \(.latency_p50_ms | f(2)) / \(.latency_p99_ms | f(2)) / \(.latency_max_ms | f(2))"
    + " | \(.server_cpu_cores | f(2)) (\(.server_idle_cores | f(2))) | \(.server_cpu_s_per_gbit | f(3))"
    + " | \(.merit | f(2)) (\(.merit_net | f(2))) | \(.server_rss_max_mb | f(0)) |"'
  if [ -s "$OUT/iperf3.jsonl" ]; then
    echo
    echo "| iperf3 (-R, loopback) for clients | streams | Gbit/s | sender CPU s | sender CPU s per Gbit | iperf3's own sender CPU % |"
    echo "|---:|---:|---:|---:|---:|---:|"
    jq -r 'def r(d): (. * pow(10; d) | round) / pow(10; d);
      "| \(.clients) | \(.streams) | \(.gbit_per_s | r(2)) | \(.sender_cpu_s | r(2)) | \(.sender_cpu_s_per_gbit | r(4)) | \(.iperf3_sender_cpu_pct | r(1)) |"' \
      "$OUT/iperf3.jsonl"
  fi
  if [ -s "$OUT/jmh.json" ]; then
    echo
    echo "| JMH benchmark | params | score | error | unit | per client |"
    echo "|---|---|---:|---:|---|---:|"
    jq -r '.[] | def r(d): if . == null or (. | tostring) == "NaN" then "-" else ((. * pow(10; d) | round) / pow(10; d) | tostring) end;
      (.params // {}) as $p
      | "| \(.benchmark | sub("^io\\.mjpegserver\\."; "")) | \($p | to_entries | map("\(.key)=\(.value)") | join(" "))"
      + " | \(.primaryMetric.score | r(3)) | \(.primaryMetric.scoreError | r(3)) | \(.primaryMetric.scoreUnit)"
      + " | \(if $p.clients then ((.primaryMetric.score / ($p.clients | tonumber) * 1000 | round) | tostring) + " ns" else "" end) |"' \
      "$OUT/jmh.json"
  fi
} >"$OUT/summary.md"

# Chart data: one file per server configuration, and iperf3's.
rm -f "$OUT"/*.dat
configs=$(rows | jq -r '"\(.source)-\(.size)"' | awk '!seen[$0]++')
for config in $configs; do
  rows | jq -r --arg c "$config" 'select("\(.source)-\(.size)" == $c)
    | [.clients, .fps_min, .fps_median, (.latency_p99_ms // "NaN"), (.server_cpu_s_per_gbit // "NaN"),
       (.server_cpu_s_per_gbit_net // "NaN")]
    | @tsv' \
    >"$OUT/$config.dat"
done
jq -r '[.clients, .sender_cpu_s_per_gbit] | @tsv' "$OUT/iperf3.jsonl" >"$OUT/iperf3.dat"

plots() { # $1: column, $2: extra plot clauses, $3: a second column drawn dashed (optional), $4: its title suffix
  local sep="" config i=1
  for config in $configs; do
    printf '%s"%s/%s.dat" using 1:%s with linespoints linestyle %d title "%s"' "$sep" "$OUT" "$config" "$1" "$i" "$config"
    sep=", "
    if [ -n "${3:-}" ]; then
      printf ', "%s/%s.dat" using 1:%s with linespoints linestyle %d dt 2 pointsize 0.6 title "%s %s"' \
        "$OUT" "$config" "$3" "$i" "$config" "$4"
    fi
    i=$((i + 1))
  done
  printf '%s\n' "$2"
}
style='set terminal pngcairo size 1000,560 font "DejaVu Sans,10"
set logscale x
set grid
set key outside right top
set xlabel "clients"
set style line 1 lc rgb "#1f77b4" lw 2 pt 7
set style line 2 lc rgb "#d62728" lw 2 pt 5
set style line 3 lc rgb "#2ca02c" lw 2 pt 9
set style line 4 lc rgb "#9467bd" lw 2 pt 11
set style line 5 lc rgb "#8c564b" lw 2 pt 13
set style line 6 lc rgb "#e377c2" lw 2 pt 3
set style line 10 lc rgb "#000000" lw 2 dt 2
set style line 11 lc rgb "#777777" lw 1 dt 3'
iperf_clause=""
[ -s "$OUT/iperf3.dat" ] && iperf_clause=", \"$OUT/iperf3.dat\" using 1:2 with linespoints linestyle 10 title \"iperf3 sender\", \"$OUT/iperf3.dat\" using 1:(\$2*1.25) with lines linestyle 11 title \"1.25 x iperf3 (target)\""
gnuplot <<EOF
$style
set output "$OUT/fps.png"
set title "Delivered fps per client (lowest client; target: every client >= 29 fps)"
set ylabel "fps (min over clients)"
set yrange [0:$(jq -s 'map(.target_fps) | max + 2' "$OUT/runs.jsonl")]
plot $(plots 2 ', 29 with lines linestyle 11 title "29 fps"')

set output "$OUT/cpu_per_gbit.png"
set title "Server CPU seconds per delivered gigabit (lower is better; dashed: net of the idle CPU)"
set ylabel "CPU s per Gbit"
set logscale y
set yrange [*:*]
plot $(plots 5 "$iperf_clause" 6 "(net of idle)")

set output "$OUT/latency_p99.png"
set title "Latency p99, X-Timestamp to the part's last byte (target at 1000 clients: < 15 ms)"
set ylabel "ms"
plot $(plots 4 ', 15 with lines linestyle 11 title "15 ms"')
EOF
echo "summarize.sh: wrote $OUT/summary.csv, $OUT/summary.md and the charts" >&2
