// The progress line of long Monte Carlo runs (runtime/progress.hpp).
#include <catch2/catch.hpp>

#include "runtime/progress.hpp"

using namespace deal::rt;

namespace {
// Display width (code points; the bar's cells are one column each).
size_t width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++w;
  return w;
}
}  // namespace

TEST_CASE("thousands are grouped", "[progress]") {
  CHECK(group_thousands(0) == "0");
  CHECK(group_thousands(999) == "999");
  CHECK(group_thousands(1000) == "1,000");
  CHECK(group_thousands(1234567) == "1,234,567");
  CHECK(group_thousands(-45000) == "-45,000");
}

TEST_CASE("durations are short", "[progress]") {
  CHECK(short_duration(0) == "0s");
  CHECK(short_duration(4.4) == "4s");
  CHECK(short_duration(185) == "3m05s");
  CHECK(short_duration(3720) == "1h02m");
  CHECK(short_duration(-1) == "?");
  CHECK(short_duration(1.0 / 0.0) == "?");
}

TEST_CASE("the progress line: bar, share, paths, rate and ETA within the width", "[progress]") {
  std::string s = progress_line(5200, 10000, 4.0, 80);
  CHECK_THAT(s, Catch::Contains(" 52%"));
  CHECK_THAT(s, Catch::Contains("5,200/10,000 paths"));
  CHECK_THAT(s, Catch::Contains("1,300 paths/s"));
  CHECK_THAT(s, Catch::Contains("ETA 4s"));  // 4,800 paths left at 1,300/s: 3.7 s, rounded up
  CHECK(s.rfind("[", 0) == 0);
  CHECK(width(s) <= 80);
  // A narrow terminal drops the bar but keeps the figures.
  std::string narrow = progress_line(5200, 10000, 4.0, 50);
  CHECK(narrow.find('[') == std::string::npos);
  CHECK_THAT(narrow, Catch::Contains("paths/s"));
  // Nothing done yet: no rate to extrapolate from.
  CHECK_THAT(progress_line(0, 100, 1.0, 80), Catch::Contains("ETA ?"));
}
