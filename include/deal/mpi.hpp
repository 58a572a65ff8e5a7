// Monte Carlo over MPI for hosts that already use it (docs/distributed.md). Only in a
// libdeal built with -DDEAL_MPI=ON; the host links its MPI itself.
//
//   deal::RunOptions options;
//   options.distribution = deal::mpi_distribution(MPI_COMM_WORLD);
//   deal::Result r = scenario.run(options);   // on every rank, in the same order
//   if (r.rank() == 0) std::cout << r.to_json();
#pragma once

#include <mpi.h>

#include <memory>

#include "deal/deal.hpp"

namespace deal {

// Splits runs made with it over the ranks of `comm` (duplicated, so deal's messages never
// meet the host's). MPI must be initialised, at least MPI_THREAD_FUNNELED when the runs
// start on the main thread (deal's worker threads make no MPI calls); release every copy
// before MPI_Finalize. A path that fails on one rank fails the run on every rank with the
// same RunError (its path and line named), after the other ranks have stopped. One run at
// a time per distribution: runs that share it must not overlap (their messages would).
DEAL_API std::shared_ptr<const Distribution> mpi_distribution(MPI_Comm comm);

}  // namespace deal
