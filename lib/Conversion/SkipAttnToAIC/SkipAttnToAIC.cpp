//===- SkipAttnToAIC.cpp - blocked attention to the AI 100 ONNX graph -----===//
//
// The Cloud AI 100 compiler takes a static dataflow graph, so the blocked
// loop is unrolled over `num_kv_blocks` blocks and every run-time choice is
// data: block size from the cache's shape, lengths from position_ids, the
// phase factor from seq_len, skips as Where-selects on the softmax state.
// Sizes that the card specialises (batch_size, seq_len, ctx_len) stay
// symbolic; only head counts and head dims are baked in.
//
// Per block j (rows are [B, Hkv, G, S] with G query heads per KV head):
//
//   kpos = j*bs + [0, bs)            idx = min(kpos, ctx_len - 1)
//   K_j  = CtxGather(past_key, idx)  s = (scale q) . K_j^T
//   vis  = kpos < lim (per row)      s = Where(vis, s, MASK)
//   m_blk = rowmax s                 m' = max(m, m_blk)
//   e = Where(vis, exp(s - m'), 0)   l' = l exp(m - m') + sum e
//   O' = (l exp(m - m') / l') O + (e / l') V_j
//   skip = allowed_b & (m_blk - m' < ln lambda_b & l > 0 | row sees no key)
//          | j*bs >= L_b
//   (m, l, O) = Where(skip, (m, l, O), (m', l', O'))
//
// Every block gathers exactly bs slots (clamped indices, masked), so all
// blocks have one shape and no block is ever empty.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Conversion/SkipAttnToAIC/SkipAttnToAIC.h"
#include "skipattn/Dialect/AIC/IR/AIC.h"
#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <limits>

namespace mlir::skipattn {
#define GEN_PASS_DEF_CONVERTSKIPATTNTOAIC
#include "skipattn/Conversion/Passes.h.inc"
} // namespace mlir::skipattn

using namespace mlir;
using namespace mlir::skipattn;

namespace {
constexpr int64_t kDyn = ShapedType::kDynamic;
/// Score of a masked key and initial row max: -inf, so that no real score
/// of any precision sits below it (a finite constant sized for fp16 made
/// rows whose scores are all below it come out as 0 in f32). The one
/// difference of two masks, `m - m'` for a row that has seen no key yet, is
/// selected away (alpha = 0 while l = 0), so no NaN arises on the card's
/// fp16 either.
constexpr float kMask = -std::numeric_limits<float>::infinity();
constexpr StringLiteral kGatherName = "CtxGather";
constexpr StringLiteral kScatterName = "CtxScatter";

/// Builds aic ops with explicit result types, caching constants.
class GraphBuilder {
public:
  GraphBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Type f32() { return b.getF32Type(); }
  Type i64() { return b.getI64Type(); }
  Type i1() { return b.getI1Type(); }
  RankedTensorType t(ArrayRef<int64_t> shape, Type elem) {
    return RankedTensorType::get(shape, elem);
  }

  Value i64s(ArrayRef<int64_t> values) {
    auto type = t({static_cast<int64_t>(values.size())}, i64());
    return constant(DenseElementsAttr::get(type, values));
  }
  Value i64Scalar(int64_t v) {
    return constant(DenseElementsAttr::get(t({}, i64()), v));
  }
  Value f32Scalar(float v) {
    return constant(DenseElementsAttr::get(t({}, f32()), v));
  }
  Value constant(DenseElementsAttr value) {
    auto it = constants.find(value);
    if (it != constants.end())
      return it->second;
    Value c = aic::ConstantOp::create(b, loc, value.getType(), value);
    constants[value] = c;
    return c;
  }

  /// The type of a broadcasting binary op: dims merge, a static dim of 1
  /// yields to the other operand's dim.
  RankedTensorType broadcast(Value x, Value y, Type elem = {}) {
    return broadcast(x.getType(), y.getType(), elem);
  }
  RankedTensorType broadcast(Type x, Type y, Type elem = {}) {
    auto a = llvm::cast<RankedTensorType>(x);
    auto c = llvm::cast<RankedTensorType>(y);
    int64_t rank = std::max(a.getRank(), c.getRank());
    SmallVector<int64_t> shape(rank, 1);
    for (int64_t i = 0; i < rank; ++i) {
      int64_t da = i - (rank - a.getRank()) >= 0
                       ? a.getDimSize(i - (rank - a.getRank()))
                       : 1;
      int64_t dc = i - (rank - c.getRank()) >= 0
                       ? c.getDimSize(i - (rank - c.getRank()))
                       : 1;
      if (da == 1)
        shape[i] = dc;
      else if (dc == 1)
        shape[i] = da;
      else
        shape[i] = da == kDyn ? dc : da;
    }
    return t(shape, elem ? elem : a.getElementType());
  }

