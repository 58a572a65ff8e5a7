#include "runtime/driver.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "runtime/clearing.hpp"
#include "runtime/conservation.hpp"
#include "runtime/format.hpp"
#include "runtime/pair_table.hpp"
#include "runtime/random.hpp"
#include "runtime/require.hpp"
#include "runtime/statistics.hpp"
#include "runtime/valuation.hpp"

namespace deal::rt {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Month number (check/program.hpp's run-time date encoding) of a calendar date.
double month_number(Date d) { return double(to_ticks(d)) / double(kTicksPerMonth); }

// One path of one scenario: the state array, the step context, and everything the
// runtime entry points need. Parties are model ids (0 = World) except where the
// clearing library wants 0-based indices of real parties (rt index = id − 1).
struct PathRun {
  const Model& m;
  const ModelScenario& sc;
  const RunOptions& opts;
  const Calendar& cal;
  int n;  // real parties (World excluded)
  bool record;  // keep events, defaults and ledger rows (single-path runs)

  std::vector<double> S;
  StepCtx ctx{};
  RandomStream rng;
  int step = 0;
  std::string error;

  // This round's obligations: the first n_obligations entries of a buffer that only grows
  // (so a payment is a store and an increment; growing is out of line).
  std::vector<Obligation> obligation_buffer;
  size_t n_obligations = 0;
  std::span<const Obligation> obligations() const { return {obligation_buffer.data(), n_obligations}; }
  std::vector<int> newly_defaulted;  // model ids, awaiting their `on default` clauses
  ClearingWorkspace ws;
  ClearingResult cr;
  std::vector<double> cash, credit, debt;
  std::vector<std::uint8_t> defaulted;
  Holdings holdings;             // rt indices
  std::vector<double> values, equity;
  ValuationWorkspace vws;
  std::vector<std::string> names;  // rt index → party name (for messages)
  std::vector<std::string> id_names;  // model id → party name (World first), for default causes
  Ledger ledger;
  ConservationCheck conservation;
  double borrowed_in_phase = 0;

  // This step's cleared flows (for inflow/outflow/revenue_from), model ids.
  bool flows_stale = true;
  std::vector<double> step_in, step_out;
  PairTable step_pairs;  // (receiver, payer) → paid this step, for revenue_from

  std::vector<DefaultEvent> defaults;
  std::vector<EventLine> events;
  std::vector<int> default_step;  // per model id, −1 if not defaulted
  std::vector<double> equity_start;  // per model id, the valuation before the first step
  std::vector<int> party_base, deal_base;  // first slot of each party (model id) and deal
  Date step_date{};                        // start of the current step

  // The ledger keeps rows and checks them (single paths, --check-ledger); Monte Carlo paths
  // only need its totals, which the driver keeps itself (the same sums, far cheaper).
  bool use_ledger;
  struct Tally {
    long long rows = 0;
    double due = 0, paid = 0, credit_drawn = 0, default_costs = 0, borrowed = 0;
  } tally;

  PathRun(const Model& model, const ModelScenario& scenario, const RunOptions& options, const Calendar& calendar,
          unsigned long long seed, long long path, bool keep)
      : m(model), sc(scenario), opts(options), cal(calendar), n(int(model.parties.size()) - 1), record(keep),
        S(size_t(model.slot_count), 0.0), rng(seed, uint64_t(path)), holdings(int(model.parties.size()) - 1),
        ledger(int(model.parties.size()) - 1, LedgerOptions{keep && options.keep_ledger_rows, keep}),
        use_ledger(keep || options.check_ledger) {
    ctx.path = this;
    cash.resize(size_t(n));
    credit.resize(size_t(n));
    debt.resize(size_t(n));
    defaulted.resize(size_t(n));
    values.resize(model.parties.size());
    equity.resize(size_t(n));
    step_in.assign(model.parties.size(), 0.0);
    step_out.assign(model.parties.size(), 0.0);
    default_step.assign(model.parties.size(), -1);
    equity_start.assign(model.parties.size(), 0.0);
    for (int i = 1; i <= n; ++i) names.push_back(model.parties[size_t(i)].name);
    for (const ModelParty& p : model.parties) id_names.push_back(p.name);
    for (const ModelParty& p : model.parties) party_base.push_back(p.base);
    for (const ModelDeal& d : model.deals) deal_base.push_back(d.base);
    obligation_buffer.resize(64);
  }

  // A party that has not defaulted has no default date: NaN (JSON null, "—" in tables,
  // false in every comparison, left out of Monte Carlo statistics), never year 0.
  void no_default_dates() {
    for (int p = 1; p <= n; ++p) slot(p, 4) = kNaN;
  }

  // Ready for another path: everything a path changes is reset, buffers keep their capacity.
  void reset(unsigned long long seed, long long path) {
    std::fill(S.begin(), S.end(), 0.0);
    ctx = StepCtx{};
    ctx.path = this;
    rng = RandomStream(seed, uint64_t(path));
    step = 0;
    error.clear();
    n_obligations = 0;
    newly_defaulted.clear();
    holdings.clear();
    ledger.reset();
    tally = Tally{};
    conservation = ConservationCheck{};
    borrowed_in_phase = 0;
    flows_stale = true;
    std::fill(step_in.begin(), step_in.end(), 0.0);
    std::fill(step_out.begin(), step_out.end(), 0.0);
    step_pairs.clear();
    defaults.clear();
    events.clear();
    std::fill(default_step.begin(), default_step.end(), -1);
    std::fill(equity_start.begin(), equity_start.end(), 0.0);
  }

  // The path's ledger totals, from the ledger or from the tally.
  Tally totals() const {
    if (!use_ledger) return tally;
    Tally t;
    LedgerTotals c = ledger.contractual();
    t.rows = c.rows;
    t.due = c.due;
    t.paid = c.paid;
    t.credit_drawn = ledger.credit_drawn();
    t.default_costs = ledger.default_costs();
    t.borrowed = ledger.borrowed();
    return t;
  }

  int rt_index(int id) const { return id == 0 ? kWorld : id - 1; }
  int model_id(int rt) const { return rt == kWorld ? 0 : rt + 1; }
  double& slot(int party, int offset) { return S[size_t(party_base[size_t(party)] + offset)]; }
  bool is_defaulted(int party) { return party > 0 && slot(party, 3) != 0; }

  void fail(std::string message) {
    if (error.empty()) error = std::move(message);
    ctx.status = 1;
  }

  std::string date_text() const { return format_date(cal.step_start(step)); }

  // ---------------------------------------------------------------- entry points

  // The hot path of every pay/receive: checks, then one push_back; messages are built out of line.
  void pay(int from, int to, double amount, double priority, int deal) {
    if (from < 0 || from > n || to < 0 || to > n || !(amount >= 0) || amount == kInfinity) [[unlikely]]
      return bad_payment(from, to, amount, deal);
    if (amount == 0 || from == to || is_defaulted(from)) return;  // defaulted parties create no obligations
    if (n_obligations == obligation_buffer.size()) [[unlikely]] grow_obligations();
    Obligation& o = obligation_buffer[n_obligations++];
    o.from = rt_index(from);
    o.to = rt_index(to);
    o.priority = int(priority);  // a whole number (checked); lround for safety otherwise
    if (double(o.priority) != priority) o.priority = int(std::lround(priority));
    o.deal = deal;
    o.amount = amount;
  }

  [[gnu::noinline]] void grow_obligations() { obligation_buffer.resize(2 * obligation_buffer.size()); }

  [[gnu::noinline, gnu::cold]] void bad_payment(int from, int to, double amount, int deal) {
    if (from < 0 || from > n || to < 0 || to > n) return fail("internal error: party id out of range in pay()");
    // The exposure analysis' run (pay_in_full) lets cash go negative, which can drive a
    // model's formulas (min(x, cash), …) below zero: there a negative amount is no obligation.
    if (opts.pay_in_full && amount < 0 && std::isfinite(amount)) return;
    std::string who = deal >= 0 ? fmt::format("deal '{}'", m.deals[size_t(deal)].name) : std::string("a party or shock");
    fail(fmt::format("{} tried to pay {} from {} to {} on {}: an amount must be finite and not negative", who, amount,
                     m.parties[size_t(from)].name, m.parties[size_t(to)].name, date_text()));
  }

  void own(int holder, int issuer, double stake, bool sell) {
    if (holder == 0 || issuer == 0 || holder == issuer) return;
    if (!std::isfinite(stake)) return fail("a stake must be finite");
    try {
      if (sell) holdings.sell(holder - 1, issuer - 1, stake);
      else holdings.own(holder - 1, issuer - 1, stake);
    } catch (const std::exception& e) {
      fail(fmt::format("{} on {}: {}", sell ? "sell" : "own", date_text(), e.what()));
    }
  }

  void borrow(int party, double amount) {
    if (party == 0 || is_defaulted(party)) return;
    if (!std::isfinite(amount) || amount < 0) return fail(fmt::format("{} cannot borrow {}", m.parties[size_t(party)].name, amount));
    slot(party, 0) += amount;
    slot(party, 1) += amount;
    if (use_ledger) ledger.record_borrow(step, party - 1, amount);
    else tally.borrowed += amount;
    borrowed_in_phase += amount;
  }

  void mark_defaulted(int party) {
    slot(party, 3) = 1;
    slot(party, 4) = ctx.step_start;
    default_step[size_t(party)] = step;
    newly_defaulted.push_back(party);
  }

  void force_default(int party) {
    if (party <= 0 || party > n || is_defaulted(party)) return;
    mark_defaulted(party);
    if (record) {
      DefaultEvent e = forced_default(party, step, cal.step_start(step));
      events.push_back({e.date, fmt::format("{} defaulted on {}: forced by `default(…)`", m.parties[size_t(party)].name,
                                            format_date(e.date))});
      defaults.push_back(std::move(e));
    }
  }

  void emit(int id, const double* vals) {
    if (!record) return;
    const EmitInfo& info = m.emits.at(size_t(id));
    std::string text = info.pieces.empty() ? "" : info.pieces[0];
    for (size_t i = 0; i < info.kinds.size(); ++i) {
      double v = vals[i];
      switch (info.kinds[i]) {
        case ValueKind::Bool: text += v != 0 ? "true" : "false"; break;
        case ValueKind::Date:
          text += std::isfinite(v) ? format_date_compact(from_ticks(v * double(kTicksPerMonth))) : "none";
          break;
        case ValueKind::Party: text += m.parties.at(size_t(v)).name; break;
        case ValueKind::Deal: text += m.deals.at(size_t(v)).name; break;
        default: text += format_quantity(v, info.units[i]);
      }
      if (i + 1 < info.pieces.size()) text += info.pieces[i + 1];
    }
    events.push_back({cal.step_start(step), text});
  }

  void nonfinite(int site, double v) {
    const StoreInfo& s = m.stores.at(size_t(site));
    fail(fmt::format("{}: error: state '{}' became {} on {} (step {}){}", s.location, s.name,
                     std::isnan(v) ? "NaN" : (v > 0 ? "+infinity" : "-infinity"), date_text(), step + 1,
                     s.line.empty() ? "" : "\n    " + s.line));
  }

  // Random draws (per call in blocks, per path for `param x ~ …`). Bad arguments stop the
  // run with a message rather than drawing NaN or a mirrored value.
  double normal(double mean, double sd) {
    if (!std::isfinite(mean) || !(sd >= 0) || sd == kInfinity) [[unlikely]]
      return bad_draw(fmt::format("normal({}, {})", mean, sd), "the mean must be finite and the standard deviation finite and not negative");
    return rng.normal(mean, sd);
  }
  double lognormal(double mu, double sigma, double scale) {
    if (!std::isfinite(mu) || !std::isfinite(scale) || !(sigma >= 0) || sigma == kInfinity) [[unlikely]]
      return bad_draw(fmt::format("lognormal({}, {}, {})", mu, sigma, scale), "mu and the scale must be finite and sigma finite and not negative");
    return rng.lognormal(mu, sigma, scale);
  }
  double uniform(double lo, double hi) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo <= hi)) [[unlikely]]
      return bad_draw(fmt::format("uniform({}, {})", lo, hi), "the bounds must be finite with lo ≤ hi");
    return rng.uniform(lo, hi);
  }
  double triangular(double lo, double mode, double hi) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo <= mode && mode <= hi)) [[unlikely]]
      return bad_draw(fmt::format("triangular({}, {}, {})", lo, mode, hi), "the arguments must be finite with lo ≤ mode ≤ hi");
    return rng.triangular(lo, mode, hi);
  }
  double bernoulli(double p) {
    if (!(p >= 0 && p <= 1)) [[unlikely]] return bad_draw(fmt::format("bernoulli({})", p), "the probability must be between 0 and 1");
    return rng.bernoulli(p) ? 1.0 : 0.0;
  }
  [[gnu::noinline, gnu::cold]] double bad_draw(const std::string& call, const char* why) {
    fail(fmt::format("{} on {}: {}", call, date_text(), why));
    return kNaN;
  }

  double draw(int kind, const double* a, int count) {
    switch (kind) {
      case kNormal: return normal(a[0], a[1]);
      case kLognormal: return lognormal(a[0], a[1], count > 2 ? a[2] : 1.0);
      case kUniform: return uniform(a[0], a[1]);
      case kTriangular: return triangular(a[0], a[1], a[2]);
      case kBernoulli: return bernoulli(a[0]);
      case kChoice: return count > 0 ? a[rng.index(count)] : kNaN;
    }
    return kNaN;
  }

  double flow(bool in, int party) { return flows_stale && step == 0 ? 0 : (in ? step_in : step_out)[size_t(party)]; }

  // This step's payments from payer to receiver (model ids).
  double revenue_from(int receiver, int payer) { return step_pairs.get(receiver, payer); }



  double host(int fn, const double* args, int count) {
    if (fn < 0 || size_t(fn) >= opts.host_functions.size() || !opts.host_functions[size_t(fn)]) {
      std::string name = size_t(fn) < m.extern_fns.size() ? m.extern_fns[size_t(fn)] : "?";
      fail(fmt::format("extern fn '{}' has no host function bound (bind it through the embedding API)", name));
      return kNaN;
    }
    return opts.host_functions[size_t(fn)](args, count);
  }

  // ---------------------------------------------------------------- the step

  // Clears the pending obligations; marks new defaults. Returns false when there was nothing to do.
  bool clearing_round() {
    if (n_obligations == 0) return false;
    for (int i = 0; i < n; ++i) {
      cash[size_t(i)] = slot(i + 1, 0);
      debt[size_t(i)] = slot(i + 1, 1);
      credit[size_t(i)] = slot(i + 1, 2);
      defaulted[size_t(i)] = slot(i + 1, 3) != 0;
    }
    ClearingInput in;
    in.obligations = obligations();
    in.cash = cash;
    in.credit = credit;
    in.debt = debt;
    in.defaulted = defaulted;
    in.options.alpha = sc.alpha;
    in.options.beta = sc.beta;
    in.step = step;
    in.date = step_date;
    try {
      if (opts.pay_in_full) pay_everything(in);
      else clear(in, ws, cr);
    } catch (const std::exception& e) {
      fail(fmt::format("clearing failed on {}: {}", date_text(), e.what()));
      return false;
    }
    if (use_ledger) {
      ledger.record(in, cr);
    } else {
      tally.rows += (long long)n_obligations;
      for (int i = 0; i < n; ++i) {
        tally.credit_drawn += cr.credit_drawn[size_t(i)];
        tally.default_costs += cr.default_cost[size_t(i)];
      }
    }
    if (flows_stale) {
      std::fill(step_in.begin(), step_in.end(), 0.0);
      std::fill(step_out.begin(), step_out.end(), 0.0);
      step_pairs.clear();
      flows_stale = false;
    }
    for (int i = 0; i < n; ++i) {
      slot(i + 1, 0) = cr.cash[size_t(i)];
      slot(i + 1, 1) = cr.debt[size_t(i)];
      slot(i + 1, 2) = cr.credit[size_t(i)];
    }
    for (size_t k = 0; k < n_obligations; ++k) {
      const Obligation& o = obligation_buffer[k];
      double paid = cr.paid[k];
      int from = model_id(o.from), to = model_id(o.to);
      if (o.deal >= 0) {
        S[size_t(deal_base[size_t(o.deal)] + 1)] += paid;
        S[size_t(deal_base[size_t(o.deal)] + 2)] += o.amount;
      }
      tally.due += o.amount;
      tally.paid += paid;
      step_in[size_t(to)] += paid;
      step_out[size_t(from)] += paid;
      step_pairs.add(to, from, paid);
    }
    if (opts.check_ledger) check_ledger();
    for (DefaultEvent& e : cr.defaults) {
      int id = model_id(e.party);
      mark_defaulted(id);
      if (record) {
        e.party = id;
        for (ShortPayer& sp : e.short_payers) sp.party = model_id(sp.party);
        events.push_back({e.date, describe(e, id_names)});
        defaults.push_back(e);
      }
    }
    n_obligations = 0;
    return true;
  }

  // The exposure analysis' schedule: every obligation paid in full, nobody defaults.
  void pay_everything(const ClearingInput& in) {
    size_t m_ = in.obligations.size();
    cr.paid.assign(m_, 0.0);
    cr.cash.assign(in.cash.begin(), in.cash.end());
    cr.credit.assign(in.credit.begin(), in.credit.end());
    cr.debt.assign(in.debt.begin(), in.debt.end());
    for (auto* v : {&cr.owed, &cr.paid_out, &cr.received, &cr.credit_drawn, &cr.default_cost}) v->assign(size_t(n), 0.0);
    cr.insolvent.assign(size_t(n), 0);
    cr.defaults.clear();
    cr.world_received = cr.world_paid = 0;
    for (size_t k = 0; k < m_; ++k) {
      const Obligation& o = in.obligations[k];
      cr.paid[k] = o.amount;
      if (o.from != kWorld) {
        cr.cash[size_t(o.from)] -= o.amount;
        cr.owed[size_t(o.from)] += o.amount;
        cr.paid_out[size_t(o.from)] += o.amount;
      } else {
        cr.world_paid += o.amount;
      }
      if (o.to != kWorld) {
        cr.cash[size_t(o.to)] += o.amount;
        cr.received[size_t(o.to)] += o.amount;
      } else {
        cr.world_received += o.amount;
      }
    }
  }

  double total_cash() {
    double s = 0;
    for (int i = 1; i <= n; ++i) s += slot(i, 0);
    return s;
  }

  std::vector<double> cash_now() {
    std::vector<double> c(static_cast<size_t>(n), 0.0);
    for (int i = 0; i < n; ++i) c[size_t(i)] = slot(i + 1, 0);
    return c;
  }

  void check_ledger() {
    if (auto problem = conservation.check(cash_now(), ledger, step, cal.step_start(step), names))
      fail("ledger check failed: " + *problem);
  }

  // Steps 4–5 (and 6's clearing): clear, run `on default` clauses, repeat while they
  // create obligations or defaults. Each party defaults at most once, so this ends.
  void settle() {
    for (int round = 0;; ++round) {
      if (round > 2 * n + 4) return fail("internal error: clearing did not settle");
      bool cleared = clearing_round();
      if (ctx.status) return;
      if (newly_defaulted.empty()) {
        if (!cleared) return;
        continue;
      }
      std::vector<int> pending;
      pending.swap(newly_defaulted);
      for (int p : pending) {
        // A defaulted issuer's stakes are lost by their holders.
        holdings.remove_issuer(p - 1);
        double before = opts.check_ledger ? total_cash() : 0;
        borrowed_in_phase = 0;
        m.on_default(S.data(), &ctx, p);
        if (opts.check_ledger) conservation.adjust(total_cash() - before - borrowed_in_phase);
        if (ctx.status) return;
      }
    }
  }

  void valuation() {
    m.values(S.data(), &ctx, values.data());
    for (int i = 0; i < n; ++i) defaulted[size_t(i)] = slot(i + 1, 3) != 0;
    try {
      value_equity(std::span<const double>(values).subspan(1), holdings, defaulted, equity, vws, names);
    } catch (const std::exception& e) {
      return fail(fmt::format("valuation failed on {}: {}", date_text(), e.what()));
    }
    for (int i = 0; i < n; ++i) slot(i + 1, 5) = equity[size_t(i)];
  }

  // Runs a generated phase. Cash it changes directly (a shock's `N3.cash -= $94B`) is an
  // adjustment the conservation check accounts for; `borrow` is in the ledger already.
  bool phase(PhaseFn f) {
    double before = opts.check_ledger ? total_cash() : 0;
    borrowed_in_phase = 0;
    f(S.data(), &ctx);
    if (opts.check_ledger) conservation.adjust(total_cash() - before - borrowed_in_phase);
    return ctx.status == 0;
  }

  void set_step(int k) {
    step = k;
    Date s = cal.step_start(k), e = cal.step_end(k);
    step_date = s;
    ctx.step_start = month_number(s);
    ctx.step_end = month_number(e);
    ctx.dt = cal.dt();
    ctx.step_index = k;
    ctx.period_flags = (cal.starts_month(k) ? kStartsMonth : 0) | (cal.starts_quarter(k) ? kStartsQuarter : 0) |
                       (cal.starts_year(k) ? kStartsYear : 0);
    flows_stale = true;
  }

  // Runs the path; `on_step(k)` records after each step's valuation.
  template <class Record>
  void run(const double* overrides, Record on_step) {
    ctx.param_overrides = overrides;
    set_step(0);
    sc.init(S.data(), &ctx);
    if (ctx.status) return;
    no_default_dates();
    conservation.start(cash_now());
    valuation();
    if (ctx.status) return;
    for (int i = 1; i <= n; ++i) equity_start[size_t(i)] = slot(i, 5);
    for (int k = 0; k < cal.steps() && !ctx.status; ++k) {
      set_step(k);
      if (record && opts.cancelled && opts.cancelled()) return fail("the run was interrupted");
      if (k == 0 && opts.default_at_start) force_default(*opts.default_at_start);
      // 1. shocks' `at`, in apply order; 2. parties; 3. deals (the program's, then the
      // applied shocks' deals in apply order).
      for (int s : sc.shocks)
        if (!phase(m.shocks[size_t(s)].at)) return;
      if (!phase(m.parties_step) || !phase(m.deals_step)) return;
      for (int s : sc.shocks)
        if (!phase(m.shocks[size_t(s)].deals)) return;
      // 4–5. clearing and defaults.
      settle();
      if (ctx.status) return;
      // 6. triggers: deals' `when`, then shocks' `when`; then what they created is cleared.
      if (!phase(m.deal_triggers)) return;
      for (int s : sc.shocks)
        if (!phase(m.shocks[size_t(s)].deal_triggers)) return;
      for (int s : sc.shocks)
        if (!phase(m.shocks[size_t(s)].triggers)) return;
      settle();
      if (ctx.status) return;
      // 7. valuation and recording.
      valuation();
      if (ctx.status) return;
      if (opts.check_ledger) check_ledger();
      if (ctx.status) return;
      on_step(k);
    }
  }
};

