#include "engine/session.hpp"
#include "engine/frontend_lock.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "compiler/ast/parse.hpp"
#include "compiler/check/checker.hpp"
#include "compiler/jit/jit.hpp"
#include "compiler/jit/object_cache.hpp"
#include "compiler/jit/model.hpp"
#include "engine/tier_up.hpp"

namespace deal::engine {

std::mutex& frontend_mutex() {
  static std::mutex m;
  return m;
}

namespace {

std::string suggestion(std::string_view name, const std::vector<std::string>& names) {
  std::string s = check::suggest(std::string(name), names);
  return s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s);
}

std::string list_or_none(const std::vector<std::string>& names) {
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

// <prefix>/share/deal/stdlib beside the binary this code is linked into (<prefix>/bin/deal
// or <prefix>/lib/libdeal.so); empty when there is none (a build tree).
std::string installed_stdlib() {
  // The object this function is in: libdeal.so for a host, the executable for the CLI
  // (whose link-map name may be empty, hence /proc/self/exe).
  std::vector<std::string> candidates;
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&installed_stdlib), &info) != 0 && info.dli_fname && *info.dli_fname)
    candidates.push_back(info.dli_fname);
  candidates.push_back("/proc/self/exe");
  for (const std::string& c : candidates) {
    std::error_code ec;
    std::filesystem::path bin = std::filesystem::canonical(c, ec);
    if (ec) continue;
    std::filesystem::path dir = bin.parent_path().parent_path() / "share" / "deal" / "stdlib";
    if (std::filesystem::is_directory(dir, ec)) return dir.string();
  }
  return {};
}

check::LoadOptions check_options(const LoadOptions& o) {
  check::LoadOptions lo;
  lo.stdlib_dir = stdlib_dir(o);
  lo.import_paths = o.import_paths;
  lo.allow_imports = o.allow_imports;
  lo.widen_hint = o.widen_hint;
  return lo;
}

// What a change to a checked program would change (see Checked::program_key).
std::string fingerprint(const check::Program& p) {
  size_t tracks = 0;
  for (const auto& s : p.scenarios) tracks += s.tracks.size();
  return fmt::format("{} {} {} {} {} {} {} {}", p.scenarios.size(), tracks, p.parties.size(), p.deals.size(),
                     p.params.size(), p.shocks.size(), p.fns.size(), p.slot_count);
}

// Checked::program_key: the sources and options the program was checked from.
void set_program_key(Checked& c, const LoadOptions& o) {
  if (!c.program) return;
  std::string text = fmt::format("deal sources v1|{}|{}|{}|{}|", stdlib_dir(o), o.allow_imports, o.widen_hint,
                                 fmt::join(o.import_paths, "\x1f"));
  for (size_t id = 1; id <= c.sm.size(); ++id) {
    const SourceFile& f = c.sm.file(uint32_t(id));
    text += fmt::format("{}|{}|{}|", f.path.size(), f.path, f.text.size());
    text += f.text;
  }
  c.program_key = jit::digest(text);
  c.program_fingerprint = fingerprint(*c.program);
}

// Diagnostics of the checker carry the code "check" (the loader's: "import" and "syntax").
std::optional<check::Program> checked_program(Checked& c) {
  Diagnostics::CodeScope scope(c.diags, "check");
  return check::check_program(c.modules, c.sm, c.diags);
}

}  // namespace

std::string stdlib_dir(const LoadOptions& o) {
  if (!o.stdlib_dir.empty()) return o.stdlib_dir;
  if (const char* env = std::getenv("DEAL_STDLIB"); env && *env) return env;
  std::string installed = installed_stdlib();
  // Empty: the loader's default, the source tree's stdlib/.
  return installed.empty() ? check::stdlib_dir({}) : installed;
}

// ---------------------------------------------------------------- loading

