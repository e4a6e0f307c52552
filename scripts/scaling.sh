#!/usr/bin/env bash
# How passrole's time and peak memory grow with the size of what it scans (issue 14): generated
# Terraform corpora and mixed corpora (benches/corpus.rs) at 1x, 10x and 100x, and one large plan
# (benches/gen_plan.rs), each scanned end to end by the release build as CI would run it:
#   passrole scan --format json --no-config PATH
# Peak RSS comes from GNU time (`/usr/bin/time -v`); the wall time is hyperfine's mean when hyperfine
# is installed, else the single timed run. Prints the machine and a Markdown table.
#
# Usage: scripts/scaling.sh
# Environment (all optional):
#   BASE_DIRS  directories of the 1x corpora (default 50: 50 / 500 / 5,000 directories)
#   ROLES      roles per directory of the Terraform corpora (default 4)
#   SCALES     the multiples of BASE_DIRS (default "1 10 100")
#   PLAN_MB    the plan generator's size argument, in MiB (default 277, which writes about 300 MB)
#   RUNS       hyperfine runs per corpus (default 3, after one warm-up run)
#   KEEP=1     keep the generated corpora (their directory is printed)
set -euo pipefail

base_dirs=${BASE_DIRS:-50}
roles=${ROLES:-4}
read -r -a scales <<<"${SCALES:-1 10 100}"
plan_mb=${PLAN_MB:-277}
runs=${RUNS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/passrole-scaling.XXXXXX")
if [[ "${KEEP:-0}" == 1 ]]; then
  echo "corpora kept in $work" >&2
else
  trap 'rm -rf "$work"' EXIT
fi

[[ -x /usr/bin/time ]] || { echo "GNU time is needed for peak memory (apt-get install time)" >&2; exit 2; }
have_hyperfine=0
if command -v hyperfine >/dev/null; then
  have_hyperfine=1
else
  echo "hyperfine not found (apt-get install hyperfine): wall times are single runs" >&2
fi

echo "== building passrole and the generators (release)" >&2
cargo build --release --quiet --manifest-path "$root/Cargo.toml" \
  --bin passrole --example gen_corpus --example gen_plan
passrole="$root/target/release/passrole"
gen_corpus="$root/target/release/examples/gen_corpus"
gen_plan="$root/target/release/examples/gen_plan"

# GNU time prints the wall time as h:mm:ss or m:ss.ss; this gives seconds.
seconds() {
  awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f", s }' <<<"$1"
}

# One row: NAME PATH SERIES. SERIES names the rows whose first is the 1x reference ("" for none).
rows=()
declare -A first_time first_rss previous_time
measure() {
  local name=$1 path=$2 series=$3
  local files bytes status=0 wall rss_kib
  files=$(find "$path" -type f | wc -l)
  bytes=$(find "$path" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
  echo "== $name: $files files, $bytes bytes" >&2
  PASSROLE_TIMING=1 /usr/bin/time -v -o "$work/time.txt" \
    "$passrole" scan --format json --no-config "$path" >"$work/report.json" 2>"$work/phases.txt" || status=$?
  # PASSROLE_TIMING=1 prints one "passrole: PHASE: N ms" line per phase: "PHASE N" each, in order.
  local phases
  phases=$(sed -n 's/^passrole: \(.*\): \([0-9.]*\) ms$/\1 \2/p' "$work/phases.txt" |
    awk '{ ms = $NF; $NF = ""; printf "%s%s%.0f", (NR > 1 ? ", " : ""), $0, ms }')
  # 1 means findings (every corpus here has some); 2 and above, an input error or a refusal.
  wall=$(seconds "$(sed -n 's/^.*Elapsed (wall clock) time[^:]*: *//p' "$work/time.txt")")
  rss_kib=$(sed -n 's/^.*Maximum resident set size (kbytes): *//p' "$work/time.txt")
  local time_text="$wall"
  if ((have_hyperfine)); then
    hyperfine --style none --runs "$runs" --warmup 1 -i -N --export-csv "$work/hyperfine.csv" \
      "$passrole scan --format json --no-config $path" >&2
    # The CSV's columns: command,mean,stddev,median,user,system,min,max.
    local mean stddev
    mean=$(tail -n 1 "$work/hyperfine.csv" | awk -F, '{ printf "%.3f", $2 }')
    stddev=$(tail -n 1 "$work/hyperfine.csv" | awk -F, '{ printf "%.3f", $3 }')
    wall=$mean
    time_text="$mean ± $stddev"
  fi
  local rss_mib growth_first="—" growth_previous="—"
  rss_mib=$(awk -v k="$rss_kib" 'BEGIN { printf "%.0f", k / 1024 }')
  if [[ -n "$series" ]]; then
    if [[ -z "${first_time[$series]:-}" ]]; then
      first_time[$series]=$wall
      first_rss[$series]=$rss_kib
    fi
    growth_first=$(awk -v a="$wall" -v b="${first_time[$series]}" -v m="$rss_kib" -v n="${first_rss[$series]}" \
      'BEGIN { printf "%.1f× / %.1f×", a / b, m / n }')
    if [[ -n "${previous_time[$series]:-}" ]]; then
      growth_previous=$(awk -v a="$wall" -v b="${previous_time[$series]}" 'BEGIN { printf "%.1f×", a / b }')
    fi
    previous_time[$series]=$wall
  fi
  local mb
  mb=$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1e6 }')
  rows+=("| $name | $files | $mb | $time_text | $rss_mib | $growth_first | $growth_previous | ${phases:-?} | $status |")
}

for scale in "${scales[@]}"; do
  dirs=$((base_dirs * scale))
  "$gen_corpus" terraform "$work/terraform-$scale" "$dirs" "$roles" 2>/dev/null
  measure "Terraform ${scale}× ($dirs directories × $roles roles)" "$work/terraform-$scale" terraform
  rm -rf "$work/terraform-$scale"
done
for scale in "${scales[@]}"; do
  dirs=$((base_dirs * scale))
  "$gen_corpus" mixed "$work/mixed-$scale" "$dirs" 2>/dev/null
  measure "mixed ${scale}× ($dirs directories)" "$work/mixed-$scale" mixed
  rm -rf "$work/mixed-$scale"
done
"$gen_plan" "$work/big.tfplan.json" "$plan_mb" 2>/dev/null
measure "plan (gen_plan $plan_mb)" "$work/big.tfplan.json" ""
rm -f "$work/big.tfplan.json"

echo
echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ { print $2 }') GiB;" \
  "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Wall time: $(if ((have_hyperfine)); then echo "hyperfine mean ± σ of $runs runs after a warm-up"; else echo "one run"; fi);" \
  "peak RSS: /usr/bin/time -v. Growth: time / peak RSS against the series' first row; 'vs previous': time against the row above." \
  "Phases: PASSROLE_TIMING=1 in the run timed by GNU time."
echo
echo "| corpus | files | MB | wall time (s) | peak RSS (MiB) | growth vs 1× (time / RSS) | time vs previous | phases (ms) | exit |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
