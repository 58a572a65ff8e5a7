// Name resolution, declarations, contracts per deal, statements and scenarios.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "check_helpers.hpp"

using deal::test::check_source;

TEST_CASE("unknown names are located and get suggestions", "[names]") {
  auto c = check_source("party OpenAI { cash = $1B }\nscenario s { track OpenIA.cash }\n");
  REQUIRE_FALSE(c.ok());
  CHECK_THAT(c.messages, Catch::Contains("t.deal:3:20: error: unknown name 'OpenIA' (did you mean 'OpenAI'?)"));
}

TEST_CASE("a name declared twice is an error showing both places", "[names]") {
  auto c = check_source("party A { cash = $1B }\nparam A = 3\n");
  REQUIRE_FALSE(c.ok());
  CHECK_THAT(c.messages, Catch::Contains("t.deal:3:7: error: 'A' is already declared (as a party)"));
  CHECK_THAT(c.messages, Catch::Contains("t.deal:2:7: note: previous declaration is here"));
}

TEST_CASE("built-in names cannot be redeclared", "[names]") {
  CHECK_THAT(check_source("param min = 3\n").messages, Catch::Contains("'min' is a built-in name"));
  CHECK_THAT(check_source("party World { }\n").messages, Catch::Contains("'World' is a reserved word"));
}

TEST_CASE("declaration order does not matter", "[names]") {
  auto c = check_source("param b = a * 2\nparam a = $1B\nparty P { cash = b }\n");
  REQUIRE(c.ok());
  // Initialization runs dependencies first.
  CHECK(c.program->params[c.program->param_init_order[0]].name == "a");
}

TEST_CASE("cyclic params are reported", "[names]") {
  auto c = check_source("param a = b\nparam b = a\n");
  CHECK_THAT(c.messages, Catch::Contains("depends on itself"));
}

TEST_CASE("a contract is checked per deal with its concrete parties", "[contracts]") {
  const char* src =
      "unit GW\n"
      "party A { cash = $1B }\n"
      "party B { cash = $1B  capacity = 0GW }\n"
      "contract supply(buyer: Party, seller: Party, gw: Quantity[GW]) {\n"
      "  at 2025Q1 { buyer.capacity += gw }\n"
      "}\n"
      "deal s1 = supply(A, B, 1GW)\n"
      "deal s2 = supply(B, A, 1GW)\n";
  auto c = check_source(src);
  REQUIRE_FALSE(c.ok());
  // Reported at the user's deal line (the fix is in party A), the contract's use as a note.
  CHECK_THAT(c.messages, Catch::Contains("t.deal:8:1: error: party 'A' has no field 'capacity' that `supply` needs (as "
                                         "'buyer') [E013]\n"));
  CHECK_THAT(c.messages, Catch::Contains("      = help: add `capacity = 0GW` to party A\n"));
  CHECK_THAT(c.messages, Catch::Contains("t.deal:6:21: note: `supply` uses buyer.capacity here\n"));
  // s2 instantiates with B as buyer, which has the field: only s1 is wrong.
  CHECK(c.diags.error_count() == 1);
}

TEST_CASE("a field's dimension is checked per deal", "[contracts]") {
  const char* src =
      "unit GW\n"
      "party A { cash = $1B  capacity = $0 }\n"
      "contract supply(buyer: Party, gw: Quantity[GW]) { at 2025Q1 { buyer.capacity += gw } }\n"
      "deal s1 = supply(A, 1GW)\n";
  CHECK_THAT(check_source(src).messages, Catch::Contains("cannot add Quantity[GW] (GW) to a state of type Money ($)"));
}

