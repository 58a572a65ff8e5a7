// The resolution of defaults (LANGUAGE.md v0.2 §6.6): claims, the estate, liquidation,
// surpluses and dilution by `issue`, through the public API only. Every expected figure
// is computed by hand in the comment beside it; amounts are in $B unless said otherwise.
#include <catch2/catch.hpp>

#include <deal/deal.hpp>

#include <string>

namespace {

const std::string kSource = DEAL_SOURCE_DIR;

// A debt due on `due_date` (by default after every calendar here): on the debtor's default
// before then the creditor claims it. The creditor's own default leaves the deal alone
// (without that clause it would end the deal, and a creditor defaulting at the same point
// would drop the claim).
const char* kOwes = R"(
contract owes(debtor: Party, creditor: Party, amount: Money, rank: Number = 1, due_date: Date = 2030Q1) {
  at due_date { pay(debtor, creditor, amount, priority: rank)  terminate }
  on default(debtor) { claim(creditor, amount, priority: rank)  terminate }
  on default(creditor) { }
}
)";

deal::Program load(const std::string& body) {
  deal::EngineOptions o;
  o.stdlib_dir = kSource + "/stdlib";
  return deal::Engine(o).load_string(std::string(kOwes) + body, "resolution.deal");
}

// One path with the conservation check on every step: a violation is a RunError.
deal::Result run(const std::string& body, const std::string& scenario = "s") {
  deal::RunOptions o;
  o.check_ledger = true;
  o.analyses = false;
  return load(body).scenario(scenario).run(o);
}

const deal::Claimant& claimant(const deal::DefaultResult& d, const std::string& party) {
  for (const deal::Claimant& c : d.claimants)
    if (c.party == party) return c;
  FAIL("no claimant " << party << " against " << d.party);
  throw;  // unreachable
}

const deal::DefaultResult& default_of(const deal::Result& r, const std::string& party) {
  for (const deal::DefaultResult& d : r.defaults())
    if (d.party == party) return d;
  FAIL(party << " did not default");
  throw;  // unreachable
}

double last(const deal::Result& r, const std::string& series) { return r.series(series).values.back(); }

constexpr double B = 1e9;

}  // namespace

TEST_CASE("resolution: claims of one priority are paid pro rata", "[api][resolution]") {
  // P's estate is its cash, 12; the claims are A 10 and B 20 (30 in all): each creditor
  // recovers 12/30 = 40% of its claim, A 4 and B 8. P's cash ends at 0.
  deal::Result r = run(R"(
calendar 2025Q1 .. 2025Q4 step quarter
party P { cash = $12B }
party A { cash = $0 }
party B { cash = $0 }
deal pa = owes(P, A, $10B)
deal pb = owes(P, B, $20B)
shock fail { at 2025Q2 { default(P) } }
scenario s { apply fail  track A.cash, B.cash, P.cash }
)");
  REQUIRE(r.defaults().size() == 1);
  const deal::DefaultResult& d = r.defaults()[0];
  CHECK(d.party == "P");
  CHECK(d.date == "2025-04-01");
  CHECK(d.forced);
  CHECK(d.estate == Approx(12 * B));
  CHECK(d.claims == Approx(30 * B));
  CHECK(d.recovered == Approx(12 * B));
  CHECK(d.recovery_rate == Approx(0.4));
  CHECK(d.surplus == Approx(0).margin(1));
  REQUIRE(d.claimants.size() == 2);
  CHECK(d.claimants[0].party == "B");  // largest claim first
  CHECK(d.claimants[0].deal == "pb");
  CHECK(d.claimants[0].priority == 1);
  CHECK(d.claimants[0].claim == Approx(20 * B));
  CHECK(d.claimants[0].recovered == Approx(8 * B));
  CHECK(d.claimants[1].party == "A");
  CHECK(d.claimants[1].recovered == Approx(4 * B));
  CHECK(last(r, "A.cash") == Approx(4 * B));
  CHECK(last(r, "B.cash") == Approx(8 * B));
  CHECK(last(r, "P.cash") == Approx(0).margin(1));
  REQUIRE(r.party("P").recovery_rate);
  CHECK(*r.party("P").recovery_rate == Approx(0.4));
  CHECK_FALSE(r.party("A").recovery_rate);  // never defaulted
  CHECK(r.ledger().claims == Approx(30 * B));
  CHECK(r.ledger().recovered == Approx(12 * B));
  CHECK_FALSE(d.resolution.empty());
}

