#include "report/html.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "report/assets.hpp"  // generated from report/assets/ (report/CMakeLists.txt)
#include "report/format.hpp"
#include "report/graph.hpp"
#include "report/mc_charts.hpp"
#include "report/resolution.hpp"
#include "runtime/analyses.hpp"

namespace deal::report {

namespace {

std::string esc(const std::string& s) { return html_escape(s); }

std::string party_name(const rt::Model& m, int id) { return m.parties.at(size_t(id)).name; }

// A built-in circle layout of the deal web, for machines without Graphviz. Its parties
// and edges carry the ids, classes and tooltips of Graphviz's drawing (graph.cpp), so the
// page's script treats both alike.
std::string fallback_network(const rt::Model& m, const rt::RunResult& r) {
  size_t n = m.parties.size() - 1;
  double w = 900, h = 560, cx = w / 2, cy = h / 2, rad = std::min(w, h) / 2 - 90;
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
      "font-family=\"Helvetica\" font-size=\"12\">",
      w, h, w, h);
  s += "<defs><marker id=\"arr\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
       "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#64748b\"/></marker></defs>";
  auto pos = [&](size_t p) {
    double a = 2 * M_PI * double(p - 1) / double(std::max<size_t>(1, n)) - M_PI / 2;
    return std::pair(cx + rad * std::cos(a), cy + rad * std::sin(a));
  };
  // The deals behind each pair's payments, from the ledger rows when they were kept.
  std::map<std::pair<size_t, size_t>, std::map<std::string, double>> deals_of_pair;
  for (const rt::LedgerRow& row : r.ledger_rows)
    if (row.kind == rt::FlowKind::Contractual && row.deal >= 0 && row.from != rt::kWorld && row.to != rt::kWorld)
      deals_of_pair[{size_t(row.from + 1), size_t(row.to + 1)}]
                   [m.deals.at(size_t(row.deal)).name + " (" + m.deals.at(size_t(row.deal)).contract + ")"] += row.paid;
  for (const rt::PairPayment& pf : r.flows) {
    const size_t i = size_t(pf.from), j = size_t(pf.to);
    if (i >= 1 && j >= 1 && i != j && pf.paid > 0) {
      auto [x1, y1] = pos(i);
      auto [x2, y2] = pos(j);
      double dx = x2 - x1, dy = y2 - y1, len = std::hypot(dx, dy);
      x2 -= dx / len * 48;
      y2 -= dy / len * 48;
      x1 += dx / len * 48;
      y1 += dy / len * 48;
      std::string tip =
          fmt::format("{} → {}: {} paid over the run", m.parties[i].name, m.parties[j].name, money(pf.paid));
      for (const auto& [deal, paid] : deals_of_pair[{i, j}]) tip += fmt::format("\n{}: {}", deal, money(paid));
      s +=
          fmt::format("<g id=\"pair-{0}-{1}\" class=\"edge deal from-p{0} to-p{1}\" data-tip=\"{2}\">", i, j, esc(tip));
      s += fmt::format(
          "<path d=\"M{:.0f},{:.0f} L{:.0f},{:.0f}\" stroke=\"#94a3b8\" stroke-width=\"1.5\" "
          "marker-end=\"url(#arr)\"/>",
          x1, y1, x2, y2);
      s += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" fill=\"#475569\" text-anchor=\"middle\">{}</text></g>",
                       (x1 + x2) / 2, (y1 + y2) / 2 - 4, esc(money(pf.paid)));
    }
  }
  for (size_t p = 1; p <= n; ++p) {
    auto [x, y] = pos(p);
    const auto& o = r.parties[p - 1];
    bool bad = o.defaulted || o.default_probability >= 0.5;
    s += fmt::format("<g id=\"party-{}\" class=\"node party{}\" data-tip=\"{}\">", p, o.defaulted ? " defaulted" : "",
                     esc(party_tooltip(m, &r, p)));
    s += fmt::format("<circle cx=\"{:.0f}\" cy=\"{:.0f}\" r=\"44\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>", x,
                     y, bad ? "#fee2e2" : "#e0e7ff", bad ? "#dc2626" : "#475569", bad ? 2.5 : 1.2);
    s += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>", x, y - 2,
                     esc(m.parties[p].name));
    s += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"middle\" fill=\"#475569\">{}</text></g>", x, y + 14,
                     esc(money(o.equity)));
  }
  return s + "</svg>";
}

