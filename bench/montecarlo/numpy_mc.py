#!/usr/bin/python3
"""The Monte Carlo benchmark network in Python/NumPy: what an analyst would write
instead of a .deal program. Same model as generate.py's network.deal (same rules,
same order within a step); NumPy's own random numbers, so results agree with `deal`
statistically, not bit for bit.

Two styles:
  --mode batch  (default) paths vectorised: arrays of (paths in a batch) x (parties or
                contracts); clearing by fixed-point iteration on all paths of the batch
                at once. The fastest NumPy formulation we know of.
  --mode path   one path at a time, vectorised over parties and contracts within a step:
                the straightforward translation of the model.

Clearing (Eisenberg–Noe, one priority level, no default costs): each firm pays the share
r_i = min(1, (cash_i + receipts_i) / owed_i) of everything it owes; iterating from r = 1
decreases monotonically to the greatest clearing vector (the one `deal` computes exactly);
we stop when no payment moves by more than a cent. A firm defaults when it pays more than
$1 less than it owes.

Usage: numpy_mc.py network.json [--paths N] [--seed S] [--mode batch|path] [--batch 500] > result.json
"""
import argparse, json, sys, time

import numpy as np


def load(path):
    with open(path) as f:
        d = json.load(f)
    P = d["parties"]
    D = d["deals"]
    net = {
        "steps": d["steps"], "dt": d["dt"], "paths": d["paths"], "seed": d["seed"],
        "market_mean": d["market"]["mean"], "market_sd": d["market"]["sd"],
        "names": [p["name"] for p in P],
        "cash": np.array([p["cash"] for p in P], float),
        "revenue": np.array([p["revenue"] for p in P], float),
        "cost": np.array([p["cost"] for p in P], float),
        "sigma": np.array([p["sigma"] for p in P], float),
        "hazard": np.array([p["hazard"] for p in P], float),
        "buyer": np.array([x["buyer"] for x in D], int),
        "seller": np.array([x["seller"] for x in D], int),
        "amount": np.array([x["amount"] for x in D], float),
        "start": np.array([x["start"] for x in D], int),
        "term": np.array([x["term"] for x in D], int),
        "tracked": d["tracked"],
    }
    return net


def run_batch(net, rng, B, record):
    """B paths at once. record(k, cash) is called after every step; returns (defaulted, cash, due, paid, rows)."""
    n, m = len(net["cash"]), len(net["amount"])
    dt, sqrt_dt = net["dt"], np.sqrt(net["dt"])
    buyer, seller = net["buyer"], net["seller"]
    market = net["market_mean"] + net["market_sd"] * rng.standard_normal(B)
    cash = np.tile(net["cash"], (B, 1))
    revenue = np.tile(net["revenue"], (B, 1))
    defaulted = np.zeros((B, n), bool)
    deal_alive = np.ones((B, m), bool)
    row_b = (np.arange(B) * n)[:, None]  # flat index offsets for bincount
    due = np.zeros(B)
    paid = np.zeros(B)
    rows = np.zeros(B)
    cost_dt = net["cost"] * dt
    for k in range(net["steps"]):
        # Parties: fail outright, or move revenue and pay running costs.
        live = ~defaulted
        fail = live & (rng.random((B, n)) < net["hazard"])
        defaulted |= fail
        active = live & ~fail
        z = rng.standard_normal((B, n))
        revenue = np.where(active, revenue * np.exp(dt * market[:, None] + z * (sqrt_dt * net["sigma"])), revenue)
        world_in = np.where(active, revenue * dt, 0.0)
        world_owed = np.where(active, cost_dt, 0.0)
        # Contracts in their window whose buyer has not defaulted.
        window = (net["start"] <= k) & (k < net["start"] + net["term"])
        ob = np.where(deal_alive & window & ~defaulted[:, buyer], net["amount"] * 0.25, 0.0)
        owed = world_owed + np.bincount((row_b + buyer).ravel(), ob.ravel(), B * n).reshape(B, n)
        # Clearing: iterate r = min(1, (cash + receipts(r)) / owed) down to the fixed point.
        r = np.ones((B, n))
        safe_owed = np.where(owed > 0, owed, 1.0)
        for _ in range(10_000):
            pay_d = ob * r[:, buyer]
            received = world_in + np.bincount((row_b + seller).ravel(), pay_d.ravel(), B * n).reshape(B, n)
            r_new = np.where(owed > 0, np.minimum(1.0, (cash + received) / safe_owed), 1.0)
            if np.max(np.abs(r_new - r) * owed) < 0.01:
                r = r_new
                break
            r = r_new
        pay_d = ob * r[:, buyer]
        received = world_in + np.bincount((row_b + seller).ravel(), pay_d.ravel(), B * n).reshape(B, n)
        paid_out = owed * r
        cash = np.maximum(cash + received - paid_out, 0.0)
        due += world_in.sum(1) + owed.sum(1)
        paid += world_in.sum(1) + paid_out.sum(1)
        rows += active.sum(1) * 2 + (ob > 0).sum(1)
        newly = ~defaulted & (paid_out < owed - 1.0)
        defaulted |= newly
        # Contracts naming a defaulted firm end.
        deal_alive &= ~(defaulted[:, buyer] | defaulted[:, seller])
        record(k, cash)
    return defaulted, cash, due, paid, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("network")
    ap.add_argument("--paths", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--mode", choices=["batch", "path"], default="batch")
    ap.add_argument("--batch", type=int, default=500)
    a = ap.parse_args()
    net = load(a.network)
    paths = a.paths or net["paths"]
    seed = net["seed"] if a.seed is None else a.seed
    rng = np.random.default_rng(seed)
    n, steps, tracked = len(net["cash"]), net["steps"], net["tracked"]
    t0, c0 = time.perf_counter(), time.process_time()
    default_count = np.zeros(n)
    final_cash = np.zeros(n)
    series = np.zeros((len(tracked), steps, paths))
    due = paid = rows = 0.0
    B = a.batch if a.mode == "batch" else 1
    done = 0
    while done < paths:
        b = min(B, paths - done)

        def record(k, cash, lo=done, b=b):
            series[:, k, lo:lo + b] = cash[:, tracked].T

        d, cash, du, pa, ro = run_batch(net, rng, b, record)
        default_count += d.sum(0)
        final_cash += cash.sum(0)
        due += du.sum()
        paid += pa.sum()
        rows += ro.sum()
        done += b
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    out = {
        "implementation": f"Python/NumPy ({a.mode})",
        "paths": paths, "seed": seed, "seconds": seconds, "cpu_seconds": cpu_seconds, "paths_per_second": paths / seconds,
        "parties": {name: {"default_probability": default_count[i] / paths, "final_cash": final_cash[i] / paths}
                    for i, name in enumerate(net["names"])},
        "series": {f"{net['names'][t]}.cash": {
            "mean": series[j].mean(1).tolist(),
            "p5": np.percentile(series[j], 5, axis=1).tolist(),
            "p50": np.percentile(series[j], 50, axis=1).tolist(),
            "p95": np.percentile(series[j], 95, axis=1).tolist()} for j, t in enumerate(tracked)},
        "ledger": {"rows": round(rows / paths), "due": due / paths, "paid": paid / paths},
    }
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
