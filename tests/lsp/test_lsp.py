#!/usr/bin/env python3
"""A scripted LSP client (standard library only) for `deal lsp`.

Starts the server, opens a file with an error and checks the published range and
message, fixes it and checks the diagnostics clear, exercises hover, definition,
references, completion, signature help, symbols, formatting and the run-scenario code
lens; then feeds it malformed JSON-RPC, unknown methods, requests before `initialize`, a
10 MB document and a burst of changes, checking each answer per the protocol and that
the server never dies. Exits 0 when every check passes; prints each failure.

    tests/lsp/test_lsp.py --deal build/bin/deal
"""
import argparse
import json
import re
import os
import pathlib
import select
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
failures = []
passed = 0


def check(cond, what):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(what)
        print(f"FAIL: {what}", flush=True)


class Client:
    def __init__(self, deal, cwd, args=()):
        self.p = subprocess.Popen([deal, "lsp", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, cwd=cwd)
        self.buf = b""
        self.next_id = 1
        self.notes = []  # notifications received, in order

    def send_raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def send(self, obj):
        body = json.dumps(obj).encode()
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def read_message(self, wait=60):
        """The next message, or None when nothing came within `wait` seconds (a bound
        so a broken server fails the test instead of hanging it; no check depends on it)."""
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                headers = self.buf[:end].decode()
                length = int([h for h in headers.split("\r\n") if h.lower().startswith("content-length")][0]
                             .split(":")[1])
                if len(self.buf) >= end + 4 + length:
                    body = self.buf[end + 4:end + 4 + length]
                    self.buf = self.buf[end + 4 + length:]
                    return json.loads(body)
            r, _, _ = select.select([self.p.stdout], [], [], wait)
            if not r:
                return None
            chunk = os.read(self.p.stdout.fileno(), 1 << 16)
            if not chunk:
                return None
            self.buf += chunk

    def request(self, method, params=None, raw_id=None):
        rid = self.next_id if raw_id is None else raw_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return self.reply(rid)

    def reply(self, rid):
        while True:
            m = self.read_message()
            if m is None:
                return None
            if "method" in m and "id" not in m:
                self.notes.append(m)
                continue
            if m.get("id") == rid:
                return m

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics_for(self, uri, version=None):
        """The next publishDiagnostics for `uri` (of `version`, when given)."""
        for i, n in enumerate(self.notes):
            if n["method"] == "textDocument/publishDiagnostics" and n["params"]["uri"] == uri and (
                    version is None or n["params"].get("version") == version):
                del self.notes[:i + 1]
                return n["params"]["diagnostics"]
        while True:
            m = self.read_message()
            if m is None:
                return None
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri and (
                    version is None or m["params"].get("version") == version):
                return m["params"]["diagnostics"]
            self.notes.append(m)

    def alive(self):
        return self.p.poll() is None


BAD = """calendar 2026Q1 .. 2027Q4 step quarter
unit GW
param price = $12B/y/GW
param gw = 2GW
param revenue = price * gw
party Lab {
  cash = $5B
  every step { pay(Lab, World, revenue * dt + undefined_name) }
}
"""
GOOD = BAD.replace(" + undefined_name", "")

CONTRACT = """calendar 2026Q1 .. 2027Q4 step quarter
param rate = 5%/y

// A loan paid back in one sum.
contract loan(lender: Party, borrower: Party, amount: Money) {
  at 2026Q1 { pay(lender, borrower, amount) }
  at 2027Q4 { pay(borrower, lender, amount * (1 + rate * 2y)) }
}

party Bank { cash = $10B }
party Shop { cash = $1B }
deal l1 = loan(lender: Bank, borrower: Shop, amount: $2B)

scenario base {}
scenario high extends base { param rate = 9%/y }
"""


def pos_of(text, needle, offset=0):
    """LSP position (UTF-16) of the first `needle` in `text`, plus `offset` characters."""
    i = text.index(needle) + offset
    before = text[:i]
    line = before.count("\n")
    col = len(before[before.rfind("\n") + 1:].encode("utf-16-le")) // 2
    return {"line": line, "character": col}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deal", required=True)
    a = ap.parse_args()
    deal = str(pathlib.Path(a.deal).resolve())
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="deal-lsp-"))

    # ------------------------------------------------------------ before initialize
    c = Client(deal, tmp)
    r = c.request("textDocument/hover", {"textDocument": {"uri": "file:///x.deal"}, "position": {"line": 0, "character": 0}})
    check(r is not None and r.get("error", {}).get("code") == -32002, f"request before initialize: -32002, got {r}")
    r = c.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    caps = (r or {}).get("result", {}).get("capabilities", {})
    check(caps.get("hoverProvider") and caps.get("definitionProvider") and caps.get("documentFormattingProvider"),
          f"initialize announces hover, definition, formatting: {r}")
    c.notify("initialized", {})

    # ------------------------------------------------------------ diagnostics
    path = tmp / "web.deal"
    path.write_text(BAD)
    uri = path.as_uri()
    c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "deal", "version": 1, "text": BAD}})
    diags = c.diagnostics_for(uri, 1)
    check(diags is not None and len(diags) == 1, f"one diagnostic for the bad file: {diags}")
    if diags:
        d = diags[0]
        start = pos_of(BAD, "undefined_name")
        check(d["range"]["start"] == start, f"range starts at the unknown name {start}: {d['range']}")
        check(d["range"]["end"] == {"line": start["line"], "character": start["character"] + len("undefined_name")},
              f"range ends after the unknown name: {d['range']}")
        check("undefined_name" in d["message"] and d["severity"] == 1, f"message names it: {d['message']}")
        check(re.fullmatch(r"E0\d\d", str(d.get("code", ""))) is not None,
              f"diagnostic carries the stable code `deal explain` documents: {d}")
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": GOOD}]})
    diags = c.diagnostics_for(uri, 2)
    check(diags == [], f"diagnostics clear after the fix: {diags}")

    # UTF-16 columns: a non-BMP character before the error moves it by two units.
    wide = BAD.replace("party Lab {", "party Lab { // 𝄞 clef\n  revenue_note = 1", 1)
    wide = wide.replace("  cash = $5B", "  cash = $5B // é", 1).replace("revenue * dt + undefined_name",
                                                                       "revenue * dt /*𝄞*/ + undefined_name")
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": wide}]})
    diags = c.diagnostics_for(uri, 3)
    want = pos_of(wide, "undefined_name")
    check(diags and any(x["range"]["start"] == want for x in diags), f"UTF-16 column {want}: {diags}")

    # ------------------------------------------------------------ queries
    cpath = tmp / "loan.deal"
    cpath.write_text(CONTRACT)
    curi = cpath.as_uri()
    c.notify("textDocument/didOpen", {"textDocument": {"uri": curi, "languageId": "deal", "version": 1, "text": CONTRACT}})
    check(c.diagnostics_for(curi, 1) == [], "the contract file checks")
    td = {"uri": curi}

    r = c.request("textDocument/hover", {"textDocument": td, "position": pos_of(CONTRACT, "price", 0) if False else
                                         pos_of(CONTRACT, "rate = 5", 0)})
    hv = (r or {}).get("result") or {}
    text = hv.get("contents", {}).get("value", "")
    check("Rate" in text or "1/y" in text, f"hover on a param shows its dimension: {text!r}")
    check("high" in text and "9" in text, f"hover on a param lists its override per scenario: {text!r}")

    r = c.request("textDocument/hover", {"textDocument": td, "position": pos_of(CONTRACT, "loan(lender: Bank", 1)})
    text = ((r or {}).get("result") or {}).get("contents", {}).get("value", "")
    check("contract loan(" in text and "A loan paid back" in text, f"hover on a contract: signature and doc: {text!r}")

    r = c.request("textDocument/hover", {"textDocument": td, "position": pos_of(CONTRACT, "Bank { cash", 1)})
    text = ((r or {}).get("result") or {}).get("contents", {}).get("value", "")
    check("cash" in text and "Money" in text, f"hover on a party lists its fields with units: {text!r}")

    r = c.request("textDocument/hover", {"textDocument": td, "position": pos_of(CONTRACT, "$2B", 1)})
    text = ((r or {}).get("result") or {}).get("contents", {}).get("value", "")
    check("$2B" in text and "Money" in text, f"hover on a literal: its type and value: {text!r}")

    r = c.request("textDocument/definition", {"textDocument": td, "position": pos_of(CONTRACT, "loan(lender: Bank", 0)})
    loc = (r or {}).get("result") or {}
    check(loc.get("uri") == curi and loc.get("range", {}).get("start") == pos_of(CONTRACT, "loan(lender: Party"),
          f"definition of a contract: {loc}")
    r = c.request("textDocument/definition", {"textDocument": td, "position": pos_of(CONTRACT, "rate * 2y")})
    loc = (r or {}).get("result") or {}
    check(loc.get("range", {}).get("start") == pos_of(CONTRACT, "rate = 5"), f"definition of a param: {loc}")
    r = c.request("textDocument/definition", {"textDocument": td, "position": pos_of(CONTRACT, "amount: $2B")})
    loc = (r or {}).get("result") or {}
    check(loc.get("range", {}).get("start") == pos_of(CONTRACT, "amount: Money"), f"definition of a named argument: {loc}")

    r = c.request("textDocument/references", {"textDocument": td, "position": pos_of(CONTRACT, "rate = 5"),
                                              "context": {"includeDeclaration": True}})
    refs = (r or {}).get("result") or []
    check(len(refs) == 3, f"references of rate: declaration, use, scenario override: {refs}")

    # Completion after `Bank.` on an edited line (not yet checked: the old index answers).
    edited = CONTRACT + "param probe = Bank.\n"
    c.notify("textDocument/didChange", {"textDocument": {"uri": curi, "version": 2}, "contentChanges": [{"text": edited}]})
    r = c.request("textDocument/completion", {"textDocument": td, "position": pos_of(edited, "Bank.\n", 5)})
    labels = [i["label"] for i in ((r or {}).get("result") or {}).get("items", [])]
    check("cash" in labels and "rate" not in labels, f"completion after 'Bank.': its fields: {labels}")
    r = c.request("textDocument/hover", {"textDocument": td, "position": pos_of(edited, "rate = 5", 0)})
    text = ((r or {}).get("result") or {}).get("contents", {}).get("value", "")
    check("5%" in text or "0.05" in text, f"while the text has errors, hover has the last good version's types: {text!r}")
    edited2 = CONTRACT + "param probe = 3\n"
    c.notify("textDocument/didChange", {"textDocument": {"uri": curi, "version": 3}, "contentChanges": [{"text": edited2}]})
    r = c.request("textDocument/completion", {"textDocument": td, "position": pos_of(edited2, "probe = 3", 9)})
    labels = [i["label"] for i in ((r or {}).get("result") or {}).get("items", [])]
    check("y" in labels and "B" in labels, f"completion after a number: units: {labels}")
    edited3 = CONTRACT + "deal l2 = loan(\n"
    c.notify("textDocument/didChange", {"textDocument": {"uri": curi, "version": 4}, "contentChanges": [{"text": edited3}]})
    r = c.request("textDocument/completion", {"textDocument": td, "position": pos_of(edited3, "l2 = loan(", 10)})
    items = ((r or {}).get("result") or {}).get("items", [])
    check(any(i["label"] == "amount:" and "Money" in i.get("detail", "") for i in items),
          f"completion inside a contract call: named arguments with types: {[i['label'] for i in items][:10]}")
    check(any(i["label"] == "scenario" for i in items) and any(i["label"] == "Bank" for i in items),
          "completion offers keywords and names in scope")
    r = c.request("textDocument/signatureHelp", {"textDocument": td, "position": pos_of(edited3, "l2 = loan(", 10)})
    sig = (r or {}).get("result") or {}
    check(sig.get("signatures") and "amount: Money" in sig["signatures"][0]["label"], f"signature help: {sig}")
    c.notify("textDocument/didChange", {"textDocument": {"uri": curi, "version": 5}, "contentChanges": [{"text": CONTRACT}]})

    r = c.request("textDocument/documentSymbol", {"textDocument": td})
    syms = (r or {}).get("result") or []
    names = [s["name"] for s in syms]
    check(names[:1] == ["rate"] and {"loan", "Bank", "Shop", "l1", "base", "high"} <= set(names), f"outline: {names}")
    loan = [s for s in syms if s["name"] == "loan"]
    check(loan and {"lender", "amount"} <= {ch["name"] for ch in loan[0]["children"]}, "outline: a contract's arguments")
    r = c.request("workspace/symbol", {"query": "Sho"})
    ws = (r or {}).get("result") or []
    check([s["name"] for s in ws] == ["Shop"], f"workspace symbols: {ws}")

    r = c.request("textDocument/formatting", {"textDocument": td, "options": {"tabSize": 2, "insertSpaces": True}})
    check((r or {}).get("result") == [], f"formatting refuses a file with comments (no edits): {r}")
    messy = "calendar   2026Q1 .. 2027Q4 step quarter\nparty   A {cash=$1B}\n"
    mpath = tmp / "messy.deal"
    muri = mpath.as_uri()
    c.notify("textDocument/didOpen", {"textDocument": {"uri": muri, "languageId": "deal", "version": 1, "text": messy}})
    r = c.request("textDocument/formatting", {"textDocument": {"uri": muri}, "options": {"tabSize": 2, "insertSpaces": True}})
    edits = (r or {}).get("result") or []
    check(len(edits) == 1 and "party A {" in edits[0]["newText"] and "   " not in edits[0]["newText"].split("\n")[0],
          f"formatting: the canonical printer's text: {edits}")
    broken = "party A {\n"
    c.notify("textDocument/didChange", {"textDocument": {"uri": muri, "version": 2}, "contentChanges": [{"text": broken}]})
    r = c.request("textDocument/formatting", {"textDocument": {"uri": muri}, "options": {"tabSize": 2, "insertSpaces": True}})
    check((r or {}).get("result") == [], f"formatting refuses a file with syntax errors: {r}")

    r = c.request("textDocument/codeLens", {"textDocument": td})
    lenses = (r or {}).get("result") or []
    check(len(lenses) == 2 and lenses[0]["command"]["command"] == "deal.runScenario", f"a run lens per scenario: {lenses}")
    if lenses:
        r = c.request("workspace/executeCommand", {"command": "deal.runScenario", "arguments": lenses[1]["command"]["arguments"]})
        out = (r or {}).get("result") or ""
        check("Bank" in out and "Shop" in out, f"run scenario shows the result summary: {out[:300]!r}")
        shown = [n["params"]["message"] for n in c.notes if n.get("method") == "window/showMessage"]
        check(any("Parties" in m and "Series" not in m for m in shown), f"the summary is shown as a message: {shown}")

    # ------------------------------------------------------------ imports and the stdlib
    (tmp / "lib.deal").write_text("unit GW\nparam shared_price = $3B/y/GW\n")
    main_text = 'import "lib.deal"\ncalendar 2026Q1 .. 2026Q4 step quarter\nparam x = shared_price * 2GW\n'
    ipath = tmp / "main.deal"
    iuri = ipath.as_uri()
    c.notify("textDocument/didOpen", {"textDocument": {"uri": iuri, "languageId": "deal", "version": 1, "text": main_text}})
    check(c.diagnostics_for(iuri, 1) == [], "a relative import resolves against the document's folder")
    r = c.request("textDocument/definition", {"textDocument": {"uri": iuri}, "position": pos_of(main_text, "shared_price")})
    loc = (r or {}).get("result") or {}
    check(loc.get("uri", "").endswith("/lib.deal") and loc["range"]["start"] == {"line": 1, "character": 6},
          f"definition across an import: {loc}")
    r = c.request("textDocument/hover", {"textDocument": {"uri": iuri}, "position": pos_of(main_text, "shared_price", 13)})
    text = ((r or {}).get("result") or {}).get("contents", {}).get("value", "")
    check("$6B/y" in text, f"hover on an expression: its constant value: {text!r}")
    bad_import = main_text + "param y = shared_price + 1GW\n"
    c.notify("textDocument/didChange", {"textDocument": {"uri": iuri, "version": 2}, "contentChanges": [{"text": bad_import}]})
    diags = c.diagnostics_for(iuri, 2)
    check(diags and diags[0]["range"]["start"]["line"] == 3, f"a dimension error is reported: {diags}")
    std_text = 'import "std/contracts"\ncalendar 2026Q1 .. 2026Q4 step quarter\n'
    suri = (tmp / "std.deal").as_uri()
    c.notify("textDocument/didOpen", {"textDocument": {"uri": suri, "languageId": "deal", "version": 1, "text": std_text}})
    check(c.diagnostics_for(suri, 1) == [], "the standard library imports")
    r = c.request("textDocument/definition", {"textDocument": {"uri": suri}, "position": pos_of(std_text, "std/", 1)})
    loc = (r or {}).get("result") or {}
    check(loc.get("uri", "").endswith("stdlib/contracts.deal"), f"definition of an import: the file: {loc}")
    r = c.request("workspace/symbol", {"query": ""})
    ws = (r or {}).get("result") or []
    check(any("stdlib/contracts.deal" in s["location"]["uri"] for s in ws), "workspace symbols include the stdlib's")

    # ------------------------------------------------------------ protocol errors
    c.send_raw(b"Content-Length: 9\r\n\r\n{not json")
    m = c.read_message()
    check(m and m.get("error", {}).get("code") == -32700 and m.get("id") is None, f"malformed JSON: parse error: {m}")
    c.send_raw(b"Content-Type: x\r\n\r\n")
    m = c.read_message()
    check(m and m.get("error", {}).get("code") == -32700, f"no Content-Length: parse error: {m}")
    c.send({"jsonrpc": "2.0", "id": 900, "params": {}})
    m = c.reply(900)
    check(m and m.get("error", {}).get("code") == -32600, f"no method: invalid request: {m}")
    c.send([1, 2, 3])
    m = c.read_message()
    check(m and m.get("error", {}).get("code") == -32600, f"not an object: invalid request: {m}")
    r = c.request("deal/noSuchMethod", {})
    check(r and r.get("error", {}).get("code") == -32601, f"unknown method: -32601: {r}")
    c.notify("deal/noSuchNotification", {})  # ignored
    r = c.request("textDocument/hover", {"textDocument": {"uri": 5}, "position": {"line": "x"}})
    check(r and r.get("error", {}).get("code") == -32602, f"bad params: -32602: {r}")
    r = c.request("textDocument/hover", {"textDocument": {"uri": curi}, "position": {"line": 99999, "character": 99999}})
    check(r and "result" in r, f"a position past the end: an answer: {r}")
    r = c.request("textDocument/definition", {"textDocument": {"uri": "file:///never/opened.deal"}, "position": {"line": 0, "character": 0}})
    check(r and r.get("error", {}).get("code") == -32602, f"a document never opened: -32602: {r}")

    # ------------------------------------------------------------ big and fast
    big = "calendar 2026Q1 .. 2026Q4 step quarter\n" + "".join(f"param p{i} = {i}%/y\n" for i in range(560000))
    check(len(big) > 10_000_000, "the big document is over 10 MB")
    buri = (tmp / "big.deal").as_uri()
    c.notify("textDocument/didOpen", {"textDocument": {"uri": buri, "languageId": "deal", "version": 1, "text": big}})
    diags = c.diagnostics_for(buri, 1)
    check(diags is not None, "a 10 MB document is checked and answered")
    r = c.request("textDocument/hover", {"textDocument": {"uri": buri}, "position": {"line": 5000, "character": 7}})
    check(r and "result" in r, "hover in the 10 MB document")
    c.notify("textDocument/didClose", {"textDocument": {"uri": buri}})

    # A burst of changes, half-typed text among them: the last version is the one checked.
    text = ""
    for v, ch in enumerate(GOOD, start=10):
        text += ch
        c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": text}]})
    last = 10 + len(GOOD) - 1
    diags = c.diagnostics_for(uri, last)
    check(diags == [], f"after rapid changes the final text checks clean: {diags}")
    check(c.alive(), "the server is still alive")

    # ------------------------------------------------------------ shutdown
    r = c.request("shutdown")
    check(r and r.get("result") is None and "error" not in r, f"shutdown: {r}")
    r = c.request("textDocument/hover", {"textDocument": td, "position": {"line": 0, "character": 0}})
    check(r and r.get("error", {}).get("code") == -32600, f"a request after shutdown: invalid request: {r}")
    c.notify("exit", None)
    rc = c.p.wait(timeout=60)
    check(rc == 0, f"exit after shutdown: exit code 0, got {rc}")

    # exit without shutdown: 1.
    c2 = Client(deal, tmp)
    c2.notify("exit", None)
    check(c2.p.wait(timeout=60) == 1, "exit without shutdown: exit code 1")

    # --import-path relative to where the server started, for a document in another folder.
    (tmp / "other").mkdir()
    (tmp / "sub").mkdir()
    (tmp / "other" / "lib2.deal").write_text("param from_other = 1\n")
    sub_text = 'import "../other/lib2.deal"\ncalendar 2026Q1 .. 2026Q4 step quarter\nparam z = from_other\n'
    suburi = (tmp / "sub" / "main2.deal").as_uri()
    for args, want_clean in (((), False), (("--import-path", "other"), True)):
        c3 = Client(deal, tmp, args)
        c3.request("initialize", {"capabilities": {}})
        c3.notify("textDocument/didOpen", {"textDocument": {"uri": suburi, "languageId": "deal", "version": 1,
                                                            "text": sub_text}})
        diags = c3.diagnostics_for(suburi, 1)
        if want_clean:
            check(diags == [], f"--import-path DIR (relative to the server's folder) widens imports: {diags}")
        else:
            check(diags and "outside" in diags[0]["message"], f"an import outside the folder is an error: {diags}")
        c3.request("shutdown")
        c3.notify("exit", None)
        c3.p.wait(timeout=60)

    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
