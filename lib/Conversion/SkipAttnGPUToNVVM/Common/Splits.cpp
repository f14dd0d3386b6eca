//===- Splits.cpp - merging the partial results of split-KV CTAs ----------===//
//
// The CTAs of one tile's KV splits each store a partial output and
// log-sum-exp; the last to arrive at the tile's counter merges them. The
// counter's increment sits between device-scope fences (the classic
// "last block" reduction): the release makes this CTA's partial stores
// visible before the count, the acquire makes the others' visible to the
// merge. The merge runs on the whole math role, one column pair of one row
// per thread and iteration, in the exp2 domain.
//
//===----------------------------------------------------------------------===//

#include "../LoweringUtils.h"
#include "skipattn/Conversion/SkipAttnGPUToNVVM/SkipAttnGPUToNVVM.h"

using namespace mlir;
using namespace mlir::skipattn::lowering;
namespace sg = mlir::skipattn_gpu;

namespace {
struct SplitMergeLowering : OpConversionPattern<sg::SplitMergeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::SplitMergeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    MLIRContext *ctx = rw.getContext();
    auto gptr = LLVM::LLVMPointerType::get(ctx, 1);
    int64_t splits = op.getKvSplits(), qLen = op.getQLen(), cols = op.getCols(),
            threads = op.getThreads();
    auto barrier = [&](Emitter &be) {
      be.namedBarrier(be.c32(kMathRoleBarrier), threads);
    };
    // Byte `flag_offset` of the aligned dynamic shared memory.
    Value flagAt = e.sharedPtr(e.sharedAt(e.c32(op.getFlagOffset())));

    barrier(e);
    Value tid = e.tid();
    Value first = e.cmp(arith::CmpIPredicate::eq, tid, e.c32(0));
    scf::IfOp::create(rw, loc, first, [&](OpBuilder &b, Location l) {
      Emitter ie(b, l);
      Value counter =
          LLVM::GEPOp::create(b, l, gptr, ie.i32(), adaptor.getCounters(),
                              ValueRange{arith::IndexCastOp::create(
                                  b, l, ie.i64(), adaptor.getTile())});
      LLVM::FenceOp::create(b, l, LLVM::AtomicOrdering::acq_rel, "device");
      Value old =
          LLVM::AtomicRMWOp::create(b, l, LLVM::AtomicBinOp::add, counter,
                                    ie.c32(1), LLVM::AtomicOrdering::monotonic);
      LLVM::FenceOp::create(b, l, LLVM::AtomicOrdering::acq_rel, "device");
      Value last = ie.cmp(arith::CmpIPredicate::eq, old, ie.c32(splits - 1));
      // The last arrival resets the counter for the next launch.
      scf::IfOp::create(b, l, last, [&](OpBuilder &tb, Location tl) {
        LLVM::StoreOp::create(tb, tl, Emitter(tb, tl).c32(0), counter);
        scf::YieldOp::create(tb, tl);
      });
      Value flag = arith::ExtUIOp::create(b, l, b.getI8Type(), last);
      LLVM::StoreOp::create(b, l, flag, flagAt);
      scf::YieldOp::create(b, l);
    });
    barrier(e);
    Value flag = LLVM::LoadOp::create(rw, loc, rw.getI8Type(), flagAt);
    Value isLast =
        e.cmp(arith::CmpIPredicate::ne, flag,
              arith::ConstantIntOp::create(rw, loc, rw.getI8Type(), 0));

