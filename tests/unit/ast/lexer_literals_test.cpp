// Literal forms of LANGUAGE.md §2: each with its value, money flag, units and spans.
#include <catch2/catch.hpp>

#include "frontend_util.hpp"

using deal::ast::ExprKind;
using deal::test::parse_expr;

namespace {

struct Unit {
  std::string name;
  int exponent;
};

// Parses `text` as a lone literal and checks what it decodes to.
void check_number(const std::string& text, double value, bool money, std::vector<Unit> units = {}) {
  INFO("literal: " << text);
  auto p = parse_expr(text);
  REQUIRE(p->errors() == "");
  REQUIRE(p->expr);
  CHECK(p->expr->kind == ExprKind::Number);
  CHECK(p->expr->value == value);  // exact: literals are converted with one correctly rounded step
  CHECK(p->expr->is_money == money);
  CHECK(p->expr->text == text);
  REQUIRE(p->expr->units.size() == units.size());
  for (size_t i = 0; i < units.size(); ++i) {
    CHECK(p->expr->units[i].name == units[i].name);
    CHECK(p->expr->units[i].exponent == units[i].exponent);
  }
}

}  // namespace

TEST_CASE("plain numbers", "[lexer]") {
  check_number("12", 12, false);
  check_number("0.25", 0.25, false);
  check_number("1e-3", 0.001, false);
  check_number("1E3", 1000, false);
  check_number("2.5e+2", 250, false);
  check_number("0", 0, false);
}

TEST_CASE("scale suffixes k M B T are exact", "[lexer]") {
  check_number("20k", 20e3, false);
  check_number("3M", 3e6, false);
  check_number("1.5B", 1.5e9, false);
  check_number("1.1B", 1.1e9, false);  // not 1.1 * 1e9 rounded twice
  check_number("2T", 2e12, false);
}

TEST_CASE("percent multiplies by 0.01, correctly rounded", "[lexer]") {
  check_number("20%", 0.2, false);
  check_number("7%", 0.07, false);
  check_number("60%", 0.6, false);
  check_number("0.5%", 0.005, false);
  check_number("1k%", 10, false);
}

TEST_CASE("money literals", "[lexer]") {
  check_number("$38B", 38e9, true);
  check_number("$250M", 250e6, true);
  check_number("$0", 0, true);
  check_number("$1.5k", 1500, true);
  check_number("$12", 12, true);
}

TEST_CASE("unit suffixes: time units and declared units", "[lexer]") {
  check_number("7y", 7, false, {{"y", 1}});
  check_number("18mo", 18, false, {{"mo", 1}});
  check_number("2q", 2, false, {{"q", 1}});
  check_number("3w", 3, false, {{"w", 1}});
  check_number("10d", 10, false, {{"d", 1}});
  check_number("6GW", 6, false, {{"GW", 1}});
  check_number("0GW", 0, false, {{"GW", 1}});
}

TEST_CASE("a word other than a lone k/M/B/T after the digits is a unit", "[lexer]") {
  check_number("5MW", 5, false, {{"MW", 1}});
  check_number("2Bn", 2, false, {{"Bn", 1}});
  check_number("4kGW", 4, false, {{"kGW", 1}});
  check_number("2eggs", 2, false, {{"eggs", 1}});  // `e` without digits is not an exponent
}

TEST_CASE("per-unit suffixes", "[lexer]") {
  check_number("$13B/y", 13e9, true, {{"y", -1}});
  check_number("60%/y", 0.6, false, {{"y", -1}});
  check_number("$35B/GW", 35e9, true, {{"GW", -1}});
  check_number("$12B/y/GW", 12e9, true, {{"y", -1}, {"GW", -1}});
  check_number("6GW/y", 6, false, {{"GW", 1}, {"y", -1}});
  // A per-unit that names a value in scope means division; the checker decides.
  check_number("1/dt", 1, false, {{"dt", -1}});
}

