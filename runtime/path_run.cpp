#include "runtime/path_run.hpp"

#include <algorithm>
#include <exception>

#include "runtime/format.hpp"

namespace deal::rt {

PathRun::PathRun(const Model& model, const ModelScenario& scenario, const RunOptions& options, const Calendar& calendar,
                 unsigned long long seed, long long path, bool keep)
    : m(model),
      sc(scenario),
      opts(options),
      cal(calendar),
      n(int(model.parties.size()) - 1),
      record(keep),
      S(size_t(model.slot_count), 0.0),
      rng(seed, uint64_t(path)),
      holdings(int(model.parties.size()) - 1),
      ledger(int(model.parties.size()) - 1, LedgerOptions{keep && options.keep_ledger_rows, keep}),
      step_pairs(int(model.parties.size())),
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
  default_event.assign(model.parties.size(), -1);
  status.assign(model.parties.size(), kLive);
  holders_at_default.resize(model.parties.size());
  precut.assign(size_t(n), 0);
  liquidation_values.assign(model.parties.size(), 0.0);
  claims_total.assign(model.parties.size(), 0.0);
  recovered_total.assign(model.parties.size(), 0.0);
  equity_start.assign(model.parties.size(), 0.0);
  for (int i = 1; i <= n; ++i) names.push_back(model.parties[size_t(i)].name);
  for (const ModelParty& p : model.parties) id_names.push_back(p.name);
  for (const ModelParty& p : model.parties) party_base.push_back(p.base);
  slot_party.assign(size_t(model.slot_count), -1);
  for (size_t id = 1; id < model.parties.size(); ++id) slot_party.at(size_t(model.parties[id].base)) = int(id);
  for (const ModelDeal& d : model.deals) deal_base.push_back(d.base);
  party_deals.resize(model.parties.size());
  for (size_t d = 0; d < model.deals.size(); ++d)
    for (int p : model.deals[d].parties)
      if (p > 0 && size_t(p) < party_deals.size() &&
          (party_deals[size_t(p)].empty() || party_deals[size_t(p)].back() != int(d)))
        party_deals[size_t(p)].push_back(int(d));
  hits.assign(model.deals.size(), 0);
  obligation_buffer.resize(64);
  bind_obligations();
}

void PathRun::no_default_dates() {
  for (int p = 1; p <= n; ++p) slot(p, 4) = kNaN;
}

void PathRun::reset(unsigned long long seed, long long path) {
  std::fill(S.begin(), S.end(), 0.0);
  ctx = StepCtx{};
  ctx.path = this;
  bind_obligations();
  rng = RandomStream(seed, uint64_t(path));
  step = 0;
  error.clear();
  n_obligations = 0;
  newly_defaulted.clear();
  holdings.clear();
  ledger.reset();
  tally = Tally{};
  conservation = ConservationCheck{};
  flows_stale = true;
  std::fill(step_in.begin(), step_in.end(), 0.0);
  std::fill(step_out.begin(), step_out.end(), 0.0);
  step_pairs.clear();
  defaults.clear();
  events.clear();
  std::fill(default_step.begin(), default_step.end(), -1);
  std::fill(default_event.begin(), default_event.end(), -1);
  std::fill(status.begin(), status.end(), kLive);
  for (auto& h : holders_at_default) h.clear();
  filed.clear();
  estates.clear();
  first_claim = SIZE_MAX;
  std::fill(precut.begin(), precut.end(), 0);
  std::fill(claims_total.begin(), claims_total.end(), 0.0);
  std::fill(recovered_total.begin(), recovered_total.end(), 0.0);
  std::fill(equity_start.begin(), equity_start.end(), 0.0);
}

PathRun::Tally PathRun::totals() const {
  if (!use_ledger) return tally;
  Tally t;
  LedgerTotals c = ledger.contractual();
  t.rows = c.rows;
  t.due = c.due;
  t.paid = c.paid;
  t.credit_drawn = ledger.credit_drawn();
  t.default_costs = ledger.default_costs();
  t.borrowed = ledger.borrowed();
  t.claims = ledger.totals(FlowKind::Claim).due;
  t.recovered = ledger.totals(FlowKind::Claim).paid;
  t.liquidation = ledger.totals(FlowKind::Liquidation).paid;
  t.surplus = ledger.totals(FlowKind::Surplus).paid;
  return t;
}

void PathRun::fail(std::string message) {
  if (error.empty()) error = std::move(message);
  ctx.status = 1;
}

std::string PathRun::date_text() const { return format_date(cal.step_start(step)); }

