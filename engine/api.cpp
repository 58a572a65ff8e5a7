// The embedding API (include/deal/deal.hpp) over the engine's session (engine/session.hpp):
// a Program holds one engine::Compiled (checked, compiled and described once); each run
// is an engine::run with the host's overrides and host functions.
#include "deal/deal.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <tuple>

#include <fmt/format.h>

#include "compiler/check/checker.hpp"
#include "compiler/jit/model.hpp"
#include "engine/session.hpp"
#include "engine/sensitivity.hpp"
#include "report/compare.hpp"
#include "report/sensitivity.hpp"
#include "report/report.hpp"
#include "report/resolution.hpp"
#include "runtime/format.hpp"
#ifdef DEAL_MPI
#include "deal/mpi.hpp"
#include "engine/mpi_distribution.hpp"
#endif

#ifndef DEAL_VERSION
#define DEAL_VERSION "0.0.0"
#endif

namespace deal {

const char* version() { return DEAL_VERSION; }

// The public handle of a distribution: the runtime's, behind an opaque class.
class Distribution {
 public:
  explicit Distribution(std::shared_ptr<rt::Distribution> d) : impl(std::move(d)) {}
  std::shared_ptr<rt::Distribution> impl;
};

#ifdef DEAL_MPI
std::shared_ptr<const Distribution> mpi_distribution(MPI_Comm comm) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) throw UsageError("deal::mpi_distribution: MPI is not initialised (call MPI_Init_thread first)");
  return std::make_shared<const Distribution>(engine::mpi_distribution(comm));
}
#endif

Error::~Error() = default;
CompileError::CompileError(std::string text, std::vector<Message> diagnostics)
    : Error(std::move(text)), diagnostics_(std::move(diagnostics)) {}
CompileError::~CompileError() = default;
RunError::~RunError() = default;
UsageError::~UsageError() = default;

namespace detail {

struct ProgramState {
  std::unique_ptr<engine::Compiled> compiled;
  DiagnosticHandler handler;
  // Host functions by fn id (empty for user fns and unbound externs); guarded by `mu`
  // so that `bind` may race with runs (a run copies the table when it starts).
  mutable std::mutex mu;
  std::vector<rt::HostFunction> host;

  const check::Program& program() const { return compiled->program(); }
  const rt::Model& model() const { return compiled->model(); }
};

}  // namespace detail

namespace {

using detail::ProgramState;

// The boundary of every public function that can fail (its function-try-block's
// handler): no exception leaves an API call as anything but a deal::Error, and one that
// escapes the engine — a bug, memory running out — is "internal error: …".
[[noreturn]] void rethrow_as_error() {
  try {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(fmt::format("internal error: {}", e.what()));
  } catch (...) {
    throw Error("internal error: an unknown exception");
  }
}

template <class F>
auto api_boundary(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (...) {
    rethrow_as_error();
  }
}

// Diagnostics in the order `deal check` prints them (source order, stable).
std::vector<Message> public_diagnostics(const SourceManager& sm, const Diagnostics& diags) {
  std::vector<const Diagnostic*> order;
  for (const auto& d : diags.all()) order.push_back(&d);
  std::stable_sort(order.begin(), order.end(), [](const Diagnostic* a, const Diagnostic* b) {
    return std::tuple(a->span.file, a->span.line, a->span.col) < std::tuple(b->span.file, b->span.line, b->span.col);
  });
  std::vector<Message> out;
  for (const Diagnostic* d : order) {
    Message p;
    p.level = d->severity == Severity::Error     ? Level::Error
              : d->severity == Severity::Warning ? Level::Warning
                                                 : Level::Note;
    p.kind = d->severity == Severity::Error     ? MessageKind::CompileError
             : d->severity == Severity::Warning ? MessageKind::Warning
                                                : MessageKind::Note;
    p.code = d->code.empty() ? "check" : d->code;
    p.id = d->id;
    if (d->span.valid() && d->span.file >= 1 && d->span.file <= sm.size()) {
      p.file = sm.file(d->span.file).path;
      p.line = int(d->span.line);
      p.column = int(d->span.col);
    }
    p.message = d->message;
    p.text = render(sm, *d, false);
    out.push_back(std::move(p));
  }
  return out;
}

void deliver(const DiagnosticHandler& h, const Message& d) noexcept {
  if (!h) return;
  try {
    h(d);
  } catch (...) {
    // A handler that throws must not take the engine down; its diagnostic is dropped.
  }
}

std::string suggestion(std::string_view name, const std::vector<std::string>& names) {
  std::string s = check::suggest(std::string(name), names);
  return s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s);
}

