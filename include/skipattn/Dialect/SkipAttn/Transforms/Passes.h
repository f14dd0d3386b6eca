//===- Passes.h - skipattn transformation passes -----------------*- C++
//-*-===//
//
// Pass declarations (generated) and the reusable rewrite entry points they
// wrap.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_DIALECT_SKIPATTN_TRANSFORMS_PASSES_H
#define SKIPATTN_DIALECT_SKIPATTN_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

namespace mlir::skipattn {
class AttentionOp;
class BlockedKVOp;

#define GEN_PASS_DECL
#include "skipattn/Dialect/SkipAttn/Transforms/Passes.h.inc"

/// Discardable attribute of a memref-form skipattn.attention holding the
/// #skipattn.tiling that skipattn-tile must use for it.
inline constexpr llvm::StringLiteral kTilingAttrName = "skipattn.tiling";

/// Tile sizes requested from skipattn-tile.
struct TileOptions {
  int64_t blockQ = 64;
  int64_t blockKV = 64;
  bool packGQA = false;
  /// Keep blockQ rows per tile even when Sq < blockQ.
  bool padQueryTiles = false;
  /// Split each tile's KV blocks over this many parallel iterations.
  int64_t kvSplits = 1;
  /// Heads per packed tile (0: the whole group).
  int64_t headsPerTile = 0;
  /// A bf16 query is packed unscaled into a bf16 tile, for bf16 products
  /// (see skipattn.pack_q).
  bool bf16Products = false;
};

/// Rewrites one memref-form attention op into the blocked-KV form.
LogicalResult tileAttention(RewriterBase &rewriter, AttentionOp op,
                            const TileOptions &options);

/// Inserts the skip predicate into one blocked_kv loop (no-op when dense).
LogicalResult insertSkipPredicates(RewriterBase &rewriter, BlockedKVOp op,
                                   int64_t skipUnit);

#define GEN_PASS_REGISTRATION
#include "skipattn/Dialect/SkipAttn/Transforms/Passes.h.inc"
} // namespace mlir::skipattn

#endif // SKIPATTN_DIALECT_SKIPATTN_TRANSFORMS_PASSES_H