// The legend under the deal web: each party kind's shape and fill as Graphviz draws them
// (graph.cpp), and what red and dashes mean.
std::string kind_shape_svg(const KindStyle& k) {
  std::string shape = k.shape, fill = k.fill;
  std::string stroke =
      fmt::format("fill=\"{}\" stroke=\"#475569\"{}", fill, k.dashed ? " stroke-dasharray=\"3 2\"" : "");
  std::string body;
  if (shape == "box" || shape == "component" || shape == "note" || shape == "tab" || shape == "cylinder")
    body = fmt::format("<rect x=\"2\" y=\"3\" width=\"24\" height=\"14\" rx=\"{}\" {}/>", shape == "cylinder" ? 5 : 1,
                       stroke);
  else if (shape == "hexagon" || shape == "octagon" || shape == "doubleoctagon" || shape == "septagon")
    body = fmt::format("<polygon points=\"2,10 7,3 21,3 26,10 21,17 7,17\" {}/>", stroke);
  else if (shape == "house") body = fmt::format("<polygon points=\"2,17 2,8 14,2 26,8 26,17\" {}/>", stroke);
  else if (shape == "invhouse") body = fmt::format("<polygon points=\"2,3 2,12 14,18 26,12 26,3\" {}/>", stroke);
  else if (shape == "diamond") body = fmt::format("<polygon points=\"14,1 27,10 14,19 1,10\" {}/>", stroke);
  else if (shape == "parallelogram") body = fmt::format("<polygon points=\"7,3 27,3 21,17 1,17\" {}/>", stroke);
  else if (shape == "trapezium") body = fmt::format("<polygon points=\"7,3 21,3 27,17 1,17\" {}/>", stroke);
  else body = fmt::format("<ellipse cx=\"14\" cy=\"10\" rx=\"12\" ry=\"8\" {}/>", stroke);
  return "<svg width=\"28\" height=\"20\" viewBox=\"0 0 28 20\" aria-hidden=\"true\">" + body + "</svg>";
}

std::string web_legend(const rt::Model& m) {
  std::string out = "<ul class=\"legend\" aria-label=\"legend\">";
  for (const KindStyle& k : party_kind_styles(m))
    out += fmt::format("<li class=\"kind-{}\">{}{}</li>", esc(k.kind.empty() ? "none" : k.kind), kind_shape_svg(k),
                       esc(k.kind.empty() ? "no kind" : k.kind));
  out +=
      "<li><svg width=\"28\" height=\"20\" aria-hidden=\"true\"><rect x=\"2\" y=\"3\" width=\"24\" height=\"14\" "
      "fill=\"#fee2e2\" stroke=\"#dc2626\" stroke-width=\"2.5\"/></svg>defaulted (also labelled DEFAULTED)</li>";
  out +=
      "<li><svg width=\"28\" height=\"20\" aria-hidden=\"true\"><line x1=\"1\" y1=\"10\" x2=\"27\" y2=\"10\" "
      "stroke=\"#dc2626\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/></svg>deal paid short (dashed)</li>";
  out +=
      "<li><svg width=\"28\" height=\"20\" aria-hidden=\"true\"><line x1=\"1\" y1=\"10\" x2=\"27\" y2=\"10\" "
      "stroke=\"#64748b\" stroke-width=\"1.5\" stroke-dasharray=\"1 3\"/></svg>stake or option (moves no "
      "money)</li>";
  return out +
         "</ul><p class=\"lead\">Contract colours are in the picture's own legend (colours chosen to stay apart "
         "with colour-blindness; past six contracts the arrowhead changes too).</p>";
}

