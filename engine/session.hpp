// The one path from a .deal program to its runs that every front end takes — the CLI,
// the REPL, the embedding API (and the language server): load → check → compile →
// model, once; param overrides parsed, checked and resolved to a param in one place;
// the scenario chosen, with a suggestion, in one place; analyses as a run option.
//
// Front ends print; nothing here writes to a terminal. Errors a user can fix come back
// as message text (no "deal:" or "error:" prefix: each front end adds its own), a bug of
// the code generator as CompileFailure, a failed run as rt::RunError.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast/ast.hpp"
#include "compiler/check/check.hpp"
#include "compiler/diagnostics.hpp"
#include "runtime/analyses.hpp"
#include "runtime/driver.hpp"
#include "runtime/model.hpp"

namespace deal::jit {
class CompiledProgram;
}

namespace deal::engine {

class TierUp;  // engine/tier_up.hpp

struct LoadOptions {
  // Where `import "std/NAME"` looks. Empty: $DEAL_STDLIB, else the standard library
  // installed beside the binary (<prefix>/share/deal/stdlib for <prefix>/bin/deal or
  // <prefix>/lib/libdeal.so), else the source tree's stdlib/ the binary was built from.
  std::string stdlib_dir;
  int opt_level = 2;  // of the JIT, 0 … 3
  // Folders imports may read besides the root program's folder and the standard library
  // (check::LoadOptions::import_paths); `allow_imports` false: only `std/NAME` imports.
  std::vector<std::string> import_paths;
  bool allow_imports = true;
  std::string widen_hint = "--import-path DIR";  // how the error says to widen them
  // Where compiled native code is kept between runs, so an unchanged program skips
  // optimisation and code generation (compiler/jit/object_cache.hpp); empty: no cache.
  std::string cache_dir;
  // Compile the cheap tier first and the optimised one only for a Monte Carlo run that
  // expects to take long, on a thread of its own while paths run (engine/tier_up.hpp; the
  // same results). false: the optimised code before the first run.
  bool tier_up = true;
};

// The CLI's object cache folder: $DEAL_CACHE_DIR, else $XDG_CACHE_HOME/deal, else
// ~/.cache/deal; "" when DEAL_NO_CACHE is set.
std::string default_cache_dir();

// The standard library directory `options` selects (see LoadOptions::stdlib_dir).
std::string stdlib_dir(const LoadOptions& options);

// A program's source files, its diagnostics and — when it checks — the checked program.
struct Checked {
  SourceManager sm;
  Diagnostics diags;
  std::vector<ast::Module> modules;       // the root file first, then its imports
  std::optional<check::Program> program;  // set when the program checks without errors
  // For the object cache (jit::JitOptions::program_key): a digest of what determines
  // `program` — every loaded file's name and text and the load options — set by
  // check_file and check_source, with a fingerprint of the program as checked, so that a
  // program changed afterwards (a REPL's added scenario) is compiled from its IR instead.
  std::string program_key;
  std::string program_fingerprint;
};

// Loads `path` with its imports and checks it (`check` false: parse and load only).
Checked check_file(const std::string& path, const LoadOptions& options = {}, bool check = true);
// The same for source text that is not on disk; `name` is how diagnostics name it.
Checked check_source(const std::string& name, const std::string& text, const LoadOptions& options = {});
// Checks modules a caller assembled itself (the REPL's workspace).
void check_modules(Checked& c);

// The diagnostics as `deal check` prints them (sorted by position, caret lines).
std::string diagnostics_text(const Checked& c, bool color);

// Code generation failed on a program the checker accepted: a bug of the compiler.
class CompileFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A checked program compiled to native code, with the model the runtime runs. Built
// once; immutable afterwards, so many runs (and threads) may share it.
class Compiled {
 public:
  // `checked` must hold a checked program. Throws CompileFailure.
  static std::unique_ptr<Compiled> compile(Checked checked, const LoadOptions& options = {});
  ~Compiled();

  const check::Program& program() const { return *checked_.program; }
  const Checked& checked() const { return checked_; }
  const rt::Model& model() const { return model_; }
  // Time spent in IR generation, optimisation and native code generation.
  double compile_ms() const;
  // Whether the native code came from the object cache.
  bool from_cache() const;
  // The code is the cheap tier, and a long Monte Carlo run may compile the optimised one
  // (LoadOptions::tier_up); then its compile time once done (else 0), and the engine's
  // handle on it.
  bool tiered() const { return tier_up_ != nullptr; }
  double optimised_ms() const;
  TierUp* tier_up() const { return tier_up_.get(); }
  // Removes the last scenario from the program and the model and returns its model entry
  // (its functions stay compiled): for a scenario compiled for the host's own use that no
  // listing or choice may show. Call before the Compiled is shared.
  rt::ModelScenario detach_last_scenario();

