//===- Loads.cpp - Q, K and V into the rings ------------------------------===//
//
// The TMA puts of the kernel: the Q tile, the K and V blocks (one box, or
// one per page of a paged cache), the KV loop's bounds that both roles
// walk, and the load role's loops (with gated V, a second warp whose V
// loads follow the math warpgroups' votes).
//
//===----------------------------------------------------------------------===//

#include "../KernelBuilder.h"

namespace mlir::skipattn::kernel_level {

void KernelBuilder::emitPut(Value ring, Value block, StringRef slot, Value pred,
                            Value desc, Value row, Value head, Value batch) {
  auto tile = cast<sg::RingType>(ring.getType()).getTile();
  auto put =
      sg::RingPutOp::create(b, loc, ring, block, slot, pred, tile.getBytes());
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPoint(put.getBody().front().getTerminator());
  sg::TmaLoadOp::create(b, loc, desc, row, head, batch,
                        put.getBody().front().getArgument(0));
}

Value KernelBuilder::pageOf(Value row) {
  // The slot is clamped into the table so that the load stays in bounds
  // for any row; rows past the sequence take the zero-filled page.
  Value slot = arith::MinUIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, row, cIdx(pageSize)),
      cIdx(maxPages - 1));
  Value idx = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, map.lookupOrDefault(scores.getBatch()),
                            cIdx(maxPages)),
      slot);
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), idx);
  auto gptr = LLVM::LLVMPointerType::get(b.getContext(), 1);
  Value ptr = LLVM::GEPOp::create(b, loc, gptr, b.getI32Type(),
                                  param(pageTable), ValueRange{i64});
  auto entry = LLVM::LoadOp::create(b, loc, b.getI32Type(), ptr);
  entry.setInvariant(true);
  Value page =
      arith::IndexCastOp::create(b, loc, b.getIndexType(), entry.getResult());
  Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row,
                                       map.lookupOrDefault(scores.getKvLen()));
  return arith::SelectOp::create(b, loc, inside, page, cIdx(numPages));
}

KernelBuilder::PageBoxes KernelBuilder::pageBoxes(Value row) {
  PageBoxes boxes;
  if (!pageTable)
    return boxes;
  // One box per page of the block (or the block's part of its page): the
  // page's row and the page index (the TMA's batch coordinate).
  int64_t bkv = schedule.getBlockKv(), box = std::min(pageSize, bkv);
  for (int64_t i = 0; i < bkv / box; ++i) {
    Value first = arith::AddIOp::create(b, loc, row, cIdx(i * box));
    boxes.push_back(
        {arith::RemUIOp::create(b, loc, first, cIdx(pageSize)), pageOf(first)});
  }
  return boxes;
}

void KernelBuilder::emitKVPut(Value ring, Value blk, StringRef slot, Value pred,
                              Value desc, Value row, Value head, Value batch,
                              const PageBoxes &boxes) {
  if (!pageTable)
    return emitPut(ring, blk, slot, pred, desc, row, head, batch);
  int64_t box = std::min(pageSize, schedule.getBlockKv());
  auto tile = cast<sg::RingType>(ring.getType()).getTile();
  auto put =
      sg::RingPutOp::create(b, loc, ring, blk, slot, pred, tile.getBytes());
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPoint(put.getBody().front().getTerminator());
  Value dst = put.getBody().front().getArgument(0);
  for (auto [i, at] : llvm::enumerate(boxes)) {
    auto load =
        sg::TmaLoadOp::create(b, loc, desc, at.first, head, at.second, dst);
    load.setSlotRow(i * box);
    load.setRows(box);
  }
}

/// The KV loop's first block and its count, where both roles see them.
void KernelBuilder::emitKVBounds() {
  kvLower = map.lookupOrDefault(blocked.getLower());
  kvCount = map.lookupOrDefault(blocked.getUpper());
  kvZero = cIdx(0);
  if (!matchPattern(kvLower, m_Zero()))
    kvCount = arith::SubIOp::create(b, loc, kvCount, kvLower);
}

Value KernelBuilder::kvBlock(Value blk) {
  if (matchPattern(kvLower, m_Zero()))
    return blk;
  return arith::AddIOp::create(b, loc, kvLower, blk);
}

Value KernelBuilder::kvRow(Value blk) {
  return arith::MulIOp::create(b, loc, kvBlock(blk),
                               cIdx(schedule.getBlockKv()));
}

