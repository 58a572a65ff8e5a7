// Code generation of statements, clauses, shocks and scenarios, run end to end.
#include <catch2/catch.hpp>

#include <atomic>

#include "run_helpers.hpp"

using deal::test::party;
using deal::test::run;
using deal::test::series;

TEST_CASE("assignments: =, +=, -=, *=, /= and if/else", "[codegen]") {
  auto r =
      run("party A { cash = $0  x = 10  every step {\n"
          "  let k = 2\n"
          "  if x > 100 { x = 0 } else if x > 20 { x -= 1 } else { x *= k }\n"
          "  x += 1  x /= 1\n"
          "} }\nscenario s { track A.x }\n");
  // 10 → 21 → 21-1+1=21 … the else-if branch holds it at 21.
  CHECK(series(r, "A.x") == std::vector<double>{21, 21, 21, 21});
}

TEST_CASE("every step from … for … runs on overlapping steps with span", "[codegen]") {
  auto r =
      run("party A { cash = $100B }\nparty B { cash = $0 }\n"
          "contract c(x: Party, y: Party) { every step from 2025-05 for 6mo { pay(x, y, $12B * span / 1y) } }\n"
          "deal d = c(A, B)\nscenario s { track B.cash }\n");
  // May–June in Q2 (2 months), Jul–Sep in Q3 (3 months), Oct in Q4 (1 month).
  auto b = series(r, "B.cash");
  CHECK(b[0] == 0);
  CHECK(b[1] == Approx(2e9));
  CHECK(b[2] == Approx(5e9));
  CHECK(b[3] == Approx(6e9));
}

TEST_CASE("every step … until, every quarter on a monthly calendar, at", "[codegen]") {
  auto r =
      run("calendar 2025-01 .. 2025-12 step month\n"
          "party A { cash = $0  n = 0  q = 0  once = 0\n"
          "  every step until 2025-04 { n += 1 }\n"
          "  every quarter { q += 1 }\n"
          "}\n"
          "contract tick(p: Party) { at 2025-06-15 { p.once += 1 } }\n"
          "deal t = tick(A)\n"
          "scenario s { track A.n, A.q, A.once }\n");
  CHECK(series(r, "A.n").back() == 3);
  CHECK(series(r, "A.q").back() == 4);
  CHECK(series(r, "A.once").back() == 1);
  CHECK(series(r, "A.once")[4] == 0);
  CHECK(series(r, "A.once")[5] == 1);
}

TEST_CASE("whenever runs each step its condition holds; when runs once after clearing", "[codegen]") {
  auto r =
      run("party A { cash = $10B  hits = 0  fired = 0 }\n"
          "contract watch(p: Party) {\n"
          "  whenever p.cash > $0 { p.hits += 1 }\n"
          "  when p.cash < $5B { p.fired += 1 }\n"
          "  every step { pay(p, World, $3B) }\n"
          "}\n"
          "deal w = watch(A)\nscenario s { track A.hits, A.fired, A.cash }\n");
  CHECK(series(r, "A.cash") == std::vector<double>{7e9, 4e9, 1e9, 0});
  CHECK(series(r, "A.hits") == std::vector<double>{1, 2, 3, 4});
  CHECK(series(r, "A.fired") == std::vector<double>{0, 1, 1, 1});
}

TEST_CASE("pay, receive, borrow, own, sell, holdings, equity", "[codegen]") {
  auto r =
      run("party A { cash = $10B  every step { pay(B, $1B)  receive(World, $2B)  borrow($1B) } }\n"
          "party B { cash = $0 }\n"
          "shock stakes { at 2025Q1 { own(A, B, 50%) }  at 2025Q3 { sell(A, B, 30%) } }\n"
          "scenario s { apply stakes  track A.cash, A.debt, B.cash, holdings(A, B) as \"h\", equity(A) as \"eA\" }\n");
  CHECK(series(r, "A.cash") == std::vector<double>{12e9, 14e9, 16e9, 18e9});
  CHECK(series(r, "A.debt") == std::vector<double>{1e9, 2e9, 3e9, 4e9});
  CHECK_THAT(series(r, "h"), Catch::Approx(std::vector<double>{0.5, 0.5, 0.2, 0.2}));
  CHECK(series(r, "eA")[0] == Approx(12e9 - 1e9 + 0.5 * 1e9));
}

