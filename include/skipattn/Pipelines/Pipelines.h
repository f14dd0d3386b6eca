//===- Pipelines.h - skipattn pass pipelines ---------------------*- C++
//-*-===//
//
// The one definition of each lowering pipeline. skipattn-opt registers them,
// and the JIT builds exactly the same pass list from the same options.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_PIPELINES_PIPELINES_H
#define SKIPATTN_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
namespace skipattn {

/// Options of skipattn-cpu-pipeline.
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<int64_t> blockQ{
      *this, "block-q", llvm::cl::desc("Query positions per tile"),
      llvm::cl::init(64)};
  PassOptions::Option<int64_t> blockKV{*this, "block-kv",
                                       llvm::cl::desc("Keys per KV block"),
                                       llvm::cl::init(64)};
  PassOptions::Option<bool> packGQA{
      *this, "pack-gqa",
      llvm::cl::desc("Pack the query heads of one KV head into one tile"),
      llvm::cl::init(false)};
  PassOptions::Option<int64_t> skipUnit{
      *this, "skip-unit",
      llvm::cl::desc("Rows voting together on a skip (0: the whole tile)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> kvSplits{
      *this, "kv-splits",
      llvm::cl::desc("Split each tile's KV blocks over this many parallel "
                     "iterations, merged by log-sum-exp"),
      llvm::cl::init(1)};
  PassOptions::Option<bool> bf16Products{
      *this, "bf16-products",
      llvm::cl::desc("Q.K^T of bf16 inputs on the host's bf16 dot-product "
                     "instructions (AVX-512 BF16)"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> lowerToLLVM{
      *this, "to-llvm", llvm::cl::desc("Lower all the way to the LLVM dialect"),
      llvm::cl::init(true)};
};

/// The first stage of every pipeline: tensor-form attention becomes memref
/// form with plain contiguous buffers at function boundaries.
void addAttentionBufferization(OpPassManager &pm);

/// The front end of the CPU target: bufferization,
/// `skipattn-tile` and `skipattn-insert-skip-predicates`. Returns the
/// function-level pass manager so the target appends its lowering.
OpPassManager &addTiledSkipForm(OpPassManager &pm, int64_t blockQ,
                                int64_t blockKV, bool packGQA,
                                bool padQueryTiles, int64_t skipUnit,
                                int64_t kvSplits = 1,
                                bool bf16Products = false);

/// attention (tensor or memref) -> blocked IR -> vector loops -> LLVM.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Options of skipattn-hopper-pipeline.
struct HopperPipelineOptions
    : public PassPipelineOptions<HopperPipelineOptions> {
  PassOptions::Option<int64_t> stages{
      *this, "stages",
      llvm::cl::desc("K/V buffers in the TMA ring (0: the schedule's)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> blockQ{
      *this, "block-q",
      llvm::cl::desc("Query rows per CTA, a multiple of 64 (0: the "
                     "schedule's)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> blockKV{
      *this, "block-kv",
      llvm::cl::desc("Keys per KV block (0: the schedule's)"),
      llvm::cl::init(0)};
  PassOptions::Option<bool> warpSpecialize{
      *this, "warp-specialize",
      llvm::cl::desc("A load warpgroup issues the TMA loads (false: the "
                     "math warps' first thread does)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> pingpong{
      *this, "pingpong",
      llvm::cl::desc("The two math warpgroups take turns on the tensor "
                     "cores"),
      llvm::cl::init(false)};
  PassOptions::Option<int64_t> kvSplits{
      *this, "kv-splits",
      llvm::cl::desc("CTAs splitting each tile's KV blocks (0: the "
                     "schedule's; split-KV is chosen for decode)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> gateV{
      *this, "gate-v",
      llvm::cl::desc("V loads wait for the skip votes: 1 on, 0 off, -1 the "
                     "schedule's choice (on for skipping decode)"),
      llvm::cl::init(-1)};
  PassOptions::Option<int64_t> voteAhead{
      *this, "vote-ahead",
      llvm::cl::desc("With gated V, the blocks a warpgroup votes ahead "
                     "of its P.V: 1 to 3, 0 off, -1 the schedule's choice"),
      llvm::cl::init(-1)};
  PassOptions::Option<int64_t> overlap{
      *this, "overlap",
      llvm::cl::desc("Intra-warpgroup overlap: block n - 1's P.V during "
                     "block n's softmax: 1 on, 0 off, -1 the schedule's "
                     "choice"),
      llvm::cl::init(-1)};
  PassOptions::Option<int64_t> tmaStore{
      *this, "tma-store",
      llvm::cl::desc("TMA-store epilogue: 1 on, 0 off, -1 the schedule's "
                     "choice"),
      llvm::cl::init(-1)};
  PassOptions::Option<int64_t> headGroup{
      *this, "head-group",
      llvm::cl::desc("Tile order: (batch, head) pairs per longest-first "
                     "group; 0 each head's tiles in a row (the default); -1 "
                     "groups whose K and V fit half of L2 (causal prefill)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> ctasPerSM{
      *this, "ctas-per-sm",
      llvm::cl::desc("CTAs resident per SM, 1 or 2 (0: the schedule's)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> rescaleThreshold{
      *this, "rescale-threshold",
      llvm::cl::desc("Conditional rescale threshold in log2 units (0: "
                     "always rescale)"),
      llvm::cl::init(0)};
  PassOptions::Option<std::string> chip{*this, "chip",
                                        llvm::cl::desc("NVVM target chip"),
                                        llvm::cl::init("sm_90a")};
  PassOptions::Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit root holding bin/ptxas (empty: search "
                     "CUDA_ROOT/CUDA_HOME/CUDA_PATH/PATH)"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Stop at: none (NVVM/LLVM dialect), isa (PTX), bin "
                     "(cubin through ptxas), fatbin"),
      llvm::cl::init("none")};
};

/// attention -> schedule (skipattn-gpu-select-schedule) -> blocked IR tiled
/// by it -> kernel level (skipattn_gpu) -> NVVM (TMA, mbarrier, wgmma on
/// sm_90a; tcgen05 and tensor memory on sm_100a) -> PTX/cubin. Registered
/// as skipattn-hopper-pipeline and, with chip = sm_100a,
/// skipattn-blackwell-pipeline.
void buildHopperPipeline(OpPassManager &pm,
                         const HopperPipelineOptions &options);

/// Rows voting together on a skip in the kernels for `chip`: a warpgroup's
/// 64 on sm_90a, a warp's 32 on sm_100a.
int64_t skipUnitForChip(llvm::StringRef chip);

/// Options of skipattn-aic-pipeline.
struct AICPipelineOptions : public PassPipelineOptions<AICPipelineOptions> {
  PassOptions::Option<int64_t> numKVBlocks{
      *this, "num-kv-blocks",
      llvm::cl::desc("KV blocks per row (QEfficient num_kv_blocks)"),
      llvm::cl::init(4)};
  PassOptions::Option<double> prefillFactor{
      *this, "prefill-factor",
      llvm::cl::desc("Threshold scale factor of the prefill specialisation "
                     "(-1: the op's)"),
      llvm::cl::init(-1.0)};
  PassOptions::Option<double> decodeFactor{
      *this, "decode-factor",
      llvm::cl::desc("Threshold scale factor of the decode specialisation "
                     "(-1: the op's)"),
      llvm::cl::init(-1.0)};
  PassOptions::Option<int64_t> minKeepBlocks{
      *this, "min-keep-blocks",
      llvm::cl::desc("Leading blocks always kept (-1: the op's)"),
      llvm::cl::init(-1)};
  PassOptions::Option<int64_t> batchSize{
      *this, "batch-size",
      llvm::cl::desc("Specialised batch size (0: the op's static B)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> prefillSeqLen{
      *this, "prefill-seq-len",
      llvm::cl::desc("Specialised prefill seq_len (0: the op's static Sq)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> ctxLen{
      *this, "ctx-len",
      llvm::cl::desc("Specialised ctx_len (0: the op's static KV length)"),
      llvm::cl::init(0)};
  PassOptions::Option<bool> cacheWrite{
      *this, "cache-write",
      llvm::cl::desc("Write the chunk's k/v into the cache and return it "
                     "(QEfficient's layer; false: read-only cache)"),
      llvm::cl::init(true)};
};

/// attention (tensors) -> fixed KV blocking with phase factors -> ONNX
/// operator graph (aic) ready for skipattn-translate --skipattn-to-onnx.
void buildAICPipeline(OpPassManager &pm, const AICPipelineOptions &options);

/// Registers every skipattn pipeline with the global registry.
void registerPipelines();
} // namespace skipattn
} // namespace mlir

#endif // SKIPATTN_PIPELINES_PIPELINES_H
