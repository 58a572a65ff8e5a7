#!/usr/bin/env bash
# The main job: check every example program, then (once `deal run` exists) run the
# AI compute web. Called by `make demo` with the built binary.
set -euo pipefail
deal="${1:-build/bin/deal}"
cd "$(dirname "$0")/.."
echo "== deal check examples/*.deal"
"$deal" check examples/*.deal
