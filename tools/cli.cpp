#include "tools/cli.hpp"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <thread>
#include <cstdlib>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace deal::cli {

void add_import_path_option(CLI::App* command, std::vector<std::string>& paths) {
  command
      ->add_option("--import-path", paths,
                   "Let imports also read files in DIR (repeatable; by default only the program's folder and the "
                   "standard library)")
      ->type_name("DIR")
      ->check(CLI::ExistingDirectory.description(""));
}

engine::LoadOptions load_options(const std::vector<std::string>& import_paths) {
  engine::LoadOptions options;
  options.import_paths = import_paths;
  options.cache_dir = engine::default_cache_dir();
  return options;
}

void print_diagnostics(const engine::Checked& checked) {
  std::string text = engine::diagnostics_text(checked, isatty(2) && !std::getenv("NO_COLOR"));
  if (!text.empty()) fmt::print(stderr, "{}", text);
}

std::unique_ptr<engine::Compiled> open_program(const std::string& file, int& exit_code,
                                               const engine::LoadOptions& options) {
  engine::Checked checked = engine::check_file(file, options);
  print_diagnostics(checked);
  if (!checked.program) {
    exit_code = 1;
    return nullptr;
  }
  try {
    return engine::Compiled::compile(std::move(checked), options);
  } catch (const engine::CompileFailure& e) {
    fmt::print(stderr, "deal: {}\n", e.what());
    exit_code = 3;
    return nullptr;
  }
}

int choose_scenario(const engine::Compiled& program, const std::string& name, const std::string& file) {
  std::string error;
  int k = engine::choose_scenario(program.model(), name,
                                  {file, "choose one with --scenario NAME, or run them all with --all"}, error);
  if (k < 0) fmt::print(stderr, "deal: {}\n", error);
  return k;
}

bool apply_sets(const std::vector<std::string>& sets, const engine::Compiled& program, rt::RunOptions& options) {
  for (const std::string& s : sets) {
    engine::ParamError error;
    auto v =
        engine::parse_param_assignment(program.program(), "--set", s, error, isatty(2) && !std::getenv("NO_COLOR"));
    if (!v) {
      if (error.is_diagnostics) fmt::print(stderr, "{}", error.text);
      else fmt::print(stderr, "deal: {}\n", error.text);
      return false;
    }
    engine::set_param(options, *v);
  }
  return true;
}

bool parse_analyses(const std::string& spec, engine::AnalysisRequest& request) {
  std::string error;
  if (engine::parse_analyses(spec, request, error)) return true;
  fmt::print(stderr, "deal: --analyses: {}\n", error);
  return false;
}

bool attach_analyses(const engine::Compiled& program, const std::vector<int>& scenarios, const rt::RunOptions& options,
                     const engine::AnalysisRequest& request, std::vector<rt::RunResult>& results) {
  for (size_t i = 0; i < results.size(); ++i) {
    try {
      engine::attach_analyses(program, scenarios[i], options, request, results[i]);
      if (results[i].analyses)
        for (const std::string& warning : results[i].analyses->warnings)
          fmt::print(stderr, "deal: warning: {}\n", warning);
    } catch (const std::exception& e) {
      fmt::print(stderr, "{}\ndeal: the analyses of scenario '{}' failed\n", e.what(), results[i].scenario);
      return false;
    }
  }
  return true;
}

void add_run_flags(CLI::App* command, RunFlags& f) {
  f.paths_opt =
      command->add_option("--paths", f.paths, "Monte Carlo paths, 1 to 2^53 (default: the scenario's)")->type_name("N");
  f.seed_opt =
      command->add_option("--seed", f.seed, "Random seed, 0 to 2^64-1 (default: the scenario's)")->type_name("N");
  f.threads_opt = command
                      ->add_option("--threads,-j", f.threads,
                                   "Monte Carlo worker threads, at most 16 per core (default 0: one per core); "
                                   "results are the same for any number")
                      ->type_name("N");
  f.max_seconds_opt =
      command->add_option("--max-seconds", f.max_seconds, "Stop the run with an error after S seconds")->type_name("S");
  f.max_memory_opt =
      command->add_option("--max-memory", f.max_memory, "The memory a run may keep, e.g. 2G, 512M (default 4G)")
          ->type_name("SIZE");
  f.exact_values_opt =
      command
          ->add_option("--exact-values", f.exact_values,
                       "Exact percentiles keep every path's values up to N in all (default 67108864); above, each "
                       "statistic is a bounded sketch and the output states its relative error")
          ->type_name("N");
}

