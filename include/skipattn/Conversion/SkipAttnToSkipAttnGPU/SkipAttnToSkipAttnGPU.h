//===- SkipAttnToSkipAttnGPU.h - blocked IR to the kernel -------*- C++ -*-===//
//
// Entry point of convert-skipattn-to-skipattn-gpu.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_CONVERSION_SKIPATTNTOSKIPATTNGPU_SKIPATTNTOSKIPATTNGPU_H
#define SKIPATTN_CONVERSION_SKIPATTNTOSKIPATTNGPU_SKIPATTNTOSKIPATTNGPU_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::skipattn {

#define GEN_PASS_DECL_CONVERTSKIPATTNTOSKIPATTNGPU
#include "skipattn/Conversion/Passes.h.inc"

/// Name of the gpu.module that receives the generated kernels.
inline constexpr llvm::StringLiteral kKernelModuleName = "skipattn_kernels";

/// Replaces `func` (one tiled blocked-KV nest whose loop carries a
/// #skipattn_gpu.schedule) by a kernel-level gpu.func in the module's
/// `skipattn_kernels` gpu.module, and appends its #skipattn_gpu.launch
/// contract to the module's `skipattn_gpu.launch` array.
LogicalResult convertToKernelLevel(func::FuncOp func);

} // namespace mlir::skipattn

#endif // SKIPATTN_CONVERSION_SKIPATTNTOSKIPATTNGPU_SKIPATTNTOSKIPATTNGPU_H