std::string list_or_none(const std::vector<std::string>& names) {
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

Message plain_message(MessageKind kind, std::string code, std::string message) {
  Message d;
  d.kind = kind;
  if (kind == MessageKind::CompileError && code == "internal") d.id = codes::kInternal;
  d.code = std::move(code);
  d.message = message;
  d.text = fmt::format("error: {}\n", message);
  return d;
}

// The message of an exception escaping a `try_` call: its kind from its type.
Message message_of(const std::exception& e) {
  if (dynamic_cast<const RunError*>(&e)) return plain_message(MessageKind::RunError, "run", e.what());
  if (dynamic_cast<const UsageError*>(&e)) return plain_message(MessageKind::UsageError, "usage", e.what());
  return plain_message(MessageKind::CompileError, "internal", fmt::format("internal error: {}", e.what()));
}

engine::LoadOptions load_options(const EngineOptions& o) {
  engine::LoadOptions lo;
  lo.stdlib_dir = o.stdlib_dir;
  lo.opt_level = o.opt_level;
  lo.import_paths = o.import_paths;
  lo.allow_imports = o.allow_imports;
  lo.widen_hint = "EngineOptions::import_paths";
  return lo;
}

// Checks what `load` loaded and compiles it. Throws CompileError.
std::shared_ptr<ProgramState> build(const EngineOptions& opts, engine::Checked checked) {
  std::vector<Message> list = public_diagnostics(checked.sm, checked.diags);
  for (const Message& d : list) deliver(opts.on_diagnostic, d);
  if (checked.diags.has_errors() || !checked.program) {
    std::string text = render_all(checked.sm, checked.diags, false);
    if (text.empty()) text = "error: the program could not be checked\n";
    throw CompileError(std::move(text), std::move(list));
  }
  auto st = std::make_shared<ProgramState>();
  try {
    st->compiled = engine::Compiled::compile(std::move(checked), load_options(opts));
  } catch (const engine::CompileFailure& e) {
    // The checker accepted the program, so this is a bug of the code generator.
    Message d = plain_message(MessageKind::CompileError, "internal", e.what());
    deliver(opts.on_diagnostic, d);
    throw CompileError(d.text, {d});
  }
  st->handler = opts.on_diagnostic;
  st->host.resize(st->program().fns.size());
  return st;
}

Series::Kind series_kind(rt::ValueKind k) {
  switch (k) {
    case rt::ValueKind::Bool:
      return Series::Kind::Bool;
    case rt::ValueKind::Date:
      return Series::Kind::Date;
    default:
      return Series::Kind::Number;
  }
}

std::string date_text(const rt::Date& d) { return rt::format_date(d); }

}  // namespace

std::string format_date(double month_number) try {
  // Month numbers of the years 1 … 9999 (12·year + month − 1); anything else is no date.
  if (!(month_number >= 12 && month_number < 12 * 10000)) return "";
  return rt::format_date(jit::date_of_months(month_number));
} catch (...) {
  rethrow_as_error();
}

std::string format_value(double value, std::string_view unit) try {
  return rt::format_quantity(value, std::string(unit));
} catch (...) {
  rethrow_as_error();
}

// ------------------------------------------------------------------ Result