    auto ifLast = scf::IfOp::create(rw, loc, isLast, /*withElse=*/false);
    rw.setInsertionPointToStart(&ifLast.getThenRegion().front());
    Emitter me(rw, loc);
    int64_t pairs = cols / 2, items = op.getRows() * pairs;
    auto loop = scf::ForOp::create(rw, loc, me.toIdx(tid), me.cIdx(items),
                                   me.cIdx(threads));
    rw.setInsertionPointToStart(loop.getBody());
    Emitter le(rw, loc);
    Value item = le.toI32(loop.getInductionVar());
    Value r = le.divu(item, le.c32(pairs)), pair = le.remu(item, le.c32(pairs));
    auto [headOff, pos] = le.headAndPos(r, op.getRowsPerHead());
    Value row = le.add(le.toI32(adaptor.getFirstRow()), pos);
    scf::IfOp::create(
        rw, loc, le.cmp(arith::CmpIPredicate::slt, row, le.c32(qLen)),
        [&](OpBuilder &b, Location l) {
          Emitter ie(b, l);
          auto i64 = [&](Value v) {
            return v.getType().isIndex()
                       ? arith::IndexCastOp::create(b, l, ie.i64(), v)
                             .getResult()
                       : arith::ExtUIOp::create(b, l, ie.i64(), v).getResult();
          };
          Value head = ie.add(i64(adaptor.getHead()), i64(headOff));
          // Row of the partials: [plane + head offset, row] of
          // [planes, q_len] (planes: batch-major heads).
          Value rowIdx =
              ie.add(ie.mul(ie.add(i64(adaptor.getPlane()), i64(headOff)),
                            ie.c64(qLen)),
                     i64(row));
          Value splitRows = ie.c64(op.getPlanes() * qLen);
          auto lseAt = [&](int64_t s) {
            Value p = LLVM::GEPOp::create(
                b, l, gptr, ie.f32(), adaptor.getPartialLse(),
                ValueRange{ie.add(rowIdx, ie.mul(ie.c64(s), splitRows))});
            return LLVM::LoadOp::create(b, l, ie.f32(), p).getResult();
          };
          SmallVector<Value> lses;
          Value mx = ie.cF(-INFINITY);
          for (int64_t s = 0; s < splits; ++s) {
            lses.push_back(lseAt(s));
            mx = ie.fmax(mx, lses.back());
          }
          // No split saw a key: weights exp(-inf) = 0 around a finite base.
          Value empty = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                              mx, ie.cF(-INFINITY));
          Value base = ie.sel(empty, ie.cF(0), mx);
          Value w = ie.cF(0), lo = ie.cF(0), hi = ie.cF(0);
          auto pairT = VectorType::get({2}, ie.f32());
          Value col = ie.mul(i64(pair), ie.c64(2));
          for (int64_t s = 0; s < splits; ++s) {
            Value ws = ie.exp2(ie.fmul(ie.fsub(lses[s], base), ie.cF(M_LOG2E)));
            w = ie.fadd(w, ws);
            Value at =
                ie.add(ie.mul(ie.add(rowIdx, ie.mul(ie.c64(s), splitRows)),
                              ie.c64(cols)),
                       col);
            Value p = LLVM::GEPOp::create(
                b, l, gptr, ie.f32(), adaptor.getPartialOut(), ValueRange{at});
            Value v = LLVM::LoadOp::create(b, l, pairT, p, /*align=*/8);
            Value v0 = LLVM::ExtractElementOp::create(b, l, v, ie.c32(0));
            Value v1 = LLVM::ExtractElementOp::create(b, l, v, ie.c32(1));
            lo = LLVM::FMAOp::create(b, l, ws, v0, lo);
            hi = LLVM::FMAOp::create(b, l, ws, v1, hi);
          }
          Value inv = ie.rowScale(w);
          ArrayRef<int64_t> str = op.getStrides();
          // The output in 32-bit words (column pairs; strides are even).
          Value elem =
              ie.add(ie.add(ie.mul(i64(adaptor.getBatch()), ie.c64(str[0])),
                            ie.mul(head, ie.c64(str[1]))),
                     ie.mul(i64(row), ie.c64(str[2])));
          Value word = ie.add(ie.divu(elem, ie.c64(2)), i64(pair));
          Value packed = ie.packPair(ie.fmul(lo, inv), ie.fmul(hi, inv),
                                     op.getElementType());
          Value dst = LLVM::GEPOp::create(b, l, gptr, ie.i32(),
                                          adaptor.getOut(), ValueRange{word});
          LLVM::StoreOp::create(b, l, packed, dst);
          if (Value lse = adaptor.getLse()) {
            Value lead = ie.cmp(arith::CmpIPredicate::eq, pair, ie.c32(0));
            scf::IfOp::create(b, l, lead, [&](OpBuilder &tb, Location tl) {
              Emitter te(tb, tl);
              Value ln = te.fmul(math::Log2Op::create(tb, tl, w), te.cF(M_LN2));
              Value v = te.sel(empty, te.cF(-INFINITY), te.fadd(mx, ln));
              Value p = LLVM::GEPOp::create(tb, tl, gptr, te.f32(), lse,
                                            ValueRange{rowIdx});
              LLVM::StoreOp::create(tb, tl, v, p);
              scf::YieldOp::create(tb, tl);
            });
          }
          scf::YieldOp::create(b, l);
        });
    rw.eraseOp(op);
    return success();
  }
};
} // namespace

void mlir::skipattn::populateSplitsToNVVMPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<SplitMergeLowering>(converter, patterns.getContext());
}
