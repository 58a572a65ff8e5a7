#!/bin/sh
# Installs the extension's npm packages into editors/vscode/node_modules (ignored by git).
# Usage: scripts/install-deps.sh [test]   — `test`: only what the grammar test needs.
# Exits 77 (the "skipped" code of the tests) with a message when npm is missing or the
# install fails, e.g. without network.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 1
if ! command -v npm >/dev/null 2>&1; then
  echo "skipped: npm is not installed (Debian: apt-get install npm)"
  exit 77
fi
if [ "${1:-}" = test ]; then
  if [ -d node_modules/vscode-textmate ] && [ -d node_modules/vscode-oniguruma ]; then exit 0; fi
  set -- install --no-save --no-package-lock --no-audit --no-fund vscode-textmate@9 vscode-oniguruma@2
else
  set -- install --no-package-lock --no-audit --no-fund
fi
if ! npm "$@" >npm-install.log 2>&1; then
  echo "skipped: 'npm $*' failed (no network?); see $here/npm-install.log"
  tail -5 npm-install.log
  exit 77
fi
rm -f npm-install.log