struct Result::Impl {
  std::shared_ptr<const ProgramState> program;  // the model the result refers to (party names)
  rt::RunResult raw;
  std::vector<std::string> dates;
  std::vector<PartyResult> parties;
  std::vector<DefaultResult> defaults;
  std::vector<Event> events;
  std::vector<Series> series;
  LedgerResult ledger;
  std::optional<AnalysesResult> analyses;
};

Result::Result() : impl_(std::make_shared<Impl>()) {}
Result::Result(const Result&) = default;
Result::Result(Result&&) noexcept = default;
Result& Result::operator=(const Result&) = default;
Result& Result::operator=(Result&&) noexcept = default;
Result::~Result() = default;

const std::string& Result::scenario() const { return impl_->raw.scenario; }
long long Result::paths() const { return impl_->raw.paths; }
unsigned long long Result::seed() const { return impl_->raw.seed; }
const std::vector<std::string>& Result::dates() const { return impl_->dates; }
const std::vector<PartyResult>& Result::parties() const { return impl_->parties; }
const std::vector<DefaultResult>& Result::defaults() const { return impl_->defaults; }
const std::vector<Event>& Result::events() const { return impl_->events; }
const std::vector<Series>& Result::all_series() const { return impl_->series; }
const LedgerResult& Result::ledger() const { return impl_->ledger; }
const std::optional<AnalysesResult>& Result::analyses() const { return impl_->analyses; }
int Result::rank() const { return impl_->raw.rank; }

const PartyResult& Result::party(std::string_view name) const try {
  for (const auto& p : impl_->parties)
    if (p.name == name) return p;
  std::vector<std::string> names;
  for (const auto& p : impl_->parties) names.push_back(p.name);
  throw UsageError(
      fmt::format("no party named '{}'{}; the program has: {}", name, suggestion(name, names), list_or_none(names)));
} catch (...) {
  rethrow_as_error();
}

double Result::default_probability(std::string_view name) const { return party(name).default_probability; }

const Series& Result::series(std::string_view label) const try {
  for (const auto& s : impl_->series)
    if (s.label == label) return s;
  std::vector<std::string> names;
  for (const auto& s : impl_->series) names.push_back(s.label);
  throw UsageError(fmt::format("scenario '{}' tracks no series '{}'{}; it tracks: {}", impl_->raw.scenario, label,
                               suggestion(label, names), list_or_none(names)));
} catch (...) {
  rethrow_as_error();
}

std::string Result::compare_json(const Result& other) const try {
  if (!impl_->program || impl_->program != other.impl_->program)
    throw UsageError("compare_json compares two results of the same program (loaded once)");
  return report::compare_json(report::compare_results(impl_->program->model(), {impl_->raw.scenario, impl_->raw},
                                                      {other.impl_->raw.scenario, other.impl_->raw}));
} catch (...) {
  rethrow_as_error();
}

std::string Result::to_json() const try {
  if (!impl_->program) return "null\n";
  return report::json_text(impl_->raw, impl_->program->model());
} catch (...) {
  rethrow_as_error();
}

std::string Result::to_table() const try {
  if (!impl_->program) return "";
  return report::table_text(impl_->raw, impl_->program->model(), false);
} catch (...) {
  rethrow_as_error();
}

namespace detail {
struct ResultBuilder {
  static Result make(std::shared_ptr<const ProgramState> program, rt::RunResult raw);
};
}  // namespace detail

// ------------------------------------------------------------------ Scenario

Scenario::Scenario(std::shared_ptr<const ProgramState> program, int index, std::string name)
    : program_(std::move(program)), index_(index), name_(std::move(name)) {}

namespace {

// Adds or replaces an override (as engine::set_param does for rt::RunOptions).
void put(std::vector<std::pair<int, double>>& overrides, const engine::ParamValue& v) {
  for (auto& [k, x] : overrides)
    if (k == v.param) {
      x = v.value;
      return;
    }
  overrides.emplace_back(v.param, v.value);
}

}  // namespace

Scenario& Scenario::set(std::string_view param, double value) try {
  std::string error;
  auto v = engine::number_param(program_->program(), param, value, error);
  if (!v) throw UsageError(error);
  put(overrides_, *v);
  return *this;
} catch (...) {
  rethrow_as_error();
}