TEST_CASE("paid, due, inflow, outflow, revenue_from read the ledger", "[codegen]") {
  auto r =
      run("party A { cash = $1B  seen_in = $0  seen_from = $0 }\nparty B { cash = $0 }\n"
          "contract c(x: Party, y: Party) { every step { pay(x, y, $2B) } }\n"
          "deal d = c(A, B)\n"
          "scenario s { track paid(d) as \"paid\", due(d) as \"due\", inflow(B) as \"in\", outflow(A) as \"out\",\n"
          "  revenue_from(B, A) as \"rev\" }\n");
  CHECK(series(r, "due")[0] == 2e9);
  CHECK(series(r, "paid")[0] == 1e9);
  CHECK(series(r, "in")[0] == 1e9);
  CHECK(series(r, "out")[0] == 1e9);
  CHECK(series(r, "rev")[0] == 1e9);
  CHECK(party(r, "A").defaulted);
}

TEST_CASE("default, on default clauses and terminate", "[codegen]") {
  auto r =
      run("party A { cash = $100B }\nparty B { cash = $0  lost = 0 }\n"
          "contract c(buyer: Party, seller: Party) {\n"
          "  every step { pay(buyer, seller, $1B) }\n"
          "  on default(buyer) { seller.lost += 1  terminate }\n"
          "}\n"
          "deal d = c(A, B)\n"
          "shock hit { at 2025Q2 { default(A) } }\n"
          "scenario s { apply hit  track B.cash, B.lost, d.alive as \"alive\" }\n");
  CHECK(series(r, "B.cash") == std::vector<double>{1e9, 1e9, 1e9, 1e9});
  CHECK(series(r, "B.lost") == std::vector<double>{0, 1, 1, 1});
  CHECK(series(r, "alive") == std::vector<double>{1, 0, 0, 0});
  REQUIRE(r.defaults.size() == 1);
  CHECK(r.defaults[0].cause == deal::rt::DefaultCause::Forced);
}

// deal_on_default visits the entries indexed by the defaulting party: only those naming
// it, in declaration order (deals, then each deal's clauses), each clause once.
TEST_CASE("on default clauses run for their party only, in declaration order", "[codegen]") {
  auto r =
      run("calendar 2025Q1 .. 2025Q4 step quarter\n"
          "party A { cash = $100B }\nparty B { cash = $100B }\nparty L { cash = $0  log = 0 }\n"
          "contract c(p: Party, q: Party, l: Party, k: Number) {\n"
          "  on default(p) { l.log = l.log * 10 + k }\n"
          "  on default(q) { l.log = l.log * 10 + k + 5 }\n"
          "}\n"
          "deal d1 = c(A, B, L, 1)\ndeal d2 = c(B, A, L, 2)\ndeal d3 = c(A, A, L, 3)\n"
          "shock hit { at 2025Q2 { default(A) }  at 2025Q3 { default(B) }  at 2025Q4 { default(L) } }\n"
          "scenario s { apply hit  track L.log }\n");
  // A: d1's first clause (1), d2's second (7), d3's both (3, 8); B: d1's second (6) and
  // d2's first (2) (a clause without `terminate` leaves its deal alive); L: none.
  CHECK(series(r, "L.log") == std::vector<double>{0, 1738, 173862, 173862});
}

TEST_CASE("shocks: set from the start, set at a date, when, terminate(d), shock deals", "[codegen]") {
  const char* src =
      "param g = 1\n"
      "party A { cash = $0  x = 0  every step { x = g } }\nparty B { cash = $10B }\n"
      "contract c(x: Party, y: Party) { every step { pay(x, y, $1B) } }\n"
      "deal base = c(B, A)\n"
      "shock s1 { set g = 2  at 2025Q3 { set g = 3  terminate(base) } }\n"
      "shock s2 { deal extra = c(B, A)  when A.cash > $2.5B { set g = 4 } }\n"
      "scenario none { track A.x, A.cash }\n"
      "scenario both { apply s1, s2  track A.x, A.cash }\n";
  auto a = run(src, "none");
  CHECK(series(a, "A.x") == std::vector<double>{1, 1, 1, 1});
  CHECK(series(a, "A.cash") == std::vector<double>{1e9, 2e9, 3e9, 4e9});
  auto b = run(src, "both");
  // s1 sets g = 2 from the start; s2's extra deal doubles the payments; when A.cash
  // passes $2.5B (after Q2's clearing) g becomes 4; at Q3 s1 sets 3 and ends `base`.
  CHECK(series(b, "A.cash") == std::vector<double>{2e9, 4e9, 5e9, 6e9});
  CHECK(series(b, "A.x") == std::vector<double>{2, 2, 3, 3});
}

