//===- SkipAttnToSkipAttnGPU.cpp - blocked IR to the kernel level ---------===//
//
// The tiled function is one scf.parallel over (batch, head, query tile)
// whose body computes scalars (KV length, visible blocks, log2(lambda)),
// packs the query tile and walks the KV blocks with skipattn.blocked_kv.
// The kernel runs one CTA per parallel iteration, so the conversion
// re-emits that body inside a gpu.func:
//
//   - scalar ops are cloned as they are (loads from function arguments
//     become loads from the kernel's pointer parameters), so the skip
//     decision's lambda, min_keep and enable conditions keep the one
//     definition the blocked IR gave them;
//   - the buffers of the tile (query, scores, m, l, acc) become rings and
//     register fragments: pack_q a TMA put into the Q ring, block_scores a
//     K wait, an MMA and a mask, skip_predicate a skip_vote, online_softmax
//     an online_update, a V wait and the P.V MMA, finalize the epilogue
//     stores; the blocked_kv loop an scf.for carrying the fragments;
//   - the skip-unit loop of the blocked IR is the warpgroup: its induction
//     variable becomes the warpgroup's first row;
//   - GQA packing (the schedule's heads > 1): the Q tile's rows are heads of
//     `positions` rows each, loaded by one TMA box spanning the heads, and
//     the row ops take rows_per_head; split-KV: each CTA walks one range
//     of the tile's blocks (ring stages count from the range's start),
//     stores its partial result into the workspace, and the last of the
//     tile's CTAs merges them (skipattn_gpu.split_merge);
//   - the schedule attribute decides the ring depth and who loads. With
//     one (math) role its first thread loads: a prologue fills blocks
//     0 .. stages-1, each iteration releases its stage (a CTA barrier) and
//     refills it with block n + stages, and a drain waits for the V loads
//     of skipped final blocks. With a load role, the scalars are computed
//     once for both roles; the load warpgroup's thread walks the same
//     blocks acquiring each stage of separate K and V rings before filling
//     it, and the math warpgroups release K after Q.K^T and V at the end of
//     the iteration through the rings' empty barriers;
//   - a tcgen05 schedule (sm_100a) keeps S, P and O in tensor memory: the
//     producer role's first warp issues the MMAs (Q.K^T of every math
//     warpgroup into its S columns, then P.V of the warpgroups that keep
//     the block into their O columns) and signals them with commits; the
//     math warpgroups load S (one row per thread), vote per warp, store P
//     over S and rescale O in place; the producer's second and third warps
//     load Q/K and the voted V.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Conversion/SkipAttnToSkipAttnGPU/SkipAttnToSkipAttnGPU.h"
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

namespace mlir::skipattn {
#define GEN_PASS_DEF_CONVERTSKIPATTNTOSKIPATTNGPU
#include "skipattn/Conversion/Passes.h.inc"
} // namespace mlir::skipattn

using namespace mlir;
using namespace mlir::skipattn;
namespace sg = mlir::skipattn_gpu;

namespace {
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
  /// vote_ahead: the KV loop with block n's V used one iteration later.
  LogicalResult emitVoteAheadLoop(BlockedKVOp loop, ValueRange init);
  /// vote_ahead: block `blk`'s scores and decision (every op of the body
  /// but the guarded update), and its vote; returns the keep condition.
  FailureOr<Value> emitDecision(BlockedKVOp loop, Value blk);
  void emitUpdate(OnlineSoftmaxOp update);
  LogicalResult emitFinalize(FinalizeOp fin);
  /// tcgen05: the MMA issuer (the producer role's first warp).
  void emitMmaIssuer();
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
  // tcgen05: tensor memory, the S-ready and O-done pipes, and the block's
  // keep condition (per warp) when it is guarded.
  bool tc = false;
  Value tmem, sReady, oDone, curKeep;
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
} // namespace

FailureOr<Buf> KernelBuilder::bufferOf(Value v, Operation *user) {
  while (auto sv = v.getDefiningOp<memref::SubViewOp>())
    v = sv.getSource();
  auto it = buffers.find(v);
  if (it == buffers.end())
    return user->emitOpError("the kernel level needs this operand to be a "
                             "tile buffer of the blocked IR");
  return it->second;
}

/// A kernel pointer parameter for a function argument.
Value KernelBuilder::param(Value arg) {
  for (auto [i, p] : llvm::enumerate(params))
    if (p.first == arg)
      return kernel.getArgument(i);
  return {};
}

