// The analyses of LANGUAGE.md §7 (definitions in docs/analyses.md):
//   exposure       — obligations scheduled between each pair, as if everyone paid in full;
//   circularity    — how much of the money a party pays out comes back to it;
//   concentration  — Herfindahl–Hirschman indices of inflows and outflows by counterparty;
//   systemic       — the equity the others lose when one party alone defaults at the start.
//
// The first three are pure functions of a flow matrix; `analyze` runs the extra
// scenarios they need (one "pay in full" run, one run per party) and assembles them.
// Matrices are indexed by model party ids: 0 is World, 1… the declared parties.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/driver.hpp"
#include "runtime/model.hpp"

namespace deal::rt {

using Matrix = std::vector<std::vector<double>>;

struct Counterparty {
  int party = -1;  // model id (0 = World)
  double amount = 0;
  double share = 0;  // of the total
};

struct Exposure {
  Matrix owed;  // owed[i][j]: what i was scheduled to pay j over the horizon
  // Per party, largest first (at most 5): whom it owes most (creditors) and who owes it most (debtors).
  std::vector<std::vector<Counterparty>> creditors, debtors;
};

struct CircularParty {
  double outflow = 0, inflow = 0;
  double return_probability = 0;  // a dollar it pays out comes back before leaving the network
  double self_funded_share = 0;   // outflow × return_probability / inflow (0 without inflow)
};

struct Cycle {
  std::vector<int> path;  // model ids, first == last, starting at the lowest id on the cycle
  double amount = 0;
};

struct Circularity {
  std::vector<CircularParty> parties;  // by model id (World's entry unused)
  std::vector<Cycle> cycles;           // largest first
};

struct Concentration {
  double inflow_hhi = 0, outflow_hhi = 0;  // on shares in [0, 1]; 0 when there is no flow
  std::optional<Counterparty> top_customer, top_supplier;
};

struct SystemicImpact {
  int party = -1;              // the party that defaults at the start
  double equity_lost = 0;      // Σ over the others of max(0, base equity − shocked equity)
  int induced_defaults = 0;    // others that default in that run but not in the base run
  std::vector<int> defaulted;  // those parties
};

// Exposure from the flows of a run in which every obligation was paid in full.
Exposure exposure_from(const Matrix& scheduled);
// Circularity of a flow matrix F[i][j] = paid from i to j (World absorbs).
Circularity circularity(const Matrix& flows);
// Deterministic cycle decomposition of the flows among the parties (World excluded).
std::vector<Cycle> cycles(const Matrix& flows, double min_amount = 1.0);
// HHI and top counterparties of party i (World counted as one counterparty).
Concentration concentration(const Matrix& flows, int party);
// Ranks the impacts: equity lost, then induced defaults, then declaration order.
void rank(std::vector<SystemicImpact>& impacts);

struct AnalysisSelection {
  bool exposure = true, circularity = true, concentration = true, systemic = true;
};

struct Analyses {
  std::optional<Exposure> exposure;
  std::optional<Circularity> circularity;
  std::optional<std::vector<Concentration>> concentration;  // by model id (World's entry unused)
  std::optional<std::vector<SystemicImpact>> systemic;      // ranked
  long long computed_on_path = 0;  // the analyses describe one path (path 0 of a Monte Carlo run)
  // Informational notes (none today). An analysis whose extra run fails is an error:
  // analyze throws a RunError naming the analysis and the run.
  std::vector<std::string> warnings;
};

// Runs what the selection needs. `base` is the scenario's single-path result (its flows
// and final equities); the exposure and systemic runs use the same options with one
// path, in parallel over `threads` (0: all cores). An analysis whose run fails throws a
// RunError. Memory is O(n²) for n parties: each extra run's figures are taken as soon as
// it ends (no ledger rows are kept and only the exposure run's flow matrix is).
Analyses analyze(const Model& model, int scenario, const RunOptions& options, const RunResult& base,
                 const AnalysisSelection& which, int threads = 0);

}  // namespace deal::rt
