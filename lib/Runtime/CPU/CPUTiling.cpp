//===- CPUTiling.cpp - the CPU target's default tiling --------------------===//
//
// Kept apart from the JIT so that builds without the CPU JIT (the
// self-contained GPU build) still agree with it on what a CPU kernel is.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Runtime/CPU/CPUJIT.h"

namespace skipattn {
AttentionSpec cpuSpec(AttentionSpec spec) {
  spec.blockQ = 64;
  spec.blockKV = 64;
  // Decode and short queries: the query heads of a KV head fill one tile,
  // so each K/V block is read once for all of them.
  spec.packGQA = spec.qHeads % spec.kvHeads == 0 &&
                 spec.qHeads / spec.kvHeads > 1 && spec.qLen < spec.blockQ;
  // One decision per tile, or per head when factors differ per head.
  spec.skipUnit = spec.packGQA && spec.runtimeFactors() ? spec.tileBlockQ() : 0;
  return spec;
}
} // namespace skipattn
