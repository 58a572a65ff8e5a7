// Native code for a checked program: IR from compiler/codegen, verified, optimised (O2,
// new pass manager; functions marked cold are left unoptimised), compiled to two objects —
// the step code, and the cold code at CodeGenOptLevel::None (compiler/jit/tiers.hpp) — or
// found in the object cache, and linked by LLVM ORC's LLJIT. Runtime entry points are bound
// as absolute symbols from the table the caller passes (no process symbol lookup).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compiler/check/program.hpp"
#include "compiler/codegen/codegen.hpp"
#include "runtime/abi.hpp"

namespace deal::jit {

// name → address of every runtime entry point (DEAL_RT_FUNCTIONS).
using RuntimeSymbols = std::vector<std::pair<std::string, void*>>;

struct JitOptions {
  int opt_level = 2;  // 0 … 3
  // Where compiled native code is kept between runs (compiler/jit/object_cache.hpp);
  // empty: no cache.
  std::string cache_dir;
  // Optional, with a cache folder: text that determines the checked program completely
  // (the engine's: every source file's name and text and the load options). A compile
  // whose key, deal build (the library's file, size and time) and target were seen before
  // takes the object and its sites from the cache without generating the IR at all; the
  // caller must not set it for a program it changed after checking.
  std::string program_key;
  // At level 1–3, when the cache has no native code at that level: compile the cheap tier
  // now (no IR optimisation, CodeGenOptLevel::None: a fraction of the time, the same bits)
  // and keep what the optimising compile needs, for CompiledProgram::optimise() to run
  // later — on another thread while paths run on the cheap code (docs/internals.md).
  bool tier_up = false;
};

// The compiled phase functions of one program. Owns the JIT; immutable after
// compile(), so one instance may be used from many threads at once.
class CompiledProgram {
 public:
  // Throws std::runtime_error with LLVM's message when compilation fails (a bug in the
  // code generator, not in the user's program, which the checker has accepted).
  static std::unique_ptr<CompiledProgram> compile(const check::Program& program, const RuntimeSymbols& symbols,
                                                  const JitOptions& options = {});
  ~CompiledProgram();

  rt::InitFn init(int scenario) const { return inits_.at(size_t(scenario)); }
  rt::OutFn track(int scenario) const { return tracks_.at(size_t(scenario)); }
  rt::PhaseFn shock_at(int shock) const { return shock_at_.at(size_t(shock)); }
  rt::PhaseFn shock_deals(int shock) const { return shock_deals_.at(size_t(shock)); }
  rt::PhaseFn shock_deal_triggers(int shock) const { return shock_deal_triggers_.at(size_t(shock)); }
  rt::PhaseFn shock_triggers(int shock) const { return shock_triggers_.at(size_t(shock)); }
  rt::PhaseFn parties_step() const { return parties_step_; }
  rt::PhaseFn deals_step() const { return deals_step_; }
  rt::PhaseFn deal_triggers() const { return deal_triggers_; }
  rt::OnDefaultFn on_default() const { return on_default_; }
  rt::OutFn values() const { return values_; }
  rt::OutFn liquidations() const { return liquidations_; }

  const std::vector<codegen::Site>& sites() const { return sites_; }
  const std::vector<codegen::EmitSite>& emits() const { return emits_; }
  double compile_ms() const { return compile_ms_; }
  // Whether the native code came from the object cache (no optimisation, no codegen).
  bool from_cache() const { return from_cache_; }
  // This code is the cheap tier of a tier_up compile, and optimise() may be called.
  bool can_optimise() const;
  // The optimised tier of this program (its level's pipeline; cached like a plain compile),
  // with the same entry points, sites and results. Once only; `program` must be the one
  // compiled, unchanged. Safe while other threads run this program's code. Throws
  // std::runtime_error as compile() does.
  std::unique_ptr<CompiledProgram> optimise(const check::Program& program);

 private:
  CompiledProgram();
  // Looks up every entry point by name: `scenarios` scenarios' and `shocks` shocks'.
  void bind(const std::function<void*(const std::string&)>& lookup, size_t scenarios, size_t shocks);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<rt::InitFn> inits_;
  std::vector<rt::OutFn> tracks_;
  std::vector<rt::PhaseFn> shock_at_, shock_deals_, shock_deal_triggers_, shock_triggers_;
  rt::PhaseFn parties_step_ = nullptr, deals_step_ = nullptr, deal_triggers_ = nullptr;
  rt::OnDefaultFn on_default_ = nullptr;
  rt::OutFn values_ = nullptr;
  rt::OutFn liquidations_ = nullptr;
  std::vector<codegen::Site> sites_;
  std::vector<codegen::EmitSite> emits_;
  double compile_ms_ = 0;
  bool from_cache_ = false;
};

// The optimised IR or the host's assembly for a program, without running it.
// One track function (codegen::generate_tracks) compiled against an already compiled
// program: what the REPL compiles for an expression, instead of the whole program again.
class CompiledTracks {
 public:
  static std::unique_ptr<CompiledTracks> compile(const check::Program& program, const std::vector<check::HExpr>& exprs,
                                                 int site_base, const RuntimeSymbols& symbols,
                                                 const JitOptions& options = {});
  ~CompiledTracks();
  rt::OutFn fn() const { return fn_; }
  // Its sites, numbered from the site_base it was compiled with.
  const std::vector<codegen::Site>& sites() const { return sites_; }
  double compile_ms() const { return compile_ms_; }

 private:
  CompiledTracks();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  rt::OutFn fn_ = nullptr;
  std::vector<codegen::Site> sites_;
  double compile_ms_ = 0;
};

// A BLAKE3 digest of `text` in hex (for building a JitOptions::program_key).
std::string digest(std::string_view text);

std::string emit_ir(const check::Program& program, const JitOptions& options = {});
std::string emit_asm(const check::Program& program, const JitOptions& options = {});

}  // namespace deal::jit
