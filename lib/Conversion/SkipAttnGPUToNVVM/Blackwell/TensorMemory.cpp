//===- TensorMemory.cpp - sm_100a tensor memory and its pipes ------------===//
//
// Tensor memory is addressed by a 32-bit value: the lane in the high 16
// bits, the column in the low 16. A warp reaches only its lane quarter
// (32 (warp mod 4) onward), so every thread of a warpgroup addresses its
// own row, and the 32x32b loads and stores move one row per thread in
// pieces of 32 columns (wider single accesses exhaust ptxas's registers).
// Pipes are mbarriers that tcgen05.commit arrives on.
//
//===----------------------------------------------------------------------===//

#include "../LoweringUtils.h"
#include "skipattn/Conversion/SkipAttnGPUToNVVM/SkipAttnGPUToNVVM.h"

#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"

using namespace mlir;
using namespace mlir::skipattn::lowering;
namespace sg = mlir::skipattn_gpu;

namespace {
constexpr llvm::StringLiteral kSlotName = "__skipattn_tmem_address";

/// The tensor-memory pointer of this thread's lane at `column` (i32).
Value rowAddress(Emitter &e, Value base, Value column) {
  Value quarter = e.andI(e.shr(e.tid(), 5), e.c32(3));
  Value lane =
      arith::ShLIOp::create(e.b, e.loc, e.mul(quarter, e.c32(32)), e.c32(16));
  return e.add(e.add(base, lane), e.toI32(column));
}

Value tmemPtr(Emitter &e, Value addr) {
  auto p6 = LLVM::LLVMPointerType::get(e.b.getContext(), 6);
  return LLVM::IntToPtrOp::create(e.b, e.loc, p6, addr);
}

/// The shared word tcgen05.alloc writes the address to.
Value slotAddress(Emitter &e, Operation *op) {
  auto module = op->getParentOfType<gpu::GPUModuleOp>();
  MLIRContext *ctx = e.b.getContext();
  auto ws = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto t = MemRefType::get({1}, e.i32(), AffineMap(), ws);
  if (!module.lookupSymbol(kSlotName)) {
    OpBuilder::InsertionGuard g(e.b);
    e.b.setInsertionPointToStart(module.getBody());
    memref::GlobalOp::create(e.b, e.loc, kSlotName,
                             e.b.getStringAttr("private"), t, Attribute(),
                             /*constant=*/false, e.b.getI64IntegerAttr(4));
  }
  Value g = memref::GetGlobalOp::create(e.b, e.loc, t, kSlotName);
  return e.sharedAddr(g);
}

void fence(Emitter &e, NVVM::Tcgen05FenceKind kind) {
  NVVM::Tcgen05FenceOp::create(e.b, e.loc, kind);
}

/// Warp 0 of the CTA allocates (and gives up further allocation, so the
/// SM's other CTAs are not kept waiting); a CTA barrier publishes the
/// address it wrote to shared memory.
struct TmemAllocLowering : OpConversionPattern<sg::TmemAllocOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::TmemAllocOp op, OpAdaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    Value slot = e.sharedPtr(slotAddress(e, op));
    int64_t cols = op.getType().getColumns();
    Value warp0 = e.cmp(arith::CmpIPredicate::eq, e.shr(e.tid(), 5), e.c32(0));
    scf::IfOp::create(rw, loc, warp0, [&](OpBuilder &b, Location l) {
      Emitter ie(b, l);
      NVVM::Tcgen05AllocOp::create(b, l, slot, ie.c32(cols));
      NVVM::Tcgen05RelinquishAllocPermitOp::create(b, l);
      scf::YieldOp::create(b, l);
    });
    fence(e, NVVM::Tcgen05FenceKind::BEFORE_THREAD_SYNC);
    gpu::BarrierOp::create(rw, loc);
    fence(e, NVVM::Tcgen05FenceKind::AFTER_THREAD_SYNC);
    rw.replaceOp(op, LLVM::LoadOp::create(rw, loc, e.i32(), slot));
    return success();
  }
};

