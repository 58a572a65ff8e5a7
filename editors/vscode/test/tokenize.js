// The TextMate grammar, checked with VS Code's own tokenizer (vscode-textmate with the
// Oniguruma regex engine): every file given on the command line tokenizes with every
// non-blank character inside some scope of the grammar (no unmatched text) and no region
// left open at its end (a string or block comment that swallowed the rest); and a few
// lines get the scopes they must (amounts with scale and unit, dates, interpolation).
// Prints one line per failure and "N passed, N failed".
"use strict";
const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const here = path.resolve(__dirname, "..");
const grammarPath = path.join(here, "syntaxes", "deal.tmLanguage.json");
const wasm = fs.readFileSync(path.join(here, "node_modules", "vscode-oniguruma", "release", "onig.wasm")).buffer;
const onigLib = oniguruma.loadWASM(wasm).then(() => ({
  createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
  createOnigString: (s) => new oniguruma.OnigString(s),
}));
const registry = new vsctm.Registry({
  onigLib,
  loadGrammar: async (scope) =>
    scope === "source.deal" ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath) : null,
});

let passed = 0;
let failed = 0;
function fail(msg) {
  failed++;
  console.log("FAIL: " + msg);
}

function tokenize(grammar, text) {
  let stack = vsctm.INITIAL;
  const lines = [];
  for (const line of text.split(/\r?\n/)) {
    const r = grammar.tokenizeLine(line, stack);
    lines.push({ line, tokens: r.tokens });
    stack = r.ruleStack;
  }
  // A region still open at the end shows as a scope on a blank line after it.
  const after = grammar.tokenizeLine("", stack).tokens[0].scopes;
  return { lines, open: after.length > 1 ? after.slice(1) : null };
}

// The scopes of the token covering `needle` in `line`.
function scopesAt(grammar, line, needle) {
  const { lines } = tokenize(grammar, line);
  const at = line.indexOf(needle);
  const t = lines[0].tokens.find((t) => t.startIndex <= at && at < t.endIndex);
  return t ? t.scopes : [];
}

const CASES = [
  ["param cloud_price = $12B/y/GW", "$", "constant.numeric.currency.deal"],
  ["param cloud_price = $12B/y/GW", "12", "constant.numeric.deal"],
  ["param cloud_price = $12B/y/GW", "B/y", "keyword.other.unit.deal"],
  ["param cloud_price = $12B/y/GW", "/y/GW", "keyword.other.unit.deal"],
  ["param cloud_price = $12B/y/GW", "cloud_price", "entity.name.type.deal"],
  ["param g = 30%/y", "%", "keyword.other.unit.deal"],
  ["param gw = 2.5GW", "GW", "keyword.other.unit.deal"],
  ["at 2027Q3 { }", "2027Q3", "constant.other.date.deal"],
  ["calendar 2026-01-15 .. 2030Q4 step quarter", "2026-01-15", "constant.other.date.deal"],
  ["calendar 2026-01-15 .. 2030Q4 step quarter", "calendar", "keyword.other.deal"],
  ["emit \"paid {amount} to {Lab.name}\"", "paid", "string.quoted.double.deal"],
  ["emit \"paid {amount} to {Lab.name}\"", "amount", "meta.interpolation.deal"],
  ["emit \"paid {amount} to {Lab.name}\"", " to ", "string.quoted.double.deal"],
  ["x = 1 // note", "// note", "comment.line.double-slash.deal"],
  ["x = 1 /* a */ + 2", "/* a */", "comment.block.deal"],
  ["if a and not b then 1 else 2", "then", "keyword.control.deal"],
  ["if a and not b then 1 else 2", "and", "keyword.operator.word.deal"],
  ["contract loan(lender: Party, amount: Money) {", "Money", "support.type.deal"],
  ["pay(World, Lab, $1B)", "pay", "entity.name.function.deal"],
];

registry.loadGrammar("source.deal").then((grammar) => {
  for (const [line, needle, scope] of CASES) {
    const s = scopesAt(grammar, line, needle);
    if (s.some((x) => x === scope || x.startsWith(scope))) passed++;
    else fail(`'${needle}' in ${JSON.stringify(line)}: expected ${scope}, got ${s.join(" ")}`);
  }
  const files = process.argv.slice(2);
  if (files.length === 0) fail("no files to tokenize");
  for (const file of files) {
    const { lines, open } = tokenize(grammar, fs.readFileSync(file, "utf8"));
    let ok = true;
    lines.forEach(({ line, tokens }, n) => {
      for (const t of tokens) {
        const text = line.slice(t.startIndex, t.endIndex);
        if (t.scopes.length === 1 && /\S/.test(text)) {
          ok = false;
          fail(`${file}:${n + 1}:${t.startIndex + 1}: unmatched text ${JSON.stringify(text)}`);
        }
      }
    });
    if (open) {
      ok = false;
      fail(`${file}: a region is still open at the end (${open.join(" ")})`);
    }
    if (ok) passed++;
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
});
