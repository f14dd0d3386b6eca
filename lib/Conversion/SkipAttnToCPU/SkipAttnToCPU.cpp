//===- SkipAttnToCPU.cpp - blocked skipattn IR to CPU vector loops --------===//
//
// Each blocked op becomes loops over tile rows whose inner dimension is one
// `vector` value (a whole score row of block_kv lanes, or a whole head-dim
// row), so that LLVM keeps a few rows of accumulators in SIMD registers:
//
//   Q.K^T : s[r, :] += q[r, d] * kT[d, :]   (broadcast-FMA, scoreRows rows)
//   P.V   : acc[r, :] += p[r, c] * v[c, :]  (broadcast-FMA, pvRows rows)
//
// f16/bf16 inputs are widened on load; all arithmetic is f32. With an
// unscaled bf16 Q tile (bf16 products), Q.K^T multiplies bf16 pairs on
// AVX-512 BF16 instead: s[r, c] += q[r, 2j:2j+2] . k[c, 2j:2j+2] over
// K packed as pairs, kP[j, c] (one 32-bit pair per key), 16 keys a vector
// (x86vector.avx512.dot); the products of bf16 values are exact in f32.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Conversion/SkipAttnToCPU/SkipAttnToCPU.h"
#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace mlir::skipattn {
#define GEN_PASS_DEF_CONVERTSKIPATTNTOCPU
#include "skipattn/Conversion/Passes.h.inc"
} // namespace mlir::skipattn

using namespace mlir;
using namespace mlir::skipattn;

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