TEST_CASE("resolution: senior claims are paid in full before junior ones", "[api][resolution]") {
  const std::string network = R"(
calendar 2025Q1 .. 2025Q4 step quarter
param p_cash = $10B
party P { cash = p_cash }
party A { cash = $0 }
party B { cash = $0 }
party C { cash = $0 }
deal pa = owes(P, A, $6B, rank: 0)
deal pb = owes(P, B, $8B)
deal pc = owes(P, C, $4B)
shock fail { at 2025Q2 { default(P) } }
scenario s { apply fail }
)";
  SECTION("the estate covers the senior claim") {
    // Estate 10: A's senior 6 in full; the 4 left is split 8 : 4 between the juniors,
    // B 8/3 = 2.667 and C 4/3 = 1.333. Recovery 10 / 18.
    deal::Result r = run(network);
    const deal::DefaultResult& d = default_of(r, "P");
    CHECK(claimant(d, "A").priority == 0);
    CHECK(claimant(d, "A").recovered == Approx(6 * B));
    CHECK(claimant(d, "B").recovered == Approx(8.0 / 3 * B));
    CHECK(claimant(d, "C").recovered == Approx(4.0 / 3 * B));
    CHECK(d.recovery_rate == Approx(10.0 / 18));
    CHECK(r.party("B").cash == Approx(8.0 / 3 * B));
  }
  SECTION("the estate does not cover the senior claim: the juniors get nothing") {
    // Estate 3 < A's 6: A recovers 3, B and C 0.
    deal::Result r = load(network).scenario("s").set("p_cash", 3 * B).run({.check_ledger = true});
    const deal::DefaultResult& d = default_of(r, "P");
    CHECK(claimant(d, "A").recovered == Approx(3 * B));
    CHECK(claimant(d, "B").recovered == Approx(0).margin(1));
    CHECK(claimant(d, "C").recovered == Approx(0).margin(1));
    CHECK(d.recovery_rate == Approx(3.0 / 18));
  }
}

TEST_CASE("resolution: a surplus goes to the holders of stakes and the rest to World", "[api][resolution]") {
  // Estate 10, A's claim 4: surplus 6. H1 held 30% of P, H2 20% when P defaulted: H1 gets
  // 1.8 (cash 1 + 1.8 = 2.8), H2 1.2 (2.2), World the 50% nobody modelled holds, 3.
  deal::Result r = run(R"(
calendar 2025Q1 .. 2025Q4 step quarter
party P { cash = $10B }
party A { cash = $0 }
party H1 { cash = $1B }
party H2 { cash = $1B }
contract stake(holder: Party, issuer: Party, s: Number) { at 2025Q1 { own(holder, issuer, s) } }
deal h1 = stake(H1, P, 30%)
deal h2 = stake(H2, P, 20%)
deal pa = owes(P, A, $4B)
shock fail { at 2025Q2 { default(P) } }
scenario s { apply fail  track H1.cash, H2.cash, P.cash, holdings(H1, P) }
)");
  const deal::DefaultResult& d = default_of(r, "P");
  CHECK(d.recovered == Approx(4 * B));
  CHECK(d.recovery_rate == Approx(1.0));
  CHECK(d.surplus == Approx(6 * B));
  CHECK(last(r, "H1.cash") == Approx(2.8 * B));
  CHECK(last(r, "H2.cash") == Approx(2.2 * B));
  CHECK(last(r, "P.cash") == Approx(0).margin(1));
  // The stake itself is lost at the default (it shares only in the surplus).
  CHECK(r.series("holdings(H1,P)").values[0] == Approx(0.3));
  CHECK(last(r, "holdings(H1,P)") == Approx(0).margin(1e-12));
  // Ledger: surplus rows 1.8 + 1.2 + 3 (World) = 6.
  CHECK(r.ledger().surplus == Approx(6 * B));
  CHECK(r.ledger().recovered == Approx(4 * B));
}

