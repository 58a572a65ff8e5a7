#include "compiler/check/types.hpp"

#include <fmt/format.h>

namespace deal::check {

void Dim::trim() {
  while (!exps.empty() && exps.back() == 0) exps.pop_back();
}

Dim Dim::operator*(const Dim& o) const {
  Dim r;
  r.exps.resize(std::max(exps.size(), o.exps.size()), 0);
  for (size_t i = 0; i < r.exps.size(); ++i) r.exps[i] = exp(i) + o.exp(i);
  r.trim();
  return r;
}

Dim Dim::operator/(const Dim& o) const {
  Dim r;
  r.exps.resize(std::max(exps.size(), o.exps.size()), 0);
  for (size_t i = 0; i < r.exps.size(); ++i) r.exps[i] = exp(i) - o.exp(i);
  r.trim();
  return r;
}

Dim Dim::pow(int n) const {
  Dim r = *this;
  for (int& e : r.exps) e *= n;
  r.trim();
  return r;
}

bool Dim::all_even() const {
  for (int e : exps)
    if (e % 2 != 0) return false;
  return true;
}

Dim Dim::half() const {
  Dim r = *this;
  for (int& e : r.exps) e /= 2;
  r.trim();
  return r;
}

namespace {

std::string base_symbol(size_t i, const UnitNames& units) {
  if (i == 0) return "$";
  if (i == 1) return "y";
  size_t u = i - 2;
  return u < units.size() ? units[u] : fmt::format("unit{}", u);
}

std::string power(const std::string& s, int e) { return e == 1 ? s : fmt::format("{}^{}", s, e); }

}  // namespace

std::string dim_symbol(const Dim& d, const UnitNames& units) {
  if (d.dimensionless()) return "1";
  // Numerator in base order ($ first, then units, then time last reads naturally:
  // "$·GW/y"); denominators follow as "/y/GW".
  std::string num, den;
  auto add_num = [&](size_t i) {
    int e = d.exp(i);
    if (e > 0) num += (num.empty() ? "" : "·") + power(base_symbol(i, units), e);
  };
  auto add_den = [&](size_t i) {
    int e = d.exp(i);
    if (e < 0) den += "/" + power(base_symbol(i, units), -e);
  };
  add_num(0);
  for (size_t i = 2; i < d.exps.size(); ++i) add_num(i);
  add_num(1);
  add_den(1);
  for (size_t i = 2; i < d.exps.size(); ++i) add_den(i);
  add_den(0);
  if (num.empty()) num = "1";
  return num + den;
}

std::string dim_name(const Dim& d, const UnitNames& units) {
  if (d == Dim::number()) return "Number";
  if (d == Dim::money()) return "Money";
  if (d == Dim::time()) return "Duration";
  if (d == Dim::money() / Dim::time()) return "Flow";
  if (d == Dim::number() / Dim::time()) return "Rate";
  for (size_t u = 0; u < units.size(); ++u) {
    Dim q = Dim::unit(static_cast<int>(u));
    if (d == q) return fmt::format("Quantity[{}]", units[u]);
    if (d == Dim::money() / q) return fmt::format("Price[{}]", units[u]);
  }
  return "";
}

std::string describe(const Dim& d, const UnitNames& units) {
  std::string name = dim_name(d, units);
  if (name == "Number") return name;
  std::string sym = dim_symbol(d, units);
  if (name.empty()) return sym;
  return fmt::format("{} ({})", name, sym);
}

std::string describe(const Type& t, const UnitNames& units) {
  switch (t.kind) {
    case Kind::Num:
      return describe(t.dim, units);
    case Kind::Bool:
      return "Bool";
    case Kind::Date:
      return "Date";
    case Kind::Party:
      return "Party";
    case Kind::Deal:
      return "Deal";
    case Kind::String:
      return "String";
    case Kind::Error:
      return "<error>";
  }
  return "?";
}

}  // namespace deal::check
