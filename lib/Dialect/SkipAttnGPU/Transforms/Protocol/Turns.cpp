//===- Turns.cpp - pingpong turns and ring placement ----------------------===//
//
// The two math warpgroups' turns on the tensor cores, and the rings'
// places in the kernel's shared memory.
//
//===----------------------------------------------------------------------===//

#include "Protocol.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::skipattn_gpu;
using namespace mlir::skipattn_gpu::protocol;

/// Turns taken and passed on every path through `block` (scf.if branches
/// must agree: the two warpgroups may take different branches).
static LogicalResult countTurns(Block &block, int64_t &takes, int64_t &passes) {
  for (Operation &op : block) {
    if (isa<TurnTakeOp>(op)) {
      ++takes;
    } else if (isa<TurnPassOp>(op)) {
      ++passes;
    } else if (auto ifOp = dyn_cast<scf::IfOp>(op)) {
      int64_t t[2] = {0, 0}, p[2] = {0, 0};
      for (auto [i, region] : llvm::enumerate(ifOp->getRegions()))
        if (!region.empty() && failed(countTurns(region.front(), t[i], p[i])))
          return failure();
      if (t[0] != t[1] || p[0] != p[1])
        return ifOp.emitOpError("takes or passes the tensor-core turn on one "
                                "branch only: the warpgroups would fall out "
                                "of step");
      takes += t[0];
      passes += p[0];
    } else if (isa<scf::ForOp>(op)) {
      continue; // checked as a loop of its own
    } else if (op.getNumRegions() && op.walk([](Operation *o) {
                                         return isa<TurnTakeOp, TurnPassOp>(o)
                                                    ? WalkResult::interrupt()
                                                    : WalkResult::advance();
                                       }).wasInterrupted()) {
      return op.emitOpError("hides turn ops in a region the check does not "
                            "follow");
    }
  }
  return success();
}

/// Pingpong: every iteration takes and passes the turn once on every path,
/// and around the loops one take and two passes (one warpgroup's before,
/// the other's after) keep the two warpgroups' counts equal.
LogicalResult mlir::skipattn_gpu::protocol::verifyTurns(gpu::GPUFuncOp kernel) {
  auto schedule = kernel->getAttrOfType<ScheduleAttr>(kScheduleAttrName);
  if (!schedule || !schedule.getPingpong())
    return success();
  LogicalResult result = success();
  kernel.walk([&](WarpRoleOp role) {
    if (role.getRole().getName() != "math" || failed(result))
      return;
    int64_t takes = 0, passes = 0;
    if (failed(countTurns(role.getBody().front(), takes, passes))) {
      result = failure();
      return;
    }
    bool loops = false;
    role.walk([&](scf::ForOp loop) {
      int64_t t = 0, p = 0;
      if (failed(result) || failed(countTurns(*loop.getBody(), t, p))) {
        result = failure();
        return;
      }
      if (t == 0 && p == 0)
        return;
      loops = true;
      if (t != 1 || p != 1)
        result = loop.emitOpError("must take and pass the tensor-core turn "
                                  "once per iteration on every path, got ")
                 << t << " takes and " << p << " passes";
    });
    if (succeeded(result) && loops && (takes != 1 || passes != 2))
      result = role.emitOpError("around its loops the math role takes the "
                                "turn once and passes it twice (the second "
                                "warpgroup before, the first after), got ")
               << takes << " takes and " << passes << " passes";
  });
  return result;
}

/// Rings live at fixed offsets of the dynamic shared memory the launch
/// allocates (the schedule's bytes, 1024 of which align the base): they
/// must fit it and not overlap.
LogicalResult
mlir::skipattn_gpu::protocol::verifyPlacement(gpu::GPUFuncOp kernel,
                                              ArrayRef<RingCreateOp> rings) {
  auto schedule = kernel->getAttrOfType<ScheduleAttr>(kScheduleAttrName);
  for (size_t i = 0; i < rings.size(); ++i) {
    RingCreateOp r = rings[i];
    auto t = cast<RingType>(r.getType());
    int64_t lo = r.getOffset(), hi = lo + t.getBytes();
    if (schedule && hi > schedule.getSharedBytes() - 1024)
      return r.emitOpError("ends at byte ")
             << hi << " past the schedule's "
             << schedule.getSharedBytes() - 1024
             << " bytes of aligned dynamic shared memory";
    for (RingCreateOp other : rings.take_front(i)) {
      int64_t olo = other.getOffset(),
              ohi = olo + cast<RingType>(other.getType()).getBytes();
      if (lo < ohi && olo < hi)
        return r.emitOpError("overlaps the ring at bytes [")
               << olo << ", " << ohi << ")";
    }
  }
  return success();
}
