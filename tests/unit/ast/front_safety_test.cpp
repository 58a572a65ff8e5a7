// Terminal safety of the front end (issue 14): strings cannot carry control characters
// to a terminal, and no diagnostic prints a raw control byte or a 100 kB line.
#include <catch2/catch.hpp>

#include "frontend_util.hpp"

using deal::test::errors_of;
using deal::test::parse;
using namespace std::string_literals;

namespace {

// Whether `text` holds a byte a terminal would act on: C0 but tab and line feed, DEL, or a
// C1 control (U+0080..U+009F, encoded C2 80..C2 9F).
bool has_raw_control(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F) return true;
  }
  return false;
}

std::string line_of(const std::string& text, size_t n) {  // 0-based line n of text
  size_t at = 0;
  for (size_t k = 0; k < n; ++k) at = text.find('\n', at) + 1;
  return text.substr(at, text.find('\n', at) - at);
}

}  // namespace

TEST_CASE("a string may not contain a control character; the error is located and escaped", "[lexer][safety]") {
  // ESC in an emit line: `\e]0;…\a` would retitle the terminal.
  std::string src = "party A { every step { emit \"hi \x1b]0;owned\x07 there\" } }\n";
  std::string e = errors_of(src);
  CHECK_THAT(e, Catch::Contains("test.deal:1:33: error: a string may not contain the control character U+001B "
                                "(escape): strings reach terminals through emit lines and track labels, and .deal "
                                "has no escape for it"));
  CHECK_THAT(e, Catch::Contains("test.deal:1:42: error: a string may not contain the control character U+0007 (bell)"));
  CHECK_FALSE(has_raw_control(e));
  // The echoed line shows them escaped and the caret still sits under the ESC.
  std::string shown = line_of(e, 1), caret = line_of(e, 2);
  CHECK(shown == "    1 | party A { every step { emit \"hi \\x1b]0;owned\\x07 there\" } }");
  CHECK(caret.find("^~~~") == shown.find("\\x1b"));
  // Track labels, import paths, DEL, a C1 control, NUL, and one behind a backslash.
  CHECK_THAT(errors_of("scenario s { track x as \"a\x1b[2J\" }\n"),
             Catch::Contains("1:27: error: a string may not contain the control character U+001B (escape)"));
  CHECK_THAT(errors_of("import \"a\x7f.deal\"\n"), Catch::Contains("control character U+007F (delete)"));
  CHECK_THAT(errors_of("param x = 1\nparty A { every step { emit \"\xc2\x9b"
                       "31m\" } }\n"),
             Catch::Contains("2:30: error: a string may not contain the control character U+009B (control sequence "
                             "introducer)"));
  CHECK_THAT(errors_of("party A { every step { emit \"a\0\" } }\n"s),
             Catch::Contains("control character U+0000 (null)"));
  e = errors_of("party A { every step { emit \"\\\x1b\" } }\n");
  CHECK_THAT(e, Catch::Contains("1:31: error: a string may not contain the control character U+001B (escape)"));
  CHECK_FALSE(has_raw_control(e));
  // A tab is fine, as are other non-ASCII characters and the escapes.
  CHECK(parse("party A { every step { emit \"a\tb \xc3\xa9 \\n \\\" \xe2\x82\xac\" } }\n")->ok());
}

TEST_CASE("diagnostics escape control bytes of the source line and keep the caret aligned", "[diagnostics][safety]") {
  // A comment may hold anything; an error on its line must not echo it raw.
  std::string e = errors_of("param x = 1 + /* \x1b[31m \0 \x9b */ y y\n"s);
  CHECK_FALSE(has_raw_control(e));
  std::string shown = line_of(e, 1), caret = line_of(e, 2);
  CHECK(shown == "    1 | param x = 1 + /* \\x1b[31m \\x00 \\x9b */ y y");
  REQUIRE(caret.find('^') != std::string::npos);
  // The caret is under the second `y`, whatever the escapes' widths.
  CHECK(caret.find('^') == shown.rfind('y'));
  // An overlong form of ESC (C0 9B) is not UTF-8 either: shown byte by byte.
  e = errors_of("param x = 1 /* \xc0\x9b */ y\n");
  CHECK_THAT(e, Catch::Contains("/* \\xc0\\x9b */"));
  CHECK_FALSE(has_raw_control(e));
}

