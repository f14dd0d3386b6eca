//===- SkipAttnToCPU.h - blocked skipattn IR to CPU loops --------*- C++
//-*-===//
//
// Entry points of the CPU lowering of the blocked skipattn ops.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_CONVERSION_SKIPATTNTOCPU_SKIPATTNTOCPU_H
#define SKIPATTN_CONVERSION_SKIPATTNTOCPU_SKIPATTNTOCPU_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace skipattn {

#define GEN_PASS_DECL_CONVERTSKIPATTNTOCPU
#include "skipattn/Conversion/Passes.h.inc"

/// Register blocking of the CPU micro-kernels.
struct CPULoweringOptions {
  int64_t scoreRows = 4;
  int64_t pvRows = 2;
};

/// Patterns lowering blocked skipattn ops to scf/vector/memref/math.
void populateSkipAttnToCPUPatterns(RewritePatternSet &patterns,
                                   const CPULoweringOptions &options);
} // namespace skipattn
} // namespace mlir

#endif // SKIPATTN_CONVERSION_SKIPATTNTOCPU_SKIPATTNTOCPU_H
