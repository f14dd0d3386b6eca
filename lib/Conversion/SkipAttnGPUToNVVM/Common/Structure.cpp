//===- Structure.cpp - tile ids -------------------------------------------===//
//
// The grid is (query tiles, heads, batch); CTAs start in linear order and
// tile_id maps that order to tiles: each head's query tiles from the last,
// or the longest tiles first over groups of heads (head_group).
//
//===----------------------------------------------------------------------===//

#include "../LoweringUtils.h"
#include "skipattn/Conversion/SkipAttnGPUToNVVM/SkipAttnGPUToNVVM.h"

using namespace mlir;
using namespace mlir::skipattn::lowering;
namespace sg = mlir::skipattn_gpu;

namespace {
struct TileIdLowering : OpConversionPattern<sg::TileIdOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::TileIdOp op, OpAdaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    auto id = [&](gpu::Dimension d) {
      return gpu::BlockIdOp::create(rw, loc, d).getResult();
    };
    int64_t q = op.getQTiles(), group = op.getHeadGroup();
    Value x = id(gpu::Dimension::x);
    if (op.getKvSplits() > 1)
      x = e.divu(x, e.cIdx(op.getKvSplits()));
    Value last = e.cIdx(q - 1);
    if (group == 0) {
      rw.replaceOp(
          op, {id(gpu::Dimension::z), id(gpu::Dimension::y), e.sub(last, x)});
      return success();
    }
    // The CTA's place in start order among the tiles (its splits share
    // it), then its group of pairs, its rank by length in the group (0:
    // the last query tile) and its pair.
    Value heads = gpu::GridDimOp::create(rw, loc, gpu::Dimension::y);
    Value pairs =
        e.mul(heads, gpu::GridDimOp::create(rw, loc, gpu::Dimension::z));
    Value order =
        e.add(x, e.mul(e.cIdx(q), e.add(id(gpu::Dimension::y),
                                        e.mul(heads, id(gpu::Dimension::z)))));
    Value first =
        e.mul(e.divu(order, e.cIdx(group * q)), e.cIdx(group)); // first pair
    Value inGroup = e.sub(order, e.mul(first, e.cIdx(q)));
    Value size =
        arith::MinUIOp::create(rw, loc, e.cIdx(group), e.sub(pairs, first));
    Value rank = e.divu(inGroup, size);
    Value pair = e.add(first, e.sub(inGroup, e.mul(rank, size)));
    Value batch = e.divu(pair, heads);
    rw.replaceOp(op,
                 {batch, e.sub(pair, e.mul(batch, heads)), e.sub(last, rank)});
    return success();
  }
};

struct SplitIdLowering : OpConversionPattern<sg::SplitIdOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::SplitIdOp op, OpAdaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    Value x = gpu::BlockIdOp::create(rw, op.getLoc(), gpu::Dimension::x);
    rw.replaceOpWithNewOp<arith::RemUIOp>(op, x, e.cIdx(op.getKvSplits()));
    return success();
  }
};
} // namespace

void mlir::skipattn::populateStructureToNVVMPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<TileIdLowering, SplitIdLowering>(converter,
                                                patterns.getContext());
}
