#include "report/sensitivity.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/format.hpp"

namespace deal::report {

namespace {

using json = nlohmann::ordered_json;

double effect(const ParamSensitivity& p, size_t m, double base) {
  return std::max(std::fabs(p.at_down[m] - base), std::fabs(p.at_up[m] - base));
}

// A param's value in its unit; "%" marks a plain number declared as a percentage.
std::string in_unit(double v, const std::string& unit) {
  if (unit == "%") return fmt::format("{:.4g}%", 100 * v);
  return with_unit(v, unit);
}

std::string param_value(double v, const ParamSensitivity& p) {
  if (p.rule == BumpRule::Flip) return v != 0 ? "true" : "false";
  return in_unit(v, p.unit);
}

std::string metric_value(double v, const SensitivityMetric& m) {
  if (m.outcome) return v != 0 ? "defaults" : "survives";
  if (m.probability) return fmt::format("{:.1f}%", 100 * v);
  return m.unit == "$" ? money(v) : with_unit(v, m.unit);
}

std::string metric_delta(double d, const SensitivityMetric& m) {
  if (d == 0) return m.outcome ? "same" : "0";
  if (m.outcome) return d > 0 ? "defaults" : "survives";
  std::string t = m.probability ? fmt::format("{:.1f} pts", 100 * d) : metric_value(d, m);
  return d > 0 && t[0] != '+' ? "+" + t : t;
}

// A bar of `cells` cells at most, at least one for any change: `glyph` repeated.
std::string bar(double fraction, int cells, const char* glyph) {
  int n = std::max(1, int(std::lround(std::clamp(fraction, 0.0, 1.0) * cells)));
  std::string s;
  for (int i = 0; i < n; ++i) s += glyph;
  return s;
}

std::string pad_left(const std::string& s, int width) {
  int w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return std::string(size_t(std::max(0, width - w)), ' ') + s;
}

std::string bump_label(const Sensitivity& s, const ParamSensitivity& p, bool up) {
  switch (p.rule) {
    case BumpRule::Flip:
      return "flipped";
    case BumpRule::Absolute:
      return fmt::format("{}{}", up ? "+" : "−", with_unit(s.rate_bump, "1/y"));
    default:
      return fmt::format("{}{:g}%", up ? "+" : "−", 100 * s.bump);
  }
}

}  // namespace

const char* to_string(BumpRule r) {
  switch (r) {
    case BumpRule::Relative:
      return "relative";
    case BumpRule::Absolute:
      return "absolute";
    case BumpRule::Flip:
      return "flip";
  }
  return "relative";
}

std::vector<size_t> tornado_order(const Sensitivity& s, size_t m) {
  std::vector<size_t> order;
  for (size_t i = 0; i < s.params.size(); ++i)
    if (effect(s.params[i], m, s.metrics[m].base) > 0) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return effect(s.params[a], m, s.metrics[m].base) > effect(s.params[b], m, s.metrics[m].base);
  });
  return order;
}

std::vector<std::string> threshold_lines(const Sensitivity& s) {
  std::vector<std::string> lines;
  if (!s.threshold_party) return lines;
  const std::string& party = *s.threshold_party;
  // Beyond the boundary the outcome is the opposite of the base run's.
  const char* beyond = s.defaults_at_base ? "survives" : "defaults";
  for (const auto& t : s.thresholds) {
    auto v = [&](double x) { return in_unit(x, t.unit); };
    if (t.below)
      lines.push_back(fmt::format("{} {} if {} ≤ {} (flips between {} and {}; base {})", party, beyond, t.param,
                                  v(t.below->low), v(t.below->low), v(t.below->high), v(t.base)));
    if (t.above)
      lines.push_back(fmt::format("{} {} if {} ≥ {} (flips between {} and {}; base {})", party, beyond, t.param,
                                  v(t.above->high), v(t.above->low), v(t.above->high), v(t.base)));
  }
  return lines;
}

