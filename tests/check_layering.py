#!/usr/bin/env python3
"""The folder map of docs/internals.md, checked: every `#include "…"` of the project's
own sources must point at a folder its folder may include. Prints each violation and
ends with "N passed, N failed" (one check per source file)."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# folder → folders (prefixes) it may include; its own folder is always allowed.
ALLOWED = {
    "runtime": [],
    "report": ["runtime"],
    "compiler/ast": ["compiler/diagnostics", "compiler/ast"],
    "compiler/check": ["compiler/diagnostics", "compiler/ast", "compiler/check"],
    "compiler/codegen": ["compiler/diagnostics", "compiler/check", "runtime"],
    "compiler/jit": ["compiler/diagnostics", "compiler/check", "compiler/codegen", "runtime"],
    "compiler": ["compiler/diagnostics"],
    "engine": ["compiler", "runtime", "report", "deal"],
    "tools": ["engine", "report", "runtime"],
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_of(path):
    rel = path.relative_to(ROOT).as_posix()
    for f in sorted(ALLOWED, key=len, reverse=True):
        if rel.startswith(f + "/"):
            return f
    return None


def main():
    passed = failed = 0
    for path in sorted(ROOT.glob("*/**/*.[ch]pp")):
        if path.relative_to(ROOT).parts[0] in ("build", "tests", "bench", "examples") or "build" in path.parts[0]:
            continue
        folder = folder_of(path)
        if folder is None:
            continue
        bad = []
        for inc in INCLUDE.findall(path.read_text(encoding="utf-8", errors="replace")):
            if "/" not in inc:  # generated headers (DealParser.h) and same-folder includes
                continue
            target = inc.rsplit("/", 1)[0]
            ok = target == folder or target.startswith(folder + "/") or any(
                target == a or target.startswith(a + "/") or inc.startswith(a + ".") or inc == a + ".hpp"
                for a in ALLOWED[folder])
            if not ok:
                bad.append(inc)
        if bad:
            failed += 1
            for inc in bad:
                print(f"{path.relative_to(ROOT)}: includes \"{inc}\", outside what {folder}/ may include")
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
