#!/usr/bin/env python3
"""Golden tests: run the `deal` CLI on a .deal file and compare with NAME.expected.

The first line of NAME.deal says how to run it:
    // golden: check                       -> deal check NAME.deal
    // golden: run --scenario s --format table
A NAME.cmd file holds instead a whole command line (paths relative to its folder), for
programs that live elsewhere, e.g. `run ../../../examples/two_labs.deal -s base -f table`.
A NAME.stdin file beside the case is fed to the command's standard input (REPL
sessions: `repl` in NAME.cmd, the typed lines in NAME.stdin); otherwise stdin is empty.
Everything the command prints is compared with NAME.expected, which holds
    <stdout>--- stderr
    <stderr>--- exit N
The command runs in the file's folder with a relative path, so file names in
diagnostics are stable. `--update` rewrites the .expected files (review the diff!).
"""
import argparse, difflib, os, shlex, subprocess, sys


def run(deal, case):
    folder, name = os.path.split(os.path.abspath(case))
    with open(case, encoding="utf-8", errors="replace") as f:
        first = f.readline().strip()
    if case.endswith(".cmd"):
        argv = [deal] + shlex.split(first)
    else:
        if not first.startswith("// golden:"):
            sys.exit(f"{case}: first line must be '// golden: COMMAND ARGS'")
        words = shlex.split(first[len("// golden:"):])
        argv = [deal, words[0], name] + words[1:]
    env = dict(os.environ, NO_COLOR="1", COLUMNS="100")
    stdin_path = os.path.splitext(case)[0] + ".stdin"
    # Bytes in, as a terminal would send them (a case may feed text that is not UTF-8);
    # output decoded with replacement so such bytes show as U+FFFD in the .expected file.
    stdin = open(stdin_path, "rb").read() if os.path.exists(stdin_path) else b""
    p = subprocess.run(argv, cwd=folder, capture_output=True, timeout=120, env=env, input=stdin)
    out = p.stdout.decode("utf-8", errors="replace")
    err = p.stderr.decode("utf-8", errors="replace")
    # Notes inside the standard library name its file by where this checkout is.
    stdlib = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "stdlib") + "/"
    out, err = out.replace(stdlib, "<stdlib>/"), err.replace(stdlib, "<stdlib>/")
    return f"{out}--- stderr\n{err}--- exit {p.returncode}\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deal", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("cases", nargs="+")
    a = ap.parse_args()
    failed = 0
    for case in a.cases:
        got = run(os.path.abspath(a.deal), case)
        exp_path = os.path.splitext(case)[0] + ".expected"
        if a.update:
            with open(exp_path, "w") as f:
                f.write(got)
            print(f"updated {exp_path}")
            continue
        try:
            with open(exp_path) as f:
                want = f.read()
        except FileNotFoundError:
            print(f"FAIL {case}: no {os.path.basename(exp_path)}; output was:\n{got}")
            failed += 1
            continue
        if got != want:
            failed += 1
            print(f"FAIL {case}")
            sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                                       "expected", "actual"))
        else:
            print(f"ok   {case}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
