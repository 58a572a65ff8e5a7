// An expression checked by check::check_expression and tracked with
// Program::add_tracking_scenario runs as the same `track` written in the source.
#include <catch2/catch.hpp>

#include "run_helpers.hpp"

using namespace deal;

namespace {

const char* kProgram =
    "unit GW\n"
    "param growth = 40%/y\n"
    "party Lab {\n"
    "  cash = $1B\n"
    "  capacity = 1GW\n"
    "  let worth = cash + capacity * $2B/GW\n"  // never read by the program
    "  every step { receive(World, cash * growth * dt) }\n"
    "}\n"
    "party Cloud { cash = $5B }\n"
    "contract rent(payer: Party, payee: Party, per_year: Flow) {\n"
    "  paid_so_far = $0\n"
    "  every step { pay(payer, payee, per_year * dt)  paid_so_far += per_year * dt }\n"
    "}\n"
    "deal r = rent(Lab, Cloud, $400M/y)\n"
    "shock boom { set growth = 80%/y }\n"
    "scenario base { track Cloud.cash }\n"
    "scenario hot extends base { apply boom }\n";

std::vector<double> tracked(test::Compiled& c, const std::string& scenario, const std::string& label) {
  c.code = jit::CompiledProgram::compile(*c.program, rt::runtime_symbols());
  c.model = jit::build_model(*c.program, *c.code, c.sm);
  return test::series(rt::run_scenario(c.model, c.model.find_scenario(scenario), {}), label);
}

}  // namespace

TEST_CASE("a checked expression tracked in a copy of a scenario runs as a source track", "[codegen][expression]") {
  const char* exprs[] = {"Lab.worth + r.paid_so_far", "revenue_from(Cloud, Lab) / dt", "years(now - 2025Q1) * growth"};
  for (const char* text : exprs) {
    INFO(text);
    auto c = test::compile(kProgram);
    Diagnostics diags;
    auto e = check::check_expression(*c->program, "<repl>", text, c->sm, diags);
    REQUIRE(e);
    c->program->add_tracking_scenario(c->program->find_scenario("hot"), "<eval>", "v", e->expr);
    std::vector<double> mine = tracked(*c, "<eval>", "v");

    auto t = test::compile(std::string(kProgram) + "scenario probe extends hot { track " + text + " as \"v\" }\n");
    std::vector<double> want = test::series(rt::run_scenario(t->model, t->model.find_scenario("probe"), {}), "v");
    CHECK(mine == want);
    CHECK(mine.size() == 4);
  }
}
