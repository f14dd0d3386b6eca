//===- SkipAttnToNVGPU.cpp - tiled skipattn IR to a Hopper kernel ---------===//
//
// The Hopper kernel is a fused loop whose state (running max, row sums and
// the output accumulator) lives in wgmma accumulator registers, so the
// blocked ops cannot be lowered one by one: this conversion reads the whole
// tiled nest (tile shape, skip unit, skip configuration, causal flag, scale,
// operands) and emits one gpu.func that implements it.
//
// Thread/data layout (one CTA = one query tile of block_q rows):
//   - warpgroup w (128 threads) owns rows [64w, 64w + 64) of the tile and is
//     the skip unit;
//   - wgmma m64nNk16 accumulator fragment of thread (warp, lane): rows
//     g = 16*warp + lane/4 and g + 8, columns 8i + 2*(lane%4) + {0, 1}, held
//     as registers {4i, 4i+1} (row g) and {4i+2, 4i+3} (row g + 8);
//   - the same layout is the A-operand layout of m64nNk16 with A in
//     registers, so P = exp2(S - m) feeds P.V without shuffles.
// Shared memory (1024-byte aligned, 128-byte swizzle, 64-element-wide boxes):
//   Q [D/64][block_q][64], then `stages` x { K [D/64][block_kv][64],
//   V [D/64][block_kv][64] }.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Conversion/SkipAttnToNVGPU/SkipAttnToNVGPU.h"
#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

#include <cmath>
#include <limits>

namespace mlir::skipattn {
#define GEN_PASS_DEF_CONVERTSKIPATTNTONVGPU
#include "skipattn/Conversion/Passes.h.inc"
} // namespace mlir::skipattn

using namespace mlir;
using namespace mlir::skipattn;

namespace {

/// Everything the kernel needs, read off the tiled IR.
struct Plan {
  func::FuncOp func;
  int64_t batch, qHeads, kvHeads, qLen, kvLen, headDim;
  Type elt;
  bool causal;
  double scale;
  double factor = 0; // 0: no skipping
  // Runtime factors: a skip_factors [B, Hq] argument read with these
  // element strides (zero strides broadcast).
  bool runtimeFactors = false;
  int64_t factorStrideB = 0, factorStrideH = 0;
  int64_t minKeep = 1;

  bool skipping() const { return factor > 0 || runtimeFactors; }
  int64_t blockQ, blockKV, unit;
  bool ragged, withLse, withStats;
  int64_t stages;

  int64_t warpgroups() const { return blockQ / 64; }
  int64_t qTiles() const { return (qLen + blockQ - 1) / blockQ; }
  int64_t qBytes() const { return blockQ * headDim * 2; }
  int64_t kvBytes() const { return blockKV * headDim * 2; }
  int64_t smemBytes() const { return 1024 + qBytes() + stages * 2 * kvBytes(); }
};

static LogicalResult getArgNumber(Value v, func::FuncOp f, StringRef what,
                                  Operation *user) {
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg || arg.getOwner() != &f.getBody().front())
    return user->emitError() << "the Hopper lowering needs the " << what
                             << " buffer to be a function argument";
  return success();
}

