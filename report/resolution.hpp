// A default's resolution in words (LANGUAGE.md §6.6), for the terminal table and the HTML
// report: "OpenAI's estate of $128B paid 18% of $712B of claims: Oracle recovered $54B of
// $300B, Microsoft $45B of $250B, 3 others $29B of $162B."
#pragma once

#include <string>

#include "runtime/driver.hpp"
#include "runtime/model.hpp"
#include "runtime/obligation.hpp"

namespace deal::report {

// The default an event line of the log reports ("P defaulted on …"), or null for an
// `emit` line.
const rt::DefaultEvent* default_of_event(const rt::RunResult& r, const rt::Model& m, const rt::EventLine& e);

// The largest `shown` claimants by name, the rest summarised; the surplus, if any.
std::string describe_resolution(const rt::DefaultEvent& e, const rt::Model& m, size_t shown = 3);

}  // namespace deal::report