void PathRun::fail_at(int site, const std::string& what, const std::string& why) {
  if (!error.empty()) return;
  std::string when = fmt::format("on {} (step {}){}{}", date_text(), step + 1, why.empty() ? "" : ": ", why);
  if (site < 0 || size_t(site) >= m.sites.size()) return fail(fmt::format("error: {} {}", what, when));
  const SiteInfo& s = m.sites[size_t(site)];
  fail(fmt::format("{}: error: {} {}{}{}", s.location, what, when, s.snippet.empty() ? "" : "\n", s.snippet));
}

// ------------------------------------------------------------------ entry points

void PathRun::grow_obligations() {
  obligation_buffer.resize(2 * obligation_buffer.size());
  bind_obligations();
}

namespace {
// A value as a message shows it: NaN and the infinities by name, numbers as %g.
std::string shown(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+infinity" : "-infinity";
  return fmt::format("{:g}", v);
}
}  // namespace

void PathRun::bad_payment(int from, int to, double amount, int deal, int site) {
  if (from < 0 || from > n || to < 0 || to > n) return fail("internal error: party id out of range in pay()");
  // The exposure analysis' run (pay_in_full) lets cash go negative, which can drive a
  // model's formulas (min(x, cash), …) below zero: there a negative amount is no obligation.
  if (opts.pay_in_full && amount < 0 && std::isfinite(amount)) return;
  std::string who = deal >= 0 ? fmt::format("deal '{}'", m.deals[size_t(deal)].name) : std::string("a party or shock");
  fail_at(site,
          fmt::format("{} tried to pay {} from {} to {}", who, shown(amount), m.parties[size_t(from)].name,
                      m.parties[size_t(to)].name),
          "an amount must be finite and not negative");
}

void PathRun::bad_priority(double priority, int site) {
  fail_at(site, fmt::format("a priority of {}", shown(priority)),
          fmt::format("a priority must be a whole number from 0 to {:g}", kMaxPriority));
}

void PathRun::own(int holder, int issuer, double stake, bool sell, int site) {
  const char* verb = sell ? "sell" : "own";
  if (holder < 0 || holder > n || issuer < 0 || issuer > n)
    return fail("internal error: party id out of range in own()");
  if (holder == issuer)
    return fail_at(site, fmt::format("{0}({1}, {1}, …)", verb, m.parties[size_t(holder)].name),
                   "a party cannot hold a stake in itself");
  if (!(stake >= 0) || stake == kInfinity)
    return fail_at(site, fmt::format("{} of a stake of {}", verb, shown(stake)),
                   "a stake must be a finite fraction from 0% to 100%");
  // World holds what no party does: owning from or of World moves nothing (documented).
  if (holder == 0 || issuer == 0) return;
  if (sell) {
    double held = holdings.stake(holder - 1, issuer - 1);
    if (stake > held + Holdings::kStakeTol)
      return fail_at(site,
                     fmt::format("{} sells {:g}% of {}", m.parties[size_t(holder)].name, 100 * stake,
                                 m.parties[size_t(issuer)].name),
                     fmt::format("it holds {:g}%", 100 * held));
  } else {
    // The stakes in one issuer never sum past 100% (LANGUAGE.md §6.4).
    double held = holdings.held_in(issuer - 1) + stake;
    if (held > 1 + Holdings::kStakeTol)
      return fail_at(site,
                     fmt::format("the stakes in {} would sum to {:g}%", m.parties[size_t(issuer)].name, 100 * held),
                     "the stakes in one party sum to at most 100%");
  }
  try {
    if (sell) holdings.sell(holder - 1, issuer - 1, stake);
    else holdings.own(holder - 1, issuer - 1, stake);
  } catch (const std::exception& e) {
    fail_at(site, fmt::format("{}: {}", verb, e.what()));
  }
}

double PathRun::date_of(double k, int site) {
  if (!(k >= 0 && k <= cal.steps()) || double(int(k)) != k) {
    fail_at(site, fmt::format("date_of({})", shown(k)),
            fmt::format("a step is a whole number from 0 to {} (the end of the calendar)", cal.steps()));
    return kNaN;
  }
  return month_number(cal.step_start(int(k)));
}