/// Small builder helper: constants and the few idioms every lowering uses.
struct Emitter {
  OpBuilder &b;
  Location loc;
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32(float v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  VectorType vecTy(int64_t n) { return VectorType::get({n}, b.getF32Type()); }
  Value splat(float v, int64_t n) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vecTy(n), b.getF32FloatAttr(v)));
  }
  Value bcast(Value s, int64_t n) {
    return vector::BroadcastOp::create(b, loc, vecTy(n), s);
  }
  /// Loads n consecutive elements as f32 (widening f16/bf16).
  Value loadF32(Value mem, ValueRange indices, int64_t n) {
    Type et = cast<MemRefType>(mem.getType()).getElementType();
    Value v =
        vector::LoadOp::create(b, loc, VectorType::get({n}, et), mem, indices);
    if (!et.isF32())
      v = arith::ExtFOp::create(b, loc, vecTy(n), v);
    return v;
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value minS(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value maxS(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value ult(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }
  /// Number of valid keys of a block: clamp(len - start, 0, n).
  Value validKeys(Value len, Value start, int64_t n) {
    return minS(maxS(sub(len, start), idx(0)), idx(n));
  }
  template <typename F> void forRange(Value lo, Value hi, Value step, F body) {
    scf::ForOp::create(b, loc, lo, hi, step, ValueRange(),
                       [&](OpBuilder &nb, Location, Value iv, ValueRange) {
                         OpBuilder::InsertionGuard g(b);
                         b.setInsertionPoint(nb.getInsertionBlock(),
                                             nb.getInsertionPoint());
                         body(iv);
                         scf::YieldOp::create(b, loc);
                       });
  }
};

int64_t dimOf(Value v, unsigned i) {
  return cast<MemRefType>(v.getType()).getDimSize(i);
}

/// Runs `body(c, lead, iterArgs)` for rows c in [0, nValid) of the KV
/// block starting at logical key `kvStart`, `lead` being the row's leading
/// indices in `cache`: (batch, head, kvStart + c), or for a paged cache
/// (page, head, row in the page). A paged block is walked page by page, so
/// that each page's table entry is loaded once and its rows are
/// consecutive. The body yields the new iteration values; the results are
/// the last ones. The runtime checks a host table's entries before a
/// launch; entries past the block's rows are not read.
using RowBody = function_ref<SmallVector<Value>(OpBuilder &, Location, Value,
                                                ArrayRef<Value>, ValueRange)>;
SmallVector<Value> forKVRows(Emitter &e, Value cache, Value table, Value batch,
                             Value head, Value kvStart, Value nValid,
                             ValueRange init, RowBody body) {
  auto rows = [&](OpBuilder &b, Location l, Value lo, Value hi, ValueRange iter,
                  auto leadOf) {
    return scf::ForOp::create(
               b, l, lo, hi, Emitter{b, l}.idx(1), iter,
               [&](OpBuilder &nb, Location nl, Value c, ValueRange it) {
                 SmallVector<Value> lead = leadOf(nb, nl, c);
                 scf::YieldOp::create(nb, nl, body(nb, nl, c, lead, it));
               })
        .getResults();
  };
  if (!table) {
    ValueRange r = rows(
        e.b, e.loc, e.idx(0), nValid, init,
        [&](OpBuilder &b, Location l, Value c) {
          return SmallVector<Value>{batch, head, Emitter{b, l}.add(kvStart, c)};
        });
    return SmallVector<Value>(r.begin(), r.end());
  }
  Value ps = e.idx(dimOf(cache, 2));
  Value first = arith::DivUIOp::create(e.b, e.loc, kvStart, ps);
  Value end = e.add(kvStart, nValid);
  Value last = arith::SelectOp::create(
      e.b, e.loc,
      arith::CmpIOp::create(e.b, e.loc, arith::CmpIPredicate::eq, nValid,
                            e.idx(0)),
      first, arith::CeilDivUIOp::create(e.b, e.loc, end, ps));
  auto pages = scf::ForOp::create(
      e.b, e.loc, first, last, e.idx(1), init,
      [&](OpBuilder &b, Location l, Value slot, ValueRange iter) {
        Emitter t{b, l};
        Value page =
            memref::LoadOp::create(b, l, table, ValueRange{batch, slot});
        page = arith::IndexCastOp::create(b, l, b.getIndexType(), page);
        // Block rows [lo, hi) lie in this page, at rows c + kvStart - start.
        Value start = t.mul(slot, ps);
        Value lo = t.maxS(t.sub(start, kvStart), t.idx(0));
        Value hi = t.minS(t.sub(t.add(start, ps), kvStart), nValid);
        Value shift = t.sub(kvStart, start);
        ValueRange r =
            rows(b, l, lo, hi, iter, [&](OpBuilder &ib, Location il, Value c) {
              return SmallVector<Value>{page, head,
                                        Emitter{ib, il}.add(c, shift)};
            });
        scf::YieldOp::create(b, l, r);
      });
  return SmallVector<Value>(pages.getResults().begin(),
                            pages.getResults().end());
}

/// Largest divisor of `n` not above `want` (at least 1).
int64_t divisorAtMost(int64_t n, int64_t want) {
  for (int64_t d = std::max<int64_t>(1, std::min(n, want)); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

/// Keep at most ~16 accumulator registers of 16 lanes live.
int64_t rowBlocking(int64_t rows, int64_t width, int64_t requested) {
  int64_t fit = std::max<int64_t>(1, 256 / std::max<int64_t>(width, 1));
  return divisorAtMost(rows, std::min(requested, fit));
}

//===----------------------------------------------------------------------===//

struct LowerBlockedKV : OpRewritePattern<BlockedKVOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BlockedKVOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Emitter e{rewriter, loc};
    int64_t rows = dimOf(op.getAcc(), 0), dv = dimOf(op.getAcc(), 1);
    // Initial state: m = -inf, l = 0, acc = 0.
    Value negInf = e.f32(kNegInf), zero = e.f32(0.0f),
          zeroRow = e.splat(0.0f, dv);
    e.forRange(e.idx(0), e.idx(rows), e.idx(1), [&](Value r) {
      memref::StoreOp::create(rewriter, loc, negInf, op.getRowMax(), r);
      memref::StoreOp::create(rewriter, loc, zero, op.getRowSum(), r);
      vector::StoreOp::create(rewriter, loc, zeroRow, op.getAcc(),
                              ValueRange{r, e.idx(0)});
    });
    auto loop = scf::ForOp::create(rewriter, loc, op.getLower(), op.getUpper(),
                                   e.idx(1));
    Block *body = op.getBodyBlock();
    rewriter.eraseOp(body->getTerminator());
    rewriter.inlineBlockBefore(body, loop.getBody()->getTerminator(),
                               {loop.getInductionVar()});
    rewriter.eraseOp(op);
    return success();
  }
};

struct LowerPackQ : OpRewritePattern<PackQOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PackQOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Emitter e{rewriter, loc};
    int64_t rows = dimOf(op.getTile(), 0), d = dimOf(op.getTile(), 1);
    int64_t sq = dimOf(op.getQuery(), 2), perHead = op.getRowsPerHead();
    float scale = op.getScale().convertToFloat() * static_cast<float>(M_LOG2E);
    Value scaleV = e.splat(scale, d), zeroRow = e.splat(0.0f, d);
    // An f32 tile holds the pre-scaled query; a bf16 tile its own values
    // (bf16 products scale the sums instead).
    bool unscaled =
        cast<MemRefType>(op.getTile().getType()).getElementType().isBF16();
    auto rowT = VectorType::get({d}, rewriter.getBF16Type());
    if (unscaled)
      zeroRow = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(
              rowT, rewriter.getFloatAttr(rewriter.getBF16Type(), 0.0)));
    e.forRange(e.idx(0), e.idx(rows), e.idx(1), [&](Value r) {
      Value g = arith::DivUIOp::create(rewriter, loc, r, e.idx(perHead));
      Value i = arith::RemUIOp::create(rewriter, loc, r, e.idx(perHead));
      Value p = e.add(op.getPos(), i), h = e.add(op.getHead(), g);
      auto ifOp = scf::IfOp::create(
          rewriter, loc, e.ult(p, e.idx(sq)),
          [&](OpBuilder &b, Location l) {
            Emitter t{b, l};
            SmallVector<Value> at{op.getBatch(), h, p, t.idx(0)};
            Value v =
                unscaled ? vector::LoadOp::create(b, l, rowT, op.getQuery(), at)
                               .getResult()
                         : arith::MulFOp::create(
                               b, l, t.loadF32(op.getQuery(), at, d), scaleV)
                               .getResult();
            scf::YieldOp::create(b, l, ValueRange{v});
          },
          [&](OpBuilder &b, Location l) {
            scf::YieldOp::create(b, l, ValueRange{zeroRow});
          });
      vector::StoreOp::create(rewriter, loc, ifOp.getResult(0), op.getTile(),
                              ValueRange{r, e.idx(0)});
    });
    rewriter.eraseOp(op);
    return success();
  }
};

