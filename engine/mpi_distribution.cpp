#include "engine/mpi_distribution.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace deal::engine {

namespace {

// Tags of deal's point-to-point messages on its own communicator.
enum Tag : int { kFailureTag = 1, kSizeTag = 2, kDataTag = 3 };
// MPI counts are ints: larger buffers go in pieces of this many bytes.
constexpr std::size_t kPiece = std::size_t(1) << 30;

class MpiDistribution final : public rt::Distribution {
 public:
  explicit MpiDistribution(MPI_Comm comm) {
    MPI_Comm_dup(comm, &comm_);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &ranks_);
    post_failure_receive();
  }
  ~MpiDistribution() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized) return;  // too late to tidy up; the process is ending
    MPI_Cancel(&failure_request_);
    MPI_Wait(&failure_request_, MPI_STATUS_IGNORE);
    MPI_Comm_free(&comm_);
  }

  int rank() const override { return rank_; }
  int ranks() const override { return ranks_; }

  void gather(std::span<const std::uint8_t> mine,
              const std::function<void(int, std::span<const std::uint8_t>)>& at_root) override {
    if (rank_ != 0) {
      send(mine, 0);
      return;
    }
    at_root(0, mine);
    std::vector<std::uint8_t> buffer;
    for (int from = 1; from < ranks_; ++from) {
      receive(buffer, from);
      at_root(from, buffer);
      std::vector<std::uint8_t>().swap(buffer);
    }
  }

  void broadcast(std::vector<std::uint8_t>& bytes) override {
    std::uint64_t size = bytes.size();
    MPI_Bcast(&size, 1, MPI_UINT64_T, 0, comm_);
    bytes.resize(size);
    for (std::size_t at = 0; at < size; at += kPiece)
      MPI_Bcast(bytes.data() + at, int(std::min(kPiece, size - at)), MPI_BYTE, 0, comm_);
  }

  void signal_failure() override {
    if (signalled_) return;
    signalled_ = true;
    for (int to = 0; to < ranks_; ++to) {
      if (to == rank_) continue;
      sends_.emplace_back();
      MPI_Isend(&failure_flag_, 1, MPI_INT, to, kFailureTag, comm_, &sends_.back());
    }
  }

  bool failure_signalled() override {
    int done = 0;
    MPI_Test(&failure_request_, &done, MPI_STATUS_IGNORE);
    if (done) {
      ++received_;
      post_failure_receive();
    }
    return received_ > 0;
  }

  std::pair<long long, std::string> agree_on_failure(long long path, const std::string& message) override {
    // Every failure signal of this run has been sent before its sender gets here; count
    // them, receive the ones still on their way, and complete this rank's own sends.
    int mine = signalled_ ? 1 : 0, signallers = 0;
    MPI_Allreduce(&mine, &signallers, 1, MPI_INT, MPI_SUM, comm_);
    const long long expected = signallers - mine;
    while (received_ < expected) {
      MPI_Wait(&failure_request_, MPI_STATUS_IGNORE);
      ++received_;
      post_failure_receive();
    }
    MPI_Waitall(int(sends_.size()), sends_.data(), MPI_STATUSES_IGNORE);
    sends_.clear();
    signalled_ = false;
    received_ = 0;

    // The lowest failing path wins; a failure not on a path comes after every path.
    constexpr long long kNone = std::numeric_limits<long long>::max(), kNotOnPath = kNone - 1;
    long long key = path >= 0 ? path : (message.empty() ? kNone : kNotOnPath), lowest = kNone;
    MPI_Allreduce(&key, &lowest, 1, MPI_LONG_LONG, MPI_MIN, comm_);
    if (lowest == kNone) return {-1, ""};
    int candidate = key == lowest ? rank_ : ranks_, owner = ranks_;
    MPI_Allreduce(&candidate, &owner, 1, MPI_INT, MPI_MIN, comm_);
    std::string text = rank_ == owner ? message : std::string();
    std::uint64_t size = text.size();
    MPI_Bcast(&size, 1, MPI_UINT64_T, owner, comm_);
    text.resize(size);
    MPI_Bcast(text.data(), int(std::min<std::uint64_t>(size, INT_MAX)), MPI_CHAR, owner, comm_);
    if (ranks_ > 1 && owner != 0) text += fmt::format("\n    (on MPI rank {} of {})", owner, ranks_);
    return {lowest == kNotOnPath ? -1 : lowest, text.empty() ? "the run failed" : text};
  }

 private:
  void post_failure_receive() {
    MPI_Irecv(&failure_inbox_, 1, MPI_INT, MPI_ANY_SOURCE, kFailureTag, comm_, &failure_request_);
  }
  void send(std::span<const std::uint8_t> bytes, int to) {
    std::uint64_t size = bytes.size();
    MPI_Send(&size, 1, MPI_UINT64_T, to, kSizeTag, comm_);
    for (std::size_t at = 0; at < size; at += kPiece)
      MPI_Send(bytes.data() + at, int(std::min(kPiece, size - at)), MPI_BYTE, to, kDataTag, comm_);
  }
  void receive(std::vector<std::uint8_t>& bytes, int from) {
    std::uint64_t size = 0;
    MPI_Recv(&size, 1, MPI_UINT64_T, from, kSizeTag, comm_, MPI_STATUS_IGNORE);
    bytes.resize(size);
    for (std::size_t at = 0; at < size; at += kPiece)
      MPI_Recv(bytes.data() + at, int(std::min(kPiece, size - at)), MPI_BYTE, from, kDataTag, comm_, MPI_STATUS_IGNORE);
  }

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, ranks_ = 1;
  MPI_Request failure_request_ = MPI_REQUEST_NULL;
  int failure_inbox_ = 0, failure_flag_ = 1;
  long long received_ = 0;
  bool signalled_ = false;
  std::vector<MPI_Request> sends_;
};

}  // namespace

std::shared_ptr<rt::Distribution> mpi_distribution(MPI_Comm comm) { return std::make_shared<MpiDistribution>(comm); }

}  // namespace deal::engine
