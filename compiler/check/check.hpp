// Loading (imports) and checking: AST modules → checked Program.
#pragma once

#include <optional>
#include <string>
#include <string_view>
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

// An expression checked in the context of a program.
struct CheckedExpr {
  HExpr expr;  // the typed HIR
  Type type;   // its type (that of expr)
};

// An expression written outside a program's declarations (the REPL, an embedding host),
// checked in the context of `program` (a result of check_program, or a copy of one)
// exactly as a `track` of it in one of the program's scenarios would be: the same
// names resolve (params, parties and their fields and lets, deals and their states,
// lets and contract arguments, fns, units, World, now/dt, built-ins such as holdings,
// revenue_from, date_of), with the same rules and the same diagnostics (file:line:col
// and caret, "unknown name 'x' (did you mean 'y'?)", dimension errors). The HExpr is
// the one such a track would hold — the same slot loads and inlined lets — so it can be
// added to a scenario of `program` (Program::add_tracking_scenario) and compiled with
// it. A `let` the program never reads is checked here on first use, as a track would
// check it; its source spans are in the SourceManager `program` was checked with, so
// pass that one (or one with the same files in the same order) for its messages.
//
// As a track, the value must be a number, a Bool or a Date ("only numbers, Bools and
// Dates can be tracked, not Party"); with `any_type` any type is returned (Party, Deal,
// String too: the type of an expression, say). Returns nothing after reporting to
// `diags`.
std::optional<CheckedExpr> check_expression(const Program& program, const ast::Expr& e, const SourceManager& sm,
                                            Diagnostics& diags, bool any_type = false);

// The same for text: `text` is added to `sm` as file `origin` (e.g. "<repl>"), parsed as
// one expression (syntax errors are reported as for `--set`) and checked.
std::optional<CheckedExpr> check_expression(const Program& program, std::string_view origin, std::string_view text,
                                            SourceManager& sm, Diagnostics& diags, bool any_type = false);

}  // namespace deal::check
