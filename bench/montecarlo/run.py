#!/usr/bin/env python3
"""Runs the Monte Carlo benchmark three ways in one go and prints paths/s side by side.

  1. the generated .deal program run by `deal run` (1 thread, then 2 threads)
  2. the hand-written C++ program on the runtime (bench_montecarlo_cpp, one thread)
  3. the flat-array C++ limit (bench_montecarlo_limit, one thread: no runtime but its
     random streams; what a compiled evaluator can aim for)
  4. the Python/NumPy program (paths vectorised in batches; and one path at a time)

Each timing is the best of --repeat runs (the machine may be shared). `deal`'s time is its
scenario run as `deal run --time` reports it (compile time is reported apart). Then it
checks that they agree on every party's default probability: `deal` and both C++
programs use the same random streams, so they must agree exactly; NumPy has its own random
numbers, so it must agree within 4.5 standard errors for every party.

Usage: run.py [--build build-mc] [--paths 4000] [--numpy-paths 2000] [--repeat 3] [--work DIR]
"""
import argparse, glob, json, math, os, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def sh(argv, **kw):
    # Compile figures are of the compile itself, not of the object cache.
    p = subprocess.run(argv, capture_output=True, text=True, env=dict(os.environ, DEAL_NO_CACHE="1"), **kw)
    if p.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {p.returncode}:\n{p.stderr[-2000:]}")
    return p


def run_deal(deal, program, paths, threads):
    p = sh([deal, "run", program, "--paths", str(paths), "--threads", str(threads), "--format", "json", "--time"])
    m = re.search(r"timing: scenario \S+: (\d+) paths in ([\d.]+) ms.*CPU (\d+) ms", p.stderr)
    c = re.search(r"parse \+ check ([\d.]+) ms, IR \+ optimise \+ native code ([\d.]+) ms", p.stderr)
    doc = json.loads(p.stdout)
    return {"seconds": float(m.group(2)) / 1000, "paths": int(m.group(1)), "doc": doc, "cpu": float(m.group(3)) / 1000,
            "check_ms": float(c.group(1)), "jit_ms": float(c.group(2))}


def run_json(argv):
    doc = json.loads(sh(argv).stdout)
    return {"seconds": doc["seconds"], "cpu": doc["cpu_seconds"], "paths": doc["paths"], "doc": doc}