TEST_CASE("resolution: a liquidation value pays what a clearing default left unpaid", "[api][resolution]") {
  const std::string network = R"(
calendar 2025Q1 .. 2025Q4 step quarter
param fetch = $2B
party P { cash = $2B  liquidation = fetch }
party C { cash = $0 }
contract owe_now(payer: Party, payee: Party, amount: Money) { at 2025Q1 { pay(payer, payee, amount) } }
deal pc = owe_now(P, C, $5B)
scenario s { track C.cash, P.cash }
)";
  SECTION("the liquidation value falls short") {
    // Clearing: P pays its 2 of the 5 due and defaults; the unpaid 3 is C's claim (deal
    // pc, priority 1). The estate is P's cash 0 plus the liquidation 2, which C recovers:
    // C has 2 + 2 = 4, recovery 2/3.
    deal::Result r = run(network);
    const deal::DefaultResult& d = default_of(r, "P");
    CHECK_FALSE(d.forced);
    CHECK(d.owed == Approx(5 * B));
    CHECK(d.paid == Approx(2 * B));
    CHECK(d.liquidation == Approx(2 * B));
    CHECK(d.estate == Approx(2 * B));
    REQUIRE(d.claimants.size() == 1);
    CHECK(d.claimants[0].party == "C");
    CHECK(d.claimants[0].deal == "pc");
    CHECK(d.claimants[0].claim == Approx(3 * B));
    CHECK(d.claimants[0].recovered == Approx(2 * B));
    CHECK(d.recovery_rate == Approx(2.0 / 3));
    CHECK(last(r, "C.cash") == Approx(4 * B));
    CHECK(last(r, "P.cash") == Approx(0).margin(1));
    CHECK(r.ledger().liquidation == Approx(2 * B));
    CHECK(r.ledger().claims == Approx(3 * B));
    CHECK(r.ledger().recovered == Approx(2 * B));
    // The contractual totals count the obligation only: due 5, paid 2.
    CHECK(r.ledger().due == Approx(5 * B));
    CHECK(r.ledger().paid == Approx(2 * B));
  }
  SECTION("the liquidation value is more than enough: the rest is a surplus to World") {
    // Liquidation 5: C recovers its 3 (cash 5), the surplus 2 goes to World (no holders).
    deal::Result r = load(network).scenario("s").set("fetch", 5 * B).run({.check_ledger = true});
    const deal::DefaultResult& d = default_of(r, "P");
    CHECK(d.recovery_rate == Approx(1.0));
    CHECK(d.surplus == Approx(2 * B));
    CHECK(last(r, "C.cash") == Approx(5 * B));
    CHECK(r.ledger().liquidation == Approx(5 * B));
    CHECK(r.ledger().surplus == Approx(2 * B));
  }
}

TEST_CASE("resolution: a recovery pays the creditor's own dues in the same round", "[api][resolution]") {
  // P's default creates, at the same default-handling point, C's claim of 6 on P and C's
  // obligation to pass 5 on to D. In the resolution round P's estate (6) pays C 6, and C
  // pays D 5 out of it: C keeps 1 and does not default (with its cash of 0 it would have
  // if the recovery did not count).
  deal::Result r = run(R"(
calendar 2025Q1 .. 2025Q4 step quarter
party P { cash = $6B }
party C { cash = $0 }
party D { cash = $0 }
contract pass_on(ref: Party, payer: Party, payee: Party, amount: Money) {
  on default(ref) { pay(payer, payee, amount)  terminate }
}
deal pc = owes(P, C, $6B)
deal cd = pass_on(P, C, D, $5B)
shock fail { at 2025Q2 { default(P) } }
scenario s { apply fail  track C.cash, D.cash }
)");
  REQUIRE(r.defaults().size() == 1);
  CHECK(r.defaults()[0].party == "P");
  CHECK(claimant(r.defaults()[0], "C").recovered == Approx(6 * B));
  CHECK_FALSE(r.party("C").defaulted);
  CHECK(last(r, "C.cash") == Approx(1 * B));
  CHECK(last(r, "D.cash") == Approx(5 * B));
  CHECK(r.ledger().paid == Approx(5 * B));  // the pass-on is a contractual payment
}

