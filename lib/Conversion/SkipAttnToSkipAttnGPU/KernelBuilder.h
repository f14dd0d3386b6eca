//===- KernelBuilder.h - a tile of the blocked IR as a kernel ---*- C++ -*-===//
//
// The conversion's state and emitters (SkipAttnToSkipAttnGPU.cpp describes
// the conversion). The emitters are split by what they build:
// SkipAttnToSkipAttnGPU.cpp reads the tiled IR and drives the kernel's
// roles, Common/ holds the loads, the softmax body and the epilogue shared
// by both chips, Hopper/ the wgmma KV loops and Blackwell/ the tcgen05 one.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_LIB_CONVERSION_SKIPATTNTOSKIPATTNGPU_KERNELBUILDER_H
#define SKIPATTN_LIB_CONVERSION_SKIPATTNTOSKIPATTNGPU_KERNELBUILDER_H

#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"
#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPU.h"
#include "skipattn/Dialect/SkipAttnGPU/Transforms/Passes.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

namespace mlir::skipattn::kernel_level {
namespace sg = ::mlir::skipattn_gpu;

/// What a buffer of the tiled function is to the kernel.
enum class Buf { QTile, Scores, RowMax, RowSum, Acc };

class KernelBuilder {
public:
  KernelBuilder(func::FuncOp func) : func(func), b(func.getContext()) {}
  LogicalResult run();

private:
  LogicalResult analyze();
  /// Which ops of the tile body to emit: all (one role), the scalars
  /// shared by the roles, or the math role's part.
  enum class Part { All, Scalars, Math };
  LogicalResult emitTile(Part part);
  void emitLoadRole(sg::RoleAttr role);
  LogicalResult emitOp(Operation &op);
  LogicalResult emitBlockedKV(BlockedKVOp loop);
  LogicalResult emitTcBlockedKV(BlockedKVOp loop);
  LogicalResult emitStats(BlockedKVOp loop, scf::ForOp forOp);
  LogicalResult emitBodyOp(Operation &op);
  LogicalResult emitKeptUpdate(scf::IfOp ifOp);
  /// vote_ahead: the KV loop with block n's V used vote_ahead iterations
  /// later.
  LogicalResult emitVoteAheadLoop(BlockedKVOp loop, ValueRange init);
  /// vote_ahead: block `blk`'s scores and decision (every op of the body
  /// but the guarded update), and its vote; returns the keep condition.
  FailureOr<Value> emitDecision(BlockedKVOp loop, Value blk);
  /// Lagged V (vote_ahead, overlap): block `blk`'s V waited for on every
  /// path, its P.V with `probs` when `kept` (O first scaled by `factors`
  /// where given), the stage released.
  void emitFinishBlock(Value blk, Value probs, Value kept,
                       Value factors = Value());
  /// overlap: the KV loop whose iteration n runs P.V(n - 1) on the tensor
  /// cores during block n's softmax (dense bodies).
  /// With pingpong, `firstWarpgroup` (warpgroup 0) passes the turn once
  /// more after the loop.
  LogicalResult emitOverlapLoop(BlockedKVOp loop, ValueRange init,
                                Value firstWarpgroup);
  /// overlap: P.V(n - 1) issued behind the just-issued Q.K^T(n) `s`
  /// (`pendingO` holds it); returns the scores once they alone are done.
  Value emitOverlapIssue(Value s);
  /// overlap: block n's softmax (`m`, `l`, `blockProbs`) and the
  /// accumulator scaled once P.V(n - 1) is done.
  void emitOverlapUpdate();
  /// The chip-specific halves of a block's body (Hopper/, Blackwell/): its
  /// scores, the state update with the block kept and the guarded update.
  void emitWgmmaScores(BlockScoresOp bs);
  void emitTcScores(BlockScoresOp bs);
  void emitWgmmaUpdate(OnlineSoftmaxOp update);
  void emitTcUpdate(OnlineSoftmaxOp update);
  LogicalResult emitWgmmaKeptUpdate(OnlineSoftmaxOp update, Value cond);
  LogicalResult emitTcKeptUpdate(OnlineSoftmaxOp update, Value cond);
  LogicalResult emitFinalize(FinalizeOp fin);
  /// tcgen05: the MMA issuer (the producer role's first warp).
  void emitMmaIssuer();
  /// tcgen05: the correction warpgroup, which owns O in tensor memory: it
  /// zeroes it, and for every block rescales each math warpgroup's O by
  /// the factors the warpgroup handed over before the issuer's P.V.
  void emitCorrectionRole(sg::RoleAttr role);
  /// tcgen05: the end of a math warpgroup's block: P into tensor memory
  /// and the warpgroup's vote, which hands both to the MMA issuer.
  void emitTcBlockEnd();
  /// tcgen05: a warp's P into tensor memory (zeros when `probs` is null).
  void emitTcProbs(Value probs);
  /// tcgen05: tensor-memory columns of this math warpgroup's S, P and O
  /// (`wg` the warpgroup, constant in the issuer, a value in the math role).
  int64_t sColumn(int64_t wg) { return wg * schedule.getBlockKv(); }
  int64_t pColumn(int64_t wg) {
    return sColumn(wg) + schedule.getBlockKv() / 2;
  }
  int64_t oColumn(int64_t wg) {
    return schedule.getMathWarpgroups() * schedule.getBlockKv() + wg * headDim;
  }
  Value columnOf(int64_t (KernelBuilder::*col)(int64_t)) {
    int64_t base = (this->*col)(0), stride = (this->*col)(1) - base;
    return arith::AddIOp::create(
        b, loc, cIdx(base),
        arith::MulIOp::create(b, loc, mathWarpgroup, cIdx(stride)));
  }
  /// Appends to a KV loop's initial values what follows m, l (and o): the
  /// decision and skip counters when counting, then the conditional
  /// rescale's bases (-inf: none yet) when it is on; returns whether it is.
  bool appendCountersAndBases(SmallVector<Value> &init, Type rows);
  /// The statistics' row (batch * Hq + head) of the tile.
  Value statsPlane(BlockedKVOp loop);
  void emitKVBounds();
  /// The KV block of the loop's `blk`-th block (kvLower + blk), and its
  /// first key.
  Value kvBlock(Value blk);
  Value kvRow(Value blk);
  void emitPut(Value ring, Value block, StringRef slot, Value pred, Value desc,
               Value row, Value head, Value batch);
  /// Paged KV: (row in its page, page) of each TMA box of the block whose
  /// first key is `row`; empty for a contiguous cache. Computed before the
  /// ring's acquire, the table loads overlap its wait.
  using PageBoxes = SmallVector<std::pair<Value, Value>>;
  PageBoxes pageBoxes(Value row);
  /// A K or V put of the loop's block `blk` (first key `row`): one TMA box,
  /// or for a paged cache one box per page the block covers (`boxes`).
  void emitKVPut(Value ring, Value blk, StringRef slot, Value pred, Value desc,
                 Value row, Value head, Value batch, const PageBoxes &boxes);
  /// Paged KV: the cache page holding logical key `row`, or one past the
  /// cache (zero-filled by TMA) when the row lies past the sequence.
  Value pageOf(Value row);
  Value param(Value memrefArg);
  Value cIdx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  FailureOr<Buf> bufferOf(Value v, Operation *user);
  Value blockMax();