struct LowerBlockScores : OpRewritePattern<BlockScoresOp> {
  LowerBlockScores(MLIRContext *ctx, const CPULoweringOptions &o)
      : OpRewritePattern(ctx), options(o) {}
  CPULoweringOptions options;

  LogicalResult matchAndRewrite(BlockScoresOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t rows = dimOf(op.getScores(), 0), n = dimOf(op.getScores(), 1);
    int64_t d = dimOf(op.getQTile(), 1);
    int64_t sq = op.getQLen(), perHead = op.getRowsPerHead();
    int64_t rb = rowBlocking(rows, n, options.scoreRows);
    auto f32 = rewriter.getF32Type();

    Emitter e{rewriter, loc};

    // The tile's scratch (the packed K block) is allocated once per tile,
    // where its other scratch lives, not once per block.
    auto tileAlloca = [&](MemRefType t) {
      OpBuilder::InsertionGuard g(rewriter);
      Operation *scope = op->getParentOp();
      while (!isa<scf::ParallelOp, FunctionOpInterface>(scope))
        scope = scope->getParentOp();
      rewriter.setInsertionPointToStart(&scope->getRegion(0).front());
      return memref::AllocaOp::create(rewriter, loc, t).getResult();
    };
    Value nValid = e.validKeys(op.getKvLen(), op.getKvStart(), n);
    Type keyElt = cast<MemRefType>(op.getKey().getType()).getElementType();
    bool pairs = op.getScale().has_value();
    if (pairs && (d % 2 || n % 16))
      return op.emitOpError("bf16 products need an even head dim and KV "
                            "blocks of multiples of 16 keys");
    auto i32 = rewriter.getI32Type();
    auto bf16 = rewriter.getBF16Type();
    // kT[d, c] = key[kv_start + c, d] as f32 (each score row a sum of
    // broadcast-scaled kT rows), or with bf16 products kP[j, c] = the pair
    // key[c, 2j:2j+2] as one i32; 0 past kv_len.
    int64_t depth = pairs ? d / 2 : d;
    Value packed =
        tileAlloca(MemRefType::get({depth, n}, pairs ? Type(i32) : Type(f32)));
    Value zero =
        pairs ? arith::ConstantIntOp::create(rewriter, loc, 0, 32).getResult()
              : e.f32(0.0f);
    // The block's valid keys, then zeros for the keys past kv_len.
    forKVRows(e, op.getKey(), op.getPageTable(), op.getBatch(), op.getKvHead(),
              op.getKvStart(), nValid, ValueRange(),
              [&](OpBuilder &b, Location l, Value c, ArrayRef<Value> lead,
                  ValueRange) {
                Emitter t{b, l};
                SmallVector<Value, 4> row(lead.begin(), lead.end());
                row.push_back(Value());
                t.forRange(t.idx(0), t.idx(depth), t.idx(1), [&](Value k) {
                  Value x;
                  if (pairs) {
                    row.back() = t.mul(k, t.idx(2));
                    Value two = vector::LoadOp::create(
                        b, l, VectorType::get({2}, bf16), op.getKey(), row);
                    Value word = vector::BitCastOp::create(
                        b, l, VectorType::get({1}, i32), two);
                    x = vector::ExtractOp::create(b, l, word,
                                                  ArrayRef<int64_t>{0});
                  } else {
                    row.back() = k;
                    x = memref::LoadOp::create(b, l, op.getKey(), row);
                    if (!keyElt.isF32())
                      x = arith::ExtFOp::create(b, l, b.getF32Type(), x);
                  }
                  memref::StoreOp::create(b, l, x, packed, ValueRange{k, c});
                });
                return SmallVector<Value>();
              });
    e.forRange(nValid, e.idx(n), e.idx(1), [&](Value c) {
      e.forRange(e.idx(0), e.idx(depth), e.idx(1), [&](Value k) {
        memref::StoreOp::create(rewriter, loc, zero, packed, ValueRange{k, c});
      });
    });

    Value negInfRow = e.splat(kNegInf, n);
    Value lanes = vector::StepOp::create(
        rewriter, loc, VectorType::get({n}, rewriter.getIndexType()));
    auto v16i32 = VectorType::get({16}, i32);
    auto v32bf16 = VectorType::get({32}, bf16);
    e.forRange(e.idx(0), e.idx(rows), e.idx(rb), [&](Value r0) {
      // Row i's sums: one n-lane vector, or n / 16 vectors of 16 lanes
      // (one AVX-512 BF16 dot each) with bf16 products.
      int64_t parts = pairs ? n / 16 : 1, width = pairs ? 16 : n;
      SmallVector<Value> init(rb * parts, e.splat(0.0f, width));
      auto dLoop = scf::ForOp::create(
          rewriter, loc, e.idx(0), e.idx(depth), e.idx(1), init,
          [&](OpBuilder &b, Location l, Value dd, ValueRange accs) {
            Emitter t{b, l};
            SmallVector<Value> next;
            if (!pairs) {
              Value kRow = vector::LoadOp::create(b, l, t.vecTy(n), packed,
                                                  ValueRange{dd, t.idx(0)});
              for (int64_t i = 0; i < rb; ++i) {
                Value q = memref::LoadOp::create(
                    b, l, op.getQTile(), ValueRange{t.add(r0, t.idx(i)), dd});
                next.push_back(
                    vector::FMAOp::create(b, l, t.bcast(q, n), kRow, accs[i]));
              }
              scf::YieldOp::create(b, l, next);
              return;
            }
            SmallVector<Value> kParts;
            for (int64_t p = 0; p < parts; ++p)
              kParts.push_back(vector::BitCastOp::create(
                  b, l, v32bf16,
                  vector::LoadOp::create(b, l, v16i32, packed,
                                         ValueRange{dd, t.idx(16 * p)})));
            for (int64_t i = 0; i < rb; ++i) {
              // The row's pair q[r, 2j:2j+2] in every 32-bit lane.
              Value two = vector::LoadOp::create(
                  b, l, VectorType::get({2}, bf16), op.getQTile(),
                  ValueRange{t.add(r0, t.idx(i)), t.mul(dd, t.idx(2))});
              Value word = vector::ExtractOp::create(
                  b, l,
                  vector::BitCastOp::create(b, l, VectorType::get({1}, i32),
                                            two),
                  ArrayRef<int64_t>{0});
              Value qPair = vector::BitCastOp::create(
                  b, l, v32bf16,
                  vector::BroadcastOp::create(b, l, v16i32, word));
              for (int64_t p = 0; p < parts; ++p)
                next.push_back(x86vector::DotBF16Op::create(
                    b, l, accs[i * parts + p].getType(), accs[i * parts + p],
                    qPair, kParts[p]));
            }
            scf::YieldOp::create(b, l, next);
          });
      // Row i's n sums, scaled after the exact bf16 products.
      auto sumsOf = [&](int64_t i) -> Value {
        if (!pairs)
          return dLoop.getResult(i);
        Value row = e.splat(0.0f, n);
        for (int64_t p = 0; p < parts; ++p)
          row = vector::InsertStridedSliceOp::create(
              rewriter, loc, dLoop.getResult(i * parts + p), row,
              ArrayRef<int64_t>{16 * p}, ArrayRef<int64_t>{1});
        return arith::MulFOp::create(
            rewriter, loc, row, e.splat(op.getScale()->convertToFloat(), n));
      };
      for (int64_t i = 0; i < rb; ++i) {
        Value r = e.add(r0, e.idx(i));
        Value p = e.add(op.getQPos(), arith::RemUIOp::create(rewriter, loc, r,
                                                             e.idx(perHead)));
        // Keys [0, lim) are visible from this row.
        Value lim = op.getKvLen();
        if (op.getCausal())
          lim = e.minS(lim,
                       e.maxS(e.sub(e.add(p, e.add(e.idx(1), lim)), e.idx(sq)),
                              e.idx(0)));
        // Padding rows (past Sq, or before the real rows of a left-padded
        // sequence) see nothing.
        Value real = e.ult(p, e.idx(sq));
        if (Value start = op.getQStart())
          real = arith::AndIOp::create(
              rewriter, loc, real,
              arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::uge, p,
                                    start));
        lim = arith::SelectOp::create(rewriter, loc, real, lim, e.idx(0));
        Value limRel = e.sub(lim, op.getKvStart());
        Value limVec = vector::BroadcastOp::create(
            rewriter, loc, VectorType::get({n}, rewriter.getIndexType()),
            limRel);
        Value mask = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::slt, lanes, limVec);
        Value s =
            arith::SelectOp::create(rewriter, loc, mask, sumsOf(i), negInfRow);
        vector::StoreOp::create(rewriter, loc, s, op.getScores(),
                                ValueRange{r, e.idx(0)});
      }
    });
    rewriter.eraseOp(op);
    return success();
  }
};

