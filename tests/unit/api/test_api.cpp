// The embedding API (include/deal/deal.hpp) from a host's point of view: only the public
// header is included. The CLI (DEAL_BINARY) is the reference for JSON and diagnostics.
#include <catch2/catch.hpp>

#include <deal/deal.hpp>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace {

const std::string kSource = DEAL_SOURCE_DIR;

// Runs the `deal` command line; returns stdout (or stderr when `err`).
std::string cli(const std::string& args, bool err = false) {
  std::string cmd = std::string("NO_COLOR=1 ") + DEAL_BINARY + " " + args + (err ? " 2>&1 >/dev/null" : " 2>/dev/null");
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::string temp_file(const std::string& name, const std::string& text) {
  auto dir = std::filesystem::temp_directory_path() / "deal_test_api";
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

const char* kTwoParties = R"(
calendar 2025Q1 .. 2025Q4 step quarter
param growth = 10%/y
party A is lab { cash = $10B  revenue = $4B/y
  every step { revenue = revenue * (1 + growth * dt)  receive(World, revenue * dt) } }
party B { cash = $1B }
contract loan(lender: Party, borrower: Party, amount: Money) {
  at 2025Q1 { pay(lender, borrower, amount) }
  every step from 2025Q2 { pay(borrower, lender, amount / 3) }
}
deal l = loan(A, B, $3B)
scenario base { track A.cash, B.cash as "b", A.revenue }
scenario mc extends base { paths 200  seed 3  param growth ~ normal(10%/y, 5%/y) }
)";

}  // namespace

TEST_CASE("load_string, run, typed results", "[api]") {
  deal::Engine engine;
  deal::Program prog = engine.load_string(kTwoParties, "two.deal");
  CHECK(prog.scenarios() == std::vector<std::string>{"base", "mc"});
  CHECK(prog.parties() == std::vector<std::string>{"A", "B"});
  REQUIRE(prog.params().size() == 1);
  CHECK(prog.params()[0].name == "growth");
  CHECK(prog.params()[0].type == "Rate (1/y)");
  CHECK(prog.params()[0].unit == "1/y");

  deal::Result r = prog.scenario("base").run();
  CHECK(r.scenario() == "base");
  CHECK(r.paths() == 1);
  CHECK(r.dates() == std::vector<std::string>{"2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01"});
  REQUIRE(r.parties().size() == 2);
  CHECK(r.party("A").kind == "lab");
  CHECK(r.party("B").cash == Approx(1e9));  // borrowed 3B, repaid 3 × 1B
  CHECK_FALSE(r.party("B").defaulted);
  CHECK(r.default_probability("B") == 0.0);
  CHECK(r.defaults().empty());
  const deal::Series& b = r.series("b");
  CHECK(b.unit == "$");
  CHECK(b.kind == deal::Series::Kind::Number);
  REQUIRE(b.values.size() == 4);
  CHECK(b.values[0] == Approx(4e9));
  CHECK(b.mean == b.values);
  CHECK(b.p95 == b.values);
  CHECK(r.series("A.revenue").unit == "$/y");
  CHECK(r.all_series().size() == 3);
  CHECK(r.ledger().rows == 8);  // A's four receipts from World, the loan and three repayments
  CHECK(r.ledger().paid == r.ledger().due);
  REQUIRE(r.analyses());  // single path: on by default, as `deal run`
  REQUIRE(r.analyses()->exposure);
  bool found = false;
  for (const auto& e : *r.analyses()->exposure)
    if (e.from == "B" && e.to == "A") {
      found = true;
      CHECK(e.amount == Approx(3e9));
    }
  CHECK(found);
  CHECK(r.analyses()->systemic);
  CHECK(r.to_table().find("Scenario base — 1 path") == 0);
}

TEST_CASE("Monte Carlo results: statistics per step, no analyses by default", "[api]") {
  deal::Engine engine;
  deal::Program prog = engine.load_string(kTwoParties, "two.deal");
  deal::Result r = prog.scenario("mc").run();
  CHECK(r.paths() == 200);
  CHECK(r.seed() == 3);
  const deal::Series& s = r.series("A.revenue");
  CHECK(s.values.empty());
  REQUIRE(s.mean.size() == 4);
  CHECK(s.p5[3] < s.p50[3]);
  CHECK(s.p50[3] < s.p95[3]);
  CHECK_FALSE(r.analyses());
  deal::Result with = prog.scenario("mc").run({.paths = 20, .analyses = true});
  CHECK(with.paths() == 20);
  REQUIRE(with.analyses());
  CHECK(with.analyses()->computed_on_path == 1);
}

