// Helpers for code generation tests: source → checked → JIT-compiled → run.
#pragma once

#include <stdexcept>
#include <string>

#include "compiler/check/check.hpp"
#include "compiler/jit/jit.hpp"
#include "compiler/jit/model.hpp"
#include "runtime/analyses.hpp"
#include "runtime/driver.hpp"

namespace deal::test {

struct Compiled {
  SourceManager sm;
  Diagnostics diags;
  std::optional<check::Program> program;
  std::unique_ptr<jit::CompiledProgram> code;
  rt::Model model;
};

// Compiles `src` (a quarterly 2025 calendar is prepended unless the source has one).
inline std::unique_ptr<Compiled> compile(const std::string& src) {
  auto c = std::make_unique<Compiled>();
  std::string text = src.find("calendar") == std::string::npos ? "calendar 2025Q1 .. 2025Q4 step quarter\n" + src : src;
  auto modules = check::load_source("t.deal", text, c->sm, c->diags);
  if (!c->diags.has_errors()) c->program = check::check_program(modules, c->sm, c->diags);
  if (!c->program) throw std::runtime_error("does not check:\n" + render_all(c->sm, c->diags));
  c->code = jit::CompiledProgram::compile(*c->program, rt::runtime_symbols());
  c->model = jit::build_model(*c->program, *c->code, c->sm);
  return c;
}

inline rt::RunResult run(const std::string& src, const std::string& scenario = "", const rt::RunOptions& opts = {}) {
  auto c = compile(src);
  int k = scenario.empty() ? 0 : c->model.find_scenario(scenario);
  if (k < 0) throw std::runtime_error("no scenario " + scenario);
  return rt::run_scenario(c->model, k, opts);
}

inline const std::vector<double>& series(const rt::RunResult& r, const std::string& label) {
  for (const auto& s : r.series)
    if (s.label == label) return s.values;
  throw std::runtime_error("no series " + label);
}

// The value of `expr` tracked at the first step of a one-scenario program.
inline double eval(const std::string& expr, const std::string& prelude = "") {
  auto r = run(prelude + "\nscenario s { track " + expr + " as \"v\" }\n");
  return series(r, "v").at(0);
}

inline const rt::PartyOutcome& party(const rt::RunResult& r, const std::string& name) {
  for (const auto& p : r.parties)
    if (p.name == name) return p;
  throw std::runtime_error("no party " + name);
}

}  // namespace deal::test
