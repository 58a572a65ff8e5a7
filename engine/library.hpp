// Reading the library from the tools: `deal explain CODE` (a diagnostic code's
// explanation, docs/diagnostics.md compiled in) and `deal doc [NAME]` / the REPL's
// `:doc NAME` (a standard-library contract's doc comment, signature and states).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/session.hpp"

namespace deal::engine {

// The explanation of a diagnostic code ("E011", case-insensitive); nullopt when no such
// code is documented.
std::optional<std::string> explain(std::string_view code);
// Every documented code, in the document's order.
std::vector<std::string> diagnostic_codes();

// A declaration's doc comment (docs/language.md §5): the `//` lines right above `line`,
// up to a blank or any other line, without their markers; at most the `max_lines` nearest.
std::string doc_comment_above(const SourceManager& sm, uint32_t file, uint32_t line, size_t max_lines = size_t(-1));

// One contract of the standard library as `deal doc` shows it.
struct ContractDoc {
  std::string module;     // "std/contracts"
  std::string name;       // "commitment"
  std::string signature;  // "commitment(buyer: Party, …, ramp: Duration = 0y)"
  std::string summary;    // the doc comment's first line, after "name — "
  std::string comment;    // the whole doc comment, `// ` removed
  struct Param {
    std::string name, type, default_value;  // default_value "" when required
  };
  std::vector<Param> params;
  std::vector<std::string> states;                                // "delivered = 0GW"
  std::vector<std::pair<std::string, std::string>> party_fields;  // (party param, field) it reads or changes
};

// The contracts of every module of the standard library, in file and declaration order.
std::vector<ContractDoc> library_contracts(const LoadOptions& options = {});
// `deal doc`: one line per contract (name, summary) and how to read one.
std::string library_index(const LoadOptions& options = {});
// `deal doc NAME`: the contract's page; nullopt (and `error` names the contracts, with a
// suggestion) when the library has no such contract.
std::optional<std::string> library_doc(std::string_view name, std::string& error, const LoadOptions& options = {});

}  // namespace deal::engine
