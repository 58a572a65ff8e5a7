#!/usr/bin/env python3
"""`deal repl` on a real terminal, driven through tmux (send-keys, capture-pane).

Checks what only a terminal shows: the prompts, multi-line input while a brace is
open, errors with a caret that do not end the session, Ctrl-C cancelling the input
being typed, tab completion of commands and names, history kept across sessions, and
Ctrl-D leaving. Runs on a private tmux server (-L) with its own XDG_STATE_HOME, so it
touches neither the user's tmux nor their REPL history. Exit 77 (skipped) without tmux.
"""
import argparse, os, shutil, subprocess, sys, tempfile, time

PROMPT = "deal> "


class Tmux:
    def __init__(self, socket):
        self.socket = socket

    def cmd(self, *args, check=True):
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check)

    def start(self, session, command, env):
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        self.cmd("new-session", "-d", "-s", session, "-x", "120", "-y", "50", f"env {exports} {command}")

    def keys(self, session, *keys):
        self.cmd("send-keys", "-t", session, *keys)

    def text(self, session):
        r = self.cmd("capture-pane", "-p", "-J", "-S", "-500", "-t", session, check=False)
        return r.stdout if r.returncode == 0 else ""

    def alive(self, session):
        return self.cmd("has-session", "-t", session, check=False).returncode == 0


failures = []


def wait_for(t, session, predicate, what, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        screen = t.text(session)
        if predicate(screen):
            return screen
        time.sleep(0.05)
    screen = t.text(session) or "(no session)"
    failures.append(f"timed out waiting for {what}; the screen was:\n{screen}")
    return screen


def expect(t, session, needle, what=None, timeout=10.0):
    return wait_for(t, session, lambda s: needle in s, what or repr(needle), timeout)


def expect_new(t, session, needle, since, what=None, timeout=10.0):
    """Waits for one more occurrence of `needle` than the screen `since` had."""
    before = since.count(needle)
    return wait_for(t, session, lambda s: s.count(needle) > before, what or repr(needle), timeout)


def prompt_count(screen):
    return sum(1 for line in screen.splitlines() if line.startswith(PROMPT))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deal", required=True)
    ap.add_argument("--program", required=True, help="a .deal file to load (two_labs.deal)")
    a = ap.parse_args()
    if not shutil.which("tmux"):
        print("tmux is not installed: skipped")
        return 77
    deal = os.path.abspath(a.deal)
    program = os.path.abspath(a.program)
    state = tempfile.mkdtemp(prefix="deal-repl-tty-")
    t = Tmux(f"deal-repl-test-{os.getpid()}")
    env = {"XDG_STATE_HOME": state, "NO_COLOR": "1", "TERM": "xterm", "LC_ALL": "C.UTF-8"}
    try:
        t.start("one", f"{deal} repl {program}", env)
        expect(t, "one", PROMPT, "the first prompt")
        expect(t, "one", "loaded ", "the program loaded")

        # A value with its unit.
        t.keys("one", "Lab.cash", "Enter")
        expect(t, "one", "$3.73B at the end of 2027Q4", "Lab.cash evaluated")

        # Multi-line input: the continuation prompt while the brace is open.
        t.keys("one", "party Extra {", "Enter")
        expect(t, "one", "  ... ", "the continuation prompt")
        t.keys("one", "cash = $1B", "Enter", "}", "Enter")
        expect(t, "one", "defined party Extra")

        # An error shows the caret and the session goes on.
        t.keys("one", "$1B + $1B/y", "Enter")
        screen = expect(t, "one", "cannot add Money ($) and Flow ($/y)")
        if "      |     ^" not in screen:
            failures.append("no caret under the '+':\n" + screen)
        n = prompt_count(t.text("one"))
        wait_for(t, "one", lambda s: prompt_count(s) > n - 1 and s.rstrip().endswith(PROMPT.rstrip()),
                 "a new prompt after the error")

        # Ctrl-C cancels what is being typed (here, half a declaration over two lines).
        before = t.text("one")
        t.keys("one", "param zzz = {", "Enter")
        expect_new(t, "one", "  ... ", before, "the continuation prompt of the second declaration")
        t.keys("one", "1 +", "C-c")  # at once: the Ctrl-C may arrive while "1 +" is being edited
        expect(t, "one", "^C", "Ctrl-C echoed")
        t.keys("one", "zzz", "Enter")
        expect(t, "one", "unknown name 'zzz'", "the cancelled declaration was not added")

        # Tab completion: a command, then a party's field.
        before = t.text("one")
        t.keys("one", ":ru", "Tab")
        expect_new(t, "one", PROMPT + ":run ", before, ":ru completed to :run")
        t.keys("one", "base", "Enter")
        expect(t, "one", "Scenario base — 1 path", ":run base printed the report")
        t.keys("one", "Clo", "Tab")
        t.keys("one", ".cas", "Tab")
        expect(t, "one", PROMPT + "Cloud.cash", "Clo<Tab>.cas<Tab> completed to Cloud.cash")
        t.keys("one", "Enter")
        expect(t, "one", "$42B at the end of 2027Q4", "Cloud.cash evaluated")

        # :doc completes a standard-library contract and prints its page.
        before = t.text("one")
        t.keys("one", ":doc chip_o", "Tab")
        expect_new(t, "one", PROMPT + ":doc chip_order", before, ":doc chip_o<Tab> completed to chip_order")
        t.keys("one", "Enter")
        expect(t, "one", "contract chip_order — ", ":doc chip_order printed the page")

        # :graph prints DOT text.
        t.keys("one", ":graph", "Enter")
        expect(t, "one", "digraph", ":graph printed DOT")

        # Ctrl-D on an empty line leaves.
        t.keys("one", "C-d")
        wait_for(t, "one", lambda s: s == "", "the REPL to exit on Ctrl-D")

        history = os.path.join(state, "deal", "history")
        if not os.path.exists(history):
            failures.append(f"no history file at {history}")

        # History across sessions: Up recalls the last line of the previous session.
        t.start("two", f"{deal} repl", env)
        expect(t, "two", PROMPT, "the second session's prompt")
        t.keys("two", "Up")
        expect(t, "two", PROMPT + ":graph", "Up recalled ':graph' from the first session")
        t.keys("two", "C-u", ":quit", "Enter")
        wait_for(t, "two", lambda s: s == "", "the REPL to exit on :quit")
    finally:
        t.cmd("kill-server", check=False)
        shutil.rmtree(state, ignore_errors=True)

    for f in failures:
        print("FAIL:", f)
    print("ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
