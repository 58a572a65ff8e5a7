// Hostile input: every case must end in either success or errors — never a crash, a
// hang, a stack overflow or a silent partial result. The limit tests (deep nesting,
// huge files) live here too, as Wren keeps them in a folder of their own.
#include <catch2/catch.hpp>

#include <random>

#include "frontend_util.hpp"

using deal::test::parse;
using deal::test::parse_expr;

namespace {

// Parses `text`; whatever happens, the result must be consistent: errors, or a module
// that prints and parses back to an equal one.
void survives(const std::string& text, const char* what) {
  auto p = parse(text);
  if (p->ok()) {
    std::string printed, why;
    bool ok = deal::test::round_trips(p->module, &printed, &why);
    INFO(what << "\ninput:\n" << text << "\nprinted:\n" << printed << "\nproblem: " << why);
    CHECK(ok);
  } else {
    CHECK(p->diags.error_count() > 0);
    CHECK(!p->errors().empty());
  }
}

const char* kSeedProgram = R"deal(calendar 2025Q1 .. 2027Q4 step quarter
unit GW
param growth = 60%/y
param price: Money/Duration = $12B/y/GW * 1GW
party Lab is lab {
  cash = $8B
  revenue = $10B/y
  every step {
    revenue = min(revenue * (1 + growth * dt), $20B/y)
    if revenue > $5B/y { receive(World, revenue * dt) } else { pay(World, $1M, priority: 2) }
    emit "revenue {revenue / 1B}"
  }
  value = cash - debt + 8 * revenue * 1y
}
contract commitment(buyer: Party, seller: Party, total: Money = $1B, start: Date, term: Duration) {
  at start { buyer.capacity += 1GW }
  every step from start for term { pay(buyer, seller, total * span / term) }
  on default(seller) { terminate }
}
deal d = commitment(Lab, World, $24B, 2025Q2, 3y)
fn f(x: Number): Number = if x > 0 then x else -x^2
shock s { set growth = -40%/y  at 2026Q1 { Lab.cash -= $1B; default(Lab) } }
scenario base { apply s paths 100 seed 7 param growth ~ normal(30%/y, 25%/y) track Lab.cash as "c" }
)deal";

}  // namespace

TEST_CASE("empty and blank files are valid", "[bad-input]") {
  for (const char* text : {"", " ", "\n\n", "\t\r\n", "// only a comment", "/* only */", ";;;", "\xEF\xBB\xBF"}) {
    auto p = parse(text);
    INFO(text << "\n" << p->errors());
    CHECK(p->ok());
    CHECK(p->module.decls.empty());
  }
}

TEST_CASE("small broken inputs give errors", "[bad-input]") {
  for (const char* text : {"$",
                           "\"",
                           "\"abc",
                           "/*",
                           "/* abc *",
                           "(",
                           ")",
                           "{",
                           "}",
                           "[",
                           "]",
                           "party",
                           "party A",
                           "party A {",
                           "param x =",
                           "-",
                           "- -",
                           "1",
                           "$$$",
                           "\\",
                           "@",
                           "2027-",
                           "1e",
                           "1e+",
                           "fn",
                           "extern",
                           "extern fn",
                           "scenario s { clearing {",
                           "param x = \"{\"",
                           "param x = \"{\"}\"",
                           "param x = \"\\\""}) {
    std::string s(text, text + std::char_traits<char>::length(text));
    auto p = parse(s);
    INFO(s << "\n" << p->errors());
    CHECK_FALSE(p->ok());
  }
  // NUL bytes are characters like any other: an error outside strings and comments.
  CHECK_FALSE(parse(std::string("param x = 1\0", 12))->ok());
  CHECK_FALSE(parse(std::string("param\0x = 1", 11))->ok());
  // In a string a NUL is a control character, refused like ESC (it would reach a terminal).
  CHECK_THAT(parse(std::string("param x = \"a\0b\"", 15))->errors(),
             Catch::Contains("a string may not contain the control character U+0000 (null)"));
}

TEST_CASE("random bytes never crash the parser", "[bad-input]") {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> byte(0, 255), len(0, 200);
  for (int i = 0; i < 3000; ++i) {
    std::string text(static_cast<size_t>(len(rng)), '\0');
    for (auto& c : text) c = static_cast<char>(byte(rng));
    survives(text, "random bytes");
    auto e = parse_expr(text);
    if (!e->expr) CHECK(e->diags.has_errors());
  }
}

