#include "runtime/ledger.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "runtime/require.hpp"

namespace deal::rt {

const char* to_string(FlowKind k) {
  switch (k) {
    case FlowKind::Contractual:
      return "contractual";
    case FlowKind::CreditDraw:
      return "credit draw";
    case FlowKind::DefaultCost:
      return "default cost";
    case FlowKind::Borrow:
      return "borrow";
    case FlowKind::Adjustment:
      return "adjustment";
    case FlowKind::Claim:
      return "claim";
    case FlowKind::Liquidation:
      return "liquidation";
    case FlowKind::Surplus:
      return "surplus";
  }
  return "?";
}

Ledger::Ledger(int parties, LedgerOptions options) : parties_(parties), options_(options) {
  DEAL_REQUIRE(parties >= 0, fmt::format("ledger: {} parties", parties));
}

void Ledger::append(const LedgerRow& r) {
  DEAL_REQUIRE(r.from >= kWorld && r.from < parties_ && r.to >= kWorld && r.to < parties_,
               fmt::format("ledger: row from {} to {} with {} parties", r.from, r.to, parties_));
  DEAL_REQUIRE(std::isfinite(r.due) && std::isfinite(r.paid),
               fmt::format("ledger: row from {} to {} has due {} and paid {}", r.from, r.to, r.due, r.paid));
  if (!violation_ && (r.paid < 0.0 || r.paid > r.due + 1e-9 * std::fabs(r.due)))
    violation_ = std::make_pair(appended_, r);
  ++appended_;
  if (options_.keep_rows) rows_.push_back(r);
  LedgerTotals& t = totals_[int(r.kind)];
  ++t.rows;
  t.due += r.due;
  t.paid += r.paid;
  if (r.from < 0 && r.to >= 0) world_out_ += r.paid, world_out_by_[int(r.kind)] += r.paid;
  if (r.to < 0 && r.from >= 0) world_in_ += r.paid, world_in_by_[int(r.kind)] += r.paid;
  if (r.kind == FlowKind::Adjustment) (r.from < 0 ? adjusted_in_ : adjusted_out_) += r.paid;
  if (r.kind == FlowKind::Contractual) {
    if (options_.track_flows)
      flows_[std::uint64_t(index(r.from)) * std::uint64_t(parties_ + 1) + std::uint64_t(index(r.to))] += r.paid;
    if (r.deal >= 0) {
      if (size_t(r.deal) >= deal_due_.size()) {
        deal_due_.resize(size_t(r.deal) + 1, 0.0);
        deal_paid_.resize(size_t(r.deal) + 1, 0.0);
      }
      deal_due_[size_t(r.deal)] += r.due;
      deal_paid_[size_t(r.deal)] += r.paid;
    }
  }
}

void Ledger::record(const ClearingInput& in, const ClearingResult& res, size_t first_claim, size_t first_surplus) {
  DEAL_REQUIRE(res.paid.size() == in.obligations.size(), "ledger: the clearing result does not match its input");
  DEAL_REQUIRE(int(in.cash.size()) == parties_,
               fmt::format("ledger: a round of {} parties recorded in a ledger of {}", in.cash.size(), parties_));
  if (options_.keep_rows) rows_.reserve(rows_.size() + in.obligations.size());
  for (size_t k = 0; k < in.obligations.size(); ++k) {
    const Obligation& o = in.obligations[k];
    if (k >= first_surplus) {
      if (res.paid[k] > 0.0)
        append(LedgerRow{in.step, -1, o.from, o.to, o.priority, FlowKind::Surplus, res.paid[k], res.paid[k]});
      continue;
    }
    const FlowKind kind = k >= first_claim ? FlowKind::Claim : FlowKind::Contractual;
    append(LedgerRow{in.step, o.deal, o.from, o.to, o.priority, kind, o.amount, res.paid[k]});
  }
  for (int j = 0; j < parties_; ++j) {
    const double draw = res.credit_drawn[size_t(j)];
    if (draw > 0.0) append(LedgerRow{in.step, -1, kWorld, j, 0, FlowKind::CreditDraw, draw, draw});
    const double cost = res.default_cost[size_t(j)];
    if (cost > 0.0) append(LedgerRow{in.step, -1, j, kWorld, 0, FlowKind::DefaultCost, cost, cost});
  }
}

void Ledger::record_borrow(int step, int party, double amount) {
  DEAL_REQUIRE(party >= 0, "ledger: World cannot borrow");
  append(LedgerRow{step, -1, kWorld, party, 0, FlowKind::Borrow, amount, amount});
}

void Ledger::record_adjustment(int step, int party, double delta) {
  if (delta == 0.0) return;
  const double amount = std::fabs(delta);
  if (delta > 0) append(LedgerRow{step, -1, kWorld, party, 0, FlowKind::Adjustment, amount, amount});
  else append(LedgerRow{step, -1, party, kWorld, 0, FlowKind::Adjustment, amount, amount});
}

void Ledger::reset() {
  rows_.clear();
  for (auto& t : totals_) t = LedgerTotals{};
  flows_.clear();
  std::fill(deal_due_.begin(), deal_due_.end(), 0.0);
  std::fill(deal_paid_.begin(), deal_paid_.end(), 0.0);
  world_in_ = world_out_ = 0.0;
  for (int k = 0; k < kFlowKinds; ++k) world_in_by_[k] = world_out_by_[k] = 0.0;
  adjusted_in_ = adjusted_out_ = 0.0;
  appended_ = 0;
  violation_.reset();
}

double Ledger::flow(int from, int to) const {
  DEAL_REQUIRE(options_.track_flows, "ledger: flows are not tracked (LedgerOptions::track_flows)");
  DEAL_REQUIRE(from >= kWorld && from < parties_ && to >= kWorld && to < parties_,
               fmt::format("ledger: no flow from {} to {}", from, to));
  auto it = flows_.find(std::uint64_t(index(from)) * std::uint64_t(parties_ + 1) + std::uint64_t(index(to)));
  return it == flows_.end() ? 0.0 : it->second;
}

std::vector<Ledger::PairFlow> Ledger::pair_flows() const {
  std::vector<PairFlow> out;
  out.reserve(flows_.size());
  const std::uint64_t w = std::uint64_t(parties_ + 1);
  auto party = [&](std::uint64_t i) { return i == std::uint64_t(parties_) ? kWorld : int(i); };
  for (const auto& [key, paid] : flows_) out.push_back({party(key / w), party(key % w), paid});
  std::sort(out.begin(), out.end(),
            [](const PairFlow& a, const PairFlow& b) { return std::pair(a.from, a.to) < std::pair(b.from, b.to); });
  return out;
}

double Ledger::outflow(int party) const {
  double s = 0.0;
  for (int j = -1; j < parties_; ++j) s += flow(party, j);
  return s;
}

double Ledger::inflow(int party) const {
  double s = 0.0;
  for (int i = -1; i < parties_; ++i) s += flow(i, party);
  return s;
}

double Ledger::deal_due(int deal) const {
  return deal >= 0 && size_t(deal) < deal_due_.size() ? deal_due_[size_t(deal)] : 0.0;
}

double Ledger::deal_paid(int deal) const {
  return deal >= 0 && size_t(deal) < deal_paid_.size() ? deal_paid_[size_t(deal)] : 0.0;
}

std::vector<double> flow_matrix(std::span<const LedgerRow> rows, int parties, unsigned kinds) {
  const size_t w = size_t(parties) + 1;
  std::vector<double> f(w * w, 0.0);
  for (const LedgerRow& r : rows) {
    if (!(kinds & (1u << int(r.kind)))) continue;
    const size_t i = r.from < 0 ? size_t(parties) : size_t(r.from);
    const size_t j = r.to < 0 ? size_t(parties) : size_t(r.to);
    DEAL_REQUIRE(i < w && j < w, fmt::format("flow_matrix: row from {} to {}", r.from, r.to));
    f[i * w + j] += r.paid;
  }
  return f;
}

}  // namespace deal::rt
