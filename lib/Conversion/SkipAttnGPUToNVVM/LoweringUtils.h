//===- LoweringUtils.h - helpers shared by the NVVM patterns ----*- C++ -*-===//
//
// Arithmetic shorthands and the thread geometry of the warpgroup fragment
// layout, so every pattern states the layout the same way.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_LIB_CONVERSION_SKIPATTNGPUTONVVM_LOWERINGUTILS_H
#define SKIPATTN_LIB_CONVERSION_SKIPATTNGPUTONVVM_LOWERINGUTILS_H

#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::skipattn::lowering {

/// Named barriers (bar.sync ids): 0 is the CTA's, 1 + w math warpgroup
/// w's vote (Vote.cpp), 3 + w warpgroup w's turn (pingpong), 7 the math
/// role's (the split-KV merge: its own id, since warpgroup 0 may still
/// vote on 1 with 128 threads while the others reach the merge).
constexpr int64_t kMathRoleBarrier = 7;
constexpr int64_t kFirstTurnBarrier = 3;
/// sm_100a: the math role meets on this one before freeing tensor memory
/// (its warpgroups vote on 1 and 2; there is no pingpong).
constexpr int64_t kTmemBarrier = 5;
/// The two math warpgroups of a value split meet on this one to exchange
/// block maxima, probabilities and row sums.
constexpr int64_t kExchangeBarrier = 6;
/// The TMA-store epilogue: math warpgroup w meets on 8 + w once its rows
/// are staged.
constexpr int64_t kFirstStoreBarrier = 8;

/// Builds arithmetic at one location. Values are i32 unless named otherwise.
struct Emitter {
  Emitter(OpBuilder &b, Location loc) : b(b), loc(loc) {}
  OpBuilder &b;
  Location loc;

