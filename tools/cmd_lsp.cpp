// `deal lsp`: the language server over stdio (LSP 3.17 base protocol: `Content-Length`
// headers, JSON-RPC bodies). The loop reads what is there, hands each body to
// lsp::Server, and checks changed documents only once input has been quiet for
// kDebounceMs (a burst of keystrokes is checked once). stdin is read with read(2), not
// stdio, so poll(2) sees exactly what is waiting.
#include <poll.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <string>

#include "tools/cli.hpp"
#include "tools/commands.hpp"
#include "tools/lsp_server.hpp"

namespace deal::cli {
namespace {

constexpr int kDebounceMs = 150;
// A body larger than this is skipped with an error (documents are at most 64 MiB).
constexpr size_t kMaxBody = size_t(96) << 20;

struct LspArgs {
  std::vector<std::string> import_paths;
  bool stdio = false;  // accepted for clients that always pass it (vscode-languageclient)
} args;

bool write_all(const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(STDOUT_FILENO, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += size_t(n);
  }
  return true;
}

bool send(std::vector<std::string>& bodies) {
  bool ok = true;
  for (const auto& b : bodies) ok = ok && write_all("Content-Length: " + std::to_string(b.size()) + "\r\n\r\n" + b);
  bodies.clear();
  return ok;
}

// Splits the input stream into bodies. A header block without a usable Content-Length
// is answered with a parse error and dropped.
class Framer {
 public:
  void feed(const char* data, size_t n) { buf_.append(data, n); }
  // The next complete body, or false. `error` is set for a broken header.
  bool next(std::string& body, std::string& error) {
    error.clear();
    if (skip_ > 0) {
      size_t k = std::min(skip_, buf_.size());
      buf_.erase(0, k);
      skip_ -= k;
      if (skip_ > 0) return false;
    }
    size_t end = buf_.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (buf_.size() > 64 * 1024) {  // no header end in sight: junk
        buf_.clear();
        error = "a header block longer than 64 KiB";
      }
      return false;
    }
    std::string headers = buf_.substr(0, end);
    long long length = -1;
    size_t pos = 0;
    while (pos <= headers.size()) {
      size_t eol = headers.find("\r\n", pos);
      std::string line = headers.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
      std::string lower;
      for (char c : line) lower += char(std::tolower(static_cast<unsigned char>(c)));
      if (lower.rfind("content-length:", 0) == 0) {
        try {
          size_t used = 0;
          std::string v = line.substr(15);
          length = std::stoll(v, &used);
          if (v.find_first_not_of(" \t0123456789") != std::string::npos) length = -1;
        } catch (...) {
          length = -1;
        }
      }
      if (eol == std::string::npos) break;
      pos = eol + 2;
    }
    if (length < 0) {
      buf_.erase(0, end + 4);
      error = "a message without a valid Content-Length header";
      return true;
    }
    if (size_t(length) > kMaxBody) {
      buf_.erase(0, end + 4);
      skip_ = size_t(length);
      error = "a message body over " + std::to_string(kMaxBody >> 20) + " MiB";
      return true;
    }
    if (buf_.size() < end + 4 + size_t(length)) return false;
    body = buf_.substr(end + 4, size_t(length));
    buf_.erase(0, end + 4 + size_t(length));
    return true;
  }

 private:
  std::string buf_;
  size_t skip_ = 0;
};

int run_lsp() {
  lsp::ServerOptions options;
  // Absolute: the server checks each document from its own folder.
  for (const auto& dir : args.import_paths) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(dir, ec);
    options.import_paths.push_back(ec ? dir : abs.string());
  }
  lsp::Server server(options);
  Framer framer;
  std::vector<std::string> out;
  std::vector<char> chunk(1 << 16);
  bool eof = false;
  bool pending = false;  // documents changed since the last check
  while (!server.exited() && !eof) {
    pollfd fd{STDIN_FILENO, POLLIN, 0};
    int ready = ::poll(&fd, 1, pending ? kDebounceMs : -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {  // quiet: check what changed
      server.flush(out);
      pending = false;
      if (!send(out)) return 1;
      continue;
    }
    ssize_t n = ::read(STDIN_FILENO, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = true;
      break;
    }
    framer.feed(chunk.data(), size_t(n));
    std::string body, error;
    while (framer.next(body, error)) {
      if (!error.empty()) {
        out.push_back(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":")" + error + "\"}}");
        continue;
      }
      server.handle(body, out);
      pending = true;
      if (server.exited()) break;
    }
    if (!error.empty())
      out.push_back(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":")" + error + "\"}}");
    if (!send(out)) return 1;
  }
  // The client went away without `exit`: the protocol's exit code for that is 1.
  return server.exited() ? server.exit_code() : 1;
}

Register lsp_command({90,
                      [](CLI::App& app) {
                        auto* c = app.add_subcommand(
                            "lsp", "Run the language server (LSP 3.17 over stdin/stdout) for editors; docs/editors.md");
                        c->add_flag("--stdio", args.stdio, "Talk over stdin/stdout (the default and only transport)");
                        add_import_path_option(c, args.import_paths);
                        return c;
                      },
                      run_lsp});

}  // namespace
}  // namespace deal::cli
