#include "compiler/jit/object_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

#include <llvm/ADT/StringRef.h>
#include <llvm/Support/BLAKE3.h>
#include <llvm/Support/MemoryBuffer.h>

namespace fs = std::filesystem;

namespace deal::jit {

namespace {

// An entry: magic, the object's length (8 bytes, little endian), BLAKE3 of the object
// (32 bytes), the object.
constexpr char kMagic[8] = {'D', 'E', 'A', 'L', 'O', 'B', 'J', '1'};
constexpr size_t kHeader = sizeof(kMagic) + 8 + 32;
constexpr size_t kMaxObject = size_t(512) << 20;

std::array<uint8_t, 32> digest(std::string_view bytes) {
  llvm::BLAKE3 h;
  h.update(llvm::StringRef(bytes.data(), bytes.size()));
  return h.final();
}

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= size_t(w);
  }
  return true;
}

}  // namespace

std::string ObjectCache::path_of(std::string_view key) const {
  return (fs::path(dir_) / (std::string(key) + ".o")).string();
}

std::optional<std::string> ObjectCache::find(std::string_view key) const {
  std::error_code ec;
  std::string path = path_of(key);
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  auto size = fs::file_size(path, ec);
  if (ec || size < kHeader || size > kHeader + kMaxObject) return std::nullopt;
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buf) return std::nullopt;
  llvm::StringRef all = (*buf)->getBuffer();
  if (all.size() < kHeader || std::memcmp(all.data(), kMagic, sizeof(kMagic)) != 0) return std::nullopt;
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | uint8_t(all[sizeof(kMagic) + size_t(i)]);
  if (length != all.size() - kHeader) return std::nullopt;
  std::string_view object(all.data() + kHeader, length);
  auto want = digest(object);
  if (std::memcmp(want.data(), all.data() + sizeof(kMagic) + 8, 32) != 0) return std::nullopt;
  // Touched, so that pruning keeps the entries in use.
  fs::last_write_time(path, fs::file_time_type::clock::now(), ec);
  return std::string(object);
}

void ObjectCache::store(std::string_view key, std::string_view object) const {
  if (object.size() > kMaxObject) return;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return;
  std::string header(kMagic, sizeof(kMagic));
  uint64_t length = object.size();
  for (int i = 0; i < 8; ++i) header += char((length >> (8 * i)) & 0xff);
  auto d = digest(object);
  header.append(reinterpret_cast<const char*>(d.data()), d.size());
  std::random_device rd;
  std::string tmp = path_of(key) + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return;
  bool ok = write_all(fd, header.data(), header.size()) && write_all(fd, object.data(), object.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path_of(key).c_str()) != 0) {
    ::unlink(tmp.c_str());
    return;
  }
  prune();
}

void ObjectCache::prune() const {
  std::vector<std::pair<fs::file_time_type, fs::path>> entries;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".o") continue;
    auto t = fs::last_write_time(it->path(), ec);
    if (!ec) entries.emplace_back(t, it->path());
  }
  if (entries.size() <= size_t(kMaxEntries)) return;
  std::sort(entries.begin(), entries.end());
  for (size_t i = 0; i + size_t(kMaxEntries) < entries.size(); ++i) fs::remove(entries[i].second, ec);
}

std::string default_cache_dir() {
  if (const char* off = std::getenv("DEAL_NO_CACHE"); off && *off) return "";
  if (const char* d = std::getenv("DEAL_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return (fs::path(x) / "deal").string();
  if (const char* h = std::getenv("HOME"); h && *h) return (fs::path(h) / ".cache" / "deal").string();
  return "";
}

}  // namespace deal::jit