// ------------------------------------------------------------------ Monte Carlo

// What one path hands to the aggregation, per party and for the ledger.
enum PartyField { kCash, kDebt, kEquity, kEquityStart, kDefaultStep, kDefaultDate, kPartyFields };
enum LedgerField { kRows, kDue, kPaid, kCreditDrawn, kDefaultCosts, kBorrowed, kLedgerFields };

// A block of consecutive paths run by one worker, waiting to be folded in path order.
struct Block {
  long long first = 0, count = 0;
  std::vector<double> tracks;   // [path in block][track][step]
  std::vector<double> parties;  // [path in block][party rt index][PartyField]
  std::vector<double> ledger;   // [path in block][LedgerField]
  long long failed_path = -1;   // the first path of the block that failed, if any
  std::string error;
  bool ready = false;
};

// Folds per-path results into the statistics. add() must see the paths in path order:
// then every sum, count and sketch is the same whatever the number of threads.
class Aggregator {
 public:
  Aggregator(size_t tracks, size_t steps, size_t parties, long long paths, bool exact)
      : nt_(tracks), steps_(steps), n_(parties), paths_(paths), exact_(exact) {
    size_t stats = nt_ * steps_ + n_;  // tracked values, then each party's loss
    track_sum_.resize(nt_ * steps_);
    track_count_.assign(nt_ * steps_, 0);
    party_sum_.resize(n_ * 5);
    default_count_.assign(n_, 0);
    default_step_sum_.resize(n_);
    default_date_sum_.resize(n_);
    if (exact_) values_.assign(stats, std::vector<double>(size_t(paths_)));
    else sketches_.assign(stats, QuantileSketch());
  }

