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
  // Folders, besides the root program's folder and the standard library, whose files
  // imports may read (the CLI's `--import-path DIR`). An import whose canonical path
  // (symlinks resolved) lies outside every allowed folder is an error.
  std::vector<std::string> import_paths;
  // False: every import other than `std/NAME` is an error ("imports are disabled by the
  // host"); the standard library stays available.
  bool allow_imports = true;
  // load_source only: the folder each import of the text must stay inside instead of the
  // current directory, by position (entry k for the k-th import; empty: the current
  // directory); files they import keep to the same folder. For hosts that read a file
  // themselves and pass its imports on (the REPL's `:load`).
  std::vector<std::string> import_roots;
  // How the "outside the folders" error tells the user to widen them.
  std::string widen_hint = "--import-path DIR";
  // Larger files are refused before they are read past this many bytes.
  size_t max_bytes = size_t(64) << 20;
};

// A .deal file read from disk: only a regular file (after symlinks; FIFOs, devices,
// directories and sockets are refused without being opened for a blocking read), at
// most `max_bytes` (at most max_bytes + 1 bytes are ever read), UTF-8 text without NUL
// bytes. On failure `error` is one sentence naming `path` and never quoting its content.
struct SourceRead {
  std::string text;       // the contents, when `error` is empty
  std::string error;      // "'/dev/zero' is not a regular file (it is a character device)"
  std::string os_reason;  // set when the OS refused (stat, open, read): its reason alone,
                          // "no such file or directory", "too many levels of symbolic links"
  int errnum = 0;         // … and its errno
  bool ok() const { return error.empty(); }
};
// `name`: how messages call the file (default: `path`).
SourceRead read_source_file(const std::string& path, size_t max_bytes = size_t(64) << 20, const std::string& name = {});

// The standard library directory in effect for these options.
std::string stdlib_dir(const LoadOptions& opts);

// Reads and parses `path` and, transitively, every file it imports (each once).
// Import cycles, unreadable files and imports outside the allowed folders are errors.
// Modules come back in load order (the root file first).
std::vector<ast::Module> load_program(const std::string& path, SourceManager& sm, Diagnostics& diags,
                                      const LoadOptions& opts = {});

// The same for source text that is not on disk (REPL cells, embedding hosts);
// relative imports resolve against (and must stay inside) the current directory.
// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF) and no NUL:
// what source text must be, from a file, the host or a REPL line.
bool valid_source_text(std::string_view text);

std::vector<ast::Module> load_source(const std::string& name, std::string text, SourceManager& sm, Diagnostics& diags,
                                     const LoadOptions& opts = {});

// Names, types, dimensions, contract instantiation, layout. Returns nothing when
// any error was reported.
std::optional<Program> check_program(const std::vector<ast::Module>& modules, const SourceManager& sm,
                                     Diagnostics& diags);

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