Checked check_file(const std::string& path, const LoadOptions& options, bool check) {
  std::lock_guard<std::mutex> lock(frontend_mutex());
  Checked c;
  c.modules = check::load_program(path, c.sm, c.diags, check_options(options));
  if (check && !c.diags.has_errors()) c.program = checked_program(c);
  set_program_key(c, options);
  return c;
}

Checked check_source(const std::string& name, const std::string& text, const LoadOptions& options) {
  std::lock_guard<std::mutex> lock(frontend_mutex());
  Checked c;
  c.modules = check::load_source(name, text, c.sm, c.diags, check_options(options));
  if (!c.diags.has_errors()) c.program = checked_program(c);
  set_program_key(c, options);
  return c;
}

void check_modules(Checked& c) {
  std::lock_guard<std::mutex> lock(frontend_mutex());
  c.program.reset();
  c.program_key.clear();  // assembled by the caller: no key
  if (!c.diags.has_errors()) c.program = checked_program(c);
}

std::string diagnostics_text(const Checked& c, bool color) { return render_all(c.sm, c.diags, color); }

// ---------------------------------------------------------------- compiling

// A compile of the optimised tier still running uses the program and the cheap code.
Compiled::~Compiled() {
  if (tier_up_) tier_up_->close();
}

std::unique_ptr<Compiled> Compiled::compile(Checked checked, const LoadOptions& options) {
  if (!checked.program) throw CompileFailure("internal compiler error: the program was not checked");
  std::unique_ptr<Compiled> c(new Compiled());
  c->checked_ = std::move(checked);
  std::lock_guard<std::mutex> lock(frontend_mutex());
  jit::JitOptions jo;
  jo.opt_level = std::clamp(options.opt_level, 0, 3);
  jo.cache_dir = options.cache_dir;
  jo.tier_up = options.tier_up;
  if (!c->checked_.program_key.empty() && fingerprint(*c->checked_.program) == c->checked_.program_fingerprint)
    jo.program_key = fmt::format("{}|{}", c->checked_.program_key, c->checked_.program_fingerprint);
  try {
    c->code_ = jit::CompiledProgram::compile(*c->checked_.program, rt::runtime_symbols(), jo);
  } catch (const std::exception& e) {
    throw CompileFailure(fmt::format("internal compiler error: {}", e.what()));
  }
  c->model_ = jit::build_model(*c->checked_.program, *c->code_, c->checked_.sm);
  if (c->code_->can_optimise()) {
    // The optimised tier costs several times the cheap one (about 7× on the AI web, whose
    // paths it makes 1.2–1.5× faster), and at least a second when the cheap tier came from
    // the cache: a run must expect that much more CPU time before it is worth starting.
    const double worth_ms = std::max(1000.0, 25.0 * c->code_->compile_ms());
    c->tier_up_ = std::make_shared<TierUp>(*c->code_, *c->checked_.program, c->model_, worth_ms);
    c->model_.faster = c->tier_up_;
  }
  return c;
}

double Compiled::optimised_ms() const { return tier_up_ ? tier_up_->compile_ms() : 0; }

double Compiled::compile_ms() const { return code_->compile_ms(); }
bool Compiled::from_cache() const { return code_->from_cache(); }

rt::ModelScenario Compiled::detach_last_scenario() {
  rt::ModelScenario s = std::move(model_.scenarios.back());
  model_.scenarios.pop_back();
  checked_.program->scenarios.pop_back();
  return s;
}

std::string default_cache_dir() { return jit::default_cache_dir(); }

std::string emit(const Checked& checked, std::string_view what) {
  // The root file only: imports are printed as `import` lines.
  if (what == "ast") return ast::print(checked.modules.front());
  try {
    return what == "ir" ? jit::emit_ir(*checked.program) : jit::emit_asm(*checked.program);
  } catch (const std::exception& e) {
    throw CompileFailure(e.what());
  }
}

// ---------------------------------------------------------------- scenarios

