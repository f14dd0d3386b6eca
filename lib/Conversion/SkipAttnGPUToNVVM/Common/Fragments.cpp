//===- Fragments.cpp - softmax math on warpgroup fragments ----------------===//
//
// Accumulator element i of a thread sits in row g (i mod 4 < 2) or g + 8,
// column 8 (i / 4) + 2t + (i mod 2), with g = fragRow(), 2t = fragCol().
// Per-row values are vector<2>: [row g, row g + 8].
//
//===----------------------------------------------------------------------===//

#include "../LoweringUtils.h"
#include "skipattn/Conversion/SkipAttnGPUToNVVM/SkipAttnGPUToNVVM.h"

using namespace mlir;
using namespace mlir::skipattn::lowering;
namespace sg = mlir::skipattn_gpu;

namespace {
bool firstRow(int64_t i) { return i % 4 < 2; }

struct SplatLowering : OpConversionPattern<sg::SplatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::SplatOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (rowPerThread(op.getType()))
      return failure(); // RowFragments.cpp
    Emitter e(rw, op.getLoc());
    Type t = getTypeConverter()->convertType(op.getType());
    if (auto st = dyn_cast<LLVM::LLVMStructType>(t)) {
      // An operand's registers hold pairs of 16-bit values.
      Value x = adaptor.getValue();
      if (auto opT = dyn_cast<sg::OperandType>(op.getType()))
        x = e.packPair(x, x, opT.getElementType());
      SmallVector<Value> v(st.getBody().size(), x);
      rw.replaceOp(op, packStruct(e, st, v));
    } else {
      rw.replaceOp(op, e.vec2(adaptor.getValue(), adaptor.getValue()));
    }
    return success();
  }
};

struct RowLimitsLowering : OpConversionPattern<sg::RowLimitsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::RowLimitsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (rowPerThread(op.getType()))
      return failure(); // RowFragments.cpp
    Emitter e(rw, op.getLoc());
    Value len = e.toI32(adaptor.getKvLen());
    Value sq = e.c32(op.getQLen());
    Value first = e.toI32(adaptor.getFirstRow());
    auto position = [&](int64_t half) {
      Value r = e.add(e.fragRow(), e.c32(8 * half));
      return e.add(first, e.headAndPos(r, op.getRowsPerHead()).second);
    };
    Value start = op.getQStart() ? e.toI32(adaptor.getQStart()) : Value();
    auto limit = [&](Value r) {
      Value lim = len;
      if (op.getCausal())
        lim = e.minS(
            e.maxS(e.sub(e.add(e.add(r, e.c32(1)), len), sq), e.c32(0)), len);
      Value real = e.cmp(arith::CmpIPredicate::slt, r, sq);
      if (start)
        real = e.andI(real, e.cmp(arith::CmpIPredicate::sge, r, start));
      return e.sel(real, lim, e.c32(0));
    };
    rw.replaceOp(op, e.vec2(limit(position(0)), limit(position(1))));
    return success();
  }
};

/// Masks only blocks where one of the thread's rows has a limit inside the
/// block; elsewhere the scores pass through.
struct MaskLowering : OpConversionPattern<sg::MaskOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::MaskOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (rowPerThread(op.getType()))
      return failure(); // RowFragments.cpp
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    int64_t cols = op.getScores().getType().getCols();
    Value s = adaptor.getScores();
    Value kv0 = e.toI32(adaptor.getKvStart());
    Value lim0 = e.vecAt(adaptor.getLimits(), 0);
    Value lim1 = e.vecAt(adaptor.getLimits(), 1);
    Value end = e.add(kv0, e.c32(cols));
    Value need = e.orI(e.cmp(arith::CmpIPredicate::sgt, end, lim0),
                       e.cmp(arith::CmpIPredicate::sgt, end, lim1));
    auto ifOp = scf::IfOp::create(
        rw, loc, need,
        [&](OpBuilder &b, Location l) {
          Emitter ie(b, l);
          // Column col + k of the block is visible iff k < rel - col, with
          // rel - col once per row: compared with the constant k, no
          // column's position is kept. (col + k does not depend on the
          // block; compared with rel it would be hoisted out of the KV
          // loop, one register per column pair held through every block
          // for a mask most blocks skip.)
          Value col = ie.fragCol();
          Value room0 = ie.sub(ie.sub(lim0, kv0), col);
          Value room1 = ie.sub(ie.sub(lim1, kv0), col);
          SmallVector<Value> v = structFields(ie, s);
          for (int64_t i = 0; i < cols / 2; ++i) {
            Value ok =
                ie.cmp(arith::CmpIPredicate::slt, ie.c32(8 * (i / 4) + (i % 2)),
                       firstRow(i) ? room0 : room1);
            v[i] = ie.sel(ok, v[i], ie.cF(-INFINITY));
          }
          scf::YieldOp::create(b, l, packStruct(ie, s.getType(), v));
        },
        [&](OpBuilder &b, Location l) { scf::YieldOp::create(b, l, s); });
    rw.replaceOp(op, ifOp.getResult(0));
    return success();
  }
};

