//===- SkipAttnGPUAttrs.td - skipattn_gpu attributes -------*- tablegen -*-===//
//
// The schedule of a kernel (chosen by skipattn-gpu-select-schedule, or
// written by hand) and the launch contract the runtime reads back.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_GPU_ATTRS
#define SKIPATTN_GPU_ATTRS

include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUBase.td"

class SkipAttnGPU_Attr<string name, string attrMnemonic>
    : AttrDef<SkipAttnGPU_Dialect, name> {
  let mnemonic = attrMnemonic;
}

def SkipAttnGPU_RoleAttr : SkipAttnGPU_Attr<"Role", "role"> {
  let summary = "A warp role: a named range of warps and its register budget";
  let description = [{
    Warps `[first_warp, first_warp + num_warps)` of the CTA run the role's
    region. `max_nreg` is the per-thread register count the role asks for
    with `setmaxnreg` (0: keep the kernel's allocation); it is only used
    when the kernel has several roles.

    ```mlir
    #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>
    ```
  }];
  let parameters = (ins StringRefParameter<"role name">:$name,
                        "int64_t":$first_warp, "int64_t":$num_warps,
                        "int64_t":$max_nreg);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def SkipAttnGPU_ScheduleAttr : SkipAttnGPU_Attr<"Schedule", "schedule"> {
  let summary = "The schedule of an attention kernel";
  let description = [{
    Chosen by `skipattn-gpu-select-schedule` for a target chip (an attribute
    already present wins and is only verified) and realised by
    `convert-skipattn-to-skipattn-gpu`:

    * `mma`: the matrix instruction family: `wgmma` (sm_90a: register
      accumulators, 64 rows per math warpgroup) or `tcgen05` (sm_100a:
      S, P and O in tensor memory, MMAs issued by one thread of the
      `producer` role, 128 rows per math warpgroup, a warp's 32 rows the
      skip unit, V gated on the votes);
    * `block_q` x `block_kv`: the CTA's query rows and the keys per KV block
      (also recorded as `#skipattn.tiling` by `skipattn-tile`);
    * `head_dim`: D of Q and K (and of V);
    * `stages`: depth of the K/V ring;
    * `skip_unit`: rows voting together: one warpgroup (64) with wgmma, one
      warp (32) with tcgen05;
    * `roles`: the warp roles; their warps tile the CTA without overlap;
    * `pingpong` (default false): the two math warpgroups take turns on the
      tensor cores (`skipattn_gpu.turn_take` / `turn_pass`), one's P.V and
      next Q.K^T running while the other computes its softmax;
    * `heads` (default 1): query heads sharing one KV head packed into the
      tile's rows (GQA packing for short queries: K and V are read once
      for all of them). The tile's `block_q` rows are `heads` heads of
      `block_q / heads` positions each, head-major; it needs one math
      warpgroup (block_q = 64);
    * `kv_splits` (default 1): CTAs that share one tile's KV blocks, each
      walking a contiguous range with its own running max (split-KV); the
      partial results are merged through their log-sum-exp;
    * `gate_v` (default false; skipping schedules with a load role): the
      load role's first warp loads K and its second loads V, each V only
      once the math warpgroups' votes say some of them keep the block (a
      skipped block's V is never read from memory; its stage completes
      without data);
    * `ctas_per_sm` (default 1): CTAs resident on one SM. Two (decode:
      with one math warpgroup, a second CTA's loads and math cover the
      latency one CTA waits out alone) halve each CTA's shared memory and
      registers: the launch bounds (`nvvm.minctasm`) and the role budgets
      are set so that both fit;
    * `rescale_threshold` (default 0: always rescale):
      FlashAttention-4's conditional rescale. The exponent base of each
      row stays put until the running maximum exceeds it by more than this
      many units of log2 (probabilities then reach at most 2^threshold,
      which f16 and bf16 hold), and the accumulator is rescaled only when a
      base moved (with tcgen05: a warp whose bases all stayed skips the
      load and store of O in tensor memory). The skip decisions still compare against the true
      running maximum, kept beside the base; the result is exact after
      the final division;
    * `value_dim` (default 0: `head_dim`): Dv, the columns of V and of the
      output, when they differ from D;
    * `value_split` (default 1): the math warpgroups are `value_split`
      groups that all compute the tile's `block_q` rows, each holding
      `value_dim / value_split` columns of the accumulator (a wide value
      whose 64 x Dv accumulator would not fit one warpgroup's registers:
      MLA's 512 latent columns). With two, each computes the scores of half
      of a block's keys and they exchange the block's row maxima (so both
      make the same skip decision), their probabilities and, at the end,
      their row sums through shared memory (`skipattn_gpu.exchange_rows`,
      `exchange_probs`); the first counts the decisions and stores the LSE;
    * `value_in_key` (default false): V is the first `value_dim` columns of
      K (MLA's latent cache): there is no V ring, P.V reads the K stage,
      and the stage is released after P.V instead of after Q.K^T;
    * `vote_ahead` (default 0; gated V): how many blocks a math warpgroup's
      votes run ahead of its P.V. Iteration n computes block n's scores,
      decides and votes on it (its V load may start at once), then
      completes block n - vote_ahead: O is scaled by that block's factors
      and P.V adds its probabilities, which the loop carried with its
      factors and decision since its own iteration. Block n's softmax then
      updates the row maxima and sums and gives its probabilities and
      factors, without touching O. A kept block's V thus has `vote_ahead`
      blocks' Q.K^T and decisions to arrive in; the last iteration also
      completes the blocks still carried. The V ring's stages must
      outnumber the lag (the stage of block n is filled while those of
      n - vote_ahead .. n - 1 are held);
    * `overlap` (default false; wgmma with a load role, dense prefill):
      intra-warpgroup overlap, FlashAttention-3's. Iteration n issues
      Q.K^T(n), then P.V(n - 1) with the probabilities the loop carried,
      waits only for the scores, and computes block n's mask and softmax
      while P.V(n - 1) is on the tensor cores; the accumulator is
      rescaled once that MMA is done. The last iteration also completes
      its own block. V's waits and releases lag one block, so the load
      role fills K and V from two warps that each acquire only their own
      ring. A body with skip decisions is refused (ptxas does not keep the
      in-flight P.V's operand registers apart once the probabilities pass
      through a branch).
    * `tma_store` (default false): the TMA-store epilogue. Each math
      warpgroup writes its normalised rows into its own rows of Q's tile
      (free once its last MMA completed) in the swizzled layout of a TMA
      box, and one of its threads stores them with TMA
      (`skipattn_gpu.tma_store_tile`), instead of every thread storing
      32-bit pairs to global memory. It needs one output tile per CTA (no
      split-KV), warpgroups that own their rows (no value split, no V
      inside K) and output strides of whole 16 bytes.
    * `head_group` (default 0): the order in which CTAs take tiles
      (`skipattn_gpu.tile_id`). 0: the query tiles of one (batch, head)
      follow each other, from the last; a head's K and V stay in L2 while
      its tiles run. G > 0 (asked for; meant for causal prefill): the
      longest tiles first over groups of G (batch, head) pairs: every
      pair's last query tile, then every pair's second last, and so on,
      group after group, so that the CTAs that start last are the
      shortest. On the H200 it measured no faster than 0, whose
      concurrent CTAs share one head's K and V.

    ```mlir
    #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128,
        head_dim = 128, stages = 2, skip_unit = 64,
        roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>]>
    ```
  }];
  let parameters = (ins EnumParameter<SkipAttnGPU_MMAKind>:$mma, "int64_t":$block_q,
                        "int64_t":$block_kv, "int64_t":$head_dim,
                        "int64_t":$stages, "int64_t":$skip_unit,
                        "::mlir::ArrayAttr":$roles,
                        DefaultValuedParameter<"bool", "false">:$pingpong,
                        DefaultValuedParameter<"int64_t", "1">:$heads,
                        DefaultValuedParameter<"int64_t", "1">:$kv_splits,
                        DefaultValuedParameter<"bool", "false">:$gate_v,
                        DefaultValuedParameter<"int64_t", "1">:$ctas_per_sm,
                        DefaultValuedParameter<"int64_t", "0">:$rescale_threshold,
                        DefaultValuedParameter<"int64_t", "0">:$value_dim,
                        DefaultValuedParameter<"int64_t", "1">:$value_split,
                        DefaultValuedParameter<"bool", "false">:$value_in_key,
                        DefaultValuedParameter<"int64_t", "0">:$vote_ahead,
                        DefaultValuedParameter<"bool", "false">:$overlap,
                        DefaultValuedParameter<"bool", "false">:$tma_store,
                        DefaultValuedParameter<"int64_t", "0">:$head_group);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Threads of the CTA: all warps of all roles.
    int64_t getThreads() const;
    /// Rows of one math warpgroup: 64 (wgmma) or 128 (tcgen05, one row per
    /// thread).
    int64_t getWarpgroupRows() const {
      return getMma() == MMAKind::tcgen05 ? 128 : 64;
    }
    /// The warpgroups computing the tile.
    int64_t getMathWarpgroups() const {
      return getBlockQ() / getWarpgroupRows() * getValueSplit();
    }
    /// Dv: the value's (and output's) columns.
    int64_t getDv() const {
      return getValueDim() ? getValueDim() : getHeadDim();
    }
    /// The accumulator columns one math warpgroup holds.
    int64_t getWarpgroupValueCols() const { return getDv() / getValueSplit(); }
    /// Query positions per head of the tile.
    int64_t getPositions() const { return getBlockQ() / getHeads(); }
    /// Dynamic shared memory: Q, the K/V ring and the 1024-byte alignment
    /// slack of the swizzled boxes.
    int64_t getSharedBytes() const;
  }];
}