LogicalResult KernelBuilder::analyze() {
  SmallVector<scf::ParallelOp> pars;
  SmallVector<BlockedKVOp> loops;
  func.walk([&](scf::ParallelOp p) { pars.push_back(p); });
  func.walk([&](BlockedKVOp l) { loops.push_back(l); });
  // With one tile (B = Hq = 1, Sq <= block_q) canonicalization removes the
  // parallel loop: the tile body is then the function's.
  Block &entry = func.getBody().front();
  if (pars.size() > 1 || loops.size() != 1 ||
      (pars.size() == 1 && loops.front()->getParentOp() != pars.front()) ||
      (pars.empty() && loops.front()->getBlock() != &entry))
    return func.emitError("the kernel level expects one tiled "
                          "skipattn.blocked_kv nest (run skipattn-tile and "
                          "skipattn-insert-skip-predicates first)");
  par = pars.empty() ? scf::ParallelOp() : pars.front();
  tileBody = par ? par.getBody() : &entry;
  blocked = loops.front();
  schedule = blocked->getAttrOfType<sg::ScheduleAttr>(sg::kScheduleAttrName);
  if (!schedule)
    return blocked.emitOpError("carries no #skipattn_gpu.schedule (run "
                               "skipattn-gpu-select-schedule before "
                               "skipattn-tile)");
  for (Operation &op : tileBody->getOperations()) {
    if (auto p = dyn_cast<PackQOp>(op))
      pack = p;
    else if (auto f = dyn_cast<FinalizeOp>(op))
      finalize = f;
  }
  for (auto m : entry.getOps<MergeSplitsOp>())
    merge = m;
  blocked.getBody().walk([&](Operation *op) {
    if (auto s = dyn_cast<BlockScoresOp>(op))
      scores = s;
    else if (auto s = dyn_cast<OnlineSoftmaxOp>(op))
      softmax = s;
  });
  if (!pack || !finalize || !scores || !softmax)
    return blocked.emitOpError("tile lacks pack_q, block_scores, "
                               "online_softmax or finalize");

  TilingAttr tiling = blocked.getTiling();
  // skipattn-tile keeps at most one split per KV block.
  if (tiling.getBlockQ() != schedule.getPositions() ||
      tiling.getBlockKv() != schedule.getBlockKv() ||
      tiling.getHeadsPerTile() != schedule.getHeads() ||
      tiling.getKvSplits() > schedule.getKvSplits())
    return blocked.emitOpError("tiling ")
           << tiling << " does not match the schedule " << schedule;
  heads = schedule.getHeads();
  positions = schedule.getPositions();
  splits = tiling.getKvSplits();
  if ((splits > 1) != static_cast<bool>(merge))
    return blocked.emitOpError("split-KV tiles need one skipattn.merge_splits "
                               "after the tile loop (and only they)");
  if (tiling.getSkipUnit() != 0 &&
      tiling.getSkipUnit() != schedule.getSkipUnit())
    return blocked.emitOpError("skip unit ")
           << tiling.getSkipUnit() << " is not the schedule's "
           << schedule.getSkipUnit() << " (one warpgroup)";

  auto qT = cast<MemRefType>(pack.getQuery().getType());
  auto kT = cast<MemRefType>(scores.getKey().getType());
  auto vT = cast<MemRefType>(softmax.getValue().getType());
  for (MemRefType t : {qT, kT, vT})
    if (!t.hasStaticShape() || t.getRank() != 4)
      return blocked.emitOpError("GPU kernels need static [B, H, S, D] "
                                 "shapes");
  batch = qT.getDimSize(0);
  qHeads = qT.getDimSize(1);
  qLen = qT.getDimSize(2);
  headDim = qT.getDimSize(3);
  kvHeads = kT.getDimSize(1);
  kvLen = kT.getDimSize(2);
  // skipattn-tile hands both block ops the attention's one table.
  if (softmax.getPageTable() != scores.getPageTable())
    return softmax.emitOpError("K and V must share one page table");
  if ((pageTable = scores.getPageTable())) {
    pageSize = kT.getDimSize(2);
    numPages = kT.getDimSize(0);
    maxPages = cast<MemRefType>(pageTable.getType()).getDimSize(1);
    kvLen = maxPages * pageSize;
    int64_t bkv = schedule.getBlockKv();
    // A block is part of one page, or whole pages; each box starts at a
    // multiple of 8 rows of the slot (its swizzle atom).
    if ((pageSize >= bkv ? pageSize % bkv : bkv % pageSize) || pageSize % 8 ||
        vT.getDimSize(0) != numPages || vT.getDimSize(2) != pageSize)
      return blocked.emitOpError("a paged cache of ")
             << pageSize << "-key pages needs KV blocks of whole pages or "
             << "pages of whole blocks (block_kv " << bkv
             << "), pages of a multiple of 8 keys, and K and V caches alike";
  }
  elt = qT.getElementType();
  // What the schedule selection checked for its own choice holds for any
  // schedule reaching this pass (one written on the tiled IR included).
  skipattn_gpu::ScheduleProblem problem;
  problem.qLen = qLen;
  problem.kvLen = kvLen;
  problem.headDim = headDim;
  problem.valueDim = vT.getDimSize(3);
  problem.batch = batch;
  problem.qHeads = qHeads;
  problem.kvHeads = kvHeads;
  problem.elementType = elt;
  problem.skipping = blocked.hasSkipping();
  problem.runtimeFactors = skipattn::factorsPerHead(blocked.getSkipFactors());
  // The attention's value_in_key was checked at the schedule's selection;
  // the blocked IR reads V through its own operand either way.
  problem.valueInKey = schedule.getValueInKey();
  tc = schedule.getMma() == sg::MMAKind::tcgen05;
  wgRows = schedule.getWarpgroupRows();
  if (failed(skipattn_gpu::verifySchedule(
          schedule, problem, tc ? "sm_100a" : "sm_90a",
          [&] { return blocked.emitOpError(); })))
    return failure();
  qTiles = (qLen + positions - 1) / positions;
  if (headDim != schedule.getHeadDim() || vT.getDimSize(3) != schedule.getDv())
    return blocked.emitOpError("head dimensions do not match the schedule");
  // TMA reads q, k and v through 4-D maps that carry their strides (given
  // at launch); the output is stored with the strides of its type. All
  // need a unit stride on D; TMA needs 16-byte strides, the paired stores
  // even ones.
  Value outArg = merge ? merge.getOut() : finalize.getOut();
  Value lseArg = merge ? merge.getLse() : finalize.getLse();
  for (Value v : SmallVector<Value, 4>{pack.getQuery(), scores.getKey(),
                                       softmax.getValue(), outArg}) {
    SmallVector<int64_t> strides;
    int64_t offset;
    auto t = cast<MemRefType>(v.getType());
    int64_t multiple = v == outArg ? 2 : 8;
    auto bad = [&](int64_t s) {
      return ShapedType::isDynamic(s) || s < 0 || s % multiple;
    };
    if (failed(t.getStridesAndOffset(strides, offset)) || offset != 0 ||
        strides.size() != 4 || strides[3] != 1 ||
        llvm::any_of(ArrayRef<int64_t>(strides).take_front(3), bad))
      return func.emitError("GPU kernels need static [B, H, S, D] strides "
                            "with a unit stride on D, the others multiples "
                            "of 8 elements (16 bytes; 2 for the output), "
                            "and no offset");
    if (v == outArg)
      outStrides.assign(strides.begin(), strides.begin() + 3);
  }
  c2 = pack.getScale().convertToDouble() * M_LOG2E;

  // Parameters, in launch order.
  auto isArg = [&](Value v, StringRef what, Operation *user) -> LogicalResult {
    auto a = dyn_cast<BlockArgument>(v);
    if (a && a.getOwner() == &entry)
      return success();
    user->emitOpError("the ") << what << " buffer must be a function argument";
    return failure();
  };
  if (failed(isArg(pack.getQuery(), "query", pack)) ||
      failed(isArg(scores.getKey(), "key", scores)) ||
      failed(isArg(softmax.getValue(), "value", softmax)) ||
      failed(isArg(outArg, "output", finalize)))
    return failure();
  params = {{pack.getQuery(), sg::KernelParam::tma_q},
            {scores.getKey(), sg::KernelParam::tma_k},
            {softmax.getValue(), sg::KernelParam::tma_v},
            {outArg, sg::KernelParam::out}};
  // Scalars the tile loads from other arguments: the runtime skip factors
  // (blocked_kv's operand) and the KV lengths, which are what the loop's
  // kv_len is computed from.
  Value lens, qLens, factors = blocked.getSkipFactors();
  SetVector<Operation *> lenSlice, qStartSlice;
  if (Operation *def = blocked.getKvLen().getDefiningOp())
    (void)getBackwardSlice(def, &lenSlice);
  if (Value start = scores.getQStart())
    if (Operation *def = start.getDefiningOp())
      (void)getBackwardSlice(def, &qStartSlice);
  WalkResult w = tileBody->walk([&](memref::LoadOp load) {
    Value mem = load.getMemRef();
    if (mem == factors)
      return WalkResult::advance();
    if (failed(isArg(mem, "loaded", load)))
      return WalkResult::interrupt();
    // Left-padded queries: the first real row comes from q_lens.
    if (qStartSlice.contains(load) && !lenSlice.contains(load) &&
        (!qLens || qLens == mem)) {
      qLens = mem;
      return WalkResult::advance();
    }
    if (!lenSlice.contains(load) || (lens && lens != mem)) {
      load.emitOpError("the kernel level reads only the KV lengths (that "
                       "the loop's kv_len comes from), the query lengths "
                       "(that q_start comes from) and the skip factors");
      return WalkResult::interrupt();
    }
    lens = mem;
    return WalkResult::advance();
  });
  if (w.wasInterrupted())
    return failure();
  if (lens)
    params.push_back({lens, sg::KernelParam::kv_lens});
  if (qLens)
    params.push_back({qLens, sg::KernelParam::q_lens});
  if (pageTable) {
    if (failed(isArg(pageTable, "page_table", scores)))
      return failure();
    params.push_back({pageTable, sg::KernelParam::page_table});
  }
  if (lseArg) {
    if (failed(isArg(lseArg, "lse", finalize)))
      return failure();
    params.push_back({lseArg, sg::KernelParam::lse});
  }
  if (Value stats = blocked.getStats()) {
    if (failed(isArg(stats, "stats", blocked)))
      return failure();
    params.push_back({stats, sg::KernelParam::stats});
  }
  if (factors) {
    if (failed(isArg(factors, "skip_factors", blocked)))
      return failure();
    params.push_back({factors, sg::KernelParam::skip_factors});
  }
  if (merge) {
    // The splits' partials live in one workspace the runtime provides; the
    // finalize of each split writes a slice of them.
    auto slice = [](Value v) {
      auto sv = v ? v.getDefiningOp<memref::SubViewOp>() : nullptr;
      return sv ? sv.getSource() : Value();
    };
    if (slice(finalize.getOut()) != merge.getPartialOut() ||
        slice(finalize.getLse()) != merge.getPartialLse() ||
        !merge.getPartialOut().getDefiningOp<memref::AllocOp>() ||
        !merge.getPartialLse().getDefiningOp<memref::AllocOp>())
      return merge.emitOpError("the kernel level merges the partials the "
                               "tile's finalize writes into allocated "
                               "workspaces");
    params.push_back({merge.getPartialOut(), sg::KernelParam::workspace});
  }
  counting = static_cast<bool>(blocked.getStats());

  // Outside the parallel loop only the statistics are zeroed (the runtime
  // clears them before a launch) and the split workspaces live.
  for (Operation &op : entry.without_terminator()) {
    if (!par || &op == par.getOperation() ||
        isa<arith::ConstantOp, memref::AllocOp, memref::DeallocOp,
            MergeSplitsOp>(op))
      continue;
    WalkResult r = op.walk([&](Operation *inner) {
      if (auto st = dyn_cast<memref::StoreOp>(inner))
        if (st.getMemRef() != blocked.getStats())
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (r.wasInterrupted() || (!isa<scf::ForOp>(op)))
      return op.emitOpError("the kernel level supports only the statistics "
                            "initialisation outside the tile loop");
  }

  buffers[pack.getTile()] = Buf::QTile;
  buffers[scores.getScores()] = Buf::Scores;
  buffers[blocked.getRowMax()] = Buf::RowMax;
  buffers[blocked.getRowSum()] = Buf::RowSum;
  buffers[blocked.getAcc()] = Buf::Acc;
  return success();
}

void KernelBuilder::emitPut(Value ring, Value block, StringRef slot, Value pred,
                            Value desc, Value row, Value head, Value batch) {
  auto tile = cast<sg::RingType>(ring.getType()).getTile();
  auto put =
      sg::RingPutOp::create(b, loc, ring, block, slot, pred, tile.getBytes());
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPoint(put.getBody().front().getTerminator());
  sg::TmaLoadOp::create(b, loc, desc, row, head, batch,
                        put.getBody().front().getArgument(0));
}

Value KernelBuilder::pageOf(Value row) {
  // The slot is clamped into the table so that the load stays in bounds
  // for any row; rows past the sequence take the zero-filled page.
  Value slot = arith::MinUIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, row, cIdx(pageSize)),
      cIdx(maxPages - 1));
  Value idx = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, map.lookupOrDefault(scores.getBatch()),
                            cIdx(maxPages)),
      slot);
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), idx);
  auto gptr = LLVM::LLVMPointerType::get(b.getContext(), 1);
  Value ptr = LLVM::GEPOp::create(b, loc, gptr, b.getI32Type(),
                                  param(pageTable), ValueRange{i64});
  auto entry = LLVM::LoadOp::create(b, loc, b.getI32Type(), ptr);
  entry.setInvariant(true);
  Value page =
      arith::IndexCastOp::create(b, loc, b.getIndexType(), entry.getResult());
  Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row,
                                       map.lookupOrDefault(scores.getKvLen()));
  return arith::SelectOp::create(b, loc, inside, page, cIdx(numPages));
}

KernelBuilder::PageBoxes KernelBuilder::pageBoxes(Value row) {
  PageBoxes boxes;
  if (!pageTable)
    return boxes;
  // One box per page of the block (or the block's part of its page): the
  // page's row and the page index (the TMA's batch coordinate).
  int64_t bkv = schedule.getBlockKv(), box = std::min(pageSize, bkv);
  for (int64_t i = 0; i < bkv / box; ++i) {
    Value first = arith::AddIOp::create(b, loc, row, cIdx(i * box));
    boxes.push_back(
        {arith::RemUIOp::create(b, loc, first, cIdx(pageSize)), pageOf(first)});
  }
  return boxes;
}

void KernelBuilder::emitKVPut(Value ring, Value blk, StringRef slot, Value pred,
                              Value desc, Value row, Value head, Value batch,
                              const PageBoxes &boxes) {
  if (!pageTable)
    return emitPut(ring, blk, slot, pred, desc, row, head, batch);
  int64_t box = std::min(pageSize, schedule.getBlockKv());
  auto tile = cast<sg::RingType>(ring.getType()).getTile();
  auto put =
      sg::RingPutOp::create(b, loc, ring, blk, slot, pred, tile.getBytes());
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPoint(put.getBody().front().getTerminator());
  Value dst = put.getBody().front().getArgument(0);
  for (auto [i, at] : llvm::enumerate(boxes)) {
    auto load =
        sg::TmaLoadOp::create(b, loc, desc, at.first, head, at.second, dst);
    load.setSlotRow(i * box);
    load.setRows(box);
  }
}

