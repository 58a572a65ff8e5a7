// The ABI between generated code and the runtime: the step context struct and one
// table of `extern "C"` entry points. Code generation declares every entry of the
// table in the IR and the JIT binds every entry to its address (absoluteSymbols), so
// the two can never disagree; an alternative back end would target the same table.
//
// Entry points are noexcept and never throw: errors are recorded in the context
// (`status`) and the driver checks it between phases.
#pragma once

#include <cstdint>

namespace deal::rt {

struct Obligation;  // runtime/obligation.hpp

// Passed to every generated function. Field order is part of the ABI (codegen
// addresses fields by index): doubles first, then 32-bit ints, then pointers, then
// 64-bit counts.
struct StepCtx {
  double step_start;     // month number of this step's first day (see check/program.hpp)
  double step_end;       // month number of the next step's first day
  double dt;             // this step's length in years
  double step_index;     // k, from 0
  int32_t period_flags;  // kStartsMonth | kStartsQuarter | kStartsYear for this step
  int32_t status;        // 0 ok; nonzero once an entry point reported an error
  void* path;            // the driver's per-path state (opaque to generated code)
  // Host overrides of params (--set, the embedding API), indexed like Program::params;
  // NaN means "not overridden"; null when there are none. Read by the init functions.
  const double* param_overrides;
  // This round's obligations (PathRun's buffer): generated code appends a usual payment
  // itself, as PathRun::pay would, and hands every other one to deal_rt_pay. 64-bit
  // counts last.
  Obligation* obligations;
  std::uint64_t obligation_count;     // entries in use
  std::uint64_t obligation_capacity;  // entries allocated
};

enum PeriodFlags : int32_t { kStartsMonth = 1, kStartsQuarter = 2, kStartsYear = 4 };

// The generated functions of one program (all take the path's state array and context).
using InitFn = void (*)(double* state, StepCtx* ctx);
using PhaseFn = void (*)(double* state, StepCtx* ctx);
using OnDefaultFn = void (*)(double* state, StepCtx* ctx, int32_t party);
using OutFn = void (*)(double* state, StepCtx* ctx, double* out);

}  // namespace deal::rt

// X-macro table of runtime entry points: X(name, signature). Signature letters: first
// the result, then the parameters — v void, d double, i int32, p pointer. Every entry
// takes the StepCtx* first.
#define DEAL_RT_FUNCTIONS(X)                                                                 \
  X(deal_rt_pay, "vpiiddii")       /* ctx, from, to, amount, priority, deal (-1), site */    \
  X(deal_rt_own, "vpiidi")         /* ctx, holder, issuer, stake, site */                    \
  X(deal_rt_sell, "vpiidi")        /* ctx, holder, issuer, stake, site */                    \
  X(deal_rt_borrow, "vpidi")       /* ctx, party, amount, site */                            \
  X(deal_rt_claim, "vpiiddii")     /* ctx, debtor, creditor, amount, priority, deal, site */ \
  X(deal_rt_issue, "vpiidi")       /* ctx, issuer, holder, stake, site */                    \
  X(deal_rt_default, "vpi")        /* ctx, party */                                          \
  X(deal_rt_emit, "vpip")          /* ctx, emit id, const double* values */                  \
  X(deal_rt_nonfinite, "vpid")     /* ctx, store site, the value stored */                   \
  X(deal_rt_bad_value, "vpiid")    /* ctx, site, BadValue, the value */                      \
  X(deal_rt_cash_written, "vpidd") /* ctx, cash slot, before, after */                       \
  X(deal_rt_normal, "dpdd")        /* ctx, mean, sd */                                       \
  X(deal_rt_lognormal, "dpddd")    /* ctx, mu, sigma (of the log), scale */                  \
  X(deal_rt_uniform, "dpdd")       /* ctx, lo, hi */                                         \
  X(deal_rt_bernoulli, "dpd")      /* ctx, p → 0 or 1 */                                   \
  X(deal_rt_draw, "dpipi")         /* ctx, distribution kind, const double* args, n */       \
  X(deal_rt_inflow, "dpi")         /* ctx, party */                                          \
  X(deal_rt_outflow, "dpi")        /* ctx, party */                                          \
  X(deal_rt_revenue_from, "dpii")  /* ctx, receiver, payer */                                \
  X(deal_rt_holdings, "dpii")      /* ctx, holder, issuer */                                 \
  X(deal_rt_date_of, "dpdi")       /* ctx, step, site → month number */                    \
  X(deal_rt_host, "dpipii")        /* ctx, extern fn id, const double* args, n, site */

// Distribution kinds for deal_rt_draw (scenario `param x ~ dist(…)`).
namespace deal::rt {
// What generated code found wrong with a value it checks itself (deal_rt_bad_value).
enum BadValue : int32_t {
  kNotADate = 0,            // an `at`, `from` or `until` date that is NaN
  kNegativeMoney = 1,       // a store that makes a party's cash, debt or credit negative
  kNotADuration = 2,        // a `for` duration that is NaN
  kNegativeLiquidation = 3  // a party's `liquidation` value below $0
};
enum DistKind : int32_t { kNormal = 0, kLognormal, kUniform, kTriangular, kBernoulli, kChoice };
}  // namespace deal::rt
