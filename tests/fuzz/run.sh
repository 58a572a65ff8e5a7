#!/usr/bin/env bash
# Runs a fuzzer for a fixed time on a scratch copy of its seed corpus.
#   tests/fuzz/run.sh BINARY SECONDS
# BINARY is build-fuzz/bin/fuzz_frontend (seeds: tests/fuzz/corpus) or
# build-fuzz/bin/fuzz_run (seeds: tests/fuzz/corpus_run and every .deal file of
# examples/, tests/golden/run, tests/golden/stdlib and, when it sits beside the checkout,
# the shared conformance suite, that fits the input size).
# Exits non-zero when libFuzzer finds a crash, a leak or a timeout; the offending inputs
# are kept in fuzz-artifacts/ next to the binary's build directory.
set -u
if [ $# -lt 1 ]; then
  echo "usage: $0 BINARY [SECONDS]" >&2
  exit 2
fi
bin=$1
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -x "$bin" ]; then
  echo "$0: $bin is not an executable (build it with make fuzz)" >&2
  exit 2
fi

src=$(cd "$here/../.." && pwd)
# Per target: seed folders, the largest input, the time one input may take.
case "$(basename "$bin")" in
  fuzz_run)
    seeds=("$here/corpus_run" "$src/examples" "$src/tests/golden/run" "$src/tests/golden/stdlib"
           "$src/../shared/conformance/cases")
    max_len=8192 timeout=30 ;;
  fuzz_lsp)
    seeds=("$here/corpus_lsp" "$here/corpus")
    max_len=4096 timeout=30 ;;
  *)
    seeds=("$here/corpus")
    max_len=4096 timeout=10 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/deal-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The fuzzer adds what it finds to its corpus directory; the committed seeds stay clean.
mkdir -p "$work/corpus" "$work/artifacts"
for dir in "${seeds[@]}"; do
  [ -d "$dir" ] || continue
  for f in "$dir"/*; do
    [ -f "$f" ] || continue
    case "$f" in *.deal) ;; *) [ "$dir" = "$here/corpus" ] || [ "$dir" = "$here/corpus_lsp" ] || continue ;; esac
    [ "$(stat -c %s "$f")" -le "$max_len" ] || continue
    cp "$f" "$work/corpus/$(basename "$dir")_$(basename "$f")"
  done
done

dict=()
[ -f "$here/deal.dict" ] && dict=(-dict="$here/deal.dict")

"$bin" "$work/corpus" "${dict[@]}" \
  -max_total_time="$secs" -max_len="$max_len" -timeout="$timeout" -rss_limit_mb=4096 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1
status=$?

shopt -s nullglob
found=("$work"/artifacts/*)
if [ $status -ne 0 ] || [ ${#found[@]} -gt 0 ]; then
  keep="$(cd "$(dirname "$bin")/.." && pwd)/fuzz-artifacts"
  mkdir -p "$keep"
  for f in "${found[@]}"; do cp "$f" "$keep/"; done
  echo "$0: the fuzzer failed (status $status); inputs kept in $keep:" >&2
  for f in "${found[@]}"; do echo "  $keep/$(basename "$f")" >&2; done
  exit 1
fi
echo "$0: no crash in $secs s"