// Graphviz output without its XML prologue, so it can sit inside the page.
std::string inline_svg(const std::string& svg) {
  size_t start = svg.find("<svg");
  return start == std::string::npos ? svg : svg.substr(start);
}

}  // namespace

std::string series_chart_svg(const rt::SeriesOutcome& s, const std::vector<rt::Date>& dates, rt::StepUnit unit, bool mc,
                             const std::vector<double>* baseline, const std::string& baseline_label) {
  const double W = 560, H = 240, L = 78, R = 30, T = 12, B = 34;
  const std::vector<double>& main = mc ? s.p50 : s.values;
  size_t n = std::min(main.size(), dates.size());
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"100%\" font-family=\"Helvetica\" "
      "font-size=\"11\" role=\"img\" aria-label=\"{}\">",
      W, H, esc(s.label));
  if (n == 0) return out + "<text x=\"20\" y=\"40\">no data</text></svg>";
  double lo = INFINITY, hi = -INFINITY;
  auto scan = [&](const std::vector<double>& v) {
    for (size_t k = 0; k < std::min(v.size(), n); ++k)
      if (std::isfinite(v[k])) lo = std::min(lo, v[k]), hi = std::max(hi, v[k]);
  };
  scan(main);
  if (mc) scan(s.p5), scan(s.p95), scan(s.mean);
  if (baseline) scan(*baseline);
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  auto ticks = nice_ticks(lo, hi, 4);
  lo = std::min(lo, ticks.front());
  hi = std::max(hi, ticks.back());
  if (!(hi > lo)) hi = lo + 1;
  auto X = [&](size_t k) { return L + (W - L - R) * (n == 1 ? 0.5 : double(k) / double(n - 1)); };
  auto Y = [&](double v) { return T + (H - T - B) * (1 - (v - lo) / (hi - lo)); };
  rt::ValueKind kind = s.kind == rt::ValueKind::Bool && mc ? rt::ValueKind::Number : s.kind;
  for (double t : ticks) {
    out +=
        fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e2e8f0\"/>", L, W - R, Y(t), Y(t));
    out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"#64748b\">{}</text>", L - 6, Y(t) + 4,
                       esc(value(t, kind, s.unit)));
  }
  size_t every = std::max<size_t>(1, (n + 5) / 6);
  for (size_t k = 0; k < n; k += every)
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" fill=\"#64748b\">{}</text>", X(k), H - 12,
                       esc(step_label(dates[k], unit)));
  auto band = [&](const std::vector<double>& a, const std::vector<double>& b, const char* fill) {
    std::string pts;
    for (size_t k = 0; k < n; ++k) pts += fmt::format("{:.1f},{:.1f} ", X(k), Y(a[k]));
    for (size_t k = n; k-- > 0;) pts += fmt::format("{:.1f},{:.1f} ", X(k), Y(b[k]));
    out += fmt::format("<polygon points=\"{}\" fill=\"{}\" stroke=\"none\"/>", pts, fill);
  };
  auto line = [&](const std::vector<double>& v, const char* color, double width, const char* dash) {
    std::string pts;
    for (size_t k = 0; k < n; ++k)
      if (std::isfinite(v[k])) pts += fmt::format("{:.1f},{:.1f} ", X(k), Y(v[k]));
    out += fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" stroke-dasharray=\"{}\" "
        "stroke-linejoin=\"round\"/>",
        pts, color, width, dash);
  };
  if (mc && s.p5.size() >= n && s.p95.size() >= n && s.p25.size() >= n && s.p75.size() >= n) {
    band(s.p95, s.p5, "#dbeafe");
    band(s.p75, s.p25, "#93c5fd");
    line(s.mean, "#1e3a8a", 1.2, "4 3");
  }
  if (baseline && baseline->size() >= n) {
    line(*baseline, "#64748b", 1.6, "6 4");
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#64748b\">baseline: {} (dashed grey)</text>",
                       W - R, T + 10, esc(baseline_label));
  }
  line(main, "#2563eb", 2.2, "none");
  out += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#94a3b8\"/>", L, W - R, H - B, H - B);
  if (mc)
    out += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#64748b\">median · 25–75% · 5–95% · mean (dashed)</text>", L + 4,
                       T + 10);
  return out + "</svg>";
}