struct LowerSkipPredicate : OpRewritePattern<SkipPredicateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SkipPredicateOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Emitter e{rewriter, loc};
    int64_t rows = dimOf(op.getScores(), 0), n = dimOf(op.getScores(), 1);
    Value negInf = e.f32(kNegInf);
    Value all = arith::ConstantIntOp::create(rewriter, loc, 1, 1);
    auto loop = scf::ForOp::create(
        rewriter, loc, e.idx(0), e.idx(rows), e.idx(1), ValueRange{all},
        [&](OpBuilder &b, Location l, Value r, ValueRange acc) {
          Emitter t{b, l};
          Value s = t.loadF32(op.getScores(), {r, t.idx(0)}, n);
          Value mBlk = vector::ReductionOp::create(
              b, l, vector::CombiningKind::MAXNUMF, s);
          Value mPrev = memref::LoadOp::create(b, l, op.getRowMax(), r);
          Value diff = arith::SubFOp::create(b, l, mBlk, mPrev);
          Value below = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT,
                                              diff, op.getLog2Lambda());
          Value empty = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                              mBlk, negInf);
          Value may = arith::OrIOp::create(b, l, below, empty);
          scf::YieldOp::create(
              b, l, ValueRange{arith::AndIOp::create(b, l, acc[0], may)});
        });
    rewriter.replaceOp(op, loop.getResult(0));
    return success();
  }
};

