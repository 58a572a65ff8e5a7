#include <algorithm>

#include <fmt/format.h>

#include "report/format.hpp"
#include "report/analyses.hpp"
#include "report/report.hpp"
#include "report/resolution.hpp"

namespace deal::report {

std::string table_text(const rt::RunResult& r, const rt::Model& m, bool color) {
  std::string bold = color ? "\033[1m" : "", red = color ? "\033[31m" : "", off = color ? "\033[0m" : "";
  bool single = r.paths == 1;
  std::string out;
  std::string span =
      r.dates.empty() ? ""
                      : fmt::format("{} … {}", step_label(r.dates.front(), m.step), step_label(r.dates.back(), m.step));
  const char* unit = m.step == rt::StepUnit::Month ? "monthly" : m.step == rt::StepUnit::Year ? "yearly" : "quarterly";
  out += fmt::format("{}Scenario {}{} — {} — {}, {}\n", bold, r.scenario, off,
                     single ? std::string("1 path") : fmt::format("{} paths, seed {}", r.paths, r.seed), span, unit);

  // Defaults.
  if (single) {
    out += fmt::format("\n{}Defaults{}\n", bold, off);
    if (r.defaults.empty()) out += "  none\n";
    for (const auto& e : r.events) {
      // Default lines carry their cause; emitted lines are listed under Events.
      const rt::DefaultEvent* d = default_of_event(r, m, e);
      if (!d) continue;
      out += fmt::format("  {}{}{}  {}\n", red, step_label(e.date, m.step), off, e.text);
      // Under each default, how its estate was resolved (LANGUAGE.md §6.6).
      std::string resolution = describe_resolution(*d, m);
      if (!resolution.empty()) out += fmt::format("  {:{}}  {}\n", "", step_label(e.date, m.step).size(), resolution);
    }
  }

  // Parties.
  out += fmt::format("\n{}Parties{}{}\n", bold, off, single ? " (end of the last step)" : " (means over paths)");
  std::vector<std::vector<std::string>> rows = {
      {"party", "kind", "cash", "debt", "equity", single ? "default" : "P(default)"}};
  if (!single) rows[0].push_back("mean default"), rows[0].push_back("recovery");
  for (const auto& p : r.parties) {
    std::string d = single ? (p.default_date ? step_label(*p.default_date, m.step) : "—")
                           : fmt::format("{:.1f}%", p.default_probability * 100);
    rows.push_back({p.name, p.kind.empty() ? "" : p.kind, money(p.cash), money(p.debt), money(p.equity), d});
    if (!single) {
      rows.back().push_back(p.mean_default_date ? rt::format_date(*p.mean_default_date) : "—");
      // Its creditors' mean recovery over the paths in which it defaulted.
      rows.back().push_back(p.recovery_rate ? fmt::format("{:.0f}%", 100 * *p.recovery_rate) : "—");
    }
  }
  out += text_table(rows);
  if (!single) {
    // Monte Carlo: the equity each party loses over the horizon (docs/language.md §12).
    out += fmt::format("\n{}Equity lost{} (equity at the start − at the end; negative: a gain)\n", bold, off);
    std::vector<std::vector<std::string>> lrows = {{"party", "at start", "mean", "5%", "median", "95%"}};
    for (const auto& p : r.parties)
      lrows.push_back(
          {p.name, money(p.equity_start), money(p.loss.mean), money(p.loss.p5), money(p.loss.p50), money(p.loss.p95)});
    out += text_table(lrows);
    if (!r.percentiles.exact)
      out += fmt::format("  percentiles by streaming sketch: within ±{:.2f}% of the exact ones\n",
                         r.percentiles.relative_error * 100);
  }

  // Series.
  if (!r.series.empty()) {
    out += fmt::format("\n{}Series{}{}\n", bold, off,
                       single ? " (end of each step)" : " (median [5th – 95th percentile])");
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
      if (!default_of_event(r, m, e)) emitted.push_back(&e);
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
  out += fmt::format("  credit drawn {}, default costs {}, borrowed {}\n", money(l.credit_drawn),
                     money(l.default_costs), money(l.borrowed));
  if (l.claims > 0 || l.liquidation > 0 || l.surplus > 0)
    out += fmt::format("  claims on estates {}, recovered {}; liquidation proceeds {}, surpluses {}\n", money(l.claims),
                       money(l.recovered), money(l.liquidation), money(l.surplus));
  if (r.analyses) out += analyses_table(*r.analyses, m, color);
  return out;
}

}  // namespace deal::report
