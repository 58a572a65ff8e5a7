// Syntax errors pinned as the full rendered text (render_all), as the CLI prints them:
// location, plain-English message, source line and caret. One case per kind of error.
#include <catch2/catch.hpp>

#include "frontend_util.hpp"

using deal::test::errors_of;
using deal::test::parse;

namespace {

struct Golden {
  const char* name;
  const char* source;
  const char* rendered;
};

// clang-format off
const Golden kGolden[] = {
  {"unclosed_party",
   "calendar 2025Q1 .. 2025Q4 step quarter\n"
        "party A { cash = $1B\n",
   "test.deal:2:21: error: expected '}' to close the party 'A' started at line 2 [E001]\n"
        "    2 | party A { cash = $1B\n"
        "      |                     ^\n"},
  {"unexpected_paren",
   "param x = (1 + )\n",
   "test.deal:1:16: error: unexpected ')'; expected an expression [E001]\n"
        "    1 | param x = (1 + )\n"
        "      |                ^\n"},
  {"unterminated_string",
   "party A {\n"
        "  every step { emit \"cash is low }\n"
        "}\n",
   "test.deal:2:21: error: unterminated string (a string must end with '\"' on the same line) [E001]\n"
        "    2 |   every step { emit \"cash is low }\n"
        "      |                     ^\n"},
  {"unterminated_comment",
   "param x = 1\n"
        "/* a comment\n"
        "param y = 2\n",
   "test.deal:2:1: error: unterminated comment: '/*' has no matching '*/' [E001]\n"
        "    2 | /* a comment\n"
        "      | ^~\n"},
  {"reserved_word",
   "contract c(value: Money) {}\n",
   "test.deal:1:12: error: 'value' is a reserved word and cannot be used as a name [E001]\n"
        "    1 | contract c(value: Money) {}\n"
        "      |            ^~~~~\n"},
  {"lone_dollar",
   "param x = $\n",
   "test.deal:1:11: error: '$' must be followed by a number, as in $38B [E001]\n"
        "    1 | param x = $\n"
        "      |           ^\n"},
  {"unclosed_call",
   "party A {\n"
        "  every step {\n"
        "    pay(World, $1B\n"
        "  }\n"
        "}\n",
   "test.deal:3:19: error: expected ')' to close the call to 'pay' started at line 3 [E001]\n"
        "    3 |     pay(World, $1B\n"
        "      |                   ^\n"},
  {"chained_comparison",
   "param ok = 0 < x < 1\n",
   "test.deal:1:18: error: comparisons cannot be chained; write '0 < x and x < 1' [E001]\n"
        "    1 | param ok = 0 < x < 1\n"
        "      |                  ^\n"},
  {"bad_date",
   "calendar 2025-13 .. 2026Q4 step quarter\n",
   "test.deal:1:10: error: '2025-13' is not a date: the month must be 01 to 12 (put spaces around '-' to subtract) [E001]\n"
        "    1 | calendar 2025-13 .. 2026Q4 step quarter\n"
        "      |          ^~~~~~~\n"},
  {"unknown_escape",
   "param s = \"tab\\there\"\n",
   "test.deal:1:15: error: unknown escape '\\t' in a string (use \\\", \\\\, \\n, \\{ or \\}) [E001]\n"
        "    1 | param s = \"tab\\there\"\n"
        "      |               ^~\n"},
  {"bad_character",
   "param x = 1 # one\n",
   "test.deal:1:13: error: unexpected character '#'; comments start with // [E001]\n"
        "    1 | param x = 1 # one\n"
        "      |             ^\n"},
  {"two_names",
   "party A {\n"
        "  every step {\n"
        "    receive World\n"
        "  }\n"
        "}\n",
   "test.deal:3:13: error: unexpected 'World' after 'receive'; expected '=', '(' or '.' [E001]\n"
        "    3 |     receive World\n"
        "      |             ^~~~~\n"},
  {"keyword_as_field",
   "party A { at = 5 }\n",
   "test.deal:1:11: error: 'at' is a reserved word and cannot be used as a name [E001]\n"
        "    1 | party A { at = 5 }\n"
        "      |           ^~\n"},
  {"value_in_contract",
   "contract c(a: Party) {\n"
        "  value = $1B\n"
        "}\n",
   "test.deal:2:3: error: 'value' (an equity valuation) can only be declared in a party [E001]\n"
        "    2 |   value = $1B\n"
        "      |   ^~~~~\n"},
  {"unclosed_block",
   "party A {\n"
        "  every step {\n"
        "    cash += 1\n",
   "test.deal:3:14: error: expected '}' to close the 'every' block started at line 2 [E001]\n"
        "    3 |     cash += 1\n"
        "      |              ^\n"},
  {"missing_type",
   "fn twice(x) = 2 * x\n",
   "test.deal:1:11: error: parameter 'x' needs a type, as in 'x: Number' [E001]\n"
        "    1 | fn twice(x) = 2 * x\n"
        "      |           ^\n"},
  {"clearing_setting",
   "scenario s { clearing { alpha = 50% gamma = 1 } }\n",
   "test.deal:1:37: error: unknown clearing setting 'gamma'; expected 'alpha' or 'beta' [E001]\n"
        "    1 | scenario s { clearing { alpha = 50% gamma = 1 } }\n"
        "      |                                     ^~~~~\n"},
  {"interpolation",
   "party A { every step { emit \"x = {x +}\" } }\n",
   "test.deal:1:38: error: unexpected '}'; expected an expression [E001]\n"
        "    1 | party A { every step { emit \"x = {x +}\" } }\n"
        "      |                                      ^\n"},
  {"several",
   "param a = (1 +\n"
        "param b = 2\n"
        "party A { cash = ) }\n"
        "party B is { }\n",
   "test.deal:2:1: error: unexpected 'param'; expected an expression [E001]\n"
        "    2 | param b = 2\n"
        "      | ^\n"
        "test.deal:3:18: error: unexpected ')'; expected an expression [E001]\n"
        "    3 | party A { cash = ) }\n"
        "      |                  ^\n"
        "test.deal:4:11: error: expected a name after 'is' [E001]\n"
        "    4 | party B is { }\n"
        "      |           ^\n"
        "3 errors\n"},
  {"missing_else",
   "param x = if a then b\n",
   "test.deal:1:22: error: unexpected end of file; expected 'else' [E001]\n"
        "    1 | param x = if a then b\n"
        "      |                      ^\n"},
  {"shock_every",
   "shock s {\n"
        "  every step { set x = 1 }\n"
        "}\n",
   "test.deal:2:3: error: a shock can only contain 'set', 'at', 'when' and 'deal' [E001]\n"
        "    2 |   every step { set x = 1 }\n"
        "      |   ^~~~~\n"},
  {"missing_brace_before_clause",
   "contract c(a: Party) {\n"
        "  every step {\n"
        "    pay(a, World, 1)\n"
        "  on default(a) { terminate }\n"
        "}\n",
   "test.deal:3:21: error: expected '}' to close the 'every' block started at line 2 [E001]\n"
        "    3 |     pay(a, World, 1)\n"
        "      |                     ^\n"},
  {"keyword_as_local",
   "party A { every step { at = 1 } }\n",
   "test.deal:1:24: error: 'at' is a reserved word and cannot be used as a name [E001]\n"
        "    1 | party A { every step { at = 1 } }\n"
        "      |                        ^~\n"},
  {"keyword_after_comma",
   "contract c(buyer: Party, deal: Deal) {}\n",
   "test.deal:1:26: error: 'deal' is a reserved word and cannot be used as a name [E001]\n"
        "    1 | contract c(buyer: Party, deal: Deal) {}\n"
        "      |                          ^~~~\n"},
};
// clang-format on

}  // namespace

