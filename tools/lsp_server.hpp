// `deal lsp`'s protocol layer: Language Server Protocol 3.17 requests and notifications
// (JSON-RPC bodies, without their Content-Length framing) answered from the engine's
// source index (engine/source_index.hpp). No I/O here: `handle` takes one message body
// and appends the bodies to send, so the stdio loop (cmd_lsp.cpp) and the fuzz target
// (tests/fuzz/fuzz_lsp.cpp) drive the same code.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/session.hpp"
#include "engine/source_index.hpp"

namespace deal::lsp {

struct ServerOptions {
  std::vector<std::string> import_paths;
  // Whether the server may change the process's working directory while it checks a
  // document, so that its relative imports resolve against its own folder (the stdio
  // server does; the fuzz target does not).
  bool chdir_for_imports = true;
  // Whether `deal.runScenario` may run programs (the fuzz target turns it off).
  bool allow_runs = true;
};

class Server {
 public:
  explicit Server(ServerOptions options = {});
  ~Server();

  // One message body; what to send back is appended to `out`. Never throws.
  void handle(const std::string& body, std::vector<std::string>& out);
  // Checks the documents changed since the last call and appends their diagnostics.
  // The stdio loop calls it when no more input is waiting: a burst of changes is checked
  // once (the debounce).
  void flush(std::vector<std::string>& out);

  bool exited() const { return exited_; }
  // After `exit`: 0 when `shutdown` came first (LSP 3.17), else 1.
  int exit_code() const { return shutdown_ ? 0 : 1; }

 private:
  struct Document;
  struct Reply;
  engine::Checked check_document(const std::string& path, const std::string& text) const;
  void dispatch(const std::string& method, const void* params, Reply& reply, std::vector<std::string>& out);

  ServerOptions options_;
  std::map<std::string, std::unique_ptr<Document>> docs_;  // by URI
  bool initialized_ = false, shutdown_ = false, exited_ = false;
};

// file:///a%20b/c.deal → /a b/c.deal; other schemes: the URI itself.
std::string uri_to_path(const std::string& uri);
std::string path_to_uri(const std::string& path);
// Columns: UTF-16 code units (the protocol) ↔ code points, 0-based ↔ 1-based (Span).
uint32_t utf16_to_column(std::string_view line, uint32_t utf16);
uint32_t column_to_utf16(std::string_view line, uint32_t column);

}  // namespace deal::lsp
