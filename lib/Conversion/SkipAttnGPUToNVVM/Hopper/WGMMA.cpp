//===- WGMMA.cpp - sm_90a warpgroup MMA -----------------------------------===//
//
// skipattn_gpu.mma becomes wgmma.mma_async m64nNk16 steps over K with f32
// accumulation, issued between a fence and a commit; mma_wait is the
// wait_group. Operands in shared memory are described by 128-byte-swizzle
// matrix descriptors over the tile's 64-column boxes. With A in registers
// (P.V) there is no NVVM op in MLIR 22: that form is one instruction of
// inline PTX, emitted only here.
//
//===----------------------------------------------------------------------===//

#include "../LoweringUtils.h"
#include "skipattn/Conversion/SkipAttnGPUToNVVM/SkipAttnGPUToNVVM.h"

using namespace mlir;
using namespace mlir::skipattn::lowering;
namespace sg = mlir::skipattn_gpu;

namespace {
/// Shared-memory matrix descriptor of a 128-byte-swizzled operand at byte
/// address `addr` (PTX ISA, "matrix descriptor"): leading and stride byte
/// offsets, swizzle mode 1 (128 bytes) in bits 62-63.
Value descriptor(Emitter &e, Value addr, int64_t lbo, int64_t sbo) {
  return smemDescriptor(e, addr, lbo, sbo, uint64_t(1) << 62);
}

NVVM::WGMMATypes wgmmaType(Type t) {
  return t.isBF16() ? NVVM::WGMMATypes::bf16 : NVVM::WGMMATypes::f16;
}

/// A . B with both operands in shared memory, B K-major (Q.K^T): K steps of
/// 16 walk 32 bytes inside a 128-byte box row, then the next box.
Value sharedA(Emitter &e, sg::MmaOp op, Value a, Value b, Value acc) {
  MLIRContext *ctx = e.b.getContext();
  auto aT = cast<sg::SmemType>(op.getA().getType());
  auto bT = cast<sg::SmemType>(op.getB().getType());
  int64_t n = op.getResult().getType().getCols();
  Type accT = accStructType(ctx, n);
  auto wt = wgmmaType(aT.getElementType());
  for (int64_t kk = 0; kk < aT.getCols() / 16; ++kk) {
    int64_t inAtom = (kk % 4) * 32;
    Value aAddr = e.add(a, e.c32((kk / 4) * aT.getPitch() * 128 + inAtom));
    Value bAddr = e.add(b, e.c32((kk / 4) * bT.getPitch() * 128 + inAtom));
    // K-major, 128-byte swizzle: 8-row groups 1024 bytes apart; the leading
    // offset is unused for swizzled K-major operands.
    Value da = descriptor(e, aAddr, 16, 1024);
    Value db = descriptor(e, bAddr, 16, 1024);
    bool zero = !acc && kk == 0;
    acc = NVVM::WgmmaMmaAsyncOp::create(
        e.b, e.loc, accT, acc ? acc : LLVM::ZeroOp::create(e.b, e.loc, accT),
        da, db, NVVM::MMAShapeAttr::get(ctx, 64, n, 16),
        NVVM::WGMMATypesAttr::get(ctx, wt), NVVM::WGMMATypesAttr::get(ctx, wt),
        NVVM::WGMMATypesAttr::get(ctx, NVVM::WGMMATypes::f32),
        NVVM::WGMMAScaleOutAttr::get(ctx, zero ? NVVM::WGMMAScaleOut::zero
                                               : NVVM::WGMMAScaleOut::one),
        NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one),
        NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one),
        NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::row),
        NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::col),
        NVVM::MMAIntOverflowAttr());
  }
  return acc;
}