TEST_CASE("resolution: Rogers–Veraart costs take 1 − alpha of the estate", "[api][resolution]") {
  // Estate = cash 6 + liquidation 4 = 10; alpha = 50%: 5 is available, 5 a default cost
  // (to World). A's claim 8 recovers 5: 62.5%.
  deal::Result r = run(R"(
calendar 2025Q1 .. 2025Q4 step quarter
party P { cash = $6B  liquidation = $4B }
party A { cash = $0 }
deal pa = owes(P, A, $8B)
shock fail { at 2025Q2 { default(P) } }
scenario s { apply fail  clearing { alpha = 50%  beta = 50% }  track A.cash, P.cash }
)");
  const deal::DefaultResult& d = default_of(r, "P");
  CHECK(d.estate == Approx(10 * B));
  CHECK(d.liquidation == Approx(4 * B));
  CHECK(d.default_costs == Approx(5 * B));
  CHECK(d.recovered == Approx(5 * B));
  CHECK(d.recovery_rate == Approx(0.625));
  CHECK(d.surplus == Approx(0).margin(1));
  CHECK(last(r, "A.cash") == Approx(5 * B));
  CHECK(last(r, "P.cash") == Approx(0).margin(1));
  CHECK(r.ledger().default_costs == Approx(5 * B));
  CHECK(r.ledger().liquidation == Approx(4 * B));
}

TEST_CASE("resolution: two estates resolved together pay each other's claims", "[api][resolution]") {
  // P (cash 4) owes Q 6 and A 2; Q (cash 2) owes P 3 and B 5; both are forced into
  // default at the same point, so their estates clear in one round. With p_P, p_Q what
  // each estate pays in all (each owes 8):
  //   p_P = 4 + 3/8 p_Q,  p_Q = 2 + 6/8 p_P   =>  p_P = 152/23, p_Q = 160/23.
  // Q recovers 6/8 p_P = 114/23 from P and A 2/8 p_P = 38/23; P recovers 3/8 p_Q = 60/23
  // from Q and B 5/8 p_Q = 100/23. A and B together get the 6 of cash there was.
  deal::Result r = run(R"(
calendar 2025Q1 .. 2025Q4 step quarter
party P { cash = $4B }
party Q { cash = $2B }
party A { cash = $0 }
party B { cash = $0 }
deal pq = owes(P, Q, $6B)
deal pa = owes(P, A, $2B)
deal qp = owes(Q, P, $3B)
deal qb = owes(Q, B, $5B)
shock fail { at 2025Q2 { default(P)  default(Q) } }
scenario s { apply fail  track A.cash, B.cash, P.cash, Q.cash }
)");
  REQUIRE(r.defaults().size() == 2);
  const deal::DefaultResult& p = r.defaults()[0];
  const deal::DefaultResult& q = r.defaults()[1];
  CHECK(p.party == "P");  // one point: declaration order
  CHECK(q.party == "Q");
  CHECK(p.date == q.date);
  CHECK(p.estate == Approx(4 * B));  // before what it recovers from Q
  CHECK(q.estate == Approx(2 * B));
  CHECK(p.recovered == Approx(152.0 / 23 * B));
  CHECK(q.recovered == Approx(160.0 / 23 * B));
  CHECK(claimant(p, "Q").recovered == Approx(114.0 / 23 * B));
  CHECK(claimant(p, "A").recovered == Approx(38.0 / 23 * B));
  CHECK(claimant(q, "P").recovered == Approx(60.0 / 23 * B));
  CHECK(claimant(q, "B").recovered == Approx(100.0 / 23 * B));
  CHECK(p.recovery_rate == Approx(152.0 / 23 / 8));
  CHECK(last(r, "A.cash") == Approx(38.0 / 23 * B));
  CHECK(last(r, "B.cash") == Approx(100.0 / 23 * B));
  CHECK(last(r, "P.cash") == Approx(0).margin(1));
  CHECK(last(r, "Q.cash") == Approx(0).margin(1));
  CHECK(r.ledger().recovered == Approx(312.0 / 23 * B));
  CHECK(r.ledger().claims == Approx(16 * B));
}

