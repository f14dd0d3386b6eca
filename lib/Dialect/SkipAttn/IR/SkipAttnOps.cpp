//===- SkipAttnOps.cpp - skipattn operations ------------------------------===//
//
// Verifiers, custom assembly and canonicalisations of the skipattn ops.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::skipattn;

#define GET_OP_CLASSES
#include "skipattn/Dialect/SkipAttn/IR/SkipAttnOps.cpp.inc"

/// Two extents agree unless both are static and different.
static bool dimsAgree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static bool isSupportedElementType(Type t) {
  return t.isF16() || t.isBF16() || t.isF32();
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

double AttentionOp::getEffectiveScale() {
  if (auto s = getScale())
    return s->convertToDouble();
  int64_t d = cast<ShapedType>(getQuery().getType()).getShape()[3];
  return 1.0 / std::sqrt(static_cast<double>(d));
}

int64_t AttentionOp::getLogicalKvLen() {
  auto k = cast<ShapedType>(getKey().getType());
  if (!k.hasRank() || k.getRank() != 4)
    return ShapedType::kDynamic;
  if (!getPageTable())
    return k.getShape()[2];
  auto t = cast<ShapedType>(getPageTable().getType());
  if (!t.hasRank() || t.getRank() != 2 || t.isDynamicDim(1) ||
      k.isDynamicDim(2))
    return ShapedType::kDynamic;
  return t.getShape()[1] * k.getShape()[2];
}

MutableOperandRange AttentionOp::getDpsInitsMutable() {
  // Inputs come first: query, key, value, then the optional kv_lens,
  // page_table, q_lens and skip_factors.
  unsigned start = 3 + (getKvLens() ? 1 : 0) + (getPageTable() ? 1 : 0) +
                   (getQLens() ? 1 : 0) + (getSkipFactors() ? 1 : 0);
  unsigned count = 1 + (getLse() ? 1 : 0) + (getStats() ? 1 : 0);
  return MutableOperandRange(getOperation(), start, count);
}

void AttentionOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  // Only the buffer form touches memory; the tensor form is pure.
  for (OpOperand &operand : getOperation()->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    if (isDpsInit(&operand))
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
    else
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
  }
}

