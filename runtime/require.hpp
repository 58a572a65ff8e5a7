// Preconditions with messages, in the spirit of QuantLib's QL_REQUIRE.
//
//   DEAL_REQUIRE(amount >= 0, fmt::format("obligation {}: negative amount {}", i, amount));
//
// The message expression is evaluated only when the condition fails, so building it
// with fmt::format costs nothing on the hot path. A failure throws deal::rt::Error, which
// carries the message (what()) and, separately, the C++ file and line that raised it
// (where()): users see the message, developers can ask where it came from.
#pragma once

#include <stdexcept>
#include <string>

namespace deal::rt {

class Error : public std::runtime_error {
 public:
  Error(std::string message, const char* file, int line)
      : std::runtime_error(std::move(message)), file_(file), line_(line) {}
  const char* file() const noexcept { return file_; }
  int line() const noexcept { return line_; }
  // "runtime/clearing.cpp:123"
  std::string where() const;

 private:
  const char* file_;
  int line_;
};

namespace detail {
[[noreturn]] void raise(const char* file, int line, std::string message);
}  // namespace detail

}  // namespace deal::rt

#define DEAL_REQUIRE(cond, msg)                             \
  do {                                                      \
    if (!(cond)) [[unlikely]]                               \
      ::deal::rt::detail::raise(__FILE__, __LINE__, (msg)); \
  } while (false)

// An internal invariant: a failure is a bug in the runtime, not in the user's program.
#define DEAL_ASSERT(cond, msg)                                                                \
  do {                                                                                        \
    if (!(cond)) [[unlikely]]                                                                 \
      ::deal::rt::detail::raise(__FILE__, __LINE__, std::string("internal error: ") + (msg)); \
  } while (false)
