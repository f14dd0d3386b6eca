//===- Epilogue.cpp - output, log-sum-exp and statistics stores -----------===//
//
// Each thread writes its two rows: column pairs 8i + 2t as one 32-bit store
// of two 16-bit values. Row sums are reduced over the row's four threads
// here, once, instead of after every block.
//
//===----------------------------------------------------------------------===//

#include "../LoweringUtils.h"
#include "skipattn/Conversion/SkipAttnGPUToNVVM/SkipAttnGPUToNVVM.h"

#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"

using namespace mlir;
using namespace mlir::skipattn::lowering;
namespace sg = mlir::skipattn_gpu;

namespace {
Value rowIndex(Emitter &e, Value plane, int64_t qLen, Value row) {
  Value p64 = arith::IndexCastOp::create(e.b, e.loc, e.i64(), plane);
  return e.add(e.mul(p64, e.c64(qLen)),
               arith::ExtUIOp::create(e.b, e.loc, e.i64(), row));
}

struct StoreTileLowering : OpConversionPattern<sg::StoreTileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::StoreTileOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (rowPerThread(op.getAcc().getType()))
      return failure(); // RowFragments.cpp
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    int64_t d = op.getAcc().getType().getCols();
    Type elt = op.getElementType();
    ArrayRef<int64_t> strides = op.getStrides();
    auto gptr = LLVM::LLVMPointerType::get(rw.getContext(), 1);
    Value o = adaptor.getAcc();
    Value first = e.toI32(adaptor.getFirstRow());
    Value t = e.shr(e.fragCol(), 1);
    auto i64 = [&](Value v) {
      return arith::IndexCastOp::create(rw, loc, e.i64(), v).getResult();
    };
    // Element offset of [batch, head, 0, 0]; rows and columns add to it.
    Value bOff = e.mul(i64(adaptor.getBatch()), e.c64(strides[0]));
    Value hOff = e.mul(i64(adaptor.getHead()), e.c64(strides[1]));
    Value plane = e.add(bOff, hOff);
    for (int64_t half = 0; half < 2; ++half) {
      auto [headOff, pos] = e.headAndPos(e.add(e.fragRow(), e.c32(8 * half)),
                                         op.getRowsPerHead());
      Value row = e.add(first, pos);
      Value l = e.quadSum(e.vecAt(adaptor.getRowSum(), half));
      Value inv = e.rowScale(l);
      guarded(e, e.cmp(arith::CmpIPredicate::slt, row, e.c32(op.getQLen())),
              [&](Emitter &ie) {
                Value r64 = arith::ExtUIOp::create(ie.b, loc, ie.i64(), row);
                Value t64 = arith::ExtUIOp::create(ie.b, loc, ie.i64(), t);
                Value h64 =
                    arith::ExtUIOp::create(ie.b, loc, ie.i64(), headOff);
                Value rowOff =
                    ie.add(ie.add(plane, ie.mul(h64, ie.c64(strides[1]))),
                           ie.mul(r64, ie.c64(strides[2])));
                if (elt.isF32()) {
                  // A split's partial result: column pairs as 64-bit stores.
                  auto pairT = VectorType::get({2}, ie.f32());
                  Value base = ie.add(rowOff, ie.mul(t64, ie.c64(2)));
                  for (int64_t i = 0; i < d / 8; ++i) {
                    Value lo = ie.fmul(ie.extract(o, 4 * i + 2 * half), inv);
                    Value hi =
                        ie.fmul(ie.extract(o, 4 * i + 2 * half + 1), inv);
                    Value pair = LLVM::PoisonOp::create(ie.b, loc, pairT);
                    pair = LLVM::InsertElementOp::create(ie.b, loc, pair, lo,
                                                         ie.c32(0));
                    pair = LLVM::InsertElementOp::create(ie.b, loc, pair, hi,
                                                         ie.c32(1));
                    Value ptr = LLVM::GEPOp::create(
                        ie.b, loc, gptr, ie.f32(), adaptor.getOut(),
                        ValueRange{ie.add(base, ie.c64(8 * i))});
                    LLVM::StoreOp::create(ie.b, loc, pair, ptr, /*align=*/8);
                  }
                  return;
                }
                // In 32-bit words (column pairs): the strides are even.
                Value base = ie.add(ie.divu(rowOff, ie.c64(2)), t64);
                for (int64_t i = 0; i < d / 8; ++i) {
                  Value lo = ie.fmul(ie.extract(o, 4 * i + 2 * half), inv);
                  Value hi = ie.fmul(ie.extract(o, 4 * i + 2 * half + 1), inv);
                  Value word = ie.packPair(lo, hi, elt);
                  Value ptr = LLVM::GEPOp::create(
                      ie.b, loc, gptr, ie.i32(), adaptor.getOut(),
                      ValueRange{ie.add(base, ie.c64(4 * i))});
                  LLVM::StoreOp::create(ie.b, loc, word, ptr);
                }
              });
    }
    rw.eraseOp(op);
    return success();
  }
};

