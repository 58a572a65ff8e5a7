#include <algorithm>

#include <fmt/format.h>

#include "tools/format.hpp"
#include "tools/report_analyses.hpp"
#include "tools/report.hpp"

namespace deal::cli {

std::string table_text(const rt::RunResult& r, const rt::Model& m, bool color) {
  std::string bold = color ? "\033[1m" : "", red = color ? "\033[31m" : "", off = color ? "\033[0m" : "";
  bool single = r.paths == 1;
  std::string out;
  std::string span = r.dates.empty() ? "" : fmt::format("{} … {}", step_label(r.dates.front(), m.step), step_label(r.dates.back(), m.step));
  const char* unit = m.step == rt::StepUnit::Month ? "monthly" : m.step == rt::StepUnit::Year ? "yearly" : "quarterly";
  out += fmt::format("{}Scenario {}{} — {} — {}, {}\n", bold, r.scenario, off,
                     single ? std::string("1 path") : fmt::format("{} paths, seed {}", r.paths, r.seed), span, unit);

  // Defaults.
  if (single) {
    out += fmt::format("\n{}Defaults{}\n", bold, off);
    if (r.defaults.empty()) out += "  none\n";
    for (const auto& e : r.events) {
      // Default lines carry their cause; emitted lines are listed under Events.
      bool is_default = std::any_of(r.defaults.begin(), r.defaults.end(), [&](const rt::DefaultEvent& d) {
        return e.text.rfind(m.parties.at(size_t(d.party)).name + " defaulted", 0) == 0 && d.date == e.date;
      });
      if (is_default) out += fmt::format("  {}{}{}  {}\n", red, step_label(e.date, m.step), off, e.text);
    }
  }

  // Parties.
  out += fmt::format("\n{}Parties{}{}\n", bold, off, single ? " (end of the last step)" : " (means over paths)");
  std::vector<std::vector<std::string>> rows = {{"party", "kind", "cash", "debt", "equity", single ? "default" : "P(default)"}};
  if (!single) rows[0].push_back("mean default");
  for (const auto& p : r.parties) {
    std::string d = single ? (p.default_date ? step_label(*p.default_date, m.step) : "—")
                           : fmt::format("{:.1f}%", p.default_probability * 100);
    rows.push_back({p.name, p.kind.empty() ? "" : p.kind, money(p.cash), money(p.debt), money(p.equity), d});
    if (!single) rows.back().push_back(p.mean_default_date ? rt::format_date(*p.mean_default_date) : "—");
  }
  out += text_table(rows);
  if (!single) {
    // Monte Carlo: the equity each party loses over the horizon (docs/language.md §12).
    out += fmt::format("\n{}Equity lost{} (equity at the start − at the end; negative: a gain)\n", bold, off);
    std::vector<std::vector<std::string>> lrows = {{"party", "at start", "mean", "5%", "median", "95%"}};
    for (const auto& p : r.parties)
      lrows.push_back({p.name, money(p.equity_start), money(p.loss.mean), money(p.loss.p5), money(p.loss.p50),
                       money(p.loss.p95)});
    out += text_table(lrows);
    if (!r.percentiles.exact)
      out += fmt::format("  percentiles by streaming sketch: rank within ±{:.2f}% of the exact ones\n",
                         r.percentiles.rank_error * 100);
  }

  // Series.
  if (!r.series.empty()) {
    out += fmt::format("\n{}Series{}{}\n", bold, off, single ? " (end of each step)" : " (median [5th – 95th percentile])");
    std::vector<std::vector<std::string>> srows;
    std::vector<std::string> head = {"date"};
    for (const auto& s : r.series) head.push_back(s.label);
    srows.push_back(head);
    for (size_t k = 0; k < r.dates.size(); ++k) {
      std::vector<std::string> row = {step_label(r.dates[k], m.step)};
      for (const auto& s : r.series) {
        if (single) row.push_back(k < s.values.size() ? value(s.values[k], s.kind, s.unit) : "");
        else if (k < s.p50.size()) {
          rt::ValueKind kind = s.kind == rt::ValueKind::Bool ? rt::ValueKind::Number : s.kind;
          row.push_back(fmt::format("{} [{} – {}]", value(s.p50[k], kind, s.unit), value(s.p5[k], kind, s.unit),
                                    value(s.p95[k], kind, s.unit)));
        }
      }
      srows.push_back(row);
    }
    std::vector<std::string> trend = {"trend"};
    for (const auto& s : r.series) trend.push_back(sparkline(single ? s.values : s.p50));
    srows.push_back(trend);
    out += text_table(srows);
  }

  // Events from `emit`.
  if (single) {
    std::vector<const rt::EventLine*> emitted;
    for (const auto& e : r.events) {
      bool is_default = std::any_of(r.defaults.begin(), r.defaults.end(), [&](const rt::DefaultEvent& d) {
        return e.text.rfind(m.parties.at(size_t(d.party)).name + " defaulted", 0) == 0 && d.date == e.date;
      });
      if (!is_default) emitted.push_back(&e);
    }
    if (!emitted.empty()) {
      out += fmt::format("\n{}Events{}\n", bold, off);
      for (const auto* e : emitted) out += fmt::format("  {}  {}\n", step_label(e->date, m.step), e->text);
    }
  }

  // Ledger.
  const auto& l = r.ledger;
  out += fmt::format("\n{}Ledger{}{}\n", bold, off, single ? "" : " (means over paths)");
  double share = l.due > 0 ? l.paid / l.due * 100 : 100;
  out += fmt::format("  {} obligations: {} due, {} paid ({:.1f}%)\n", l.rows, money(l.due), money(l.paid), share);
  out += fmt::format("  credit drawn {}, default costs {}, borrowed {}\n", money(l.credit_drawn), money(l.default_costs),
                     money(l.borrowed));
  if (r.analyses) out += analyses_table(*r.analyses, m, color);
  return out;
}

std::string series_csv(const std::vector<rt::RunResult>& rs) {
  std::string out = "scenario,date,series,value\n";
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  auto num = [](double v) { return std::isfinite(v) ? fmt::format("{:.17g}", v) : std::string(); };
  for (const auto& r : rs) {
    for (const auto& s : r.series) {
      auto emit = [&](const std::string& label, const std::vector<double>& v) {
        for (size_t k = 0; k < v.size() && k < r.dates.size(); ++k)
          out += fmt::format("{},{},{},{}\n", quote(r.scenario), rt::format_date(r.dates[k]), quote(label), num(v[k]));
      };
      if (r.paths == 1) {
        emit(s.label, s.values);
      } else {
        emit(s.label + "[mean]", s.mean);
        emit(s.label + "[p5]", s.p5);
        emit(s.label + "[p25]", s.p25);
        emit(s.label + "[p50]", s.p50);
        emit(s.label + "[p75]", s.p75);
        emit(s.label + "[p95]", s.p95);
      }
    }
  }
  return out;
}

std::string parties_csv(const std::vector<rt::RunResult>& rs) {
  std::string out =
      "scenario,party,kind,paths,cash,debt,equity,default_probability,default_date,equity_start,"
      "loss_mean,loss_p5,loss_p25,loss_p50,loss_p75,loss_p95\n";
  auto num = [](double v) { return std::isfinite(v) ? fmt::format("{:.17g}", v) : std::string(); };
  for (const auto& r : rs)
    for (const auto& p : r.parties)
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", r.scenario, p.name, p.kind, r.paths,
                         num(p.cash), num(p.debt), num(p.equity), num(p.default_probability),
                         p.mean_default_date ? rt::format_date(*p.mean_default_date) : "", num(p.equity_start),
                         num(p.loss.mean), num(p.loss.p5), num(p.loss.p25), num(p.loss.p50), num(p.loss.p75),
                         num(p.loss.p95));
  return out;
}

std::string ledger_csv(const std::vector<rt::RunResult>& rs, const rt::Model& m) {
  std::string out = "scenario,step,date,deal,from,to,priority,kind,due,paid\n";
  auto name = [&](int rt_index) { return rt_index == rt::kWorld ? std::string("World") : m.parties.at(size_t(rt_index + 1)).name; };
  for (const auto& r : rs)
    for (const auto& row : r.ledger_rows)
      out += fmt::format("{},{},{},{},{},{},{},{},{:.17g},{:.17g}\n", r.scenario, row.step,
                         row.step < int(r.dates.size()) ? rt::format_date(r.dates[size_t(row.step)]) : "",
                         row.deal >= 0 ? m.deals.at(size_t(row.deal)).name : "", name(row.from), name(row.to),
                         row.priority, rt::to_string(row.kind), row.due, row.paid);
  return out;
}

}  // namespace deal::cli
