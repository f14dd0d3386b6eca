//===- Softmax.cpp - a KV block's scores, decision, update ----------------===//
//
// The body of a KV block, walked the same way for both chips: the block's
// maxima, the skip decision (the blocked IR's skip_predicate as a vote of
// the skip unit) and the statistics; the scores and the update it guards
// are the chips' own (Hopper/WgmmaLoop.cpp, Blackwell/TcgenLoop.cpp).
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

LogicalResult KernelBuilder::emitKeptUpdate(scf::IfOp ifOp) {
  // scf.if %keep { skipattn.online_softmax ... }: the update and its V
  // load are guarded; the fragments flow out of the if.
  Block &then = ifOp.getThenRegion().front();
  if (!ifOp.getElseRegion().empty() || ifOp.getNumResults() ||
      then.getOperations().size() != 2 || !isa<OnlineSoftmaxOp>(then.front()))
    return ifOp.emitOpError("the kernel level expects the blocked IR's "
                            "guard: scf.if %keep { online_softmax }");
  Value cond = map.lookupOrDefault(ifOp.getCondition());
  auto update = cast<OnlineSoftmaxOp>(then.front());
  return tc ? emitTcKeptUpdate(update, cond)
            : emitWgmmaKeptUpdate(update, cond);
}

LogicalResult KernelBuilder::emitBodyOp(Operation &op) {
  if (auto bs = dyn_cast<BlockScoresOp>(op)) {
    if (tc)
      emitTcScores(bs);
    else
      emitWgmmaScores(bs);
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
        which.getZExtValue() >= uint64_t(statsColumns))
      return rmw.emitOpError("the kernel level only counts decisions and "
                             "skips into the statistics");
    // The blocked IR's V columns count each unit's own V read; the tile
    // here loads V once for all its units and counts those loads itself.
    if (which.getZExtValue() > 1)
      return success();
    Value inc = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                           map.lookupOrDefault(rmw.getValue()));
    Value &counter = which.isZero() ? decisions : skips;
    counter = arith::AddIOp::create(b, loc, counter, inc);
    return success();
  }
  if (auto ifOp = dyn_cast<scf::IfOp>(op))
    return emitKeptUpdate(ifOp);
  if (auto update = dyn_cast<OnlineSoftmaxOp>(op)) {
    if (tc)
      emitTcUpdate(update);
    else
      emitWgmmaUpdate(update);
    return success();
  }
  return emitOp(op);
}

} // namespace mlir::skipattn::kernel_level