/// A wgmma fragment into the stage: the thread's rows g and g + 8, each
/// column pair 8i + 2t a 32-bit word at byte 4t of chunk i (conflict
/// free: the eight rows of a store have eight different chunk places).
struct TmaStoreTileLowering : OpConversionPattern<sg::TmaStoreTileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::TmaStoreTileOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (rowPerThread(op.getAcc().getType()))
      return failure(); // RowFragments.cpp
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    int64_t d = op.getAcc().getType().getCols();
    int64_t pitch = op.getStage().getType().getPitch();
    Type elt = op.getStage().getType().getElementType();
    Value o = adaptor.getAcc();
    Value stage = adaptor.getStage();
    Value byte = e.mul(e.andI(e.tid(), e.c32(3)), e.c32(4));
    for (int64_t half = 0; half < 2; ++half) {
      Value row = e.add(e.fragRow(), e.c32(8 * half));
      Value l = e.quadSum(e.vecAt(adaptor.getRowSum(), half));
      Value inv = e.rowScale(l);
      for (int64_t i = 0; i < d / 8; ++i) {
        Value lo = e.fmul(e.extract(o, 4 * i + 2 * half), inv);
        Value hi = e.fmul(e.extract(o, 4 * i + 2 * half + 1), inv);
        Value at = e.add(stagedChunk(e, stage, pitch, row, i), byte);
        LLVM::StoreOp::create(rw, loc, e.packPair(lo, hi, elt),
                              e.sharedPtr(at));
      }
    }
    storeStagedTile(e, op, stage, adaptor.getDesc(), adaptor.getFirstRow(),
                    adaptor.getHead(), adaptor.getBatch());
    rw.eraseOp(op);
    return success();
  }
};

struct StoreLseLowering : OpConversionPattern<sg::StoreLseOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::StoreLseOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (rowPerThread(op.getRowMax().getType()))
      return failure(); // RowFragments.cpp
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    auto gptr = LLVM::LLVMPointerType::get(rw.getContext(), 1);
    Value first = e.toI32(adaptor.getFirstRow());
    Value lead = e.cmp(arith::CmpIPredicate::eq, e.fragCol(), e.c32(0));
    for (int64_t half = 0; half < 2; ++half) {
      auto [headOff, pos] = e.headAndPos(e.add(e.fragRow(), e.c32(8 * half)),
                                         op.getRowsPerHead());
      Value row = e.add(first, pos);
      Value m = e.vecAt(adaptor.getRowMax(), half);
      Value l = e.quadSum(e.vecAt(adaptor.getRowSum(), half));
      Value ok = e.andI(
          e.cmp(arith::CmpIPredicate::slt, row, e.c32(op.getQLen())), lead);
      guarded(e, ok, [&](Emitter &ie) {
        Value lse = ie.fmul(ie.fadd(m, math::Log2Op::create(ie.b, loc, l)),
                            ie.cF(M_LN2));
        Value plane = ie.add(adaptor.getPlane(), ie.toIdx(headOff));
        Value i = rowIndex(ie, plane, op.getQLen(), row);
        Value ptr = LLVM::GEPOp::create(ie.b, loc, gptr, ie.f32(),
                                        adaptor.getLse(), ValueRange{i});
        LLVM::StoreOp::create(ie.b, loc, lse, ptr);
      });
    }
    rw.eraseOp(op);
    return success();
  }
};

