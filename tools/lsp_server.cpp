// The language server's request handling (see lsp_server.hpp). Every document is checked
// as `deal check` checks a file (engine::check_source with the editor's text, so unsaved
// changes count), and every answer comes from the engine's SourceIndex of that check.
// Error codes follow JSON-RPC 2.0 and LSP 3.17: −32700 parse error, −32600 invalid
// request, −32601 unknown method, −32602 invalid params, −32603 internal error, −32002
// a request before `initialize`.
#include "tools/lsp_server.hpp"

#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "report/report.hpp"

namespace deal::lsp {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr int kParseError = -32700, kInvalidRequest = -32600, kMethodNotFound = -32601, kInvalidParams = -32602,
              kInternalError = -32603, kServerNotInitialized = -32002;

// A bad field of a request: answered with InvalidParams.
struct BadParams : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const json& field(const json& j, const char* key) {
  static const json null;
  if (!j.is_object()) return null;
  auto it = j.find(key);
  return it == j.end() ? null : *it;
}
std::string str(const json& j, const char* key) {
  const json& v = field(j, key);
  if (!v.is_string()) throw BadParams(std::string("'") + key + "' must be a string");
  return v.get<std::string>();
}
uint32_t uint(const json& j, const char* key) {
  const json& v = field(j, key);
  if (!v.is_number_integer() && !v.is_number_unsigned())
    throw BadParams(std::string("'") + key + "' must be an integer");
  long long n = v.get<long long>();
  if (n < 0 || n > 10'000'000) throw BadParams(std::string("'") + key + "' is out of range");
  return uint32_t(n);
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json error_body(const json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Completion item kinds of LSP 3.17.
int completion_kind(const std::string& k) {
  if (k == "keyword") return 14;
  if (k == "unit") return 11;
  if (k == "fn") return 3;
  if (k == "field" || k == "let") return 5;
  if (k == "party" || k == "deal") return 6;
  if (k == "contract") return 7;
  if (k == "param") return 21;
  if (k == "argument") return 5;
  return 6;
}
// Symbol kinds of LSP 3.17.
int symbol_kind(const std::string& k) {
  if (k == "party") return 23;     // Struct
  if (k == "contract") return 5;   // Class
  if (k == "deal") return 19;      // Object
  if (k == "fn") return 12;        // Function
  if (k == "param") return 14;     // Constant
  if (k == "field") return 8;      // Field
  if (k == "let") return 7;        // Property
  if (k == "argument") return 13;  // Variable
  if (k == "shock") return 24;     // Event
  if (k == "scenario") return 2;   // Module
  if (k == "unit") return 15;      // String… no better kind
  return 13;
}

}  // namespace

std::string uri_to_path(const std::string& uri) {
  if (uri.rfind("file://", 0) != 0) return uri;
  std::string p;
  for (size_t i = 7; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size() && hex(uri[i + 1]) >= 0 && hex(uri[i + 2]) >= 0) {
      p += char(hex(uri[i + 1]) * 16 + hex(uri[i + 2]));
      i += 2;
    } else {
      p += uri[i];
    }
  }
  // file://host/path: drop the (local) host part.
  if (!p.empty() && p[0] != '/') {
    size_t slash = p.find('/');
    p = slash == std::string::npos ? "/" : p.substr(slash);
  }
  return p;
}

std::string path_to_uri(const std::string& path) {
  if (path.empty() || path[0] != '/') return path;  // a pseudo name: the URI it came from
  static const char* digits = "0123456789ABCDEF";
  std::string u = "file://";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') u += char(c);
    else {
      u += '%';
      u += digits[c >> 4];
      u += digits[c & 15];
    }
  }
  return u;
}

uint32_t utf16_to_column(std::string_view line, uint32_t utf16) {
  uint32_t units = 0, col = 1;
  for (size_t i = 0; i < line.size() && units < utf16;) {
    unsigned char b = static_cast<unsigned char>(line[i]);
    size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    units += n == 4 ? 2 : 1;
    i += n;
    ++col;
  }
  // Past the end of the line: columns keep counting (a cursor after trailing text).
  if (units < utf16) col += utf16 - units;
  return col;
}

