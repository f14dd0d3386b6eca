//===- InsertSkipPredicates.cpp - skipattn-insert-skip-predicates ---------===//
//
// Puts the canonical skip decision in front of every block's softmax update:
// a skipped block costs Q.K^T and one max per row, and nothing else.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"
#include "skipattn/Dialect/SkipAttn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

namespace mlir::skipattn {
#define GEN_PASS_DEF_SKIPATTNINSERTSKIPPREDICATES
#include "skipattn/Dialect/SkipAttn/Transforms/Passes.h.inc"
} // namespace mlir::skipattn

using namespace mlir;
using namespace mlir::skipattn;

/// log2(lambda) for this tile's sequence and whether skipping is enabled at
/// all (lambda = factor / len < 1). Computed in f64 so that large lengths and
/// tiny factors keep their precision.
/// `factor` is an f64 value: a constant, or a runtime factor read from
/// `skip_factors`, where an entry <= 0 disables skipping.
static std::pair<Value, Value> buildLog2Lambda(OpBuilder &b, Location loc,
                                               Value f, Value len) {
  Value len64 = arith::IndexCastUIOp::create(b, loc, b.getI64Type(), len);
  Value lenF = arith::UIToFPOp::create(b, loc, b.getF64Type(), len64);
  Value lambda = arith::DivFOp::create(b, loc, f, lenF);
  Value one = arith::ConstantOp::create(b, loc, b.getF64FloatAttr(1.0));
  Value zero = arith::ConstantOp::create(b, loc, b.getF64FloatAttr(0.0));
  // 0 < lambda < 1 (false for NaN): a runtime factor <= 0 never skips.
  Value enabled = arith::AndIOp::create(
      b, loc,
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, lambda, one),
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, lambda, zero));
  Value log2 = math::Log2Op::create(b, loc, lambda);
  Value log2F32 = arith::TruncFOp::create(b, loc, b.getF32Type(), log2);
  Value never = arith::ConstantOp::create(
      b, loc, b.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
  return {arith::SelectOp::create(b, loc, enabled, log2F32, never), enabled};
}

/// A row-range view [row, row + n) of a state or score buffer.
static Value rowView(OpBuilder &b, Location loc, Value buf, Value row,
                     int64_t n) {
  auto t = cast<MemRefType>(buf.getType());
  SmallVector<OpFoldResult> offsets{row}, sizes{b.getIndexAttr(n)},
      strides{b.getIndexAttr(1)};
  for (int64_t d = 1; d < t.getRank(); ++d) {
    offsets.push_back(b.getIndexAttr(0));
    sizes.push_back(b.getIndexAttr(t.getDimSize(d)));
    strides.push_back(b.getIndexAttr(1));
  }
  return memref::SubViewOp::create(b, loc, buf, offsets, sizes, strides);
}