TEST_CASE("random ASCII from the language's alphabet never crashes the parser", "[bad-input]") {
  const std::string alphabet = "abcxyzQBkMT0123456789$%/.^*+-<>=!(){}[],;:~\"\\ \n\t_#";
  std::mt19937 rng(777);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1), len(0, 120);
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    size_t n = len(rng);
    for (size_t k = 0; k < n; ++k) text += alphabet[pick(rng)];
    survives(text, "random ASCII");
  }
}

TEST_CASE("mutations of a valid program never crash the parser", "[bad-input]") {
  // Token-ish fragments, so mutations look like plausible mistakes.
  const char* fragments[] = {
      "{",      "}",           "(",         ")",      ",",         ";",         "=",         "+=",
      ":",      ".",           "..",        "party ", "contract ", "deal ",     "scenario ", "shock ",
      "param ", "let ",        "if ",       "else ",  "then ",     "every ",    "step ",     "at ",
      "when ",  "on default(", "terminate", "$1B",    "2025Q1",    "\"s {x}\"", "x",         " ",
      "\n",     "-",           "^",         "not ",   "and ",      "track ",    "value ",    "~ normal(1, 2)"};
  const std::string seed = kSeedProgram;
  REQUIRE(parse(seed)->ok());
  std::mt19937 rng(4242);
  for (int i = 0; i < 2000; ++i) {
    std::string text = seed;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      size_t at = rng() % (text.size() + 1);
      switch (rng() % 4) {
        case 0:
          text.erase(at, rng() % 12);
          break;
        case 1:
          text.insert(at, fragments[rng() % (sizeof fragments / sizeof *fragments)]);
          break;
        case 2: {  // duplicate a slice elsewhere
          size_t from = rng() % text.size(), n = rng() % 30;
          std::string slice = text.substr(from, n);
          text.insert(at, slice);
          break;
        }
        default:
          if (at < text.size()) text[at] = static_cast<char>(32 + rng() % 95);
      }
    }
    survives(text, "mutation");
  }
}

TEST_CASE("deep nesting is an error, not a stack overflow", "[bad-input][limits]") {
  const size_t n = 100000;
  // Refused early, not after 100,000 levels: the parser reads a bounded number of tokens
  // (none when the token feed refuses the brackets before they are buffered), counted
  // rather than timed.
  auto expect_nesting_error = [](const std::string& text, const char* what) {
    deal::SourceManager sm;
    deal::Diagnostics diags;
    uint32_t id = sm.add("test.deal", text);
    deal::ast::ParseStats stats;
    deal::ast::parse_module(sm, id, diags, {}, stats);
    INFO(what << ": " << stats.tokens << " tokens, " << stats.token_reads << " reads");
    CHECK(deal::render_all(sm, diags).find("nested too deeply (limit 200)") != std::string::npos);
    CHECK(stats.token_reads < 50000);
  };
  expect_nesting_error("param x = " + std::string(n, '(') + "1" + std::string(n, ')'), "parentheses");
  expect_nesting_error("param x = " + std::string(n, '('), "unclosed parentheses");
  std::string minus;
  for (size_t i = 0; i < n; ++i) minus += "- ";
  expect_nesting_error("param x = " + minus + "1", "minus signs");
  expect_nesting_error("param x = " + std::string(n, '-') + "1", "minus signs without spaces");
  expect_nesting_error(std::string(n, '{'), "braces");
  expect_nesting_error("party A { every step " + std::string(n, '{') + std::string(n, '}') + " }", "blocks");
  std::string nots, pows, ifs, elifs, calls;
  for (size_t i = 0; i < n; ++i) {
    nots += "not ";
    pows += "2^";
    ifs += "if a then b else ";
    elifs += "if a {} else ";
    calls += "f(";
  }
  expect_nesting_error("param x = " + nots + "true", "not");
  expect_nesting_error("param x = " + pows + "2", "powers");
  expect_nesting_error("param x = " + ifs + "c", "if-else expressions");
  expect_nesting_error("party A { every step { " + elifs + "{} } }", "else-if chains");
  expect_nesting_error("param x = " + calls + "1" + std::string(n, ')'), "calls");
  expect_nesting_error("param x = \"{" + std::string(1000, '(') + "1" + std::string(1000, ')') + "}\"",
                       "interpolation");
  // Within the limit, nesting is fine.
  CHECK(parse("param x = " + std::string(150, '(') + "1" + std::string(150, ')'))->ok());
}