std::string html_report(const ReportInput& in) {
  const rt::Model& m = in.model;
  const rt::RunResult& r = in.result;
  bool mc = r.paths > 1;
  std::string h;
  h += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  h += fmt::format("<title>deal — scenario {}</title>", esc(r.scenario));
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  h += fmt::format("<style>{}</style></head><body>\n", assets::kReportCss);
  std::string span =
      r.dates.empty() ? ""
                      : fmt::format("{} – {}", step_label(r.dates.front(), m.step), step_label(r.dates.back(), m.step));
  const char* step = m.step == rt::StepUnit::Month ? "monthly" : m.step == rt::StepUnit::Year ? "yearly" : "quarterly";
  h += fmt::format(
      "<header><h1>Scenario <em>{}</em></h1><div class=\"sub\">{} · {} · {}, {} steps</div></header>\n<main>\n",
      esc(r.scenario), esc(in.file), mc ? fmt::format("{} Monte Carlo paths (seed {})", r.paths, r.seed) : "one path",
      esc(span), step);

  // Headline cards.
  int defaults = 0;
  for (const auto& p : r.parties) defaults += mc ? (p.default_probability > 0) : p.defaulted;
  h += "<section class=\"cards\">";
  h += fmt::format(
      "<div class=\"card\"><div class=\"k\">{}</div><div class=\"v{}\">{}</div><div class=\"d\">of {} "
      "parties</div></div>",
      mc ? "parties that can default" : "defaults", defaults ? " bad" : "", defaults, r.parties.size());
  double share = r.ledger.due > 0 ? r.ledger.paid / r.ledger.due : 1;
  h += fmt::format(
      "<div class=\"card\"><div class=\"k\">obligations paid</div><div class=\"v{}\">{:.1f}%</div><div class=\"d\">{} "
      "of {} due</div></div>",
      share < 0.999 ? " bad" : "", share * 100, esc(money(r.ledger.paid)), esc(money(r.ledger.due)));
  if (r.analyses && r.analyses->systemic && !r.analyses->systemic->empty()) {
    const auto& top = r.analyses->systemic->front();
    h += fmt::format(
        "<div class=\"card\"><div class=\"k\">most systemic</div><div class=\"v\">{}</div><div class=\"d\">its default "
        "costs others {}</div></div>",
        esc(party_name(m, top.party)), esc(money(top.equity_lost)));
  }
  if (r.analyses && r.analyses->circularity && !r.analyses->circularity->cycles.empty()) {
    const auto& c = r.analyses->circularity->cycles.front();
    std::string path;
    for (size_t k = 0; k < c.path.size(); ++k) path += (k ? " → " : "") + party_name(m, c.path[k]);
    h += fmt::format(
        "<div class=\"card\"><div class=\"k\">largest money cycle</div><div class=\"v\">{}</div><div "
        "class=\"d\">{}</div></div>",
        esc(money(c.amount)), esc(path));
  }
  h += "</section>\n";

  // The deal web.
  h += "<section><h2>The deal web</h2><p class=\"lead\">Parties and the money their deals were scheduled to move over "
       "the "
       "horizon; red marks defaulted parties and deals paid short in this scenario.</p><div class=\"net\">";
  h += in.network_svg.empty() ? fallback_network(m, r) : inline_svg(in.network_svg);
  h += "</div>" + web_legend(m) + "</section>\n";

  // Monte Carlo: how likely each default is, what it costs, what creditors get back.
  if (mc) {
    std::string pd = default_probability_chart_svg(r), loss = loss_distribution_chart_svg(r),
                rec = recovery_rate_chart_svg(r);
    h += fmt::format(
        "<section id=\"montecarlo\"><h2>Defaults over the paths</h2><p class=\"lead\">{} paths (seed {}). Each "
        "probability is the share of paths in which the party defaults, with its 95% confidence interval (Wilson); "
        "more paths narrow it.</p>",
        r.paths, r.seed);
    h += pd.empty() ? "<p>No party defaulted on any path.</p>"
                    : "<h3>Default probability by party</h3><div class=\"mc-chart\" id=\"mc-pd\">" + pd + "</div>";
    if (!loss.empty())
      h += "<h3>Loss distributions</h3><p class=\"lead\">Equity each party loses over the horizon (equity at the "
           "start less equity at the end; negative is a gain), across the paths.</p><div class=\"mc-chart\" "
           "id=\"mc-loss\">" +
           loss + "</div>";
    if (!rec.empty())
      h += "<h3>Recovery rates</h3><p class=\"lead\">The share of their claims a defaulting party's creditors "
           "recover from its estate (LANGUAGE.md §6.6), mean over the paths in which it defaults.</p><div "
           "class=\"mc-chart\" id=\"mc-recovery\">" +
           rec + "</div>";
    h += "</section>\n";
  }

  // Defaults.
  if (!mc) {
    h += "<section><h2>Defaults</h2><p class=\"lead\">Who defaulted, when, and why — in the order it happened.</p>";
    if (r.events.empty()) h += "<p>No party defaulted.</p>";
    else {
      h += "<ul class=\"timeline\">";
      for (const auto& e : r.events) {
        bool is_default = e.text.find(" defaulted on ") != std::string::npos;
        // Under a default, how its estate was resolved (LANGUAGE.md §6.6) and its claims.
        std::string resolution;
        const rt::DefaultEvent* d = default_of_event(r, m, e);
        if (is_default && d && d->resolution.done) {
          resolution = fmt::format("<div class=\"res\">{}</div>", esc(describe_resolution(*d, m)));
          if (!d->resolution.claimants.empty()) {
            resolution +=
                "<table class=\"claims\"><tr><th>creditor</th><th>deal</th><th class=\"n\">priority</th><th "
                "class=\"n\">claim</th><th class=\"n\">recovered</th><th class=\"n\">rate</th></tr>";
            for (const rt::Claimant& c : d->resolution.claimants)
              resolution += fmt::format(
                  "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td "
                  "class=\"n\">{:.0f}%</td></tr>",
                  esc(m.parties.at(size_t(c.party)).name), esc(c.deal >= 0 ? m.deals.at(size_t(c.deal)).name : "—"),
                  c.priority, esc(money(c.claim)), esc(money(c.recovered)),
                  c.claim > 0 ? 100 * c.recovered / c.claim : 100.0);
            resolution += "</table>";
          }
        }
        h += fmt::format("<li><span class=\"badge{}\">{}</span><span>{}{}</span></li>", is_default ? "" : " info",
                         esc(step_label(e.date, m.step)), esc(e.text), resolution);
      }
      h += "</ul>";
    }
    h += "</section>\n";
  }

  // Series.
  if (!r.series.empty()) {
    h += fmt::format("<section><h2>Tracked series</h2><p class=\"lead\">{}</p><div class=\"charts\">",
                     mc ? "Median over the paths with the 25–75% and 5–95% bands." : "Value at the end of each step.");
    for (const auto& s : r.series) {
      const std::vector<double>* base = nullptr;
      if (in.baseline)
        for (const auto& b : in.baseline->series)
          if (b.label == s.label) base = in.baseline->paths == 1 ? &b.values : &b.p50;
      h += fmt::format("<div class=\"chart\"><h3>{}</h3>{}</div>", esc(s.label),
                       series_chart_svg(s, r.dates, m.step, mc, base, in.baseline ? in.baseline->scenario : ""));
    }
    h += "</div></section>\n";
  }

  if (!in.sensitivity_svg.empty())
    h += "<section><h2>Sensitivity</h2><p class=\"lead\">Each param bumped down (blue) and up (red), the largest "
         "effect first (docs/workflow.md).</p><div class=\"net\">" +
         inline_svg(in.sensitivity_svg) + "</div></section>\n";

  // Parties.
  h += "<section><h2>Parties</h2><p class=\"lead\">At the end of the last step";
  h += mc ? " (means over the paths).</p>" : ".</p>";
  h += fmt::format(
      "<table><tr><th>party</th><th>kind</th><th class=\"n\">cash</th><th class=\"n\">debt</th><th "
      "class=\"n\">equity</th><th class=\"n\">{}</th>{}<th class=\"n\">recovery</th></tr>",
      mc ? "P(default)" : "default", mc ? "<th class=\"n\">95% CI</th>" : "");
  for (const auto& p : r.parties) {
    bool bad = mc ? p.default_probability > 0 : p.defaulted;
    std::string d = mc ? fmt::format("{:.1f}%", p.default_probability * 100)
                       : (p.default_date ? step_label(*p.default_date, m.step) : std::string("—"));
    // Its creditors' recovery: of its estate (one path), or the mean over defaulting paths.
    std::string rec = p.recovery_rate ? fmt::format("{:.0f}%", 100 * *p.recovery_rate) : std::string("—");
    std::string ci;
    if (mc) {
      Interval i = wilson_interval(p.default_probability, r.paths);
      ci = fmt::format("<td class=\"n\" data-v=\"{}\">{:.1f}–{:.1f}%</td>", i.hi, i.lo * 100, i.hi * 100);
    }
    h += fmt::format(
        "<tr{}><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td "
        "class=\"n\"{}>{}</td>{}<td class=\"n\">{}</td></tr>",
        bad ? " class=\"bad\"" : "", esc(p.name), esc(p.kind), esc(money(p.cash)), esc(money(p.debt)),
        esc(money(p.equity)), mc ? fmt::format(" data-v=\"{}\"", p.default_probability) : "", esc(d), ci, esc(rec));
  }
  h += "</table></section>\n";

  // Analyses.
  if (r.analyses) {
    const rt::Analyses& a = *r.analyses;
    size_t n = m.parties.size();
    h += "<section><h2>Analyses</h2>";
    if (mc) h += "<p class=\"lead\">Computed on one path of the scenario.</p>";
    if (a.systemic) {
      double top = a.systemic->empty() ? 0 : std::max(1.0, a.systemic->front().equity_lost);
      h +=
          "<h3>Systemic importance</h3><p class=\"lead\">Equity the other parties lose if this party alone defaults at "
          "the start, and the defaults it sets off.</p><table><tr><th>party</th><th class=\"n\">others' equity "
          "lost</th><th></th><th>defaults it causes</th></tr>";
      for (const auto& s : *a.systemic) {
        std::string who;
        for (size_t k = 0; k < s.defaulted.size(); ++k) who += (k ? ", " : "") + party_name(m, s.defaulted[k]);
        h += fmt::format(
            "<tr><td>{}</td><td class=\"n\">{}</td><td style=\"width:30%\"><div class=\"bar{}\" "
            "style=\"width:{:.0f}%\"></div></td><td>{}</td></tr>",
            esc(party_name(m, s.party)), esc(money(s.equity_lost)), s.induced_defaults ? " bad" : "",
            100 * s.equity_lost / top,
            s.induced_defaults ? esc(fmt::format("{} ({})", s.induced_defaults, who)) : "none");
      }
      h += "</table>";
    }
    if (a.circularity) {
      h += "<h3>Circularity</h3><p class=\"lead\">The chance that a dollar a party pays out comes back to it through "
           "the "
           "network, and the share of its inflows that its own money funded.</p><div "
           "class=\"two\"><table><tr><th>party</th>"
           "<th class=\"n\">paid out</th><th class=\"n\">returns</th><th class=\"n\">self-funded</th></tr>";
      for (size_t i = 1; i < n; ++i) {
        const auto& c = a.circularity->parties[i];
        if (c.outflow <= 0 && c.inflow <= 0) continue;
        h += fmt::format(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1f}%</td><td class=\"n\">{:.1f}%</td></tr>",
            esc(party_name(m, int(i))), esc(money(c.outflow)), c.return_probability * 100, c.self_funded_share * 100);
      }
      h += "</table><table><tr><th>main cycles</th><th class=\"n\">amount</th></tr>";
      if (a.circularity->cycles.empty()) h += "<tr><td>none</td><td></td></tr>";
      for (size_t k = 0; k < a.circularity->cycles.size() && k < 10; ++k) {
        const auto& c = a.circularity->cycles[k];
        std::string path;
        for (size_t q = 0; q < c.path.size(); ++q) path += (q ? " → " : "") + party_name(m, c.path[q]);
        h += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td></tr>", esc(path), esc(money(c.amount)));
      }
      h += "</table></div>";
    }
    if (a.concentration) {
      h += "<h3>Concentration</h3><p class=\"lead\">Herfindahl–Hirschman index (0 to 1) of each party's inflows and "
           "outflows by counterparty, World counted as one; 1 means a single counterparty.</p><table><tr><th>party</th>"
           "<th>top customer</th><th class=\"n\">share</th><th class=\"n\">HHI in</th><th>top supplier</th><th "
           "class=\"n\">share</th><th class=\"n\">HHI out</th></tr>";
      for (size_t i = 1; i < n; ++i) {
        const auto& c = (*a.concentration)[i];
        h += fmt::format(
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2f}</td><td>{}</td><td "
            "class=\"n\">{}</td><td class=\"n\">{:.2f}</td></tr>",
            esc(party_name(m, int(i))), c.top_customer ? esc(party_name(m, c.top_customer->party)) : "—",
            c.top_customer ? fmt::format("{:.0f}%", c.top_customer->share * 100) : "", c.inflow_hhi,
            c.top_supplier ? esc(party_name(m, c.top_supplier->party)) : "—",
            c.top_supplier ? fmt::format("{:.0f}%", c.top_supplier->share * 100) : "", c.outflow_hhi);
      }
      h += "</table>";
    }
    if (a.exposure) {
      struct Pair {
        size_t i, j;
        double v;
      };
      std::vector<Pair> pairs;
      for (size_t i = 1; i < n; ++i)
        for (size_t j = 1; j < n; ++j)
          if (i != j && a.exposure->owed[i][j] > 0) pairs.push_back({i, j, a.exposure->owed[i][j]});
      std::stable_sort(pairs.begin(), pairs.end(), [](const Pair& x, const Pair& y) { return x.v > y.v; });
      h += "<h3>Exposure</h3><p class=\"lead\">What each party was scheduled to pay another over the horizon, as if "
           "everyone paid in full.</p><table><tr><th>payer</th><th>payee</th><th class=\"n\">scheduled</th></tr>";
      for (size_t k = 0; k < pairs.size() && k < 15; ++k)
        h += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>", esc(party_name(m, int(pairs[k].i))),
                         esc(party_name(m, int(pairs[k].j))), esc(money(pairs[k].v)));
      if (pairs.empty()) h += "<tr><td colspan=\"3\">none between parties</td></tr>";
      h += "</table>";
    }
    h += "</section>\n";
  }

  // Ledger.
  h += fmt::format(
      "<section><h2>Ledger</h2><p>{} obligations: {} due, {} paid. Credit drawn {}, default costs {}, borrowed "
      "{}. Claims on estates {}, recovered {}; liquidation proceeds {}, surpluses {}.{}</p></section>\n",
      r.ledger.rows, esc(money(r.ledger.due)), esc(money(r.ledger.paid)), esc(money(r.ledger.credit_drawn)),
      esc(money(r.ledger.default_costs)), esc(money(r.ledger.borrowed)), esc(money(r.ledger.claims)),
      esc(money(r.ledger.recovered)), esc(money(r.ledger.liquidation)), esc(money(r.ledger.surplus)),
      mc ? " (Means over the paths.)" : "");
  h += "<footer>Made with <code>deal report</code>. Amounts in US dollars.</footer>\n</main>\n";
  // Interaction (zoom, tooltips, sorting); inline, so the page loads nothing.
  h += fmt::format("<script>{}</script>\n</body></html>\n", assets::kReportJs);
  return h;
}

}  // namespace deal::report
