#!/usr/bin/env python3
"""docs/tutorial.md, checked: every ```deal block is appended to web.deal (or, with
`file=NAME`, written whole to NAME) in a fresh folder, and web.deal must check after each
block; every ```console block's `$ ` lines are run there (with `deal` the binary under
test) and their output must be the text that follows them. Prints one line per failure
and ends with "N passed, N failed"."""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
FENCE = re.compile(r"^```(\w+)?(?: (.*))?$")


def blocks(text):
    """(kind, info, body, line) for each fenced block."""
    out, kind, info, body, start = [], None, None, [], 0
    for n, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if kind is None and m and m.group(1):
            kind, info, body, start = m.group(1), m.group(2) or "", [], n
        elif kind is not None and line == "```":
            out.append((kind, info, "\n".join(body) + "\n", start))
            kind = None
        elif kind is not None:
            body.append(line)
    return out


def commands(body):
    """(command, expected output) for each `$ ` line of a console block."""
    out = []
    for line in body.splitlines():
        if line.startswith("$ "):
            out.append([line[2:], []])
        elif out:
            out[-1][1].append(line)
    return [(c, "\n".join(e).rstrip("\n")) for c, e in out]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deal", required=True)
    ap.add_argument("--doc", default=str(ROOT / "docs/tutorial.md"))
    a = ap.parse_args()
    deal = os.path.abspath(a.deal)
    passed = failed = 0
    env = dict(os.environ, NO_COLOR="1", COLUMNS="100", PATH=os.path.dirname(deal) + os.pathsep + os.environ["PATH"],
               DEAL_NO_CACHE="1")
    with tempfile.TemporaryDirectory() as tmp:
        web = pathlib.Path(tmp, "web.deal")
        web.write_text("")
        for kind, info, body, line in blocks(pathlib.Path(a.doc).read_text(encoding="utf-8")):
            where = f"{os.path.basename(a.doc)}:{line}"
            if kind == "deal":
                m = re.match(r"file=(\S+)", info)
                if m:
                    pathlib.Path(tmp, m.group(1)).write_text(body)
                    continue
                with web.open("a") as f:
                    f.write(("\n" if web.stat().st_size else "") + body)
                r = subprocess.run([deal, "check", "web.deal"], cwd=tmp, capture_output=True, text=True, env=env)
                if r.returncode == 0:
                    passed += 1
                else:
                    failed += 1
                    print(f"FAIL {where}: web.deal does not check after this block:\n{r.stderr}")
            elif kind == "console":
                for cmd, want in commands(body):
                    r = subprocess.run(cmd, shell=True, cwd=tmp, capture_output=True, text=True, env=env)
                    got = r.stdout.rstrip("\n")
                    if got == want:
                        passed += 1
                    else:
                        failed += 1
                        print(f"FAIL {where}: `{cmd}` printed\n{got}\n--- instead of\n{want}\n{r.stderr}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
