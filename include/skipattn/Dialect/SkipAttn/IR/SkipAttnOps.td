//===- SkipAttnOps.td - skipattn operations ----------------*- tablegen -*-===//
//
// Problem-level and blocked-level operations of the skipattn dialect. Every
// op states its exact semantics: the passes and the float64 reference model
// implement precisely what is written here.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_OPS
#define SKIPATTN_OPS

include "skipattn/Dialect/SkipAttn/IR/SkipAttnBase.td"
include "skipattn/Dialect/SkipAttn/IR/SkipAttnAttrs.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/IR/OpAsmInterface.td"

def SkipAttn_FloatMemRef : MemRefOf<[F32]>;
def SkipAttn_InputMemRef : MemRefOf<[F16, BF16, F32]>;
def SkipAttn_PageTableMemRef : MemRefRankOf<[I32], [2]>;

//===----------------------------------------------------------------------===//
// Problem level
//===----------------------------------------------------------------------===//

def SkipAttn_AttentionOp : SkipAttn_Op<"attention", [
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<DestinationStyleOpInterface>,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "Multi-head attention with optional skip-softmax";
  let description = [{
    Computes `out[b, h, i, :] = sum_j softmax_j(scale * q[b,h,i,:] . k[b,g,j,:]) * v[b,g,j,:]`
    with `g = h / (Hq / Hkv)` (GQA head mapping: consecutive query heads share
    a KV head; Hq == Hkv is MHA, Hkv == 1 is MQA).

    Shapes: `query [B, Hq, Sq, D]`, `key [B, Hkv, Skv, D]`,
    `value [B, Hkv, Skv, Dv]`, `out [B, Hq, Sq, Dv]`; element type f16, bf16 or
    f32, the same for the four. Accumulation is f32.

    * `kv_lens [B]` (i32, optional): the actual KV length `L_b <= Skv` of each
      sequence; keys at positions `>= L_b` are masked. Without it `L_b = Skv`.
    * `page_table [B, max_pages]` (i32, optional): paged KV. `key` is then
      a cache of pages `[P, Hkv, page_size, D]` (`value` likewise with `Dv`)
      seen in that order whatever its memory layout (a `[P, page_size, Hkv,
      D]` cache is the same view with other strides; K and V stacked in one
      buffer are two views of it), and key `j` of sequence `b` is row
      `j mod page_size` of page `page_table[b, j / page_size]`. The
      sequences' logical KV length is `Skv = max_pages * page_size`; table
      entries of pages past `L_b` are never read. Every entry read must lie
      in `[0, P)` (the caller's contract, as in serving frameworks: it is
      device data).
    * `q_lens [B]` (i32, optional): left-padded queries. Sequence `b` has
      `Q_b = clamp(q_lens[b], 0, Sq)` real rows, at positions
      `[Sq - Q_b, Sq)`; the rows before them are padding: they see no key
      (zeros out, an LSE of -inf) and take no part in skip decisions. The
      causal alignment is unchanged, so a real row `t` of the sequence sees
      keys `j <= t + L_b - Q_b`: a batch of chunks of different lengths
      runs as one call.
    * `scale` (optional): softmax scale, default `1/sqrt(D)`.
    * `causal`: key `j` is visible from query `i` iff `j <= i + (L_b - Sq)`
      (aligned bottom-right, so the last query sees the whole sequence when
      `Sq < L_b`). A row that sees no key produces zeros and an LSE of -inf.
    * `skip` (optional `#skipattn.skip`): skip-softmax. Per query tile (the
      tiling decides its rows), KV block `n` is skipped for a skip unit when
      every valid row `r` of the unit satisfies
      `exp(scale * (m_blk[r] - m_prev[r])) < lambda_b`,
      `lambda_b = threshold_scale_factor / L_b`. Skipped blocks leave the row
      max, row sum and accumulator untouched (no exp, no P.V, no V read). The
      first block and the first `min_keep_blocks` blocks of a tile are always
      kept; `lambda_b >= 1` disables skipping for sequence `b`. Absent or a
      factor of 0 means dense.
    * `skip_factors [B, Hq]` (f32, optional): the threshold scale factor as
      a runtime value, `lambda_{b,h} = skip_factors[b, h] / L_b`, so that one
      kernel serves every factor (per request, per sequence, per head; a
      memref may broadcast with zero strides). It needs `skip` for
      `min_keep_blocks`, whose own factor must then be 0. An entry `<= 0`
      means dense for that sequence and head. The rows of a skip unit must
      then belong to one query head.
    * `value_in_key`: V is the first `Dv` columns of K's rows, one buffer
      seen twice (MLA: a latent cache whose 576-wide rows are the keys and
      whose first 512 columns are the values). The result is the same as
      with any V holding those values; a GPU kernel then loads each block
      once for both products. The caller passes K's memory as V.
    * `lse [B, Hq, Sq]` (f32, optional output): natural log-sum-exp of the
      scaled scores over the kept keys.
    * `stats [B, Hq, 2]` (i64, optional output): `[total, skipped]` skip
      decisions; a decision (one skip unit against one visited block) is
      attributed to the query head of the unit's first row. With
      `[B, Hq, 4]` also `[V loads, V loads saved]`: the blocks of V the
      kernel reads and those a skip left out. Here (and on the CPU) each
      unit reads a kept block's V for itself, so the V columns equal the
      decision columns; a GPU kernel whose tile loads V once for all its
      units counts its own loads instead (`convert-skipattn-to-skipattn-gpu`),
      at the tile's first head.

    The op is destination-passing: on tensors it returns one tensor per
    output operand; on memrefs it writes the output buffers and has no
    results.

    ```mlir
    %o = skipattn.attention ins(%q, %k, %v : tensor<1x8x128x64xf16>,
                                tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>)
           outs(%init : tensor<1x8x128x64xf16>)
           {causal, skip = #skipattn.skip<threshold_scale_factor = 1.000000e+03, min_keep_blocks = 1>}
           -> tensor<1x8x128x64xf16>
    ```
  }];
  let arguments = (ins AnyShaped:$query, AnyShaped:$key, AnyShaped:$value,
                       Optional<AnyShaped>:$kv_lens,
                       Optional<AnyShaped>:$page_table,
                       Optional<AnyShaped>:$q_lens,
                       Optional<AnyShaped>:$skip_factors,
                       AnyShaped:$out, Optional<AnyShaped>:$lse,
                       Optional<AnyShaped>:$stats,
                       OptionalAttr<F32Attr>:$scale, UnitAttr:$causal,
                       OptionalAttr<SkipAttn_SkipConfigAttr>:$skip,
                       UnitAttr:$value_in_key);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    `ins` `(` $query `,` $key `,` $value `:` type($query) `,` type($key) `,` type($value) `)`
    (`kv_lens` `(` $kv_lens^ `:` type($kv_lens) `)`)?
    (`page_table` `(` $page_table^ `:` type($page_table) `)`)?
    (`q_lens` `(` $q_lens^ `:` type($q_lens) `)`)?
    (`skip_factors` `(` $skip_factors^ `:` type($skip_factors) `)`)?
    `outs` `(` $out `:` type($out) `)`
    (`lse` `(` $lse^ `:` type($lse) `)`)?
    (`stats` `(` $stats^ `:` type($stats) `)`)?
    attr-dict (`->` type($results)^)?
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// The softmax scale, explicit or the default 1/sqrt(D).
    double getEffectiveScale();
    /// True when a non-zero skip configuration or runtime factors are
    /// attached.
    bool hasSkipping() {
      return getSkipFactors() || (getSkip() && !getSkip()->isDense());
    }
    bool hasTensorSemantics() {
      return ::llvm::isa<::mlir::TensorType>(getQuery().getType());
    }
    /// The logical KV length Skv: the key's sequence extent, or
    /// max_pages * page_size with a page table (dynamic if either is).
    int64_t getLogicalKvLen();
  }];
}