  void add(const Block& b) {
    const size_t nts = nt_ * steps_;
    for (long long i = 0; i < b.count; ++i) {
      long long path = b.first + i;
      const double* tv = b.tracks.data() + size_t(i) * nts;
      for (size_t s = 0; s < nts; ++s) {
        double v = tv[s];
        if (!std::isnan(v)) {
          track_sum_[s].add(v);
          ++track_count_[s];
        }
        put(s, path, v);
      }
      const double* pv = b.parties.data() + size_t(i) * n_ * kPartyFields;
      for (size_t p = 0; p < n_; ++p) {
        const double* f = pv + p * kPartyFields;
        double loss = f[kEquityStart] - f[kEquity];
        party_sum_[p * 5 + 0].add(f[kCash]);
        party_sum_[p * 5 + 1].add(f[kDebt]);
        party_sum_[p * 5 + 2].add(f[kEquity]);
        party_sum_[p * 5 + 3].add(f[kEquityStart]);
        party_sum_[p * 5 + 4].add(loss);
        put(nts + p, path, loss);
        if (f[kDefaultStep] >= 0) {
          ++default_count_[p];
          default_step_sum_[p].add(f[kDefaultStep]);
          default_date_sum_[p].add(f[kDefaultDate]);
        }
      }
      const double* lv = b.ledger.data() + size_t(i) * kLedgerFields;
      rows_ += (long long)lv[kRows];
      for (int k = kDue; k < kLedgerFields; ++k) ledger_sum_[k].add(lv[k]);
    }
  }

