// The embedding API of `deal`: load a `.deal` program, bind host functions, choose a
// scenario, override params, run it and read the results. This header is the whole
// public surface; it includes only the standard library (the compiler, LLVM and ANTLR
// stay behind it).
//
//   deal::Engine engine;
//   deal::Program prog = engine.load_file("web.deal");          // throws deal::CompileError
//   prog.bind("gpu_index", [](double t) { return 1.0 + 0.1 * t; });
//   deal::Result r = prog.scenario("stress").set("demand_growth", "20%/y").run({.paths = 1000});
//   double p = r.default_probability("Oracle");
//   std::string json = r.to_json();                               // as `deal run --format json`
//
// Thread-safety: a Program (and every Scenario taken from it) may be run from several
// threads at once; each run has its own state. `bind` may be called at any time: a run
// uses the host functions bound when it starts. Host functions themselves must be safe
// to call from the threads that run the program. An Engine may load programs from
// several threads at once. Results are plain values. See docs/embedding.md.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(_WIN32)
#define DEAL_API
#else
#define DEAL_API __attribute__((visibility("default")))
#endif

namespace deal {

// "0.1.0"
DEAL_API const char* version();

// ------------------------------------------------------------------ diagnostics

enum class Level { Error, Warning, Note };

// What a message is about, as Wren's error callback tells compile errors from run-time
// ones: the program does not check (or compile), a run failed, or a request did not fit
// the program (an unknown scenario or param, a value of the wrong type).
enum class MessageKind { CompileError, RunError, UsageError, Warning, Note };

// One diagnostic. `text` is exactly what `deal check` (or `deal run`) prints for it: the
// `file:line:col: error: message` line, the source line, a caret under the span, and
// the notes that go with it.
struct DEAL_API Message {
  Level level = Level::Error;
  MessageKind kind = MessageKind::CompileError;
  // A stable code for the kind of problem (docs/embedding.md lists them): "syntax",
  // "name", "type", "import", … for compile errors; "run" for run errors; "usage" for
  // usage errors; "internal" for a bug of the compiler. Hosts may match on it; the
  // message text may improve from one version to the next.
  std::string code;
  // The stable code of a compile diagnostic ("E011"; "W001" for a warning), explained in
  // docs/diagnostics.md (`deal explain E011`) and shown in `text` as `[E011]`; empty for
  // run and usage errors.
  std::string id;
  std::string file;          // empty when the message has no location
  int line = 0, column = 0;  // from 1; 0 without a location
  std::string message;       // "cannot add Money ($) and Flow ($/y)"
  std::string text;          // rendered, with source line and caret (ends with a newline)
};

// Receives every diagnostic of a load (errors and warnings, in source order) and the
// message of every failed run of a `try_` call. Installed through EngineOptions.
using DiagnosticHandler = std::function<void(const Message&)>;

// Every error the API throws derives from deal::Error.
class DEAL_API Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  ~Error() override;
};

// The program has errors. what() is all of them as `deal check` prints them.
class DEAL_API CompileError : public Error {
 public:
  CompileError(std::string text, std::vector<Message> diagnostics);
  ~CompileError() override;
  const std::vector<Message>& diagnostics() const noexcept { return diagnostics_; }

 private:
  std::vector<Message> diagnostics_;
};

// A run failed: a state became NaN or infinite, a payment was invalid, a host function
// threw or is not bound, the ledger check failed. what() names what, when and where
// (the same message `deal run` prints before exiting with 3).
class DEAL_API RunError : public Error {
 public:
  using Error::Error;
  ~RunError() override;
};

// A request that does not fit the program: an unknown scenario, param, party or series,
// a value of the wrong type, a host function for a name that is no extern fn.
class DEAL_API UsageError : public Error {
 public:
  using Error::Error;
  ~UsageError() override;
};

// ------------------------------------------------------------------ results

struct DEAL_API PartyResult {
  std::string name, kind;
  double cash = 0, debt = 0, equity = 0;         // dollars, end of the last step (mean over paths)
  bool defaulted = false;                        // single-path runs
  std::optional<std::string> default_date;       // single-path runs: "YYYY-MM-DD"
  double default_probability = 0;                // share of paths in which it defaulted
  std::optional<std::string> mean_default_date;  // Monte Carlo runs, when it ever defaulted
  // Its creditors' recovery rate (recovered / claims; 1 with no claims): single path, when
  // it defaulted; Monte Carlo, the mean over the paths in which it defaulted.
  std::optional<double> recovery_rate;
};

