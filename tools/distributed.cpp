#include "tools/distributed.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#ifdef DEAL_MPI
#include <mpi.h>

#include "engine/mpi_distribution.hpp"
#endif

namespace deal::cli {

namespace {

std::shared_ptr<rt::Distribution> the_distribution;
bool mpi_started = false;

// The number of ranks an MPI launcher started, from the variables it sets (Open MPI's
// mpirun, PMIx — Open MPI 4+ and Slurm's srun --mpi=pmix —, PMI-1/2 as MPICH and srun
// set them); 0 when no launcher started this process.
long launched_ranks() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE", "SLURM_NTASKS"}) {
    const char* v = std::getenv(name);
    if (!v || !*v) continue;
    if (std::string(name) == "SLURM_NTASKS" && !std::getenv("PMI_RANK") && !std::getenv("PMIX_RANK")) continue;
    char* end = nullptr;
    long n = std::strtol(v, &end, 10);
    if (end && *end == 0 && n > 0) return n;
  }
  // PMIx without a size variable: a launcher is there, the size comes from MPI.
  return std::getenv("PMIX_RANK") ? 1 : 0;
}

}  // namespace

int start_distribution(int& argc, char**& argv) {
  const long launched = launched_ranks();
  if (launched == 0) return -1;
#ifdef DEAL_MPI
  int provided = 0;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    fmt::print(stderr, "deal: MPI could not be started\n");
    return 3;
  }
  mpi_started = true;
  if (provided < MPI_THREAD_FUNNELED) {
    fmt::print(stderr, "deal: this MPI does not allow threads (MPI_THREAD_FUNNELED is needed)\n");
    return 3;
  }
  the_distribution = engine::mpi_distribution(MPI_COMM_WORLD);
  if (the_distribution->ranks() == 1) {
    the_distribution.reset();  // one rank: an ordinary run
    return -1;
  }
  if (the_distribution->rank() != 0) {
    // Rank 0 prints the results and every error of the run (the ranks agree on a failure
    // before they stop, so rank 0 names a path that failed elsewhere).
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      std::fflush(stdout);
      std::fflush(stderr);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
      close(null);
    }
  }
  return -1;
#else
  (void)argc;
  (void)argv;
  if (launched > 1) {
    fmt::print(stderr,
               "deal: started as one of {} MPI ranks, but this build has no MPI: every rank would run and print "
               "the whole job. Build with -DDEAL_MPI=ON (docs/distributed.md), or run without mpirun.\n",
               launched);
    return 2;
  }
  return -1;
#endif
}

void end_distribution() {
  the_distribution.reset();
#ifdef DEAL_MPI
  int finalized = 0;
  if (mpi_started && MPI_Finalized(&finalized) == MPI_SUCCESS && !finalized) MPI_Finalize();
#endif
}

std::shared_ptr<rt::Distribution> distribution() { return the_distribution; }

int rank() { return the_distribution ? the_distribution->rank() : 0; }

}  // namespace deal::cli
