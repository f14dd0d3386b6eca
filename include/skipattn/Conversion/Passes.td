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
    A paged block is walked page by page (one table load per page). With
    an unscaled bf16 Q tile, Q.K^T instead packs K as 32-bit pairs of the
    head dimension and multiplies bf16 pairs with `x86vector.avx512.dot`
    (16 keys a vector), scaling the f32 sums afterwards.
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
                           "::mlir::vector::VectorDialect",
                           "::mlir::x86vector::X86VectorDialect"];
}

def ConvertSkipAttnToSkipAttnGPU
    : Pass<"convert-skipattn-to-skipattn-gpu", "ModuleOp"> {
  let summary = "Lower tiled skipattn IR to a kernel-level gpu.func";
  let description = [{
    Replaces every function holding one tiled `skipattn.blocked_kv` nest
    (whose loop carries the `#skipattn_gpu.schedule` chosen by
    `skipattn-gpu-select-schedule`) by a `gpu.func` kernel in
    `gpu.module @skipattn_kernels`, written in the `skipattn_gpu` dialect:
    one CTA per query tile (`skipattn_gpu.tile_id`), the schedule's roles
    (`skipattn_gpu.warp_role`), a Q ring and `stages`-deep K/V rings filled
    by TMA, and the blocked ops on register fragments. With a `load` role
    the tile's scalars are computed once before the roles; the load role's
    thread acquires and fills the K and V stages of every block
    (`ring.acquire`, rings with `consumers`) and drains V, while the math
    role releases K after Q.K^T and V at the end of each block; with
    `pingpong` the math warpgroups take turns (`turn_take`/`turn_pass`).
    With the math role alone its first thread loads (prologue, refill of
    block n + stages, CTA-barrier release). The blocked ops become:

    - `pack_q` -> a TMA put into the Q ring;
    - `block_scores` -> a K wait, `skipattn_gpu.mma` (Q.K^T) and
      `skipattn_gpu.mask`;
    - `skip_predicate` -> `skipattn_gpu.skip_vote` (the warpgroup is the
      skip unit), with lambda, min_keep and the enable condition kept as the
      blocked IR computed them;
    - `online_softmax` -> `skipattn_gpu.online_update`, a V wait and the
      P.V `skipattn_gpu.mma` with P in registers, still inside the blocked
      IR's keep guard, so a skipped block waits for no V and issues no P.V;
    - `finalize` and the statistics -> `store_tile`, `store_lse`,
      `add_stats`.

    Each kernel's launch contract is appended to the module's
    `skipattn_gpu.launch = [#skipattn_gpu.launch<...>, ...]`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::skipattn_gpu::SkipAttnGPUDialect"];
}

def ConvertSkipAttnGPUToNVVM
    : Pass<"convert-skipattn-gpu-to-nvvm", "gpu::GPUModuleOp"> {
  let summary = "Lower kernel-level ops to NVVM, nvgpu and LLVM";
  let description = [{
    Lowers each `skipattn_gpu` op of the kernels of a gpu.module with one
    pattern per op, by family: kernel structure (tile ids, roles), rings
    (`nvgpu.mbarrier.*` full and empty barriers, `nvgpu.tma.async.load`),
    fragments (shuffles,
    exp2, selects), the warpgroup vote (`bar.red.and.pred`), the pingpong
    turns (named barriers), epilogue
    stores, and the target's MMA (`nvvm.wgmma.mma_async` for shared-memory
    operands, `wgmma.mma_async` with a register A operand as inline PTX).
    Fragment types become LLVM structs and vectors; shared-memory tiles
    become 32-bit shared addresses. The kernel's TMA descriptor parameters
    are listed in `skipattn.tma_params` for
    `skipattn-legalize-nvvm-kernel-abi`.
  }];
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

def SkipAttnAICBlockKV : Pass<"skipattn-aic-block-kv", "func::FuncOp"> {
  let summary = "Choose the fixed KV blocking and phase factors of the AI 100 form";
  let description = [{
    Attaches `skipattn.kv_blocking = #skipattn.kv_blocking<...>` to every
    tensor-form `skipattn.attention` that has none (an attribute already in
    the IR wins, like a hand-chosen tiling). A factor left unset takes the
    op's `#skipattn.skip` factor (0, dense, without one); `min-keep-blocks`
    likewise takes the op's. Runtime `skip_factors` have no AI 100 form and
    are rejected.
  }];
  let options = [
    Option<"numKVBlocks", "num-kv-blocks", "int64_t", /*default=*/"4",
           "KV blocks per row (QEfficient num_kv_blocks)">,
    Option<"prefillFactor", "prefill-factor", "double", /*default=*/"-1.0",
           "Threshold scale factor of the prefill specialisation (-1: the op's)">,
    Option<"decodeFactor", "decode-factor", "double", /*default=*/"-1.0",
           "Threshold scale factor of the decode specialisation (-1: the op's)">,
    Option<"minKeepBlocks", "min-keep-blocks", "int64_t", /*default=*/"-1",
           "Leading blocks always kept (-1: the op's, else 1)">,
  ];
}

def ConvertSkipAttnToAIC : Pass<"convert-skipattn-to-aic", "ModuleOp"> {
  let summary = "Lower blocked skipattn.attention to an ONNX operator graph (aic)";
  let description = [{
    Rewrites every function that holds one tensor-form `skipattn.attention`
    with a `skipattn.kv_blocking` into the ONNX graph of a QEfficient-style
    attention layer:

    - inputs `q [batch_size, Hq, seq_len, D]`, with `cache-write` the
      chunk's `k`/`v [batch_size, Hkv, seq_len, D]`, `past_key.0`/
      `past_value.0` `[batch_size, Hkv, ctx_len, D]` (the KV cache) and
      `position_ids [batch_size, seq_len]` (the position of each query row,
      -1 for padding); outputs `output`, `lse`/`skip_stats` when the op has
      them, and with `cache-write` `past_key.0_RetainedState`/
      `past_value.0_RetainedState`.
    - with `cache-write` (QEfficient's layer), the chunk's K and V are first
      written into the cache at `position_ids` by the `CtxScatter` function
      of domain `com.qualcomm.cloud` (ScatterND; padding rows write
      nothing), and the blocks are read from the written cache, which the
      RetainedState outputs return for the next step.
    - The sequence length `L_b = max(position_ids[b]) + 1` replaces
      `kv_lens`; a query row sees the keys at positions `<= position_ids`
      (causal) or `< L_b`.
    - `num_kv_blocks` unrolled blocks of `ceil(ctx_len / num_kv_blocks)`
      keys computed from the cache's run-time shape, each read with the
      `CtxGather` function of domain `com.qualcomm.cloud` (GatherND over
      (batch, head)); GQA by broadcasting a KV block over its query heads.
    - the online softmax with a normalised accumulator, and QEfficient's
      post-update skip test `m_blk - max(m, m_blk) < ln(lambda_b)` with
      `l > 0`, applied with `Where` on max, sum and accumulator; blocks past
      `L_b` are skipped for that sequence. `lambda_b = factor / L_b` is
      computed in the graph from `position_ids`, and the factor is chosen by
      `seq_len` (1: decode), so both specialisations are exact.

    The function keeps its name; the module gets `aic.specializations`
    (Prefill with the op's static sizes or the options, Decode with
    `seq_len` 1; a layer whose prefill length is 1 gets Decode alone) and
    `aic.custom_io` (KV cache and retained state in fp16). Element types f16
    and f32 are accepted (the card computes in fp16); others are rejected.
  }];
  let options = [
    Option<"batchSize", "batch-size", "int64_t", /*default=*/"0",
           "Specialised batch size (0: the op's static B)">,
    Option<"prefillSeqLen", "prefill-seq-len", "int64_t", /*default=*/"0",
           "Specialised prefill seq_len (0: the op's static Sq)">,
    Option<"ctxLen", "ctx-len", "int64_t", /*default=*/"0",
           "Specialised ctx_len (0: the op's static KV length)">,
    Option<"cacheWrite", "cache-write", "bool", /*default=*/"true",
           "Take the chunk's k/v, write them into the cache (CtxScatter) "
           "and return it as RetainedState outputs">,
  ];
  let dependentDialects = ["::mlir::skipattn::aic::AICDialect",
                           "::mlir::func::FuncDialect"];
}

#endif // SKIPATTN_CONVERSION_PASSES