  // Means, default statistics and percentiles into r; `threads` sort the exact samples.
  void finish(RunResult& r, int threads) {
    const size_t nts = nt_ * steps_, stats = nts + n_;
    const double np = double(paths_);
    std::vector<Summary> summary(stats);
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t k; (k = next.fetch_add(1)) < stats;) {
        if (exact_) {
          summary[k] = summarize_exact(values_[k]);
          std::vector<double>().swap(values_[k]);
        } else {
          summary[k] = summarize(sketches_[k], 0.0);
        }
      }
    };
    run_workers(std::max(1, std::min<int>(threads, int(stats))), work);
    for (size_t t = 0; t < nt_; ++t) {
      SeriesOutcome& so = r.series[t];
      for (size_t k = 0; k < steps_; ++k) {
        size_t s = t * steps_ + k;
        const Summary& q = summary[s];
        so.mean.push_back(track_count_[s] ? track_sum_[s].value() / double(track_count_[s]) : kNaN);
        so.p5.push_back(q.p5);
        so.p25.push_back(q.p25);
        so.p50.push_back(q.p50);
        so.p75.push_back(q.p75);
        so.p95.push_back(q.p95);
      }
    }
    for (size_t p = 0; p < n_; ++p) {
      PartyOutcome& o = r.parties[p];
      o.cash = party_sum_[p * 5 + 0].value() / np;
      o.debt = party_sum_[p * 5 + 1].value() / np;
      o.equity = party_sum_[p * 5 + 2].value() / np;
      o.equity_start = party_sum_[p * 5 + 3].value() / np;
      o.loss = summary[nts + p];
      o.loss.mean = party_sum_[p * 5 + 4].value() / np;
      o.default_probability = double(default_count_[p]) / np;
      if (default_count_[p] > 0) {
        double c = double(default_count_[p]);
        o.mean_default_step = default_step_sum_[p].value() / c;
        o.mean_default_date = from_ticks(default_date_sum_[p].value() / c * double(kTicksPerMonth));
      }
    }
    r.ledger.rows = (rows_ + paths_ / 2) / paths_;
    r.ledger.due = ledger_sum_[kDue].value() / np;
    r.ledger.paid = ledger_sum_[kPaid].value() / np;
    r.ledger.credit_drawn = ledger_sum_[kCreditDrawn].value() / np;
    r.ledger.default_costs = ledger_sum_[kDefaultCosts].value() / np;
    r.ledger.borrowed = ledger_sum_[kBorrowed].value() / np;
    r.percentiles.exact = true;
    r.percentiles.rank_error = 0;
    for (const QuantileSketch& q : sketches_) {
      if (!q.exact()) r.percentiles.exact = false;
      r.percentiles.rank_error = std::max(r.percentiles.rank_error, q.rank_error());
    }
  }

  // Runs `work` on `threads` threads (the calling thread is one of them) and waits.
  template <class Work>
  static void run_workers(int threads, Work& work) {
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
  }

 private:
  void put(size_t stat, long long path, double v) {
    if (exact_) values_[stat][size_t(path)] = v;
    else sketches_[stat].add(v);
  }

  size_t nt_, steps_, n_;
  long long paths_;
  bool exact_;
  std::vector<CompensatedSum> track_sum_;
  std::vector<long long> track_count_;
  std::vector<CompensatedSum> party_sum_;  // per party: cash, debt, equity, equity_start, loss
  std::vector<long long> default_count_;
  std::vector<CompensatedSum> default_step_sum_, default_date_sum_;
  long long rows_ = 0;
  CompensatedSum ledger_sum_[kLedgerFields];
  std::vector<std::vector<double>> values_;  // exact: [statistic][path]
  std::vector<QuantileSketch> sketches_;     // streaming: per statistic
};