void PathRun::bad_value(int site, int what, double v) {
  switch (what) {
    case kNotADate:
      return fail_at(site, "this date is NaN", "the clause could never run");
    case kNotADuration:
      return fail_at(site, "this duration is NaN", "the clause could never run");
    case kNegativeLiquidation: {
      std::string name = site >= 0 && size_t(site) < m.sites.size() ? m.sites[size_t(site)].name : "liquidation";
      return fail_at(site, fmt::format("state '{}' became negative ({})", name, format_quantity(v, "$")),
                     "what a party's other assets fetch is at least $0");
    }
    case kNegativeMoney: {
      std::string name = site >= 0 && size_t(site) < m.sites.size() ? m.sites[size_t(site)].name : "a party's money";
      return fail_at(site, fmt::format("state '{}' became negative ({})", name, format_quantity(v, "$")),
                     "cash, debt and credit are never negative (money moves only through pay and borrow)");
    }
    default:
      return fail_at(site, fmt::format("bad value {}", shown(v)));
  }
}

void PathRun::bad_track(size_t t) {
  const ModelTrack& tr = sc.tracks[t];
  fail_at(tr.site, fmt::format("track '{}' is NaN", tr.label));
}

void PathRun::borrow(int party, double amount, int site) {
  if (party == 0) return fail_at(site, "borrow(World, …)", "World lends; it cannot borrow");
  if (is_defaulted(party)) return;
  if (!(amount >= 0) || amount == kInfinity)
    return fail_at(site, fmt::format("{} cannot borrow {}", m.parties[size_t(party)].name, shown(amount)),
                   "an amount must be finite and not negative");
  slot(party, 0) += amount;
  slot(party, 1) += amount;
  if (use_ledger) ledger.record_borrow(step, party - 1, amount);
  else tally.borrowed += amount;
}

void PathRun::mark_defaulted(int party) {
  slot(party, 3) = 1;
  slot(party, 4) = ctx.step_start;
  default_step[size_t(party)] = step;
  status[size_t(party)] = kAwaiting;
  newly_defaulted.push_back(party);
}

void PathRun::claim(int debtor, int creditor, double amount, double priority, int deal, int site) {
  if (debtor <= 0 || debtor > n || creditor < 0 || creditor > n)
    return fail("internal error: party id out of range in claim()");
  if (!(amount >= 0) || amount == kInfinity)
    return fail_at(site,
                   fmt::format("a claim of {} by {} against {}",
                               std::isfinite(amount) ? format_quantity(amount, "$") : shown(amount),
                               m.parties[size_t(creditor)].name, m.parties[size_t(debtor)].name),
                   "a claim must be finite and not negative");
  if (!(priority >= 0 && priority <= kMaxPriority) || double(int(priority)) != priority)
    return bad_priority(priority, site);
  if (creditor == debtor)
    return fail_at(site, fmt::format("{} files a claim against itself", m.parties[size_t(debtor)].name),
                   "a claim is the creditor's, against the defaulted party");
  // Claims are filed while the debtor's `on default` clauses run, before its estate forms.
  if (status[size_t(debtor)] != kAwaiting || amount == 0) return;
  filed.push_back({debtor, creditor, deal, int(priority), amount});
}

void PathRun::issue(int issuer, int holder, double stake, int site) {
  if (holder < 0 || holder > n || issuer < 0 || issuer > n)
    return fail("internal error: party id out of range in issue()");
  if (!(stake >= 0 && stake < 1))
    return fail_at(site,
                   fmt::format("{} issues a stake of {} to {}", m.parties[size_t(issuer)].name,
                               std::isfinite(stake) ? fmt::format("{:g}%", 100 * stake) : shown(stake),
                               m.parties[size_t(holder)].name),
                   "a new stake is a fraction from 0% up to, but not including, 100%");
  if (holder == issuer && issuer != 0)
    return fail_at(site, fmt::format("issue({0}, {0}, …)", m.parties[size_t(issuer)].name),
                   "a party cannot issue shares to itself");
  // World's equity is not modelled: issuing its shares changes nothing.
  if (issuer == 0) return;
  try {
    holdings.issue(issuer - 1, holder - 1, stake);  // holder World: −1, dilution only
  } catch (const std::exception& e) {
    fail_at(site, fmt::format("issue: {}", e.what()));
  }
}