TEST_CASE("scenario overrides, horizon, host overrides", "[codegen]") {
  const char* src =
      "param g = 1\nparam h = g * 10\n"
      "party A { cash = $0  x = 0  every step { x = h } }\n"
      "scenario s { param g = 2  horizon 2025Q2  track A.x }\n";
  auto r = run(src, "s");
  CHECK(series(r, "A.x") == std::vector<double>{20, 20});  // h follows the overridden g
  deal::rt::RunOptions opts;
  opts.params = {{0, 5}};  // param g (index 0)
  auto r2 = run(src, "s", opts);
  CHECK(series(r2, "A.x") == std::vector<double>{50, 50});
}

TEST_CASE("constant params stored as runs keep init order, shock sets and host overrides", "[codegen]") {
  // a, b and d, e are runs of constants (one table loop each); c and f are computed
  // between them and read them; a shock sets e, a scenario overrides d with a constant
  // and b with a draw (so b leaves the first run).
  const char* src =
      "param a = 1\nparam b = 2\nparam c = a + b\nparam d = 4\nparam e = 5\nparam f = d * e + c\n"
      "party A { cash = $0  x = 0  every step { x = f } }\n"
      "shock bump { set e = 7 }\n"
      "scenario plain { horizon 2025Q1  track A.x }\n"
      "scenario changed { apply bump  param d = 10  param b ~ uniform(2, 2)  horizon 2025Q1  track A.x }\n";
  CHECK(series(run(src, "plain"), "A.x") == std::vector<double>{23});    // 4·5 + 3
  CHECK(series(run(src, "changed"), "A.x") == std::vector<double>{73});  // 10·7 + 3
  deal::rt::RunOptions opts;
  opts.params = {{0, 10}, {4, 6}};  // a = 10 (first run), e = 6 (second run, wins over the shock)
  CHECK(series(run(src, "plain", opts), "A.x") == std::vector<double>{36});    // 4·6 + 12
  CHECK(series(run(src, "changed", opts), "A.x") == std::vector<double>{72});  // 10·6 + 12
}

TEST_CASE("a non-finite state stops the run with its name, date and line", "[codegen]") {
  try {
    run("party A { cash = $1B  every step { cash = cash / 0 } }\nscenario s { track A.cash }\n");
    FAIL("expected a run error");
  } catch (const deal::rt::RunError& e) {
    std::string m = e.what();
    CHECK_THAT(m, Catch::Contains("t.deal:2:"));
    CHECK_THAT(m, Catch::Contains("'A.cash' became +infinity on 2025-01-01"));
  }
}

TEST_CASE("emit formats values with their units", "[codegen]") {
  auto r =
      run("party A { cash = $2.5B  every step { emit \"cash {cash} rate {5%/y} on {now} ok {cash > $1B}\" } }\n"
          "scenario s { horizon 2025Q1 }\n");
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].text == "cash $2.5B rate 5%/y on 2025Q1 ok true");
}

TEST_CASE("analysis runs: paying in full, and one party defaulting at the start", "[codegen]") {
  const char* src =
      "party A { cash = $1B }\nparty B { cash = $0 }\n"
      "contract c(x: Party, y: Party) { every step { pay(x, y, $2B) } }\n"
      "deal d = c(A, B)\nscenario s { track A.cash, B.cash }\n";
  deal::rt::RunOptions full;
  full.pay_in_full = true;
  auto r = run(src, "s", full);
  CHECK(series(r, "B.cash") == std::vector<double>{2e9, 4e9, 6e9, 8e9});
  CHECK(series(r, "A.cash").back() == -7e9);
  CHECK_FALSE(party(r, "A").defaulted);

  deal::rt::RunOptions shocked;
  shocked.default_at_start = 1;  // A
  auto r2 = run(src, "s", shocked);
  CHECK(party(r2, "A").defaulted);
  CHECK(series(r2, "B.cash") == std::vector<double>{0, 0, 0, 0});
}

