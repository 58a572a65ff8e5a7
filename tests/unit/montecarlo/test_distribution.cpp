// Monte Carlo over several processes, without MPI: "ranks" are threads of this process,
// each running the scenario with a Distribution (runtime/distribution.hpp) over a shared
// in-memory hub. The MPI build's own tests (tests/mpi/check_mpi.py) run the same protocol
// over Open MPI; these check the driver's side of it under the sanitizers too: rank 0's
// result has the bits of one process for any ranks × threads, exact or sketched, and a
// failing path on one rank fails every rank with the same error.
#include <catch2/catch.hpp>

#include <barrier>
#include <cstring>
#include <fstream>
#include <sstream>
#include <mutex>
#include <thread>

#include "../codegen/run_helpers.hpp"

using namespace deal;

namespace {

// What the ranks share: one slot per rank for each collective, and the failure signals.
struct Hub {
  explicit Hub(int n) : ranks(n), slots(size_t(n)), paths(size_t(n)), messages(size_t(n)), sync(n) {}
  int ranks;
  std::vector<std::vector<std::uint8_t>> slots;
  std::vector<long long> paths;
  std::vector<std::string> messages;
  std::barrier<> sync;
  std::mutex mu;
  std::vector<int> signalled_by;  // ranks that signalled a failure in this run
};

class HubDistribution final : public rt::Distribution {
 public:
  HubDistribution(Hub& hub, int rank) : hub_(hub), rank_(rank) {}
  int rank() const override { return rank_; }
  int ranks() const override { return hub_.ranks; }
  void gather(std::span<const std::uint8_t> mine,
              const std::function<void(int, std::span<const std::uint8_t>)>& at_root) override {
    hub_.slots[size_t(rank_)].assign(mine.begin(), mine.end());
    hub_.sync.arrive_and_wait();
    if (rank_ == 0)
      for (int r = 0; r < hub_.ranks; ++r) at_root(r, hub_.slots[size_t(r)]);
    hub_.sync.arrive_and_wait();
  }
  void broadcast(std::vector<std::uint8_t>& bytes) override {
    if (rank_ == 0) hub_.slots[0] = bytes;
    hub_.sync.arrive_and_wait();
    if (rank_ != 0) bytes = hub_.slots[0];
    hub_.sync.arrive_and_wait();
  }
  void signal_failure() override {
    std::lock_guard lk(hub_.mu);
    hub_.signalled_by.push_back(rank_);
  }
  bool failure_signalled() override {
    std::lock_guard lk(hub_.mu);
    for (int r : hub_.signalled_by)
      if (r != rank_) return true;
    return false;
  }
  std::pair<long long, std::string> agree_on_failure(long long path, const std::string& message) override {
    hub_.paths[size_t(rank_)] = path;
    hub_.messages[size_t(rank_)] = message;
    hub_.sync.arrive_and_wait();
    std::pair<long long, std::string> out{-1, ""};
    long long best = std::numeric_limits<long long>::max();
    for (int r = 0; r < hub_.ranks; ++r) {
      long long key = hub_.paths[size_t(r)] >= 0         ? hub_.paths[size_t(r)]
                      : hub_.messages[size_t(r)].empty() ? std::numeric_limits<long long>::max()
                                                         : std::numeric_limits<long long>::max() - 1;
      if (key < best) {
        best = key;
        out = {hub_.paths[size_t(r)], hub_.messages[size_t(r)]};
      }
    }
    hub_.sync.arrive_and_wait();
    if (rank_ == 0) hub_.signalled_by.clear();
    hub_.sync.arrive_and_wait();
    return out;
  }

 private:
  Hub& hub_;
  int rank_;
};

// Runs the scenario on `ranks` threads as ranks; every rank's result or error message.
struct RankOutcome {
  rt::RunResult result;
  std::string error;
};
std::vector<RankOutcome> run_ranks(const rt::Model& model, int scenario, rt::RunOptions options, int ranks) {
  Hub hub(ranks);
  std::vector<RankOutcome> out(static_cast<size_t>(ranks));
  std::vector<std::thread> pool;
  for (int r = 0; r < ranks; ++r)
    pool.emplace_back([&, r] {
      rt::RunOptions o = options;
      o.distribution = std::make_shared<HubDistribution>(hub, r);
      try {
        out[size_t(r)].result = rt::run_scenario(model, scenario, o);
      } catch (const rt::RunError& e) {
        out[size_t(r)].error = e.what();
      }
    });
  for (auto& t : pool) t.join();
  return out;
}

bool same(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}

void require_same_bits(const rt::RunResult& a, const rt::RunResult& b) {
  REQUIRE(a.parties.size() == b.parties.size());
  for (size_t i = 0; i < a.parties.size(); ++i) {
    const auto &p = a.parties[i], &q = b.parties[i];
    INFO("party " << p.name);
    CHECK(same({p.cash, p.debt, p.equity, p.equity_start, p.default_probability},
               {q.cash, q.debt, q.equity, q.equity_start, q.default_probability}));
    CHECK(p.mean_default_date == q.mean_default_date);
    CHECK(p.recovery_rate == q.recovery_rate);
    CHECK(same({p.loss.mean, p.loss.p5, p.loss.p25, p.loss.p50, p.loss.p75, p.loss.p95},
               {q.loss.mean, q.loss.p5, q.loss.p25, q.loss.p50, q.loss.p75, q.loss.p95}));
  }
  REQUIRE(a.series.size() == b.series.size());
  for (size_t i = 0; i < a.series.size(); ++i) {
    INFO("series " << a.series[i].label);
    CHECK(same(a.series[i].mean, b.series[i].mean));
    CHECK(same(a.series[i].p5, b.series[i].p5));
    CHECK(same(a.series[i].p50, b.series[i].p50));
    CHECK(same(a.series[i].p95, b.series[i].p95));
  }
  CHECK(a.ledger.rows == b.ledger.rows);
  CHECK(same({a.ledger.due, a.ledger.paid, a.ledger.claims, a.ledger.recovered},
             {b.ledger.due, b.ledger.paid, b.ledger.claims, b.ledger.recovered}));
  CHECK(a.percentiles.exact == b.percentiles.exact);
  CHECK(same(a.percentiles.relative_error, b.percentiles.relative_error));
}

// The thread-identity test's network (every kind of randomness, defaults, cascades,
// triggers, cross-holdings): scenario 0 `base` is a single path, 1 `mc` a Monte Carlo run.
std::string network() {
  std::ifstream in(std::string(DEAL_SOURCE_DIR) + "/tests/montecarlo/mc_network.deal");
  std::stringstream text;
  text << in.rdbuf();
  REQUIRE(!text.str().empty());
  return text.str();
}
constexpr int kBase = 0, kMc = 1;

}  // namespace

