//===- Tile.cpp - skipattn-tile
//---------------------------------------------===//
//
// Problem level -> blocked level: one parallel iteration per
// (batch, query-head group, query tile), each walking its KV blocks with an
// online softmax. All sizes are decided here and recorded in the IR.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"
#include "skipattn/Dialect/SkipAttn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::skipattn {
#define GEN_PASS_DEF_SKIPATTNTILE
#include "skipattn/Dialect/SkipAttn/Transforms/Passes.h.inc"
} // namespace mlir::skipattn

using namespace mlir;
using namespace mlir::skipattn;

LogicalResult mlir::skipattn::tileAttention(RewriterBase &rewriter,
                                            AttentionOp op,
                                            const TileOptions &requested) {
  // A tiling chosen for this op (by hand, or by a target's schedule
  // selection) wins over the pass options; its block_q is kept even when
  // the query is shorter (the tile is padded).
  TileOptions options = requested;
  if (auto chosen = op->getAttrOfType<TilingAttr>(kTilingAttrName)) {
    options.blockQ = chosen.getBlockQ();
    options.blockKV = chosen.getBlockKv();
    options.packGQA = chosen.getHeadsPerTile() > 1;
    options.headsPerTile = chosen.getHeadsPerTile();
    options.kvSplits = chosen.getKvSplits();
    options.padQueryTiles = true;
  }
  if (op.hasTensorSemantics())
    return op.emitOpError("skipattn-tile expects the memref form; run "
                          "one-shot-bufferize first");
  auto qT = cast<MemRefType>(op.getQuery().getType());
  auto kT = cast<MemRefType>(op.getKey().getType());
  auto vT = cast<MemRefType>(op.getValue().getType());
  for (MemRefType t : {qT, kT, vT})
    if (!t.hasStaticShape())
      return op.emitOpError("skipattn-tile needs static shapes");
  Value table = op.getPageTable();
  if (table && !cast<MemRefType>(table.getType()).hasStaticShape())
    return op.emitOpError("skipattn-tile needs static shapes");
  if (options.blockQ <= 0 || options.blockKV <= 0)
    return op.emitOpError("block sizes must be positive");

  int64_t B = qT.getDimSize(0), Hq = qT.getDimSize(1), Sq = qT.getDimSize(2),
          D = qT.getDimSize(3);
  // Paged or not, the tile walks logical key positions [0, Skv); the
  // block ops translate them into cache rows.
  int64_t Hkv = kT.getDimSize(1), Skv = op.getLogicalKvLen(),
          Dv = vT.getDimSize(3);
  int64_t group = Hq / Hkv;
  int64_t heads =
      options.packGQA
          ? (options.headsPerTile > 0 ? options.headsPerTile : group)
          : 1;
  if (group % heads)
    return op.emitOpError("packed heads (")
           << heads << ") must divide the " << group
           << " query heads of a KV head";
  if (options.kvSplits < 1)
    return op.emitOpError("kv_splits must be positive");
  int64_t blockQ =
      options.padQueryTiles ? options.blockQ : std::min(options.blockQ, Sq);
  int64_t rows = heads * blockQ;
  int64_t numQTiles = (Sq + blockQ - 1) / blockQ;
  double scale = op.getEffectiveScale();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto cIdx = [&](int64_t v) {
    return arith::ConstantIndexOp::create(rewriter, loc, v).getResult();
  };
  Value c0 = cIdx(0), c1 = cIdx(1);

  // The statistics are outputs: define them fully before counting.
  if (Value stats = op.getStats()) {
    Value zero = arith::ConstantIntOp::create(rewriter, loc, 0, 64);
    scf::buildLoopNest(rewriter, loc, {c0, c0, c0},
                       {cIdx(B), cIdx(Hq),
                        cIdx(cast<MemRefType>(stats.getType()).getDimSize(2))},
                       {c1, c1, c1},
                       [&](OpBuilder &b, Location l, ValueRange ivs) {
                         memref::StoreOp::create(b, l, zero, stats, ivs);
                       });
  }

  auto f32 = rewriter.getF32Type();
  // Split-KV: split s walks blocks [s * per, (s + 1) * per) of the tile's
  // visible ones; more splits than blocks would only add empty ones.
  int64_t staticBlocks =
      std::max<int64_t>(1, (Skv + options.blockKV - 1) / options.blockKV);
  int64_t splits = std::min(options.kvSplits, staticBlocks);
  int64_t perSplit = (staticBlocks + splits - 1) / splits;
  auto tiling = TilingAttr::get(rewriter.getContext(), blockQ, options.blockKV,
                                heads, /*skipUnit=*/0, splits);
  SkipConfigAttr skip = op.hasSkipping() ? *op.getSkip() : SkipConfigAttr();

  // The splits' partial outputs and log-sum-exps, merged after the loop.
  Value partialOut, partialLse;
  if (splits > 1) {
    partialOut = memref::AllocOp::create(
        rewriter, loc, MemRefType::get({splits, B, Hq, Sq, Dv}, f32));
    partialLse = memref::AllocOp::create(
        rewriter, loc, MemRefType::get({splits, B, Hq, Sq}, f32));
  }

  SmallVector<Value> lbs{c0, c0, c0}, steps{c1, c1, c1},
      ubs{cIdx(B), cIdx(Hq / heads), cIdx(numQTiles)};
  if (splits > 1) {
    lbs.push_back(c0);
    steps.push_back(c1);
    ubs.push_back(cIdx(splits));
  }
  auto par = scf::ParallelOp::create(rewriter, loc, lbs, ubs, steps);
  rewriter.setInsertionPointToStart(par.getBody());
  Value b = par.getInductionVars()[0], hg = par.getInductionVars()[1],
        qt = par.getInductionVars()[2];
  Value split = splits > 1 ? par.getInductionVars()[3] : Value();

  // Scratch is stack memory of the iteration; scf-to-openmp scopes it per
  // iteration so a thread running many tiles does not grow its stack.
  auto allocaBuf = [&](ArrayRef<int64_t> shape) {
    return memref::AllocaOp::create(rewriter, loc, MemRefType::get(shape, f32))
        .getResult();
  };
  // bf16 products: the query's own bf16 values, scaled after the sums.
  bool bf16Products = options.bf16Products && qT.getElementType().isBF16() &&
                      kT.getElementType().isBF16();
  Value qTile = bf16Products
                    ? memref::AllocaOp::create(
                          rewriter, loc,
                          MemRefType::get({rows, D}, rewriter.getBF16Type()))
                          .getResult()
                    : allocaBuf({rows, D});
  Value scores = allocaBuf({rows, options.blockKV});
  Value m = allocaBuf({rows}), l = allocaBuf({rows}),
        acc = allocaBuf({rows, Dv});

  // First query head of the tile and the KV head it reads (GQA mapping).
  Value h0 =
      heads == 1 ? hg : arith::MulIOp::create(rewriter, loc, hg, cIdx(heads));
  Value hkv =
      group == 1 ? h0 : arith::DivUIOp::create(rewriter, loc, h0, cIdx(group));
  Value p0 = arith::MulIOp::create(rewriter, loc, qt, cIdx(blockQ));

  // This sequence's KV length, clamped into the buffer so that a bad length
  // can never index out of bounds.
  Value len = cIdx(Skv);
  if (Value lens = op.getKvLens()) {
    Value raw = memref::LoadOp::create(rewriter, loc, lens, ValueRange{b});
    Value idx =
        arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), raw);
    idx = arith::MaxSIOp::create(rewriter, loc, idx, c0);
    len = arith::MinSIOp::create(rewriter, loc, idx, len);
  }

  // Left-padded queries: this sequence's real rows start at
  // Sq - clamp(q_lens[b], 0, Sq); the rows before see nothing.
  Value qStart;
  if (Value qLens = op.getQLens()) {
    Value raw = memref::LoadOp::create(rewriter, loc, qLens, ValueRange{b});
    Value n =
        arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), raw);
    n = arith::MinSIOp::create(
        rewriter, loc, arith::MaxSIOp::create(rewriter, loc, n, c0), cIdx(Sq));
    qStart = arith::SubIOp::create(rewriter, loc, cIdx(Sq), n);
  }

  PackQOp::create(rewriter, loc, op.getQuery(), b, h0, p0, qTile, heads, blockQ,
                  llvm::APFloat(static_cast<float>(scale)));

  // Keys visible to some row of the tile: all of them, or with causal
  // masking up to the last row's diagonal (bottom-right aligned).
  Value visible = len;
  if (op.getCausal()) {
    Value last = arith::MinSIOp::create(
        rewriter, loc, arith::AddIOp::create(rewriter, loc, p0, cIdx(blockQ)),
        cIdx(Sq));
    Value diag = arith::SubIOp::create(
        rewriter, loc, arith::AddIOp::create(rewriter, loc, last, len),
        cIdx(Sq));
    diag = arith::MaxSIOp::create(rewriter, loc, diag, c0);
    visible = arith::MinSIOp::create(rewriter, loc, diag, len);
  }
  if (qStart) {
    // A tile of padding rows only visits nothing.
    Value end = arith::AddIOp::create(rewriter, loc, p0, cIdx(blockQ));
    Value padding = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::ule, end, qStart);
    visible = arith::SelectOp::create(rewriter, loc, padding, c0, visible);
  }
  Value numBlocks =
      arith::CeilDivUIOp::create(rewriter, loc, visible, cIdx(options.blockKV));
  Value lower = c0, upper = numBlocks;
  if (split) {
    Value first = arith::MulIOp::create(rewriter, loc, split, cIdx(perSplit));
    lower = arith::MinUIOp::create(rewriter, loc, first, numBlocks);
    upper = arith::MinUIOp::create(
        rewriter, loc,
        arith::AddIOp::create(rewriter, loc, first, cIdx(perSplit)), numBlocks);
  }

  auto loop = BlockedKVOp::create(rewriter, loc, lower, upper, len, m, l, acc,
                                  tiling, skip);
  // Target attributes on the op (a kernel schedule) travel with the loop.
  for (NamedAttribute a : op->getDiscardableAttrs())
    if (a.getName() != kTilingAttrName)
      loop->setAttr(a.getName(), a.getValue());
  if (Value stats = op.getStats())
    loop.getStatsMutable().assign(stats);
  if (Value factors = op.getSkipFactors())
    loop.getSkipFactorsMutable().assign(factors);
  if (op.getStats() || op.getSkipFactors()) {
    loop.getBatchMutable().assign(b);
    loop.getHeadMutable().assign(h0);
  }
  {
    OpBuilder::InsertionGuard g(rewriter);
    rewriter.setInsertionPoint(loop.getBodyBlock()->getTerminator());
    Value kvStart = arith::MulIOp::create(rewriter, loc, loop.getBlockIndex(),
                                          cIdx(options.blockKV));
    BlockScoresOp::create(
        rewriter, loc, qTile, op.getKey(), b, hkv, table, kvStart, len, p0,
        qStart, scores, Sq, blockQ, op.getCausal(),
        bf16Products
            ? rewriter.getF32FloatAttr(static_cast<float>(scale * M_LOG2E))
            : FloatAttr());
    OnlineSoftmaxOp::create(rewriter, loc, scores, op.getValue(), b, hkv, table,
                            kvStart, len, m, l, acc);
  }
  if (!split) {
    FinalizeOp::create(rewriter, loc, m, l, acc, op.getOut(), b, h0, p0,
                       op.getLse(), blockQ);
    rewriter.eraseOp(op);
    return success();
  }
  // This split's slice of the workspace [S, ...] as a [B, H, Sq(, Dv)] view.
  auto sliceOf = [&](Value buf) {
    auto t = cast<MemRefType>(buf.getType());
    SmallVector<OpFoldResult> offsets{split}, sizes{rewriter.getIndexAttr(1)},
        strides(t.getRank(), rewriter.getIndexAttr(1));
    for (int64_t d = 1; d < t.getRank(); ++d) {
      offsets.push_back(rewriter.getIndexAttr(0));
      sizes.push_back(rewriter.getIndexAttr(t.getDimSize(d)));
    }
    auto sliceT = memref::SubViewOp::inferRankReducedResultType(
        t.getShape().drop_front(), t, offsets, sizes, strides);
    return memref::SubViewOp::create(rewriter, loc, cast<MemRefType>(sliceT),
                                     buf, offsets, sizes, strides)
        .getResult();
  };
  FinalizeOp::create(rewriter, loc, m, l, acc, sliceOf(partialOut), b, h0, p0,
                     sliceOf(partialLse), blockQ);
  rewriter.setInsertionPointAfter(par);
  MergeSplitsOp::create(rewriter, loc, partialOut, partialLse, op.getOut(),
                        op.getLse());
  memref::DeallocOp::create(rewriter, loc, partialOut);
  memref::DeallocOp::create(rewriter, loc, partialLse);
  rewriter.eraseOp(op);
  return success();
}

namespace {
struct SkipAttnTilePass
    : mlir::skipattn::impl::SkipAttnTileBase<SkipAttnTilePass> {
  using SkipAttnTileBase::SkipAttnTileBase;
  void runOnOperation() override {
    TileOptions options{blockQ, blockKV, packGQA, padQueryTiles, kvSplits};
    options.bf16Products = bf16Products;
    IRRewriter rewriter(&getContext());
    SmallVector<AttentionOp> ops;
    getOperation().walk([&](AttentionOp op) { ops.push_back(op); });
    for (AttentionOp op : ops)
      if (failed(tileAttention(rewriter, op, options)))
        return signalPassFailure();
  }
};
} // namespace