struct DEAL_API ShortPayer {
  std::string party;
  double owed = 0, paid = 0;
};

// One creditor's claim on a defaulted party's estate (LANGUAGE.md §6.6).
struct DEAL_API Claimant {
  std::string party;  // the creditor ("World" too)
  std::string deal;   // the deal on whose behalf; "" for a party's or shock's own payment
  int priority = 1;
  double claim = 0, recovered = 0;
};

// Why and when a party defaulted (single-path runs), in the order they happened, and
// how its estate was resolved.
struct DEAL_API DefaultResult {
  std::string party;
  std::string date;     // "YYYY-MM-DD"
  bool forced = false;  // `default(p)` rather than a shortfall in clearing
  double owed = 0, paid = 0;
  std::vector<ShortPayer> short_payers;  // counterparties whose short payments made the difference
  double estate = 0;                     // its cash plus liquidation value when resolved
  double liquidation = 0;                // the liquidation value (part of the estate)
  double claims = 0, recovered = 0;      // totals over its claimants
  double recovery_rate = 1;              // recovered / claims (1 if no claims)
  double surplus = 0;                    // what the estate had left: to the holders of its stakes, the rest to World
  double default_costs = 0;              // what the estate lost to Rogers–Veraart costs
  std::vector<Claimant> claimants;       // largest claim first
  std::string resolution;                // the same in words, as the table prints it
};

struct DEAL_API Event {
  std::string date;  // "YYYY-MM-DD"
  std::string text;  // a default with its cause, or an `emit` line
};

// A tracked series, one value per step (at the end of the step). Numbers are in base
// units (dollars, years, per year, declared units); Bools are 0/1; Dates are month
// numbers (12·year + month − 1 + (day − 1)/days in month; see deal::format_date).
struct DEAL_API Series {
  enum class Kind { Number, Bool, Date };
  std::string label;
  Kind kind = Kind::Number;
  std::string unit;            // "$", "$/y", "1/y", "GW", … ("" for plain numbers)
  std::vector<double> values;  // single-path runs (empty for Monte Carlo runs)
  // Monte Carlo statistics per step; for a single path every one equals `values`.
  std::vector<double> mean, p5, p25, p50, p75, p95;
};

// Totals of the contractual obligations (pay / receive) and of the other money moves.
struct DEAL_API LedgerResult {
  long long rows = 0;
  double due = 0, paid = 0;
  double credit_drawn = 0, default_costs = 0, borrowed = 0;
  double claims = 0, recovered = 0, liquidation = 0, surplus = 0;  // resolution of defaults
};

// The analyses of LANGUAGE.md §7 (definitions in docs/analyses.md), for one path.
struct DEAL_API ExposureEntry {
  std::string from, to;  // `from` was scheduled to pay `to` …
  double amount = 0;     // … this many dollars over the horizon (as if everyone paid in full)
};
struct DEAL_API CircularityEntry {
  std::string party;
  double outflow = 0, inflow = 0;
  double return_probability = 0;  // a dollar it pays out comes back to it
  double self_funded_share = 0;   // outflow × return_probability / inflow (0 without inflow)
};
struct DEAL_API CycleEntry {
  std::vector<std::string> path;  // first == last
  double amount = 0;
};
struct DEAL_API Counterparty {
  std::string party;
  double share = 0;
};
struct DEAL_API ConcentrationEntry {
  std::string party;
  double inflow_hhi = 0, outflow_hhi = 0;  // Herfindahl–Hirschman indices on shares in [0, 1]
  std::optional<Counterparty> top_customer, top_supplier;
};
struct DEAL_API SystemicEntry {
  std::string party;         // defaults alone at the first step …
  double equity_lost = 0;    // … and the others lose this much equity
  int induced_defaults = 0;  // … and this many others default
  std::vector<std::string> defaulted;
};
struct DEAL_API AnalysesResult {
  std::optional<std::vector<ExposureEntry>> exposure;  // pairs with a positive amount
  std::optional<std::vector<CircularityEntry>> circularity;
  std::optional<std::vector<CycleEntry>> cycles;  // largest first
  std::optional<std::vector<ConcentrationEntry>> concentration;
  std::optional<std::vector<SystemicEntry>> systemic;  // most important first
  long long computed_on_path = 0;                      // Monte Carlo runs: the analyses describe this path (1)
};