std::string sensitivity_table(const Sensitivity& s, bool color, size_t top) {
  std::string bold = color ? "\033[1m" : "", off = color ? "\033[0m" : "";
  std::string out = fmt::format(
      "{}Sensitivity{} of scenario {} — {}; bumps: ±{:g}% of a value, ±{} for rates, "
      "Bools flipped; {} run{}\n",
      bold, off, s.scenario,
      s.paths == 1 ? std::string("1 path") : fmt::format("{} paths, seed {} (common random numbers)", s.paths, s.seed),
      100 * s.bump, with_unit(s.rate_bump, "1/y"), s.runs, s.runs == 1 ? "" : "s");
  if (s.params.empty() && s.skipped.empty()) out += "\nThe program has no params to bump.\n";
  const int cells = 16;
  std::vector<std::string> unmoved;
  for (size_t m = 0; m < s.metrics.size(); ++m) {
    const SensitivityMetric& metric = s.metrics[m];
    std::vector<size_t> order = tornado_order(s, m);
    if (order.empty()) {
      unmoved.push_back(metric.title);
      continue;
    }
    double scale = effect(s.params[order[0]], m, metric.base);
    out += fmt::format("\n{}{}{} ({} in the base run): ▒ the param bumped down, █ up\n", bold, metric.title, off,
                       metric_value(metric.base, metric));
    std::vector<std::vector<std::string>> rows = {
        {"param", "base", "down", "Δ down", pad_left("− ", cells) + "│ +", "Δ up", "up"}};
    for (size_t n = 0; n < order.size() && n < top; ++n) {
      const ParamSensitivity& p = s.params[order[n]];
      double dd = p.at_down[m] - metric.base, du = p.at_up[m] - metric.base;
      // Left of the axis a decrease, right an increase; ▒ the down bump's, █ the up bump's.
      // When both bumps move it the same way, the side shows the larger.
      std::string left, right;
      auto side = [&](bool negative) {
        double ld = (negative ? dd < 0 : dd > 0) ? std::fabs(dd) : 0,
               lu = (negative ? du < 0 : du > 0) ? std::fabs(du) : 0;
        if (ld == 0 && lu == 0) return std::string();
        return lu >= ld ? bar(lu / scale, cells, "█") : bar(ld / scale, cells, "▒");
      };
      left = pad_left(side(true), cells);
      right = side(false);
      rows.push_back({p.param, param_value(p.base, p), bump_label(s, p, false), metric_delta(dd, metric),
                      left + "│" + right, metric_delta(du, metric), bump_label(s, p, true)});
    }
    out += text_table(rows, 99);  // left-aligned, so the bars meet at the axis
    if (order.size() > top) out += fmt::format("  … and {} more params that move it\n", order.size() - top);
  }
  if (!unmoved.empty()) {
    out += fmt::format("\n{}Not moved by any bump{}: ", bold, off);
    for (size_t i = 0; i < unmoved.size(); ++i) out += (i ? ", " : "") + unmoved[i];
    out += "\n";
  }
  if (!s.skipped.empty()) {
    out += fmt::format("\n{}Not bumped{}\n", bold, off);
    for (const auto& k : s.skipped) out += fmt::format("  {}: {}\n", k.param, k.reason);
  }
  if (s.threshold_party) {
    out += fmt::format("\n{}Thresholds{} ({} {} in the base run; by bisection)\n", bold, off, *s.threshold_party,
                       s.defaults_at_base ? "defaults" : "survives");
    std::vector<std::string> lines = threshold_lines(s);
    if (lines.empty()) out += "  no param flips it within the search range (docs/workflow.md)\n";
    for (const auto& l : lines) out += "  " + l + "\n";
  }
  return out;
}

std::string sensitivity_json(const Sensitivity& s) {
  json j;
  j["scenario"] = s.scenario;
  j["paths"] = s.paths;
  j["seed"] = s.seed;
  j["bump"] = s.bump;
  j["rate_bump"] = s.rate_bump;
  j["runs"] = s.runs;
  j["metrics"] = json::array();
  for (const auto& m : s.metrics)
    j["metrics"].push_back({{"name", m.name},
                            {"title", m.title},
                            {"unit", m.unit},
                            {"kind", m.outcome       ? "outcome"
                                     : m.probability ? "probability"
                                                     : "value"},
                            {"base", m.base}});
  j["params"] = json::array();
  for (const auto& p : s.params) {
    json effects = json::object();
    for (size_t m = 0; m < s.metrics.size(); ++m)
      effects[s.metrics[m].name] = {{"down", p.at_down[m]}, {"up", p.at_up[m]}};
    j["params"].push_back({{"name", p.param},
                           {"unit", p.unit},
                           {"rule", to_string(p.rule)},
                           {"base", p.base},
                           {"down", p.down},
                           {"up", p.up},
                           {"metrics", effects}});
  }
  j["tornado"] = json::object();
  for (size_t m = 0; m < s.metrics.size(); ++m) {
    json names = json::array();
    for (size_t i : tornado_order(s, m)) names.push_back(s.params[i].param);
    j["tornado"][s.metrics[m].name] = names;
  }
  j["skipped"] = json::array();
  for (const auto& k : s.skipped) j["skipped"].push_back({{"param", k.param}, {"reason", k.reason}});
  if (s.threshold_party) {
    json t = json::array();
    for (const auto& f : s.thresholds) {
      auto bracket = [](const std::optional<FlipThreshold::Bracket>& b) {
        return b ? json{{"low", b->low}, {"high", b->high}} : json(nullptr);
      };
      t.push_back({{"param", f.param},
                   {"unit", f.unit},
                   {"base", f.base},
                   {"below", bracket(f.below)},
                   {"above", bracket(f.above)}});
    }
    j["threshold"] = {{"party", *s.threshold_party}, {"defaults_at_base", s.defaults_at_base}, {"params", t}};
  }
  return j.dump(1) + "\n";
}

