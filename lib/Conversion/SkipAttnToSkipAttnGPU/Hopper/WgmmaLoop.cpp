//===- WgmmaLoop.cpp - the sm_90a KV loops --------------------------------===//
//
// The KV loop of the wgmma schedules: one role (its first thread refills
// each stage after the CTA releases it) or a load role with K and V rings,
// the loop that votes on block n before it uses block n - k's V
// (vote_ahead, decode), and the loop that runs block n - 1's P.V on the
// tensor cores during block n's softmax (overlap, prefill).
//
//===----------------------------------------------------------------------===//

#include "../KernelBuilder.h"

namespace mlir::skipattn::kernel_level {

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
  bool rescale = appendCountersAndBases(init, rowsF);
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
  if (overlap)
    return emitOverlapLoop(loop, init, warpgroupIs(0));
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

/// Block `blk`'s V: P.V when it was kept (O first scaled by the block's
/// `factors` where given); its stage waited for and released on every path
/// (with gated V a skipped block's stage completes without data; without,
/// waiting for loaded data costs nothing and keeps every barrier's phases in
/// step with this warpgroup).
void KernelBuilder::emitFinishBlock(Value blk, Value probs, Value kept,
                                    Value factors) {
  auto vTileT = cast<sg::RingType>(vRing.getType()).getTile();
  auto pv = [&](Value vt) {
    Value acc = o;
    if (factors)
      acc = sg::ScaleRowsOp::create(b, loc, o.getType(), o, factors);
    Value r =
        sg::MmaOp::create(b, loc, o.getType(), probs, vt, acc, sg::Major::mn);
    return sg::MmaWaitOp::create(b, loc, r.getType(), r, b.getI64IntegerAttr(0))
        .getResult();
  };
  if (matchPattern(kept, m_One())) {
    o = pv(sg::RingWaitOp::create(b, loc, vTileT, vRing, blk, "v"));
  } else {
    auto ifKept = scf::IfOp::create(b, loc, o.getType(), kept,
                                    /*withElse=*/true);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&ifKept.getThenRegion().front());
      scf::YieldOp::create(
          b, loc, pv(sg::RingWaitOp::create(b, loc, vTileT, vRing, blk, "v")));
      b.setInsertionPointToStart(&ifKept.getElseRegion().front());
      sg::RingWaitOp::create(b, loc, vTileT, vRing, blk, "v");
      scf::YieldOp::create(b, loc, o);
    }
    o = ifKept.getResult(0);
  }
  sg::RingReleaseOp::create(b, loc, vRing, blk);
}

