//===- AIC.h - aic dialect --------------------------------------*- C++ -*-===//
//
// Declares the aic dialect (the ONNX operator graph of the Cloud AI 100
// path), its ONNX node interface and its operations.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_DIALECT_AIC_IR_AIC_H
#define SKIPATTN_DIALECT_AIC_IR_AIC_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "skipattn/Dialect/AIC/IR/AICOpsDialect.h.inc"

#include "skipattn/Dialect/AIC/IR/AICInterfaces.h.inc"

#define GET_OP_CLASSES
#include "skipattn/Dialect/AIC/IR/AICOps.h.inc"

namespace mlir::skipattn::aic {
/// Attribute names of the graph-level form (see the dialect description).
inline constexpr llvm::StringLiteral kNameAttr = "aic.name";
inline constexpr llvm::StringLiteral kDimsAttr = "aic.dims";
inline constexpr llvm::StringLiteral kDomainAttr = "aic.domain";
inline constexpr llvm::StringLiteral kSpecializationsAttr =
    "aic.specializations";
inline constexpr llvm::StringLiteral kCustomIOAttr = "aic.custom_io";
/// The ONNX domain of the AI 100 custom operations (`CtxGather`).
inline constexpr llvm::StringLiteral kQualcommDomain = "com.qualcomm.cloud";
} // namespace mlir::skipattn::aic

#endif // SKIPATTN_DIALECT_AIC_IR_AIC_H