// Copies one finished path's outcome into its slots of a block.
void record_path(PathRun& run, Block& blk, long long i) {
  const int n = run.n;
  double* pv = blk.parties.data() + size_t(i) * size_t(n) * kPartyFields;
  for (int p = 1; p <= n; ++p) {
    double* f = pv + size_t(p - 1) * kPartyFields;
    f[kCash] = run.slot(p, 0);
    f[kDebt] = run.slot(p, 1);
    f[kEquity] = run.slot(p, 5);
    f[kEquityStart] = run.equity_start[size_t(p)];
    int ds = run.default_step[size_t(p)];
    f[kDefaultStep] = ds;
    f[kDefaultDate] = ds >= 0 ? run.slot(p, 4) : 0.0;
  }
  double* lv = blk.ledger.data() + size_t(i) * kLedgerFields;
  PathRun::Tally lt = run.totals();
  lv[kRows] = double(lt.rows);
  lv[kDue] = lt.due;
  lv[kPaid] = lt.paid;
  lv[kCreditDrawn] = lt.credit_drawn;
  lv[kDefaultCosts] = lt.default_costs;
  lv[kBorrowed] = lt.borrowed;
}

int default_threads() {
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : int(hw);
}

}  // namespace

RunResult run_scenario(const Model& model, int scenario, const RunOptions& options) {
  const ModelScenario& sc = model.scenarios.at(size_t(scenario));
  Calendar cal(model.first, model.last, model.step);
  if (sc.horizon) cal = cal.with_horizon(*sc.horizon);
  long long paths = options.paths.value_or(sc.paths);
  unsigned long long seed = options.seed.value_or(sc.seed);
  if (paths < 1) throw RunError("the number of paths must be at least 1");

  // Host overrides by param index (NaN: none).
  std::vector<double> overrides;
  if (!options.params.empty()) {
    overrides.assign(model.params.size(), kNaN);
    for (const auto& [name, value] : options.params) {
      int i = model.find_param(name);
      if (i < 0) throw RunError(fmt::format("no param named '{}'", name));
      overrides[size_t(i)] = value;
    }
  }
  const double* ov = overrides.empty() ? nullptr : overrides.data();

  RunResult r;
  r.scenario = sc.name;
  r.paths = paths;
  r.seed = seed;
  for (int k = 0; k < cal.steps(); ++k) r.dates.push_back(cal.step_start(k));
  const size_t steps = size_t(cal.steps()), nt = sc.tracks.size(), n = model.parties.size() - 1;
  for (const ModelTrack& t : sc.tracks) {
    SeriesOutcome so;
    so.label = t.label;
    so.kind = t.kind;
    so.unit = t.unit;
    r.series.push_back(std::move(so));
  }
  for (size_t p = 1; p < model.parties.size(); ++p) {
    PartyOutcome po;
    po.name = model.parties[p].name;
    po.kind = model.parties[p].kind;
    r.parties.push_back(std::move(po));
  }

  if (paths == 1) {
    // A single path keeps everything: events, default causes, ledger rows, flows.
    PathRun run(model, sc, options, cal, seed, 0, true);
    std::vector<double> track_out(std::max<size_t>(1, nt));
    run.run(ov, [&](int) {
      sc.track(run.S.data(), &run.ctx, track_out.data());
      for (size_t t = 0; t < nt; ++t) r.series[t].values.push_back(track_out[t]);
    });
    if (run.ctx.status) throw RunError(run.error.empty() ? "the run failed" : run.error);
    for (size_t p = 1; p <= n; ++p) {
      PartyOutcome& o = r.parties[p - 1];
      o.cash = run.slot(int(p), 0);
      o.debt = run.slot(int(p), 1);
      o.equity = run.slot(int(p), 5);
      o.equity_start = run.equity_start[p];
      double loss = o.equity_start - o.equity;
      o.loss = Summary{loss, loss, loss, loss, loss, loss, 1};
      if (run.default_step[p] >= 0) {
        o.default_probability = 1;
        o.defaulted = true;
        o.default_date = cal.step_start(run.default_step[p]);
        o.mean_default_step = run.default_step[p];
        o.mean_default_date = o.default_date;
      }
    }
    LedgerTotals lt = run.ledger.contractual();
    r.ledger.rows = lt.rows;
    r.ledger.due = lt.due;
    r.ledger.paid = lt.paid;
    r.ledger.credit_drawn = run.ledger.credit_drawn();
    r.ledger.default_costs = run.ledger.default_costs();
    r.ledger.borrowed = run.ledger.borrowed();
    r.defaults = std::move(run.defaults);
    r.events = std::move(run.events);
    auto rows = run.ledger.rows();
    r.ledger_rows.assign(rows.begin(), rows.end());
    // Model ids (World 0) from the ledger's matrix (World last).
    auto fm = run.ledger.flow_matrix();
    size_t np = model.parties.size();
    r.flows.assign(np, std::vector<double>(np, 0.0));
    auto to_id = [&](size_t i) { return i == np - 1 ? 0 : i + 1; };
    for (size_t i = 0; i < np; ++i)
      for (size_t j = 0; j < np; ++j) r.flows[to_id(i)][to_id(j)] = fm.empty() ? 0 : fm[i * np + j];
    return r;
  }

  // Monte Carlo. Paths are cut into blocks of consecutive paths; workers take blocks in
  // order, and a finished block is folded into the statistics as soon as every block
  // before it has been (at most `window` blocks are in flight, which bounds memory).
  const size_t nts = nt * steps;
  const size_t per_path = nts + n * kPartyFields + kLedgerFields;
  int threads = options.threads > 0 ? options.threads : default_threads();
  long long block_size = (paths + threads * 16LL - 1) / (threads * 16LL);
  block_size = std::clamp<long long>(block_size, 1, 256);
  block_size = std::max<long long>(1, std::min<long long>(block_size, (long long)((4u << 20) / per_path)));
  const long long blocks = (paths + block_size - 1) / block_size;
  threads = int(std::max<long long>(1, std::min<long long>(threads, blocks)));
  r.threads = threads;
  const long long window = 4LL * threads;

  const long long values_needed = (long long)(nts + n) * paths;
  Aggregator agg(nt, steps, n, paths, values_needed <= options.exact_statistics_limit);

  std::vector<Block> ring(size_t(std::min(window, blocks)));
  std::mutex mu;
  std::condition_variable cv;
  long long next_block = 0, merged = 0;
  int workers_done = 0;
  bool stop = false;
  long long failed_path = -1;
  std::string failure;
  std::atomic<long long> done_paths{0};

  auto worker = [&] {
    try {
      PathRun run(model, sc, options, cal, seed, 0, false);
      std::vector<double> track_out(std::max<size_t>(1, nt));
      for (;;) {
        long long b;
        {
          std::unique_lock lk(mu);
          cv.wait(lk, [&] { return stop || next_block >= blocks || next_block < merged + window; });
          if (stop || next_block >= blocks) break;
          b = next_block++;
        }
        Block& blk = ring[size_t(b % window)];
        blk.first = b * block_size;
        blk.count = std::min(block_size, paths - blk.first);
        blk.tracks.resize(size_t(blk.count) * nts);
        blk.parties.resize(size_t(blk.count) * n * kPartyFields);
        blk.ledger.resize(size_t(blk.count) * kLedgerFields);
        blk.failed_path = -1;
        blk.error.clear();
        for (long long i = 0; i < blk.count; ++i) {
          long long path = blk.first + i;
          if (options.cancelled && options.cancelled()) {
            blk.failed_path = path;
            blk.error = "the run was interrupted";
            blk.count = i;
            break;
          }
          run.reset(seed, path);
          double* tv = blk.tracks.data() + size_t(i) * nts;
          run.run(ov, [&](int k) {
            sc.track(run.S.data(), &run.ctx, track_out.data());
            for (size_t t = 0; t < nt; ++t) tv[t * steps + size_t(k)] = track_out[t];
          });
          if (run.ctx.status) {
            blk.failed_path = path;
            blk.error = run.error.empty() ? "the run failed" : run.error;
            blk.count = i;
            break;
          }
          record_path(run, blk, i);
          done_paths.fetch_add(1, std::memory_order_relaxed);
        }
        std::lock_guard lk(mu);
        blk.ready = true;
        // Fold every block that is next in path order.
        while (!stop && merged < blocks && ring[size_t(merged % window)].ready) {
          Block& m = ring[size_t(merged % window)];
          agg.add(m);
          m.ready = false;
          if (m.failed_path >= 0) {
            failed_path = m.failed_path;
            failure = std::move(m.error);
            stop = true;
          }
          ++merged;
        }
        cv.notify_all();
      }
    } catch (const std::exception& e) {
      std::lock_guard lk(mu);
      if (!stop) failure = fmt::format("internal error in a Monte Carlo worker: {}", e.what());
      stop = true;
    }
    std::lock_guard lk(mu);
    ++workers_done;
    cv.notify_all();
  };

  std::vector<std::thread> pool;
  pool.reserve(size_t(threads));
  for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
  {
    // The calling thread waits, reporting progress every 100 ms (workers' notifications
    // wake it more often; those only end the wait when the last worker is done).
    using clock = std::chrono::steady_clock;
    auto next_report = clock::now() + std::chrono::milliseconds(100);
    std::unique_lock lk(mu);
    while (workers_done < threads) {
      if (cv.wait_until(lk, next_report, [&] { return workers_done >= threads; })) break;
      next_report += std::chrono::milliseconds(100);
      if (options.progress) {
        lk.unlock();
        options.progress(done_paths.load(std::memory_order_relaxed), paths);
        lk.lock();
      }
    }
  }
  for (auto& t : pool) t.join();
  if (options.progress) options.progress(done_paths.load(), paths);
  if (stop) {
    if (failed_path >= 0)
      throw RunError(fmt::format("{}\n    (Monte Carlo path {} of {}, counting from 0, seed {})", failure, failed_path,
                                 paths, seed));
    throw RunError(failure.empty() ? "the run failed" : failure);
  }
  agg.finish(r, threads);
  return r;
}

}  // namespace deal::rt

