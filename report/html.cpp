#include "report/html.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "runtime/analyses.hpp"
#include "report/format.hpp"
#include "report/resolution.hpp"

namespace deal::report {

namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

const char* kCss = R"(
:root { --ink:#0f172a; --muted:#64748b; --line:#e2e8f0; --accent:#2563eb; --bad:#dc2626; --bg:#f8fafc; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color:var(--ink); background:var(--bg); }
header { background:#0f172a; color:white; padding:28px 40px 24px; }
header h1 { margin:0; font-size:26px; font-weight:650; letter-spacing:-0.01em; }
header .sub { color:#cbd5e1; margin-top:4px; }
main { max-width:1200px; margin:0 auto; padding:24px 40px 60px; }
section { background:white; border:1px solid var(--line); border-radius:10px; padding:20px 24px; margin:20px 0; }
h2 { font-size:18px; margin:0 0 4px; }
.lead { color:var(--muted); margin:0 0 14px; font-size:14px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(200px, 1fr)); gap:14px; background:none; border:none; padding:0; }
.card { background:white; border:1px solid var(--line); border-radius:10px; padding:14px 18px; }
.card .k { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:0.06em; }
.card .v { font-size:24px; font-weight:650; margin-top:2px; }
.card .v.bad { color:var(--bad); }
.card .d { color:var(--muted); font-size:13px; }
table { border-collapse:collapse; width:100%; font-size:14px; }
th { text-align:left; color:var(--muted); font-weight:600; font-size:12px; text-transform:uppercase; letter-spacing:0.04em; border-bottom:1px solid var(--line); padding:6px 10px; }
td { border-bottom:1px solid #f1f5f9; padding:6px 10px; }
td.n, th.n { text-align:right; font-variant-numeric: tabular-nums; }
tr.bad td { color:var(--bad); }
.net { overflow-x:auto; text-align:center; }
.net svg { max-width:100%; height:auto; }
.timeline { list-style:none; padding:0; margin:0; }
.timeline li { display:flex; gap:14px; padding:8px 0; border-bottom:1px solid #f1f5f9; }
.timeline .res { color:#475569; margin-top:4px; }
.timeline table.claims { margin-top:6px; font-size:13px; }
.badge { flex:none; font-weight:650; font-size:13px; background:#fee2e2; color:#991b1b; border-radius:6px; padding:2px 8px; height:fit-content; }
.badge.info { background:#e0e7ff; color:#3730a3; }
.charts { display:grid; grid-template-columns:repeat(auto-fit, minmax(520px, 1fr)); gap:16px; }
.chart h3 { font-size:14px; margin:0 0 6px; font-family: ui-monospace, Menlo, monospace; }
.bar { background:#dbeafe; height:10px; border-radius:5px; }
.bar.bad { background:#fecaca; }
.two { display:grid; grid-template-columns:1fr 1fr; gap:24px; }
footer { color:var(--muted); font-size:12px; text-align:center; margin-top:30px; }
code { font-family: ui-monospace, Menlo, monospace; font-size:13px; }
)";

std::string party_name(const rt::Model& m, int id) { return m.parties.at(size_t(id)).name; }

// Round axis ticks: 1, 2, 5 × 10^k.
std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo)) {
    double pad = std::fabs(lo) > 0 ? std::fabs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  double raw = (hi - lo) / target, mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double f : {1.0, 2.0, 5.0, 10.0})
    if (f * mag >= raw) {
      step = f * mag;
      break;
    }
  std::vector<double> t;
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    t.push_back(std::fabs(v) < step * 1e-9 ? 0 : v);
  return t;
}

// A built-in circle layout of the deal web, for machines without Graphviz.
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
      s += fmt::format(
          "<line x1=\"{:.0f}\" y1=\"{:.0f}\" x2=\"{:.0f}\" y2=\"{:.0f}\" stroke=\"#94a3b8\" stroke-width=\"1.5\" "
          "marker-end=\"url(#arr)\"/>",
          x1, y1, x2, y2);
      s += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" fill=\"#475569\" text-anchor=\"middle\">{}</text>",
                       (x1 + x2) / 2, (y1 + y2) / 2 - 4, esc(money(pf.paid)));
    }
  }
  for (size_t p = 1; p <= n; ++p) {
    auto [x, y] = pos(p);
    const auto& o = r.parties[p - 1];
    bool bad = o.defaulted || o.default_probability >= 0.5;
    s += fmt::format("<circle cx=\"{:.0f}\" cy=\"{:.0f}\" r=\"44\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>", x,
                     y, bad ? "#fee2e2" : "#e0e7ff", bad ? "#dc2626" : "#475569", bad ? 2.5 : 1.2);
    s += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>", x, y - 2,
                     esc(m.parties[p].name));
    s += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"middle\" fill=\"#475569\">{}</text>", x, y + 14,
                     esc(money(o.equity)));
  }
  return s + "</svg>";
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
  h += fmt::format("<style>{}</style></head><body>\n", kCss);
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
  h += "</div></section>\n";

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
      "class=\"n\">equity</th><th class=\"n\">{}</th><th class=\"n\">recovery</th></tr>",
      mc ? "P(default)" : "default");
  for (const auto& p : r.parties) {
    bool bad = mc ? p.default_probability > 0 : p.defaulted;
    std::string d = mc ? fmt::format("{:.1f}%", p.default_probability * 100)
                       : (p.default_date ? step_label(*p.default_date, m.step) : std::string("—"));
    // Its creditors' recovery: of its estate (one path), or the mean over defaulting paths.
    std::string rec = p.recovery_rate ? fmt::format("{:.0f}%", 100 * *p.recovery_rate) : std::string("—");
    h += fmt::format(
        "<tr{}><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td "
        "class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
        bad ? " class=\"bad\"" : "", esc(p.name), esc(p.kind), esc(money(p.cash)), esc(money(p.debt)),
        esc(money(p.equity)), esc(d), esc(rec));
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
  h += "<footer>Made with <code>deal report</code>. Amounts in US dollars.</footer>\n</main></body></html>\n";
  return h;
}

}  // namespace deal::report