void PathRun::start_resolution(std::span<const int> parties) {
  if (m.liquidations) {
    std::fill(liquidation_values.begin(), liquidation_values.end(), 0.0);
    m.liquidations(S.data(), &ctx, liquidation_values.data());
    if (ctx.status) return;
  }
  first_claim = n_obligations;
  for (int p : parties) {
    Estate e;
    e.party = p;
    e.holders.swap(holders_at_default[size_t(p)]);
    Resolution& r = e.resolution;
    // Finite and not negative: the generated code checks it at its line (stopping the run).
    double liquidation = liquidation_values[size_t(p)];
    if (liquidation > 0) {
      slot(p, 0) += liquidation;
      if (use_ledger)
        ledger.append(LedgerRow{step, -1, kWorld, p - 1, 0, FlowKind::Liquidation, liquidation, liquidation});
    }
    r.liquidation = liquidation;
    r.estate = std::max(0.0, slot(p, 0));
    // Rogers–Veraart: only alpha of the estate is available; the rest is a default cost.
    double cost = (1 - sc.alpha) * r.estate;
    if (cost > 0) {
      slot(p, 0) -= cost;
      r.default_cost = cost;
      if (use_ledger) ledger.append(LedgerRow{step, -1, p - 1, kWorld, 0, FlowKind::DefaultCost, cost, cost});
      else tally.default_costs += cost;
    }
    slot(p, 2) = 0;  // an undrawn credit line is withdrawn: the estate is what the party has
    precut[size_t(p - 1)] = 1;
    status[size_t(p)] = kResolved;
    e.claims_begin = n_obligations;
    for (const FiledClaim& c : filed) {
      if (c.debtor != p) continue;
      if (n_obligations == obligation_buffer.size()) grow_obligations();
      Obligation& o = obligation_buffer[n_obligations++];
      o.from = p - 1;
      o.to = rt_index(c.creditor);
      o.priority = c.priority;
      o.deal = c.deal;
      o.amount = c.amount;
    }
    e.claims_end = n_obligations;
    estates.push_back(std::move(e));
  }
  filed.clear();
  // The surplus is paid in the same round, as the estates' most junior obligations: to the
  // holders of stakes in proportion to their stakes and the unheld rest to World. So an
  // estate that holds a stake in another one resolved at this point pays its own creditors
  // from that surplus before its holders see any (absolute priority), and what is left of
  // an estate after its claims goes out pro rata. Each row is as large as any estate's
  // funds could be in this round — all the estates' cash plus every amount due in it — so
  // the estate is short on them and pays out everything it has left.
  double bound = 0;
  for (const Estate& e : estates) bound += std::max(0.0, slot(e.party, 0));
  for (size_t k = 0; k < n_obligations; ++k) bound += obligation_buffer[k].amount;
  first_surplus = n_obligations;
  if (!(bound > 0)) return;
  bound *= 2;
  auto junior = [&](int from, int to, double amount) {
    if (!(amount > 0)) return;
    if (n_obligations == obligation_buffer.size()) grow_obligations();
    Obligation& o = obligation_buffer[n_obligations++];
    o.from = from - 1;
    o.to = rt_index(to);
    o.priority = kSurplusPriority;
    o.deal = -1;
    o.amount = amount;
  };
  for (Estate& e : estates) {
    e.surplus_begin = n_obligations;
    double held = 0;
    for (auto [holder, stake] : e.holders) {
      junior(e.party, holder, stake * bound);
      held += stake;
    }
    junior(e.party, 0, std::max(0.0, 1 - held) * bound);
    e.surplus_end = n_obligations;
  }
}

void PathRun::finish_resolution() {
  for (Estate& e : estates) {
    const int p = e.party;
    Resolution& r = e.resolution;
    for (size_t k = e.claims_begin; k < e.claims_end; ++k) {
      const Obligation& o = obligation_buffer[k];
      double got = cr.paid[k];  // claims were in the round, so it was cleared
      r.claims += o.amount;
      r.recovered += got;
      if (!record) continue;
      Claimant c{model_id(o.to), o.deal, o.priority, o.amount, got};
      auto same = std::find_if(r.claimants.begin(), r.claimants.end(), [&](const Claimant& x) {
        return x.party == c.party && x.deal == c.deal && x.priority == c.priority;
      });
      if (same == r.claimants.end()) {
        r.claimants.push_back(c);
      } else {
        same->claim += c.claim;
        same->recovered += c.recovered;
      }
    }
    // The surplus went out in the round, as the estate's most junior obligations (start_resolution).
    double surplus = 0, to_holders = 0;
    for (size_t k = e.surplus_begin; k < e.surplus_end; ++k) {
      surplus += cr.paid[k];
      if (obligation_buffer[k].to != kWorld) to_holders += cr.paid[k];
    }
    slot(p, 0) = 0;  // (what rounding leaves of the estate)
    r.surplus = surplus;
    r.surplus_to_holders = to_holders;
    r.done = true;
    precut[size_t(p - 1)] = 0;
    claims_total[size_t(p)] += r.claims;
    recovered_total[size_t(p)] += r.recovered;
    if (!use_ledger) {
      tally.claims += r.claims;
      tally.recovered += r.recovered;
      tally.liquidation += r.liquidation;
      tally.surplus += surplus;
    }
    if (record && default_event[size_t(p)] >= 0) {
      std::stable_sort(r.claimants.begin(), r.claimants.end(),
                       [](const Claimant& a, const Claimant& b) { return a.claim > b.claim; });
      defaults[size_t(default_event[size_t(p)])].resolution = std::move(r);
    }
  }
  estates.clear();
  first_claim = first_surplus = SIZE_MAX;
}

