// The valuation workspace reuses its factorisation while the holdings are unchanged; the
// results must be exactly those of a fresh computation, and a change must be noticed.
#include <catch2/catch.hpp>

#include "runtime/valuation.hpp"

TEST_CASE("valuation: a reused factorisation gives the same bits, and changes are noticed", "[valuation]") {
  deal::rt::Holdings h(3);
  h.own(0, 1, 0.1);
  h.own(1, 0, 0.2);
  deal::rt::ValuationWorkspace ws;
  std::vector<double> value = {10e9, 20e9, 5e9}, reused(3), fresh(3);
  for (int step = 0; step < 3; ++step) {
    value[0] += 1e9;  // values change every step, holdings do not
    deal::rt::value_equity(value, h, {}, reused, ws);
    deal::rt::ValuationWorkspace clean;
    deal::rt::value_equity(value, h, {}, fresh, clean);
    CHECK(reused == fresh);
  }
  h.own(2, 0, 0.5);  // a new stake changes the system
  deal::rt::value_equity(value, h, {}, reused, ws);
  auto expect = deal::rt::value_equity(value, h);
  CHECK(reused == expect);
  CHECK(reused[2] == Approx(value[2] + 0.5 * reused[0]));
  // A copy of a workspace starts without the cache but computes the same.
  deal::rt::ValuationWorkspace copy = ws;
  std::vector<double> again(3);
  deal::rt::value_equity(value, h, {}, again, copy);
  CHECK(again == expect);
}
