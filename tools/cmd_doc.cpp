// `deal doc [NAME]`: the standard library's contracts, or one contract's page;
// `deal explain CODE`: what a diagnostic code means (docs/diagnostics.md).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "engine/library.hpp"
#include "tools/cli.hpp"
#include "tools/commands.hpp"

namespace deal::cli {
namespace {

struct DocArgs {
  std::string name;
} doc_args;

struct ExplainArgs {
  std::string code;
} explain_args;

int run_doc() {
  if (engine::library_contracts().empty()) {
    fmt::print(stderr, "deal doc: no standard library in '{}' (set DEAL_STDLIB to its folder)\n",
               engine::stdlib_dir({}));
    return 2;
  }
  if (doc_args.name.empty()) {
    fmt::print("{}", engine::library_index());
    return 0;
  }
  std::string error;
  auto page = engine::library_doc(doc_args.name, error);
  if (!page) {
    fmt::print(stderr, "deal doc: {}\n", error);
    return 2;
  }
  fmt::print("{}", *page);
  return 0;
}

int run_explain() {
  auto text = engine::explain(explain_args.code);
  if (!text) {
    fmt::print(stderr, "deal explain: no diagnostic code '{}' (codes: {})\n", explain_args.code,
               fmt::join(engine::diagnostic_codes(), ", "));
    return 2;
  }
  fmt::print("{}", *text);
  return 0;
}

Register doc_command({80,
                      [](CLI::App& app) {
                        auto* c = app.add_subcommand(
                            "doc", "Show the standard library's contracts, or one contract's parameters and doc");
                        c->add_option("name", doc_args.name, "A contract (e.g. commitment); none: list them all");
                        return c;
                      },
                      run_doc});

Register explain_command(
    {81,
     [](CLI::App& app) {
       auto* c = app.add_subcommand("explain", "Explain a diagnostic code (e.g. E011)");
       c->add_option("code", explain_args.code, "The code shown as [E011] after a message")->required();
       return c;
     },
     run_explain});

}  // namespace
}  // namespace deal::cli
