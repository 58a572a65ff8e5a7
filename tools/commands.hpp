// Subcommands register themselves (one file each), so adding a command never edits
// deal_main.cpp: define a static `Register` in the command's file.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace deal::cli {

struct Command {
  int order = 100;                            // position in `deal --help`
  std::function<CLI::App*(CLI::App&)> setup;  // adds the subcommand and its options
  std::function<int()> run;                   // runs it after parsing; returns the exit code
  // Under mpirun (tools/distributed.hpp), whether every rank runs it (it splits its work
  // over the ranks); any other command runs on rank 0 alone.
  bool distributed = false;
};

std::vector<Command>& commands();

struct Register {
  explicit Register(Command c) { commands().push_back(std::move(c)); }
};

}  // namespace deal::cli
