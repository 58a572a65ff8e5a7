#!/usr/bin/env python3
"""JSON schema checks of `deal compare` and `deal sensitivity` (docs/workflow.md), and
the tidy series CSV of `deal run --format csv` loaded as a data frame would be: every
field the docs list is there with its type, piped output defaults to JSON, and the
numbers agree with `deal run`'s own JSON (§7.1)."""
import argparse
import csv
import io
import json
import subprocess
import sys


def deal(*args, check=True):
    p = subprocess.run([A.deal, *args], capture_output=True, text=True, timeout=300)
    if check and p.returncode != 0:
        sys.exit(f"deal {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p.stdout


def require(cond, what):
    if not cond:
        sys.exit(f"FAILED: {what}")


def has(obj, fields, where):
    for name, kind in fields.items():
        require(name in obj, f"{where} has '{name}'")
        if kind is not None:
            require(isinstance(obj[name], kind), f"{where}.{name} is {kind}, got {type(obj[name]).__name__}")


ap = argparse.ArgumentParser()
ap.add_argument("--deal", required=True)
ap.add_argument("--examples", required=True)
A = ap.parse_args()
two_labs = f"{A.examples}/two_labs.deal"
NUM = (int, float)

# compare: piped without --format → JSON.
c = json.loads(deal("compare", two_labs, "base", "--set", "demand_growth=20%/y"))
has(c, {"a": dict, "b": dict, "dates": list, "defaults": list, "parties": list, "series": list, "only_a": list,
        "only_b": list}, "compare")
for side in ("a", "b"):
    has(c[side], {"label": str, "scenario": str, "paths": int, "seed": int}, f"compare.{side}")
require(c["b"]["label"] == "base (demand_growth=20%/y)", "b's label names the override")
require(len(c["defaults"]) == 1 and c["defaults"][0]["party"] == "Lab", "Lab's default differs")
d = c["defaults"][0]
for side in ("a", "b"):
    has(d[side], {"defaulted": bool, "date": None, "cause": None, "probability": NUM}, f"defaults[0].{side}")
require(d["b"]["date"] == "2027-04-01" and "Lab defaulted" in d["b"]["cause"], "b's default has its date and cause")
for p in c["parties"]:
    for f in ("cash", "debt", "equity", "default_probability"):
        has(p[f], {"a": NUM, "b": NUM, "difference": NUM}, f"parties.{p['party']}.{f}")
        require(abs(p[f]["b"] - p[f]["a"] - p[f]["difference"]) < 1e-6 * max(1, abs(p[f]["a"])), "difference = b − a")
    has(p["recovery_rate"], {"a": None, "b": None}, "recovery_rate")
# The sides agree with deal run's JSON.
run_a = json.loads(deal("run", two_labs, "-s", "base", "--analyses", "none", "-f", "json"))
lab_cash = next(s for s in c["series"] if s["label"] == "Lab.cash")
require(lab_cash["a"] == run_a["series"]["Lab.cash"], "side a's series are deal run's")
require(len(lab_cash["difference"]) == len(c["dates"]), "one difference per step")
require(c["dates"][0] == "2025-04-01", "dates are the ends of the steps")

# sensitivity JSON.
s = json.loads(deal("sensitivity", two_labs, "-s", "base", "--metric", "equity:Lab,default:Lab", "--threshold", "Lab"))
has(s, {"scenario": str, "paths": int, "seed": int, "bump": NUM, "rate_bump": NUM, "runs": int, "metrics": list,
        "params": list, "tornado": dict, "skipped": list, "threshold": dict}, "sensitivity")
for m in s["metrics"]:
    has(m, {"name": str, "title": str, "unit": str, "kind": str, "base": NUM}, "metric")
names = [m["name"] for m in s["metrics"]]
require(names == ["equity:Lab", "default:Lab"], "metrics in the order asked")
for p in s["params"]:
    has(p, {"name": str, "unit": str, "rule": str, "base": NUM, "down": NUM, "up": NUM, "metrics": dict}, "param")
    require(p["rule"] in ("relative", "absolute", "flip"), "a known rule")
    for n in names:
        has(p["metrics"][n], {"down": NUM, "up": NUM}, f"param {p['name']} metric {n}")
g = next(p for p in s["params"] if p["name"] == "demand_growth")
require(g["rule"] == "absolute" and abs(g["up"] - g["base"] - 0.01) < 1e-12, "a rate is bumped by ±1%/y")
price = next(p for p in s["params"] if p["name"] == "price_per_gw")
require(price["rule"] == "relative" and abs(price["up"] / price["base"] - 1.1) < 1e-12, "a value by ±10%")
require(s["tornado"]["equity:Lab"][0] == "price_per_gw", "the tornado ranks the largest effect first")
t = s["threshold"]
has(t, {"party": str, "defaults_at_base": bool, "params": list}, "threshold")
for p in t["params"]:
    has(p, {"param": str, "unit": str, "base": NUM, "below": None, "above": None}, "threshold param")
    for b in (p["below"], p["above"]):
        if b is not None:
            require(b["low"] <= b["high"], "a bracket is ordered")

# The sensitivity CSV holds the JSON's numbers, one row per (param, metric).
srows = list(csv.DictReader(io.StringIO(deal("sensitivity", two_labs, "-s", "base", "--metric", "equity:Lab,default:Lab",
                                             "-f", "csv"))))
require(len(srows) == len(s["params"]) * 2, "one CSV row per (param, metric)")
for r in srows:
    p = next(q for q in s["params"] if q["name"] == r["param"])
    require(float(r["at_up"]) == p["metrics"][r["metric"]]["up"], "CSV and JSON agree")

# The tornado SVG is well-formed XML with one bar per bump that moves a metric.
import os
import tempfile
import xml.etree.ElementTree as ET
with tempfile.TemporaryDirectory() as tmp:
    svg = os.path.join(tmp, "t.svg")
    deal("sensitivity", two_labs, "-s", "base", "--metric", "equity:Lab", "--svg", svg, "-f", "json")
    root = ET.parse(svg).getroot()
    rects = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.find("{http://www.w3.org/2000/svg}title") is not None]
    require(len(rects) == 4, f"two params × two bumps are drawn (got {len(rects)})")

# The tidy CSV: one row per (scenario, series, stat, step), loadable as it is.
rows = list(csv.DictReader(io.StringIO(deal("run", two_labs, "-s", "base", "-f", "csv"))))
require(list(rows[0].keys()) == ["scenario", "series", "stat", "step", "start", "date", "value", "unit"], "the header")
first = rows[0]
require(first["start"] == "2025-01-01" and first["date"] == "2025-04-01", "date is the end of the step")
require(first["stat"] == "value" and first["unit"] == "$", "stat and unit columns")
require(float(first["value"]) == run_a["series"]["Lab.cash"][0], "values are deal run's")
keys = {(r["scenario"], r["series"], r["stat"], r["step"]) for r in rows}
require(len(keys) == len(rows), "one row per (scenario, series, stat, step)")
mc = list(csv.DictReader(io.StringIO(deal("run", two_labs, "-s", "stress", "--paths", "100", "-f", "csv"))))
require({r["stat"] for r in mc} == {"mean", "p5", "p25", "p50", "p75", "p95"}, "Monte Carlo statistics in stat")
require(all("[" not in r["series"] for r in mc), "no statistic packed into the series name")
print("ok")