TEST_CASE("deal arguments: counts, names, defaults, types", "[contracts]") {
  const char* contract =
      "party A { cash = $1B }\nparty B { cash = $1B }\n"
      "contract owe(debtor: Party, creditor: Party, amount: Money, when_due: Date = 2025Q2) {\n"
      "  at when_due { pay(debtor, creditor, amount) }\n}\n";
  CHECK(check_source(std::string(contract) + "deal d = owe(A, B, $1B)\n").ok());
  CHECK(check_source(std::string(contract) + "deal d = owe(A, B, amount: $1B, when_due: 2025Q3)\n").ok());
  CHECK_THAT(check_source(std::string(contract) + "deal d = owe(A, B)\n").messages,
             Catch::Contains("missing argument 'amount' (Money ($)) for contract 'owe'"));
  CHECK_THAT(check_source(std::string(contract) + "deal d = owe(A, B, $1B, 2025Q2, 3)\n").messages,
             Catch::Contains("too many arguments: contract 'owe' takes 4"));
  CHECK_THAT(check_source(std::string(contract) + "deal d = owe(A, B, amont: $1B)\n").messages,
             Catch::Contains("contract 'owe' has no parameter 'amont' (did you mean 'amount'?)"));
  CHECK_THAT(check_source(std::string(contract) + "deal d = owe(A, B, 3y)\n").messages,
             Catch::Contains("argument 'amount' of contract 'owe' is Money ($), but this value is Duration (y)"));
  CHECK_THAT(check_source(std::string(contract) + "deal d = owo(A, B, $1B)\n").messages,
             Catch::Contains("unknown contract 'owo' (did you mean 'owe'?)"));
}

TEST_CASE("a deal's default handling: explicit clauses, otherwise terminate", "[contracts]") {
  const char* src =
      "party A { cash = $1B }\nparty B { cash = $1B }\n"
      "contract c(buyer: Party, seller: Party) {\n"
      "  every step { pay(buyer, seller, $1M) }\n"
      "  on default(seller) { terminate }\n"
      "}\n"
      "deal d = c(A, B)\n";
  auto c = check_source(src);
  REQUIRE(c.ok());
  const auto& d = c.program->deals[0];
  REQUIRE(d.on_default.size() == 2);
  CHECK(d.on_default[0].party == c.program->find_party("B"));
  CHECK(d.on_default[0].clause == 1);
  CHECK(d.on_default[1].party == c.program->find_party("A"));
  CHECK(d.on_default[1].clause == -1);
}

TEST_CASE("recursion is rejected, directly and through other functions", "[fn]") {
  CHECK_THAT(check_source("fn f(x: Number): Number = f(x) + 1\n").messages, Catch::Contains("recurs"));
  auto c = check_source("fn f(x: Number) = g(x)\nfn g(x: Number): Number = f(x) * 2\n");
  CHECK_THAT(c.messages, Catch::Contains("recurs"));
  CHECK(check_source("fn f(x: Money) = x * 2\nfn g(x: Money) = f(x) + f(x)\nparam y = g($1B)\n").ok());
}

TEST_CASE("function calls: arity, argument types, result types", "[fn]") {
  const char* fn = "fn grow(x: Money, r: Rate, t: Duration): Money = x * (1 + r * t)\n";
  CHECK(deal::test::param_type(std::string(fn) + "param x = grow($1B, 5%/y, 2y)\n") == "Money ($)");
  CHECK_THAT(check_source(std::string(fn) + "param x = grow($1B, 5%, 2y)\n").messages,
             Catch::Contains("argument 'r' of 'grow' must be Rate (1/y), not Number"));
  CHECK_THAT(check_source(std::string(fn) + "param x = grow($1B)\n").messages,
             Catch::Contains("missing argument 'r' in call to 'grow'"));
  CHECK_THAT(check_source("fn f(x: Number): Money = x\n").messages,
             Catch::Contains("declared to return Money ($), but its body is Number"));
}

TEST_CASE("statements: locals do not shadow, states are assignable, read-only things are not", "[stmt]") {
  CHECK_THAT(check_source("party A { cash = $1B every step { let x = 1  if true { let x = 2 } } }\n").messages,
             Catch::Contains("'x' is already a local here"));
  CHECK_THAT(check_source("party A { cash = $1B every step { defaulted = true } }\n").messages,
             Catch::Contains("'defaulted' is set by the runtime"));
  CHECK_THAT(check_source("param g = 1\nparty A { cash = $1B every step { g = 2 } }\n").messages,
             Catch::Contains("'g' is a param: change it with `set g = …` in a shock"));
  CHECK_THAT(check_source("param g = 1\nparty A { cash = $1B every step { set g = 2 } }\n").messages,
             Catch::Contains("`set` changes a param and is only allowed in shocks"));
  CHECK(check_source(
            "param g = 1\nparty A { cash = $1B }\nshock s { set g = 2  at 2025Q2 { A.cash *= 50%  set g += 1 } }\n")
            .ok());
  CHECK_THAT(check_source("party A { cash = $1B every step { cash *= $2 } }\n").messages,
             Catch::Contains("scales a number by a plain Number"));
}

