#include "engine/tier_up.hpp"

#include <exception>

#include "compiler/jit/model.hpp"

namespace deal::engine {

TierUp::TierUp(jit::CompiledProgram& cheap, const check::Program& program, const rt::Model& model, double worth_ms)
    : cheap_(cheap), program_(program), original_(model), worth_ms_(worth_ms) {}

TierUp::~TierUp() { close(); }

void TierUp::consider(double remaining_cpu_ms) {
  if (!started_.load(std::memory_order_relaxed) && remaining_cpu_ms >= worth_ms_) start();
}

void TierUp::start() {
  std::lock_guard lk(mu_);
  if (closed_ || started_.exchange(true)) return;
  thread_ = std::thread([this] { compile(); });
}

void TierUp::close() {
  std::thread t;
  {
    std::lock_guard lk(mu_);
    closed_ = true;
    t = std::move(thread_);
  }
  if (t.joinable()) t.join();
}

void TierUp::compile() {
  try {
    std::unique_ptr<jit::CompiledProgram> code = cheap_.optimise(program_);
    rt::Model m = original_;  // immutable while shared: copying it races with nothing
    m.faster = nullptr;
    jit::rebind(m, *code);
    optimised_ = std::move(code);
    model_ = std::move(m);
    ready_.store(true, std::memory_order_release);
  } catch (const std::exception& e) {
    std::lock_guard lk(mu_);
    error_ = e.what();
  }
}

const rt::Model* TierUp::ready(const rt::Model& asking) const {
  return &asking == &original_ && ready_.load(std::memory_order_acquire) ? &model_ : nullptr;
}

double TierUp::compile_ms() const { return ready_.load(std::memory_order_acquire) ? optimised_->compile_ms() : 0; }

std::string TierUp::error() const {
  std::lock_guard lk(const_cast<std::mutex&>(mu_));
  return error_;
}

}  // namespace deal::engine