TEST_CASE("a run split over ranks gives rank 0 the bits of one process", "[montecarlo][distribution]") {
  auto c = test::compile(network());
  for (long long exact_limit : {64LL << 20, 0LL}) {
    rt::RunOptions o;
    o.paths = 1601;  // past the sketch's exact 1,024 values
    o.threads = 1;
    o.exact_statistics_limit = exact_limit;
    rt::RunResult alone = rt::run_scenario(c->model, kMc, o);
    CHECK(alone.percentiles.exact == (exact_limit > 0));
    for (int ranks : {1, 2, 3, 5})
      for (int threads : {1, 3}) {
        INFO(ranks << " ranks × " << threads << " threads, " << (exact_limit ? "exact" : "sketched"));
        o.threads = threads;
        auto outcomes = run_ranks(c->model, kMc, o, ranks);
        for (const RankOutcome& r : outcomes) REQUIRE(r.error.empty());
        CHECK(outcomes[0].result.rank == 0);
        require_same_bits(alone, outcomes[0].result);
        for (int r = 1; r < ranks; ++r) {
          CHECK(outcomes[size_t(r)].result.rank == r);
          CHECK(outcomes[size_t(r)].result.series[0].mean.empty());  // statistics are rank 0's
        }
      }
  }
}

TEST_CASE("more ranks than paths: the ranks without paths take part", "[montecarlo][distribution]") {
  auto c = test::compile(network());
  rt::RunOptions o;
  o.paths = 3;
  o.threads = 1;
  rt::RunResult alone = rt::run_scenario(c->model, kMc, o);
  auto outcomes = run_ranks(c->model, kMc, o, 5);
  for (const RankOutcome& r : outcomes) REQUIRE(r.error.empty());
  require_same_bits(alone, outcomes[0].result);
}

TEST_CASE("a single path runs on rank 0 and the others learn its outcome", "[montecarlo][distribution]") {
  auto c = test::compile(network());
  rt::RunResult alone = rt::run_scenario(c->model, kBase);
  auto outcomes = run_ranks(c->model, kBase, {}, 3);
  for (const RankOutcome& r : outcomes) REQUIRE(r.error.empty());
  CHECK(same(outcomes[0].result.series[0].values, alone.series[0].values));
  CHECK(outcomes[1].result.series[0].values.empty());
}

TEST_CASE("a path that fails on one rank fails every rank with its error", "[montecarlo][distribution]") {
  // Path 242 of 300 is the only one that fails (tests/mpi/one_failing_path.deal): on the
  // last rank of 2 or 3.
  auto c = test::compile(R"(
calendar 2025Q1 .. 2025Q4 step quarter
param g: Number = 0
party A { cash = $1B
  x: Number = 0
  every quarter { x = 1 / (if g > 0.995 then 0 else 1) } }
scenario s { paths 300  seed 2  param g ~ uniform(0, 1) }
)");
  std::string alone;
  try {
    rt::run_scenario(c->model, 0);
  } catch (const rt::RunError& e) {
    alone = e.what();
  }
  REQUIRE(alone.find("Monte Carlo path 242 of 300") != std::string::npos);
  for (int ranks : {2, 3})
    for (int threads : {1, 2}) {
      INFO(ranks << " ranks × " << threads << " threads");
      rt::RunOptions o;
      o.threads = threads;
      auto outcomes = run_ranks(c->model, 0, o, ranks);
      for (const RankOutcome& r : outcomes) CHECK(r.error == alone);
    }
}

TEST_CASE("a run over the memory limit is refused by every rank together", "[montecarlo][distribution]") {
  auto c = test::compile(network());
  rt::RunOptions o;
  o.max_memory_bytes = 4096;
  std::string alone;
  try {
    rt::run_scenario(c->model, kMc, o);
  } catch (const rt::RunError& e) {
    alone = e.what();
  }
  REQUIRE(alone.find("above the memory limit") != std::string::npos);
  // Distributed, rank 0 also holds a rank's share while it arrives: a larger estimate, the
  // same on every rank.
  auto outcomes = run_ranks(c->model, kMc, o, 3);
  CHECK(outcomes[0].error.find("above the memory limit of 4.0 KiB") != std::string::npos);
  for (const RankOutcome& r : outcomes) CHECK(r.error == outcomes[0].error);
}
