// The progress line of long Monte Carlo runs (`deal run` on a terminal):
//
//   [██████████░░░░░░░░░░]  52%  5,200/10,000 paths  1,234 paths/s  ETA 4s
//
// The rules for when it is shown live with the caller (tools/cmd_run.cpp): stderr is a
// terminal, the output is not JSON, the run has more than one path and has lasted a second.
#pragma once

#include <string>

namespace deal::rt {

// 1234567 → "1,234,567".
std::string group_thousands(long long n);
// A short duration: "4s", "3m05s", "1h02m"; "?" when not finite or negative.
std::string short_duration(double seconds);
// The line for `done` of `total` paths after `elapsed` seconds, at most `width` columns.
std::string progress_line(long long done, long long total, double elapsed, int width = 80);

}  // namespace deal::rt