void PathRun::force_default(int party) {
  if (party <= 0 || party > n || is_defaulted(party)) return;
  mark_defaulted(party);
  if (record) {
    DefaultEvent e = forced_default(party, step, cal.step_start(step));
    events.push_back({e.date, fmt::format("{} defaulted on {}: forced by `default(…)`", m.parties[size_t(party)].name,
                                          format_date(e.date))});
    default_event[size_t(party)] = int(defaults.size());
    defaults.push_back(std::move(e));
  }
}

void PathRun::emit(int id, const double* vals) {
  if (!record) return;
  const EmitInfo& info = m.emits.at(size_t(id));
  std::string text = info.pieces.empty() ? "" : info.pieces[0];
  for (size_t i = 0; i < info.kinds.size(); ++i) {
    double v = vals[i];
    switch (info.kinds[i]) {
      case ValueKind::Bool:
        text += v != 0 ? "true" : "false";
        break;
      case ValueKind::Date:
        if (!std::isfinite(v)) {
          text += "none";  // no date: the default date of a party that did not default
        } else {
          try {
            text += format_date_compact(from_ticks(v * double(kTicksPerMonth)));
          } catch (const std::exception&) {
            return fail_at(info.site, fmt::format("an `emit` line shows a date in the year {:.0f}", std::floor(v / 12)),
                           "a date lies in the years 1 to 9999");
          }
        }
        break;
      case ValueKind::Party:
        text += m.parties.at(size_t(v)).name;
        break;
      case ValueKind::Deal:
        text += m.deals.at(size_t(v)).name;
        break;
      default:
        text += format_quantity(v, info.units[i]);
    }
    if (i + 1 < info.pieces.size()) text += info.pieces[i + 1];
  }
  events.push_back({cal.step_start(step), text});
}

void PathRun::nonfinite(int site, double v) {
  std::string name = site >= 0 && size_t(site) < m.sites.size() ? m.sites[size_t(site)].name : "?";
  fail_at(site, fmt::format("state '{}' became {}", name, shown(v)));
}

double PathRun::bad_draw(int kind, double a, double b, double c) {
  std::string call;
  const char* why = "";
  switch (kind) {
    case kNormal:
      call = fmt::format("normal({}, {})", a, b);
      why = "the mean must be finite and the standard deviation finite and not negative";
      break;
    case kLognormal:
      call = fmt::format("lognormal({}, {}, {})", a, b, c);
      why = "mu and the scale must be finite and sigma finite and not negative";
      break;
    case kUniform:
      call = fmt::format("uniform({}, {})", a, b);
      why = "the bounds must be finite with lo ≤ hi";
      break;
    case kTriangular:
      call = fmt::format("triangular({}, {}, {})", a, b, c);
      why = "the arguments must be finite with lo ≤ mode ≤ hi";
      break;
    case kBernoulli:
      call = fmt::format("bernoulli({})", a);
      why = "the probability must be between 0 and 1";
      break;
    default:
      call = fmt::format("draw of kind {}", kind);
      why = "unknown distribution";
  }
  fail(fmt::format("{} on {}: {}", call, date_text(), why));
  return kNaN;
}

double PathRun::host(int fn, const double* args, int count, int site) {
  if (fn < 0 || size_t(fn) >= opts.host_functions.size() || !opts.host_functions[size_t(fn)]) {
    std::string name = fn >= 0 && size_t(fn) < m.extern_fns.size() ? m.extern_fns[size_t(fn)] : "?";
    fail_at(site, fmt::format("extern fn '{}' has no host function bound", name), "bind it through the embedding API");
    return kNaN;
  }
  return opts.host_functions[size_t(fn)](args, count);
}

// ------------------------------------------------------------------ the step

