// The entry points generated code calls, and their table for the JIT (DEAL_RT_FUNCTIONS
// in abi.hpp). noexcept: nothing unwinds through JIT frames, so whatever a path's
// functions might throw is caught here and recorded as the path's error.
#include "runtime/abi.hpp"

#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>

#include <fmt/format.h>

#include "runtime/driver.hpp"
#include "runtime/path_run.hpp"

namespace {
deal::rt::PathRun& run_of(deal::rt::StepCtx* c) { return *static_cast<deal::rt::PathRun*>(c->path); }
}  // namespace

extern "C" {
void deal_rt_pay(deal::rt::StepCtx* c, int32_t from, int32_t to, double amount, double priority, int32_t deal,
                 int32_t site) noexcept {
  run_of(c).pay(from, to, amount, priority, deal, site);
}
void deal_rt_own(deal::rt::StepCtx* c, int32_t holder, int32_t issuer, double stake, int32_t site) noexcept {
  run_of(c).own(holder, issuer, stake, false, site);
}
void deal_rt_sell(deal::rt::StepCtx* c, int32_t holder, int32_t issuer, double stake, int32_t site) noexcept {
  run_of(c).own(holder, issuer, stake, true, site);
}
void deal_rt_borrow(deal::rt::StepCtx* c, int32_t party, double amount, int32_t site) noexcept {
  run_of(c).borrow(party, amount, site);
}
void deal_rt_claim(deal::rt::StepCtx* c, int32_t debtor, int32_t creditor, double amount, double priority, int32_t deal,
                   int32_t site) noexcept {
  try {
    run_of(c).claim(debtor, creditor, amount, priority, deal, site);
  } catch (const std::exception& e) {
    run_of(c).fail(fmt::format("internal error while filing a claim: {}", e.what()));
  }
}
void deal_rt_issue(deal::rt::StepCtx* c, int32_t issuer, int32_t holder, double stake, int32_t site) noexcept {
  run_of(c).issue(issuer, holder, stake, site);
}
void deal_rt_default(deal::rt::StepCtx* c, int32_t party) noexcept { run_of(c).force_default(party); }
void deal_rt_emit(deal::rt::StepCtx* c, int32_t id, const double* values) noexcept {
  try {
    run_of(c).emit(id, values);
  } catch (...) {
    run_of(c).fail("internal error while formatting an `emit` line");
  }
}
void deal_rt_nonfinite(deal::rt::StepCtx* c, int32_t site, double value) noexcept { run_of(c).nonfinite(site, value); }
void deal_rt_cash_written(deal::rt::StepCtx* c, int32_t slot, double before, double after) noexcept {
  try {
    run_of(c).cash_written(slot, before, after);
  } catch (const std::exception& e) {
    run_of(c).fail(fmt::format("internal error while recording a write of cash: {}", e.what()));
  }
}
void deal_rt_bad_value(deal::rt::StepCtx* c, int32_t site, int32_t what, double value) noexcept {
  run_of(c).bad_value(site, what, value);
}
double deal_rt_normal(deal::rt::StepCtx* c, double mean, double sd) noexcept { return run_of(c).normal(mean, sd); }
double deal_rt_lognormal(deal::rt::StepCtx* c, double mu, double sigma, double scale) noexcept {
  return run_of(c).lognormal(mu, sigma, scale);
}
double deal_rt_uniform(deal::rt::StepCtx* c, double lo, double hi) noexcept { return run_of(c).uniform(lo, hi); }
double deal_rt_bernoulli(deal::rt::StepCtx* c, double p) noexcept { return run_of(c).bernoulli(p); }
double deal_rt_draw(deal::rt::StepCtx* c, int32_t kind, const double* args, int32_t n) noexcept {
  return run_of(c).draw(kind, args, n);
}
double deal_rt_inflow(deal::rt::StepCtx* c, int32_t party) noexcept { return run_of(c).flow(true, party); }
double deal_rt_outflow(deal::rt::StepCtx* c, int32_t party) noexcept { return run_of(c).flow(false, party); }
double deal_rt_revenue_from(deal::rt::StepCtx* c, int32_t receiver, int32_t payer) noexcept {
  return run_of(c).revenue_from(receiver, payer);
}
double deal_rt_holdings(deal::rt::StepCtx* c, int32_t holder, int32_t issuer) noexcept {
  auto& r = run_of(c);
  if (holder <= 0 || issuer <= 0) return 0;
  return r.holdings.stake(holder - 1, issuer - 1);
}
double deal_rt_date_of(deal::rt::StepCtx* c, double step, int32_t site) noexcept {
  return run_of(c).date_of(step, site);
}
double deal_rt_host(deal::rt::StepCtx* c, int32_t fn, const double* args, int32_t n, int32_t site) noexcept {
  try {
    return run_of(c).host(fn, args, n, site);
  } catch (const std::exception& e) {
    run_of(c).fail_at(site, fmt::format("a host function threw: {}", e.what()));
    return std::numeric_limits<double>::quiet_NaN();
  }
}
}

namespace deal::rt {
std::vector<std::pair<std::string, void*>> runtime_symbols() {
  std::vector<std::pair<std::string, void*>> v;
#define DEAL_SYMBOL(name, sig) v.emplace_back(#name, reinterpret_cast<void*>(&::name));
  DEAL_RT_FUNCTIONS(DEAL_SYMBOL)
#undef DEAL_SYMBOL
  return v;
}
}  // namespace deal::rt
