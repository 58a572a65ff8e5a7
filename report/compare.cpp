#include "report/compare.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/format.hpp"
#include "report/resolution.hpp"
#include "runtime/defaults.hpp"

namespace deal::report {

namespace {

using json = nlohmann::ordered_json;

DefaultSide default_side(const rt::RunResult& r, const rt::Model& m, const std::string& party) {
  DefaultSide s;
  for (const auto& p : r.parties)
    if (p.name == party) {
      s.defaulted = r.paths == 1 ? p.defaulted : p.default_probability > 0;
      s.date = r.paths == 1 ? p.default_date : p.mean_default_date;
      s.probability = p.default_probability;
    }
  // The cause is the event log's line of its default.
  for (const auto& e : r.events) {
    const rt::DefaultEvent* d = default_of_event(r, m, e);
    if (d && m.parties.at(size_t(d->party)).name == party) {
      s.cause = e.text;
      break;
    }
  }
  return s;
}

bool same_default(const DefaultSide& a, const DefaultSide& b) {
  return a.defaulted == b.defaulted && a.date == b.date && a.probability == b.probability;
}

const rt::PartyOutcome* find_party(const rt::RunResult& r, const std::string& name) {
  for (const auto& p : r.parties)
    if (p.name == name) return &p;
  return nullptr;
}

const rt::SeriesOutcome* find_series(const rt::RunResult& r, const std::string& label) {
  for (const auto& s : r.series)
    if (s.label == label) return &s;
  return nullptr;
}

const std::vector<double>& values_of(const rt::RunResult& r, const rt::SeriesOutcome& s) {
  return r.paths == 1 ? s.values : s.mean;
}

rt::Date step_end(const Comparison& c, size_t k) {
  return k + 1 < c.dates.size() ? c.dates[k + 1] : rt::add_months(c.dates[k], rt::months_per_step(c.step));
}

// A difference b − a of a series' values in its own terms: money and rates with their
// unit, dates in months, Bools as a plain number (−1, 0, 1).
std::string difference_text(double d, const SeriesDifference& s) {
  if (s.kind == rt::ValueKind::Date) return fmt::format("{:+.1f} months", d);
  if (s.kind == rt::ValueKind::Bool) return fmt::format("{:+g}", d);
  std::string t = with_unit(d, s.unit);
  return d > 0 ? "+" + t : t;
}

std::string delta_money(double d) { return d > 0 ? "+" + money(d) : d == 0 ? "0" : money(d); }

std::string default_text(const DefaultSide& s, bool single, rt::StepUnit step) {
  if (!single) return fmt::format("{:.1f}%", 100 * s.probability);
  return s.date ? step_label(*s.date, step) : "survives";
}

json side_json(const DefaultSide& s, bool single) {
  json j;
  j["defaulted"] = s.defaulted;
  j["date"] = s.date ? json(rt::format_date(*s.date)) : json(nullptr);
  if (single) j["cause"] = s.cause.empty() ? json(nullptr) : json(s.cause);
  j["probability"] = s.probability;
  return j;
}

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

Comparison compare_results(const rt::Model& m, CompareSide a, CompareSide b) {
  Comparison c;
  c.a = std::move(a);
  c.b = std::move(b);
  c.step = m.step;
  c.dates = c.a.result.dates;
  const rt::RunResult& ra = c.a.result;
  const rt::RunResult& rb = c.b.result;
  for (const auto& pa : ra.parties) {
    const rt::PartyOutcome* pb = find_party(rb, pa.name);
    if (!pb) continue;
    DefaultSide da = default_side(ra, m, pa.name), db = default_side(rb, m, pa.name);
    if (!same_default(da, db)) c.defaults.push_back({pa.name, da, db});
    c.parties.push_back({pa.name, pa.cash, pb->cash, pa.debt, pb->debt, pa.equity, pb->equity, pa.default_probability,
                         pb->default_probability, pa.recovery_rate, pb->recovery_rate});
  }
  for (const auto& sa : ra.series) {
    const rt::SeriesOutcome* sb = find_series(rb, sa.label);
    if (!sb) {
      c.only_a.push_back(sa.label);
      continue;
    }
    c.series.push_back({sa.label, sa.unit, sa.kind, values_of(ra, sa), values_of(rb, *sb)});
  }
  for (const auto& sb : rb.series)
    if (!find_series(ra, sb.label)) c.only_b.push_back(sb.label);
  return c;
}

std::string compare_table(const Comparison& c, bool color) {
  std::string bold = color ? "\033[1m" : "", off = color ? "\033[0m" : "";
  const rt::RunResult& ra = c.a.result;
  bool single = ra.paths == 1 && c.b.result.paths == 1;
  std::string out = fmt::format("{}Compare{} {} (a) with {} (b) — {}\n", bold, off, c.a.label, c.b.label,
                                single ? std::string("1 path each")
                                       : fmt::format("{} paths, seed {} (common random numbers)", ra.paths, ra.seed));

  out += fmt::format("\n{}Defaults that differ{}\n", bold, off);
  if (c.defaults.empty()) out += "  none: the same parties default on the same dates\n";
  else {
    std::vector<std::vector<std::string>> rows = {
        {"party", single ? "a" : "P(default) a", single ? "b" : "P(default) b"}};
    for (const auto& d : c.defaults)
      rows.push_back({d.party, default_text(d.a, single, c.step), default_text(d.b, single, c.step)});
    out += text_table(rows);
    // The causes, as the event log words them.
    for (const auto& d : c.defaults) {
      if (!d.a.cause.empty()) out += fmt::format("  a: {}\n", d.a.cause);
      if (!d.b.cause.empty()) out += fmt::format("  b: {}\n", d.b.cause);
    }
  }

  out +=
      fmt::format("\n{}Parties{} (end of the last step{}; Δ = b − a)\n", bold, off, single ? "" : ", means over paths");
  std::vector<std::vector<std::string>> rows = {
      {"party", "cash a", "cash b", "Δ cash", "debt Δ", "equity a", "equity b", "Δ equity"}};
  for (const auto& p : c.parties)
    rows.push_back({p.party, money(p.cash_a), money(p.cash_b), delta_money(p.cash_b - p.cash_a),
                    delta_money(p.debt_b - p.debt_a), money(p.equity_a), money(p.equity_b),
                    delta_money(p.equity_b - p.equity_a)});
  out += text_table(rows);

  out += fmt::format("\n{}Tracked series{} ({}; Δ = b − a)\n", bold, off, single ? "values" : "means over paths");
  if (c.series.empty()) out += "  none tracked on both sides\n";
  else {
    std::vector<std::vector<std::string>> srows = {{"series", "last a", "last b", "Δ last", "largest Δ", "at", "Δ"}};
    for (const auto& s : c.series) {
      size_t n = std::min(s.a.size(), s.b.size());
      std::vector<double> d(n);
      size_t at = 0;
      for (size_t k = 0; k < n; ++k) {
        d[k] = s.b[k] - s.a[k];
        if (std::fabs(d[k]) > std::fabs(d[at])) at = k;
      }
      if (n == 0) continue;
      srows.push_back({s.label, value(s.a[n - 1], s.kind, s.unit), value(s.b[n - 1], s.kind, s.unit),
                       difference_text(d[n - 1], s), difference_text(d[at], s),
                       d[at] == 0 ? "—" : step_label(c.dates.at(at), c.step), sparkline(d)});
    }
    out += text_table(srows);
  }
  for (const auto& l : c.only_a) out += fmt::format("  {} is tracked only in a\n", l);
  for (const auto& l : c.only_b) out += fmt::format("  {} is tracked only in b\n", l);

  std::vector<std::vector<std::string>> rec = {{"party", "recovery a", "recovery b"}};
  auto pct = [](const std::optional<double>& v) { return v ? fmt::format("{:.0f}%", 100 * *v) : std::string("—"); };
  for (const auto& p : c.parties)
    if ((p.recovery_a || p.recovery_b) && p.recovery_a != p.recovery_b)
      rec.push_back({p.party, pct(p.recovery_a), pct(p.recovery_b)});
  out += fmt::format("\n{}Recoveries{} (its creditors' recovered / claims, where it defaulted)\n", bold, off);
  if (rec.size() == 1) out += "  no difference\n";
  else out += text_table(rec);
  return out;
}

std::string compare_json(const Comparison& c) {
  bool single = c.a.result.paths == 1 && c.b.result.paths == 1;
  json j;
  for (const auto* side : {&c.a, &c.b}) {
    json s;
    s["label"] = side->label;
    s["scenario"] = side->result.scenario;
    s["paths"] = side->result.paths;
    s["seed"] = side->result.seed;
    j[side == &c.a ? "a" : "b"] = s;
  }
  json dates = json::array();
  for (size_t k = 0; k < c.dates.size(); ++k) dates.push_back(rt::format_date(step_end(c, k)));
  j["dates"] = dates;  // the end of each step: the date of its tracked values
  j["defaults"] = json::array();
  for (const auto& d : c.defaults)
    j["defaults"].push_back({{"party", d.party}, {"a", side_json(d.a, single)}, {"b", side_json(d.b, single)}});
  j["parties"] = json::array();
  for (const auto& p : c.parties) {
    auto trio = [](double a, double b) { return json{{"a", a}, {"b", b}, {"difference", b - a}}; };
    j["parties"].push_back(
        {{"party", p.party},
         {"cash", trio(p.cash_a, p.cash_b)},
         {"debt", trio(p.debt_a, p.debt_b)},
         {"equity", trio(p.equity_a, p.equity_b)},
         {"default_probability", trio(p.probability_a, p.probability_b)},
         {"recovery_rate", {{"a", optional_number(p.recovery_a)}, {"b", optional_number(p.recovery_b)}}}});
  }
  j["series"] = json::array();
  for (const auto& s : c.series) {
    json a = json::array(), b = json::array(), d = json::array();
    for (size_t k = 0; k < std::min(s.a.size(), s.b.size()); ++k) {
      a.push_back(s.a[k]);
      b.push_back(s.b[k]);
      d.push_back(s.b[k] - s.a[k]);
    }
    j["series"].push_back({{"label", s.label}, {"unit", s.unit}, {"a", a}, {"b", b}, {"difference", d}});
  }
  j["only_a"] = c.only_a;
  j["only_b"] = c.only_b;
  return j.dump(1) + "\n";
}

std::string compare_csv(const Comparison& c) {
  std::string out = "series,step,start,date,unit,a,b,difference\n";
  for (const auto& s : c.series)
    for (size_t k = 0; k < std::min(s.a.size(), s.b.size()) && k < c.dates.size(); ++k)
      out += fmt::format("{},{},{},{},{},{},{},{}\n", csv_field(s.label), k, rt::format_date(c.dates[k]),
                         rt::format_date(step_end(c, k)), csv_field(s.unit), csv_number(s.a[k]), csv_number(s.b[k]),
                         csv_number(s.b[k] - s.a[k]));
  return out;
}

}  // namespace deal::report