  template <typename OpT> Value binary(Value x, Value y) {
    return OpT::create(b, loc, broadcast(x, y), x, y);
  }
  template <typename OpT> Value compare(Value x, Value y) {
    return OpT::create(b, loc, broadcast(x, y, i1()), x, y);
  }
  Value add(Value x, Value y) { return binary<aic::AddOp>(x, y); }
  Value sub(Value x, Value y) { return binary<aic::SubOp>(x, y); }
  Value mul(Value x, Value y) { return binary<aic::MulOp>(x, y); }
  Value div(Value x, Value y) { return binary<aic::DivOp>(x, y); }
  Value max(Value x, Value y) { return binary<aic::MaxOp>(x, y); }
  Value min(Value x, Value y) { return binary<aic::MinOp>(x, y); }
  Value land(Value x, Value y) { return binary<aic::AndOp>(x, y); }
  Value lor(Value x, Value y) { return binary<aic::OrOp>(x, y); }
  Value less(Value x, Value y) { return compare<aic::LessOp>(x, y); }
  Value greater(Value x, Value y) { return compare<aic::GreaterOp>(x, y); }
  Value equal(Value x, Value y) { return compare<aic::EqualOp>(x, y); }
  Value lnot(Value x) { return aic::NotOp::create(b, loc, x.getType(), x); }
  Value exp(Value x) { return aic::ExpOp::create(b, loc, x.getType(), x); }
  Value log(Value x) { return aic::LogOp::create(b, loc, x.getType(), x); }
  Value where(Value c, Value x, Value y) {
    RankedTensorType type = broadcast(broadcast(c, x), y.getType());
    return aic::WhereOp::create(
        b, loc, t(type.getShape(), getElementTypeOrSelf(x.getType())), c, x, y);
  }
  Value convert(Value x, Type to) {
    if (getElementTypeOrSelf(x.getType()) == to)
      return x;
    auto type = llvm::cast<RankedTensorType>(x.getType());
    return aic::CastOp::create(b, loc, t(type.getShape(), to), x,
                               TypeAttr::get(to));
  }
  /// Reduction over the last dim, kept as a dim of 1.
  Value rowMax(Value x) {
    return aic::ReduceMaxOp::create(b, loc, lastDimOne(x), x,
                                    b.getDenseI64ArrayAttr({-1}),
                                    b.getI64IntegerAttr(1));
  }
  Value rowSum(Value x) {
    return aic::ReduceSumOp::create(b, loc, lastDimOne(x), x, i64s({-1}),
                                    b.getI64IntegerAttr(1));
  }
  Value reshape(Value x, ArrayRef<int64_t> shape, RankedTensorType type) {
    return aic::ReshapeOp::create(b, loc, type, x, i64s(shape));
  }
  Value unsqueeze(Value x, ArrayRef<int64_t> axes, RankedTensorType type) {
    return aic::UnsqueezeOp::create(b, loc, type, x, i64s(axes));
  }
  /// Dims [start, end) of x's run-time shape.
  Value shape(Value x, int64_t start, int64_t end) {
    return aic::ShapeOp::create(b, loc, t({end - start}, i64()), x,
                                b.getI64IntegerAttr(start),
                                b.getI64IntegerAttr(end));
  }

