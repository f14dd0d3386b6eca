//===- Passes.td - skipattn_gpu passes ---------------------*- tablegen -*-===//
//
// Passes on the kernel-schedule level. Each pass wraps a function declared
// in Passes.h so pipelines and the runtime share one implementation.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_GPU_TRANSFORMS_PASSES
#define SKIPATTN_GPU_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def SkipAttnGPUSelectSchedule
    : Pass<"skipattn-gpu-select-schedule", "func::FuncOp"> {
  let summary = "Choose the kernel schedule and tile sizes of each attention";
  let description = [{
    For every memref-form `skipattn.attention`, attaches the kernel schedule
    (`skipattn_gpu.schedule = #skipattn_gpu.schedule<...>`) and the tiling
    it implies (`tiling = #skipattn.tiling<...>`, which `skipattn-tile`
    honours). A schedule already on the op wins and is only verified
    against the op and the chip: head dimension, shared-memory budget,
    warpgroups per `block_q`, skip unit, roles.

    For sm_90a: a `math` role of `block_q / 16` warps (two warpgroups of
    64 rows), `block_q = 128`, and `block_kv = 128` for D <= 128 or 64 for
    D = 256 (the register budget of the 64x256 accumulator), 192 for dense
    causal prefill at D = 128 (the loop without the overlap), with
    two-stage K and V rings. Where a CTA owns its output tile the output
    is stored by TMA (`tma_store`). Warp-specialized (the default), a `load`
    warpgroup after the math warps issues every TMA load and the roles
    resize their register files (240 math / 24 load); otherwise the math
    role's first thread issues the loads between its blocks. With
    `pingpong` the two math warpgroups take turns on the tensor cores: one
    issues its P.V and next Q.K^T while the other computes its softmax (off
    by default: measured slower on the H200, see docs/performance.md).
    Dense non-causal prefill with two math warpgroups gets `overlap`: each
    warpgroup issues the previous block's P.V behind this block's Q.K^T
    and waits for it after this block's softmax in the IR (ptxas moves
    that wait to the softmax's start; docs/hopper.md). Not with skip
    decisions, whose probabilities would pass through a branch while that
    MMA reads them; not by default with a causal mask, where it measured
    slower. Decode (q_len <= 16) takes one math warpgroup of 64 rows that
    packs the query heads of a KV head (256 / 56 registers), splits the
    KV blocks over CTAs, and gives the ring what shared memory is left;
    with skipping, V is gated on the votes and each block is voted on
    `vote_ahead` blocks before its P.V: 2, or 1 with lengths read at
    launch or D = 256 (two carried probability tiles spill there).

    For sm_100a (`chip=sm_100a`): two math warpgroups of 128 rows (a row
    per thread, as tensor memory holds them), a correction warpgroup that
    rescales O in tensor memory, and a producer warpgroup whose first warp
    issues the tcgen05 MMAs and next two load by TMA; 128-key blocks, a
    warp's 32 rows as skip unit, V gated on the votes, registers
    208 / 40 / 56.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90a\"",
           "Target chip">,
    Option<"stages", "stages", "int64_t", /*default=*/"0",
           "K/V ring depth (0: the schedule's choice)">,
    Option<"blockQ", "block-q", "int64_t", /*default=*/"0",
           "Query rows per CTA, a multiple of 64 (0: the schedule's)">,
    Option<"blockKV", "block-kv", "int64_t", /*default=*/"0",
           "Keys per KV block (0: the schedule's)">,
    Option<"warpSpecialize", "warp-specialize", "bool", /*default=*/"true",
           "A load warpgroup issues the TMA loads">,
    Option<"pingpong", "pingpong", "bool", /*default=*/"false",
           "The two math warpgroups take turns on the tensor cores">,
    Option<"kvSplits", "kv-splits", "int64_t", /*default=*/"0",
           "CTAs splitting each tile's KV blocks (0: the schedule's; "
           "split-KV is chosen for decode)">,
    Option<"gateV", "gate-v", "int64_t", /*default=*/"-1",
           "V loads wait for the skip votes: 1 on, 0 off, -1 the "
           "schedule's choice (on for skipping decode)">,
    Option<"voteAhead", "vote-ahead", "int64_t", /*default=*/"-1",
           "With gated V, the blocks a warpgroup votes ahead of its P.V, "
           "so that a kept block's V load overlaps them: 1 to 3, 0 off, "
           "-1 the schedule's choice (on for skipping decode)">,
    Option<"overlap", "overlap", "int64_t", /*default=*/"-1",
           "Intra-warpgroup overlap: block n - 1's P.V runs on the tensor "
           "cores during block n's softmax: 1 on, 0 off, -1 the schedule's "
           "choice">,
    Option<"tmaStore", "tma-store", "int64_t", /*default=*/"-1",
           "TMA-store epilogue: each math warpgroup stages its rows in its "
           "rows of Q and stores them by TMA: 1 on, 0 off, -1 the "
           "schedule's choice">,
    Option<"headGroup", "head-group", "int64_t", /*default=*/"0",
           "Tile order: the longest query tiles first over groups of this "
           "many (batch, head) pairs; 0 each head's tiles in a row (the "
           "default); -1 groups whose K and V fit half of L2, for causal "
           "prefill">,
    Option<"ctasPerSM", "ctas-per-sm", "int64_t", /*default=*/"0",
           "CTAs resident per SM, 1 or 2 (0: the schedule's); two are for "
           "decode (one math warpgroup)">,
    Option<"rescaleThreshold", "rescale-threshold", "int64_t",
           /*default=*/"0",
           "Conditional rescale: keep a row's exponent base until the "
           "maximum exceeds it by this many log2 units (0: always rescale)">,
  ];
  let dependentDialects = ["::mlir::skipattn_gpu::SkipAttnGPUDialect"];
}

def SkipAttnGPUVerifyProtocol
    : Pass<"skipattn-gpu-verify-protocol", "gpu::GPUModuleOp"> {
  let summary = "Check the barrier protocol of every kernel's rings";
  let description = [{
    For each ring of each kernel, checks that:

    * every `ring.put` arms its barrier with the bytes its TMA loads write;
    * every `ring.wait` for block `n` in the KV loop is matched by a put of
      the same slot for `n`: a prologue put of a constant block `< stages`
      (for every stage) or a refill put of `n' + stages` in the previous
      iteration;
    * a stage is not refilled before every slot of it was waited for on
      every path through the iteration (a skipped block's V included) and
      released;
    * slots that a path may leave unwaited are drained after the loop.

    For rings with consumers (empty barriers): puts only in one producer
    loop, each after a `ring.acquire` of its block on every path, one put
    per slot and block; consumer loops over the same bounds that release
    block `n` once on every path and never read it after releasing it; a
    drain after the producer loop for slots some consumer path leaves
    unwaited, and such a slot waited for only after a slot the producer
    fills once it acquired the skipped slot's block (else its barrier may
    still be in block `n - stages`'s phase). Rings must fit the schedule's
    shared memory without overlapping; with `pingpong` every iteration of
    the math role takes and passes the tensor-core turn once on every path.

    A protocol this pass rejects can deadlock, read a stale buffer or exit
    with a TMA write in flight.
  }];
}

#endif // SKIPATTN_GPU_TRANSFORMS_PASSES
