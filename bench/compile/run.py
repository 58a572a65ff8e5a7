#!/usr/bin/env python3
"""Compile scaling: how parse + check and code generation grow with the number of deals.

Generates networks of M parties and N deals drawn from a few contracts (a loan, a
take-or-pay commitment, a revenue share, a lease; one step each, on a quarterly
calendar), then runs `deal run --time --paths 1` on each and reads the phases it reports:
parse + check (text → checked program) and IR + optimise + native code (the JIT), plus
the run of the one path. Prints a table and the growth exponent between successive
sizes (time ∝ N^k: k ≈ 1 is linear). A size whose compile exceeds --timeout is reported
as such and larger sizes are skipped.

Goal (issue 12): compile linear or better in the number of deals and below 3× the
parse + check time from 100 to 100,000 deals; a 10,000-party, 100,000-deal network from
text to its first cleared path in under 5 s.

Usage: run.py [--deal build/bin/deal] [--sizes 100,1000,10000,100000] [--parties-per-deal 0.1]
              [--timeout 300] [--work DIR] [--repeat 1]
"""
import argparse, math, os, re, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

CONTRACTS = """
contract loan(lender: Party, borrower: Party, principal: Money, rate: Rate) {
  every step { pay(borrower, lender, principal * rate * dt) }
}
contract commitment(buyer: Party, seller: Party, per_year: Flow) {
  every step { pay(buyer, seller, per_year * dt) }
}
contract revenue_share(payer: Party, payee: Party, share: Number) {
  every step { pay(payer, payee, share * inflow(payer)) }
}
contract lease(tenant: Party, landlord: Party, total: Money, term: Duration) {
  every step for term { pay(tenant, landlord, total * span / term) }
}
"""


def generate(path, deals, parties, seed=1):
    """A network: `parties` firms with revenue from World, `deals` deals among them."""
    import random
    rng = random.Random(seed)
    u = rng.random
    out = ["calendar 2025Q1 .. 2025Q4 step quarter", CONTRACTS]
    for i in range(parties):
        out.append(f"party F{i} {{ cash = ${int(50 + 100 * u())}M  every step {{ receive(World, ${int(20 + 40 * u())}M) }} }}")
    for d in range(deals):
        a = int(u() * parties)
        b = (a + 1 + int(u() * (parties - 1))) % parties
        kind = d % 4
        if kind == 0:
            out.append(f"deal d{d} = loan(F{a}, F{b}, ${int(10 + 90 * u())}M, {int(2 + 8 * u())}%/y)")
        elif kind == 1:
            out.append(f"deal d{d} = commitment(F{a}, F{b}, ${int(1 + 9 * u())}M/y)")
        elif kind == 2:
            out.append(f"deal d{d} = revenue_share(F{a}, F{b}, {int(1 + 4 * u())}%)")
        else:
            out.append(f"deal d{d} = lease(F{a}, F{b}, ${int(5 + 20 * u())}M, {int(1 + 3 * u())}y)")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def measure(deal, program, timeout):
    t0 = time.monotonic()
    try:
        p = subprocess.run([deal, "run", program, "--paths", "1", "--format", "json", "--time", "--analyses", "none"],
                           capture_output=True, text=True, timeout=timeout,
                           env=dict(os.environ, DEAL_NO_CACHE="1"))  # measure the compile, not the cache
    except subprocess.TimeoutExpired:
        return None
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"deal run {program} exited {p.returncode}:\n{p.stderr[-2000:]}")
    c = re.search(r"parse \+ check ([\d.]+) ms, IR \+ optimise \+ native code ([\d.]+) ms", p.stderr)
    r = re.search(r"timing: scenario \S+: \d+ paths? in ([\d.]+) ms", p.stderr)
    return {"check": float(c.group(1)), "jit": float(c.group(2)), "run": float(r.group(1)) if r else float("nan"),
            "wall": wall * 1000}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deal", default=os.path.join(ROOT, "build", "bin", "deal"))
    ap.add_argument("--sizes", default="100,1000,10000,100000")
    ap.add_argument("--parties-per-deal", type=float, default=0.1)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--work")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="deal-bench-compile-")
    sizes = [int(s) for s in a.sizes.split(",")]
    print(f"networks in {work}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    print(f"{'deals':>8} {'parties':>8} {'lines':>8} {'parse+check ms':>15} {'JIT ms':>10} {'JIT/check':>10} "
          f"{'run ms':>8} {'wall ms':>9} {'JIT growth k':>13}")
    prev = None
    for n in sizes:
        parties = max(10, int(n * a.parties_per_deal))
        program = os.path.join(work, f"network_{n}.deal")
        generate(program, n, parties)
        lines = sum(1 for _ in open(program))
        runs = [measure(a.deal, program, a.timeout) for _ in range(a.repeat)]
        if any(r is None for r in runs):
            print(f"{n:>8} {parties:>8} {lines:>8}  did not finish within {a.timeout:g} s; larger sizes skipped")
            break
        m = min(runs, key=lambda r: r["jit"])
        k = "" if prev is None else f"{math.log(m['jit'] / prev[1]) / math.log(n / prev[0]):.2f}"
        print(f"{n:>8} {parties:>8} {lines:>8} {m['check']:>15.1f} {m['jit']:>10.1f} {m['jit'] / m['check']:>9.1f}× "
              f"{m['run']:>8.1f} {m['wall']:>9.0f} {k:>13}")
        prev = (n, m["jit"])


if __name__ == "__main__":
    main()
