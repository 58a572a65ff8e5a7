// The Monte Carlo page's charts as inline SVG: default probabilities by party with the
// confidence interval of each estimate, the distribution of each party's equity loss,
// and its creditors' recovery rates. Each mark carries data-tip (the page's tooltips).
#pragma once

#include <string>

#include "runtime/driver.hpp"

namespace deal::report {

// The 95% Wilson score interval of a proportion p estimated from n trials.
struct Interval {
  double lo, hi;
};
Interval wilson_interval(double p, long long n);

// Empty strings when the run has nothing to draw (no party can default, no recoveries).
std::string default_probability_chart_svg(const rt::RunResult& r, size_t max_parties = 40);
std::string loss_distribution_chart_svg(const rt::RunResult& r, size_t max_parties = 30);
std::string recovery_rate_chart_svg(const rt::RunResult& r, size_t max_parties = 40);

}  // namespace deal::report
