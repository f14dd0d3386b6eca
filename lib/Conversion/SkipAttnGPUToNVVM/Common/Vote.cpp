//===- Vote.cpp - the warpgroup vote --------------------------------------===//
//
// NVVM's barrier op reduces only on barrier 0 (the whole CTA); a warpgroup
// votes on its own named barrier 1 + warpgroup with bar.red.and.pred, one
// instruction of inline PTX, emitted only here.
//
//===----------------------------------------------------------------------===//

#include "../LoweringUtils.h"
#include "skipattn/Conversion/SkipAttnGPUToNVVM/SkipAttnGPUToNVVM.h"

using namespace mlir;
using namespace mlir::skipattn::lowering;
namespace sg = mlir::skipattn_gpu;

namespace {
struct VoteAllLowering : OpConversionPattern<sg::VoteAllOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::VoteAllOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    Value flag =
        arith::ExtUIOp::create(rw, op.getLoc(), e.i32(), adaptor.getPred());
    Value id = e.add(e.warpgroup(), e.c32(1));
    auto asmOp = LLVM::InlineAsmOp::create(
        rw, op.getLoc(), e.i32(), ValueRange{flag, id},
        "{ .reg .pred p, q; setp.ne.b32 p, $1, 0; "
        "bar.red.and.pred q, $2, 128, p; selp.b32 $0, 1, 0, q; }",
        "=r,r,r", /*has_side_effects=*/true, /*is_align_stack=*/false,
        LLVM::tailcallkind::TailCallKind::None,
        LLVM::AsmDialectAttr::get(rw.getContext(), LLVM::AsmDialect::AD_ATT),
        ArrayAttr());
    rw.replaceOp(op,
                 e.cmp(arith::CmpIPredicate::ne, asmOp.getResult(0), e.c32(0)));
    return success();
  }
};
} // namespace

void mlir::skipattn::populateVoteToNVVMPatterns(const TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  patterns.add<VoteAllLowering>(converter, patterns.getContext());
}
