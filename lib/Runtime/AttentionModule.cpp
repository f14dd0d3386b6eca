//===- AttentionModule.cpp - the JIT's input IR for one spec --------------===//

#include "skipattn/Runtime/AttentionModule.h"
#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"

using namespace mlir;
using ::skipattn::AttentionSpec;
using ::skipattn::DType;

static Type elementType(MLIRContext *ctx, DType t) {
  OpBuilder b(ctx);
  switch (t) {
  case DType::F32:
    return b.getF32Type();
  case DType::F16:
    return b.getF16Type();
  case DType::BF16:
    return b.getBF16Type();
  }
  return {};
}

/// func @skipattn_main(q, k, v, [kv_lens], [page_table], [q_lens],
/// [skip_factors], out, [lse], [stats]) holding one
/// memref-form skipattn.attention.
namespace skipattn {
OwningOpRef<ModuleOp> buildAttentionModule(MLIRContext *ctx,
                                           const AttentionSpec &s) {
  OpBuilder b(ctx);
  Location loc = b.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  Type et = elementType(ctx, s.dtype);
  // Explicit strides become the memref's static strided layout: the
  // kernel addresses the view directly, no copy.
  auto tensorType = [&](ArrayRef<int64_t> shape,
                        const std::vector<int64_t> &strides) {
    if (strides.empty())
      return MemRefType::get(shape, et);
    return MemRefType::get(shape, et,
                           StridedLayoutAttr::get(ctx, /*offset=*/0, strides));
  };
  auto qT = tensorType({s.batch, s.qHeads, s.qLen, s.headDim}, s.qStrides);
  auto kT = tensorType(s.kvShape(s.headDim), s.kStrides);
  auto vT = tensorType(s.kvShape(s.dv()), s.vStrides);
  auto oT = tensorType({s.batch, s.qHeads, s.qLen, s.dv()}, s.outStrides);
  SmallVector<Type> args{qT, kT, vT};
  if (s.ragged())
    args.push_back(MemRefType::get({s.batch}, b.getI32Type()));
  if (s.paged())
    args.push_back(MemRefType::get({s.batch, s.maxPages()}, b.getI32Type()));
  if (s.queryLens())
    args.push_back(MemRefType::get({s.batch}, b.getI32Type()));
  if (s.runtimeFactors())
    args.push_back(MemRefType::get(
        {s.batch, s.qHeads}, b.getF32Type(),
        StridedLayoutAttr::get(ctx, /*offset=*/0,
                               {s.factorStrideB(), s.factorStrideH()})));
  args.push_back(oT);
  if (s.withLse)
    args.push_back(
        MemRefType::get({s.batch, s.qHeads, s.qLen}, b.getF32Type()));
  if (s.withStats)
    args.push_back(
        MemRefType::get({s.batch, s.qHeads, s.statsColumns()}, b.getI64Type()));

  b.setInsertionPointToEnd(module->getBody());
  auto fn = func::FuncOp::create(b, loc, "skipattn_main",
                                 b.getFunctionType(args, {}));
  fn->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  unsigned i = 0;
  Value q = entry->getArgument(i++), k = entry->getArgument(i++),
        v = entry->getArgument(i++);
  Value lens = s.ragged() ? entry->getArgument(i++) : Value();
  Value table = s.paged() ? entry->getArgument(i++) : Value();
  Value qLens = s.queryLens() ? entry->getArgument(i++) : Value();
  Value factors = s.runtimeFactors() ? entry->getArgument(i++) : Value();
  Value out = entry->getArgument(i++);
  Value lse = s.withLse ? entry->getArgument(i++) : Value();
  Value stats = s.withStats ? entry->getArgument(i++) : Value();
  mlir::skipattn::SkipConfigAttr skip;
  if (s.skipping())
    skip = mlir::skipattn::SkipConfigAttr::get(
        ctx, llvm::APFloat(s.thresholdScaleFactor), s.minKeepBlocks);
  mlir::skipattn::AttentionOp::create(
      b, loc, TypeRange(), q, k, v, lens, table, qLens, factors, out, lse,
      stats, b.getF32FloatAttr(static_cast<float>(s.effectiveScale())),
      s.causal ? b.getUnitAttr() : UnitAttr(), skip,
      s.valueInKey ? b.getUnitAttr() : UnitAttr());
  func::ReturnOp::create(b, loc);
  return module;
}

DiagnosticText::DiagnosticText(MLIRContext *ctx)
    : handler(ctx, [this](Diagnostic &d) {
        llvm::raw_string_ostream os(text);
        os << d << "\n";
        return success();
      }) {}

llvm::Error configureInstrumentation(PassManager &pm,
                                     const std::string &dumpDir,
                                     bool passTiming) {
  if (!dumpDir.empty()) {
    std::error_code ec = llvm::sys::fs::create_directories(dumpDir);
    if (ec)
      return llvm::createStringError("cannot create --dump-ir directory '" +
                                     dumpDir + "': " + ec.message());
    // Printing after every pass requires a single-threaded context.
    pm.getContext()->disableMultithreading();
    pm.enableIRPrintingToFileTree([](Pass *, Operation *) { return false; },
                                  [](Pass *, Operation *) { return true; },
                                  /*printModuleScope=*/true,
                                  /*printAfterOnlyOnChange=*/true,
                                  /*printAfterOnlyOnFailure=*/false, dumpDir);
  }
  if (passTiming)
    pm.enableTiming();
  return llvm::Error::success();
}
} // namespace skipattn
