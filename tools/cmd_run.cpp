// `deal run` and `deal --emit ir|asm`: compile the checked program with the JIT and
// run scenarios through the runtime driver.
#include "tools/cmd_run.hpp"

#include <CLI/CLI.hpp>

#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "engine/tier_up.hpp"
#include "report/analyses.hpp"
#include "report/report.hpp"
#include "runtime/progress.hpp"
#include "tools/cli.hpp"
#include "tools/commands.hpp"
#include "tools/distributed.hpp"

namespace deal::cli {

namespace {

bool write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
  return bool(out);
}

// The progress line of a Monte Carlo run on stderr (runtime/progress.hpp). Shown only
// when stderr is a terminal (not TERM=dumb), the output is not JSON, and the run has
// lasted a second; redrawn at most ten times a second and erased when the run ends.
class ProgressBar {
 public:
  using clock = std::chrono::steady_clock;
  explicit ProgressBar(bool enabled) : enabled_(enabled), start_(clock::now()) {}
  ~ProgressBar() { finish(); }

  void update(long long done, long long total) {
    if (!enabled_) return;
    double elapsed = std::chrono::duration<double>(clock::now() - start_).count();
    if (elapsed < 1.0 || done >= total) return;
    int width = 80;
    winsize ws{};
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) width = ws.ws_col;
    fmt::print(stderr, "\r{}\033[K", rt::progress_line(done, total, elapsed, width - 1));
    std::fflush(stderr);
    drawn_ = true;
  }
  void finish() {
    if (drawn_) fmt::print(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }

  static bool wanted(const std::string& format) {
    const char* term = std::getenv("TERM");
    return format != "json" && isatty(STDERR_FILENO) && !(term && std::string(term) == "dumb");
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  clock::time_point start_;
};

// CPU time of the whole process (every thread) so far, in milliseconds.
double process_cpu_ms() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](const timeval& t) { return double(t.tv_sec) * 1e3 + double(t.tv_usec) / 1e3; };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

}  // namespace

int cmd_run(const RunArgs& a) {
  using clock = std::chrono::steady_clock;
  auto ms = [](clock::time_point from) {
    return std::chrono::duration<double, std::milli>(clock::now() - from).count();
  };
  auto t0 = clock::now();
  int exit_code = 0;
  std::unique_ptr<engine::Compiled> program = open_program(a.file, exit_code, load_options(a.import_paths));
  if (!program) return exit_code;
  double jit_ms = program->compile_ms();
  double check_ms = ms(t0) - jit_ms;
  const rt::Model& model = program->model();

  std::vector<int> scenarios;
  if (a.all) {
    for (size_t k = 0; k < model.scenarios.size(); ++k) scenarios.push_back(int(k));
  } else {
    int k = choose_scenario(*program, a.scenario, a.file);
    if (k < 0) return 2;
    scenarios.push_back(k);
  }

  rt::RunOptions opts;
  if (a.paths) opts.paths = *a.paths;
  if (a.seed) opts.seed = *a.seed;
  opts.check_ledger = a.check_ledger;
  opts.threads = a.threads;
  opts.distribution = distribution();
  if (a.max_seconds > 0) opts.max_seconds = a.max_seconds;
  if (a.max_memory > 0) opts.max_memory_bytes = a.max_memory;
  if (a.exact_values) opts.exact_statistics_limit = *a.exact_values;
  if (!apply_sets(a.sets, *program, opts)) return 2;
  engine::AnalysisRequest analyses;
  if (!parse_analyses(a.analyses, analyses)) return 2;
  std::string format = a.format;
  if (format.empty()) format = isatty(1) ? "table" : "json";

  std::vector<rt::RunResult> results;
  for (int k : scenarios) {
    try {
      auto t2 = clock::now();
      double cpu0 = a.timings ? process_cpu_ms() : 0;
      ProgressBar bar(ProgressBar::wanted(format));
      opts.progress = [&bar](long long done, long long total) { bar.update(done, total); };
      results.push_back(rt::run_scenario(model, k, opts));
      bar.finish();
      if (a.timings) {
        const rt::RunResult& r = results.back();
        double t = ms(t2);
        if (r.paths > 1)
          fmt::print(stderr, "timing: scenario {}: {} paths in {:.2f} ms on {} thread{} ({} paths/s, CPU {:.0f} ms)\n",
                     r.scenario, r.paths, t, r.threads, r.threads == 1 ? "" : "s",
                     rt::group_thousands(std::llround(double(r.paths) / (t / 1000.0))), process_cpu_ms() - cpu0);
        else fmt::print(stderr, "timing: scenario {}: 1 path in {:.2f} ms\n", r.scenario, t);
      }
    } catch (const rt::RunError& e) {
      print_run_error(e);
      fmt::print(stderr, "deal: scenario '{}' failed\n", model.scenarios[size_t(k)].name);
      return 3;
    }
  }

  if (a.timings)
    fmt::print(stderr, "timing: parse + check {:.2f} ms, IR + optimise + native code {:.2f} ms{}\n", check_ms, jit_ms,
               program->from_cache() ? " (native code from the object cache)" : "");
  if (a.timings && program->tiered()) {
    std::string tier = "the cheap tier ran every path (no run long enough for the optimised one)";
    if (program->optimised_ms() > 0)
      tier = fmt::format("the optimised tier compiled during the run in {:.2f} ms", program->optimised_ms());
    else if (program->tier_up()->started()) tier = "the optimised tier was still compiling when the runs ended";
    fmt::print(stderr, "timing: {}\n", tier);
  }
  // Distributed, the results are rank 0's: the other ranks are done.
  if (rank() != 0) return 0;
  opts.progress = nullptr;
  opts.distribution = nullptr;
  if (!attach_analyses(*program, scenarios, opts, analyses, results)) return 3;
  bool color = isatty(1) && !std::getenv("NO_COLOR");
  if (format == "json") {
    fmt::print(
        "{}", results.size() == 1 && !a.all ? report::json_text(results[0], model) : report::json_text(results, model));
  } else if (format == "csv") {
    fmt::print("{}", report::series_csv(results, model.step));
  } else {
    for (size_t i = 0; i < results.size(); ++i)
      fmt::print("{}{}", i ? "\n" : "", report::table_text(results[i], model, color));
  }

  if (!a.out.empty()) {
    std::filesystem::path dir(a.out);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::string tables;
    for (size_t i = 0; i < results.size(); ++i)
      tables += (i ? "\n" : "") + report::table_text(results[i], model, false);
    bool ok = !ec &&
              write_file(dir / "result.json", results.size() == 1 && !a.all ? report::json_text(results[0], model)
                                                                            : report::json_text(results, model)) &&
              write_file(dir / "series.csv", report::series_csv(results, model.step)) &&
              write_file(dir / "report.txt", tables) &&
              write_file(dir / "ledger.csv", report::ledger_csv(results, model)) &&
              write_file(dir / "parties.csv", report::parties_csv(results)) &&
              write_file(dir / "claims.csv", report::claims_csv(results, model));
    for (const auto& [name, text] : report::analyses_csv(results, model)) ok = ok && write_file(dir / name, text);
    if (!ok) {
      fmt::print(stderr, "deal: cannot write the results to '{}': {}\n", a.out,
                 ec ? ec.message() : std::string(std::strerror(errno ? errno : EIO)));
      return 3;
    }
  }
  return 0;
}

