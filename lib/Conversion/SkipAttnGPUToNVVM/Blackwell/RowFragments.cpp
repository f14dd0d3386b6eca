//===- RowFragments.cpp - softmax math on 128-row tiles -------------------===//
//
// A 128-row fragment holds one row per thread: thread t of a warpgroup has
// row t (the tensor-memory lane of its warp's quarter), an accumulator is
// the row's columns, a per-row value is one scalar (vector<1>). Row
// reductions are thread-local; the skip unit is the warp, which votes with
// vote.sync. These patterns take precedence over the 64-row (wgmma) ones
// for 128-row types.
//
//===----------------------------------------------------------------------===//

#include "../LoweringUtils.h"
#include "skipattn/Conversion/SkipAttnGPUToNVVM/SkipAttnGPUToNVVM.h"

using namespace mlir;
using namespace mlir::skipattn::lowering;
namespace sg = mlir::skipattn_gpu;

namespace {
constexpr int kBenefit = 2;

/// This thread's row of its warpgroup's tile.
Value threadRow(Emitter &e) { return e.andI(e.tid(), e.c32(127)); }

Value vec1(Emitter &e, Value x) {
  Value v =
      LLVM::UndefOp::create(e.b, e.loc, VectorType::get({1}, x.getType()));
  return LLVM::InsertElementOp::create(e.b, e.loc, v, x, e.c32(0));
}

/// Balanced reduction (short dependency chains for the 128-wide rows).
Value reduce(ArrayRef<Value> v, function_ref<Value(Value, Value)> f) {
  SmallVector<Value> cur(v);
  while (cur.size() > 1) {
    SmallVector<Value> next;
    for (size_t i = 0; i + 1 < cur.size(); i += 2)
      next.push_back(f(cur[i], cur[i + 1]));
    if (cur.size() % 2)
      next.push_back(cur.back());
    cur = std::move(next);
  }
  return cur.front();
}

template <typename Op> struct RowPattern : OpConversionPattern<Op> {
  RowPattern(const TypeConverter &c, MLIRContext *ctx)
      : OpConversionPattern<Op>(c, ctx, kBenefit) {}
};

struct SplatLowering : RowPattern<sg::SplatOp> {
  using RowPattern::RowPattern;
  LogicalResult matchAndRewrite(sg::SplatOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (!rowPerThread(op.getType()))
      return failure();
    Emitter e(rw, op.getLoc());
    Type t = getTypeConverter()->convertType(op.getType());
    Value x = adaptor.getValue();
    if (auto o = dyn_cast<sg::OperandType>(op.getType())) {
      Value word = e.packPair(x, x, o.getElementType());
      auto st = cast<LLVM::LLVMStructType>(t);
      rw.replaceOp(
          op, packStruct(e, st, SmallVector<Value>(st.getBody().size(), word)));
    } else if (auto st = dyn_cast<LLVM::LLVMStructType>(t)) {
      rw.replaceOp(
          op, packStruct(e, st, SmallVector<Value>(st.getBody().size(), x)));
    } else {
      rw.replaceOp(op, vec1(e, x));
    }
    return success();
  }
};

struct RowLimitsLowering : RowPattern<sg::RowLimitsOp> {
  using RowPattern::RowPattern;
  LogicalResult matchAndRewrite(sg::RowLimitsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (!rowPerThread(op.getType()))
      return failure();
    Emitter e(rw, op.getLoc());
    Value len = e.toI32(adaptor.getKvLen());
    Value sq = e.c32(op.getQLen());
    Value r = e.add(e.toI32(adaptor.getFirstRow()),
                    e.headAndPos(threadRow(e), op.getRowsPerHead()).second);
    Value lim = len;
    if (op.getCausal())
      lim = e.minS(e.maxS(e.sub(e.add(e.add(r, e.c32(1)), len), sq), e.c32(0)),
                   len);
    Value real = e.cmp(arith::CmpIPredicate::slt, r, sq);
    if (op.getQStart())
      real = e.andI(real, e.cmp(arith::CmpIPredicate::sge, r,
                                e.toI32(adaptor.getQStart())));
    rw.replaceOp(op, vec1(e, e.sel(real, lim, e.c32(0))));
    return success();
  }
};

/// Masks in place, without a branch: a branch would merge two copies of the
/// 128-column row (a phi ptxas cannot always keep in registers beside the
/// skip vote's state). Columns at or past the row's limit become -inf.
struct MaskLowering : RowPattern<sg::MaskOp> {
  using RowPattern::RowPattern;
  LogicalResult matchAndRewrite(sg::MaskOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (!rowPerThread(op.getType()))
      return failure();
    Emitter e(rw, op.getLoc());
    Value s = adaptor.getScores();
    Value rel =
        e.sub(e.vecAt(adaptor.getLimits(), 0), e.toI32(adaptor.getKvStart()));
    SmallVector<Value> v = structFields(e, s);
    for (auto [c, x] : llvm::enumerate(v))
      x = e.sel(e.cmp(arith::CmpIPredicate::slt, e.c32(c), rel), x,
                e.cF(-INFINITY));
    rw.replaceOp(op, packStruct(e, s.getType(), v));
    return success();
  }
};

struct RowMaxLowering : RowPattern<sg::RowMaxOp> {
  using RowPattern::RowPattern;
  LogicalResult matchAndRewrite(sg::RowMaxOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (!rowPerThread(op.getType()))
      return failure();
    Emitter e(rw, op.getLoc());
    Value mx = reduce(structFields(e, adaptor.getScores()),
                      [&](Value a, Value b) { return e.fmax(a, b); });
    rw.replaceOp(op,
                 vec1(e, e.fmul(mx, e.cF(op.getScale().convertToDouble()))));
    return success();
  }
};

/// The warp (the skip unit) skips when every one of its rows may.
struct SkipVoteLowering : RowPattern<sg::SkipVoteOp> {
  using RowPattern::RowPattern;
  LogicalResult matchAndRewrite(sg::SkipVoteOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (!rowPerThread(op.getBlockMax().getType()))
      return failure();
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    Value mb = e.vecAt(adaptor.getBlockMax(), 0);
    Value m = e.vecAt(adaptor.getRowMax(), 0);
    Value below = arith::CmpFOp::create(rw, loc, arith::CmpFPredicate::OLT,
                                        e.fsub(mb, m), adaptor.getLog2Lambda());
    Value mine = e.orI(e.isNegInf(mb), below);
    rw.replaceOp(op, NVVM::VoteSyncOp::create(rw, loc, e.i1(), e.c32(-1), mine,
                                              NVVM::VoteSyncKind::all));
    return success();
  }
};

struct RowUpdateLowering : RowPattern<sg::RowUpdateOp> {
  using RowPattern::RowPattern;
  LogicalResult matchAndRewrite(sg::RowUpdateOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (!rowPerThread(op.getScores().getType()))
      return failure(); // Fragments.cpp
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    Type elt = cast<sg::OperandType>(op.getProbs().getType()).getElementType();
    Value c2 = e.cF(op.getScale().convertToDouble());
    Value m = e.vecAt(adaptor.getRowMax(), 0);
    Value mn = e.fmax(m, e.vecAt(adaptor.getBlockMax(), 0));
    // A row with nothing visible yet keeps exponent base 0.
    Value mu = e.sel(e.isNegInf(mn), e.cF(0), mn);
    Value old = m;
    if (adaptor.getBase()) {
      // Conditional rescale: the base moves only when the maximum passed
      // it by more than the threshold (or there was none).
      old = e.vecAt(adaptor.getBase(), 0);
      Value grow = arith::CmpFOp::create(
          rw, loc, arith::CmpFPredicate::OGT, e.fsub(mn, old),
          e.cF(static_cast<double>(op.getRescaleThreshold())));
      mu = e.sel(e.orI(e.isNegInf(old), grow), mu, old);
    }
    Value alpha = e.exp2(e.fsub(old, mu));
    Value nmu = arith::NegFOp::create(rw, loc, mu);
    // Column pairs in order: each pair is exponentiated, packed and added
    // to one of four running sums, so a score dies as its probability is
    // made (a row of S, its P and the sums never all live at once).
    SmallVector<Value> s = structFields(e, adaptor.getScores());
    SmallVector<Value> sums(4, e.cF(0)), regs;
    for (size_t i = 0; i + 1 < s.size(); i += 2) {
      Value lo = e.exp2(math::FmaOp::create(rw, loc, s[i], c2, nmu));
      Value hi = e.exp2(math::FmaOp::create(rw, loc, s[i + 1], c2, nmu));
      Value &acc = sums[(i / 2) % 4];
      acc = e.fadd(acc, e.fadd(lo, hi));
      regs.push_back(e.packPair(lo, hi, elt));
    }
    Value sum = reduce(sums, [&](Value a, Value b) { return e.fadd(a, b); });
    Value l = math::FmaOp::create(rw, loc, e.vecAt(adaptor.getRowSum(), 0),
                                  alpha, sum);
    Type pT = getTypeConverter()->convertType(op.getProbs().getType());
    SmallVector<Value> results{vec1(e, mn), vec1(e, l), vec1(e, alpha),
                               packStruct(e, pT, regs)};
    if (adaptor.getBase())
      results.push_back(vec1(e, mu));
    rw.replaceOp(op, results);
    return success();
  }
};

/// Each thread writes its row: column pairs as 32-bit words (f16/bf16) or
/// f32 pairs as 64-bit stores.
struct StoreTileLowering : RowPattern<sg::StoreTileOp> {
  using RowPattern::RowPattern;
  LogicalResult matchAndRewrite(sg::StoreTileOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (!rowPerThread(op.getAcc().getType()))
      return failure();
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    int64_t d = op.getAcc().getType().getCols();
    Type elt = op.getElementType();
    ArrayRef<int64_t> strides = op.getStrides();
    auto gptr = LLVM::LLVMPointerType::get(rw.getContext(), 1);
    auto [headOff, pos] = e.headAndPos(threadRow(e), op.getRowsPerHead());
    Value row = e.add(e.toI32(adaptor.getFirstRow()), pos);
    Value l = e.vecAt(adaptor.getRowSum(), 0);
    Value inv = e.rowScale(l);
    SmallVector<Value> o = structFields(e, adaptor.getAcc());
    auto i64 = [&](Emitter &ie, Value v) {
      return v.getType().isIndex()
                 ? arith::IndexCastOp::create(ie.b, loc, ie.i64(), v)
                       .getResult()
                 : arith::ExtUIOp::create(ie.b, loc, ie.i64(), v).getResult();
    };
    guarded(
        e, e.cmp(arith::CmpIPredicate::slt, row, e.c32(op.getQLen())),
        [&](Emitter &ie) {
          Value off = ie.add(
              ie.add(
                  ie.mul(i64(ie, adaptor.getBatch()), ie.c64(strides[0])),
                  ie.mul(ie.add(i64(ie, adaptor.getHead()), i64(ie, headOff)),
                         ie.c64(strides[1]))),
              ie.mul(i64(ie, row), ie.c64(strides[2])));
          for (int64_t c = 0; c < d; c += 2) {
            Value lo = ie.fmul(o[c], inv), hi = ie.fmul(o[c + 1], inv);
            if (elt.isF32()) {
              Value pair = ie.vec2(lo, hi);
              Value ptr = LLVM::GEPOp::create(
                  ie.b, loc, gptr, ie.f32(), adaptor.getOut(),
                  ValueRange{ie.add(off, ie.c64(c))});
              LLVM::StoreOp::create(ie.b, loc, pair, ptr, /*align=*/8);
              continue;
            }
            Value ptr = LLVM::GEPOp::create(
                ie.b, loc, gptr, ie.i32(), adaptor.getOut(),
                ValueRange{ie.add(ie.divu(off, ie.c64(2)), ie.c64(c / 2))});
            LLVM::StoreOp::create(ie.b, loc, ie.packPair(lo, hi, elt), ptr);
          }
        });
    rw.eraseOp(op);
    return success();
  }
};

/// Each thread stages its row as 16-byte chunks (four column pairs): the
/// eight rows of a quarter-warp's stores fall in eight different chunk
/// places of their swizzle atom, so no two share banks.
struct TmaStoreTileLowering : RowPattern<sg::TmaStoreTileOp> {
  using RowPattern::RowPattern;
  LogicalResult matchAndRewrite(sg::TmaStoreTileOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (!rowPerThread(op.getAcc().getType()))
      return failure();
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    int64_t d = op.getAcc().getType().getCols();
    int64_t pitch = op.getStage().getType().getPitch();
    Type elt = op.getStage().getType().getElementType();
    Value row = threadRow(e);
    Value l = e.vecAt(adaptor.getRowSum(), 0);
    Value inv = e.rowScale(l);
    SmallVector<Value> o = structFields(e, adaptor.getAcc());
    auto quad = VectorType::get({4}, e.i32());
    for (int64_t chunk = 0; chunk < d / 8; ++chunk) {
      Value v = LLVM::UndefOp::create(rw, loc, quad);
      for (int64_t k = 0; k < 4; ++k) {
        int64_t c = 8 * chunk + 2 * k;
        Value word = e.packPair(e.fmul(o[c], inv), e.fmul(o[c + 1], inv), elt);
        v = LLVM::InsertElementOp::create(rw, loc, v, word, e.c32(k));
      }
      Value at = stagedChunk(e, adaptor.getStage(), pitch, row, chunk);
      LLVM::StoreOp::create(rw, loc, v, e.sharedPtr(at), /*align=*/16);
    }
    storeStagedTile(e, op, adaptor.getStage(), adaptor.getDesc(),
                    adaptor.getFirstRow(), adaptor.getHead(),
                    adaptor.getBatch());
    rw.eraseOp(op);
    return success();
  }
};

struct StoreLseLowering : RowPattern<sg::StoreLseOp> {
  using RowPattern::RowPattern;
  LogicalResult matchAndRewrite(sg::StoreLseOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (!rowPerThread(op.getRowMax().getType()))
      return failure();
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    auto gptr = LLVM::LLVMPointerType::get(rw.getContext(), 1);
    auto [headOff, pos] = e.headAndPos(threadRow(e), op.getRowsPerHead());
    Value row = e.add(e.toI32(adaptor.getFirstRow()), pos);
    Value m = e.vecAt(adaptor.getRowMax(), 0);
    Value l = e.vecAt(adaptor.getRowSum(), 0);
    guarded(e, e.cmp(arith::CmpIPredicate::slt, row, e.c32(op.getQLen())),
            [&](Emitter &ie) {
              Value lse = ie.fmul(
                  ie.fadd(m, math::Log2Op::create(ie.b, loc, l)), ie.cF(M_LN2));
              Value plane = arith::IndexCastOp::create(
                  ie.b, loc, ie.i64(),
                  ie.add(adaptor.getPlane(), ie.toIdx(headOff)));
              Value i =
                  ie.add(ie.mul(plane, ie.c64(op.getQLen())),
                         arith::ExtUIOp::create(ie.b, loc, ie.i64(), row));
              Value ptr = LLVM::GEPOp::create(ie.b, loc, gptr, ie.f32(),
                                              adaptor.getLse(), ValueRange{i});
              LLVM::StoreOp::create(ie.b, loc, lse, ptr);
            });
    rw.eraseOp(op);
    return success();
  }
};
} // namespace

void mlir::skipattn::populateRowFragmentToNVVMPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<SplatLowering, RowLimitsLowering, MaskLowering, RowMaxLowering,
               SkipVoteLowering, RowUpdateLowering, StoreTileLowering,
               TmaStoreTileLowering, StoreLseLowering>(converter,
                                                       patterns.getContext());
}
