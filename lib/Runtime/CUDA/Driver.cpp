//===- Driver.cpp - the CUDA driver API, loaded at run time ---------------===//

#include "skipattn/Runtime/CUDA/Driver.h"

#include <atomic>
#include <dlfcn.h>
#include <mutex>

using namespace skipattn::cuda;
using llvm::createStringError;
using llvm::Error;
using llvm::Expected;

namespace {
// Enum values and structs with the ABI of cuda.h.
constexpr int kAttrCCMajor = 75, kAttrCCMinor = 76, kAttrSMCount = 16;
constexpr int kFuncAttrMaxDynamicSmem = 8;
constexpr int kJitErrorLog = 5, kJitErrorLogSize = 6;
constexpr int kTmaF16 = 6, kTmaBF16 = 9, kTmaSwizzle128 = 3, kTmaPromote128 = 2;
struct LaunchConfig {
  unsigned gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ;
  unsigned sharedMemBytes;
  CUstream hStream;
  void *attrs;
  unsigned numAttrs;
};
} // namespace

struct Driver::API {
  void *handle = nullptr;
#define SKIPATTN_CU_FN(name, ...) CUresult (*name)(__VA_ARGS__) = nullptr;
  SKIPATTN_CU_FN(cuInit, unsigned)
  SKIPATTN_CU_FN(cuDeviceGetCount, int *)
  SKIPATTN_CU_FN(cuDeviceGet, CUdevice *, int)
  SKIPATTN_CU_FN(cuDeviceGetAttribute, int *, int, CUdevice)
  SKIPATTN_CU_FN(cuDeviceGetName, char *, int, CUdevice)
  SKIPATTN_CU_FN(cuDevicePrimaryCtxRetain, CUcontext *, CUdevice)
  SKIPATTN_CU_FN(cuCtxSetCurrent, CUcontext)
  SKIPATTN_CU_FN(cuCtxGetCurrent, CUcontext *)
  SKIPATTN_CU_FN(cuGetErrorName, CUresult, const char **)
  SKIPATTN_CU_FN(cuGetErrorString, CUresult, const char **)
  SKIPATTN_CU_FN(cuMemAlloc_v2, CUdeviceptr *, size_t)
  SKIPATTN_CU_FN(cuMemFree_v2, CUdeviceptr)
  SKIPATTN_CU_FN(cuMemcpyHtoD_v2, CUdeviceptr, const void *, size_t)
  SKIPATTN_CU_FN(cuMemcpyDtoH_v2, void *, CUdeviceptr, size_t)
  SKIPATTN_CU_FN(cuMemsetD8_v2, CUdeviceptr, unsigned char, size_t)
  SKIPATTN_CU_FN(cuMemsetD8Async, CUdeviceptr, unsigned char, size_t, CUstream)
  SKIPATTN_CU_FN(cuModuleLoadDataEx, CUmodule *, const void *, unsigned, int *,
                 void **)
  SKIPATTN_CU_FN(cuModuleUnload, CUmodule)
  SKIPATTN_CU_FN(cuModuleGetFunction, CUfunction *, CUmodule, const char *)
  SKIPATTN_CU_FN(cuFuncSetAttribute, CUfunction, int, int)
  SKIPATTN_CU_FN(cuLaunchKernelEx, const LaunchConfig *, CUfunction, void **,
                 void **)
  SKIPATTN_CU_FN(cuTensorMapEncodeTiled, void *, int, uint32_t, void *,
                 const uint64_t *, const uint64_t *, const uint32_t *,
                 const uint32_t *, int, int, int, int)
  SKIPATTN_CU_FN(cuStreamSynchronize, CUstream)
  SKIPATTN_CU_FN(cuEventCreate, CUevent *, unsigned)
  SKIPATTN_CU_FN(cuEventDestroy_v2, CUevent)
  SKIPATTN_CU_FN(cuEventRecord, CUevent, CUstream)
  SKIPATTN_CU_FN(cuEventElapsedTime, float *, CUevent, CUevent)
#undef SKIPATTN_CU_FN
};

Error Driver::check(CUresult r, const char *what) const {
  if (r == 0)
    return Error::success();
  const char *n = "CUDA_ERROR_UNKNOWN", *s = "unknown error";
  if (api && api->cuGetErrorName)
    api->cuGetErrorName(r, &n);
  if (api && api->cuGetErrorString)
    api->cuGetErrorString(r, &s);
  std::string msg = std::string(what) + " failed: " + n + " (" + s + ")";
  if (r == 2)
    msg += ": the GPU is out of memory";
  return createStringError(msg);
}

