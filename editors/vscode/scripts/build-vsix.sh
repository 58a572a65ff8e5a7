#!/bin/sh
# Builds editors/vscode/deal-lang.vsix with @vscode/vsce (npm). Not committed: build it.
#   editors/vscode/scripts/build-vsix.sh && code --install-extension editors/vscode/deal-lang.vsix
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
cd "$here"
npx --no-install vsce package --out deal-lang.vsix
echo "built $here/deal-lang.vsix"
