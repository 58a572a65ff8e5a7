// Properties of the clearing vector on thousands of random networks (fixed seeds):
// it is a fixed point of the clearing map, the greatest one (monotone Picard iteration
// from full payment ends at the same vector), payments respect dues, seniority, pro rata
// and resources, money is conserved, and under Eisenberg–Noe more cash never lowers a
// payment.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>

#include "clearing_helpers.hpp"

using namespace deal::rt;
using deal::rt::testing::Net;
using deal::rt::testing::Reference;

namespace {

struct Shape {
  int max_parties = 10;
  double density = 0.3;        // chance of each ordered pair owing something
  bool priorities = false;     // several priority levels
  bool rv = false;             // alpha, beta < 1
  bool round_amounts = false;  // integer amounts: many exact ties and balanced cycles
  bool credit = false;
  bool propagate = true;    // off: the exact rounds alone do all the work
  double world_debt = 0.6;  // chance that a party owes World (0: a closed system)
  // Cascades at the scale of real deals (defaults keep the original streams of seeds):
  double unit = 1;          // amounts and cash are multiples of this
  double zero_cash = 0.3;   // chance that a party has no cash
  double owes_nothing = 0;  // chance that a party owes nothing (it only receives)
  int levels = 3;           // priority levels 0 … levels-1 when priorities are on
  double small = 0;         // chance that a party's cash and dues are in dollars, not units
};

struct Case {
  Net net;
  double alpha = 1, beta = 1;
  bool propagate = true;
};

Case random_case(std::mt19937_64& g, const Shape& s) {
  std::uniform_real_distribution<double> U(0.0, 1.0);
  auto amount = [&](double hi, double unit) {
    double a = 1 + U(g) * (hi - 1);
    return (s.round_amounts ? std::floor(a) : a) * unit;
  };
  auto level = [&] { return s.priorities ? int(U(g) * s.levels) : 1; };
  Case c;
  const int n = 2 + int(U(g) * (s.max_parties - 1));
  std::vector<double> unit(size_t(n), s.unit);  // of each party's cash and dues
  for (int i = 0; i < n; ++i) {
    if (s.small > 0 && U(g) < s.small) unit[size_t(i)] = 1;
    double cash = U(g) < s.zero_cash ? 0.0 : amount(40, unit[size_t(i)]);
    double credit = s.credit && U(g) < 0.3 ? amount(20, unit[size_t(i)]) : 0.0;
    c.net.party(cash, credit);
  }
  for (int i = 0; i < n; ++i) {
    const double u = unit[size_t(i)];
    const bool owes = !(s.owes_nothing > 0 && U(g) < s.owes_nothing);
    for (int j = 0; j < n; ++j) {
      if (i == j || U(g) >= s.density || !owes) continue;
      int prio = level();
      c.net.owe(i, j, amount(50, u), prio);
      if (U(g) < 0.15) c.net.owe(i, j, amount(20, u), level());
    }
    if (U(g) < s.world_debt && owes) c.net.owe(i, kWorld, amount(60, u), level());
    if (U(g) < 0.3) c.net.owe(kWorld, i, amount(30, s.unit));
  }
  c.propagate = s.propagate;
  if (s.rv) {
    c.alpha = U(g) < 0.2 ? 1.0 : 0.2 + 0.8 * U(g);
    c.beta = U(g) < 0.2 ? 1.0 : 0.2 + 0.8 * U(g);
  }
  return c;
}

struct Tally {
  int cases = 0, fast = 0, multi_round = 0, solves = 0, max_rounds = 0, converged = 0, closed = 0;
};

// Checks every property of one clearing; returns whether Picard converged.
bool check_case(const Case& c, int seed, Tally& t) {
  INFO("seed " << seed << ", " << c.net.cash.size() << " parties, " << c.net.obs.size() << " obligations, alpha "
               << c.alpha << " beta " << c.beta);
  ClearingOptions opt;
  opt.alpha = c.alpha;
  opt.beta = c.beta;
  opt.propagate = c.propagate;
  // It terminates: no "clearing did not settle" (or any other internal error).
  ClearingResult r;
  REQUIRE_NOTHROW(r = c.net.clear(opt));
  ++t.cases;
  t.fast += r.stats.fast_path;
  t.multi_round += r.stats.rounds > 1;
  t.solves += r.stats.linear_solves;
  t.closed += r.stats.closed_blocks;
  t.max_rounds = std::max(t.max_rounds, r.stats.rounds);
  const Reference ref(c.net, c.alpha, c.beta);
  const int n = ref.n;
  double scale = 1;
  for (int i = 0; i < n; ++i) scale = std::max({scale, ref.P[size_t(i)], ref.E[size_t(i)]});
  const double eps = 1e-9 * scale;

  // Payments lie in [0, due], exactly; pro rata within a level; seniority across levels.
  for (size_t k = 0; k < c.net.obs.size(); ++k) {
    REQUIRE(r.paid[k] >= 0);
    REQUIRE(r.paid[k] <= c.net.obs[k].amount);
  }
  // A party that owes nothing is never insolvent and never defaults: its dues are 0,
  // and it pays them whatever it receives.
  for (int i = 0; i < n; ++i) {
    if (ref.P[size_t(i)] != 0) continue;
    INFO("party " << i << " owes nothing");
    REQUIRE(r.paid_out[size_t(i)] == 0);
    REQUIRE(r.insolvent[size_t(i)] == 0);
    REQUIRE(r.default_cost[size_t(i)] == 0);
    for (const DefaultEvent& d : r.defaults) REQUIRE(d.party != i);
  }
  for (int i = 0; i < n; ++i) {
    double junior_paid = 0;
    for (auto it = ref.levels[size_t(i)].rbegin(); it != ref.levels[size_t(i)].rend(); ++it) {
      // Levels from junior to senior: a level below a level that got something must be full.
      double due = 0, paid = 0;
      std::vector<double> ratios;
      for (size_t k = 0; k < c.net.obs.size(); ++k) {
        const Obligation& o = c.net.obs[k];
        if (o.from != i || o.priority != it->first) continue;
        due += o.amount;
        paid += r.paid[k];
        ratios.push_back(r.paid[k] / o.amount);
      }
      for (double q : ratios) REQUIRE(q == Approx(ratios[0]).margin(1e-9));
      if (junior_paid > eps) REQUIRE(paid == Approx(due).margin(eps));
      junior_paid += paid;
    }
  }

  // The result is a fixed point of the clearing map.
  const std::vector<double> y = r.paid_out;
  const std::vector<double> fy = ref.phi(y);
  for (int i = 0; i < n; ++i) REQUIRE(fy[size_t(i)] == Approx(y[size_t(i)]).margin(eps));

  // It respects resources: nobody pays more than its resources plus receipts.
  const auto rec = ref.receipts(y);
  for (int i = 0; i < n; ++i) REQUIRE(y[size_t(i)] <= ref.E[size_t(i)] + rec[size_t(i)] + eps);
  // A party that can pay, beyond rounding, pays in full and is not cut — also when its
  // own amounts are tiny next to the flows around it (the margin above is not).
  for (int i = 0; i < n; ++i) {
    const size_t s = size_t(i);
    const double P = ref.P[s], E = ref.E[s];
    if (!(E + rec[s] - P > 1e-9 * (P + E + rec[s]))) continue;
    INFO("party " << i << " is solvent: owes " << P << ", has " << E << " and receives " << rec[s]);
    REQUIRE(r.insolvent[s] == 0);
    REQUIRE(y[s] == Approx(P).epsilon(1e-12));
  }

  // It is the greatest: Picard iteration from full payment decreases to the greatest
  // fixed point, staying above it all the way.
  std::vector<double> z;
  const int it = ref.picard(z, 20000);
  for (int i = 0; i < n; ++i) REQUIRE(z[size_t(i)] >= y[size_t(i)] - eps);
  if (it > 0)
    for (int i = 0; i < n; ++i) REQUIRE(z[size_t(i)] == Approx(y[size_t(i)]).margin(1e-7 * scale));

  // Money is conserved, party by party and in total, and cash never goes negative.
  double before = 0, after = 0, cost = 0, drawn = 0;
  for (int i = 0; i < n; ++i) {
    const size_t s = size_t(i);
    REQUIRE(r.cash[s] >= 0);
    REQUIRE(r.credit[s] >= -eps);
    REQUIRE(r.cash[s] ==
            Approx(c.net.cash[s] + r.received[s] - r.paid_out[s] - r.default_cost[s] + r.credit_drawn[s]).margin(eps));
    before += c.net.cash[s];
    after += r.cash[s];
    cost += r.default_cost[s];
    drawn += r.credit_drawn[s];
    if (c.alpha == 1 && c.beta == 1) REQUIRE(r.default_cost[s] == 0);
  }
  REQUIRE(after == Approx(before + r.world_paid - r.world_received - cost + drawn).margin(eps));
  return it > 0;
}

Tally run_many(const Shape& s, int count, std::uint64_t seed0) {
  Tally t;
  for (int k = 0; k < count; ++k) {
    std::mt19937_64 g(seed0 + std::uint64_t(k));
    const Case c = random_case(g, s);
    if (check_case(c, int(seed0) + k, t)) ++t.converged;
  }
  INFO("fast " << t.fast << " of " << t.cases << ", several rounds " << t.multi_round << ", linear solves " << t.solves
               << ", most rounds " << t.max_rounds);
  // Picard settles on nearly every network (slow only on nearly closed cycles).
  CHECK(t.converged >= count * 9 / 10);
  // The networks exercise the exact algorithm, not only the fast path.
  CHECK(t.fast < count * 7 / 10);
  if (!s.propagate) CHECK(t.multi_round > count / 10);
  if (std::getenv("DEAL_TEST_VERBOSE"))
    WARN("fast " << t.fast << " of " << t.cases << ", several rounds " << t.multi_round << ", linear solves "
                 << t.solves << ", most rounds " << t.max_rounds << ", Picard settled " << t.converged
                 << ", closed blocks " << t.closed);
  return t;
}

}  // namespace

