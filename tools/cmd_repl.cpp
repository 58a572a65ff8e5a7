// `deal repl [FILE]`: an interactive session (docs/repl.md has the design; engine/workspace.hpp keeps the program).
// On a terminal: prompts, line editing, history, completion. Otherwise it reads commands
// line by line without prompts, so it can be scripted; then the exit status is 1 when
// any input failed (the session itself never stops at an error).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include "tools/cli.hpp"
#include "tools/commands.hpp"
#include "tools/repl_line.hpp"
#include "tools/repl_session.hpp"

#ifndef DEAL_VERSION
#define DEAL_VERSION "0.1.0"
#endif

namespace deal::cli {
namespace {

struct ReplArgs {
  std::string file;
  std::vector<std::string> import_paths;
} args;

int run_repl() {
  repl::SessionOptions so;
  so.color = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO) && !std::getenv("NO_COLOR");
  so.import_paths = args.import_paths;
  repl::Session session(so);
  auto reader = repl::LineReader::open(
      [&session](const std::string& before, size_t& start) { return session.complete(before, start); });
  if (reader->interactive())
    fmt::print("deal {} — type declarations or expressions; :help for commands, Ctrl-D to leave\n", DEAL_VERSION);
  if (!args.file.empty()) session.load(args.file);

  std::string input;
  for (;;) {
    std::string line;
    auto status = reader->read(input.empty() ? "deal> " : "  ... ", line);
    if (status == repl::LineReader::Status::Interrupted) {
      input.clear();
      continue;
    }
    if (status == repl::LineReader::Status::End) {
      if (!input.empty()) session.handle(input);  // what is left, errors and all
      break;
    }
    reader->remember(line);
    input += line;
    input += '\n';
    // A command is one line; declarations continue while a brace is open.
    bool is_command =
        input.find_first_not_of(" \t\n") != std::string::npos && input[input.find_first_not_of(" \t\n")] == ':';
    if (!is_command && !repl::input_complete(input)) continue;
    std::fflush(stdout);
    bool go_on = session.handle(input);
    std::fflush(stdout);
    std::fflush(stderr);
    input.clear();
    if (!go_on) break;
  }
  return reader->interactive() ? 0 : (session.had_errors() ? 1 : 0);
}

Register repl_command({30,
                       [](CLI::App& app) {
                         auto* r = app.add_subcommand(
                             "repl", "Interactive session: declarations and expressions checked and run as you type");
                         r->add_option("file", args.file, "A .deal program to load first");
                         add_import_path_option(r, args.import_paths);
                         return r;
                       },
                       run_repl});

}  // namespace
}  // namespace deal::cli
