// `deal` under mpirun or srun (docs/distributed.md): MPI is started when the process was
// launched by an MPI launcher, `deal run` and `deal sensitivity` split their work over the
// ranks, and only rank 0 prints. Without an MPI build, a launch over several ranks is
// refused (each rank would run, and print, the whole job).
#pragma once

#include <memory>

#include "runtime/distribution.hpp"

namespace deal::cli {

// Before the command line is parsed. Returns an exit code when the process must stop
// (a launch over several ranks without an MPI build), or -1 to go on.
int start_distribution(int& argc, char**& argv);
// After the command has run, on every exit path of main.
void end_distribution();
// The distribution of this process's runs: null when it runs alone.
std::shared_ptr<rt::Distribution> distribution();
// This process's rank (0 when it runs alone).
int rank();

}  // namespace deal::cli
