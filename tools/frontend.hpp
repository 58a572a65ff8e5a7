// The CLI's front-end driver: load a program (with imports), check it, print diagnostics.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/ast.hpp"
#include "compiler/check/check.hpp"
#include "compiler/diagnostics.hpp"

namespace deal::cli {

struct Loaded {
  SourceManager sm;
  Diagnostics diags;
  std::vector<ast::Module> modules;
  std::optional<check::Program> program;  // set when checking succeeded
};

// Loads and checks `path`; diagnostics are printed to stderr (coloured on a terminal).
// Returns the result; program is empty on any error.
Loaded load_and_check(const std::string& path, bool check = true);

// Prints the diagnostics collected so far.
void print_diagnostics(const Loaded& l);

}  // namespace deal::cli
