//===- SkipAttn.h - skipattn dialect -----------------------------*- C++
//-*-===//
//
// Declares the skipattn dialect, its attributes and its operations.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_DIALECT_SKIPATTN_IR_SKIPATTN_H
#define SKIPATTN_DIALECT_SKIPATTN_IR_SKIPATTN_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::skipattn {
/// Parses a float literal into an f64 APFloat (attribute parameters).
FailureOr<llvm::APFloat> parseF64Parameter(AsmParser &parser);
} // namespace mlir::skipattn

#include "skipattn/Dialect/SkipAttn/IR/SkipAttnOpsDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "skipattn/Dialect/SkipAttn/IR/SkipAttnAttrs.h.inc"

#define GET_OP_CLASSES
#include "skipattn/Dialect/SkipAttn/IR/SkipAttnOps.h.inc"

namespace mlir::skipattn {
/// Whether a `skip_factors` buffer ([B, Hq] memref) may differ between
/// heads: its head dimension has more than one element and a nonzero (or
/// unknown) stride. Head-uniform factors let a skip unit span heads.
bool factorsPerHead(Value factors);

/// Registers the external models (bufferization) of skipattn ops.
void registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry);
} // namespace mlir::skipattn

#endif // SKIPATTN_DIALECT_SKIPATTN_IR_SKIPATTN_H
