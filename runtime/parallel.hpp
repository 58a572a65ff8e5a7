// A work queue over indices, for runs that are independent of each other (the analyses'
// runs, the sensitivity command's bumped runs).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace deal::rt {

// Runs job(0) … job(count − 1) on up to `threads` workers (0 or less: one per core), the
// calling thread among them; each worker takes the next index not yet taken. Once `*stop`
// is set no further job starts (the running ones finish). Results go where `job` puts them,
// by index, so they do not depend on the number of workers.
template <class Job>
void parallel_for(std::size_t count, int threads, const Job& job, const std::atomic<bool>* stop = nullptr) {
  unsigned workers = threads > 0 ? unsigned(threads) : std::max(1u, std::thread::hardware_concurrency());
  workers = std::min<unsigned>(workers, unsigned(std::max<std::size_t>(1, count)));
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t k; !(stop && stop->load()) && (k = next++) < count;) job(k);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

}  // namespace deal::rt