def SkipAttnGPU_LaunchAttr : SkipAttnGPU_Attr<"Launch", "launch"> {
  let summary = "The launch contract of a generated kernel";
  let description = [{
    What the runtime needs to launch `kernel`: its grid and block, the
    dynamic shared memory in bytes, the parameters in order, and the TMA
    boxes of the Q (`[columns, rows, heads]`) and K/V (`[columns, rows]`)
    tensor maps: 4-D maps over the `[B, H, S, D]` tensors with their
    strides, 128-byte swizzle and zero fill, whose box is `rows x columns`
    of one head (of `heads` consecutive heads for a GQA-packed Q tile).
    `workspace` (default 0) is the bytes of zero-initialised global memory
    a split-KV kernel takes as its `workspace` parameter: the partial
    results and one counter per tile, which each launch leaves at zero.
    `box_out` (present with a `tma_out` parameter: the TMA-store
    epilogue) is the output map's box `[columns, rows, heads]`, one math
    warpgroup's rows, over the `[B, Hq, Sq, Dv]` output with its strides
    and the same swizzle.

    ```mlir
    #skipattn_gpu.launch<kernel = "attn", grid = [3, 4, 2], block = [256, 1, 1],
        smem = 164864, params = [#skipattn_gpu.param<tma_q>, ...],
        box_q = [64, 128, 1], box_kv = [64, 128]>
    ```
  }];
  let parameters = (ins StringRefParameter<"kernel symbol">:$kernel,
                        ArrayRefParameter<"int64_t">:$grid,
                        ArrayRefParameter<"int64_t">:$block, "int64_t":$smem,
                        "::mlir::ArrayAttr":$params,
                        ArrayRefParameter<"int64_t">:$box_q,
                        ArrayRefParameter<"int64_t">:$box_kv,
                        DefaultValuedParameter<"int64_t", "0">:$workspace,
                        OptionalArrayRefParameter<"int64_t">:$box_out);
  let assemblyFormat = [{
    `<` `kernel` `=` $kernel `,` `grid` `=` `[` $grid `]` `,` `block` `=` `[`
    $block `]` `,` `smem` `=` $smem `,` `params` `=` $params `,` `box_q` `=`
    `[` $box_q `]` `,` `box_kv` `=`
    custom<LaunchTail>($box_kv, $workspace, $box_out) `>`
  }];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The parameter kinds in order.
    ::llvm::SmallVector<KernelParam> getParamKinds() const;
  }];
}

#endif // SKIPATTN_GPU_ATTRS