Scenario& Scenario::set(std::string_view param, std::string_view text) try {
  engine::ParamError error;
  auto v = engine::parse_param(program_->program(), fmt::format("set {}", param), param, text, error);
  if (!v && error.is_diagnostics) {
    Message d = plain_message(MessageKind::CompileError, "syntax", error.text);
    d.text = error.text;
    deliver(program_->handler, d);
    throw CompileError(error.text, {d});
  }
  if (!v) throw UsageError(error.text);
  put(overrides_, *v);
  return *this;
} catch (...) {
  rethrow_as_error();
}

namespace {

// The runtime's options for a run of a scenario with `overrides`: the host functions bound
// now, and the limits checked (a host's mistake is a UsageError).
rt::RunOptions runtime_options(const RunOptions& options, const ProgramState& st,
                               const std::vector<std::pair<int, double>>& overrides) {
  rt::RunOptions ro;
  ro.paths = options.paths;
  ro.seed = options.seed;
  ro.check_ledger = options.check_ledger;
  ro.threads = options.threads;
  ro.progress = options.progress;
  ro.cancelled = options.cancelled;
  if (options.distribution) ro.distribution = options.distribution->impl;
  ro.params = overrides;
  {
    std::lock_guard<std::mutex> lock(st.mu);
    ro.host_functions = st.host;
  }
  if (options.paths && *options.paths < 1)
    throw UsageError(fmt::format("paths must be at least 1 (got {})", *options.paths));
  // The limits are checked here, where a host's mistake is a UsageError, so that the
  // runtime only ever sees sane values (the CLI checks its flags the same way).
  if (options.max_seconds) {
    if (!(*options.max_seconds >= 0) || std::isinf(*options.max_seconds))
      throw UsageError(
          fmt::format("max_seconds must be a finite number of seconds, at least 0 (got {})", *options.max_seconds));
    ro.max_seconds = *options.max_seconds;
  }
  if (options.max_memory_bytes) {
    if (*options.max_memory_bytes < 1)
      throw UsageError(fmt::format("max_memory_bytes must be positive (got {})", *options.max_memory_bytes));
    ro.max_memory_bytes = *options.max_memory_bytes;
  }
  if (options.max_path_steps) {
    if (*options.max_path_steps < 0)
      throw UsageError(fmt::format("max_path_steps must be at least 0 (0: no limit; got {})", *options.max_path_steps));
    ro.max_path_steps = *options.max_path_steps;
  }
  return ro;
}

}  // namespace

Result Scenario::run(const RunOptions& options) const try {
  const ProgramState& st = *program_;
  rt::RunOptions ro = runtime_options(options, st, overrides_);
  engine::AnalysisRequest analyses;
  if (options.analyses)
    analyses.which = *options.analyses ? rt::AnalysisSelection{} : rt::AnalysisSelection{false, false, false, false};
  analyses.threads = options.threads;
  rt::RunResult raw;
  try {
    raw = engine::run(*st.compiled, index_, ro, analyses);
  } catch (const rt::RunError& e) {
    throw RunError(e.what());
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw RunError(fmt::format("scenario '{}' failed: {}", name_, e.what()));
  }
  return detail::ResultBuilder::make(program_, std::move(raw));
} catch (...) {
  rethrow_as_error();
}

std::string Scenario::sensitivity_json(const SensitivityOptions& options) const try {
  const ProgramState& st = *program_;
  engine::SensitivityRequest request;
  request.scenario = index_;
  request.options = runtime_options(options.run, st, overrides_);
  request.params = options.params;
  request.metrics = options.metrics;
  request.bump = options.bump;
  request.rate_bump = options.rate_bump;
  request.threshold_party = options.threshold_party;
  try {
    return report::sensitivity_json(engine::sensitivity(*st.compiled, request));
  } catch (const engine::SensitivityError& e) {
    throw UsageError(e.what());
  } catch (const rt::RunError& e) {
    throw RunError(e.what());
  }
} catch (...) {
  rethrow_as_error();
}

