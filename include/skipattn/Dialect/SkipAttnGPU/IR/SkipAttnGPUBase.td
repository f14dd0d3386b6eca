//===- SkipAttnGPUBase.td - skipattn_gpu dialect -----------*- tablegen -*-===//
//
// The kernel-schedule level between the blocked skipattn IR and NVVM.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_GPU_BASE
#define SKIPATTN_GPU_BASE

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def SkipAttnGPU_Dialect : Dialect {
  let name = "skipattn_gpu";
  let cppNamespace = "::mlir::skipattn_gpu";
  let summary = "Attention kernel schedules: warp roles, async rings and "
                "register fragments";
  let description = [{
    The `skipattn_gpu` dialect is the level at which a GPU attention kernel's
    schedule is explicit. A kernel (a `gpu.func` carrying a
    `#skipattn_gpu.schedule`) is made of:

    * **warp roles** (`skipattn_gpu.warp_role`): which warps run a region and
      with how many registers;
    * **rings** (`!skipattn_gpu.ring`): multi-stage shared-memory buffers
      with one full barrier per slot and stage. A producer fills slot `s` of
      block `n` (`ring.put`, whose body issues the TMA loads and whose byte
      count the barrier expects); a consumer waits for it (`ring.wait`) and
      hands the stage back (`ring.release`); `ring.drain` waits for the
      loads that no consumer waited for (skipped blocks);
    * **fragment ops** on register tiles distributed over a warpgroup
      (`!skipattn_gpu.acc`, `!skipattn_gpu.rows`, `!skipattn_gpu.operand`):
      asynchronous MMA with explicit waits, masking, row reductions, the skip
      vote, the online-softmax update and the epilogue stores.

    Block indices are the KV block numbers of the blocked IR: block `n` uses
    stage `n mod stages` of a ring and phase `(n / stages) mod 2` of its
    barriers. `skipattn-gpu-verify-protocol` checks that every wait is
    matched by a put, that a stage is waited on every path before it is
    refilled, and that the loads of skipped blocks are drained.
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
}

class SkipAttnGPU_Op<string mnemonic, list<Trait> traits = []>
    : Op<SkipAttnGPU_Dialect, mnemonic, traits>;

def SkipAttnGPU_MMAKind : I32EnumAttr<"MMAKind", "matrix instruction family", [
    I32EnumAttrCase<"wgmma", 0>, I32EnumAttrCase<"tcgen05", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::skipattn_gpu";
}
def SkipAttnGPU_MMAKindAttr : EnumAttr<SkipAttnGPU_Dialect,
                                       SkipAttnGPU_MMAKind, "mma_kind"> {
  let assemblyFormat = "`<` $value `>`";
}

def SkipAttnGPU_Major : I32EnumAttr<"Major",
    "contiguous dimension of a shared-memory MMA operand", [
    I32EnumAttrCase<"k", 0>, I32EnumAttrCase<"mn", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::skipattn_gpu";
}
def SkipAttnGPU_MajorAttr : EnumAttr<SkipAttnGPU_Dialect, SkipAttnGPU_Major,
                                     "major"> {
  let assemblyFormat = "`<` $value `>`";
}

def SkipAttnGPU_KernelParam : I32EnumAttr<"KernelParam",
    "kernel parameter of the launch contract", [
    I32EnumAttrCase<"tma_q", 0>, I32EnumAttrCase<"tma_k", 1>,
    I32EnumAttrCase<"tma_v", 2>, I32EnumAttrCase<"out", 3>,
    I32EnumAttrCase<"kv_lens", 4>, I32EnumAttrCase<"lse", 5>,
    I32EnumAttrCase<"stats", 6>, I32EnumAttrCase<"skip_factors", 7>,
    I32EnumAttrCase<"workspace", 8>, I32EnumAttrCase<"page_table", 9>,
    I32EnumAttrCase<"q_lens", 10>, I32EnumAttrCase<"tma_out", 11>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::skipattn_gpu";
}
def SkipAttnGPU_KernelParamAttr : EnumAttr<SkipAttnGPU_Dialect,
    SkipAttnGPU_KernelParam, "param"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // SKIPATTN_GPU_BASE