struct AddStatsLowering : OpConversionPattern<sg::AddStatsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::AddStatsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    auto gptr = LLVM::LLVMPointerType::get(rw.getContext(), 1);
    auto add = [&](Emitter &ie) {
      Value p =
          arith::IndexCastOp::create(ie.b, loc, ie.i64(), adaptor.getPlane());
      Value counts[2] = {adaptor.getDecisions(), adaptor.getSkips()};
      for (int64_t k = 0; k < 2; ++k) {
        Value ptr = LLVM::GEPOp::create(
            ie.b, loc, gptr, ie.i64(), adaptor.getStats(),
            ValueRange{ie.add(ie.mul(p, ie.c64(op.getColumns())),
                              ie.c64(op.getFirst() + k))});
        LLVM::AtomicRMWOp::create(
            ie.b, loc, LLVM::AtomicBinOp::add, ptr,
            arith::IndexCastOp::create(ie.b, loc, ie.i64(), counts[k]),
            LLVM::AtomicOrdering::monotonic);
      }
    };
    if (op.getThisThread()) {
      add(e);
    } else {
      Value first = op.getPerWarp()
                        ? e.cmp(arith::CmpIPredicate::eq,
                                e.andI(e.tid(), e.c32(31)), e.c32(0))
                        : e.warpgroupLeader();
      guarded(e, first, add);
    }
    rw.eraseOp(op);
    return success();
  }
};
} // namespace

Value mlir::skipattn::lowering::stagedChunk(Emitter &e, Value stage,
                                            int64_t pitch, Value row,
                                            int64_t chunk) {
  Value box = e.add(stage, e.c32((chunk / 8) * pitch * 128));
  Value place = e.xorI(e.c32(chunk % 8), e.andI(row, e.c32(7)));
  return e.add(e.add(box, e.mul(row, e.c32(128))), e.mul(place, e.c32(16)));
}

void mlir::skipattn::lowering::storeStagedTile(Emitter &e,
                                               sg::TmaStoreTileOp op,
                                               Value stage, Value desc,
                                               Value row, Value head,
                                               Value batch) {
  OpBuilder &b = e.b;
  Location loc = e.loc;
  MLIRContext *ctx = b.getContext();
  // Generic-proxy writes, then TMA (the async proxy) reads them: each
  // writer fences before the warpgroup meets.
  NVVM::FenceProxyOp::create(
      b, loc, NVVM::ProxyKind::async_shared,
      NVVM::SharedSpaceAttr::get(ctx, NVVM::SharedSpace::shared_cta));
  e.namedBarrier(e.add(e.c32(kFirstStoreBarrier), e.warpgroup()),
                 /*threads=*/128);
  sg::AccType accT = op.getAcc().getType();
  sg::SmemType stageT = op.getStage().getType();
  Type elt = stageT.getElementType();
  int64_t rowsPerHead = op.getRowsPerHead();
  int64_t boxRows = rowsPerHead ? rowsPerHead : accT.getRows();
  guarded(e, e.warpgroupLeader(), [&](Emitter &ie) {
    // The map's box (set by the runtime from the launch contract's
    // box_out) is what TMA stores.
    Value map = tensorMap(ie, desc, boxRows, elt);
    auto idx = [&](Value v) { return v.getType().isIndex() ? v : ie.toIdx(v); };
    for (int64_t c = 0; c < accT.getCols() / 64; ++c) {
      Value at = ie.add(stage, ie.c32(c * stageT.getPitch() * 128));
      Value src = boxView(ie, at, boxRows, elt);
      nvgpu::TmaAsyncStoreOp::create(
          ie.b, loc, src, map,
          ValueRange{ie.cIdx(c * 64), idx(row), idx(head), idx(batch)},
          Value());
    }
    NVVM::CpAsyncBulkCommitGroupOp::create(ie.b, loc);
    // The stage is Q's shared memory: the CTA must not exit (or another
    // CTA take it) before TMA has read it.
    NVVM::CpAsyncBulkWaitGroupOp::create(ie.b, loc, 0, ie.b.getUnitAttr());
  });
}

void mlir::skipattn::populateEpilogueToNVVMPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<StoreTileLowering, TmaStoreTileLowering, StoreLseLowering,
               AddStatsLowering>(converter, patterns.getContext());
}