struct LowerOnlineSoftmax : OpRewritePattern<OnlineSoftmaxOp> {
  LowerOnlineSoftmax(MLIRContext *ctx, const CPULoweringOptions &o)
      : OpRewritePattern(ctx), options(o) {}
  CPULoweringOptions options;

  LogicalResult matchAndRewrite(OnlineSoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Emitter e{rewriter, loc};
    int64_t rows = dimOf(op.getScores(), 0), n = dimOf(op.getScores(), 1);
    int64_t dv = dimOf(op.getAcc(), 1);
    Value negInf = e.f32(kNegInf), zero = e.f32(0.0f);

    // Row statistics, p = exp2(s - m'), and the rescale of acc.
    e.forRange(e.idx(0), e.idx(rows), e.idx(1), [&](Value r) {
      Value s = e.loadF32(op.getScores(), {r, e.idx(0)}, n);
      Value mBlk = vector::ReductionOp::create(
          rewriter, loc, vector::CombiningKind::MAXNUMF, s);
      Value mOld = memref::LoadOp::create(rewriter, loc, op.getRowMax(), r);
      Value mNew = arith::MaximumFOp::create(rewriter, loc, mOld, mBlk);
      // A row that has seen nothing keeps -inf; shifting by 0 then yields
      // p = 0 and alpha = 0 instead of NaN.
      Value none = arith::CmpFOp::create(
          rewriter, loc, arith::CmpFPredicate::OEQ, mNew, negInf);
      Value shift = arith::SelectOp::create(rewriter, loc, none, zero, mNew);
      Value p = math::Exp2Op::create(
          rewriter, loc,
          arith::SubFOp::create(rewriter, loc, s, e.bcast(shift, n)));
      vector::StoreOp::create(rewriter, loc, p, op.getScores(),
                              ValueRange{r, e.idx(0)});
      Value alpha = math::Exp2Op::create(
          rewriter, loc, arith::SubFOp::create(rewriter, loc, mOld, shift));
      Value lOld = memref::LoadOp::create(rewriter, loc, op.getRowSum(), r);
      Value sum = vector::ReductionOp::create(rewriter, loc,
                                              vector::CombiningKind::ADD, p);
      Value lNew = arith::AddFOp::create(
          rewriter, loc, arith::MulFOp::create(rewriter, loc, lOld, alpha),
          sum);
      memref::StoreOp::create(rewriter, loc, lNew, op.getRowSum(), r);
      memref::StoreOp::create(rewriter, loc, mNew, op.getRowMax(), r);
      Value acc = e.loadF32(op.getAcc(), {r, e.idx(0)}, dv);
      acc = arith::MulFOp::create(rewriter, loc, acc, e.bcast(alpha, dv));
      vector::StoreOp::create(rewriter, loc, acc, op.getAcc(),
                              ValueRange{r, e.idx(0)});
    });

    // acc[r, :] += p[r, c] * v[c, :] over the block's valid keys only, so
    // the V rows past kv_len are never read.
    int64_t rb = rowBlocking(rows, dv, options.pvRows);
    Value nValid = e.validKeys(op.getKvLen(), op.getKvStart(), n);
    e.forRange(e.idx(0), e.idx(rows), e.idx(rb), [&](Value r0) {
      SmallVector<Value> init;
      for (int64_t i = 0; i < rb; ++i)
        init.push_back(
            e.loadF32(op.getAcc(), {e.add(r0, e.idx(i)), e.idx(0)}, dv));
      SmallVector<Value> sums = forKVRows(
          e, op.getValue(), op.getPageTable(), op.getBatch(), op.getKvHead(),
          op.getKvStart(), nValid, init,
          [&](OpBuilder &b, Location l, Value c, ArrayRef<Value> lead,
              ValueRange accs) {
            Emitter t{b, l};
            SmallVector<Value, 4> row(lead.begin(), lead.end());
            row.push_back(t.idx(0));
            Value vRow = t.loadF32(op.getValue(), row, dv);
            SmallVector<Value> next;
            for (int64_t i = 0; i < rb; ++i) {
              Value p = memref::LoadOp::create(
                  b, l, op.getScores(), ValueRange{t.add(r0, t.idx(i)), c});
              next.push_back(
                  vector::FMAOp::create(b, l, t.bcast(p, dv), vRow, accs[i]));
            }
            return next;
          });
      for (int64_t i = 0; i < rb; ++i)
        vector::StoreOp::create(rewriter, loc, sums[i], op.getAcc(),
                                ValueRange{e.add(r0, e.idx(i)), e.idx(0)});
    });
    rewriter.eraseOp(op);
    return success();
  }
};