TEST_CASE("span exists only in every blocks; draws only in blocks; states not in params", "[stmt]") {
  CHECK_THAT(
      check_source("party A { cash = $1B }\ncontract c(p: Party) { at 2025Q1 { pay(p, World, $1B * span / 1y) } }\n"
                   "deal d = c(A)\n")
          .messages,
      Catch::Contains("'span' is only defined inside `every` blocks"));
  CHECK(check_source("party A { cash = $1B every step { pay(World, normal($1M, $0.1M)) } }\n").ok());
  CHECK_THAT(check_source("party A { cash = $1B }\nparam x = A.cash\n").messages,
             Catch::Contains("cannot read the state 'A.cash'"));
}

TEST_CASE("pay, receive, own, borrow: arguments and their types", "[stmt]") {
  CHECK(check_source(
            "party A { cash = $1B every step { pay(World, $1M) receive(World, $2M, priority: 0) borrow($1M) } }\n")
            .ok());
  CHECK_THAT(check_source("party A { cash = $1B every step { pay(World, 3) } }\n").messages,
             Catch::Contains("the amount paid must be Money ($), not Number"));
  CHECK_THAT(check_source("party A { cash = $1B every step { pay(World, $1M, priorty: 2) } }\n").messages,
             Catch::Contains("'pay' has no argument 'priorty'"));
  CHECK_THAT(check_source("party A { cash = $1B }\nshock s { at 2025Q1 { receive(World, $1B) } }\n").messages,
             Catch::Contains("`receive(from, amount)` is for party blocks"));
  CHECK_THAT(check_source("party A { cash = $1B }\nparty B { cash = $1B }\nshock s { at 2025Q1 { own(A, B, 150%) } }\n")
                 .messages,
             Catch::Contains("a stake is a fraction"));
}

TEST_CASE("initial values may use params and earlier states only", "[names]") {
  CHECK(check_source("param c0 = $5B\nparty A { cash = c0  reserve = cash / 2 }\n").ok());
  CHECK_THAT(check_source("party A { reserve = later  later = $1B }\n").messages,
             Catch::Contains("'later' is not initialized yet here"));
}

TEST_CASE("scenarios: extends, apply, overrides, distributions, settings", "[scenario]") {
  const char* base = "param g = 30%/y\nparam hit = false\nparty A { cash = $1B }\nshock s1 { set g = 10%/y }\n";
  auto c = check_source(std::string(base) +
                        "scenario a { apply s1  track A.cash  paths 10 }\n"
                        "scenario b extends a { param g ~ normal(30%/y, 25%/y)  param hit ~ bernoulli(30%)  seed 7\n"
                        "  clearing { alpha = 50%  beta = 90% }  track A.cash as \"cash\" }\n");
  REQUIRE(c.ok());
  const auto& b = c.program->scenarios[c.program->find_scenario("b")];
  CHECK(b.shocks.size() == 1);
  CHECK(b.paths == 10);
  CHECK(b.seed == 7);
  CHECK(b.alpha == Approx(0.5));
  CHECK(b.beta == Approx(0.9));
  REQUIRE(b.tracks.size() == 2);
  CHECK(b.tracks[0].label == "A.cash");
  CHECK(b.tracks[1].label == "cash");
  CHECK(b.overrides.size() == 2);

  CHECK_THAT(check_source(std::string(base) + "scenario x { apply s2 }\n").messages,
             Catch::Contains("unknown shock 's2' (did you mean 's1'?)"));
  CHECK_THAT(check_source(std::string(base) + "scenario x { param g ~ normal($1B, $1B) }\n").messages,
             Catch::Contains("param 'g' is Rate (1/y), but normal() draws Money ($)"));
  CHECK_THAT(check_source(std::string(base) + "scenario x { paths 2.5 }\n").messages,
             Catch::Contains("paths must be a whole number"));
  CHECK_THAT(check_source(std::string(base) + "scenario x extends y { }\nscenario y extends x { }\n").messages,
             Catch::Contains("extends itself"));
  CHECK_THAT(check_source(std::string(base) + "scenario x { clearing { alpha = 150% } }\n").messages,
             Catch::Contains("alpha must be a number between 0% and 100%"));
}