TEST_CASE("to_json is the JSON of deal run --format json", "[api][cli]") {
  deal::Engine engine;
  std::string two_labs = kSource + "/examples/two_labs.deal";
  std::string cascade = kSource + "/examples/cascade.deal";
  deal::Program labs = engine.load_file(two_labs);
  CHECK(labs.scenario("base").run().to_json() == cli("run " + two_labs + " --scenario base --format json"));
  CHECK(labs.scenario("stress").run({.paths = 300}).to_json() ==
        cli("run " + two_labs + " --scenario stress --paths 300 --format json"));
  CHECK(labs.scenario("base").set("demand_growth", "20%/y").run().to_json() ==
        cli("run " + two_labs + " --scenario base --set demand_growth=20%/y --format json"));
  CHECK(labs.scenario("base").set("demand_growth", 0.2).run().to_json() ==
        cli("run " + two_labs + " --scenario base --set demand_growth=20%/y --format json"));
  deal::Program casc = engine.load_file(cascade);
  deal::Result stall = casc.scenario("stall").run();
  CHECK(stall.to_json() == cli("run " + cascade + " --scenario stall --format json"));
  CHECK(stall.to_table() == cli("run " + cascade + " --scenario stall --format table"));
  REQUIRE_FALSE(stall.defaults().empty());
  CHECK_FALSE(stall.events().empty());
}

TEST_CASE("defaults with causes", "[api]") {
  deal::Engine engine;
  deal::Program p = engine.load_string(R"(
calendar 2025Q1 .. 2025Q2 step quarter
party A { cash = $4B }
party B { cash = $0 }
party C { cash = $0 }
contract owe(payer: Party, payee: Party, amount: Money) { at 2025Q1 { pay(payer, payee, amount) } }
deal ab = owe(A, B, $10B)
deal bc = owe(B, C, $10B)
)");
  deal::Result r = p.run();
  REQUIRE(r.defaults().size() == 2);
  CHECK(r.defaults()[0].party == "A");
  CHECK(r.defaults()[0].date == "2025-01-01");
  CHECK(r.defaults()[0].owed == Approx(10e9));
  CHECK(r.defaults()[0].paid == Approx(4e9));
  CHECK_FALSE(r.defaults()[0].forced);
  REQUIRE(r.defaults()[1].short_payers.size() == 1);
  CHECK(r.defaults()[1].short_payers[0].party == "A");
  CHECK(r.party("B").defaulted);
  CHECK(r.party("B").default_date == "2025-01-01");
  CHECK(r.default_probability("B") == 1.0);
}

TEST_CASE("CompileError carries every diagnostic with the CLI's text", "[api][cli]") {
  std::string path = temp_file("two_errors.deal",
                               "calendar 2025Q1 .. 2025Q4 step quarter\n"
                               "param x = $1B + $1B/y\n"
                               "party A { cash = y0 }\n");
  deal::Engine engine;
  try {
    engine.load_file(path);
    FAIL("no CompileError");
  } catch (const deal::CompileError& e) {
    CHECK(std::string(e.what()) == cli("check " + path, /*err=*/true));
    REQUIRE(e.diagnostics().size() == 2);
    CHECK(e.diagnostics()[0].level == deal::Level::Error);
    CHECK(e.diagnostics()[0].file == path);
    CHECK(e.diagnostics()[0].line == 2);
    CHECK(e.diagnostics()[0].column == 15);
    CHECK(e.diagnostics()[0].message == "cannot add Money ($) and Flow ($/y)");
    CHECK(e.diagnostics()[0].text.find("      |               ^") != std::string::npos);
    CHECK(e.diagnostics()[1].line == 3);
  }
  CHECK_THROWS_AS(engine.load_file("/nonexistent/x.deal"), deal::CompileError);
  CHECK_THROWS_WITH(engine.load_string("party A {", "cut.deal"), Catch::Contains("cut.deal:1:"));
}

