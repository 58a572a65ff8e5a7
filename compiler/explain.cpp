// `deal explain`: the sections of docs/diagnostics.md, which the build compiles in
// (compiler/CMakeLists.txt writes it into diagnostics_doc.cpp), so the document and the
// binary cannot disagree.
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diagnostics.hpp"

namespace deal {

extern const char* const kDiagnosticsDoc;  // docs/diagnostics.md, generated

namespace {

// A section heading: "## E011: title" at the start of a line.
bool is_heading(std::string_view line) {
  return line.size() > 8 && line.substr(0, 3) == "## " && (line[3] == 'E' || line[3] == 'W') && line[7] == ':';
}

template <class F>
void for_each_section(F&& f) {
  std::string_view doc(kDiagnosticsDoc);
  size_t start = std::string_view::npos;
  std::string_view id;
  size_t pos = 0;
  while (pos <= doc.size()) {
    size_t end = doc.find('\n', pos);
    if (end == std::string_view::npos) end = doc.size();
    std::string_view line = doc.substr(pos, end - pos);
    if (is_heading(line) || end == doc.size()) {
      if (start != std::string_view::npos) {
        size_t stop = is_heading(line) ? pos : doc.size();
        std::string_view body = doc.substr(start, stop - start);
        while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.remove_suffix(1);
        f(id, body);
      }
      if (is_heading(line)) {
        start = pos;
        id = line.substr(3, 4);
      }
    }
    pos = end + 1;
  }
}

}  // namespace

std::string_view explain_code(std::string_view id) {
  std::string_view found;
  for_each_section([&](std::string_view code, std::string_view body) {
    if (code == id) found = body;
  });
  return found;
}

std::vector<std::string> documented_codes() {
  std::vector<std::string> out;
  for_each_section([&](std::string_view code, std::string_view) { out.emplace_back(code); });
  return out;
}

}  // namespace deal
