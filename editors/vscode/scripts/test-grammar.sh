#!/bin/sh
# The TextMate grammar tokenizes every example and standard library file (test/tokenize.js).
# Skipped (exit 77, with a message) when Node or the npm packages are not available.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/../.." && pwd)
if ! command -v node >/dev/null 2>&1; then
  echo "skipped: node is not installed (Debian: apt-get install nodejs npm)"
  exit 77
fi
"$here/scripts/install-deps.sh" test || exit $?
exec node "$here/test/tokenize.js" "$root"/examples/*.deal "$root"/stdlib/*.deal