static FailureOr<Plan> analyze(func::FuncOp f, int64_t stages) {
  Plan p;
  p.func = f;
  p.stages = stages;
  SmallVector<BlockedKVOp> loops;
  SmallVector<PackQOp> packs;
  SmallVector<FinalizeOp> finals;
  f.walk([&](Operation *op) {
    if (auto l = dyn_cast<BlockedKVOp>(op))
      loops.push_back(l);
    else if (auto q = dyn_cast<PackQOp>(op))
      packs.push_back(q);
    else if (auto fin = dyn_cast<FinalizeOp>(op))
      finals.push_back(fin);
  });
  if (loops.size() != 1 || packs.size() != 1 || finals.size() != 1)
    return f.emitError("the Hopper lowering expects exactly one tiled "
                       "skipattn.blocked_kv nest (run skipattn-tile and "
                       "skipattn-insert-skip-predicates first)");
  BlockedKVOp loop = loops.front();
  PackQOp pack = packs.front();
  FinalizeOp fin = finals.front();
  BlockScoresOp scores;
  OnlineSoftmaxOp softmax;
  loop.getBody().walk([&](Operation *op) {
    if (auto s = dyn_cast<BlockScoresOp>(op))
      scores = s;
    else if (auto s = dyn_cast<OnlineSoftmaxOp>(op))
      softmax = s;
  });
  if (!scores || !softmax)
    return loop.emitError("blocked_kv body lacks block_scores/online_softmax");

  Value q = pack.getQuery(), k = scores.getKey(), v = softmax.getValue(),
        out = fin.getOut();
  if (failed(getArgNumber(q, f, "query", pack)) ||
      failed(getArgNumber(k, f, "key", scores)) ||
      failed(getArgNumber(v, f, "value", softmax)) ||
      failed(getArgNumber(out, f, "output", fin)))
    return failure();
  p.withLse = static_cast<bool>(fin.getLse());
  p.withStats = static_cast<bool>(loop.getStats());
  if (p.withLse && failed(getArgNumber(fin.getLse(), f, "lse", fin)))
    return failure();
  if (p.withStats && failed(getArgNumber(loop.getStats(), f, "stats", loop)))
    return failure();
  // A KV length that is not a constant comes from the per-sequence lengths
  // buffer (skipattn-tile loads kv_lens[b]); the kernel reads it itself.
  p.ragged = !matchPattern(loop.getKvLen(), m_Constant());
  if (p.ragged) {
    memref::LoadOp lensLoad;
    f.walk([&](memref::LoadOp l) {
      if (l.getMemRefType().getElementType().isInteger(32))
        lensLoad = l;
    });
    if (!lensLoad)
      return loop.emitError("the Hopper lowering needs a constant KV length "
                            "or one loaded from a kv_lens argument");
    if (failed(getArgNumber(lensLoad.getMemRef(), f, "kv_lens", lensLoad)))
      return failure();
  }

  auto qT = cast<MemRefType>(q.getType()), kT = cast<MemRefType>(k.getType()),
       vT = cast<MemRefType>(v.getType());
  if (!qT.hasStaticShape() || !kT.hasStaticShape() || !vT.hasStaticShape())
    return f.emitError("the Hopper lowering needs static shapes");
  p.batch = qT.getDimSize(0);
  p.qHeads = qT.getDimSize(1);
  p.qLen = qT.getDimSize(2);
  p.headDim = qT.getDimSize(3);
  p.kvHeads = kT.getDimSize(1);
  p.kvLen = kT.getDimSize(2);
  p.elt = qT.getElementType();
  if (!p.elt.isBF16() && !p.elt.isF16())
    return f.emitError("the Hopper lowering needs f16 or bf16 inputs (f32 "
                       "attention runs on the CPU target)");
  if (p.headDim != 64 && p.headDim != 128)
    return f.emitError("the Hopper lowering supports head_dim 64 and 128, "
                       "not ")
           << p.headDim;
  if (vT.getDimSize(3) != p.headDim)
    return f.emitError("the Hopper lowering needs value_dim == head_dim");

  TilingAttr tiling = loop.getTiling();
  p.blockQ = tiling.getBlockQ();
  p.blockKV = tiling.getBlockKv();
  p.unit = tiling.getSkipUnit();
  if (tiling.getHeadsPerTile() != 1)
    return loop.emitError("the Hopper lowering does not pack GQA heads "
                          "(tile with pack-gqa=false)");
  if (p.blockQ % 64 != 0 || p.blockQ < 64 || p.blockQ > 192)
    return loop.emitError("the Hopper lowering needs block_q in {64, 128, "
                          "192} (one warpgroup per 64 rows), not ")
           << p.blockQ;
  if (p.blockKV != 64 && p.blockKV != 128)
    return loop.emitError("the Hopper lowering needs block_kv 64 or 128, not ")
           << p.blockKV;
  p.causal = scores.getCausal();
  p.scale = pack.getScale().convertToDouble();
  if (SkipConfigAttr skip = loop.getSkipAttr()) {
    p.factor = skip.getThresholdScaleFactor().convertToDouble();
    p.minKeep = skip.getMinKeepBlocks();
  }
  if (Value factors = loop.getSkipFactors()) {
    if (failed(getArgNumber(factors, f, "skip_factors", loop)))
      return failure();
    auto t = cast<MemRefType>(factors.getType());
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(t.getStridesAndOffset(strides, offset)) ||
        ShapedType::isDynamic(strides[0]) ||
        ShapedType::isDynamic(strides[1]) || offset != 0)
      return loop.emitError("the Hopper lowering needs static strides and "
                            "a zero offset for skip_factors");
    p.runtimeFactors = true;
    p.factorStrideB = strides[0];
    p.factorStrideH = strides[1];
  }
  if ((p.skipping() || p.withStats) && p.unit != 64)
    return loop.emitError("the Hopper skip unit is the warpgroup: "
                          "skip_unit must be 64, not ")
           << p.unit;
  if (p.stages < 1 || p.stages > 4)
    return f.emitError("stages must be in [1, 4]");
  if (p.smemBytes() > 227 * 1024)
    return f.emitError("the tile needs ")
           << p.smemBytes() << " bytes of shared memory; sm_90 has 232448";
  return p;
}

/// Builds the kernel body. Small helpers keep the emitted IR readable.
class KernelEmitter {
public:
  KernelEmitter(OpBuilder &b, Location loc, const Plan &p)
      : b(b), loc(loc), p(p), ctx(b.getContext()) {
    i1 = b.getI1Type();
    i16 = b.getI16Type();
    i32 = b.getI32Type();
    i64 = b.getI64Type();
    f32 = b.getF32Type();
    idx = b.getIndexType();
  }

