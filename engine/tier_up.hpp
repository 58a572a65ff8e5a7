// Tier-up (docs/internals.md "Tiers and the object cache"): a program's code is first the
// cheap tier; a Monte Carlo run that expects to take long asks for the optimised tier,
// which is compiled on a thread of its own while the run's paths go on, and the run's
// workers move to it between paths. rt::FasterTier is what the runtime sees of it.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "compiler/check/program.hpp"
#include "compiler/jit/jit.hpp"
#include "runtime/model.hpp"

namespace deal::engine {

class TierUp : public rt::FasterTier {
 public:
  // `cheap` (its can_optimise()) and `program` must outlive close(); `model` is the model
  // of the cheap code, the one runs ask with. `worth_ms`: the least remaining CPU time of a
  // run for which the optimising compile starts.
  TierUp(jit::CompiledProgram& cheap, const check::Program& program, const rt::Model& model, double worth_ms);
  ~TierUp() override;

  void consider(double remaining_cpu_ms) override;
  const rt::Model* ready(const rt::Model& asking) const override;

  // Starts the optimising compile now, whatever the run (tests, hosts that know).
  void start();
  // Waits for a started compile and refuses any later one: call before `cheap` or
  // `program` go away.
  void close();

  bool started() const { return started_.load(); }
  // The optimising compile's time (ms) once ready, else 0.
  double compile_ms() const;
  // Why it failed (the run then stays on the cheap tier), else empty.
  std::string error() const;

 private:
  void compile();

  jit::CompiledProgram& cheap_;
  const check::Program& program_;
  const rt::Model& original_;
  const double worth_ms_;
  std::atomic<bool> started_{false}, ready_{false};
  std::mutex mu_;  // thread_, closed_, error_
  bool closed_ = false;
  std::thread thread_;
  std::string error_;
  std::unique_ptr<jit::CompiledProgram> optimised_;
  rt::Model model_;  // the original's copy on the optimised code, once ready_
};

}  // namespace deal::engine
