// The JIT wrapper (compiler/jit): a checked program to native entry points, with only
// the runtime's table bound; the same program at every optimisation level gives the
// same results; the model describes what was compiled.
#include <catch2/catch.hpp>

#include "compiler/check/check.hpp"
#include "compiler/jit/jit.hpp"
#include "compiler/jit/model.hpp"
#include "runtime/driver.hpp"

using namespace deal;

namespace {

const char* kProgram =
    "calendar 2025Q1 .. 2026Q4 step quarter\n"
    "param growth = 8%/y\n"
    "party A { cash = $10B  revenue = $1B/y  every step { revenue = revenue * (1 + growth * span) } }\n"
    "party B { cash = $0 }\n"
    "contract owe(d: Party, c: Party, amount: Money) { every step { pay(d, c, amount * span / 1y) } }\n"
    "deal ab = owe(A, B, $2B)\n"
    "shock stop { at 2026Q1 { default(A) } }\n"
    "scenario base { track A.cash, B.cash, A.revenue }\n"
    "scenario stressed { apply stop  track B.cash }\n";

check::Program checked(SourceManager& sm) {
  Diagnostics diags;
  auto modules = check::load_source("t.deal", kProgram, sm, diags);
  auto p = check::check_program(modules, sm, diags);
  INFO(render_all(sm, diags));
  REQUIRE(p);
  return std::move(*p);
}

}  // namespace

TEST_CASE("a program compiles to one entry point per phase, scenario and shock", "[jit]") {
  SourceManager sm;
  check::Program p = checked(sm);
  auto code = jit::CompiledProgram::compile(p, rt::runtime_symbols());
  CHECK(code->init(0));
  CHECK(code->init(1));
  CHECK(code->track(0));
  CHECK(code->shock_at(0));
  CHECK(code->parties_step());
  CHECK(code->deals_step());
  CHECK(code->compile_ms() > 0);
  rt::Model m = jit::build_model(p, *code, sm);
  CHECK(m.scenarios.size() == 2);
  CHECK(m.parties.size() == 3);  // World, A, B
  CHECK(m.deals.size() == 1);
  CHECK(m.shocks.size() == 1);
}

TEST_CASE("every optimisation level computes the same bits", "[jit]") {
  SourceManager sm;
  check::Program p = checked(sm);
  std::vector<std::vector<double>> seen;
  for (int level : {0, 1, 2, 3}) {
    jit::JitOptions o;
    o.opt_level = level;
    auto code = jit::CompiledProgram::compile(p, rt::runtime_symbols(), o);
    rt::Model m = jit::build_model(p, *code, sm);
    rt::RunResult r = rt::run_scenario(m, 0, {});
    std::vector<double> all;
    for (const auto& s : r.series) all.insert(all.end(), s.values.begin(), s.values.end());
    seen.push_back(all);
  }
  for (const auto& s : seen) CHECK(s == seen[0]);
}

TEST_CASE("two compilations of one program are independent", "[jit]") {
  SourceManager sm;
  check::Program p = checked(sm);
  auto a = jit::CompiledProgram::compile(p, rt::runtime_symbols());
  auto b = jit::CompiledProgram::compile(p, rt::runtime_symbols());
  rt::Model ma = jit::build_model(p, *a, sm), mb = jit::build_model(p, *b, sm);
  a.reset();  // releasing one JIT leaves the other's code alive
  rt::RunResult r = rt::run_scenario(mb, 1, {});
  REQUIRE(r.defaults.size() == 1);
  CHECK(r.series[0].values.back() == Approx(r.series[0].values[3]));  // B receives nothing after A defaults
}

