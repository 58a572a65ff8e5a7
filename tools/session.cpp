#include "tools/session.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "compiler/check/checker.hpp"
#include "compiler/jit/model.hpp"
#include "runtime/analyses.hpp"

namespace deal::cli {

std::unique_ptr<Session> open_session(const std::string& file, int& exit_code) {
  auto s = std::make_unique<Session>();
  s->loaded = load_and_check(file);
  print_diagnostics(s->loaded);
  if (!s->loaded.program) {
    exit_code = 1;
    return nullptr;
  }
  try {
    s->compiled = jit::CompiledProgram::compile(*s->loaded.program, rt::runtime_symbols());
  } catch (const std::exception& e) {
    fmt::print(stderr, "deal: {}\n", e.what());
    exit_code = 3;
    return nullptr;
  }
  s->model = jit::build_model(*s->loaded.program, *s->compiled, s->loaded.sm);
  return s;
}

int choose_scenario(const rt::Model& model, const std::string& name, const std::string& file) {
  std::vector<std::string> names;
  for (const auto& s : model.scenarios) names.push_back(s.name);
  if (!name.empty()) {
    int k = model.find_scenario(name);
    if (k >= 0) return k;
    std::string sug = check::suggest(name, names);
    fmt::print(stderr, "deal: no scenario named '{}'{}; the program has: {}\n", name,
               sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug), fmt::join(names, ", "));
    return -1;
  }
  if (model.scenarios.size() == 1) return 0;
  fmt::print(stderr, "deal: {} has {} scenarios ({}); choose one with --scenario NAME, or run them all with --all\n", file,
             names.size(), fmt::join(names, ", "));
  return -1;
}

// `--set NAME=VALUE`: VALUE is a `.deal` constant, checked against the param's type.
bool parse_param_sets(const std::vector<std::string>& sets, const check::Program& prog, rt::RunOptions& opts) {
  for (const std::string& s : sets) {
    size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      fmt::print(stderr, "deal: --set takes NAME=VALUE, e.g. --set demand_growth=20%/y (got '{}')\n", s);
      return false;
    }
    std::string name = s.substr(0, eq), text = s.substr(eq + 1);
    int pi = prog.find_param(name);
    if (pi < 0) {
      std::vector<std::string> names;
      for (const auto& p : prog.params) names.push_back(p.name);
      std::string sug = check::suggest(name, names);
      fmt::print(stderr, "deal: --set {}: no param named '{}'{}\n", s, name,
                 sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug));
      return false;
    }
    SourceManager sm;
    Diagnostics diags;
    auto v = check::parse_constant(prog, fmt::format("--set {}", name), text, sm, diags);
    if (!v) {
      fmt::print(stderr, "{}", render_all(sm, diags));
      return false;
    }
    const check::Type& want = prog.params[size_t(pi)].type;
    if (!(v->second == want)) {
      fmt::print(stderr, "deal: --set {}: param '{}' is {}, but this value is {}\n", s, name,
                 check::describe(want, prog.units), check::describe(v->second, prog.units));
      return false;
    }
    opts.params.emplace_back(name, v->first);
  }
  return true;
}


// `--analyses`: which analyses to add to each result. Default: all of them for
// single-path runs, none for Monte Carlo runs (asked for, they describe path 0).
bool attach_analyses(const std::string& spec_text, const rt::Model& model, const std::vector<int>& scenarios,
                     const rt::RunOptions& opts, std::vector<rt::RunResult>& results) {
  const std::string& spec = spec_text;
  rt::AnalysisSelection which{false, false, false, false};
  if (spec == "all") which = {};
  else if (!spec.empty() && spec != "none") {
    size_t start = 0;
    while (start <= spec.size()) {
      size_t end = spec.find(',', start);
      std::string w = spec.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (w == "exposure") which.exposure = true;
      else if (w == "circularity") which.circularity = true;
      else if (w == "concentration") which.concentration = true;
      else if (w == "systemic") which.systemic = true;
      else {
        fmt::print(stderr, "deal: --analyses: unknown analysis '{}' (exposure, circularity, concentration, systemic, all, none)\n", w);
        return false;
      }
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  for (size_t i = 0; i < results.size(); ++i) {
    rt::AnalysisSelection w = which;
    if (spec.empty()) w = results[i].paths == 1 ? rt::AnalysisSelection{} : rt::AnalysisSelection{false, false, false, false};
    if (!w.exposure && !w.circularity && !w.concentration && !w.systemic) continue;
    try {
      const rt::RunResult* base = &results[i];
      std::optional<rt::RunResult> one;
      if (results[i].paths > 1) {
        rt::RunOptions single = opts;
        single.paths = 1;
        one = rt::run_scenario(model, scenarios[i], single);
        base = &*one;
      }
      auto an = std::make_shared<rt::Analyses>(rt::analyze(model, scenarios[i], opts, *base, w));
      for (const std::string& warning : an->warnings) fmt::print(stderr, "deal: warning: {}\n", warning);
      an->computed_on_path = results[i].paths > 1 ? 1 : 0;
      results[i].analyses = std::move(an);
    } catch (const std::exception& e) {
      fmt::print(stderr, "deal: warning: analyses of scenario '{}' skipped: {}\n", results[i].scenario, e.what());
    }
  }
  return true;
}



}  // namespace deal::cli