bool PathRun::clear_covered() {
  sums_at_full = false;
  if (use_ledger || opts.pay_in_full || !estates.empty() || first_claim != SIZE_MAX) return false;
  // Options clear() would reject are its error to report too.
  if (!(sc.alpha >= 0.0 && sc.alpha <= 1.0 && sc.beta >= 0.0 && sc.beta <= 1.0)) return false;
  // Dues and receipts at full payment, summed in obligation order as clear()'s prepare()
  // sums them. Every row was checked by pay(): parties in range, amounts finite, ≥ 0.
  due_at_full.assign(size_t(n), 0.0);
  received_at_full.assign(size_t(n), 0.0);
  double* P = due_at_full.data();
  double* R = received_at_full.data();
  const Obligation* ob = obligation_buffer.data();
  for (size_t k = 0; k < n_obligations; ++k) {
    if (ob[k].from >= 0) P[ob[k].from] += ob[k].amount;
    if (ob[k].to >= 0) R[ob[k].to] += ob[k].amount;
  }
  const double* s = S.data();
  const int* base = party_base.data() + 1;  // rt index → first slot
  bool covered = true;
  for (int j = 0; j < n; ++j) {
    const double* p = s + base[j];
    // A non-finite balance is clear()'s error to report. (A finite sum has finite terms:
    // NaN and infinities survive addition; a sum that overflows only sends the round to
    // clear(), which is right either way.)
    if (!std::isfinite(p[0] + p[1] + p[2])) return false;
    covered &= !clearing::short_at_full(clearing::funds(p[0], p[2]), R[j], P[j]);
  }
  // Someone is short: clear() takes these sums rather than making the same pass again
  // (every balance is finite and every row was checked by pay()).
  if (!covered) {
    sums_at_full = true;
    return false;
  }
  // Everyone pays in full: nobody is insolvent, so there are no default costs.
  tally.rows += (long long)n_obligations;
  for (int j = 0; j < n; ++j) {
    double* p = S.data() + base[j];
    const clearing::Balances b = clearing::settle(p[0], p[2], p[1], R[j], P[j], 0.0);
    p[0] = b.cash;
    p[1] = b.debt;
    p[2] = b.credit;
    tally.credit_drawn += b.drawn;
    tally.default_costs += 0.0;  // as clear()'s default_cost of 0 is added
  }
  return true;
}

bool PathRun::clearing_round() {
  if (n_obligations == 0) return false;
  if (clear_covered()) {
    record_paid(true);
    n_obligations = 0;
    return true;
  }
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
  if (!estates.empty()) in.precut = precut;
  in.options.alpha = sc.alpha;
  in.options.beta = sc.beta;
  in.options.short_payers = record;  // only a recorded path describes its defaults' causes
  if (sums_at_full) {
    in.due_at_full = due_at_full;
    in.received_at_full = received_at_full;
  }
  in.step = step;
  in.date = step_date;
  try {
    if (opts.pay_in_full) pay_everything(in);
    else if (empty_estates_only()) pay_nothing(in);
    else clear(in, ws, cr);
  } catch (const std::exception& e) {
    fail(fmt::format("clearing failed on {}: {}", date_text(), e.what()));
    return false;
  }
  // The rows from first_claim on are estates' claims (§6.6), not obligations of contracts:
  // they count in no deal's paid/due, no flow and no contractual total.
  const size_t contractual = std::min(first_claim, n_obligations);
  if (use_ledger) {
    ledger.record(in, cr, first_claim, first_surplus);
  } else {
    tally.rows += (long long)contractual;
    for (int i = 0; i < n; ++i) {
      tally.credit_drawn += cr.credit_drawn[size_t(i)];
      tally.default_costs += cr.default_cost[size_t(i)];
    }
  }
  for (int i = 0; i < n; ++i) {
    slot(i + 1, 0) = cr.cash[size_t(i)];
    slot(i + 1, 1) = cr.debt[size_t(i)];
    slot(i + 1, 2) = cr.credit[size_t(i)];
  }
  record_paid(false);
  if (opts.check_ledger) check_ledger();
  // An estate's surplus rows are no debts: a holder that defaults in this round is not
  // "short because" the estate did not pay it the (notional) size of those rows.
  if (first_surplus < n_obligations && !cr.defaults.empty()) drop_surplus_from_causes();
  for (DefaultEvent& e : cr.defaults) {
    int id = model_id(e.party);
    mark_defaulted(id);
    if (record) {
      e.party = id;
      for (ShortPayer& sp : e.short_payers) sp.party = model_id(sp.party);
      events.push_back({e.date, describe(e, id_names)});
      default_event[size_t(id)] = int(defaults.size());
      defaults.push_back(e);
    }
  }
  // What a party left unpaid in the round it defaulted in (or the first round after it was
  // forced into default) is a claim on its estate, at its own priority and for its own
  // creditor (§6.6, 1). Rounding residues are not claims. The parties awaiting resolution
  // are those in newly_defaulted, so most rounds skip the scan.
  for (size_t k = 0; k < (newly_defaulted.empty() ? 0 : contractual); ++k) {
    const Obligation& o = obligation_buffer[k];
    if (o.from == kWorld || status[size_t(o.from + 1)] != kAwaiting) continue;
    double unpaid = o.amount - cr.paid[k];
    if (unpaid > 1e-9 * o.amount + 1e-6) filed.push_back({o.from + 1, model_id(o.to), o.deal, o.priority, unpaid});
  }
  n_obligations = 0;
  return true;
}

