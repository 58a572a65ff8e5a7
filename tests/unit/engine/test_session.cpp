// The engine's session (engine/session.hpp): the one path every front end takes from
// text to runs — compile once, overrides resolved once, scenarios chosen with a
// suggestion, analyses as an option, the boundary that turns escapes into exit 3.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "engine/session.hpp"

using namespace deal;

namespace {

const char* kProgram =
    "calendar 2025Q1 .. 2025Q4 step quarter\n"
    "param rate = 10%/y\n"
    "param flag = false\n"
    "party A { cash = $10B }\n"
    "party B { cash = $0 }\n"
    "contract owe(d: Party, c: Party, amount: Money) { every step { pay(d, c, amount) } }\n"
    "deal ab = owe(A, B, $1B)\n"
    "scenario base { track A.cash, B.cash }\n"
    "scenario stress { param rate = 20%/y  track A.cash }\n";

std::unique_ptr<engine::Compiled> compiled(const char* text = kProgram) {
  engine::Checked c = engine::check_source("t.deal", text);
  INFO(engine::diagnostics_text(c, false));
  REQUIRE(c.program);
  return engine::Compiled::compile(std::move(c));
}

}  // namespace

TEST_CASE("a program is checked, compiled and described once, then run", "[engine]") {
  auto p = compiled();
  CHECK(p->model().scenarios.size() == 2);
  CHECK(p->program().params.size() == 2);
  CHECK(p->compile_ms() >= 0);
  rt::RunResult r = engine::run(*p, 0, {});
  REQUIRE(r.series.size() == 2);
  CHECK(r.series[1].values.back() == Approx(4e9));  // B receives $1B each quarter
  CHECK(r.analyses);                                // single path: every analysis by default
}

TEST_CASE("diagnostics come back as text with file, line and caret", "[engine]") {
  engine::Checked c = engine::check_source("bad.deal", "party A { cash = $1B + 1y }\n");
  CHECK_FALSE(c.program);
  std::string text = engine::diagnostics_text(c, false);
  CHECK_THAT(text, Catch::Contains("bad.deal:1:"));
  CHECK_THAT(text, Catch::Contains("^"));
  CHECK_THROWS_AS(engine::Compiled::compile(std::move(c)), engine::CompileFailure);
}

TEST_CASE("a scenario is chosen by name with a suggestion, or the only one", "[engine]") {
  auto p = compiled();
  std::string error;
  CHECK(engine::choose_scenario(p->model(), "stress", {}, error) == 1);
  CHECK(engine::choose_scenario(p->model(), "stres", {}, error) == -1);
  CHECK(error == "no scenario named 'stres' (did you mean 'stress'?); the program has: base, stress");
  CHECK(engine::choose_scenario(p->model(), "", {"web.deal", "choose one with --scenario NAME"}, error) == -1);
  CHECK(error == "web.deal has 2 scenarios (base, stress); choose one with --scenario NAME");
}

TEST_CASE("a param override is parsed, checked against the type and resolved to an index once", "[engine]") {
  auto p = compiled();
  engine::ParamError error;
  auto v = engine::parse_param_assignment(p->program(), "--set", "rate=25%/y", error);
  REQUIRE(v);
  CHECK(v->param == p->program().find_param("rate"));
  CHECK(v->value == Approx(0.25));

  CHECK_FALSE(engine::parse_param_assignment(p->program(), "--set", "rat=1%/y", error));
  CHECK(error.text == "--set rat=1%/y: no param named 'rat' (did you mean 'rate'?); the program has: rate, flag");
  CHECK_FALSE(error.is_diagnostics);

  CHECK_FALSE(engine::parse_param_assignment(p->program(), "--set", "rate=$5B", error));
  CHECK(error.text == "--set rate=$5B: param 'rate' is Rate (1/y), but $5B is Money ($)");

  CHECK_FALSE(engine::parse_param_assignment(p->program(), "--set", "rate", error));
  CHECK_THAT(error.text, Catch::StartsWith("--set takes NAME=VALUE"));

  CHECK_FALSE(engine::parse_param_assignment(p->program(), ":set", "rate=(", error));
  CHECK(error.is_diagnostics);
  CHECK_THAT(error.text, Catch::Contains(":set rate"));

  std::string e2;
  CHECK_FALSE(engine::number_param(p->program(), "flag", 1, e2));
  CHECK_THAT(e2, Catch::Contains("param 'flag' is Bool"));
  CHECK(engine::number_param(p->program(), "rate", 0.3, e2));
}

TEST_CASE("overrides replace each other and reach the run", "[engine]") {
  auto p = compiled(
      "calendar 2025Q1 .. 2025Q1 step quarter\nparam amount = $1B\n"
      "party A { cash = $10B }\nparty B { cash = $0 }\n"
      "contract owe(d: Party, c: Party, a: Money) { every step { pay(d, c, a) } }\n"
      "deal ab = owe(A, B, amount)\nscenario s { track B.cash }\n");
  rt::RunOptions opts;
  engine::ParamError error;
  engine::set_param(opts, *engine::parse_param_assignment(p->program(), "--set", "amount=$2B", error));
  engine::set_param(opts, *engine::parse_param_assignment(p->program(), "--set", "amount=$3B", error));
  CHECK(opts.params.size() == 1);
  CHECK(engine::run(*p, 0, opts).series[0].values.back() == Approx(3e9));
}

