#include "runtime/require.hpp"

#include <cstring>

namespace deal::rt {

std::string Error::where() const {
  // Keep the path from the project's own top-level folder on, so the text does not
  // depend on where the checkout lives.
  std::string f = file_ ? file_ : "?";
  if (auto pos = f.rfind("/runtime/"); pos != std::string::npos) f = f.substr(pos + 1);
  return f + ":" + std::to_string(line_);
}

namespace detail {
void raise(const char* file, int line, std::string message) { throw Error(std::move(message), file, line); }
}  // namespace detail

}  // namespace deal::rt
