#!/usr/bin/env python3
"""Monte Carlo reproducibility through the CLI (LANGUAGE.md §6.4).

Runs `deal run FILE --scenario S --format json` with --threads 1, 2 and 8 and requires
byte-identical output; requires a different seed to give different statistics; and
requires stderr to stay empty when it is not a terminal (no progress line when piped).
Usage: check_threads.py --deal PATH/TO/deal FILE SCENARIO [extra args...]
"""
import argparse, json, subprocess, sys


def run(deal, args):
    p = subprocess.run([deal, "run"] + args, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        sys.exit(f"deal run {' '.join(args)} exited {p.returncode}:\n{p.stderr}")
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deal", required=True)
    ap.add_argument("file")
    ap.add_argument("scenario")
    ap.add_argument("extra", nargs="*")
    a = ap.parse_args()
    base = [a.file, "--scenario", a.scenario, "--format", "json"] + a.extra
    outputs = {}
    for threads in (1, 2, 8):
        p = run(a.deal, base + ["--threads", str(threads)])
        if p.stderr:
            sys.exit(f"stderr is not empty with --threads {threads} (piped: no progress line expected):\n{p.stderr}")
        outputs[threads] = p.stdout
    failed = False
    for threads in (2, 8):
        if outputs[threads] != outputs[1]:
            failed = True
            a_lines, b_lines = outputs[1].splitlines(), outputs[threads].splitlines()
            for i, (x, y) in enumerate(zip(a_lines, b_lines)):
                if x != y:
                    print(f"--threads 1 and {threads} differ at line {i + 1}:\n  {x}\n  {y}")
                    break
    doc = json.loads(outputs[1])
    if doc["paths"] < 2:
        sys.exit("the scenario must have more than one path")
    seed = doc["seed"]
    other = json.loads(run(a.deal, base + ["--seed", str(seed + 1)]).stdout)
    if other["series"] == doc["series"]:
        failed = True
        print(f"seeds {seed} and {seed + 1} gave the same series")
    if [p["final"] for p in other["parties"].values()] == [p["final"] for p in doc["parties"].values()]:
        failed = True
        print(f"seeds {seed} and {seed + 1} gave the same final balances")
    # The same seed again: the same bits (nothing depends on time or scheduling).
    if run(a.deal, base + ["--threads", "2"]).stdout != outputs[1]:
        failed = True
        print("a second run with the same seed differs")
    if failed:
        sys.exit(1)
    print(f"ok: {doc['paths']} paths, identical JSON for 1, 2 and 8 threads; seed {seed + 1} differs")


if __name__ == "__main__":
    main()