TEST_CASE("Random Eisenberg–Noe networks: fixed point, greatest, conserved", "[clearing][property]") {
  run_many(Shape{.max_parties = 10, .density = 0.3}, 400, 1000);
  run_many(Shape{.max_parties = 6, .density = 0.7, .round_amounts = true}, 300, 2000);
}

TEST_CASE("Random networks with priority levels and credit lines", "[clearing][property]") {
  run_many(Shape{.max_parties = 10, .density = 0.3, .priorities = true, .credit = true}, 400, 3000);
  run_many(Shape{.max_parties = 5, .density = 0.8, .priorities = true, .round_amounts = true}, 300, 4000);
}

TEST_CASE("Random Rogers–Veraart networks (alpha, beta < 1), with and without priorities", "[clearing][property]") {
  run_many(Shape{.max_parties = 10, .density = 0.3, .rv = true}, 300, 5000);
  run_many(Shape{.max_parties = 8, .density = 0.4, .priorities = true, .rv = true, .credit = true}, 300, 6000);
}

TEST_CASE("The exact rounds alone (no propagation phase) give the same greatest fixed point", "[clearing][property]") {
  // Without the accelerator, cascades are found one wave per round and parties whose
  // funds fall short of their current level are moved down level by level.
  run_many(Shape{.max_parties = 10, .density = 0.3, .propagate = false}, 300, 11000);
  run_many(Shape{.max_parties = 10, .density = 0.3, .priorities = true, .credit = true, .propagate = false}, 400,
           12000);
  run_many(Shape{.max_parties = 5, .density = 0.8, .priorities = true, .round_amounts = true, .propagate = false}, 400,
           13000);
  run_many(Shape{.max_parties = 8, .density = 0.4, .priorities = true, .rv = true, .credit = true, .propagate = false},
           300, 14000);
}

