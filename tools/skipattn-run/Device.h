//===- Device.h - GPU buffers of one skipattn-run case -----------*- C++
//-*-===//

#ifndef SKIPATTN_TOOLS_RUN_DEVICE_H
#define SKIPATTN_TOOLS_RUN_DEVICE_H

#include "Inputs.h"

#include "skipattn/Runtime/CUDA/CUDAJIT.h"

#include <memory>

namespace skipattn {

/// Device copies of the inputs and the outputs of one case.
class DeviceBuffers {
public:
  static llvm::Expected<std::unique_ptr<DeviceBuffers>>
  create(const AttentionSpec &s, const HostTensor &q, const HostTensor &k,
         const HostTensor &v, const std::vector<float> &factors,
         const std::vector<int32_t> &pageTable, int64_t outOffset = 0);
  ~DeviceBuffers();
  /// Fills out/lse with NaN and stats with -1.
  llvm::Error poison();
  llvm::Error launch(const CUDAKernel &kernel);
  /// Waits for the GPU and copies the outputs back.
  llvm::Error fetch(std::vector<uint8_t> &out, std::vector<float> &lse,
                    std::vector<int64_t> &stats);
  /// One launch timed with device events, in milliseconds.
  llvm::Expected<double> time(const CUDAKernel &kernel);

private:
  DeviceBuffers() = default;
  cuda::Driver *drv = nullptr;
  cuda::CUdeviceptr q = 0, k = 0, v = 0, lens = 0, factors = 0, out = 0,
                    lse = 0, stats = 0, table = 0, qLens = 0;
  // The output is `outOffset` bytes into its allocation `outBase` (an
  // output view that is not 16-byte aligned).
  cuda::CUdeviceptr outBase = 0;
  size_t outBytes = 0, lseBytes = 0, statsBytes = 0;
  cuda::CUevent start = nullptr, end = nullptr;
};

} // namespace skipattn

#endif // SKIPATTN_TOOLS_RUN_DEVICE_H
