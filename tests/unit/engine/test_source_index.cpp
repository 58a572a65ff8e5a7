// The engine's source index (what `deal lsp` answers from): declarations and uses of
// every kind of name, scoping of contract arguments and block `let`s, hover types and
// constant values, completion contexts, signature help, and canonical formatting.
#include <catch2/catch.hpp>
#include <string>

#include "engine/session.hpp"
#include "engine/source_index.hpp"

using namespace deal;

namespace {

const char* kProgram = R"(calendar 2026Q1 .. 2027Q4 step quarter
unit GW
param price = $12B/y/GW
param gw = 2GW
// A loan.
contract loan(lender: Party, borrower: Party, amount: Money) {
  owed = amount
  at 2026Q1 { let half = amount / 2
    pay(lender, borrower, half + half) }
}
party Bank { cash = $10B  revenue = price * gw }
party Shop { cash = $1B }
deal l1 = loan(lender: Bank, borrower: Shop, amount: $2B)
scenario base { param gw = 3GW }
)";

struct Fixture {
  engine::Checked checked = engine::check_source("t.deal", kProgram);
  engine::SourceIndex index{checked};

  // The symbol named `name` of kind `kind`.
  int find(const std::string& name, const std::string& kind) const {
    for (size_t i = 0; i < index.symbols().size(); ++i)
      if (index.symbols()[i].name == name && index.symbols()[i].kind == kind) return int(i);
    return -1;
  }
};

}  // namespace

TEST_CASE("source index: declarations and their uses", "[source_index]") {
  Fixture f;
  REQUIRE(f.checked.program);
  int price = f.find("price", "param");
  REQUIRE(price >= 0);
  CHECK(f.index.references(price, false).size() == 1);  // Bank.revenue
  int gw = f.find("gw", "param");
  CHECK(f.index.references(gw, true).size() == 3);  // declaration, Bank.revenue, scenario override
  // `amount` inside the contract is its argument, also as a named argument of the deal.
  int amount = f.find("amount", "argument");
  REQUIRE(amount >= 0);
  CHECK(f.index.references(amount, false).size() == 3);
  // A block's `let`, used twice.
  int half = f.find("half", "local");
  REQUIRE(half >= 0);
  CHECK(f.index.references(half, false).size() == 2);
  // The deal's contract name (line 13, col 11) is a use of the contract.
  CHECK(f.index.symbol_at(1, 13, 11) == f.find("loan", "contract"));
  CHECK(f.index.symbols()[f.find("loan", "contract")].doc == "A loan.\n");
}

TEST_CASE("source index: hover shows types, values and overrides", "[source_index]") {
  Fixture f;
  auto param = f.index.hover(1, 3, 8);  // `price`
  REQUIRE(param);
  CHECK(param->find("$12B/y/GW") != std::string::npos);
  auto over = f.index.hover(1, 4, 8);  // `gw`
  REQUIRE(over);
  CHECK(over->find("scenario `base`: `3GW`") != std::string::npos);
  auto party = f.index.hover(1, 11, 8);  // `Bank`
  REQUIRE(party);
  CHECK(party->find("`revenue`: Flow ($/y)") != std::string::npos);
  auto literal = f.index.hover(1, 13, 54);  // `$2B`
  REQUIRE(literal);
  CHECK(literal->find("Money ($) = `$2B`") != std::string::npos);
}

TEST_CASE("source index: completion by context", "[source_index]") {
  Fixture f;
  auto labels = [](const std::vector<engine::Completion>& cs) {
    std::string all;
    for (const auto& c : cs) all += c.label + " ";
    return all;
  };
  CHECK(labels(f.index.complete(1, 15, 1, "param x = Bank.")).find("revenue ") != std::string::npos);
  CHECK(labels(f.index.complete(1, 15, 1, "param x = Bank.")).find("price ") == std::string::npos);
  CHECK(labels(f.index.complete(1, 15, 1, "param x = 3")).find("GW ") != std::string::npos);
  CHECK(labels(f.index.complete(1, 15, 1, "deal d2 = loan(")).find("amount: ") != std::string::npos);
  CHECK(labels(f.index.complete(1, 15, 1, "sce")).find("scenario ") != std::string::npos);
  // Inside the contract, after the block's `let`: the let, the arguments, the fields.
  std::string inside = labels(f.index.complete(1, 9, 9, "    pay("));
  CHECK(inside.find("half ") != std::string::npos);
  CHECK(inside.find("lender ") != std::string::npos);
  CHECK(inside.find("owed ") != std::string::npos);
  CHECK(labels(f.index.complete(1, 11, 20, "party Bank { cash = ")).find("half ") == std::string::npos);
  // After a Party argument's dot, inside its contract: a party's built-in fields.
  CHECK(labels(f.index.complete(1, 9, 9, "    pay(lender.")).find("cash ") != std::string::npos);
  // A party without members still has its built-ins (and no crash).
  engine::Checked empty = engine::check_source("e.deal", "party X {}\nparam y = X.");
  engine::SourceIndex empty_index(empty);
  CHECK(labels(empty_index.complete(1, 2, 13, "param y = X.")).find("cash ") != std::string::npos);
  auto sig = f.index.signature_help("deal d2 = loan(Bank, ");
  REQUIRE(sig);
  CHECK(sig->label == "loan(lender: Party, borrower: Party, amount: Money)");
  CHECK(sig->active == 1);
  CHECK_FALSE(f.index.signature_help("deal d2 = loan(Bank) + 1"));
}

