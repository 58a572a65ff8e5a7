// The object cache (compiler/jit/object_cache.hpp): a second compile of an unchanged
// program takes its native code from the cache and computes the same bits; a damaged
// entry is never loaded; a changed program misses; the folder stays bounded.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "compiler/check/check.hpp"
#include "compiler/jit/jit.hpp"
#include "compiler/jit/model.hpp"
#include "compiler/jit/object_cache.hpp"
#include "runtime/driver.hpp"

using namespace deal;
namespace fs = std::filesystem;

namespace {

std::string program_text(const std::string& cash = "$10B") {
  return "calendar 2025Q1 .. 2026Q4 step quarter\n"
         "party A { cash = " +
         cash +
         "  revenue = $1B/y  every step { revenue = revenue * 1.01  receive(World, revenue * dt) } }\n"
         "party B { cash = $0 }\n"
         "contract owe(d: Party, c: Party, amount: Money) { every step { pay(d, c, amount * span / 1y) } }\n"
         "deal ab = owe(A, B, $2B)\n"
         "scenario base { track A.cash, B.cash }\n";
}

struct Temp {
  fs::path dir;
  Temp() {
    dir = fs::temp_directory_path() / ("deal_cache_test_" + std::to_string(::getpid()) + "_" + std::to_string(rand()));
    fs::remove_all(dir);
  }
  ~Temp() { fs::remove_all(dir); }
};

struct Run {
  bool from_cache = false;
  std::vector<double> values;
};

Run compile_and_run(const std::string& text, const std::string& cache_dir, int level = 2,
                    const std::string& program_key = "", std::vector<codegen::Site>* sites = nullptr) {
  SourceManager sm;
  Diagnostics diags;
  auto modules = check::load_source("t.deal", text, sm, diags);
  auto p = check::check_program(modules, sm, diags);
  INFO(render_all(sm, diags));
  REQUIRE(p);
  jit::JitOptions o;
  o.opt_level = level;
  o.cache_dir = cache_dir;
  o.program_key = program_key;
  auto code = jit::CompiledProgram::compile(*p, rt::runtime_symbols(), o);
  if (sites) *sites = code->sites();
  rt::Model m = jit::build_model(*p, *code, sm);
  rt::RunResult r = rt::run_scenario(m, 0, {});
  Run out;
  out.from_cache = code->from_cache();
  for (const auto& s : r.series) out.values.insert(out.values.end(), s.values.begin(), s.values.end());
  return out;
}

std::vector<fs::path> entries(const fs::path& dir) {
  std::vector<fs::path> v;
  for (const auto& e : fs::directory_iterator(dir)) v.push_back(e.path());
  return v;
}

}  // namespace

TEST_CASE("a second compile of an unchanged program comes from the cache, with the same results", "[jit][cache]") {
  Temp t;
  Run first = compile_and_run(program_text(), t.dir.string());
  CHECK_FALSE(first.from_cache);
  REQUIRE(entries(t.dir).size() == 1);
  Run second = compile_and_run(program_text(), t.dir.string());
  CHECK(second.from_cache);
  CHECK(second.values == first.values);
  CHECK(first.values.size() == 16);
  // Without a cache folder nothing is cached.
  CHECK_FALSE(compile_and_run(program_text(), "").from_cache);
}

TEST_CASE("a changed program or optimisation level is a different entry", "[jit][cache]") {
  Temp t;
  compile_and_run(program_text(), t.dir.string());
  Run other = compile_and_run(program_text("$11B"), t.dir.string());
  CHECK_FALSE(other.from_cache);
  CHECK_FALSE(compile_and_run(program_text(), t.dir.string(), 0).from_cache);
  CHECK(entries(t.dir).size() == 3);
  CHECK(compile_and_run(program_text("$11B"), t.dir.string()).values == other.values);
}

// JitOptions::program_key: an entry found by the key alone (no IR generated) holds the
// object and the sites; the key decides, so the caller's key must determine the program.
TEST_CASE("a program key finds the object and its sites without generating the IR", "[jit][cache]") {
  Temp t;
  std::vector<codegen::Site> first_sites, second_sites;
  Run first = compile_and_run(program_text(), t.dir.string(), 2, "key one", &first_sites);
  CHECK_FALSE(first.from_cache);
  CHECK(entries(t.dir).size() == 2);  // by IR and by key
  Run second = compile_and_run(program_text(), t.dir.string(), 2, "key one", &second_sites);
  CHECK(second.from_cache);
  CHECK(second.values == first.values);
  REQUIRE(second_sites.size() == first_sites.size());
  REQUIRE_FALSE(first_sites.empty());
  for (size_t i = 0; i < first_sites.size(); ++i) {
    CHECK(second_sites[i].name == first_sites[i].name);
    CHECK(second_sites[i].span == first_sites[i].span);
  }
  // The key alone decides: a different program under the same key gets the first's code.
  CHECK(compile_and_run(program_text("$11B"), t.dir.string(), 2, "key one").values == first.values);
  // Another key is another entry (the object itself comes from the IR's entry).
  Run other = compile_and_run(program_text(), t.dir.string(), 2, "key two");
  CHECK(other.from_cache);
  CHECK(other.values == first.values);
  CHECK(entries(t.dir).size() == 3);
  // A damaged entry by key is not used: the program is compiled from its IR again.
  for (const auto& e : entries(t.dir)) {
    std::ofstream(e, std::ios::binary | std::ios::trunc) << "garbage";
  }
  Run again = compile_and_run(program_text(), t.dir.string(), 2, "key one");
  CHECK_FALSE(again.from_cache);
  CHECK(again.values == first.values);
}

TEST_CASE("a damaged or truncated entry is ignored and replaced", "[jit][cache]") {
  Temp t;
  Run first = compile_and_run(program_text(), t.dir.string());
  fs::path entry = entries(t.dir).at(0);
  auto size = fs::file_size(entry);
  SECTION("a flipped byte") {
    std::fstream f(entry, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(size - 100));
    f.put('\x5a');
  }
  SECTION("cut short") { fs::resize_file(entry, size / 2); }
  SECTION("not an entry at all") { std::ofstream(entry, std::ios::binary | std::ios::trunc) << "not an object"; }
  Run again = compile_and_run(program_text(), t.dir.string());
  CHECK_FALSE(again.from_cache);
  CHECK(again.values == first.values);
  CHECK(compile_and_run(program_text(), t.dir.string()).from_cache);  // rewritten whole
}

TEST_CASE("the cache folder keeps at most its bound of entries", "[jit][cache]") {
  Temp t;
  jit::ObjectCache cache(t.dir.string());
  for (int i = 0; i < jit::ObjectCache::kMaxEntries + 20; ++i)
    cache.store("k" + std::to_string(i), "object " + std::to_string(i));
  CHECK(entries(t.dir).size() == size_t(jit::ObjectCache::kMaxEntries));
  auto last = cache.find("k" + std::to_string(jit::ObjectCache::kMaxEntries + 19));
  REQUIRE(last);
  CHECK(*last == "object " + std::to_string(jit::ObjectCache::kMaxEntries + 19));
  CHECK_FALSE(cache.find("no such key"));
}