/// The text and constraints of one register-A wgmma step: D tied to the
/// accumulator registers, A four 32-bit registers, B a descriptor.
std::pair<std::string, std::string> registerAStep(int64_t n, Type elt) {
  std::string ty = elt.isBF16() ? "bf16" : "f16";
  int64_t regs = n / 2;
  std::string text = "{\n.reg .pred p;\nsetp.ne.b32 p, $" +
                     std::to_string(regs + 5) +
                     ", 0;\nwgmma.mma_async.sync.aligned.m64n" +
                     std::to_string(n) + "k16.f32." + ty + "." + ty + " {";
  for (int64_t i = 0; i < regs; ++i)
    text += (i ? ", $" : "$") + std::to_string(i);
  text += "}, {$" + std::to_string(regs) + ", $" + std::to_string(regs + 1) +
          ", $" + std::to_string(regs + 2) + ", $" + std::to_string(regs + 3) +
          "}, $" + std::to_string(regs + 4) + ", p, 1, 1, 1;\n}";
  std::string cons;
  for (int64_t i = 0; i < regs; ++i)
    cons += "=f,";
  cons += "r,r,r,r,l,r";
  for (int64_t i = 0; i < regs; ++i)
    cons += "," + std::to_string(i);
  return {text, cons};
}

/// P . V with P in registers and V MN-major (D contiguous): K steps of 16
/// rows are 16 * 128 bytes apart, 64-column boxes `pitch * 128` bytes apart
/// (leading offset), 8-row groups 1024 bytes apart (stride).
Value registerA(Emitter &e, sg::MmaOp op, Value p, Value b, Value acc) {
  MLIRContext *ctx = e.b.getContext();
  auto aT = cast<sg::OperandType>(op.getA().getType());
  auto bT = cast<sg::SmemType>(op.getB().getType());
  int64_t n = op.getResult().getType().getCols();
  Type accT = accStructType(ctx, n);
  auto [text, cons] = registerAStep(n, aT.getElementType());
  SmallVector<Value> cur;
  for (int64_t i = 0; i < n / 2; ++i)
    cur.push_back(acc ? e.extract(acc, i) : e.cF(0));
  Value result;
  for (int64_t kk = 0; kk < aT.getCols() / 16; ++kk) {
    Value dv = descriptor(e, e.add(b, e.c32(kk * 16 * 128)),
                          bT.getPitch() * 128, 1024);
    SmallVector<Value> ops;
    for (int64_t j = 0; j < 4; ++j)
      ops.push_back(e.extract(p, 4 * kk + j));
    ops.push_back(dv);
    ops.push_back(e.c32(1));
    ops.append(cur);
    result =
        LLVM::InlineAsmOp::create(
            e.b, e.loc, accT, ops, text, cons, /*has_side_effects=*/true,
            /*is_align_stack=*/false, LLVM::tailcallkind::TailCallKind::None,
            LLVM::AsmDialectAttr::get(ctx, LLVM::AsmDialect::AD_ATT),
            ArrayAttr())
            .getResult(0);
    if (kk + 1 < aT.getCols() / 16)
      for (int64_t i = 0; i < n / 2; ++i)
        cur[i] = e.extract(result, i);
  }
  return result;
}

struct MmaLowering : OpConversionPattern<sg::MmaOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::MmaOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    NVVM::WgmmaFenceAlignedOp::create(rw, op.getLoc());
    Value r =
        isa<sg::SmemType>(op.getA().getType())
            ? sharedA(e, op, adaptor.getA(), adaptor.getB(), adaptor.getAcc())
            : registerA(e, op, adaptor.getA(), adaptor.getB(),
                        adaptor.getAcc());
    NVVM::WgmmaGroupSyncAlignedOp::create(rw, op.getLoc());
    rw.replaceOp(op, r);
    return success();
  }
};

struct MmaWaitLowering : OpConversionPattern<sg::MmaWaitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::MmaWaitOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    NVVM::WgmmaWaitGroupSyncOp::create(rw, op.getLoc(),
                                       rw.getI64IntegerAttr(op.getPending()));
    rw.replaceOp(op, adaptor.getMma());
    return success();
  }
};
} // namespace

void mlir::skipattn::populateHopperMMAToNVVMPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<MmaLowering, MmaWaitLowering>(converter, patterns.getContext());
}
