#include "runtime/conservation.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "runtime/defaults.hpp"

namespace deal::rt {

void ConservationCheck::start(std::span<const double> cash) {
  initial_ = 0.0;
  for (double c : cash) initial_ += c;
}

MoneyBalance ConservationCheck::balance(std::span<const double> cash, const Ledger& ledger) const {
  MoneyBalance b;
  b.initial = initial_;
  for (double c : cash) b.cash += c;
  // World's contractual flows are what World paid/received minus the non-contractual kinds.
  b.borrowed = ledger.credit_drawn() + ledger.borrowed();
  b.default_costs = ledger.default_costs();
  b.adjustments = ledger.adjusted_in() - ledger.adjusted_out();
  b.liquidation = ledger.paid_by_world(FlowKind::Liquidation);
  b.to_world_from_estates = ledger.paid_to_world(FlowKind::Claim) + ledger.paid_to_world(FlowKind::Surplus);
  b.from_world = ledger.paid_by_world() - b.borrowed - ledger.adjusted_in() - b.liquidation;
  b.to_world = ledger.paid_to_world() - b.default_costs - ledger.adjusted_out() - b.to_world_from_estates;
  return b;
}

std::optional<std::string> ConservationCheck::check(std::span<const double> cash, const Ledger& ledger, int step,
                                                    Date date, std::span<const std::string> names) const {
  auto name = [&](int i) -> std::string {
    if (i < 0) return "World";
    if (size_t(i) < names.size()) return names[size_t(i)];
    return fmt::format("party {}", i);
  };
  if (const auto& v = ledger.first_violation()) {
    const LedgerRow& r = v->second;
    return fmt::format(
        "ledger check failed after step {} ({}): row {} ({} {} -> {}, step {}, deal {}, "
        "priority {}) has paid {} {} due {}",
        step, format_date(date), v->first, to_string(r.kind), name(r.from), name(r.to), r.step, r.deal, r.priority,
        r.paid, r.paid < 0 ? "below zero with" : "above", r.due);
  }
  for (size_t i = 0; i < cash.size(); ++i)
    if (!std::isfinite(cash[i]))
      return fmt::format("ledger check failed after step {} ({}): {} has cash {}", step, format_date(date),
                         name(int(i)), cash[i]);
  const MoneyBalance b = balance(cash, ledger);
  double scale = 1e-6 / rel_tol_;
  for (double x : {b.initial, b.cash, b.from_world, b.to_world, b.default_costs, b.borrowed, b.adjustments,
                   b.liquidation, b.to_world_from_estates})
    scale = std::max(scale, std::fabs(x));
  for (double c : cash) scale = std::max(scale, std::fabs(c));
  if (std::fabs(b.difference()) <= rel_tol_ * scale) return std::nullopt;
  return fmt::format(
      "money is not conserved after step {} ({}): the parties hold {:.6f} in cash, but "
      "initial cash {:.6f} + paid by World {:.6f} - paid to World {:.6f} - default costs "
      "{:.6f} + borrowed {:.6f} + direct cash changes {:.6f} + liquidation proceeds {:.6f} - estates' payments "
      "to World {:.6f} = {:.6f} (difference {:.6f}, tolerance {:.6f})",
      step, format_date(date), b.cash, b.initial, b.from_world, b.to_world, b.default_costs, b.borrowed, b.adjustments,
      b.liquidation, b.to_world_from_estates, b.expected(), b.difference(), rel_tol_ * scale);
}

}  // namespace deal::rt