struct RowMaxLowering : OpConversionPattern<sg::RowMaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::RowMaxOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (rowPerThread(op.getType()))
      return failure(); // RowFragments.cpp
    Emitter e(rw, op.getLoc());
    int64_t cols = op.getScores().getType().getCols();
    SmallVector<Value> v = structFields(e, adaptor.getScores());
    SmallVector<Value> row[2];
    for (int64_t i = 0; i < cols / 2; ++i)
      row[firstRow(i) ? 0 : 1].push_back(v[i]);
    // A balanced tree: the maximum is exact in any order, and a chain of
    // cols / 4 dependent FMNMX per row would sit between Q.K^T's wait and
    // the first exponential.
    auto treeMax = [&](SmallVector<Value> xs) {
      while (xs.size() > 1) {
        SmallVector<Value> next;
        for (size_t i = 0; i + 1 < xs.size(); i += 2)
          next.push_back(e.fmax(xs[i], xs[i + 1]));
        if (xs.size() % 2)
          next.push_back(xs.back());
        xs = std::move(next);
      }
      return xs.front();
    };
    Value scale = e.cF(op.getScale().convertToDouble());
    rw.replaceOp(op, e.vec2(e.fmul(e.quadMax(treeMax(row[0])), scale),
                            e.fmul(e.quadMax(treeMax(row[1])), scale)));
    return success();
  }
};

/// skipattn.skip_predicate on fragments: a row may skip iff
/// m_blk - m < log2(lambda) or m_blk = -inf; the warpgroup votes.
struct SkipVoteLowering : OpConversionPattern<sg::SkipVoteOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::SkipVoteOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (rowPerThread(op.getBlockMax().getType()))
      return failure(); // RowFragments.cpp
    Emitter e(rw, op.getLoc());
    Value ll = adaptor.getLog2Lambda();
    auto rowMay = [&](int64_t r) {
      Value mb = e.vecAt(adaptor.getBlockMax(), r);
      Value m = e.vecAt(adaptor.getRowMax(), r);
      Value below = arith::CmpFOp::create(
          rw, op.getLoc(), arith::CmpFPredicate::OLT, e.fsub(mb, m), ll);
      return e.orI(e.isNegInf(mb), below);
    };
    Value mine = e.andI(rowMay(0), rowMay(1));
    rw.replaceOpWithNewOp<sg::VoteAllOp>(op, rw.getI1Type(), mine);
    return success();
  }
};

/// The softmax update shared by online_update and row_update on a
/// warpgroup fragment: the new maxima and exponent bases, the factors
/// alpha, the new row sums and the probabilities.
struct FragmentUpdate {
  SmallVector<Value> mn, base, alpha, l, p;
};

FragmentUpdate updateRows(Emitter &e, Value scores, Value blockMax,
                          Value rowMax, Value rowSum, Value oldBase,
                          double scale, int64_t threshold, int64_t nS) {
  Location loc = e.loc;
  Value c2 = e.cF(scale);
  SmallVector<Value> s = structFields(e, scores);
  FragmentUpdate u;
  SmallVector<Value> nmu(2), sums(2, e.cF(0));
  Value t = e.cF(static_cast<double>(threshold));
  for (int64_t r = 0; r < 2; ++r) {
    Value m = e.vecAt(rowMax, r);
    u.mn.push_back(e.fmax(m, e.vecAt(blockMax, r)));
    // A row with nothing visible yet keeps exponent base 0.
    Value mu = e.sel(e.isNegInf(u.mn[r]), e.cF(0), u.mn[r]);
    Value old = m;
    if (oldBase) {
      // Conditional rescale: the base moves only when the maximum passed
      // it by more than the threshold (or there was none).
      old = e.vecAt(oldBase, r);
      Value grow = arith::CmpFOp::create(e.b, loc, arith::CmpFPredicate::OGT,
                                         e.fsub(u.mn[r], old), t);
      mu = e.sel(e.orI(e.isNegInf(old), grow), mu, old);
    }
    u.base.push_back(mu);
    u.alpha.push_back(e.exp2(e.fsub(old, mu)));
    nmu[r] = arith::NegFOp::create(e.b, loc, mu);
  }
  SmallVector<Value> p;
  for (int64_t i = 0; i < nS / 2; ++i) {
    int64_t r = firstRow(i) ? 0 : 1;
    Value x = e.exp2(math::FmaOp::create(e.b, loc, s[i], c2, nmu[r]));
    p.push_back(x);
    sums[r] = e.fadd(sums[r], x);
  }
  for (int64_t r = 0; r < 2; ++r)
    u.l.push_back(
        math::FmaOp::create(e.b, loc, e.vecAt(rowSum, r), u.alpha[r], sums[r]));
  u.p = std::move(p);
  return u;
}

/// The probabilities as P.V's A operand: neighbouring columns pack into one
/// register.
Value packProbs(Emitter &e, const TypeConverter &tc, ArrayRef<Value> p,
                sg::OperandType probsT) {
  SmallVector<Value> regs;
  for (size_t i = 0; i + 1 < p.size(); i += 2)
    regs.push_back(e.packPair(p[i], p[i + 1], probsT.getElementType()));
  return packStruct(e, tc.convertType(probsT), regs);
}

