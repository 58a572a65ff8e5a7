// A Distribution (runtime/distribution.hpp) over an MPI communicator: Monte Carlo paths
// split over the ranks, statistics to rank 0 (docs/distributed.md). Built only with
// -DDEAL_MPI=ON; the rest of deal never includes <mpi.h>.
#pragma once

#include <mpi.h>

#include <memory>

#include "runtime/distribution.hpp"

namespace deal::engine {

// A distribution over the ranks of `comm`, which it duplicates (deal's messages never meet
// the host's). MPI must be initialised; only the thread that starts a run makes MPI calls,
// so MPI_THREAD_FUNNELED suffices when that is the main thread (MPI_THREAD_SERIALIZED
// otherwise). Every rank must make the same runs in the same order. Destroy it before
// MPI_Finalize.
std::shared_ptr<rt::Distribution> mpi_distribution(MPI_Comm comm);

}  // namespace deal::engine
