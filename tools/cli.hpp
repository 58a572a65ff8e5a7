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
}

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

// Attaches the analyses to each result, printing their warnings; an analysis that fails
// is reported as a warning and left out.
void attach_analyses(const engine::Compiled& program, const std::vector<int>& scenarios, const rt::RunOptions& options,
                     const engine::AnalysisRequest& request, std::vector<rt::RunResult>& results);

// Prints a failed run's message (it names the state, date and line).
void print_run_error(const std::exception& e);

}  // namespace deal::cli
