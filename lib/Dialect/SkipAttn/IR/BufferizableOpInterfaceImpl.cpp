//===- BufferizableOpInterfaceImpl.cpp - bufferize skipattn.attention -----===//
//
// One-Shot Bufferize support: the tensor form of skipattn.attention becomes
// the memref form writing into the buffers of its output operands.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace {
struct AttentionOpInterface
    : DstBufferizableOpInterfaceExternalModel<AttentionOpInterface,
                                              skipattn::AttentionOp> {
  // The outputs are written completely, never read: no copy of their
  // initial contents is needed.
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const AnalysisState &) const {
    return !cast<DestinationStyleOpInterface>(op).isDpsInit(&operand);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto attn = cast<skipattn::AttentionOp>(op);
    if (!attn.hasTensorSemantics())
      return success();
    // Null operands stay null: optional operands keep their absence.
    auto buffer = [&](Value v) -> FailureOr<Value> {
      if (!v)
        return Value();
      return getBuffer(rewriter, v, options, state);
    };
    FailureOr<Value> q = buffer(attn.getQuery()), k = buffer(attn.getKey()),
                     v = buffer(attn.getValue()),
                     lens = buffer(attn.getKvLens()),
                     table = buffer(attn.getPageTable()),
                     qLens = buffer(attn.getQLens()),
                     factors = buffer(attn.getSkipFactors()),
                     out = buffer(attn.getOut()), lse = buffer(attn.getLse()),
                     stats = buffer(attn.getStats());
    for (auto r : {q, k, v, lens, table, qLens, factors, out, lse, stats})
      if (failed(r))
        return failure();
    rewriter.setInsertionPoint(op);
    skipattn::AttentionOp::create(
        rewriter, op->getLoc(), TypeRange(), *q, *k, *v, *lens, *table, *qLens,
        *factors, *out, *lse, *stats, attn.getScaleAttr(), attn.getCausalAttr(),
        attn.getSkipAttr(), attn.getValueInKeyAttr());
    SmallVector<Value> outs;
    for (Value b : {*out, *lse, *stats})
      if (b)
        outs.push_back(b);
    replaceOpWithBufferizedValues(rewriter, op, outs);
    return success();
  }
};
} // namespace

void mlir::skipattn::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, skipattn::SkipAttnDialect *) {
    skipattn::AttentionOp::attachInterface<AttentionOpInterface>(*ctx);
  });
}