//===----------------------------------------------------------------------===//
// Blocked level (memrefs)
//===----------------------------------------------------------------------===//

def SkipAttn_YieldOp : SkipAttn_Op<"yield", [Pure, Terminator,
    HasParent<"BlockedKVOp">]> {
  let summary = "Terminates a blocked_kv body";
  let description = [{
    Ends one iteration of `skipattn.blocked_kv`; the state lives in the
    loop's memref operands, so nothing is yielded.

    ```mlir
    skipattn.yield
    ```
  }];
  let assemblyFormat = "attr-dict";
}

def SkipAttn_BlockedKVOp : SkipAttn_Op<"blocked_kv", [
    AttrSizedOperandSegments, SingleBlockImplicitTerminator<"YieldOp">,
    RecursiveMemoryEffects]> {
  let summary = "Loop over the KV blocks of one query tile";
  let description = [{
    Runs its body once for each KV block index `n` in `[lower, upper)` in
    increasing order; block `n` covers keys `[n * block_kv, (n+1) * block_kv)`
    clipped to `kv_len`. The online-softmax state of the tile - row max `m`
    (exp2 domain, starts at -inf), row sum `l` (starts at 0) and accumulator
    `acc` (starts at 0) - lives in the `state` buffers, which the loop
    initialises before the first block; the body updates them in place.

    The tiling decision is recorded in `tiling`; `skip` carries the skip
    configuration down to `skipattn-insert-skip-predicates`, which also
    needs the tile's `kv_len` (for `lambda`) and, when statistics are asked
    for, the `stats` buffer with the batch index and first query head of the
    tile. With runtime factors (`skip_factors [B, Hq]`, see
    `skipattn.attention`) it also carries that buffer, indexed with the same
    batch index and the head of each skip unit. Blocks not visited (entirely
    in the causal future, or past `kv_len`) are not part of `[lower, upper)`.

    ```mlir
    skipattn.blocked_kv %n = %c0 to %nblocks kv_len(%len)
        state(%m, %l, %acc : memref<64xf32>, memref<64xf32>, memref<64x64xf32>)
        {tiling = #skipattn.tiling<block_q = 64, block_kv = 64, heads_per_tile = 1, skip_unit = 0>} {
      ...
    }
    ```
  }];
  let arguments = (ins Index:$lower, Index:$upper, Index:$kv_len,
                       SkipAttn_FloatMemRef:$row_max,
                       SkipAttn_FloatMemRef:$row_sum,
                       SkipAttn_FloatMemRef:$acc,
                       Optional<MemRefOf<[I64]>>:$stats,
                       Optional<MemRefOf<[F32]>>:$skip_factors,
                       Optional<Index>:$batch, Optional<Index>:$head,
                       SkipAttn_TilingAttr:$tiling,
                       OptionalAttr<SkipAttn_SkipConfigAttr>:$skip);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let builders = [OpBuilder<(ins "Value":$lower, "Value":$upper,
      "Value":$kvLen, "Value":$rowMax, "Value":$rowSum, "Value":$acc,
      "TilingAttr":$tiling, "SkipConfigAttr":$skip)>];
  let extraClassDeclaration = [{
    ::mlir::Value getBlockIndex() { return getBody().front().getArgument(0); }
    ::mlir::Block *getBodyBlock() { return &getBody().front(); }
    /// True when a non-zero skip configuration or runtime factors are
    /// attached.
    bool hasSkipping() {
      return getSkipFactors() || (getSkip() && !getSkip()->isDense());
    }
  }];
}

