#include "tools/cli.hpp"

#include <unistd.h>

#include <cstdio>
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
    auto v = engine::parse_param_assignment(program.program(), "--set", s, error, isatty(2) && !std::getenv("NO_COLOR"));
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

void attach_analyses(const engine::Compiled& program, const std::vector<int>& scenarios, const rt::RunOptions& options,
                     const engine::AnalysisRequest& request, std::vector<rt::RunResult>& results) {
  for (size_t i = 0; i < results.size(); ++i) {
    try {
      engine::attach_analyses(program, scenarios[i], options, request, results[i]);
      if (results[i].analyses)
        for (const std::string& warning : results[i].analyses->warnings) fmt::print(stderr, "deal: warning: {}\n", warning);
    } catch (const std::exception& e) {
      fmt::print(stderr, "deal: warning: analyses of scenario '{}' skipped: {}\n", results[i].scenario, e.what());
    }
  }
}

void print_run_error(const std::exception& e) { fmt::print(stderr, "{}\n", e.what()); }

}  // namespace deal::cli
