// One path of one scenario (LANGUAGE.md §6): the state array, the step context, the step
// loop, and everything the runtime entry points (abi.cpp) need. The driver runs one of
// these for a single path; each Monte Carlo worker reuses one for all its paths.
//
// The entry points generated code calls on every step (pay, the draws, the flow
// look-ups) are defined here so that abi.cpp's wrappers inline them; their rare error
// paths and the rest of the path are out of line in path_run.cpp.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "runtime/abi.hpp"
#include "runtime/calendar.hpp"
#include "runtime/clearing.hpp"
#include "runtime/conservation.hpp"
#include "runtime/driver.hpp"
#include "runtime/ledger.hpp"
#include "runtime/model.hpp"
#include "runtime/obligation.hpp"
#include "runtime/pair_table.hpp"
#include "runtime/random.hpp"
#include "runtime/valuation.hpp"

namespace deal::rt {

// Month number (check/program.hpp's run-time date encoding) of a calendar date.
inline double month_number(Date d) { return double(to_ticks(d)) / double(kTicksPerMonth); }

// Parties are model ids (0 = World) except where the clearing library wants 0-based
// indices of real parties (rt index = id − 1).
struct PathRun {
  const Model& m;
  const ModelScenario& sc;
  const RunOptions& opts;
  const Calendar& cal;
  int n;        // real parties (World excluded)
  bool record;  // keep events, defaults and ledger rows (single-path runs)

  std::vector<double> S;
  StepCtx ctx{};
  RandomStream rng;
  int step = 0;
  std::string error;

  // This round's obligations: the first n_obligations entries of a buffer that only grows
  // (so a payment is a store and an increment; growing is out of line). The count and the
  // size live in the step context, where generated code appends usual payments itself
  // (codegen's deal.pay); ctx.obligations is the buffer's data.
  std::vector<Obligation> obligation_buffer;
  size_t& n_obligations = ctx.obligation_count;
  size_t& obligation_capacity = ctx.obligation_capacity;  // obligation_buffer.size()
  std::span<const Obligation> obligations() const { return {obligation_buffer.data(), n_obligations}; }
  std::vector<int> newly_defaulted;  // model ids, awaiting their `on default` clauses
  ClearingWorkspace ws;
  ClearingResult cr;
  std::vector<double> cash, credit, debt;
  std::vector<std::uint8_t> defaulted;
  Holdings holdings;  // rt indices
  std::vector<double> values, equity;
  ValuationWorkspace vws;
  std::vector<std::string> names;     // rt index → party name (for messages)
  std::vector<std::string> id_names;  // model id → party name (World first), for default causes
  Ledger ledger;
  ConservationCheck conservation;

  // This step's cleared flows (for inflow/outflow/revenue_from), model ids.
  bool flows_stale = true;
  std::vector<double> step_in, step_out;
  PairTable step_pairs;  // (receiver, payer) → paid this step, for revenue_from

  std::vector<DefaultEvent> defaults;
  std::vector<int> default_event;  // per model id: its entry in `defaults` (record), or −1
  std::vector<EventLine> events;

