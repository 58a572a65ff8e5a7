#include "runtime/progress.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace deal::rt {

std::string group_thousands(long long n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string short_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  long long t = std::llround(s);
  if (t < 60) return fmt::format("{}s", t);
  if (t < 3600) return fmt::format("{}m{:02}s", t / 60, t % 60);
  return fmt::format("{}h{:02}m", t / 3600, (t % 3600) / 60);
}

std::string progress_line(long long done, long long total, double elapsed, int width) {
  double share = total > 0 ? std::clamp(double(done) / double(total), 0.0, 1.0) : 0.0;
  double rate = elapsed > 0 ? double(done) / elapsed : 0.0;
  std::string text = fmt::format("{:3.0f}%  {}/{} paths  {} paths/s  ETA {}", std::floor(share * 100),
                                 group_thousands(done), group_thousands(total), group_thousands(std::llround(rate)),
                                 done > 0 && rate > 0 ? short_duration(std::ceil(double(total - done) / rate)) : "?");
  // The bar takes what is left of the width, between 10 and 30 cells.
  int cells = std::clamp(width - 4 - int(text.size()), 0, 30);
  if (cells < 10) return text;
  int full = int(std::floor(share * cells));
  std::string bar = "[";
  for (int i = 0; i < cells; ++i) bar += i < full ? "█" : "░";
  return bar + "]  " + text;
}

}  // namespace deal::rt