TEST_CASE("resolution: two issue rounds dilute every existing stake", "[api][resolution][issue]") {
  // B holds 50% of A. Round 1 issues 20% to C: B 50% × 0.8 = 40%. Round 2 issues 25%:
  // every stake × 0.75.
  const std::string rounds = R"(
calendar 2025Q1 .. 2025Q4 step quarter
party A { cash = $10B }
party B { cash = $0 }
party C { cash = $0 }
party D { cash = $0 }
party X { cash = $0 }
contract seed(holder: Party, issuer: Party) { at 2025Q1 { own(holder, issuer, 50%) } }
contract round(issuer: Party, investor: Party, s: Number, date: Date) { at date { issue(issuer, investor, s) } }
deal s1 = seed(B, A)
deal r1 = round(A, C, 20%, 2025Q2)
deal pa = owes(A, X, $4B)
shock fail { at 2025Q4 { default(A) } }
scenario s { track holdings(B, A), holdings(C, A), holdings(D, A), equity(B) }
scenario fails { apply fail  track B.cash, C.cash, D.cash }
)";
  SECTION("round 2 to a new holder") {
    // After round 2 to D: B 30%, C 15%, D 25%. B's equity: 30% of A's 10 = 3.
    deal::Result r = run(rounds + "deal r2 = round(A, D, 25%, 2025Q3)\n");
    const auto& b = r.series("holdings(B,A)").values;
    const auto& c = r.series("holdings(C,A)").values;
    const auto& d = r.series("holdings(D,A)").values;
    CHECK(b[0] == Approx(0.5));
    CHECK(b[1] == Approx(0.4));
    CHECK(c[1] == Approx(0.2));
    CHECK(b[2] == Approx(0.3));
    CHECK(c[2] == Approx(0.15));
    CHECK(d[2] == Approx(0.25));
    CHECK(last(r, "equity(B)") == Approx(3 * B));
  }
  SECTION("round 2 to a holder that already holds: its old stake is diluted too") {
    // C: 20% × 0.75 + 25% = 40%; B 30%.
    deal::Result r = run(rounds + "deal r2 = round(A, C, 25%, 2025Q3)\n");
    CHECK(last(r, "holdings(C,A)") == Approx(0.4));
    CHECK(last(r, "holdings(B,A)") == Approx(0.3));
  }
  SECTION("the surplus of a diluted issuer goes by the diluted stakes") {
    // A defaults in 2025Q4 with cash 10 and X's claim 4: surplus 6, to B 30% = 1.8,
    // C 15% = 0.9, D 25% = 1.5, World the 30% left = 1.8.
    deal::Result r = run(rounds + "deal r2 = round(A, D, 25%, 2025Q3)\n", "fails");
    const deal::DefaultResult& a = default_of(r, "A");
    CHECK(a.surplus == Approx(6 * B));
    CHECK(r.party("B").cash == Approx(1.8 * B));
    CHECK(r.party("C").cash == Approx(0.9 * B));
    CHECK(r.party("D").cash == Approx(1.5 * B));
    CHECK(r.ledger().surplus == Approx(6 * B));
  }
}

namespace {

// B borrows 10 from L (8%/y, bullet, 2 years), buys compute from S ($8B over 2 years,
// claim_share 50%) and leases from R ($2B/y for 2 years, guarantee 5 on a facility worth
// 4). Each quarter it pays interest 0.2 (senior), 1 to S and 0.5 to R: 1.7.
const char* kStdlibWeb = R"(
import "std/contracts"
calendar 2025Q1 .. 2025Q4 step quarter
party L { cash = $10B }
party B { cash = $8B  capacity = 0GW }
party S { cash = $0 }
party R { cash = $0 }
deal ln = loan(L, B, $10B, 8%/y, 2025Q1, 2y)
deal cm = commitment(B, S, $8B, 2025Q1, 2y, claim_share: 50%)
deal ls = lease(B, R, $2B/y, 2025Q1, 2y, guaranteed: $5B, residual_value: $4B)
)";

}  // namespace