// Parties as data (compiler/codegen/shapes.hpp): parties whose blocks differ only in
// constants and slots share one function per phase, and a run error still names the
// party's own state and line (its sites are leaves of its row).
TEST_CASE("parties of one kind share their code and keep their own error sites", "[jit]") {
  const char* text =
      "calendar 2025Q1 .. 2025Q4 step quarter\n"
      "party F1 { cash = $10M  d = 2  revenue = $4M/y  every step { revenue = revenue / d  pay(self, World, revenue * "
      "dt) } }\n"
      "party F2 { cash = $10M  d = 4  revenue = $8M/y  every step { revenue = revenue / d  pay(self, World, revenue * "
      "dt) } }\n"
      "party F3 { cash = $10M  d = -1  revenue = $8M/y  every step { revenue = revenue / d  pay(self, World, revenue * "
      "dt) } }\n"
      "party F4 { cash = $10M  d = 0  revenue = $8M/y  every step { revenue = revenue / d  pay(self, World, revenue * "
      "dt) } }\n"
      "scenario base { track F1.cash }\n";
  SourceManager sm;
  Diagnostics diags;
  auto modules = check::load_source("t.deal", text, sm, diags);
  auto p = check::check_program(modules, sm, diags);
  REQUIRE(p);
  // As generated (O0): one function per kind of party. Optimised, small ones are inlined
  // into their dispatch loop (codegen's inline_if_small).
  jit::JitOptions o0;
  o0.opt_level = 0;
  std::string ir = jit::emit_ir(*p, o0), optimised = jit::emit_ir(*p);
  auto count = [](const std::string& in, const std::string& what) {
    size_t n = 0;
    for (size_t at = in.find(what); at != std::string::npos; at = in.find(what, at + 1)) ++n;
    return n;
  };
  CHECK(count(ir, "define internal void @deal_parties_step.") == 1);
  CHECK(count(ir, "define internal void @deal_values.") == 1);
  CHECK(count(optimised, "define internal fastcc void @deal_parties_step.") == 0);
  auto code = jit::CompiledProgram::compile(*p, rt::runtime_symbols());
  rt::Model m = jit::build_model(*p, *code, sm);
  // F3 pays a negative amount first: the error is at F3's `pay` (line 4, column 86).
  try {
    rt::run_scenario(m, 0, {});
    FAIL("the run should fail");
  } catch (const rt::RunError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("t.deal:4:86") && Catch::Contains("from F3 to World"));
  }
  // Without F3, F4's revenue becomes infinite: its own state is named.
  std::string without = std::string(text);
  without.erase(without.find("party F3"), without.find("party F4") - without.find("party F3"));
  SourceManager sm2;
  Diagnostics diags2;
  auto modules2 = check::load_source("t.deal", without, sm2, diags2);
  auto p2 = check::check_program(modules2, sm2, diags2);
  REQUIRE(p2);
  auto code2 = jit::CompiledProgram::compile(*p2, rt::runtime_symbols());
  rt::Model m2 = jit::build_model(*p2, *code2, sm2);
  CHECK_THROWS_WITH(rt::run_scenario(m2, 0, {}), Catch::Contains("t.deal:4:62") && Catch::Contains("'F4.revenue'"));
}

TEST_CASE("a large shape function stays out of line when optimised", "[jit]") {
  std::string text = "calendar 2025Q1 .. 2025Q4 step quarter\nparty A { cash = $10M  x = 1  every step {";
  for (int i = 0; i < 60; ++i) text += " x = x * 1.01 + 1";
  text += " } }\nparty B { cash = $1M  every step { pay(self, World, $1) } }\nscenario base { track A.x }\n";
  SourceManager sm;
  Diagnostics diags;
  auto modules = check::load_source("t.deal", text, sm, diags);
  auto p = check::check_program(modules, sm, diags);
  REQUIRE(p);
  std::string ir = jit::emit_ir(*p);
  CHECK_THAT(ir, Catch::Contains("define internal fastcc void @deal_parties_step.A."));
  CHECK_THAT(ir, !Catch::Contains("define internal fastcc void @deal_parties_step.B."));
}

TEST_CASE("IR and assembly can be printed without running", "[jit]") {
  SourceManager sm;
  check::Program p = checked(sm);
  std::string ir = jit::emit_ir(p);
  CHECK_THAT(ir, Catch::Contains("define"));
  CHECK_THAT(ir, Catch::Contains("deal_rt_pay"));
  CHECK_FALSE(jit::emit_asm(p).empty());
}

// The small code model (jit.cpp, host_builder): calls to the runtime are PC-relative
// (through JITLink's stubs), not a 64-bit absolute address in a register, which fast
// instruction selection could not take (the cheap tier's compile nearly doubled).
TEST_CASE("native code uses the small code model", "[jit]") {
  SourceManager sm;
  check::Program p = checked(sm);
  std::string asm_text = jit::emit_asm(p);
  CHECK_THAT(asm_text, Catch::Contains("deal_rt_pay@PLT"));
  CHECK_THAT(asm_text, !Catch::Contains("movabsq\t$deal_rt_pay"));
  jit::JitOptions o;
  o.opt_level = 0;
  CHECK_THAT(jit::emit_asm(p, o), Catch::Contains("deal_rt_pay@PLT"));
}

TEST_CASE("value kinds and dates as the reports show them", "[jit]") {
  CHECK(jit::value_kind(check::Type::boolean()) == rt::ValueKind::Bool);
  rt::Date d = jit::date_of_months(2025 * 12 + 6);
  CHECK(d.year == 2025);
  CHECK(d.month == 7);
  CHECK(d.day == 1);
}