/// vote_ahead = k (gated V): iteration n computes block n's scores, decides
/// and votes on it (its V load may start at once), computes block n's
/// softmax without touching O (row maxima and sums, the probabilities and
/// factors), then completes block n - k with its V: O scaled by that
/// block's factors and P.V with its probabilities, both carried since the
/// block's own iteration. O is always at the scale of the last block it
/// completed, and a skipped block changes neither. A kept block's V
/// thus has k blocks' Q.K^T and decisions to arrive in. The last iteration
/// also completes the blocks still carried and its own. The V ring's waits
/// and releases lag its votes by k blocks.
LogicalResult KernelBuilder::emitVoteAheadLoop(BlockedKVOp loop,
                                               ValueRange init) {
  MLIRContext *ctx = b.getContext();
  int64_t lag = schedule.getVoteAhead();
  auto probsT =
      sg::OperandType::get(ctx, sg::kWarpgroupRows, schedule.getBlockKv(), elt);
  auto rowsF =
      sg::RowsType::get(ctx, sg::kWarpgroupRows, b.getF32Type(), false);
  auto cF = [&](double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  };
  Value zeros = sg::SplatOp::create(b, loc, probsT, cF(0));
  Value ones = sg::SplatOp::create(b, loc, rowsF, cF(1));
  Value f = arith::ConstantIntOp::create(b, loc, 0, 1);
  // The lagged blocks ride along, oldest first: their probabilities,
  // factors and decisions.
  struct Carried {
    Value probs, factors, kept;
  };
  SmallVector<Value> carried(init.begin(), init.end());
  for (int64_t i = 0; i < lag; ++i)
    carried.append({zeros, ones, f});
  auto forOp = scf::ForOp::create(b, loc, kvZero, kvCount, cIdx(1), carried);
  int64_t nState = counting ? 5 : 3;
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(forOp.getBody());
    Value iv = forOp.getInductionVar();
    bindLoopValues(forOp.getRegionIterArgs());
    SmallVector<Carried> lagged;
    for (int64_t i = 0; i < lag; ++i)
      lagged.push_back({forOp.getRegionIterArg(nState + 3 * i),
                        forOp.getRegionIterArg(nState + 3 * i + 1),
                        forOp.getRegionIterArg(nState + 3 * i + 2)});
    FailureOr<Value> keep = emitDecision(loop, iv);
    if (failed(keep))
      return failure();
    Value scores = curScores, bmax = blockMax();
    // Block n - k (`older` blocks before n) with its V, if it exists.
    auto finishOlder = [&](int64_t older, const Carried &c) {
      Value exists = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                           iv, cIdx(older));
      auto ifExists = scf::IfOp::create(b, loc, o.getType(), exists,
                                        /*withElse=*/true);
      OpBuilder::InsertionGuard g2(b);
      Value before = o;
      b.setInsertionPointToStart(&ifExists.getThenRegion().front());
      emitFinishBlock(arith::SubIOp::create(b, loc, iv, cIdx(older)), c.probs,
                      c.kept, c.factors);
      scf::YieldOp::create(b, loc, o);
      b.setInsertionPointToStart(&ifExists.getElseRegion().front());
      scf::YieldOp::create(b, loc, before);
      o = ifExists.getResult(0);
    };
    // Block n's softmax, O untouched. Its scores become packed
    // probabilities before block n - k's P.V, which then has O, the
    // carried probabilities and these live, not the f32 scores.
    auto ifKeep = scf::IfOp::create(
        b, loc, TypeRange{m.getType(), l.getType(), rowsF, probsT}, *keep,
        /*withElse=*/true);
    {
      OpBuilder::InsertionGuard g2(b);
      b.setInsertionPointToStart(&ifKeep.getThenRegion().front());
      auto upd = sg::RowUpdateOp::create(
          b, loc, TypeRange{m.getType(), l.getType(), rowsF, probsT}, scores,
          bmax, m, l, b.getF32FloatAttr(c2), Value(), b.getI64IntegerAttr(0));
      scf::YieldOp::create(b, loc,
                           ValueRange{upd.getNewRowMax(), upd.getNewRowSum(),
                                      upd.getFactors(), upd.getProbs()});
      b.setInsertionPointToStart(&ifKeep.getElseRegion().front());
      scf::YieldOp::create(b, loc, ValueRange{m, l, ones, zeros});
    }
    m = ifKeep.getResult(0);
    l = ifKeep.getResult(1);
    finishOlder(lag, lagged.front());
    Carried newest{ifKeep.getResult(3), ifKeep.getResult(2), *keep};
    // The last iteration completes blocks n - k + 1 .. n.
    Value lastBlock = arith::SubIOp::create(b, loc, kvCount, cIdx(1));
    Value isLast =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, iv, lastBlock);
    auto ifLast = scf::IfOp::create(b, loc, o.getType(), isLast,
                                    /*withElse=*/true);
    {
      OpBuilder::InsertionGuard g2(b);
      Value before = o;
      b.setInsertionPointToStart(&ifLast.getThenRegion().front());
      for (int64_t older = lag - 1; older >= 1; --older)
        finishOlder(older, lagged[lag - older]);
      emitFinishBlock(iv, newest.probs, newest.kept, newest.factors);
      scf::YieldOp::create(b, loc, o);
      b.setInsertionPointToStart(&ifLast.getElseRegion().front());
      scf::YieldOp::create(b, loc, before);
    }
    SmallVector<Value> yields{m, l, ifLast.getResult(0)};
    if (counting) {
      yields.push_back(decisions);
      yields.push_back(skips);
    }
    for (int64_t i = 1; i < lag; ++i)
      yields.append({lagged[i].probs, lagged[i].factors, lagged[i].kept});
    yields.append({newest.probs, newest.factors, newest.kept});
    scf::YieldOp::create(b, loc, yields);
  }
  bindLoopValues(forOp.getResults());
  mu = Value();
  return emitStats(loop, forOp);
}

