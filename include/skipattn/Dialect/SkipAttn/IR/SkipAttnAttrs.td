//===- SkipAttnAttrs.td - skipattn attributes --------------*- tablegen -*-===//
//
// Attributes that carry the skip configuration and the tiling decision, so
// that every choice a pass makes is visible (and testable) in the IR.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_ATTRS
#define SKIPATTN_ATTRS

include "skipattn/Dialect/SkipAttn/IR/SkipAttnBase.td"
include "mlir/IR/AttrTypeBase.td"

// An f64 written as a plain float literal (`1.0e3`), not as a typed attribute.
def SkipAttn_F64Param : APFloatParameter<"an f64 value"> {
  let parser = [{ ::mlir::skipattn::parseF64Parameter($_parser) }];
}

class SkipAttn_Attr<string name, string attrMnemonic>
    : AttrDef<SkipAttn_Dialect, name> {
  let mnemonic = attrMnemonic;
}

def SkipAttn_SkipConfigAttr : SkipAttn_Attr<"SkipConfig", "skip"> {
  let summary = "Skip-softmax configuration";
  let description = [{
    `threshold_scale_factor` is the knob of TensorRT-LLM and FlashInfer: for a
    sequence whose actual KV length is `L_kv`, the skip threshold is
    `lambda = threshold_scale_factor / L_kv`. A block may be skipped by a row
    when `exp(scale * (m_blk - m_prev)) < lambda`. A factor of 0 means dense
    attention (the attribute canonicalises away); `lambda >= 1` disables
    skipping for that sequence. The first `min_keep_blocks` blocks of every
    query tile are always kept; the first block is kept in any case.

    ```mlir
    #skipattn.skip<threshold_scale_factor = 1.000000e+03, min_keep_blocks = 1>
    ```
  }];
  let parameters = (ins SkipAttn_F64Param:$threshold_scale_factor,
                        "int64_t":$min_keep_blocks);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    double getFactor() const { return getThresholdScaleFactor().convertToDouble(); }
    bool isDense() const { return getFactor() == 0.0; }
  }];
}

def SkipAttn_TilingAttr : SkipAttn_Attr<"Tiling", "tiling"> {
  let summary = "Tile sizes chosen for the blocked-KV form";
  let description = [{
    One query tile holds `heads_per_tile` query heads that share a KV head
    (GQA packing; 1 when not packed) times `block_q` query positions, i.e.
    `heads_per_tile * block_q` rows stored head-major. KV is walked in blocks
    of `block_kv` keys. `skip_unit` is the number of consecutive tile rows
    that vote together on a skip (it divides the tile's rows; 0 until
    `skipattn-insert-skip-predicates` chooses it).

    `kv_splits` (default 1) splits each tile's KV blocks into that many
    contiguous ranges of `ceil(ceil(S_kv / block_kv) / kv_splits)` blocks
    (split-KV): each range is walked by its own iteration with its own
    running max, its first block always kept, and the partial results are
    merged exactly through their log-sum-exp.

    ```mlir
    #skipattn.tiling<block_q = 64, block_kv = 64, heads_per_tile = 1, skip_unit = 64>
    ```
  }];
  let parameters = (ins "int64_t":$block_q, "int64_t":$block_kv,
                        "int64_t":$heads_per_tile, "int64_t":$skip_unit,
                        DefaultValuedParameter<"int64_t", "1">:$kv_splits);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getRows() const { return getBlockQ() * getHeadsPerTile(); }
  }];
}

def SkipAttn_KVBlockingAttr : SkipAttn_Attr<"KVBlocking", "kv_blocking"> {
  let summary = "A fixed number of KV blocks with per-phase skip factors";
  let description = [{
    The blocking of the Qualcomm Cloud AI 100 form (QEfficient's
    `num_kv_blocks`): the KV cache of `ctx_len` slots is walked in
    `num_kv_blocks` blocks of `ceil(ctx_len / num_kv_blocks)` keys (the last
    takes the rest), every query row deciding alone (a skip unit of one
    row). The factor is chosen by the phase of the specialisation that runs:
    `prefill_factor` when more than one query position is processed,
    `decode_factor` for one; with the actual length `L_b` of sequence `b`
    (known only at run time), `lambda_b = factor / L_b`. A factor of 0 is
    dense for that phase. The first `min_keep_blocks` blocks (at least one)
    are always kept.

    `skipattn-aic-block-kv` attaches it to `skipattn.attention` as
    `skipattn.kv_blocking`; `convert-skipattn-to-aic` consumes it.

    ```mlir
    #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 5.870000e+02, decode_factor = 1.650000e+01, min_keep_blocks = 1>
    ```
  }];
  let parameters = (ins "int64_t":$num_kv_blocks,
                        SkipAttn_F64Param:$prefill_factor,
                        SkipAttn_F64Param:$decode_factor,
                        "int64_t":$min_keep_blocks);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    double getPrefill() const { return getPrefillFactor().convertToDouble(); }
    double getDecode() const { return getDecodeFactor().convertToDouble(); }
    bool isDense() const { return getPrefill() == 0.0 && getDecode() == 0.0; }
  }];
}

#endif // SKIPATTN_ATTRS
