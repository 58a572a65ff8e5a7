#!/usr/bin/env python3
"""A terminal screen captured with `tmux capture-pane -e` (SGR colour codes) as an HTML
page: what editors/screenshot/screenshot.sh hands to Chromium for its screenshot."""
import html
import re
import sys

BASIC = ["#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
         "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"]


def color256(n):
    if n < 16:
        return BASIC[n]
    if n < 232:
        n -= 16
        r, g, b = n // 36, (n // 6) % 6, n % 6
        return "#%02x%02x%02x" % tuple(0 if v == 0 else 55 + 40 * v for v in (r, g, b))
    v = 8 + 10 * (n - 232)
    return "#%02x%02x%02x" % (v, v, v)


def main():
    text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
    out, fg, bg, bold, under = [], None, None, False, False
    for part in re.split(r"(\x1b\[[0-9;:]*m)", text):
        m = re.fullmatch(r"\x1b\[([0-9;:]*)m", part)
        if not m:
            if part:
                style = []
                if fg: style.append(f"color:{fg}")
                if bg: style.append(f"background:{bg}")
                if bold: style.append("font-weight:bold")
                if under: style.append("text-decoration:underline")
                out.append(f'<span style="{";".join(style)}">{html.escape(part)}</span>')
            continue
        codes = [int(c) if c.isdigit() else 0 for c in re.split(r"[;:]", m.group(1) or "0")]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0: fg = bg = None; bold = under = False
            elif c == 1: bold = True
            elif c == 4: under = True
            elif c == 22: bold = False
            elif c == 24: under = False
            elif 30 <= c <= 37: fg = BASIC[c - 30]
            elif 90 <= c <= 97: fg = BASIC[c - 90 + 8]
            elif 40 <= c <= 47: bg = BASIC[c - 40]
            elif 100 <= c <= 107: bg = BASIC[c - 100 + 8]
            elif c == 39: fg = None
            elif c == 49: bg = None
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    col = color256(codes[i + 2]); i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    col = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5]); i += 4
                else:
                    col = None
                if c == 38: fg = col
                else: bg = col
            i += 1
    print('<!doctype html><meta charset="utf-8"><body style="margin:0;background:#1e1e1e">'
          '<pre style="margin:0;padding:8px;font:14px/1.25 \'DejaVu Sans Mono\',monospace;color:#d4d4d4">'
          + "".join(out) + "</pre>")


main()