/// updateRows on an online_update or row_update, and the op's results
/// around `middle` (the scaled accumulator or the factors).
template <typename Op, typename Adaptor>
FragmentUpdate updateOf(Emitter &e, Op op, Adaptor a) {
  return updateRows(e, a.getScores(), a.getBlockMax(), a.getRowMax(),
                    a.getRowSum(), a.getBase(), op.getScale().convertToDouble(),
                    op.getRescaleThreshold(),
                    cast<sg::AccType>(op.getScores().getType()).getCols());
}

/// The probabilities as the op's result type: packed, or (a row_update
/// whose to_operand comes later) the f32 fragment.
template <typename Op>
Value probsResult(Emitter &e, const TypeConverter &tc, Op op,
                  ArrayRef<Value> p) {
  Type t = op.getProbs().getType();
  if (auto packed = dyn_cast<sg::OperandType>(t))
    return packProbs(e, tc, p, packed);
  return packStruct(e, tc.convertType(t), p);
}

template <typename Op>
SmallVector<Value> updateResults(Emitter &e, const TypeConverter &tc, Op op,
                                 const FragmentUpdate &u, Value middle,
                                 bool base) {
  SmallVector<Value> r{e.vec2(u.mn[0], u.mn[1]), e.vec2(u.l[0], u.l[1]), middle,
                       probsResult(e, tc, op, u.p)};
  if (base)
    r.push_back(e.vec2(u.base[0], u.base[1]));
  return r;
}

/// acc * alpha of its row.
Value scaleAcc(Emitter &e, Value acc, ArrayRef<Value> alpha) {
  SmallVector<Value> o = structFields(e, acc);
  for (size_t i = 0; i < o.size(); ++i)
    o[i] = e.fmul(o[i], alpha[firstRow(i) ? 0 : 1]);
  return packStruct(e, acc.getType(), o);
}

struct OnlineUpdateLowering : OpConversionPattern<sg::OnlineUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::OnlineUpdateOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    FragmentUpdate u = updateOf(e, op, adaptor);
    Value acc;
    if (adaptor.getBase()) {
      // The warpgroup rescales only when a row's base moved.
      Value moved =
          e.orI(arith::CmpFOp::create(rw, loc, arith::CmpFPredicate::UNE,
                                      u.alpha[0], e.cF(1.0)),
                arith::CmpFOp::create(rw, loc, arith::CmpFPredicate::UNE,
                                      u.alpha[1], e.cF(1.0)));
      Value any = NVVM::VoteSyncOp::create(rw, loc, e.i1(), e.c32(-1), moved,
                                           NVVM::VoteSyncKind::any);
      auto ifOp = scf::IfOp::create(
          rw, loc, any,
          [&](OpBuilder &b, Location l) {
            Emitter ie(b, l);
            scf::YieldOp::create(b, l, scaleAcc(ie, adaptor.getAcc(), u.alpha));
          },
          [&](OpBuilder &b, Location l) {
            scf::YieldOp::create(b, l, adaptor.getAcc());
          });
      acc = ifOp.getResult(0);
    } else {
      acc = scaleAcc(e, adaptor.getAcc(), u.alpha);
    }
    rw.replaceOp(op, updateResults(e, *getTypeConverter(), op, u, acc,
                                   static_cast<bool>(adaptor.getBase())));
    return success();
  }
};

/// row_update on a warpgroup fragment: the accumulator is scaled later
/// (scale_rows), once the P.V still writing it is done.
struct RowUpdateLowering : OpConversionPattern<sg::RowUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::RowUpdateOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (rowPerThread(op.getScores().getType()))
      return failure(); // RowFragments.cpp
    Emitter e(rw, op.getLoc());
    FragmentUpdate u = updateOf(e, op, adaptor);
    rw.replaceOp(op, updateResults(e, *getTypeConverter(), op, u,
                                   e.vec2(u.alpha[0], u.alpha[1]),
                                   static_cast<bool>(adaptor.getBase())));
    return success();
  }
};

struct ScaleRowsLowering : OpConversionPattern<sg::ScaleRowsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::ScaleRowsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    Value f = adaptor.getFactors();
    rw.replaceOp(op,
                 scaleAcc(e, adaptor.getAcc(), {e.vecAt(f, 0), e.vecAt(f, 1)}));
    return success();
  }
};

struct ToOperandLowering : OpConversionPattern<sg::ToOperandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::ToOperandOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    rw.replaceOp(op, packProbs(e, *getTypeConverter(),
                               structFields(e, adaptor.getValue()),
                               op.getResult().getType()));
    return success();
  }
};
} // namespace

void mlir::skipattn::populateFragmentToNVVMPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<SplatLowering, RowLimitsLowering, MaskLowering, RowMaxLowering,
               SkipVoteLowering, OnlineUpdateLowering, RowUpdateLowering,
               ScaleRowsLowering, ToOperandLowering>(converter,
                                                     patterns.getContext());
}
