// Human-friendly values for the reports and the REPL: $38.0B, 12.5%/y, 2027Q3, tables,
// sparklines, CSV fields. Money and quantities come from runtime/format.hpp, which the
// runtime's own messages use too.
#pragma once

#include <string>
#include <vector>

#include "runtime/calendar.hpp"
#include "runtime/format.hpp"
#include "runtime/model.hpp"

namespace deal::report {

// "$38.0B", "-$250M", "$0".
std::string money(double dollars);
// A value with its unit symbol as the checker prints it ("$", "$/y", "1/y", "y", "GW", "").
std::string with_unit(double v, const std::string& unit);
// A value of a tracked kind (Bool, Date, Number with unit).
std::string value(double v, rt::ValueKind kind, const std::string& unit);
// A step's date for a calendar of the given step: 2027Q3 (quarterly), 2027-03 (monthly), 2027 (yearly).
std::string step_label(rt::Date d, rt::StepUnit unit);
// A run-time month number as a date label.
std::string month_label(double months);
// A two-space indented text table; columns from `right_from` on are right-aligned
// (widths count UTF-8 code points).
std::string text_table(const std::vector<std::vector<std::string>>& rows, size_t right_from = 1);
// A CSV field, quoted when it holds a comma, a quote or a newline.
std::string csv_field(const std::string& s);
// A number in a CSV file: every digit (%.17g) so it reads back as the same double;
// empty for a non-finite value.
std::string csv_number(double v);
// ▁▂▃▄▅▆▇█ sparkline of a series.
std::string sparkline(const std::vector<double>& v);
// Text for HTML and SVG: &, <, > and " as entities.
std::string html_escape(const std::string& s);
// Round axis ticks (1, 2, 5 × 10^k) covering [lo, hi], about `target` of them; an empty
// range is padded so a flat series still gets an axis.
std::vector<double> nice_ticks(double lo, double hi, int target);

}  // namespace deal::report