 private:
  Compiled() = default;
  Checked checked_;
  std::unique_ptr<jit::CompiledProgram> code_;
  rt::Model model_;
  std::shared_ptr<TierUp> tier_up_;  // refers to code_, the program and model_
};

// `deal --emit ast|ir|asm`: the root file printed canonically, or the generated code.
// Throws CompileFailure for ir/asm when code generation fails.
std::string emit(const Checked& checked, std::string_view what);

// ---------------------------------------------------------------- scenarios

// How to tell the user to pick a scenario when a program has several and none was named.
struct ScenarioChoice {
  std::string program_name = "the program";             // "web.deal has 3 scenarios …"
  std::string how = "choose one with --scenario NAME";  // the front end's way to name one
  std::string holder = "the program";                   // "no scenario named 'x'; the program has: …"
};

// The scenario named `name` — with an empty name, the program's only one. −1 with
// `error` set (naming the closest scenario and listing them all) otherwise.
int choose_scenario(const rt::Model& model, std::string_view name, const ScenarioChoice& choice, std::string& error);

// ---------------------------------------------------------------- params

// A param override resolved once: which param, and its value in the runtime's units.
struct ParamValue {
  int param = -1;  // index into check::Program::params (and rt::Model::params)
  double value = 0;
};

// The param `name`, or −1 with `error` set (with the closest name and the list).
int find_param(const check::Program& program, std::string_view name, std::string& error);

// `text` is a .deal constant (`20%/y`, `$5B`, `2027Q3`, `true`) for param `name`,
// checked against the param's type. `origin` names where the text came from in
// diagnostics (`--set demand_growth`). On error: nullopt, and `error` holds either a
// one-line message or the rendered diagnostics of a value that did not parse (then
// `is_diagnostics` is set, so the front end prints it as it is).
struct ParamError {
  std::string text;
  bool is_diagnostics = false;
};
std::optional<ParamValue> parse_param(const check::Program& program, std::string_view origin, std::string_view name,
                                      std::string_view text, ParamError& error, bool color = false);
// The same for an assignment `NAME=VALUE` (the CLI's `--set`, the REPL's `:set`); a
// one-line error starts with "ORIGIN NAME=VALUE: ".
std::optional<ParamValue> parse_param_assignment(const check::Program& program, std::string_view origin,
                                                 std::string_view assignment, ParamError& error, bool color = false);
// A plain number for a numeric param (the API's `set("x", 0.2)`).
std::optional<ParamValue> number_param(const check::Program& program, std::string_view name, double value,
                                       std::string& error);

// Adds or replaces `value` among `options`' overrides.
void set_param(rt::RunOptions& options, const ParamValue& value);

// ---------------------------------------------------------------- the boundary

// Runs a front end's `body` and returns its exit code; any exception that escapes it —
// a bug, or memory running out — is printed to `err` as "PREFIX: internal error: …"
// and gives exit code 3, so no front end ever aborts with an uncaught exception. It
// never throws itself, also when writing to `err` fails.
int guarded(const std::function<int()>& body, std::FILE* err, std::string_view prefix = "deal") noexcept;

// ---------------------------------------------------------------- runs

// Which analyses to attach to a result (docs/analyses.md). Unset: all of them for a
// single path, none for Monte Carlo (where asked for, they describe its first path).
struct AnalysisRequest {
  std::optional<rt::AnalysisSelection> which;
  int threads = 0;  // for the analyses' own runs; 0: one per core
};

// `--analyses SPEC`: a comma list of exposure, circularity, concentration, systemic;
// "all"; "none"; empty: the default. False with `error` set on an unknown word.
bool parse_analyses(std::string_view spec, AnalysisRequest& request, std::string& error);

// Runs scenario `scenario` and attaches the analyses the request asks for. Throws
// rt::RunError when the run fails; warnings of the analyses are in result.analyses.
rt::RunResult run(const Compiled& program, int scenario, const rt::RunOptions& options,
                  const AnalysisRequest& analyses = {});

// Attaches analyses to an existing result of `scenario` (run again on one path for a
// Monte Carlo result). Throws rt::RunError when an analysis run fails.
void attach_analyses(const Compiled& program, int scenario, const rt::RunOptions& options,
                     const AnalysisRequest& analyses, rt::RunResult& result);

// The two single-path runs a picture of the deal web needs: every obligation paid in
// full (what each deal was scheduled to move) and the scenario as it ran.
struct GraphRuns {
  rt::RunResult scheduled, actual;
};
GraphRuns graph_runs(const Compiled& program, int scenario, const rt::RunOptions& options);

}  // namespace deal::engine