LogicalResult AttentionOp::verify() {
  SmallVector<Value> operands(getOperation()->getOperands());
  bool tensors = isa<TensorType>(getQuery().getType());
  for (Value v : operands)
    if (isa<TensorType>(v.getType()) != tensors)
      return emitOpError("operands must be all tensors or all memrefs");
  if (!tensors && getNumResults() != 0)
    return emitOpError("has no results in memref form");
  if (tensors) {
    auto inits = getDpsInits();
    if (getNumResults() != inits.size())
      return emitOpError("expected one result per output operand, got ")
             << getNumResults() << " for " << inits.size();
    for (auto [i, pair] : llvm::enumerate(llvm::zip(getResults(), inits)))
      if (std::get<0>(pair).getType() != std::get<1>(pair).getType())
        return emitOpError("result #")
               << i << " type must match its output operand";
  }

  auto q = cast<ShapedType>(getQuery().getType());
  auto k = cast<ShapedType>(getKey().getType());
  auto v = cast<ShapedType>(getValue().getType());
  auto o = cast<ShapedType>(getOut().getType());
  for (ShapedType t : {q, k, v, o})
    if (!t.hasRank() || t.getRank() != 4)
      return emitOpError("query, key, value and out must have rank 4");
  if (!isSupportedElementType(q.getElementType()))
    return emitOpError("element type must be f16, bf16 or f32, got ")
           << q.getElementType();
  for (ShapedType t : {k, v, o})
    if (t.getElementType() != q.getElementType())
      return emitOpError(
          "query, key, value and out must have the same element type");

  auto qs = q.getShape(), ks = k.getShape(), vs = v.getShape(),
       os = o.getShape();
  // A paged cache's first dimension counts pages, not sequences.
  Value table = getPageTable();
  if (!table && (!dimsAgree(qs[0], ks[0]) || !dimsAgree(qs[0], vs[0])))
    return emitOpError("query, key and value batch sizes differ");
  if (table && !dimsAgree(ks[0], vs[0]))
    return emitOpError("key and value caches must have the same number of "
                       "pages");
  if (!dimsAgree(ks[1], vs[1]) || !dimsAgree(ks[2], vs[2]))
    return emitOpError(
        "key and value must have the same number of heads and KV length");
  if (table) {
    auto t = cast<ShapedType>(table.getType());
    if (!t.hasRank() || t.getRank() != 2 || !t.getElementType().isInteger(32) ||
        !dimsAgree(t.getShape()[0], qs[0]))
      return emitOpError("page_table must be an i32 [B, max_pages]");
    if (t.getShape()[1] == 0 || ks[2] == 0 || ks[0] == 0)
      return emitOpError("a paged cache needs pages, rows per page and a "
                         "page table with a column");
  }
  if (!ShapedType::isDynamic(qs[1]) && !ShapedType::isDynamic(ks[1]) &&
      (ks[1] == 0 || qs[1] % ks[1] != 0))
    return emitOpError("query heads (")
           << qs[1] << ") must be a multiple of key/value heads (" << ks[1]
           << ")";
  if (!dimsAgree(qs[3], ks[3]))
    return emitOpError("query and key head dims differ (")
           << qs[3] << " vs " << ks[3] << ")";
  if (!dimsAgree(os[0], qs[0]) || !dimsAgree(os[1], qs[1]) ||
      !dimsAgree(os[2], qs[2]) || !dimsAgree(os[3], vs[3]))
    return emitOpError("out must have shape [B, Hq, Sq, Dv]");
  if (getValueInKey() && !ShapedType::isDynamic(vs[3]) &&
      !ShapedType::isDynamic(ks[3]) && vs[3] > ks[3])
    return emitOpError("value_in_key: V is the first Dv columns of K, so "
                       "Dv (")
           << vs[3] << ") cannot exceed D (" << ks[3] << ")";

  if (Value lens = getKvLens()) {
    auto t = cast<ShapedType>(lens.getType());
    if (!t.hasRank() || t.getRank() != 1 || !t.getElementType().isInteger(32) ||
        !dimsAgree(t.getShape()[0], qs[0]))
      return emitOpError("kv_lens must be a rank-1 i32 of size B");
  }
  if (Value lens = getQLens()) {
    auto t = cast<ShapedType>(lens.getType());
    if (!t.hasRank() || t.getRank() != 1 || !t.getElementType().isInteger(32) ||
        !dimsAgree(t.getShape()[0], qs[0]))
      return emitOpError("q_lens must be a rank-1 i32 of size B");
  }
  if (Value lse = getLse()) {
    auto t = cast<ShapedType>(lse.getType());
    if (!t.hasRank() || t.getRank() != 3 || !t.getElementType().isF32() ||
        !dimsAgree(t.getShape()[0], qs[0]) ||
        !dimsAgree(t.getShape()[1], qs[1]) ||
        !dimsAgree(t.getShape()[2], qs[2]))
      return emitOpError("lse must be f32 [B, Hq, Sq]");
  }
  if (Value stats = getStats()) {
    auto t = cast<ShapedType>(stats.getType());
    if (!t.hasRank() || t.getRank() != 3 || !t.getElementType().isInteger(64) ||
        !dimsAgree(t.getShape()[0], qs[0]) ||
        !dimsAgree(t.getShape()[1], qs[1]) ||
        (!dimsAgree(t.getShape()[2], 2) && !dimsAgree(t.getShape()[2], 4)) ||
        ShapedType::isDynamic(t.getShape()[2]))
      return emitOpError("stats must be i64 [B, Hq, 2] or [B, Hq, 4]");
  }
  if (Value f = getSkipFactors()) {
    auto t = cast<ShapedType>(f.getType());
    if (!t.hasRank() || t.getRank() != 2 || !t.getElementType().isF32() ||
        !dimsAgree(t.getShape()[0], qs[0]) ||
        !dimsAgree(t.getShape()[1], qs[1]))
      return emitOpError("skip_factors must be f32 [B, Hq]");
    if (!getSkip())
      return emitOpError("skip_factors needs a #skipattn.skip configuration "
                         "(for min_keep_blocks)");
    if (!getSkip()->isDense())
      return emitOpError("a static threshold_scale_factor and skip_factors "
                         "are exclusive; set the factor to 0");
  }
  if (auto s = getScale()) {
    double sv = s->convertToDouble();
    if (!std::isfinite(sv) || sv <= 0.0)
      return emitOpError("scale must be positive and finite");
  }
  return success();
}

namespace {
/// A skip configuration with factor 0 is dense attention: drop it so that
/// later passes see no skip machinery at all.
struct DropDenseSkipConfig : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    auto skip = op.getSkip();
    // With runtime factors the configuration still carries min_keep_blocks.
    if (!skip || !skip->isDense() || op.getSkipFactors())
      return failure();
    rewriter.modifyOpInPlace(op, [&] { op.removeSkipAttr(); });
    return success();
  }
};
} // namespace

void AttentionOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<DropDenseSkipConfig>(context);
}

