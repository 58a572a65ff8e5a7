// The valuation workspace reuses its factorisation while the holdings are unchanged; the
// results must be exactly those of a fresh computation, and a change must be noticed.
#include <catch2/catch.hpp>

#include <cstdint>
#include <utility>
#include <vector>

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

namespace {
std::vector<double> fresh_equity(const std::vector<double>& value, const deal::rt::Holdings& h,
                                 const std::vector<std::uint8_t>& dead) {
  return deal::rt::value_equity(value, h, dead);
}
}  // namespace

TEST_CASE("valuation: every change of the holdings takes a new version", "[valuation]") {
  deal::rt::Holdings h(4);
  auto v0 = h.version();
  h.own(0, 1, 0.1);
  auto v1 = h.version();
  CHECK(v1 != v0);
  h.own(0, 1, 0.0);  // owning nothing changes nothing
  CHECK(h.version() == v1);
  h.issue(1, -1, 0.2);  // dilution: every stake in 1 shrinks
  auto v2 = h.version();
  CHECK(v2 != v1);
  h.sell(0, 1, 0.01);
  auto v3 = h.version();
  CHECK(v3 != v2);
  h.remove_issuer(3);  // no stake in 3: nothing removed
  CHECK(h.version() == v3);
  h.remove_issuer(1);
  CHECK(h.version() != v3);
  // A copy has the same entries and keeps the version; the moved-from object changes.
  h.own(2, 0, 0.3);
  deal::rt::Holdings copy = h;
  CHECK(copy.version() == h.version());
  auto before = h.version();
  deal::rt::Holdings moved = std::move(h);
  CHECK(moved.version() == before);
  CHECK(h.version() != before);
  h.clear();
  CHECK(h.version() != before);
}

TEST_CASE("valuation: the cache follows dilution, sales, defaults and new stakes step by step", "[valuation]") {
  // A web like the AI one: investors in two labs, a lab in a cloud; raises dilute the
  // stakes most steps; a default removes a party from the system; a stake is sold.
  deal::rt::Holdings h(6);
  h.own(0, 2, 0.27);
  h.own(1, 2, 0.11);
  h.own(3, 4, 0.14);
  h.own(2, 5, 0.05);
  h.own(5, 3, 0.02);
  deal::rt::ValuationWorkspace ws;
  std::vector<double> value = {3e12, 1e11, 5e11, 2e12, 3e11, 6e10}, got(6);
  std::vector<std::uint8_t> dead(6, 0);
  for (int step = 0; step < 24; ++step) {
    for (size_t i = 0; i < value.size(); ++i) value[i] *= 1.0 + 0.01 * double((step + int(i)) % 5);
    if (step % 3 != 2) h.issue(2, step % 2 ? 0 : -1, 0.03);  // a raise most steps
    if (step == 10) h.sell(0, 2, 0.05);
    if (step == 15) {
      dead[4] = 1;  // 4 defaults: its issuer entries go, and it leaves the system
      h.remove_issuer(4);
    }
    if (step == 20) h.own(4, 5, 0.1);  // a dead holder's stake takes no part
    deal::rt::value_equity(value, h, dead, got, ws);
    std::vector<double> want = fresh_equity(value, h, dead);
    INFO("step " << step);
    CHECK(got == want);
  }
  // Same holdings, a default flag set without any change of the entries: recomputed.
  std::vector<std::uint8_t> more = dead;
  more[0] = 1;
  deal::rt::value_equity(value, h, more, got, ws);
  CHECK(got == fresh_equity(value, h, more));
  CHECK(got[0] == 0.0);
  // And back: the flags are part of what the cache compares.
  deal::rt::value_equity(value, h, dead, got, ws);
  CHECK(got == fresh_equity(value, h, dead));
}

TEST_CASE("valuation: one workspace for two holdings objects, and a singular system", "[valuation]") {
  deal::rt::Holdings a(2), b(2);
  a.own(0, 1, 0.5);
  b.own(1, 0, 0.25);
  deal::rt::ValuationWorkspace ws;
  std::vector<double> value = {1.0, 2.0}, got(2);
  for (int k = 0; k < 3; ++k) {
    deal::rt::value_equity(value, a, {}, got, ws);
    CHECK(got == std::vector<double>{2.0, 2.0});
    deal::rt::value_equity(value, b, {}, got, ws);
    CHECK(got == std::vector<double>{1.0, 2.25});
  }
  deal::rt::Holdings loop(2);
  loop.own(0, 1, 1.0);
  loop.own(1, 0, 1.0);
  CHECK_THROWS(deal::rt::value_equity(value, loop, {}, got, ws));
  CHECK_THROWS(deal::rt::value_equity(value, loop, {}, got, ws));  // still an error from the cache
  deal::rt::value_equity(value, a, {}, got, ws);
  CHECK(got == std::vector<double>{2.0, 2.0});
}
