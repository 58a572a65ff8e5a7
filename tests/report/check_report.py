#!/usr/bin/env python3
"""Renders `deal report` (and `deal graph --format svg`) output in headless Chromium.

Checks that the page is self-contained (no external scripts, styles, images or
links; its one script is inline), that Chromium loads it without console errors, and
that the screenshot is a PNG of the requested size that is not blank. Then a copy of
the page with tests/report/harness.js injected is loaded with --dump-dom: the harness
hovers a party and an edge, clicks a party, zooms, pans and sorts a table through the
DOM, lists every resource the page fetched (there must be none) and writes its
findings into the dumped DOM. Exits 77 (ctest: skipped) when Chromium
or Graphviz is not installed — .ci/run installs both, so CI always runs it.

Usage: check_report.py --deal build/bin/deal --program examples/cascade.deal --scenario stall [--keep DIR]
       check_report.py --deal build/bin/deal --generate 200 --scenario stress --monte-carlo
       check_report.py ... --without-graphviz (the page's built-in drawing of the web)
(--generate N: the program is tests/report/gen_web.py's web of N parties.)
"""
import argparse, json, os, re, shutil, struct, subprocess, sys, tempfile, zlib

HERE = os.path.dirname(os.path.abspath(__file__))

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


# The harness's checks that must hold; a check may instead say why it does not apply.
REQUIRED = ["ready", "interactive", "no_graphviz_ids", "party_hover", "edge_hover", "click_highlights", "zoom", "pan",
            "find_party", "sort"]


def drive_page(chromium, page, work, monte_carlo):
    """Loads a copy of the page with the harness and returns the problems it found."""
    html = open(page, encoding="utf-8").read()
    harness = open(os.path.join(HERE, "harness.js"), encoding="utf-8").read()
    driven = os.path.join(work, "report-driven.html")
    with open(driven, "w", encoding="utf-8") as f:
        f.write(html.replace("<head>", "<head><script>" + harness + "</script>", 1))
    profile = tempfile.mkdtemp(prefix="deal-chromium-")
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--window-size=1280,900", "--virtual-time-budget=5000",
           "--enable-logging=stderr", "--v=0", "--dump-dom", "file://" + os.path.abspath(driven)]
    c = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    shutil.rmtree(profile, ignore_errors=True)
    # The last match: the harness's own source (in the dump too) names the element.
    found = re.findall(r'<pre id="harness-result">(\{.*?)</pre>', c.stdout, re.S)
    if not found:
        return [f"the harness wrote no result; chromium said:\n{c.stderr[-2000:]}"]
    text = found[-1].replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    r = json.loads(text)
    problems = []
    for e in r["errors"]:
        problems.append(f"console error in the page: {e}")
    if r["resources"]:
        problems.append(f"the page fetched {r['resources']}")
    checks = r["checks"]
    for name in REQUIRED:
        if checks.get(name) is not True:
            problems.append(f"harness check {name!r}: {checks.get(name)!r}")
    if checks.get("defaulted_party_hover") not in (True, "none defaulted"):
        problems.append(f"harness check 'defaulted_party_hover': {checks.get('defaulted_party_hover')!r}")
    if checks.get("mc_charts") != (True if monte_carlo else "not a Monte Carlo page"):
        problems.append(f"harness check 'mc_charts': {checks.get('mc_charts')!r}")
    print("harness:", json.dumps({k: r.get(k) for k in ["party_tip", "edge_tip", "zoom", "highlighted_edges",
                                                         "sortable_tables", "mc_tip"]}, ensure_ascii=False))
    return problems


def print_page(chromium, page, work):
    """Prints the page to PDF (its print stylesheet) and returns the problems."""
    pdf = os.path.join(work, "report.pdf")
    profile = tempfile.mkdtemp(prefix="deal-chromium-")
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={profile}",
           "--disable-background-networking", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
           "file://" + os.path.abspath(page)]
    c = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    shutil.rmtree(profile, ignore_errors=True)
    if not os.path.exists(pdf) or open(pdf, "rb").read(5) != b"%PDF-":
        return [f"printing to PDF failed; chromium said:\n{c.stderr[-2000:]}"]
    print(f"printed: {os.path.getsize(pdf) // 1024} kB PDF")
    return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deal", required=True)
    ap.add_argument("--program")
    ap.add_argument("--generate", type=int, help="use a generated web of this many parties")
    ap.add_argument("--monte-carlo", action="store_true", help="the scenario is a Monte Carlo one")
    ap.add_argument("--without-graphviz", action="store_true",
                    help="write the page as on a machine without Graphviz (the built-in drawing)")
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--keep", help="keep the page and screenshot in this folder")
    a = ap.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium or not shutil.which("dot"):
        print("skipped: chromium and graphviz are needed (apt-get install chromium graphviz)")
        return 77
    work = a.keep or tempfile.mkdtemp(prefix="deal-report-")
    os.makedirs(work, exist_ok=True)
    if a.generate:
        a.program = os.path.join(work, f"web{a.generate}.deal")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_web.py"), "--parties", str(a.generate), a.program],
                       check=True)
    if not a.program:
        ap.error("--program or --generate is needed")
    page = os.path.join(work, "report.html")
    shot = os.path.join(work, "report.png")
    env = dict(os.environ, PATH="/nonexistent") if a.without_graphviz else None
    r = subprocess.run([a.deal, "report", a.program, "--scenario", a.scenario, "--html", page],
                       capture_output=True, text=True, timeout=300, env=env)
    if r.returncode != 0:
        print(f"FAIL: deal report exited {r.returncode}: {r.stderr}")
        return 1
    html = open(page, encoding="utf-8").read()
    problems = []
    for pattern in [r"<script\b[^>]*\bsrc", r"<link\b", r"<img\b", r"<iframe\b", r"\bsrc\s*=", r"url\(\s*['\"]?https?:",
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


    problems += drive_page(chromium, page, work, a.monte_carlo)
    problems += print_page(chromium, page, work)

    # The SVG picture of `deal graph` renders too.
    svg = os.path.join(work, "graph.svg")
    g = subprocess.run([a.deal, "graph", a.program, "--scenario", a.scenario, "--format", "svg", "-o", svg],
                       capture_output=True, text=True, timeout=120)
    if g.returncode != 0 or not open(svg, encoding="utf-8").read().lstrip().startswith("<?xml"):
        problems.append(f"deal graph --format svg failed: {g.stderr}")

    for p in problems:
        print("FAIL:", p)
    if not problems:
        print(f"ok: {os.path.basename(page)} renders in Chromium")
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)  # pages of the 200-party web are megabytes
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
