// libFuzzer entry point for `deal run`: an input that passes `check` is compiled and
// every scenario (at most three) is run, through the very library calls `deal run`,
// `deal graph` and the reports make (engine/session.hpp, report/). The promise under
// test is that a program that checks either runs or fails with a run error:
//   * a run error (rt::RunError) is a fine outcome, unless it is an internal error;
//   * anything else — code generation failing on a checked program, any other
//     std::exception, a crash, a sanitizer report — is a finding.
// Each input is bounded like a host bounds programs it did not write: at most 4 paths,
// 20,000 path-steps, half a second per run, 256 MiB of run memory, one thread, no
// imports but the standard library, and analyses only for small networks.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/session.hpp"
#include "report/graph.hpp"
#include "report/report.hpp"

namespace {

constexpr size_t kMaxInput = 8192;
constexpr int kMaxScenarios = 3;
constexpr long long kMaxPaths = 4;
constexpr size_t kMaxAnalysedParties = 4;

[[noreturn]] void finding(const char* what, const std::string& detail, const std::string& text) {
  std::fprintf(stderr, "fuzz_run: %s\n%s\n--- program:\n%s\n", what, detail.c_str(), text.c_str());
  std::abort();
}

// How far inputs get, printed at exit when FUZZ_RUN_STATS is set: a fuzzer whose inputs
// never pass check tests nothing of `deal run`.
struct Stats {
  long inputs = 0, checked = 0, runs = 0, run_errors = 0;
  ~Stats() {
    if (std::getenv("FUZZ_RUN_STATS"))
      std::fprintf(stderr, "fuzz_run: %ld inputs, %ld passed check, %ld scenario runs, %ld of them run errors\n",
                   inputs, checked, runs, run_errors);
  }
} stats;

// What `deal run FILE` accepts as a .deal file (compiler/check/loader.cpp refuses the
// rest before parsing): no NUL, strict UTF-8. check_source does not check this itself —
// a known finding of this target: Engine::load_string (and a REPL line) accept a string
// literal that is not UTF-8, and the JSON report then throws (nlohmann's type_error 316).
// Until load_source refuses such text, inputs that a file could not hold are skipped.
bool file_text(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    if (i + k >= n) return false;
    const unsigned c = static_cast<unsigned char>(s[i + k]);
    return c >= lo && c <= hi;
  };
  while (i < n) {
    const unsigned c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      i += 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (!cont(1)) return false;
      i += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      if (!cont(1, c == 0xE0 ? 0xA0 : 0x80, c == 0xED ? 0x9F : 0xBF) || !cont(2)) return false;
      i += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      if (!cont(1, c == 0xF0 ? 0x90 : 0x80, c == 0xF4 ? 0x8F : 0xBF) || !cont(2) || !cont(3)) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

bool internal(const std::exception& e) { return std::strstr(e.what(), "internal error") != nullptr; }

deal::rt::RunOptions bounded(const deal::rt::ModelScenario& sc) {
  deal::rt::RunOptions o;
  o.paths = sc.paths < kMaxPaths ? sc.paths : kMaxPaths;
  o.threads = 1;
  o.max_seconds = 0.5;
  o.max_memory_bytes = 256LL << 20;
  o.max_path_steps = 20'000;
  return o;
}

// Runs scenario k and everything the CLI makes of its result (the first scenario also
// with its analyses and its graph).
void run_scenario(const deal::engine::Compiled& program, int k, bool first, const std::string& text) {
  const deal::rt::Model& model = program.model();
  deal::rt::RunOptions o = bounded(model.scenarios[size_t(k)]);
  ++stats.runs;
  try {
    deal::rt::RunResult r = deal::rt::run_scenario(model, k, o);
    if (first && model.parties.size() <= kMaxAnalysedParties + 1) {
      deal::engine::attach_analyses(program, k, o, {}, r);
    }
    (void)deal::report::json_text(r, model);
    (void)deal::report::table_text(r, model, false);
    (void)deal::report::series_csv({r}, model.step);
    (void)deal::report::parties_csv({r});
    (void)deal::report::ledger_csv({r}, model);
    if (first) {
      // `deal graph --scenario`: the scheduled run (everyone pays in full) and the actual one.
      deal::engine::GraphRuns g = deal::engine::graph_runs(program, k, o);
      (void)deal::report::deal_graph_dot(model, g.scheduled, &g.actual, "fuzz");
    }
  } catch (const deal::rt::RunError& e) {
    ++stats.run_errors;
    if (internal(e)) finding("internal error in a run", e.what(), text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return -1;
  ++stats.inputs;
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (!file_text(text)) return -1;
  try {
    deal::engine::LoadOptions lo;
    lo.allow_imports = false;  // the standard library only: a fuzzer must not read files
    lo.opt_level = 0;          // the code is the same; optimising it would only cost time
    deal::engine::Checked checked = deal::engine::check_source("fuzz.deal", text, lo);
    (void)deal::engine::diagnostics_text(checked, false);
    if (!checked.program) return -1;  // does not check: not this target's business
    ++stats.checked;
    std::unique_ptr<deal::engine::Compiled> program;
    try {
      program = deal::engine::Compiled::compile(std::move(checked), lo);
    } catch (const deal::engine::CompileFailure& e) {
      finding("code generation failed on a program that checks", e.what(), text);
    }
    const int n = int(program->model().scenarios.size());
    for (int k = 0; k < n && k < kMaxScenarios; ++k) run_scenario(*program, k, k == 0, text);
  } catch (const std::exception& e) {
    finding("an exception escaped", e.what(), text);
  }
  return 0;
}