Value KernelBuilder::blockMax() {
  if (!curBlockMax) {
    auto rowsT =
        sg::RowsType::get(b.getContext(), wgRows, b.getF32Type(), false);
    curBlockMax =
        sg::RowMaxOp::create(b, loc, rowsT, curScores, b.getF32FloatAttr(c2));
    // A value split: the block's maxima over both warpgroups' keys, in a
    // buffer of the block's parity (a skipped block exchanges nothing
    // else before the next block's maxima).
    if (valueSplit > 1)
      curBlockMax = sg::ExchangeRowsOp::create(
          b, loc, rowsT, curBlockMax,
          arith::RemUIOp::create(b, loc, n, cIdx(2)), b.getStringAttr("max"),
          b.getI64IntegerAttr(maximaOffset), UnitAttr());
  }
  return curBlockMax;
}

/// state update with one kept block: online_update, V wait, P.V.
void KernelBuilder::emitUpdate(OnlineSoftmaxOp update) {
  if (tc) {
    // O stays in tensor memory: the update returns the rows' correction,
    // applied in place (the P.V of the previous block has completed: its
    // commit preceded this block's S-ready one).
    SmallVector<Type> types{m.getType(), l.getType(), m.getType(),
                            sg::OperandType::get(b.getContext(), wgRows,
                                                 schedule.getBlockKv(), elt)};
    if (mu)
      types.push_back(mu.getType());
    auto upd = sg::RowUpdateOp::create(
        b, loc, types, curScores, blockMax(), m, l, b.getF32FloatAttr(c2), mu,
        b.getI64IntegerAttr(mu ? schedule.getRescaleThreshold() : 0));
    // P goes to tensor memory first: its registers are free before the
    // rescale walks O.
    emitTcProbs(upd.getProbs());
    sg::TmemScaleOp::create(b, loc, tmem, upd.getFactors(),
                            columnOf(&KernelBuilder::oColumn),
                            b.getI64IntegerAttr(headDim));
    m = upd.getNewRowMax();
    l = upd.getNewRowSum();
    if (mu)
      mu = upd.getNewBase();
    return;
  }
  int64_t keys = valueSplit > 1 ? splitKeys : schedule.getBlockKv();
  SmallVector<Type> types{
      m.getType(), l.getType(), o.getType(),
      sg::OperandType::get(b.getContext(), sg::kWarpgroupRows, keys, elt)};
  // The conditional rescale carries the exponent base beside the maximum.
  if (mu)
    types.push_back(mu.getType());
  auto upd = sg::OnlineUpdateOp::create(
      b, loc, types, curScores, blockMax(), m, l, o, b.getF32FloatAttr(c2), mu,
      b.getI64IntegerAttr(mu ? schedule.getRescaleThreshold() : 0));
  // The softmax ran outside the turn; P.V and the next Q.K^T run inside.
  if (pingpong)
    sg::TurnTakeOp::create(b, loc);
  Value vTile;
  if (valueInKey) {
    // V is this warpgroup's value columns of the K tile already waited for.
    auto kT = cast<sg::SmemType>(curKTile.getType());
    vTile =
        sg::SubtileOp::create(b, loc,
                              sg::SmemType::get(b.getContext(), kT.getRows(),
                                                wgCols, elt, kT.getPitch()),
                              curKTile, cIdx(0), valueCol);
  } else {
    vTile = sg::RingWaitOp::create(
        b, loc, cast<sg::RingType>(vRing.getType()).getTile(), vRing, n, "v");
  }
  // A value split: P of the whole block from both warpgroups' halves.
  Value probs = upd.getProbs();
  if (valueSplit > 1)
    probs = sg::ExchangeProbsOp::create(
        b, loc,
        sg::OperandType::get(b.getContext(), sg::kWarpgroupRows,
                             schedule.getBlockKv(), elt),
        probs, b.getI64IntegerAttr(probsOffset));
  Value pv = sg::MmaOp::create(b, loc, o.getType(), probs, vTile,
                               upd.getNewAcc(), sg::Major::mn);
  Value done =
      sg::MmaWaitOp::create(b, loc, pv.getType(), pv, b.getI64IntegerAttr(0));
  m = upd.getNewRowMax();
  l = upd.getNewRowSum();
  o = done;
  if (mu)
    mu = upd.getNewBase();
}

LogicalResult KernelBuilder::emitKeptUpdate(scf::IfOp ifOp) {
  // scf.if %keep { skipattn.online_softmax ... }: the update and its V
  // load are guarded; the fragments flow out of the if.
  Block &then = ifOp.getThenRegion().front();
  if (!ifOp.getElseRegion().empty() || ifOp.getNumResults() ||
      then.getOperations().size() != 2 || !isa<OnlineSoftmaxOp>(then.front()))
    return ifOp.emitOpError("the kernel level expects the blocked IR's "
                            "guard: scf.if %keep { online_softmax }");
  Value cond = map.lookupOrDefault(ifOp.getCondition());
  if (tc) {
    // Per warp (the skip unit): a skipping warp keeps its state and writes
    // zero probabilities, so a P.V its warpgroup still issues adds nothing
    // to its rows. Each branch stores its own P (no 64-register merge).
    auto rowState = [&] {
      SmallVector<Value> s{m, l};
      if (mu)
        s.push_back(mu);
      return s;
    };
    SmallVector<Value> before = rowState();
    auto newIf = scf::IfOp::create(b, loc, ValueRange(before).getTypes(), cond,
                                   /*withElse=*/true);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&newIf.getThenRegion().front());
    emitUpdate(cast<OnlineSoftmaxOp>(then.front()));
    scf::YieldOp::create(b, loc, rowState());
    b.setInsertionPointToStart(&newIf.getElseRegion().front());
    emitTcProbs(Value());
    scf::YieldOp::create(b, loc, before);
    m = newIf.getResult(0);
    l = newIf.getResult(1);
    if (mu)
      mu = newIf.getResult(2);
    curKeep = cond;
    return success();
  }
  // Gated V: the warpgroup's vote tells the load role whether to load
  // block n's V at all.
  if (gateV)
    sg::RingVoteOp::create(b, loc, vRing, n, cond);
  SmallVector<Value> before = state();
  auto newIf = scf::IfOp::create(b, loc, ValueRange(before).getTypes(), cond,
                                 /*withElse=*/true);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&newIf.getThenRegion().front());
    emitUpdate(cast<OnlineSoftmaxOp>(then.front()));
    scf::YieldOp::create(b, loc, state());
    b.setInsertionPointToStart(&newIf.getElseRegion().front());
    // A skipped block still takes its turn: the turns alternate.
    if (pingpong)
      sg::TurnTakeOp::create(b, loc);
    // Gated V: the stage completes (with or without data) for every block,
    // and waiting for it keeps this warpgroup within `stages` blocks of
    // the V loads, so no barrier is ever two phases behind.
    if (gateV)
      sg::RingWaitOp::create(
          b, loc, cast<sg::RingType>(vRing.getType()).getTile(), vRing, n, "v");
    scf::YieldOp::create(b, loc, before);
  }
  setState(newIf.getResults());
  return success();
}

LogicalResult KernelBuilder::emitOp(Operation &op) {
  MLIRContext *ctx = b.getContext();
  if (isa<memref::AllocaOp>(op)) {
    if (!buffers.count(op.getResult(0)))
      return op.emitOpError("is not a tile buffer the kernel level knows");
    return success();
  }
  if (auto sv = dyn_cast<memref::SubViewOp>(op)) {
    // A split's slice of the workspace: finalize addresses it itself.
    if (merge && (sv.getSource() == merge.getPartialOut() ||
                  sv.getSource() == merge.getPartialLse()))
      return success();
    return success(succeeded(bufferOf(op.getResult(0), &op)));
  }
  if (auto load = dyn_cast<memref::LoadOp>(op)) {
    // A scalar of an argument: a (loop-invariant) load from the parameter.
    auto t = load.getMemRefType();
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(t.getStridesAndOffset(strides, offset)) ||
        llvm::any_of(strides, ShapedType::isDynamic) ||
        ShapedType::isDynamic(offset))
      return load.emitOpError("the kernel level needs static strides");
    Value idx = cIdx(offset);
    for (auto [i, s] : llvm::enumerate(strides))
      idx = arith::AddIOp::create(
          b, loc, idx,
          arith::MulIOp::create(
              b, loc, map.lookupOrDefault(load.getIndices()[i]), cIdx(s)));
    Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), idx);
    auto gptr = LLVM::LLVMPointerType::get(ctx, 1);
    Value ptr = LLVM::GEPOp::create(b, loc, gptr, t.getElementType(),
                                    param(load.getMemRef()), ValueRange{i64});
    auto l = LLVM::LoadOp::create(b, loc, t.getElementType(), ptr);
    l.setInvariant(true);
    map.map(load.getResult(), l.getResult());
    return success();
  }
  if (auto log = dyn_cast<math::Log2Op>(op)) {
    // f64 log2 would need libdevice; log2(lambda) only decides a compare
    // against f32 score differences, so f32 precision is what it is used at.
    if (log.getType().isF64()) {
      Value x = arith::TruncFOp::create(b, loc, b.getF32Type(),
                                        map.lookupOrDefault(log.getOperand()));
      Value r = math::Log2Op::create(b, loc, x);
      map.map(log.getResult(),
              arith::ExtFOp::create(b, loc, b.getF64Type(), r));
      return success();
    }
  }
  if (auto p = dyn_cast<PackQOp>(op)) {
    // Q tile of this CTA: rows [pos, pos + block_q) of head h of batch b.
    emitPut(qRing, cIdx(0), "q", leader, qDesc, map.lookupOrDefault(p.getPos()),
            map.lookupOrDefault(p.getHead()),
            map.lookupOrDefault(p.getBatch()));
    return success();
  }
  if (auto loop = dyn_cast<BlockedKVOp>(op))
    return tc ? emitTcBlockedKV(loop) : emitBlockedKV(loop);
  if (auto fin = dyn_cast<FinalizeOp>(op))
    return emitFinalize(fin);
  if (isa<scf::ReduceOp>(op))
    return success();
  if (auto init = dyn_cast<scf::ForOp>(op)) {
    // The statistics initialisation (a single tile has no parallel loop
    // around it): the runtime clears the statistics before a launch.
    WalkResult r = init.walk([&](Operation *inner) {
      auto st = dyn_cast<memref::StoreOp>(inner);
      if ((st && st.getMemRef() == blocked.getStats()) ||
          isa<scf::ForOp, scf::YieldOp, arith::ConstantOp>(inner))
        return WalkResult::advance();
      return WalkResult::interrupt();
    });
    if (!r.wasInterrupted() && blocked.getStats())
      return success();
  }
  if (op.getDialect() &&
      isa<arith::ArithDialect, math::MathDialect>(op.getDialect())) {
    b.clone(op, map);
    return success();
  }
  return op.emitOpError("has no kernel-level form");
}