//===----------------------------------------------------------------------===//
// BlockedKVOp
//===----------------------------------------------------------------------===//

void BlockedKVOp::build(OpBuilder &builder, OperationState &result, Value lower,
                        Value upper, Value kvLen, Value rowMax, Value rowSum,
                        Value acc, TilingAttr tiling, SkipConfigAttr skip) {
  build(builder, result, TypeRange(), lower, upper, kvLen, rowMax, rowSum, acc,
        /*stats=*/Value(), /*skipFactors=*/Value(), /*batch=*/Value(),
        /*head=*/Value(), tiling, skip);
  Region *body = result.regions.front().get();
  Block *block = new Block();
  body->push_back(block);
  block->addArgument(builder.getIndexType(), result.location);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(block);
  YieldOp::create(builder, result.location);
}

// Custom form:
//   skipattn.blocked_kv %n = %lo to %hi kv_len(%len)
//       state(%m, %l, %acc : T, T, T) [stats(%st[%b, %h] : T)]
//       [skip_factors(%f[%b, %h] : T)] attrs {body}
void BlockedKVOp::print(OpAsmPrinter &p) {
  p << " " << getBlockIndex() << " = " << getLower() << " to " << getUpper()
    << " kv_len(" << getKvLen() << ") state(" << getRowMax() << ", "
    << getRowSum() << ", " << getAcc() << " : " << getRowMax().getType() << ", "
    << getRowSum().getType() << ", " << getAcc().getType() << ")";
  if (getStats())
    p << " stats(" << getStats() << "[" << getBatch() << ", " << getHead()
      << "] : " << getStats().getType() << ")";
  if (getSkipFactors())
    p << " skip_factors(" << getSkipFactors() << "[" << getBatch() << ", "
      << getHead() << "] : " << getSkipFactors().getType() << ")";
  p.printOptionalAttrDictWithKeyword((*this)->getAttrs(),
                                     {"operandSegmentSizes"});
  p << " ";
  p.printRegion(getBody(), /*printEntryBlockArgs=*/false,
                /*printBlockTerminators=*/false);
}

