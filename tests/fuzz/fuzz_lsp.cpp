// libFuzzer entry point for the language server's request handling (tools/lsp_server.cpp).
// The input is used twice: as a message body (malformed JSON-RPC of every kind), and as
// a .deal document — half-typed input, the server's daily bread — opened, then queried at
// positions across it (hover, definition, references, completion, signature help), outlined,
// formatted and given code lenses, then cut in half by a change and queried again.
// Every request must get exactly one answer, with its id, that is valid JSON; anything
// else aborts, which libFuzzer records as a crash with the input that caused it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/lsp_server.hpp"

namespace {

using nlohmann::json;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_lsp: %s\n%s\n", what, detail.c_str());
  std::abort();
}

struct Harness {
  deal::lsp::Server server{deal::lsp::ServerOptions{{}, false, false}};
  int next_id = 1;

  // Sends one message; for a request, checks that exactly one answer with its id came.
  void send(const json& msg) {
    std::vector<std::string> out;
    server.handle(msg.dump(-1, ' ', false, json::error_handler_t::replace), out);
    int answers = 0;
    for (const auto& body : out) {
      json reply = json::parse(body, nullptr, false);
      if (reply.is_discarded()) fail("a reply that is not JSON", body);
      if (msg.contains("id") && reply.contains("id") && reply["id"] == msg["id"]) ++answers;
    }
    if (msg.contains("id") && answers != 1) fail("a request without exactly one answer", msg.dump());
  }
  void request(const std::string& method, json params) {
    send({{"jsonrpc", "2.0"}, {"id", next_id++}, {"method", method}, {"params", std::move(params)}});
  }
  void notify(const std::string& method, json params) {
    send({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
  }

  void query_all(const std::string& uri, const std::string& text) {
    json td = {{"uri", uri}};
    std::vector<std::pair<int, int>> positions;
    int line = 0, col = 0, n = 0;
    for (char ch : text) {
      if (n++ % 7 == 0 && positions.size() < 64) positions.emplace_back(line, col);
      if (ch == '\n') {
        ++line;
        col = 0;
      } else {
        ++col;
      }
    }
    positions.emplace_back(line, col);
    positions.emplace_back(line + 3, 1000);
    for (auto [l, c] : positions) {
      json pos = {{"textDocument", td}, {"position", {{"line", l}, {"character", c}}}};
      request("textDocument/hover", pos);
      request("textDocument/definition", pos);
      request("textDocument/completion", pos);
      request("textDocument/signatureHelp", pos);
      json refs = pos;
      refs["context"] = {{"includeDeclaration", true}};
      request("textDocument/references", refs);
    }
    request("textDocument/documentSymbol", {{"textDocument", td}});
    request("textDocument/formatting", {{"textDocument", td}, {"options", {{"tabSize", 2}, {"insertSpaces", true}}}});
    request("textDocument/codeLens", {{"textDocument", td}});
    request("workspace/symbol", {{"query", text.substr(0, 3)}});
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Harness h;
  {  // The raw bytes as a message, before and after initialize.
    std::vector<std::string> out;
    h.server.handle(text, out);
    h.send({{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"}, {"params", json::object()}});
    h.server.handle(text, out);
    for (const auto& body : out)
      if (json::parse(body, nullptr, false).is_discarded()) fail("a reply that is not JSON", body);
  }
  const std::string uri = "file:///fuzz/input.deal";
  h.notify("textDocument/didOpen",
           {{"textDocument", {{"uri", uri}, {"languageId", "deal"}, {"version", 1}, {"text", text}}}});
  std::vector<std::string> out;
  h.server.flush(out);
  h.query_all(uri, text);
  std::string half = text.substr(0, text.size() / 2);
  h.notify("textDocument/didChange",
           {{"textDocument", {{"uri", uri}, {"version", 2}}}, {"contentChanges", {{{"text", half}}}}});
  h.query_all(uri, half);
  h.notify("textDocument/didClose", {{"textDocument", {{"uri", uri}}}});
  h.request("shutdown", nullptr);
  h.notify("exit", nullptr);
  return 0;
}