// A date as "YYYY-MM-DD" from a month number (a Date series value); "" for NaN or a
// month number outside the years 1 … 9999.
DEAL_API std::string format_date(double month_number);
// A value with its unit as the CLI prints it: "$38.2B", "12.5%/y", "3 GW".
DEAL_API std::string format_value(double value, std::string_view unit);

class Distribution;  // a run over several MPI processes: deal/mpi.hpp (MPI builds only)

namespace detail {
struct ProgramState;   // the checked and compiled program (engine/api.cpp)
struct ResultBuilder;  // makes Results from the driver's output (engine/api.cpp)
}  // namespace detail

// The outcome of one scenario run. A plain value: copy it, keep it, read it from any thread.
class DEAL_API Result {
 public:
  Result();
  Result(const Result&);
  Result(Result&&) noexcept;
  Result& operator=(const Result&);
  Result& operator=(Result&&) noexcept;
  ~Result();

  const std::string& scenario() const;
  long long paths() const;
  unsigned long long seed() const;
  const std::vector<std::string>& dates() const;  // start of each step, "YYYY-MM-DD"

  const std::vector<PartyResult>& parties() const;        // declaration order, World excluded
  const PartyResult& party(std::string_view name) const;  // UsageError if unknown
  double default_probability(std::string_view party) const;
  const std::vector<DefaultResult>& defaults() const;
  const std::vector<Event>& events() const;

  const std::vector<Series>& all_series() const;       // in `track` order
  const Series& series(std::string_view label) const;  // UsageError if not tracked
  const LedgerResult& ledger() const;
  // Present when the run computed them (RunOptions::analyses).
  const std::optional<AnalysesResult>& analyses() const;
  // A run over several processes (RunOptions::distribution): this process's rank. Only
  // rank 0's result holds the outcomes and statistics; another rank's has the scenario,
  // dates, party names and series labels, with zeros and empty series. 0 otherwise.
  int rank() const;

  // The JSON document of `deal run --format json` (LANGUAGE.md §7.1), byte for byte.
  std::string to_json() const;
  // The report `deal run --format table` prints (no colours).
  std::string to_table() const;
  // This result (side a) beside `other` (side b) as `deal compare --format json` prints
  // it (docs/workflow.md): the defaults that differ with their causes, the balance sheet
  // deltas, every tracked series side by side with its difference. UsageError if the
  // two come from different programs.
  std::string compare_json(const Result& other) const;

 private:
  friend struct detail::ResultBuilder;
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// ------------------------------------------------------------------ running

struct DEAL_API RunOptions {
  std::optional<long long> paths{};          // Monte Carlo paths; default: the scenario's `paths`
  std::optional<unsigned long long> seed{};  // default: the scenario's `seed`
  int threads = 0;                           // worker threads for the paths; 0: one per core
  bool check_ledger = false;                 // verify conservation of money every step (RunError if violated)
  // Exposure, circularity, concentration and systemic importance. Default, as `deal run`:
  // on for single-path runs, off for Monte Carlo runs (when asked for, they describe path 1).
  // They cost one extra run plus one per party.
  std::optional<bool> analyses{};
  // Called on the calling thread about ten times a second while Monte Carlo paths run.
  std::function<void(long long done, long long total)> progress{};
  // Asked before every Monte Carlo path and every step of a single path, possibly from
  // several threads at once; returning true stops the run with a RunError ("the run was
  // interrupted"). For a host's cancel button.
  std::function<bool()> cancelled{};
  // Limits for programs a host did not write (docs/language.md, "Limits"); unset: the
  // defaults `deal run` uses. A run over one fails with a RunError naming what to reduce.
  // Wall-clock seconds, checked between Monte Carlo paths and at every step of a single
  // path (as `--max-seconds`); unset or 0: no limit. Negative or NaN: UsageError.
  std::optional<double> max_seconds{};
  // The memory a run may keep for its statistics and per-path buffers, estimated before
  // it starts (as `--max-memory`); default 4 GiB. Must be positive.
  std::optional<long long> max_memory_bytes{};
  // Monte Carlo paths × calendar steps, checked before the run starts; default 10^10;
  // 0: no limit. Negative: UsageError.
  std::optional<long long> max_path_steps{};
  // Several processes (MPI builds: deal::mpi_distribution in deal/mpi.hpp,
  // docs/distributed.md): every rank makes the same runs in the same order; a Monte Carlo
  // run splits its paths over the ranks and rank 0's Result has the same bits as one
  // process's. Null: this process alone.
  std::shared_ptr<const Distribution> distribution{};
};

class Program;

// One-at-a-time sensitivity (`deal sensitivity`, docs/workflow.md): each param bumped
// down and up — relative for dimensioned values and numbers, absolute for rates, Bools
// flipped — with the same seed in every run (common random numbers).
struct DEAL_API SensitivityOptions {
  std::vector<std::string> params{};  // empty: every param
  std::vector<std::string>
      metrics{};            // as `--metric`: "defaults", "default:P", "equity:P", "series:L", …; empty: "defaults"
  double bump = 0.1;        // relative
  double rate_bump = 0.01;  // absolute, per year
  std::optional<std::string> threshold_party{};  // find where its default flips (single-path scenarios)
  RunOptions run{};                              // paths, seed, threads, limits
};

// A scenario of a program with host overrides of its params. A small value: copy it
// freely; copies share the program.
class DEAL_API Scenario {
 public:
  const std::string& name() const { return name_; }