  OpBuilder &b;
  Location loc;

private:
  RankedTensorType lastDimOne(Value x) {
    auto type = llvm::cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape.back() = 1;
    return t(shape, type.getElementType());
  }
  llvm::DenseMap<Attribute, Value> constants;
};

/// The pieces of one function that the conversion consumes.
struct LayerSpec {
  func::FuncOp func;
  AttentionOp op;
  KVBlockingAttr blocking;
  Type elem;
  int64_t hq, hkv, d, dv;
  int64_t batch, seqLen, ctxLen; // static sizes of the op, kDyn if none
};

/// Checks that `func` is a layer the AI 100 form can express.
FailureOr<LayerSpec> matchLayer(func::FuncOp func, AttentionOp op) {
  LayerSpec spec{func, op, {}, {}, 0, 0, 0, 0, 0, 0, 0};
  auto blocking = op->getAttrOfType<KVBlockingAttr>(kKVBlockingAttrName);
  if (!blocking)
    return op.emitOpError("has no '")
           << kKVBlockingAttrName
           << "': run skipattn-aic-block-kv (or skipattn-aic-pipeline) first";
  spec.blocking = blocking;
  if (failed(checkAICExpressible(op)))
    return failure();
  auto q = llvm::cast<RankedTensorType>(op.getQuery().getType());
  auto k = llvm::cast<RankedTensorType>(op.getKey().getType());
  auto v = llvm::cast<RankedTensorType>(op.getValue().getType());
  spec.elem = q.getElementType();
  if (!spec.elem.isF16() && !spec.elem.isF32())
    return op.emitOpError("element type ")
           << spec.elem
           << " is not supported by Cloud AI 100 (f16, or f32 compiled "
              "with -convert-to-fp16; the card has no bf16 or f64)";
  spec.hq = q.getDimSize(1);
  spec.hkv = k.getDimSize(1);
  spec.d = q.getDimSize(3);
  spec.dv = v.getDimSize(3);
  if (ShapedType::isDynamic(spec.hq) || ShapedType::isDynamic(spec.hkv) ||
      ShapedType::isDynamic(spec.d) || ShapedType::isDynamic(spec.dv))
    return op.emitOpError("head counts and head dims must be static for "
                          "the AI 100 form");
  spec.batch = q.getDimSize(0);
  spec.seqLen = q.getDimSize(2);
  spec.ctxLen = k.getDimSize(2);

  // The layer's interface is rebuilt, so the function must be exactly the
  // op on its arguments (plus the ops that make its destinations).
  for (Value operand : {op.getQuery(), op.getKey(), op.getValue()})
    if (!isa<BlockArgument>(operand))
      return op.emitOpError("query, key and value must be arguments of '")
             << func.getSymName() << "' to become graph inputs";
  // QEfficient's cache is one contiguous [B, Hkv, ctx_len, D] tensor per
  // layer, indexed by position_ids; it has no page tables.
  if (op.getPageTable())
    return op.emitOpError("the AI 100 form has no paged KV cache (its KV "
                          "cache is contiguous per sequence)");
  if (op.getQLens())
    return op.emitOpError("the AI 100 form has no left-padded queries (its "
                          "prefill chunks are specialised by length)");
  if (Value st = op.getStats();
      st && cast<ShapedType>(st.getType()).getDimSize(2) != 2)
    return op.emitOpError("the AI 100 form's statistics are [B, Hq, 2] "
                          "(decisions and skips; it has no V-load columns)");
  if (op.getKvLens() && !isa<BlockArgument>(op.getKvLens()))
    return op.emitOpError("kv_lens must be a function argument (it becomes "
                          "the position_ids input)");
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  if (ret.getOperands() != ValueRange(op.getResults()))
    return func.emitOpError("must return exactly the results of its "
                            "skipattn.attention to become an AI 100 graph");
  for (Operation &other : func.getBody().front()) {
    if (&other == op.getOperation() || &other == ret.getOperation() ||
        isa<tensor::EmptyOp, tensor::DimOp, arith::ConstantOp>(other))
      continue;
    return other.emitOpError("cannot be part of an AI 100 attention graph "
                             "(the function may only hold the attention)");
  }
  return spec;
}

/// Adds `@CtxGather(data [B, H, C, D], ctx_indices [B, H, n]) -> [B, H, n, D]`
/// in domain com.qualcomm.cloud: GatherND with the batch and head dims shared.
void buildGatherFunction(OpBuilder &b, ModuleOp module, Location loc,
                         Type elem) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto data = RankedTensorType::get({kDyn, kDyn, kDyn, kDyn}, elem);
  auto idx = RankedTensorType::get({kDyn, kDyn, kDyn}, b.getI64Type());
  auto fn = func::FuncOp::create(b, loc, kGatherName,
                                 b.getFunctionType({data, idx}, {data}));
  fn.setPrivate();
  fn->setAttr(aic::kDomainAttr, b.getStringAttr(aic::kQualcommDomain));
  fn.setArgAttr(0, aic::kNameAttr, b.getStringAttr("data"));
  fn.setArgAttr(1, aic::kNameAttr, b.getStringAttr("ctx_indices"));
  fn.setResultAttr(0, aic::kNameAttr, b.getStringAttr("gathered"));
  Block *body = fn.addEntryBlock();
  b.setInsertionPointToStart(body);
  GraphBuilder g(b, loc);
  Value idx4 =
      g.unsqueeze(body->getArgument(1), {3},
                  RankedTensorType::get({kDyn, kDyn, kDyn, 1}, b.getI64Type()));
  Value out = aic::GatherNDOp::create(b, loc, data, body->getArgument(0), idx4,
                                      b.getI64IntegerAttr(2));
  func::ReturnOp::create(b, loc, out);
}

