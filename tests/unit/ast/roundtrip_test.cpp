// print → parse → equal, over the shared conformance programs, the LANGUAGE.md §1
// example and a program that uses every construct; and the printer's parentheses.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "frontend_util.hpp"
#include "tests/unit/common/conformance_cases.hpp"

using namespace deal::ast;
using deal::test::parse;
using deal::test::parse_expr;
using deal::test::round_trips;

namespace {

// LANGUAGE.md §1, verbatim.
const char* kFirstExample = R"deal(// two_labs.deal — amounts in US dollars
calendar 2025Q1 .. 2027Q4 step quarter

unit GW

param demand_growth = 60%/y          // overridable: --set demand_growth=20%/y
param price_per_gw  = $12B/y/GW      // annual revenue one GW of compute earns

party Cloud {
  cash     = $20B
  capacity = 0GW
}

party Lab {
  cash     = $8B
  debt     = $0
  capacity = 1GW
  revenue  = $10B/y                  // a state variable of type Money/Duration

  every step {
    revenue = min(revenue * (1 + demand_growth * dt), capacity * price_per_gw)
    receive(World, revenue * dt)      // customers pay the lab
    pay(World, 0.7 * revenue * dt)    // the lab's own running costs
  }
  value = cash - debt + 8 * revenue * 1y   // equity valuation, recomputed each step
}

contract commitment(buyer: Party, seller: Party, total: Money,
                    start: Date, term: Duration, gw: Quantity[GW]) {
  at start { buyer.capacity += gw }
  every step from start for term {
    pay(buyer, seller, total * span / term)   // span: this step's overlap with the window
  }
  on default(seller) { buyer.capacity -= gw; terminate }
  on default(buyer)  { terminate }
}

deal lab_cloud = commitment(Lab, Cloud, $24B, 2025Q2, 3y, 1GW)

shock lab_stalls {
  at 2026Q1 { set demand_growth = -40%/y }
}

scenario base   { track Lab.cash, Cloud.cash }
scenario stress extends base {
  apply lab_stalls
  paths 10000
  seed 7
  param demand_growth ~ normal(30%/y, 25%/y)   // per-path draw overrides the param
}
)deal";

// Every declaration, member, clause, statement and expression form at least once.
const char* kKitchenSink = R"deal(
import "std/contracts"
import "lib/\"odd\" \\ path.deal"
calendar 2025-01 .. 2027-12-31 step month
unit GW
unit GPU
param a = 1
param b: Rate = 60%/y
param c: Money/Duration = $12B/y/GW * 1GW
param d: Price[GW] = $35B/GW
param e = 1e-3 + 1.5k + 2M + 3T + 0.25 + 7% + 1/dt
param f = if a > 0 and not (b < 0%/y or false) then -2^2 else (2^3)^2 + 2^-1
param g = (a - (a - a)) / (a / (a * a)) - -a
param h = "text {a + 1} and \{braces\} and \"quotes\" \\ \n"
param i = max(min(a, 2), clamp(a, lo: 0, hi: 1)).x.y
party Cloud is hyperscaler {
  cash = $20B
  capacity: Quantity[GW] = 0GW
  let free: Money = cash - debt
  credit = $5B
  every step {
    if cash < $0 {
      default(self)
    } else if cash < $1B {
      emit "low cash: {cash}"
    } else {
      pay(World, $1M, priority: 2)
    }
  }
  value = cash * 2
}
party Empty {}
contract loan(lender: Party, borrower: Party, amount: Money = $1B, rate: Rate = 5%/y, start: Date = 2025Q1) {
  let interest = amount * rate
  outstanding = $0
  at start {
    pay(lender, borrower, amount)
    outstanding += amount
  }
  every quarter from start for 2y {
    pay(borrower, lender, interest * span)
  }
  every year until 2027Q1 {}
  every step from start until 2026-06-15 {
    outstanding *= 1 + rate * dt
    self.outstanding /= 1
    lender.capacity -= 0GW
  }
  when outstanding > amount * 2 {
    terminate
  }
  whenever borrower.cash < $0 {
    let gap = -borrower.cash
    borrow(borrower, gap)
  }
  on default(borrower) {
    lender.cash -= outstanding
    terminate
  }
}
deal l1 = loan(Cloud, Empty)
deal l2 = loan(Cloud, Empty, amount: $2B, rate: 7%/y)
fn double(x: Number): Number = 2 * x
fn id(x: Money) = x
extern fn gpu_index(t: Number, u: Number): Number
shock crunch {
  set a = 2
  set b *= 50%
  at 2026Q1 {
    Cloud.cash -= $10B
    l1.outstanding = $0
    default(Cloud)
    terminate(l2)
  }
  when Cloud.cash < $0 {
    set a += 1
  }
  deal l3 = loan(Cloud, Empty, $5B)
}
scenario base {}
scenario stress extends base {
  apply crunch, crunch
  param a = 3
  param b ~ normal(30%/y, 25%/y)
  param e ~ choice(1, 2, 3)
  horizon 2026Q4
  paths 10000
  seed 7
  clearing { alpha = 50% beta = 100% }
  track Cloud.cash, equity(Cloud) as "eq", if a > 1 then a else b as "x \{y\}"
}
)deal";

