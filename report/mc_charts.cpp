#include "report/mc_charts.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "report/format.hpp"

namespace deal::report {

namespace {

constexpr double kWidth = 760, kLabel = 150, kRight = 190, kRow = 22, kTop = 28, kBottom = 26;

// The frame of a horizontal chart with `rows` rows and an x axis from lo to hi.
struct Frame {
  double lo, hi;
  size_t rows;
  double x(double v) const { return kLabel + (kWidth - kLabel - kRight) * (v - lo) / (hi - lo); }
  double y(size_t row) const { return kTop + kRow * double(row); }
  double height() const { return kTop + kRow * double(rows) + kBottom; }
};

std::string open_svg(const Frame& f, const std::string& label) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {:.0f}\" font-family=\"Helvetica\" font-size=\"11\" "
      "role=\"img\" aria-label=\"{}\">",
      kWidth, f.height(), html_escape(label));
}

// Grid lines and tick labels along the x axis.
std::string axis(const Frame& f, const std::vector<std::pair<double, std::string>>& ticks) {
  std::string out;
  double bottom = f.y(f.rows) + 2;
  for (const auto& [v, text] : ticks) {
    out += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2:.1f}\" stroke=\"#e2e8f0\"/>", f.x(v),
                       kTop - 6, bottom);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"#64748b\">{}</text>", f.x(v),
                       bottom + 14, html_escape(text));
  }
  return out;
}

std::string row_label(const Frame& f, size_t row, const std::string& name) {
  return fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>", kLabel - 8, f.y(row) + 14,
                     html_escape(name));
}

std::string percent(double v) { return fmt::format("{:.1f}%", v * 100); }

std::string more_note(const Frame& f, size_t shown, size_t total) {
  if (shown >= total) return "";
  return fmt::format("<text x=\"{}\" y=\"{:.1f}\" fill=\"#64748b\">… and {} more parties (see the table)</text>",
                     kLabel, f.height() - 2, total - shown);
}

}  // namespace

Interval wilson_interval(double p, long long n) {
  if (n <= 0) return {0, 1};
  const double z = 1.959963984540054, nn = double(n), z2 = z * z;
  double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
  // At p = 0 (or 1) the bound is exactly 0 (or 1); rounding would leave a speck.
  return {p <= 0 ? 0.0 : std::max(0.0, centre - half), p >= 1 ? 1.0 : std::min(1.0, centre + half)};
}

std::string default_probability_chart_svg(const rt::RunResult& r, size_t max_parties) {
  std::vector<const rt::PartyOutcome*> parties;
  for (const auto& p : r.parties)
    if (p.default_probability > 0) parties.push_back(&p);
  if (parties.empty()) return "";
  std::stable_sort(parties.begin(), parties.end(),
                   [](auto* a, auto* b) { return a->default_probability > b->default_probability; });
  size_t shown = std::min(parties.size(), max_parties);
  double top = 0;
  for (size_t k = 0; k < shown; ++k) top = std::max(top, wilson_interval(parties[k]->default_probability, r.paths).hi);
  auto ticks = nice_ticks(0, std::max(top, 0.01), 5);
  // The axis reaches the largest interval's end even when no tick does.
  Frame f{0, std::max(top, ticks.back()), shown + (shown < parties.size())};
  std::string out = open_svg(f, "default probability by party");
  std::vector<std::pair<double, std::string>> labelled;
  for (double t : ticks) labelled.emplace_back(t, fmt::format("{:g}%", t * 100));
  out += axis(f, labelled);
  out += fmt::format(
      "<text x=\"{}\" y=\"14\" fill=\"#64748b\">P(default) with its 95% confidence interval over {} paths</text>",
      kLabel, r.paths);
  for (size_t k = 0; k < shown; ++k) {
    const rt::PartyOutcome& p = *parties[k];
    Interval ci = wilson_interval(p.default_probability, r.paths);
    double y = f.y(k);
    std::string tip = fmt::format("{}\nP(default) {} (95% CI {} – {}) over {} paths", p.name,
                                  percent(p.default_probability), percent(ci.lo), percent(ci.hi), r.paths);
    out += fmt::format("<g class=\"mark\" data-party=\"{}\" data-tip=\"{}\">", html_escape(p.name), html_escape(tip));
    out += row_label(f, k, p.name);
    out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"14\" fill=\"#0072B2\" rx=\"2\"/>",
                       f.x(0), y + 3, f.x(p.default_probability) - f.x(0));
    // The interval: a whisker with end caps.
    out += fmt::format(
        "<path d=\"M{0:.1f},{1:.1f}H{2:.1f}M{0:.1f},{3:.1f}V{4:.1f}M{2:.1f},{3:.1f}V{4:.1f}\" stroke=\"#0f172a\" "
        "stroke-width=\"1.3\" fill=\"none\"/>",
        f.x(ci.lo), y + 10, f.x(ci.hi), y + 5, y + 15);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#334155\">{} ({}–{})</text>", kWidth - kRight + 8,
                       y + 14, percent(p.default_probability), percent(ci.lo), percent(ci.hi));
    out += "</g>";
  }
  out += more_note(f, shown, parties.size());
  return out + "</svg>";
}

