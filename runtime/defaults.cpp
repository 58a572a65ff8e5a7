#include "runtime/defaults.hpp"

#include "runtime/format.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "runtime/require.hpp"

namespace deal::rt {

DefaultEvent forced_default(int party, int step, Date date) {
  DefaultEvent e;
  e.party = party;
  e.step = step;
  e.date = date;
  e.cause = DefaultCause::Forced;
  return e;
}

void collect_defaults(std::span<const Obligation> obligations, std::span<const double> paid_per_obligation,
                      std::span<const double> owed, std::span<const double> paid,
                      std::span<const std::uint8_t> already_defaulted, double tolerance, int step, Date date,
                      std::vector<DefaultEvent>& out, std::vector<int>& scratch, bool short_payers) {
  const size_t n = owed.size();
  DEAL_REQUIRE(paid.size() == n, "collect_defaults: owed and paid differ in length");
  DEAL_REQUIRE(paid_per_obligation.size() == obligations.size(),
               "collect_defaults: one payment per obligation is needed");
  const size_t first = out.size();
  // scratch[i] = index of party i's event in `out`, or -1.
  if (short_payers) scratch.assign(n, -1);
  for (size_t i = 0; i < n; ++i) {
    if (!already_defaulted.empty() && already_defaulted[i]) continue;
    if (!(paid[i] < owed[i] - tolerance)) continue;
    if (short_payers) scratch[i] = int(out.size());
    DefaultEvent e;
    e.party = int(i);
    e.step = step;
    e.date = date;
    e.owed = owed[i];
    e.paid = paid[i];
    out.push_back(std::move(e));
  }
  if (out.size() == first || !short_payers) return;
  // Short payers: aggregate, per defaulter, what each debtor owed it and paid it.
  for (size_t k = 0; k < obligations.size(); ++k) {
    const Obligation& o = obligations[k];
    if (o.to < 0 || o.from < 0 || scratch[size_t(o.to)] < 0) continue;
    auto& list = out[size_t(scratch[size_t(o.to)])].short_payers;
    auto it = std::find_if(list.begin(), list.end(), [&](const ShortPayer& s) { return s.party == o.from; });
    if (it == list.end()) {
      list.push_back(ShortPayer{o.from, 0.0, 0.0});
      it = list.end() - 1;
    }
    it->owed += o.amount;
    it->paid += paid_per_obligation[k];
  }
  for (size_t e = first; e < out.size(); ++e) {
    auto& list = out[e].short_payers;
    std::erase_if(list, [&](const ShortPayer& s) { return !(s.paid < s.owed - tolerance); });
    std::sort(list.begin(), list.end(), [](const ShortPayer& a, const ShortPayer& b) { return a.party < b.party; });
  }
}

std::string describe(const DefaultEvent& e, std::span<const std::string> names) {
  auto name = [&](int i) { return i >= 0 && size_t(i) < names.size() ? names[size_t(i)] : fmt::format("party {}", i); };
  std::string s = fmt::format("{} defaulted on {}", name(e.party), format_date(e.date));
  if (e.cause == DefaultCause::Forced) return s + " (forced)";
  s += fmt::format(": owed {}, paid {}", format_money(e.owed), format_money(e.paid));
  for (size_t k = 0; k < e.short_payers.size(); ++k) {
    const ShortPayer& p = e.short_payers[k];
    const double pct = p.owed > 0 ? 100.0 * p.paid / p.owed : 0.0;
    s += fmt::format("{}{} paid {:.0f}% of {} due", k == 0 ? "; short because " : ", ", name(p.party), pct,
                     format_money(p.owed));
  }
  return s;
}

}  // namespace deal::rt
