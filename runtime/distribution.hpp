// Monte Carlo over several processes (docs/distributed.md). The runtime knows nothing of
// MPI: a Distribution says which process this is among how many, carries bytes to the root
// and spreads a failure. engine/mpi_distribution.cpp implements it over an MPI communicator
// (built with -DDEAL_MPI=ON); without one (RunOptions::distribution null) a run is one process.
//
// Every call below is collective unless it says otherwise: every rank makes the same calls
// in the same order, which holds because every rank runs the same program, scenario and
// options through the same code.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace deal::rt {

class Distribution {
 public:
  virtual ~Distribution() = default;
  virtual int rank() const = 0;   // 0 … ranks() − 1; rank 0 holds the results
  virtual int ranks() const = 0;  // at least 1

  // Every rank hands in its bytes; on rank 0, `at_root` is called with each rank's bytes in
  // rank order (its own included), one at a time, so rank 0 holds one rank's share at once.
  virtual void gather(std::span<const std::uint8_t> mine,
                      const std::function<void(int rank, std::span<const std::uint8_t>)>& at_root) = 0;
  // Rank 0's bytes on every rank (the others' `bytes` are replaced).
  virtual void broadcast(std::vector<std::uint8_t>& bytes) = 0;

  // Not collective: tells every other rank that this one failed, so they stop their paths.
  // Called at most once per run, from the thread that called run_scenario.
  virtual void signal_failure() = 0;
  // Not collective: whether another rank has signalled a failure in this run. Polled by the
  // thread that called run_scenario, about ten times a second.
  virtual bool failure_signalled() = 0;
  // The end of every distributed run: each rank gives its lowest failing path (−1: none)
  // and its message; every rank gets the lowest over all ranks and that rank's message
  // (−1 and "" when no rank failed). It also receives every failure signal still in flight,
  // so no message outlives the run.
  virtual std::pair<long long, std::string> agree_on_failure(long long path, const std::string& message) = 0;
};

}  // namespace deal::rt
