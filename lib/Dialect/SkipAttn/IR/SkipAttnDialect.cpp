//===- SkipAttnDialect.cpp - skipattn dialect registration ----------------===//
//
// Registers the ops and attributes and implements the attribute verifiers.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::skipattn;

#include "skipattn/Dialect/SkipAttn/IR/SkipAttnOpsDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "skipattn/Dialect/SkipAttn/IR/SkipAttnAttrs.cpp.inc"

void SkipAttnDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "skipattn/Dialect/SkipAttn/IR/SkipAttnAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "skipattn/Dialect/SkipAttn/IR/SkipAttnOps.cpp.inc"
      >();
}

FailureOr<llvm::APFloat> mlir::skipattn::parseF64Parameter(AsmParser &parser) {
  double v;
  if (parser.parseFloat(v))
    return failure();
  return llvm::APFloat(v);
}

LogicalResult
SkipConfigAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                       llvm::APFloat factor, int64_t minKeepBlocks) {
  double f = factor.convertToDouble();
  if (!std::isfinite(f) || f < 0.0)
    return emitError() << "threshold_scale_factor must be finite and >= 0, got "
                       << f;
  if (minKeepBlocks < 0)
    return emitError() << "min_keep_blocks must be >= 0, got " << minKeepBlocks;
  return success();
}

LogicalResult TilingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t blockQ, int64_t blockKV,
                                 int64_t headsPerTile, int64_t skipUnit,
                                 int64_t kvSplits) {
  if (blockQ <= 0 || blockKV <= 0 || headsPerTile <= 0)
    return emitError()
           << "block_q, block_kv and heads_per_tile must be positive";
  if (kvSplits < 1 || kvSplits > 1024)
    return emitError() << "kv_splits must be in [1, 1024], got " << kvSplits;
  if (skipUnit < 0 || (skipUnit > 0 && (blockQ * headsPerTile) % skipUnit))
    return emitError() << "skip_unit must be 0 or divide the tile's "
                       << blockQ * headsPerTile << " rows, got " << skipUnit;
  return success();
}

LogicalResult
KVBlockingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                       int64_t numKVBlocks, llvm::APFloat prefill,
                       llvm::APFloat decode, int64_t minKeepBlocks) {
  if (numKVBlocks <= 0)
    return emitError() << "num_kv_blocks must be positive, got " << numKVBlocks;
  for (double f : {prefill.convertToDouble(), decode.convertToDouble()})
    if (!std::isfinite(f) || f < 0.0)
      return emitError() << "skip factors must be finite and >= 0, got " << f;
  if (minKeepBlocks < 0)
    return emitError() << "min_keep_blocks must be >= 0, got " << minKeepBlocks;
  return success();
}
