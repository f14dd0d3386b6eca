//===- Rings.cpp - rings on mbarriers and TMA -----------------------------===//
//
// A ring is an nvgpu.mbarrier.group (one barrier per slot and stage, one
// arrival each) plus buffers at a fixed offset of the aligned dynamic shared
// memory. Block n uses stage n mod stages and phase (n / stages) mod 2.
//
//===----------------------------------------------------------------------===//

#include "../LoweringUtils.h"
#include "skipattn/Conversion/SkipAttnGPUToNVVM/SkipAttnGPUToNVVM.h"

#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::skipattn::lowering;
namespace sg = mlir::skipattn_gpu;

namespace {
/// Where the stage and slot of a block live.
struct RingSlot {
  Value barrier; // index into the mbarrier group
  Value parity;  // i1 phase parity
  Value address; // i32 shared address of the slot's buffer
};

RingSlot locate(Emitter &e, Value ringValue, Value block, StringRef slot) {
  auto ring = cast<sg::RingType>(ringValue.getType());
  auto create = ringValue.getDefiningOp<sg::RingCreateOp>();
  int64_t slots = ring.getSlots().size(), stages = ring.getStages();
  Value n = e.toI32(block);
  Value stage = e.remu(n, e.c32(stages));
  Value index =
      e.add(e.mul(stage, e.c32(slots)), e.c32(ring.getSlotIndex(slot)));
  RingSlot r;
  r.barrier = e.toIdx(index);
  r.parity = arith::TruncIOp::create(
      e.b, e.loc, e.i1(), e.andI(e.divu(n, e.c32(stages)), e.c32(1)));
  r.address = e.sharedAt(e.add(e.c32(create.getOffset()),
                               e.mul(index, e.c32(ring.getTile().getBytes()))));
  return r;
}

void waitParity(Emitter &e, Value barriers, const RingSlot &s) {
  nvgpu::MBarrierTryWaitParityOp::create(e.b, e.loc, barriers, s.parity,
                                         e.cIdx(10000000), s.barrier);
}

struct RingCreateLowering : OpConversionPattern<sg::RingCreateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::RingCreateOp op, OpAdaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    auto groupT = cast<nvgpu::MBarrierGroupType>(
        getTypeConverter()->convertType(op.getType()));
    Value group = nvgpu::MBarrierCreateOp::create(rw, op.getLoc(), groupT);
    // Thread 0 initialises every barrier (one arrival: the arming thread);
    // the CTA barrier publishes them before any wait or TMA.
    Value first = e.cmp(arith::CmpIPredicate::eq, e.tid(), e.c32(0));
    for (int64_t i = 0; i < groupT.getNumBarriers(); ++i)
      nvgpu::MBarrierInitOp::create(rw, op.getLoc(), group, e.cIdx(1),
                                    e.cIdx(i), first);
    gpu::BarrierOp::create(rw, op.getLoc());
    rw.replaceOp(op, group);
    return success();
  }
};