std::optional<Result> Scenario::try_run(const RunOptions& options, Message* why) const noexcept {
  try {
    return run(options);
  } catch (const std::exception& e) {
    Message m = message_of(e);
    deliver(program_->handler, m);
    if (why) *why = std::move(m);
  } catch (...) {
    Message m = plain_message(MessageKind::RunError, "internal", "internal error: an unknown exception");
    deliver(program_->handler, m);
    if (why) *why = std::move(m);
  }
  return std::nullopt;
}

Result detail::ResultBuilder::make(std::shared_ptr<const ProgramState> program, rt::RunResult raw) {
  auto r = std::make_shared<Result::Impl>();
  const rt::Model& m = program->model();
  for (const rt::Date& d : raw.dates) r->dates.push_back(date_text(d));
  bool single = raw.paths == 1;
  for (const rt::PartyOutcome& p : raw.parties) {
    PartyResult o;
    o.name = p.name;
    o.kind = p.kind;
    o.cash = p.cash;
    o.debt = p.debt;
    o.equity = p.equity;
    o.defaulted = p.defaulted;
    if (p.default_date) o.default_date = date_text(*p.default_date);
    o.default_probability = p.default_probability;
    // The driver's mean default date, as the JSON reports it.
    if (!single && p.mean_default_date) o.mean_default_date = date_text(*p.mean_default_date);
    o.recovery_rate = p.recovery_rate;
    r->parties.push_back(std::move(o));
  }
  auto party_name = [&](int id) { return id >= 0 && size_t(id) < m.parties.size() ? m.parties[size_t(id)].name : "?"; };
  for (const rt::DefaultEvent& e : raw.defaults) {
    DefaultResult d;
    d.party = party_name(e.party);
    d.date = date_text(e.date);
    d.forced = e.cause == rt::DefaultCause::Forced;
    d.owed = e.owed;
    d.paid = e.paid;
    for (const rt::ShortPayer& s : e.short_payers) d.short_payers.push_back({party_name(s.party), s.owed, s.paid});
    const rt::Resolution& res = e.resolution;
    d.estate = res.estate;
    d.liquidation = res.liquidation;
    d.claims = res.claims;
    d.recovered = res.recovered;
    d.recovery_rate = res.recovery_rate();
    d.surplus = res.surplus;
    d.default_costs = res.default_cost;
    for (const rt::Claimant& c : res.claimants)
      d.claimants.push_back({party_name(c.party), c.deal >= 0 ? m.deals.at(size_t(c.deal)).name : std::string(),
                             c.priority, c.claim, c.recovered});
    d.resolution = report::describe_resolution(e, m);
    r->defaults.push_back(std::move(d));
  }
  for (const rt::EventLine& e : raw.events) r->events.push_back({date_text(e.date), e.text});
  for (const rt::SeriesOutcome& s : raw.series) {
    Series o;
    o.label = s.label;
    o.kind = series_kind(s.kind);
    o.unit = s.unit;
    if (single) {
      o.values = s.values;
      o.mean = o.p5 = o.p25 = o.p50 = o.p75 = o.p95 = s.values;
    } else {
      o.mean = s.mean;
      o.p5 = s.p5;
      o.p25 = s.p25;
      o.p50 = s.p50;
      o.p75 = s.p75;
      o.p95 = s.p95;
    }
    r->series.push_back(std::move(o));
  }
  r->ledger = {raw.ledger.rows,          raw.ledger.due,      raw.ledger.paid,   raw.ledger.credit_drawn,
               raw.ledger.default_costs, raw.ledger.borrowed, raw.ledger.claims, raw.ledger.recovered,
               raw.ledger.liquidation,   raw.ledger.surplus};
  if (raw.analyses) {
    const rt::Analyses& a = *raw.analyses;
    AnalysesResult o;
    o.computed_on_path = a.computed_on_path;
    size_t n = m.parties.size();
    if (a.exposure) {
      o.exposure.emplace();
      for (size_t i = 0; i < n; ++i)
        for (size_t k = 0; k < n; ++k)
          if (k != i && a.exposure->owed[i][k] > 0)
            o.exposure->push_back({party_name(int(i)), party_name(int(k)), a.exposure->owed[i][k]});
    }
    if (a.circularity) {
      o.circularity.emplace();
      for (size_t i = 1; i < n && i < a.circularity->parties.size(); ++i) {
        const auto& c = a.circularity->parties[i];
        o.circularity->push_back({party_name(int(i)), c.outflow, c.inflow, c.return_probability, c.self_funded_share});
      }
      o.cycles.emplace();
      for (const auto& c : a.circularity->cycles) {
        CycleEntry e;
        for (int p : c.path) e.path.push_back(party_name(p));
        e.amount = c.amount;
        o.cycles->push_back(std::move(e));
      }
    }
    if (a.concentration) {
      o.concentration.emplace();
      auto who = [&](const std::optional<rt::Counterparty>& c) -> std::optional<Counterparty> {
        if (!c) return std::nullopt;
        return Counterparty{party_name(c->party), c->share};
      };
      for (size_t i = 1; i < n && i < a.concentration->size(); ++i) {
        const auto& c = (*a.concentration)[i];
        o.concentration->push_back(
            {party_name(int(i)), c.inflow_hhi, c.outflow_hhi, who(c.top_customer), who(c.top_supplier)});
      }
    }
    if (a.systemic) {
      o.systemic.emplace();
      for (const auto& x : *a.systemic) {
        SystemicEntry e{party_name(x.party), x.equity_lost, x.induced_defaults, {}};
        for (int p : x.defaulted) e.defaulted.push_back(party_name(p));
        o.systemic->push_back(std::move(e));
      }
    }
    r->analyses = std::move(o);
  }
  r->raw = std::move(raw);
  r->program = std::move(program);
  Result out;
  out.impl_ = std::move(r);
  return out;
}

