//===- SkipAttnGPU.h - skipattn_gpu dialect ---------------------*- C++ -*-===//
//
// Declares the kernel-schedule dialect: its types, attributes and ops.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_DIALECT_SKIPATTNGPU_IR_SKIPATTNGPU_H
#define SKIPATTN_DIALECT_SKIPATTNGPU_IR_SKIPATTNGPU_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUEnums.h.inc"
#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUOpsDialect.h.inc"

#define GET_TYPEDEF_CLASSES
#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUOpsTypes.h.inc"

#define GET_ATTRDEF_CLASSES
#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUAttrs.h.inc"

#define GET_OP_CLASSES
#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUOps.h.inc"

namespace mlir::skipattn_gpu {
/// Attribute name of the schedule on a kernel (and, before the kernel
/// exists, on the attention op and its blocked_kv loop).
inline constexpr llvm::StringLiteral kScheduleAttrName =
    "skipattn_gpu.schedule";
/// Attribute name of the launch contracts on the enclosing module: an array
/// of #skipattn_gpu.launch, one per kernel.
inline constexpr llvm::StringLiteral kLaunchAttrName = "skipattn_gpu.launch";
/// Rows of a warpgroup fragment (wgmma's M).
inline constexpr int64_t kWarpgroupRows = 64;
/// Lanes of tensor memory: the rows of a tcgen05 tile and of a 128-row
/// fragment (one row per thread of a warpgroup).
inline constexpr int64_t kTmemLanes = 128;
/// Rows of one skip unit on sm_100a: a warp's lane quarter of tensor memory.
inline constexpr int64_t kWarpRows = 32;
/// sm_90's opt-in dynamic shared memory per CTA.
inline constexpr int64_t kHopperSharedBytes = 227 * 1024;
/// Shared memory of one SM, of which every resident CTA reserves 1 KiB.
inline constexpr int64_t kHopperSMSharedBytes = 228 * 1024;
/// The most blocks a decode warpgroup votes ahead of its P.V: each carries
/// its probabilities (32 registers at 128 keys) beside O and the scores.
inline constexpr int64_t kMaxVoteAhead = 3;
} // namespace mlir::skipattn_gpu

#endif // SKIPATTN_DIALECT_SKIPATTNGPU_IR_SKIPATTNGPU_H