void KernelBuilder::inFirstValueGroup(function_ref<void()> body) {
  if (valueSplit == 1) {
    body();
    return;
  }
  Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                      mathWarpgroup, cIdx(0));
  auto ifOp = scf::IfOp::create(b, loc, first, /*withElse=*/false);
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(&ifOp.getThenRegion().front());
  body();
}

LogicalResult KernelBuilder::emitFinalize(FinalizeOp fin) {
  Value bIdx = map.lookupOrDefault(fin.getBatch());
  Value hIdx = map.lookupOrDefault(fin.getHead());
  Value pos = map.lookupOrDefault(fin.getPos());
  Value plane = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, bIdx, cIdx(qHeads)), hIdx);
  Value row = arith::AddIOp::create(b, loc, pos, unitRow);
  IntegerAttr perHead = b.getI64IntegerAttr(heads > 1 ? positions : 0);
  auto i64 = [&](int64_t v) { return b.getI64IntegerAttr(v); };
  Value lseParam = param(merge ? merge.getLse() : fin.getLse());
  MLIRContext *ctx = b.getContext();
  auto gptr = LLVM::LLVMPointerType::get(ctx, 1);
  // This warpgroup's value columns of an output row.
  auto columns = [&](Value base, Type t) -> Value {
    if (!valueCol)
      return base;
    Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), valueCol);
    return LLVM::GEPOp::create(b, loc, gptr, t, base, ValueRange{i64});
  };
  if (!merge) {
    sg::StoreTileOp::create(b, loc, o, l, columns(param(fin.getOut()), elt),
                            bIdx, hIdx, row, b.getI64IntegerAttr(qLen),
                            TypeAttr::get(elt),
                            b.getDenseI64ArrayAttr(outStrides), perHead);
    if (lseParam)
      inFirstValueGroup([&] {
        sg::StoreLseOp::create(b, loc, mu ? mu : m, l, lseParam, plane, row,
                               b.getI64IntegerAttr(qLen), perHead);
      });
    return success();
  }
  // Split-KV: this split's f32 partial output [S, B, Hq, Sq, Dv] and
  // log-sum-exp [S, B, Hq, Sq] go to the workspace, then the tile's
  // counters [tiles] decide who merges.
  int64_t planeRows = batch * qHeads * qLen;
  auto at = [&](Value base, Type t, Value index) {
    Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
    return LLVM::GEPOp::create(b, loc, gptr, t, base, ValueRange{i64})
        .getResult();
  };
  Type f32 = b.getF32Type();
  Value partialOut = workspace;
  Value partialLse = at(workspace, f32, cIdx(splits * planeRows * dv));
  Value counters = at(workspace, f32, cIdx(splits * planeRows * (dv + 1)));
  Value mySplitOut =
      at(partialOut, f32,
         arith::MulIOp::create(b, loc, splitId, cIdx(planeRows * dv)));
  Value mySplitLse = at(
      partialLse, f32, arith::MulIOp::create(b, loc, splitId, cIdx(planeRows)));
  sg::StoreTileOp::create(
      b, loc, o, l, columns(mySplitOut, f32), bIdx, hIdx, row,
      b.getI64IntegerAttr(qLen), TypeAttr::get(f32),
      b.getDenseI64ArrayAttr({qHeads * qLen * dv, qLen * dv, dv}), perHead);
  inFirstValueGroup([&] {
    sg::StoreLseOp::create(b, loc, mu ? mu : m, l, mySplitLse, plane, row,
                           b.getI64IntegerAttr(qLen), perHead);
  });
  // The tile's index among the grid's (batch, head group, query tile).
  Value qt = arith::DivUIOp::create(b, loc, pos, cIdx(positions));
  Value group = arith::DivUIOp::create(b, loc, hIdx, cIdx(heads));
  Value tile = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(
          b, loc,
          arith::AddIOp::create(
              b, loc, arith::MulIOp::create(b, loc, bIdx, cIdx(qHeads / heads)),
              group),
          cIdx(qTiles)),
      qt);
  sg::SplitMergeOp::create(
      b, loc, partialOut, partialLse, counters, tile, param(merge.getOut()),
      bIdx, hIdx, pos, plane, lseParam, i64(splits), i64(batch * qHeads),
      i64(qLen), i64(schedule.getBlockQ()), perHead, i64(dv),
      i64(32 * 4 * schedule.getMathWarpgroups()), i64(flagOffset),
      TypeAttr::get(elt), b.getDenseI64ArrayAttr(outStrides));
  return success();
}

LogicalResult KernelBuilder::emitTile(Part part) {
  for (Operation &op : tileBody->without_terminator()) {
    bool computed = !isa<PackQOp, BlockedKVOp, FinalizeOp>(op);
    if ((part == Part::Scalars && !computed) ||
        (part == Part::Math && (computed || isa<PackQOp>(op))))
      continue;
    if (failed(emitOp(op)))
      return failure();
  }
  return success();
}

/// The KV loop's first block and its count, where both roles see them.
void KernelBuilder::emitKVBounds() {
  kvLower = map.lookupOrDefault(blocked.getLower());
  kvCount = map.lookupOrDefault(blocked.getUpper());
  kvZero = cIdx(0);
  if (!matchPattern(kvLower, m_Zero()))
    kvCount = arith::SubIOp::create(b, loc, kvCount, kvLower);
}

Value KernelBuilder::kvBlock(Value blk) {
  if (matchPattern(kvLower, m_Zero()))
    return blk;
  return arith::AddIOp::create(b, loc, kvLower, blk);
}

Value KernelBuilder::kvRow(Value blk) {
  return arith::MulIOp::create(b, loc, kvBlock(blk),
                               cIdx(schedule.getBlockKv()));
}

/// The load warpgroup: its first thread loads Q, then for every block of
/// the math role's loop acquires the K and V stages and fills them, and
/// finally waits for the V loads no consumer may have waited for.
void KernelBuilder::emitLoadRole(sg::RoleAttr roleAttr) {
  auto role = sg::WarpRoleOp::create(b, loc, roleAttr);
  role.getBody().push_back(new Block());
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(&role.getBody().front());
  Value t = arith::ConstantIntOp::create(b, loc, 1, 1);
  Value nBlocks = kvCount;
  Value kvHead = map.lookupOrDefault(scores.getKvHead());
  Value kvBatch = map.lookupOrDefault(scores.getBatch());
  // A thread of warp `warp` runs `body` for every block of the loop.
  auto blockLoop = [&](int64_t warp, function_ref<void(Value)> before,
                       function_ref<void(Value, Value)> body) {
    Value lead = sg::ElectOp::create(b, loc, b.getI1Type(), warp);
    auto ifLead = scf::IfOp::create(b, loc, lead, /*withElse=*/false);
    OpBuilder::InsertionGuard g2(b);
    b.setInsertionPointToStart(&ifLead.getThenRegion().front());
    before(t);
    auto forOp = scf::ForOp::create(b, loc, kvZero, nBlocks, cIdx(1));
    b.setInsertionPointToStart(forOp.getBody());
    Value blk = forOp.getInductionVar();
    body(blk, kvRow(blk));
    return forOp;
  };
  auto putQ = [&](Value pred) {
    emitPut(qRing, cIdx(0), "q", pred, qDesc,
            map.lookupOrDefault(pack.getPos()),
            map.lookupOrDefault(pack.getHead()),
            map.lookupOrDefault(pack.getBatch()));
  };
  // tcgen05: the role's first warp issues the MMAs, the next two load.
  int64_t kWarp = tc ? 1 : 0, vWarp = kWarp + 1;
  if (tc)
    emitMmaIssuer();
  if (!gateV) {
    auto forOp = blockLoop(kWarp, putQ, [&](Value blk, Value row) {
      // Both stages are acquired before K is filled: a math warpgroup that
      // skipped block n - stages never waited for its V, so only K(n)
      // landing tells it that V's barrier has left that block's phase.
      PageBoxes boxes = pageBoxes(row);
      sg::RingAcquireOp::create(b, loc, kRing, blk, t);
      if (valueInKey) {
        // One tile per block holds both K and V.
        emitKVPut(kRing, blk, "k", t, kDesc, row, kvHead, kvBatch, boxes);
        return;
      }
      sg::RingAcquireOp::create(b, loc, vRing, blk, t);
      emitKVPut(kRing, blk, "k", t, kDesc, row, kvHead, kvBatch, boxes);
      emitKVPut(vRing, blk, "v", t, vDesc, row, kvHead, kvBatch, boxes);
    });
    b.setInsertionPointAfter(forOp);
    if (!valueInKey)
      sg::RingDrainOp::create(b, loc, vRing, nBlocks, "v", t);
  } else {
    // Gated V: warp 0 runs ahead loading K; warp 1 loads block n's V only
    // when some math warpgroup keeps the block, and otherwise completes its
    // stage without data. Every V stage completes once per block and every
    // math warpgroup waits for it, so nothing needs draining.
    blockLoop(kWarp, putQ, [&](Value blk, Value row) {
      PageBoxes boxes = pageBoxes(row);
      sg::RingAcquireOp::create(b, loc, kRing, blk, t);
      emitKVPut(kRing, blk, "k", t, kDesc, row, kvHead, kvBatch, boxes);
    });
    blockLoop(
        vWarp, [](Value) {},
        [&](Value blk, Value row) {
          PageBoxes boxes = pageBoxes(row);
          sg::RingAcquireOp::create(b, loc, vRing, blk, t);
          Value keep =
              sg::RingVotesOp::create(b, loc, b.getI1Type(), vRing, blk);
          emitKVPut(vRing, blk, "v", keep, vDesc, row, kvHead, kvBatch, boxes);
          Value skip = arith::XOrIOp::create(b, loc, keep, t);
          sg::RingCompleteOp::create(b, loc, vRing, blk, "v", skip);
        });
  }
  b.setInsertionPointToEnd(&role.getBody().front());
  sg::YieldOp::create(b, loc);
}