/// Adds `@CtxScatter(data [B, H, C, D], position_ids [B, S],
/// updates [B, H, S, D]) -> [B, H, C, D]` in domain com.qualcomm.cloud: the
/// KV-cache write, `data[b, h, position_ids[b, s]] = updates[b, h, s]`, as
/// ScatterND. Padding rows (position < 0) write nothing: ScatterND has no
/// "skip this index", so a padding row repeats a write that happens anyway
/// (the sequence's last-position row: same index, same value, so the
/// result does not depend on the order of duplicate writes), or, in a
/// sequence with no real row, writes slot 0's own value back.
void buildScatterFunction(OpBuilder &b, ModuleOp module, Location loc,
                          Type elem) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto data = RankedTensorType::get({kDyn, kDyn, kDyn, kDyn}, elem);
  auto pos = RankedTensorType::get({kDyn, kDyn}, b.getI64Type());
  auto fn = func::FuncOp::create(b, loc, kScatterName,
                                 b.getFunctionType({data, pos, data}, {data}));
  fn.setPrivate();
  fn->setAttr(aic::kDomainAttr, b.getStringAttr(aic::kQualcommDomain));
  fn.setArgAttr(0, aic::kNameAttr, b.getStringAttr("data"));
  fn.setArgAttr(1, aic::kNameAttr, b.getStringAttr("position_ids"));
  fn.setArgAttr(2, aic::kNameAttr, b.getStringAttr("updates"));
  fn.setResultAttr(0, aic::kNameAttr, b.getStringAttr("scattered"));
  Block *body = fn.addEntryBlock();
  b.setInsertionPointToStart(body);
  GraphBuilder g(b, loc);
  Type i64 = g.i64(), i1 = g.i1();
  Value cache = body->getArgument(0), p = body->getArgument(1),
        upd = body->getArgument(2);
  auto perSeq = [&](Type t) { return g.t({kDyn, 1}, t); };
  auto perSlice = [&](Type t) { return g.t({kDyn, kDyn, 1, kDyn}, t); };

  Value zero = g.i64Scalar(0);
  Value real = g.lnot(g.less(p, zero)); // [B, S]
  Value maxPos = aic::ReduceMaxOp::create(b, loc, perSeq(i64), p,
                                          b.getDenseI64ArrayAttr({1}),
                                          b.getI64IntegerAttr(1)); // [B, 1]
  Value lastRow =
      aic::ArgMaxOp::create(b, loc, perSeq(i64), p, b.getI64IntegerAttr(1),
                            b.getI64IntegerAttr(1)); // [B, 1]
  Value anyReal = g.lnot(g.less(maxPos, zero));      // [B, 1]
  Value target = g.where(real, p, g.where(anyReal, maxPos, zero));

  // The value each padding row writes: the last row's update, or slot 0.
  Value sliceShape = aic::ConcatOp::create(
      b, loc, g.t({4}, i64),
      ValueRange{g.shape(upd, 0, 2), g.i64s({1}), g.shape(upd, 3, 4)},
      b.getI64IntegerAttr(0));
  auto along2 = [&](Value src, Value rowIndex) {
    Value idx = aic::ExpandOp::create(
        b, loc, perSlice(i64),
        g.reshape(rowIndex, {-1, 1, 1, 1}, g.t({kDyn, 1, 1, 1}, i64)),
        sliceShape);
    return aic::GatherElementsOp::create(b, loc, perSlice(elem), src, idx,
                                         b.getI64IntegerAttr(2))
        .getResult();
  };
  Value fill = g.where(
      g.reshape(anyReal, {-1, 1, 1, 1}, g.t({kDyn, 1, 1, 1}, i1)),
      along2(upd, lastRow), along2(cache, g.reshape(zero, {1}, g.t({1}, i64))));
  Value rows = g.reshape(real, {0, 1, -1, 1}, g.t({kDyn, 1, kDyn, 1}, i1));
  Value updates = g.where(rows, upd, fill);

  // (b, h, target) index triples, [B, H, S, 3].
  auto idxT = g.t({kDyn, kDyn, kDyn, 1}, i64);
  Value idxShape = aic::ConcatOp::create(
      b, loc, g.t({4}, i64), ValueRange{g.shape(upd, 0, 3), g.i64s({1})},
      b.getI64IntegerAttr(0));
  auto iota = [&](int64_t dim, ArrayRef<int64_t> shape) {
    Value n = g.reshape(g.shape(upd, dim, dim + 1), {}, g.t({}, i64));
    Value r =
        aic::RangeOp::create(b, loc, g.t({kDyn}, i64), zero, n, g.i64Scalar(1));
    SmallVector<int64_t> dims(shape);
    return aic::ExpandOp::create(b, loc, idxT,
                                 g.reshape(r, shape,
                                           g.t({dims[0] == -1 ? kDyn : 1,
                                                dims[1] == -1 ? kDyn : 1, 1, 1},
                                               i64)),
                                 idxShape);
  };
  Value bIdx = iota(0, {-1, 1, 1, 1});
  Value hIdx = iota(1, {1, -1, 1, 1});
  Value cIdx = aic::ExpandOp::create(
      b, loc, idxT,
      g.reshape(target, {0, 1, -1, 1}, g.t({kDyn, 1, kDyn, 1}, i64)), idxShape);
  Value indices = aic::ConcatOp::create(b, loc, g.t({kDyn, kDyn, kDyn, 3}, i64),
                                        ValueRange{bIdx, hIdx, cIdx},
                                        b.getI64IntegerAttr(3));
  Value out = aic::ScatterNDOp::create(b, loc, data, cache, indices, updates);
  func::ReturnOp::create(b, loc, out);
}

