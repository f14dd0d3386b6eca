//===- Rings.cpp - rings on mbarriers and TMA -----------------------------===//
//
// A ring is an nvgpu.mbarrier.group (one full barrier per slot and stage,
// one arrival each; with consumers, then one empty barrier per stage, one
// arrival per consumer warpgroup) plus buffers at a fixed offset of the
// aligned dynamic shared memory. Block n uses stage n mod stages and phase
// (n / stages) mod 2 of both kinds of barrier.
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

/// Block n's stage and parity, shared by its full and empty barriers.
std::pair<Value, Value> stageAndParity(Emitter &e, sg::RingType ring,
                                       Value block) {
  return mlir::skipattn::lowering::stageAndParity(e, ring.getStages(), block);
}

RingSlot locate(Emitter &e, Value ringValue, Value block, StringRef slot) {
  auto ring = cast<sg::RingType>(ringValue.getType());
  auto create = ringValue.getDefiningOp<sg::RingCreateOp>();
  auto [stage, parity] = stageAndParity(e, ring, block);
  Value index = e.add(e.mul(stage, e.c32(ring.getSlots().size())),
                      e.c32(ring.getSlotIndex(slot)));
  RingSlot r;
  r.barrier = e.toIdx(index);
  r.parity = parity;
  r.address = e.sharedAt(e.add(e.c32(create.getOffset()),
                               e.mul(index, e.c32(ring.getTile().getBytes()))));
  return r;
}

void waitParity(Emitter &e, Value barriers, const RingSlot &s) {
  nvgpu::MBarrierTryWaitParityOp::create(e.b, e.loc, barriers, s.parity,
                                         e.cIdx(10000000), s.barrier);
}

/// The empty barrier of block `block`'s stage (a ring with consumers): after
/// the stages x slots full barriers.
RingSlot locateEmpty(Emitter &e, Value ringValue, Value block) {
  auto ring = cast<sg::RingType>(ringValue.getType());
  auto [stage, parity] = stageAndParity(e, ring, block);
  RingSlot r;
  r.barrier =
      e.toIdx(e.add(e.c32(ring.getStages() * ring.getSlots().size()), stage));
  r.parity = parity;
  return r;
}