std::string sensitivity_csv(const Sensitivity& s) {
  std::string out = "param,unit,rule,base,down,up,metric,metric_base,at_down,at_up\n";
  for (const auto& p : s.params)
    for (size_t m = 0; m < s.metrics.size(); ++m)
      out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_field(p.param), csv_field(p.unit), to_string(p.rule),
                         csv_number(p.base), csv_number(p.down), csv_number(p.up), csv_field(s.metrics[m].name),
                         csv_number(s.metrics[m].base), csv_number(p.at_down[m]), csv_number(p.at_up[m]));
  return out;
}

std::string sensitivity_svg(const Sensitivity& s, size_t top) {
  // Room beside the longest bars for their labels.
  const int width = 760, label_w = 200, axis = label_w + (width - label_w) / 2, half = (width - label_w - 120) / 2;
  const int row_h = 18, title_h = 28;
  std::string body;
  int y = 10;
  for (size_t m = 0; m < s.metrics.size(); ++m) {
    std::vector<size_t> order = tornado_order(s, m);
    if (order.empty()) continue;
    if (order.size() > top) order.resize(top);
    const SensitivityMetric& metric = s.metrics[m];
    double scale = effect(s.params[order[0]], m, metric.base);
    body += fmt::format("<text x=\"10\" y=\"{}\" font-weight=\"bold\">{} ({} in the base run)</text>\n", y + 18,
                        html_escape(metric.title), html_escape(metric_value(metric.base, metric)));
    y += title_h;
    int top_y = y;
    for (size_t i : order) {
      const ParamSensitivity& p = s.params[i];
      body += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", label_w - 8, y + 13,
                          html_escape(p.param));
      // Down bump in blue, up bump in red, each half a row high, from the axis.
      int hy = row_h / 2 - 1;
      for (int side = 0; side < 2; ++side) {
        double d = (side == 0 ? p.at_down[m] : p.at_up[m]) - metric.base;
        if (d == 0) continue;
        double len = std::fabs(d) / scale * half;
        double x = d < 0 ? axis - len : axis;
        body += fmt::format(
            "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"><title>{} {}: {}</title></rect>\n",
            x, y + 1 + side * hy, len, hy, side == 0 ? "#3b6fb6" : "#c8423b", html_escape(p.param),
            html_escape(bump_label(s, p, side == 1)), html_escape(metric_delta(d, metric)));
        // The change beside its bar (outside it, away from the axis).
        body += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"8\" fill=\"#444\" text-anchor=\"{}\">{}</text>\n",
                            d < 0 ? x - 3 : x + len + 3, y + side * hy + hy, d < 0 ? "end" : "start",
                            html_escape(metric_delta(d, metric)));
      }
      y += row_h;
    }
    body += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#333\"/>\n", axis, top_y - 2, axis, y);
    y += 12;
  }
  if (body.empty()) {
    body = "<text x=\"10\" y=\"28\">No bump moved any metric.</text>\n";
    y = 40;
  }
  std::string legend = fmt::format(
      "<rect x=\"10\" y=\"{0}\" width=\"12\" height=\"8\" fill=\"#3b6fb6\"/><text x=\"26\" y=\"{1}\">param bumped "
      "down</text><rect x=\"160\" y=\"{0}\" width=\"12\" height=\"8\" fill=\"#c8423b\"/><text x=\"176\" "
      "y=\"{1}\">param bumped up</text>\n",
      y + 2, y + 10);
  y += 20;
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<title>Sensitivity of scenario {2}</title>\n<rect width=\"100%\" "
      "height=\"100%\" fill=\"white\"/>\n{3}{4}</svg>\n",
      width, y, html_escape(s.scenario), body, legend);
}

}  // namespace deal::report
