//===- KernelCache.cpp - on-disk cache of compiled kernels ----------------===//

#include "skipattn/Runtime/KernelCache.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cerrno>
#include <cstdlib>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace skipattn;

static constexpr llvm::StringLiteral kMagic = "skipattn-kernel-cache 1\n";
/// Bound on an entry's size: far above any kernel image (a few MB), far
/// below what would hurt to read by mistake.
static constexpr int64_t kMaxEntryBytes = int64_t(256) << 20;

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

/// Reads the entry at `path` into `out`. Only a regular file of bounded
/// size is an entry: the file is opened without following a symlink and
/// without blocking (a FIFO would hang a blocking open), and its type and
/// size are taken from the open descriptor, so a symlink to /dev/zero, a
/// FIFO, a device, a directory or a dangling link is reported as corrupt
/// and never read without limit.
static CacheLookup readEntry(const std::string &path, std::string &out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? CacheLookup::Miss : CacheLookup::Corrupt;
  struct stat st;
  CacheLookup result = CacheLookup::Corrupt;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      st.st_size <= kMaxEntryBytes) {
    out.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::read(fd, out.data() + done, out.size() - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += static_cast<size_t>(n);
    }
    if (done == out.size())
      result = CacheLookup::Hit;
  }
  ::close(fd);
  return result;
}

CacheLookup skipattn::cacheLoad(const std::string &dir, const std::string &key,
                                std::string &payload) {
  std::string file;
  CacheLookup read = readEntry(entryPath(dir, key), file);
  if (read != CacheLookup::Hit)
    return read;
  llvm::StringRef all = file;
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
  if (text.size() > static_cast<size_t>(kMaxEntryBytes))
    return "the kernel is larger than a cache entry may be";
  std::string target = entryPath(dir, key);
  // Something other than a regular file in the entry's place (a symlink, a
  // FIFO, an empty directory) is removed so that the rename can publish;
  // a symlink is removed itself, never what it points to.
  llvm::sys::fs::file_status st;
  if (!llvm::sys::fs::status(target, st, /*Follow=*/false) &&
      st.type() != llvm::sys::fs::file_type::regular_file)
    llvm::sys::fs::remove(target);
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
