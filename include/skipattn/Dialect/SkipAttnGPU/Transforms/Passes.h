//===- Passes.h - skipattn_gpu passes ---------------------------*- C++ -*-===//
//
// Pass declarations (generated) and the entry points they wrap.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_DIALECT_SKIPATTNGPU_TRANSFORMS_PASSES_H
#define SKIPATTN_DIALECT_SKIPATTNGPU_TRANSFORMS_PASSES_H

#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPU.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/Pass.h"

namespace mlir::skipattn {
class AttentionOp;
} // namespace mlir::skipattn

namespace mlir::skipattn_gpu {

#define GEN_PASS_DECL
#include "skipattn/Dialect/SkipAttnGPU/Transforms/Passes.h.inc"

/// What a schedule is chosen from: the attention's shape.
struct ScheduleProblem {
  int64_t qLen = 0, kvLen = 0, headDim = 0, valueDim = 0;
  /// 0 when unknown (no GQA packing or split-KV is chosen then).
  int64_t batch = 0, qHeads = 0, kvHeads = 0;
  Type elementType;
  bool skipping = false, causal = false;
  /// Skip factors given per head at launch ([B, Hq] or [1, Hq] layouts): a
  /// skip unit must not span two heads, so heads are not packed. Factors
  /// uniform over the heads (one value, or one per sequence) pack.
  bool runtimeFactors = false;
  /// V is the first valueDim columns of K (MLA's latent cache).
  bool valueInKey = false;
  /// Lengths read at launch (kv_lens, q_lens or a page table): the math
  /// warpgroups keep each row's limit and mask against it.
  bool lengths = false;
  /// The output's batch, head and row strides are whole 16 bytes (a TMA
  /// map can store it).
  bool outTmaStrides = false;
};

/// Whether a TMA map can store an output of memref type `out`: static
/// [B, H, S, D] strides with a unit stride on D and the others whole 16
/// bytes (8 elements).
bool outTmaStrides(Type out);

/// Query lengths up to this are decode (or speculative verification):
/// one math warpgroup holding the query heads of a KV head.
constexpr int64_t kDecodeMaxQLen = 16;
/// SMs the split count is chosen for (H100 SXM and H200 have 132).
constexpr int64_t kHopperSMs = 132;
/// K and V bytes a longest-first group of heads may keep in L2.
constexpr int64_t kTileOrderL2Bytes = 24 << 20;

/// Tile sizes, ring depth, packed heads and KV splits of the sm_90a
/// schedule.
struct TileChoice {
  int64_t blockQ, blockKV, stages, heads = 1, kvSplits = 1, ctasPerSM = 1;
  /// Math warpgroups sharing the rows, each with a slice of V's columns.
  int64_t valueSplit = 1;
};
/// What skipattn-gpu-select-schedule picks on sm_90a for `problem`. The
/// runtime asks it too: its float64 reference models the kernel's skip
/// decisions, which depend on the tiles and splits.
TileChoice chooseHopperTiles(const ScheduleProblem &problem);

/// Registers per thread of the warp-specialized sm_90a schedule's roles.
constexpr int64_t kMathRegisters = 240, kLoadRegisters = 24;
/// The same with three math warpgroups (block_q = 192).
constexpr int64_t kMathRegisters3 = 160, kLoadRegisters3 = 32;
/// One math warpgroup (decode) leaves the load role room in the register
/// file: a paged cache's table loads and box coordinates then stay in
/// registers (at 24 they spill).
constexpr int64_t kLoadRegisters1WG = 56;
/// ... and the math warpgroup the most setmaxnreg gives: voting two blocks
/// ahead carries two blocks' probabilities beside O and the scores.
constexpr int64_t kMathRegisters1WG = 256;
/// Two math warpgroups splitting a wide value (MLA): each holds a 64 x 256
/// accumulator, and the load role keeps what the file leaves.
constexpr int64_t kMathRegistersSplitV = 232, kLoadRegistersSplitV = 40;
/// The widest accumulator slice one math warpgroup holds (a wgmma's N).
constexpr int64_t kMaxWarpgroupValueCols = 256;
/// The same with two CTAs of one math warpgroup per SM (32768 registers
/// each).
constexpr int64_t kMathRegisters2CTA = 232, kLoadRegisters2CTA = 24;

/// Registers per thread of the sm_100a schedule's roles (16 warps, 65536
/// together): the math warpgroups hold a row of S and of P; the correction
/// warpgroup rescales O 32 columns at a time; the producer warps issue
/// MMAs and TMA from a few registers.
constexpr int64_t kTcMathRegisters = 208, kTcCorrectionRegisters = 40,
                  kTcProducerRegisters = 56;

/// What a caller asks of the schedule; zeros leave the choice to the
/// selection.
struct ScheduleRequest {
  int64_t stages = 0;
  /// Query rows per CTA (a multiple of 64: one math warpgroup each) and
  /// keys per KV block; 0: chooseHopperTiles.
  int64_t blockQ = 0, blockKV = 0;
  /// A load warpgroup issues the TMA loads.
  bool warpSpecialize = true;
  /// The two math warpgroups take turns on the tensor cores.
  bool pingpong = false;
  /// CTAs splitting each tile's KV blocks; 0: chosen (decode only).
  int64_t kvSplits = 0;
  /// V loads wait for the math warpgroups' votes (skipping schedules with
  /// a load role): 1 on, 0 off, -1 the selection's choice (on for decode,
  /// where the bytes a skipped block saves are what bounds the time).
  int64_t gateV = -1;
  /// With gated V, the blocks the math warpgroups vote ahead of their P.V
  /// (1 to kMaxVoteAhead, 0 off, -1 the selection's choice).
  int64_t voteAhead = -1;
  /// Intra-warpgroup overlap: block n - 1's P.V in flight during block
  /// n's softmax (1 on, 0 off, -1 the selection's choice).
  int64_t overlap = -1;
  /// TMA-store epilogue (1 on, 0 off, -1 the selection's choice).
  int64_t tmaStore = -1;
  /// Tile order (the schedule's `head_group`): 0 each head's tiles in a
  /// row (the default; docs/performance.md has the comparison), N > 0 the
  /// longest tiles first over groups of N (batch, head) pairs, -1 groups
  /// sized so that their K and V fit half of L2 (causal prefill only).
  int64_t headGroup = 0;
  /// CTAs resident per SM (1 or 2); 0: the selection's choice.
  int64_t ctasPerSM = 0;
  /// Conditional rescale threshold in log2 units (0: always rescale).
  int64_t rescaleThreshold = 0;
};

/// A compiled-in factor that can never skip: lambda = factor / len >= 1
/// for every sequence (len <= kvLen). The schedule is then a dense one
/// (the body folds to one without votes); the runtime's reference tiles
/// follow the same rule.
inline bool neverSkips(double factor, int64_t kvLen) {
  return kvLen > 0 && factor >= double(kvLen);
}

/// Whether the schedule for `request` gates V on the votes (`gate_v`):
/// always on sm_100a; on sm_90a for skipping bodies with a load role and
/// no pingpong, by default for decode. The runtime's reference models
/// which V loads a skip saves from it.
bool gatesV(const ScheduleProblem &problem, const ScheduleRequest &request,
            StringRef chip);

/// Refits decode tiles (one math warpgroup) to `ctasPerSM` CTAs per SM:
/// KV block, ring depth and splits.
void fitDecode(const ScheduleProblem &problem, TileChoice &tiles,
               int64_t ctasPerSM);
/// The tiles of the schedule for `request` on sm_90a: its own sizes where
/// given, chooseHopperTiles otherwise.
TileChoice requestedTiles(const ScheduleProblem &problem,
                          const ScheduleRequest &request);

/// The schedule skipattn-gpu-select-schedule picks for `problem` on `chip`
/// given `request`, or an error naming what the chip cannot run.
FailureOr<ScheduleAttr>
selectSchedule(MLIRContext *ctx, const ScheduleProblem &problem, StringRef chip,
               const ScheduleRequest &request,
               function_ref<InFlightDiagnostic()> emitError);

/// Checks a schedule (chosen or written by hand) against the problem and
/// the chip.
LogicalResult verifySchedule(ScheduleAttr schedule,
                             const ScheduleProblem &problem, StringRef chip,
                             function_ref<InFlightDiagnostic()> emitError);

/// Attaches (or verifies) the schedule and tiling of one attention op.
LogicalResult selectSchedule(skipattn::AttentionOp op, StringRef chip,
                             const ScheduleRequest &request);

/// Checks the barrier protocol of the rings of `kernel`.
LogicalResult verifyRingProtocol(gpu::GPUFuncOp kernel);

#define GEN_PASS_REGISTRATION
#include "skipattn/Dialect/SkipAttnGPU/Transforms/Passes.h.inc"
} // namespace mlir::skipattn_gpu

#endif // SKIPATTN_DIALECT_SKIPATTNGPU_TRANSFORMS_PASSES_H