void check_round_trip(const std::string& name, const std::string& text) {
  INFO("program: " << name);
  auto p = parse(text, {}, name);
  INFO(p->errors());
  REQUIRE(p->ok());
  std::string printed, why;
  bool ok = round_trips(p->module, &printed, &why);
  INFO("printed:\n" << printed << "\nproblem: " << why);
  CHECK(ok);
}

// Clears every `parenthesized` flag, so the printer must find the needed parens itself.
void forget_parens(Expr& e) {
  e.parenthesized = false;
  for (auto& a : e.args)
    if (a) forget_parens(*a);
}

std::string reprint_without_source_parens(const std::string& text) {
  auto p = parse_expr(text);
  INFO(text << "\n" << p->errors());
  REQUIRE(p->expr);
  forget_parens(*p->expr);
  std::string out = print(*p->expr);
  auto again = parse_expr(out);
  INFO("printed: " << out << "\n" << again->errors());
  REQUIRE(again->expr);
  CHECK(equal(*p->expr, *again->expr));
  return out;
}

}  // namespace

TEST_CASE("round trip: the LANGUAGE.md first example", "[roundtrip]") {
  check_round_trip("first_example", kFirstExample);
}

TEST_CASE("round trip: every construct", "[roundtrip]") { check_round_trip("kitchen_sink", kKitchenSink); }

TEST_CASE("round trip: every conformance case", "[roundtrip]") {
  auto cases = deal::testing::conformance_cases();
  if (cases.empty()) {
    WARN("conformance cases not found at " << deal::testing::conformance_dir().string() << "; skipped");
    return;
  }
  size_t count = 0;
  for (const auto& path : cases) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    auto p = parse(text, {}, path.filename().string());
    // Syntax-error cases are expected to fail; the rest must round-trip.
    if (!p->ok()) {
      CHECK(path.filename().string().rfind("e", 0) == 0);
      continue;
    }
    check_round_trip(path.filename().string(), text);
    ++count;
  }
  CHECK(count > 0);
}

TEST_CASE("printed form of the first example is canonical", "[roundtrip]") {
  auto p = parse(kFirstExample);
  REQUIRE(p->ok());
  std::string out = print(p->module);
  CHECK(out.find("party Lab {\n  cash = $8B\n  debt = $0\n") != std::string::npos);
  CHECK(out.find("  every step from start for term {\n    pay(buyer, seller, total * span / term)\n  }\n") !=
        std::string::npos);
  CHECK(out.find("param demand_growth = 60%/y\nparam price_per_gw = $12B/y/GW\n") != std::string::npos);
  CHECK(out.find("  param demand_growth ~ normal(30%/y, 25%/y)\n") != std::string::npos);
}