TEST_CASE("Closed systems (nobody owes World): many fixed points, we must find the greatest", "[clearing][property]") {
  // Without leaks to World, cycles of defaulters can be closed: their linear systems are
  // singular and every vector along a direction is a fixed point. Picard from above still
  // finds the greatest, and so must we.
  for (bool propagate : {true, false}) {
    run_many(Shape{.max_parties = 5,
                   .density = 0.6,
                   .priorities = true,
                   .round_amounts = true,
                   .propagate = propagate,
                   .world_debt = 0.0},
             500, propagate ? 15000 : 16000);
    run_many(Shape{.max_parties = 7, .density = 0.5, .propagate = propagate, .world_debt = 0.0}, 300,
             propagate ? 17000 : 18000);
    run_many(Shape{.max_parties = 5,
                   .density = 0.6,
                   .priorities = true,
                   .rv = true,
                   .round_amounts = true,
                   .propagate = propagate,
                   .world_debt = 0.1},
             300, propagate ? 19000 : 20000);
  }
}

TEST_CASE("Random cascades of deal-sized amounts: zero cash, senior tranches, parties owing nothing",
          "[clearing][property]") {
  // Billions with fractional parts, most parties without cash, up to four priority levels,
  // parties that only receive and small parties (cash and dues in dollars). A cascade lowers what a party receives in several
  // propagation steps (1 → 1/3 → 0 of a pro rata share, say), and the rounding of those
  // increments is about 1e-7 at this scale: the exact rounds must neither see a party
  // that owes nothing as insolvent (they once never settled) nor cut a solvent party
  // whose own amounts are smaller than that rounding allows for.
  const Shape deal_sized{.max_parties = 8,
                         .density = 0.4,
                         .priorities = true,
                         .unit = 1e8,
                         .zero_cash = 0.7,
                         .owes_nothing = 0.3,
                         .levels = 4,
                         .small = 0.2};
  run_many(deal_sized, 1500, 21000);
  Shape rv = deal_sized;
  rv.rv = true;
  rv.credit = true;
  run_many(rv, 1000, 23000);
  Shape rounds_only = deal_sized;
  rounds_only.propagate = false;
  run_many(rounds_only, 500, 25000);
  // Larger networks, denser, with millions and exact ties.
  run_many(Shape{.max_parties = 14,
                 .density = 0.35,
                 .priorities = true,
                 .round_amounts = true,
                 .unit = 1e6,
                 .zero_cash = 0.6,
                 .owes_nothing = 0.25,
                 .levels = 3},
           1000, 26000);
  // A closed system: nobody owes World, so cycles among defaulters may be balanced.
  run_many(Shape{.max_parties = 6,
                 .density = 0.6,
                 .priorities = true,
                 .world_debt = 0.0,
                 .unit = 1e9,
                 .zero_cash = 0.8,
                 .owes_nothing = 0.3,
                 .levels = 2},
           1000, 27000);
}