TEST_CASE("unit factors carry their own spans", "[lexer]") {
  auto p = parse_expr("$12B/y/GW");
  REQUIRE(p->expr);
  REQUIRE(p->expr->units.size() == 2);
  const auto& y = p->expr->units[0].span;
  const auto& gw = p->expr->units[1].span;
  CHECK(y.line == 1);
  CHECK(y.col == 6);
  CHECK(y.end_col == 7);
  CHECK(gw.col == 8);
  CHECK(gw.end_col == 10);
  CHECK(p->expr->span.col == 1);
  CHECK(p->expr->span.end_col == 10);
}

TEST_CASE("a unit suffix binds to the literal only when it touches the digits", "[lexer]") {
  auto p = parse_expr("2 GW");
  CHECK_FALSE(p->expr);
  CHECK(p->errors().find("unexpected 'GW'") != std::string::npos);
  auto q = parse_expr("capacity * price_per_gw");
  REQUIRE(q->expr);
  CHECK(q->expr->kind == ExprKind::Binary);
  auto r = parse_expr("1 / dt");
  REQUIRE(r->expr);
  CHECK(r->expr->kind == ExprKind::Binary);
  CHECK(r->expr->op == "/");
}

TEST_CASE("numbers out of range are errors", "[lexer]") {
  auto p = parse_expr("1e400");
  CHECK_FALSE(p->expr);
  CHECK(p->errors().find("number '1e400' is too large") != std::string::npos);
  auto q = parse_expr("1e-400");
  CHECK_FALSE(q->expr);
  CHECK(q->errors().find("too small") != std::string::npos);
  auto z = parse_expr("0e999999");
  REQUIRE(z->expr);
  CHECK(z->expr->value == 0);
}

TEST_CASE("date literals", "[lexer]") {
  auto date = [](const std::string& text) {
    auto p = parse_expr(text);
    INFO(text << "\n" << p->errors());
    REQUIRE(p->expr);
    REQUIRE(p->expr->kind == ExprKind::Date);
    CHECK(p->expr->text == text);
    return p->expr->date;
  };
  CHECK(date("2027Q3") == deal::ast::DateLit{2027, 7, 1});
  CHECK(date("2025Q1") == deal::ast::DateLit{2025, 1, 1});
  CHECK(date("2026Q4") == deal::ast::DateLit{2026, 10, 1});
  CHECK(date("2027-03") == deal::ast::DateLit{2027, 3, 1});
  CHECK(date("2027-03-15") == deal::ast::DateLit{2027, 3, 15});
  CHECK(date("2024-02-29") == deal::ast::DateLit{2024, 2, 29});
}

TEST_CASE("a date token is lexed greedily", "[lexer]") {
  // `2027-03` is a date, never a subtraction …
  auto p = parse_expr("2027-03");
  REQUIRE(p->expr);
  CHECK(p->expr->kind == ExprKind::Date);
  // … with spaces it is a subtraction …
  auto q = parse_expr("2027 - 03");
  REQUIRE(q->expr);
  CHECK(q->expr->kind == ExprKind::Binary);
  // … and the date ends after two digits of month or day.
  auto r = parse_expr("2027-03-1");
  REQUIRE(r->expr);
  CHECK(r->expr->kind == ExprKind::Binary);
  CHECK(r->expr->args[0]->kind == ExprKind::Date);
  CHECK(r->expr->args[1]->value == 1);
  auto s = parse_expr("2027Q3 + 6mo");
  REQUIRE(s->expr);
  CHECK(s->expr->args[0]->kind == ExprKind::Date);
}

TEST_CASE("impossible dates are errors that say why", "[lexer]") {
  CHECK(parse_expr("2027Q5")->errors().find("a quarter is Q1 to Q4") != std::string::npos);
  CHECK(parse_expr("2027-13")->errors().find("the month must be 01 to 12") != std::string::npos);
  CHECK(parse_expr("2023-02-29")->errors().find("that month has 28 days") != std::string::npos);
  CHECK(parse_expr("2027-04-31")->errors().find("that month has 30 days") != std::string::npos);
}