/// overlap (FlashAttention-3's intra-warpgroup overlap, dense bodies):
/// iteration n issues Q.K^T(n), then P.V(n - 1) with the probabilities
/// the loop carried, and waits for the scores alone; block n's mask and
/// softmax run while P.V(n - 1) is on the tensor cores, and the
/// accumulator is rescaled once it is done. The last iteration also
/// completes its own block. V's waits and releases lag one block.
///
/// A body with a skip decision is refused: its probabilities would reach
/// the next iteration through a branch, and there ptxas either serializes
/// every wgmma or (measured on this loop) gives block n's probabilities
/// the registers P.V(n - 1) is still reading.
LogicalResult KernelBuilder::emitOverlapLoop(BlockedKVOp loop, ValueRange init,
                                             Value firstWarpgroup) {
  MLIRContext *ctx = b.getContext();
  if (loop.getBodyBlock()
          ->walk([](scf::IfOp) { return WalkResult::interrupt(); })
          .wasInterrupted())
    return loop.emitOpError("overlap is for dense bodies: a skip decision "
                            "would carry the probabilities through a branch, "
                            "where ptxas does not keep P.V(n - 1)'s operand "
                            "registers apart");
  auto probsT =
      sg::OperandType::get(ctx, sg::kWarpgroupRows, schedule.getBlockKv(), elt);
  SmallVector<Value> carried(init.begin(), init.end());
  carried.push_back(sg::SplatOp::create(
      b, loc, probsT, arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0))));
  // Block n - 1's rescale factors, applied before its P.V.
  carried.push_back(sg::SplatOp::create(
      b, loc, sg::RowsType::get(ctx, sg::kWarpgroupRows, b.getF32Type(), false),
      arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1))));
  auto forOp = scf::ForOp::create(b, loc, kvZero, kvCount, cIdx(1), carried);
  int64_t nState = counting ? 5 : 3;
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(forOp.getBody());
    n = forOp.getInductionVar();
    map.map(loop.getBlockIndex(), kvBlock(n));
    bindLoopValues(forOp.getRegionIterArgs());
    lagProbs = forOp.getRegionIterArg(nState);
    lagFactors = forOp.getRegionIterArg(nState + 1);
    curScores = curBlockMax = Value();
    blockProbs = blockFactors = Value();
    // Block n - 1's rescale, first: ptxas serializes the wgmma pipeline
    // when registers are written between Q.K^T(n)'s issue and P.V(n - 1)'s
    // (block 0's factors are 1 and its O is 0).
    o = sg::ScaleRowsOp::create(b, loc, o.getType(), o, lagFactors);
    for (Operation &op : loop.getBodyBlock()->without_terminator())
      if (failed(emitBodyOp(op)))
        return failure();
    if (!blockProbs)
      return loop.emitOpError("overlap expects the blocked IR's scores and "
                              "update");
    // Pingpong: the turn covers the next iteration's two MMA issues.
    if (pingpong)
      sg::TurnTakeOp::create(b, loc);
    // P.V(n - 1) is done (the rescale waited for it): V(n - 1) is free.
    Value hasPrev =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, n, cIdx(1));
    auto ifPrev = scf::IfOp::create(b, loc, hasPrev, /*withElse=*/false);
    {
      OpBuilder::InsertionGuard g2(b);
      b.setInsertionPointToStart(&ifPrev.getThenRegion().front());
      sg::RingReleaseOp::create(b, loc, vRing,
                                arith::SubIOp::create(b, loc, n, cIdx(1)));
    }
    // The last iteration also completes its own block.
    Value isLast =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, n,
                              arith::SubIOp::create(b, loc, kvCount, cIdx(1)));
    auto ifLast = scf::IfOp::create(b, loc, o.getType(), isLast,
                                    /*withElse=*/true);
    {
      OpBuilder::InsertionGuard g2(b);
      Value before = o;
      b.setInsertionPointToStart(&ifLast.getThenRegion().front());
      o = sg::ScaleRowsOp::create(b, loc, o.getType(), o, blockFactors);
      emitFinishBlock(n, blockProbs,
                      arith::ConstantIntOp::create(b, loc, 1, 1));
      scf::YieldOp::create(b, loc, o);
      b.setInsertionPointToStart(&ifLast.getElseRegion().front());
      scf::YieldOp::create(b, loc, before);
    }
    SmallVector<Value> yields{m, l, ifLast.getResult(0)};
    if (counting) {
      yields.push_back(decisions);
      yields.push_back(skips);
    }
    yields.push_back(blockProbs);
    yields.push_back(blockFactors);
    scf::YieldOp::create(b, loc, yields);
  }
  Operation *afterLoop = forOp;
  if (pingpong)
    afterLoop = sg::TurnPassOp::create(b, loc, firstWarpgroup);
  b.setInsertionPointAfter(afterLoop);
  bindLoopValues(forOp.getResults());
  return emitStats(loop, forOp);
}

