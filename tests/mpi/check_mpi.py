#!/usr/bin/env python3
"""Monte Carlo over MPI (docs/distributed.md): the output of `mpirun -np N deal …` must be
byte-identical to one process's for any number of ranks and threads, a failing path on
one rank must end every rank with the error printed once, and a build without MPI must
refuse to run under mpirun.

Usage: check_mpi.py --deal MPI_BUILD/bin/deal --mpirun mpirun [--plain-deal PLAIN/bin/deal]
       [--embed MPI_BUILD/bin/mpi_embed]
Run from anywhere; paths are relative to the repository. Every mpirun has a timeout (a hang
fails the test). As root, Open MPI needs OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM)=1: set here.
"""
import argparse, os, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", NO_COLOR="1")
# CI containers often lack a high-speed network: shared memory and TCP on loopback only.
ENV.setdefault("OMPI_MCA_btl", "self,vader,tcp")
ENV.setdefault("OMPI_MCA_btl_tcp_if_include", "lo")
ENV.setdefault("OMPI_MCA_oob_tcp_if_include", "lo")
failures = []


def run(cmd, timeout=300):
    t = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=ENV, cwd=ROOT)
    except subprocess.TimeoutExpired:
        failures.append(f"timed out after {timeout} s (a hang?): {' '.join(cmd)}")
        return None
    p.seconds = time.time() - t
    return p


def mpirun(a, np, args, timeout=300):
    return run([a.mpirun, "--oversubscribe", "-np", str(np), a.deal] + args, timeout)


def first_difference(x, y):
    for i, (l1, l2) in enumerate(zip(x.splitlines(), y.splitlines())):
        if l1 != l2:
            return f"line {i + 1}:\n    {l1}\n    {l2}"
    return f"lengths {len(x)} and {len(y)}"


def identity(a, name, args, ranks=(1, 2, 3), threads=(1, 2)):
    """The same bytes from one process and from every (ranks, threads)."""
    before = len(failures)
    base = run([a.deal] + args + ["--threads", "1"])
    if base is None or base.returncode != 0:
        failures.append(f"{name}: the single-process run failed:\n{base.stderr if base else ''}")
        return
    for np in ranks:
        for t in threads:
            p = mpirun(a, np, args + ["--threads", str(t)])
            if p is None:
                continue
            if p.returncode != 0:
                failures.append(f"{name}: -np {np} --threads {t} exited {p.returncode}:\n{p.stderr}")
            elif p.stdout != base.stdout:
                failures.append(f"{name}: -np {np} --threads {t} differs from one process at "
                                f"{first_difference(base.stdout, p.stdout)}")
            elif p.stderr.strip():
                failures.append(f"{name}: -np {np} --threads {t} printed on stderr:\n{p.stderr}")
    if len(failures) == before:
        print(f"{name}: identical for ranks {list(ranks)} × threads {list(threads)}")


def failing_path(a):
    before = len(failures)
    """Exactly one path fails (path 242 of 300, on the last rank): every rank stops, exit 3,
    the message printed once, with the path and the source line, as one process prints it."""
    args = ["run", "tests/mpi/one_failing_path.deal", "--format", "json"]
    one = run([a.deal] + args)
    for np in (2, 3):
        p = mpirun(a, np, args, timeout=120)
        if p is None:
            continue
        if p.returncode != 3:
            failures.append(f"failing path: -np {np} exited {p.returncode}, not 3:\n{p.stderr}")
        if p.stdout:
            failures.append(f"failing path: -np {np} printed results:\n{p.stdout[:500]}")
        if p.stderr.count("(Monte Carlo path 242 of 300") != 1 or p.stderr.count("one_failing_path.deal:7:") != 1:
            failures.append(f"failing path: -np {np}: the error is not printed exactly once with its path "
                            f"and line:\n{p.stderr}")
        # deal's own lines (Open MPI adds its notice of the non-zero exit after them).
        if not p.stderr.startswith(one.stderr.split("\n    (Monte Carlo")[0]):
            failures.append(f"failing path: -np {np}: the message differs from one process's:\n{p.stderr}"
                            f"\n--- one process:\n{one.stderr}")
    if len(failures) == before:
        print("failing path: every rank stopped, exit 3, error once")


def plain_refuses(a):
    p = run([a.mpirun, "--oversubscribe", "-np", "2", a.plain_deal, "run", "tests/montecarlo/mc_network.deal",
             "-s", "mc"], timeout=120)
    if p is None:
        return
    if p.returncode != 2 or "this build has no MPI" not in p.stderr or p.stdout:
        failures.append(f"a build without MPI under mpirun -np 2 did not refuse (exit {p.returncode}):\n"
                        f"{p.stdout[:300]}\n{p.stderr}")
    print("a build without MPI refuses to run under mpirun")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deal", required=True)
    ap.add_argument("--mpirun", default="mpirun")
    ap.add_argument("--plain-deal")
    ap.add_argument("--embed")
    a = ap.parse_args()
    a.deal = os.path.abspath(a.deal)
    mc = ["run", "tests/montecarlo/mc_network.deal", "--scenario", "mc", "--format", "json"]
    identity(a, "mc_network", mc)
    # Sketches instead of exact percentiles: their partials travel and merge too.
    identity(a, "mc_network, sketches", mc + ["--exact-values", "0", "--paths", "5000"])
    web = ["run", "examples/ai_compute_web.deal", "--scenario", "stress_montecarlo", "--paths", "3000",
           "--format", "json"]
    identity(a, "AI web stress_montecarlo", web)
    # Every scenario: Monte Carlo ones split by paths, single paths on rank 0.
    identity(a, "AI web --all", ["run", "examples/ai_compute_web.deal", "--all", "--format", "json"],
             ranks=(3,), threads=(1,))
    identity(a, "sensitivity, single path", ["sensitivity", "examples/ai_compute_web.deal", "--scenario",
                                             "openai_cannot_pay", "--threshold", "SoftBank", "--format", "json"],
             ranks=(2, 3), threads=(1, 2))
    identity(a, "sensitivity, Monte Carlo", ["sensitivity", "tests/montecarlo/mc_network.deal", "--scenario", "mc",
                                             "--metric", "defaults,equity", "--format", "json"],
             ranks=(2, 3), threads=(1,))
    failing_path(a)
    if a.plain_deal:
        plain_refuses(a)
    if a.embed:
        # A host's own MPI program (examples/embed/mpi_main.cpp): rank 0 prints the JSON.
        expected = run([a.deal] + web)
        p = run([a.mpirun, "--oversubscribe", "-np", "3", os.path.abspath(a.embed), "examples/ai_compute_web.deal",
                 "stress_montecarlo", "3000"], timeout=300)
        if p is not None and (p.returncode != 0 or p.stdout != expected.stdout):
            failures.append(f"embedding over MPI: exit {p.returncode}; output differs from deal run: "
                            f"{first_difference(expected.stdout, p.stdout)}\n{p.stderr}")
        else:
            print("embedding: a host's MPI communicator gives deal run's JSON on rank 0")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