  // Overrides a param for this scenario's runs (the strongest override, as `--set`).
  // A number is in base units: dollars, years, 1/y (0.2 is 20%/y), declared units; it is
  // accepted for params of any number dimension. UsageError for an unknown param or one
  // that is a Bool or Date.
  Scenario& set(std::string_view param, double value);
  // The value as `.deal` source, checked against the param's type like `deal run --set`:
  // "20%/y", "$3B", "2027Q3", "true". CompileError if it does not parse or is not a
  // constant; UsageError if the param is unknown or the type differs.
  Scenario& set(std::string_view param, std::string_view deal_value);
  Scenario& set(std::string_view param, const char* deal_value) { return set(param, std::string_view(deal_value)); }
  // Any other number (set("x", 0), set("n", 3L)) is a number in base units, and a bool
  // is `true` / `false` for a Bool param: without these, 0 would be ambiguous between
  // the double and the const char* forms.
  template <class T, std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Scenario& set(std::string_view param, T value) {
    return set(param, static_cast<double>(value));
  }
  Scenario& set(std::string_view param, bool value) { return set(param, std::string_view(value ? "true" : "false")); }

  // Runs the scenario. Throws RunError when the run fails.
  Result run(const RunOptions& options = {}) const;
  // The JSON of `deal sensitivity --format json` for this scenario with its overrides.
  // UsageError for an unknown param, party, series or metric; RunError when the base
  // run fails (a bumped run that fails skips its param, with the reason).
  std::string sensitivity_json(const SensitivityOptions& options = {}) const;
  // The same without exceptions: on failure the message goes to the engine's
  // DiagnosticHandler (if any) and to `*why` (if given), and the result is empty.
  std::optional<Result> try_run(const RunOptions& options = {}, Message* why = nullptr) const noexcept;

 private:
  friend class Program;
  Scenario(std::shared_ptr<const detail::ProgramState> program, int index, std::string name);
  std::shared_ptr<const detail::ProgramState> program_;
  int index_ = 0;
  std::string name_;
  std::vector<std::pair<int, double>> overrides_;  // param index → value (run-time encoding)
};

// A param of a program, for hosts that build forms or validate input.
struct DEAL_API ParamInfo {
  std::string name;
  std::string type;  // "Rate (1/y)", "Money ($)", "Number", "Bool", "Date", …
  std::string unit;  // dimension symbol ("1/y"), "" for Number, Bool and Date
};

// A checked and compiled program. A handle: copies share the compiled code and the
// bound host functions. Immutable except for `bind`.
class DEAL_API Program {
 public:
  Program(const Program&);
  Program(Program&&) noexcept;
  Program& operator=(const Program&);
  Program& operator=(Program&&) noexcept;
  ~Program();

  // Binds the host function for `extern fn name(…): Number`. F is any callable taking
  // as many doubles as the extern fn has parameters and returning a double (lambdas,
  // function pointers, std::function). UsageError if there is no such extern fn or
  // the number of parameters differs. Rebinding replaces.
  template <class F>
  Program& bind(std::string_view name, F&& f);
  // The untyped form: `f(args, n)` with n == arity.
  Program& bind_raw(std::string_view name, int arity, std::function<double(const double* args, int n)> f);

