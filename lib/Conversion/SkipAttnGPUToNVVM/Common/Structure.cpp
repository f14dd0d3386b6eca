//===- Structure.cpp - tile ids -------------------------------------------===//
//
// The grid is (query tiles, heads, batch); query tiles run from the last,
// the heaviest under a causal mask, to the first.
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
    Emitter e(rw, op.getLoc());
    auto id = [&](gpu::Dimension d) {
      return gpu::BlockIdOp::create(rw, op.getLoc(), d).getResult();
    };
    Value x = id(gpu::Dimension::x);
    if (op.getKvSplits() > 1)
      x = arith::DivUIOp::create(rw, op.getLoc(), x, e.cIdx(op.getKvSplits()));
    Value qt =
        arith::SubIOp::create(rw, op.getLoc(), e.cIdx(op.getQTiles() - 1), x);
    rw.replaceOp(op, {id(gpu::Dimension::z), id(gpu::Dimension::y), qt});
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