  Type i1() { return b.getI1Type(); }
  Type i32() { return b.getI32Type(); }
  Type i64() { return b.getI64Type(); }
  Type f32() { return b.getF32Type(); }
  Value c32(int64_t v) {
    return arith::ConstantIntOp::create(b, loc, i32(), v);
  }
  Value c64(int64_t v) {
    return arith::ConstantIntOp::create(b, loc, i64(), v);
  }
  Value cIdx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value cF(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value cBool(bool v) { return arith::ConstantIntOp::create(b, loc, i1(), v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value divu(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value remu(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value shr(Value x, int64_t s) {
    return arith::ShRUIOp::create(b, loc, x, c32(s));
  }
  Value andI(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value orI(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value xorI(Value x, Value y) { return arith::XOrIOp::create(b, loc, x, y); }
  Value minS(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value maxS(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value sel(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value fmax(Value x, Value y) {
    return arith::MaxNumFOp::create(b, loc, x, y);
  }
  Value fmul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value fadd(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value fsub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  /// 2^x as one MUFU.EX2 that flushes subnormal inputs and results to
  /// zero. math.exp2 (ex2.approx.f32) costs three more instructions per
  /// call to handle subnormals: a compare and two multiplies around every
  /// one of the softmax's exponentials. A probability below 2^-126 is
  /// nothing next to the row's maximum, which contributes 1.
  Value exp2(Value x) {
    return LLVM::CallIntrinsicOp::create(
               b, loc, b.getF32Type(),
               b.getStringAttr("llvm.nvvm.ex2.approx.ftz.f32"), ValueRange{x})
        .getResult(0);
  }
  Value isNegInf(Value x) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x,
                                 cF(-INFINITY));
  }
  /// index -> i32 (kernel indices fit: shapes are verified <= 2^31 - 1).
  Value toI32(Value x) {
    return x.getType().isIndex()
               ? arith::IndexCastOp::create(b, loc, i32(), x).getResult()
               : x;
  }
  Value toIdx(Value x) {
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), x);
  }
  Value extract(Value agg, int64_t i) {
    return LLVM::ExtractValueOp::create(b, loc, agg, i);
  }
  Value vecAt(Value v, int64_t i) {
    return LLVM::ExtractElementOp::create(b, loc, v, c32(i));
  }
  Value vec2(Value x, Value y) {
    Value v = LLVM::UndefOp::create(b, loc, VectorType::get({2}, x.getType()));
    v = LLVM::InsertElementOp::create(b, loc, v, x, c32(0));
    return LLVM::InsertElementOp::create(b, loc, v, y, c32(1));
  }
  /// Two f32 values rounded to nearest even as one 32-bit register of two
  /// 16-bit `elt` values (f16 or bf16), `lo` in bits 0-15: the register-A
  /// operand and the output's column pairs share this packing. One
  /// cvt.rn.{bf16x2,f16x2}.f32 is F2FP.PACK_AB on the ALU pipe; two scalar
  /// conversions would be two F2F on the pipe of MUFU.EX2, doubling the
  /// load the softmax's exponentials already put on it.
  Value packPair(Value lo, Value hi, Type elt) {
    auto pairT = VectorType::get({2}, elt);
    auto rn = NVVM::FPRoundingMode::RN;
    Value pair = elt.isBF16()
                     ? NVVM::ConvertF32x2ToBF16x2Op::create(b, loc, pairT, hi,
                                                            lo, Value(), rn)
                           .getResult()
                     : NVVM::ConvertF32x2ToF16x2Op::create(b, loc, pairT, hi,
                                                           lo, Value(), rn)
                           .getResult();
    return LLVM::BitcastOp::create(b, loc, i32(), pair);
  }
  Value shflXor(Value v, int64_t offset);
  /// Max / sum over the four lanes that hold one row of a fragment.
  Value quadMax(Value v) {
    v = fmax(v, shflXor(v, 1));
    return fmax(v, shflXor(v, 2));
  }
  Value quadSum(Value v) {
    v = fadd(v, shflXor(v, 1));
    return fadd(v, shflXor(v, 2));
  }
  /// 1 / max(l, 1e-30): what the epilogue multiplies a row by (a row
  /// that saw no key has l = 0 and an accumulator of 0, so it stores 0).
  Value rowScale(Value l) {
    return arith::DivFOp::create(b, loc, cF(1.0), fmax(l, cF(1e-30)));
  }

  // --- thread geometry --------------------------------------------------
  Value tid();
  /// Warpgroup of this thread within the CTA.
  Value warpgroup() { return shr(tid(), 7); }
  /// True on the first thread of each warpgroup.
  Value warpgroupLeader() {
    return cmp(arith::CmpIPredicate::eq, andI(tid(), c32(127)), c32(0));
  }
  /// Fragment row of this thread's first register row (the second is +8)
  /// and its column pair base: rows g and g + 8, columns 8i + 2t + {0, 1}.
  Value fragRow() {
    Value lane = andI(tid(), c32(31));
    Value warp = andI(shr(tid(), 5), c32(3));
    return add(mul(warp, c32(16)), shr(lane, 2));
  }
  /// Fragment row `r` of a tile of consecutive heads with `rowsPerHead`
  /// positions each (0: one head): {head offset, position offset}.
  std::pair<Value, Value> headAndPos(Value r, int64_t rowsPerHead) {
    if (!rowsPerHead)
      return {c32(0), r};
    return {divu(r, c32(rowsPerHead)), remu(r, c32(rowsPerHead))};
  }
  /// bar.sync on named barrier `id` for `threads` threads.
  void namedBarrier(Value id, int64_t threads) {
    NVVM::BarrierOp::create(b, loc, /*res=*/Type(), id, c32(threads),
                            /*reductionOp=*/{}, /*reductionPredicate=*/{});
  }
  Value fragCol() { return mul(andI(tid(), c32(3)), c32(2)); }

  // --- shared memory ----------------------------------------------------
  Value dynamicSmem();
  Value sharedAddr(Value view) {
    Value p = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, view);
    return arith::IndexCastOp::create(b, loc, i32(), p);
  }
  /// Padding from the dynamic shared memory's start to its first 1024-byte
  /// boundary (the swizzle period): offsets of rings count from there.
  Value alignmentPad() {
    Value base = sharedAddr(dynamicSmem());
    return andI(sub(c32(1024), andI(base, c32(1023))), c32(1023));
  }
  /// Absolute shared address of byte `offset` past the aligned base.
  Value sharedAt(Value offset) {
    return add(add(sharedAddr(dynamicSmem()), alignmentPad()), offset);
  }
  /// A shared-memory pointer to absolute shared address `addr` (i32). Bytes
  /// are addressed this way, not as an index into the dynamic shared
  /// memory: that index folds to a constant expression of the base's own
  /// address, on which LLVM's NVPTX GEP splitting crashes.
  Value sharedPtr(Value addr) {
    auto p3 = LLVM::LLVMPointerType::get(b.getContext(), 3);
    return LLVM::IntToPtrOp::create(
        b, loc, p3, arith::ExtUIOp::create(b, loc, i64(), addr).getResult());
  }
};

/// A TMA descriptor parameter `desc` as nvgpu's tensor-map value: a 4-D
/// map (D, S, H, B) with 128-byte swizzle whose box is `boxRows` x 64
/// elements of `elt` (the runtime encodes the map itself; the type gives
/// the coordinates' rank and the box's bytes).
Value tensorMap(Emitter &e, Value desc, int64_t boxRows, Type elt);
/// The shared-memory view at absolute shared address `addr` of one such
/// box, as a TMA load's destination or a TMA store's source.
Value boxView(Emitter &e, Value addr, int64_t boxRows, Type elt);

/// The TMA-store epilogue's staging tile (`skipattn_gpu.tma_store_tile`):
/// the shared address of 16-byte chunk `chunk` (columns 8 chunk ..
/// 8 chunk + 7) of row `row` of a tile at `stage` whose 64-column boxes
/// are `pitch` rows apart, 128-byte swizzled as a TMA box is (the chunk
/// index XOR the row's place in its 8-row atom).
Value stagedChunk(Emitter &e, Value stage, int64_t pitch, Value row,
                  int64_t chunk);
/// The rest of the TMA-store epilogue once each thread wrote its rows
/// into the stage: the writes fenced for the async proxy, the warpgroup
/// met, and one thread storing each 64-column box of the `rows` x `cols`
/// tile through `desc` at (column, `row`, `head`, `batch`) and waiting
/// until the boxes have been read.
void storeStagedTile(Emitter &e, skipattn_gpu::TmaStoreTileOp op, Value stage,
                     Value desc, Value row, Value head, Value batch);

/// The fields of an LLVM struct value (a fragment's registers).
inline SmallVector<Value> structFields(Emitter &e, Value s) {
  SmallVector<Value> v;
  auto st = cast<LLVM::LLVMStructType>(s.getType());
  for (int64_t i = 0, n = st.getBody().size(); i < n; ++i)
    v.push_back(e.extract(s, i));
  return v;
}

/// A struct of type `structT` holding `v`.
inline Value packStruct(Emitter &e, Type structT, ArrayRef<Value> v) {
  Value s = LLVM::UndefOp::create(e.b, e.loc, structT);
  for (auto [i, x] : llvm::enumerate(v))
    s = LLVM::InsertValueOp::create(e.b, e.loc, s, x, i);
  return s;
}

/// Runs `body` under `cond`.
inline void guarded(Emitter &e, Value cond,
                    function_ref<void(Emitter &)> body) {
  scf::IfOp::create(e.b, e.loc, cond, [&](OpBuilder &b, Location l) {
    Emitter ie(b, l);
    body(ie);
    scf::YieldOp::create(b, l);
  });
}

/// A shared-memory matrix descriptor (wgmma and tcgen05 share the layout of
/// its low bits): start address, leading and stride byte offsets in 16-byte
/// units, and the chip's mode bits (`modeBits`: swizzle, version) above.
inline Value smemDescriptor(Emitter &e, Value addr, int64_t lbo, int64_t sbo,
                            uint64_t modeBits) {
  Value lo = arith::ExtUIOp::create(e.b, e.loc, e.i64(),
                                    e.andI(e.shr(addr, 4), e.c32(0x3fff)));
  uint64_t hi = (uint64_t((lbo >> 4) & 0x3fff) << 16) |
                (uint64_t((sbo >> 4) & 0x3fff) << 32) | modeBits;
  return e.orI(lo, e.c64(static_cast<int64_t>(hi)));
}

/// After thread 0 initialised mbarriers: makes the initialisation visible
/// to the async proxy (TMA completions, tcgen05.commit) before the CTA
/// barrier that publishes the barriers to the other threads.
inline void fenceBarrierInit(Emitter &e, Value first) {
  guarded(e, first, [](Emitter &ie) {
    NVVM::FenceProxyOp::create(
        ie.b, ie.loc, NVVM::ProxyKind::async_shared,
        NVVM::SharedSpaceAttr::get(ie.b.getContext(),
                                   NVVM::SharedSpace::shared_cta));
  });
}

/// Block n's stage (n mod stages, i32) and phase parity ((n / stages) mod 2,
/// i1) in an array of `stages` barriers (rings and pipes alike).
inline std::pair<Value, Value> stageAndParity(Emitter &e, int64_t stages,
                                              Value block) {
  Value n = e.toI32(block);
  Value s = e.c32(stages);
  Value parity = arith::TruncIOp::create(e.b, e.loc, e.i1(),
                                         e.andI(e.divu(n, s), e.c32(1)));
  return {e.remu(n, s), parity};
}

/// Type of the NVVM value of an accumulator: one f32 per held element
/// (half of a row's in the wgmma layout, the whole row with one row per
/// thread).
inline Type accStructType(MLIRContext *ctx, int64_t cols,
                          bool rowPerThread = false) {
  return LLVM::LLVMStructType::getLiteral(
      ctx,
      SmallVector<Type>(rowPerThread ? cols : cols / 2, Float32Type::get(ctx)));
}

/// Whether a fragment type (acc, operand, rows) has the 128-row layout of
/// sm_100a: one row per thread, as tensor memory's lanes hold them.
inline bool rowPerThread(Type t) {
  if (auto a = dyn_cast<skipattn_gpu::AccType>(t))
    return a.getRows() == skipattn_gpu::kTmemLanes;
  if (auto o = dyn_cast<skipattn_gpu::OperandType>(t))
    return o.getRows() == skipattn_gpu::kTmemLanes;
  if (auto r = dyn_cast<skipattn_gpu::RowsType>(t))
    return r.getRows() == skipattn_gpu::kTmemLanes;
  return false;
}

/// tcgen05.commit on barrier `index` of an mbarrier group: it arrives once
/// the tensor-core operations this thread issued have completed.
void commitTo(Emitter &e, Value barriers, Value index);

} // namespace mlir::skipattn::lowering

#endif // SKIPATTN_LIB_CONVERSION_SKIPATTNGPUTONVVM_LOWERINGUTILS_H
