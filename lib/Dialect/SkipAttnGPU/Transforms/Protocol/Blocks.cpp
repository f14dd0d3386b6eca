//===- Blocks.cpp - where protocol ops sit in the KV loop -----------------===//
//
// The index and condition matchers every protocol check shares: which
// block of the loop an op names (block n, n + c, a constant), and which
// iterations an scf.if selects (n >= k, the last one).
//
//===----------------------------------------------------------------------===//

#include "Protocol.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::skipattn_gpu;
using namespace mlir::skipattn_gpu::protocol;

BlockRef mlir::skipattn_gpu::protocol::classify(Value index) {
  BlockRef r;
  APInt c;
  if (matchPattern(index, m_ConstantInt(&c))) {
    r.kind = BlockRef::Constant;
    r.value = c.getSExtValue();
    return r;
  }
  auto asIV = [&](Value v) -> scf::ForOp {
    auto arg = dyn_cast<BlockArgument>(v);
    if (!arg)
      return {};
    auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp());
    return loop && loop.getInductionVar() == arg ? loop : scf::ForOp();
  };
  if (scf::ForOp loop = asIV(index)) {
    r.kind = BlockRef::LoopPlus;
    r.loop = loop;
    return r;
  }
  if (auto add = index.getDefiningOp<arith::AddIOp>()) {
    for (auto [a, b] : {std::pair(add.getLhs(), add.getRhs()),
                        std::pair(add.getRhs(), add.getLhs())})
      if (scf::ForOp loop = asIV(a))
        if (matchPattern(b, m_ConstantInt(&c))) {
          r.kind = BlockRef::LoopPlus;
          r.loop = loop;
          r.value = c.getSExtValue();
          return r;
        }
  }
  if (auto sub = index.getDefiningOp<arith::SubIOp>())
    if (scf::ForOp loop = asIV(sub.getLhs()))
      if (matchPattern(sub.getRhs(), m_ConstantInt(&c))) {
        r.kind = BlockRef::LoopPlus;
        r.loop = loop;
        r.value = -c.getSExtValue();
        return r;
      }
  return r;
}

bool mlir::skipattn_gpu::protocol::isOneBelow(Value index, Value x) {
  APInt c, d;
  if (matchPattern(index, m_ConstantInt(&c)) &&
      matchPattern(x, m_ConstantInt(&d)))
    return c.getSExtValue() + 1 == d.getSExtValue();
  if (auto sub = index.getDefiningOp<arith::SubIOp>())
    return sub.getLhs() == x && matchPattern(sub.getRhs(), m_One());
  auto add = index.getDefiningOp<arith::AddIOp>();
  return add && add.getLhs() == x &&
         matchPattern(add.getRhs(), m_ConstantInt(&c)) && c.isAllOnes();
}

bool mlir::skipattn_gpu::protocol::isLastIteration(Value cond,
                                                   scf::ForOp loop) {
  auto cmp = cond.getDefiningOp<arith::CmpIOp>();
  if (!cmp || cmp.getPredicate() != arith::CmpIPredicate::eq)
    return false;
  for (auto [a, b] : {std::pair(cmp.getLhs(), cmp.getRhs()),
                      std::pair(cmp.getRhs(), cmp.getLhs())})
    if (a == loop.getInductionVar() && isOneBelow(b, loop.getUpperBound()))
      return true;
  return false;
}

int64_t mlir::skipattn_gpu::protocol::atLeast(Value cond, Value x) {
  auto cmp = cond.getDefiningOp<arith::CmpIOp>();
  APInt c;
  if (!cmp || cmp.getLhs() != x ||
      !matchPattern(cmp.getRhs(), m_ConstantInt(&c)))
    return 0;
  using P = arith::CmpIPredicate;
  P p = cmp.getPredicate();
  int64_t k = c.getSExtValue();
  if (p == P::uge || p == P::sge)
    return std::max<int64_t>(k, 0);
  if (p == P::ugt || p == P::sgt)
    return std::max<int64_t>(k + 1, 0);
  return p == P::ne && k == 0 ? 1 : 0;
}

bool mlir::skipattn_gpu::protocol::before(Operation *a, Operation *b,
                                          Block *body) {
  Operation *x = body->findAncestorOpInBlock(*a);
  Operation *y = body->findAncestorOpInBlock(*b);
  return x && y && x != y && x->isBeforeInBlock(y);
}

bool mlir::skipattn_gpu::protocol::sameBlocks(scf::ForOp a, scf::ForOp b) {
  return a.getLowerBound() == b.getLowerBound() &&
         a.getUpperBound() == b.getUpperBound() &&
         matchPattern(a.getStep(), m_One()) &&
         matchPattern(b.getStep(), m_One());
}

bool mlir::skipattn_gpu::protocol::isLoopBlock(Value index, scf::ForOp loop) {
  BlockRef r = classify(index);
  return r.kind == BlockRef::LoopPlus && r.loop == loop && r.value == 0;
}
