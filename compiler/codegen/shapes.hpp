// Deals as data. The checker instantiates each contract once per deal, so the deals of
// one contract have the same clause trees but for a few leaves: constants (the bound
// arguments), slot numbers (their own states, their parties' fields), their deal id and
// the ids of their store and emit sites. A *shape* is such a tree with those leaves
// abstracted; codegen compiles one function per shape and phase, and each member deal
// is a row of a table holding the leaves in which the members differ (the shape's
// *holes*). Leaves every member agrees on stay constants in the code. Code size — and
// compile time — then grows with the number of contracts, not of deals.
//
// Pure analysis of the HIR: no LLVM here (compiler/codegen/codegen.cpp emits the code).
#pragma once

#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "compiler/check/program.hpp"

namespace deal::codegen {

// What a leaf is, and so how its table column is read.
enum class LeafKind {
  Number,  // an HExpr Const's value (a double)
  Slot,    // a state slot number: an HExpr Slot, a Store's target, a `when`'s fired slot,
           // the deal's `alive` slot (and a terminated deal's)
  Id,      // an integer passed on: a Pay's deal id, a store or emit site id, a party id
};

// Identifies one leaf of the template tree: the node, which of its leaves, and the
// scope it is emitted in (an `on default` clause is emitted once per entry naming it:
// the entry; nullptr elsewhere).
struct LeafRef {
  const void* node = nullptr;
  int which = 0;
  const void* scope = nullptr;
  bool operator<(const LeafRef& o) const {
    if (node != o.node) return node < o.node;
    if (which != o.which) return which < o.which;
    return scope < o.scope;
  }
};

// The `which` of each leaf (several nodes carry two).
enum LeafWhich : int {
  kLeafValue = 0,  // HExpr Const num / HExpr Slot index / HStmt Store slot / Terminate's alive slot
  kLeafSite = 1,   // HStmt Store / Emit: its site id
  kLeafDeal = 2,   // HStmt Pay: the deal id
  kLeafFired = 3,  // HClause: fired slot
  kLeafParty = 4,  // HDeal::OnDefault: the party id (node: the clause)
  kLeafAlive = 5,  // the deal's own alive slot; a party's `defaulted` slot (node: the deal or party)
  kLeafCall = 6,   // a call's or statement's run-time error site (parties only: their sources differ)
  kLeafDate = 7,   // the site of a clause's computed date (`at`, `from`, `for`, `until`; parties only)
  kLeafOut = 8,    // a party's valuation: its index in the output array (node: the party)
};

struct Column {
  LeafKind kind = LeafKind::Number;
  int index = 0;  // within its table: numbers and ints are two tables
};

struct Shape {
  std::vector<int> deals;  // members, in declaration order
  // The template: the first member's trees; its leaves that are holes, with their column,
  // and the value of every other leaf (the same in every member).
  std::map<LeafRef, Column> holes;
  std::map<LeafRef, double> fixed;
  int number_columns = 0, int_columns = 0;
  // Rows, one per member: numbers[member * number_columns + c], ints[member * int_columns + c].
  std::vector<double> numbers;
  std::vector<int> ints;
};

// Which part of a deal a phase runs.
enum class DealPart {
  Step,       // at / every / whenever clauses (the deals' step)
  Triggers,   // `when` clauses
  OnDefault,  // the clauses of its `on default` entries
};

// Site ids are registered by the code generator, one per deal's store or emit.
struct SiteIds {
  std::function<int(const check::HStmt& store, int deal)> store;
  std::function<int(const check::HStmt& emit, int deal)> emit;
  // The site of a call or statement that can fail at run time, by its source span. Deals
  // of one contract share their source, so only parties' shapes ask for it.
  std::function<int(Span span)> call;
};

// Whether `deal` has anything in `part`.
bool has_part(const check::HDeal& deal, DealPart part);

// The shapes of `deals` (ids into program.deals; those without `part` are skipped), and
// for each deal that has the part, (shape, row) in the order given.
struct Shapes {
  std::vector<Shape> shapes;
  std::vector<std::pair<int, int>> order;  // per deal with the part: (shape index, row)
};
Shapes find_shapes(const check::Program& program, const std::vector<int>& deals, DealPart part, const SiteIds& sites);

// Parties as data, the same way: parties whose `every` blocks (or valuations) differ only
// in leaves share a shape; a party's row holds its slots, constants and sites. `order`
// lists the parties with clauses (Step) or every party but World (Values), by id.
enum class PartyPart {
  Step,    // its clauses, each run while the party has not defaulted
  Values,  // its valuation expression, stored at its id in the output array
};
Shapes find_party_shapes(const check::Program& program, PartyPart part, const SiteIds& sites);

// The trees of `part` of `deal`, in the order codegen emits them (the template of a
// shape is its first member's): the clauses, or for OnDefault the (entry, clause) pairs.
std::vector<const check::HClause*> part_clauses(const check::HDeal& deal, DealPart part);

}  // namespace deal::codegen
