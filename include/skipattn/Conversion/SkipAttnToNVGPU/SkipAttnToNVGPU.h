//===- SkipAttnToNVGPU.h - tiled skipattn IR to a Hopper kernel --*- C++
//-*-===//
//
// Entry points of the Hopper (sm_90a) lowering and the launch contract it
// records for the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_CONVERSION_SKIPATTNTONVGPU_SKIPATTNTONVGPU_H
#define SKIPATTN_CONVERSION_SKIPATTNTONVGPU_SKIPATTNTONVGPU_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace func {
class FuncOp;
} // namespace func
namespace skipattn {

#define GEN_PASS_DECL_CONVERTSKIPATTNTONVGPU
#define GEN_PASS_DECL_LEGALIZENVVMKERNELABI
#include "skipattn/Conversion/Passes.h.inc"

/// Name of the gpu.module that receives the generated kernels.
inline constexpr llvm::StringLiteral kKernelModuleName = "skipattn_kernels";
/// Module attribute with the launch contract of the generated kernel:
///   { kernel = "<name>", grid = array<i64: x, y, z>,
///     block = array<i64: x, y, z>, smem = <dynamic shared bytes>,
///     params = ["tma:q", "tma:k", "tma:v", "ptr:out", "ptr:kv_lens",
///               "ptr:lse", "ptr:stats"] (those present, in order),
///     box_q = array<i64: cols, rows>, box_kv = array<i64: cols, rows> }
/// TMA parameters view a [B*H, S, D] tensor, 128-byte swizzled, with
/// out-of-bounds elements filled with zeros.
inline constexpr llvm::StringLiteral kLaunchAttrName = "skipattn.launch";
/// gpu.func attribute listing the argument numbers that are TMA descriptors.
inline constexpr llvm::StringLiteral kTmaParamsAttrName = "skipattn.tma_params";

struct HopperLoweringOptions {
  int64_t stages = 2;
};

/// Replaces `func` (which must hold exactly one tiled blocked-KV nest) by a
/// kernel in the module's `skipattn_kernels` gpu.module and records the
/// launch contract on the enclosing module.
LogicalResult lowerToHopperKernel(func::FuncOp func,
                                  const HopperLoweringOptions &options);

/// Marks the TMA parameters of the lowered kernels of `module` byval and
/// grid-constant (see skipattn-legalize-nvvm-kernel-abi).
LogicalResult legalizeNVVMKernelABI(gpu::GPUModuleOp module);
} // namespace skipattn
} // namespace mlir

#endif // SKIPATTN_CONVERSION_SKIPATTNTONVGPU_SKIPATTNTONVGPU_H
