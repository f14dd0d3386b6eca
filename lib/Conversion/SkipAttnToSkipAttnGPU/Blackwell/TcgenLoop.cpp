//===- TcgenLoop.cpp - the sm_100a KV loop --------------------------------===//
//
// The tcgen05 schedule: the MMA issuer (the producer role's first warp)
// and the math warpgroups' loop over S, P and O in tensor memory.
//
//===----------------------------------------------------------------------===//

#include "../KernelBuilder.h"

namespace mlir::skipattn::kernel_level {

/// tcgen05: a math warpgroup's KV loop. Each iteration waits for its S
/// (pipe `sReady`: the issuer's Q.K^T of block n, and with it the P.V of
/// block n - 1), loads it one row per thread, masks, votes per warp,
/// updates its rows, hands the rows' rescale factors to the correction
/// warpgroup (which rescales O in tensor memory) and P and its vote to
/// the issuer. After the loop it waits for the last P.V (`oDone`) and
/// reads O back for the epilogue.
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
  // O starts at zero in tensor memory, so every P.V accumulates. The math
  // warpgroup zeroes its own O: the stores precede its first hand-over to
  // the correction warpgroup and, when the tile has no block at all, its
  // own read of O.
  Value zeros =
      sg::SplatOp::create(b, loc, sg::AccType::get(ctx, wgRows, 32), cF(0));
  Value oCol = columnOf(&KernelBuilder::oColumn);
  for (int64_t c = 0; c < headDim; c += 32)
    sg::TmemStoreOp::create(
        b, loc, zeros, tmem,
        c ? arith::AddIOp::create(b, loc, oCol, cIdx(c)).getResult() : oCol);
  SmallVector<Value> init{sg::SplatOp::create(b, loc, rowsF, cF(-INFINITY)),
                          sg::SplatOp::create(b, loc, sums, cF(0))};
  bool rescale = appendCountersAndBases(init, rowsF);
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
    curScores = curBlockMax = curKeep = curFactors = Value();
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
    Value plane = statsPlane(loop);
    auto add =
        sg::AddStatsOp::create(b, loc, forOp.getResult(2), forOp.getResult(3),
                               param(loop.getStats()), plane);
    add.setPerWarp(true);
    add.setColumns(statsColumns);
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
  // The rows' rescale factors go to the correction warpgroup through the
  // first column of this warpgroup's S (read into registers already; the
  // issuer's next Q.K^T waits for the rescale): 1 for a skipping warp.
  Value factors = curFactors;
  if (!factors)
    factors = sg::SplatOp::create(
        b, loc,
        sg::RowsType::get(b.getContext(), wgRows, b.getF32Type(), false),
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0)));
  sg::TmemStoreOp::create(b, loc, factors, tmem,
                          columnOf(&KernelBuilder::sColumn));
  sg::PipeArriveOp::create(b, loc, factorsReady, n);
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
  // Both O accumulators rescaled for this block by the correction
  // warpgroup.
  sg::PipeWaitOp::create(b, loc, oScaled, blk);
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

/// A block's scores: S from tensor memory once the issuer committed it,
/// masked.
void KernelBuilder::emitTcScores(BlockScoresOp bs) {
  MLIRContext *ctx = b.getContext();
  auto accT = sg::AccType::get(ctx, wgRows, schedule.getBlockKv());
  sg::PipeWaitOp::create(b, loc, sReady, n);
  Value s = sg::TmemLoadOp::create(b, loc, accT, tmem,
                                   columnOf(&KernelBuilder::sColumn));
  curScores = sg::MaskOp::create(b, loc, accT, s, limits,
                                 map.lookupOrDefault(bs.getKvStart()));
  curBlockMax = Value();
}

