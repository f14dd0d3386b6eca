//===- AICLayerExport.h - one attention layer to an AI 100 model -*- C++
//-*-===//
//
// From a layer description (heads, dims, the prefill length, context length
// and batch of the specialisations, KV blocking and per-phase factors) to
// the files qaic-compile takes: model.onnx, specializations.json and
// custom_io.yaml. The layer's IR is built here and lowered by the same
// skipattn-aic-pipeline builder skipattn-opt registers, then written by the
// ONNX export; the C API and Python call this.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_RUNTIME_AIC_AICLAYEREXPORT_H
#define SKIPATTN_RUNTIME_AIC_AICLAYEREXPORT_H

#include "skipattn/Runtime/Spec.h"

#include "llvm/Support/Error.h"

#include <string>

namespace skipattn {

struct AICLayerSpec {
  DType dtype = DType::F16; // F16, or F32 compiled with -convert-to-fp16
  int64_t batch = 1, qHeads = 1, kvHeads = 1, headDim = 64, valueDim = 0;
  int64_t prefillSeqLen = 1; // 1: a decode-only layer (one specialisation)
  int64_t ctxLen = 1;
  bool causal = true;
  double scale = 0.0; // 0: 1/sqrt(headDim)
  int64_t numKVBlocks = 4;
  double prefillFactor = 0.0, decodeFactor = 0.0; // 0: dense
  int64_t minKeepBlocks = 1;
  bool cacheWrite = true; // QEfficient's layer: write k/v, retain the cache
  bool withLse = false, withStats = false;
  bool textFormat = false; // model.onnx as protobuf text

  /// Empty when valid, else the first problem.
  std::string validate() const;
};

/// Writes model.onnx, specializations.json and custom_io.yaml into `dir`.
llvm::Error exportAICLayer(const AICLayerSpec &spec, const std::string &dir);

} // namespace skipattn

#endif // SKIPATTN_RUNTIME_AIC_AICLAYEREXPORT_H