TEST_CASE("booleans and names", "[lexer]") {
  auto t = parse_expr("true");
  REQUIRE(t->expr);
  CHECK(t->expr->kind == ExprKind::Bool);
  CHECK(t->expr->bool_value);
  auto f = parse_expr("false");
  REQUIRE(f->expr);
  CHECK_FALSE(f->expr->bool_value);
  auto w = parse_expr("World");
  REQUIRE(w->expr);
  CHECK(w->expr->kind == ExprKind::Name);
  CHECK(w->expr->name == "World");
  auto s = parse_expr("self");
  REQUIRE(s->expr);
  CHECK(s->expr->name == "self");
  auto n = parse_expr("_x9");
  REQUIRE(n->expr);
  CHECK(n->expr->name == "_x9");
}

TEST_CASE("string escapes", "[lexer]") {
  auto p = parse_expr(R"("a\"b\\c\nd")");
  REQUIRE(p->expr);
  CHECK(p->expr->kind == ExprKind::String);
  REQUIRE(p->expr->pieces.size() == 1);
  CHECK(p->expr->pieces[0] == "a\"b\\c\nd");
  auto b = parse_expr(R"("\{not interpolated\}")");
  REQUIRE(b->expr);
  REQUIRE(b->expr->pieces.size() == 1);
  CHECK(b->expr->pieces[0] == "{not interpolated}");
  auto u = parse_expr("\"caf\xC3\xA9\"");
  REQUIRE(u->expr);
  CHECK(u->expr->pieces[0] == "caf\xC3\xA9");
  auto e = parse_expr(R"("")");
  REQUIRE(e->expr);
  CHECK(e->expr->pieces == std::vector<std::string>{""});
}

TEST_CASE("string interpolation", "[lexer]") {
  auto p = parse_expr(R"("cash {A.cash / 1B} at {now}!")");
  INFO(p->errors());
  REQUIRE(p->expr);
  REQUIRE(p->expr->pieces == std::vector<std::string>{"cash ", " at ", "!"});
  REQUIRE(p->expr->args.size() == 2);
  CHECK(p->expr->args[0]->kind == ExprKind::Binary);
  CHECK(p->expr->args[1]->name == "now");
  // Spans of interpolated expressions point into the string.
  CHECK(p->expr->args[0]->span.col == 8);
  CHECK(p->expr->args[0]->span.end_col == 19);
  CHECK(p->expr->args[1]->span.col == 25);
}

TEST_CASE("bad strings", "[lexer]") {
  CHECK(parse_expr(R"("a\qb")")->errors().find("unknown escape '\\q'") != std::string::npos);
  CHECK(parse_expr(R"("a {b")")->errors().find("needs a closing '}'") != std::string::npos);
  CHECK(parse_expr(R"("a } b")")->errors().find("unmatched '}'") != std::string::npos);
  CHECK(parse_expr(R"("a {} b")")->errors().find("empty interpolation") != std::string::npos);
  CHECK(parse_expr(R"("a {1 +} b")")->errors().find("expr:1:8: error: unexpected '}'; expected an expression") !=
        std::string::npos);
  CHECK(parse_expr("\"abc")->errors().find("unterminated string") != std::string::npos);
  CHECK(parse_expr("\"abc\ndef\"")->errors().find("unterminated string") != std::string::npos);
}

TEST_CASE("comments are skipped", "[lexer]") {
  auto p = parse_expr("1 + // to the end of the line\n 2 /* block\n comment */ * 3");
  REQUIRE(p->expr);
  CHECK(deal::ast::print(*p->expr) == "1 + 2 * 3");
  // Block comments do not nest: the first */ ends it.
  auto q = parse_expr("1 /* a /* b */ + 2");
  REQUIRE(q->expr);
  CHECK(deal::ast::print(*q->expr) == "1 + 2");
}

TEST_CASE("columns count code points", "[lexer]") {
  // é is two bytes but one column.
  auto p = deal::test::parse("param \xC3\xA9t\xC3\xA9 = 1\n");
  CHECK(p->errors().find("test.deal:1:7: error: unexpected character '\xC3\xA9' (U+00E9)") != std::string::npos);
  auto q = parse_expr("\"\xC3\xA9\xC3\xA9\" + x");
  REQUIRE(q->expr);
  CHECK(q->expr->op_span.col == 6);
  CHECK(q->expr->args[1]->span.col == 8);
}