int cmd_emit(const std::string& what, const std::string& file) {
  // `ast` prints what the parser built, so the program need not check.
  engine::Checked checked = engine::check_file(file, {}, /*check=*/what != "ast");
  print_diagnostics(checked);
  if (checked.diags.has_errors() || (what != "ast" && !checked.program)) return 1;
  try {
    fmt::print("{}", engine::emit(checked, what));
  } catch (const engine::CompileFailure& e) {
    fmt::print(stderr, "deal: {}\n", e.what());
    return 3;
  }
  return 0;
}

namespace {

RunArgs run_args;
RunFlags run_flags;

Register run_command(
    {20,
     [](CLI::App& app) {
       auto* run = app.add_subcommand("run", "Run scenarios: defaults, tracked series, ledger (exit 3 if a run fails)");
       run->add_option("file", run_args.file, "The .deal program")->required();
       auto* scen = run->add_option("--scenario,-s", run_args.scenario, "The scenario to run");
       run->add_flag("--all", run_args.all, "Run every scenario")->excludes(scen);
       run->add_option("--set", run_args.sets, "Override a param: NAME=VALUE, VALUE a .deal constant (e.g. 20%/y)");
       add_run_flags(run, run_flags);
       run->add_option("--format,-f", run_args.format,
                       "table, csv or json (default: table on a terminal, json otherwise)")
           ->check(CLI::IsMember({"table", "csv", "json"}));
       run->add_option(
           "--out", run_args.out,
           "Also write result.json, series.csv, parties.csv, claims.csv, report.txt and ledger.csv into DIR");
       run->add_flag("--check-ledger", run_args.check_ledger,
                     "Verify conservation of money after every clearing round and step");
       run->add_option("--analyses", run_args.analyses,
                       "exposure,circularity,concentration,systemic | all | none (default: all for "
                       "single-path runs, none for Monte Carlo)");
       run->add_flag("--time", run_args.timings, "Print the time of each phase (check, compile, run) to stderr");
       add_import_path_option(run, run_args.import_paths);
       return run;
     },
     [] {
       rt::RunOptions o;
       if (!apply_run_flags(run_flags, o)) return 2;
       run_args.paths = o.paths;
       run_args.seed = o.seed;
       run_args.threads = o.threads;
       if (*run_flags.max_seconds_opt) run_args.max_seconds = o.max_seconds;
       if (*run_flags.max_memory_opt) run_args.max_memory = o.max_memory_bytes;
       if (*run_flags.exact_values_opt) run_args.exact_values = o.exact_statistics_limit;
       return cmd_run(run_args);
     },
     /*distributed=*/true});

}  // namespace

}  // namespace deal::cli
