// `deal doc` / `deal explain` through the engine: the library read from stdlib/, the
// names the checker's help knows kept in step with it, every code explained.
#include <algorithm>
#include <string>

#include <catch2/catch.hpp>

#include "compiler/check/stdlib_names.hpp"
#include "compiler/diagnostics.hpp"
#include "engine/library.hpp"

using namespace deal;

TEST_CASE("the checker's list of std/contracts names is the library's") {
  std::vector<std::string> listed;
  for (const engine::ContractDoc& d : engine::library_contracts())
    if (d.module == "std/contracts") listed.push_back(d.name);
  std::vector<std::string> known(check::kStdContracts.begin(), check::kStdContracts.end());
  std::sort(listed.begin(), listed.end());
  std::sort(known.begin(), known.end());
  CHECK(listed == known);
}

TEST_CASE("a contract's page has its parameters, needs, states and doc comment") {
  std::string why;
  auto page = engine::library_doc("commitment", why);
  REQUIRE(page);
  CHECK_THAT(*page, Catch::StartsWith("contract commitment — a multi-year take-or-pay compute purchase.\n"));
  CHECK_THAT(*page, Catch::Contains("  deal x = commitment(buyer, seller, total, start, term)\n"));
  CHECK_THAT(*page, Catch::Contains("  ramp         Duration      default 0y\n"));
  CHECK_THAT(*page, Catch::Contains("Needs from its parties (fields besides cash, debt, credit):\n  buyer.capacity\n"));
  CHECK_THAT(*page, Catch::Contains("States:\n  delivering = true\n  delivered = 0GW\n"));
  CHECK_THAT(*page, Catch::Contains("Example: deal openai_oracle = commitment("));
  // A loan needs nothing beyond the built-in fields.
  auto loan = engine::library_doc("loan", why);
  REQUIRE(loan);
  CHECK_THAT(*loan, !Catch::Contains("Needs from its parties"));
}

TEST_CASE("an unknown contract names the closest one") {
  std::string why;
  CHECK_FALSE(engine::library_doc("comitment", why));
  CHECK(why == "the standard library has no contract 'comitment' (did you mean 'commitment'?); `deal doc` lists them");
}

TEST_CASE("the index lists every contract with its summary") {
  std::string index = engine::library_index();
  CHECK_THAT(index, Catch::StartsWith("std/contracts  (import \"std/contracts\")\n"));
  for (std::string_view name : check::kStdContracts) CHECK_THAT(index, Catch::Contains("  " + std::string(name) + " "));
}

TEST_CASE("every code the sources define is explained, whatever its case") {
  for (const char* code :
       {codes::kSyntax, codes::kImport, codes::kCheck, codes::kInternal, codes::kUnknownName, codes::kUnknownUnit,
        codes::kDimensions, codes::kPartyLacksField, codes::kArgumentType, codes::kMissingArgument,
        codes::kNoSuchParameter, codes::kDuplicate, codes::kNotAssignable, codes::kRecursion, codes::kBareNumber,
        codes::kPayInParty, codes::kSetOnState, codes::kBadSetValue, codes::kWarning}) {
    auto text = engine::explain(code);
    REQUIRE(text);
    CHECK_THAT(*text, Catch::StartsWith(std::string("## ") + code + ": "));
  }
  CHECK(engine::explain("e011") == engine::explain("E011"));
  CHECK_FALSE(engine::explain("E999"));
  CHECK_FALSE(engine::explain(""));
}

TEST_CASE("a missing standard library reads as no contracts (deal doc says where it looked)") {
  engine::LoadOptions options;
  options.stdlib_dir = "/nonexistent/deal-stdlib";
  CHECK(engine::library_contracts(options).empty());
  std::string why;
  CHECK_FALSE(engine::library_doc("loan", why, options));
}
