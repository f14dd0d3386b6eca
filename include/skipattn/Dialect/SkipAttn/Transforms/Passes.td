//===- Passes.td - skipattn transformation passes ----------*- tablegen -*-===//
//
// Target-independent passes on the skipattn dialect. Each pass is a thin
// wrapper over a function declared in Transforms.h so pipelines and other
// tools can call the same rewrite.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_TRANSFORMS_PASSES
#define SKIPATTN_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def SkipAttnTile : Pass<"skipattn-tile", "func::FuncOp"> {
  let summary = "Tile skipattn.attention into query tiles x blocked KV loops";
  let description = [{
    Rewrites every memref-form `skipattn.attention` into a parallel loop over
    (batch, query-head group, query tile). Each iteration packs its query
    tile (`skipattn.pack_q`), walks the KV blocks with `skipattn.blocked_kv`
    (`skipattn.block_scores` + `skipattn.online_softmax` per block) and
    writes the result with `skipattn.finalize`.

    * `block-q` query positions per tile (clamped to Sq), `block-kv` keys
      per block.
    * `pack-gqa`: the Hq/Hkv query heads sharing one KV head go into one
      tile (rows head-major), so decode (Sq = 1) still fills a tile.
    * `kv-splits` (split-KV): each tile's KV blocks are split into that
      many contiguous ranges, one parallel iteration each with its own
      online-softmax state; each writes its normalised partial output and
      log-sum-exp into a workspace, and `skipattn.merge_splits` combines
      them exactly after the parallel loop.
    * Causal: blocks entirely in the future of the tile's last row are not
      visited; masking inside the visited blocks is done by
      `skipattn.block_scores`.
    * Ragged batches: each tile walks the blocks of its own sequence length.
    * Paged KV: the tile walks logical key positions up to max_pages x
      page_size and hands the page table to the block ops.
    * Left-padded queries (`q_lens`): the tile's first real row is passed
      to `skipattn.block_scores` as `q_start`; a tile of padding rows
      visits no block.
    * `bf16-products`: a bf16 query is packed unscaled into a bf16 tile and
      `skipattn.block_scores` carries the scale of its products.

    The tile sizes are recorded as `#skipattn.tiling` on each
    `skipattn.blocked_kv`. An op carrying `skipattn.tiling =
    #skipattn.tiling<...>` (written by hand or by a target's schedule
    selection) is tiled with those sizes instead of the options, padding
    short queries to `block_q`; its other dialect attributes (a kernel
    schedule) are copied onto its `skipattn.blocked_kv`. Shapes must be
    static.
  }];
  let options = [
    Option<"blockQ", "block-q", "int64_t", /*default=*/"64",
           "Query positions per tile">,
    Option<"blockKV", "block-kv", "int64_t", /*default=*/"64",
           "Keys per KV block">,
    Option<"padQueryTiles", "pad-query-tiles", "bool", /*default=*/"false",
           "Keep block_q rows per tile even when Sq is shorter (rows past "
           "Sq are padding); GPU kernels have fixed-size tiles">,
    Option<"packGQA", "pack-gqa", "bool", /*default=*/"false",
           "Pack the query heads of one KV head into one tile">,
    Option<"kvSplits", "kv-splits", "int64_t", /*default=*/"1",
           "Split each tile's KV blocks over this many parallel iterations">,
    Option<"bf16Products", "bf16-products", "bool", /*default=*/"false",
           "Pack a bf16 query unscaled into a bf16 tile, so that Q.K^T "
           "multiplies bf16 pairs (a host with bf16 dot products)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def SkipAttnInsertSkipPredicates
    : Pass<"skipattn-insert-skip-predicates", "func::FuncOp"> {
  let summary = "Guard each block's softmax update with the skip predicate";
  let description = [{
    For every `skipattn.blocked_kv` carrying a non-dense `#skipattn.skip`,
    computes `log2(lambda) = log2(threshold_scale_factor / kv_len)` once per
    tile (`-inf`, i.e. never skip, when `lambda >= 1`), splits the tile's
    rows into skip units of `skip-unit` rows (0: the whole tile), and wraps
    each unit's `skipattn.online_softmax` (its exp, P.V and V reads) in an
    `scf.if` on the negation of `skipattn.skip_predicate`. Blocks before
    `max(1, min_keep_blocks)` relative to the tile's first block are always
    kept, and a sequence with `lambda >= 1` keeps every block. The chosen
    unit is recorded as `skip_unit` in `#skipattn.tiling`.

    Dense tiles (no configuration, or factor 0) get no predicate at all.
    When the tile carries a statistics buffer, each decision increments
    `[batch, head, 0]` and each skip `[batch, head, 1]` of it atomically,
    where `head` is the query head of the unit's first row.
  }];
  let options = [
    Option<"skipUnit", "skip-unit", "int64_t", /*default=*/"0",
           "Rows voting together on a skip (0: the whole tile)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // SKIPATTN_TRANSFORMS_PASSES
