// A program built up one declaration at a time — what `deal repl` (and, later, an editor)
// works on. No terminal I/O here: each change returns what happened, for the front end
// to print.
//
// Design (docs/repl.md): the workspace keeps its declarations as source text, one entry
// per declared name, in the order they were first declared. Every input that declares
// something is checked together with all the others, as one program; an input whose
// program does not check is rejected and the workspace stays as it was. Redefining a
// name replaces its entry in place, so whatever used it (deals, scenarios) is checked
// again with the new definition. Until a calendar is declared, the program is checked
// with a placeholder calendar (wide enough for any horizon) and cannot run. With a
// calendar, each accepted version is compiled once (engine::Compiled) when first needed.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/session.hpp"

namespace deal::engine {

// One top-level declaration of the workspace.
struct Entry {
  std::string key;  // its namespace key: the name; "unit GW"; "calendar"; "import /abs/path.deal"
  std::string
      kind;  // "param", "party", "contract", "deal", "fn", "extern fn", "shock", "scenario", "unit", "calendar", "import"
  std::string name;            // as shown in messages
  std::string origin;          // the file it came from (kTypedInput for typed input)
  uint32_t line = 1, col = 1;  // where it starts in its origin (diagnostics keep these)
  std::string text;            // its source text
};

// How typed input is named in diagnostics.
inline constexpr const char* kTypedInput = "<repl>";

// What an input did, for the front end to print: `diagnostics` (rendered, as `deal
// check` prints them) and `errors` (one line each, no "error:" prefix) to stderr,
// `lines` ("defined party Lab", "redefined param p (re-checked: deal d)") to stdout.
struct Change {
  bool ok = false;
  std::string diagnostics;
  std::vector<std::string> errors;
  std::vector<std::string> notes;  // after the errors: "(not added: …)"
  std::vector<std::string> lines;
};

struct WorkspaceOptions {
  bool color = false;  // of rendered diagnostics
  // Folders imports may read besides the folder of the file that declares them (typed
  // input: the current directory) and the standard library (`--import-path DIR`).
  std::vector<std::string> import_paths;
  // The object cache for the accepted program's native code (LoadOptions::cache_dir).
  std::string cache_dir;
};

class Workspace {
 public:
  explicit Workspace(WorkspaceOptions options);
  ~Workspace();

  // Adds (or replaces) the declarations in `text`, read from `origin` (a file, or
  // kTypedInput); relative imports resolve against `base_dir`. `from_file`: one summary
  // line ("loaded FILE: 2 parties, 1 deal") instead of a line per declaration.
  Change declare(const std::string& origin, const std::string& text, const std::string& base_dir, bool from_file);
  // `:load FILE`: a regular file of .deal text, read with a bound, as `deal run` reads it.
  Change load(const std::string& path);
  // Removes the declaration of `name`; refused when others use it.
  Change forget(const std::string& name);

  const std::vector<Entry>& entries() const { return entries_; }
  int find_entry(const std::string& key) const;

  // The latest accepted program (checked; always holds a program).
  const Checked& checked() const;
  const check::Program& program() const;
  bool has_calendar() const;
  bool color() const { return options_.color; }
  // The latest accepted program compiled, or null with `error` set (no calendar yet, or
  // a code generation failure).
  const Compiled* compiled(std::string& error);
  // The plain scenario (no shocks, no overrides) compiled with the program but not part
  // of it: what an expression evaluated with no scenario runs in. Valid with compiled().
  const rt::ModelScenario& plain_scenario() const { return plain_scenario_; }

  // A declaration of an imported file, as "// PATH:LINE\nTEXT" (nullopt: none named so).
  std::optional<std::string> imported_source(const std::string& name) const;
  // Every declared name, imports' too (not imports, the calendar or units themselves).
  std::vector<std::string> declared_names() const;

 private:
  struct Build;
  std::unique_ptr<Build> build(const std::vector<Entry>& entries) const;
  Change accept(std::vector<Entry> next, const std::vector<Entry>& added, bool from_file, const std::string& what);

  WorkspaceOptions options_;
  std::vector<Entry> entries_;
  std::unique_ptr<Build> checked_;      // the latest accepted program
  std::unique_ptr<Compiled> compiled_;  // … compiled, once needed
  rt::ModelScenario plain_scenario_;    // … and its plain scenario, detached
};

// A one-line message of the "did you mean" kind: " (did you mean 'NAME'?)", or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace deal::engine
