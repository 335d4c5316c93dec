#!/usr/bin/env bash
# Turns floor.jsonl (bench/floor.sh) into floor.md: every server at every client count over its reps (ranges), and
# each server's ratios to the floor's mean at the same count; with gnuplot, floor-cpu.png, floor-p99.png and
# floor-fps.png. Safe to re-run:  bench/floor-summary.sh [DIR]   (default: bench/results/floor)
set -euo pipefail
OUT=${1:-"$(dirname "$0")/results/floor"}
[ -s "$OUT/floor.jsonl" ] || { echo "floor-summary.sh: no $OUT/floor.jsonl" >&2; exit 1; }

# One object per (clients, server): the reps' ranges, means, and the ratios of the means to the floor's.
groups() {
  jq -s -c '
    def mean: add / length;
    def rng(d): (map(. * pow(10; d) | round / pow(10; d)) | [min, max] | unique | map(tostring) | join("-"));
    group_by(.clients) | map(
      . as $all
      | ($all | map(select(.server == "floor"))) as $floor
      | ($floor | map(.server_cpu_s_per_gbit) | if length > 0 then mean else null end) as $fcpu
      | ($floor | map(.latency_ms.p99) | if length > 0 then mean else null end) as $fp99
      | ($floor | map(.frame_latency_ms.p99 // null) | if length > 0 and all(. != null) then mean else null end) as $ffp99
      | group_by(.server) | map({
          clients: .[0].clients, server: .[0].server, reps: length,
          delivered: (map(.delivered * 100) | rng(1)), fps_min: (map(.fps_min) | rng(1)),
          gbit: (map(.gbit_per_s) | rng(1)), cores: (map(.server_cores * 100) | rng(0)),
          cpu_per_gbit: (map(.server_cpu_s_per_gbit) | rng(3)), p99: (map(.latency_ms.p99) | rng(1)),
          p50: (map(.latency_ms.p50) | rng(1)),
          fp99: (if all(.frame_latency_ms != null) then map(.frame_latency_ms.p99) | rng(1) else "-" end),
          fp50: (if all(.frame_latency_ms != null) then map(.frame_latency_ms.p50) | rng(1) else "-" end), rss: (map(.server_rss_mb) | rng(0)), accept: (map(.connect_s) | rng(2)),
          invalid: (map(.invalid + .protocol_errors) | add), disconnects: (map(.disconnects) | add),
          load: (map(.load_at_start | split(" ")[0]) | join(", ")),
          cpu_mean: (map(.server_cpu_s_per_gbit) | mean), p99_mean: (map(.latency_ms.p99) | mean),
          fps_min_low: (map(.fps_min) | min), rss_max: (map(.server_rss_mb) | max),
          cpu_ratio: (if ($fcpu // 0) > 0 then (map(.server_cpu_s_per_gbit) | mean) / $fcpu else null end),
          p99_ratio: (if ($fp99 // 0) > 0 then (map(.latency_ms.p99) | mean) / $fp99 else null end),
          fp99_ratio: (if ($ffp99 // 0) > 0 and all(.frame_latency_ms != null)
            then (map(.frame_latency_ms.p99) | mean) / $ffp99 else null end)})
      | sort_by(if .server == "floor" then 0 elif .server == "floor-sendfile" then 1 else 2 end, .server))
    | flatten | .[]' "$OUT/floor.jsonl"
}

{
  echo "| clients | server | reps | delivered % | slowest client fps | Gbit/s | server CPU % | CPU s per Gbit | p50 / p99 latency ms | p50 / p99 frame latency ms | RSS MB | all accepted in s | invalid | disconnects | load at start |"
  echo "|---:|---|---:|---|---|---|---|---|---|---|---|---|---:|---:|---|"
  groups | jq -r '"| \(.clients) | \(.server) | \(.reps) | \(.delivered) | \(.fps_min) | \(.gbit) | \(.cores) | \(.cpu_per_gbit) | \(.p50) / \(.p99) | \(.fp50) / \(.fp99) | \(.rss) | \(.accept) | \(.invalid) | \(.disconnects) | \(.load) |"'
  echo
  echo "Ratios of the means to the floor's (\`writev\`) at the same count (targets: CPU s per Gbit ≤ 1.15, p99 ≤ 1.5;"
  echo "\"p99\" from each server's own X-Timestamp, \"frame p99\" since the first stamp of each frame, alike for both):"
  echo
  echo "| clients | server | CPU s per Gbit ÷ floor | p99 ÷ floor | frame p99 ÷ floor | slowest client fps | RSS MB (max) |"
  echo "|---:|---|---:|---:|---:|---:|---:|"
  groups | jq -r 'select(.server != "floor") | def r: if . == null then "-" else (. * 100 | round / 100 | tostring) end;
    "| \(.clients) | \(.server) | \(.cpu_ratio | r) | \(.p99_ratio | r) | \(.fp99_ratio | r) | \(.fps_min_low) | \(.rss_max | round) |"'
} >"$OUT/floor.md"
cat "$OUT/floor.md"

if command -v gnuplot >/dev/null 2>&1; then
  servers=$(jq -r .server "$OUT/floor.jsonl" | awk '!seen[$0]++')
  for s in $servers; do
    groups | jq -r --arg s "$s" 'select(.server == $s) | "\(.clients) \(.cpu_mean) \(.p99_mean) \(.fps_min_low)"' >"$OUT/floor-$s.dat"
  done
  plot() { # plot FILE TITLE YLABEL COLUMN LOGY
    local cmd="" s
    for s in $servers; do cmd="$cmd${cmd:+, }'$OUT/floor-$s.dat' using 1:$4 with linespoints title '$s'"; done
    gnuplot <<EOF
set terminal pngcairo size 800,450 noenhanced
set output '$OUT/$1'
set title '$2'
set xlabel 'clients'
set ylabel '$3'
set logscale x
$5
set key top left
set grid
plot $cmd
EOF
  }
  plot floor-cpu.png "server CPU s per delivered Gbit (mean of reps)" "CPU s per Gbit" 2 "set logscale y"
  plot floor-p99.png "p99 latency (mean of reps)" "ms" 3 "set logscale y"
  plot floor-fps.png "slowest client fps (lowest over reps)" "fps" 4 "set yrange [0:32]"
  rm -f "$OUT"/floor-*.dat
fi
