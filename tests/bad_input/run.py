#!/usr/bin/env python3
"""Bad input for the `deal` command line: each case must fail cleanly, quickly and
within bounded memory, with a clear message, never echoing what it must not.

The table is tests/bad_input/cases.txt, one case a line (blank lines and lines starting
with `#` are skipped). A line is split like a shell command line (Python's shlex):

    EXIT  STDERR_REGEX  FORBIDDEN_REGEX  [NAME=VALUE...]  deal ARGS...  [<<< STDIN]

  EXIT             the exit status `deal` must return
  STDERR_REGEX     stderr must match it (re.search); `-` for no requirement
  FORBIDDEN_REGEX  neither stdout nor stderr may match it; `-` for none
  NAME=VALUE       optional: environment variables set for the command (e.g. PATH)
  deal ARGS...     the command; `deal` is the binary under test (--deal)
  <<< STDIN        optional, last: text sent to stdin (`\\n` is a newline); without it
                   stdin is empty (/dev/null)

Placeholders, in ARGS, STDIN and both regexes (in a regex they match literally):
  {dir}      a fresh temporary folder holding the fixtures below; the command runs there
  {outside}  a folder beside it, outside every folder a program in {dir} may read
  {src}      the source tree
  {bin}      a folder of stand-ins for programs deal runs (make_programs below), for PATH=

Every case runs with a timeout (--timeout, 20 s) and a memory limit (--memory, 4 GiB):
hanging or exhausting memory fails the case. The limit is an address-space limit
(RLIMIT_AS), except with --sanitized: AddressSanitizer reserves terabytes of shadow
address space at start-up, so there the limit is ASan's own resident-memory limit
(hard_rss_limit_mb), which kills the process with a report when crossed.
Fixtures are made by make_fixtures() below; add one there when a new row needs it.

Usage: run.py --deal PATH/TO/deal [--cases FILE] [--line N] [--sanitized]
       run.py --list   prints the line number of each case
  --line N  runs only the case on line N of the table (ctest registers one test per case,
            named "bad input: cases.txt:N", from --list at configure time)
Prints one line per case and ends with "N passed, N failed"; exits 1 on any failure.
"""
import argparse
import os
import re
import resource
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))

# A passwd-like line outside the allowed folders: no output may ever contain its marker.
SECRET = "root:x:0:0:SECRET-MARKER-91c4:/root:/bin/bash\n"
CALENDAR = "calendar 2025Q1 .. 2025Q4 step quarter\n"


def make_fixtures(dir, outside):
    def write(path, data):
        with open(path, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)

    write(os.path.join(outside, "shadow"), SECRET * 3)
    write(os.path.join(outside, "shared.deal"), "param shared = $1B\n")
    write(os.path.join(dir, "ok.deal"), CALENDAR + "party A { cash = $1B }\n")
    os.mkfifo(os.path.join(dir, "pipe.deal"))
    os.symlink("loop_b.deal", os.path.join(dir, "loop_a.deal"))
    os.symlink("loop_a.deal", os.path.join(dir, "loop_b.deal"))
    with open(os.path.join(dir, "big.deal"), "wb") as f:
        f.truncate((64 << 20) + 1)  # sparse: no disk, and must not be read
    write(os.path.join(dir, "binary.bin"), b"party A { cash = $1B }\n" + SECRET.encode() + b"\0\1\2\3")
    write(os.path.join(dir, "latin1.deal"), CALENDAR.encode() + b"// caf\xe9 " + SECRET.encode())
    os.symlink(os.path.join(outside, "shadow"), os.path.join(dir, "link.deal"))
    write(os.path.join(dir, "imports_shadow.deal"), CALENDAR + 'import "%s"\n' % os.path.join(outside, "shadow"))
    write(os.path.join(dir, "imports_up.deal"), CALENDAR + 'import "../%s/shadow"\n' % os.path.basename(outside))
    write(os.path.join(dir, "imports_link.deal"), CALENDAR + 'import "link.deal"\n')
    write(os.path.join(dir, "imports_environ.deal"), CALENDAR + 'import "/proc/self/environ"\n')
    write(os.path.join(dir, "imports_binary.deal"), CALENDAR + 'import "binary.bin"\nparty A { cash = $1B }\n')
    write(os.path.join(dir, "imports_zero.deal"), CALENDAR + 'import "/dev/zero"\n')
    write(os.path.join(dir, "imports_pipe.deal"), CALENDAR + 'import "pipe.deal"\n')
    os.mkdir(os.path.join(dir, "sub"))
    write(os.path.join(dir, "sub", "imports_parent.deal"), 'import "../ok.deal"\n')
    write(os.path.join(dir, "imports_shared.deal"),
          CALENDAR + 'import "../%s/shared.deal"\nparty A { cash = shared }\n' % os.path.basename(outside))
    # Issue 14's clearing reproducer: nobody has cash; A owes World $1B senior, B $2B and E
    # $1B junior; B owes A $2B. Nobody pays, A and B default ("did not settle" once).
    write(os.path.join(dir, "clearing.deal"), CALENDAR +
          "party A { cash = $0 }\nparty B { cash = $0 }\nparty E { cash = $0 }\n"
          "contract owe(d: Party, c: Party, amount: Money, rank: Number) "
          "{ at 2025Q1 { pay(d, c, amount, priority: rank) } }\n"
          "deal a_world = owe(A, World, $1B, 0)\ndeal a_b = owe(A, B, $2B, 1)\n"
          "deal a_e = owe(A, E, $1B, 1)\ndeal b_a = owe(B, A, $2B, 1)\nscenario s { }\n")
    # Its DOT text is bigger than a pipe holds, so a `dot` that stops reading makes deal's write fail.
    write(os.path.join(dir, "wide.deal"), CALENDAR + "".join("party P%d { cash = $1M }\n" % i for i in range(3000)))


