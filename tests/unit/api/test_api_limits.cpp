// The run limits of deal::RunOptions (max_seconds, max_memory_bytes, max_path_steps),
// which `deal run` has as flags: a host running programs it did not write bounds each
// run with them. Only the public header is included.
#include <catch2/catch.hpp>

#include <deal/deal.hpp>

#include <cmath>
#include <limits>
#include <string>

namespace {

// 4 quarterly steps; `many` asks for more paths than any test could wait for.
const char* kProgram = R"(
calendar 2025Q1 .. 2025Q4 step quarter
param g = 0
party A { cash = $1B  x = 0  every step { x = x + g } }
scenario few { paths 50  seed 1  param g ~ normal(0, 1)  track A.x }
scenario many { paths 2000000000  seed 1  param g ~ normal(0, 1)  track A.x }
)";

deal::Program program() { return deal::Engine().load_string(kProgram, "limits.deal"); }

std::string run_error(const deal::Scenario& s, const deal::RunOptions& o) {
  try {
    s.run(o);
  } catch (const deal::RunError& e) {
    return e.what();
  }
  return "(no RunError)";
}

}  // namespace

TEST_CASE("api limits: max_path_steps refuses a run before it starts", "[api][limits]") {
  deal::Program prog = program();
  deal::RunOptions o;
  o.max_path_steps = 100;  // 50 paths × 4 steps = 200
  CHECK_THAT(run_error(prog.scenario("few"), o),
             Catch::Contains("this run would take 50 paths × 4 steps, above the limit of 100 path-steps"));
  o.max_path_steps = 200;
  CHECK(prog.scenario("few").run(o).paths() == 50);
  // Without the option, the default (10^10) applies: 2·10^9 paths × 4 steps is above it
  // only with a lower limit.
  o.max_path_steps = 7'999'999'999LL;
  CHECK_THAT(run_error(prog.scenario("many"), o), Catch::Contains("above the limit of 7999999999 path-steps"));
  // No limit: the other limits still hold (here the memory one: a sketch per statistic and
  // worker, bounded whatever the number of paths, is above 64 KiB).
  o.max_path_steps = 0;
  o.max_memory_bytes = 64 << 10;
  CHECK_THAT(run_error(prog.scenario("many"), o), Catch::Contains("above the memory limit"));
  o.max_path_steps = -1;
  CHECK_THROWS_AS(prog.scenario("few").run(o), deal::UsageError);
}

TEST_CASE("api limits: max_memory_bytes refuses a run that would keep too much", "[api][limits]") {
  deal::Program prog = program();
  deal::RunOptions o;
  o.max_memory_bytes = 1024;
  CHECK_THAT(run_error(prog.scenario("few"), o),
             Catch::Contains("above the memory limit of") && Catch::Contains("reduce --paths"));
  o.max_memory_bytes = 64LL << 20;
  CHECK(prog.scenario("few").run(o).paths() == 50);
  for (long long bad : {0LL, -5LL}) {
    o.max_memory_bytes = bad;
    CHECK_THROWS_AS(prog.scenario("few").run(o), deal::UsageError);
  }
}

TEST_CASE("api limits: max_seconds stops a run that would not end", "[api][limits]") {
  deal::Program prog = program();
  deal::RunOptions o;
  // Two billion paths cannot finish in a hundredth of a second (nor in a test's life):
  // the run must stop with the time-limit error rather than run on.
  o.max_seconds = 0.01;
  o.threads = 1;
  CHECK(run_error(prog.scenario("many"), o) == "the run exceeded its time limit of 0.01 s");
  // The try_ form reports it as a run error.
  deal::Message why;
  CHECK_FALSE(prog.scenario("many").try_run(o, &why));
  CHECK(why.kind == deal::MessageKind::RunError);
  CHECK(why.message == "the run exceeded its time limit of 0.01 s");
  // A generous limit does not change a run that fits it.
  o.max_seconds = 3600;
  deal::Result limited = prog.scenario("few").run(o);
  o.max_seconds = 0;  // 0: no limit
  CHECK(prog.scenario("few").run(o).to_json() == limited.to_json());
  for (double bad : {-1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    o.max_seconds = bad;
    CHECK_THROWS_AS(prog.scenario("few").run(o), deal::UsageError);
  }
}

TEST_CASE("api limits: a single path honours max_seconds at every step", "[api][limits]") {
  // A single path checks the limit at each step; a limit already passed when the run
  // starts stops it at the first step, whatever the machine's speed.
  deal::Program prog = deal::Engine().load_string(
      "calendar 2025-01 .. 2999-12 step month\nparty A { cash = $1B }\nscenario s { }\n", "long.deal");
  deal::RunOptions o;
  o.max_seconds = 1e-9;
  o.analyses = false;
  CHECK(run_error(prog.scenario("s"), o) == "the run exceeded its time limit of 1e-09 s");
}