LogicalResult KernelBuilder::emitBlockedKV(BlockedKVOp loop) {
  MLIRContext *ctx = b.getContext();
  int64_t stages = schedule.getStages();
  // The rings count the loop's blocks from 0 (block n of the loop uses
  // stage n mod stages): the KV block is kvLower + n.
  if (!specialized)
    emitKVBounds();
  Value nBlocks = kvCount;
  Value kvHead = map.lookupOrDefault(scores.getKvHead());
  Value kvBatch = map.lookupOrDefault(scores.getBatch());
  // Prologue: blocks 0 .. stages-1, each if it exists. Rows past the
  // tensor's end (and past kv_len) are zero-filled or masked.
  for (int64_t s = 0; s < stages && !specialized; ++s) {
    Value exists = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                         cIdx(s), nBlocks);
    Value pred = arith::AndIOp::create(b, loc, leader, exists);
    Value row = kvRow(cIdx(s));
    PageBoxes boxes = pageBoxes(row);
    emitKVPut(kRing, cIdx(s), "k", pred, kDesc, row, kvHead, kvBatch, boxes);
    emitKVPut(vRing, cIdx(s), "v", pred, vDesc, row, kvHead, kvBatch, boxes);
  }
  // The warpgroup's rows of Q, and the keys each of its rows may see.
  auto qTileT = cast<sg::RingType>(qRing.getType()).getTile();
  Value qTile = sg::RingWaitOp::create(b, loc, qTileT, qRing, cIdx(0), "q");
  qWarpgroup =
      sg::SubtileOp::create(b, loc,
                            sg::SmemType::get(ctx, sg::kWarpgroupRows, headDim,
                                              elt, qTileT.getRows()),
                            qTile, unitRow, Value());
  Value firstRow = arith::AddIOp::create(
      b, loc, map.lookupOrDefault(scores.getQPos()), unitRow);
  limits = sg::RowLimitsOp::create(
      b, loc, sg::RowsType::get(ctx, sg::kWarpgroupRows, b.getI32Type(), false),
      firstRow, map.lookupOrDefault(scores.getKvLen()),
      scores.getQStart() ? map.lookupOrDefault(scores.getQStart()) : Value(),
      b.getI64IntegerAttr(qLen),
      scores.getCausal() ? b.getUnitAttr() : UnitAttr(),
      b.getI64IntegerAttr(heads > 1 ? positions : 0));

  auto rowsF =
      sg::RowsType::get(ctx, sg::kWarpgroupRows, b.getF32Type(), false);
  auto sums = sg::RowsType::get(ctx, sg::kWarpgroupRows, b.getF32Type(), true);
  auto accT = sg::AccType::get(ctx, sg::kWarpgroupRows, wgCols);
  auto cF = [&](double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  };
  SmallVector<Value> init{sg::SplatOp::create(b, loc, rowsF, cF(-INFINITY)),
                          sg::SplatOp::create(b, loc, sums, cF(0)),
                          sg::SplatOp::create(b, loc, accT, cF(0))};
  if (counting) {
    init.push_back(cIdx(0));
    init.push_back(cIdx(0));
  }
  // The conditional rescale's bases start at -inf (no base yet), last.
  bool rescale = schedule.getRescaleThreshold() > 0;
  if (rescale)
    init.push_back(sg::SplatOp::create(b, loc, rowsF, cF(-INFINITY)));
  // Pingpong: warpgroup 0 takes the first turn (Q.K^T of block 0), so
  // warpgroup 1 passes once before its loop and warpgroup 0 once after.
  auto warpgroupIs = [&](int64_t w) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                 mathWarpgroup, cIdx(w));
  };
  if (schedule.getVoteAhead())
    return emitVoteAheadLoop(loop, init);
  if (pingpong) {
    sg::TurnPassOp::create(b, loc, warpgroupIs(1));
    sg::TurnTakeOp::create(b, loc);
  }
  auto forOp = scf::ForOp::create(b, loc, kvZero, nBlocks, cIdx(1), init);
  Operation *afterLoop = forOp;
  if (pingpong) {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointAfter(forOp);
    afterLoop = sg::TurnPassOp::create(b, loc, warpgroupIs(0));
  }
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(forOp.getBody());
    n = forOp.getInductionVar();
    map.map(loop.getBlockIndex(), kvBlock(n));
    bindLoopValues(forOp.getRegionIterArgs());
    mu = rescale ? forOp.getRegionIterArgs().back() : Value();
    curScores = curBlockMax = Value();
    for (Operation &op : loop.getBodyBlock()->without_terminator()) {
      if (failed(emitBodyOp(op)))
        return failure();
    }
    // The stage of block n is free once every consumer is past it. With a
    // load role this is the V release (K was released after Q.K^T);
    // otherwise the leader refills it with block n + stages, first waiting
    // for block n's V, which a skipped block never waited for.
    sg::RingReleaseOp::create(b, loc, vRing, n);
    SmallVector<Value> yields{m, l, o};
    if (counting) {
      yields.push_back(decisions);
      yields.push_back(skips);
    }
    if (rescale)
      yields.push_back(mu);
    if (specialized) {
      scf::YieldOp::create(b, loc, yields);
      b.setInsertionPointAfter(afterLoop);
      bindLoopValues(forOp.getResults());
      // A value split: each warpgroup summed its keys' probabilities. The
      // probabilities' buffer holds the sums; its last reader may still be
      // reading it, hence the barrier first.
      if (valueSplit > 1)
        l = sg::ExchangeRowsOp::create(
            b, loc, l.getType(), l, Value(), b.getStringAttr("add"),
            b.getI64IntegerAttr(probsOffset), b.getUnitAttr());
      mu = rescale ? forOp.getResults().back() : Value();
      return emitStats(loop, forOp);
    }
    Value next = arith::AddIOp::create(b, loc, n, cIdx(stages));
    Value refill = arith::AndIOp::create(
        b, loc, leader,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, next,
                              nBlocks));
    auto ifRefill = scf::IfOp::create(b, loc, refill, /*withElse=*/false);
    {
      OpBuilder::InsertionGuard g2(b);
      b.setInsertionPointToStart(&ifRefill.getThenRegion().front());
      Value row = kvRow(next);
      PageBoxes boxes = pageBoxes(row);
      auto tileT = cast<sg::RingType>(vRing.getType()).getTile();
      sg::RingWaitOp::create(b, loc, tileT, vRing, n, "v");
      Value t = arith::ConstantIntOp::create(b, loc, 1, 1);
      emitKVPut(kRing, next, "k", t, kDesc, row, kvHead, kvBatch, boxes);
      emitKVPut(vRing, next, "v", t, vDesc, row, kvHead, kvBatch, boxes);
    }
    scf::YieldOp::create(b, loc, yields);
  }
  bindLoopValues(forOp.getResults());
  mu = rescale ? forOp.getResults().back() : Value();
  sg::RingDrainOp::create(b, loc, vRing, nBlocks, "v", leader);
  return emitStats(loop, forOp);
}

FailureOr<Value> KernelBuilder::emitDecision(BlockedKVOp loop, Value blk) {
  n = blk;
  map.map(loop.getBlockIndex(), kvBlock(blk));
  curScores = curBlockMax = Value();
  auto body = loop.getBodyBlock()->without_terminator();
  scf::IfOp update;
  for (Operation &op : body) {
    if (auto ifOp = dyn_cast<scf::IfOp>(op)) {
      update = ifOp;
      break;
    }
    if (failed(emitBodyOp(op)))
      return failure();
  }
  if (!update || !curScores)
    return loop.emitOpError("vote_ahead expects the blocked IR's scores, "
                            "decision and guarded update");
  Value keep = map.lookupOrDefault(update.getCondition());
  sg::RingVoteOp::create(b, loc, vRing, blk, keep);
  return keep;
}

