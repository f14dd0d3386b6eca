//===- AICDialect.cpp - aic dialect registration --------------------------===//
//
// Registers the ops and checks the discardable attributes that give graph
// I/O its ONNX names and symbolic dims, so that a malformed graph is
// rejected by the verifier rather than by the exporter.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Dialect/AIC/IR/AIC.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace mlir::skipattn::aic;

#include "skipattn/Dialect/AIC/IR/AICOpsDialect.cpp.inc"

#include "skipattn/Dialect/AIC/IR/AICInterfaces.cpp.inc"

void AICDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "skipattn/Dialect/AIC/IR/AICOps.cpp.inc"
      >();
}

Operation *AICDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}

static LogicalResult verifyDims(Operation *op, Attribute attr) {
  auto dims = dyn_cast<ArrayAttr>(attr);
  if (!dims ||
      !llvm::all_of(dims, [](Attribute a) { return isa<StringAttr>(a); }))
    return op->emitError() << "'" << kDimsAttr
                           << "' must be an array of strings (one per dim, "
                              "empty for a static dim)";
  return success();
}

LogicalResult AICDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  Attribute value = attr.getValue();
  if (name == kDomainAttr || name == kNameAttr) {
    if (!isa<StringAttr>(value))
      return op->emitError() << "'" << name << "' must be a string";
    return success();
  }
  if (name == kDimsAttr)
    return verifyDims(op, value);
  if (name == kSpecializationsAttr) {
    auto specs = dyn_cast<ArrayAttr>(value);
    if (!specs || specs.empty() || !llvm::all_of(specs, [](Attribute a) {
          auto d = dyn_cast<DictionaryAttr>(a);
          return d && isa_and_nonnull<StringAttr>(d.get("_graph_name"));
        }))
      return op->emitError()
             << "'" << name
             << "' must be a non-empty array of dictionaries, each with a "
                "string '_graph_name'";
    return success();
  }
  if (name == kCustomIOAttr) {
    auto io = dyn_cast<DictionaryAttr>(value);
    if (!io || !llvm::all_of(io, [](NamedAttribute e) {
          auto t = dyn_cast<TypeAttr>(e.getValue());
          return t && t.getValue().isF16();
        }))
      return op->emitError() << "'" << name
                             << "' must map I/O names to f16 (the only "
                                "custom precision the card needs)";
    return success();
  }
  return op->emitError() << "unknown aic attribute '" << name << "'";
}
