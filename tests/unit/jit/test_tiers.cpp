// The two tiers of native code (compiler/jit/tiers.hpp): at O1–O3 the cold functions
// (initialisation, default handling) are compiled apart at CodeGenOptLevel::None and
// linked beside the step code; the results are the bits of a one-tier compile (O0), from
// a fresh compile and from the object cache (which then holds two objects per entry).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "compiler/check/check.hpp"
#include "compiler/jit/jit.hpp"
#include "compiler/jit/model.hpp"
#include "compiler/jit/tiers.hpp"
#include "runtime/driver.hpp"

using namespace deal;
namespace fs = std::filesystem;

namespace {

// B cannot pay its loan in full from 2025Q3: it defaults, the loan's on default runs
// (cold code) and its lender's cash shows the recovery.
const char* kProgram =
    "calendar 2025Q1 .. 2026Q4 step quarter\n"
    "party A { cash = $10B  revenue = $1B/y  every step { revenue = revenue * 1.01  receive(World, revenue * dt) } "
    "}\n"
    "party B { cash = $1B }\n"
    "contract loan(d: Party, c: Party, amount: Money) {\n"
    "  every step { pay(d, c, amount * span / 1y) }\n"
    "  on default(d) { pay(c, World, $1M) }\n"
    "}\n"
    "deal ba = loan(B, A, $3B)\n"
    "scenario base { track A.cash, B.cash }\n";

std::vector<double> run(int level, const std::string& cache_dir = "", const std::string& key = "",
                        bool* from_cache = nullptr) {
  SourceManager sm;
  Diagnostics diags;
  auto modules = check::load_source("t.deal", kProgram, sm, diags);
  auto p = check::check_program(modules, sm, diags);
  INFO(render_all(sm, diags));
  REQUIRE(p);
  jit::JitOptions o;
  o.opt_level = level;
  o.cache_dir = cache_dir;
  o.program_key = key;
  auto code = jit::CompiledProgram::compile(*p, rt::runtime_symbols(), o);
  if (from_cache) *from_cache = code->from_cache();
  rt::Model m = jit::build_model(*p, *code, sm);
  rt::RunResult r = rt::run_scenario(m, 0, {});
  REQUIRE(r.defaults.size() == 1);  // B's, so the on default ran
  std::vector<double> values;
  for (const auto& s : r.series) values.insert(values.end(), s.values.begin(), s.values.end());
  return values;
}

}  // namespace

TEST_CASE("objects pack into one cache entry and back; a malformed pack is refused", "[jit][tiers]") {
  std::string a = "first object", b(3, '\0');
  std::string packed = jit::pack_objects({a, b});
  std::vector<std::string_view> out;
  REQUIRE(jit::unpack_objects(packed, out));
  REQUIRE(out.size() == 2);
  CHECK(out[0] == a);
  CHECK(out[1] == b);
  for (size_t cut = 0; cut < packed.size(); ++cut) {
    std::vector<std::string_view> o;
    CHECK_FALSE(jit::unpack_objects(std::string_view(packed).substr(0, cut), o));
  }
  std::vector<std::string_view> o;
  CHECK_FALSE(jit::unpack_objects(packed + "x", o));            // trailing bytes
  CHECK_FALSE(jit::unpack_objects(jit::pack_objects({}), o));   // no object at all
  CHECK_FALSE(jit::unpack_objects(std::string(4, '\xff'), o));  // a count beyond the bytes
}

TEST_CASE("cold code compiled apart gives the bits of a one-tier compile, fresh and from the cache", "[jit][tiers]") {
  std::vector<double> one_tier = run(0);
  REQUIRE(one_tier.size() == 16);
  CHECK(one_tier[15] == 0);  // B's cash at the end: it defaulted
  for (int level : {1, 2, 3}) CHECK(run(level) == one_tier);

  fs::path dir = fs::temp_directory_path() / ("deal_tiers_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  bool from_cache = true;
  CHECK(run(2, dir.string(), "tiers key", &from_cache) == one_tier);
  CHECK_FALSE(from_cache);
  CHECK(run(2, dir.string(), "tiers key", &from_cache) == one_tier);  // by the program key
  CHECK(from_cache);
  CHECK(run(2, dir.string(), "", &from_cache) == one_tier);  // by the IR
  CHECK(from_cache);
  fs::remove_all(dir);
}
