//===- KernelCache.h - on-disk cache of compiled kernels ---------*- C++
//-*-===//
//
// One file per key, named by a hash of the key. An entry holds a magic line,
// the full key (so a hash collision is a miss), the payload size, the payload
// and a checksum. A torn, truncated or otherwise corrupt entry is reported as
// such and rebuilt by the caller. Entries are written to a unique temporary
// file and renamed into place, so concurrent writers (threads or processes
// compiling the same spec) never expose a partial entry.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_RUNTIME_KERNELCACHE_H
#define SKIPATTN_RUNTIME_KERNELCACHE_H

#include <optional>
#include <string>

namespace skipattn {

/// $SKIPATTN_CACHE_DIR, else $XDG_CACHE_HOME/skipattn, else
/// ~/.cache/skipattn.
std::string defaultCacheDir();

enum class CacheLookup { Hit, Miss, Corrupt };

/// Looks `key` up in `dir`; fills `payload` on a hit.
CacheLookup cacheLoad(const std::string &dir, const std::string &key,
                      std::string &payload);

/// Stores `payload` under `key`; returns an empty string or a warning.
std::string cacheStore(const std::string &dir, const std::string &key,
                       const std::string &payload);

} // namespace skipattn

#endif // SKIPATTN_RUNTIME_KERNELCACHE_H