/// State update with one kept block: the rows' correction, for the
/// correction warpgroup to apply to O in tensor memory.
void KernelBuilder::emitTcUpdate(OnlineSoftmaxOp update) {
  // O stays in tensor memory: the update returns the rows' correction,
  // which the correction warpgroup applies in place (the P.V of the
  // previous block has completed: its commit preceded this block's
  // S-ready one).
  SmallVector<Type> types{
      m.getType(), l.getType(), m.getType(),
      sg::OperandType::get(b.getContext(), wgRows, schedule.getBlockKv(), elt)};
  if (mu)
    types.push_back(mu.getType());
  auto upd = sg::RowUpdateOp::create(
      b, loc, types, curScores, blockMax(), m, l, b.getF32FloatAttr(c2), mu,
      b.getI64IntegerAttr(mu ? schedule.getRescaleThreshold() : 0));
  emitTcProbs(upd.getProbs());
  curFactors = upd.getFactors();
  m = upd.getNewRowMax();
  l = upd.getNewRowSum();
  if (mu)
    mu = upd.getNewBase();
}

/// The guarded update: per warp (the skip unit).
LogicalResult KernelBuilder::emitTcKeptUpdate(OnlineSoftmaxOp update,
                                              Value cond) {
  // Per warp (the skip unit): a skipping warp keeps its state and writes
  // zero probabilities, so a P.V its warpgroup still issues adds nothing
  // to its rows. Each branch stores its own P (no 64-register merge).
  // The rescale factors are the if's last result: 1 where the warp
  // skipped.
  auto rowState = [&] {
    SmallVector<Value> s{m, l};
    if (mu)
      s.push_back(mu);
    return s;
  };
  SmallVector<Value> before = rowState();
  SmallVector<Type> types(ValueRange(before).getTypes());
  types.push_back(m.getType());
  auto newIf = scf::IfOp::create(b, loc, types, cond, /*withElse=*/true);
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(&newIf.getThenRegion().front());
  emitTcUpdate(update);
  SmallVector<Value> kept = rowState();
  kept.push_back(curFactors);
  scf::YieldOp::create(b, loc, kept);
  b.setInsertionPointToStart(&newIf.getElseRegion().front());
  emitTcProbs(Value());
  before.push_back(sg::SplatOp::create(
      b, loc, m.getType(),
      arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0))));
  scf::YieldOp::create(b, loc, before);
  m = newIf.getResult(0);
  l = newIf.getResult(1);
  if (mu)
    mu = newIf.getResult(2);
  curFactors = newIf.getResults().back();
  curKeep = cond;
  return success();
}

/// tcgen05: the correction warpgroup. Its four warps cover the 128 lanes
/// of tensor memory, so it reaches every math warpgroup's rows: for each
/// block it waits for both warpgroups' factors (`factorsReady`), rescales
/// each O in place (a warp whose factors are all 1 leaves its rows alone)
/// and tells the issuer (`oScaled`), which issues the block's P.V only
/// then. The math warpgroups go on to their next block's softmax
/// meanwhile.
void KernelBuilder::emitCorrectionRole(sg::RoleAttr roleAttr) {
  auto role = sg::WarpRoleOp::create(b, loc, roleAttr);
  role.getBody().push_back(new Block());
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(&role.getBody().front());
  MLIRContext *ctx = b.getContext();
  int64_t wgs = schedule.getMathWarpgroups();
  auto forOp = scf::ForOp::create(b, loc, kvZero, kvCount, cIdx(1));
  b.setInsertionPointToStart(forOp.getBody());
  Value blk = forOp.getInductionVar();
  sg::PipeWaitOp::create(b, loc, factorsReady, blk);
  auto rowsT = sg::RowsType::get(ctx, wgRows, b.getF32Type(), false);
  for (int64_t w = 0; w < wgs; ++w) {
    Value f = sg::TmemLoadOp::create(b, loc, rowsT, tmem, cIdx(sColumn(w)));
    sg::TmemScaleOp::create(b, loc, tmem, f, cIdx(oColumn(w)),
                            b.getI64IntegerAttr(headDim));
  }
  sg::PipeArriveOp::create(b, loc, oScaled, blk);
  b.setInsertionPointAfter(forOp);
  sg::YieldOp::create(b, loc);
}

} // namespace mlir::skipattn::kernel_level
