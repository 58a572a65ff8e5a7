// Words of the REPL's input shared by its parts (tools/repl_session.hpp).
#pragma once

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

namespace deal::cli::repl {

// The keywords that start a declaration: such an input is added to the session.
inline const std::set<std::string>& declaration_keywords() {
  static const std::set<std::string> k = {"import", "calendar", "unit",   "param", "party",   "contract",
                                          "deal",   "fn",       "extern", "shock", "scenario"};
  return k;
}

inline std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

inline bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha((unsigned char)s[0]) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum((unsigned char)c) || c == '_'; });
}

}  // namespace deal::cli::repl