  void emit(gpu::GPUFuncOp kernel);

private:
  // --- constants and arithmetic -------------------------------------------
  Value c32(int64_t v) { return arith::ConstantIntOp::create(b, loc, i32, v); }
  Value c64(int64_t v) { return arith::ConstantIntOp::create(b, loc, i64, v); }
  Value cIdx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value cF(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value cBool(bool v) { return arith::ConstantIntOp::create(b, loc, i1, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value divu(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value remu(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value minS(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value maxS(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value cmp(arith::CmpIPredicate pr, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, pr, x, y);
  }
  Value andI(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value orI(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value sel(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value toIdx(Value x) { return arith::IndexCastOp::create(b, loc, idx, x); }
  Value fmax(Value x, Value y) {
    return arith::MaxNumFOp::create(b, loc, x, y);
  }
  Value fmul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value fadd(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value fsub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value exp2(Value x) { return math::Exp2Op::create(b, loc, x); }
  Value isNegInf(Value x) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x,
                                 cF(-INFINITY));
  }

  // --- GPU helpers ----------------------------------------------------------
  Value shflXor(Value v, int64_t offset) {
    return NVVM::ShflOp::create(
        b, loc, v.getType(), c32(-1), v, c32(offset), c32(0x1f),
        NVVM::ShflKindAttr::get(ctx, NVVM::ShflKind::bfly), UnitAttr());
  }
  /// Max/sum over the 4 lanes that share a row of the fragment.
  Value quadMax(Value v) {
    v = fmax(v, shflXor(v, 1));
    return fmax(v, shflXor(v, 2));
  }
  Value quadSum(Value v) {
    v = fadd(v, shflXor(v, 1));
    return fadd(v, shflXor(v, 2));
  }
  /// AND of `pred` over the 128 threads of warpgroup `wg`, on named barrier
  /// 1 + wg. NVVM's barrier op only reduces on barrier 0 (the whole CTA).
  Value warpgroupAll(Value pred, Value wg) {
    Value flag = arith::ExtUIOp::create(b, loc, i32, pred);
    Value id = add(wg, c32(1));
    auto asmOp = LLVM::InlineAsmOp::create(
        b, loc, i32, ValueRange{flag, id},
        "{ .reg .pred p, q; setp.ne.b32 p, $1, 0; "
        "bar.red.and.pred q, $2, 128, p; selp.b32 $0, 1, 0, q; }",
        "=r,r,r", /*has_side_effects=*/true, /*is_align_stack=*/false,
        LLVM::tailcallkind::TailCallKind::None,
        LLVM::AsmDialectAttr::get(ctx, LLVM::AsmDialect::AD_ATT), ArrayAttr());
    return cmp(arith::CmpIPredicate::ne, asmOp.getResult(0), c32(0));
  }
  Value sharedAddr(Value view) {
    Value p = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, view);
    return arith::IndexCastOp::create(b, loc, i32, p);
  }
  /// Shared-memory matrix descriptor of a 128-byte-swizzled operand at
  /// byte address `addr` (see the PTX ISA, "matrix descriptor").
  Value descriptor(Value addr, int64_t lbo, int64_t sbo) {
    Value lo = arith::ExtUIOp::create(
        b, loc, i64,
        andI(arith::ShRUIOp::create(b, loc, addr, c32(4)), c32(0x3fff)));
    uint64_t hi = (uint64_t((lbo >> 4) & 0x3fff) << 16) |
                  (uint64_t((sbo >> 4) & 0x3fff) << 32) | (uint64_t(1) << 62);
    return orI(lo, c64(static_cast<int64_t>(hi)));
  }
  Value bits16(Value f) {
    Value h = arith::TruncFOp::create(b, loc, p.elt, f);
    Value i = arith::BitcastOp::create(b, loc, i16, h);
    return arith::ExtUIOp::create(b, loc, i32, i);
  }
  /// Two f32 -> one 32-bit register holding {lo, hi} as f16/bf16.
  Value pack2(Value lo, Value hi) {
    return orI(bits16(lo), arith::ShLIOp::create(b, loc, bits16(hi), c32(16)));
  }
  Value tileView(Value off, int64_t rows) {
    auto t = MemRefType::get(
        {1, rows, 64}, p.elt, AffineMap(),
        gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup));
    return memref::ViewOp::create(b, loc, t, dynSmem, toIdx(off), ValueRange());
  }
  /// Issues the TMA loads of one [rows x D] tile (D/64 boxes) on barrier
  /// `bar`; `pred` (may be null) selects the issuing thread.
  void tmaTile(Value desc, Value bar, Value smemOff, int64_t rows,
               Value rowCoord, Value planeCoord, Value pred) {
    nvgpu::MBarrierArriveExpectTxOp::create(
        b, loc, barriers, cIdx(rows * p.headDim * 2), bar, pred);
    for (int64_t sub = 0; sub < p.headDim / 64; ++sub) {
      Value dst = tileView(add(smemOff, c32(sub * rows * 128)), rows);
      nvgpu::TmaAsyncLoadOp::create(
          b, loc, dst, barriers, desc,
          ValueRange{cIdx(sub * 64), toIdx(rowCoord), toIdx(planeCoord)}, bar,
          Value(), pred);
    }
  }
  void waitBarrier(Value bar, Value parity) {
    nvgpu::MBarrierTryWaitParityOp::create(b, loc, barriers, parity,
                                           cIdx(10000000), bar);
  }
  Value barK(Value s) { return toIdx(add(s, c32(1))); }
  Value barV(Value s) { return toIdx(add(s, c32(1 + p.stages))); }
  /// Byte offset of stage s's K (V) buffer: absolute shared address for
  /// matrix descriptors, or relative to the dynamic shared memory for views.
  Value kOff(Value s, bool abs) {
    return add(abs ? kvAbs : kvRel, mul(s, c32(2 * p.kvBytes())));
  }
  Value vOff(Value s, bool abs) { return add(kOff(s, abs), c32(p.kvBytes())); }
  void loadKV(Value n, Value s, Value pred) {
    Value row = mul(n, c32(p.blockKV));
    tmaTile(kDesc, barK(s), kOff(s, false), p.blockKV, row, kvPlane, pred);
    tmaTile(vDesc, barV(s), vOff(s, false), p.blockKV, row, kvPlane, pred);
  }
  Value parityOf(Value n) {
    Value ph = andI(divu(n, c32(p.stages)), c32(1));
    return arith::TruncIOp::create(b, loc, i1, ph);
  }

  // --- matrix products ------------------------------------------------------
  /// S = Q_wg . K_s^T as an m64 n{block_kv} f32 accumulator struct.
  Value emitQK(Value s);
  /// O += P . V_s with P in registers (packed pairs, 4 per k16 step).
  Value emitPV(ArrayRef<Value> o, ArrayRef<Value> pRegs, Value s);

  OpBuilder &b;
  Location loc;
  const Plan &p;
  MLIRContext *ctx;
  Type i1, i16, i32, i64, f32, idx;
  // Kernel-wide values.
  Value barriers, dynSmem, qDesc, kDesc, vDesc, kvPlane, kvAbs, kvRel, qWgOff;
};

Value KernelEmitter::emitQK(Value s) {
  auto accTy = LLVM::LLVMStructType::getLiteral(
      ctx, SmallVector<Type>(p.blockKV / 2, f32));
  Value acc = LLVM::ZeroOp::create(b, loc, accTy);
  NVVM::WgmmaFenceAlignedOp::create(b, loc);
  auto wt = p.elt.isBF16() ? NVVM::WGMMATypes::bf16 : NVVM::WGMMATypes::f16;
  Value kBase = kOff(s, true);
  for (int64_t kk = 0; kk < p.headDim / 16; ++kk) {
    int64_t inAtom = (kk % 4) * 32;
    Value aAddr = add(qWgOff, c32((kk / 4) * p.blockQ * 128 + inAtom));
    Value bAddr = add(kBase, c32((kk / 4) * p.blockKV * 128 + inAtom));
    // K-major, 128-byte swizzle: 8-row groups 1024 bytes apart; the leading
    // offset is unused for swizzled K-major operands.
    Value da = descriptor(aAddr, 16, 1024), db = descriptor(bAddr, 16, 1024);
    acc = NVVM::WgmmaMmaAsyncOp::create(
        b, loc, accTy, acc, da, db,
        NVVM::MMAShapeAttr::get(ctx, 64, p.blockKV, 16),
        NVVM::WGMMATypesAttr::get(ctx, wt), NVVM::WGMMATypesAttr::get(ctx, wt),
        NVVM::WGMMATypesAttr::get(ctx, NVVM::WGMMATypes::f32),
        NVVM::WGMMAScaleOutAttr::get(ctx, kk == 0 ? NVVM::WGMMAScaleOut::zero
                                                  : NVVM::WGMMAScaleOut::one),
        NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one),
        NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one),
        NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::row),
        NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::col),
        NVVM::MMAIntOverflowAttr());
  }
  NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
  NVVM::WgmmaWaitGroupSyncOp::create(b, loc, b.getI64IntegerAttr(0));
  return acc;
}

Value KernelEmitter::emitPV(ArrayRef<Value> o, ArrayRef<Value> pRegs, Value s) {
  int64_t n = p.headDim / 2; // accumulator registers per thread
  auto accTy = LLVM::LLVMStructType::getLiteral(ctx, SmallVector<Type>(n, f32));
  std::string ty = p.elt.isBF16() ? "bf16" : "f16";
  // wgmma with A in registers is not an NVVM op in MLIR 22: one instruction
  // of inline PTX, D tied to the accumulator registers.
  std::string text = "{\n.reg .pred p;\nsetp.ne.b32 p, $" +
                     std::to_string(n + 5) + ", 0;\nwgmma.mma_async.sync." +
                     "aligned.m64n" + std::to_string(p.headDim) + "k16.f32." +
                     ty + "." + ty + " {";
  for (int64_t i = 0; i < n; ++i)
    text += (i ? ", $" : "$") + std::to_string(i);
  text += "}, {$" + std::to_string(n) + ", $" + std::to_string(n + 1) + ", $" +
          std::to_string(n + 2) + ", $" + std::to_string(n + 3) + "}, $" +
          std::to_string(n + 4) + ", p, 1, 1, 1;\n}";
  std::string cons;
  for (int64_t i = 0; i < n; ++i)
    cons += "=f,";
  cons += "r,r,r,r,l,r";
  for (int64_t i = 0; i < n; ++i)
    cons += "," + std::to_string(i);

  NVVM::WgmmaFenceAlignedOp::create(b, loc);
  Value vBase = vOff(s, true);
  SmallVector<Value> cur(o.begin(), o.end());
  Value acc;
  for (int64_t kk = 0; kk < p.blockKV / 16; ++kk) {
    // V is MN-major (D contiguous): 64-column atoms `block_kv * 128` bytes
    // apart (leading offset), 8-row groups 1024 bytes apart (stride).
    Value dv =
        descriptor(add(vBase, c32(kk * 16 * 128)), p.blockKV * 128, 1024);
    SmallVector<Value> ops{pRegs[4 * kk],
                           pRegs[4 * kk + 1],
                           pRegs[4 * kk + 2],
                           pRegs[4 * kk + 3],
                           dv,
                           c32(1)};
    ops.append(cur);
    acc = LLVM::InlineAsmOp::create(
              b, loc, accTy, ops, text, cons, /*has_side_effects=*/true,
              /*is_align_stack=*/false, LLVM::tailcallkind::TailCallKind::None,
              LLVM::AsmDialectAttr::get(ctx, LLVM::AsmDialect::AD_ATT),
              ArrayAttr())
              .getResult(0);
    if (kk + 1 < p.blockKV / 16)
      for (int64_t i = 0; i < n; ++i)
        cur[i] = LLVM::ExtractValueOp::create(b, loc, acc, i);
  }
  NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
  NVVM::WgmmaWaitGroupSyncOp::create(b, loc, b.getI64IntegerAttr(0));
  return acc;
}

void KernelEmitter::emit(gpu::GPUFuncOp kernel) {
  Block &entry = kernel.getBody().front();
  b.setInsertionPointToStart(&entry);
  const int64_t nS = p.blockKV / 2, nO = p.headDim / 2;
  const double c2 = p.scale * M_LOG2E; // scores -> exp2 domain
  const bool skipping = p.skipping();
  const bool counting = skipping || p.withStats;

  // Parameters.
  auto descTy = [&](int64_t rows) {
    return nvgpu::TensorMapDescriptorType::get(
        ctx,
        MemRefType::get({1, rows, 64}, p.elt, AffineMap(),
                        b.getI64IntegerAttr(3)),
        nvgpu::TensorMapSwizzleKind::SWIZZLE_128B,
        nvgpu::TensorMapL2PromoKind::L2PROMO_NONE,
        nvgpu::TensorMapOOBKind::OOB_ZERO,
        nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
  };
  unsigned a = 0;
  auto asDesc = [&](int64_t rows) {
    return UnrealizedConversionCastOp::create(b, loc, descTy(rows),
                                              entry.getArgument(a++))
        .getResult(0);
  };
  qDesc = asDesc(p.blockQ);
  kDesc = asDesc(p.blockKV);
  vDesc = asDesc(p.blockKV);
  Value outPtr = entry.getArgument(a++);
  Value lensPtr = p.ragged ? entry.getArgument(a++) : Value();
  Value lsePtr = p.withLse ? entry.getArgument(a++) : Value();
  Value statsPtr = p.withStats ? entry.getArgument(a++) : Value();
  Value factorsPtr = p.runtimeFactors ? entry.getArgument(a++) : Value();
  auto gptr = LLVM::LLVMPointerType::get(ctx, 1);

  // Thread coordinates.
  Value tid = arith::IndexCastOp::create(
      b, loc, i32, gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x));
  Value wg = arith::ShRUIOp::create(b, loc, tid, c32(7));
  Value lane = andI(tid, c32(31));
  Value warp = andI(arith::ShRUIOp::create(b, loc, tid, c32(5)), c32(3));
  Value g =
      add(mul(warp, c32(16)), arith::ShRUIOp::create(b, loc, lane, c32(2)));
  Value t = andI(lane, c32(3));
  auto blockId = [&](gpu::Dimension d) {
    return arith::IndexCastOp::create(b, loc, i32,
                                      gpu::BlockIdOp::create(b, loc, d));
  };
  // Heaviest (causal) tiles first.
  Value qt = sub(c32(p.qTiles() - 1), blockId(gpu::Dimension::x));
  Value h = blockId(gpu::Dimension::y), bIdx = blockId(gpu::Dimension::z);
  Value hkv = divu(h, c32(p.qHeads / p.kvHeads));
  Value q0 = mul(qt, c32(p.blockQ));
  kvPlane = add(mul(bIdx, c32(p.kvHeads)), hkv);
  Value qPlane = add(mul(bIdx, c32(p.qHeads)), h);
  Value len = c32(p.kvLen);
  if (p.ragged) {
    Value ptr =
        LLVM::GEPOp::create(b, loc, gptr, i32, lensPtr, ValueRange{bIdx});
    Value l = LLVM::LoadOp::create(b, loc, i32, ptr);
    len = minS(maxS(l, c32(0)), c32(p.kvLen));
  }
  Value sqC = c32(p.qLen);
  // Keys visible to the tile and the number of KV blocks it walks.
  Value visible = len;
  if (p.causal) {
    Value last = minS(add(q0, c32(p.blockQ)), sqC);
    visible = minS(maxS(sub(add(last, len), sqC), c32(0)), len);
  }
  Value nBlocks = divu(add(visible, c32(p.blockKV - 1)), c32(p.blockKV));

  // Barriers: [0] Q, [1 + s] K of stage s, [1 + stages + s] V of stage s.
  auto barTy = nvgpu::MBarrierGroupType::get(
      ctx, gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup),
      1 + 2 * p.stages);
  barriers = nvgpu::MBarrierCreateOp::create(b, loc, barTy);
  Value isLeader = cmp(arith::CmpIPredicate::eq, tid, c32(0));
  for (int64_t i = 0; i < 1 + 2 * p.stages; ++i)
    nvgpu::MBarrierInitOp::create(b, loc, barriers, cIdx(1), cIdx(i), isLeader);
  gpu::BarrierOp::create(b, loc);

  // Shared memory, aligned to the 1024-byte swizzle period.
  dynSmem = gpu::DynamicSharedMemoryOp::create(
      b, loc,
      MemRefType::get(
          {ShapedType::kDynamic}, b.getI8Type(), AffineMap(),
          gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup)));
  Value base = sharedAddr(dynSmem);
  Value pad = andI(sub(c32(1024), andI(base, c32(1023))), c32(1023));
  Value qOff = pad;
  kvRel = add(pad, c32(p.qBytes()));
  kvAbs = add(base, kvRel);
  qWgOff = add(add(base, qOff), mul(wg, c32(64 * 128)));