TEST_CASE("A cascade through a small party's receipts neither stalls nor cuts it", "[clearing][property]") {
  // The shape of the regression, with random amounts: A (no cash) owes World s senior and
  // B, E and F pro rata; B (no cash) owes A. Nothing comes into the cycle, so A and B pay
  // nothing, but propagation reaches that in steps that leave E's and F's receipts a
  // rounding residue away from 0. E owes nothing; F owes World exactly the dollars it has.
  // Both must come out solvent, F paying in full, also with default costs.
  std::uniform_real_distribution<double> U(0.0, 1.0);
  Tally t;
  for (int k = 0; k < 2000; ++k) {
    std::mt19937_64 g(30000 + std::uint64_t(k));
    Case c;
    const int a = c.net.party(0), b = c.net.party(0), e = c.net.party(0);
    const double f_cash = std::floor(1 + 5000 * U(g));
    const int f = c.net.party(f_cash);
    const double unit = U(g) < 0.5 ? 1e9 : 1e6;
    c.net.owe(a, kWorld, (0.1 + 3 * U(g)) * unit, 0);
    c.net.owe(a, b, (0.1 + 3 * U(g)) * unit, 1);
    c.net.owe(a, e, (0.1 + 3 * U(g)) * unit, 1);
    if (U(g) < 0.5) c.net.owe(a, f, (0.1 + 3 * U(g)) * unit, 1);
    c.net.owe(b, a, (0.1 + 3 * U(g)) * unit, 1);
    c.net.owe(f, kWorld, f_cash, int(U(g) * 2));
    c.alpha = U(g) < 0.5 ? 1.0 : 0.5;
    c.propagate = k % 4 != 3;
    check_case(c, 30000 + k, t);
    ClearingOptions o;
    o.alpha = c.alpha;
    o.propagate = c.propagate;
    const ClearingResult r = c.net.clear(o);
    INFO("seed " << 30000 + k);
    REQUIRE(r.paid_out[size_t(a)] == 0);
    REQUIRE(r.paid_out[size_t(b)] == 0);
    REQUIRE(r.paid_out[size_t(f)] == f_cash);
    REQUIRE(r.insolvent[size_t(e)] == 0);
    REQUIRE(r.insolvent[size_t(f)] == 0);
    REQUIRE(r.defaults.size() == 2);
  }
}