TEST_CASE("the analyses option selects, defaults by path count, and rejects unknown words", "[engine]") {
  engine::AnalysisRequest req;
  std::string error;
  CHECK(engine::parse_analyses("exposure,systemic", req, error));
  REQUIRE(req.which);
  CHECK(req.which->exposure);
  CHECK(req.which->systemic);
  CHECK_FALSE(req.which->circularity);
  CHECK(engine::parse_analyses("none", req, error));
  CHECK_FALSE(req.which->exposure);
  CHECK(engine::parse_analyses("", req, error));
  CHECK_FALSE(req.which);
  CHECK_FALSE(engine::parse_analyses("exposure,cycles", req, error));
  CHECK(error == "unknown analysis 'cycles' (exposure, circularity, concentration, systemic, all, none)");

  auto p = compiled();
  rt::RunOptions mc;
  mc.paths = 4;
  CHECK_FALSE(engine::run(*p, 0, mc).analyses);  // Monte Carlo: none by default
  engine::AnalysisRequest all;
  CHECK(engine::parse_analyses("all", all, error));
  auto r = engine::run(*p, 0, mc, all);
  REQUIRE(r.analyses);
  CHECK(r.analyses->computed_on_path == 1);
}

TEST_CASE("the graph's two runs: scheduled in full and as it ran", "[engine]") {
  auto p = compiled(
      "calendar 2025Q1 .. 2025Q1 step quarter\nparty A { cash = $1B }\nparty B { cash = $0 }\n"
      "contract owe(d: Party, c: Party, a: Money) { every step { pay(d, c, a) } }\n"
      "deal ab = owe(A, B, $3B)\nscenario s { track B.cash }\n");
  engine::GraphRuns g = engine::graph_runs(*p, 0, {});
  CHECK(g.scheduled.series[0].values.back() == Approx(3e9));
  CHECK(g.actual.series[0].values.back() == Approx(1e9));
}

TEST_CASE("emit prints the AST canonically and the IR", "[engine]") {
  engine::Checked c = engine::check_source("t.deal", kProgram);
  CHECK_THAT(engine::emit(c, "ast"), Catch::Contains("party A {\n  cash = $10B\n}"));
  CHECK_THAT(engine::emit(c, "ir"), Catch::Contains("define"));
}

TEST_CASE("the boundary turns an escaping exception into exit 3 and one line", "[engine]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  CHECK(engine::guarded([] { return 0; }, f) == 0);
  CHECK(engine::guarded([]() -> int { throw std::length_error("vector too long"); }, f) == 3);
  CHECK(engine::guarded([]() -> int { throw 42; }, f, "deal repl") == 3);
  std::rewind(f);
  char buf[256] = {};
  std::string text;
  while (std::fgets(buf, sizeof buf, f)) text += buf;
  std::fclose(f);
  CHECK(text == "deal: internal error: vector too long\ndeal repl: internal error: an unknown exception\n");
}

TEST_CASE("the standard library directory: option, then DEAL_STDLIB, then beside the binary or the source tree",
          "[engine]") {
  engine::LoadOptions o;
  o.stdlib_dir = "/somewhere/stdlib";
  CHECK(engine::stdlib_dir(o) == "/somewhere/stdlib");
  CHECK_FALSE(engine::stdlib_dir({}).empty());
}

// Checked::program_key (the object cache's key without IR): determined by the sources,
// different for a different text, and not used for a program changed after checking.
TEST_CASE("a checked program is keyed by its sources for the object cache", "[engine]") {
  engine::Checked a = engine::check_source("t.deal", kProgram);
  engine::Checked b = engine::check_source("t.deal", kProgram);
  engine::Checked c = engine::check_source("t.deal", std::string(kProgram) + "param extra = 1\n");
  REQUIRE(a.program);
  CHECK(a.program_key.size() == 64);
  CHECK(a.program_key == b.program_key);
  CHECK(a.program_key != c.program_key);
  CHECK(engine::check_source("u.deal", kProgram).program_key != a.program_key);  // names are in diagnostics
  engine::Checked bad = engine::check_source("t.deal", "party {");
  CHECK(bad.program_key.empty());
  // A scenario added after checking changes the fingerprint: the key is not used (its
  // entry, written by `a`, has no code for a third scenario).
  CHECK(a.program_fingerprint == b.program_fingerprint);
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("deal_session_key_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  engine::LoadOptions lo;
  lo.cache_dir = dir.string();
  auto pa = engine::Compiled::compile(std::move(a), lo);
  CHECK_FALSE(pa->from_cache());
  CHECK(engine::Compiled::compile(engine::check_source("t.deal", kProgram), lo)->from_cache());
  b.program->add_tracking_scenario(-1, "plain", "plain", check::HExpr::constant(0, check::Type::num()));
  auto pb = engine::Compiled::compile(std::move(b), lo);
  CHECK_FALSE(pb->from_cache());
  CHECK(pb->model().scenarios.size() == 3);
  CHECK(engine::run(*pb, 2, {}).series.size() == 1);
  std::filesystem::remove_all(dir);
}