TEST_CASE("a program without scenarios has an implicit default scenario", "[scenario]") {
  auto c = check_source("party A { cash = $1B }\n");
  REQUIRE(c.ok());
  REQUIRE(c.program->scenarios.size() == 1);
  CHECK(c.program->scenarios[0].name == "default");
}

TEST_CASE("a program needs exactly one calendar", "[names]") {
  CHECK_THAT(check_source("party A { cash = $1B }\n", false).messages, Catch::Contains("the program has no calendar"));
  CHECK_THAT(
      check_source("calendar 2025Q1 .. 2025Q4 step quarter\ncalendar 2025Q1 .. 2026Q4 step quarter\n", false).messages,
      Catch::Contains("a program has exactly one calendar"));
}

namespace fs = std::filesystem;

TEST_CASE("imports: relative files, the standard library, each file once, cycles rejected", "[imports]") {
  fs::path dir = fs::temp_directory_path() / "deal_import_test";
  fs::remove_all(dir);
  fs::create_directories(dir / "lib");
  auto write = [&](const fs::path& p, const std::string& text) { std::ofstream(p) << text; };
  write(dir / "main.deal",
        "import \"lib/a.deal\"\nimport \"lib/b.deal\"\ncalendar 2025Q1 .. 2025Q4 step quarter\n"
        "party P { cash = base_cash }\n");
  write(dir / "lib/a.deal", "import \"b.deal\"\nparam base_cash = other * 2\n");
  write(dir / "lib/b.deal", "param other = $1B\n");
  deal::SourceManager sm;
  deal::Diagnostics diags;
  auto modules = deal::check::load_program((dir / "main.deal").string(), sm, diags);
  CHECK(modules.size() == 3);  // b.deal loaded once although imported twice
  auto prog = deal::check::check_program(modules, sm, diags);
  CHECK(prog.has_value());

  write(dir / "lib/b.deal", "import \"a.deal\"\nparam other = $1B\n");
  deal::SourceManager sm2;
  deal::Diagnostics diags2;
  deal::check::load_program((dir / "main.deal").string(), sm2, diags2);
  CHECK_THAT(deal::render_all(sm2, diags2), Catch::Contains("import cycle: a.deal → b.deal → a.deal"));

  write(dir / "std.deal", "import \"std/nonexistent\"\ncalendar 2025Q1 .. 2025Q4 step quarter\n");
  deal::SourceManager sm3;
  deal::Diagnostics diags3;
  deal::check::load_program((dir / "std.deal").string(), sm3, diags3);
  CHECK_THAT(deal::render_all(sm3, diags3), Catch::Contains("no standard library module 'std/nonexistent'"));
  fs::remove_all(dir);
}

TEST_CASE("the layout gives every state a slot with a display name", "[layout]") {
  auto c = check_source("unit GW\nparty Lab { cash = $8B  capacity = 1GW }\n");
  REQUIRE(c.ok());
  const auto& p = c.program->parties[c.program->find_party("Lab")];
  CHECK(c.program->slot_names[p.base + deal::check::kCash] == "Lab.cash");
  CHECK(p.states.back().name == "capacity");
  CHECK(c.program->slot_names[p.states.back().slot] == "Lab.capacity");
}

TEST_CASE("let members: annotations checked in parties and contracts; cycles reported", "[names]") {
  CHECK_THAT(check_source("party A { cash = $1B  let x: Money = 3y  every step { cash = x } }\n").messages,
             Catch::Contains("declared as Money ($) but its value is Duration (y)"));
  CHECK_THAT(check_source("party A { cash = $1B }\n"
                          "contract c(p: Party) { let x: Money = 3y  at 2025Q1 { pay(p, World, x) } }\ndeal d = c(A)\n")
                 .messages,
             Catch::Contains("declared as Money ($) but its value is Duration (y)"));
  CHECK_THAT(check_source("party A { cash = $1B  let x = y  let y = x  every step { cash = x } }\n").messages,
             Catch::Contains("is defined in terms of itself"));
}