std::string loss_distribution_chart_svg(const rt::RunResult& r, size_t max_parties) {
  std::vector<const rt::PartyOutcome*> parties;
  for (const auto& p : r.parties)
    if (p.loss.count > 0 && (p.loss.p95 != 0 || p.loss.p5 != 0)) parties.push_back(&p);
  if (parties.empty()) return "";
  std::stable_sort(parties.begin(), parties.end(), [](auto* a, auto* b) { return a->loss.p95 > b->loss.p95; });
  size_t shown = std::min(parties.size(), max_parties);
  double lo = 0, hi = 0;
  for (size_t k = 0; k < shown; ++k) {
    const rt::Summary& s = parties[k]->loss;
    for (double v : {s.p5, s.p95, s.mean})
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (!(hi > lo)) hi = lo + 1;
  auto ticks = nice_ticks(lo, hi, 5);
  Frame f{std::min(lo, ticks.front()), std::max(hi, ticks.back()), shown + (shown < parties.size())};
  std::string out = open_svg(f, "equity loss distribution by party");
  std::vector<std::pair<double, std::string>> labelled;
  for (double t : ticks) labelled.emplace_back(t, money(t));
  out += axis(f, labelled);
  out += fmt::format(
      "<text x=\"{}\" y=\"14\" fill=\"#64748b\">equity lost over the horizon: 5–95% (line), 25–75% (box), median "
      "(bar), mean (◆)</text>",
      kLabel);
  for (size_t k = 0; k < shown; ++k) {
    const rt::PartyOutcome& p = *parties[k];
    const rt::Summary& s = p.loss;
    double y = f.y(k) + 10;
    std::string tip = fmt::format("{}\nequity lost: mean {}, median {}\n25–75%: {} to {}\n5–95%: {} to {}", p.name,
                                  money(s.mean), money(s.p50), money(s.p25), money(s.p75), money(s.p5), money(s.p95));
    out += fmt::format("<g class=\"mark\" data-party=\"{}\" data-tip=\"{}\">", html_escape(p.name), html_escape(tip));
    out += row_label(f, k, p.name);
    out += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#475569\"/>", f.x(s.p5),
                       f.x(s.p95), y, y);
    out += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"12\" fill=\"#E69F00\" fill-opacity=\"0.55\" "
        "stroke=\"#92400e\"/>",
        f.x(s.p25), y - 6, std::max(1.0, f.x(s.p75) - f.x(s.p25)));
    out += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"#0f172a\" "
        "stroke-width=\"2\"/>",
        f.x(s.p50), y - 7, y + 7);
    out += fmt::format("<path d=\"M{0:.1f},{1:.1f}l4,4l-4,4l-4,-4z\" fill=\"#0f172a\"/>", f.x(s.mean), y - 4);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#334155\">median {}</text>", kWidth - kRight + 8, y + 4,
                       html_escape(money(s.p50)));
    out += "</g>";
  }
  out += more_note(f, shown, parties.size());
  return out + "</svg>";
}

std::string recovery_rate_chart_svg(const rt::RunResult& r, size_t max_parties) {
  std::vector<const rt::PartyOutcome*> parties;
  for (const auto& p : r.parties)
    if (p.recovery_rate && p.default_probability > 0) parties.push_back(&p);
  if (parties.empty()) return "";
  std::stable_sort(parties.begin(), parties.end(),
                   [](auto* a, auto* b) { return *a->recovery_rate < *b->recovery_rate; });
  size_t shown = std::min(parties.size(), max_parties);
  Frame f{0, 1, shown + (shown < parties.size())};
  std::string out = open_svg(f, "creditors' recovery rate by defaulting party");
  out += axis(f, {{0, "0%"}, {0.25, "25%"}, {0.5, "50%"}, {0.75, "75%"}, {1, "100%"}});
  out += fmt::format(
      "<text x=\"{}\" y=\"14\" fill=\"#64748b\">what its creditors recovered of their claims, mean over the paths in "
      "which it defaults</text>",
      kLabel);
  for (size_t k = 0; k < shown; ++k) {
    const rt::PartyOutcome& p = *parties[k];
    double y = f.y(k);
    long long defaults = std::llround(p.default_probability * double(r.paths));
    std::string tip = fmt::format("{}\ncreditors recover {:.1f}% on average over the {} paths in which it defaults",
                                  p.name, *p.recovery_rate * 100, defaults);
    out += fmt::format("<g class=\"mark\" data-party=\"{}\" data-tip=\"{}\">", html_escape(p.name), html_escape(tip));
    out += row_label(f, k, p.name);
    out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"14\" fill=\"#e2e8f0\" rx=\"2\"/>",
                       f.x(0), y + 3, f.x(1) - f.x(0));
    out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"14\" fill=\"#009E73\" rx=\"2\"/>",
                       f.x(0), y + 3, f.x(*p.recovery_rate) - f.x(0));
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#334155\">{:.0f}% ({} paths)</text>",
                       kWidth - kRight + 8, y + 14, *p.recovery_rate * 100, defaults);
    out += "</g>";
  }
  out += more_note(f, shown, parties.size());
  return out + "</svg>";
}

}  // namespace deal::report
