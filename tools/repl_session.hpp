// The state of a `deal repl` session and what each input does to it; no terminal I/O
// here (tools/repl_line.* reads lines, tools/cmd_repl.cpp runs the loop).
//
// Design (docs/embedding.md § The REPL): the session keeps its declarations as source
// text, one entry per declared name, in the order they were first declared. Every input
// that declares something is checked together with all the others, as one program; an
// input whose program does not check is rejected and the session stays as it was.
// Redefining a name replaces its entry in place, so whatever used it (deals, scenarios)
// is checked again with the new definition. When the program has a calendar, each
// accepted input is also compiled by the JIT (a fresh LLJIT per version of the program;
// the previous one is released), so `:run` and expressions run native code.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/session.hpp"

namespace deal::cli::repl {

// One top-level declaration of the session.
struct Entry {
  std::string key;     // its namespace key: the name; "unit GW"; "calendar"; "import /abs/path.deal"
  std::string kind;    // "param", "party", "contract", "deal", "fn", "shock", "scenario", "unit", "calendar", "import"
  std::string name;    // as shown in messages
  std::string origin;  // the file it came from ("<repl>" for typed input)
  uint32_t line = 1, col = 1;  // where it starts in its origin (diagnostics keep these)
  std::string text;    // its source text
};

// A program made of the session's entries (and perhaps one extra module), checked.
struct Build : engine::Checked {
  std::vector<int> entry_module;  // per entry: its module, −1 for imports
  bool has_calendar = false;      // false: checked with a placeholder calendar, not runnable
};

using Compiled = engine::Compiled;

struct SessionOptions {
  bool color = false;  // colour diagnostics and tables
  std::FILE* out = stdout;
  std::FILE* err = stderr;
  // Folders imports may read besides the current directory, the folders of `:load`ed
  // files and the standard library (`deal repl --import-path DIR`).
  std::vector<std::string> import_paths;
};

class Session {
 public:
  explicit Session(SessionOptions options);
  ~Session();

  // One complete input: declarations, an expression or a `:command`. Returns false
  // when the session should end (`:quit`).
  bool handle(const std::string& input);
  // `:load FILE`: adds (or replaces) the declarations of FILE.
  bool load(const std::string& path);
  // Whether any input so far failed (the exit status of a scripted session).
  bool had_errors() const { return had_errors_; }

  // Completion candidates for the word that ends at the end of `before` (the line up to
  // the cursor); `start` receives where that word begins.
  std::vector<std::string> complete(const std::string& before, size_t& start) const;

 private:
  bool command(const std::string& input);
  bool declare(const std::string& origin, const std::string& text, const std::string& base_dir, bool from_file);
  bool accept(std::vector<Entry> entries, const std::vector<Entry>& added, bool from_file, const std::string& what);
  std::unique_ptr<Build> build(const std::vector<Entry>& entries) const;
  void print_diagnostics(const Build& b) const;
  bool ensure_compiled();

  // Expressions (a synthetic scenario tracks them).
  struct Value;
  std::optional<Value> evaluate(const std::string& text, bool need_value);
  void print_value(const Value& v);

  bool cmd_run(const std::string& arg);
  bool cmd_set(const std::string& arg);
  bool cmd_unset(const std::string& arg);
  bool cmd_show(const std::string& arg);
  bool cmd_type(const std::string& arg);
  bool cmd_graph(const std::string& arg);
  bool cmd_list();
  bool cmd_forget(const std::string& arg);
  void cmd_help();

  bool show_party(int party);
  bool show_deal(int deal);

  // The scenario expressions and :show run in: the last one run, else the first.
  std::string context_scenario() const;
  // Runs `scenario` of `c` with one path and the session's `:set` overrides.
  std::optional<rt::RunResult> run_one(const Compiled& c, int scenario, bool pay_in_full = false);
  // Compiles a build of the session plus `extra` (source of extra declarations).
  std::unique_ptr<Compiled> compile_with(const std::string& extra_name, const std::string& extra);
  // Compiles a checked build; null after printing the error.
  std::unique_ptr<Compiled> compile(std::unique_ptr<Build> b);
  bool resolve_sets(const check::Program& p, rt::RunOptions& opts);

  int find_entry(const std::string& key) const;
  void error(const std::string& message) const;

  SessionOptions opts_;
  std::vector<Entry> entries_;
  std::unique_ptr<Build> checked_;     // the latest accepted program
  std::unique_ptr<Compiled> current_;  // … compiled (when it has a calendar)
  std::vector<std::pair<std::string, std::string>> sets_;  // `:set NAME=VALUE`, VALUE as source
  std::string scenario_;               // the scenario of the last `:run`
  mutable bool had_errors_ = false;
};

// True when `text` can be handled as it is: no brace, bracket or parenthesis left open
// and no unterminated block comment (the REPL keeps reading lines until then).
bool input_complete(const std::string& text);

}  // namespace deal::cli::repl