/// The role's threads meet (their tensor-memory reads done) and its first
/// warp frees the columns.
struct TmemDeallocLowering : OpConversionPattern<sg::TmemDeallocOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::TmemDeallocOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    auto role = op->getParentOfType<sg::WarpRoleOp>();
    int64_t first = role ? role.getRole().getFirstWarp() : 0;
    fence(e, NVVM::Tcgen05FenceKind::BEFORE_THREAD_SYNC);
    e.namedBarrier(e.c32(kTmemBarrier), op.getThreads());
    fence(e, NVVM::Tcgen05FenceKind::AFTER_THREAD_SYNC);
    Value lead =
        e.cmp(arith::CmpIPredicate::eq, e.shr(e.tid(), 5), e.c32(first));
    int64_t cols = cast<sg::TmemType>(op.getTmem().getType()).getColumns();
    Value base = adaptor.getTmem();
    scf::IfOp::create(rw, loc, lead, [&](OpBuilder &b, Location l) {
      Emitter ie(b, l);
      NVVM::Tcgen05DeallocOp::create(b, l, tmemPtr(ie, base), ie.c32(cols));
      scf::YieldOp::create(b, l);
    });
    rw.eraseOp(op);
    return success();
  }
};

struct TmemLoadLowering : OpConversionPattern<sg::TmemLoadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::TmemLoadOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    Value addr = rowAddress(e, adaptor.getTmem(), adaptor.getColumn());
    if (isa<sg::RowsType>(op.getResult().getType())) {
      // One column: this thread's value (vector<1xf32>).
      Value w = NVVM::Tcgen05LdOp::create(rw, loc, e.i32(), /*pack=*/false,
                                          NVVM::Tcgen05LdStShape::SHAPE_32X32B,
                                          tmemPtr(e, addr), Value());
      NVVM::Tcgen05WaitOp::create(rw, loc, NVVM::Tcgen05WaitKind::LOAD);
      Value x = arith::BitcastOp::create(rw, loc, e.f32(), w);
      Type vecT = getTypeConverter()->convertType(op.getResult().getType());
      Value v = LLVM::UndefOp::create(rw, loc, vecT);
      rw.replaceOp(op, LLVM::InsertElementOp::create(rw, loc, v, x, e.c32(0)));
      return success();
    }
    int64_t cols = cast<sg::AccType>(op.getResult().getType()).getCols();
    auto v32 = VectorType::get({32}, e.i32());
    Type structT = getTypeConverter()->convertType(op.getResult().getType());
    Value out = LLVM::UndefOp::create(rw, loc, structT);
    SmallVector<Value> pieces;
    for (int64_t j = 0; j < cols / 32; ++j)
      pieces.push_back(NVVM::Tcgen05LdOp::create(
          rw, loc, v32, /*pack=*/false, NVVM::Tcgen05LdStShape::SHAPE_32X32B,
          tmemPtr(e, e.add(addr, e.c32(32 * j))), Value()));
    NVVM::Tcgen05WaitOp::create(rw, loc, NVVM::Tcgen05WaitKind::LOAD);
    for (auto [j, v] : llvm::enumerate(pieces))
      for (int64_t i = 0; i < 32; ++i)
        out = LLVM::InsertValueOp::create(
            rw, loc, out,
            arith::BitcastOp::create(rw, loc, e.f32(), e.vecAt(v, i)),
            32 * j + i);
    rw.replaceOp(op, out);
    return success();
  }
};

/// Stores 32-bit words `words` of this thread's row from `addr` on, in
/// pieces of 32 (16 for a remainder), waits for them and fences them for
/// the thread synchronisation that hands them to the MMA issuer.
void storeRow(Emitter &e, Value addr, ArrayRef<Value> words) {
  int64_t done = 0;
  while (done < static_cast<int64_t>(words.size())) {
    int64_t n = words.size() - done >= 32 ? 32 : 16;
    Value v = LLVM::UndefOp::create(e.b, e.loc, VectorType::get({n}, e.i32()));
    for (int64_t i = 0; i < n; ++i)
      v = LLVM::InsertElementOp::create(e.b, e.loc, v, words[done + i],
                                        e.c32(i));
    NVVM::Tcgen05StOp::create(e.b, e.loc, /*unpack=*/false,
                              NVVM::Tcgen05LdStShape::SHAPE_32X32B,
                              tmemPtr(e, e.add(addr, e.c32(done))), v, Value());
    done += n;
  }
  NVVM::Tcgen05WaitOp::create(e.b, e.loc, NVVM::Tcgen05WaitKind::STORE);
  fence(e, NVVM::Tcgen05FenceKind::BEFORE_THREAD_SYNC);
}