/// Replaces the layer function by its graph.
void buildGraph(const LayerSpec &spec, OpBuilder &b, bool cacheWrite) {
  AttentionOp op = spec.op;
  func::FuncOp old = spec.func;
  Location loc = op.getLoc();
  KVBlockingAttr blocking = spec.blocking;
  const int64_t hq = spec.hq, hkv = spec.hkv, g = hq / hkv, d = spec.d,
                dv = spec.dv, n = blocking.getNumKvBlocks();
  Type elem = spec.elem;

  auto qType = RankedTensorType::get({kDyn, hq, kDyn, d}, elem);
  auto kType = RankedTensorType::get({kDyn, hkv, kDyn, d}, elem);
  auto vType = RankedTensorType::get({kDyn, hkv, kDyn, dv}, elem);
  // The chunk's own keys and values (cache write) have the cache's types,
  // with seq_len rows.
  auto posType = RankedTensorType::get({kDyn, kDyn}, b.getI64Type());
  SmallVector<Type> resultTypes{
      RankedTensorType::get({kDyn, hq, kDyn, dv}, elem)};
  SmallVector<StringRef> resultNames{"output"};
  SmallVector<SmallVector<StringRef>> resultDims{
      {"batch_size", "", "seq_len", ""}};
  if (op.getLse()) {
    resultTypes.push_back(
        RankedTensorType::get({kDyn, hq, kDyn}, b.getF32Type()));
    resultNames.push_back("lse");
    resultDims.push_back({"batch_size", "", "seq_len"});
  }
  if (op.getStats()) {
    resultTypes.push_back(RankedTensorType::get({kDyn, hq, 2}, b.getI64Type()));
    resultNames.push_back("skip_stats");
    resultDims.push_back({"batch_size", "", ""});
  }
  if (cacheWrite) {
    resultTypes.append({kType, vType});
    resultNames.append(
        {"past_key.0_RetainedState", "past_value.0_RetainedState"});
    resultDims.push_back({"batch_size", "", "ctx_len", ""});
    resultDims.push_back({"batch_size", "", "ctx_len", ""});
  }

  b.setInsertionPoint(old);
  SmallVector<Type> argTypes{qType};
  SmallVector<StringRef> argNames{"q"};
  SmallVector<SmallVector<StringRef>> argDims{
      {"batch_size", "", "seq_len", ""}};
  if (cacheWrite) {
    argTypes.append({kType, vType});
    argNames.append({"k", "v"});
    argDims.push_back({"batch_size", "", "seq_len", ""});
    argDims.push_back({"batch_size", "", "seq_len", ""});
  }
  argTypes.append({kType, vType, posType});
  argNames.append({"past_key.0", "past_value.0", "position_ids"});
  argDims.push_back({"batch_size", "", "ctx_len", ""});
  argDims.push_back({"batch_size", "", "ctx_len", ""});
  argDims.push_back({"batch_size", "seq_len"});
  auto fn = func::FuncOp::create(b, old.getLoc(), old.getSymName(),
                                 b.getFunctionType(argTypes, resultTypes));
  auto strings = [&](ArrayRef<StringRef> names) {
    SmallVector<Attribute> attrs;
    for (StringRef s : names)
      attrs.push_back(b.getStringAttr(s));
    return b.getArrayAttr(attrs);
  };
  for (unsigned i = 0; i < argTypes.size(); ++i) {
    fn.setArgAttr(i, aic::kNameAttr, b.getStringAttr(argNames[i]));
    fn.setArgAttr(i, aic::kDimsAttr, strings(argDims[i]));
  }
  for (unsigned i = 0; i < resultTypes.size(); ++i) {
    fn.setResultAttr(i, aic::kNameAttr, b.getStringAttr(resultNames[i]));
    fn.setResultAttr(i, aic::kDimsAttr, strings(resultDims[i]));
  }
  fn->setAttr(kKVBlockingAttrName, blocking);

  Block *body = fn.addEntryBlock();
  b.setInsertionPointToStart(body);
  GraphBuilder gb(b, loc);
  unsigned nextArg = 0;
  Value q = body->getArgument(nextArg++);
  Value chunkK = cacheWrite ? body->getArgument(nextArg++) : Value();
  Value chunkV = cacheWrite ? body->getArgument(nextArg++) : Value();
  Value pastK = body->getArgument(nextArg++),
        pastV = body->getArgument(nextArg++), pos = body->getArgument(nextArg);
  if (cacheWrite) {
    // The chunk goes into the cache first; the blocks read the result.
    auto scatter = [&](Value cache, Value chunk) {
      return aic::CallOp::create(
                 b, loc, TypeRange{cache.getType()},
                 FlatSymbolRefAttr::get(b.getContext(), kScatterName),
                 ValueRange{cache, pos, chunk})
          .getResult(0);
    };
    pastK = scatter(pastK, chunkK);
    pastV = scatter(pastV, chunkV);
  }
  Type f32 = gb.f32(), i64 = gb.i64();
  auto rows = [&](int64_t last, Type t) { // [B, Hkv, G, S, last]
    return gb.t({kDyn, hkv, g, kDyn, last}, t);
  };
  auto perSeq = [&](Type t) { return gb.t({kDyn, 1, 1, 1, 1}, t); };
  auto perRow = [&](Type t) { return gb.t({kDyn, 1, 1, kDyn, 1}, t); };

  // Query rows, pre-scaled, as [B, Hkv, G, S, D]: GQA becomes a broadcast
  // of each KV block over the G query heads that share it.
  Value qs = gb.mul(gb.convert(q, f32),
                    gb.f32Scalar(static_cast<float>(op.getEffectiveScale())));
  Value q5 = gb.reshape(qs, {0, hkv, g, -1, d}, rows(d, f32));

  // Sequence lengths and row limits from the run-time positions.
  Value len = gb.add(aic::ReduceMaxOp::create(b, loc, gb.t({kDyn}, i64), pos,
                                              b.getDenseI64ArrayAttr({1}),
                                              b.getI64IntegerAttr(0)),
                     gb.i64Scalar(1));
  Value len5 = gb.reshape(len, {-1, 1, 1, 1, 1}, perSeq(i64));
  Value pos5 = gb.reshape(pos, {0, 1, 1, -1, 1}, perRow(i64));
  // Exclusive limit of the keys a row sees; padding rows (position < 0)
  // see none.
  Value zero = gb.i64Scalar(0);
  Value lim = op.getCausal() ? gb.add(pos5, gb.i64Scalar(1))
                             : gb.where(gb.less(pos5, zero), zero, len5);
  // Only rows that see a key decide (the statistics leave padding out).
  Value rowDecides = gb.greater(lim, zero);

  // Block geometry from the cache's run-time length.
  Value ctxLen = gb.shape(pastK, 2, 3);
  Value bs = gb.div(gb.add(ctxLen, gb.i64Scalar(n - 1)), gb.i64Scalar(n));
  Value bs0 = gb.reshape(bs, {}, gb.t({}, i64));
  Value lane = aic::RangeOp::create(b, loc, gb.t({kDyn}, i64), zero, bs0,
                                    gb.i64Scalar(1));
  Value lastSlot = gb.sub(ctxLen, gb.i64Scalar(1));
  Value idxShape = aic::ConcatOp::create(b, loc, gb.t({3}, i64),
                                         ValueRange{gb.shape(pastK, 0, 2), bs},
                                         b.getI64IntegerAttr(0));

  // lambda_b from L_b; the factor from the phase (seq_len == 1: decode).
  bool skipping = !blocking.isDense();
  Value lnLambda, allowed;
  if (skipping) {
    Value factor;
    if (blocking.getPrefill() == blocking.getDecode()) {
      factor = gb.f32Scalar(static_cast<float>(blocking.getPrefill()));
    } else {
      Value isDecode = gb.equal(gb.shape(q, 2, 3), gb.i64s({1}));
      factor = gb.where(
          isDecode, gb.f32Scalar(static_cast<float>(blocking.getDecode())),
          gb.f32Scalar(static_cast<float>(blocking.getPrefill())));
    }
    Value lambda = gb.div(factor, gb.convert(len5, f32));
    lnLambda = gb.log(lambda);
    // lambda >= 1 (and a factor of 0) keeps every block: QEfficient's
    // post-update test would otherwise skip all blocks past the first.
    allowed = gb.land(gb.greater(lambda, gb.f32Scalar(0.0f)),
                      gb.less(lambda, gb.f32Scalar(1.0f)));
  }

  Value m = gb.f32Scalar(kMask), l = gb.f32Scalar(0.0f), o = gb.f32Scalar(0.0f);
  Value skippedCount, visitedCount;
  int64_t firstDecision = std::max<int64_t>(1, blocking.getMinKeepBlocks());
  auto gather = [&](Value cache, Value idx, int64_t width) {
    auto type = gb.t({kDyn, hkv, kDyn, width}, elem);
    Value block =
        aic::CallOp::create(b, loc, TypeRange{type},
                            FlatSymbolRefAttr::get(b.getContext(), kGatherName),
                            ValueRange{cache, idx})
            .getResult(0);
    // [B, Hkv, 1, bs, width]: broadcast over the G query heads.
    return gb.unsqueeze(gb.convert(block, f32), {2},
                        gb.t({kDyn, hkv, 1, kDyn, width}, f32));
  };
  for (int64_t j = 0; j < n; ++j) {
    Value start = gb.mul(bs, gb.i64Scalar(j));
    Value kpos = gb.add(lane, start);
    Value idx = aic::ExpandOp::create(b, loc, gb.t({kDyn, hkv, kDyn}, i64),
                                      gb.min(kpos, lastSlot), idxShape);
    Value kBlock = gather(pastK, idx, d);
    Value kT = aic::TransposeOp::create(
        b, loc, gb.t({kDyn, hkv, 1, d, kDyn}, f32), kBlock,
        b.getDenseI64ArrayAttr({0, 1, 2, 4, 3}));
    Value s = aic::MatMulOp::create(b, loc, rows(kDyn, f32), q5, kT);
    Value visible = gb.less(kpos, lim);
    Value sm = gb.where(visible, s, gb.f32Scalar(kMask));
    Value mBlk = gb.rowMax(sm);
    Value mNew = gb.max(m, mBlk);
    Value e = gb.where(visible, gb.exp(gb.sub(sm, mNew)), gb.f32Scalar(0.0f));
    // exp(m - m') only once the row has seen a key (l > 0); before that
    // both are -inf and the factor multiplies l = 0 and O = 0 anyway.
    Value alpha = gb.where(gb.greater(l, gb.f32Scalar(0.0f)),
                           gb.exp(gb.sub(m, mNew)), gb.f32Scalar(0.0f));
    Value lAlpha = gb.mul(l, alpha);
    Value lNew = gb.add(lAlpha, gb.rowSum(e));
    // Cache slots past the sequence's length hold whatever the cache held
    // (an uninitialised cache is normal): select them away, since 0 * NaN
    // in the P.V product would still be NaN.
    Value slotUsed = gb.less(
        gb.reshape(kpos, {1, 1, 1, -1, 1}, gb.t({1, 1, 1, kDyn, 1}, i64)),
        len5);
    Value vBlock =
        gb.where(slotUsed, gather(pastV, idx, dv), gb.f32Scalar(0.0f));
    Value pv = aic::MatMulOp::create(b, loc, rows(dv, f32), e, vBlock);
    // l' is 0 (no key seen) or >= 1 (the max contributes exp(0)), so
    // max(l', 1) is exact and keeps 0/0 out of fp16.
    Value den = gb.max(lNew, gb.f32Scalar(1.0f));
    Value oNew = gb.add(gb.mul(gb.div(lAlpha, den), o), gb.div(pv, den));

    Value visited = gb.less(start, len5); // [B,1,1,1,1]
    Value skip = gb.lnot(visited);
    if (skipping && j >= firstDecision) {
      Value post = gb.land(gb.less(gb.sub(mBlk, mNew), lnLambda),
                           gb.greater(l, gb.f32Scalar(0.0f)));
      // A row that sees no key of the block never vetoes (nothing to add).
      Value empty = gb.lnot(gb.less(start, lim));
      Value decision = gb.land(allowed, gb.lor(post, empty));
      skip = gb.lor(decision, skip);
      if (op.getStats()) {
        Value counted =
            gb.convert(gb.land(gb.land(decision, visited), rowDecides), i64);
        skippedCount = skippedCount ? gb.add(skippedCount, counted) : counted;
      }
    }
    if (op.getStats()) {
      Value v = gb.convert(visited, i64);
      visitedCount = visitedCount ? gb.add(visitedCount, v) : v;
    }
    m = gb.where(skip, m, mNew);
    l = gb.where(skip, l, lNew);
    o = gb.where(skip, o, oNew);
  }

  SmallVector<Value> results;
  Value out = gb.reshape(o, {0, hq, -1, dv}, gb.t({kDyn, hq, kDyn, dv}, f32));
  results.push_back(gb.convert(out, elem));
  if (op.getLse()) {
    // Natural log-sum-exp (scores are pre-scaled); -inf where l == 0.
    Value lse5 = gb.add(m, gb.log(l));
    results.push_back(
        gb.reshape(lse5, {0, hq, -1}, gb.t({kDyn, hq, kDyn}, f32)));
  }
  if (op.getStats()) {
    // [total, skipped] per (b, h): every row that sees a key decides once
    // per visited block.
    Value rowsPerHead = aic::ReduceSumOp::create(
        b, loc, perSeq(i64), gb.convert(rowDecides, i64), gb.i64s({3}),
        b.getI64IntegerAttr(1));
    Value total = gb.mul(visitedCount, rowsPerHead); // [B,1,1,1,1]
    Value totalPerHead =
        aic::ExpandOp::create(b, loc, gb.t({kDyn, hkv, g, 1, 1}, i64), total,
                              gb.i64s({1, hkv, g, 1, 1}));
    Value skipped;
    if (skippedCount) {
      skipped = aic::ReduceSumOp::create(
          b, loc, gb.t({kDyn, hkv, g, 1, 1}, i64), skippedCount, gb.i64s({3}),
          b.getI64IntegerAttr(1));
    } else {
      skipped = gb.mul(totalPerHead, gb.i64Scalar(0));
    }
    Value both = aic::ConcatOp::create(b, loc, gb.t({kDyn, hkv, g, 1, 2}, i64),
                                       ValueRange{totalPerHead, skipped},
                                       b.getI64IntegerAttr(4));
    results.push_back(gb.reshape(both, {0, hq, 2}, gb.t({kDyn, hq, 2}, i64)));
  }
  if (cacheWrite)
    results.append({pastK, pastV});
  func::ReturnOp::create(b, loc, results);

  old.erase();
}