/// The load warpgroup: its first thread loads Q, then for every block of
/// the math role's loop acquires the K and V stages and fills them, and
/// finally waits for the V loads no consumer may have waited for.
void KernelBuilder::emitLoadRole(sg::RoleAttr roleAttr) {
  auto role = sg::WarpRoleOp::create(b, loc, roleAttr);
  role.getBody().push_back(new Block());
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(&role.getBody().front());
  Value t = arith::ConstantIntOp::create(b, loc, 1, 1);
  Value nBlocks = kvCount;
  Value kvHead = map.lookupOrDefault(scores.getKvHead());
  Value kvBatch = map.lookupOrDefault(scores.getBatch());
  // A thread of warp `warp` runs `body` for every block of the loop. With
  // `after`, the loop counts the blocks for which `body` returns true and
  // `after` gets the count once the loop is done.
  auto blockLoop = [&](int64_t warp, function_ref<void(Value)> before,
                       function_ref<Value(Value, Value)> body,
                       function_ref<void(Value)> after = nullptr) {
    Value lead = sg::ElectOp::create(b, loc, b.getI1Type(), warp);
    auto ifLead = scf::IfOp::create(b, loc, lead, /*withElse=*/false);
    OpBuilder::InsertionGuard g2(b);
    b.setInsertionPointToStart(&ifLead.getThenRegion().front());
    before(t);
    SmallVector<Value> inits;
    if (after)
      inits.push_back(cIdx(0));
    auto forOp = scf::ForOp::create(b, loc, kvZero, nBlocks, cIdx(1), inits);
    b.setInsertionPointToStart(forOp.getBody());
    Value blk = forOp.getInductionVar();
    Value counted = body(blk, kvRow(blk));
    if (!after)
      return forOp;
    scf::YieldOp::create(
        b, loc,
        ValueRange{arith::AddIOp::create(
            b, loc, forOp.getRegionIterArg(0),
            arith::SelectOp::create(b, loc, counted, cIdx(1), cIdx(0)))});
    b.setInsertionPointAfter(forOp);
    after(forOp.getResult(0));
    return forOp;
  };
  auto putQ = [&](Value pred) {
    emitPut(qRing, cIdx(0), "q", pred, qDesc,
            map.lookupOrDefault(pack.getPos()),
            map.lookupOrDefault(pack.getHead()),
            map.lookupOrDefault(pack.getBatch()));
  };
  // tcgen05: the role's first warp issues the MMAs, the next two load.
  int64_t kWarp = tc ? 1 : 0, vWarp = kWarp + 1;
  if (tc)
    emitMmaIssuer();
  if (!gateV && !overlap) {
    auto forOp = blockLoop(kWarp, putQ, [&](Value blk, Value row) {
      // Both stages are acquired before K is filled: a math warpgroup that
      // skipped block n - stages never waited for its V, so only K(n)
      // landing tells it that V's barrier has left that block's phase.
      PageBoxes boxes = pageBoxes(row);
      sg::RingAcquireOp::create(b, loc, kRing, blk, t);
      if (valueInKey) {
        // One tile per block holds both K and V.
        emitKVPut(kRing, blk, "k", t, kDesc, row, kvHead, kvBatch, boxes);
        return Value();
      }
      sg::RingAcquireOp::create(b, loc, vRing, blk, t);
      emitKVPut(kRing, blk, "k", t, kDesc, row, kvHead, kvBatch, boxes);
      emitKVPut(vRing, blk, "v", t, vDesc, row, kvHead, kvBatch, boxes);
      return Value();
    });
    b.setInsertionPointAfter(forOp);
    if (!valueInKey)
      sg::RingDrainOp::create(b, loc, vRing, nBlocks, "v", t);
  } else {
    // Gated V: warp 0 runs ahead loading K; warp 1 loads block n's V only
    // when some math warpgroup keeps the block, and otherwise completes its
    // stage without data. Every V stage completes once per block and every
    // math warpgroup waits for it, so nothing needs draining.
    // overlap: V is released a block late, so K must not wait for V's
    // stage; every math warpgroup waits for every V (no block is
    // skipped), so the two warps may acquire their rings apart.
    blockLoop(kWarp, putQ, [&](Value blk, Value row) {
      PageBoxes boxes = pageBoxes(row);
      sg::RingAcquireOp::create(b, loc, kRing, blk, t);
      emitKVPut(kRing, blk, "k", t, kDesc, row, kvHead, kvBatch, boxes);
      return Value();
    });
    if (overlap) {
      blockLoop(
          vWarp, [](Value) {},
          [&](Value blk, Value row) {
            PageBoxes boxes = pageBoxes(row);
            sg::RingAcquireOp::create(b, loc, vRing, blk, t);
            emitKVPut(vRing, blk, "v", t, vDesc, row, kvHead, kvBatch, boxes);
            return Value();
          });
      b.setInsertionPointToEnd(&role.getBody().front());
      sg::YieldOp::create(b, loc);
      return;
    }
    // The loop counts the loads its votes left out; with V columns in the
    // statistics the warp adds them with the tile's block count.
    blockLoop(
        vWarp, [](Value) {},
        [&](Value blk, Value row) {
          PageBoxes boxes = pageBoxes(row);
          sg::RingAcquireOp::create(b, loc, vRing, blk, t);
          Value keep =
              sg::RingVotesOp::create(b, loc, b.getI1Type(), vRing, blk);
          emitKVPut(vRing, blk, "v", keep, vDesc, row, kvHead, kvBatch, boxes);
          Value skip = arith::XOrIOp::create(b, loc, keep, t);
          sg::RingCompleteOp::create(b, loc, vRing, blk, "v", skip);
          return skip;
        },
        [&](Value saved) {
          if (!countsVLoads())
            return;
          auto add = sg::AddStatsOp::create(b, loc, nBlocks, saved,
                                            param(blocked.getStats()),
                                            statsPlane(blocked));
          add.setColumns(4);
          add.setFirst(2);
          add.setThisThread(true);
        });
  }
  b.setInsertionPointToEnd(&role.getBody().front());
  sg::YieldOp::create(b, loc);
}

} // namespace mlir::skipattn::kernel_level