ParseResult BlockedKVOp::parse(OpAsmParser &parser, OperationState &result) {
  OpAsmParser::Argument iv;
  OpAsmParser::UnresolvedOperand lower, upper, kvLen, m, l, acc, stats, factors,
      batch, head, batch2, head2;
  Type mT, lT, accT, statsT, factorsT;
  Type indexT = parser.getBuilder().getIndexType();
  if (parser.parseArgument(iv) || parser.parseEqual() ||
      parser.parseOperand(lower) || parser.parseKeyword("to") ||
      parser.parseOperand(upper) || parser.parseKeyword("kv_len") ||
      parser.parseLParen() || parser.parseOperand(kvLen) ||
      parser.parseRParen() || parser.parseKeyword("state") ||
      parser.parseLParen() || parser.parseOperand(m) || parser.parseComma() ||
      parser.parseOperand(l) || parser.parseComma() ||
      parser.parseOperand(acc) || parser.parseColon() || parser.parseType(mT) ||
      parser.parseComma() || parser.parseType(lT) || parser.parseComma() ||
      parser.parseType(accT) || parser.parseRParen())
    return failure();
  bool hasStats = succeeded(parser.parseOptionalKeyword("stats"));
  if (hasStats && (parser.parseLParen() || parser.parseOperand(stats) ||
                   parser.parseLSquare() || parser.parseOperand(batch) ||
                   parser.parseComma() || parser.parseOperand(head) ||
                   parser.parseRSquare() || parser.parseColon() ||
                   parser.parseType(statsT) || parser.parseRParen()))
    return failure();
  // Both clauses name the tile's batch and head; they must agree.
  bool hasFactors = succeeded(parser.parseOptionalKeyword("skip_factors"));
  llvm::SMLoc factorsLoc = parser.getCurrentLocation();
  if (hasFactors &&
      (parser.parseLParen() || parser.parseOperand(factors) ||
       parser.parseLSquare() ||
       parser.parseOperand(hasStats ? batch2 : batch) || parser.parseComma() ||
       parser.parseOperand(hasStats ? head2 : head) || parser.parseRSquare() ||
       parser.parseColon() || parser.parseType(factorsT) ||
       parser.parseRParen()))
    return failure();
  if (hasStats && hasFactors &&
      (batch2.name != batch.name || batch2.number != batch.number ||
       head2.name != head.name || head2.number != head.number))
    return parser.emitError(factorsLoc, "stats and skip_factors must be "
                                        "indexed by the same batch and head");
  if (parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return failure();
  if (parser.resolveOperand(lower, indexT, result.operands) ||
      parser.resolveOperand(upper, indexT, result.operands) ||
      parser.resolveOperand(kvLen, indexT, result.operands) ||
      parser.resolveOperand(m, mT, result.operands) ||
      parser.resolveOperand(l, lT, result.operands) ||
      parser.resolveOperand(acc, accT, result.operands))
    return failure();
  if (hasStats && parser.resolveOperand(stats, statsT, result.operands))
    return failure();
  if (hasFactors && parser.resolveOperand(factors, factorsT, result.operands))
    return failure();
  bool indexed = hasStats || hasFactors;
  if (indexed && (parser.resolveOperand(batch, indexT, result.operands) ||
                  parser.resolveOperand(head, indexT, result.operands)))
    return failure();
  int32_t s = hasStats ? 1 : 0, f = hasFactors ? 1 : 0, i = indexed ? 1 : 0;
  result.getOrAddProperties<Properties>().operandSegmentSizes = {1, 1, 1, 1, 1,
                                                                 1, s, f, i, i};
  iv.type = indexT;
  Region *body = result.addRegion();
  if (parser.parseRegion(*body, {iv}))
    return failure();
  BlockedKVOp::ensureTerminator(*body, parser.getBuilder(), result.location);
  return success();
}

/// Number of rows of a state buffer (its leading extent).
static int64_t rows(Value v) {
  return cast<MemRefType>(v.getType()).getShape()[0];
}

LogicalResult BlockedKVOp::verify() {
  auto m = cast<MemRefType>(getRowMax().getType());
  auto l = cast<MemRefType>(getRowSum().getType());
  auto acc = cast<MemRefType>(getAcc().getType());
  if (m.getRank() != 1 || l.getRank() != 1 || acc.getRank() != 2)
    return emitOpError("row_max and row_sum must be rank 1 and acc rank 2");
  if (!dimsAgree(rows(getRowMax()), rows(getRowSum())) ||
      !dimsAgree(rows(getRowMax()), rows(getAcc())))
    return emitOpError("state buffers must agree on the number of rows");
  if (!dimsAgree(rows(getAcc()), getTiling().getRows()))
    return emitOpError("tiling has ")
           << getTiling().getRows() << " rows but the state has "
           << rows(getAcc());
  if ((getStats() || getSkipFactors()) && (!getBatch() || !getHead()))
    return emitOpError(
        "stats and skip_factors need the batch and head indices");
  if (getSkipFactors() &&
      cast<MemRefType>(getSkipFactors().getType()).getRank() != 2)
    return emitOpError("skip_factors must be [B, Hq]");
  Block &b = getBody().front();
  if (b.getNumArguments() != 1 || !b.getArgument(0).getType().isIndex())
    return emitOpError("body must take one index argument (the block index)");
  return success();
}

//===----------------------------------------------------------------------===//
// Tile-level ops
//===----------------------------------------------------------------------===//

static int64_t dim(Value v, unsigned i) {
  return cast<MemRefType>(v.getType()).getShape()[i];
}
static unsigned rank(Value v) {
  return cast<MemRefType>(v.getType()).getRank();
}

LogicalResult PackQOp::verify() {
  if (rank(getQuery()) != 4)
    return emitOpError("query must have rank 4");
  if (getHeads() <= 0 || getRowsPerHead() <= 0)
    return emitOpError("heads and rows_per_head must be positive");
  if (rank(getTile()) != 2 ||
      !dimsAgree(dim(getTile(), 0), getHeads() * getRowsPerHead()) ||
      !dimsAgree(dim(getTile(), 1), dim(getQuery(), 3)))
    return emitOpError("tile must be [heads * rows_per_head, D]");
  Type tileElt = cast<MemRefType>(getTile().getType()).getElementType();
  if (tileElt.isBF16() &&
      !cast<MemRefType>(getQuery().getType()).getElementType().isBF16())
    return emitOpError("an unscaled bf16 tile needs a bf16 query");
  return success();
}

/// A paged operand's table is [B, max_pages] (ODS checks i32 rank 2).
static LogicalResult verifyPaged(Operation *op, Value table, Value cache) {
  if (!table)
    return success();
  if (dim(cache, 2) == 0)
    return op->emitOpError("a paged cache needs rows per page");
  return success();
}

LogicalResult BlockScoresOp::verify() {
  if (rank(getKey()) != 4)
    return emitOpError("key must have rank 4");
  if (failed(verifyPaged(*this, getPageTable(), getKey())))
    return failure();
  if (rank(getQTile()) != 2 || rank(getScores()) != 2)
    return emitOpError("q_tile and scores must have rank 2");
  bool unscaled =
      cast<MemRefType>(getQTile().getType()).getElementType().isBF16();
  if (unscaled != getScale().has_value())
    return emitOpError("an unscaled bf16 q_tile needs the scale of its "
                       "products (and only it takes one)");
  if (unscaled &&
      !cast<MemRefType>(getKey().getType()).getElementType().isBF16())
    return emitOpError("bf16 products need a bf16 key");
  if (!dimsAgree(dim(getQTile(), 0), dim(getScores(), 0)))
    return emitOpError("q_tile and scores must have the same number of rows");
  if (!dimsAgree(dim(getQTile(), 1), dim(getKey(), 3)))
    return emitOpError("q_tile width must match the key head dim");
  if (getRowsPerHead() <= 0 || getQLen() <= 0)
    return emitOpError("rows_per_head and q_len must be positive");
  return success();
}

LogicalResult SkipPredicateOp::verify() {
  if (rank(getScores()) != 2 || rank(getRowMax()) != 1)
    return emitOpError("scores must have rank 2 and row_max rank 1");
  if (!dimsAgree(dim(getScores(), 0), dim(getRowMax(), 0)))
    return emitOpError("scores and row_max must have the same number of rows");
  return success();
}

LogicalResult OnlineSoftmaxOp::verify() {
  if (rank(getValue()) != 4)
    return emitOpError("value must have rank 4");
  if (failed(verifyPaged(*this, getPageTable(), getValue())))
    return failure();
  if (rank(getScores()) != 2 || rank(getRowMax()) != 1 ||
      rank(getRowSum()) != 1 || rank(getAcc()) != 2)
    return emitOpError("scores and acc must have rank 2, row_max and row_sum "
                       "rank 1");
  int64_t r = dim(getScores(), 0);
  if (!dimsAgree(r, dim(getRowMax(), 0)) ||
      !dimsAgree(r, dim(getRowSum(), 0)) || !dimsAgree(r, dim(getAcc(), 0)))
    return emitOpError("scores and state must agree on the number of rows");
  if (!dimsAgree(dim(getAcc(), 1), dim(getValue(), 3)))
    return emitOpError("acc width must match the value head dim");
  return success();
}

LogicalResult FinalizeOp::verify() {
  if (rank(getOut()) != 4)
    return emitOpError("out must have rank 4");
  if (rank(getRowMax()) != 1 || rank(getRowSum()) != 1 || rank(getAcc()) != 2)
    return emitOpError("acc must have rank 2, row_max and row_sum rank 1");
  int64_t r = dim(getAcc(), 0);
  if (!dimsAgree(r, dim(getRowMax(), 0)) || !dimsAgree(r, dim(getRowSum(), 0)))
    return emitOpError("state buffers must agree on the number of rows");
  if (!dimsAgree(dim(getAcc(), 1), dim(getOut(), 3)))
    return emitOpError("acc width must match the out head dim");
  if (getRowsPerHead() <= 0 ||
      (!ShapedType::isDynamic(r) && r % getRowsPerHead() != 0))
    return emitOpError("rows_per_head must be positive and divide the rows");
  if (getLse() && rank(getLse()) != 3)
    return emitOpError("lse must have rank 3");
  return success();
}

LogicalResult MergeSplitsOp::verify() {
  auto po = cast<MemRefType>(getPartialOut().getType());
  auto pl = cast<MemRefType>(getPartialLse().getType());
  auto out = cast<MemRefType>(getOut().getType());
  if (out.getRank() != 4)
    return emitOpError("out must have rank 4");
  for (int64_t i = 0; i < 4; ++i)
    if (!dimsAgree(po.getDimSize(i + 1), out.getDimSize(i)))
      return emitOpError("partial_out must be [S] + the shape of out");
  for (int64_t i = 0; i < 4; ++i)
    if (!dimsAgree(pl.getDimSize(i), po.getDimSize(i)))
      return emitOpError("partial_lse must be [S, B, H, Sq] of partial_out");
  if (Value lse = getLse()) {
    auto t = cast<MemRefType>(lse.getType());
    for (int64_t i = 0; i < 3; ++i)
      if (!dimsAgree(t.getDimSize(i), out.getDimSize(i)))
        return emitOpError("lse must be [B, H, Sq] of out");
  }
  return success();
}

bool mlir::skipattn::factorsPerHead(Value factors) {
  if (!factors)
    return false;
  auto t = cast<MemRefType>(factors.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (t.getRank() != 2 || failed(t.getStridesAndOffset(strides, offset)))
    return true;
  return t.getDimSize(1) != 1 && strides[1] != 0;
}
