//===- SkipAttnGPUOps.td - skipattn_gpu operations ---------*- tablegen -*-===//
//
// Three families: kernel structure (tile ids, warp roles), rings (shared
// memory buffers filled by TMA behind mbarriers) and fragment ops (MMA,
// softmax, skip vote, epilogue).
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_GPU_OPS
#define SKIPATTN_GPU_OPS

include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUAttrs.td"
include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUTypes.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/RegionKindInterface.td"

defvar SkipAttnGPU_Smem = SkipAttnGPU_SmemType;
defvar SkipAttnGPU_Ring = SkipAttnGPU_RingType;
defvar SkipAttnGPU_Acc = SkipAttnGPU_AccType;
defvar SkipAttnGPU_Rows = SkipAttnGPU_RowsType;
defvar SkipAttnGPU_Operand = SkipAttnGPU_OperandType;
defvar SkipAttnGPU_Tmem = SkipAttnGPU_TmemType;
defvar SkipAttnGPU_Pipe = SkipAttnGPU_PipeType;
def SkipAttnGPU_GlobalPtr : Type<CPred<
    "::llvm::isa<::mlir::LLVM::LLVMPointerType>($_self) && "
    "::llvm::cast<::mlir::LLVM::LLVMPointerType>($_self).getAddressSpace() == 1">,
    "global pointer">;
def SkipAttnGPU_TmaDesc : Type<CPred<
    "::llvm::isa<::mlir::LLVM::LLVMPointerType>($_self) && "
    "::llvm::cast<::mlir::LLVM::LLVMPointerType>($_self).getAddressSpace() == 0">,
    "TMA descriptor parameter">;

//===----------------------------------------------------------------------===//
// Kernel structure
//===----------------------------------------------------------------------===//