/// vote_ahead (gated V): iteration n computes block n's scores, decides
/// and votes on it (its V load may start at once), then completes block
/// n - 1 with its V (P.V with the probabilities kept from the previous
/// iteration), and only then applies block n's softmax (which rescales O,
/// P(n - 1).V(n - 1) included). A kept block's V thus has the next block's
/// Q.K^T and decision to arrive in. The last iteration also completes its
/// own block. The V ring's waits and releases lag its votes by one block.
LogicalResult KernelBuilder::emitVoteAheadLoop(BlockedKVOp loop,
                                               ValueRange init) {
  MLIRContext *ctx = b.getContext();
  auto vTileT = cast<sg::RingType>(vRing.getType()).getTile();
  auto probsT =
      sg::OperandType::get(ctx, sg::kWarpgroupRows, schedule.getBlockKv(), elt);
  auto cF = [&](double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  };
  Value f = arith::ConstantIntOp::create(b, loc, 0, 1);
  // The previous block's probabilities and keep flag ride along.
  SmallVector<Value> carried(init.begin(), init.end());
  carried.push_back(sg::SplatOp::create(b, loc, probsT, cF(0)));
  carried.push_back(f);
  auto forOp = scf::ForOp::create(b, loc, kvZero, kvCount, cIdx(1), carried);
  // Block `blk`'s V: P.V when it was kept; its stage waited and released
  // on every path (a skipped block's stage completes without data).
  auto finishBlock = [&](Value blk, Value probs, Value kept) {
    auto ifKept = scf::IfOp::create(b, loc, o.getType(), kept,
                                    /*withElse=*/true);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&ifKept.getThenRegion().front());
      Value vt = sg::RingWaitOp::create(b, loc, vTileT, vRing, blk, "v");
      Value pv =
          sg::MmaOp::create(b, loc, o.getType(), probs, vt, o, sg::Major::mn);
      scf::YieldOp::create(b, loc,
                           sg::MmaWaitOp::create(b, loc, pv.getType(), pv,
                                                 b.getI64IntegerAttr(0))
                               .getResult());
      b.setInsertionPointToStart(&ifKept.getElseRegion().front());
      sg::RingWaitOp::create(b, loc, vTileT, vRing, blk, "v");
      scf::YieldOp::create(b, loc, o);
    }
    o = ifKept.getResult(0);
    sg::RingReleaseOp::create(b, loc, vRing, blk);
  };
  int64_t nState = counting ? 5 : 3;
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(forOp.getBody());
    Value iv = forOp.getInductionVar();
    bindLoopValues(forOp.getRegionIterArgs());
    Value prevProbs = forOp.getRegionIterArg(nState);
    Value prevKept = forOp.getRegionIterArg(nState + 1);
    FailureOr<Value> keep = emitDecision(loop, iv);
    if (failed(keep))
      return failure();
    Value scores = curScores, bmax = blockMax();
    // Block n - 1's V, now that block n's load may be under way.
    Value hasPrev =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, iv, cIdx(1));
    auto ifPrev = scf::IfOp::create(b, loc, o.getType(), hasPrev,
                                    /*withElse=*/true);
    {
      OpBuilder::InsertionGuard g2(b);
      b.setInsertionPointToStart(&ifPrev.getThenRegion().front());
      Value prev = arith::SubIOp::create(b, loc, iv, cIdx(1));
      finishBlock(prev, prevProbs, prevKept);
      scf::YieldOp::create(b, loc, o);
      b.setInsertionPointToStart(&ifPrev.getElseRegion().front());
      scf::YieldOp::create(b, loc, forOp.getRegionIterArg(2));
    }
    o = ifPrev.getResult(0);
    // Block n's softmax: O (with block n - 1's P.V) rescaled, P(n) kept.
    SmallVector<Value> before{m, l, o};
    auto ifKeep = scf::IfOp::create(
        b, loc, TypeRange{m.getType(), l.getType(), o.getType(), probsT}, *keep,
        /*withElse=*/true);
    {
      OpBuilder::InsertionGuard g2(b);
      b.setInsertionPointToStart(&ifKeep.getThenRegion().front());
      auto upd = sg::OnlineUpdateOp::create(
          b, loc, TypeRange{m.getType(), l.getType(), o.getType(), probsT},
          scores, bmax, m, l, o, b.getF32FloatAttr(c2), Value(),
          b.getI64IntegerAttr(0));
      scf::YieldOp::create(b, loc, upd.getResults());
      b.setInsertionPointToStart(&ifKeep.getElseRegion().front());
      Value zeros = sg::SplatOp::create(b, loc, probsT, cF(0));
      scf::YieldOp::create(b, loc, ValueRange{m, l, o, zeros});
    }
    // The last iteration also completes its own block.
    o = ifKeep.getResult(2);
    Value lastBlock = arith::SubIOp::create(b, loc, kvCount, cIdx(1));
    Value isLast =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, iv, lastBlock);
    auto ifLast = scf::IfOp::create(b, loc, o.getType(), isLast,
                                    /*withElse=*/true);
    {
      OpBuilder::InsertionGuard g2(b);
      Value before = o;
      b.setInsertionPointToStart(&ifLast.getThenRegion().front());
      finishBlock(iv, ifKeep.getResult(3), *keep);
      scf::YieldOp::create(b, loc, o);
      b.setInsertionPointToStart(&ifLast.getElseRegion().front());
      scf::YieldOp::create(b, loc, before);
    }
    SmallVector<Value> yields{ifKeep.getResult(0), ifKeep.getResult(1),
                              ifLast.getResult(0)};
    if (counting) {
      yields.push_back(decisions);
      yields.push_back(skips);
    }
    yields.push_back(ifKeep.getResult(3));
    yields.push_back(*keep);
    scf::YieldOp::create(b, loc, yields);
  }
  bindLoopValues(forOp.getResults());
  mu = Value();
  return emitStats(loop, forOp);
}

/// tcgen05: a math warpgroup's KV loop. Each iteration waits for its S
/// (pipe `sReady`: the issuer's Q.K^T of block n, and with it the P.V of
/// block n - 1), loads it one row per thread, masks, votes per warp,
/// updates its rows (O rescaled in tensor memory), and hands P and its
/// vote to the issuer. After the loop it waits for the last P.V (`oDone`)
/// and reads O back for the epilogue.
LogicalResult KernelBuilder::emitTcBlockedKV(BlockedKVOp loop) {
  MLIRContext *ctx = b.getContext();
  Value firstRow = arith::AddIOp::create(
      b, loc, map.lookupOrDefault(scores.getQPos()), unitRow);
  limits = sg::RowLimitsOp::create(
      b, loc, sg::RowsType::get(ctx, wgRows, b.getI32Type(), false), firstRow,
      map.lookupOrDefault(scores.getKvLen()),
      scores.getQStart() ? map.lookupOrDefault(scores.getQStart()) : Value(),
      b.getI64IntegerAttr(qLen),
      scores.getCausal() ? b.getUnitAttr() : UnitAttr(),
      b.getI64IntegerAttr(0));
  auto rowsF = sg::RowsType::get(ctx, wgRows, b.getF32Type(), false);
  auto sums = sg::RowsType::get(ctx, wgRows, b.getF32Type(), true);
  auto cF = [&](double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  };
  // O starts at zero in tensor memory, so every P.V accumulates; the store
  // reaches the issuer with this warpgroup's first vote.
  sg::TmemStoreOp::create(
      b, loc,
      sg::SplatOp::create(b, loc, sg::AccType::get(ctx, wgRows, headDim),
                          cF(0)),
      tmem, columnOf(&KernelBuilder::oColumn));
  SmallVector<Value> init{sg::SplatOp::create(b, loc, rowsF, cF(-INFINITY)),
                          sg::SplatOp::create(b, loc, sums, cF(0))};
  if (counting) {
    init.push_back(cIdx(0));
    init.push_back(cIdx(0));
  }
  // The conditional rescale's bases, last.
  bool rescale = schedule.getRescaleThreshold() > 0;
  if (rescale)
    init.push_back(sg::SplatOp::create(b, loc, rowsF, cF(-INFINITY)));
  auto forOp = scf::ForOp::create(b, loc, kvZero, kvCount, cIdx(1), init);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(forOp.getBody());
    n = forOp.getInductionVar();
    map.map(loop.getBlockIndex(), kvBlock(n));
    m = forOp.getRegionIterArg(0);
    l = forOp.getRegionIterArg(1);
    if (counting) {
      decisions = forOp.getRegionIterArg(2);
      skips = forOp.getRegionIterArg(3);
    }
    mu = rescale ? forOp.getRegionIterArgs().back() : Value();
    curScores = curBlockMax = curKeep = Value();
    for (Operation &op : loop.getBodyBlock()->without_terminator())
      if (failed(emitBodyOp(op)))
        return failure();
    emitTcBlockEnd();
    SmallVector<Value> yields{m, l};
    if (counting) {
      yields.push_back(decisions);
      yields.push_back(skips);
    }
    if (rescale)
      yields.push_back(mu);
    scf::YieldOp::create(b, loc, yields);
  }
  m = forOp.getResult(0);
  l = forOp.getResult(1);
  mu = rescale ? forOp.getResults().back() : Value();
  sg::PipeWaitOp::create(b, loc, oDone, cIdx(0));
  o = sg::TmemLoadOp::create(b, loc, sg::AccType::get(ctx, wgRows, headDim),
                             tmem, columnOf(&KernelBuilder::oColumn));
  if (counting) {
    Value plane = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, map.lookupOrDefault(loop.getBatch()),
                              cIdx(qHeads)),
        map.lookupOrDefault(loop.getHead()));
    auto add =
        sg::AddStatsOp::create(b, loc, forOp.getResult(2), forOp.getResult(3),
                               param(loop.getStats()), plane);
    add.setPerWarp(true);
  }
  return success();
}

void KernelBuilder::emitTcProbs(Value probs) {
  if (!probs)
    probs = sg::SplatOp::create(
        b, loc,
        sg::OperandType::get(b.getContext(), wgRows, schedule.getBlockKv(),
                             elt),
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0)));
  sg::TmemStoreOp::create(b, loc, probs, tmem,
                          columnOf(&KernelBuilder::pColumn));
}

void KernelBuilder::emitTcBlockEnd() {
  Value t = arith::ConstantIntOp::create(b, loc, 1, 1);
  // The warpgroup keeps the block (its P.V is issued, V loaded) when any
  // of its warps does. The vote also meets the warpgroup's threads, so
  // every row's P is in tensor memory before its first thread votes.
  Value skip = curKeep ? arith::XOrIOp::create(b, loc, curKeep, t).getResult()
                       : arith::ConstantIntOp::create(b, loc, 0, 1).getResult();
  Value allSkip = sg::VoteAllOp::create(b, loc, b.getI1Type(), skip);
  Value keep = arith::XOrIOp::create(b, loc, allSkip, t);
  sg::RingVoteOp::create(b, loc, vRing, n, keep);
}

