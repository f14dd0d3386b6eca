//===- Pipes.cpp - sm_100a commit pipes -----------------------------------===//
//
// The MMA issuer's commits (S ready, O complete) and their waits.
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

/// A pipe (sm_100a): the MMA issuer commits block n once per iteration of
/// its loop (or a constant block once, outside loops) and the consumers
/// wait for it once per iteration of theirs, over the same blocks. A
/// barrier of one stage must not be committed twice before every consumer
/// passed the first phase: after committing block n the issuer reads the
/// ballot of a ring (its votes on block n), on which each consumer votes
/// only after waiting for block n.
LogicalResult mlir::skipattn_gpu::protocol::verifyPipe(PipeCreateOp pipe) {
  Value p = pipe.getPipe();
  scf::ForOp producer;
  // The signals: the issuer's commits, or the arrivals of a role's warps
  // (every thread of the role runs the op; the rules are the same).
  SmallVector<Operation *> commits;
  SmallVector<PipeWaitOp> waits;
  llvm::SmallSet<int64_t, 4> committed;
  auto signalled = [&](Operation *op) -> Value {
    if (auto c = dyn_cast<PipeCommitOp>(op); c && c.getPipe() == p)
      return c.getBlock();
    if (auto a = dyn_cast<PipeArriveOp>(op); a && a.getPipe() == p)
      return a.getBlock();
    return Value();
  };
  // In program order, so that a diagnostic names the later of two ops.
  pipe->getParentOfType<gpu::GPUFuncOp>().walk([&](Operation *op) {
    if (signalled(op))
      commits.push_back(op);
    else if (auto w = dyn_cast<PipeWaitOp>(op); w && w.getPipe() == p)
      waits.push_back(w);
  });
  // Warp arrivals: the barrier completes after `arrivals` of them, so the
  // warps of exactly one role of that many warps arrive (fewer would
  // deadlock the waiters, more would complete a phase early).
  int64_t arrivals = cast<PipeType>(p.getType()).getArrivals();
  WarpRoleOp arriving;
  for (Operation *c : commits) {
    if (!isa<PipeArriveOp>(c))
      continue;
    auto role = c->getParentOfType<WarpRoleOp>();
    if (!role || role.getRole().getNumWarps() != arrivals)
      return c->emitOpError("is run by ")
             << (role ? role.getRole().getNumWarps() : 0)
             << " warps of a role; the pipe completes after " << arrivals
             << " warp arrivals";
    if (arriving && arriving != role)
      return c->emitOpError("a pipe's warps arrive from one role");
    arriving = role;
  }
  for (Operation *c : commits) {
    BlockRef r = classify(signalled(c));
    if (r.kind == BlockRef::Constant) {
      if (!committed.insert(r.value).second)
        return c->emitOpError("signals block ")
               << r.value << " twice: its barrier expects one arrival";
      continue;
    }
    if (r.kind != BlockRef::LoopPlus || r.value != 0 ||
        c->getBlock() != r.loop.getBody())
      return c->emitOpError("signals a constant block or, on every path of "
                            "an iteration, the loop's block n");
    if (producer && producer != r.loop)
      return c->emitOpError("a pipe is signalled by one loop");
    producer = r.loop;
  }
  for (PipeWaitOp w : waits) {
    BlockRef r = classify(w.getBlock());
    if (r.kind == BlockRef::Constant) {
      if (!committed.contains(r.value))
        return w.emitOpError("waits for block ")
               << r.value << " that no pipe.commit or pipe.arrive signals";
      continue;
    }
    if (r.kind != BlockRef::LoopPlus || r.value != 0 ||
        w->getBlock() != r.loop.getBody())
      return w.emitOpError("waits for a constant block or, on every path of "
                           "an iteration, the loop's block n");
    if (!producer)
      return w.emitOpError("waits in a loop for blocks no loop commits");
    scf::ForOp loop = r.loop;
    if (!sameBlocks(loop, producer))
      return loop.emitOpError("the loops committing and waiting for a pipe "
                              "must walk the same blocks (same bounds, step "
                              "1)");
    // The handshake that keeps the issuer within one phase of this loop.
    bool handshake = false;
    producer.getBody()->walk([&](RingBallotOp bal) {
      if (!isLoopBlock(bal.getBlock(), producer))
        return;
      loop.getBody()->walk([&](RingVoteOp vote) {
        handshake |= vote.getRing() == bal.getRing() &&
                     isLoopBlock(vote.getBlock(), loop) &&
                     before(w, vote, loop.getBody());
      });
    });
    int64_t stages = cast<PipeType>(p.getType()).getStages();
    if (!handshake && stages < 2)
      return w.emitOpError("nothing keeps the committing loop from "
                           "signalling block n + 1 before this wait passed "
                           "block n: vote on a ring after the wait and read "
                           "the ballot in the committing loop");
  }
  return success();
}