  // Prologue: Q and the first `stages` K/V blocks.
  tmaTile(qDesc, cIdx(0), qOff, p.blockQ, q0, qPlane, isLeader);
  for (int64_t s = 0; s < p.stages; ++s) {
    // A stage past a statically known block count is not emitted: its
    // predicate would fold to a constant false, which the inline-PTX TMA
    // load would print as an immediate guard ptxas rejects.
    if (!p.ragged && !p.causal && s * p.blockKV >= p.kvLen)
      continue;
    Value pred =
        andI(isLeader, cmp(arith::CmpIPredicate::slt, c32(s), nBlocks));
    loadKV(c32(s), c32(s), pred);
  }
  waitBarrier(cIdx(0), cBool(false));

  // Per-thread rows and their key limits.
  Value wgRow0 = add(q0, mul(wg, c32(64)));
  Value row0 = add(wgRow0, g), row1 = add(row0, c32(8));
  auto rowLimit = [&](Value r) {
    Value lim = len;
    if (p.causal)
      lim = minS(maxS(sub(add(add(r, c32(1)), len), sqC), c32(0)), len);
    return sel(cmp(arith::CmpIPredicate::slt, r, sqC), lim, c32(0));
  };
  Value lim0 = rowLimit(row0), lim1 = rowLimit(row1);
  Value firstLim = len;
  if (p.causal)
    firstLim = minS(maxS(sub(add(add(wgRow0, c32(1)), len), sqC), c32(0)), len);
  Value wgPartial = cmp(arith::CmpIPredicate::sgt, add(wgRow0, c32(64)), sqC);
  Value lambda, seqSkips;
  if (skipping) {
    // lambda = factor / L_b; a runtime factor <= 0 gives lambda <= 0, which
    // no exp2 falls below: dense for this sequence and head.
    Value factor = cF(p.factor);
    if (p.runtimeFactors) {
      Value idx =
          add(mul(bIdx, c32(p.factorStrideB)), mul(h, c32(p.factorStrideH)));
      Value ptr =
          LLVM::GEPOp::create(b, loc, gptr, f32, factorsPtr, ValueRange{idx});
      factor = LLVM::LoadOp::create(b, loc, f32, ptr);
    }
    lambda = arith::DivFOp::create(b, loc, factor,
                                   arith::SIToFPOp::create(b, loc, f32, len));
    // 0 < lambda < 1: a factor <= 0 (or NaN) disables skipping outright,
    // so that even units whose rows are all masked in a block keep it.
    seqSkips = andI(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                                          lambda, cF(1.0)),
                    arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                          lambda, cF(0.0)));
  }

  // The KV loop. State: m0, m1, l0, l1 (per-thread partial sums), O, and
  // the visited/skipped counters.
  auto oTy = LLVM::LLVMStructType::getLiteral(ctx, SmallVector<Type>(nO, f32));
  SmallVector<Value> init{cF(-INFINITY),
                          cF(-INFINITY),
                          cF(0),
                          cF(0),
                          LLVM::ZeroOp::create(b, loc, oTy),
                          c32(0),
                          c32(0)};
  auto loop = scf::ForOp::create(
      b, loc, c32(0), nBlocks, c32(1), init,
      [&](OpBuilder &, Location, Value n, ValueRange st) {
        Value m0 = st[0], m1 = st[1], l0 = st[2], l1 = st[3], o = st[4];
        Value visited = st[5], skipped = st[6];
        Value s = remu(n, c32(p.stages));
        Value parity = parityOf(n);
        waitBarrier(barK(s), parity);
        Value acc = emitQK(s);
        SmallVector<Value> sv;
        for (int64_t i = 0; i < nS; ++i)
          sv.push_back(LLVM::ExtractValueOp::create(b, loc, acc, i));

        // Masks only where a key may be invisible to a row of the unit.
        Value kv0 = mul(n, c32(p.blockKV));
        Value needMask = orI(
            cmp(arith::CmpIPredicate::sgt, add(kv0, c32(p.blockKV)), firstLim),
            wgPartial);
        auto ifMask = scf::IfOp::create(
            b, loc, needMask,
            [&](OpBuilder &, Location) {
              Value rel0 = sub(lim0, kv0), rel1 = sub(lim1, kv0);
              Value col = mul(t, c32(2));
              SmallVector<Value> masked;
              for (int64_t i = 0; i < nS; ++i) {
                int64_t e = i % 4;
                Value c = add(col, c32(8 * (i / 4) + (e & 1)));
                Value rel = e < 2 ? rel0 : rel1;
                Value ok = cmp(arith::CmpIPredicate::slt, c, rel);
                masked.push_back(sel(ok, sv[i], cF(-INFINITY)));
              }
              scf::YieldOp::create(b, loc, masked);
            },
            [&](OpBuilder &, Location) { scf::YieldOp::create(b, loc, sv); });
        for (int64_t i = 0; i < nS; ++i)
          sv[i] = ifMask.getResult(i);

        // Row maxima of the block, in the exp2 domain.
        Value mx0 = cF(-INFINITY), mx1 = cF(-INFINITY);
        for (int64_t i = 0; i < nS; ++i) {
          if (i % 4 < 2)
            mx0 = fmax(mx0, sv[i]);
          else
            mx1 = fmax(mx1, sv[i]);
        }
        Value mb0 = fmul(quadMax(mx0), cF(c2));
        Value mb1 = fmul(quadMax(mx1), cF(c2));

        Value skip = cBool(false);
        if (skipping) {
          // Row r may skip iff exp2(m_blk - m_prev) < lambda; rows with no
          // visible key in the block never veto.
          auto rowMay = [&](Value mb, Value m) {
            Value below = arith::CmpFOp::create(
                b, loc, arith::CmpFPredicate::OLT, exp2(fsub(mb, m)), lambda);
            return orI(isNegInf(mb), below);
          };
          Value mine = andI(rowMay(mb0, m0), rowMay(mb1, m1));
          Value all = warpgroupAll(mine, wg);
          Value allowed =
              andI(seqSkips, cmp(arith::CmpIPredicate::sge, n,
                                 c32(std::max<int64_t>(1, p.minKeep))));
          skip = andI(allowed, all);
        }
        if (counting) {
          visited = add(visited, c32(1));
          skipped = add(skipped, arith::ExtUIOp::create(b, loc, i32, skip));
        }

        Value keep = arith::XOrIOp::create(b, loc, skip, cBool(true));
        auto ifKeep = scf::IfOp::create(
            b, loc, keep,
            [&](OpBuilder &, Location) {
              Value mn0 = fmax(m0, mb0), mn1 = fmax(m1, mb1);
              // A row with nothing visible yet keeps exponent base 0.
              Value mu0 = sel(isNegInf(mn0), cF(0), mn0);
              Value mu1 = sel(isNegInf(mn1), cF(0), mn1);
              Value al0 = exp2(fsub(m0, mu0)), al1 = exp2(fsub(m1, mu1));
              Value nmu0 = arith::NegFOp::create(b, loc, mu0);
              Value nmu1 = arith::NegFOp::create(b, loc, mu1);
              SmallVector<Value> pv;
              Value s0 = cF(0), s1 = cF(0);
              for (int64_t i = 0; i < nS; ++i) {
                bool r0 = i % 4 < 2;
                Value e = exp2(math::FmaOp::create(b, loc, sv[i], cF(c2),
                                                   r0 ? nmu0 : nmu1));
                pv.push_back(e);
                if (r0)
                  s0 = fadd(s0, e);
                else
                  s1 = fadd(s1, e);
              }
              Value nl0 = math::FmaOp::create(b, loc, l0, al0, s0);
              Value nl1 = math::FmaOp::create(b, loc, l1, al1, s1);
              SmallVector<Value> ov;
              for (int64_t i = 0; i < nO; ++i)
                ov.push_back(fmul(LLVM::ExtractValueOp::create(b, loc, o, i),
                                  i % 4 < 2 ? al0 : al1));
              SmallVector<Value> pRegs;
              for (int64_t i = 0; i < nS; i += 2)
                pRegs.push_back(pack2(pv[i], pv[i + 1]));
              waitBarrier(barV(s), parity);
              Value no = emitPV(ov, pRegs, s);
              scf::YieldOp::create(b, loc, ValueRange{mn0, mn1, nl0, nl1, no});
            },
            [&](OpBuilder &, Location) {
              scf::YieldOp::create(b, loc, ValueRange{m0, m1, l0, l1, o});
            });

        // Both warpgroups are done with stage s: refill it. The leader first
        // waits for the stage's V load, which a skipped block never waited
        // for, so no TMA write is still in flight into the buffer.
        gpu::BarrierOp::create(b, loc);
        Value nextN = add(n, c32(p.stages));
        Value refill =
            andI(isLeader, cmp(arith::CmpIPredicate::slt, nextN, nBlocks));
        scf::IfOp::create(b, loc, refill, [&](OpBuilder &, Location) {
          waitBarrier(barV(s), parity);
          loadKV(nextN, s, Value());
          scf::YieldOp::create(b, loc);
        });
        SmallVector<Value> next(ifKeep.getResults());
        next.push_back(visited);
        next.push_back(skipped);
        scf::YieldOp::create(b, loc, next);
      });
  b.setInsertionPointAfter(loop);

  // Drain: V loads of skipped final blocks may still be in flight.
  for (int64_t j = 0; j < p.stages; ++j) {
    Value n = sub(nBlocks, c32(j + 1));
    Value pending = andI(isLeader, cmp(arith::CmpIPredicate::sge, n, c32(0)));
    scf::IfOp::create(b, loc, pending, [&](OpBuilder &, Location) {
      waitBarrier(barV(remu(n, c32(p.stages))), parityOf(n));
      scf::YieldOp::create(b, loc);
    });
  }

  // Epilogue: normalise and store.
  Value m0 = loop.getResult(0), m1 = loop.getResult(1);
  Value l0 = quadSum(loop.getResult(2)), l1 = quadSum(loop.getResult(3));
  Value o = loop.getResult(4);
  Value inv0 = arith::DivFOp::create(b, loc, cF(1.0), fmax(l0, cF(1e-30)));
  Value inv1 = arith::DivFOp::create(b, loc, cF(1.0), fmax(l1, cF(1e-30)));
  Value plane64 = arith::ExtUIOp::create(b, loc, i64, qPlane);
  auto storeRow = [&](Value row, Value inv, int64_t half) {
    Value inRange = cmp(arith::CmpIPredicate::slt, row, sqC);
    scf::IfOp::create(b, loc, inRange, [&](OpBuilder &, Location) {
      Value r64 = add(mul(plane64, c64(p.qLen)),
                      arith::ExtUIOp::create(b, loc, i64, row));
      Value base = add(mul(r64, c64(p.headDim / 2)),
                       arith::ExtUIOp::create(b, loc, i64, t));
      for (int64_t i = 0; i < p.headDim / 8; ++i) {
        Value lo =
            fmul(LLVM::ExtractValueOp::create(b, loc, o, 4 * i + half), inv);
        Value hi = fmul(
            LLVM::ExtractValueOp::create(b, loc, o, 4 * i + half + 1), inv);
        Value ptr = LLVM::GEPOp::create(b, loc, gptr, i32, outPtr,
                                        ValueRange{add(base, c64(4 * i))});
        LLVM::StoreOp::create(b, loc, pack2(lo, hi), ptr);
      }
      scf::YieldOp::create(b, loc);
    });
  };
  storeRow(row0, inv0, 0);
  storeRow(row1, inv1, 2);
  if (p.withLse) {
    auto storeLse = [&](Value row, Value m, Value l) {
      Value ok = andI(cmp(arith::CmpIPredicate::slt, row, sqC),
                      cmp(arith::CmpIPredicate::eq, t, c32(0)));
      scf::IfOp::create(b, loc, ok, [&](OpBuilder &, Location) {
        Value lse = fmul(fadd(m, math::Log2Op::create(b, loc, l)), cF(M_LN2));
        Value i = add(mul(plane64, c64(p.qLen)),
                      arith::ExtUIOp::create(b, loc, i64, row));
        Value ptr =
            LLVM::GEPOp::create(b, loc, gptr, f32, lsePtr, ValueRange{i});
        LLVM::StoreOp::create(b, loc, lse, ptr);
        scf::YieldOp::create(b, loc);
      });
    };
    storeLse(row0, m0, l0);
    storeLse(row1, m1, l1);
  }
  if (p.withStats) {
    Value first = cmp(arith::CmpIPredicate::eq, andI(tid, c32(127)), c32(0));
    scf::IfOp::create(b, loc, first, [&](OpBuilder &, Location) {
      Value i = mul(plane64, c64(2));
      for (int64_t k = 0; k < 2; ++k) {
        Value ptr = LLVM::GEPOp::create(b, loc, gptr, i64, statsPtr,
                                        ValueRange{add(i, c64(k))});
        LLVM::AtomicRMWOp::create(
            b, loc, LLVM::AtomicBinOp::add, ptr,
            arith::ExtUIOp::create(b, loc, i64, loop.getResult(5 + k)),
            LLVM::AtomicOrdering::monotonic);
      }
      scf::YieldOp::create(b, loc);
    });
  }
  gpu::ReturnOp::create(b, loc);
}

} // namespace