TEST_CASE("source index: a program with errors still has its names", "[source_index]") {
  engine::Checked c = engine::check_source("bad.deal", "param a = 1\nparam b = a + $1B\nparty P { cash = ");
  engine::SourceIndex index(c);
  CHECK(c.diags.has_errors());
  CHECK(index.symbol_at(1, 2, 11) >= 0);  // `a` in b's value
  CHECK_FALSE(index.hover(1, 2, 11) == std::nullopt);
}

TEST_CASE("format_source prints canonically and refuses what it would damage", "[source_index]") {
  std::string error;
  auto ok = engine::format_source("f.deal", "party   A {cash=$1B}\n", error);
  REQUIRE(ok);
  CHECK(ok->find("party A {") != std::string::npos);
  CHECK_FALSE(engine::format_source("f.deal", "party A {\n", error));
  CHECK(error.find("syntax errors") != std::string::npos);
  CHECK_FALSE(engine::format_source("f.deal", "// note\nparty A { cash = $1B }\n", error));
  CHECK(error.find("comments") != std::string::npos);
  // `//` inside a string is not a comment.
  CHECK(engine::format_source("f.deal", "party A { cash = $1B every step { emit \"a//b\" } }\n", error));
}

TEST_CASE("format_constant writes .deal literals", "[source_index]") {
  check::UnitNames units = {"GW"};
  check::Dim flow_per_gw = check::Dim::money() / check::Dim::time() / check::Dim::unit(0);
  CHECK(engine::format_constant(12e9, check::Type::num(flow_per_gw), units) == "$12B/y/GW");
  CHECK(engine::format_constant(-5e6, check::Type::num(check::Dim::money()), units) == "-$5M");
  CHECK(engine::format_constant(2, check::Type::num(check::Dim::unit(0)), units) == "2GW");
  CHECK(engine::format_constant(0.3, check::Type::num(check::Dim::number() / check::Dim::time()), units) == "0.3/y");
  CHECK(engine::format_constant(1, check::Type::boolean(), units) == "true");
}

TEST_CASE("source index: shocks, scenarios, units and fns", "[source_index]") {
  engine::Checked c = engine::check_source("s.deal", R"(calendar 2026Q1 .. 2026Q4 step quarter
unit GW
param cap = 2GW
fn twice(x: Number): Number = 2 * x
party P { cash = $1B  n = twice(3) }
shock cut { set cap = 1GW }
scenario base { apply cut }
scenario more extends base { param cap = 3GW }
)");
  REQUIRE(c.program);
  engine::SourceIndex index(c);
  auto find = [&](const std::string& name, const std::string& kind) {
    for (size_t i = 0; i < index.symbols().size(); ++i)
      if (index.symbols()[i].name == name && index.symbols()[i].kind == kind) return int(i);
    return -1;
  };
  CHECK(index.references(find("GW", "unit"), false).size() == 3);    // 2GW, 1GW, 3GW
  CHECK(index.references(find("cap", "param"), false).size() == 2);  // the shock's set, the override
  CHECK(index.references(find("cut", "shock"), false).size() == 1);
  CHECK(index.references(find("base", "scenario"), false).size() == 1);
  CHECK(index.references(find("twice", "fn"), false).size() == 1);
  CHECK(index.references(find("x", "argument"), false).size() == 1);
  auto sig = index.signature_help("param y = twice(");
  REQUIRE(sig);
  CHECK(sig->label == "twice(x: Number)");
}
