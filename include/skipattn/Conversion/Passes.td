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

def ConvertSkipAttnToNVGPU : Pass<"convert-skipattn-to-nvgpu", "ModuleOp"> {
  let summary = "Lower tiled skipattn IR to a Hopper (sm_90a) gpu.module kernel";
  let description = [{
    Replaces every function holding one tiled `skipattn.blocked_kv` nest by a
    `gpu.func` kernel in `gpu.module @skipattn_kernels`. One CTA runs one
    query tile of `tiling.block_q` rows as `block_q / 64` warpgroups; the
    warpgroup is the skip unit (`tiling.skip_unit` must be 64).

    - Q, K and V tiles arrive through TMA (`nvgpu.tma.async.load`, 128-byte
      swizzle, boxes 64 elements wide) into a ring of `stages` K/V buffers in
      dynamic shared memory, each completed on its own `nvgpu.mbarrier`.
    - Q.K^T is `nvvm.wgmma.mma_async` with both operands in shared memory;
      the f32 accumulator fragments are kept in registers.
    - The online softmax runs on those fragments (exp2 with the scale
      folded into one FMA); causal and length masks are applied only on
      blocks that need them.
    - The skip predicate is `exp2(m_blk - m_prev) < lambda` per row, voted
      across the warpgroup with one `bar.red.and`; a skipped block does no
      exp, no rescale, no V wait and no P.V.
    - P.V is a wgmma whose A operand (P) stays in registers, reusing the
      accumulator layout of Q.K^T (inline PTX: the NVVM op only takes
      shared-memory operands).

    TMA descriptors are kernel parameters marked `skipattn.tma_descriptor`
    (made byval grid-constant by `skipattn-legalize-nvvm-kernel-abi`). The
    launch contract (grid, block, dynamic shared memory, parameter kinds and
    TMA boxes) is recorded in the `skipattn.launch` module attribute for the
    runtime.
  }];
  let options = [
    Option<"stages", "stages", "int64_t", /*default=*/"2",
           "K/V shared-memory buffers in the TMA ring">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::scf::SCFDialect"];
}

def LegalizeNVVMKernelABI : Pass<"skipattn-legalize-nvvm-kernel-abi",
                                 "gpu::GPUModuleOp"> {
  let summary = "Make TMA descriptor parameters byval grid-constant";
  let description = [{
    Runs after `convert-gpu-to-nvvm`. Every `llvm.func` kernel parameter that
    came from a `gpu.func` argument listed in `skipattn.tma_params` becomes a
    128-byte, 64-aligned `llvm.byval` parameter with `nvvm.grid_constant`,
    so the descriptor is read in place from parameter space (no device copy
    and no descriptor fence per launch). `gpu.func` cannot carry these
    attributes itself, hence this step.
  }];
}

#endif // SKIPATTN_CONVERSION_PASSES
