// Checked program → LLVM IR. One module per program holding the phase functions the
// driver calls each step (ARCHITECTURE.md "Key decisions"); LLVM types stay inside
// compiler/codegen and compiler/jit.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/check/program.hpp"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace deal::codegen {

// A place in the source a run-time error can name: a state's store (name: the state, so a
// NaN or infinity is reported with its name) or a statement or call that can fail at run
// time — pay, own, borrow, date_of, an extern fn, an `at` date (name empty).
struct Site {
  std::string name;
  Span span;
};

// An `emit` statement: text pieces around the interpolated values and their types.
struct EmitSite {
  std::vector<std::string> pieces;
  std::vector<check::Type> types;
  Span span;
};

// Names of the generated functions (looked up by the JIT).
namespace names {
std::string init(int scenario);              // void(double* S, StepCtx* C)
std::string shock_at(int shock);             // at-clauses of one shock
std::string shock_deals(int shock);          // step clauses of the deals declared in one shock
std::string shock_deal_triggers(int shock);  // `when` clauses of those deals
std::string shock_triggers(int shock);       // `when` clauses of one shock
std::string track(int scenario);             // void(double* S, StepCtx* C, double* out)
inline const char* parties_step = "deal_parties_step";
inline const char* deals_step = "deal_deals_step";
inline const char* deal_triggers = "deal_deal_triggers";
inline const char* on_default = "deal_on_default";  // void(double* S, StepCtx* C, int32 party)
inline const char* values = "deal_values";          // void(double* S, StepCtx* C, double* out)
// A party's `liquidation` value (LANGUAGE.md §6.6): out[id] for the parties that declare one.
inline const char* liquidations = "deal_liquidations";  // void(double* S, StepCtx* C, double* out)
inline const char* eval_track = "deal_eval_track";      // generate_tracks: void(double* S, StepCtx* C, double* out)
// Internal: every `pay` (its fast path appends the obligation; codegen.cpp, emit_pay_fn).
inline const char* pay = "deal.pay";
}  // namespace names

struct Generated {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  std::vector<Site> sites;
  std::vector<EmitSite> emits;

  Generated();
  Generated(Generated&&) noexcept;
  Generated& operator=(Generated&&) noexcept;
  ~Generated();
};

Generated generate(const check::Program& program);

// A module of one function, names::eval_track, that writes `exprs` (checked against
// `program`) to out[0..]; for evaluating expressions against the compiled program
// without compiling it again. Its site ids start at `site_base` (the program's count).
Generated generate_tracks(const check::Program& program, const std::vector<check::HExpr>& exprs, int site_base);

}  // namespace deal::codegen