def SkipAttn_PackQOp : SkipAttn_Op<"pack_q", [
    MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "Gather one query tile into an f32 buffer, pre-scaled";
  let description = [{
    Writes row `r = g * rows_per_head + i` of `tile` (`[R, D]`, f32) with
    `query[batch, head + g, pos + i, :] * scale * log2(e)` for
    `g < heads`, `i < rows_per_head`; rows whose position is `>= Sq` are
    zero. Pre-scaling moves the softmax scale and the exp -> exp2 change of
    base out of the block loop. A bf16 `tile` (for a bf16 query) instead
    holds the query's values unscaled, so that `skipattn.block_scores` can
    multiply bf16 pairs exactly (the host's bf16 dot-product instructions)
    and apply the scale to the f32 sums.

    ```mlir
    skipattn.pack_q %q[%b, %h, %p] into %tile {heads = 4 : i64, rows_per_head = 16 : i64, scale = 0.125 : f32}
        : memref<1x8x64x64xf16>, memref<64x64xf32>
    ```
  }];
  let arguments = (ins SkipAttn_InputMemRef:$query, Index:$batch, Index:$head,
                       Index:$pos, MemRefOf<[F32, BF16]>:$tile,
                       I64Attr:$heads, I64Attr:$rows_per_head, F32Attr:$scale);
  let assemblyFormat = [{
    $query `[` $batch `,` $head `,` $pos `]` `into` $tile attr-dict
    `:` type($query) `,` type($tile)
  }];
  let hasVerifier = 1;
}

def SkipAttn_BlockScoresOp : SkipAttn_Op<"block_scores", [
    AttrSizedOperandSegments, MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "Masked score tile of one KV block";
  let description = [{
    `scores[r, c] = q_tile[r, :] . key[batch, kv_head, kv_start + c, :]` for
    `c < block_kv` (the second dimension of `scores`), or -inf when the key is
    masked: `kv_start + c >= kv_len`, the row's position `p >= q_len` or
    `p < q_start` (padding rows; `q_start` defaults to 0), or, with
    `causal`, `kv_start + c > p + kv_len - q_len`.
    Row `r` has position `q_pos + r mod rows_per_head`. Keys at or past
    `kv_len` are never read. Scores inherit the exp2-domain scaling of
    `q_tile` (see `skipattn.pack_q`). With `pages(%table)` the key is a
    paged cache `[P, Hkv, page_size, D]` and key `j` is
    `key[table[batch, j / page_size], kv_head, j mod page_size, :]` (see
    `skipattn.attention`). With an unscaled bf16 `q_tile` (see
    `skipattn.pack_q`) the f32 dot products are multiplied by `scale`
    (the softmax scale times log2(e)) before masking.

    ```mlir
    skipattn.block_scores %tile, %k[%b, %g] kv_start(%j0) kv_len(%len) q_pos(%p)
        into %s {causal, q_len = 128 : i64, rows_per_head = 64 : i64}
        : memref<64x64xf32>, memref<1x2x128x64xf16>, memref<64x64xf32>
    ```
  }];
  let arguments = (ins MemRefOf<[F32, BF16]>:$q_tile,
                       SkipAttn_InputMemRef:$key,
                       Index:$batch, Index:$kv_head,
                       Optional<SkipAttn_PageTableMemRef>:$page_table,
                       Index:$kv_start, Index:$kv_len, Index:$q_pos,
                       Optional<Index>:$q_start,
                       SkipAttn_FloatMemRef:$scores, I64Attr:$q_len,
                       I64Attr:$rows_per_head, UnitAttr:$causal,
                       OptionalAttr<F32Attr>:$scale);
  let assemblyFormat = [{
    $q_tile `,` $key `[` $batch `,` $kv_head `]`
    (`pages` `(` $page_table^ `:` type($page_table) `)`)?
    `kv_start` `(` $kv_start `)`
    `kv_len` `(` $kv_len `)` `q_pos` `(` $q_pos `)`
    (`q_start` `(` $q_start^ `)`)? `into` $scores attr-dict
    `:` type($q_tile) `,` type($key) `,` type($scores)
  }];
  let hasVerifier = 1;
}

def SkipAttn_SkipPredicateOp : SkipAttn_Op<"skip_predicate", [
    MemoryEffects<[MemRead]>]> {
  let summary = "Canonical skip decision of one skip unit against one block";
  let description = [{
    Returns true when the block may be skipped by every row of the unit
    (`scores` and `row_max` are the unit's rows): with
    `m_blk[r] = max_c scores[r, c]`, row `r` may skip iff
    `m_blk[r] - row_max[r] < log2_lambda` (exp2 domain, so this is
    `exp(scale * (m_blk - m_prev)) < lambda`) or `m_blk[r] = -inf` (a padding
    or fully masked row never vetoes). A row that has seen nothing yet
    (`row_max = -inf`) and has a finite score votes to keep, so the first
    block is kept. `log2_lambda = -inf` means never skip.

    ```mlir
    %skip = skipattn.skip_predicate %s_unit, %m_unit log2_lambda(%ll)
        : memref<16x64xf32, strided<[64, 1], offset: ?>>, memref<16xf32, strided<[1], offset: ?>>
    ```
  }];
  let arguments = (ins SkipAttn_FloatMemRef:$scores,
                       SkipAttn_FloatMemRef:$row_max, F32:$log2_lambda);
  let results = (outs I1:$skip);
  let assemblyFormat = [{
    $scores `,` $row_max `log2_lambda` `(` $log2_lambda `)` attr-dict
    `:` type($scores) `,` type($row_max)
  }];
  let hasVerifier = 1;
}

def SkipAttn_OnlineSoftmaxOp : SkipAttn_Op<"online_softmax", [
    MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "Online-softmax state update with one block";
  let description = [{
    For every row `r` of the given rows (exp2 domain):
    `m' = max(m, max_c s[r, c])`, `p[c] = exp2(s[r, c] - m')`,
    `l' = l * exp2(m - m') + sum_c p[c]`,
    `acc' = acc * exp2(m - m') + sum_c p[c] * value[batch, kv_head, kv_start + c, :]`.
    A row with `m' = -inf` (nothing visible yet) is left unchanged. `scores`
    is overwritten with `p`. Only value rows `< kv_len` are read; with
    `pages(%table)` value row `j` is paged as in `skipattn.block_scores`.

    ```mlir
    skipattn.online_softmax %s, %v[%b, %g] kv_start(%j0) kv_len(%len)
        state(%m, %l, %acc) : memref<64x64xf32>, memref<1x2x128x64xf16>,
        memref<64xf32>, memref<64xf32>, memref<64x64xf32>
    ```
  }];
  let arguments = (ins SkipAttn_FloatMemRef:$scores, SkipAttn_InputMemRef:$value,
                       Index:$batch, Index:$kv_head,
                       Optional<SkipAttn_PageTableMemRef>:$page_table,
                       Index:$kv_start, Index:$kv_len,
                       SkipAttn_FloatMemRef:$row_max,
                       SkipAttn_FloatMemRef:$row_sum, SkipAttn_FloatMemRef:$acc);
  let assemblyFormat = [{
    $scores `,` $value `[` $batch `,` $kv_head `]`
    (`pages` `(` $page_table^ `:` type($page_table) `)`)?
    `kv_start` `(` $kv_start `)`
    `kv_len` `(` $kv_len `)` `state` `(` $row_max `,` $row_sum `,` $acc `)`
    attr-dict `:` type($scores) `,` type($value) `,` type($row_max) `,`
    type($row_sum) `,` type($acc)
  }];
  let hasVerifier = 1;
}

def SkipAttn_FinalizeOp : SkipAttn_Op<"finalize", [
    MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "Normalise a tile and write it (and its log-sum-exp) out";
  let description = [{
    For tile row `r = g * rows_per_head + i` with position `p = pos + i < Sq`:
    `out[batch, head + g, p, :] = acc[r, :] / max(l[r], 1e-30)` converted to
    the output element type and, when `lse` is given,
    `lse[batch, head + g, p] = ln(2) * (m[r] + log2(l[r]))` (the natural
    log-sum-exp of the scaled scores; -inf for a row that saw no key).
    Padding rows are not written.

    ```mlir
    skipattn.finalize state(%m, %l, %acc) into %o[%b, %h, %p]
        {rows_per_head = 64 : i64} : memref<64xf32>, memref<64xf32>,
        memref<64x64xf32>, memref<1x8x128x64xf16>
    ```
  }];
  let arguments = (ins SkipAttn_FloatMemRef:$row_max,
                       SkipAttn_FloatMemRef:$row_sum, SkipAttn_FloatMemRef:$acc,
                       SkipAttn_InputMemRef:$out, Index:$batch, Index:$head,
                       Index:$pos, Optional<SkipAttn_FloatMemRef>:$lse,
                       I64Attr:$rows_per_head);
  let assemblyFormat = [{
    `state` `(` $row_max `,` $row_sum `,` $acc `)` `into` $out `[` $batch `,`
    $head `,` $pos `]` (`lse` `(` $lse^ `:` type($lse) `)`)? attr-dict `:`
    type($row_max) `,` type($row_sum) `,` type($acc) `,` type($out)
  }];
  let hasVerifier = 1;
}

def SkipAttn_MergeSplitsOp : SkipAttn_Op<"merge_splits", [
    MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "Merge split-KV partial results through their log-sum-exp";
  let description = [{
    `partial_out [S, B, H, Sq, Dv]` (f32) and `partial_lse [S, B, H, Sq]`
    hold the normalised output and natural log-sum-exp of each of the S
    splits of a tile's KV blocks (`skipattn.finalize` of each split). For
    every `(b, h, p)` with `M = max_s partial_lse[s]` and
    `w_s = exp(partial_lse[s] - M)`:
    `out[b, h, p] = sum_s w_s * partial_out[s] / sum_s w_s` and, when given,
    `lse[b, h, p] = M + log(sum_s w_s)`. Splits that saw no key
    (`partial_lse = -inf`) weigh nothing; a row no split saw is 0 with an
    lse of -inf, as without splits.

    ```mlir
    skipattn.merge_splits %po, %pl into %out lse(%lse : memref<1x8x1xf32>)
        : memref<4x1x8x1x128xf32>, memref<4x1x8x1xf32>, memref<1x8x1x128xbf16>
    ```
  }];
  let arguments = (ins MemRefRankOf<[F32], [5]>:$partial_out,
                       MemRefRankOf<[F32], [4]>:$partial_lse,
                       SkipAttn_InputMemRef:$out,
                       Optional<MemRefRankOf<[F32], [3]>>:$lse);
  let assemblyFormat = [{
    $partial_out `,` $partial_lse `into` $out (`lse` `(` $lse^ `:`
    type($lse) `)`)? attr-dict `:` type($partial_out) `,` type($partial_lse)
    `,` type($out)
  }];
  let hasVerifier = 1;
}

#endif // SKIPATTN_OPS
