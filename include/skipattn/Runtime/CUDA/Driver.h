//===- Driver.h - the CUDA driver API, loaded at run time --------*- C++
//-*-===//
//
// skipattn talks to the GPU through its own thin layer over the CUDA driver
// API. libcuda.so.1 is opened with dlopen on first use, so the library and
// tools load and run (on the CPU) on machines without an NVIDIA driver, and a
// GPU request there fails with "no CUDA driver" instead of a loader error.
// Only the handful of entry points the runtime needs are declared, with the
// ABI of cuda.h, so building needs no CUDA headers.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_RUNTIME_CUDA_DRIVER_H
#define SKIPATTN_RUNTIME_CUDA_DRIVER_H

#include "llvm/Support/Error.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace skipattn::cuda {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;

/// CUtensorMap: 128 opaque bytes, 64-byte aligned.
struct alignas(64) TensorMap {
  uint64_t opaque[16];
};

/// The loaded driver. `get(d)` loads libcuda.so.1 and initialises it once,
/// retains device d's primary context (the one the CUDA runtime and
/// PyTorch use) on its first use and makes it current on the calling
/// thread; the device queries below describe that device.
class Driver {
public:
  static llvm::Expected<Driver &> get(int device = 0);
  /// The loaded driver, or null (with the reason in `why`) where there is
  /// none; loads it on the first call.
  static Driver *instance(std::string *why);

  int computeCapability() const;
  int multiprocessors() const;
  const std::string &deviceName() const;
  /// "sm_90a" style chip name of the device.
  std::string chip() const;
  /// Devices the driver sees, and the one current on this thread.
  int deviceCount() const { return static_cast<int>(devices.size()); }
  int currentDevice() const;

  // Memory.
  llvm::Expected<CUdeviceptr> alloc(size_t bytes);
  void free(CUdeviceptr p);
  llvm::Error copyToDevice(CUdeviceptr dst, const void *src, size_t bytes);
  llvm::Error copyToHost(void *dst, CUdeviceptr src, size_t bytes);
  llvm::Error fill(CUdeviceptr dst, uint8_t byte, size_t bytes);
  /// Stream-ordered fill (capturable into a CUDA graph).
  llvm::Error fillAsync(CUdeviceptr dst, uint8_t byte, size_t bytes,
                        CUstream stream);

  // Modules and launches.
  /// Loads a cubin, or PTX (through the driver JIT) when `isPtx`.
  llvm::Expected<CUmodule> loadModule(const std::string &image, bool isPtx);
  void unloadModule(CUmodule m);
  llvm::Expected<CUfunction> function(CUmodule m, const std::string &name,
                                      int64_t dynamicSmem);
  llvm::Error launch(CUfunction f, const int64_t grid[3],
                     const int64_t block[3], int64_t smem, CUstream stream,
                     void **params);
  /// Encodes a 4-D tiled, 128-byte-swizzled TMA map over a [B, H, S, D]
  /// tensor of 2-byte elements with element strides `strides` (the last,
  /// D's, is 1) and a box of `boxHeads` consecutive heads' `boxRows` x
  /// `boxCols`. TMA needs a 16-byte aligned base and strides that are
  /// multiples of 16 bytes.
  llvm::Error encodeTensorMap(TensorMap &map, bool bf16, CUdeviceptr base,
                              const int64_t sizes[4], const int64_t strides[4],
                              uint32_t boxCols, uint32_t boxRows,
                              uint32_t boxHeads = 1);

  // Streams and timing.
  llvm::Error synchronize(CUstream stream);
  llvm::Expected<CUevent> createEvent();
  void destroyEvent(CUevent e);
  llvm::Error record(CUevent e, CUstream stream);
  llvm::Expected<float> elapsedMs(CUevent start, CUevent end);

  /// "cuFoo failed: CUDA_ERROR_X (text)" for a failed call, else success.
  llvm::Error check(CUresult r, const char *what) const;

private:
  friend class ContextGuard;
  Driver() = default;
  llvm::Error load();
  llvm::Error open(int device);
  struct API;
  API *api = nullptr;
  struct Device {
    CUcontext ctx = nullptr; // null until first used
    int ccMajor = 0, ccMinor = 0, smCount = 0;
    std::string name;
  };
  std::vector<Device> devices;
  const Device &current() const;
};

/// Keeps the calling thread's current CUDA context across the library's
/// work. `Driver::get` makes a device's context current; left so, it would
/// change the current device of the caller (the CUDA runtime, and so
/// PyTorch, reads it from the current context): a call on another device's
/// tensors would move a framework's later work to that device, and a
/// process using one GPU would open a context on another. Every entry point
/// that reaches the driver holds one. `loadDriver` false: a guard for work
/// that only touches the driver if it is already loaded (releasing
/// kernels) does not load it.
class ContextGuard {
public:
  explicit ContextGuard(bool loadDriver = true);
  ~ContextGuard();
  ContextGuard(const ContextGuard &) = delete;
  ContextGuard &operator=(const ContextGuard &) = delete;

private:
  Driver *driver = nullptr; // null: nothing to restore
  CUcontext saved = nullptr;
};

} // namespace skipattn::cuda

#endif // SKIPATTN_RUNTIME_CUDA_DRIVER_H