Error Driver::load() {
  api = new API();
  api->handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!api->handle)
    return createStringError(
        "no CUDA driver: libcuda.so.1 could not be loaded (" +
        std::string(dlerror()) + "); GPU targets need an NVIDIA driver");
#define SKIPATTN_LOAD(name)                                                    \
  api->name =                                                                  \
      reinterpret_cast<decltype(api->name)>(dlsym(api->handle, #name));        \
  if (!api->name)                                                              \
    return createStringError("the CUDA driver lacks " #name                    \
                             " (driver too old for CUDA 12 features?)");
  SKIPATTN_LOAD(cuInit)
  SKIPATTN_LOAD(cuDeviceGetCount)
  SKIPATTN_LOAD(cuDeviceGet)
  SKIPATTN_LOAD(cuDeviceGetAttribute)
  SKIPATTN_LOAD(cuDeviceGetName)
  SKIPATTN_LOAD(cuDevicePrimaryCtxRetain)
  SKIPATTN_LOAD(cuCtxSetCurrent)
  SKIPATTN_LOAD(cuCtxGetCurrent)
  SKIPATTN_LOAD(cuGetErrorName)
  SKIPATTN_LOAD(cuGetErrorString)
  SKIPATTN_LOAD(cuMemAlloc_v2)
  SKIPATTN_LOAD(cuMemFree_v2)
  SKIPATTN_LOAD(cuMemcpyHtoD_v2)
  SKIPATTN_LOAD(cuMemcpyDtoH_v2)
  SKIPATTN_LOAD(cuMemsetD8_v2)
  SKIPATTN_LOAD(cuMemsetD8Async)
  SKIPATTN_LOAD(cuModuleLoadDataEx)
  SKIPATTN_LOAD(cuModuleUnload)
  SKIPATTN_LOAD(cuModuleGetFunction)
  SKIPATTN_LOAD(cuFuncSetAttribute)
  SKIPATTN_LOAD(cuLaunchKernelEx)
  SKIPATTN_LOAD(cuTensorMapEncodeTiled)
  SKIPATTN_LOAD(cuStreamSynchronize)
  SKIPATTN_LOAD(cuEventCreate)
  SKIPATTN_LOAD(cuEventDestroy_v2)
  SKIPATTN_LOAD(cuEventRecord)
#undef SKIPATTN_LOAD
  // CUDA 12.8+ drivers export a _v2 with the same signature.
  void *elapsed = dlsym(api->handle, "cuEventElapsedTime_v2");
  if (!elapsed)
    elapsed = dlsym(api->handle, "cuEventElapsedTime");
  if (!elapsed)
    return createStringError("the CUDA driver lacks cuEventElapsedTime");
  api->cuEventElapsedTime =
      reinterpret_cast<decltype(api->cuEventElapsedTime)>(elapsed);
  if (Error e = check(api->cuInit(0), "cuInit"))
    return e;
  int count = 0;
  if (Error e = check(api->cuDeviceGetCount(&count), "cuDeviceGetCount"))
    return e;
  if (count == 0)
    return createStringError("no CUDA device: the driver sees no GPU");
  devices.resize(count);
  return Error::success();
}

/// Device `device`'s properties and primary context, on its first use.
Error Driver::open(int device) {
  Device &d = devices[device];
  CUdevice dev;
  if (Error e = check(api->cuDeviceGet(&dev, device), "cuDeviceGet"))
    return e;
  char buf[256] = {0};
  api->cuDeviceGetName(buf, sizeof(buf) - 1, dev);
  d.name = buf;
  if (Error e = check(api->cuDeviceGetAttribute(&d.ccMajor, kAttrCCMajor, dev),
                      "cuDeviceGetAttribute"))
    return e;
  api->cuDeviceGetAttribute(&d.ccMinor, kAttrCCMinor, dev);
  api->cuDeviceGetAttribute(&d.smCount, kAttrSMCount, dev);
  return check(api->cuDevicePrimaryCtxRetain(&d.ctx, dev),
               "cuDevicePrimaryCtxRetain");
}

namespace {
/// The device whose context this thread made current through Driver::get.
thread_local int currentIndex = 0;
} // namespace

int Driver::currentDevice() const { return currentIndex; }
const Driver::Device &Driver::current() const { return devices[currentIndex]; }
int Driver::computeCapability() const {
  return current().ccMajor * 10 + current().ccMinor;
}
int Driver::multiprocessors() const { return current().smCount; }
const std::string &Driver::deviceName() const { return current().name; }

namespace {
/// The driver once loaded (for guards that must not load it).
std::atomic<Driver *> loadedDriver{nullptr};
} // namespace

Driver *Driver::instance(std::string *why) {
  static std::once_flag once;
  static Driver *driver = nullptr;
  static std::string failure;
  std::call_once(once, [] {
    auto *d = new Driver();
    if (Error e = d->load()) {
      // No driver: keep the message, release what load() opened.
      failure = llvm::toString(std::move(e));
      if (d->api && d->api->handle)
        dlclose(d->api->handle);
      delete d->api;
      delete d;
    } else {
      driver = d; // lives for the process, as the CUDA context does
    }
  });
  if (!driver && why)
    *why = failure;
  loadedDriver.store(driver);
  return driver;
}

ContextGuard::ContextGuard(bool loadDriver) {
  Driver *d = loadDriver ? Driver::instance(nullptr) : loadedDriver.load();
  if (d && d->api->cuCtxGetCurrent(&saved) == 0)
    driver = d;
}

ContextGuard::~ContextGuard() {
  // Only a context the library changed is put back (a launch on the
  // caller's own device leaves it as it was: one driver call saved).
  CUcontext now = nullptr;
  if (driver && (driver->api->cuCtxGetCurrent(&now) != 0 || now != saved))
    driver->api->cuCtxSetCurrent(saved);
}

Expected<Driver &> Driver::get(int device) {
  std::string failure;
  Driver *driver = instance(&failure);
  if (!driver)
    return createStringError(failure);
  if (device < 0 || device >= driver->deviceCount())
    return createStringError("CUDA device " + std::to_string(device) +
                             " does not exist: the driver sees " +
                             std::to_string(driver->deviceCount()));
  {
    static std::mutex openMutex;
    std::lock_guard<std::mutex> lock(openMutex);
    if (!driver->devices[device].ctx)
      if (Error e = driver->open(device))
        return std::move(e);
  }
  // Every call makes the device's context current on the calling thread
  // (unless it already is: the common case of a caller on that device).
  CUcontext now = nullptr;
  CUcontext want = driver->devices[device].ctx;
  if (driver->api->cuCtxGetCurrent(&now) != 0 || now != want)
    if (Error e = driver->check(driver->api->cuCtxSetCurrent(want),
                                "cuCtxSetCurrent"))
      return std::move(e);
  currentIndex = device;
  return *driver;
}

std::string Driver::chip() const {
  const Device &d = current();
  std::string c = "sm_" + std::to_string(d.ccMajor) + std::to_string(d.ccMinor);
  if (d.ccMajor == 9 || d.ccMajor == 10)
    c += "a";
  return c;
}

Expected<CUdeviceptr> Driver::alloc(size_t bytes) {
  CUdeviceptr p = 0;
  if (Error e = check(api->cuMemAlloc_v2(&p, bytes ? bytes : 1), "cuMemAlloc"))
    return std::move(e);
  return p;
}
void Driver::free(CUdeviceptr p) {
  if (p)
    api->cuMemFree_v2(p);
}
Error Driver::copyToDevice(CUdeviceptr dst, const void *src, size_t bytes) {
  return check(api->cuMemcpyHtoD_v2(dst, src, bytes), "cuMemcpyHtoD");
}
Error Driver::copyToHost(void *dst, CUdeviceptr src, size_t bytes) {
  return check(api->cuMemcpyDtoH_v2(dst, src, bytes), "cuMemcpyDtoH");
}
Error Driver::fill(CUdeviceptr dst, uint8_t byte, size_t bytes) {
  return check(api->cuMemsetD8_v2(dst, byte, bytes), "cuMemsetD8");
}

Error Driver::fillAsync(CUdeviceptr dst, uint8_t byte, size_t bytes,
                        CUstream stream) {
  return check(api->cuMemsetD8Async(dst, byte, bytes, stream),
               "cuMemsetD8Async");
}

Expected<CUmodule> Driver::loadModule(const std::string &image, bool isPtx) {
  CUmodule m = nullptr;
  char log[8192] = {0};
  int opts[2] = {kJitErrorLog, kJitErrorLogSize};
  void *vals[2] = {log, reinterpret_cast<void *>(sizeof(log) - 1)};
  // PTX must be NUL-terminated for the driver JIT.
  std::string ptx;
  const void *data = image.data();
  if (isPtx) {
    ptx = image;
    data = ptx.c_str();
  }
  CUresult r = api->cuModuleLoadDataEx(&m, data, 2, opts, vals);
  if (r == 209 /*CUDA_ERROR_NO_BINARY_FOR_GPU*/ ||
      r == 222 /*CUDA_ERROR_UNSUPPORTED_PTX_VERSION*/)
    return createStringError("unsupported GPU architecture: the driver has no "
                             "way to run this kernel on " +
                             chip() + " (" + deviceName() + ")");
  if (Error e = check(r, "cuModuleLoadDataEx"))
    return log[0] ? createStringError(llvm::toString(std::move(e)) + ": " + log)
                  : std::move(e);
  return m;
}
void Driver::unloadModule(CUmodule m) {
  if (m)
    api->cuModuleUnload(m);
}

Expected<CUfunction> Driver::function(CUmodule m, const std::string &fname,
                                      int64_t dynamicSmem) {
  CUfunction f = nullptr;
  if (Error e = check(api->cuModuleGetFunction(&f, m, fname.c_str()),
                      "cuModuleGetFunction"))
    return std::move(e);
  if (Error e = check(api->cuFuncSetAttribute(f, kFuncAttrMaxDynamicSmem,
                                              static_cast<int>(dynamicSmem)),
                      "cuFuncSetAttribute(max dynamic shared memory)"))
    return std::move(e);
  return f;
}

Error Driver::launch(CUfunction f, const int64_t grid[3],
                     const int64_t block[3], int64_t smem, CUstream stream,
                     void **params) {
  LaunchConfig cfg{};
  cfg.gridDimX = grid[0];
  cfg.gridDimY = grid[1];
  cfg.gridDimZ = grid[2];
  cfg.blockDimX = block[0];
  cfg.blockDimY = block[1];
  cfg.blockDimZ = block[2];
  cfg.sharedMemBytes = smem;
  cfg.hStream = stream;
  return check(api->cuLaunchKernelEx(&cfg, f, params, nullptr),
               "kernel launch (cuLaunchKernelEx)");
}

Error Driver::encodeTensorMap(TensorMap &map, bool bf16, CUdeviceptr base,
                              const int64_t sizes[4], const int64_t strides[4],
                              uint32_t boxCols, uint32_t boxRows,
                              uint32_t boxHeads) {
  if (base % 16)
    return createStringError("a TMA operand must start at a 16-byte aligned "
                             "address");
  if (strides[3] != 1)
    return createStringError("a TMA operand needs a unit stride on the head "
                             "dimension");
  // Innermost first: D, S, H, B; byte strides of S, H, B.
  uint64_t dims[4] = {uint64_t(sizes[3]), uint64_t(sizes[2]),
                      uint64_t(sizes[1]), uint64_t(sizes[0])};
  uint64_t bytes[3] = {uint64_t(strides[2]) * 2, uint64_t(strides[1]) * 2,
                       uint64_t(strides[0]) * 2};
  for (uint64_t b : bytes)
    if (b % 16 || b >= (uint64_t(1) << 40))
      return createStringError("TMA strides must be multiples of 16 bytes "
                               "(8 elements) below 2^40 bytes");
  uint32_t box[4] = {boxCols, boxRows, boxHeads, 1};
  uint32_t elemStrides[4] = {1, 1, 1, 1};
  return check(api->cuTensorMapEncodeTiled(
                   &map, bf16 ? kTmaBF16 : kTmaF16, 4,
                   reinterpret_cast<void *>(base), dims, bytes, box,
                   elemStrides, /*interleave*/ 0, kTmaSwizzle128,
                   kTmaPromote128, /*oob fill zeros*/ 0),
               "cuTensorMapEncodeTiled");
}

Error Driver::synchronize(CUstream stream) {
  return check(api->cuStreamSynchronize(stream),
               "kernel execution (cuStreamSynchronize)");
}
Expected<CUevent> Driver::createEvent() {
  CUevent e = nullptr;
  if (Error err = check(api->cuEventCreate(&e, 0), "cuEventCreate"))
    return std::move(err);
  return e;
}
void Driver::destroyEvent(CUevent e) {
  if (e)
    api->cuEventDestroy_v2(e);
}
Error Driver::record(CUevent e, CUstream stream) {
  return check(api->cuEventRecord(e, stream), "cuEventRecord");
}
Expected<float> Driver::elapsedMs(CUevent start, CUevent end) {
  float ms = 0;
  if (Error e =
          check(api->cuEventElapsedTime(&ms, start, end), "cuEventElapsedTime"))
    return std::move(e);
  return ms;
}