struct TmemStoreLowering : OpConversionPattern<sg::TmemStoreOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::TmemStoreOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    Value v = adaptor.getValue();
    if (isa<sg::RowsType>(op.getValue().getType())) {
      // One column: this thread's value.
      Value w =
          arith::BitcastOp::create(rw, op.getLoc(), e.i32(), e.vecAt(v, 0));
      NVVM::Tcgen05StOp::create(
          rw, op.getLoc(), /*unpack=*/false,
          NVVM::Tcgen05LdStShape::SHAPE_32X32B,
          tmemPtr(e, rowAddress(e, adaptor.getTmem(), adaptor.getColumn())), w,
          Value());
      NVVM::Tcgen05WaitOp::create(rw, op.getLoc(),
                                  NVVM::Tcgen05WaitKind::STORE);
      fence(e, NVVM::Tcgen05FenceKind::BEFORE_THREAD_SYNC);
      rw.eraseOp(op);
      return success();
    }
    auto st = cast<LLVM::LLVMStructType>(v.getType());
    SmallVector<Value> words;
    for (auto [i, t] : llvm::enumerate(st.getBody())) {
      Value x = e.extract(v, i);
      words.push_back(
          t.isF32() ? arith::BitcastOp::create(rw, op.getLoc(), e.i32(), x)
                          .getResult()
                    : x);
    }
    storeRow(e, rowAddress(e, adaptor.getTmem(), adaptor.getColumn()), words);
    rw.eraseOp(op);
    return success();
  }
};

/// O *= alpha in place, 32 columns at a time; a warp none of whose rows
/// changed its maximum (alpha = 1 throughout) leaves O alone.
struct TmemScaleLowering : OpConversionPattern<sg::TmemScaleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::TmemScaleOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    Value alpha = e.vecAt(adaptor.getFactors(), 0);
    Value changed = arith::CmpFOp::create(rw, loc, arith::CmpFPredicate::UNE,
                                          alpha, e.cF(1.0));
    Value any = NVVM::VoteSyncOp::create(rw, loc, e.i1(), e.c32(-1), changed,
                                         NVVM::VoteSyncKind::any);
    Value addr = rowAddress(e, adaptor.getTmem(), adaptor.getColumn());
    int64_t cols = op.getCols();
    scf::IfOp::create(rw, loc, any, [&](OpBuilder &b, Location l) {
      Emitter ie(b, l);
      auto v32 = VectorType::get({32}, ie.i32());
      for (int64_t j = 0; j < cols; j += 32) {
        Value at = ie.add(addr, ie.c32(j));
        Value v = NVVM::Tcgen05LdOp::create(
            b, l, v32, false, NVVM::Tcgen05LdStShape::SHAPE_32X32B,
            tmemPtr(ie, at), Value());
        NVVM::Tcgen05WaitOp::create(b, l, NVVM::Tcgen05WaitKind::LOAD);
        SmallVector<Value> words;
        for (int64_t i = 0; i < 32; ++i) {
          Value x = arith::BitcastOp::create(b, l, ie.f32(), ie.vecAt(v, i));
          words.push_back(
              arith::BitcastOp::create(b, l, ie.i32(), ie.fmul(x, alpha)));
        }
        Value w = LLVM::UndefOp::create(b, l, v32);
        for (int64_t i = 0; i < 32; ++i)
          w = LLVM::InsertElementOp::create(b, l, w, words[i], ie.c32(i));
        NVVM::Tcgen05StOp::create(b, l, false,
                                  NVVM::Tcgen05LdStShape::SHAPE_32X32B,
                                  tmemPtr(ie, at), w, Value());
      }
      NVVM::Tcgen05WaitOp::create(b, l, NVVM::Tcgen05WaitKind::STORE);
      fence(ie, NVVM::Tcgen05FenceKind::BEFORE_THREAD_SYNC);
      scf::YieldOp::create(b, l);
    });
    rw.eraseOp(op);
    return success();
  }
};

