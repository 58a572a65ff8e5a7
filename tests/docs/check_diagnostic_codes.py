#!/usr/bin/env python3
"""Diagnostic codes, docs and binary agree: every code compiler/diagnostics.hpp defines is
explained in docs/diagnostics.md (and no section explains a code that does not exist);
every `[Ennn]` a golden test shows is documented; `deal explain CODE` prints exactly the
document's section for each code; an unknown code is a usage error (exit 2).
Prints one line per failure and ends with "N passed, N failed"."""
import argparse
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent


def sections(doc):
    """code -> section text (heading included, trailing blank lines dropped)."""
    out, code, lines = {}, None, []
    for line in doc.splitlines():
        m = re.match(r"## ([EW]\d{3}):", line)
        if m:
            if code:
                out[code] = "\n".join(lines).rstrip()
            code, lines = m.group(1), [line]
        elif code:
            lines.append(line)
    if code:
        out[code] = "\n".join(lines).rstrip()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deal", required=True)
    a = ap.parse_args()
    documented = sections((ROOT / "docs/diagnostics.md").read_text(encoding="utf-8"))
    defined = set(re.findall(r'= "([EW]\d{3})";', (ROOT / "compiler/diagnostics.hpp").read_text(encoding="utf-8")))
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL:", what)

    for code in sorted(defined):
        check(code in documented, f"{code} is defined in compiler/diagnostics.hpp but not explained in docs/diagnostics.md")
    for code in documented:
        check(code in defined, f"docs/diagnostics.md explains {code}, which compiler/diagnostics.hpp does not define")
    shown = set()
    for f in (ROOT / "tests/golden").rglob("*.expected"):
        shown |= set(re.findall(r"\[([EW]\d{3})\]", f.read_text(encoding="utf-8", errors="replace")))
    for code in sorted(shown):
        check(code in documented, f"a golden test shows [{code}], which docs/diagnostics.md does not explain")
    for code, text in documented.items():
        for spelling in (code, code.lower()):
            r = subprocess.run([a.deal, "explain", spelling], capture_output=True, text=True)
            check(r.returncode == 0 and r.stdout.rstrip() == text, f"`deal explain {spelling}` differs from the doc")
    r = subprocess.run([a.deal, "explain", "E999"], capture_output=True, text=True)
    check(r.returncode == 2 and "no diagnostic code 'E999'" in r.stderr and r.stdout == "",
          "`deal explain E999` is a usage error")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