TEST_CASE("a diagnostics handler instead of exceptions", "[api]") {
  std::vector<deal::Message> seen;
  deal::EngineOptions opts;
  opts.on_diagnostic = [&](const deal::Message& m) { seen.push_back(m); };
  deal::Engine engine(opts);
  std::optional<deal::Program> p = engine.try_load_string("param x = 1 +", "bad.deal");
  CHECK_FALSE(p);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].file == "bad.deal");
  CHECK(seen[0].text.rfind("bad.deal:1:", 0) == 0);

  seen.clear();
  std::optional<deal::Program> ok = engine.try_load_string(R"(
calendar 2025Q1 .. 2025Q2 step quarter
party A { cash = $1B  every step { cash = cash / 0 } })",
                                                           "nan.deal");
  REQUIRE(ok);
  CHECK(seen.empty());
  CHECK_FALSE(ok->scenario().try_run());
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].message.find("state 'A.cash' became +infinity") != std::string::npos);
  CHECK_THROWS_AS(ok->run(), deal::RunError);
}

TEST_CASE("usage errors name what exists", "[api]") {
  deal::Engine engine;
  deal::Program prog = engine.load_string(kTwoParties, "two.deal");
  CHECK_THROWS_AS(prog.scenario("bas"), deal::UsageError);
  CHECK_THROWS_WITH(prog.scenario("bas"), "no scenario named 'bas' (did you mean 'base'?); the program has: base, mc");
  CHECK_THROWS_WITH(prog.scenario(), Catch::Contains("has 2 scenarios"));
  CHECK_THROWS_WITH(prog.scenario("base").set("grwth", 0.1), Catch::Contains("did you mean 'growth'?"));
  CHECK_THROWS_WITH(prog.scenario("base").set("growth", "$3B"), "param 'growth' is Rate (1/y), but $3B is Money ($)");
  CHECK_THROWS_AS(prog.scenario("base").set("growth", "3 +"), deal::CompileError);
  deal::Result r = prog.scenario("base").run();
  CHECK_THROWS_WITH(r.party("C"), Catch::Contains("no party named 'C'"));
  CHECK_THROWS_WITH(r.series("A.cahs"), Catch::Contains("did you mean 'A.cash'?"));
  CHECK_THROWS_AS(prog.bind("nothing", [](double x) { return x; }), deal::UsageError);
  CHECK_THROWS_AS(prog.run({.paths = 0}), deal::UsageError);
}

TEST_CASE("extern fn: host functions end to end", "[api][extern]") {
  const char* src = R"(
calendar 2025Q1 .. 2025Q4 step quarter
extern fn gpu_index(t: Number): Number
extern fn blend(a: Number, b: Number): Number
fn doubled(x: Number) = 2 * x
party A {
  cash = $0
  index = 0
  every step {
    index = gpu_index(years(now - 2025Q1))
    receive(World, $1B * blend(index, doubled(1)))
  }
}
scenario s { track A.index, A.cash }
)";
  deal::Engine engine;
  deal::Program prog = engine.load_string(src, "ext.deal");
  CHECK(prog.extern_fns() == std::vector<std::string>{"gpu_index", "blend"});
  CHECK(prog.unbound_extern_fns() == prog.extern_fns());

  SECTION("unbound: the run fails naming the function") {
    CHECK_THROWS_WITH(prog.run(), Catch::Contains("extern fn 'gpu_index' has no host function bound"));
  }
  SECTION("bound: lambdas, function pointers, std::function") {
    prog.bind("gpu_index", [](double t) { return 1.0 + t; });
    double (*sum)(double, double) = [](double a, double b) { return a + b; };
    prog.bind("blend", sum);
    CHECK(prog.unbound_extern_fns().empty());
    deal::Result r = prog.run();
    const auto& idx = r.series("A.index").values;
    REQUIRE(idx.size() == 4);
    CHECK(idx[0] == Approx(1.0));
    CHECK(idx[3] == Approx(1.75));
    // cash: Σ (1 + t + 2) $B over t = 0, .25, .5, .75
    CHECK(r.party("A").cash == Approx(13.5e9));

    std::function<double(double, double)> times = [](double a, double b) { return a * b; };
    prog.bind("blend", times);  // rebinding replaces
    CHECK(prog.run().party("A").cash == Approx(2e9 * (1 + 1.25 + 1.5 + 1.75)));
  }
  SECTION("arity and names are checked at bind time") {
    CHECK_THROWS_WITH(prog.bind("gpu_index", [](double a, double b) { return a + b; }),
                      "extern fn 'gpu_index' takes 1 argument, but the host function takes 2");
    CHECK_THROWS_WITH(prog.bind("doubled", [](double a) { return a; }), Catch::Contains("it is a fn with a body"));
    CHECK_THROWS_WITH(prog.bind("gpu_indx", [](double a) { return a; }), Catch::Contains("did you mean 'gpu_index'?"));
  }
  SECTION("a host function that throws fails the run; nothing unwinds through JIT code") {
    prog.bind("gpu_index", [](double) -> double { throw std::runtime_error("feed offline"); });
    prog.bind("blend", [](double a, double b) { return a + b; });
    CHECK_THROWS_WITH(prog.run(), Catch::Contains("a host function threw: feed offline"));
  }
}

