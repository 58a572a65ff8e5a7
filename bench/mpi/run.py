#!/usr/bin/env python3
"""Monte Carlo over MPI on this machine (docs/distributed.md): paths per second for one
process and for 1 and 2 ranks at the same cores, and (--million) 1,000,000 paths of the AI
compute web's stress_montecarlo on 2 ranks and in one process on 2 threads. Every MPI run's
JSON is checked byte for byte against the single process's.

Usage: python3 bench/mpi/run.py --deal build-mpi/bin/deal [--paths 20000] [--million] [--repeat 3]
"""
import argparse, os, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
ENV.setdefault("OMPI_MCA_btl", "self,vader,tcp")
ENV.setdefault("OMPI_MCA_btl_tcp_if_include", "lo")
ENV.setdefault("OMPI_MCA_oob_tcp_if_include", "lo")


def timed(cmd):
    t = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=ROOT)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr}")
    return time.time() - t, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deal", required=True)
    ap.add_argument("--mpirun", default="mpirun")
    ap.add_argument("--paths", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--million", action="store_true")
    a = ap.parse_args()
    deal = os.path.abspath(a.deal)
    cases = [("AI web stress_montecarlo", ["examples/ai_compute_web.deal", "--scenario", "stress_montecarlo"]),
             ("Monte Carlo test network", ["tests/montecarlo/mc_network.deal", "--scenario", "mc"])]
    print(f"{'case':<28} {'layout':<22} {'wall s':>8} {'paths/s':>10}  identical")
    for name, args in cases:
        run = [deal, "run"] + args + ["--paths", str(a.paths), "--format", "json"]
        # The object cache is warm after the first run: every figure below excludes compilation's cold cost.
        timed(run + ["--threads", "1"])
        layouts = [("1 process × 1 thread", [], ["--threads", "1"]),
                   ("1 process × 2 threads", [], ["--threads", "2"]),
                   ("mpirun -np 1 × 2 thr", [a.mpirun, "-np", "1"], ["--threads", "2"]),
                   ("mpirun -np 2 × 1 thr", [a.mpirun, "-np", "2"], ["--threads", "1"])]
        reference = None
        for label, launcher, flags in layouts:
            best, out = min(timed(launcher + run + flags) for _ in range(a.repeat))
            reference = reference or out
            print(f"{name:<28} {label:<22} {best:8.2f} {a.paths / best:10.0f}  {'yes' if out == reference else 'NO'}")
    if a.million:
        run = [deal, "run", "examples/ai_compute_web.deal", "--scenario", "stress_montecarlo", "--paths", "1000000",
               "--format", "json"]
        t1, out1 = timed(run + ["--threads", "2"])
        t2, out2 = timed([a.mpirun, "-np", "2"] + run + ["--threads", "1"])
        print(f"1,000,000 paths of stress_montecarlo: one process × 2 threads {t1:.1f} s; "
              f"mpirun -np 2 × 1 thread {t2:.1f} s; identical: {'yes' if out1 == out2 else 'NO'}")


if __name__ == "__main__":
    main()