struct LowerFinalize : OpRewritePattern<FinalizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FinalizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Emitter e{rewriter, loc};
    int64_t rows = dimOf(op.getAcc(), 0), dv = dimOf(op.getAcc(), 1);
    int64_t sq = dimOf(op.getOut(), 2), perHead = op.getRowsPerHead();
    Type outElt = cast<MemRefType>(op.getOut().getType()).getElementType();
    Value tiny = e.f32(1e-30f), one = e.f32(1.0f),
          ln2 = e.f32(static_cast<float>(M_LN2));
    e.forRange(e.idx(0), e.idx(rows), e.idx(1), [&](Value r) {
      Value g = arith::DivUIOp::create(rewriter, loc, r, e.idx(perHead));
      Value i = arith::RemUIOp::create(rewriter, loc, r, e.idx(perHead));
      Value p = e.add(op.getPos(), i), h = e.add(op.getHead(), g);
      scf::IfOp::create(
          rewriter, loc, e.ult(p, e.idx(sq)), [&](OpBuilder &b, Location l) {
            Emitter t{b, l};
            Value lSum = memref::LoadOp::create(b, l, op.getRowSum(), r);
            Value inv = arith::DivFOp::create(
                b, l, one, arith::MaximumFOp::create(b, l, lSum, tiny));
            Value acc = t.loadF32(op.getAcc(), {r, t.idx(0)}, dv);
            Value o = arith::MulFOp::create(b, l, acc, t.bcast(inv, dv));
            if (!outElt.isF32())
              o = arith::TruncFOp::create(b, l, VectorType::get({dv}, outElt),
                                          o);
            vector::StoreOp::create(b, l, o, op.getOut(),
                                    ValueRange{op.getBatch(), h, p, t.idx(0)});
            if (op.getLse()) {
              Value m = memref::LoadOp::create(b, l, op.getRowMax(), r);
              Value lse = arith::MulFOp::create(
                  b, l, ln2,
                  arith::AddFOp::create(b, l, m,
                                        math::Log2Op::create(b, l, lSum)));
              memref::StoreOp::create(b, l, lse, op.getLse(),
                                      ValueRange{op.getBatch(), h, p});
            }
            scf::YieldOp::create(b, l);
          });
    });
    rewriter.eraseOp(op);
    return success();
  }
};

