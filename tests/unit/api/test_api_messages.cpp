// The public API's messages: each carries its kind and a stable code; the try_ calls
// keep the reason even without a handler; set() takes any number and bools.
#include <catch2/catch.hpp>

#include <deal/deal.hpp>

namespace {

const char* kProgram = R"(
calendar 2025Q1 .. 2025Q2 step quarter
param n = 1
param flag = false
party A { cash = $1B  x = 0  every step { x = if flag then n else 0 - n } }
scenario s { track A.x }
)";

}  // namespace

TEST_CASE("diagnostics carry their kind and a stable code", "[api]") {
  std::vector<deal::Message> seen;
  deal::EngineOptions o;
  o.on_diagnostic = [&](const deal::Message& m) { seen.push_back(m); };
  deal::Engine engine(o);

  CHECK_FALSE(engine.try_load_string("party A { cash = $1B", "syntax.deal"));
  REQUIRE_FALSE(seen.empty());
  CHECK(seen[0].kind == deal::MessageKind::CompileError);
  CHECK(seen[0].code == "syntax");

  seen.clear();
  CHECK_FALSE(engine.try_load_string("party A { cash = $1B + 1y }", "type.deal"));
  REQUIRE_FALSE(seen.empty());
  CHECK(seen[0].code == "check");

  seen.clear();
  CHECK_FALSE(engine.try_load_string("import \"missing_file_here.deal\"", "import.deal"));
  REQUIRE_FALSE(seen.empty());
  CHECK(seen[0].code == "import");
}

TEST_CASE("diagnostics carry their own code (id) and help in the text", "[api]") {
  std::vector<deal::Message> seen;
  deal::EngineOptions o;
  o.on_diagnostic = [&](const deal::Message& m) { seen.push_back(m); };
  deal::Engine engine(o);

  CHECK_FALSE(engine.try_load_string("party A { cash = $1B", "syntax.deal"));
  REQUIRE_FALSE(seen.empty());
  CHECK(seen[0].id == "E001");

  seen.clear();
  CHECK_FALSE(engine.try_load_string("calendar 2025Q1 .. 2025Q2 step quarter\nparty A { cash = $1B  capacity = 1GW }",
                                     "unit.deal"));
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].code == "check");  // the stage, as before codes
  CHECK(seen[0].id == "E011");     // the problem: docs/diagnostics.md, `deal explain E011`
  CHECK(seen[0].message == "unknown unit 'GW'");
  CHECK_THAT(seen[0].text, Catch::StartsWith("unit.deal:2:35: error: unknown unit 'GW' [E011]\n"));
  CHECK_THAT(seen[0].text,
             Catch::EndsWith("      = help: add `import \"std/contracts\"`: the standard library defines it\n"));
}

TEST_CASE("try_load and try_run keep the reason without a handler", "[api]") {
  deal::Engine engine;  // no handler
  deal::Message why;
  CHECK_FALSE(engine.try_load_string("party A { cash = $1B + 1y }", "t.deal", &why));
  CHECK(why.kind == deal::MessageKind::CompileError);
  CHECK(why.line == 1);
  CHECK_THAT(why.text, Catch::Contains("t.deal:1:"));

  deal::Program p = engine.load_string(
      "calendar 2025Q1 .. 2025Q2 step quarter\nparty A { cash = $1B  x = 0  every step { x = $1B / (A.cash - A.cash) } "
      "}\n"
      "scenario s { track A.x }\n");
  deal::Message run_why;
  CHECK_FALSE(p.scenario("s").try_run({}, &run_why));
  CHECK(run_why.kind == deal::MessageKind::RunError);
  CHECK(run_why.code == "run");
  CHECK(run_why.id.empty());  // run errors are not diagnostics: no E-code
  CHECK_FALSE(run_why.message.empty());
}

TEST_CASE("set takes 0, other integers and bools", "[api]") {
  deal::Engine engine;
  deal::Program p = engine.load_string(kProgram);
  CHECK(p.scenario("s").set("n", 0).run().series("A.x").values.back() == 0);
  CHECK(p.scenario("s").set("n", 3L).run().series("A.x").values.back() == -3);
  CHECK(p.scenario("s").set("n", 2).set("flag", true).run().series("A.x").values.back() == 2);
  CHECK_THROWS_AS(p.scenario("s").set("flag", 1), deal::UsageError);
}
