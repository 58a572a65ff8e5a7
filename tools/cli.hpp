// What every `deal` command does around the engine: open a program with its
// diagnostics printed, choose the scenario, apply `--set`, print a run's failure — and
// the exit codes (1: the program has errors, 2: usage, 3: a run or compilation failed).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/session.hpp"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace deal::cli {

// `--import-path DIR` (repeatable, DIR must exist) on `command`, collected into `paths`:
// folders whose files imports may read besides the program's folder and the standard
// library.
void add_import_path_option(CLI::App* command, std::vector<std::string>& paths);
// The engine's load options for a command's `--import-path` folders.
engine::LoadOptions load_options(const std::vector<std::string>& import_paths);

// Prints the diagnostics to stderr (coloured on a terminal unless NO_COLOR is set).
void print_diagnostics(const engine::Checked& checked);

// Loads, checks and compiles FILE; null with `exit_code` set when it has errors (1) or
// does not compile (3).
std::unique_ptr<engine::Compiled> open_program(const std::string& file, int& exit_code,
                                               const engine::LoadOptions& options = {});

// `--scenario NAME` (empty: the only one); −1 after printing a usage error (exit 2).
int choose_scenario(const engine::Compiled& program, const std::string& name, const std::string& file);

// `--set NAME=VALUE`, each a .deal constant checked against the param's type; false
// after printing an error (exit 2).
bool apply_sets(const std::vector<std::string>& sets, const engine::Compiled& program, rt::RunOptions& options);

// `--analyses SPEC`; false after printing a usage error (exit 2).
bool parse_analyses(const std::string& spec, engine::AnalysisRequest& request);

// Attaches the analyses to each result, printing their warnings; false after printing
// the error of an analysis that failed (the command exits 3).
bool attach_analyses(const engine::Compiled& program, const std::vector<int>& scenarios, const rt::RunOptions& options,
                     const engine::AnalysisRequest& request, std::vector<rt::RunResult>& results);

// The run flags shared by `deal run` and `deal report`: --paths, --seed, --threads,
// --max-seconds, --max-memory. Taken as text and checked here, so that a value out of
// range is a usage error (exit 2) naming the limit, never a wrapped or aborting number.
struct RunFlags {
  std::string paths, seed, threads, max_seconds, max_memory, exact_values;
  CLI::Option *paths_opt = nullptr, *seed_opt = nullptr, *threads_opt = nullptr, *max_seconds_opt = nullptr,
              *max_memory_opt = nullptr, *exact_values_opt = nullptr;
};
void add_run_flags(CLI::App* command, RunFlags& flags);
// The largest --threads: 16 × the cores (std::thread::hardware_concurrency, 1 if unknown).
int max_threads();
// Sets what was given into `options`; false after printing a usage error (exit 2).
bool apply_run_flags(const RunFlags& flags, rt::RunOptions& options);
// "2G", "512M", "64K", "1000" (bytes; K/M/G/T are powers of 1024, an optional B or iB after).
bool parse_size(const std::string& text, long long& bytes);

// Prints a failed run's message (it names the state, date and line).
void print_run_error(const std::exception& e);

}  // namespace deal::cli
