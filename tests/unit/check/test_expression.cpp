// check::check_expression: an expression checked in the context of a checked program,
// as a scenario `track` of it would be.
#include <catch2/catch.hpp>

#include <cmath>

#include "check_helpers.hpp"

using deal::test::check_source;
namespace check = deal::check;

namespace {

// Line 1 is the calendar check_source prepends.
const char* kProgram =
    "unit GW\n"
    "param growth = 20%/y\n"
    "param start = 2025Q2\n"
    "party OpenAI {\n"
    "  cash = $1B\n"
    "  capacity = 2GW\n"
    "  let net = cash - debt\n"  // never read by the program
    "  let cap_value = capacity * $1B/GW\n"
    "  every step { receive(World, net * growth * dt) }\n"
    "}\n"
    "party B is lab { cash = $2B  value = cash * 2 }\n"
    "contract loan(lender: Party, borrower: Party, amount: Money, rate: Rate = 5%/y, first: Date = start) {\n"
    "  balance = amount\n"
    "  let interest = balance * rate\n"
    "  at first { pay(borrower, lender, interest * 1y) }\n"
    "}\n"
    "deal l1 = loan(OpenAI, B, $100M)\n"
    "deal l2 = loan(B, OpenAI, growth * $1B * 1y)\n"
    "fn twice(x: Money): Money = x * 2\n"
    "shock crunch { set growth = 0%/y }\n"
    "scenario base { track OpenAI.cash }\n";

// Structural equality ignoring spans.
bool same(const check::HExpr& a, const check::HExpr& b) {
  if (a.op != b.op || !(a.type == b.type) || a.index != b.index || a.fn != b.fn || a.args.size() != b.args.size())
    return false;
  if (a.num != b.num && !(std::isnan(a.num) && std::isnan(b.num))) return false;
  for (size_t i = 0; i < a.args.size(); ++i)
    if (!same(a.args[i], b.args[i])) return false;
  return true;
}

struct Result {
  std::optional<check::CheckedExpr> value;
  std::string messages;
};

Result evaluate(deal::test::Checked& c, const std::string& text, bool any_type = false) {
  deal::Diagnostics diags;
  Result r;
  r.value = check::check_expression(*c.program, "<repl>", text, c.sm, diags, any_type);
  r.messages = deal::render_all(c.sm, diags);
  return r;
}

std::string type_text(const check::CheckedExpr& e, const check::Program& p) { return check::describe(e.type, p.units); }

}  // namespace

TEST_CASE("check_expression gives the type of an expression of the program", "[expression]") {
  auto c = check_source(kProgram);
  REQUIRE(c.ok());
  auto r = evaluate(c, "OpenAI.cash + $1");
  REQUIRE(r.value);
  CHECK(r.messages.empty());
  CHECK(type_text(*r.value, *c.program) == "Money ($)");
  CHECK(r.value->expr.type == r.value->type);
  CHECK(type_text(*evaluate(c, "OpenAI.capacity * 3").value, *c.program) == "Quantity[GW] (GW)");
  CHECK(type_text(*evaluate(c, "growth").value, *c.program) == "Rate (1/y)");
  CHECK(type_text(*evaluate(c, "l2.balance > l1.paid").value, *c.program) == "Bool");
  CHECK(type_text(*evaluate(c, "date_of(2)").value, *c.program) == "Date");
  CHECK(type_text(*evaluate(c, "holdings(OpenAI, B)").value, *c.program) == "Number");
  CHECK(type_text(*evaluate(c, "revenue_from(OpenAI, B) + twice(B.cash)").value, *c.program) == "Money ($)");
  CHECK(type_text(*evaluate(c, "OpenAI.net").value, *c.program) == "Money ($)");
  CHECK(type_text(*evaluate(c, "l1.rate").value, *c.program) == "Rate (1/y)");
}