TEST_CASE("the printer adds exactly the parentheses precedence needs", "[roundtrip]") {
  CHECK(reprint_without_source_parens("(a + b) * c") == "(a + b) * c");
  CHECK(reprint_without_source_parens("a + (b * c)") == "a + b * c");
  CHECK(reprint_without_source_parens("a - (b - c)") == "a - (b - c)");
  CHECK(reprint_without_source_parens("(a - b) - c") == "a - b - c");
  CHECK(reprint_without_source_parens("a / (b * c)") == "a / (b * c)");
  CHECK(reprint_without_source_parens("(-2)^2") == "(-2)^2");
  CHECK(reprint_without_source_parens("-(2^2)") == "-2^2");
  CHECK(reprint_without_source_parens("(2^3)^2") == "(2^3)^2");
  CHECK(reprint_without_source_parens("2^(3^2)") == "2^3^2");
  CHECK(reprint_without_source_parens("2^(-1)") == "2^-1");
  CHECK(reprint_without_source_parens("(a < b) == c") == "(a < b) == c");
  CHECK(reprint_without_source_parens("not (a and b)") == "not (a and b)");
  CHECK(reprint_without_source_parens("(not a) and b") == "not a and b");
  CHECK(reprint_without_source_parens("a < (not b)") == "a < (not b)");
  CHECK(reprint_without_source_parens("(if a then b else c) + 1") == "(if a then b else c) + 1");
  CHECK(reprint_without_source_parens("-(a + b)") == "-(a + b)");
  CHECK(reprint_without_source_parens("-(-a)") == "- -a");
  CHECK(reprint_without_source_parens("(a + b).x") == "(a + b).x");
  CHECK(reprint_without_source_parens("(a or b) and c") == "(a or b) and c");
  CHECK(reprint_without_source_parens("f((a), (b + c))") == "f(a, b + c)");
}

TEST_CASE("the printer keeps parentheses that were in the source", "[roundtrip]") {
  auto p = parse_expr("a + (b * c)");
  REQUIRE(p->expr);
  CHECK(print(*p->expr) == "a + (b * c)");
}

TEST_CASE("printing literals and types", "[roundtrip]") {
  auto p = parse_expr("$12B/y/GW + 2027Q3 + \"a\\n{x}\"");
  REQUIRE(p->expr);
  CHECK(print(*p->expr) == "$12B/y/GW + 2027Q3 + \"a\\n{x}\"");
  TypeRef t;
  t.factors.push_back({"Price", "GW", 1, {}});
  t.factors.push_back({"Duration", "", -1, {}});
  CHECK(print(t) == "Price[GW]/Duration");
}

TEST_CASE("literals built in code print from their values", "[roundtrip]") {
  Expr n;
  n.kind = ExprKind::Number;
  n.value = 38e9;
  n.is_money = true;
  n.units.push_back({"y", -1, {}});
  CHECK(print(n) == "$38B/y");
  auto back = parse_expr(print(n));
  REQUIRE(back->expr);
  CHECK(equal(n, *back->expr));
  n.text = "$5B/y";  // stale spelling is not trusted
  CHECK(print(n) == "$38B/y");
  n.value = 0.1 + 0.2;  // no short spelling: the shortest exact one
  CHECK(print(n) == "$0.30000000000000004/y");
  n.value = 1234567;
  CHECK(print(n) == "$1234567/y");
  n.value = 2.5e-7;
  CHECK(print(n) == "$2.5e-07/y");
  back = parse_expr(print(n));
  REQUIRE(back->expr);
  CHECK(equal(n, *back->expr));
  Expr d;
  d.kind = ExprKind::Date;
  d.date = {2027, 3, 15};
  CHECK(print(d) == "2027-03-15");
  d.date = {2027, 7, 1};
  CHECK(print(d) == "2027-07");
}

TEST_CASE("equality ignores spelling, spans and parentheses but not meaning", "[roundtrip]") {
  auto same = [](const std::string& a, const std::string& b) {
    auto x = parse_expr(a), y = parse_expr(b);
    REQUIRE(x->expr);
    REQUIRE(y->expr);
    return equal(*x->expr, *y->expr);
  };
  CHECK(same("$38B", "$38000M"));
  CHECK(same("60%", "0.6"));
  CHECK(same("2027Q3", "2027-07-01"));
  CHECK(same("(a)  +  b", "a+b"));
  CHECK_FALSE(same("$1", "1"));
  CHECK_FALSE(same("1GW", "1MW"));
  CHECK_FALSE(same("a - b", "a + b"));
  CHECK_FALSE(same("f(x: 1)", "f(1)"));
  CHECK_FALSE(same("\"a\"", "\"b\""));
  CHECK_FALSE(same("a.b", "a.c"));
  auto m1 = parse("party A { cash = 1 }"), m2 = parse("party A { cash = 2 }"), m3 = parse("party A {cash=1;}");
  CHECK_FALSE(equal(m1->module, m2->module));
  CHECK(equal(m1->module, m3->module));
}
