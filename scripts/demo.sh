#!/usr/bin/env bash
# The main job, run by `make demo` with the built binary: check every example, then run
# the AI compute web's headline scenario — if OpenAI stops paying in 2027, who defaults,
# when and why, and what its partners lose (docs/ai-compute-web.md explains the model).
set -euo pipefail
deal="${1:-build/bin/deal}"
cd "$(dirname "$0")/.."
echo "== deal check examples/*.deal"
"$deal" check examples/*.deal
echo
echo "== deal run examples/ai_compute_web.deal --scenario openai_cannot_pay"
echo "   If OpenAI stops paying in 2027, who defaults, when and why? How much equity do"
echo "   its partners lose? (Compare with --scenario openai_pays, where it keeps paying.)"
echo
"$deal" run examples/ai_compute_web.deal --scenario openai_cannot_pay --format table --analyses systemic,circularity
echo
echo "Every scenario (including a 10,000-path Monte Carlo):"
echo "  $deal run examples/ai_compute_web.deal --all --format table"