int max_threads() {
  unsigned hw = std::thread::hardware_concurrency();
  return 16 * int(hw == 0 ? 1 : std::min(hw, 1u << 20));
}

namespace {

// A whole number of decimal digits only (no sign, no spaces) up to `max`.
bool parse_whole(const std::string& t, unsigned long long max, unsigned long long& out) {
  if (t.empty() || t.size() > 20) return false;
  unsigned long long v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return false;
    unsigned d = unsigned(c - '0');
    if (v > (std::numeric_limits<unsigned long long>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  if (v > max) return false;
  out = v;
  return true;
}

}  // namespace

bool parse_size(const std::string& text, long long& bytes) {
  std::string t = text;
  auto ends = [&](const char* s) {
    size_t n = std::strlen(s);
    return t.size() > n && t.compare(t.size() - n, n, s) == 0;
  };
  if (ends("iB")) t.resize(t.size() - 2);
  else if (ends("B")) t.resize(t.size() - 1);
  int shift = 0;
  if (!t.empty()) {
    switch (t.back()) {
      case 'K':
      case 'k':
        shift = 10;
        break;
      case 'M':
      case 'm':
        shift = 20;
        break;
      case 'G':
      case 'g':
        shift = 30;
        break;
      case 'T':
      case 't':
        shift = 40;
        break;
      default:
        break;
    }
    if (shift) t.pop_back();
  }
  unsigned long long v = 0;
  if (!parse_whole(t, (1ULL << 62) >> shift, v) || v == 0) return false;
  bytes = (long long)(v << shift);
  return true;
}

bool apply_run_flags(const RunFlags& f, rt::RunOptions& options) {
  unsigned long long v = 0;
  if (f.paths_opt && *f.paths_opt) {
    if (!parse_whole(f.paths, (unsigned long long)rt::kMaxPaths, v) || v < 1) {
      fmt::print(stderr, "deal: --paths must be a whole number from 1 to 2^53 ({}), like `paths` in a file; got '{}'\n",
                 rt::kMaxPaths, f.paths);
      return false;
    }
    options.paths = (long long)v;
  }
  if (f.seed_opt && *f.seed_opt) {
    if (!parse_whole(f.seed, std::numeric_limits<unsigned long long>::max(), v)) {
      fmt::print(stderr, "deal: --seed must be a whole number from 0 to 2^64-1 ({}); got '{}'\n",
                 std::numeric_limits<unsigned long long>::max(), f.seed);
      return false;
    }
    options.seed = v;
  }
  if (f.threads_opt && *f.threads_opt) {
    if (!parse_whole(f.threads, (unsigned long long)max_threads(), v)) {
      fmt::print(stderr,
                 "deal: --threads must be a whole number from 0 (one per core) to {} (16 per core on this machine); "
                 "got '{}'\n",
                 max_threads(), f.threads);
      return false;
    }
    options.threads = int(v);
  }
  if (f.max_seconds_opt && *f.max_seconds_opt) {
    char* end = nullptr;
    errno = 0;
    double s = f.max_seconds.empty() ? 0 : std::strtod(f.max_seconds.c_str(), &end);
    if (f.max_seconds.empty() || errno || *end || !std::isfinite(s) || !(s > 0)) {
      fmt::print(stderr, "deal: --max-seconds must be a positive number of seconds; got '{}'\n", f.max_seconds);
      return false;
    }
    options.max_seconds = s;
  }
  if (f.max_memory_opt && *f.max_memory_opt) {
    long long bytes = 0;
    if (!parse_size(f.max_memory, bytes)) {
      fmt::print(stderr, "deal: --max-memory must be a size such as 2G, 512M or 65536 (bytes); got '{}'\n",
                 f.max_memory);
      return false;
    }
    options.max_memory_bytes = bytes;
  }
  if (f.exact_values_opt && *f.exact_values_opt) {
    if (!parse_whole(f.exact_values, 1ULL << 62, v)) {
      fmt::print(stderr, "deal: --exact-values must be a whole number from 0 to 2^62; got '{}'\n", f.exact_values);
      return false;
    }
    options.exact_statistics_limit = (long long)v;
  }
  return true;
}

void print_run_error(const std::exception& e) { fmt::print(stderr, "{}\n", e.what()); }

}  // namespace deal::cli