/// tcgen05: one thread of the producer role's first warp issues every MMA.
/// Block n: Q.K^T of each math warpgroup into its S columns (after the
/// previous P.V in issue order, which read P from the same columns), a
/// commit that tells the warpgroups S is ready and one that frees K; then
/// the votes, and P.V of each warpgroup that keeps the block, and a commit
/// that frees V. The last commit tells the warpgroups O is complete.
void KernelBuilder::emitMmaIssuer() {
  MLIRContext *ctx = b.getContext();
  Value lead = sg::ElectOp::create(b, loc, b.getI1Type(), 0);
  auto ifLead = scf::IfOp::create(b, loc, lead, /*withElse=*/false);
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(&ifLead.getThenRegion().front());
  auto qTileT = cast<sg::RingType>(qRing.getType()).getTile();
  Value qTile = sg::RingWaitOp::create(b, loc, qTileT, qRing, cIdx(0), "q");
  int64_t wgs = schedule.getMathWarpgroups();
  SmallVector<Value> qParts;
  for (int64_t w = 0; w < wgs; ++w)
    qParts.push_back(sg::SubtileOp::create(
        b, loc, sg::SmemType::get(ctx, wgRows, headDim, elt, qTileT.getRows()),
        qTile, cIdx(w * wgRows), Value()));
  Value f = arith::ConstantIntOp::create(b, loc, 0, 1);
  Value t = arith::ConstantIntOp::create(b, loc, 1, 1);
  auto forOp = scf::ForOp::create(b, loc, kvZero, kvCount, cIdx(1));
  b.setInsertionPointToStart(forOp.getBody());
  Value blk = forOp.getInductionVar();
  auto kvT = cast<sg::RingType>(kRing.getType()).getTile();
  Value kTile = sg::RingWaitOp::create(b, loc, kvT, kRing, blk, "k");
  for (int64_t w = 0; w < wgs; ++w)
    sg::MmaTmemOp::create(
        b, loc, qParts[w], kTile, tmem, f, b.getI64IntegerAttr(sColumn(w)),
        b.getI64IntegerAttr(0), sg::MajorAttr::get(ctx, sg::Major::k));
  sg::PipeCommitOp::create(b, loc, sReady, blk);
  sg::RingReleaseOp::create(b, loc, kRing, blk, b.getUnitAttr());
  Value mask = sg::RingBallotOp::create(b, loc, b.getI32Type(), vRing, blk);
  Value vTile = sg::RingWaitOp::create(b, loc, kvT, vRing, blk, "v");
  for (int64_t w = 0; w < wgs; ++w) {
    Value bit = arith::AndIOp::create(
        b, loc, mask,
        arith::ConstantIntOp::create(b, loc, b.getI32Type(), 1 << w));
    Value keep = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne, bit,
        arith::ConstantIntOp::create(b, loc, b.getI32Type(), 0));
    auto ifKeep = scf::IfOp::create(b, loc, keep, /*withElse=*/false);
    OpBuilder::InsertionGuard g2(b);
    b.setInsertionPointToStart(&ifKeep.getThenRegion().front());
    sg::MmaTmemOp::create(b, loc, tmem, vTile, tmem, t,
                          b.getI64IntegerAttr(oColumn(w)),
                          b.getI64IntegerAttr(pColumn(w)),
                          sg::MajorAttr::get(ctx, sg::Major::mn));
  }
  sg::RingReleaseOp::create(b, loc, vRing, blk, b.getUnitAttr());
  b.setInsertionPointAfter(forOp);
  sg::PipeCommitOp::create(b, loc, oDone, cIdx(0));
}

LogicalResult KernelBuilder::emitStats(BlockedKVOp loop, scf::ForOp forOp) {
  if (counting) {
    Value plane = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, map.lookupOrDefault(loop.getBatch()),
                              cIdx(qHeads)),
        map.lookupOrDefault(loop.getHead()));
    inFirstValueGroup([&] {
      sg::AddStatsOp::create(b, loc, forOp.getResult(3), forOp.getResult(4),
                             param(loop.getStats()), plane);
    });
  }
  return success();
}

LogicalResult KernelBuilder::emitBodyOp(Operation &op) {
  MLIRContext *ctx = b.getContext();
  if (auto bs = dyn_cast<BlockScoresOp>(op); bs && tc) {
    auto accT = sg::AccType::get(ctx, wgRows, schedule.getBlockKv());
    sg::PipeWaitOp::create(b, loc, sReady, n);
    Value s = sg::TmemLoadOp::create(b, loc, accT, tmem,
                                     columnOf(&KernelBuilder::sColumn));
    curScores = sg::MaskOp::create(b, loc, accT, s, limits,
                                   map.lookupOrDefault(bs.getKvStart()));
    curBlockMax = Value();
    return success();
  }
  if (auto bs = dyn_cast<BlockScoresOp>(op)) {
    auto tileT = cast<sg::RingType>(kRing.getType()).getTile();
    Value kTile = sg::RingWaitOp::create(b, loc, tileT, kRing, n, "k");
    // A value split: this warpgroup's half of the block's keys.
    Value kKeys = kTile, kvStart = map.lookupOrDefault(bs.getKvStart());
    int64_t keys = tileT.getRows();
    if (valueSplit > 1) {
      keys = splitKeys;
      Value first = arith::MulIOp::create(b, loc, mathWarpgroup, cIdx(keys));
      kKeys = sg::SubtileOp::create(
          b, loc, sg::SmemType::get(ctx, keys, headDim, elt, tileT.getPitch()),
          kTile, first, Value());
      kvStart = arith::AddIOp::create(b, loc, kvStart, first);
    }
    auto accT = sg::AccType::get(ctx, sg::kWarpgroupRows, keys);
    Value s = sg::MmaOp::create(b, loc, accT, qWarpgroup, kKeys, Value(),
                                sg::Major::k);
    // Q.K^T is issued: the other warpgroup may issue while this one waits
    // and computes its softmax.
    if (pingpong)
      sg::TurnPassOp::create(b, loc,
                             arith::ConstantIntOp::create(b, loc, 1, 1));
    s = sg::MmaWaitOp::create(b, loc, accT, s, b.getI64IntegerAttr(0));
    // Separate rings: K's stage is free as soon as the scores are in
    // registers, so the load role can fetch block n + stages's K during
    // this block's softmax and P.V.
    // With V inside K the stage stays until P.V has read it.
    if (specialized && !valueInKey)
      sg::RingReleaseOp::create(b, loc, kRing, n);
    curKTile = kTile;
    curScores = sg::MaskOp::create(b, loc, accT, s, limits, kvStart);
    curBlockMax = Value();
    return success();
  }
  if (auto unitLoop = dyn_cast<scf::ForOp>(op)) {
    // The skip-unit loop: one iteration per warpgroup (wgmma) or per warp
    // (tcgen05, whose threads each hold one of the warp's 32 rows).
    APInt lo, step;
    int64_t unit = schedule.getSkipUnit();
    if (!matchPattern(unitLoop.getLowerBound(), m_ConstantInt(&lo)) ||
        !matchPattern(unitLoop.getStep(), m_ConstantInt(&step)) ||
        !lo.isZero() || step.getSExtValue() != unit || unitLoop.getNumResults())
      return unitLoop.emitOpError("the kernel level maps only the skip-unit "
                                  "loop (step ")
             << unit << " from 0) to " << (tc ? "warps" : "warpgroups");
    Value row = unitRow;
    if (tc) {
      // The warp's first row: 32 x (warp mod 4) past its warpgroup's.
      Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
      Value warp = arith::RemUIOp::create(
          b, loc, arith::DivUIOp::create(b, loc, tid, cIdx(32)), cIdx(4));
      row = arith::AddIOp::create(
          b, loc, row, arith::MulIOp::create(b, loc, warp, cIdx(unit)));
    }
    map.map(unitLoop.getInductionVar(), row);
    for (Operation &inner : unitLoop.getBody()->without_terminator())
      if (failed(emitBodyOp(inner)))
        return failure();
    return success();
  }
  if (isa<SkipPredicateOp, OnlineSoftmaxOp, scf::IfOp>(op) && !curScores)
    return op.emitOpError("needs the block's skipattn.block_scores first");
  if (auto pred = dyn_cast<SkipPredicateOp>(op)) {
    if (failed(bufferOf(pred.getScores(), pred)) ||
        failed(bufferOf(pred.getRowMax(), pred)))
      return failure();
    Value vote =
        sg::SkipVoteOp::create(b, loc, b.getI1Type(), blockMax(), m,
                               map.lookupOrDefault(pred.getLog2Lambda()));
    map.map(pred.getSkip(), vote);
    return success();
  }
  if (auto rmw = dyn_cast<memref::AtomicRMWOp>(op)) {
    APInt which;
    if (rmw.getMemref() != blocked.getStats() || !counting ||
        rmw.getKind() != arith::AtomicRMWKind::addi ||
        !matchPattern(rmw.getIndices().back(), m_ConstantInt(&which)) ||
        which.getZExtValue() > 1)
      return rmw.emitOpError("the kernel level only counts decisions and "
                             "skips into the statistics");
    Value inc = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                           map.lookupOrDefault(rmw.getValue()));
    Value &counter = which.isZero() ? decisions : skips;
    counter = arith::AddIOp::create(b, loc, counter, inc);
    return success();
  }
  if (auto ifOp = dyn_cast<scf::IfOp>(op))
    return emitKeptUpdate(ifOp);
  if (auto update = dyn_cast<OnlineSoftmaxOp>(op)) {
    emitUpdate(update);
    return success();
  }
  return emitOp(op);
}