/// One parallel iteration per output row: the splits' maximum log-sum-exp,
/// then their weights and weighted partial rows in one pass (exp2 domain).
struct LowerMergeSplits : OpRewritePattern<MergeSplitsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MergeSplitsOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Emitter e{rewriter, loc};
    int64_t splits = dimOf(op.getPartialOut(), 0), dv = dimOf(op.getOut(), 3);
    Type outElt = cast<MemRefType>(op.getOut().getType()).getElementType();
    Value c0 = e.idx(0), c1 = e.idx(1);
    auto par = scf::ParallelOp::create(rewriter, loc, ValueRange{c0, c0, c0},
                                       ValueRange{e.idx(dimOf(op.getOut(), 0)),
                                                  e.idx(dimOf(op.getOut(), 1)),
                                                  e.idx(dimOf(op.getOut(), 2))},
                                       ValueRange{c1, c1, c1});
    OpBuilder::InsertionGuard g(rewriter);
    rewriter.setInsertionPointToStart(par.getBody());
    Value bi = par.getInductionVars()[0], h = par.getInductionVars()[1],
          p = par.getInductionVars()[2];
    Value negInf = e.f32(kNegInf), log2e = e.f32(static_cast<float>(M_LOG2E));
    auto lseOf = [&](OpBuilder &b, Location l, Value s) {
      return memref::LoadOp::create(b, l, op.getPartialLse(),
                                    ValueRange{s, bi, h, p})
          .getResult();
    };
    auto maxLoop = scf::ForOp::create(
        rewriter, loc, c0, e.idx(splits), c1, ValueRange{negInf},
        [&](OpBuilder &b, Location l, Value s, ValueRange it) {
          Value m = arith::MaximumFOp::create(b, l, it[0], lseOf(b, l, s));
          scf::YieldOp::create(b, l, m);
        });
    Value mx = maxLoop.getResult(0);
    // No split saw a key: every weight is exp(-inf) = 0 with a finite base.
    Value empty = arith::CmpFOp::create(rewriter, loc,
                                        arith::CmpFPredicate::OEQ, mx, negInf);
    Value base = arith::SelectOp::create(rewriter, loc, empty, e.f32(0.0f), mx);
    auto sumLoop = scf::ForOp::create(
        rewriter, loc, c0, e.idx(splits), c1,
        ValueRange{e.f32(0.0f), e.splat(0.0f, dv)},
        [&](OpBuilder &b, Location l, Value s, ValueRange it) {
          Emitter t{b, l};
          Value d = arith::SubFOp::create(b, l, lseOf(b, l, s), base);
          Value w =
              math::Exp2Op::create(b, l, arith::MulFOp::create(b, l, d, log2e));
          Value row =
              t.loadF32(op.getPartialOut(), {s, bi, h, p, t.idx(0)}, dv);
          Value acc = vector::FMAOp::create(b, l, t.bcast(w, dv), row, it[1]);
          scf::YieldOp::create(
              b, l, ValueRange{arith::AddFOp::create(b, l, it[0], w), acc});
        });
    Value w = sumLoop.getResult(0);
    Value inv = arith::DivFOp::create(
        rewriter, loc, e.f32(1.0f),
        arith::MaximumFOp::create(rewriter, loc, w, e.f32(1e-30f)));
    Value o = arith::MulFOp::create(rewriter, loc, sumLoop.getResult(1),
                                    e.bcast(inv, dv));
    if (!outElt.isF32())
      o = arith::TruncFOp::create(rewriter, loc, VectorType::get({dv}, outElt),
                                  o);
    vector::StoreOp::create(rewriter, loc, o, op.getOut(),
                            ValueRange{bi, h, p, c0});
    if (Value lse = op.getLse()) {
      Value ln = arith::MulFOp::create(rewriter, loc,
                                       math::Log2Op::create(rewriter, loc, w),
                                       e.f32(static_cast<float>(M_LN2)));
      Value v =
          arith::SelectOp::create(rewriter, loc, empty, negInf,
                                  arith::AddFOp::create(rewriter, loc, mx, ln));
      memref::StoreOp::create(rewriter, loc, v, lse, ValueRange{bi, h, p});
    }
    rewriter.eraseOp(op);
    return success();
  }
};

struct ConvertSkipAttnToCPUPass
    : mlir::skipattn::impl::ConvertSkipAttnToCPUBase<ConvertSkipAttnToCPUPass> {
  using ConvertSkipAttnToCPUBase::ConvertSkipAttnToCPUBase;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    populateSkipAttnToCPUPatterns(patterns, {scoreRows, pvRows});
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    WalkResult left = getOperation().walk([&](Operation *op) {
      if (isa<SkipAttnDialect>(op->getDialect())) {
        op->emitOpError("was not lowered by convert-skipattn-to-cpu");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (left.wasInterrupted())
      return signalPassFailure();
  }
};
} // namespace

void mlir::skipattn::populateSkipAttnToCPUPatterns(
    RewritePatternSet &patterns, const CPULoweringOptions &options) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<LowerBlockedKV, LowerPackQ, LowerSkipPredicate, LowerFinalize,
               LowerMergeSplits>(ctx);
  patterns.add<LowerBlockScores, LowerOnlineSoftmax>(ctx, options);
  // exp2/log2 on whole vectors must not become per-lane libm calls.
  math::populateExpansionPatterns(patterns, {"exp2"});
  populateMathPolynomialApproximationPatterns(
      patterns, MathPolynomialApproximationOptions{});
}