def SkipAttnGPU_TileIdOp : SkipAttnGPU_Op<"tile_id", [Pure]> {
  let summary = "The (batch, head, query tile) of this CTA";
  let description = [{
    The grid is `(q_tiles * kv_splits, heads, batch)`; the splits of one
    tile are neighbours in x (`skipattn_gpu.split_id`). CTAs start in the
    order of their linear index (x fastest), and the op maps that order to
    tiles (the schedule's `head_group`):

    * `head_group = 0`: CTA `(x, y, z)` computes head `y` of sequence `z`;
      its query tiles run from the last (`q_tiles - 1 - x / kv_splits`),
      so causal tiles late in the sequence, which walk the most blocks,
      start first within their head, and the head's K and V stay in L2
      while its tiles run.
    * `head_group = G`: the `batch * heads` pairs (head fastest) form
      groups of G (the last may be smaller); within a group the CTAs take
      every pair's last query tile, then every pair's second last, and so
      on. Over the whole grid the longest tiles start first and the last
      CTAs to start are the shortest.

    ```mlir
    %b, %h, %t = skipattn_gpu.tile_id {q_tiles = 3} : index, index, index
    %b, %h, %t = skipattn_gpu.tile_id {q_tiles = 64, head_group = 6}
        : index, index, index
    ```
  }];
  let arguments = (ins I64Attr:$q_tiles,
                       DefaultValuedAttr<I64Attr, "1">:$kv_splits,
                       DefaultValuedAttr<I64Attr, "0">:$head_group);
  let results = (outs Index:$batch, Index:$head, Index:$q_tile);
  let assemblyFormat = "attr-dict `:` type(results)";
  let hasVerifier = 1;
}

def SkipAttnGPU_SplitIdOp : SkipAttnGPU_Op<"split_id", [Pure]> {
  let summary = "Which of its tile's KV splits this CTA walks";
  let description = [{
    `blockIdx.x mod kv_splits` (see `skipattn_gpu.tile_id`).

    ```mlir
    %s = skipattn_gpu.split_id {kv_splits = 4} : index
    ```
  }];
  let arguments = (ins I64Attr:$kv_splits);
  let results = (outs Index:$split);
  let assemblyFormat = "attr-dict `:` type($split)";
  let hasVerifier = 1;
}

def SkipAttnGPU_YieldOp : SkipAttnGPU_Op<"yield", [Pure, Terminator,
    ParentOneOf<["WarpRoleOp", "RingPutOp"]>]> {
  let summary = "Terminates a warp role or a ring put";
  let assemblyFormat = "attr-dict";
}

def SkipAttnGPU_WarpRoleOp : SkipAttnGPU_Op<"warp_role", [
    SingleBlockImplicitTerminator<"YieldOp">, RecursiveMemoryEffects]> {
  let summary = "A region run by the warps of one role";
  let description = [{
    Only the warps of `role` run the body. A role with `max_nreg` set
    resizes its threads' register file (`setmaxnreg`) on entry when the
    kernel has several roles. The enclosing `gpu.func` carries the
    `#skipattn_gpu.schedule` that lists the role.

    ```mlir
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0> {
      ...
    }
    ```
  }];
  let arguments = (ins SkipAttnGPU_RoleAttr:$role);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$role $body attr-dict";
  let hasVerifier = 1;
}

def SkipAttnGPU_WarpgroupIdOp : SkipAttnGPU_Op<"warpgroup_id", [Pure]> {
  let summary = "Index of this thread's warpgroup within its role";
  let assemblyFormat = "attr-dict `:` type($id)";
  let results = (outs Index:$id);
  let hasVerifier = 1;
}

def SkipAttnGPU_ElectOp : SkipAttnGPU_Op<"elect", [Pure]> {
  let summary = "True on the first thread of a warp of the enclosing role";
  let description = [{
    Selects the thread that issues a role's single-thread work (TMA loads,
    barrier arming): lane 0 of the role's warp `warp` (default 0). Two
    warps of one role can so run two independent loops.
  }];
  let arguments = (ins DefaultValuedAttr<I64Attr, "0">:$warp);
  let results = (outs I1:$leader);
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Rings
//===----------------------------------------------------------------------===//

def SkipAttnGPU_RingCreateOp : SkipAttnGPU_Op<"ring.create"> {
  let summary = "Allocate a ring in dynamic shared memory";
  let description = [{
    Places the ring's buffers at byte `offset` of the kernel's 1024-byte
    aligned dynamic shared memory (a multiple of 1024, the swizzle period)
    and initialises one full barrier per slot and stage (one arrival: the
    thread that arms it) and, for a ring with consumers, one empty barrier
    per stage (one arrival per consumer warpgroup). Rings must not overlap; the runtime allocates the
    schedule's `getSharedBytes()`.

    ```mlir
    %kv = skipattn_gpu.ring.create {offset = 32768}
        : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<128x128xbf16>>
    ```
  }];
  let arguments = (ins I64Attr:$offset);
  let results = (outs SkipAttnGPU_Ring:$ring);
  let assemblyFormat = "attr-dict `:` type($ring)";
  let hasVerifier = 1;
}

def SkipAttnGPU_RingPutOp : SkipAttnGPU_Op<"ring.put", [
    SingleBlockImplicitTerminator<"YieldOp">, RecursiveMemoryEffects]> {
  let summary = "Fill one slot of a ring stage for block `n`";
  let description = [{
    When `pred` holds (on exactly the thread that arms the barrier), arms
    the full barrier of `slot` at stage `n mod stages` to expect `bytes`
    bytes and runs the body, whose `skipattn_gpu.tma_load`s write the slot
    (the block argument) and complete those bytes. The byte count must equal
    the bytes the body's loads write.

    ```mlir
    skipattn_gpu.ring.put %kv[%n], "k" if %p bytes(32768) {
    ^bb0(%dst: !skipattn_gpu.smem<128x128xbf16>):
      skipattn_gpu.tma_load %kdesc[%row, %plane] into %dst : !skipattn_gpu.smem<128x128xbf16>
    } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<128x128xbf16>>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Ring:$ring, Index:$block, StrAttr:$slot,
                       I1:$pred, I64Attr:$bytes);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $ring `[` $block `]` `,` $slot `if` $pred `bytes` `(` $bytes `)` $body
    attr-dict `:` type($ring)
  }];
  let hasVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "Value":$ring, "Value":$block,
                                 "StringRef":$slot, "Value":$pred,
                                 "int64_t":$bytes)>];
}

def SkipAttnGPU_TmaLoadOp : SkipAttnGPU_Op<"tma_load", [
    HasParent<"RingPutOp">]> {
  let summary = "TMA load of a tile into a ring slot";
  let description = [{
    Copies rows `[row, row + rows)` of head `head` of batch `batch` of the
    `[B, H, S, D]` tensor behind the TMA descriptor `desc` (a 4-D tensor
    map whose strides are the tensor's, so transposed [B, S, H, D] views
    load without copies) into rows `[slot_row, slot_row + rows)` of `dst`,
    one 64-column box at a time, completing on the barrier of the
    enclosing `ring.put`. `rows` is the descriptor's box height (0: all the
    slot's rows); a slot filled by several loads (the pages of a paged KV
    cache, `batch` then being the page) starts each at a multiple of 8
    rows, so that every box keeps the 128-byte swizzle of the whole tile.
    Rows past the tensor's end are filled with zeros.

    ```mlir
    skipattn_gpu.tma_load %desc[%row, %head, %batch] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x128xbf16>
    skipattn_gpu.tma_load %desc[%off, %head, %page] into %dst {rows = 16 : i64, slot_row = 32 : i64} : !llvm.ptr, !skipattn_gpu.smem<128x128xbf16>
    ```
  }];
  let arguments = (ins SkipAttnGPU_TmaDesc:$desc, Index:$row, Index:$head,
                       Index:$batch, SkipAttnGPU_Smem:$dst,
                       DefaultValuedAttr<I64Attr, "0">:$slot_row,
                       DefaultValuedAttr<I64Attr, "0">:$rows);
  let extraClassDeclaration = [{
    /// Rows this load writes.
    int64_t getBoxRows() {
      int64_t r = getRowsAttr().getInt();
      return r ? r
               : ::llvm::cast<SmemType>(getDst().getType()).getRows();
    }
  }];
  let assemblyFormat = [{
    $desc `[` $row `,` $head `,` $batch `]` `into` $dst attr-dict `:`
    type($desc) `,` type($dst)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_RingWaitOp : SkipAttnGPU_Op<"ring.wait"> {
  let summary = "Wait until one slot of block `n`'s stage is full";
  let description = [{
    Waits on the full barrier of `slot` at stage `n mod stages` for phase
    `(n / stages) mod 2` and returns the slot.

    ```mlir
    %k = skipattn_gpu.ring.wait %kv[%n], "k" : !skipattn_gpu.ring<...> -> !skipattn_gpu.smem<128x128xbf16>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Ring:$ring, Index:$block, StrAttr:$slot);
  let results = (outs SkipAttnGPU_Smem:$tile);
  let assemblyFormat = [{
    $ring `[` $block `]` `,` $slot attr-dict `:` type($ring) `->` type($tile)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_RingReleaseOp : SkipAttnGPU_Op<"ring.release"> {
  let summary = "The consumers are done with block `n`'s stage";
  let description = [{
    Every consumer thread has finished reading the stage of block `n`; after
    it the stage may be refilled. On a ring with `consumers = N` one thread
    of each consumer warpgroup arrives on the stage's empty barrier (after
    its MMAs on the stage completed); otherwise the consumers are the whole
    CTA and this is a CTA barrier. With `commit` (sm_100a) the thread that
    issues the tensor-memory MMAs releases the stage for all N consumers:
    `tcgen05.commit` arrives N times once the MMAs it issued so far, which
    read the stage, have completed.

    ```mlir
    skipattn_gpu.ring.release %k[%n] : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x128xbf16>, consumers = 2>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Ring:$ring, Index:$block,
                       UnitAttr:$commit);
  let assemblyFormat = [{
    $ring `[` $block `]` (`commit` $commit^)? attr-dict `:` type($ring)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_RingAcquireOp : SkipAttnGPU_Op<"ring.acquire"> {
  let summary = "Wait until block `n`'s stage is free to refill";
  let description = [{
    The producer side of a ring with consumers: when `pred` holds and
    `n >= stages`, waits for the empty barrier of stage `n mod stages` (all
    consumer warpgroups released block `n - stages`) and for the loads of
    every slot of block `n - stages` (a consumer that skipped a block never
    waited for its V, and a barrier must finish its phase before it is
    armed again). Blocks below `stages` find their stage free.

    ```mlir
    skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x128xbf16>, consumers = 2>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Ring:$ring, Index:$block, I1:$pred);
  let assemblyFormat = [{
    $ring `[` $block `]` `if` $pred attr-dict `:` type($ring)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_RingVoteOp : SkipAttnGPU_Op<"ring.vote"> {
  let summary = "A consumer warpgroup posts whether it keeps block `n`";
  let description = [{
    On a ring with `votes`: the warpgroup's first thread stores `keep`
    (uniform over the warpgroup) into its vote byte of stage
    `n mod stages` and arrives on the stage's vote barrier.

    ```mlir
    skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<128x128xbf16>, consumers = 1, votes = true>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Ring:$ring, Index:$block, I1:$keep);
  let assemblyFormat = [{
    $ring `[` $block `]` `,` $keep attr-dict `:` type($ring)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_RingVotesOp : SkipAttnGPU_Op<"ring.votes"> {
  let summary = "The producer reads the consumers' votes on block `n`";
  let description = [{
    Waits for the vote barrier of stage `n mod stages` (phase
    `(n / stages) mod 2`: every consumer warpgroup voted on block `n`) and
    returns whether any of them keeps the block.

    ```mlir
    %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<128x128xbf16>, consumers = 1, votes = true>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Ring:$ring, Index:$block);
  let results = (outs I1:$any);
  let assemblyFormat = "$ring `[` $block `]` attr-dict `:` type($ring)";
  let hasVerifier = 1;
}

def SkipAttnGPU_RingBallotOp : SkipAttnGPU_Op<"ring.ballot"> {
  let summary = "Which consumers keep block `n`";
  let description = [{
    Like `ring.votes`, waits for every consumer warpgroup's vote on block
    `n`, and returns them as a mask: bit `w` is set when warpgroup `w`
    keeps the block. The thread issuing tensor-memory MMAs reads it to
    issue P.V only for the warpgroups that keep the block (their P is in
    tensor memory once they voted).

    ```mlir
    %keep = skipattn_gpu.ring.ballot %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x128xbf16>, consumers = 2, votes = true>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Ring:$ring, Index:$block);
  let results = (outs I32:$mask);
  let assemblyFormat = "$ring `[` $block `]` attr-dict `:` type($ring)";
  let hasVerifier = 1;
}

def SkipAttnGPU_RingCompleteOp : SkipAttnGPU_Op<"ring.complete"> {
  let summary = "Complete one slot of block `n`'s stage without data";
  let description = [{
    When `pred` holds, arrives on the full barrier of `slot` at stage
    `n mod stages` without arming it for bytes: its phase completes and a
    consumer waiting for it passes, with the slot's contents undefined. The
    producer of a ring with votes completes, instead of filling, a slot no
    consumer keeps (its `ring.put` takes the complementary predicate).

    ```mlir
    skipattn_gpu.ring.complete %v[%n], "v" if %skip : !skipattn_gpu.ring<...>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Ring:$ring, Index:$block, StrAttr:$slot,
                       I1:$pred);
  let assemblyFormat = [{
    $ring `[` $block `]` `,` $slot `if` $pred attr-dict `:` type($ring)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_RingDrainOp : SkipAttnGPU_Op<"ring.drain"> {
  let summary = "Wait for the loads of a slot that no consumer waited for";
  let description = [{
    When `pred` holds, waits for `slot` of each of the last
    `min(stages, count)` blocks `[count - stages, count)`. A consumer that
    skips a block never waits for its V, so without this the kernel could
    exit (or the buffer be reused) with a TMA write in flight.
  }];
  let arguments = (ins SkipAttnGPU_Ring:$ring, Index:$count, StrAttr:$slot,
                       I1:$pred);
  let assemblyFormat = [{
    $ring `[` $count `]` `,` $slot `if` $pred attr-dict `:` type($ring)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_SubtileOp : SkipAttnGPU_Op<"subtile", [Pure]> {
  let summary = "Rows `[row, row + rows)` (and columns `[col, col + cols)`) of a shared-memory tile";
  let description = [{
    `row` must be a multiple of 8 (a swizzle atom); the result keeps the
    source's pitch. With `col` (a multiple of 64: whole 64-column boxes)
    the result is that box range of the rows, e.g. the value columns of a
    key tile that holds V inside K (MLA), one slice per math warpgroup.

    ```mlir
    %qw = skipattn_gpu.subtile %q[%r] : !skipattn_gpu.smem<128x128xbf16> -> !skipattn_gpu.smem<64x128xbf16, pitch = 128>
    %vw = skipattn_gpu.subtile %k[%c0, %col] : !skipattn_gpu.smem<64x576xbf16> -> !skipattn_gpu.smem<64x256xbf16>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Smem:$source, Index:$row,
                       Optional<Index>:$col);
  let results = (outs SkipAttnGPU_Smem:$result);
  let assemblyFormat = [{
    $source `[` $row (`,` $col^)? `]` attr-dict `:` type($source) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fragments
//===----------------------------------------------------------------------===//

//===----------------------------------------------------------------------===//
// Exchanges between the warpgroups of a value split
//===----------------------------------------------------------------------===//

def SkipAttnGPU_ExchangeRowsOp : SkipAttnGPU_Op<"exchange_rows", [
    AllTypesMatch<["value", "result"]>]> {
  let summary = "Combine per-row values with the other math warpgroup's";
  let description = [{
    For a value split over two math warpgroups that hold the same rows
    (each computed the scores of half of a block's keys): each warpgroup
    writes its `value` to shared memory at byte `offset` (past the
    1024-aligned base), the 256 threads of both meet on a named barrier,
    and each reads the other's and combines them (`combine = "max"`: the
    block's row maxima; `"add"`: partial row sums). Both warpgroups get the
    same result bit for bit (max and a two-term sum commute), so their skip
    decisions and exponent bases agree.

    `max` takes full rows (every thread of a row's quad holds its value),
    written by one thread per row: 512 bytes. `add` takes partial rows,
    one pair per thread: 2048 bytes. A writer reuses its buffer only after
    a later barrier the other warpgroup reached after reading it (the
    builder double-buffers the per-block maxima, which a skipped block
    exchanges back to back: with `parity` (0 or 1) the buffer is at
    `offset + parity * 512`); `barrier_first` meets once more before
    writing, for a buffer whose last reader may not have passed it.

    ```mlir
    %mb = skipattn_gpu.exchange_rows %m0 {combine = "max", offset = 229376 : i64} : !skipattn_gpu.rows<64xf32>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Rows:$value, Optional<Index>:$parity,
                       StrAttr:$combine, I64Attr:$offset,
                       UnitAttr:$barrier_first);
  let results = (outs SkipAttnGPU_Rows:$result);
  let assemblyFormat = [{
    $value (`parity` `(` $parity^ `)`)? attr-dict `:` type($value)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_ExchangeProbsOp : SkipAttnGPU_Op<"exchange_probs"> {
  let summary = "Concatenate probabilities with the other math warpgroup's";
  let description = [{
    For a value split over two math warpgroups: warpgroup `w` holds the
    P.V operand of keys `[w * K, (w + 1) * K)` of the block (`K` the
    columns of `probs`); both write theirs to shared memory at byte
    `offset`, meet on a named barrier and read the other's, so each has
    the operand of all `2 K` keys (warpgroup 0's keys first). Threads
    exchange their own registers with the thread of the same index in the
    other warpgroup: the fragment layouts are the same. 64 x K 16-bit
    values per warpgroup.

    ```mlir
    %p = skipattn_gpu.exchange_probs %p0 {offset = 221184 : i64} : !skipattn_gpu.operand<64x32xbf16> -> !skipattn_gpu.operand<64x64xbf16>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Operand:$probs, I64Attr:$offset);
  let results = (outs SkipAttnGPU_Operand:$result);
  let assemblyFormat = "$probs attr-dict `:` type($probs) `->` type($result)";
  let hasVerifier = 1;
}

def SkipAttnGPU_SplatOp : SkipAttnGPU_Op<"splat", [Pure]> {
  let summary = "A fragment with every element equal to a scalar";
  let arguments = (ins F32:$value);
  let results = (outs AnyTypeOf<[SkipAttnGPU_Acc, SkipAttnGPU_Rows,
                                 SkipAttnGPU_Operand]>:$result);
  let assemblyFormat = "$value attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def SkipAttnGPU_MmaOp : SkipAttnGPU_Op<"mma"> {
  let summary = "Asynchronous warpgroup matrix multiply-accumulate";
  let description = [{
    Issues `result = a . b (+ acc)` with f32 accumulation: `a` is `M x K`
    (shared memory, or registers for P.V), `b` is `K x N` read from a shared
    tile: with `b_major = k` the tile is `N x K` (K contiguous, as a key
    tile for Q.K^T), with `b_major = mn` it is `K x N` (N contiguous, as a
    value tile for P.V). Without `acc` the product starts from zero.

    The result is not ready until `skipattn_gpu.mma_wait`; it may only feed
    that wait, so that the overlap between issue and wait is explicit. An
    MMA issued on one path of an `scf.if` may be yielded (the other path
    yields a ready value) when every use of the if's result is a wait:
    the MMA then stays in flight past the if.

    ```mlir
    %s = skipattn_gpu.mma %qw, %k {b_major = #skipattn_gpu.major<k>}
        : !skipattn_gpu.smem<64x128xbf16, pitch = 128>, !skipattn_gpu.smem<128x128xbf16>
        -> !skipattn_gpu.acc<64x128xf32>
    ```
  }];
  let arguments = (ins AnyTypeOf<[SkipAttnGPU_Smem, SkipAttnGPU_Operand]>:$a,
                       SkipAttnGPU_Smem:$b, Optional<SkipAttnGPU_Acc>:$acc,
                       SkipAttnGPU_MajorAttr:$b_major);
  let results = (outs SkipAttnGPU_Acc:$result);
  let assemblyFormat = [{
    $a `,` $b (`acc` `(` $acc^ `:` type($acc) `)`)? attr-dict `:` type($a) `,` type($b)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_MmaWaitOp : SkipAttnGPU_Op<"mma_wait", [
    AllTypesMatch<["mma", "result"]>]> {
  let summary = "Wait for an asynchronous MMA";
  let description = [{
    Returns the value of `mma` once at most `pending` MMA groups issued by
    this warpgroup are still in flight (0: this one is done). `mma` is an
    MMA's result, or a value that may be one (an `scf.if` that yields an
    MMA on one path and a ready value on the other; folded, the ready
    value itself), which the wait returns unchanged.
  }];
  let arguments = (ins SkipAttnGPU_Acc:$mma, I64Attr:$pending);
  let results = (outs SkipAttnGPU_Acc:$result);
  let assemblyFormat = "$mma attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def SkipAttnGPU_RowLimitsOp : SkipAttnGPU_Op<"row_limits", [Pure]> {
  let summary = "Keys visible to each row of a warpgroup tile";
  let description = [{
    For row `r` (position `p = first_row + r`) of the fragment: `0` when
    `p >= q_len` (a padding row), else `kv_len`, or with `causal`
    `clamp(p + 1 + kv_len - q_len, 0, kv_len)` (bottom-right aligned causal
    mask). Keys `>= limit` are masked. With `rows_per_head = R` (> 0, a
    GQA-packed tile of consecutive heads with R positions each) row `r` is
    position `p = first_row + r mod R` of the tile's `(r / R)`-th head.
    With `q_start` (left-padded queries) rows with `p < q_start` are
    padding too: their limit is `0`.
  }];
  let arguments = (ins Index:$first_row, Index:$kv_len,
                       Optional<Index>:$q_start, I64Attr:$q_len,
                       UnitAttr:$causal,
                       DefaultValuedAttr<I64Attr, "0">:$rows_per_head);
  let results = (outs SkipAttnGPU_Rows:$limits);
  let assemblyFormat = [{
    $first_row `,` $kv_len (`q_start` `(` $q_start^ `)`)? attr-dict `:`
    type($limits)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_MaskOp : SkipAttnGPU_Op<"mask", [Pure,
    AllTypesMatch<["scores", "result"]>]> {
  let summary = "Mask keys past each row's limit";
  let description = [{
    `result[r, c] = scores[r, c]` if `kv_start + c < limits[r]`, else -inf.
    The lowering tests the whole block once and masks only blocks that
    straddle a limit.
  }];
  let arguments = (ins SkipAttnGPU_Acc:$scores, SkipAttnGPU_Rows:$limits,
                       Index:$kv_start);
  let results = (outs SkipAttnGPU_Acc:$result);
  let assemblyFormat = [{
    $scores `,` $limits `,` $kv_start attr-dict `:` type($scores) `,`
    type($limits)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_RowMaxOp : SkipAttnGPU_Op<"row_max", [Pure]> {
  let summary = "Scaled row maxima of a fragment";
  let description = [{
    `result[r] = scale * max_c scores[r, c]` (-inf for a fully masked row):
    with `scale = softmax_scale * log2(e)` the maxima are in the exp2 domain
    of the blocked IR.
  }];
  let arguments = (ins SkipAttnGPU_Acc:$scores, F32Attr:$scale);
  let results = (outs SkipAttnGPU_Rows:$result);
  let assemblyFormat = "$scores attr-dict `:` type($scores) `->` type($result)";
  let hasVerifier = 1;
}

def SkipAttnGPU_SkipVoteOp : SkipAttnGPU_Op<"skip_vote", [
    AllTypesMatch<["block_max", "row_max"]>]> {
  let summary = "The skip decision of a warpgroup (skipattn.skip_predicate)";
  let description = [{
    The fragment form of `skipattn.skip_predicate` for one skip unit (the
    warpgroup's 64 rows): true iff for every row
    `block_max[r] - row_max[r] < log2_lambda` or `block_max[r] = -inf`.
    The result is uniform over the warpgroup (the rows vote through
    `skipattn_gpu.vote_all`).
  }];
  let arguments = (ins SkipAttnGPU_Rows:$block_max, SkipAttnGPU_Rows:$row_max,
                       F32:$log2_lambda);
  let results = (outs I1:$skip);
  let assemblyFormat = [{
    $block_max `,` $row_max `log2_lambda` `(` $log2_lambda `)` attr-dict `:`
    type($block_max)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_VoteAllOp : SkipAttnGPU_Op<"vote_all"> {
  let summary = "AND of a predicate over the threads of a warpgroup";
  let description = [{
    Every thread of the warpgroup (of the role) gets the AND of `pred` over
    its 128 threads. Lowered to `bar.red.and.pred` on the warpgroup's named
    barrier `1 + warpgroup` (barrier 0 is the CTA's).
  }];
  let arguments = (ins I1:$pred);
  let results = (outs I1:$all);
  let assemblyFormat = "$pred attr-dict";
}

def SkipAttnGPU_TurnTakeOp : SkipAttnGPU_Op<"turn_take"> {
  let summary = "Wait for this warpgroup's turn on the tensor cores";
  let description = [{
    With a `pingpong` schedule the two math warpgroups alternate: each
    issues its MMAs between `turn_take` and `turn_pass`, so one
    warpgroup's softmax overlaps the other's MMAs. A take waits for the
    other warpgroup's pass (named barrier `3 + warpgroup`, both
    warpgroups' 256 threads).

    ```mlir
    skipattn_gpu.turn_take
    ```
  }];
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

def SkipAttnGPU_TurnPassOp : SkipAttnGPU_Op<"turn_pass"> {
  let summary = "Hand the tensor cores to the other warpgroup";
  let description = [{
    When `pred` holds, lets the other math warpgroup's next `turn_take`
    proceed (arrives on its named barrier without waiting). Over a kernel
    each warpgroup's takes must equal the other's passes: the warpgroup
    that goes second passes once before its loop, the first once after.

    ```mlir
    skipattn_gpu.turn_pass if %second
    ```
  }];
  let arguments = (ins I1:$pred);
  let assemblyFormat = "`if` $pred attr-dict";
  let hasVerifier = 1;
}

def SkipAttnGPU_OnlineUpdateOp : SkipAttnGPU_Op<"online_update", [Pure,
    AllTypesMatch<["block_max", "row_max", "new_row_max"]>,
    AllTypesMatch<["row_sum", "new_row_sum"]>,
    AllTypesMatch<["acc", "new_acc"]>]> {
  let summary = "Online-softmax update of a warpgroup's state with one block";
  let description = [{
    With scores `s` (raw Q.K^T), their scaled maxima `block_max` and the
    state (`row_max` m, partial row sums `row_sum` l, accumulator `acc`):
    `m' = max(m, block_max)`, `mu = (m' = -inf ? 0 : m')`,
    `p = exp2(scale * s - mu)`, `alpha = exp2(m - mu)`,
    `l' = l * alpha + sum_c p`, `acc' = acc * alpha`. Returns
    `(m', l', acc', p)` with `p` packed as the register A operand of the
    P.V MMA that completes `acc'`.

    With `base(%mu)` (the conditional rescale, `rescale_threshold = t`)
    the exponent base is `mu` rather than the running maximum: it moves to
    `m'` only when `m' - mu > t` (or `mu = -inf`), so that
    `alpha = exp2(mu - mu')` is 1 and the accumulator keeps its value on
    most blocks; the new base is the last result, and `l`, `acc` and the
    log-sum-exp are relative to it.
  }];
  let arguments = (ins SkipAttnGPU_Acc:$scores, SkipAttnGPU_Rows:$block_max,
                       SkipAttnGPU_Rows:$row_max, SkipAttnGPU_Rows:$row_sum,
                       SkipAttnGPU_Acc:$acc, F32Attr:$scale,
                       Optional<SkipAttnGPU_Rows>:$base,
                       DefaultValuedAttr<I64Attr, "0">:$rescale_threshold);
  let results = (outs SkipAttnGPU_Rows:$new_row_max,
                      SkipAttnGPU_Rows:$new_row_sum, SkipAttnGPU_Acc:$new_acc,
                      SkipAttnGPU_Operand:$probs,
                      Optional<SkipAttnGPU_Rows>:$new_base);
  let assemblyFormat = [{
    $scores `,` $block_max `state` `(` $row_max `,` $row_sum `,` $acc `)`
    (`base` `(` $base^ `:` type($base) `)`)? attr-dict `:` type($scores) `,`
    type($row_max) `,` type($row_sum) `,` type($acc) `->` type($probs)
    (`,` type($new_base)^)?
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_ScaleRowsOp : SkipAttnGPU_Op<"scale_rows", [Pure,
    AllTypesMatch<["acc", "result"]>]> {
  let summary = "Scale each row of a register accumulator";
  let description = [{
    `result[r, c] = acc[r, c] * factors[r]`: the online-softmax correction
    of a warpgroup's wgmma accumulator, applied apart from `row_update`
    so that it can wait for the P.V MMA still writing `acc`. (An
    accumulator in tensor memory is scaled by `tmem.scale`.)

    ```mlir
    %o2 = skipattn_gpu.scale_rows %o, %alpha : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.rows<64xf32>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Acc:$acc, SkipAttnGPU_Rows:$factors);
  let results = (outs SkipAttnGPU_Acc:$result);
  let assemblyFormat = "$acc `,` $factors attr-dict `:` type($acc) `,` type($factors)";
  let hasVerifier = 1;
}

def SkipAttnGPU_ToOperandOp : SkipAttnGPU_Op<"to_operand", [Pure]> {
  let summary = "Pack a warpgroup's f32 probabilities as P.V's A operand";
  let description = [{
    Converts a warpgroup's 64-row f32 fragment to the result's element type
    (f16 or bf16) and packs each pair of neighbouring columns into one
    register: the register-A operand of the P.V wgmma. It is apart from
    `row_update` (whose 64-row form may then return f32 probabilities) so
    that the schedule decides where the packed registers are written. With
    the intra-warpgroup overlap they are the registers the previous block's
    P.V is still reading, so the schedule packs after that MMA's wait.
    (ptxas nevertheless places that wait at the start of the softmax's
    basic block; docs/hopper.md has what was tried.)

    ```mlir
    %p = skipattn_gpu.to_operand %probs : !skipattn_gpu.acc<64x128xf32> -> !skipattn_gpu.operand<64x128xbf16>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Acc:$value);
  let results = (outs SkipAttnGPU_Operand:$result);
  let assemblyFormat = "$value attr-dict `:` type($value) `->` type($result)";
  let hasVerifier = 1;
}

def SkipAttnGPU_StoreTileOp : SkipAttnGPU_Op<"store_tile"> {
  let summary = "Normalise a warpgroup's accumulator and store its rows";
  let description = [{
    Writes `acc[r, :] / max(l[r], 1e-30)` (converted to the element type:
    f16 or bf16 for an output, f32 for a split's partial result)
    to `out[batch, head, first_row + r, :]` for rows `< q_len`, where
    element `[b, h, s, d]` is at `b * strides[0] + h * strides[1] +
    s * strides[2] + d` (a unit stride on D; strides even, so that column
    pairs are 32-bit stores). With `rows_per_head = R` (> 0) row `r` goes
    to head `head + r / R`, position `first_row + r mod R` (a GQA-packed
    tile).

    ```mlir
    skipattn_gpu.store_tile %acc, %l into %out[%b, %h, %row]
        {element_type = bf16, q_len = 300 : i64, strides = array<i64: 153600, 38400, 128>}
        : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.rows<64xf32, partial>, !llvm.ptr<1>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Acc:$acc, SkipAttnGPU_Rows:$row_sum,
                       SkipAttnGPU_GlobalPtr:$out, Index:$batch, Index:$head,
                       Index:$first_row, I64Attr:$q_len,
                       TypeAttr:$element_type, DenseI64ArrayAttr:$strides,
                       DefaultValuedAttr<I64Attr, "0">:$rows_per_head);
  let assemblyFormat = [{
    $acc `,` $row_sum `into` $out `[` $batch `,` $head `,` $first_row `]`
    attr-dict `:` type($acc) `,` type($row_sum) `,` type($out)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_TmaStoreTileOp : SkipAttnGPU_Op<"tma_store_tile"> {
  let summary = "Normalise a warpgroup's accumulator and store it by TMA";
  let description = [{
    The TMA-store epilogue. Writes `acc[r, :] / max(l[r], 1e-30)`, in
    `stage`'s element type, into the staging tile `stage` in the layout a
    TMA load would have left there (64-column boxes of 128-byte rows,
    128-byte swizzled, `stage`'s pitch apart); then every thread fences
    its writes for the async proxy, the warpgroup meets on a named
    barrier (`8 + warpgroup`), and one thread stores the tile with one
    TMA store per 64-column box through the 4-D tensor map `desc` over
    the `[B, H, S, Dv]` output, at `(column, first_row, head, batch)`,
    and waits until the boxes have been read out of shared memory (the
    CTA may exit or reuse the tile afterwards). Rows past the tensor's
    S are not written: TMA clips the box.

    The stage must be shared memory this warpgroup no longer reads and no
    other warpgroup reads or writes, starting on an 8-row (1024-byte)
    swizzle atom as a TMA box does: the schedule uses the warpgroup's own
    rows of Q once its last MMA has completed. With `rows_per_head = R`
    (> 0) the box is `R` positions of `rows / R` consecutive heads (a
    GQA-packed tile), as the tile's Q box was.

    ```mlir
    skipattn_gpu.tma_store_tile %acc, %l via %stage into %desc[%b, %h, %row]
        : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.rows<64xf32, partial>,
          !skipattn_gpu.smem<64x128xbf16, pitch = 128>, !llvm.ptr
    ```
  }];
  let arguments = (ins SkipAttnGPU_Acc:$acc, SkipAttnGPU_Rows:$row_sum,
                       SkipAttnGPU_Smem:$stage, SkipAttnGPU_TmaDesc:$desc,
                       Index:$batch, Index:$head, Index:$first_row,
                       DefaultValuedAttr<I64Attr, "0">:$rows_per_head);
  let assemblyFormat = [{
    $acc `,` $row_sum `via` $stage `into` $desc `[` $batch `,` $head `,`
    $first_row `]` attr-dict `:` type($acc) `,` type($row_sum) `,`
    type($stage) `,` type($desc)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_StoreLseOp : SkipAttnGPU_Op<"store_lse"> {
  let summary = "Store the natural log-sum-exp of a warpgroup's rows";
  let description = [{
    `lse[plane, first_row + r] = ln(2) * (m[r] + log2(l[r]))` for rows
    `< q_len` (f32, `[planes, q_len]`). With `rows_per_head = R` (> 0) row
    `r` goes to `lse[plane + r / R, first_row + r mod R]`.
  }];
  let arguments = (ins SkipAttnGPU_Rows:$row_max, SkipAttnGPU_Rows:$row_sum,
                       SkipAttnGPU_GlobalPtr:$lse, Index:$plane,
                       Index:$first_row, I64Attr:$q_len,
                       DefaultValuedAttr<I64Attr, "0">:$rows_per_head);
  let assemblyFormat = [{
    $row_max `,` $row_sum `into` $lse `[` $plane `,` $first_row `]` attr-dict
    `:` type($row_max) `,` type($row_sum) `,` type($lse)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_SplitMergeOp : SkipAttnGPU_Op<"split_merge"> {
  let summary = "The last of a tile's KV splits merges their results";
  let description = [{
    Run by the `threads` threads of the math role once they stored this
    CTA's partial output and log-sum-exp (f32 `store_tile` / `store_lse`
    into `partial_out [kv_splits, planes, q_len, cols]` and
    `partial_lse [kv_splits, planes, q_len]`, planes = batch x heads). The
    threads meet at a named barrier; one of them increments the tile's
    counter `counters[tile]` between device-scope fences and tells the
    others through the shared-memory byte at `flag_offset` whether this
    CTA arrived last. That CTA resets the counter (so the next launch finds
    it zero) and, for every row of its `rows`-row tile that is a position
    `< q_len` (`rows_per_head` as in `store_tile`; `plane` is the
    batch-major index `batch * heads + head` of the partials' and lse's
    `[planes, q_len]` rows), writes
    `out = sum_s w_s * partial_out[s] / sum_s w_s` with
    `w_s = exp(partial_lse[s] - max_s partial_lse)` and, when given,
    `lse = max + log(sum_s w_s)`. The other CTAs return.

    ```mlir
    skipattn_gpu.split_merge %po, %pl, %counters[%tile] into %out[%b, %h, %row]
        plane %plane {cols = 128 : i64, element_type = bf16, flag_offset = 212992 : i64,
         kv_splits = 4 : i64, planes = 256 : i64, q_len = 1 : i64, rows = 64 : i64,
         rows_per_head = 16 : i64, strides = array<i64: 4096, 128, 128>,
         threads = 128 : i64} : !llvm.ptr<1>, !llvm.ptr<1>, !llvm.ptr<1>, !llvm.ptr<1>
    ```
  }];
  let arguments = (ins SkipAttnGPU_GlobalPtr:$partial_out,
                       SkipAttnGPU_GlobalPtr:$partial_lse,
                       SkipAttnGPU_GlobalPtr:$counters, Index:$tile,
                       SkipAttnGPU_GlobalPtr:$out, Index:$batch, Index:$head,
                       Index:$first_row, Index:$plane,
                       Optional<SkipAttnGPU_GlobalPtr>:$lse,
                       I64Attr:$kv_splits, I64Attr:$planes, I64Attr:$q_len,
                       I64Attr:$rows, I64Attr:$rows_per_head, I64Attr:$cols,
                       I64Attr:$threads, I64Attr:$flag_offset,
                       TypeAttr:$element_type, DenseI64ArrayAttr:$strides);
  let assemblyFormat = [{
    $partial_out `,` $partial_lse `,` $counters `[` $tile `]` `into` $out `[`
    $batch `,` $head `,` $first_row `]` `plane` $plane (`lse` `(` $lse^ `)`)?
    attr-dict `:`
    type($partial_out) `,` type($partial_lse) `,` type($counters) `,`
    type($out) (`,` type($lse)^)?
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_AddStatsOp : SkipAttnGPU_Op<"add_stats"> {
  let summary = "Add counts to the statistics";
  let description = [{
    One thread of the warpgroup atomically adds `decisions` and `skips` to
    `stats[plane, first]` and `stats[plane, first + 1]` (i64, `[planes,
    columns]`); with `per_warp` (counts that differ between the warps: a
    32-row skip unit) one thread of each warp adds its warp's counts, with
    `this_thread` (a count one thread kept, such as the gated V warp's
    loads) the thread running the op.

    With four columns the statistics also hold the V block loads
    (`first = 2`: the tile's visited blocks and the V loads its votes left
    out), counted once per tile at its first head.

    ```mlir
    skipattn_gpu.add_stats %dec, %skips into %st[%plane] : !llvm.ptr<1>
    skipattn_gpu.add_stats %blocks, %saved into %st[%plane]
        {columns = 4, first = 2, this_thread} : !llvm.ptr<1>
    ```
  }];
  let arguments = (ins Index:$decisions, Index:$skips,
                       SkipAttnGPU_GlobalPtr:$stats, Index:$plane,
                       UnitAttr:$per_warp, UnitAttr:$this_thread,
                       DefaultValuedAttr<I64Attr, "2">:$columns,
                       DefaultValuedAttr<I64Attr, "0">:$first);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $decisions `,` $skips `into` $stats `[` $plane `]` attr-dict `:`
    type($stats)
  }];
}

//===----------------------------------------------------------------------===//
// Tensor memory (sm_100a)
//===----------------------------------------------------------------------===//

def SkipAttnGPU_TmemAllocOp : SkipAttnGPU_Op<"tmem.alloc"> {
  let summary = "Allocate the kernel's tensor memory";
  let description = [{
    Run by every thread of the CTA before the roles: the CTA's first warp
    allocates `columns` columns (`tcgen05.alloc`, the address written to
    shared memory) and gives up its right to allocate more, and a CTA
    barrier publishes the address to every thread.

    ```mlir
    %tm = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<512>
    ```
  }];
  let results = (outs SkipAttnGPU_Tmem:$tmem);
  let assemblyFormat = "attr-dict `:` type($tmem)";
  let hasVerifier = 1;
}

def SkipAttnGPU_TmemDeallocOp : SkipAttnGPU_Op<"tmem.dealloc"> {
  let summary = "Free the tensor memory once a role is done with it";
  let description = [{
    Run by the `threads` threads of the role that last reads tensor memory
    (after every MMA writing it completed): they meet at a named barrier
    and the role's first warp frees the columns (`tcgen05.dealloc`), so
    the roles never rejoin before the kernel exits.

    ```mlir
    skipattn_gpu.tmem.dealloc %tm {threads = 256 : i64} : !skipattn_gpu.tmem<512>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Tmem:$tmem, I64Attr:$threads);
  let assemblyFormat = "$tmem attr-dict `:` type($tmem)";
  let hasVerifier = 1;
}

def SkipAttnGPU_TmemLoadOp : SkipAttnGPU_Op<"tmem.load"> {
  let summary = "Load a warpgroup's 128-row tile from tensor memory";
  let description = [{
    Each thread of a warpgroup reads its row (the lane of its warp's lane
    quarter) of the f32 columns `[column, column + cols)` (a column that is
    a constant is checked against the allocation) into a 128-row
    accumulator (`tcgen05.ld` 32x32b in 32-column pieces, then
    `tcgen05.wait::ld`), or one column into a 128-row value per row (the
    rows one role hands another through tensor memory).

    ```mlir
    %s = skipattn_gpu.tmem.load %tm[%c0] : !skipattn_gpu.tmem<512> -> !skipattn_gpu.acc<128x128xf32>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Tmem:$tmem, Index:$column);
  let results = (outs AnyTypeOf<[SkipAttnGPU_Acc, SkipAttnGPU_Rows]>:$result);
  let assemblyFormat = [{
    $tmem `[` $column `]` attr-dict `:` type($tmem) `->` type($result)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_TmemStoreOp : SkipAttnGPU_Op<"tmem.store"> {
  let summary = "Store a warpgroup's 128-row tile into tensor memory";
  let description = [{
    Each thread writes its row from column `column` on: an f32 accumulator
    takes one column per element, a 16-bit operand (P for the P.V MMA) one
    per pair, an f32 value per row one column. The stores are waited for (`tcgen05.wait::st`) and fenced
    for the thread synchronisation that hands them to the MMA issuer.

    ```mlir
    skipattn_gpu.tmem.store %p into %tm[%c64] : !skipattn_gpu.operand<128x128xbf16>, !skipattn_gpu.tmem<512>
    ```
  }];
  let arguments = (ins AnyTypeOf<[SkipAttnGPU_Acc, SkipAttnGPU_Operand,
                                  SkipAttnGPU_Rows]>:$value,
                       SkipAttnGPU_Tmem:$tmem, Index:$column);
  let assemblyFormat = [{
    $value `into` $tmem `[` $column `]` attr-dict `:` type($value) `,`
    type($tmem)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_TmemScaleOp : SkipAttnGPU_Op<"tmem.scale"> {
  let summary = "Rescale the rows of an accumulator in tensor memory";
  let description = [{
    `tmem[r, column + c] *= factors[r]` for `c < cols`: the online-softmax
    correction of an output accumulator that stays in tensor memory. A
    warp whose factors are all 1 (no row's maximum grew) skips the loads
    and stores.

    ```mlir
    skipattn_gpu.tmem.scale %tm[%c256], %alpha {cols = 128 : i64} : !skipattn_gpu.tmem<512>, !skipattn_gpu.rows<128xf32>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Tmem:$tmem, SkipAttnGPU_Rows:$factors,
                       Index:$column, I64Attr:$cols);
  let assemblyFormat = [{
    $tmem `[` $column `]` `,` $factors attr-dict `:` type($tmem) `,`
    type($factors)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_MmaTmemOp : SkipAttnGPU_Op<"mma_tmem"> {
  let summary = "A tensor-memory MMA issued by one thread (tcgen05.mma)";
  let description = [{
    `D = A . B (+ D when accumulate)` for a 128-row tile with f32 `D` in
    tensor memory from column `d_column` (N columns). `b` is a shared tile
    read as for `skipattn_gpu.mma`: with `b_major = k` it is `N x K`, with
    `b_major = mn` it is `K x N`. `a` is a 128 x K shared tile (Q) or, in
    tensor memory from column `a_column`, K 16-bit columns packed two per
    column (P). One thread issues it, as K / 16 instructions; it completes
    asynchronously, signalled by `pipe.commit` or a `ring.release commit`
    of the same thread, and MMAs of one thread run in issue order.

    ```mlir
    skipattn_gpu.mma_tmem %q, %k into %tm[0] accumulate(%false) {b_major = #skipattn_gpu.major<k>}
        : !skipattn_gpu.smem<128x128xbf16, pitch = 256>, !skipattn_gpu.smem<128x128xbf16>, !skipattn_gpu.tmem<512>
    skipattn_gpu.mma_tmem %tm, %v into %tm[256] accumulate(%true) {a_column = 64 : i64, b_major = #skipattn_gpu.major<mn>}
        : !skipattn_gpu.tmem<512>, !skipattn_gpu.smem<128x128xbf16>, !skipattn_gpu.tmem<512>
    ```
  }];
  let arguments = (ins AnyTypeOf<[SkipAttnGPU_Smem, SkipAttnGPU_Tmem]>:$a,
                       SkipAttnGPU_Smem:$b, SkipAttnGPU_Tmem:$d,
                       I1:$accumulate, I64Attr:$d_column,
                       DefaultValuedAttr<I64Attr, "0">:$a_column,
                       SkipAttnGPU_MajorAttr:$b_major);
  let extraClassDeclaration = [{
    /// N: the columns of D. K: the reduction length.
    int64_t getN();
    int64_t getK();
  }];
  let assemblyFormat = [{
    $a `,` $b `into` $d `[` $d_column `]` `accumulate` `(` $accumulate `)`
    attr-dict `:` type($a) `,` type($b) `,` type($d)
  }];
  let hasVerifier = 1;
}

def SkipAttnGPU_PipeCreateOp : SkipAttnGPU_Op<"pipe.create"> {
  let summary = "Create the barriers of a pipe";
  let description = [{
    One mbarrier per stage, of one arrival (the MMA issuer's commit) or of
    the pipe's `arrivals` warps, initialised by the CTA's first thread and
    published by a CTA barrier.

    ```mlir
    %s = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<1>
    ```
  }];
  let results = (outs SkipAttnGPU_Pipe:$pipe);
  let assemblyFormat = "attr-dict `:` type($pipe)";
}

def SkipAttnGPU_PipeCommitOp : SkipAttnGPU_Op<"pipe.commit"> {
  let summary = "Signal block `n` when the issued MMAs complete";
  let description = [{
    `tcgen05.commit` on the barrier of stage `n mod stages`: it arrives once
    every tensor-memory MMA this thread issued so far has completed.

    ```mlir
    skipattn_gpu.pipe.commit %s[%n] : !skipattn_gpu.pipe<1>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Pipe:$pipe, Index:$block);
  let assemblyFormat = "$pipe `[` $block `]` attr-dict `:` type($pipe)";
  let hasVerifier = 1;
}

def SkipAttnGPU_PipeArriveOp : SkipAttnGPU_Op<"pipe.arrive"> {
  let summary = "Signal block `n` from the warps of a role";
  let description = [{
    Run by every thread of the signalling role: each thread orders its
    tensor-memory accesses before the synchronisation
    (`tcgen05.fence::before_thread_sync`, after the loads and stores it
    waited for), the warp meets, and its first lane arrives on the barrier
    of stage `n mod stages`. The barrier completes when the pipe's
    `arrivals` warps have arrived.

    ```mlir
    skipattn_gpu.pipe.arrive %c[%n] : !skipattn_gpu.pipe<2, arrivals = 8>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Pipe:$pipe, Index:$block);
  let assemblyFormat = "$pipe `[` $block `]` attr-dict `:` type($pipe)";
  let hasVerifier = 1;
}

def SkipAttnGPU_PipeWaitOp : SkipAttnGPU_Op<"pipe.wait"> {
  let summary = "Wait until block `n` was signalled";
  let description = [{
    Waits on the barrier of stage `n mod stages` for phase
    `(n / stages) mod 2`, then orders the thread's later tensor-memory
    accesses after it (`tcgen05.fence::after_thread_sync`).

    ```mlir
    skipattn_gpu.pipe.wait %s[%n] : !skipattn_gpu.pipe<1>
    ```
  }];
  let arguments = (ins SkipAttnGPU_Pipe:$pipe, Index:$block);
  let assemblyFormat = "$pipe `[` $block `]` attr-dict `:` type($pipe)";
  let hasVerifier = 1;
}

def SkipAttnGPU_RowUpdateOp : SkipAttnGPU_Op<"row_update", [Pure,
    AllTypesMatch<["block_max", "row_max", "new_row_max", "factors"]>,
    AllTypesMatch<["row_sum", "new_row_sum"]>]> {
  let summary = "Online-softmax update whose accumulator is scaled apart";
  let description = [{
    `online_update` without the accumulator: `m' = max(m, block_max)`,
    `mu = (m' = -inf ? 0 : m')`, `p = exp2(scale * s - mu)`,
    `alpha = exp2(m - mu)`, `l' = l * alpha + sum_c p`. Returns
    `(m', l', alpha, p)`; the caller rescales the accumulator by `alpha`
    and hands `p` to the P.V MMA. Two forms: a 128-row tile whose
    accumulator stays in tensor memory (one row per thread; `tmem.scale`,
    and `p` stored for the MMA), and a warpgroup's 64-row wgmma fragment
    whose accumulator is still being written by the previous block's P.V
    (intra-warpgroup overlap; `scale_rows` once that MMA is done). With `base(%mu)` the exponent base moves only past the
    `rescale_threshold`, as for `online_update`, so that `alpha` is 1 (and
    `tmem.scale` skips O) on most blocks; the new base is the last result.
    In the 64-row form `p` may be the f32 fragment (`acc`, the scores'
    type) instead of the packed operand: `to_operand` then packs it where
    the schedule places it.
  }];
  let arguments = (ins SkipAttnGPU_Acc:$scores, SkipAttnGPU_Rows:$block_max,
                       SkipAttnGPU_Rows:$row_max, SkipAttnGPU_Rows:$row_sum,
                       F32Attr:$scale, Optional<SkipAttnGPU_Rows>:$base,
                       DefaultValuedAttr<I64Attr, "0">:$rescale_threshold);
  let results = (outs SkipAttnGPU_Rows:$new_row_max,
                      SkipAttnGPU_Rows:$new_row_sum,
                      SkipAttnGPU_Rows:$factors,
                      AnyTypeOf<[SkipAttnGPU_Operand, SkipAttnGPU_Acc]>:$probs,
                      Optional<SkipAttnGPU_Rows>:$new_base);
  let assemblyFormat = [{
    $scores `,` $block_max `state` `(` $row_max `,` $row_sum `)`
    (`base` `(` $base^ `:` type($base) `)`)? attr-dict
    `:` type($scores) `,` type($row_max) `,` type($row_sum) `->`
    type($probs) (`,` type($new_base)^)?
  }];
  let hasVerifier = 1;
}

#endif // SKIPATTN_GPU_OPS