  // Resolution of defaults (LANGUAGE.md §6.6). A defaulted party awaits its resolution
  // (status 1) from the moment it is marked until its `on default` clauses have run; its
  // estate then pays its claims in the next clearing round (status 2: resolved).
  enum : std::uint8_t { kLive = 0, kAwaiting = 1, kResolved = 2 };
  std::vector<std::uint8_t> status;  // per model id
  struct FiledClaim {
    int debtor, creditor;  // model ids
    int deal, priority;
    double amount;
  };
  std::vector<FiledClaim> filed;  // at this default-handling point, awaiting their estate's round
  struct Estate {
    int party;  // model id
    Resolution resolution;
    std::vector<std::pair<int, double>> holders;  // (model id, stake) when it defaulted
    size_t claims_begin = 0, claims_end = 0;      // its claims' rows in the obligation buffer
    size_t surplus_begin = 0, surplus_end = 0;    // its surplus rows (to holders, then World)
  };
  std::vector<Estate> estates;                                          // resolved in the pending clearing round
  std::vector<std::vector<std::pair<int, double>>> holders_at_default;  // per model id, until resolved
  size_t first_claim = SIZE_MAX;    // the first claim's row in the buffer (SIZE_MAX: none)
  size_t first_surplus = SIZE_MAX;  // the first surplus row, after every claim
  // Surplus rows are obligations junior to every claim (priorities go to kMaxPriority).
  static constexpr int kSurplusPriority = 1001;
  std::vector<std::uint8_t> precut;  // rt index: an estate in this round (ClearingInput::precut)
  // settle(): the deals that name each party (model id), and scratch for the deals that
  // name several parties defaulting at one point.
  std::vector<std::vector<int>> party_deals;
  std::vector<int> shared, hits;
  std::vector<std::uint8_t> ended;
  std::vector<double> liquidation_values;  // per model id (m.liquidations)
  // Per model id, for Monte Carlo statistics: the claims on its estate and what they
  // recovered (0 when it did not default).
  std::vector<double> claims_total, recovered_total;
  std::vector<int> default_step;           // per model id, −1 if not defaulted
  std::vector<double> equity_start;        // per model id, the valuation before the first step
  std::vector<int> party_base, deal_base;  // first slot of each party (model id) and deal
  std::vector<int> slot_party;             // a party's cash slot → its model id (−1 elsewhere)
  Date step_date{};                        // start of the current step

  // The ledger keeps rows and checks them (single paths, --check-ledger); Monte Carlo paths
  // only need its totals, which the driver keeps itself (the same sums, far cheaper).
  bool use_ledger;
  struct Tally {
    long long rows = 0;
    double due = 0, paid = 0, credit_drawn = 0, default_costs = 0, borrowed = 0;
    double claims = 0, recovered = 0, liquidation = 0, surplus = 0;
  } tally;

  PathRun(const Model& model, const ModelScenario& scenario, const RunOptions& options, const Calendar& calendar,
          unsigned long long seed, long long path, bool keep);
  // Not copied: ctx.path and the references into ctx point at this object.
  PathRun(const PathRun&) = delete;
  PathRun& operator=(const PathRun&) = delete;

  // A party that has not defaulted has no default date: NaN (JSON null, "—" in tables,
  // false in every comparison, left out of Monte Carlo statistics), never year 0.
  void no_default_dates();

  // Ready for another path: everything a path changes is reset, buffers keep their capacity.
  void reset(unsigned long long seed, long long path);

  // The path's ledger totals, from the ledger or from the tally.
  Tally totals() const;

  // World is model id 0 and rt index kWorld = −1, so both maps are one subtraction.
  static_assert(kWorld == -1);
  int rt_index(int id) const { return id - 1; }
  int model_id(int rt) const { return rt + 1; }
  double& slot(int party, int offset) { return S[size_t(party_base[size_t(party)] + offset)]; }
  bool is_defaulted(int party) { return party > 0 && slot(party, 3) != 0; }

  void fail(std::string message);
  // An error at a source place (LANGUAGE.md §8): "path:line:col: error: WHAT on DATE (step
  // k): WHY" and the line with its caret; Monte Carlo adds the path. site −1: no place known.
  [[gnu::noinline, gnu::cold]] void fail_at(int site, const std::string& what, const std::string& why = "");

  std::string date_text() const;

  // ---------------------------------------------------------------- entry points

