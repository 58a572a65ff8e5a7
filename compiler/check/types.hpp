// Types and dimensions of `.deal` values (LANGUAGE.md §3). Dimensions exist only at
// compile time: after checking every value is a double.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace deal::check {

// A dimension: integer exponents over money ($), time (y) and each declared unit.
// exps[0] = money, exps[1] = time, exps[2 + u] = declared unit u. Trailing zeros are
// trimmed so equal dimensions compare equal.
struct Dim {
  std::vector<int> exps;

  static Dim number() { return {}; }
  static Dim money() { return Dim{{1}}; }
  static Dim time() { return Dim{{0, 1}}; }
  static Dim unit(int u) {
    Dim d;
    d.exps.assign(static_cast<size_t>(u) + 3, 0);
    d.exps[u + 2] = 1;
    return d;
  }

  bool dimensionless() const { return exps.empty(); }
  int exp(size_t i) const { return i < exps.size() ? exps[i] : 0; }
  Dim operator*(const Dim& o) const;
  Dim operator/(const Dim& o) const;
  Dim pow(int n) const;
  // For sqrt: every exponent halved (caller checks evenness).
  bool all_even() const;
  Dim half() const;
  bool operator==(const Dim& o) const = default;

 private:
  void trim();
};

enum class Kind { Num, Bool, Date, Party, Deal, String, Error };

struct Type {
  Kind kind = Kind::Error;
  Dim dim;  // only for Num

  static Type num(Dim d = {}) { return {Kind::Num, std::move(d)}; }
  static Type boolean() { return {Kind::Bool, {}}; }
  static Type date() { return {Kind::Date, {}}; }
  static Type party() { return {Kind::Party, {}}; }
  static Type deal() { return {Kind::Deal, {}}; }
  static Type string() { return {Kind::String, {}}; }
  static Type error() { return {Kind::Error, {}}; }
  bool is_error() const { return kind == Kind::Error; }
  bool is_num() const { return kind == Kind::Num; }
  bool operator==(const Type& o) const = default;
};

// Names of declared units, needed to print dimensions.
using UnitNames = std::vector<std::string>;

// The symbolic form: "$", "$/y", "1/y", "$/y/GW", "GW", "1" (dimensionless).
std::string dim_symbol(const Dim& d, const UnitNames& units);
// The named form of LANGUAGE.md §3 when there is one ("Money", "Flow", "Quantity[GW]"),
// else "".
std::string dim_name(const Dim& d, const UnitNames& units);
// For messages: "Money ($)", "Flow ($/y)", "Number", "$/y/GW".
std::string describe(const Dim& d, const UnitNames& units);
std::string describe(const Type& t, const UnitNames& units);

}  // namespace deal::check