uint32_t column_to_utf16(std::string_view line, uint32_t column) {
  uint32_t units = 0, col = 1;
  size_t i = 0;
  for (; i < line.size() && col < column; ++col) {
    unsigned char b = static_cast<unsigned char>(line[i]);
    size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    units += n == 4 ? 2 : 1;
    i += n;
  }
  if (col < column) units += column - col;
  return units;
}

// ---------------------------------------------------------------- documents

struct Server::Document {
  std::string uri, path, text;
  long long version = 0;
  bool dirty = true;
  std::unique_ptr<engine::Checked> checked;    // the latest check
  std::unique_ptr<engine::Checked> last_good;  // the last one with a program, while `checked` has none
  std::unique_ptr<engine::SourceIndex> index;
  std::set<std::string> published;  // URIs its last diagnostics went to

  // The line `line` (0-based) of the editor's text.
  std::string_view line(uint32_t n) const {
    size_t start = 0;
    for (uint32_t k = 0; k < n; ++k) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) return {};
      start = nl + 1;
    }
    size_t end = text.find('\n', start);
    std::string_view l(text.data() + start, (end == std::string::npos ? text.size() : end) - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    return l;
  }
};

struct Server::Reply {
  json id;
  bool is_request = false;
  std::optional<json> result;
};

Server::Server(ServerOptions options) : options_(std::move(options)) {}
Server::~Server() = default;

namespace {

// A span as an LSP range, its columns converted with the text of its file.
json range_of(const SourceManager& sm, const Span& s) {
  if (!s.valid() || s.file == 0 || s.file > sm.size())
    return {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 0}}}};
  auto pos = [&](uint32_t line, uint32_t col) {
    return json{{"line", line - 1}, {"character", column_to_utf16(sm.line_text(s.file, line), col)}};
  };
  return {{"start", pos(s.line, s.col)}, {"end", pos(s.end_line, s.end_col)}};
}

json location_of(const SourceManager& sm, const Span& s) {
  return {{"uri", path_to_uri(sm.file(s.file).path)}, {"range", range_of(sm, s)}};
}

}  // namespace

// The editor's text checked as `deal check` checks the file: relative imports resolve
// against (and stay inside) the document's folder, for which the check runs there.
engine::Checked Server::check_document(const std::string& path, const std::string& text) const {
  engine::LoadOptions lo;
  lo.import_paths = options_.import_paths;
  lo.widen_hint = "the server's --import-path DIR";
  std::error_code ec;
  fs::path before = fs::current_path(ec);
  bool moved = false;
  if (options_.chdir_for_imports && path.size() > 1 && path[0] == '/') {
    fs::path dir = fs::path(path).parent_path();
    if (!dir.empty() && chdir(dir.c_str()) == 0) moved = true;
  }
  engine::Checked c;
  try {
    c = engine::check_source(path, text, lo);
  } catch (const std::exception& e) {
    c = engine::Checked();
    c.sm.add(path, text);
    c.diags.error({}, std::string("internal error while checking: ") + e.what());
  }
  if (moved && chdir(before.c_str()) != 0) {
    // The folder we came from is gone: stay where we are (paths we use are absolute).
  }
  return c;
}

