//===- AICOps.cpp - aic operations ----------------------------------------===//
//
// Verifiers and folders of the few ops that have more structure than "an
// ONNX node with typed operands".
//
//===----------------------------------------------------------------------===//

#include "skipattn/Dialect/AIC/IR/AIC.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::skipattn::aic;

/// Element types an ONNX tensor of this form may have.
static bool isOnnxElementType(Type t) {
  return t.isF16() || t.isF32() || t.isInteger(64) || t.isInteger(1);
}

LogicalResult CastOp::verify() {
  if (!isOnnxElementType(getTo()))
    return emitOpError("can only cast to f16, f32, i64 or i1, got ") << getTo();
  if (getElementTypeOrSelf(getOutput().getType()) != getTo())
    return emitOpError("result element type must be ") << getTo();
  return success();
}

/// `axis` must name a dim of a ranked `type` (negative counts from the end).
static LogicalResult verifyAxis(Operation *op, Type type, int64_t axis) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (ranked && (axis < -ranked.getRank() || axis >= ranked.getRank()))
    return op->emitOpError("axis ")
           << axis << " is out of range for rank " << ranked.getRank();
  return success();
}

LogicalResult GatherElementsOp::verify() {
  auto data = dyn_cast<RankedTensorType>(getData().getType());
  auto idx = dyn_cast<RankedTensorType>(getIndices().getType());
  if (data && idx && data.getRank() != idx.getRank())
    return emitOpError("indices must have the rank of data (")
           << data.getRank() << "), not " << idx.getRank();
  if (getElementTypeOrSelf(getData()) != getElementTypeOrSelf(getOutput()))
    return emitOpError("result element type must be that of data");
  return verifyAxis(*this, getData().getType(), getAxis());
}

LogicalResult ScatterNDOp::verify() {
  if (getElementTypeOrSelf(getData()) != getElementTypeOrSelf(getUpdates()) ||
      getElementTypeOrSelf(getData()) != getElementTypeOrSelf(getOutput()))
    return emitOpError("data, updates and result must share an element type");
  auto data = dyn_cast<RankedTensorType>(getData().getType());
  auto out = dyn_cast<RankedTensorType>(getOutput().getType());
  if (data && out && data.getRank() != out.getRank())
    return emitOpError("the result has the shape of data");
  return success();
}

LogicalResult ArgMaxOp::verify() {
  return verifyAxis(*this, getData().getType(), getAxis());
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

#define GET_OP_CLASSES
#include "skipattn/Dialect/AIC/IR/AICOps.cpp.inc"

LogicalResult CallOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto fn =
      symbolTable.lookupNearestSymbolFrom<func::FuncOp>(*this, getCalleeAttr());
  if (!fn)
    return emitOpError("'") << getCallee() << "' is not a func.func";
  if (!fn->hasAttr(kDomainAttr))
    return emitOpError("callee '")
           << getCallee() << "' has no '" << kDomainAttr
           << "' (only ONNX functions of a custom domain can be called)";
  FunctionType type = fn.getFunctionType();
  auto compatible = [](TypeRange actual, TypeRange expected) {
    if (actual.size() != expected.size())
      return false;
    for (auto [a, e] : llvm::zip(actual, expected)) {
      auto at = dyn_cast<RankedTensorType>(a);
      auto et = dyn_cast<RankedTensorType>(e);
      if (!at || !et || at.getElementType() != et.getElementType() ||
          failed(verifyCompatibleShape(at.getShape(), et.getShape())))
        return false;
    }
    return true;
  };
  if (!compatible(getArgs().getTypes(), type.getInputs()) ||
      !compatible(getResultTypes(), type.getResults()))
    return emitOpError("operand or result types are not compatible with ")
           << type;
  return success();
}
