#!/usr/bin/env bash
# Takes docs/img/editor-lsp.png: Neovim (Debian's neovim) with `deal lsp` on
# example.deal, showing a diagnostic (a name misspelt while editing) and the hover of a param, run in
# tmux; the terminal's screen (with its colours) is rendered by headless Chromium.
#   editors/screenshot/screenshot.sh build/bin/deal
# Needs neovim, tmux and chromium (scripts/install-deps.sh --with-neovim --with-browser).
set -euo pipefail
deal=$(realpath "${1:-build/bin/deal}")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'tmux kill-session -t deal-shot 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$here/example.deal" "$work/example.deal"
tmux new-session -d -s deal-shot -x 96 -y 26 \
  "cd $work && DEAL=$deal TERM=xterm-256color nvim -u $here/init.lua example.deal"
sleep 3                                     # the server checks the file (no errors)
tmux send-keys -t deal-shot ":10s/capacity/capcity/" Enter   # a typo, unsaved: an error appears
sleep 2
tmux send-keys -t deal-shot "10G" "34|"      # onto the use of `cloud_price`
sleep 1
tmux send-keys -t deal-shot K
sleep 2
tmux capture-pane -t deal-shot -e -p > "$work/screen.ansi"
python3 "$here/ansi_to_html.py" "$work/screen.ansi" > "$work/screen.html"
mkdir -p "$root/docs/img"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=900,505 \
  --screenshot="$root/docs/img/editor-lsp.png" "file://$work/screen.html" 2>/dev/null
echo "wrote $root/docs/img/editor-lsp.png"
