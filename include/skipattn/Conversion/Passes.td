//===- Passes.td - skipattn conversion passes --------------*- tablegen -*-===//
//
// Lowerings of the blocked skipattn IR to target dialects; each target's
// code lives in its own Conversion/SkipAttnTo<Target> folder.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_CONVERSION_PASSES
#define SKIPATTN_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def ConvertSkipAttnToCPU : Pass<"convert-skipattn-to-cpu", "func::FuncOp"> {
  let summary = "Lower blocked skipattn IR to vectorised scf/vector loops";
  let description = [{
    Lowers `skipattn.blocked_kv` to `scf.for` and the tile ops to loops over
    rows whose inner dimension is a single `vector` value (so LLVM emits full
    SIMD registers): Q.K^T as broadcast-FMA outer products over a transposed
    f32 copy of the K block, register-blocked by `score-rows` rows; P.V the
    same way by `pv-rows` rows; row max/sum as vector reductions; exp2 as a
    vectorisable polynomial. f16/bf16 inputs are widened to f32 on load.
  }];
  let options = [
    Option<"scoreRows", "score-rows", "int64_t", /*default=*/"4",
           "Rows computed together in Q.K^T">,
    Option<"pvRows", "pv-rows", "int64_t", /*default=*/"2",
           "Rows computed together in P.V">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // SKIPATTN_CONVERSION_PASSES
