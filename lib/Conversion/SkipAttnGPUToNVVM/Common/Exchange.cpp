//===- Exchange.cpp - values shared by the warpgroups of a value split ----===//
//
// The two math warpgroups of a value split hold the same rows: thread t of
// one and thread t of the other hold the same fragment positions. An
// exchange writes this warpgroup's registers to shared memory, meets the
// other warpgroup on a named barrier (256 threads) and reads the other's
// registers back.
//
//===----------------------------------------------------------------------===//

#include "../LoweringUtils.h"
#include "skipattn/Conversion/SkipAttnGPUToNVVM/SkipAttnGPUToNVVM.h"

using namespace mlir;
using namespace mlir::skipattn::lowering;
namespace sg = mlir::skipattn_gpu;

namespace {
Value pointerAt(Emitter &e, int64_t offset, Value bytes) {
  return e.sharedPtr(e.add(e.sharedAt(e.c32(offset)), bytes));
}

void store(Emitter &e, Value v, Value ptr, unsigned align) {
  LLVM::StoreOp::create(e.b, e.loc, v, ptr, align);
}

Value load(Emitter &e, Type t, Value ptr, unsigned align) {
  return LLVM::LoadOp::create(e.b, e.loc, t, ptr, align);
}

struct ExchangeRowsLowering : OpConversionPattern<sg::ExchangeRowsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::ExchangeRowsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    Value w = e.andI(e.warpgroup(), e.c32(1));
    Value other = e.sub(e.c32(1), w);
    Value v = adaptor.getValue();
    if (op.getBarrierFirst())
      e.namedBarrier(e.c32(kExchangeBarrier), 256);
    Value a, b;
    if (op.getCombine() == "max") {
      // Full rows: one writer per row (the quad's first thread), 64 floats
      // per warpgroup; rows r and r + 8 of the thread's fragment.
      Value row = e.fragRow();
      Value base = adaptor.getParity()
                       ? e.mul(e.toI32(adaptor.getParity()), e.c32(512))
                       : e.c32(0);
      auto at = [&](Value wg, Value r) {
        return pointerAt(
            e, op.getOffset(),
            e.add(base, e.mul(e.add(e.mul(wg, e.c32(64)), r), e.c32(4))));
      };
      Value writer =
          e.cmp(arith::CmpIPredicate::eq, e.andI(e.tid(), e.c32(3)), e.c32(0));
      guarded(e, writer, [&](Emitter &ie) {
        store(ie, ie.vecAt(v, 0), at(w, row), 4);
        store(ie, ie.vecAt(v, 1), at(w, e.add(row, e.c32(8))), 4);
      });
      e.namedBarrier(e.c32(kExchangeBarrier), 256);
      a = load(e, e.f32(), at(other, row), 4);
      b = load(e, e.f32(), at(other, e.add(row, e.c32(8))), 4);
      rw.replaceOp(op,
                   e.vec2(e.fmax(e.vecAt(v, 0), a), e.fmax(e.vecAt(v, 1), b)));
      return success();
    }
    // Partial rows: each thread's pair, 128 pairs per warpgroup.
    Value t = e.andI(e.tid(), e.c32(127));
    auto at = [&](Value wg) {
      return pointerAt(e, op.getOffset(),
                       e.mul(e.add(e.mul(wg, e.c32(128)), t), e.c32(8)));
    };
    store(e, v, at(w), 8);
    e.namedBarrier(e.c32(kExchangeBarrier), 256);
    Value theirs = load(e, v.getType(), at(other), 8);
    rw.replaceOp(op, arith::AddFOp::create(rw, op.getLoc(), v, theirs));
    return success();
  }
};

struct ExchangeProbsLowering : OpConversionPattern<sg::ExchangeProbsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::ExchangeProbsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    Value w = e.andI(e.warpgroup(), e.c32(1));
    Value other = e.sub(e.c32(1), w);
    SmallVector<Value> mine = structFields(e, adaptor.getProbs());
    int64_t n = mine.size();
    if (n % 4)
      return rw.notifyMatchFailure(op, "operand registers not in fours");
    // Each thread's registers, 16 bytes at a time.
    Value t = e.andI(e.tid(), e.c32(127));
    auto v4 = VectorType::get({4}, e.i32());
    auto at = [&](Value wg, int64_t quad) {
      Value slot = e.add(e.mul(wg, e.c32(128)), t);
      return pointerAt(e, op.getOffset(),
                       e.add(e.mul(slot, e.c32(n * 4)), e.c32(quad * 16)));
    };
    for (int64_t q = 0; q < n / 4; ++q) {
      Value v = LLVM::UndefOp::create(rw, op.getLoc(), v4);
      for (int64_t j = 0; j < 4; ++j)
        v = LLVM::InsertElementOp::create(rw, op.getLoc(), v, mine[4 * q + j],
                                          e.c32(j));
      store(e, v, at(w, q), 16);
    }
    e.namedBarrier(e.c32(kExchangeBarrier), 256);
    SmallVector<Value> theirs;
    for (int64_t q = 0; q < n / 4; ++q) {
      Value v = load(e, v4, at(other, q), 16);
      for (int64_t j = 0; j < 4; ++j)
        theirs.push_back(e.vecAt(v, j));
    }
    // Warpgroup 0's keys come first.
    Value first = e.cmp(arith::CmpIPredicate::eq, w, e.c32(0));
    SmallVector<Value> all;
    for (int64_t i = 0; i < n; ++i)
      all.push_back(e.sel(first, mine[i], theirs[i]));
    for (int64_t i = 0; i < n; ++i)
      all.push_back(e.sel(first, theirs[i], mine[i]));
    rw.replaceOp(
        op,
        packStruct(e, getTypeConverter()->convertType(op.getResult().getType()),
                   all));
    return success();
  }
};
} // namespace

void mlir::skipattn::populateExchangeToNVVMPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ExchangeRowsLowering, ExchangeProbsLowering>(
      converter, patterns.getContext());
}
