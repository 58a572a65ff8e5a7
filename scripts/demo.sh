#!/usr/bin/env bash
# The main job, run by `make demo` with the built binary: check every example, then run
# the example scenarios. (The AI compute web example replaces this once it exists.)
set -euo pipefail
deal="${1:-build/bin/deal}"
cd "$(dirname "$0")/.."
echo "== deal check examples/*.deal"
"$deal" check examples/*.deal
echo
echo "== deal run examples/two_labs.deal --scenario base"
"$deal" run examples/two_labs.deal --scenario base --format table
echo
echo "== deal run examples/two_labs.deal --scenario stress (Monte Carlo)"
"$deal" run examples/two_labs.deal --scenario stress --format table
