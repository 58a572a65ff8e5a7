// Every public entry point of the embedding API is a boundary: nothing but a
// deal::Error leaves it (docs/embedding.md, "Errors and diagnostics"), also when what
// goes wrong is thrown by the host's own callbacks or comes from a value out of range.
#include <catch2/catch.hpp>

#include <deal/deal.hpp>

#include <cmath>
#include <limits>
#include <string>

namespace {

struct HostThing {};  // not a std::exception

const char* kProgram = R"(
calendar 2025Q1 .. 2025Q4 step quarter
party A { cash = $1B }
scenario s { track A.cash }
)";

}  // namespace

TEST_CASE("api boundary: format_date of a month number outside the years 1..9999 is no date", "[api][boundary]") {
  CHECK(deal::format_date(12 * 2025 + 0) == "2025-01-01");
  CHECK(deal::format_date(12 * 9999 + 11) == "9999-12-01");
  // These once threw the runtime's own error type (or converted out of range).
  for (double x : {-1.0, 0.0, 11.0, 12.0 * 10000, 1e300, -1e300, std::numeric_limits<double>::quiet_NaN(),
                   std::numeric_limits<double>::infinity()}) {
    INFO(x);
    std::string text = "unset";
    CHECK_NOTHROW(text = deal::format_date(x));
    CHECK(text.empty());
  }
}

TEST_CASE("api boundary: a host callback that throws something else is a deal::Error", "[api][boundary]") {
  deal::Program prog = deal::Engine().load_string(kProgram, "boundary.deal");
  deal::RunOptions o;
  o.analyses = false;
  o.cancelled = []() -> bool { throw HostThing{}; };
  try {
    prog.scenario("s").run(o);
    FAIL("the run did not fail");
  } catch (const deal::Error& e) {
    CHECK(std::string(e.what()) == "internal error: an unknown exception");
  } catch (...) {
    FAIL("an exception that is not a deal::Error left Scenario::run");
  }
  deal::Message why;
  CHECK_FALSE(prog.scenario("s").try_run(o, &why));
  CHECK(why.code == "internal");

  // A std::exception of the host's is a RunError naming the scenario.
  o.cancelled = []() -> bool { throw std::runtime_error("the host gave up"); };
  CHECK_THROWS_WITH(prog.scenario("s").run(o), "scenario 's' failed: the host gave up");
  o.cancelled = nullptr;
  CHECK(prog.scenario("s").run(o).series("A.cash").values.size() == 4);
}

// Text from the host is held to what a file must be: UTF-8 without NUL bytes. (A string
// of other bytes would reach the reports, whose JSON cannot hold it.)
TEST_CASE("load_string refuses text that is not UTF-8 or holds NUL bytes", "[api]") {
  deal::Engine engine;
  std::string latin1 = "party A { cash = $1B }\n// caf\xe9\nscenario s { track A.cash }\n";
  try {
    engine.load_string(latin1, "latin1.deal");
    FAIL("latin-1 text was accepted");
  } catch (const deal::CompileError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("'latin1.deal' is not .deal source (it is not UTF-8 text)"));
  }
  std::string nul = std::string("party A { cash = $1B }\n", 23) + std::string(1, '\0') + "\n";
  CHECK_THROWS_WITH(engine.load_string(nul, "nul.deal"), Catch::Contains("it is binary"));
  CHECK_NOTHROW(engine.load_string(
      "calendar 2025Q1 .. 2025Q4 step quarter\nparty A { cash = $1B }\n// café ✓\nscenario s { track A.cash }\n",
      "ok.deal"));
}