/// Thread 0 initialises the pipe's barriers (one arrival, a commit, or the
/// pipe's arriving warps).
struct PipeCreateLowering : OpConversionPattern<sg::PipeCreateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::PipeCreateOp op, OpAdaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    auto groupT = cast<nvgpu::MBarrierGroupType>(
        getTypeConverter()->convertType(op.getType()));
    Value group = nvgpu::MBarrierCreateOp::create(rw, op.getLoc(), groupT);
    Value first = e.cmp(arith::CmpIPredicate::eq, e.tid(), e.c32(0));
    int64_t arrivals = std::max<int64_t>(op.getType().getArrivals(), 1);
    for (int64_t i = 0; i < groupT.getNumBarriers(); ++i)
      nvgpu::MBarrierInitOp::create(rw, op.getLoc(), group, e.cIdx(arrivals),
                                    e.cIdx(i), first);
    fenceBarrierInit(e, first);
    gpu::BarrierOp::create(rw, op.getLoc());
    rw.replaceOp(op, group);
    return success();
  }
};

std::pair<Value, Value> pipeStage(Emitter &e, sg::PipeType t, Value block) {
  auto [stage, parity] = stageAndParity(e, t.getStages(), block);
  return {e.toIdx(stage), parity};
}

struct PipeCommitLowering : OpConversionPattern<sg::PipeCommitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::PipeCommitOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    Value stage =
        pipeStage(e, op.getPipe().getType(), adaptor.getBlock()).first;
    commitTo(e, adaptor.getPipe(), stage);
    rw.eraseOp(op);
    return success();
  }
};

/// Each thread fences its (waited-for) tensor-memory accesses, the warp
/// meets and its first lane arrives.
struct PipeArriveLowering : OpConversionPattern<sg::PipeArriveOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::PipeArriveOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    Value stage =
        pipeStage(e, op.getPipe().getType(), adaptor.getBlock()).first;
    fence(e, NVVM::Tcgen05FenceKind::BEFORE_THREAD_SYNC);
    NVVM::SyncWarpOp::create(rw, loc, e.c32(-1));
    Value lane0 =
        e.cmp(arith::CmpIPredicate::eq, e.andI(e.tid(), e.c32(31)), e.c32(0));
    scf::IfOp::create(rw, loc, lane0, [&](OpBuilder &b, Location l) {
      nvgpu::MBarrierArriveOp::create(
          b, l, nvgpu::MBarrierTokenType::get(b.getContext()),
          adaptor.getPipe(), stage);
      scf::YieldOp::create(b, l);
    });
    rw.eraseOp(op);
    return success();
  }
};

struct PipeWaitLowering : OpConversionPattern<sg::PipeWaitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::PipeWaitOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    auto [stage, parity] =
        pipeStage(e, op.getPipe().getType(), adaptor.getBlock());
    nvgpu::MBarrierTryWaitParityOp::create(rw, op.getLoc(), adaptor.getPipe(),
                                           parity, e.cIdx(10000000), stage);
    fence(e, NVVM::Tcgen05FenceKind::AFTER_THREAD_SYNC);
    rw.eraseOp(op);
    return success();
  }
};
} // namespace

void mlir::skipattn::lowering::commitTo(Emitter &e, Value barriers,
                                        Value index) {
  Value addr =
      nvgpu::MBarrierGetOp::create(e.b, e.loc, e.i32(), barriers, index);
  NVVM::Tcgen05CommitOp::create(e.b, e.loc, e.sharedPtr(addr), Value());
}

void mlir::skipattn::populateTensorMemoryToNVVMPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<TmemAllocLowering, TmemDeallocLowering, TmemLoadLowering,
               TmemStoreLowering, TmemScaleLowering, PipeCreateLowering,
               PipeCommitLowering, PipeArriveLowering, PipeWaitLowering>(
      converter, patterns.getContext());
}