  // Every pay/receive that generated code does not append itself (codegen's deal.pay
  // appends the usual one — parties in range and distinct, an amount positive and finite,
  // a whole priority, room in the buffer — to ctx's buffer): its checks in order, then the
  // payment (growing the buffer if need be).
  void pay(int from, int to, double amount, double priority, int deal, int site) {
    if (uint32_t(from) > uint32_t(n) || uint32_t(to) > uint32_t(n) || !(amount >= 0) || amount == kInfinity)
      return bad_payment(from, to, amount, deal, site);
    // Priorities are whole numbers 0–1000 (LANGUAGE.md §6.2); literals are checked at
    // compile time, computed ones here — never rounded or clamped.
    if (!(priority >= 0 && priority <= kMaxPriority) || double(int(priority)) != priority)
      return bad_priority(priority, site);
    if (amount == 0 || from == to || is_defaulted(from)) return;  // defaulted parties create no obligations
    if (n_obligations == obligation_capacity) grow_obligations();
    store_obligation(obligation_buffer.data() + n_obligations++, from, to, amount, int(priority), deal);
  }
  static constexpr double kMaxPriority = 1000;
  void store_obligation(Obligation* o, int from, int to, double amount, int priority, int deal) {
    o->from = rt_index(from);
    o->to = rt_index(to);
    o->priority = priority;
    o->deal = deal;
    o->amount = amount;
  }

  // Doubles the buffer (obligation_capacity is its size).
  [[gnu::noinline]] void grow_obligations();
  // Points the step context at the buffer: its data and size (after it moved or ctx was reset).
  void bind_obligations() {
    ctx.obligations = obligation_buffer.data();
    obligation_capacity = obligation_buffer.size();
  }

  [[gnu::noinline, gnu::cold]] void bad_payment(int from, int to, double amount, int deal, int site);
  [[gnu::noinline, gnu::cold]] void bad_priority(double priority, int site);

  void own(int holder, int issuer, double stake, bool sell, int site);

  void borrow(int party, double amount, int site);

  // date_of(k): the month number of step k's first day (k = steps: the calendar's end).
  double date_of(double k, int site);

  // What generated code checks itself and reports here (abi.hpp: deal_rt_bad_value).
  [[gnu::noinline, gnu::cold]] void bad_value(int site, int what, double v);

  // A tracked value that is NaN (Number, Money, Bool tracks; a Date track is null when
  // there is no date, e.g. the default date of a party that did not default).
  void check_tracks(const double* out) {
    for (size_t t = 0; t < sc.tracks.size(); ++t)
      if (std::isnan(out[t]) && sc.tracks[t].kind != ValueKind::Date) [[unlikely]]
        return bad_track(t);
  }
  [[gnu::noinline, gnu::cold]] void bad_track(size_t t);

  void mark_defaulted(int party);

  // `claim(creditor, amount, priority)` in an `on default(debtor)` clause.
  void claim(int debtor, int creditor, double amount, double priority, int deal, int site);
  // `issue(issuer, holder, stake)`.
  void issue(int issuer, int holder, double stake, int site);

  // After the `on default` clauses of `parties` ran: their estates are formed and their
  // claims added to the buffer, to be paid in the next clearing round.
  void start_resolution(std::span<const int> parties);
  // After that round: recoveries, surpluses, the parties' cash set to 0.
  void finish_resolution();

  void force_default(int party);

  void emit(int id, const double* vals);

  void nonfinite(int site, double v);

  // A store into a party's cash (its `cash` slot) outside clearing: an adjustment row.
  void cash_written(int slot, double before, double after);

