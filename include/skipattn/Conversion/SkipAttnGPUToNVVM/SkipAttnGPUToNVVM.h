//===- SkipAttnGPUToNVVM.h - kernel level to NVVM ---------------*- C++ -*-===//
//
// Entry points of the NVVM lowering of the kernel level: the type
// converter, the pattern sets by op family, and the kernel ABI fix-up.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_CONVERSION_SKIPATTNGPUTONVVM_SKIPATTNGPUTONVVM_H
#define SKIPATTN_CONVERSION_SKIPATTNGPUTONVVM_SKIPATTNGPUTONVVM_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::skipattn {

#define GEN_PASS_DECL_CONVERTSKIPATTNGPUTONVVM
#define GEN_PASS_DECL_LEGALIZENVVMKERNELABI
#include "skipattn/Conversion/Passes.h.inc"

/// gpu.func attribute listing the argument numbers that are TMA descriptors.
inline constexpr llvm::StringLiteral kTmaParamsAttrName = "skipattn.tma_params";

/// Fragments become LLVM structs (accumulators, register operands) and
/// two-element vectors (per-row values: a thread holds two rows); shared
/// tiles become 32-bit shared addresses; rings their mbarrier group.
void populateSkipAttnGPUTypeConversions(TypeConverter &converter);

/// Rings: allocation, TMA puts, waits, release and drain, subtiles.
void populateRingToNVVMPatterns(const TypeConverter &converter,
                                RewritePatternSet &patterns);
/// Fragment math: splat, limits, mask, row max, online update, skip vote.
void populateFragmentToNVVMPatterns(const TypeConverter &converter,
                                    RewritePatternSet &patterns);
/// The warpgroup vote (bar.red.and.pred).
void populateExchangeToNVVMPatterns(const TypeConverter &converter,
                                    RewritePatternSet &patterns);
void populateVoteToNVVMPatterns(const TypeConverter &converter,
                                RewritePatternSet &patterns);
/// turn_take / turn_pass: named barriers between the math warpgroups.
void populateTurnToNVVMPatterns(const TypeConverter &converter,
                                RewritePatternSet &patterns);
/// Epilogue stores and statistics.
/// split_merge: the last split CTA of a tile merges the partial results.
void populateSplitsToNVVMPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns);
void populateEpilogueToNVVMPatterns(const TypeConverter &converter,
                                    RewritePatternSet &patterns);
/// Kernel structure: tile ids.
void populateStructureToNVVMPatterns(const TypeConverter &converter,
                                     RewritePatternSet &patterns);
/// sm_90a matrix products: wgmma with shared or register A, and its waits.
void populateHopperMMAToNVVMPatterns(const TypeConverter &converter,
                                     RewritePatternSet &patterns);
/// sm_100a: tensor memory (alloc, loads, stores, in-place rescale) and the
/// pipes tcgen05.commit signals.
void populateTensorMemoryToNVVMPatterns(const TypeConverter &converter,
                                        RewritePatternSet &patterns);
/// sm_100a: tcgen05.mma with D (and P) in tensor memory.
void populateBlackwellMMAToNVVMPatterns(const TypeConverter &converter,
                                        RewritePatternSet &patterns);
/// The fragment ops on 128-row tiles (one row per thread).
void populateRowFragmentToNVVMPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns);

/// Lowers the kernel level of every kernel of `module`.
LogicalResult convertSkipAttnGPUToNVVM(gpu::GPUModuleOp module);

/// Marks the TMA parameters of the lowered kernels of `module` byval and
/// grid-constant (see skipattn-legalize-nvvm-kernel-abi).
LogicalResult legalizeNVVMKernelABI(gpu::GPUModuleOp module);

} // namespace mlir::skipattn

#endif // SKIPATTN_CONVERSION_SKIPATTNGPUTONVVM_SKIPATTNGPUTONVVM_H
