//===- SkipAttnGPUTypes.td - skipattn_gpu types ------------*- tablegen -*-===//
//
// Shared-memory tiles, rings and register fragments. Each type names a data
// layout that its lowering relies on, so that the layout contracts between
// ops (the MMA accumulator feeding P.V as a register operand, the
// swizzled boxes TMA writes and wgmma reads) are checked by the verifier.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_GPU_TYPES
#define SKIPATTN_GPU_TYPES

include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUBase.td"

class SkipAttnGPU_Type<string name, string typeMnemonic>
    : TypeDef<SkipAttnGPU_Dialect, name> {
  let mnemonic = typeMnemonic;
}

def SkipAttnGPU_SmemType : SkipAttnGPU_Type<"Smem", "smem"> {
  let summary = "A tile in shared memory, in TMA's 128-byte-swizzled boxes";
  let description = [{
    `rows x cols` elements (16-bit) stored as `cols / 64` boxes of
    `pitch x 64` elements each, 128 bytes per row, 128-byte swizzled (the
    layout a TMA load with a 64-column box writes and a wgmma descriptor
    with 128-byte swizzle reads). `pitch` is the row count of the box the
    tile lives in: a tile of a larger allocation (`skipattn_gpu.subtile`)
    keeps its parent's pitch. The pitch is printed only when it differs
    from `rows`.

    ```mlir
    !skipattn_gpu.smem<128x128xbf16>
    !skipattn_gpu.smem<64x128xbf16, pitch = 128>
    ```
  }];
  let parameters = (ins "int64_t":$rows, "int64_t":$cols,
                        "::mlir::Type":$elementType, "int64_t":$pitch);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Bytes of the allocation holding this tile.
    int64_t getBytes() const {
      return getRows() * getCols() * 2;
    }
  }];
}

def SkipAttnGPU_RingType : SkipAttnGPU_Type<"Ring", "ring"> {
  let summary = "A multi-stage shared-memory ring of named slots";
  let description = [{
    `stages` copies of a set of named slots, each slot a `tile`-shaped
    buffer with its own full barrier (one per stage). Stage `s` of slot `x`
    sits at byte `(s * slots + x) * bytes(tile)` from the ring's offset.

    With `consumers = N` (N > 0) every stage also has an empty barrier that
    each of the N consumer warpgroups arrives on when it releases the stage
    (`ring.release`), and a producer role waits on it (`ring.acquire`)
    before refilling the stage: producer and consumers never meet at a CTA
    barrier. Without it (the default, 0) the consumers are the whole CTA
    and a release is a CTA barrier.

    With `votes` (a ring with consumers only) every stage also has a vote
    barrier with one arrival per consumer warpgroup and one byte per
    consumer warpgroup after the slots: each consumer posts whether it keeps
    block `n` (`ring.vote`), and the producer reads the votes before it
    fills the stage (`ring.votes`), completing it without data
    (`ring.complete`) when no consumer keeps the block.

    ```mlir
    !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<128x128xbf16>>
    !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x128xbf16>, consumers = 2>
    ```
  }];
  let parameters = (ins "int64_t":$stages, "::mlir::ArrayAttr":$slots,
                        "::mlir::skipattn_gpu::SmemType":$tile,
                        DefaultValuedParameter<"int64_t", "0">:$consumers,
                        DefaultValuedParameter<"bool", "false">:$votes);
  let assemblyFormat = [{
    `<` $stages `x` $slots `of` $tile (`,` `consumers` `=` $consumers^)?
    (`,` `votes` `=` $votes^)? `>`
  }];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Index of slot `name`, or -1.
    int64_t getSlotIndex(::llvm::StringRef name) const;
    int64_t getBytes() const {
      return getStages() * getSlots().size() * getTile().getBytes() +
             getVoteBytes();
    }
    /// The consumers' vote bytes (stages x consumers, 16-byte rounded),
    /// after the slots.
    int64_t getVoteBytes() const {
      return getVotes() ? (getStages() * getConsumers() + 15) / 16 * 16 : 0;
    }
    /// Full barriers (slots x stages), then one empty barrier per stage
    /// when the ring has consumers, then one vote barrier per stage.
    int64_t getNumBarriers() const {
      return getStages() * getSlots().size() +
             (getConsumers() > 0 ? getStages() : 0) +
             (getVotes() ? getStages() : 0);
    }
  }];
}

