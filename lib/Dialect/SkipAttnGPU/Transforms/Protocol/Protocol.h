//===- Protocol.h - the checks of skipattn-gpu-verify-protocol --*- C++ -*-===//
//
// VerifyProtocol.cpp describes the protocol; each check lives in its own
// file: Rings.cpp (a ring's producer and consumers), Turns.cpp (pingpong
// turns and where rings sit in shared memory), Pipes.cpp (sm_100a's
// commit pipes); Blocks.cpp holds the loop-index matchers they share.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_LIB_DIALECT_SKIPATTNGPU_TRANSFORMS_PROTOCOL_PROTOCOL_H
#define SKIPATTN_LIB_DIALECT_SKIPATTNGPU_TRANSFORMS_PROTOCOL_PROTOCOL_H

#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPU.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::skipattn_gpu::protocol {
/// Block index of a ring op relative to the KV loop: a constant, the loop's
/// induction variable plus a constant, or unknown.
struct BlockRef {
  enum Kind { Constant, LoopPlus, Unknown } kind = Unknown;
  int64_t value = 0;
  scf::ForOp loop;
};
BlockRef classify(Value index);
/// Whether `index` is `loop`'s block n itself.
bool isLoopBlock(Value index, scf::ForOp loop);
/// Whether two loops walk the same blocks (the same bounds, step 1), as a
/// producer and its consumers must, or one side waits forever.
bool sameBlocks(scf::ForOp a, scf::ForOp b);
/// Whether `a` comes before `b` in the program order of `body`, where both
/// are nested in it (ops under one scf.if are not ordered here).
bool before(Operation *a, Operation *b, Block *body);
/// `index` is `x - 1` (or `x + -1`, or one below a constant `x`).
bool isOneBelow(Value index, Value x);
/// `cond` is `n == ub - 1` for `loop`'s induction variable n.
bool isLastIteration(Value cond, scf::ForOp loop);
/// k >= 1 where `cond` is `x >= k` (or `x > k - 1`; `x != 0` for k = 1),
/// else 0.
int64_t atLeast(Value cond, Value x);

/// The mbarrier protocol of one ring.
LogicalResult checkRing(RingCreateOp ring);
/// Pingpong: the tensor-core turns alternate on every path.
LogicalResult verifyTurns(gpu::GPUFuncOp kernel);
/// The kernel's rings do not overlap and fit its shared memory.
LogicalResult verifyPlacement(gpu::GPUFuncOp kernel,
                              ArrayRef<RingCreateOp> rings);
/// A commit pipe is committed and waited once per block on every path.
LogicalResult verifyPipe(PipeCreateOp pipe);
} // namespace mlir::skipattn_gpu::protocol

#endif // SKIPATTN_LIB_DIALECT_SKIPATTNGPU_TRANSFORMS_PROTOCOL_PROTOCOL_H