TEST_CASE("check_expression reports an unknown name with a suggestion, located in its text", "[expression]") {
  auto c = check_source(kProgram);
  REQUIRE(c.ok());
  auto r = evaluate(c, "OpenIA.cash * 2");
  CHECK_FALSE(r.value);
  CHECK(r.messages ==
        "<repl>:1:1: error: unknown name 'OpenIA' (did you mean 'OpenAI'?) [E010]\n"
        "    1 | OpenIA.cash * 2\n"
        "      | ^~~~~~\n");
  auto f = evaluate(c, "OpenAI.capacty");
  CHECK_FALSE(f.value);
  CHECK_THAT(f.messages,
             Catch::Contains("<repl>:1:8: error: party 'OpenAI' has no field 'capacty' (did you mean 'capacity'?)"));
}

TEST_CASE("check_expression reports dimension errors", "[expression]") {
  auto c = check_source(kProgram);
  REQUIRE(c.ok());
  auto r = evaluate(c, "OpenAI.cash + 1");
  CHECK_FALSE(r.value);
  CHECK_THAT(r.messages, Catch::Contains("<repl>:1:13: error: cannot add Money ($) and Number"));
  CHECK_THAT(r.messages, Catch::Contains("    1 | OpenAI.cash + 1\n      |             ^\n"));
  auto g = evaluate(c, "OpenAI.capacity + $1B");
  CHECK_FALSE(g.value);
  CHECK_THAT(g.messages, Catch::Contains("cannot add Quantity[GW] (GW) and Money ($)"));
}

TEST_CASE("check_expression reports syntax errors as parse_constant does", "[expression]") {
  auto c = check_source(kProgram);
  REQUIRE(c.ok());
  auto r = evaluate(c, "OpenAI.cash +");
  CHECK_FALSE(r.value);
  CHECK_THAT(r.messages, Catch::Contains("<repl>:1:"));
  CHECK_THAT(r.messages, Catch::Contains("error:"));
}

TEST_CASE("check_expression keeps the track rule on types unless asked for any type", "[expression]") {
  auto c = check_source(kProgram);
  REQUIRE(c.ok());
  auto r = evaluate(c, "OpenAI");
  CHECK_FALSE(r.value);
  CHECK_THAT(r.messages, Catch::Contains("<repl>:1:1: error: only numbers, Bools and Dates can be tracked, not Party"));
  auto any = evaluate(c, "OpenAI", true);
  REQUIRE(any.value);
  CHECK(any.value->type == check::Type::party());
  CHECK(any.value->expr.is_const());
  CHECK(any.value->expr.num == c.program->find_party("OpenAI"));
}

TEST_CASE("check_expression reads the running scenario only where a track may", "[expression]") {
  auto c = check_source(kProgram);
  REQUIRE(c.ok());
  CHECK(evaluate(c, "now").value);
  CHECK_THAT(evaluate(c, "span").messages, Catch::Contains("'span' is only defined inside `every` blocks"));
  CHECK_THAT(evaluate(c, "self").messages, Catch::Contains("'self' is only defined inside a party"));
  CHECK_THAT(evaluate(c, "loan").messages, Catch::Contains("'loan' is a contract, not a value"));
  CHECK_THAT(evaluate(c, "crunch").messages, Catch::Contains("'crunch' is a shock, not a value"));
  CHECK_THAT(evaluate(c, "normal(1, 2)").messages, Catch::Contains("random draws like 'normal(…)'"));
}

