// `deal run` and `deal --emit ir|asm`.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace deal::cli {

struct RunArgs {
  std::string file;
  std::string scenario;
  bool all = false;
  std::vector<std::string> sets;
  std::optional<long long> paths;
  std::optional<unsigned long long> seed;
  int threads = 0;                        // --threads: Monte Carlo worker threads; 0 = one per core
  double max_seconds = 0;                 // --max-seconds; 0: none
  long long max_memory = 0;               // --max-memory in bytes; 0: RunOptions' default
  std::optional<long long> exact_values;  // --exact-values; unset: RunOptions' default
  std::string format;                     // table | csv | json; empty: table on a terminal, json otherwise
  std::string out;
  bool check_ledger = false;
  bool timings = false;                   // print phase timings to stderr
  std::string analyses;                   // --analyses: a comma list, "all" or "none"; empty: the default
  std::vector<std::string> import_paths;  // --import-path: more folders imports may read
};

int cmd_run(const RunArgs& args);
// `deal --emit ast|ir|asm FILE`.
int cmd_emit(const std::string& what, const std::string& file);

}  // namespace deal::cli
