// The `deal` command-line program. Subcommands (check, run, …) register themselves in
// their own files (tools/commands.hpp); `--emit ast|ir|asm FILE` is handled here.
// Exit codes: 0 success, 1 the program has errors, 2 usage error, 3 a run failed.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>

#include "engine/session.hpp"
#include "tools/cmd_run.hpp"
#include "tools/commands.hpp"
#include "tools/distributed.hpp"

namespace deal::cli {
std::vector<Command>& commands() {
  static std::vector<Command> list;
  return list;
}
}  // namespace deal::cli

namespace {

int run_cli(int argc, char** argv) {
  CLI::App app{"deal — a scenario language for networks of contracts"};
  app.require_subcommand(0, 1);
  app.footer(
      "Output: run, compare and sensitivity print a table on a terminal and JSON when their output is piped or "
      "redirected; --format table|json|csv chooses.");
  std::string emit, emit_file;
  app.add_option("--emit", emit, "Print a compiler stage for FILE: ast, ir or asm")
      ->check(CLI::IsMember({"ast", "ir", "asm"}));
  app.add_option("file", emit_file, "The .deal file for --emit");
  bool version = false;
  app.add_flag("--version", version, "Print the version and the standard library in use");

  auto& list = deal::cli::commands();
  std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.order < b.order; });
  std::vector<CLI::App*> subs;
  for (auto& c : list) subs.push_back(c.setup(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    if (!subs[i]->parsed()) continue;
    if (!list[i].distributed && deal::cli::rank() != 0) return 0;
    return list[i].run();
  }
  if (deal::cli::rank() != 0) return 0;
  if (version) {
    fmt::print("deal {}\nstandard library: {}\n", DEAL_VERSION, deal::engine::stdlib_dir({}));
    return 0;
  }
  if (!emit.empty()) {
    if (emit_file.empty()) {
      fmt::print(stderr, "deal: --emit {} needs a FILE\n", emit);
      return 2;
    }
    return deal::cli::cmd_emit(emit, emit_file);
  }
  fmt::print("{}", app.help());
  return 2;
}

}  // namespace

// One boundary for every command: an exception that escapes is an internal error (exit 3).
int main(int argc, char** argv) {
  if (int code = deal::cli::start_distribution(argc, argv); code >= 0) {
    deal::cli::end_distribution();
    return code;
  }
  int code = deal::engine::guarded([&] { return run_cli(argc, argv); }, stderr);
  deal::cli::end_distribution();
  return code;
}
