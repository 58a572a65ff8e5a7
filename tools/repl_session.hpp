// A `deal repl` session: what each input does, printed. The program itself lives in an
// engine::Workspace (declarations, checking, compiling) and expressions are evaluated by
// engine::evaluate; this class reads inputs, runs `:commands` and prints. No terminal
// handling here (tools/repl_line.* reads lines, tools/cmd_repl.cpp runs the loop).
//
//   tools/repl_session.cpp   inputs: declarations, expressions, the command table
//   tools/repl_commands.cpp  each :command and how values are printed
//   tools/repl_complete.cpp  tab completion
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/evaluate.hpp"
#include "engine/workspace.hpp"

namespace deal::cli::repl {

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

  // The session's commands, for :help and completion.
  static const std::vector<std::string>& commands();

 private:
  bool command(const std::string& input);
  // Prints what a change of the workspace did; false when it was refused.
  bool report(const engine::Change& change);
  void error(const std::string& message) const;
  void problem(const engine::Problem& p) const;

  bool cmd_run(const std::string& arg);
  bool cmd_set(const std::string& arg);
  bool cmd_unset(const std::string& arg);
  bool cmd_show(const std::string& arg);
  bool cmd_type(const std::string& arg);
  bool cmd_graph(const std::string& arg);
  bool cmd_list();
  bool cmd_forget(const std::string& arg);
  void cmd_help();
  void cmd_doc(const std::string& name);

  bool show_party(int party);
  bool show_deal(int deal);
  bool show_value(const std::string& text);
  void print_value(const engine::Evaluation& v);

  // The scenario expressions and :show run in: the last one run, else the first.
  std::string context_scenario() const;
  // The run options of the session: its `:set` overrides, Ctrl-C to cancel.
  std::optional<rt::RunOptions> run_options(const check::Program& program);
  // The compiled program, or null after printing why.
  const engine::Compiled* compiled();
  // `name` as a scenario of the compiled program ("" : the one in context, else the only one).
  int scenario_index(const rt::Model& model, const std::string& name, const std::string& how);

  SessionOptions opts_;
  engine::Workspace workspace_;
  std::vector<std::pair<std::string, std::string>> sets_;  // `:set NAME=VALUE`, VALUE as source
  std::string scenario_;                                   // the scenario of the last `:run`
  mutable bool had_errors_ = false;
};

// True when `text` can be handled as it is: no brace, bracket or parenthesis left open
// and no unterminated block comment (the REPL keeps reading lines until then).
bool input_complete(const std::string& text);

}  // namespace deal::cli::repl
