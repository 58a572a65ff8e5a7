#!/usr/bin/env python3
"""Every C++ source follows .clang-format (run `clang-format -i FILE` to fix one).

Checks the hand-written sources of the tree's folders (not build output) with
`clang-format --dry-run -Werror`; skipped (exit 77) when clang-format is not installed.
"""
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FOLDERS = ["bench", "compiler", "engine", "examples", "include", "report", "runtime", "tests", "tools"]


def main() -> int:
    exe = shutil.which("clang-format")
    if exe is None:
        print("clang-format is not installed: skipped")
        return 77
    files = sorted(str(p) for folder in FOLDERS for ext in ("*.cpp", "*.hpp", "*.h")
                   for p in (ROOT / folder).rglob(ext) if "build" not in p.relative_to(ROOT).parts)
    bad = []
    for i in range(0, len(files), 50):
        chunk = files[i:i + 50]
        r = subprocess.run([exe, "--dry-run", "-Werror", *chunk], capture_output=True, text=True)
        if r.returncode != 0:
            bad.extend(sorted({line.split(":", 1)[0] for line in r.stderr.splitlines() if ": error:" in line}))
    for f in bad:
        print(f"not formatted: {pathlib.Path(f).relative_to(ROOT)} (clang-format -i {f})")
    print(f"{len(files)} files checked, {len(bad)} not formatted")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
