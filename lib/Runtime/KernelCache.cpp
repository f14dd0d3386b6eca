//===- KernelCache.cpp - on-disk cache of compiled kernels ----------------===//

#include "skipattn/Runtime/KernelCache.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cstdlib>

using namespace skipattn;

static constexpr llvm::StringLiteral kMagic = "skipattn-kernel-cache 1\n";

std::string skipattn::defaultCacheDir() {
  if (const char *d = std::getenv("SKIPATTN_CACHE_DIR"); d && *d)
    return d;
  if (const char *d = std::getenv("XDG_CACHE_HOME"); d && *d)
    return std::string(d) + "/skipattn";
  if (const char *h = std::getenv("HOME"); h && *h)
    return std::string(h) + "/.cache/skipattn";
  return "/tmp/skipattn-cache";
}

static std::string entryPath(const std::string &dir, const std::string &key) {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, llvm::utohexstr(llvm::xxh3_64bits(key), true) +
                                 ".kernel");
  return std::string(p);
}

static std::string checksum(llvm::StringRef body) {
  return llvm::utohexstr(llvm::xxh3_64bits(body), true);
}

CacheLookup skipattn::cacheLoad(const std::string &dir, const std::string &key,
                                std::string &payload) {
  auto buf = llvm::MemoryBuffer::getFile(entryPath(dir, key),
                                         /*IsText=*/false);
  if (!buf)
    return CacheLookup::Miss;
  llvm::StringRef all = (*buf)->getBuffer();
  // magic | key-size '\n' key | payload-size '\n' payload | checksum '\n'
  if (!all.consume_front(kMagic))
    return CacheLookup::Corrupt;
  llvm::StringRef body = all;
  auto field = [&](llvm::StringRef &s, std::string &out) {
    size_t nl = s.find('\n');
    uint64_t n = 0;
    if (nl == llvm::StringRef::npos || s.substr(0, nl).getAsInteger(10, n) ||
        s.size() < nl + 1 + n)
      return false;
    out = s.substr(nl + 1, n).str();
    s = s.drop_front(nl + 1 + n);
    return true;
  };
  std::string storedKey, data;
  llvm::StringRef rest = body;
  if (!field(rest, storedKey) || !field(rest, data))
    return CacheLookup::Corrupt;
  llvm::StringRef covered = body.drop_back(rest.size());
  if (rest.trim() != checksum(covered))
    return CacheLookup::Corrupt;
  if (storedKey != key)
    return CacheLookup::Miss; // hash collision: not ours
  payload = std::move(data);
  return CacheLookup::Hit;
}

std::string skipattn::cacheStore(const std::string &dir, const std::string &key,
                                 const std::string &payload) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return "cannot create cache directory '" + dir + "': " + ec.message();
  std::string body = std::to_string(key.size()) + "\n" + key +
                     std::to_string(payload.size()) + "\n" + payload;
  std::string text = kMagic.str() + body + checksum(body) + "\n";
  std::string target = entryPath(dir, key);
  llvm::SmallString<256> tmp;
  int fd = -1;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueFile(target + ".tmp-%%%%%%%%", fd, tmp))
    return "cannot write to cache directory '" + dir + "': " + ec.message();
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << text;
    os.flush();
    if (os.has_error()) {
      os.clear_error();
      llvm::sys::fs::remove(tmp);
      return "cannot write cache entry '" + std::string(tmp) + "'";
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(tmp, target)) {
    llvm::sys::fs::remove(tmp);
    return "cannot publish cache entry '" + target + "': " + ec.message();
  }
  return "";
}