  // A scenario by name (UsageError with a suggestion if there is none).
  Scenario scenario(std::string_view name) const;
  // The program's only scenario (UsageError if it has several).
  Scenario scenario() const;
  // Runs the only scenario (UsageError if there are several).
  Result run(const RunOptions& options = {}) const { return scenario().run(options); }

  std::vector<std::string> scenarios() const;           // declaration order ("default" when none is declared)
  std::vector<std::string> parties() const;             // declaration order, World excluded
  std::vector<ParamInfo> params() const;                // declaration order
  std::vector<std::string> extern_fns() const;          // names of the extern fns, declaration order
  std::vector<std::string> unbound_extern_fns() const;  // those with no host function yet

 private:
  friend class Engine;
  explicit Program(std::shared_ptr<detail::ProgramState> state);
  std::shared_ptr<detail::ProgramState> state_;
};

// ------------------------------------------------------------------ the engine

struct DEAL_API EngineOptions {
  // Where `import "std/NAME"` looks. Empty: $DEAL_STDLIB, else the installed standard
  // library (share/deal/stdlib beside the library), else the source tree's stdlib/.
  std::string stdlib_dir{};
  int opt_level = 2;  // LLVM optimisation level, 0 … 3
  // Receives every diagnostic (and the failures of try_ calls). Optional.
  DiagnosticHandler on_diagnostic{};
  // Imports read only files inside the root program's folder (the current directory for
  // load_string), the standard library and these folders; any other import, by `../`, an
  // absolute path or a symlink, is a compile error (code "import").
  std::vector<std::string> import_paths{};
  // False: every import but `import "std/NAME"` is an error "imports are disabled by the
  // host" (the standard library stays available).
  bool allow_imports = true;
};

// Loads and compiles programs. Cheap to create; holds only options. Programs it loads
// own everything they need and may outlive it.
class DEAL_API Engine {
 public:
  Engine();
  explicit Engine(EngineOptions options);
  ~Engine();

  // Parse, check (with imports) and JIT-compile. Throws CompileError with every
  // diagnostic; each is also passed to the DiagnosticHandler.
  Program load_file(const std::string& path) const;
  // The same for source text; `name` is the file name used in diagnostics, and
  // relative imports resolve against the current directory.
  Program load_string(std::string_view source, std::string_view name = "<string>") const;

  // Without exceptions: diagnostics go to the DiagnosticHandler (if any); on failure
  // `*why` (if given) receives the reason: for a program with errors, the first error,
  // its `text` holding all of them as `deal check` prints them.
  std::optional<Program> try_load_file(const std::string& path, Message* why = nullptr) const noexcept;
  std::optional<Program> try_load_string(std::string_view source, std::string_view name = "<string>",
                                         Message* why = nullptr) const noexcept;

  const EngineOptions& options() const { return options_; }

 private:
  EngineOptions options_;
};

// ------------------------------------------------------------------ bind (template part)

namespace detail {

template <class T>
struct callable_traits : callable_traits<decltype(&std::remove_cvref_t<T>::operator())> {};
template <class R, class... A>
struct callable_traits<R (*)(A...)> {
  static constexpr int arity = int(sizeof...(A));
  static constexpr bool all_double = (std::is_convertible_v<double, A> && ...) && std::is_convertible_v<R, double>;
};
template <class R, class... A>
struct callable_traits<R (*)(A...) noexcept> : callable_traits<R (*)(A...)> {};
template <class R, class... A>
struct callable_traits<R(A...)> : callable_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...)> : callable_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...) const> : callable_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...) noexcept> : callable_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...) const noexcept> : callable_traits<R (*)(A...)> {};

template <class F, std::size_t... I>
double call_with(F& f, const double* a, std::index_sequence<I...>) {
  return static_cast<double>(f(a[I]...));
}

}  // namespace detail

template <class F>
Program& Program::bind(std::string_view name, F&& f) {
  using Traits = detail::callable_traits<std::remove_pointer_t<std::remove_cvref_t<F>>>;
  static_assert(Traits::all_double, "a host function takes doubles and returns a double");
  constexpr int n = Traits::arity;
  return bind_raw(name, n, [g = std::forward<F>(f)](const double* args, int) mutable {
    return detail::call_with(g, args, std::make_index_sequence<std::size_t(n)>{});
  });
}

}  // namespace deal