TEST_CASE("Under Eisenberg–Noe more initial cash never lowers anyone's payment", "[clearing][property]") {
  std::uniform_real_distribution<double> U(0.0, 1.0);
  for (int k = 0; k < 300; ++k) {
    std::mt19937_64 g(7000 + std::uint64_t(k));
    Shape s{.max_parties = 8, .density = 0.35, .priorities = k % 2 == 1};
    Case c = random_case(g, s);
    const ClearingResult r0 = c.net.clear();
    Net richer = c.net;
    const size_t who = size_t(U(g) * double(richer.cash.size()));
    richer.cash[who] += 1 + 30 * U(g);
    const ClearingResult r1 = richer.clear();
    INFO("seed " << 7000 + k << ", party " << who);
    for (size_t o = 0; o < c.net.obs.size(); ++o) REQUIRE(r1.paid[o] >= r0.paid[o] - 1e-9);
  }
}

TEST_CASE("The workspace can be reused across rounds of different shapes", "[clearing]") {
  ClearingWorkspace ws;
  ClearingResult r;
  for (int k = 0; k < 200; ++k) {
    std::mt19937_64 g(9000 + std::uint64_t(k));
    Case c = random_case(g, Shape{.max_parties = 9, .priorities = k % 3 == 0, .rv = k % 2 == 0});
    ClearingOptions opt;
    opt.alpha = c.alpha;
    opt.beta = c.beta;
    clear(c.net.input(opt), ws, r);
    const ClearingResult fresh = c.net.clear(opt);
    REQUIRE(r.paid == fresh.paid);
    REQUIRE(r.cash == fresh.cash);
  }
}

TEST_CASE("A large cascade, solved block-wise with the iterative solver, agrees with Picard", "[clearing][property]") {
  // 600 barely solvent parties owing ~10 random others and World; 5% lose their cash.
  // Hundreds default in one strongly connected block, beyond the dense-LU size, so the
  // preconditioned Krylov solve (with its residual check) is used.
  std::mt19937_64 g(4242);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  const int n = 600;
  Net net;
  std::vector<double> owed(size_t(n), 0.0), recv(size_t(n), 0.0);
  for (int i = 0; i < n; ++i) net.party(0);
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < 9; ++k) {
      int j = int(U(g) * n);
      if (j == i) j = (j + 1) % n;
      double a = 1 + 99 * U(g);
      net.owe(i, j, a, k % 3 == 0 ? 2 : 1);
      owed[size_t(i)] += a;
      recv[size_t(j)] += a;
    }
    double w = 1 + 49 * U(g);
    net.owe(i, kWorld, w);
    owed[size_t(i)] += w;
  }
  for (int i = 0; i < n; ++i) net.cash[size_t(i)] = std::max(0.0, owed[size_t(i)] - recv[size_t(i)]);
  for (int k = 0; k < n / 20; ++k) net.cash[size_t(U(g) * n)] = 0;
  for (double beta : {1.0, 0.9})
    for (bool propagate : {true, false}) {
      ClearingOptions o;
      o.beta = beta;
      o.propagate = propagate;
      const ClearingResult r = net.clear(o);
      INFO("beta " << beta << " propagate " << propagate);
      CHECK(r.stats.largest_block > 96);
      CHECK(r.defaults.size() > 100);
      Reference ref(net, 1.0, beta);
      std::vector<double> y;
      REQUIRE(ref.picard(y, 100000, 1e-14) > 0);
      double worst = 0;
      for (int i = 0; i < n; ++i) worst = std::max(worst, std::fabs(y[size_t(i)] - r.paid_out[size_t(i)]));
      CHECK(worst < 1e-8);
      const auto fy = ref.phi(r.paid_out);
      for (int i = 0; i < n; ++i) REQUIRE(fy[size_t(i)] == Approx(r.paid_out[size_t(i)]).margin(1e-8));
    }
}
