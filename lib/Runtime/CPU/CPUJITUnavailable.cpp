//===- CPUJITUnavailable.cpp - CPUKernel in builds without the CPU JIT ----===//
//
// The self-contained GPU bundle (SKIPATTN_CPU_JIT=OFF) carries no LLVM
// ExecutionEngine; asking it for a CPU kernel is a clear error.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Runtime/CPU/CPUJIT.h"

using namespace skipattn;

struct CPUKernel::Impl {};
CPUKernel::~CPUKernel() = default;

llvm::Expected<std::unique_ptr<CPUKernel>>
CPUKernel::compile(const AttentionSpec &, const CPUCompileOptions &) {
  return llvm::createStringError(
      "this skipattn build has no CPU JIT (configured with "
      "SKIPATTN_CPU_JIT=OFF, as the self-contained GPU bundle is); use "
      "--target=cuda");
}

llvm::Error CPUKernel::run(const void *, const void *, const void *,
                           const int32_t *, const float *, void *, float *,
                           int64_t *, const int32_t *, const int32_t *) const {
  return llvm::createStringError("this skipattn build has no CPU JIT");
}