struct ConvertSkipAttnToAIC
    : public skipattn::impl::ConvertSkipAttnToAICBase<ConvertSkipAttnToAIC> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LayerSpec> layers;
    WalkResult walk = module.walk([&](AttentionOp op) {
      auto func = op->getParentOfType<func::FuncOp>();
      FailureOr<LayerSpec> spec = matchLayer(func, op);
      if (failed(spec))
        return WalkResult::interrupt();
      layers.push_back(*spec);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    if (layers.empty())
      return;
    if (layers.size() > 1) {
      layers[1].op.emitOpError("an AI 100 model holds one attention layer");
      return signalPassFailure();
    }
    const LayerSpec &layer = layers.front();
    AttentionOp op = layer.op;
    for (StringRef name : {kGatherName, kScatterName})
      if (module.lookupSymbol(name)) {
        module.emitOpError("already defines '") << name << "'";
        return signalPassFailure();
      }

    // Specialisation sizes: options, else the op's static sizes.
    auto pick = [&](int64_t option, int64_t fromOp, StringRef what,
                    StringRef flag) -> FailureOr<int64_t> {
      int64_t v = option > 0 ? option : fromOp;
      if (ShapedType::isDynamic(v) || v <= 0) {
        op.emitOpError(what)
            << " is dynamic: give it with the '" << flag << "' option";
        return failure();
      }
      return v;
    };
    FailureOr<int64_t> batch =
        pick(batchSize, layer.batch, "batch size", "batch-size");
    FailureOr<int64_t> seq =
        pick(prefillSeqLen, layer.seqLen, "query length", "prefill-seq-len");
    FailureOr<int64_t> ctx =
        pick(ctxLen, layer.ctxLen, "KV cache length", "ctx-len");
    if (failed(batch) || failed(seq) || failed(ctx))
      return signalPassFailure();
    int64_t n = layer.blocking.getNumKvBlocks();
    if (n > *ctx) {
      op.emitOpError("num_kv_blocks (")
          << n << ") exceeds ctx_len (" << *ctx << ")";
      return signalPassFailure();
    }

    OpBuilder b(module.getContext());
    buildGatherFunction(b, module, op.getLoc(), layer.elem);
    if (cacheWrite)
      buildScatterFunction(b, module, op.getLoc(), layer.elem);
    buildGraph(layer, b, cacheWrite);

    auto spec = [&](StringRef name, int64_t seqLen) {
      NamedAttrList entry;
      entry.append("_graph_name", b.getStringAttr(name));
      entry.append("batch_size", b.getI64IntegerAttr(*batch));
      entry.append("ctx_len", b.getI64IntegerAttr(*ctx));
      entry.append("seq_len", b.getI64IntegerAttr(seqLen));
      return entry.getDictionary(b.getContext());
    };
    // A layer whose prefill is one token is a decode layer: one
    // specialisation, not two identical ones.
    SmallVector<Attribute> specs;
    if (*seq > 1)
      specs.push_back(spec("Prefill", *seq));
    specs.push_back(spec("Decode", 1));
    module->setAttr(aic::kSpecializationsAttr, b.getArrayAttr(specs));
    // The cache (and the state retained on the card) stays fp16.
    Type f16 = b.getF16Type();
    SmallVector<NamedAttribute> customIO;
    for (StringRef io : {"past_key.0", "past_value.0"})
      customIO.push_back(b.getNamedAttr(io, TypeAttr::get(f16)));
    if (cacheWrite)
      for (StringRef io :
           {"past_key.0_RetainedState", "past_value.0_RetainedState"})
        customIO.push_back(b.getNamedAttr(io, TypeAttr::get(f16)));
    module->setAttr(aic::kCustomIOAttr, b.getDictionaryAttr(customIO));
  }
};
} // namespace
