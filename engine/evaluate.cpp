#include "engine/evaluate.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/check/checker.hpp"
#include "compiler/jit/jit.hpp"
#include "compiler/jit/model.hpp"
#include "runtime/driver.hpp"
#include "engine/frontend_lock.hpp"

namespace deal::engine {

namespace {

// The scenario an expression runs in, and the label of its track.
const char* kEvalScenario = "__repl";
const char* kValueLabel = "__value";

// Whether a checked expression reads nothing but constants and params (no state, no
// step): then it has the same value at every step and needs no calendar of its own.
bool params_only(const check::HExpr& e, const check::Program& p, int depth = 0) {
  using check::Op;
  if (depth > 64) return false;
  switch (e.op) {
    case Op::Dt:
    case Op::Now:
    case Op::Span:
    case Op::StepIndex:
      return false;
    case Op::Slot:
      if (std::none_of(p.params.begin(), p.params.end(), [&](const check::HParam& q) { return q.slot == e.index; }))
        return false;
      break;
    case Op::Call:
      if (e.fn >= check::Builtin::Paid) return false;  // deal and party built-ins, draws
      break;
    case Op::CallFn: {
      const check::HFn& f = p.fns.at(size_t(e.index));
      if (f.is_extern || !params_only(f.body, p, depth + 1)) return false;
      break;
    }
    default:
      break;
  }
  return std::all_of(e.args.begin(), e.args.end(), [&](const check::HExpr& a) { return params_only(a, p, depth + 1); });
}

// A copy of the workspace's checked program and its sources, to add a scenario to.
Checked copy_of(const Workspace& ws) {
  Checked c;
  c.sm = ws.checked().sm;
  c.program = ws.program();
  return c;
}

// The workspace's sources alone, to check an expression in against its program (which
// check_expression only reads): copying the program too cost more than the evaluation.
Checked sources_of(const Workspace& ws) {
  Checked c;
  c.sm = ws.checked().sm;
  return c;
}

std::optional<check::CheckedExpr> check_text(const check::Program& p, Checked& c, std::string_view origin,
                                             std::string_view text, bool any_type, bool color, Problem& problem) {
  std::optional<check::CheckedExpr> e;
  if (!check::valid_source_text(text)) {
    problem = {fmt::format("error: {} is not .deal source (it is not UTF-8 text, or it holds a NUL byte)\n", origin),
               true};
    return std::nullopt;
  }
  {
    std::lock_guard<std::mutex> lock(frontend_mutex());
    Diagnostics::CodeScope code(c.diags, "check");
    e = check::check_expression(p, origin, text, c.sm, c.diags, any_type);
  }
  if (!e) problem = {render_all(c.sm, c.diags, color), true};
  return e;
}

// Compiles `c` and runs its scenario `k` on one path.
std::optional<Probe> compile_and_run(Checked c, int k, const rt::RunOptions& run, Problem& problem) {
  Probe p;
  try {
    p.compiled = Compiled::compile(std::move(c));
  } catch (const CompileFailure& e) {
    problem = {e.what(), false};
    return std::nullopt;
  }
  rt::RunOptions one = run;
  one.paths = 1;
  try {
    p.result = rt::run_scenario(p.compiled->model(), k, one);
  } catch (const std::exception& e) {
    problem = {fmt::format("{}\n", e.what()), true};
    return std::nullopt;
  }
  return p;
}

int context_index(const check::Program& p, std::string_view context) {
  return context.empty() ? -1 : p.find_scenario(std::string(context));
}

}  // namespace

// Only the track function is compiled: a few milliseconds, where compiling the program
// again takes as long as the program is large.
std::optional<rt::RunResult> run_as_track(const Compiled& compiled, const rt::ModelScenario& base,
                                          const std::vector<std::pair<std::string, check::HExpr>>& tracks,
                                          const rt::RunOptions& run, Problem& problem, long long paths) {
  const check::Program& p = compiled.program();
  rt::Model model = compiled.model();
  model.pair_flows = true;  // the expression may read revenue_from
  std::vector<check::HExpr> exprs;
  for (const auto& [label, e] : tracks) exprs.push_back(e);
  std::unique_ptr<jit::CompiledTracks> code;
  try {
    std::lock_guard<std::mutex> lock(frontend_mutex());
    code = jit::CompiledTracks::compile(p, exprs, int(model.sites.size()), rt::runtime_symbols());
  } catch (const std::exception& e) {
    problem = {fmt::format("internal compiler error: {}", e.what()), false};
    return std::nullopt;
  }
  for (const auto& site : code->sites()) model.sites.push_back(jit::site_info(compiled.checked().sm, site));
  rt::ModelScenario s = base;
  s.name = kEvalScenario;
  s.paths = paths;
  s.tracks.clear();
  for (const auto& [label, e] : tracks) {
    s.tracks.push_back(jit::model_track(label, e.type, p.units));
    model.sites.push_back(jit::site_info(compiled.checked().sm, codegen::Site{"", e.span}));
    s.tracks.back().site = int(model.sites.size() - 1);
  }
  s.track = code->fn();
  model.scenarios.push_back(std::move(s));
  rt::RunOptions one = run;
  one.paths = paths;
  try {
    return rt::run_scenario(model, int(model.scenarios.size() - 1), one);
  } catch (const std::exception& e) {
    problem = {fmt::format("{}\n", e.what()), true};
    return std::nullopt;
  }
}

std::optional<Evaluation> evaluate(Workspace& ws, std::string_view origin, std::string_view text,
                                   std::string_view context, bool need_value, const rt::RunOptions& run,
                                   Problem& problem) {
  Checked c = sources_of(ws);
  bool color = ws.color();
  const check::Program& p = ws.program();
  auto e = check_text(p, c, origin, text, /*any_type=*/true, color, problem);
  if (!e) return std::nullopt;
  Evaluation v;
  v.type = e->type;
  v.type_text = check::describe(v.type, p.units);
  v.unit = v.type.is_num() && !v.type.dim.dimensionless() ? check::dim_symbol(v.type.dim, p.units) : "";
  v.kind = jit::value_kind(v.type);
  if (v.type.kind == check::Kind::Party)
    for (const auto& party : p.parties) v.names.push_back(party.name);
  if (v.type.kind == check::Kind::Deal)
    for (const auto& deal : p.deals) v.names.push_back(deal.name);
  if (!need_value) return v;
  if (v.type.kind == check::Kind::String) {
    problem = {"strings exist only in `emit` lines; they have no value of their own", false};
    return std::nullopt;
  }
  if (e->expr.is_const()) {
    v.values.push_back(e->expr.num);
    return v;
  }
  // Only what a track may hold has a value per step: checked again as one, for its message.
  Checked t = sources_of(ws);
  auto tracked = check_text(p, t, origin, text, /*any_type=*/false, color, problem);
  if (!tracked) return std::nullopt;
  bool no_calendar = !ws.has_calendar();
  if (no_calendar && !params_only(tracked->expr, p)) {
    problem = {
        "this expression reads the state of a run, and the session has no calendar yet: declare one first, "
        "e.g. `calendar 2025Q1 .. 2027Q4 step quarter`",
        false};
    return std::nullopt;
  }
  std::string ignored;
  const Compiled* compiled = no_calendar ? nullptr : ws.compiled(ignored);
  std::optional<rt::RunResult> result;
  if (compiled && compiled->program().slot_count == p.slot_count) {
    const rt::ModelScenario& base =
        context.empty() ? ws.plain_scenario() : compiled->model().scenarios.at(size_t(context_index(p, context)));
    result = run_as_track(*compiled, base, {{kValueLabel, tracked->expr}}, run, problem);
    if (!result) return std::nullopt;
    v.step = compiled->model().step;
  } else {
    // A scenario of its own: on a copy of the program.
    t.program = p;
    check::Program& tp = *t.program;
    int k = tp.add_tracking_scenario(context_index(tp, context), kEvalScenario, kValueLabel, tracked->expr);
    // Params need one step of the placeholder calendar.
    if (no_calendar) tp.scenarios[size_t(k)].horizon = check::date_to_months(tp.calendar.from);
    auto r = compile_and_run(std::move(t), k, run, problem);
    if (!r) return std::nullopt;
    v.step = r->compiled->model().step;
    result = std::move(r->result);
  }
  for (const auto& s : result->series)
    if (s.label == kValueLabel) v.values = s.values;
  v.scenario = context.empty() ? "default" : std::string(context);
  if (no_calendar) v.values.resize(std::min<size_t>(v.values.size(), 1));
  v.dates = result->dates;
  return v;
}

std::optional<Probe> probe(Workspace& ws, std::string_view origin,
                           const std::vector<std::pair<std::string, std::string>>& tracks, std::string_view context,
                           const rt::RunOptions& run, Problem& problem) {
  if (!ws.has_calendar()) {
    problem = {"the session has no calendar yet: declare one first, e.g. `calendar 2025Q1 .. 2027Q4 step quarter`",
               false};
    return std::nullopt;
  }
  // The workspace's compiled program with only the tracks compiled now, as evaluate()
  // does; a program whose layout changed is compiled whole with a scenario of its own.
  std::string ignored;
  const Compiled* compiled = ws.compiled(ignored);
  if (compiled && compiled->program().slot_count == ws.program().slot_count) {
    Checked c = sources_of(ws);
    std::vector<std::pair<std::string, check::HExpr>> checked;
    for (const auto& [label, text] : tracks) {
      auto e = check_text(ws.program(), c, origin, text, /*any_type=*/false, ws.color(), problem);
      if (!e) return std::nullopt;
      checked.emplace_back(label, std::move(e->expr));
    }
    if (checked.empty()) {
      problem = {"nothing to track", false};
      return std::nullopt;
    }
    const rt::ModelScenario& base = context.empty()
                                        ? ws.plain_scenario()
                                        : compiled->model().scenarios.at(size_t(context_index(ws.program(), context)));
    auto r = run_as_track(*compiled, base, checked, run, problem);
    if (!r) return std::nullopt;
    Probe p;
    p.base = &compiled->model();
    p.result = std::move(*r);
    return p;
  }
  Checked c = copy_of(ws);
  check::Program& p = *c.program;
  int k = -1;
  for (const auto& [label, text] : tracks) {
    auto e = check_text(p, c, origin, text, /*any_type=*/false, ws.color(), problem);
    if (!e) return std::nullopt;
    if (k < 0) k = p.add_tracking_scenario(context_index(p, context), kEvalScenario, label, e->expr);
    else p.scenarios[size_t(k)].tracks.push_back({label, e->expr});
  }
  if (k < 0) {
    problem = {"nothing to track", false};
    return std::nullopt;
  }
  return compile_and_run(std::move(c), k, run, problem);
}

}  // namespace deal::engine
