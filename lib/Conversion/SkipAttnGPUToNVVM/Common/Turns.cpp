//===- Turns.cpp - tensor-core turns of the two math warpgroups -----------===//
//
// Warpgroup w takes its turn on named barrier 3 + w (ids 1 and 2 are the
// warpgroups' votes, 0 the CTA's): a take is bar.sync by its 128 threads,
// completed by the other warpgroup's pass, a bar.arrive by its 128 threads
// (256 in all).
//
//===----------------------------------------------------------------------===//

#include "../LoweringUtils.h"
#include "skipattn/Conversion/SkipAttnGPUToNVVM/SkipAttnGPUToNVVM.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::skipattn::lowering;
namespace sg = mlir::skipattn_gpu;

namespace {
struct TurnTakeLowering : OpConversionPattern<sg::TurnTakeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::TurnTakeOp op, OpAdaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    Value id = e.add(e.warpgroup(), e.c32(kFirstTurnBarrier));
    e.namedBarrier(id, 256);
    rw.eraseOp(op);
    return success();
  }
};

struct TurnPassLowering : OpConversionPattern<sg::TurnPassOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::TurnPassOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    Value pred = adaptor.getPred();
    APInt c;
    if (matchPattern(pred, m_ConstantInt(&c)) && c.isZero()) {
      rw.eraseOp(op);
      return success();
    }
    auto ifOp = scf::IfOp::create(rw, loc, pred, /*withElse=*/false);
    rw.setInsertionPointToStart(&ifOp.getThenRegion().front());
    Emitter ie(rw, loc);
    // The other of warpgroups 0 and 1.
    Value other = ie.sub(ie.c32(1), ie.warpgroup());
    NVVM::BarrierArriveOp::create(
        rw, loc, ie.add(other, ie.c32(kFirstTurnBarrier)), ie.c32(256));
    rw.eraseOp(op);
    return success();
  }
};
} // namespace

void mlir::skipattn::populateTurnToNVVMPatterns(const TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  patterns.add<TurnTakeLowering, TurnPassLowering>(converter,
                                                   patterns.getContext());
}
