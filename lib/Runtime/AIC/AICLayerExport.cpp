//===- AICLayerExport.cpp - one attention layer to an AI 100 model --------===//

#include "skipattn/Runtime/AIC/AICLayerExport.h"
#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"
#include "skipattn/InitAll.h"
#include "skipattn/Pipelines/Pipelines.h"
#include "skipattn/Runtime/AttentionModule.h"
#include "skipattn/Target/ONNX/ONNXExport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <sstream>

using namespace mlir;

namespace skipattn {

std::string AICLayerSpec::validate() const {
  std::ostringstream e;
  // Shapes, limits, scale and min_keep are the attention's own rules: the
  // prefill specialisation is one attention call.
  AttentionSpec call;
  call.batch = batch;
  call.qHeads = qHeads;
  call.kvHeads = kvHeads;
  call.qLen = prefillSeqLen;
  call.kvLen = ctxLen;
  call.headDim = headDim;
  call.valueDim = valueDim;
  call.dtype = dtype;
  call.scale = scale;
  call.minKeepBlocks = minKeepBlocks;
  if (dtype != DType::F16 && dtype != DType::F32)
    e << "the AI 100 layer takes f16 or f32 (compiled with "
         "-convert-to-fp16), not "
      << dtypeName(dtype);
  else if (std::string problem = call.validate(); !problem.empty())
    e << problem;
  else if (prefillSeqLen > ctxLen)
    e << "the prefill length (" << prefillSeqLen
      << ") exceeds the context length (" << ctxLen << ")";
  else if (numKVBlocks <= 0 || numKVBlocks > ctxLen)
    e << "num_kv_blocks must lie in [1, ctx_len], got " << numKVBlocks;
  else if (!(prefillFactor >= 0) || !std::isfinite(prefillFactor) ||
           !(decodeFactor >= 0) || !std::isfinite(decodeFactor))
    e << "the prefill and decode factors must be finite and >= 0";
  return e.str();
}

/// func @layer(q, k_cache, v_cache, kv_lens) holding one tensor-form
/// attention with the specialisation's static sizes.
static OwningOpRef<ModuleOp> buildLayer(MLIRContext *ctx,
                                        const AICLayerSpec &s) {
  OpBuilder b(ctx);
  Location loc = b.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  Type et = s.dtype == DType::F16 ? Type(b.getF16Type()) : b.getF32Type();
  int64_t dv = s.valueDim ? s.valueDim : s.headDim;
  auto qT = RankedTensorType::get(
      {s.batch, s.qHeads, s.prefillSeqLen, s.headDim}, et);
  auto kT =
      RankedTensorType::get({s.batch, s.kvHeads, s.ctxLen, s.headDim}, et);
  auto vT = RankedTensorType::get({s.batch, s.kvHeads, s.ctxLen, dv}, et);
  auto oT = RankedTensorType::get({s.batch, s.qHeads, s.prefillSeqLen, dv}, et);
  auto lensT = RankedTensorType::get({s.batch}, b.getI32Type());
  auto lseT = RankedTensorType::get({s.batch, s.qHeads, s.prefillSeqLen},
                                    b.getF32Type());
  auto statsT = RankedTensorType::get({s.batch, s.qHeads, 2}, b.getI64Type());
  SmallVector<Type> results{oT};
  if (s.withLse)
    results.push_back(lseT);
  if (s.withStats)
    results.push_back(statsT);

  b.setInsertionPointToEnd(module->getBody());
  auto fn = func::FuncOp::create(
      b, loc, "layer", b.getFunctionType({qT, kT, vT, lensT}, results));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  Value out = tensor::EmptyOp::create(b, loc, oT.getShape(), et);
  Value lse = s.withLse ? tensor::EmptyOp::create(b, loc, lseT.getShape(),
                                                  b.getF32Type())
                              .getResult()
                        : Value();
  Value stats = s.withStats ? tensor::EmptyOp::create(b, loc, statsT.getShape(),
                                                      b.getI64Type())
                                  .getResult()
                            : Value();
  double scale = s.scale > 0 ? s.scale : 1.0 / std::sqrt(double(s.headDim));
  auto op = mlir::skipattn::AttentionOp::create(
      b, loc, TypeRange(results), entry->getArgument(0), entry->getArgument(1),
      entry->getArgument(2), entry->getArgument(3), /*page_table=*/Value(),
      /*q_lens=*/Value(), /*skip_factors=*/Value(), out, lse, stats,
      b.getF32FloatAttr(static_cast<float>(scale)),
      s.causal ? b.getUnitAttr() : UnitAttr(), mlir::skipattn::SkipConfigAttr(),
      /*value_in_key=*/UnitAttr());
  func::ReturnOp::create(b, loc, op->getResults());
  return module;
}

llvm::Error exportAICLayer(const AICLayerSpec &s, const std::string &dir) {
  std::string problem = s.validate();
  if (!problem.empty())
    return llvm::createStringError("invalid AI 100 layer: " + problem);
  DialectRegistry registry;
  mlir::skipattn::registerAllDialects(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  DiagnosticText diagnostics(&ctx);
  OwningOpRef<ModuleOp> module = buildLayer(&ctx, s);
  if (failed(verify(*module)))
    return llvm::createStringError("internal error: the layer IR is invalid: " +
                                   diagnostics.str());

  mlir::skipattn::AICPipelineOptions options;
  options.numKVBlocks = s.numKVBlocks;
  options.prefillFactor = s.prefillFactor;
  options.decodeFactor = s.decodeFactor;
  options.minKeepBlocks = s.minKeepBlocks;
  options.batchSize = s.batch;
  options.prefillSeqLen = s.prefillSeqLen;
  options.ctxLen = s.ctxLen;
  options.cacheWrite = s.cacheWrite;
  PassManager pm(&ctx);
  mlir::skipattn::buildAICPipeline(pm, options);
  if (failed(pm.run(*module)))
    return llvm::createStringError("skipattn-aic-pipeline failed: " +
                                   diagnostics.str());

  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return llvm::createStringError("cannot create '" + dir +
                                   "': " + ec.message());
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, "model.onnx");
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError("cannot write '" + std::string(path) +
                                   "': " + ec.message());
  if (failed(mlir::skipattn::exportONNX(
          *module, os,
          s.textFormat ? mlir::skipattn::ONNXFormat::Text
                       : mlir::skipattn::ONNXFormat::Binary)))
    return llvm::createStringError("ONNX export failed: " + diagnostics.str());
  os.close();
  if (os.has_error())
    return llvm::createStringError("cannot write '" + std::string(path) + "'");
  if (failed(mlir::skipattn::writeAICCompanionFiles(*module, dir)))
    return llvm::createStringError("cannot write the companion files: " +
                                   diagnostics.str());
  return llvm::Error::success();
}

} // namespace skipattn