// ---------------------------------------------------------------------------------
// The entry points generated code calls. noexcept: nothing unwinds through JIT frames.

namespace {
deal::rt::PathRun& run_of(deal::rt::StepCtx* c) { return *static_cast<deal::rt::PathRun*>(c->path); }
}  // namespace

extern "C" {
void deal_rt_pay(deal::rt::StepCtx* c, int32_t from, int32_t to, double amount, double priority, int32_t deal) noexcept {
  run_of(c).pay(from, to, amount, priority, deal);
}
void deal_rt_own(deal::rt::StepCtx* c, int32_t holder, int32_t issuer, double stake) noexcept {
  run_of(c).own(holder, issuer, stake, false);
}
void deal_rt_sell(deal::rt::StepCtx* c, int32_t holder, int32_t issuer, double stake) noexcept {
  run_of(c).own(holder, issuer, stake, true);
}
void deal_rt_borrow(deal::rt::StepCtx* c, int32_t party, double amount) noexcept { run_of(c).borrow(party, amount); }
void deal_rt_default(deal::rt::StepCtx* c, int32_t party) noexcept { run_of(c).force_default(party); }
void deal_rt_emit(deal::rt::StepCtx* c, int32_t id, const double* values) noexcept {
  try {
    run_of(c).emit(id, values);
  } catch (...) {
    run_of(c).fail("internal error while formatting an `emit` line");
  }
}
void deal_rt_nonfinite(deal::rt::StepCtx* c, int32_t site, double value) noexcept { run_of(c).nonfinite(site, value); }
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
double deal_rt_date_of(deal::rt::StepCtx* c, double step) noexcept {
  auto& r = run_of(c);
  int k = int(std::lround(step));
  if (k < 0 || k > r.cal.steps()) {
    r.fail(fmt::format("date_of({}): the calendar has steps 0 to {}", k, r.cal.steps() - 1));
    return 0;
  }
  return deal::rt::month_number(r.cal.step_start(k));
}
double deal_rt_host(deal::rt::StepCtx* c, int32_t fn, const double* args, int32_t n) noexcept {
  try {
    return run_of(c).host(fn, args, n);
  } catch (const std::exception& e) {
    run_of(c).fail(fmt::format("a host function threw: {}", e.what()));
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