  func::FuncOp func;
  OpBuilder b;
  Location loc = UnknownLoc::get(func.getContext());

  // Read off the tiled IR.
  scf::ParallelOp par; // absent when there is a single tile
  Block *tileBody = nullptr;
  BlockedKVOp blocked;
  PackQOp pack;
  BlockScoresOp scores;
  OnlineSoftmaxOp softmax;
  FinalizeOp finalize;
  MergeSplitsOp merge; // split-KV: after the parallel loop
  sg::ScheduleAttr schedule;
  int64_t batch = 0, qHeads = 0, kvHeads = 0, qLen = 0, kvLen = 0, headDim = 0,
          qTiles = 0;
  // Packed heads per tile and their positions (rows per head); KV splits.
  int64_t heads = 1, positions = 0, splits = 1;
  // Paged KV: keys per page and pages of the cache (0: contiguous), and
  // the table's columns.
  int64_t pageSize = 0, numPages = 0, maxPages = 0;
  Value pageTable; // the function argument
  Type elt;
  double c2 = 0;                   // softmax scale * log2(e)
  SmallVector<int64_t> outStrides; // batch, head, row (elements)

  // The kernel.
  gpu::GPUFuncOp kernel;
  SmallVector<std::pair<Value, sg::KernelParam>> params; // func arg -> kind
  IRMapping map;
  DenseMap<Value, Buf> buffers;
  // With one role kRing == vRing (one K/V ring); with a load role they are
  // separate rings with empty barriers.
  Value qDesc, kDesc, vDesc, qRing, kRing, vRing, leader, unitRow, qWarpgroup;
  bool specialized = false;
  // Pingpong: the math warpgroup's index decides who goes first.
  Value mathWarpgroup;
  bool pingpong = false;
  // Gated V: the load role's second warp loads V once the votes say so.
  bool gateV = false;
  // Intra-warpgroup overlap: the loop carries block n - 1's probabilities
  // and rescale factors (`lagProbs`, `lagFactors`: O is rescaled just
  // before that block's P.V); `pendingO` is the accumulator with
  // P.V(n - 1) possibly in flight; block n's go to the next iteration.
  bool overlap = false;
  // The TMA-store epilogue: the output is a tensor map (`tma_out`), each
  // math warpgroup's rows staged in its rows of Q.
  bool tmaStore = false;
  /// The output map's box: one math warpgroup's rows, [columns, rows,
  /// heads] (a packed tile's heads as its Q box has them).
  SmallVector<int64_t> outBox() const {
    if (heads > 1)
      return {64, positions, heads};
    return {64, wgRows, 1};
  }
  /// The shared memory a math warpgroup stages its output rows in: its
  /// rows of the Q tile, which nothing reads once its MMAs completed.
  Value outStage();
  Value lagProbs, lagFactors, pendingO, blockProbs, blockFactors;
  Value limits;
  // Split-KV: this CTA's split, the workspace parameter, the byte of shared
  // memory that tells the math role whether it merges.
  Value splitId, workspace;
  int64_t flagOffset = 0;
  // The KV loop's first block and block count, and the loops' lower bound
  // (0: the rings count the loop's blocks), shared by both roles.
  Value kvLower, kvCount, kvZero;
  // Fragment state inside the KV loop.
  Value n, curScores, curBlockMax, m, l, o, decisions, skips;
  bool counting = false;
  // The statistics' columns: 2, or 4 with the tile's V loads (counted by
  // the gated V warp, or as the tile's blocks where V is always loaded).
  int64_t statsColumns = 2;
  bool countsVLoads() const { return counting && statsColumns == 4; }
  // tcgen05: tensor memory, the S-ready and O-done pipes, and the block's
  // keep condition (per warp) when it is guarded. The math warpgroups hand
  // each block's rescale factors (`curFactors`, in the first column of
  // their S) to the correction warpgroup on `factorsReady`; it signals
  // `oScaled` once both O accumulators are rescaled for the block's P.V.
  bool tc = false;
  Value tmem, sReady, oDone, curKeep, curFactors, factorsReady, oScaled;
  // The conditional rescale's exponent bases (null when off).
  Value mu;
  /// The loop-carried softmax state of the wgmma path: m, l, o and, with
  /// the conditional rescale, the bases.
  SmallVector<Value> state() {
    SmallVector<Value> s{m, l, o};
    if (mu)
      s.push_back(mu);
    return s;
  }
  /// m, l, o and (when counting) the decision and skip counters from a KV
  /// loop's carried values or results, in that order.
  void bindLoopValues(ValueRange v) {
    m = v[0];
    l = v[1];
    o = v[2];
    if (counting) {
      decisions = v[3];
      skips = v[4];
    }
  }
  void setState(ValueRange s) {
    m = s[0];
    l = s[1];
    o = s[2];
    if (mu)
      mu = s[3];
  }
  // The rows of one math warpgroup (64 with wgmma, 128 with tcgen05).
  int64_t wgRows = sg::kWarpgroupRows;
  // V inside K (MLA): no V ring, P.V reads the block's K tile (`curKTile`)
  // at this warpgroup's value columns (`valueCol`); with a value split
  // the math warpgroups share the rows and each holds `wgCols` columns of
  // O, and only the first stores the LSE and counts the decisions.
  bool valueInKey = false;
  int64_t valueSplit = 1, wgCols = 0, dv = 0;
  Value curKTile, valueCol;
  // A value split: each warpgroup computes the scores of `splitKeys` of a
  // block's keys; probabilities, block maxima and (after the loop) row
  // sums are exchanged through shared memory at these offsets.
  int64_t splitKeys = 0, probsOffset = 0, maximaOffset = 0;
  /// Runs `body` in the first warpgroup only when the value is split (the
  /// others computed the same row values).
  void inFirstValueGroup(function_ref<void()> body);
};
} // namespace mlir::skipattn::kernel_level

#endif // SKIPATTN_LIB_CONVERSION_SKIPATTNTOSKIPATTNGPU_KERNELBUILDER_H