LogicalResult
mlir::skipattn::lowerToHopperKernel(func::FuncOp func,
                                    const HopperLoweringOptions &options) {
  FailureOr<Plan> plan = analyze(func, options.stages);
  if (failed(plan))
    return failure();
  const Plan &p = *plan;
  auto module = func->getParentOfType<ModuleOp>();
  MLIRContext *ctx = func.getContext();
  OpBuilder b(ctx);
  Location loc = func.getLoc();

  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  b.getUnitAttr());
  gpu::GPUModuleOp gm;
  for (auto m : module.getOps<gpu::GPUModuleOp>())
    if (m.getName() == kKernelModuleName)
      gm = m;
  if (!gm) {
    b.setInsertionPointToEnd(module.getBody());
    gm = gpu::GPUModuleOp::create(b, loc, kKernelModuleName);
  }

  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto gptr = LLVM::LLVMPointerType::get(ctx, 1);
  SmallVector<Type> args{ptr, ptr, ptr, gptr};
  SmallVector<Attribute> params{
      b.getStringAttr("tma:q"), b.getStringAttr("tma:k"),
      b.getStringAttr("tma:v"), b.getStringAttr("ptr:out")};
  auto addPtr = [&](bool present, StringRef name) {
    if (!present)
      return;
    args.push_back(gptr);
    params.push_back(b.getStringAttr(name));
  };
  addPtr(p.ragged, "ptr:kv_lens");
  addPtr(p.withLse, "ptr:lse");
  addPtr(p.withStats, "ptr:stats");
  addPtr(p.runtimeFactors, "ptr:skip_factors");

  b.setInsertionPointToEnd(gm.getBody());
  auto kernel = gpu::GPUFuncOp::create(b, loc, func.getName(),
                                       b.getFunctionType(args, {}));
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  int64_t threads = 128 * p.warpgroups();
  kernel->setAttr("nvvm.maxntid", b.getDenseI32ArrayAttr(
                                      {static_cast<int32_t>(threads), 1, 1}));
  kernel->setAttr(kTmaParamsAttrName, b.getDenseI32ArrayAttr({0, 1, 2}));
  KernelEmitter(b, loc, p).emit(kernel);

  NamedAttrList launch;
  launch.append("kernel", b.getStringAttr(func.getName()));
  launch.append("grid",
                b.getDenseI64ArrayAttr({p.qTiles(), p.qHeads, p.batch}));
  launch.append("block", b.getDenseI64ArrayAttr({threads, 1, 1}));
  launch.append("smem", b.getI64IntegerAttr(p.smemBytes()));
  launch.append("params", b.getArrayAttr(params));
  launch.append("box_q", b.getDenseI64ArrayAttr({64, p.blockQ}));
  launch.append("box_kv", b.getDenseI64ArrayAttr({64, p.blockKV}));
  module->setAttr(kLaunchAttrName, launch.getDictionary(ctx));
  func.erase();
  return success();
}

namespace {
struct ConvertSkipAttnToNVGPU
    : public mlir::skipattn::impl::ConvertSkipAttnToNVGPUBase<
          ConvertSkipAttnToNVGPU> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<func::FuncOp> targets;
    getOperation().walk([&](func::FuncOp f) {
      if (!f.isExternal() && f.walk([](BlockedKVOp) {
                                return WalkResult::interrupt();
                              }).wasInterrupted())
        targets.push_back(f);
    });
    HopperLoweringOptions options;
    options.stages = stages;
    for (func::FuncOp f : targets)
      if (failed(lowerToHopperKernel(f, options)))
        return signalPassFailure();
  }
};
} // namespace