struct RingCreateLowering : OpConversionPattern<sg::RingCreateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::RingCreateOp op, OpAdaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    auto groupT = cast<nvgpu::MBarrierGroupType>(
        getTypeConverter()->convertType(op.getType()));
    Value group = nvgpu::MBarrierCreateOp::create(rw, op.getLoc(), groupT);
    // Thread 0 initialises every barrier (full: one arrival, the arming
    // thread; empty and vote: one per consumer warpgroup); the CTA barrier
    // publishes them before any wait or TMA.
    auto ring = cast<sg::RingType>(op.getType());
    int64_t full = ring.getStages() * ring.getSlots().size();
    Value first = e.cmp(arith::CmpIPredicate::eq, e.tid(), e.c32(0));
    for (int64_t i = 0; i < groupT.getNumBarriers(); ++i)
      nvgpu::MBarrierInitOp::create(rw, op.getLoc(), group,
                                    e.cIdx(i < full ? 1 : ring.getConsumers()),
                                    e.cIdx(i), first);
    fenceBarrierInit(e, first);
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
    for (auto load : op.getBody().front().getOps<sg::TmaLoadOp>()) {
      auto tile = cast<sg::SmemType>(load.getDst().getType());
      Type elt = tile.getElementType();
      int64_t rows = load.getBoxRows();
      // A 4-D map (D, S, H, B) with the tensor's strides: the box is one
      // head of one batch, `rows` rows and 64 columns.
      Value desc = tensorMap(e, rw.getRemappedValue(load.getDesc()), rows, elt);
      Value row = rw.getRemappedValue(load.getRow());
      Value head = rw.getRemappedValue(load.getHead());
      Value batch = rw.getRemappedValue(load.getBatch());
      for (int64_t sub = 0; sub < tile.getCols() / 64; ++sub) {
        // Column box `sub` of the slot, from row slot_row on: a slot
        // offset of whole 8-row swizzle atoms keeps the tile's swizzle.
        Value at = e.add(s.address, e.c32((sub * tile.getRows() +
                                           load.getSlotRowAttr().getInt()) *
                                          128));
        Value dst = boxView(e, at, rows, elt);
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

/// With empty barriers, one thread per consumer warpgroup arrives (its
/// warpgroup's MMAs on the stage have completed: mma_wait came first);
/// without, the consumers are the whole CTA (one role): a CTA barrier.
struct RingReleaseLowering : OpConversionPattern<sg::RingReleaseOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::RingReleaseOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    auto ring = cast<sg::RingType>(op.getRing().getType());
    if (op.getCommit()) {
      // sm_100a: the MMA issuer arrives for every consumer once its MMAs,
      // which read the stage, complete.
      Emitter e(rw, loc);
      RingSlot s = locateEmpty(e, op.getRing(), adaptor.getBlock());
      for (int64_t c = 0; c < ring.getConsumers(); ++c)
        commitTo(e, adaptor.getRing(), s.barrier);
      rw.eraseOp(op);
      return success();
    }
    if (ring.getConsumers() > 0) {
      Emitter e(rw, loc);
      RingSlot s = locateEmpty(e, op.getRing(), adaptor.getBlock());
      Value first = e.warpgroupLeader();
      auto ifOp = scf::IfOp::create(rw, loc, first, /*withElse=*/false);
      rw.setInsertionPointToStart(&ifOp.getThenRegion().front());
      nvgpu::MBarrierArriveOp::create(
          rw, loc, nvgpu::MBarrierTokenType::get(rw.getContext()),
          adaptor.getRing(), s.barrier);
      rw.eraseOp(op);
      return success();
    }
    auto kernel = op->getParentOfType<gpu::GPUFuncOp>();
    auto schedule =
        kernel ? kernel->getAttrOfType<sg::ScheduleAttr>(sg::kScheduleAttrName)
               : sg::ScheduleAttr();
    if (!schedule || schedule.getRoles().size() != 1)
      return rw.notifyMatchFailure(
          op, "a release across roles needs a ring with consumers");
    rw.replaceOpWithNewOp<gpu::BarrierOp>(op);
    return success();
  }
};

/// Block n's stage is free once the consumers released block n - stages
/// (empty barrier, its phase (n / stages - 1) mod 2) and that block's loads
/// landed (each slot's full barrier at the same phase).
struct RingAcquireLowering : OpConversionPattern<sg::RingAcquireOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::RingAcquireOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    auto ring = cast<sg::RingType>(op.getRing().getType());
    Value n = e.toI32(adaptor.getBlock());
    Value reused = e.cmp(arith::CmpIPredicate::sge, n, e.c32(ring.getStages()));
    Value pred = adaptor.getPred();
    if (!matchPattern(pred, m_One()))
      reused = e.andI(pred, reused);
    auto ifOp = scf::IfOp::create(rw, loc, reused, /*withElse=*/false);
    rw.setInsertionPointToStart(&ifOp.getThenRegion().front());
    Emitter ie(rw, loc);
    Value previous = ie.sub(n, ie.c32(ring.getStages()));
    waitParity(ie, adaptor.getRing(), locateEmpty(ie, op.getRing(), previous));
    for (Attribute slot : ring.getSlots())
      waitParity(ie, adaptor.getRing(),
                 locate(ie, op.getRing(), previous,
                        cast<StringAttr>(slot).getValue()));
    rw.eraseOp(op);
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