void Server::flush(std::vector<std::string>& out) {
  for (auto& [uri, doc] : docs_) {
    if (!doc->dirty) continue;
    doc->dirty = false;
    doc->index.reset();
    // The last version that checked stays for hover's types while the text has errors.
    if (doc->checked && doc->checked->program) doc->last_good = std::move(doc->checked);
    doc->checked = std::make_unique<engine::Checked>(check_document(doc->path, doc->text));
    if (doc->checked->program) doc->last_good.reset();
    const check::Program* fallback = doc->last_good ? &*doc->last_good->program : nullptr;
    doc->index = std::make_unique<engine::SourceIndex>(*doc->checked, fallback);

    // Diagnostics grouped by the file they point into; a diagnostic without a place
    // goes to the document itself, at its start.
    const SourceManager& sm = doc->checked->sm;
    std::map<std::string, json> by_uri;
    by_uri[uri] = json::array();
    for (const Diagnostic& d : doc->checked->diags.all()) {
      std::string target = d.span.valid() && d.span.file >= 1 && d.span.file <= sm.size()
                               ? (d.span.file == 1 ? uri : path_to_uri(sm.file(d.span.file).path))
                               : uri;
      json diag = {{"range", range_of(sm, d.span)},
                   {"severity", d.severity == Severity::Error     ? 1
                                : d.severity == Severity::Warning ? 2
                                                                  : 3},
                   {"source", "deal"},
                   {"message", d.message}};
      // The stable code (E0xx, `deal explain` documents it) is what editors show and link;
      // the stage name is the fallback for a diagnostic without one.
      if (!d.id.empty()) diag["code"] = d.id;
      else if (!d.code.empty()) diag["code"] = d.code;
      for (const std::string& line : d.help) diag["message"] = diag["message"].get<std::string>() + "\nhelp: " + line;
      json related = json::array();
      for (const auto& [span, note] : d.notes) {
        if (span.valid() && span.file >= 1 && span.file <= sm.size()) {
          json loc = location_of(sm, span);
          if (span.file == 1) loc["uri"] = uri;
          related.push_back({{"location", loc}, {"message", note}});
        } else {
          diag["message"] = diag["message"].get<std::string>() + "\nnote: " + note;
        }
      }
      if (!related.empty()) diag["relatedInformation"] = related;
      by_uri[target].push_back(diag);
    }
    // Files that had diagnostics last time and have none now are cleared.
    for (const auto& old : doc->published)
      if (!by_uri.count(old)) by_uri[old] = json::array();
    doc->published.clear();
    for (auto& [target, list] : by_uri) {
      if (!list.empty()) doc->published.insert(target);
      json params = {{"uri", target}, {"diagnostics", list}};
      if (target == uri) params["version"] = doc->version;
      out.push_back(dump({{"jsonrpc", "2.0"}, {"method", "textDocument/publishDiagnostics"}, {"params", params}}));
    }
  }
}

void Server::handle(const std::string& body, std::vector<std::string>& out) {
  json msg;
  Reply reply;
  try {
    msg = json::parse(body);
  } catch (const std::exception& e) {
    out.push_back(dump(error_body(nullptr, kParseError, std::string("not JSON: ") + e.what())));
    return;
  }
  try {
    if (!msg.is_object()) {
      out.push_back(dump(error_body(nullptr, kInvalidRequest, "a message must be a JSON object")));
      return;
    }
    const json& id = field(msg, "id");
    reply.is_request = msg.contains("id") && (id.is_string() || id.is_number_integer() || id.is_number_unsigned());
    if (msg.contains("id") && !reply.is_request && !id.is_null()) {
      out.push_back(dump(error_body(nullptr, kInvalidRequest, "'id' must be an integer or a string")));
      return;
    }
    if (reply.is_request) reply.id = id;
    const json& method = field(msg, "method");
    if (!method.is_string()) {
      // A response to something we sent (we send no requests), or junk.
      if (msg.contains("result") || msg.contains("error")) return;
      out.push_back(dump(error_body(reply.is_request ? reply.id : json(nullptr), kInvalidRequest, "no 'method'")));
      return;
    }
    std::string m = method.get<std::string>();
    if (m == "exit") {
      exited_ = true;
      return;
    }
    if (!initialized_ && m != "initialize") {
      if (reply.is_request)
        out.push_back(dump(error_body(reply.id, kServerNotInitialized, "the server is not initialized")));
      return;
    }
    if (shutdown_ && reply.is_request) {
      out.push_back(dump(error_body(reply.id, kInvalidRequest, "the server is shut down")));
      return;
    }
    const json& params = field(msg, "params");
    try {
      dispatch(m, &params, reply, out);
    } catch (const BadParams& e) {
      if (reply.is_request) out.push_back(dump(error_body(reply.id, kInvalidParams, e.what())));
      return;
    } catch (const json::exception& e) {
      if (reply.is_request) out.push_back(dump(error_body(reply.id, kInvalidParams, e.what())));
      return;
    }
    if (reply.is_request) {
      if (reply.result) out.push_back(dump({{"jsonrpc", "2.0"}, {"id", reply.id}, {"result", *reply.result}}));
      else out.push_back(dump(error_body(reply.id, kMethodNotFound, "unknown method '" + m + "'")));
    }
  } catch (const std::exception& e) {
    if (reply.is_request) out.push_back(dump(error_body(reply.id, kInternalError, e.what())));
  }
}

