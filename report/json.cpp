#include <nlohmann/json.hpp>

#include "report/format.hpp"
#include "report/analyses.hpp"
#include "report/report.hpp"

namespace deal::report {

namespace {

using nlohmann::json;

json value_json(double v, rt::ValueKind kind) {
  switch (kind) {
    case rt::ValueKind::Bool:
      return v != 0;
    case rt::ValueKind::Date:
      if (!std::isfinite(v)) return json();
      try {
        return rt::format_date(rt::from_ticks(v * double(rt::kTicksPerMonth)));
      } catch (const std::exception&) {
        return json();  // outside the years 1..9999
      }
    default:
      return std::isfinite(v) ? json(v) : json();
  }
}

json series_json(const std::vector<double>& v, rt::ValueKind kind) {
  json a = json::array();
  for (double x : v) a.push_back(value_json(x, kind));
  return a;
}

json to_json(const rt::RunResult& r, const rt::Model& m) {
  json j;
  j["scenario"] = r.scenario;
  j["paths"] = r.paths;
  j["seed"] = r.seed;
  json dates = json::array();
  for (const rt::Date& d : r.dates) dates.push_back(rt::format_date(d));
  j["dates"] = dates;
  bool single = r.paths == 1;

  json parties = json::object();
  for (const rt::PartyOutcome& p : r.parties) {
    json o;
    o["kind"] = p.kind;
    o["final"] = {{"cash", p.cash}, {"debt", p.debt}, {"equity", p.equity}};
    if (single) {
      o["defaulted"] = p.defaulted;
      o["default_date"] = p.default_date ? json(rt::format_date(*p.default_date)) : json();
    }
    o["default_probability"] = p.default_probability;
    o["recovery_rate"] = p.recovery_rate ? json(*p.recovery_rate) : json();
    if (!single) {
      // Monte Carlo (docs/language.md §12): the mean default date over the paths in which
      // the party defaults, and the distribution of the equity it loses over the horizon.
      o["mean_default_date"] = p.mean_default_date ? json(rt::format_date(*p.mean_default_date)) : json();
      auto num = [](double v) { return std::isfinite(v) ? json(v) : json(); };
      o["loss"] = {{"start_equity", num(p.equity_start)},
                   {"mean", num(p.loss.mean)},
                   {"p5", num(p.loss.p5)},
                   {"p25", num(p.loss.p25)},
                   {"p50", num(p.loss.p50)},
                   {"p75", num(p.loss.p75)},
                   {"p95", num(p.loss.p95)}};
    }
    parties[p.name] = o;
  }
  j["parties"] = parties;

  json defaults = json::array();
  for (const rt::DefaultEvent& e : r.defaults) {
    json d;
    d["party"] = m.parties.at(size_t(e.party)).name;
    d["date"] = rt::format_date(e.date);
    d["cause"] = e.cause == rt::DefaultCause::Forced ? "forced" : "shortfall";
    d["owed"] = e.owed;
    d["paid"] = e.paid;
    json sp = json::array();
    for (const rt::ShortPayer& s : e.short_payers)
      sp.push_back({{"party", m.parties.at(size_t(s.party)).name}, {"owed", s.owed}, {"paid", s.paid}});
    d["short_payers"] = sp;
    // LANGUAGE.md §6.6 and §7.1: how the default was resolved.
    const rt::Resolution& res = e.resolution;
    d["estate"] = res.estate;
    d["liquidation"] = res.liquidation;
    d["claims"] = res.claims;
    d["recovered"] = res.recovered;
    d["recovery_rate"] = res.recovery_rate();
    json claimants = json::array();
    for (const rt::Claimant& c : res.claimants)
      claimants.push_back({{"party", m.parties.at(size_t(c.party)).name},
                           {"deal", c.deal >= 0 ? json(m.deals.at(size_t(c.deal)).name) : json()},
                           {"priority", c.priority},
                           {"claim", c.claim},
                           {"recovered", c.recovered}});
    d["claimants"] = claimants;
    d["surplus"] = res.surplus;
    d["default_costs"] = res.default_cost;
    defaults.push_back(d);
  }
  j["defaults"] = defaults;

  json series = json::object();
  for (const rt::SeriesOutcome& s : r.series) {
    if (single) {
      series[s.label] = series_json(s.values, s.kind);
    } else {
      rt::ValueKind k = s.kind == rt::ValueKind::Bool ? rt::ValueKind::Number : s.kind;
      series[s.label] = {{"mean", series_json(s.mean, k)}, {"p5", series_json(s.p5, k)},
                         {"p25", series_json(s.p25, k)},   {"p50", series_json(s.p50, k)},
                         {"p75", series_json(s.p75, k)},   {"p95", series_json(s.p95, k)}};
    }
  }
  j["series"] = series;
  if (!single) {
    // How the percentiles were computed: exactly, or by streaming sketches whose values are
    // within a relative error of relative_error of the exact percentile's order statistics
    // (the largest over the run's statistics; 1e-12 absolute near zero).
    if (r.percentiles.exact) j["percentiles"] = {{"method", "exact"}};
    else j["percentiles"] = {{"method", "sketch"}, {"relative_error", r.percentiles.relative_error}};
  }
  j["ledger"] = {{"rows", r.ledger.rows},
                 {"due", r.ledger.due},
                 {"paid", r.ledger.paid},
                 {"credit_drawn", r.ledger.credit_drawn},
                 {"default_costs", r.ledger.default_costs},
                 {"borrowed", r.ledger.borrowed},
                 {"claims", r.ledger.claims},
                 {"recovered", r.ledger.recovered},
                 {"liquidation", r.ledger.liquidation},
                 {"surplus", r.ledger.surplus}};
  json events = json::array();
  for (const rt::EventLine& e : r.events) events.push_back({{"date", rt::format_date(e.date)}, {"text", e.text}});
  j["events"] = events;
  if (r.analyses) j["analyses"] = analyses_json(*r.analyses, m);
  return j;
}

}  // namespace

std::string json_text(const rt::RunResult& r, const rt::Model& m) { return to_json(r, m).dump(1) + "\n"; }

std::string json_text(const std::vector<rt::RunResult>& rs, const rt::Model& m) {
  json a = json::array();
  for (const auto& r : rs) a.push_back(to_json(r, m));
  return a.dump(1) + "\n";
}

}  // namespace deal::report