/// The vote barrier of block `block`'s stage (a ring with votes): after the
/// full and empty barriers. Its vote bytes follow the ring's slots.
RingSlot locateVote(Emitter &e, Value ringValue, Value block) {
  auto ring = cast<sg::RingType>(ringValue.getType());
  auto [stage, parity] = stageAndParity(e, ring, block);
  int64_t before = ring.getStages() * (ring.getSlots().size() + 1);
  RingSlot r;
  r.barrier = e.toIdx(e.add(e.c32(before), stage));
  r.parity = parity;
  return r;
}

/// Pointer to consumer `wg`'s vote byte for `stage`.
Value voteByte(Emitter &e, Value ringValue, Value stage, Value wg) {
  auto ring = cast<sg::RingType>(ringValue.getType());
  auto create = ringValue.getDefiningOp<sg::RingCreateOp>();
  int64_t votes = create.getOffset() + ring.getStages() *
                                           ring.getSlots().size() *
                                           ring.getTile().getBytes();
  return e.sharedPtr(e.sharedAt(e.add(
      e.c32(votes), e.add(e.mul(stage, e.c32(ring.getConsumers())), wg))));
}

/// The first thread of the warpgroup stores its vote, then arrives on the
/// stage's vote barrier (an arrive releases the store to the waiter).
struct RingVoteLowering : OpConversionPattern<sg::RingVoteOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::RingVoteOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Emitter e(rw, loc);
    Value first = e.warpgroupLeader();
    auto ifOp = scf::IfOp::create(rw, loc, first, /*withElse=*/false);
    rw.setInsertionPointToStart(&ifOp.getThenRegion().front());
    Emitter ie(rw, loc);
    auto ring = cast<sg::RingType>(op.getRing().getType());
    Value stage = stageAndParity(ie, ring, adaptor.getBlock()).first;
    Value byte =
        arith::ExtUIOp::create(rw, loc, rw.getI8Type(), adaptor.getKeep());
    LLVM::StoreOp::create(rw, loc, byte,
                          voteByte(ie, op.getRing(), stage, ie.warpgroup()));
    nvgpu::MBarrierArriveOp::create(
        rw, loc, nvgpu::MBarrierTokenType::get(rw.getContext()),
        adaptor.getRing(),
        locateVote(ie, op.getRing(), adaptor.getBlock()).barrier);
    rw.eraseOp(op);
    return success();
  }
};

/// Waits for every consumer's vote on block n and reads them (i1 each).
SmallVector<Value> readVotes(Emitter &e, Value ringValue, Value barriers,
                             Value block) {
  auto ring = cast<sg::RingType>(ringValue.getType());
  waitParity(e, barriers, locateVote(e, ringValue, block));
  Value stage = stageAndParity(e, ring, block).first;
  Value zero = arith::ConstantIntOp::create(e.b, e.loc, e.b.getI8Type(), 0);
  SmallVector<Value> keeps;
  for (int64_t w = 0; w < ring.getConsumers(); ++w) {
    Value v = LLVM::LoadOp::create(e.b, e.loc, e.b.getI8Type(),
                                   voteByte(e, ringValue, stage, e.c32(w)));
    keeps.push_back(e.cmp(arith::CmpIPredicate::ne, v, zero));
  }
  return keeps;
}

/// Whether any consumer keeps block n.
struct RingVotesLowering : OpConversionPattern<sg::RingVotesOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::RingVotesOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    Value any = e.cBool(false);
    for (Value keep :
         readVotes(e, op.getRing(), adaptor.getRing(), adaptor.getBlock()))
      any = e.orI(any, keep);
    rw.replaceOp(op, any);
    return success();
  }
};

