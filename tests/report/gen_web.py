#!/usr/bin/env python3
"""Writes a generated deal web of N parties (default 200) to check the report's page at
scale: parties of the five built-in kinds and four others, a few hundred supply deals
between them (a layered web with some cycles), a shock that halves some revenues, and a
Monte Carlo scenario. Deterministic: the same N and seed give the same file.

Usage: gen_web.py [--parties 200] [--seed 1] OUT.deal
"""
import argparse, random

# Tiers, in the order money flows down the web: each party buys from the next tier.
KINDS = ["sovereign", "bank", "investor", "lab", "hyperscaler", "neocloud", "reit", "utility", "chipmaker"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--parties", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--paths", type=int, default=200)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    n = a.parties
    lines = [f"// A generated deal web of {n} parties (tests/report/gen_web.py --parties {n} --seed {a.seed}).",
             "calendar 2025Q1 .. 2027Q4 step quarter", "",
             "param growth = 10%/y", "param running_cost = 85%", ""]
    names = [f"P{i:03d}" for i in range(n)]
    for i, name in enumerate(names):
        kind = KINDS[i % len(KINDS)]
        cash = rnd.choice([1, 2, 3, 5, 8])
        revenue = rnd.choice([2, 4, 6, 10])
        lines += [f"party {name} is {kind} {{",
                  f"  cash = ${cash}B",
                  f"  revenue = ${revenue}B/y",
                  "  every step {",
                  "    revenue = revenue * (1 + growth * dt)",
                  "    receive(World, revenue * dt)",
                  "    pay(World, running_cost * revenue * dt)",
                  "  }",
                  "}"]
    lines += ["",
              "// Paid quarter by quarter while it runs.",
              "contract supply(buyer: Party, seller: Party, per_quarter: Money, until_date: Date) {",
              "  every step until until_date { pay(buyer, seller, per_quarter) }",
              "  on default(buyer) { terminate }",
              "}", ""]
    # Each party buys from two or three parties of the next tier (a layered web), and one
    # in thirty also from a party of an earlier tier (cycles).
    tier = {i: i % len(KINDS) for i in range(n)}
    members = [[i for i in range(n) if tier[i] == t] for t in range(len(KINDS))]
    k = 0
    for i in range(n):
        sellers = set()
        t = tier[i]
        if t + 1 < len(KINDS) and members[t + 1]:
            for _ in range(rnd.choice([2, 2, 3])):
                sellers.add(rnd.choice(members[t + 1]))
        if t > 1 and rnd.random() < 0.03:
            sellers.add(rnd.choice(members[rnd.randrange(0, t - 1)]))
        for j in sorted(sellers):
            amount = rnd.choice([100, 200, 300, 500])
            until = rnd.choice(["2026Q4", "2027Q4"])
            lines.append(f"deal d{k:04d} = supply({names[i]}, {names[j]}, ${amount}M, {until})")
            k += 1
    stalled = sorted(rnd.sample(range(n), max(1, n // 20)))
    lines += ["", "shock revenue_stall {", "  at 2025Q3 {"]
    lines += [f"    {names[i]}.revenue *= 30%" for i in stalled]
    lines += ["  }", "}", "",
              f"scenario base {{ track {names[0]}.cash, {names[1]}.cash }}",
              "scenario stall extends base { apply revenue_stall }",
              "scenario stress extends stall {",
              f"  paths {a.paths}",
              "  seed 7",
              "  param growth ~ normal(0%/y, 30%/y)",
              "}", ""]
    with open(a.out, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
