//===- skipattn-opt-fuzzer.cpp - fuzz the parser, verifier and pipelines --===//
//
// An input is one line naming a skipattn pass or pipeline with its options
// (what skipattn-opt would be given), then MLIR text:
//
//   skipattn-cpu-pipeline{block-q=16 skip-unit=4}
//   func.func @f(...) { ... skipattn.attention ... }
//
// The text is parsed and verified; when it verifies and the first line
// names a known pass or pipeline with options that parse, that pipeline
// runs on it (the AIC ones are also exported to ONNX). Diagnostics are the
// expected answer to bad input and are discarded; what the fuzzer looks
// for is a crash, an abort, a sanitizer report or a hang. Only the
// project's own passes and pipelines are named, and the Hopper pipeline
// stops before ptxas (no external process per input).
//
//===----------------------------------------------------------------------===//

#include "skipattn/InitAll.h"
#ifdef SKIPATTN_FUZZ_ONNX_EXPORT
#include "skipattn/Target/ONNX/ONNXExport.h"
#endif

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <memory>

using namespace mlir;

namespace {

/// The passes and pipelines an input may name, with the op they run on.
struct Step {
  llvm::StringLiteral name;
  llvm::StringLiteral nest; // "" (module), "func.func" or a GPU module
  bool aicGraph;            // the result is an aic graph: export it
};
constexpr Step kSteps[] = {
    {"skipattn-cpu-pipeline", "", false},
    {"skipattn-hopper-pipeline", "", false},
    {"skipattn-aic-pipeline", "", true},
    {"skipattn-tile", "func.func", false},
    {"skipattn-insert-skip-predicates", "func.func", false},
    {"convert-skipattn-to-cpu", "func.func", false},
    {"skipattn-gpu-select-schedule", "func.func", false},
    {"convert-skipattn-to-skipattn-gpu", "", false},
    {"skipattn-gpu-verify-protocol", "gpu.module", false},
    {"convert-skipattn-gpu-to-nvvm", "gpu.module", false},
    {"skipattn-legalize-nvvm-kernel-abi", "gpu.module", false},
    {"skipattn-aic-block-kv", "func.func", false},
    {"convert-skipattn-to-aic", "", true},
    {"canonicalize", "", false},
};

MLIRContext *context() {
  static MLIRContext *ctx = [] {
    DialectRegistry registry;
    skipattn::registerAllDialects(registry);
    skipattn::registerAllPasses();
    auto *c = new MLIRContext(registry, MLIRContext::Threading::DISABLED);
    c->loadAllAvailableDialects();
    c->allowUnregisteredDialects(false);
    return c;
  }();
  return ctx;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  context();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef input(reinterpret_cast<const char *>(data), size);
  auto [head, body] = input.split('\n');
  head = head.trim();

  // Inputs that crash Debian's MLIR 22 parser itself, outside this project
  // (kept in test/Fuzz/Inputs/upstream/, see docs/robustness.md): a dense
  // array attribute of `index` elements dereferences a null float type.
  if (body.contains("array<index"))
    return 0;

  MLIRContext *ctx = context();
  // Every diagnostic is an answer to bad input, not a finding.
  // SKIPATTN_FUZZ_VERBOSE=1 prints them, to see how far inputs get.
  static const bool verbose = std::getenv("SKIPATTN_FUZZ_VERBOSE");
  ScopedDiagnosticHandler quiet(ctx, [](Diagnostic &d) {
    if (verbose)
      llvm::errs() << "diagnostic: " << d.str() << "\n";
    return success();
  });
  llvm::SourceMgr sources;
  sources.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(body, "fuzz-input"), llvm::SMLoc());
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sources, ParserConfig(ctx));
  if (!module || failed(verify(*module)))
    return 0;

  // The step and its options; "format"/"toolkit" would reach ptxas.
  size_t brace = head.find('{');
  llvm::StringRef name = head.take_front(brace).trim();
  if (head.contains("format") || head.contains("toolkit"))
    return 0;
  const Step *step = nullptr;
  for (const Step &s : kSteps)
    if (name == s.name)
      step = &s;
  if (!step)
    return 0;
  std::string text =
      step->nest.empty()
          ? ("builtin.module(" + head + ")").str()
          : ("builtin.module(" + step->nest + "(" + head + "))").str();
  PassManager pm(ctx, ModuleOp::getOperationName());
  std::string ignored;
  llvm::raw_string_ostream errs(ignored);
  if (failed(parsePassPipeline(text, pm, errs)))
    return 0;
  LogicalResult ran = pm.run(*module);
  if (verbose)
    llvm::errs() << head << ": " << (succeeded(ran) ? "ran" : "failed") << "\n";
  if (failed(ran))
    return 0;
#ifdef SKIPATTN_FUZZ_ONNX_EXPORT
  if (step->aicGraph) {
    std::string bytes;
    llvm::raw_string_ostream os(bytes);
    (void)skipattn::exportONNX(*module, os, skipattn::ONNXFormat::Binary);
  }
#endif
  return 0;
}