namespace {
// record_paid's loop, for each way of adding the pair sums (none, the dense table's
// writer, the table itself). Sums are kept in locals and arrays reached through plain
// pointers: the same additions in the same order, without the compiler storing and
// reloading them around every store into S.
template <class Pairs>
void record_loop(const Obligation* ob, size_t count, const double* paid_of, double* s, const int* deal_base, double* in,
                 double* out, double& due, double& paid_total, Pairs pairs) {
  double d = due, p = paid_total;
  for (size_t k = 0; k < count; ++k) {
    const Obligation& o = ob[k];
    const double paid = paid_of ? paid_of[k] : o.amount;
    const int from = o.from + 1, to = o.to + 1;  // model ids
    if (o.deal >= 0) {
      s[deal_base[o.deal] + 1] += paid;
      s[deal_base[o.deal] + 2] += o.amount;
    }
    d += o.amount;
    p += paid;
    in[to] += paid;
    out[from] += paid;
    pairs(to, from, paid);
  }
  due = d;
  paid_total = p;
}
}  // namespace

void PathRun::record_paid(bool in_full) {
  if (flows_stale) {
    std::fill(step_in.begin(), step_in.end(), 0.0);
    std::fill(step_out.begin(), step_out.end(), 0.0);
    step_pairs.clear();
    flows_stale = false;
  }
  const size_t contractual = std::min(first_claim, n_obligations);
  const double* paid_of = in_full ? nullptr : cr.paid.data();
  auto run = [&](auto pairs) {
    record_loop(obligation_buffer.data(), contractual, paid_of, S.data(), deal_base.data(), step_in.data(),
                step_out.data(), tally.due, tally.paid, pairs);
  };
  if (!m.pair_flows) run([](int, int, double) {});
  else if (step_pairs.dense()) run([w = step_pairs.dense_writer()](int to, int from, double v) { w.add(to, from, v); });
  else run([this](int to, int from, double v) { step_pairs.add(to, from, v); });
}

void PathRun::drop_surplus_from_causes() {
  for (size_t k = first_surplus; k < n_obligations; ++k) {
    const Obligation& o = obligation_buffer[k];
    for (DefaultEvent& e : cr.defaults) {
      if (e.party != o.to) continue;
      for (ShortPayer& sp : e.short_payers)
        if (sp.party == o.from) sp.owed -= o.amount, sp.paid -= cr.paid[k];
    }
  }
  for (DefaultEvent& e : cr.defaults)
    std::erase_if(e.short_payers, [tol = ClearingOptions{}.default_tolerance](const ShortPayer& s) {
      return !(s.paid < s.owed - tol);  // collect_defaults' rule, with the round's tolerance
    });
}

bool PathRun::empty_estates_only() const {
  // The usual estate round after defaults in clearing: the defaulted parties paid all they
  // had, there is no liquidation value and nothing else is due at this point.
  if (estates.empty() || first_claim != 0) return false;
  for (const Estate& e : estates)
    if (S[size_t(party_base[size_t(e.party)])] > 0) return false;
  return true;
}

void PathRun::pay_nothing(const ClearingInput& in) {
  cr.paid.assign(in.obligations.size(), 0.0);
  cr.cash.assign(in.cash.begin(), in.cash.end());
  cr.credit.assign(in.credit.begin(), in.credit.end());
  cr.debt.assign(in.debt.begin(), in.debt.end());
  cr.owed.assign(size_t(n), 0.0);
  for (const Obligation& o : in.obligations)
    if (o.from >= 0) cr.owed[size_t(o.from)] += o.amount;
  for (auto* v : {&cr.paid_out, &cr.received, &cr.credit_drawn, &cr.default_cost}) v->assign(size_t(n), 0.0);
  cr.insolvent.assign(size_t(n), 0);
  cr.defaults.clear();  // estates cannot default again, and nobody else owes anything
  cr.world_received = cr.world_paid = 0;
}