// ------------------------------------------------------------------ Program

Program::Program(std::shared_ptr<ProgramState> state) : state_(std::move(state)) {}
Program::Program(const Program&) = default;
Program::Program(Program&&) noexcept = default;
Program& Program::operator=(const Program&) = default;
Program& Program::operator=(Program&&) noexcept = default;
Program::~Program() = default;

Program& Program::bind_raw(std::string_view name, int arity, std::function<double(const double*, int)> f) try {
  const check::Program& p = state_->program();
  int id = -1;
  for (size_t i = 0; i < p.fns.size(); ++i)
    if (p.fns[i].name == name) id = int(i);
  if (id < 0 || !p.fns[size_t(id)].is_extern) {
    std::vector<std::string> names = extern_fns();
    throw UsageError(fmt::format("no extern fn named '{}'{}{}; the program declares: {}", name,
                                 id >= 0 ? " (it is a fn with a body)" : "", id >= 0 ? "" : suggestion(name, names),
                                 list_or_none(names)));
  }
  const check::HFn& fn = p.fns[size_t(id)];
  if (int(fn.params.size()) != arity)
    throw UsageError(fmt::format("extern fn '{}' takes {} argument{}, but the host function takes {}", name,
                                 fn.params.size(), fn.params.size() == 1 ? "" : "s", arity));
  if (!f) throw UsageError(fmt::format("bind(\"{}\"): the host function is empty", name));
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->host[size_t(id)] = std::move(f);
  return *this;
} catch (...) {
  rethrow_as_error();
}

Scenario Program::scenario(std::string_view name) const try {
  int k = state_->model().find_scenario(std::string(name));
  if (k < 0) {
    std::vector<std::string> names = scenarios();
    throw UsageError(fmt::format("no scenario named '{}'{}; the program has: {}", name, suggestion(name, names),
                                 list_or_none(names)));
  }
  return Scenario(state_, k, std::string(name));
} catch (...) {
  rethrow_as_error();
}