void Server::dispatch(const std::string& m, const void* raw, Reply& reply, std::vector<std::string>& out) {
  const json& params = *static_cast<const json*>(raw);
  auto open_doc = [&](const std::string& uri) -> Document& {
    auto it = docs_.find(uri);
    if (it == docs_.end()) throw BadParams("the document " + uri + " is not open");
    // A request reads the latest text: check it first if it changed.
    if (it->second->dirty) {
      std::vector<std::string> diagnostics;
      flush(diagnostics);
      out.insert(out.end(), diagnostics.begin(), diagnostics.end());
    }
    return *it->second;
  };
  auto doc_of = [&]() -> Document& { return open_doc(str(field(params, "textDocument"), "uri")); };
  // The cursor of a positional request, in the compiler's coordinates.
  struct Cursor {
    uint32_t file = 1, line = 1, col = 1;
  };
  auto cursor_of = [&](const Document& d) {
    const json& pos = field(params, "position");
    uint32_t line = uint(pos, "line"), ch = uint(pos, "character");
    return Cursor{1, line + 1, utf16_to_column(d.line(line), ch)};
  };

  if (m == "initialize") {
    initialized_ = true;
    reply.result = json{{"capabilities",
                         {{"positionEncoding", "utf-16"},
                          {"textDocumentSync", {{"openClose", true}, {"change", 1}}},
                          {"hoverProvider", true},
                          {"definitionProvider", true},
                          {"referencesProvider", true},
                          {"completionProvider", {{"triggerCharacters", {"."}}}},
                          {"signatureHelpProvider", {{"triggerCharacters", {"(", ","}}}},
                          {"documentSymbolProvider", true},
                          {"workspaceSymbolProvider", true},
                          {"documentFormattingProvider", true},
                          {"codeLensProvider", {{"resolveProvider", false}}},
                          {"executeCommandProvider", {{"commands", {"deal.runScenario"}}}}}},
                        {"serverInfo", {{"name", "deal lsp"}}}};
  } else if (m == "initialized" || m.rfind("$/", 0) == 0 || m == "workspace/didChangeConfiguration" ||
             m == "textDocument/didSave" || m == "workspace/didChangeWatchedFiles") {
    if (reply.is_request && m.rfind("$/", 0) != 0) reply.result = nullptr;
  } else if (m == "shutdown") {
    shutdown_ = true;
    reply.result = nullptr;
  } else if (m == "textDocument/didOpen") {
    const json& td = field(params, "textDocument");
    auto d = std::make_unique<Document>();
    d->uri = str(td, "uri");
    d->path = uri_to_path(d->uri);
    d->text = str(td, "text");
    const json& v = field(td, "version");
    d->version = v.is_number_integer() ? v.get<long long>() : 0;
    auto& slot = docs_[d->uri];
    if (slot) d->published = slot->published;
    slot = std::move(d);
  } else if (m == "textDocument/didChange") {
    const json& td = field(params, "textDocument");
    auto it = docs_.find(str(td, "uri"));
    if (it == docs_.end()) return;  // a change to a document never opened: nothing to update
    const json& changes = field(params, "contentChanges");
    if (!changes.is_array()) throw BadParams("'contentChanges' must be an array");
    for (const json& c : changes) {
      // Full sync (as announced): each change holds the whole text; the last one wins.
      if (field(c, "range").is_null()) it->second->text = str(c, "text");
    }
    const json& v = field(td, "version");
    if (v.is_number_integer()) it->second->version = v.get<long long>();
    it->second->dirty = true;
  } else if (m == "textDocument/didClose") {
    auto it = docs_.find(str(field(params, "textDocument"), "uri"));
    if (it == docs_.end()) return;
    for (const auto& target : it->second->published)
      out.push_back(dump({{"jsonrpc", "2.0"},
                          {"method", "textDocument/publishDiagnostics"},
                          {"params", {{"uri", target}, {"diagnostics", json::array()}}}}));
    docs_.erase(it);
  } else if (m == "textDocument/hover") {
    Document& d = doc_of();
    Cursor c = cursor_of(d);
    auto text = d.index->hover(c.file, c.line, c.col);
    reply.result = text ? json{{"contents", {{"kind", "markdown"}, {"value", *text}}}} : json(nullptr);
  } else if (m == "textDocument/definition") {
    Document& d = doc_of();
    Cursor c = cursor_of(d);
    int s = d.index->symbol_at(c.file, c.line, c.col);
    reply.result = nullptr;
    if (s >= 0) {
      const Span& def = d.index->symbols()[s].name_span;
      if (def.valid()) {
        json loc = location_of(d.checked->sm, def);
        if (def.file == 1) loc["uri"] = d.uri;
        reply.result = loc;
      }
    }
  } else if (m == "textDocument/references") {
    Document& d = doc_of();
    Cursor c = cursor_of(d);
    bool with_decl = field(field(params, "context"), "includeDeclaration").is_boolean() &&
                     field(field(params, "context"), "includeDeclaration").get<bool>();
    json list = json::array();
    for (const Span& s : d.index->references(d.index->symbol_at(c.file, c.line, c.col), with_decl)) {
      json loc = location_of(d.checked->sm, s);
      if (s.file == 1) loc["uri"] = d.uri;
      list.push_back(loc);
    }
    reply.result = list;
  } else if (m == "textDocument/completion") {
    Document& d = doc_of();
    Cursor c = cursor_of(d);
    std::string_view line = d.line(c.line - 1);
    std::string prefix(line.substr(0, std::min<size_t>(line.size(), [&] {
                                     size_t bytes = 0;
                                     for (uint32_t col = 1; bytes < line.size() && col < c.col; ++col) {
                                       unsigned char b = static_cast<unsigned char>(line[bytes]);
                                       bytes += b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                                     }
                                     return bytes;
                                   }())));
    json items = json::array();
    for (const auto& item : d.index->complete(c.file, c.line, c.col, prefix)) {
      json j = {{"label", item.label}, {"kind", completion_kind(item.kind)}};
      if (!item.detail.empty()) j["detail"] = item.detail;
      if (!item.insert.empty()) j["insertText"] = item.insert;
      items.push_back(j);
    }
    reply.result = json{{"isIncomplete", false}, {"items", items}};
  } else if (m == "textDocument/signatureHelp") {
    Document& d = doc_of();
    Cursor c = cursor_of(d);
    // The text before the cursor (the call may have started on an earlier line).
    std::string before;
    for (uint32_t l = c.line > 20 ? c.line - 20 : 1; l < c.line; ++l) before += std::string(d.line(l - 1)) + "\n";
    std::string_view line = d.line(c.line - 1);
    size_t bytes = 0;
    for (uint32_t col = 1; bytes < line.size() && col < c.col; ++col) {
      unsigned char b = static_cast<unsigned char>(line[bytes]);
      bytes += b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    }
    before += std::string(line.substr(0, std::min(bytes, line.size())));
    auto help = d.index->signature_help(before);
    if (!help) {
      reply.result = nullptr;
    } else {
      json ps = json::array();
      for (const auto& p : help->params) ps.push_back({{"label", p}});
      reply.result = json{{"signatures", {{{"label", help->label}, {"parameters", ps}}}},
                          {"activeSignature", 0},
                          {"activeParameter", help->active}};
    }
  } else if (m == "textDocument/documentSymbol") {
    Document& d = doc_of();
    const auto& syms = d.index->symbols();
    const SourceManager& sm = d.checked->sm;
    json list = json::array();
    std::map<int, size_t> at;  // symbol → its index in `list`
    for (size_t i = 0; i < syms.size(); ++i) {
      const auto& s = syms[i];
      if (s.kind == "local" || s.kind == "file" || !s.name_span.valid() || s.name_span.file != 1) continue;
      Span whole = s.span.valid() ? s.span : s.name_span;
      json j = {{"name", s.name},
                {"kind", symbol_kind(s.kind)},
                {"detail", s.signature.size() > 200 ? s.signature.substr(0, 200) + "…" : s.signature},
                {"range", range_of(sm, whole)},
                {"selectionRange", range_of(sm, s.name_span)},
                {"children", json::array()}};
      if (s.container >= 0 && at.count(s.container)) list[at[s.container]]["children"].push_back(j);
      else if (s.container < 0) {
        at[int(i)] = list.size();
        list.push_back(j);
      }
    }
    reply.result = list;
  } else if (m == "workspace/symbol") {
    const json& q = field(params, "query");
    std::string query = q.is_string() ? q.get<std::string>() : "";
    json list = json::array();
    std::set<std::pair<std::string, std::string>> seen;  // (uri, name): an import shared by two documents once
    for (auto& [uri, doc] : docs_) {
      if (!doc->index) continue;
      for (const auto& s : doc->index->symbols()) {
        if (s.kind == "local" || s.kind == "file" || s.container >= 0 || !s.name_span.valid()) continue;
        if (!query.empty() && s.name.find(query) == std::string::npos) continue;
        json loc = location_of(doc->checked->sm, s.name_span);
        if (s.name_span.file == 1) loc["uri"] = uri;
        if (!seen.insert({loc["uri"].get<std::string>(), s.name}).second) continue;
        list.push_back({{"name", s.name}, {"kind", symbol_kind(s.kind)}, {"location", loc}});
        if (list.size() >= 1000) break;
      }
    }
    reply.result = list;
  } else if (m == "textDocument/formatting") {
    Document& d = doc_of();
    std::string error;
    auto formatted = engine::format_source(d.path, d.text, error);
    if (!formatted) {
      out.push_back(dump({{"jsonrpc", "2.0"},
                          {"method", "window/showMessage"},
                          {"params", {{"type", 2}, {"message", "deal: " + error}}}}));
      reply.result = json::array();  // no edits
    } else if (*formatted == d.text) {
      reply.result = json::array();
    } else {
      // One edit replacing the whole text.
      uint32_t lines = 0;
      for (char ch : d.text) lines += ch == '\n';
      reply.result = json::array(
          {{{"range", {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", lines + 1}, {"character", 0}}}}},
            {"newText", *formatted}}});
    }
  } else if (m == "textDocument/codeLens") {
    Document& d = doc_of();
    json lenses = json::array();
    if (d.checked->program) {
      const SourceManager& sm = d.checked->sm;
      for (const auto& s : d.index->symbols())
        if (s.kind == "scenario" && s.name_span.file == 1)
          lenses.push_back(
              {{"range", range_of(sm, s.name_span)},
               {"command",
                {{"title", "▶ run " + s.name}, {"command", "deal.runScenario"}, {"arguments", {d.uri, s.name}}}}});
      if (lenses.empty() && !d.checked->modules.empty() && !d.checked->modules[0].decls.empty())
        lenses.push_back(
            {{"range", {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 0}}}}},
             {"command", {{"title", "▶ run"}, {"command", "deal.runScenario"}, {"arguments", {d.uri, ""}}}}});
    }
    reply.result = lenses;
  } else if (m == "workspace/executeCommand") {
    if (str(params, "command") != "deal.runScenario") throw BadParams("unknown command");
    const json& args = field(params, "arguments");
    if (!args.is_array() || args.empty() || !args[0].is_string()) throw BadParams("arguments: [uri, scenario]");
    std::string uri = args[0].get<std::string>();
    std::string scenario = args.size() > 1 && args[1].is_string() ? args[1].get<std::string>() : "";
    Document& d = open_doc(uri);
    std::string text;
    int type = 3;  // Info
    if (!options_.allow_runs) {
      text = "runs are disabled";
    } else if (!d.checked->program) {
      text = "the program has errors: fix them first";
      type = 1;
    } else {
      try {
        // Compiled takes its Checked: check the same text again for it.
        auto compiled = engine::Compiled::compile(check_document(d.path, d.text));
        std::string error;
        int k = engine::choose_scenario(compiled->model(), scenario, {}, error);
        if (k < 0) {
          text = error;
          type = 1;
        } else {
          rt::RunOptions ro;
          ro.max_seconds = 60;
          engine::AnalysisRequest none;
          none.which = rt::AnalysisSelection{false, false, false, false};
          rt::RunResult r = engine::run(*compiled, k, ro, none);
          text = report::table_text(r, compiled->model(), false);
        }
      } catch (const std::exception& e) {
        text = e.what();
        type = 1;
      }
    }
    // The whole result to the server's log (VS Code: its output channel), the summary —
    // the defaults and the parties' final cash, debt and equity, before the series — to
    // a message.
    std::string summary = text.substr(0, text.find("\nSeries"));
    out.push_back(
        dump({{"jsonrpc", "2.0"}, {"method", "window/logMessage"}, {"params", {{"type", type}, {"message", text}}}}));
    out.push_back(dump(
        {{"jsonrpc", "2.0"}, {"method", "window/showMessage"}, {"params", {{"type", type}, {"message", summary}}}}));
    reply.result = text;
  }
  // Anything else: reply.result stays unset — MethodNotFound for a request, ignored for
  // a notification (LSP 3.17).
}

}  // namespace deal::lsp