TEST_CASE("resolution: the standard library's claims", "[api][resolution][stdlib]") {
  // B is forced into default after clearing in 2025Q3 (a shock's `when`), having paid
  // three quarters: cash 8 + 10 − 3 × 1.7 = 12.9. Claims:
  //   L (loan ln, priority 0): the outstanding principal, 10;
  //   S (commitment cm): 50% × (8 − 3 billed) = 2.5;
  //   R (lease ls): rent 4 − 1.5 billed + guarantee max(5 − 4, 0) = 3.5.
  // The estate 12.9 pays L 10 in full; the 2.9 left is split 3.5 : 2.5, R 1.691667 and
  // S 1.208333. L: 10 − 10 + 3 × 0.2 + 10 = 10.6.
  deal::Result r = run(std::string(kStdlibWeb) + R"(
shock fail { when now >= 2025Q3 { default(B) } }
scenario s { apply fail  track L.cash, S.cash, R.cash, B.cash }
)");
  const deal::DefaultResult& d = default_of(r, "B");
  CHECK(d.date == "2025-07-01");
  CHECK(d.estate == Approx(12.9 * B));
  REQUIRE(d.claimants.size() == 3);
  CHECK(d.claimants[0].party == "L");
  CHECK(d.claimants[0].deal == "ln");
  CHECK(d.claimants[0].priority == 0);
  CHECK(d.claimants[0].claim == Approx(10 * B));
  CHECK(d.claimants[0].recovered == Approx(10 * B));
  CHECK(claimant(d, "R").deal == "ls");
  CHECK(claimant(d, "R").claim == Approx(3.5 * B));
  CHECK(claimant(d, "R").recovered == Approx(2.9 * 3.5 / 6 * B));
  CHECK(claimant(d, "S").deal == "cm");
  CHECK(claimant(d, "S").claim == Approx(2.5 * B));
  CHECK(claimant(d, "S").recovered == Approx(2.9 * 2.5 / 6 * B));
  CHECK(d.claims == Approx(16 * B));
  CHECK(d.recovery_rate == Approx(12.9 / 16));
  CHECK(last(r, "L.cash") == Approx(10.6 * B));
  CHECK(last(r, "S.cash") == Approx((3 + 2.9 * 2.5 / 6) * B));
  CHECK(last(r, "R.cash") == Approx((1.5 + 2.9 * 3.5 / 6) * B));
  CHECK(last(r, "B.cash") == Approx(0).margin(1));
  CHECK(r.ledger().claims == Approx(16 * B));
  CHECK(r.ledger().recovered == Approx(12.9 * B));
}

// A default forced by a shock's `at` happens before the deals run in that step. The
// deals still run their clauses (stdlib/contracts.deal says so), but the defaulted
// party's payments are dropped (PathRun::pay: "defaulted parties create no obligations")
// — so they are neither paid nor "left unpaid in the round" (the claim §6.6 step 1 makes
// of each short obligation), while the contracts count them as billed or repaid. The
// creditors lose that step's payment: the commitment claims 50% × (8 − 3) = 2.5 instead
// of 50% × (8 − 2) = 3 (six payments remain), the lease 4 − 1.5 + 1 = 3.5 instead of 4.
TEST_CASE("resolution: a default forced before the deals run keeps the step's payments as claims",
          "[api][resolution][stdlib]") {
  deal::Result r = run(std::string(kStdlibWeb) + R"(
shock fail { at 2025Q3 { default(B) } }
scenario s { apply fail }
)");
  const deal::DefaultResult& d = default_of(r, "B");
  CHECK(claimant(d, "S").claim == Approx(3 * B));
  CHECK(claimant(d, "R").claim == Approx(4 * B));
}