Scenario Program::scenario() const try {
  const auto& list = state_->model().scenarios;
  if (list.size() != 1)
    throw UsageError(fmt::format("the program has {} scenarios ({}); choose one with scenario(NAME)", list.size(),
                                 list_or_none(scenarios())));
  return Scenario(state_, 0, list[0].name);
} catch (...) {
  rethrow_as_error();
}

std::vector<std::string> Program::scenarios() const try {
  std::vector<std::string> out;
  for (const auto& s : state_->model().scenarios) out.push_back(s.name);
  return out;
} catch (...) {
  rethrow_as_error();
}

std::vector<std::string> Program::parties() const try {
  std::vector<std::string> out;
  for (size_t i = 1; i < state_->model().parties.size(); ++i) out.push_back(state_->model().parties[i].name);
  return out;
} catch (...) {
  rethrow_as_error();
}

std::vector<ParamInfo> Program::params() const try {
  std::vector<ParamInfo> out;
  const check::Program& p = state_->program();
  for (const auto& h : p.params) {
    ParamInfo i;
    i.name = h.name;
    i.type = check::describe(h.type, p.units);
    if (h.type.is_num() && !h.type.dim.dimensionless()) i.unit = check::dim_symbol(h.type.dim, p.units);
    out.push_back(std::move(i));
  }
  return out;
} catch (...) {
  rethrow_as_error();
}

std::vector<std::string> Program::extern_fns() const try {
  std::vector<std::string> out;
  for (const auto& f : state_->program().fns)
    if (f.is_extern) out.push_back(f.name);
  return out;
} catch (...) {
  rethrow_as_error();
}

std::vector<std::string> Program::unbound_extern_fns() const try {
  std::vector<std::string> out;
  std::lock_guard<std::mutex> lock(state_->mu);
  const auto& fns = state_->program().fns;
  for (size_t i = 0; i < fns.size(); ++i)
    if (fns[i].is_extern && !state_->host[i]) out.push_back(fns[i].name);
  return out;
} catch (...) {
  rethrow_as_error();
}

// ------------------------------------------------------------------ Engine

Engine::Engine() = default;
Engine::Engine(EngineOptions options) : options_(std::move(options)) {}
Engine::~Engine() = default;

Program Engine::load_file(const std::string& path) const {
  return api_boundary([&] { return Program(build(options_, engine::check_file(path, load_options(options_)))); });
}

Program Engine::load_string(std::string_view source, std::string_view name) const {
  return api_boundary([&] {
    return Program(
        build(options_, engine::check_source(std::string(name), std::string(source), load_options(options_))));
  });
}

namespace {
// The `try_` loads: a CompileError has already gone to the handler; anything else is
// delivered there as one message. Either way `*why` gets the reason.
template <class Load>
std::optional<Program> try_load(const DiagnosticHandler& handler, Message* why, Load&& load) noexcept {
  try {
    return load();
  } catch (const CompileError& e) {
    if (why) {
      const auto& list = e.diagnostics();
      auto first = std::find_if(list.begin(), list.end(), [](const Message& m) { return m.level == Level::Error; });
      *why = first != list.end() ? *first : plain_message(MessageKind::CompileError, "check", e.what());
      why->text = e.what();
    }
  } catch (const std::exception& e) {
    Message m = message_of(e);
    deliver(handler, m);
    if (why) *why = std::move(m);
  } catch (...) {
    Message m = plain_message(MessageKind::CompileError, "internal", "internal error: an unknown exception");
    deliver(handler, m);
    if (why) *why = std::move(m);
  }
  return std::nullopt;
}
}  // namespace

std::optional<Program> Engine::try_load_file(const std::string& path, Message* why) const noexcept {
  return try_load(options_.on_diagnostic, why, [&] { return load_file(path); });
}

std::optional<Program> Engine::try_load_string(std::string_view source, std::string_view name,
                                               Message* why) const noexcept {
  return try_load(options_.on_diagnostic, why, [&] { return load_string(source, name); });
}

}  // namespace deal
