//===- VerifyProtocol.cpp - skipattn-gpu-verify-protocol ------------------===//
//
// Checks the mbarrier protocol of each ring against the shapes the kernel
// level gives it. Rings used outside a loop (the Q tile) are filled and
// waited once. A ring without consumers is refilled by its consumers: a
// prologue fills blocks 0 .. stages-1, a KV loop `scf.for %n` waits for
// block n and refills its stage with block n + stages, and a drain follows
// the loop. A ring with consumers (empty barriers) has a producer loop
// that acquires and fills block n, and a consumer loop over the same
// blocks that waits for block n and releases it on every path; the
// producer drains what a consumer may leave unwaited. A ring with votes
// (gated loads) has every consumer vote once per block before waiting for
// it and wait for every slot on every path; its producer fills a slot or
// completes it without data, under complementary predicates. A lagged
// consumer (vote_ahead = k, overlap with k = 1) votes on block n but waits
// for and releases block n - k under `n >= k`, and its last iteration
// completes blocks n - k + 1 .. n, oldest first; it needs more than k
// stages.
//
// The analysis is a must-wait set over the structured control flow of one
// iteration: a slot counts as waited for block n after an scf.if only if
// both branches wait for it.
//
// sm_100a adds two shapes. A ring's consumers may only vote while one loop
// (the MMA issuer) reads their ballot, waits for every block and releases
// it for all of them with a commit. Pipes (the issuer's commits that S is
// ready, O complete) are committed and waited once per block on every
// path, and the issuer reads a ballot its consumers cast after waiting, so
// a one-stage barrier never runs a phase ahead of them.
//
//===----------------------------------------------------------------------===//

#include "Protocol/Protocol.h"
#include "skipattn/Dialect/SkipAttnGPU/Transforms/Passes.h"

namespace mlir::skipattn_gpu {
#define GEN_PASS_DEF_SKIPATTNGPUVERIFYPROTOCOL
#include "skipattn/Dialect/SkipAttnGPU/Transforms/Passes.h.inc"
} // namespace mlir::skipattn_gpu

using namespace mlir;
using namespace mlir::skipattn_gpu;
using namespace mlir::skipattn_gpu::protocol;

LogicalResult mlir::skipattn_gpu::verifyRingProtocol(gpu::GPUFuncOp kernel) {
  SmallVector<RingCreateOp> rings;
  kernel.walk([&](RingCreateOp r) { rings.push_back(r); });
  if (failed(verifyPlacement(kernel, rings)))
    return failure();
  for (RingCreateOp r : rings)
    if (failed(checkRing(r)))
      return failure();
  WalkResult pipes = kernel.walk([](PipeCreateOp p) {
    return failed(verifyPipe(p)) ? WalkResult::interrupt()
                                 : WalkResult::advance();
  });
  if (pipes.wasInterrupted())
    return failure();
  return verifyTurns(kernel);
}

namespace {
struct VerifyProtocolPass
    : mlir::skipattn_gpu::impl::SkipAttnGPUVerifyProtocolBase<
          VerifyProtocolPass> {
  void runOnOperation() override {
    for (auto f : getOperation().getOps<gpu::GPUFuncOp>())
      if (failed(verifyRingProtocol(f)))
        return signalPassFailure();
    markAllAnalysesPreserved();
  }
};
} // namespace