TEST_CASE("syntax errors render exactly", "[errors]") {
  for (const Golden& g : kGolden) {
    INFO("case: " << g.name);
    CHECK(errors_of(g.source) == g.rendered);
  }
}

TEST_CASE("no raw ANTLR vocabulary in messages", "[errors]") {
  const char* inputs[] = {
      "party A {",
      "param x = )",
      "deal d = c(",
      "scenario s { track }",
      "party A { every }",
      "contract c(a: Party { }",
      "param x = 1 +",
      "}",
      "param",
      "shock s { at { } }",
      "fn f(x: Number =",
      "party A { cash = 1 every step { if { } } }",
      "scenario s { clearing { alpha } }",
      "import",
  };
  for (const char* in : inputs) {
    std::string out = errors_of(in);
    INFO(in << "\n" << out);
    CHECK(!out.empty());
    for (const char* raw : {"<EOF>", "extraneous input", "mismatched input", "no viable alternative", "missing '",
                            "token recognition", "RBRACE", "LPAREN", "ID", "<missing"})
      CHECK(out.find(raw) == std::string::npos);
  }
}

TEST_CASE("nesting limit is a clear error", "[errors][limits]") {
  deal::ast::ParseLimits limits;
  limits.max_depth = 3;
  CHECK(errors_of("param x = ((1))\n", limits) == "");
  CHECK(errors_of("param x = ((((1))))\n", limits) ==
        "test.deal:1:14: error: expression nested too deeply (limit 3) [E001]\n"
        "    1 | param x = ((((1))))\n"
        "      |              ^\n");
  CHECK(errors_of("param x = - - - - 1\n", limits) ==
        "test.deal:1:17: error: expression nested too deeply (limit 3) [E001]\n"
        "    1 | param x = - - - - 1\n"
        "      |                 ^\n");
  CHECK(errors_of("param x = 2^2^2^2^2\n", limits) ==
        "test.deal:1:19: error: expression nested too deeply (limit 3) [E001]\n"
        "    1 | param x = 2^2^2^2^2\n"
        "      |                   ^\n");
  CHECK(errors_of("party A { every step { if a { if b { if c { } } } } }\n", limits) ==
        "test.deal:1:36: error: blocks nested too deeply (limit 3) [E001]\n"
        "    1 | party A { every step { if a { if b { if c { } } } } }\n"
        "      |                                    ^\n");
  // Long flat chains are not nesting, but their trees are capped at 10 × the limit.
  CHECK(errors_of("param x = 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1\n", limits) == "");
  CHECK(errors_of("param x = 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 "
                  "+ 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1\n",
                  limits)
            .find("error: expression too complex: more than 30 operations nested inside each other") !=
        std::string::npos);
}