LogicalResult KernelBuilder::run() {
  if (failed(analyze()))
    return failure();
  MLIRContext *ctx = func.getContext();
  loc = func.getLoc();
  auto module = func->getParentOfType<ModuleOp>();
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  b.getUnitAttr());
  gpu::GPUModuleOp gm;
  for (auto g : module.getOps<gpu::GPUModuleOp>())
    if (g.getName() == kKernelModuleName)
      gm = g;
  if (!gm) {
    b.setInsertionPointToEnd(module.getBody());
    gm = gpu::GPUModuleOp::create(b, loc, kKernelModuleName);
  }

  // TMA descriptors are passed by pointer here and made byval
  // grid-constant by skipattn-legalize-nvvm-kernel-abi.
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto gptr = LLVM::LLVMPointerType::get(ctx, 1);
  SmallVector<Type> argTypes;
  SmallVector<Attribute> kinds;
  for (auto &[arg, kind] : params) {
    bool tma = kind == sg::KernelParam::tma_q ||
               kind == sg::KernelParam::tma_k || kind == sg::KernelParam::tma_v;
    argTypes.push_back(tma ? Type(ptr) : Type(gptr));
    kinds.push_back(sg::KernelParamAttr::get(ctx, kind));
  }
  b.setInsertionPointToEnd(gm.getBody());
  kernel = gpu::GPUFuncOp::create(b, loc, func.getName(),
                                  b.getFunctionType(argTypes, {}));
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  kernel->setAttr(sg::kScheduleAttrName, schedule);
  qDesc = kernel.getArgument(0);
  kDesc = kernel.getArgument(1);
  vDesc = kernel.getArgument(2);

  Block &entry = kernel.getBody().front();
  b.setInsertionPointToStart(&entry);
  auto ids = sg::TileIdOp::create(
      b, loc, TypeRange{b.getIndexType(), b.getIndexType(), b.getIndexType()},
      b.getI64IntegerAttr(qTiles), b.getI64IntegerAttr(splits));
  if (splits > 1)
    splitId = sg::SplitIdOp::create(b, loc, b.getIndexType(), splits);
  // scf.parallel iterates (batch, head, query tile), but canonicalization
  // drops dimensions of extent 1; each remaining one is identified by the
  // pack_q operand it feeds (the query tile through pos = tile * block_q).
  // Packed heads: the head operand is group * heads; split-KV: the split
  // is the offset of the finalize's workspace slice.
  SmallVector<Value> ivs;
  if (par)
    ivs = par.getInductionVars();
  auto scaled = [](Value v, Value iv) {
    auto mul = v.getDefiningOp<arith::MulIOp>();
    return v == iv || (mul && (mul.getLhs() == iv || mul.getRhs() == iv));
  };
  Value splitIv;
  if (merge)
    splitIv = finalize.getOut()
                  .getDefiningOp<memref::SubViewOp>()
                  .getOffsets()
                  .front();
  for (Value iv : ivs) {
    if (iv == pack.getBatch())
      map.map(iv, ids.getBatch());
    else if (scaled(pack.getHead(), iv))
      map.map(iv, ids.getHead());
    else if (scaled(pack.getPos(), iv))
      map.map(iv, ids.getQTile());
    else if (iv == splitIv)
      map.map(iv, splitId);
    else
      return par.emitOpError("the kernel level cannot tell which of batch, "
                             "head, query tile or split this dimension is");
  }
  // Constants the tile uses from the function body.
  for (Operation &op : func.getBody().front())
    if (isa<arith::ConstantOp>(op))
      b.clone(op, map);

  // Shared memory: the Q tile, then the K/V stages (one ring, or the K
  // ring then the V ring), each 1024-byte aligned.
  // (tcgen05: the "producer" role loads and issues the MMAs.)
  sg::RoleAttr math, load;
  for (Attribute a : schedule.getRoles()) {
    auto r = cast<sg::RoleAttr>(a);
    (r.getName() == "math" ? math : load) = r;
  }
  specialized = static_cast<bool>(load);
  int64_t consumers = specialized ? math.getNumWarps() / 4 : 0;
  // A packed Q tile is one TMA box of `heads` heads x `positions` rows,
  // laid out as block_q consecutive rows like an unpacked one.
  auto qTile = sg::SmemType::get(ctx, schedule.getBlockQ(), headDim, elt,
                                 schedule.getBlockQ());
  auto kvTile = sg::SmemType::get(ctx, schedule.getBlockKv(), headDim, elt,
                                  schedule.getBlockKv());
  valueInKey = schedule.getValueInKey();
  valueSplit = schedule.getValueSplit();
  wgCols = schedule.getWarpgroupValueCols();
  dv = schedule.getDv();
  auto qRingT =
      sg::RingType::get(ctx, 1, b.getStrArrayAttr({"q"}), qTile, 0, false);
  qRing = sg::RingCreateOp::create(b, loc, qRingT, b.getI64IntegerAttr(0));
  int64_t offset = llvm::alignTo(qRingT.getBytes(), 1024);
  int64_t end = offset;
  auto createRing = [&](ArrayRef<StringRef> slots, bool votes,
                        int64_t ringConsumers) {
    auto t =
        sg::RingType::get(ctx, schedule.getStages(), b.getStrArrayAttr(slots),
                          kvTile, ringConsumers, votes);
    Value r = sg::RingCreateOp::create(b, loc, t, b.getI64IntegerAttr(offset));
    end = offset + t.getBytes();
    offset = llvm::alignTo(end, 1024);
    return r;
  };
  // verifySchedule (in analyze) saw the load role and the skipping.
  gateV = schedule.getGateV();
  if (tc) {
    // K is read by the MMA issuer alone; V is voted on by every math
    // warpgroup and released by the issuer on their behalf.
    kRing = createRing({"k"}, false, 1);
    vRing = createRing({"v"}, true, consumers);
  } else if (specialized && valueInKey) {
    // One ring: a block's stage holds K and, in its first columns, V; it
    // is released after P.V (the loop's end releases "vRing").
    kRing = vRing = createRing({"k"}, false, consumers);
  } else if (specialized) {
    kRing = createRing({"k"}, false, consumers);
    vRing = createRing({"v"}, gateV, consumers);
  } else {
    kRing = vRing = createRing({"k", "v"}, false, consumers);
  }
  if (tc) {
    // Tensor memory (S and O of every math warpgroup, P inside S) and the
    // pipes on which the issuer's commits say S is ready and O complete.
    int64_t columns = llvm::PowerOf2Ceil(oColumn(schedule.getMathWarpgroups()));
    tmem = sg::TmemAllocOp::create(
        b, loc, sg::TmemType::get(ctx, std::max<int64_t>(columns, 32)));
    sReady = sg::PipeCreateOp::create(b, loc, sg::PipeType::get(ctx, 1));
    oDone = sg::PipeCreateOp::create(b, loc, sg::PipeType::get(ctx, 1));
  }
  // A value split: the exchange buffers follow the rings.
  if (valueSplit > 1) {
    splitKeys = schedule.getBlockKv() / valueSplit;
    probsOffset = llvm::alignTo(end, 16);
    maximaOffset = probsOffset + 128 * schedule.getBlockKv();
    end = maximaOffset + 1024;
  }
  // Split-KV: the merge flag follows the rings.
  flagOffset = end;
  if (merge)
    workspace = param(merge.getPartialOut());

  if (specialized) {
    // Scalars once for both roles (the loops of both walk the same blocks).
    if (failed(emitTile(Part::Scalars)))
      return failure();
    emitKVBounds();
    emitLoadRole(load);
  }
  auto role = sg::WarpRoleOp::create(b, loc, math);
  role.getBody().push_back(new Block());
  b.setInsertionPointToStart(&role.getBody().front());
  if (!specialized)
    leader = sg::ElectOp::create(b, loc, b.getI1Type());
  Value wg = sg::WarpgroupIdOp::create(b, loc, b.getIndexType());
  mathWarpgroup = wg;
  pingpong = schedule.getPingpong();
  // A value split: every warpgroup computes the tile's rows, each with
  // its slice of V's columns.
  unitRow = valueSplit > 1
                ? cIdx(0)
                : arith::MulIOp::create(b, loc, wg, cIdx(wgRows)).getResult();
  if (valueSplit > 1)
    valueCol = arith::MulIOp::create(b, loc, wg, cIdx(wgCols));
  if (failed(emitTile(specialized ? Part::Math : Part::All)))
    return failure();
  // The math role reads tensor memory last (O, after the final commit).
  if (tc)
    sg::TmemDeallocOp::create(b, loc, tmem,
                              b.getI64IntegerAttr(math.getNumWarps() * 32));
  sg::YieldOp::create(b, loc);
  b.setInsertionPointToEnd(&entry);
  gpu::ReturnOp::create(b, loc);

  // One launch contract per kernel of the module.
  int64_t threads = schedule.getThreads();
  SmallVector<Attribute> launches;
  if (auto prior = module->getAttrOfType<ArrayAttr>(sg::kLaunchAttrName))
    launches.append(prior.begin(), prior.end());
  // Split-KV workspace: partial outputs and log-sum-exps (f32), then one
  // i32 counter per tile.
  int64_t tiles = qTiles * (qHeads / heads) * batch;
  int64_t workspaceBytes =
      merge ? 4 * (splits * batch * qHeads * qLen * (dv + 1) + tiles) : 0;
  launches.push_back(sg::LaunchAttr::get(
      ctx, func.getName(), {qTiles * splits, qHeads / heads, batch},
      {threads, 1, 1}, schedule.getSharedBytes(), b.getArrayAttr(kinds),
      {64, positions, heads},
      {64, pageTable ? std::min(pageSize, schedule.getBlockKv())
                     : schedule.getBlockKv()},
      workspaceBytes));
  module->setAttr(sg::kLaunchAttrName, b.getArrayAttr(launches));
  kernel->setAttr("nvvm.maxntid", b.getDenseI32ArrayAttr(
                                      {static_cast<int32_t>(threads), 1, 1}));
  // ptxas honours setmaxnreg only when it knows the register count at
  // entry: the CTAs per SM give it (65536 / (threads x CTAs), rounded down
  // to 8), and with two the registers at entry leave room for both.
  if (specialized)
    kernel->setAttr("nvvm.minctasm",
                    b.getI32IntegerAttr(schedule.getCtasPerSm()));
  func.erase();
  return success();
}

LogicalResult mlir::skipattn::convertToKernelLevel(func::FuncOp func) {
  return KernelBuilder(func).run();
}

namespace {
struct ConvertSkipAttnToSkipAttnGPU
    : mlir::skipattn::impl::ConvertSkipAttnToSkipAttnGPUBase<
          ConvertSkipAttnToSkipAttnGPU> {
  void runOnOperation() override {
    SmallVector<func::FuncOp> targets;
    getOperation().walk([&](func::FuncOp f) {
      if (!f.isExternal() && f.walk([](BlockedKVOp) {
                                return WalkResult::interrupt();
                              }).wasInterrupted())
        targets.push_back(f);
    });
    for (func::FuncOp f : targets)
      if (failed(convertToKernelLevel(f)))
        return signalPassFailure();
  }
};
} // namespace
