// Loading (imports) and checking: AST modules → checked Program.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/ast.hpp"
#include "compiler/check/program.hpp"
#include "compiler/diagnostics.hpp"

namespace deal::check {

struct LoadOptions {
  // Where `import "std/NAME"` looks for NAME.deal. Empty: $DEAL_STDLIB, else the
  // stdlib/ directory of the source tree the tool was built from.
  std::string stdlib_dir;
};

// The standard library directory in effect for these options.
std::string stdlib_dir(const LoadOptions& opts);

// Reads and parses `path` and, transitively, every file it imports (each once).
// Import cycles and unreadable files are errors. Modules come back in load order
// (the root file first).
std::vector<ast::Module> load_program(const std::string& path, SourceManager& sm,
                                      Diagnostics& diags, const LoadOptions& opts = {});

// The same for source text that is not on disk (REPL cells, embedding hosts);
// relative imports resolve against the current directory.
std::vector<ast::Module> load_source(const std::string& name, std::string text, SourceManager& sm,
                                     Diagnostics& diags, const LoadOptions& opts = {});

// Names, types, dimensions, contract instantiation, layout. Returns nothing when
// any error was reported.
std::optional<Program> check_program(const std::vector<ast::Module>& modules,
                                     const SourceManager& sm, Diagnostics& diags);

}  // namespace deal::check

namespace deal::check {

// A constant written as `.deal` source outside a program (`--set name=VALUE`, the REPL):
// literals with units, dates, Bools and arithmetic on them, checked against the
// program's declared units. Returns the value (run-time encoding) and its type, or
// nothing after reporting to `diags`.
std::optional<std::pair<double, Type>> check_constant(const Program& program, const ast::Expr& e,
                                                      const SourceManager& sm, Diagnostics& diags);

// The same for text: `text` is added to `sm` as file `source_name`, parsed as one
// expression and checked (`--set NAME=VALUE`, the REPL's `:set`, the API's `set`).
std::optional<std::pair<double, Type>> parse_constant(const Program& program, const std::string& source_name,
                                                      const std::string& text, SourceManager& sm, Diagnostics& diags);

}  // namespace deal::check