int choose_scenario(const rt::Model& model, std::string_view name, const ScenarioChoice& choice, std::string& error) {
  std::vector<std::string> names;
  for (const auto& s : model.scenarios) names.push_back(s.name);
  if (!name.empty()) {
    int k = model.find_scenario(std::string(name));
    if (k >= 0) return k;
    error = fmt::format("no scenario named '{}'{}; {} has: {}", name, suggestion(name, names), choice.holder,
                        list_or_none(names));
    return -1;
  }
  if (model.scenarios.size() == 1) return 0;
  error =
      fmt::format("{} has {} scenarios ({}); {}", choice.program_name, names.size(), list_or_none(names), choice.how);
  return -1;
}

// ---------------------------------------------------------------- params

int find_param(const check::Program& program, std::string_view name, std::string& error) {
  int k = program.find_param(std::string(name));
  if (k >= 0) return k;
  std::vector<std::string> names;
  for (const auto& p : program.params) names.push_back(p.name);
  error = fmt::format("no param named '{}'{}; the program has: {}", name, suggestion(name, names), list_or_none(names));
  return -1;
}

std::optional<ParamValue> parse_param(const check::Program& program, std::string_view origin, std::string_view name,
                                      std::string_view text, ParamError& error, bool color) {
  int k = find_param(program, name, error.text);
  if (k < 0) return std::nullopt;
  SourceManager sm;
  Diagnostics diags;
  std::optional<std::pair<double, check::Type>> v;
  {
    std::lock_guard<std::mutex> lock(frontend_mutex());
    v = check::parse_constant(program, std::string(origin), std::string(text), sm, diags);
  }
  const check::Type& want = program.params[size_t(k)].type;
  // `--set cash=$5B` unquoted: the shell expands `$5` and passes `cash=B`. An amount
  // without its `$` is the sign.
  std::string shell_help;
  if (origin.starts_with("--set") && !text.starts_with("$") && want.is_num() && want.dim.exp(0) != 0 &&
      (!v || v->second.dim.exp(0) == 0))
    shell_help = fmt::format("did the shell expand `$`? quote the value: `--set '{}=$5B'`", name);
  if (!v) {
    auto& all = const_cast<std::vector<Diagnostic>&>(diags.all());
    for (Diagnostic& d : all) {
      d.id = codes::kBadSetValue;
      if (!shell_help.empty()) d.help.push_back(shell_help);
    }
    error.text = render_all(sm, diags, color);
    error.is_diagnostics = true;
    return std::nullopt;
  }
  if (!(v->second == want)) {
    error.text = fmt::format("param '{}' is {}, but {} is {}", name, check::describe(want, program.units), text,
                             check::describe(v->second, program.units));
    if (!shell_help.empty()) error.text += "\n  help: " + shell_help;
    return std::nullopt;
  }
  return ParamValue{k, v->first};
}

std::optional<ParamValue> parse_param_assignment(const check::Program& program, std::string_view origin,
                                                 std::string_view assignment, ParamError& error, bool color) {
  size_t eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    error.text = fmt::format("{} takes NAME=VALUE, e.g. {} demand_growth=20%/y (got '{}')", origin, origin, assignment);
    return std::nullopt;
  }
  std::string_view name = assignment.substr(0, eq);
  auto v = parse_param(program, fmt::format("{} {}", origin, name), name, assignment.substr(eq + 1), error, color);
  if (!v && !error.is_diagnostics) error.text = fmt::format("{} {}: {}", origin, assignment, error.text);
  return v;
}

std::optional<ParamValue> number_param(const check::Program& program, std::string_view name, double value,
                                       std::string& error) {
  int k = find_param(program, name, error);
  if (k < 0) return std::nullopt;
  const check::HParam& p = program.params[size_t(k)];
  if (!p.type.is_num()) {
    error = fmt::format("param '{}' is {}: give its value as .deal source, e.g. set(\"{}\", \"{}\")", p.name,
                        check::describe(p.type, program.units), p.name,
                        p.type.kind == check::Kind::Bool ? "true" : "2027Q3");
    return std::nullopt;
  }
  return ParamValue{k, value};
}