TEST_CASE("extern fn declarations are checked", "[api][extern]") {
  deal::Engine engine;
  CHECK_THROWS_WITH(engine.load_string("calendar 2025Q1 .. 2025Q4 step quarter\n"
                                       "extern fn f(d: Date): Number\n",
                                       "e.deal"),
                    Catch::Contains("an extern fn takes numbers only"));
  CHECK_THROWS_WITH(engine.load_string("calendar 2025Q1 .. 2025Q4 step quarter\n"
                                       "extern fn f(x: Number): Bool\n",
                                       "e.deal"),
                    Catch::Contains("an extern fn returns a number"));
}

TEST_CASE("one Program run from several threads at once", "[api][threads]") {
  deal::Engine engine;
  deal::Program prog = engine.load_file(kSource + "/examples/two_labs.deal");
  std::atomic<long> calls{0};
  // A host function shared by every run (it must be thread-safe: this one is).
  deal::Program ext = engine.load_string(R"(
calendar 2025Q1 .. 2026Q4 step quarter
extern fn boost(x: Rate): Rate   // any number dimension
param g = 10%/y
party A { cash = $1B  r = $1B/y  every step { r = r * (1 + boost(g) * dt)  receive(World, r * dt) } }
scenario s { paths 50  param g ~ uniform(0%/y, 20%/y)  track A.cash }
)",
                                         "ext.deal");
  ext.bind("boost", [&calls](double x) {
    calls.fetch_add(1, std::memory_order_relaxed);
    return 2 * x;
  });

  std::vector<std::string> base_json, stress_json, ext_json;
  for (unsigned long long seed = 0; seed < 4; ++seed) {
    base_json.push_back(prog.scenario("base").set("demand_growth", 0.1 * double(seed)).run().to_json());
    stress_json.push_back(prog.scenario("stress").run({.paths = 200, .seed = seed, .threads = 1}).to_json());
    ext_json.push_back(ext.scenario("s").run({.seed = seed}).to_json());
  }
  const int kThreads = 8, kRounds = 3;
  std::vector<std::thread> pool;
  std::atomic<int> mismatches{0}, failures{0};
  for (int t = 0; t < kThreads; ++t)
    pool.emplace_back([&, t] {
      try {
        for (int round = 0; round < kRounds; ++round) {
          size_t k = size_t((t + round) % 4);
          deal::Scenario base = prog.scenario("base");  // each thread its own Scenario value
          if (base.set("demand_growth", 0.1 * double(k)).run().to_json() != base_json[k]) ++mismatches;
          if (prog.scenario("stress").run({.paths = 200, .seed = k, .threads = 2}).to_json() != stress_json[k])
            ++mismatches;
          if (ext.scenario("s").run({.seed = k}).to_json() != ext_json[k]) ++mismatches;
        }
      } catch (...) {
        ++failures;
      }
    });
  for (auto& th : pool) th.join();
  CHECK(failures == 0);
  CHECK(mismatches == 0);
  CHECK(calls > 0);
}

