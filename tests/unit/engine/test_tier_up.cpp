// Tier-up (engine/tier_up.hpp): a program is compiled to the cheap tier first; the
// optimised tier, compiled on a thread of its own, takes over a Monte Carlo run between
// paths — and nothing a run reports depends on which tier ran which path.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "engine/session.hpp"
#include "engine/tier_up.hpp"
#include "report/report.hpp"

using namespace deal;

namespace {

// Draws, defaults and clearing with a shortfall, so that paths differ and the optimised
// code has something to optimise.
const char* kProgram =
    "calendar 2025Q1 .. 2027Q4 step quarter\n"
    "param growth = 5%/y\n"
    "party Lab { cash = $2B  revenue = $3B/y\n"
    "  every step { revenue = revenue * exp(growth * dt + 0.3 * sqrt(years(dt)) * normal(0, 1))\n"
    "               receive(World, revenue * dt) } }\n"
    "party Cloud { cash = $1B  every step { pay(World, $1B/y * dt) } }\n"
    "party Chips { cash = $0 }\n"
    "contract compute(buyer: Party, seller: Party, amount: Money/Duration) {\n"
    "  every step { pay(buyer, seller, amount * dt) } }\n"
    "deal lc = compute(Lab, Cloud, $4B/y)\n"
    "deal cc = compute(Cloud, Chips, $2B/y)\n"
    "scenario mc { param growth ~ normal(5%/y, 10%/y)  paths 3000  seed 7  track Lab.cash, Cloud.cash, Chips.cash }\n";

std::unique_ptr<engine::Compiled> compiled(bool tier_up) {
  engine::Checked c = engine::check_source("t.deal", kProgram);
  INFO(engine::diagnostics_text(c, false));
  REQUIRE(c.program);
  engine::LoadOptions o;
  o.tier_up = tier_up;
  return engine::Compiled::compile(std::move(c), o);
}

std::string run_json(const rt::Model& m, int threads) {
  rt::RunOptions o;
  o.threads = threads;
  return report::json_text(rt::run_scenario(m, 0, o), m);
}

// The optimised model, waited for (no time limit: a slow machine only waits longer).
const rt::Model& optimised(engine::Compiled& c) {
  c.tier_up()->start();
  const rt::Model* m = nullptr;
  while (!(m = c.tier_up()->ready(c.model()))) {
    REQUIRE(c.tier_up()->error().empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return *m;
}

// Ready after `after` calls of consider(): a switch in the middle of a run, for certain.
struct ReadyAfter : rt::FasterTier {
  const rt::Model* original = nullptr;
  const rt::Model* target = nullptr;
  int after = 0;
  mutable std::atomic<int> considered{0}, handed{0};
  void consider(double) override { ++considered; }
  const rt::Model* ready(const rt::Model& asking) const override {
    if (&asking != original || considered.load() < after) return nullptr;
    ++handed;
    return target;
  }
};

}  // namespace

TEST_CASE("tier-up: the cheap tier, the optimised tier and one optimised compile give the same bits",
          "[engine][tiers]") {
  auto plain = compiled(false);
  CHECK_FALSE(plain->tiered());
  auto tiered = compiled(true);
  REQUIRE(tiered->tiered());
  const std::string want = run_json(plain->model(), 2);
  // A run too short to be worth the optimising compile stays on the cheap tier.
  CHECK(run_json(tiered->model(), 2) == want);
  CHECK_FALSE(tiered->tier_up()->started());
  const rt::Model& fast = optimised(*tiered);
  CHECK(tiered->optimised_ms() > 0);
  CHECK(fast.faster == nullptr);
  CHECK(fast.parties_step != tiered->model().parties_step);  // other code, same results
  CHECK(run_json(fast, 1) == want);
  // Runs on the original model now move to the optimised code before their first path.
  CHECK(run_json(tiered->model(), 2) == want);
  // A copy of the model is not the one the tier was made for: it stays on its own code.
  rt::Model copy = tiered->model();
  CHECK(tiered->tier_up()->ready(copy) == nullptr);
}

TEST_CASE("tier-up: workers move to the optimised code between paths, mid-run, with the same results",
          "[engine][tiers]") {
  auto plain = compiled(false);
  auto tiered = compiled(true);
  const std::string want = run_json(plain->model(), 2);
  const rt::Model& fast = optimised(*tiered);
  for (int threads : {1, 2, 3}) {
    rt::Model m = tiered->model();
    auto switcher = std::make_shared<ReadyAfter>();
    switcher->original = &m;
    switcher->target = &fast;
    switcher->after = 4;  // a few blocks of paths on the cheap tier first
    m.faster = switcher;
    CHECK(run_json(m, threads) == want);
    CHECK(switcher->considered.load() > switcher->after);  // the run went on after the switch
    CHECK(switcher->handed.load() >= 1);
  }
}

TEST_CASE("tier-up: a long run asks for the optimised tier; a closed one refuses to start", "[engine][tiers]") {
  auto tiered = compiled(true);
  engine::TierUp& t = *tiered->tier_up();
  t.consider(0);  // nothing left to run: not worth it
  CHECK_FALSE(t.started());
  t.consider(1e12);
  CHECK(t.started());
  t.close();  // waits for the compile
  CHECK((t.ready(tiered->model()) != nullptr || !t.error().empty()));

  auto other = compiled(true);
  other->tier_up()->close();
  other->tier_up()->start();
  CHECK_FALSE(other->tier_up()->started());
}

TEST_CASE("tier-up: the optimised tier goes to the object cache, and the next compile takes it", "[engine][tiers]") {
  const auto dir = std::filesystem::temp_directory_path() / "deal-test-tier-up-cache";
  std::filesystem::remove_all(dir);
  auto with_cache = [&] {
    engine::Checked c = engine::check_source("t.deal", kProgram);
    REQUIRE(c.program);
    engine::LoadOptions o;
    o.cache_dir = dir.string();
    return engine::Compiled::compile(std::move(c), o);
  };
  auto entries = [&] {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) n += e.path().extension() == ".o";
    return n;
  };
  auto first = with_cache();
  CHECK(first->tiered());  // nothing cached: the cheap tier
  // Under its program entry only: the module is digested (and its entry written) by the
  // optimising compile, off the critical path.
  CHECK(entries() == 1);
  const std::string want = run_json(first->model(), 2);
  optimised(*first);
  first->tier_up()->close();
  CHECK(entries() == 3);  // and the optimised tier's module and program entries
  auto second = with_cache();
  CHECK(second->from_cache());
  CHECK_FALSE(second->tiered());  // the optimised code itself, from the cache
  CHECK(run_json(second->model(), 2) == want);
  std::filesystem::remove_all(dir);
}