void set_param(rt::RunOptions& options, const ParamValue& value) {
  for (auto& [k, x] : options.params)
    if (k == value.param) {
      x = value.value;
      return;
    }
  options.params.emplace_back(value.param, value.value);
}

// ---------------------------------------------------------------- the boundary

namespace {
// The boundary's own report must not throw: fmt::print throws when the stream fails (a
// closed or full stderr, `2>/dev/full`), and an exception from inside the handler would
// escape main after all. Plain stdio calls, errors ignored: there is nowhere left to report.
void report_internal(std::FILE* err, std::string_view prefix, const char* what) noexcept {
  if (!err) return;
  std::fwrite(prefix.data(), 1, prefix.size(), err);
  std::fputs(": internal error: ", err);
  std::fputs(what ? what : "", err);
  std::fputc('\n', err);
  std::fflush(err);
  std::clearerr(err);
}
}  // namespace

int guarded(const std::function<int()>& body, std::FILE* err, std::string_view prefix) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    report_internal(err, prefix, e.what());
  } catch (...) {
    report_internal(err, prefix, "an unknown exception");
  }
  return 3;
}

// ---------------------------------------------------------------- runs

bool parse_analyses(std::string_view spec, AnalysisRequest& request, std::string& error) {
  if (spec.empty()) {
    request.which.reset();
    return true;
  }
  rt::AnalysisSelection which{false, false, false, false};
  if (spec == "all") {
    which = {};
  } else if (spec != "none") {
    size_t start = 0;
    while (start <= spec.size()) {
      size_t end = spec.find(',', start);
      std::string_view w = spec.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
      if (w == "exposure") which.exposure = true;
      else if (w == "circularity") which.circularity = true;
      else if (w == "concentration") which.concentration = true;
      else if (w == "systemic") which.systemic = true;
      else {
        error = fmt::format("unknown analysis '{}' (exposure, circularity, concentration, systemic, all, none)", w);
        return false;
      }
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }
  request.which = which;
  return true;
}

void attach_analyses(const Compiled& program, int scenario, const rt::RunOptions& options,
                     const AnalysisRequest& request, rt::RunResult& result) {
  rt::AnalysisSelection which = request.which.value_or(
      result.paths == 1 ? rt::AnalysisSelection{} : rt::AnalysisSelection{false, false, false, false});
  if (!which.exposure && !which.circularity && !which.concentration && !which.systemic) return;
  // Distributed, the analyses are rank 0's: its result is the one reported, and their runs
  // (single paths) are this process's alone.
  if (result.rank != 0) return;
  rt::RunOptions single = options;
  single.paths = 1;
  single.progress = nullptr;
  single.distribution = nullptr;
  std::optional<rt::RunResult> first_path;
  if (result.paths > 1) first_path = rt::run_scenario(program.model(), scenario, single);
  auto an = std::make_shared<rt::Analyses>(
      rt::analyze(program.model(), scenario, single, first_path ? *first_path : result, which, request.threads));
  an->computed_on_path = result.paths > 1 ? 1 : 0;
  result.analyses = std::move(an);
}

rt::RunResult run(const Compiled& program, int scenario, const rt::RunOptions& options,
                  const AnalysisRequest& analyses) {
  rt::RunResult r = rt::run_scenario(program.model(), scenario, options);
  attach_analyses(program, scenario, options, analyses, r);
  return r;
}

GraphRuns graph_runs(const Compiled& program, int scenario, const rt::RunOptions& options) {
  rt::RunOptions one = options;
  one.paths = 1;
  one.progress = nullptr;
  rt::RunOptions full = one;
  full.pay_in_full = true;
  GraphRuns g;
  g.scheduled = rt::run_scenario(program.model(), scenario, full);
  g.actual = rt::run_scenario(program.model(), scenario, one);
  return g;
}

}  // namespace deal::engine
