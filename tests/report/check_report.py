#!/usr/bin/env python3
"""Renders `deal report` (and `deal graph --format svg`) output in headless Chromium.

Checks that the page is self-contained (no external scripts, styles, images or
links), that Chromium loads it without console errors, and that the screenshot is a
PNG of the requested size that is not blank. Exits 77 (ctest: skipped) when Chromium
or Graphviz is not installed — .ci/run installs both, so CI always runs it.

Usage: check_report.py --deal build/bin/deal --program examples/cascade.deal --scenario stall [--keep DIR]
"""
import argparse, os, re, shutil, struct, subprocess, sys, tempfile, zlib

WIDTH, HEIGHT = 1280, 2400


def png_info(path):
    """(width, height, distinct sampled pixel values) of an 8-bit RGB/RGBA PNG."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat = 8, b""
    width = height = 0
    color = bits = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, bits, color = struct.unpack(">IIBB", chunk[:10])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    channels = {2: 3, 6: 4}.get(color, 1)
    stride = width * channels + 1
    # Sample every 16th row's raw bytes (filters aside, a blank page compresses to a
    # handful of distinct byte values; a real page has many).
    values = set()
    for row in range(0, height, 16):
        values.update(raw[row * stride + 1:(row + 1) * stride:7])
    return width, height, len(values)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deal", required=True)
    ap.add_argument("--program", required=True)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--keep", help="keep the page and screenshot in this folder")
    a = ap.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium or not shutil.which("dot"):
        print("skipped: chromium and graphviz are needed (apt-get install chromium graphviz)")
        return 77
    work = a.keep or tempfile.mkdtemp(prefix="deal-report-")
    os.makedirs(work, exist_ok=True)
    page = os.path.join(work, "report.html")
    shot = os.path.join(work, "report.png")
    r = subprocess.run([a.deal, "report", a.program, "--scenario", a.scenario, "--html", page],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        print(f"FAIL: deal report exited {r.returncode}: {r.stderr}")
        return 1
    html = open(page, encoding="utf-8").read()
    problems = []
    for pattern in [r"<script\b", r"<link\b", r"<img\b", r"<iframe\b", r"\bsrc\s*=", r"url\(\s*['\"]?https?:",
                    r"href\s*=\s*['\"]https?:"]:
        if re.search(pattern, html, re.I):
            problems.append(f"the page is not self-contained: it matches {pattern!r}")
    for needle in ["The deal web", "Tracked series", "Parties", "Analyses", "<svg"]:
        if needle not in html:
            problems.append(f"the page lacks {needle!r}")

    profile = tempfile.mkdtemp(prefix="deal-chromium-")
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--hide-scrollbars", f"--window-size={WIDTH},{HEIGHT}",
           "--enable-logging=stderr", "--v=0", f"--screenshot={shot}", "file://" + os.path.abspath(page)]
    c = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    shutil.rmtree(profile, ignore_errors=True)
    console = [line for line in c.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    errors = [line for line in console if "ERROR" in line.upper() or "Uncaught" in line]
    if errors:
        problems.append("console errors:\n" + "\n".join(errors))
    if not os.path.exists(shot):
        problems.append(f"no screenshot; chromium said:\n{c.stderr[-2000:]}")
    else:
        w, h, distinct = png_info(shot)
        if (w, h) != (WIDTH, HEIGHT):
            problems.append(f"screenshot is {w}x{h}, expected {WIDTH}x{HEIGHT}")
        if distinct < 20:
            problems.append(f"screenshot looks blank ({distinct} distinct sampled values)")
        else:
            print(f"screenshot {w}x{h}, {distinct} distinct sampled values")

    # The SVG picture of `deal graph` renders too.
    svg = os.path.join(work, "graph.svg")
    g = subprocess.run([a.deal, "graph", a.program, "--scenario", a.scenario, "--format", "svg", "-o", svg],
                       capture_output=True, text=True, timeout=120)
    if g.returncode != 0 or not open(svg, encoding="utf-8").read().lstrip().startswith("<?xml"):
        problems.append(f"deal graph --format svg failed: {g.stderr}")

    for p in problems:
        print("FAIL:", p)
    if not problems:
        print(f"ok: {page} renders in Chromium")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