TEST_CASE("a very long source line is cut to a window around the caret", "[diagnostics][limits]") {
  std::string src = "param x = 1";
  for (int i = 0; i < 20000; ++i) src += " + 1";  // 80 kB
  src += " + @ + 1";
  for (int i = 0; i < 5000; ++i) src += " + 1";
  src += "\n";
  std::string e = errors_of(src);
  CHECK_THAT(e, Catch::Contains("error: unexpected character '@'"));
  std::string shown = line_of(e, 1), caret = line_of(e, 2);
  CHECK(shown.size() < 180);  // 160 columns plus the gutter and the two `…`
  CHECK(shown.find("    1 | …") == 0);
  CHECK(shown.rfind("…") == shown.size() - std::string("…").size());
  // Columns: the gutter's 8 bytes, then `…` (3 bytes, 1 column) and ASCII: the caret
  // sits under the `@`.
  REQUIRE(caret.find('^') != std::string::npos);
  CHECK(caret.find('^') == shown.find('@') - 2);
  CHECK(caret.size() < 180);
  // A long span is cut too: never 100 kB of `~`.
  std::string big = "param x = \"" + std::string(100000, 'a') + "\x1b\"\n";
  e = errors_of(big);
  CHECK(e.size() < 1000);
  CHECK_FALSE(has_raw_control(e));
  // Short lines are shown whole, as before.
  CHECK_THAT(errors_of("param x = 1 +\n"), Catch::Contains("    1 | param x = 1 +\n"));
}

TEST_CASE("messages say what is wrong: number range, a declaration without a name", "[errors][messages]") {
  // A 309-digit integer has exponent 0 but is too large, not "too small".
  std::string e = errors_of("param x = 2" + std::string(308, '0') + "\n");
  CHECK_THAT(e, Catch::Contains("error: number '200000000000000000000000…' is too large: the largest number is "
                                "about 1.797e308"));
  CHECK_THAT(errors_of("param x = 0.00002e-320\n"), Catch::Contains("is too small to represent: the smallest non-zero "
                                                                    "double is about 4.9e-324"));
  CHECK_THAT(errors_of("param x = $1e400B\n"), Catch::Contains("number '$1e400B' is too large"));
  CHECK(parse("param x = 1" + std::string(300, '0') + "\nparam y = 5e-324\n")->ok());
  // `param = 5`: the name is missing; 'param' is not being used as one.
  CHECK_THAT(errors_of("param = 5\n"),
             Catch::Contains("test.deal:1:6: error: expected a name after 'param': a param is "
                             "declared as `param name = value`, e.g. `param growth = 5%/y`"));
  CHECK_THAT(errors_of("party { cash = $1B }\n"),
             Catch::Contains("1:6: error: expected a name after 'party': a party is declared as `party Name {"));
  CHECK_THAT(errors_of("deal = c(A)\n"), Catch::Contains("expected a name after 'deal': a deal is declared as"));
  CHECK_THAT(errors_of("scenario s { param = 4 }\n"),
             Catch::Contains("1:19: error: expected a name after 'param': a scenario overrides a param as"));
  // As a member name it is still a reserved word.
  CHECK_THAT(errors_of("party A { param = 2 }\n"), Catch::Contains("'param' is a reserved word and cannot be used"));
}

TEST_CASE("nested if blocks reach the nesting limit the message names", "[limits][nesting]") {
  auto nested = [](int n) {
    std::string s = "party A { x = 0  every step {\n";
    for (int i = 0; i < n; ++i) s += "if x > 0 {\n";
    s += "x = 1\n";
    for (int i = 0; i < n; ++i) s += "}\n";
    return s + "} }\n";
  };
  // The party's and the clause's braces count too: 198 ifs are 200 levels.
  CHECK(parse(nested(150))->ok());
  INFO(parse(nested(198))->errors());
  CHECK(parse(nested(198))->ok());
  CHECK_THAT(parse(nested(199))->errors(), Catch::Contains("blocks nested too deeply (limit 200)"));
  // With a smaller limit the count is the same: one level per `{`.
  deal::ast::ParseLimits small;
  small.max_depth = 10;
  CHECK(parse(nested(8), small)->ok());
  CHECK_THAT(parse(nested(9), small)->errors(), Catch::Contains("blocks nested too deeply (limit 10)"));
  // An `else if` chain nests one level per link.
  auto chain = [](int n) {
    std::string s = "party A { x = 0  every step {\nif x > 0 { x = 1 }";
    for (int i = 0; i < n; ++i) s += " else if x > 0 { x = 1 }";
    return s + "\n} }\n";
  };
  CHECK(parse(chain(190))->ok());
  CHECK_THAT(parse(chain(210))->errors(), Catch::Contains("blocks nested too deeply (limit 200)"));
}
