//===- Passes.h - skipattn conversion passes ---------------------*- C++
//-*-===//
//
// Declarations of every conversion pass of the project.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_CONVERSION_PASSES_H
#define SKIPATTN_CONVERSION_PASSES_H

#include "skipattn/Conversion/SkipAttnGPUToNVVM/SkipAttnGPUToNVVM.h"
#include "skipattn/Conversion/SkipAttnToAIC/SkipAttnToAIC.h"
#include "skipattn/Conversion/SkipAttnToCPU/SkipAttnToCPU.h"
#include "skipattn/Conversion/SkipAttnToSkipAttnGPU/SkipAttnToSkipAttnGPU.h"
#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPU.h"

namespace mlir::skipattn {
#define GEN_PASS_REGISTRATION
#include "skipattn/Conversion/Passes.h.inc"
} // namespace mlir::skipattn

#endif // SKIPATTN_CONVERSION_PASSES_H