Value KernelBuilder::emitOverlapIssue(Value s) {
  auto accT = cast<sg::AccType>(s.getType());
  // Pingpong: both MMAs are issued, the other warpgroup may issue its own
  // while this one waits and computes its softmax.
  auto passTurn = [&] {
    if (pingpong)
      sg::TurnPassOp::create(b, loc,
                             arith::ConstantIntOp::create(b, loc, 1, 1));
  };
  auto vTileT = cast<sg::RingType>(vRing.getType()).getTile();
  Value hasPrev =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, n, cIdx(1));
  auto ifPrev = scf::IfOp::create(b, loc, TypeRange{o.getType(), accT}, hasPrev,
                                  /*withElse=*/true);
  {
    OpBuilder::InsertionGuard g(b);
    // P.V(n - 1) issued behind Q.K^T(n): waiting for all but one group
    // waits for the scores only.
    b.setInsertionPointToStart(&ifPrev.getThenRegion().front());
    Value prev = arith::SubIOp::create(b, loc, n, cIdx(1));
    Value vt = sg::RingWaitOp::create(b, loc, vTileT, vRing, prev, "v");
    Value pv =
        sg::MmaOp::create(b, loc, o.getType(), lagProbs, vt, o, sg::Major::mn);
    passTurn();
    scf::YieldOp::create(
        b, loc,
        ValueRange{pv, sg::MmaWaitOp::create(b, loc, accT, s,
                                             b.getI64IntegerAttr(1))});
    // Block 0: the scores alone are in flight.
    b.setInsertionPointToStart(&ifPrev.getElseRegion().front());
    passTurn();
    scf::YieldOp::create(
        b, loc,
        ValueRange{
            o, sg::MmaWaitOp::create(b, loc, accT, s, b.getI64IntegerAttr(0))});
  }
  pendingO = ifPrev.getResult(0);
  return ifPrev.getResult(1);
}

void KernelBuilder::emitOverlapUpdate() {
  auto rowsF = sg::RowsType::get(b.getContext(), sg::kWarpgroupRows,
                                 b.getF32Type(), false);
  auto probsT = sg::OperandType::get(b.getContext(), sg::kWarpgroupRows,
                                     schedule.getBlockKv(), elt);
  // The probabilities stay f32 until P.V(n - 1) is done: their packed
  // registers are the ones that MMA reads. After the wait only the packing
  // remains; O's rescale by this block's factors comes at the next
  // iteration's start (FlashAttention-3's order). ptxas still places the
  // wait first in the softmax's basic block (docs/hopper.md).
  auto upd = sg::RowUpdateOp::create(
      b, loc, TypeRange{m.getType(), l.getType(), rowsF, curScores.getType()},
      curScores, blockMax(), m, l, b.getF32FloatAttr(c2), Value(),
      b.getI64IntegerAttr(0));
  o = sg::MmaWaitOp::create(b, loc, pendingO.getType(), pendingO,
                            b.getI64IntegerAttr(0));
  m = upd.getNewRowMax();
  l = upd.getNewRowSum();
  blockFactors = upd.getFactors();
  blockProbs = sg::ToOperandOp::create(b, loc, probsT, upd.getProbs());
}

/// A block's scores: the K wait and Q.K^T (this warpgroup's half of the
/// keys with a value split), K released, masked.
void KernelBuilder::emitWgmmaScores(BlockScoresOp bs) {
  MLIRContext *ctx = b.getContext();
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
  Value s =
      sg::MmaOp::create(b, loc, accT, qWarpgroup, kKeys, Value(), sg::Major::k);
  // Q.K^T is issued: the other warpgroup may issue while this one waits
  // and computes its softmax.
  if (overlap) {
    s = emitOverlapIssue(s);
  } else {
    if (pingpong)
      sg::TurnPassOp::create(b, loc,
                             arith::ConstantIntOp::create(b, loc, 1, 1));
    s = sg::MmaWaitOp::create(b, loc, accT, s, b.getI64IntegerAttr(0));
  }
  // Separate rings: K's stage is free as soon as the scores are in
  // registers, so the load role can fetch block n + stages's K during
  // this block's softmax and P.V.
  // With V inside K the stage stays until P.V has read it.
  if (specialized && !valueInKey)
    sg::RingReleaseOp::create(b, loc, kRing, n);
  curKTile = kTile;
  curScores = sg::MaskOp::create(b, loc, accT, s, limits, kvStart);
  curBlockMax = Value();
}

/// State update with one kept block: online_update, V wait, P.V.
void KernelBuilder::emitWgmmaUpdate(OnlineSoftmaxOp update) {
  if (overlap)
    return emitOverlapUpdate();
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

/// The guarded update: per warpgroup, with its vote on V and its turn.
LogicalResult KernelBuilder::emitWgmmaKeptUpdate(OnlineSoftmaxOp update,
                                                 Value cond) {
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
    emitWgmmaUpdate(update);
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

} // namespace mlir::skipattn::kernel_level