TEST_CASE("analyses end to end: exposure, systemic importance on a chain", "[analyses]") {
  // A owes B $10B and B owes C $10B in 2025Q2; A has $12B, B and C nothing else.
  const char* src =
      "party A { cash = $12B }\nparty B { cash = $1B }\nparty C { cash = $0 }\n"
      "contract owe(d: Party, c: Party, amount: Money) { at 2025Q2 { pay(d, c, amount) } }\n"
      "deal ab = owe(A, B, $10B)\ndeal bc = owe(B, C, $10B)\nscenario s { track A.cash }\n";
  auto c = deal::test::compile(src);
  auto base = deal::rt::run_scenario(c->model, 0, {});
  auto a = deal::rt::analyze(c->model, 0, {}, base, {}, 2);
  REQUIRE(a.exposure);
  CHECK(a.exposure->owed[1][2] == 10e9);
  CHECK(a.exposure->owed[2][3] == 10e9);
  REQUIRE(a.systemic);
  // A defaults at the start: its deal ends, B cannot pay C ($1B of $10B) and defaults.
  // Base equities: A 2, B 1, C 10 ($B). With A out: B 0, C 1 → lost 1 + 9 = 10 ($B).
  const auto& first = a.systemic->front();
  CHECK(first.party == 1);
  CHECK(first.equity_lost == Approx(10e9));
  CHECK(first.induced_defaults == 1);
  // B out: its deals end, so A keeps its $10B (a gain, not netted) and C gets nothing: C loses 10.
  CHECK((*a.systemic)[1].party == 2);
  CHECK((*a.systemic)[1].equity_lost == Approx(10e9));
  CHECK((*a.systemic)[1].induced_defaults == 0);
}

TEST_CASE("paying in full: a formula driven below zero by negative cash is no obligation", "[analyses]") {
  // A pays what it has left, up to $2B; with everything paid in full its cash goes
  // negative after the first step and min(…) turns negative: that is not an error there.
  const char* src =
      "party A { cash = $3B  every step { pay(World, $2B)  pay(B, min($2B, cash)) } }\nparty B { cash = $0 }\n"
      "scenario s { track B.cash }\n";
  deal::rt::RunOptions full;
  full.pay_in_full = true;
  auto r = run(src, "s", full);
  CHECK(series(r, "B.cash")[0] == 2e9);
  CHECK(series(r, "B.cash")[1] == 2e9);  // A's cash was −$1B: the payment of −$1B is dropped
  CHECK_THROWS_AS(run("party A { cash = $1B  every step { pay(World, cash - $2B) } }\nscenario s { track A.cash }\n"),
                  deal::rt::RunError);  // outside that run, a negative payment still stops the run
}

TEST_CASE("a run can be cancelled: between Monte Carlo paths and between the steps of one path", "[codegen]") {
  const char* src =
      "param g = 0\nparty A { cash = $1B  x = 0  every step { x = x + g } }\n"
      "scenario one { track A.x }\nscenario many { paths 1000  param g ~ normal(0, 1)  track A.x }\n";
  std::atomic<int> asked{0};
  deal::rt::RunOptions opts;
  opts.threads = 2;
  opts.cancelled = [&] { return ++asked > 50; };
  try {
    run(src, "many", opts);
    FAIL("expected the run to be interrupted");
  } catch (const deal::rt::RunError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("the run was interrupted"));
  }
  asked = 0;
  opts.cancelled = [&] { return ++asked > 2; };
  CHECK_THROWS_WITH(run(src, "one", opts), Catch::Contains("the run was interrupted"));
  opts.cancelled = [] { return false; };
  CHECK(series(run(src, "one", opts), "A.x").size() == 4);
}