TEST_CASE("one Engine loads from several threads at once", "[api][threads]") {
  deal::Engine engine;
  std::string want = engine.load_string(kTwoParties, "two.deal").scenario("base").run().to_json();
  std::atomic<int> bad{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t)
    pool.emplace_back([&] {
      try {
        for (int i = 0; i < 3; ++i) {
          deal::Program p = engine.load_string(kTwoParties, "two.deal");
          if (p.scenario("base").set("growth", "10%/y").run().to_json() != want) ++bad;
          if (engine.try_load_string("party {", "bad.deal")) ++bad;
        }
      } catch (...) {
        ++bad;
      }
    });
  for (auto& th : pool) th.join();
  CHECK(bad == 0);
}

TEST_CASE("results and programs outlive the engine, and copies share", "[api]") {
  std::optional<deal::Result> kept;
  std::optional<deal::Program> prog;
  {
    deal::Engine engine;
    prog = engine.load_string(kTwoParties, "two.deal");
    deal::Program copy = *prog;
    copy.scenario("base");
    kept = prog->scenario("base").run();
  }
  CHECK(kept->party("B").cash == Approx(1e9));
  CHECK_FALSE(kept->to_json().empty());
  prog.reset();
  CHECK(kept->to_json().find("\"scenario\": \"base\"") != std::string::npos);
}

TEST_CASE("values with units and dates", "[api]") {
  CHECK(deal::format_value(38e9, "$") == "$38B");
  CHECK(deal::format_value(0.125, "1/y") == "12.5%/y");
  CHECK(deal::format_date(12 * 2027 + 6) == "2027-07-01");
  CHECK(std::string(deal::version()) == "0.1.0");
}

TEST_CASE("api: a host can cancel a run", "[api]") {
  deal::Engine engine;
  deal::Program prog = engine.load_string(
      "calendar 2025Q1 .. 2025Q4 step quarter\nparam g = 0\nparty A { cash = $1B  x = 0  every step { x = x + g } }\n"
      "scenario many { paths 1000  param g ~ normal(0, 1)  track A.x }\n",
      "cancel.deal");
  deal::RunOptions opts;
  opts.cancelled = [] { return true; };
  CHECK_THROWS_AS(prog.scenario("many").run(opts), deal::RunError);
  opts.cancelled = [] { return false; };
  CHECK(prog.scenario("many").run(opts).paths() == 1000);
}

TEST_CASE("compare_json is the JSON of deal compare", "[api][cli]") {
  deal::Engine engine;
  std::string two_labs = kSource + "/examples/two_labs.deal";
  deal::Program labs = engine.load_file(two_labs);
  // deal compare runs both sides with the first scenario's seed (0 for base).
  deal::Result base = labs.scenario("base").run({.paths = 300, .seed = 0});
  deal::Result stress = labs.scenario("stress").run({.paths = 300, .seed = 0});
  CHECK(base.compare_json(stress) == cli("compare " + two_labs + " base stress --paths 300 --format json"));
  deal::Program other = engine.load_file(two_labs);
  CHECK_THROWS_AS(base.compare_json(other.scenario("base").run()), deal::UsageError);
}

TEST_CASE("Scenario::sensitivity_json is the JSON of deal sensitivity", "[api][cli]") {
  deal::Engine engine;
  std::string two_labs = kSource + "/examples/two_labs.deal";
  deal::Program labs = engine.load_file(two_labs);
  deal::SensitivityOptions o;
  o.metrics = {"equity:Lab", "default:Lab"};
  o.threshold_party = "Lab";
  CHECK(labs.scenario("base").sensitivity_json(o) ==
        cli("sensitivity " + two_labs + " -s base --metric equity:Lab,default:Lab --threshold Lab --format json"));
  // The scenario's overrides hold in every run.
  CHECK(labs.scenario("base").set("demand_growth", "20%/y").sensitivity_json(o) ==
        cli("sensitivity " + two_labs +
            " -s base --set demand_growth=20%/y --metric equity:Lab,default:Lab --threshold Lab --format json"));
  o.metrics = {"equity:Nobody"};
  CHECK_THROWS_AS(labs.scenario("base").sensitivity_json(o), deal::UsageError);
}
