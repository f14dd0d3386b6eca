//===- AICBlockKV.cpp - skipattn-aic-block-kv -----------------------------===//
//
// The AI 100 form walks a fixed number of KV blocks whose size follows the
// run-time cache length, so the blocking decision is a block count plus one
// factor per phase rather than tile sizes. This pass records that decision
// on the op, where `convert-skipattn-to-aic` and FileCheck can read it.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Conversion/SkipAttnToAIC/SkipAttnToAIC.h"
#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"

namespace mlir::skipattn {
#define GEN_PASS_DEF_SKIPATTNAICBLOCKKV
#include "skipattn/Conversion/Passes.h.inc"
} // namespace mlir::skipattn

using namespace mlir;
using namespace mlir::skipattn;

LogicalResult mlir::skipattn::checkAICExpressible(AttentionOp op) {
  if (!op.hasTensorSemantics())
    return op.emitOpError("the AI 100 form needs tensor semantics (run it "
                          "before bufferization)");
  if (op.getSkipFactors())
    return op.emitOpError("runtime skip_factors have no AI 100 form; give the "
                          "prefill and decode factors as options instead");
  return success();
}

namespace {
struct AICBlockKV : public skipattn::impl::SkipAttnAICBlockKVBase<AICBlockKV> {
  using Base::Base;

  void runOnOperation() override {
    WalkResult result = getOperation().walk([&](AttentionOp op) {
      if (failed(checkAICExpressible(op)))
        return WalkResult::interrupt();
      if (op->hasAttr(kKVBlockingAttrName))
        return WalkResult::advance();

      double opFactor = 0.0;
      int64_t opMinKeep = 1;
      if (std::optional<SkipConfigAttr> skip = op.getSkip()) {
        opFactor = skip->getFactor();
        opMinKeep = skip->getMinKeepBlocks();
      }
      double prefill = prefillFactor < 0.0 ? opFactor : prefillFactor;
      double decode = decodeFactor < 0.0 ? opFactor : decodeFactor;
      int64_t minKeep = minKeepBlocks < 0 ? opMinKeep : minKeepBlocks;
      auto diag = [&] { return op.emitOpError(); };
      if (failed(KVBlockingAttr::verify(diag, numKVBlocks,
                                        llvm::APFloat(prefill),
                                        llvm::APFloat(decode), minKeep)))
        return WalkResult::interrupt();
      op->setAttr(kKVBlockingAttrName,
                  KVBlockingAttr::get(op.getContext(), numKVBlocks,
                                      llvm::APFloat(prefill),
                                      llvm::APFloat(decode), minKeep));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