void PathRun::pay_everything(const ClearingInput& in) {
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

double PathRun::total_cash() {
  double s = 0;
  for (int i = 1; i <= n; ++i) s += slot(i, 0);
  return s;
}

std::vector<double> PathRun::cash_now() {
  std::vector<double> c(static_cast<size_t>(n), 0.0);
  for (int i = 0; i < n; ++i) c[size_t(i)] = slot(i + 1, 0);
  return c;
}

void PathRun::check_ledger() {
  if (auto problem = conservation.check(cash_now(), ledger, step, cal.step_start(step), names))
    fail("ledger check failed: " + *problem);
}

void PathRun::settle() {
  // Each party defaults at most once and each default adds at most two rounds (its
  // `on default` clauses' obligations, then its estate's), so this ends.
  for (int round = 0;; ++round) {
    if (round > 3 * n + 4) return fail("internal error: clearing did not settle");
    bool cleared = clearing_round();
    if (ctx.status) return;
    bool resolved = !estates.empty();
    if (resolved) finish_resolution();
    if (newly_defaulted.empty()) {
      if (!cleared && !resolved) return;
      continue;
    }
    std::vector<int> pending;
    pending.swap(newly_defaulted);
    // Parties that default at one point are handled together: a deal naming two of them
    // runs its `on default` clause for each, even when the first one's ends it (a creditor
    // and its debtor defaulting together: the debtor's clause still files its claim). Such
    // deals, if alive when the point began, are revived for each party; a deal any of them
    // ended stays ended.
    shared.clear();
    if (pending.size() > 1) {
      for (int p : pending)
        for (int d : party_deals[size_t(p)])
          if (++hits[size_t(d)] == 2 && S[size_t(deal_base[size_t(d)])] != 0) shared.push_back(d);
      for (int p : pending)
        for (int d : party_deals[size_t(p)]) hits[size_t(d)] = 0;
      ended.assign(shared.size(), 0);
    }
    for (int p : pending) {
      for (int d : shared) S[size_t(deal_base[size_t(d)])] = 1.0;
      // A defaulted issuer's stakes are lost by their holders; they share only in a
      // surplus of its estate, so who held what is kept until it is resolved.
      auto& holders = holders_at_default[size_t(p)];
      holders.clear();
      for (const Holdings::Entry& h : holdings.entries())
        if (h.issuer == p - 1) holders.emplace_back(h.holder + 1, h.stake);
      holdings.remove_issuer(p - 1);
      m.on_default(S.data(), &ctx, p);
      if (ctx.status) return;
      for (size_t k = 0; k < shared.size(); ++k)
        if (S[size_t(deal_base[size_t(shared[k])])] == 0) ended[k] = 1;
    }
    for (size_t k = 0; k < shared.size(); ++k)
      if (ended[k]) S[size_t(deal_base[size_t(shared[k])])] = 0;
    start_resolution(pending);
    if (ctx.status) return;
  }
}

void PathRun::valuation() {
  m.values(S.data(), &ctx, values.data());
  // Without holdings there is no system to solve: equity is the value, 0 for the
  // defaulted (value_equity's own rule), written straight into S. A non-finite value
  // goes to value_equity for its message; the ledger's runs (--check-ledger, single
  // paths) keep the general code, which the tests compare this with.
  if (holdings.empty() && !use_ledger) {
    const double* v = values.data() + 1;
    double* s = S.data();
    const int* base = party_base.data() + 1;
    bool finite = true;
    for (int i = 0; i < n; ++i) finite &= std::isfinite(v[i]);
    if (finite) {
      for (int i = 0; i < n; ++i) s[base[i] + 5] = s[base[i] + 3] != 0 ? 0.0 : v[i];
      return;
    }
  }
  for (int i = 0; i < n; ++i) defaulted[size_t(i)] = slot(i + 1, 3) != 0;
  try {
    value_equity(std::span<const double>(values).subspan(1), holdings, defaulted, equity, vws, names);
  } catch (const std::exception& e) {
    return fail(fmt::format("valuation failed on {}: {}", date_text(), e.what()));
  }
  for (int i = 0; i < n; ++i) slot(i + 1, 5) = equity[size_t(i)];
}

bool PathRun::phase(PhaseFn f) {
  f(S.data(), &ctx);
  return ctx.status == 0;
}

void PathRun::cash_written(int slot, double before, double after) {
  // A NaN or negative value has already stopped the run (deal_rt_nonfinite, bad_value).
  if (!std::isfinite(after) || !std::isfinite(before) || after == before) return;
  int party = slot_party.at(size_t(slot));
  if (use_ledger) ledger.record_adjustment(step, party - 1, after - before);
}

void PathRun::set_step(int k) {
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

void PathRun::step_loop(const double* overrides, StepHook on_step) {
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
    on_step.call(on_step.context, k);
  }
}

}  // namespace deal::rt