TEST_CASE("check_expression gives the HExpr a scenario track of the expression holds", "[expression]") {
  auto c = check_source(kProgram);
  REQUIRE(c.ok());
  const char* exprs[] = {
      "OpenAI.cash + $1",
      "OpenAI.net",  // a let the program never reads
      "OpenAI.cap_value / B.cash",
      "l1.interest * 1y + l2.balance",  // a deal's let and states
      "l1.rate * l2.amount",            // constant and slot-bound contract arguments
      "if l1.alive then growth else 0%/y",
      "revenue_from(OpenAI, B) - twice(equity(B))",
      "holdings(OpenAI, B) + years(now - start)",
      "date_of(1)",
      "defaulted(B) or OpenAI.defaulted",
      "1GW/dt * 1y",
  };
  for (const char* text : exprs) {
    INFO(text);
    auto mine = evaluate(c, text);
    REQUIRE(mine.value);
    auto t = check_source(std::string(kProgram) + "scenario probe { track " + text + " as \"v\" }\n");
    REQUIRE(t.ok());
    CHECK(t.program->slot_count == c.program->slot_count);
    const auto& tracks = t.program->scenarios.at(size_t(t.program->find_scenario("probe"))).tracks;
    REQUIRE(tracks.size() == 1);
    CHECK(same(mine.value->expr, tracks[0].expr));
  }
}

TEST_CASE("a let checked by check_expression reports its own errors where it is written", "[expression]") {
  auto c = check_source("party A {\n  cash = $1B\n  let bad = cash + 1y\n}\n", true);
  REQUIRE(c.ok());  // the let is never read
  auto r = evaluate(c, "A.bad");
  CHECK_FALSE(r.value);
  CHECK_THAT(r.messages, Catch::Contains("t.deal:4:18: error: cannot add Money ($) and Duration (y)"));
}

TEST_CASE("check_expression works on a copy of the program", "[expression]") {
  auto c = check_source(kProgram);
  REQUIRE(c.ok());
  check::Program copy = *c.program;
  c.program.reset();
  deal::Diagnostics diags;
  auto r = check::check_expression(copy, "<repl>", "l1.interest", c.sm, diags);
  REQUIRE(r);
  CHECK(check::describe(r->type, copy.units) == "Flow ($/y)");
}

TEST_CASE("Program::add_tracking_scenario copies a scenario and tracks the expression", "[expression]") {
  auto c = check_source(kProgram);
  REQUIRE(c.ok());
  check::Program& p = *c.program;
  auto r = evaluate(c, "OpenAI.cash * 2");
  REQUIRE(r.value);
  size_t n = p.scenarios.size();
  int base = p.find_scenario("base");
  int k = p.add_tracking_scenario(base, "<eval>", "v", r.value->expr);
  REQUIRE(k == int(n));
  const check::HScenario& s = p.scenarios[size_t(k)];
  CHECK(s.name == "<eval>");
  CHECK_FALSE(s.implicit);
  REQUIRE(s.tracks.size() == 2);
  CHECK(s.tracks[0].label == p.scenarios[size_t(base)].tracks[0].label);
  CHECK(s.tracks[1].label == "v");
  CHECK(same(s.tracks[1].expr, r.value->expr));
  // A track of the same label is replaced; -1 starts from an empty scenario.
  int k2 = p.add_tracking_scenario(k, "<eval2>", "v", evaluate(c, "B.cash").value->expr);
  CHECK(p.scenarios[size_t(k2)].tracks.size() == 2);
  int k3 = p.add_tracking_scenario(-1, "<eval3>", "v", r.value->expr);
  CHECK(p.scenarios[size_t(k3)].tracks.size() == 1);
  CHECK(p.scenarios[size_t(k3)].shocks.empty());
  CHECK(p.scenarios[size_t(k3)].paths == 1);
}

TEST_CASE("an error in a contract's let reached by check_expression names the deal", "[expression]") {
  auto c = check_source(
      "party A { cash = $1B }\n"
      "contract c(p: Party) {\n"
      "  let bad = p.cash + 1y\n"
      "}\n"
      "deal d1 = c(A)\n");
  REQUIRE(c.ok());  // the let is never read
  auto r = evaluate(c, "d1.bad");
  CHECK_FALSE(r.value);
  CHECK_THAT(r.messages, Catch::Contains("t.deal:4:20: error: cannot add Money ($) and Duration (y) (in deal 'd1')"));
  CHECK_THAT(r.messages, Catch::Contains("t.deal:6:1: note: in deal 'd1' = c(…), declared here"));
}