TEST_CASE("long flat chains are capped without recursion", "[bad-input][limits]") {
  std::string sum = "param x = 1", fields = "param y = a";
  for (int i = 0; i < 100000; ++i) {
    sum += " + 1";
    fields += ".b";
  }
  auto p = parse(sum + "\n" + fields + "\n");
  CHECK(p->diags.error_count() == 2);
  CHECK(p->errors().find("expression too complex: more than 2000 operations") != std::string::npos);
  // A long but reasonable chain parses, prints and round-trips.
  std::string ok = "param x = 1";
  for (int i = 0; i < 1500; ++i) ok += " + 1";
  survives(ok, "1500-term sum");
}

TEST_CASE("a 10 MB file of declarations parses with work linear in its size", "[bad-input][limits]") {
  // No clock (it fails under sanitizers on a loaded machine): the parser's own counts
  // of the work it did, for 1 MB and for 10 MB of the same declarations, must scale
  // together — the same lookahead per token, and no chunk falling back to full LL.
  auto declarations = [](size_t bytes, int& count) {
    std::string text;
    count = 0;
    while (text.size() < bytes) {
      std::string n = std::to_string(count++);
      text +=
          "party P" + n + " is lab {\n  cash = $" + n + "B\n  every step { pay(World, $1M * dt, priority: 2) }\n}\n";
      text += "contract c" + n + "(a: Party, b: Party, amount: Money = $1B) {\n";
      text += "  every step from 2025Q1 for 2y { pay(a, b, amount * span / 2y) }\n}\n";
      text += "deal d" + n + " = c" + n + "(P" + n + ", World, amount: $2B)\n";
      text += "param p" + n + " = (1 + 2 * 3 - 4 / 5) ^ 2 + min(1, 2) + if " + n + " > 3 then 1 else 0\n";
      text += "shock s" + n + " { at 2026Q1 { emit \"P" + n + " has {P" + n + ".cash}\" } }\n";
    }
    return text;
  };
  auto measure = [&](size_t bytes, int& count) {
    std::string text = declarations(bytes, count);
    deal::SourceManager sm;
    deal::Diagnostics diags;
    uint32_t id = sm.add("big.deal", text);
    deal::ast::ParseStats stats;
    deal::ast::Module m = deal::ast::parse_module(sm, id, diags, {}, stats);
    INFO(deal::render_all(sm, diags));
    REQUIRE_FALSE(diags.has_errors());
    CHECK(m.decls.size() == static_cast<size_t>(5 * count));
    return stats;
  };
  int n1 = 0, n10 = 0;
  deal::ast::ParseStats small = measure(1u << 20, n1), large = measure(10u << 20, n10);
  CHECK(small.chunks == static_cast<size_t>(5 * n1));
  CHECK(large.chunks == static_cast<size_t>(5 * n10));
  CHECK(small.reparses == 0);
  CHECK(large.reparses == 0);
  // Every declaration has the same tokens whatever its number, so tokens and reads per
  // declaration are the same in both files: linear, not merely "fast enough".
  double tokens_small = double(small.tokens) / n1, tokens_large = double(large.tokens) / n10;
  double reads_small = double(small.token_reads) / small.tokens, reads_large = double(large.token_reads) / large.tokens;
  CHECK(tokens_large == Approx(tokens_small).epsilon(1e-3));
  CHECK(reads_large == Approx(reads_small).epsilon(1e-3));
  // About a dozen reads per token (each match and each prediction reads LA(1)); a parser
  // that rescanned its chunk per token would read more than a chunk holds (~25 here).
  CHECK(reads_small < 25);
}

TEST_CASE("a 10 MB file of garbage ends quickly with capped errors", "[bad-input][limits]") {
  std::string text;
  std::mt19937 rng(99);
  while (text.size() < 10u * 1024 * 1024) text += "party { ) ( } $ \"x 1e ] ["[rng() % 26];
  auto p = parse(text);
  CHECK(p->diags.error_count() == 20);
  std::string parens(10u * 1024 * 1024, '(');
  CHECK(parse(parens)->errors().find("nested too deeply") != std::string::npos);
}

TEST_CASE("bad file ids and limits are reported, not crashed on", "[bad-input]") {
  deal::SourceManager sm;
  deal::Diagnostics diags;
  auto m = deal::ast::parse_module(sm, 7, diags);
  CHECK(diags.has_errors());
  CHECK(m.decls.empty());
  CHECK_FALSE(deal::ast::parse_expression(sm, 0, diags));
}
