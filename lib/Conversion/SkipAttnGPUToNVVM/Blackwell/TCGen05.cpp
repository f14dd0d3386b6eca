//===- TCGen05.cpp - sm_100a tensor-memory MMA ----------------------------===//
//
// skipattn_gpu.mma_tmem becomes K / 16 tcgen05.mma (kind::f16, one CTA)
// issued by the calling thread: D in tensor memory, B (and A when it is
// Q) by shared-memory descriptors over the tiles' 128-byte-swizzled 64-
// column boxes, A from tensor memory when it is P. The instruction
// descriptor has no MLIR op: it is the i32 the PTX ISA defines ("Instruction
// descriptor", kind::f16), built here once.
//
//===----------------------------------------------------------------------===//

#include "../LoweringUtils.h"
#include "skipattn/Conversion/SkipAttnGPUToNVVM/SkipAttnGPUToNVVM.h"

using namespace mlir;
using namespace mlir::skipattn::lowering;
namespace sg = mlir::skipattn_gpu;

namespace {
/// Shared-memory descriptor of tcgen05 (PTX ISA "matrix descriptor"): start
/// address, leading and stride byte offsets (16-byte units), the fixed
/// version bits 46-48 = 0b001, base offset 0, and the layout 2 (128-byte
/// swizzle) in bits 61-63.
Value descriptor(Emitter &e, Value addr, int64_t lbo, int64_t sbo) {
  return smemDescriptor(e, addr, lbo, sbo,
                        (uint64_t(1) << 46) | (uint64_t(2) << 61));
}

/// Instruction descriptor of kind::f16 with f32 D: D format 1 (bits 4-5),
/// A and B formats (bits 7-9, 10-12: 0 f16, 1 bf16), B transposed (bit 16)
/// when MN-major, N >> 3 (bits 17-22), M >> 4 (bits 24-28). A is K-major
/// (bit 15 clear) in both products.
uint32_t instrDescriptor(Type elt, bool bMN, int64_t m, int64_t n) {
  uint32_t fmt = elt.isBF16() ? 1 : 0;
  return (1u << 4) | (fmt << 7) | (fmt << 10) | (uint32_t(bMN) << 16) |
         (uint32_t(n >> 3) << 17) | (uint32_t(m >> 4) << 24);
}

struct MmaTmemLowering : OpConversionPattern<sg::MmaTmemOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::MmaTmemOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    auto bT = cast<sg::SmemType>(op.getB().getType());
    bool bMN = op.getBMajor() == sg::Major::mn;
    int64_t n = op.getN(), k = op.getK();
    auto p6 = LLVM::LLVMPointerType::get(rw.getContext(), 6);
    auto tptr = [&](Value addr) {
      return LLVM::IntToPtrOp::create(rw, loc, p6, addr).getResult();
    };
    Value d = tptr(e.add(adaptor.getD(), e.c32(op.getDColumn())));
    Value idesc = e.c32(static_cast<int32_t>(
        instrDescriptor(bT.getElementType(), bMN, sg::kTmemLanes, n)));
    auto aSmem = dyn_cast<sg::SmemType>(op.getA().getType());
    for (int64_t kk = 0; kk < k / 16; ++kk) {
      Value a, b;
      if (aSmem) {
        // Q.K^T: both K-major; K steps of 16 walk 32 bytes inside a
        // 128-byte box row, then the next 64-column box. Eight-row groups
        // are 1024 bytes apart; the leading offset is unused.
        int64_t inAtom = (kk % 4) * 32;
        a = descriptor(e,
                       e.add(adaptor.getA(),
                             e.c32((kk / 4) * aSmem.getPitch() * 128 + inAtom)),
                       16, 1024);
        b = descriptor(e,
                       e.add(adaptor.getB(),
                             e.c32((kk / 4) * bT.getPitch() * 128 + inAtom)),
                       16, 1024);
      } else {
        // P.V: P's K steps are 8 columns of packed pairs; V MN-major, its
        // K steps 16 rows (16 x 128 bytes) apart, 64-column boxes
        // pitch x 128 bytes apart (leading), 8-row groups 1024 (stride).
        a = tptr(e.add(adaptor.getA(), e.c32(op.getAColumn() + 8 * kk)));
        b = descriptor(e, e.add(adaptor.getB(), e.c32(kk * 16 * 128)),
                       bT.getPitch() * 128, 1024);
      }
      Value enable = kk == 0 ? adaptor.getAccumulate() : e.cBool(true);
      NVVM::Tcgen05MMAOp::create(
          rw, loc, NVVM::Tcgen05MMAKind::F16, NVVM::CTAGroupKind::CTA_1,
          NVVM::Tcgen05MMACollectorOp::DISCARD, /*aShift=*/false, d, a, b,
          idesc, enable, Value(), Value());
    }
    rw.eraseOp(op);
    return success();
  }
};
} // namespace

void mlir::skipattn::populateBlackwellMMAToNVVMPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<MmaTmemLowering>(converter, patterns.getContext());
}