def make_programs(bin):
    """Stand-ins for external programs deal runs, for rows that put {bin} on PATH."""
    os.mkdir(bin)
    os.mkdir(os.path.join(bin, "empty"))  # PATH={bin}/empty: no program at all
    for name, script in (
            # A `dot` that fails the way Graphviz does on bad input: a message and status 1.
            ("failing/dot", "#!/bin/sh\necho 'Error: <stdin>: syntax error in line 1' >&2\nexit 1\n"),
            # A `dot` that dies of a signal before reading its input.
            ("crashing/dot", "#!/bin/sh\nkill -SEGV $$\n"),
            # A `dot` that exits at once without reading its input: deal must not die of SIGPIPE.
            ("closing/dot", "#!/bin/sh\nexit 0\n")):
        path = os.path.join(bin, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(script)
        os.chmod(path, 0o755)


def read_cases(path):
    cases = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            words = shlex.split(line)
            stdin = None
            if "<<<" in words:
                k = words.index("<<<")
                if k != len(words) - 2:
                    sys.exit("%s:%d: `<<< STDIN` must be the last two words" % (path, n))
                stdin = words[k + 1].replace("\\n", "\n")
                words = words[:k]
            env = {}
            while len(words) > 3 and re.match(r"[A-Za-z_][A-Za-z0-9_]*=", words[3]):
                name, value = words.pop(3).split("=", 1)
                env[name] = value
            if len(words) < 4 or words[3] != "deal":
                sys.exit("%s:%d: expected EXIT STDERR_REGEX FORBIDDEN_REGEX [NAME=VALUE...] deal ARGS..." % (path, n))
            cases.append({"line": n, "exit": int(words[0]), "stderr": words[1], "forbidden": words[2],
                          "argv": words[4:], "env": env, "stdin": stdin, "text": line.strip()})
    return cases


def run_case(deal, case, timeout, memory, sanitized):
    with tempfile.TemporaryDirectory(prefix="deal_bad_input_") as tmp:
        tmp = os.path.realpath(tmp)
        dir, outside = os.path.join(tmp, "prog"), os.path.join(tmp, "outside")
        os.mkdir(dir)
        os.mkdir(outside)
        make_fixtures(dir, outside)
        make_programs(os.path.join(tmp, "bin"))
        values = {"dir": dir, "outside": outside, "src": SRC, "bin": os.path.join(tmp, "bin")}

        def fill(s, regex=False):
            for k, v in values.items():
                s = s.replace("{%s}" % k, re.escape(v) if regex else v)
            return s

        argv = [deal] + [fill(a) for a in case["argv"]]

        env = dict(os.environ, NO_COLOR="1")
        env.update({k: fill(v) for k, v in case["env"].items()})
        if sanitized:
            limit = None
            asan = [o for o in env.get("ASAN_OPTIONS", "").split(":") if o]
            env["ASAN_OPTIONS"] = ":".join(asan + ["hard_rss_limit_mb=%d" % (memory >> 20)])
        else:
            def limit():
                resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

        try:
            p = subprocess.run(argv, cwd=dir, env=env, preexec_fn=limit, capture_output=True, timeout=timeout,
                               input=None if case["stdin"] is None else fill(case["stdin"]).encode(),
                               stdin=subprocess.DEVNULL if case["stdin"] is None else None)
        except subprocess.TimeoutExpired:
            return ["did not finish within %g s" % timeout]
        out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
        problems = []
        if p.returncode != case["exit"]:
            problems.append("exit status %d, expected %d" % (p.returncode, case["exit"]))
        if case["stderr"] != "-" and not re.search(fill(case["stderr"], True), err):
            problems.append("stderr does not match /%s/" % case["stderr"])
        if case["forbidden"] != "-":
            for name, text in (("stdout", out), ("stderr", err)):
                if re.search(fill(case["forbidden"], True), text):
                    problems.append("%s matches the forbidden /%s/" % (name, case["forbidden"]))
        if problems:
            problems.append("stdout:\n" + out[:2000] + "\nstderr:\n" + err[:2000])
        return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deal")
    ap.add_argument("--cases", default=os.path.join(HERE, "cases.txt"))
    ap.add_argument("--line", type=int)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--memory", type=int, default=4 << 30)
    ap.add_argument("--sanitized", action="store_true", help="deal is built with AddressSanitizer")
    args = ap.parse_args()
    cases = read_cases(args.cases)
    if args.list:
        for c in cases:
            print(c["line"])
        return 0
    if not args.deal:
        ap.error("--deal is required")
    args.deal = os.path.abspath(args.deal)  # the cases run in their own folder
    if args.line is not None:
        cases = [c for c in cases if c["line"] == args.line]
        if not cases:
            sys.exit("no case on line %d of %s" % (args.line, args.cases))
    failed = 0
    for c in cases:
        problems = run_case(args.deal, c, args.timeout, args.memory, args.sanitized)
        print("%s  line %d: %s" % ("FAIL" if problems else "ok  ", c["line"], c["text"]))
        for p in problems:
            print("      " + p.replace("\n", "\n      "))
        failed += bool(problems)
    print("%d passed, %d failed" % (len(cases) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
