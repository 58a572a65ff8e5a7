#!/usr/bin/env bash
# Installs the Debian packages deal builds and tests with. Idempotent: when every
# package is already installed it does nothing (and needs no root).
set -euo pipefail

packages=(
  build-essential cmake ccache python3 git
  antlr4 libantlr4-runtime-dev default-jre-headless
  llvm-19-dev libzstd-dev clang-19 libclang-rt-19-dev
  libfmt-dev catch2 nlohmann-json3-dev libcli11-dev libedit-dev
  librandom123-dev libeigen3-dev libbenchmark-dev
  python3-numpy
  clang-format              # tests/check_format.py: sources follow .clang-format
  tmux                      # drives the REPL's terminal test (tests/repl/tty_test.py)
)
# Node and npm: the VS Code extension's grammar test and .vsix build (editors/vscode/scripts);
# a Node installed otherwise (with its own npm) is kept.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
# Extra sets, chosen by flags (.ci/run uses both): --with-browser (the report is checked in
# headless Chromium), --with-graphviz (deal graph --format svg/png, the report's network picture),
# --with-neovim (docs/img/editor-lsp.png, taken by editors/screenshot/screenshot.sh; also needs --with-browser),
# --with-mpi (Open MPI for the MPI build, `make mpi-test`, docs/distributed.md).
for arg in "$@"; do
  case "$arg" in
    --with-browser) packages+=(chromium) ;;
    --with-graphviz) packages+=(graphviz) ;;
    --with-neovim) packages+=(neovim) ;;
    --with-mpi) packages+=(libopenmpi-dev openmpi-bin) ;;
    *) echo "install-deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