// The same for a loan forced into default in its last step: the repayment is dropped,
// but the loan has already taken it off `outstanding` and the borrower's `debt`, so the
// lender files no claim at all and the whole estate (12.4) goes to World as a surplus.
// The lender should recover at least its principal of 10.
// Without the standard library: a debt due in the very step its debtor is forced into
// default. The defaulted party's payment is dropped — it creates no obligations
// (LANGUAGE.md §5 `default`; conformance c08: a forced default's later payments are neither
// paid nor claimed) — and `at due_date { pay(…)  terminate }` then ends the deal itself, so
// its `on default` clause never runs: X's claim is lost and the estate (10) is a surplus.
// A contract that keeps the claim checks `defaulted(debtor)` before paying and
// terminating, so the deal is still alive at the default-handling point and claims 4.
TEST_CASE("resolution: a debt due in the step of a forced default is claimed only if the deal lives on",
          "[api][resolution]") {
  const char* network = R"(
calendar 2025Q1 .. 2025Q4 step quarter
party P { cash = $10B }
party X { cash = $0 }
contract careful(debtor: Party, creditor: Party, amount: Money, due_date: Date) {
  at due_date { if not defaulted(debtor) { pay(debtor, creditor, amount)  terminate } }
  on default(debtor) { claim(creditor, amount)  terminate }
}
deal px = DEAL
shock fail { at 2025Q3 { default(P) } }
scenario s { apply fail  track X.cash }
)";
  auto with = [&](const std::string& deal) {
    std::string text = network;
    text.replace(text.find("DEAL"), 4, deal);
    return run(text);
  };
  deal::Result lost = with("owes(P, X, $4B, due_date: 2025Q3)");
  CHECK(last(lost, "X.cash") == Approx(0).margin(1));
  CHECK(default_of(lost, "P").claims == Approx(0).margin(1));
  CHECK(default_of(lost, "P").surplus == Approx(10 * B));
  deal::Result kept = with("careful(P, X, $4B, 2025Q3)");
  CHECK(last(kept, "X.cash") == Approx(4 * B));
  CHECK(default_of(kept, "P").claims == Approx(4 * B));
}

TEST_CASE("resolution: a loan forced into default at maturity still claims its principal",
          "[api][resolution][stdlib]") {
  deal::Result r = run(R"(
import "std/contracts"
calendar 2025Q1 .. 2026Q1 step quarter
party L { cash = $10B }
party B { cash = $3B }
deal ln = loan(L, B, $10B, 8%/y, 2025Q1, 1y)
shock fail { at 2025Q4 { default(B) } }
scenario s { apply fail }
)");
  const deal::DefaultResult& d = default_of(r, "B");
  CHECK(d.recovered >= 10 * B);
  CHECK(d.surplus <= 2.4 * B + 1);
}

TEST_CASE("resolution: Monte Carlo recovery rate is the mean over the defaulting paths", "[api][resolution][mc]") {
  // P defaults on the paths where `hit` (30%) holds; C's claim of 10 on its cash of
  // `rich ? 8 : 4` recovers 80% or 40%. Paths where P survives do not count.
  const std::string mc = R"(
calendar 2025Q1 .. 2025Q4 step quarter
param hit = false
param rich = false
party P { cash = if rich then $8B else $4B }
party C { cash = $0 }
deal pc = owes(P, C, $10B)
shock maybe { at 2025Q2 { if hit { default(P) } } }
scenario poor { apply maybe  paths 2000  seed 11  param hit ~ bernoulli(30%) }
scenario mixed extends poor { param rich ~ bernoulli(50%) }
)";
  deal::Program prog = load(mc);
  SECTION("the same recovery on every defaulting path") {
    // 40% on every path that defaults, whatever the share of such paths.
    deal::Result r = prog.scenario("poor").run({.check_ledger = true});
    CHECK(r.default_probability("P") == Approx(0.3).margin(0.05));
    REQUIRE(r.party("P").recovery_rate);
    CHECK(*r.party("P").recovery_rate == Approx(0.4));
    CHECK_FALSE(r.party("C").recovery_rate);
  }
  SECTION("two recoveries: the mean lies between them") {
    // Half the defaulting paths recover 80%, half 40%: about 60% (some 600 defaulting
    // paths, so the standard error is 0.2 / sqrt(600) ≈ 0.008).
    deal::Result r = prog.scenario("mixed").run({.check_ledger = true});
    REQUIRE(r.party("P").recovery_rate);
    double rate = *r.party("P").recovery_rate;
    CHECK(rate > 0.4);
    CHECK(rate < 0.8);
    CHECK(rate == Approx(0.6).margin(0.05));
  }
  SECTION("a party that never defaults has no recovery rate") {
    deal::Result r = prog.scenario("poor").set("hit", false).run({.paths = 50});
    CHECK(r.default_probability("P") == 0.0);
    CHECK_FALSE(r.party("P").recovery_rate);
  }
}

