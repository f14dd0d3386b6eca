//===- Epilogue.cpp - outputs, splits and statistics ----------------------===//
//
// After the KV loop: the output tile and log-sum-exp (or a split's
// partial result and the exact merge of the splits), and the decision
// counters.
//
//===----------------------------------------------------------------------===//

#include "../KernelBuilder.h"

namespace mlir::skipattn::kernel_level {

Value KernelBuilder::outStage() {
  if (qWarpgroup)
    return qWarpgroup; // wgmma: the warpgroup's own Q.K^T operand
  // tcgen05: the issuer read Q for every warpgroup; all of its MMAs had
  // completed before O left tensor memory. The ring's only stage is
  // already full, so the wait returns at once.
  auto qTileT = cast<sg::RingType>(qRing.getType()).getTile();
  Value qTile = sg::RingWaitOp::create(b, loc, qTileT, qRing, cIdx(0), "q");
  return sg::SubtileOp::create(
      b, loc,
      sg::SmemType::get(b.getContext(), wgRows, headDim, elt, qTileT.getRows()),
      qTile, unitRow, Value());
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
  if (!merge && tmaStore) {
    sg::TmaStoreTileOp::create(b, loc, o, l, outStage(), param(fin.getOut()),
                               bIdx, hIdx, row, perHead);
  } else if (!merge) {
    sg::StoreTileOp::create(b, loc, o, l, columns(param(fin.getOut()), elt),
                            bIdx, hIdx, row, b.getI64IntegerAttr(qLen),
                            TypeAttr::get(elt),
                            b.getDenseI64ArrayAttr(outStrides), perHead);
  }
  if (!merge) {
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

Value KernelBuilder::statsPlane(BlockedKVOp loop) {
  return arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, map.lookupOrDefault(loop.getBatch()),
                            cIdx(qHeads)),
      map.lookupOrDefault(loop.getHead()));
}

bool KernelBuilder::appendCountersAndBases(SmallVector<Value> &init,
                                           Type rows) {
  if (counting) {
    init.push_back(cIdx(0));
    init.push_back(cIdx(0));
  }
  bool rescale = schedule.getRescaleThreshold() > 0;
  if (rescale)
    init.push_back(sg::SplatOp::create(
        b, loc, rows,
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(-INFINITY))));
  return rescale;
}

LogicalResult KernelBuilder::emitStats(BlockedKVOp loop, scf::ForOp forOp) {
  if (!counting)
    return success();
  Value plane = statsPlane(loop);
  inFirstValueGroup([&] {
    auto add =
        sg::AddStatsOp::create(b, loc, forOp.getResult(3), forOp.getResult(4),
                               param(loop.getStats()), plane);
    add.setColumns(statsColumns);
  });
  // V loaded before the votes (or with K) is read for every block the
  // tile visits: the first math warpgroup counts them, none saved. Gated
  // V is counted by the warp that loads it (emitLoadRole).
  if (countsVLoads() && !gateV) {
    Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        mathWarpgroup, cIdx(0));
    auto ifOp = scf::IfOp::create(b, loc, first, /*withElse=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    auto add = sg::AddStatsOp::create(b, loc, kvCount, cIdx(0),
                                      param(loop.getStats()), plane);
    add.setColumns(4);
    add.setFirst(2);
  }
  return success();
}

} // namespace mlir::skipattn::kernel_level