  // Random draws (per call in blocks, per path for `param x ~ …`). Bad arguments stop the
  // run with a message rather than drawing NaN or a mirrored value. The message is made
  // in bad_draw, out of line, so that a draw's usual path needs no stack frame.
  double normal(double mean, double sd) {
    if (!std::isfinite(mean) || !(sd >= 0) || sd == kInfinity) [[unlikely]]
      return bad_draw(kNormal, mean, sd);
    return rng.normal(mean, sd);
  }
  double lognormal(double mu, double sigma, double scale) {
    if (!std::isfinite(mu) || !std::isfinite(scale) || !(sigma >= 0) || sigma == kInfinity) [[unlikely]]
      return bad_draw(kLognormal, mu, sigma, scale);
    return rng.lognormal(mu, sigma, scale);
  }
  double uniform(double lo, double hi) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo <= hi)) [[unlikely]]
      return bad_draw(kUniform, lo, hi);
    return rng.uniform(lo, hi);
  }
  double triangular(double lo, double mode, double hi) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo <= mode && mode <= hi)) [[unlikely]]
      return bad_draw(kTriangular, lo, mode, hi);
    return rng.triangular(lo, mode, hi);
  }
  double bernoulli(double p) {
    if (!(p >= 0 && p <= 1)) [[unlikely]]
      return bad_draw(kBernoulli, p);
    return rng.bernoulli(p) ? 1.0 : 0.0;
  }
  // Stops the run naming the draw, its arguments (as many as the kind takes), the date and
  // what is wrong with them; returns NaN.
  [[gnu::noinline, gnu::cold]] double bad_draw(int kind, double a, double b = 0, double c = 0);

  double draw(int kind, const double* a, int count) {
    switch (kind) {
      case kNormal:
        return normal(a[0], a[1]);
      case kLognormal:
        return lognormal(a[0], a[1], count > 2 ? a[2] : 1.0);
      case kUniform:
        return uniform(a[0], a[1]);
      case kTriangular:
        return triangular(a[0], a[1], a[2]);
      case kBernoulli:
        return bernoulli(a[0]);
      case kChoice:
        return count > 0 ? a[rng.index(count)] : kNaN;
    }
    return kNaN;
  }

  double flow(bool in, int party) { return flows_stale && step == 0 ? 0 : (in ? step_in : step_out)[size_t(party)]; }

  // This step's payments from payer to receiver (model ids).
  double revenue_from(int receiver, int payer) { return step_pairs.get(receiver, payer); }

  double host(int fn, const double* args, int count, int site);

  // ---------------------------------------------------------------- the step

  // Clears the pending obligations; marks new defaults. Returns false when there was nothing to do.
  bool clearing_round();
  // The round when every party can pay all it owes (most rounds of a Monte Carlo path):
  // the balances in S updated directly, with clear()'s arithmetic (clearing::funds,
  // short_at_full, settle) in clear()'s order, so the same bits; nobody defaults and
  // every obligation is paid in full. Returns false, changing nothing, when someone is
  // short or the round needs more than clear()'s fast path (estates, the ledger, the
  // exposure analysis, a non-finite balance for clear() to report).
  bool clear_covered();
  std::vector<double> due_at_full, received_at_full;  // per rt party, clear_covered's P and R
  bool sums_at_full = false;                          // clear_covered found someone short: its P and R are for clear()
  // After a round: each contractual obligation's payment (all in full, or cr.paid) into
  // its deal's paid/due, the totals, this step's flows and pair sums.
  void record_paid(bool in_full);

  // An estate round in which nothing can be paid: only empty estates owe anything.
  bool empty_estates_only() const;
  void pay_nothing(const ClearingInput& in);

  // Takes an estate's surplus rows out of the short payers of this round's defaults.
  void drop_surplus_from_causes();

  // The exposure analysis' schedule: every obligation paid in full, nobody defaults.
  void pay_everything(const ClearingInput& in);

  double total_cash();

  std::vector<double> cash_now();

  void check_ledger();

  // Steps 4–5 (and 6's clearing): clear, run `on default` clauses, repeat while they
  // create obligations or defaults. Each party defaults at most once, so this ends.
  void settle();

  void valuation();

  // Runs a generated phase. Cash it changes directly (a shock's `N3.cash -= $94B`) is an
  // adjustment the conservation check accounts for; `borrow` is in the ledger already.
  bool phase(PhaseFn f);

  void set_step(int k);

  // Called after each step's valuation with the step's index: a function pointer and its
  // context rather than std::function, so that starting a path allocates nothing.
  struct StepHook {
    void* context;
    void (*call)(void* context, int step);
  };

  // Runs the path; `on_step(k)` records after each step's valuation.
  template <class Record>
  void run(const double* overrides, Record on_step) {
    step_loop(overrides, StepHook{&on_step, [](void* f, int k) { (*static_cast<Record*>(f))(k); }});
  }
  void step_loop(const double* overrides, StepHook on_step);

 private:
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  static constexpr double kInfinity = std::numeric_limits<double>::infinity();
};

}  // namespace deal::rt
