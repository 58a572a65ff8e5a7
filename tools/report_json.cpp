#include <nlohmann/json.hpp>

#include "tools/format.hpp"
#include "tools/report_analyses.hpp"
#include "tools/report.hpp"

namespace deal::cli {

namespace {

using nlohmann::json;

json value_json(double v, rt::ValueKind kind) {
  switch (kind) {
    case rt::ValueKind::Bool: return v != 0;
    case rt::ValueKind::Date: return std::isfinite(v) ? json(rt::format_date(rt::from_ticks(v * double(rt::kTicksPerMonth)))) : json();
    default: return std::isfinite(v) ? json(v) : json();
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
    if (!single) {
      o["mean_default_date"] = json();
      if (p.mean_default_step) {
        // The mean step as a date (interpolated between step starts).
        double k = *p.mean_default_step;
        int lo = int(k);
        if (lo + 1 < int(r.dates.size())) {
          double a = double(rt::to_ticks(r.dates[size_t(lo)])), b = double(rt::to_ticks(r.dates[size_t(lo + 1)]));
          o["mean_default_date"] = rt::format_date(rt::from_ticks(a + (b - a) * (k - lo)));
        } else if (lo < int(r.dates.size())) {
          o["mean_default_date"] = rt::format_date(r.dates[size_t(lo)]);
        }
      }
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
    defaults.push_back(d);
  }
  j["defaults"] = defaults;

  json series = json::object();
  for (const rt::SeriesOutcome& s : r.series) {
    if (single) {
      series[s.label] = series_json(s.values, s.kind);
    } else {
      rt::ValueKind k = s.kind == rt::ValueKind::Bool ? rt::ValueKind::Number : s.kind;
      series[s.label] = {{"mean", series_json(s.mean, k)}, {"p5", series_json(s.p5, k)},   {"p25", series_json(s.p25, k)},
                         {"p50", series_json(s.p50, k)},   {"p75", series_json(s.p75, k)}, {"p95", series_json(s.p95, k)}};
    }
  }
  j["series"] = series;
  j["ledger"] = {{"rows", r.ledger.rows},
                 {"due", r.ledger.due},
                 {"paid", r.ledger.paid},
                 {"credit_drawn", r.ledger.credit_drawn},
                 {"default_costs", r.ledger.default_costs},
                 {"borrowed", r.ledger.borrowed}};
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

}  // namespace deal::cli