// Absolute priority across two estates resolved at one point. P (cash 10, no claims) is
// forced into default in 2025Q2; Q, which holds 50% of P, defaults in the same step's
// clearing, owing C 8 with nothing to pay it. P's surplus of 10 goes 5 to Q and 5 to World.
// Q's creditor C must come before Q's shareholder H (40% of Q): H should get nothing while
// C is owed 8. P's surplus is paid in the estates' round as its most junior obligations,
// so Q receives its 5 in that round and pays it to C (5 of 8): Q has no surplus and H
// gets nothing.
TEST_CASE("resolution: a surplus received from an estate resolved alongside pays creditors first",
          "[api][resolution]") {
  deal::Result r = run(R"(
calendar 2025Q1 .. 2025Q4 step quarter
party P { cash = $10B }
party Q { cash = $0 }
party C { cash = $0 }
party H { cash = $0 }
contract stake(holder: Party, issuer: Party, s: Number) { at 2025Q1 { own(holder, issuer, s) } }
contract owe_at(payer: Party, payee: Party, amount: Money, date: Date) { at date { pay(payer, payee, amount) } }
deal qp = stake(Q, P, 50%)
deal hq = stake(H, Q, 40%)
deal qc = owe_at(Q, C, $8B, 2025Q2)
shock fail { at 2025Q2 { default(P) } }
scenario s { apply fail  track C.cash, H.cash }
)");
  CHECK(default_of(r, "P").surplus == Approx(10 * B));
  CHECK(default_of(r, "Q").date == default_of(r, "P").date);
  CHECK(default_of(r, "Q").surplus == Approx(0).margin(1));
  CHECK(last(r, "H.cash") == Approx(0).margin(1));
}

// The NaN liquidation value stops the run (tests/golden/run/run_error_liquidation_nan),
// but unlike every other run error the message names neither the source line of the
// `liquidation` expression nor the step: "party 'P' has a liquidation value of NaN on
// 2025-04-01: …" (runtime/path_run.cpp, start_resolution, calls fail() without a site).
TEST_CASE("resolution: a NaN liquidation value names its line", "[api][resolution]") {
  deal::Program prog = load(R"(
calendar 2025Q1 .. 2025Q4 step quarter
param z: Number = 0
party P { cash = $1B  liquidation = $1B * (z / z) }
deal pa = owes(P, World, $2B)
shock fail { at 2025Q2 { default(P) } }
scenario s { apply fail }
)");
  CHECK_THROWS_WITH(prog.scenario("s").run(), Catch::Contains("resolution.deal:10:"));
}

// Parties that default at one point are handled together: a deal that names both runs its
// `on default` clause for each, even when the first one's default ends it. A shock forces
// the creditor C and then its debtor D (cash 6) into default; the contract has no
// `on default(creditor)` clause, so C's default — handled first — ends the deal, yet D's
// clause still files C's claim of 4. D's estate of 6 pays it in full (the other 2 is a
// surplus for World); C's estate, resolved in the same round, receives the 4 and, with no
// claims of its own, passes it to World as its surplus.
TEST_CASE("resolution: a deal hears every party that defaults at one point", "[api][resolution]") {
  deal::Result r = run(R"(
calendar 2025Q1 .. 2025Q4 step quarter
party C { cash = $0 }
party D { cash = $6B }
contract plain_debt(debtor: Party, creditor: Party, amount: Money) {
  on default(debtor) { claim(creditor, amount)  terminate }
}
deal dc = plain_debt(D, C, $4B)
shock fail { at 2025Q1 { default(C)  default(D) } }
scenario s { apply fail  track C.cash }
)");
  const deal::DefaultResult& d = default_of(r, "D");
  CHECK(d.claims == Approx(4 * B));
  CHECK(claimant(d, "C").recovered == Approx(4 * B));
  CHECK(d.surplus == Approx(2 * B));
  const deal::DefaultResult& c = default_of(r, "C");
  CHECK(c.claims == Approx(0).margin(1));
  CHECK(c.surplus == Approx(4 * B));
  CHECK(last(r, "C.cash") == Approx(0).margin(1));
}