def SkipAttnGPU_AccType : SkipAttnGPU_Type<"Acc", "acc"> {
  let summary = "A warpgroup MMA accumulator in registers";
  let description = [{
    A `rows x cols` f32 tile held by the 128 threads of a warpgroup. With
    64 rows it is in the wgmma m64nN accumulator layout: thread (warp w,
    lane l) holds rows `16w + l/4` and `16w + l/4 + 8`, columns
    `8i + 2(l mod 4) + {0, 1}`. With 128 rows (sm_100a) it is the layout a
    `tcgen05.ld` of shape 32x32b gives: thread (warp w, lane l) holds the
    whole row `32w + l` (the tensor-memory lane of that row), so row
    reductions need no shuffles.

    ```mlir
    !skipattn_gpu.acc<64x128xf32>
    !skipattn_gpu.acc<128x128xf32>
    ```
  }];
  let parameters = (ins "int64_t":$rows, "int64_t":$cols);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def SkipAttnGPU_OperandType : SkipAttnGPU_Type<"Operand", "operand"> {
  let summary = "An MMA A operand in registers";
  let description = [{
    A `rows x cols` 16-bit tile in the wgmma register-A layout, which is the
    accumulator layout with each pair of neighbouring columns packed into
    one 32-bit register: an accumulator (P) becomes the A operand of the
    next MMA (P.V) without data movement. With 128 rows it is the
    one-row-per-thread layout of a 128-row accumulator, packed the same
    way: what a `tcgen05.st` writes to tensor memory as the A operand of a
    tensor-memory MMA.

    ```mlir
    !skipattn_gpu.operand<64x128xbf16>
    ```
  }];
  let parameters = (ins "int64_t":$rows, "int64_t":$cols,
                        "::mlir::Type":$elementType);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def SkipAttnGPU_RowsType : SkipAttnGPU_Type<"Rows", "rows"> {
  let summary = "One value per row of a warpgroup fragment";
  let description = [{
    A value per row of a 64-row fragment, held by the threads that hold the
    row in the accumulator layout (two rows per thread), or of a 128-row
    fragment (one row per thread, so `partial` sums are already whole). `full` values are
    the same in the four threads of a row; `partial` values (running row
    sums) are per-thread partial sums whose row value is their sum over the
    four threads, reduced only where the row is written out.

    ```mlir
    !skipattn_gpu.rows<64xf32>
    !skipattn_gpu.rows<64xf32, partial>
    ```
  }];
  let parameters = (ins "int64_t":$rows, "::mlir::Type":$elementType,
                        DefaultValuedParameter<"bool", "false">:$partial);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def SkipAttnGPU_TmemType : SkipAttnGPU_Type<"Tmem", "tmem"> {
  let summary = "The CTA's tensor memory (sm_100a)";
  let description = [{
    `columns` 32-bit columns of the 128 lanes of tensor memory, allocated
    by `skipattn_gpu.tmem.alloc` (a power of two from 32 to 512). Lane `r`
    holds row `r` of a 128-row MMA tile; an f32 accumulator of N columns
    takes N columns, 16-bit MMA operands two elements per column. Warp `w`
    of a warpgroup reaches lanes `[32 (w mod 4), 32 (w mod 4) + 32)`.

    ```mlir
    !skipattn_gpu.tmem<512>
    ```
  }];
  let parameters = (ins "int64_t":$columns);
  let assemblyFormat = "`<` $columns `>`";
  let genVerifyDecl = 1;
}

def SkipAttnGPU_PipeType : SkipAttnGPU_Type<"Pipe", "pipe"> {
  let summary = "Barriers on which tensor-core work signals its completion";
  let description = [{
    `stages` mbarriers. Without `arrivals` each takes one arrival: the
    thread that issues tensor-memory MMAs signals block `n` with
    `pipe.commit` (the barrier of stage `n mod stages` completes when
    those MMAs have). With `arrivals = W` warps signal it with
    `pipe.arrive`, each once its tensor-memory accesses are done (a role
    handing tensor memory to another). The consumers wait for phase
    `(n / stages) mod 2` with `pipe.wait`.

    ```mlir
    !skipattn_gpu.pipe<1>
    !skipattn_gpu.pipe<2, arrivals = 8>
    ```
  }];
  let parameters = (ins "int64_t":$stages,
                        DefaultValuedParameter<"int64_t", "0">:$arrivals);
  let assemblyFormat = "`<` $stages (`,` `arrivals` `=` $arrivals^)? `>`";
  let genVerifyDecl = 1;
}

#endif // SKIPATTN_GPU_TYPES
