#include "report/resolution.hpp"

#include <cmath>

#include <fmt/format.h>

#include "report/format.hpp"

namespace deal::report {

namespace {

// 18%, 0.4%, 100%: whole percents unless that would round a partial recovery to 0% or 100%.
std::string percent(double rate) {
  double pct = 100 * rate;
  if (pct > 0 && pct < 1) return fmt::format("{:.1f}%", pct);
  if (pct > 99 && pct < 100) return fmt::format("{:.1f}%", std::min(pct, 99.9));
  return fmt::format("{:.0f}%", pct);
}

// A claimant's name, with the deal when the creditor has several claims ("World (tight)").
std::string claimant_name(const rt::Resolution& r, size_t k, const rt::Model& m) {
  const rt::Claimant& c = r.claimants[k];
  std::string name = m.parties.at(size_t(c.party)).name;
  size_t same = 0;
  for (const rt::Claimant& x : r.claimants) same += x.party == c.party ? 1 : 0;
  if (same < 2) return name;
  return fmt::format("{} ({})", name, c.deal >= 0 ? m.deals.at(size_t(c.deal)).name : "direct payments");
}

}  // namespace

const rt::DefaultEvent* default_of_event(const rt::RunResult& r, const rt::Model& m, const rt::EventLine& e) {
  for (const rt::DefaultEvent& d : r.defaults)
    if (d.date == e.date && e.text.rfind(m.parties.at(size_t(d.party)).name + " defaulted", 0) == 0) return &d;
  return nullptr;
}

std::string describe_resolution(const rt::DefaultEvent& e, const rt::Model& m, size_t shown) {
  const rt::Resolution& r = e.resolution;
  if (!r.done) return "";
  const std::string& who = m.parties.at(size_t(e.party)).name;
  std::string out;
  if (r.claimants.empty()) {
    out = fmt::format("{}'s estate of {} had no claims against it.", who, money(r.estate));
  } else if (r.recovered <= 0) {
    // The usual end of a default in clearing: it paid what it had in the round it defaulted.
    out = fmt::format("{}'s estate was empty: its creditors recovered nothing of {} of claims (", who, money(r.claims));
    for (size_t k = 0; k < r.claimants.size() && k < shown; ++k)
      out += fmt::format("{}{} {}", k > 0 ? ", " : "", claimant_name(r, k, m), money(r.claimants[k].claim));
    if (r.claimants.size() > shown) out += fmt::format(", {} more", r.claimants.size() - shown);
    out += ").";
  } else {
    out = fmt::format("{}'s estate of {} paid {} of {} of claims: ", who, money(r.estate), percent(r.recovery_rate()),
                      money(r.claims));
    size_t k = 0;
    for (; k < r.claimants.size() && k < shown; ++k) {
      const rt::Claimant& c = r.claimants[k];
      if (k > 0) out += ", ";
      out += fmt::format("{}{} {} of {}", claimant_name(r, k, m), k == 0 ? " recovered" : "", money(c.recovered),
                         money(c.claim));
    }
    if (k < r.claimants.size()) {
      double claim = 0, recovered = 0;
      for (size_t j = k; j < r.claimants.size(); ++j)
        claim += r.claimants[j].claim, recovered += r.claimants[j].recovered;
      size_t rest = r.claimants.size() - k;
      out += fmt::format(", {} other claim{} {} of {}", rest, rest == 1 ? "" : "s", money(recovered), money(claim));
    }
    out += ".";
  }
  if (r.default_cost > 0) out += fmt::format(" Default costs took {}.", money(r.default_cost));
  if (r.surplus > 0.5) {
    double to_world = r.surplus - r.surplus_to_holders;
    if (r.surplus_to_holders > 0.5 && to_world > 0.5)
      out += fmt::format(" Its surplus of {} went to the holders of its stakes ({}) and World ({}).", money(r.surplus),
                         money(r.surplus_to_holders), money(to_world));
    else if (r.surplus_to_holders > 0.5)
      out += fmt::format(" Its surplus of {} went to the holders of its stakes.", money(r.surplus));
    else
      out += fmt::format(" Its surplus of {} went to World (no modelled party held a stake in it).", money(r.surplus));
  }
  return out;
}

}  // namespace deal::report