LogicalResult mlir::skipattn::insertSkipPredicates(RewriterBase &rewriter,
                                                   BlockedKVOp loop,
                                                   int64_t skipUnit) {
  SkipConfigAttr skip = loop.getSkipAttr();
  bool skipping = loop.hasSkipping();
  Value factors = loop.getSkipFactors();
  if (factors && !skip)
    return loop.emitOpError(
        "skip_factors needs a #skipattn.skip configuration");
  if (!skipping && !loop.getStats())
    return success(); // Dense without statistics: the IR stays as is.

  TilingAttr tiling = loop.getTiling();
  int64_t rows = tiling.getRows();
  int64_t unit = skipUnit > 0 ? skipUnit : rows;
  if (rows % unit != 0)
    return loop.emitOpError("skip unit of ")
           << unit << " rows does not divide the tile's " << rows << " rows";
  // Runtime factors may differ per head: then a unit must not straddle
  // two heads (factors uniform over the heads, a zero head stride or one
  // head column, do not care).
  if (factors && factorsPerHead(factors) && tiling.getHeadsPerTile() > 1 &&
      tiling.getBlockQ() % unit != 0)
    return loop.emitOpError("per-head skip factors need a skip unit that "
                            "divides the ")
           << tiling.getBlockQ() << " rows of one head, got " << unit;

  SmallVector<OnlineSoftmaxOp> updates;
  loop.getBody().walk([&](OnlineSoftmaxOp u) { updates.push_back(u); });
  if (updates.size() != 1)
    return loop.emitOpError("expected exactly one online_softmax in the body");
  OnlineSoftmaxOp update = updates.front();
  BlockScoresOp scores;
  loop.getBody().walk([&](BlockScoresOp s) { scores = s; });
  if (!scores)
    return loop.emitOpError("expected a block_scores in the body");

  Location loc = loop.getLoc();
  rewriter.setInsertionPoint(loop);
  Value log2Lambda, enabled;
  if (skipping && !factors)
    std::tie(log2Lambda, enabled) = buildLog2Lambda(
        rewriter, loc,
        arith::ConstantOp::create(rewriter, loc,
                                  rewriter.getF64FloatAttr(skip.getFactor())),
        loop.getKvLen());
  // A runtime factor that is the same for every unit of the tile (one head
  // per tile, or factors that do not vary per head) is read once, before
  // the loop: read per block, its load and the f64 division sit on every
  // block's path to the vote.
  bool tileFactor =
      factors && (!factorsPerHead(factors) || tiling.getHeadsPerTile() == 1);
  // log2(lambda) and the enable flag of head `head`'s runtime factor.
  auto runtimeLog2Lambda = [&](OpBuilder &b, Value head) {
    Value f = memref::LoadOp::create(b, loc, factors,
                                     ValueRange{loop.getBatch(), head});
    return buildLog2Lambda(b, loc,
                           arith::ExtFOp::create(b, loc, b.getF64Type(), f),
                           loop.getKvLen());
  };
  if (skipping && tileFactor)
    std::tie(log2Lambda, enabled) = runtimeLog2Lambda(rewriter, loop.getHead());

  rewriter.setInsertionPoint(update);
  auto cIdx = [&](int64_t v) {
    return arith::ConstantIndexOp::create(rewriter, loc, v).getResult();
  };
  // The first block (and the first min_keep_blocks) of a tile is kept, and
  // a sequence with lambda >= 1 keeps everything.
  // With runtime factors, `enabled` is per unit and so is `allowed`.
  Value past, allowed;
  if (skipping) {
    int64_t keep = std::max<int64_t>(1, skip.getMinKeepBlocks());
    Value rel = arith::SubIOp::create(rewriter, loc, loop.getBlockIndex(),
                                      loop.getLower());
    past = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::uge, rel,
                                 cIdx(keep));
    if (!factors || tileFactor)
      allowed = arith::AndIOp::create(rewriter, loc, past, enabled);
  }

  auto emitUnit = [&](OpBuilder &b, Value row, bool whole) {
    auto view = [&](Value buf) {
      return whole ? buf : rowView(b, loc, buf, row, unit);
    };
    Value s = view(update.getScores()), m = view(update.getRowMax()),
          l = view(update.getRowSum()), acc = view(update.getAcc());
    Value skipIt;
    if (skipping) {
      Value unitLog2Lambda = log2Lambda, unitAllowed = allowed;
      if (factors && !tileFactor) {
        // The unit's head: tile rows are head-major, blockQ rows per head.
        Value g = arith::DivUIOp::create(b, loc, row, cIdx(tiling.getBlockQ()));
        Value h = arith::AddIOp::create(b, loc, loop.getHead(), g);
        Value unitEnabled;
        std::tie(unitLog2Lambda, unitEnabled) = runtimeLog2Lambda(b, h);
        unitAllowed = arith::AndIOp::create(b, loc, past, unitEnabled);
      }
      Value pred =
          SkipPredicateOp::create(b, loc, b.getI1Type(), s, m, unitLog2Lambda);
      skipIt = arith::AndIOp::create(b, loc, unitAllowed, pred);
    } else {
      skipIt = arith::ConstantIntOp::create(b, loc, 0, 1);
    }
    if (Value stats = loop.getStats()) {
      // Decisions are attributed to the head of the unit's first row, and
      // only units with a valid row decide: a row past Sq (padding) or
      // seeing no key (causal, Sq > kv_len) has nothing to skip. A unit's
      // rows are consecutive positions of one head, or the same positions
      // of several heads: its first and last positions tell.
      int64_t bq = tiling.getBlockQ(), span = std::min(unit, bq);
      int64_t sq = scores.getQLen();
      Value first =
          arith::AddIOp::create(b, loc, scores.getQPos(),
                                arith::RemUIOp::create(b, loc, row, cIdx(bq)));
      Value valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          first, cIdx(sq));
      Value last = arith::MinUIOp::create(
          b, loc, arith::AddIOp::create(b, loc, first, cIdx(span - 1)),
          cIdx(sq - 1));
      // Left-padded queries: a unit of padding rows only decides nothing.
      if (Value start = scores.getQStart())
        valid = arith::AndIOp::create(
            b, loc, valid,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, last,
                                  start));
      if (scores.getCausal()) {
        // The last position sees keys [0, pos + 1 + kv_len - Sq).
        Value sees = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::ugt,
            arith::AddIOp::create(b, loc,
                                  arith::AddIOp::create(b, loc, last, cIdx(1)),
                                  loop.getKvLen()),
            cIdx(sq));
        valid = arith::AndIOp::create(b, loc, valid, sees);
      }
      Value g = arith::DivUIOp::create(b, loc, row, cIdx(bq));
      Value h = arith::AddIOp::create(b, loc, loop.getHead(), g);
      Value one = arith::ConstantIntOp::create(b, loc, 1, 64);
      Value zero = arith::ConstantIntOp::create(b, loc, 0, 64);
      Value counted = arith::SelectOp::create(b, loc, valid, one, zero);
      // With V columns, the unit's V read of the block counts like its
      // decision and is saved with its skip.
      bool vColumns = cast<MemRefType>(stats.getType()).getDimSize(2) == 4;
      for (int64_t col : {int64_t(0), int64_t(2)}) {
        if (col == 2 && !vColumns)
          break;
        memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::addi, counted,
                                    stats,
                                    ValueRange{loop.getBatch(), h, cIdx(col)});
        if (!skipping)
          continue;
        Value inc = arith::SelectOp::create(
            b, loc, arith::AndIOp::create(b, loc, skipIt, valid), one, zero);
        memref::AtomicRMWOp::create(
            b, loc, arith::AtomicRMWKind::addi, inc, stats,
            ValueRange{loop.getBatch(), h, cIdx(col + 1)});
      }
    }
    if (!skipping) {
      OnlineSoftmaxOp::create(b, loc, s, update.getValue(), update.getBatch(),
                              update.getKvHead(), update.getPageTable(),
                              update.getKvStart(), update.getKvLen(), m, l,
                              acc);
      return;
    }
    Value keep = arith::XOrIOp::create(
        b, loc, skipIt, arith::ConstantIntOp::create(b, loc, 1, 1));
    scf::IfOp::create(b, loc, keep, [&](OpBuilder &tb, Location tl) {
      OnlineSoftmaxOp::create(tb, tl, s, update.getValue(), update.getBatch(),
                              update.getKvHead(), update.getPageTable(),
                              update.getKvStart(), update.getKvLen(), m, l,
                              acc);
      scf::YieldOp::create(tb, tl);
    });
  };

  if (unit == rows) {
    emitUnit(rewriter, cIdx(0), /*whole=*/true);
  } else {
    scf::ForOp::create(rewriter, loc, cIdx(0), cIdx(rows), cIdx(unit),
                       ValueRange(),
                       [&](OpBuilder &b, Location, Value row, ValueRange) {
                         emitUnit(b, row, /*whole=*/false);
                         scf::YieldOp::create(b, loc);
                       });
  }
  rewriter.eraseOp(update);
  rewriter.modifyOpInPlace(loop, [&] {
    loop.setTilingAttr(TilingAttr::get(
        loop.getContext(), tiling.getBlockQ(), tiling.getBlockKv(),
        tiling.getHeadsPerTile(), unit, tiling.getKvSplits()));
  });
  return success();
}

namespace {
struct SkipAttnInsertSkipPredicatesPass
    : mlir::skipattn::impl::SkipAttnInsertSkipPredicatesBase<
          SkipAttnInsertSkipPredicatesPass> {
  using SkipAttnInsertSkipPredicatesBase::SkipAttnInsertSkipPredicatesBase;
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<BlockedKVOp> loops;
    getOperation().walk([&](BlockedKVOp op) { loops.push_back(op); });
    for (BlockedKVOp loop : loops)
      if (failed(insertSkipPredicates(rewriter, loop, skipUnit)))
        return signalPassFailure();
  }
};
} // namespace
