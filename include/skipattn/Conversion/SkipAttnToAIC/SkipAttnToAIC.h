//===- SkipAttnToAIC.h - skipattn to the Cloud AI 100 graph -----*- C++ -*-===//
//
// Passes of the Qualcomm Cloud AI 100 path: choosing the fixed KV blocking
// and lowering blocked attention to the aic (ONNX operator) graph.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_CONVERSION_SKIPATTNTOAIC_SKIPATTNTOAIC_H
#define SKIPATTN_CONVERSION_SKIPATTNTOAIC_SKIPATTNTOAIC_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::skipattn {
namespace aic {
class AICDialect;
} // namespace aic

#define GEN_PASS_DECL_SKIPATTNAICBLOCKKV
#define GEN_PASS_DECL_CONVERTSKIPATTNTOAIC
#include "skipattn/Conversion/Passes.h.inc"

class AttentionOp;

/// Emits an error and fails unless `op` has a form on this path at all
/// (tensor semantics, no runtime skip_factors); both passes check it.
LogicalResult checkAICExpressible(AttentionOp op);

/// Name of the discardable attribute that carries the blocking.
inline constexpr llvm::StringLiteral kKVBlockingAttrName =
    "skipattn.kv_blocking";
} // namespace mlir::skipattn

#endif // SKIPATTN_CONVERSION_SKIPATTNTOAIC_SKIPATTNTOAIC_H
