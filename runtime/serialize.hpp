// Bytes for statistics that travel between processes (the Monte Carlo partials that MPI
// ranks send to rank 0, docs/distributed.md). Plain little-endian-as-the-machine copies:
// every rank of one run is the same build on the same kind of machine. The reader checks
// every length, so a truncated or foreign buffer is an error, never a read past the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

#include "runtime/require.hpp"

namespace deal::rt {

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::uint8_t>& out) : out_(out) {}
  template <class T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    out_.insert(out_.end(), p, p + sizeof(T));
  }
  template <class T>
  void put_span(std::span<const T> v) {
    static_assert(std::is_trivially_copyable_v<T>);
    put<std::uint64_t>(v.size());
    const auto* p = reinterpret_cast<const std::uint8_t*>(v.data());
    out_.insert(out_.end(), p, p + v.size() * sizeof(T));
  }

 private:
  std::vector<std::uint8_t>& out_;
};

class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  template <class T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    DEAL_REQUIRE(std::size_t(end_ - p_) >= sizeof(T), "a statistics buffer ended early");
    T v;
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return v;
  }
  template <class T>
  std::vector<T> get_vector() {
    auto n = get<std::uint64_t>();
    DEAL_REQUIRE(n <= std::size_t(end_ - p_) / sizeof(T), "a statistics buffer ended early");
    std::vector<T> v(n);
    if (n) std::memcpy(v.data(), p_, n * sizeof(T));
    p_ += n * sizeof(T);
    return v;
  }
  bool done() const { return p_ == end_; }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

}  // namespace deal::rt