TEST_CASE("oversized input is refused", "[errors][limits]") {
  deal::ast::ParseLimits limits;
  limits.max_bytes = 16;
  CHECK(errors_of("param x = 1\nparam y = 2\n", limits) ==
        "test.deal:1:1: error: file is too large (24 bytes; the limit is 16 bytes) [E001]\n"
        "    1 | param x = 1\n"
        "      | ^\n");
}

TEST_CASE("at most one error per statement; several per file", "[errors]") {
  // The second problem in the same statement is a cascade and is not reported; the
  // next statements and members get their own.
  auto p = parse("party A {\n  every step {\n    x = ) + )\n    y = 1\n    z = * 2\n  }\n  cash = )\n}\n");
  CHECK(p->errors() ==
        "test.deal:3:9: error: unexpected ')'; expected an expression [E001]\n"
        "    3 |     x = ) + )\n"
        "      |         ^\n"
        "test.deal:5:9: error: unexpected '*'; expected an expression [E001]\n"
        "    5 |     z = * 2\n"
        "      |         ^\n"
        "test.deal:7:10: error: unexpected ')'; expected an expression [E001]\n"
        "    7 |   cash = )\n"
        "      |          ^\n"
        "3 errors\n");
}

TEST_CASE("syntax errors stop after 20 per file", "[errors][limits]") {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "param p" + std::to_string(i) + " = )\n";
  auto p = parse(text);
  CHECK(p->diags.error_count() == 20);
  const auto& all = p->diags.all();
  REQUIRE(all.size() == 21);
  CHECK(all.back().severity == deal::Severity::Note);
  CHECK(all.back().message == "stopped after 20 syntax errors in this file");
  CHECK(all[19].span.line == 20);
}

TEST_CASE("lexical errors suppress the parse errors they cause", "[errors]") {
  // The unterminated string swallows the rest of its line; the parser then finds the
  // statement incomplete, which is not worth a second message.
  CHECK(parse("param x = \"abc\nparam y = 2\n")->diags.error_count() == 1);
  CHECK(parse("param x = 1 @ 2\n")->diags.error_count() == 1);
  // A run of bad characters is one error.
  auto p = parse("param x = 1 @@@@ \x01\x02\n");
  CHECK(p->diags.error_count() == 2);
  CHECK(p->errors().find("unexpected characters '@@@@'") != std::string::npos);
  CHECK(p->errors().find("unexpected characters '\\x01\\x02'") != std::string::npos);
}

TEST_CASE("invalid UTF-8 is reported, not decoded", "[errors]") {
  auto p = parse("param x = \xFF\n");
  CHECK(p->errors().find("test.deal:1:11: error: invalid UTF-8 byte '\\xFF'") != std::string::npos);
  // Inside comments it is kept as is; a string must be UTF-8 (it is printed: a lone
  // 0x9B is a control sequence introducer on 8-bit terminals).
  CHECK(parse("// \xFF\xFE\nparam x = 1\n")->ok());
  CHECK_THAT(parse("param x = \"\xC3\"\n")->errors(),
             Catch::Contains("test.deal:1:12: error: a string may not contain invalid UTF-8 (byte 0xC3)"));
}
