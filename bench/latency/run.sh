#!/usr/bin/env bash
# Compile latency (parse → check → IR → optimised native code) and single-path run time
# of the example programs, from `deal run --time`: the minimum and median of N runs.
# Usage: bench/latency/run.sh [build/bin/deal] [N]
set -euo pipefail
deal="${1:-build/bin/deal}"
n="${2:-9}"
cd "$(dirname "$0")/../.."
printf '%-36s %-10s %22s %26s %16s\n' program scenario "parse+check ms (min/med)" "IR+opt+native ms (min/med)" "run ms (min/med)"
for spec in examples/two_labs.deal:base examples/cascade.deal:stall examples/ai_compute_web.deal:openai_cannot_pay; do
  file=${spec%%:*}; sc=${spec##*:}
  [ -f "$file" ] || continue
  checks=(); jits=(); runs=()
  for _ in $(seq "$n"); do
    out=$(DEAL_NO_CACHE=1 "$deal" run "$file" --scenario "$sc" --time --analyses none --format json 2>&1 >/dev/null)
    checks+=("$(sed -n 's/.*parse + check \([0-9.]*\) ms.*/\1/p' <<<"$out")")
    jits+=("$(sed -n 's/.*native code \([0-9.]*\) ms.*/\1/p' <<<"$out")")
    runs+=("$(sed -n 's/.*path(*s*)* in \([0-9.]*\) ms.*/\1/p' <<<"$out" | head -1)")
  done
  stat() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%.2f / %.2f", a[1], a[int((NR+1)/2)]}'; }
  printf '%-36s %-10s %22s %26s %16s\n' "$file" "$sc" "$(stat "${checks[@]}")" "$(stat "${jits[@]}")" "$(stat "${runs[@]}")"
done
