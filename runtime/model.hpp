// What the driver runs: a compiled program described as plain data plus the generated
// phase functions (runtime/abi.hpp). The runtime does not depend on the compiler;
// compiler/jit/model.cpp builds this from a checked and compiled program.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/abi.hpp"
#include "runtime/calendar.hpp"

namespace deal::rt {

// How a tracked value or emitted value is shown.
enum class ValueKind { Number, Bool, Date, Party, Deal, String };

struct ModelParty {
  std::string name, kind;
  int base = -1;  // first slot: cash, debt, credit, defaulted, default_date, equity follow
};

struct ModelDeal {
  std::string name, contract;
  int base = -1;  // alive, paid, due
  int shock = -1;
  std::vector<int> parties;  // bound to its Party parameters, in order (model ids)
};

struct ModelShock {
  std::string name;
  PhaseFn at = nullptr, deals = nullptr, deal_triggers = nullptr, triggers = nullptr;
};

struct ModelTrack {
  std::string label;
  ValueKind kind = ValueKind::Number;
  std::string unit;  // dimension symbol, e.g. "$", "$/y", "1/y", "" for Number
  int site = -1;     // its expression (Model::sites), for an error when it is NaN
};

struct ModelScenario {
  std::string name;
  std::vector<int> shocks;  // apply order
  std::optional<Date> horizon;
  long long paths = 1;
  unsigned long long seed = 0;
  double alpha = 1, beta = 1;
  std::vector<ModelTrack> tracks;
  InitFn init = nullptr;
  OutFn track = nullptr;
};

struct ModelParam {
  std::string name;
  int slot = -1;
};

// A source place a run-time error names (LANGUAGE.md §8): a state's store, or a
// statement or call that can fail at run time.
struct SiteInfo {
  std::string name;      // the state stored ("Lab.cash"); empty for other sites
  std::string location;  // "file.deal:12:5"
  std::string snippet;   // the source line with its gutter and a caret under the span
};

struct EmitInfo {
  std::vector<std::string> pieces;
  std::vector<ValueKind> kinds;
  std::vector<std::string> units;
  int site = -1;  // Model::sites: its location, for a run error while formatting the line
};

// A host function for `extern fn` (the embedding API binds these).
using HostFunction = std::function<double(const double* args, int n)>;

struct Model;

// The same program compiled by the optimising tier while a run goes on (tier-up,
// docs/internals.md "Tiers"): code is first compiled cheaply, and a Monte Carlo run that
// expects to take long asks for the optimised code and moves its workers onto it between
// paths. Both tiers compute the same bits, so a path's results do not depend on which one
// ran it. Implemented by the engine (engine/tier_up.*); thread-safe.
class FasterTier {
 public:
  virtual ~FasterTier() = default;
  // A run expects `remaining_cpu_ms` more of CPU time on the cheap tier: start the
  // optimising compile (on a thread of its own) if that is worth it. Cheap once decided.
  virtual void consider(double remaining_cpu_ms) = 0;
  // The model on the optimised code once it is ready, else nullptr — and nullptr for any
  // model but the one it was made for (a copy of that model may have changed).
  virtual const Model* ready(const Model& asking) const = 0;
};

struct Model {
  Date first, last;
  StepUnit step = StepUnit::Quarter;
  int slot_count = 0;
  std::vector<std::string> slot_names;
  std::vector<ModelParty> parties;  // [0] is World
  std::vector<ModelDeal> deals;
  std::vector<ModelParam> params;
  std::vector<ModelShock> shocks;
  std::vector<ModelScenario> scenarios;
  std::vector<SiteInfo> sites;
  std::vector<EmitInfo> emits;
  std::vector<std::string> extern_fns;  // names, indexed by fn id (empty for non-extern)
  PhaseFn parties_step = nullptr, deals_step = nullptr, deal_triggers = nullptr;
  OnDefaultFn on_default = nullptr;
  OutFn values = nullptr;
  OutFn liquidations = nullptr;  // out[id] = a party's `liquidation` value (§6.6); untouched where none
  // Whether the program reads revenue_from(P, Q): the run keeps this step's pair sums only
  // then (an expression compiled later against the model, as the REPL's, sets it).
  bool pair_flows = true;
  // The optimised tier of this model's code, when its code is the cheap tier; else null.
  std::shared_ptr<FasterTier> faster;

  int find_scenario(const std::string& name) const;
  int find_party(const std::string& name) const;
  int find_param(const std::string& name) const;
};

}  // namespace deal::rt