/// The put arms the barrier for the loads' bytes and issues each TMA load
/// box by box (64 columns, 128-byte swizzle): the one lowering of both.
struct RingPutLowering : OpConversionPattern<sg::RingPutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::RingPutOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    // A put that can never happen (a block past a static block count) is
    // not emitted: a constant false guard would reach ptxas as an
    // immediate predicate, which it rejects.
    Value pred = adaptor.getPred();
    if (matchPattern(pred, m_Zero())) {
      rw.eraseOp(op);
      return success();
    }
    if (matchPattern(pred, m_One()))
      pred = Value();
    RingSlot s = locate(e, op.getRing(), op.getBlock(), op.getSlot());
    Value barriers = adaptor.getRing();
    nvgpu::MBarrierArriveExpectTxOp::create(
        rw, loc, barriers, e.cIdx(op.getBytes()), s.barrier, pred);
    MLIRContext *ctx = rw.getContext();
    auto ws = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
    Value smemStart = e.sharedAddr(e.dynamicSmem());
    for (auto load : op.getBody().front().getOps<sg::TmaLoadOp>()) {
      auto tile = cast<sg::SmemType>(load.getDst().getType());
      Type elt = tile.getElementType();
      // A 4-D map (D, S, H, B) with the tensor's strides: the box is one
      // head of one batch, `rows` rows and 64 columns.
      auto box = MemRefType::get({1, 1, tile.getRows(), 64}, elt);
      auto descT = nvgpu::TensorMapDescriptorType::get(
          ctx,
          MemRefType::get({1, 1, tile.getRows(), 64}, elt, AffineMap(),
                          rw.getI64IntegerAttr(3)),
          nvgpu::TensorMapSwizzleKind::SWIZZLE_128B,
          nvgpu::TensorMapL2PromoKind::L2PROMO_NONE,
          nvgpu::TensorMapOOBKind::OOB_ZERO,
          nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
      Value desc = UnrealizedConversionCastOp::create(
                       rw, loc, descT, rw.getRemappedValue(load.getDesc()))
                       .getResult(0);
      Value row = rw.getRemappedValue(load.getRow());
      Value head = rw.getRemappedValue(load.getHead());
      Value batch = rw.getRemappedValue(load.getBatch());
      for (int64_t sub = 0; sub < tile.getCols() / 64; ++sub) {
        Value at = e.add(s.address, e.c32(sub * tile.getRows() * 128));
        auto viewT = MemRefType::get(box.getShape(), elt, AffineMap(), ws);
        Value dst =
            memref::ViewOp::create(rw, loc, viewT, e.dynamicSmem(),
                                   e.toIdx(e.sub(at, smemStart)), ValueRange());
        nvgpu::TmaAsyncLoadOp::create(
            rw, loc, dst, barriers, desc,
            ValueRange{e.cIdx(sub * 64), row, head, batch}, s.barrier, Value(),
            pred);
      }
    }
    rw.eraseOp(op);
    return success();
  }
};

struct RingWaitLowering : OpConversionPattern<sg::RingWaitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::RingWaitOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    RingSlot s = locate(e, op.getRing(), op.getBlock(), op.getSlot());
    waitParity(e, adaptor.getRing(), s);
    rw.replaceOp(op, s.address);
    return success();
  }
};

/// The consumers are the whole CTA (one role): a CTA barrier.
struct RingReleaseLowering : OpConversionPattern<sg::RingReleaseOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::RingReleaseOp op, OpAdaptor,
                                ConversionPatternRewriter &rw) const override {
    auto kernel = op->getParentOfType<gpu::GPUFuncOp>();
    auto schedule =
        kernel ? kernel->getAttrOfType<sg::ScheduleAttr>(sg::kScheduleAttrName)
               : sg::ScheduleAttr();
    if (!schedule || schedule.getRoles().size() != 1)
      return rw.notifyMatchFailure(
          op, "a release across roles needs empty barriers");
    rw.replaceOpWithNewOp<gpu::BarrierOp>(op);
    return success();
  }
};

struct RingDrainLowering : OpConversionPattern<sg::RingDrainOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::RingDrainOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    auto ring = cast<sg::RingType>(op.getRing().getType());
    Value count = e.toI32(adaptor.getCount());
    for (int64_t j = 0; j < ring.getStages(); ++j) {
      Value n = e.sub(count, e.c32(j + 1));
      Value pending = e.andI(adaptor.getPred(),
                             e.cmp(arith::CmpIPredicate::sge, n, e.c32(0)));
      auto ifOp = scf::IfOp::create(rw, loc, pending, /*withElse=*/false);
      OpBuilder::InsertionGuard g(rw);
      rw.setInsertionPointToStart(&ifOp.getThenRegion().front());
      Emitter ie(rw, loc);
      waitParity(ie, adaptor.getRing(),
                 locate(ie, op.getRing(), n, op.getSlot()));
    }
    rw.eraseOp(op);
    return success();
  }
};

/// Rows of a swizzled tile start 128 bytes apart inside each box.
struct SubtileLowering : OpConversionPattern<sg::SubtileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::SubtileOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    rw.replaceOp(op, e.add(adaptor.getSource(),
                           e.mul(e.toI32(adaptor.getRow()), e.c32(128))));
    return success();
  }
};
} // namespace

void mlir::skipattn::populateRingToNVVMPatterns(const TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  patterns.add<RingCreateLowering, RingPutLowering, RingWaitLowering,
               RingReleaseLowering, RingDrainLowering, SubtileLowering>(
      converter, patterns.getContext());
}
