//===- Softmax.cpp - a KV block's scores, decision, update ----------------===//
//
// The body of a KV block shared by both chips: the block's scores and
// maxima, the skip decision (the blocked IR's skip_predicate as a
// warpgroup vote) and the online-softmax update it guards.
//
//===----------------------------------------------------------------------===//

#include "../KernelBuilder.h"

namespace mlir::skipattn::kernel_level {

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

} // namespace mlir::skipattn::kernel_level