def best(fn, repeat):
    runs = [fn() for _ in range(repeat)]
    return min(runs, key=lambda r: r["cpu"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build-mc"))
    ap.add_argument("--paths", type=int, default=4000, help="paths for deal and C++")
    ap.add_argument("--numpy-paths", type=int, default=2000, help="paths for NumPy (batched)")
    ap.add_argument("--numpy-path-paths", type=int, default=200, help="paths for NumPy one path at a time")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--python", default="/usr/bin/python3", help="the Python with NumPy (Debian's python3-numpy)")
    ap.add_argument("--work", help="where the generated network goes (default: a temporary folder)")
    a = ap.parse_args()
    deal = os.path.join(a.build, "bin", "deal")
    cpp = os.path.join(a.build, "bin", "bench_montecarlo_cpp")
    limit = os.path.join(a.build, "bin", "bench_montecarlo_limit")
    for f in (deal, cpp, limit):
        if not os.path.exists(f):
            sys.exit(f"{f} not found: build first "
                     f"(cmake --build {a.build} --target deal bench_montecarlo_cpp bench_montecarlo_limit)")
    work = a.work or tempfile.mkdtemp(prefix="deal-bench-mc-")
    sh([sys.executable, os.path.join(HERE, "generate.py"), work, "--paths", str(a.paths)])
    program, data = os.path.join(work, "network.deal"), os.path.join(work, "network.json")
    nprocs = os.cpu_count() or 1
    load0 = os.getloadavg()[0]  # before our own runs: how busy the machine already is
    print(f"network: {work}/network.deal (200 parties, 1,000 deals, 40 quarters); {nprocs} cores; best of {a.repeat}")

    r = {}
    r["deal1"] = best(lambda: run_deal(deal, program, a.paths, 1), a.repeat)
    r["deal2"] = best(lambda: run_deal(deal, program, a.paths, 2), a.repeat)
    r["cpp"] = best(lambda: run_json([cpp, data, "--paths", str(a.paths)]), a.repeat)
    r["limit"] = best(lambda: run_json([limit, data, "--paths", str(a.paths)]), a.repeat)
    np_script = os.path.join(HERE, "numpy_mc.py")
    r["numpy"] = best(lambda: run_json([a.python, np_script, data, "--paths", str(a.numpy_paths)]), a.repeat)
    r["numpy_path"] = best(lambda: run_json([a.python, np_script, data, "--paths", str(a.numpy_path_paths),
                                             "--mode", "path"]), 1)

    # Wall-clock paths/s, and CPU time per path (what the program itself consumed, all its
    # threads: robust when other work shares the machine). Ratios use CPU time per path for
    # the single-threaded comparisons.
    rate = {k: v["paths"] / v["seconds"] for k, v in r.items()}
    cpu = {k: v["cpu"] / v["paths"] for k, v in r.items()}
    base = rate["deal1"]
    rows = [("deal run, 1 thread", "deal1"), ("deal run, 2 threads", "deal2"),
            ("hand-written C++, 1 thread", "cpp"), ("flat-array C++ limit, 1 thread", "limit"),
            ("Python/NumPy, paths batched", "numpy"),
            ("Python/NumPy, one path at a time", "numpy_path")]
    print()
    print(f"{'implementation':34} {'paths':>6} {'wall s':>8} {'paths/s':>9} {'CPU µs/path':>12} "
          f"{'CPU vs deal':>12}")
    for label, k in rows:
        print(f"{label:34} {r[k]['paths']:>6} {r[k]['seconds']:>8.3f} {rate[k]:>9.0f} {cpu[k] * 1e6:>12.0f} "
              f"{cpu[k] / cpu['deal1']:>11.2f}×")
    print()
    print(f"deal / hand-written C++, CPU time per path on 1 thread: {cpu['deal1'] / cpu['cpp']:.2f} "
          f"(wall clock {rate['cpp'] / base:.2f}; issue 5's goal, ≤ 1.5)")
    print(f"deal / flat-array limit, CPU time per path on 1 thread: {cpu['deal1'] / cpu['limit']:.2f} (goal ≤ 2); "
          f"hand-written on the runtime / limit: {cpu['cpp'] / cpu['limit']:.2f}")
    print(f"NumPy batched / deal: {cpu['numpy'] / cpu['deal1']:.1f}× (wall {base / rate['numpy']:.1f}×); "
          f"NumPy one path at a time / deal: {cpu['numpy_path'] / cpu['deal1']:.1f}× "
          f"(wall {base / rate['numpy_path']:.1f}×) (issue 5's goal, ≥ 20×: see README)")
    cpu1, cpu2 = cpu["deal1"], cpu["deal2"]
    print(f"speed-up 1 → 2 threads: {rate['deal2'] / base:.2f}× wall clock (goal: near 2×); CPU time per path "
          f"{cpu1 * 1e6:.0f} µs on 1 thread, {cpu2 * 1e6:.0f} µs on 2 (parallel efficiency {cpu1 / cpu2:.0%}: "
          f"on two idle cores the speed-up would be about {2 * cpu1 / cpu2:.2f}×)")
    if load0 > 0.5:
        print(f"  note: the load average was {load0:.1f} on {nprocs} cores before the benchmark started (other "
              f"work on the machine): wall-clock figures, the 2-thread one most, are pessimistic")
    print(f"compile latency of this program: parse + check {r['deal1']['check_ms']:.0f} ms, "
          f"IR + optimise + native code {r['deal1']['jit_ms']:.0f} ms")

    # Compile latency of the example programs (goal < 200 ms each).
    print("\ncompile latency of the examples (deal run --time, best of 3):")
    for ex in sorted(glob.glob(os.path.join(ROOT, "examples", "*.deal"))):
        times = []
        for _ in range(3):
            p = subprocess.run([deal, "run", ex, "--all", "--paths", "1", "--format", "json", "--time"],
                               capture_output=True, text=True, env=dict(os.environ, DEAL_NO_CACHE="1"))
            c = re.search(r"parse \+ check ([\d.]+) ms, IR \+ optimise \+ native code ([\d.]+) ms", p.stderr)
            if c:
                times.append((float(c.group(1)) + float(c.group(2)), float(c.group(1)), float(c.group(2))))
        if times:
            t = min(times)
            print(f"  {os.path.basename(ex):28} {t[0]:7.1f} ms  (parse + check {t[1]:.1f}, JIT {t[2]:.1f})")
        else:
            print(f"  {os.path.basename(ex):28} did not run: {p.stderr.strip()[:200]}")

    # Agreement on default probabilities.
    d = r["deal1"]["doc"]["parties"]
    c = r["cpp"]["doc"]["parties"]
    n = r["numpy"]["doc"]["parties"]
    exact = max(abs(d[k]["default_probability"] - c[k]["default_probability"]) for k in d)
    lim = r["limit"]["doc"]["parties"]
    exact_limit = max(abs(d[k]["default_probability"] - lim[k]["default_probability"]) for k in d)
    same_threads = r["deal2"]["doc"] == r["deal1"]["doc"]
    nd, nn = a.paths, a.numpy_paths
    worst, worst_party = 0.0, None
    for k in d:
        p, q = d[k]["default_probability"], n[k]["default_probability"]
        pool = (p * nd + q * nn) / (nd + nn)
        se = math.sqrt(max(pool * (1 - pool), 1.0 / (nd + nn)) * (1 / nd + 1 / nn))
        z = abs(p - q) / se
        if z > worst:
            worst, worst_party = z, k
    mean_pd = sum(v["default_probability"] for v in d.values()) / len(d)
    print(f"\ndefault probabilities (mean over parties {mean_pd:.3f}):")
    print(f"  deal vs C++:   max |difference| {exact:.3g} (same streams: must be 0)")
    print(f"  deal vs limit: max |difference| {exact_limit:.3g} (same streams: must be 0)")
    print(f"  deal 1 vs 2 threads: {'identical' if same_threads else 'DIFFERENT'} JSON")
    print(f"  deal vs NumPy: largest difference {worst:.2f} standard errors ({worst_party}); bound 4.5")
    ok = exact == 0 and exact_limit == 0 and same_threads and worst <= 4.5
    print("agreement: " + ("ok" if ok else "FAILED"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