/// The votes as a mask, bit w for consumer warpgroup w; the tensor-memory
/// writes the voters made before voting (P, O's rescale) are ordered
/// before the MMAs issued after it.
struct RingBallotLowering : OpConversionPattern<sg::RingBallotOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::RingBallotOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    SmallVector<Value> keeps =
        readVotes(e, op.getRing(), adaptor.getRing(), adaptor.getBlock());
    NVVM::Tcgen05FenceOp::create(rw, op.getLoc(),
                                 NVVM::Tcgen05FenceKind::AFTER_THREAD_SYNC);
    Value mask = e.c32(0);
    for (auto [w, keep] : llvm::enumerate(keeps))
      mask = e.orI(mask, e.sel(keep, e.c32(1 << w), e.c32(0)));
    rw.replaceOp(op, mask);
    return success();
  }
};

/// A plain arrive on the slot's full barrier: the phase completes with no
/// bytes expected.
struct RingCompleteLowering : OpConversionPattern<sg::RingCompleteOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::RingCompleteOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value pred = adaptor.getPred();
    if (matchPattern(pred, m_Zero())) {
      rw.eraseOp(op);
      return success();
    }
    Emitter e(rw, loc);
    auto ifOp = scf::IfOp::create(rw, loc, pred, /*withElse=*/false);
    rw.setInsertionPointToStart(&ifOp.getThenRegion().front());
    Emitter ie(rw, loc);
    RingSlot s = locate(ie, op.getRing(), adaptor.getBlock(), op.getSlot());
    nvgpu::MBarrierArriveOp::create(
        rw, loc, nvgpu::MBarrierTokenType::get(rw.getContext()),
        adaptor.getRing(), s.barrier);
    rw.eraseOp(op);
    return success();
  }
};

/// Rows of a swizzled tile start 128 bytes apart inside each box; boxes
/// of 64 columns are `pitch * 128` bytes apart.
struct SubtileLowering : OpConversionPattern<sg::SubtileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(sg::SubtileOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Emitter e(rw, op.getLoc());
    Value at = e.add(adaptor.getSource(),
                     e.mul(e.toI32(adaptor.getRow()), e.c32(128)));
    if (Value col = adaptor.getCol()) {
      int64_t pitch = cast<sg::SmemType>(op.getSource().getType()).getPitch();
      at =
          e.add(at, e.mul(e.divu(e.toI32(col), e.c32(64)), e.c32(pitch * 128)));
    }
    rw.replaceOp(op, at);
    return success();
  }
};
} // namespace

Value mlir::skipattn::lowering::tensorMap(Emitter &e, Value desc,
                                          int64_t boxRows, Type elt) {
  MLIRContext *ctx = e.b.getContext();
  auto descT = nvgpu::TensorMapDescriptorType::get(
      ctx,
      MemRefType::get({1, 1, boxRows, 64}, elt, AffineMap(),
                      e.b.getI64IntegerAttr(3)),
      nvgpu::TensorMapSwizzleKind::SWIZZLE_128B,
      nvgpu::TensorMapL2PromoKind::L2PROMO_NONE,
      nvgpu::TensorMapOOBKind::OOB_ZERO,
      nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
  return UnrealizedConversionCastOp::create(e.b, e.loc, descT, desc)
      .getResult(0);
}

Value mlir::skipattn::lowering::boxView(Emitter &e, Value addr, int64_t boxRows,
                                        Type elt) {
  auto ws = gpu::AddressSpaceAttr::get(e.b.getContext(),
                                       gpu::AddressSpace::Workgroup);
  auto viewT = MemRefType::get({1, 1, boxRows, 64}, elt, AffineMap(), ws);
  Value smem = e.dynamicSmem();
  return memref::ViewOp::create(e.b, e.loc, viewT, smem,
                                e.toIdx(e.sub(addr, e.sharedAddr(smem))),
                                ValueRange());
}

void mlir::skipattn::populateRingToNVVMPatterns(const TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  patterns.add<RingCreateLowering, RingPutLowering, RingWaitLowering,
               RingReleaseLowering, RingAcquireLowering, RingDrainLowering,
               RingVoteLowering, RingVotesLowering, RingBallotLowering,
               RingCompleteLowering, SubtileLowering>(converter,
                                                      patterns.getContext());
}
