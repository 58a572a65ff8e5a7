// Loading, checking and compiling a program for a command, with its diagnostics
// printed and the exit code decided (1: the program has errors, 3: compilation failed).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/jit/jit.hpp"
#include "runtime/driver.hpp"
#include "runtime/model.hpp"
#include "tools/frontend.hpp"

namespace deal::cli {

struct Session {
  Loaded loaded;
  std::unique_ptr<jit::CompiledProgram> compiled;
  rt::Model model;
  const check::Program& program() const { return *loaded.program; }
};

// Null with `exit_code` set when the program does not check or compile.
std::unique_ptr<Session> open_session(const std::string& file, int& exit_code);

// The scenario named `name`, or the program's only one when `name` is empty; −1 after
// printing a usage error (the command exits 2).
int choose_scenario(const rt::Model& model, const std::string& name, const std::string& file);

// `--set NAME=VALUE` values, each a `.deal` constant checked against the param's type;
// false after printing an error (exit 2).
bool parse_param_sets(const std::vector<std::string>& sets, const check::Program& program, rt::RunOptions& opts);

// `--analyses SPEC` (a comma list of exposure, circularity, concentration, systemic;
// "all"; "none"; empty: all for single-path runs, none for Monte Carlo runs, where
// they describe path 0) attached to each result. False after a usage error.
bool attach_analyses(const std::string& spec, const rt::Model& model, const std::vector<int>& scenarios,
                     const rt::RunOptions& opts, std::vector<rt::RunResult>& results);

}  // namespace deal::cli
