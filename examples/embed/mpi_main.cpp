// A host that already uses MPI runs a deal Monte Carlo over its own communicator
// (docs/distributed.md): every rank loads the program and makes the same run; the paths
// split over the ranks and rank 0 prints the JSON document — the same bytes as
// `deal run FILE --scenario S --paths N --format json` in one process.
//
//   mpirun -np 3 embed_mpi PROGRAM.deal SCENARIO [PATHS]
// Needs a libdeal built with -DDEAL_MPI=ON (it installs <deal/mpi.hpp>).
#include <deal/deal.hpp>
#include <deal/mpi.hpp>
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int code = 0;
  if (argc < 3) {
    if (rank == 0) std::fprintf(stderr, "usage: embed_mpi PROGRAM.deal SCENARIO [PATHS]\n");
    code = 2;
  } else {
    try {
      deal::Engine engine;
      deal::Program prog = engine.load_file(argv[1]);
      deal::RunOptions options;
      if (argc > 3) options.paths = std::atoll(argv[3]);
      // The host's communicator; deal duplicates it, so its messages never meet the host's.
      options.distribution = deal::mpi_distribution(MPI_COMM_WORLD);
      deal::Result r = prog.scenario(argv[2]).run(options);
      if (r.rank() == 0) std::fputs(r.to_json().c_str(), stdout);
    } catch (const deal::Error& e) {
      // Every rank gets the same error (a failing path fails the run on every rank).
      if (rank == 0) std::fprintf(stderr, "embed_mpi: %s\n", e.what());
      code = 3;
    }
  }
  MPI_Finalize();  // after every deal object that holds the distribution is gone
  return code;
}
