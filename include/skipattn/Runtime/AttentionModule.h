//===- AttentionModule.h - the JIT's input IR for one spec -------*- C++
//-*-===//
//
// Every JIT (CPU, CUDA) starts from the same memref-form IR for a spec:
//   func @skipattn_main(q, k, v, [kv_lens], out, [lse], [stats])
// holding one skipattn.attention, and instruments its pass manager the same
// way (--dump-ir, --pass-timing).
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_RUNTIME_ATTENTIONMODULE_H
#define SKIPATTN_RUNTIME_ATTENTIONMODULE_H

#include "skipattn/Runtime/Spec.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

namespace mlir {
class PassManager;
} // namespace mlir

namespace skipattn {

mlir::OwningOpRef<mlir::ModuleOp>
buildAttentionModule(mlir::MLIRContext *ctx, const AttentionSpec &spec);

/// While alive, collects the diagnostics of a context as text, so that a
/// failed lowering becomes an error message instead of output on stderr.
class DiagnosticText {
public:
  explicit DiagnosticText(mlir::MLIRContext *ctx);
  const std::string &str() const { return text; }

private:
  std::string text;
  mlir::ScopedDiagnosticHandler handler;
};

/// Writes the IR after every pass below `dumpDir` (if not empty) and prints
/// pass timing (if asked).
llvm::Error configureInstrumentation(mlir::PassManager &pm,
                                     const std::string &dumpDir,
                                     bool passTiming);

} // namespace skipattn

#endif // SKIPATTN_RUNTIME_ATTENTIONMODULE_H
