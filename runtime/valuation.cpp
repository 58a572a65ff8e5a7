#include "runtime/valuation.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <functional>
#include <fmt/ranges.h>

#include "runtime/full_piv_lu.hpp"
#include "runtime/require.hpp"

namespace deal::rt {

void Holdings::own(int holder, int issuer, double stake) {
  DEAL_REQUIRE(holder >= 0 && holder < parties_ && issuer >= 0 && issuer < parties_,
               fmt::format("own: parties {} and {} (there are {})", holder, issuer, parties_));
  DEAL_REQUIRE(std::isfinite(stake) && stake >= 0.0,
               fmt::format("own: a stake must be a non-negative fraction, not {}", stake));
  if (stake == 0.0) return;
  changed();
  for (Entry& e : entries_)
    if (e.holder == holder && e.issuer == issuer) {
      e.stake += stake;
      return;
    }
  entries_.push_back(Entry{holder, issuer, stake});
}

void Holdings::sell(int holder, int issuer, double stake) {
  DEAL_REQUIRE(std::isfinite(stake) && stake >= 0.0,
               fmt::format("sell: a stake must be a non-negative fraction, not {}", stake));
  if (stake == 0.0) return;
  const double held = this->stake(holder, issuer);
  DEAL_REQUIRE(stake <= held + kStakeTol, fmt::format("sell: party {} sells {:g}% of party {} but holds {:g}%", holder,
                                                      100 * stake, issuer, 100 * held));
  for (size_t k = 0; k < entries_.size(); ++k)
    if (entries_[k].holder == holder && entries_[k].issuer == issuer) {
      changed();
      entries_[k].stake -= stake;
      if (entries_[k].stake <= kStakeTol) entries_.erase(entries_.begin() + long(k));
      return;
    }
}

void Holdings::issue(int issuer, int holder, double stake) {
  DEAL_REQUIRE(holder >= -1 && holder < parties_ && issuer >= 0 && issuer < parties_,
               fmt::format("issue: parties {} and {} (there are {})", issuer, holder, parties_));
  DEAL_REQUIRE(std::isfinite(stake) && stake >= 0.0 && stake < 1.0,
               fmt::format("issue: a new stake is a fraction in [0, 1), not {}", stake));
  if (stake == 0.0) return;
  changed();
  for (Entry& e : entries_)
    if (e.issuer == issuer) e.stake *= 1.0 - stake;
  if (holder >= 0) own(holder, issuer, stake);  // -1: World takes the new shares (it holds what no party does)
}

double Holdings::stake(int holder, int issuer) const {
  for (const Entry& e : entries_)
    if (e.holder == holder && e.issuer == issuer) return e.stake;
  return 0.0;
}

double Holdings::held_in(int issuer) const {
  double s = 0;
  for (const Entry& e : entries_)
    if (e.issuer == issuer) s += e.stake;
  return s;
}

void Holdings::remove_issuer(int issuer) {
  if (std::erase_if(entries_, [&](const Entry& e) { return e.issuer == issuer; }) > 0) changed();
}

struct ValuationCache {
  // What the factorisation is of: the holdings' version, the parties and who was dead.
  std::uint64_t version = 0;
  std::vector<std::uint8_t> dead;              // one per party (0 for all when no flags were given)
  std::vector<int> members;                    // rows → party
  std::vector<double> a;                       // I − H, column by column
  FullPivLu lu;                                // the replica of Eigen's FullPivLU (FullPivLu::kMatchesEigen)
  Eigen::FullPivLU<Eigen::MatrixXd> eigen_lu;  // otherwise Eigen's own
  std::vector<double> x;                       // the right-hand side, then the solution
  std::vector<double> scratch;                 // the system being built, compared with `a`
  std::vector<std::uint64_t> pattern;          // its nonzero pattern (FullPivLu::compute)
  bool valid = false;
};

ValuationWorkspace::ValuationWorkspace() = default;
ValuationWorkspace::~ValuationWorkspace() = default;
ValuationWorkspace::ValuationWorkspace(ValuationWorkspace&&) noexcept = default;
ValuationWorkspace& ValuationWorkspace::operator=(ValuationWorkspace&&) noexcept = default;
ValuationWorkspace::ValuationWorkspace(const ValuationWorkspace& o) : index(o.index), members(o.members) {}
ValuationWorkspace& ValuationWorkspace::operator=(const ValuationWorkspace& o) {
  index = o.index;
  members = o.members;
  cache.reset();
  return *this;
}

namespace {

// The system's error: a left null vector w of I − H (wᵀ(I − H) = 0) is supported on the
// parties whose stakes in each other form the closed loop; name them.
[[noreturn]] void undetermined(const std::vector<double>& a, int s, const std::vector<int>& members,
                               const std::function<std::string(int)>& name) {
  Eigen::Map<const Eigen::MatrixXd> A(a.data(), s, s);
  Eigen::FullPivLU<Eigen::MatrixXd> lut(A.transpose());
  lut.setThreshold(1e-12);
  Eigen::MatrixXd kernel = lut.kernel();
  std::vector<std::string> who;
  for (int r = 0; r < s; ++r)
    if (kernel.row(r).cwiseAbs().maxCoeff() > 1e-9 * kernel.cwiseAbs().maxCoeff())
      who.push_back(name(members[size_t(r)]));
  DEAL_REQUIRE(false, fmt::format("the cross-holdings among {} leave equity undetermined: "
                                  "their stakes in each other add up to 100%, so equity = "
                                  "value + holdings x equity has no unique solution",
                                  fmt::join(who, ", ")));
  std::abort();  // not reached: DEAL_REQUIRE(false, …) throws
}

}  // namespace

void value_equity(std::span<const double> value, const Holdings& holdings, std::span<const std::uint8_t> defaulted,
                  std::span<double> equity, ValuationWorkspace& ws, std::span<const std::string> names) {
  const size_t n = value.size();
  DEAL_REQUIRE(equity.size() == n, "value_equity: one equity per party is needed");
  DEAL_REQUIRE(defaulted.empty() || defaulted.size() == n, "value_equity: one default flag per party is needed");
  DEAL_REQUIRE(holdings.parties() <= int(n),
               fmt::format("value_equity: holdings among {} parties, values for {}", holdings.parties(), n));
  auto dead = [&](int i) { return !defaulted.empty() && defaulted[size_t(i)]; };
  auto name = [&](int i) { return size_t(i) < names.size() ? names[size_t(i)] : fmt::format("party {}", i); };
  for (size_t i = 0; i < n; ++i) {
    DEAL_REQUIRE(std::isfinite(value[i]), fmt::format("the value of {} is {}", name(int(i)), value[i]));
    equity[i] = dead(int(i)) ? 0.0 : value[i];
  }
  if (holdings.empty()) return;  // no system: equity is value (0 for the defaulted)
  if (!ws.cache) ws.cache = std::make_unique<ValuationCache>();
  ValuationCache& c = *ws.cache;
  // The flags as given (an empty span: nobody), compared byte for byte: a different
  // nonzero byte for "defaulted" only costs a rebuild.
  auto same_dead = [&] {
    if (c.dead.size() != n) return false;
    if (defaulted.empty()) return std::all_of(c.dead.begin(), c.dead.end(), [](std::uint8_t d) { return d == 0; });
    return std::equal(c.dead.begin(), c.dead.end(), defaulted.begin());
  };
  // The same holdings and the same defaulted parties: the same system, nothing to rebuild.
  if (!(c.valid && c.version == holdings.version() && same_dead())) {
    // The live parties taking part in a live holding, and their system I − H.
    ws.index.assign(n, -1);
    ws.members.clear();
    auto add = [&](int i) {
      if (ws.index[size_t(i)] < 0) {
        ws.index[size_t(i)] = int(ws.members.size());
        ws.members.push_back(i);
      }
    };
    for (const auto& e : holdings.entries())
      if (!dead(e.holder) && !dead(e.issuer)) {
        add(e.holder);
        add(e.issuer);
      }
    const int s = int(ws.members.size());
    std::vector<double>& a = c.scratch;
    a.assign(size_t(s) * size_t(s), 0.0);
    for (int r = 0; r < s; ++r) a[size_t(r) * size_t(s) + size_t(r)] = 1.0;
    // Its pattern for the factorisation: the diagonal and the stakes. Every entry is 0, 1
    // or 0 − stake (stakes are finite and at least 0: never −0); checked all the same.
    const bool patterned = s <= FullPivLu::kMaxSparse;
    bool plain = true;  // finite and not −0
    if (patterned) {
      c.pattern.resize(size_t(s));
      for (int r = 0; r < s; ++r) c.pattern[size_t(r)] = std::uint64_t(1) << r;
    }
    for (const auto& e : holdings.entries())
      if (!dead(e.holder) && !dead(e.issuer)) {
        const int row = ws.index[size_t(e.holder)], col = ws.index[size_t(e.issuer)];
        double& x = a[size_t(row) + size_t(col) * size_t(s)];
        x -= e.stake;
        plain = plain && std::isfinite(x) && !(x == 0.0 && std::signbit(x));
        if (patterned) c.pattern[size_t(col)] |= std::uint64_t(1) << row;
      }
    // A system equal to the cached one (same members in the same order, same stakes)
    // keeps its factorisation; the result is the same bits either way.
    if (!c.valid || c.members != ws.members || c.a != a) {
      c.valid = false;
      c.a.swap(a);
      c.members = ws.members;
      if (s > 0) {
        bool invertible;
        if (FullPivLu::kMatchesEigen) {
          if (patterned && plain) c.lu.compute(c.a, s, c.pattern);
          else c.lu.compute(c.a, s);
          invertible = c.lu.invertible(1e-12);
        } else {
          c.eigen_lu.compute(Eigen::Map<const Eigen::MatrixXd>(c.a.data(), s, s));
          c.eigen_lu.setThreshold(1e-12);
          invertible = c.eigen_lu.isInvertible();
        }
        if (!invertible) undetermined(c.a, s, c.members, name);
      }
    }
    c.valid = true;
    c.version = holdings.version();
    if (defaulted.empty()) c.dead.assign(n, 0);
    else c.dead.assign(defaulted.begin(), defaulted.end());
  }
  const int s = int(c.members.size());
  if (s == 0) return;
  c.x.resize(size_t(s));
  for (int r = 0; r < s; ++r) c.x[size_t(r)] = value[size_t(c.members[size_t(r)])];
  if (FullPivLu::kMatchesEigen) {
    c.lu.solve(c.x);
  } else {
    Eigen::Map<Eigen::VectorXd> x(c.x.data(), s);
    Eigen::VectorXd e = c.eigen_lu.solve(x);
    x = e;
  }
  for (int r = 0; r < s; ++r) {
    const double e = c.x[size_t(r)];
    DEAL_REQUIRE(std::isfinite(e), fmt::format("the equity of {} is not finite", name(c.members[size_t(r)])));
    equity[size_t(c.members[size_t(r)])] = e;
  }
}

std::vector<double> value_equity(std::span<const double> value, const Holdings& holdings,
                                 std::span<const std::uint8_t> defaulted, std::span<const std::string> names) {
  std::vector<double> equity(value.size());
  ValuationWorkspace ws;
  value_equity(value, holdings, defaulted, equity, ws, names);
  return equity;
}

}  // namespace deal::rt
