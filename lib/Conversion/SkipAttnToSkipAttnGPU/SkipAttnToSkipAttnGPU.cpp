//===- SkipAttnToSkipAttnGPU.cpp - blocked IR to the kernel level ---------===//
//
// The tiled function is one scf.parallel over (batch, head, query tile)
// whose body computes scalars (KV length, visible blocks, log2(lambda)),
// packs the query tile and walks the KV blocks with skipattn.blocked_kv.
// The kernel runs one CTA per parallel iteration, so the conversion
// re-emits that body inside a gpu.func:
//
//   - scalar ops are cloned as they are (loads from function arguments
//     become loads from the kernel's pointer parameters), so the skip
//     decision's lambda, min_keep and enable conditions keep the one
//     definition the blocked IR gave them;
//   - the buffers of the tile (query, scores, m, l, acc) become rings and
//     register fragments: pack_q a TMA put into the Q ring, block_scores a
//     K wait, an MMA and a mask, skip_predicate a skip_vote, online_softmax
//     an online_update, a V wait and the P.V MMA, finalize the epilogue
//     stores; the blocked_kv loop an scf.for carrying the fragments;
//   - the skip-unit loop of the blocked IR is the warpgroup: its induction
//     variable becomes the warpgroup's first row;
//   - GQA packing (the schedule's heads > 1): the Q tile's rows are heads of
//     `positions` rows each, loaded by one TMA box spanning the heads, and
//     the row ops take rows_per_head; split-KV: each CTA walks one range
//     of the tile's blocks (ring stages count from the range's start),
//     stores its partial result into the workspace, and the last of the
//     tile's CTAs merges them (skipattn_gpu.split_merge);
//   - the schedule attribute decides the ring depth and who loads. With
//     one (math) role its first thread loads: a prologue fills blocks
//     0 .. stages-1, each iteration releases its stage (a CTA barrier) and
//     refills it with block n + stages, and a drain waits for the V loads
//     of skipped final blocks. With a load role, the scalars are computed
//     once for both roles; the load warpgroup's thread walks the same
//     blocks acquiring each stage of separate K and V rings before filling
//     it, and the math warpgroups release K after Q.K^T and V at the end of
//     the iteration through the rings' empty barriers;
//   - a tcgen05 schedule (sm_100a) keeps S, P and O in tensor memory: the
//     producer role's first warp issues the MMAs (Q.K^T of every math
//     warpgroup into its S columns, then P.V of the warpgroups that keep
//     the block into their O columns) and signals them with commits; the
//     math warpgroups load S (one row per thread), vote per warp, store P
//     over S and rescale O in place; the producer's second and third warps
//     load Q/K and the voted V.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Conversion/SkipAttnToSkipAttnGPU/SkipAttnToSkipAttnGPU.h"
#include "KernelBuilder.h"

namespace mlir::skipattn {
#define GEN_PASS_DEF_CONVERTSKIPATTNTOSKIPATTNGPU
#include "skipattn/Conversion/Passes.h.inc"
} // namespace mlir::skipattn

using namespace mlir;
using namespace mlir::skipattn;

namespace mlir::skipattn::kernel_level {

FailureOr<Buf> KernelBuilder::bufferOf(Value v, Operation *user) {
  while (auto sv = v.getDefiningOp<memref::SubViewOp>())
    v = sv.getSource();
  auto it = buffers.find(v);
  if (it == buffers.end())
    return user->emitOpError("the kernel level needs this operand to be a "
                             "tile buffer of the blocked IR");
  return it->second;
}

/// A kernel pointer parameter for a function argument.
Value KernelBuilder::param(Value arg) {
  for (auto [i, p] : llvm::enumerate(params))
    if (p.first == arg)
      return kernel.getArgument(i);
  return {};
}

LogicalResult KernelBuilder::analyze() {
  SmallVector<scf::ParallelOp> pars;
  SmallVector<BlockedKVOp> loops;
  func.walk([&](scf::ParallelOp p) { pars.push_back(p); });
  func.walk([&](BlockedKVOp l) { loops.push_back(l); });
  // With one tile (B = Hq = 1, Sq <= block_q) canonicalization removes the
  // parallel loop: the tile body is then the function's.
  Block &entry = func.getBody().front();
  if (pars.size() > 1 || loops.size() != 1 ||
      (pars.size() == 1 && loops.front()->getParentOp() != pars.front()) ||
      (pars.empty() && loops.front()->getBlock() != &entry))
    return func.emitError("the kernel level expects one tiled "
                          "skipattn.blocked_kv nest (run skipattn-tile and "
                          "skipattn-insert-skip-predicates first)");
  par = pars.empty() ? scf::ParallelOp() : pars.front();
  tileBody = par ? par.getBody() : &entry;
  blocked = loops.front();
  schedule = blocked->getAttrOfType<sg::ScheduleAttr>(sg::kScheduleAttrName);
  if (!schedule)
    return blocked.emitOpError("carries no #skipattn_gpu.schedule (run "
                               "skipattn-gpu-select-schedule before "
                               "skipattn-tile)");
  for (Operation &op : tileBody->getOperations()) {
    if (auto p = dyn_cast<PackQOp>(op))
      pack = p;
    else if (auto f = dyn_cast<FinalizeOp>(op))
      finalize = f;
  }
  for (auto m : entry.getOps<MergeSplitsOp>())
    merge = m;
  blocked.getBody().walk([&](Operation *op) {
    if (auto s = dyn_cast<BlockScoresOp>(op))
      scores = s;
    else if (auto s = dyn_cast<OnlineSoftmaxOp>(op))
      softmax = s;
  });
  if (!pack || !finalize || !scores || !softmax)
    return blocked.emitOpError("tile lacks pack_q, block_scores, "
                               "online_softmax or finalize");

  TilingAttr tiling = blocked.getTiling();
  // skipattn-tile keeps at most one split per KV block.
  if (tiling.getBlockQ() != schedule.getPositions() ||
      tiling.getBlockKv() != schedule.getBlockKv() ||
      tiling.getHeadsPerTile() != schedule.getHeads() ||
      tiling.getKvSplits() > schedule.getKvSplits())
    return blocked.emitOpError("tiling ")
           << tiling << " does not match the schedule " << schedule;
  heads = schedule.getHeads();
  positions = schedule.getPositions();
  splits = tiling.getKvSplits();
  if ((splits > 1) != static_cast<bool>(merge))
    return blocked.emitOpError("split-KV tiles need one skipattn.merge_splits "
                               "after the tile loop (and only they)");
  if (tiling.getSkipUnit() != 0 &&
      tiling.getSkipUnit() != schedule.getSkipUnit())
    return blocked.emitOpError("skip unit ")
           << tiling.getSkipUnit() << " is not the schedule's "
           << schedule.getSkipUnit() << " (one warpgroup)";

  auto qT = cast<MemRefType>(pack.getQuery().getType());
  auto kT = cast<MemRefType>(scores.getKey().getType());
  auto vT = cast<MemRefType>(softmax.getValue().getType());
  for (MemRefType t : {qT, kT, vT})
    if (!t.hasStaticShape() || t.getRank() != 4)
      return blocked.emitOpError("GPU kernels need static [B, H, S, D] "
                                 "shapes");
  batch = qT.getDimSize(0);
  qHeads = qT.getDimSize(1);
  qLen = qT.getDimSize(2);
  headDim = qT.getDimSize(3);
  kvHeads = kT.getDimSize(1);
  kvLen = kT.getDimSize(2);
  // skipattn-tile hands both block ops the attention's one table.
  if (softmax.getPageTable() != scores.getPageTable())
    return softmax.emitOpError("K and V must share one page table");
  if ((pageTable = scores.getPageTable())) {
    pageSize = kT.getDimSize(2);
    numPages = kT.getDimSize(0);
    maxPages = cast<MemRefType>(pageTable.getType()).getDimSize(1);
    kvLen = maxPages * pageSize;
    int64_t bkv = schedule.getBlockKv();
    // A block is part of one page, or whole pages; each box starts at a
    // multiple of 8 rows of the slot (its swizzle atom).
    if ((pageSize >= bkv ? pageSize % bkv : bkv % pageSize) || pageSize % 8 ||
        vT.getDimSize(0) != numPages || vT.getDimSize(2) != pageSize)
      return blocked.emitOpError("a paged cache of ")
             << pageSize << "-key pages needs KV blocks of whole pages or "
             << "pages of whole blocks (block_kv " << bkv
             << "), pages of a multiple of 8 keys, and K and V caches alike";
  }
  elt = qT.getElementType();
  // What the schedule selection checked for its own choice holds for any
  // schedule reaching this pass (one written on the tiled IR included).
  skipattn_gpu::ScheduleProblem problem;
  problem.qLen = qLen;
  problem.kvLen = kvLen;
  problem.headDim = headDim;
  problem.valueDim = vT.getDimSize(3);
  problem.batch = batch;
  problem.qHeads = qHeads;
  problem.kvHeads = kvHeads;
  problem.elementType = elt;
  problem.skipping = blocked.hasSkipping();
  problem.runtimeFactors = skipattn::factorsPerHead(blocked.getSkipFactors());
  problem.outTmaStrides = skipattn_gpu::outTmaStrides(
      (merge ? merge.getOut() : finalize.getOut()).getType());
  // The attention's value_in_key was checked at the schedule's selection;
  // the blocked IR reads V through its own operand either way.
  problem.valueInKey = schedule.getValueInKey();
  tc = schedule.getMma() == sg::MMAKind::tcgen05;
  wgRows = schedule.getWarpgroupRows();
  tmaStore = schedule.getTmaStore();
  if (failed(skipattn_gpu::verifySchedule(
          schedule, problem, tc ? "sm_100a" : "sm_90a",
          [&] { return blocked.emitOpError(); })))
    return failure();
  qTiles = (qLen + positions - 1) / positions;
  if (headDim != schedule.getHeadDim() || vT.getDimSize(3) != schedule.getDv())
    return blocked.emitOpError("head dimensions do not match the schedule");
  // TMA reads q, k and v through 4-D maps that carry their strides (given
  // at launch); the output is stored with the strides of its type. All
  // need a unit stride on D; TMA needs 16-byte strides, the paired stores
  // even ones.
  Value outArg = merge ? merge.getOut() : finalize.getOut();
  Value lseArg = merge ? merge.getLse() : finalize.getLse();
  for (Value v : SmallVector<Value, 4>{pack.getQuery(), scores.getKey(),
                                       softmax.getValue(), outArg}) {
    SmallVector<int64_t> strides;
    int64_t offset;
    auto t = cast<MemRefType>(v.getType());
    int64_t multiple = v == outArg ? 2 : 8;
    auto bad = [&](int64_t s) {
      return ShapedType::isDynamic(s) || s < 0 || s % multiple;
    };
    if (failed(t.getStridesAndOffset(strides, offset)) || offset != 0 ||
        strides.size() != 4 || strides[3] != 1 ||
        llvm::any_of(ArrayRef<int64_t>(strides).take_front(3), bad))
      return func.emitError("GPU kernels need static [B, H, S, D] strides "
                            "with a unit stride on D, the others multiples "
                            "of 8 elements (16 bytes; 2 for the output), "
                            "and no offset");
    if (v == outArg)
      outStrides.assign(strides.begin(), strides.begin() + 3);
  }
  c2 = pack.getScale().convertToDouble() * M_LOG2E;

  // Parameters, in launch order.
  auto isArg = [&](Value v, StringRef what, Operation *user) -> LogicalResult {
    auto a = dyn_cast<BlockArgument>(v);
    if (a && a.getOwner() == &entry)
      return success();
    user->emitOpError("the ") << what << " buffer must be a function argument";
    return failure();
  };
  if (failed(isArg(pack.getQuery(), "query", pack)) ||
      failed(isArg(scores.getKey(), "key", scores)) ||
      failed(isArg(softmax.getValue(), "value", softmax)) ||
      failed(isArg(outArg, "output", finalize)))
    return failure();
  params = {
      {pack.getQuery(), sg::KernelParam::tma_q},
      {scores.getKey(), sg::KernelParam::tma_k},
      {softmax.getValue(), sg::KernelParam::tma_v},
      {outArg, tmaStore ? sg::KernelParam::tma_out : sg::KernelParam::out}};
  // Scalars the tile loads from other arguments: the runtime skip factors
  // (blocked_kv's operand) and the KV lengths, which are what the loop's
  // kv_len is computed from.
  Value lens, qLens, factors = blocked.getSkipFactors();
  SetVector<Operation *> lenSlice, qStartSlice;
  if (Operation *def = blocked.getKvLen().getDefiningOp())
    (void)getBackwardSlice(def, &lenSlice);
  if (Value start = scores.getQStart())
    if (Operation *def = start.getDefiningOp())
      (void)getBackwardSlice(def, &qStartSlice);
  WalkResult w = tileBody->walk([&](memref::LoadOp load) {
    Value mem = load.getMemRef();
    if (mem == factors)
      return WalkResult::advance();
    if (failed(isArg(mem, "loaded", load)))
      return WalkResult::interrupt();
    // Left-padded queries: the first real row comes from q_lens.
    if (qStartSlice.contains(load) && !lenSlice.contains(load) &&
        (!qLens || qLens == mem)) {
      qLens = mem;
      return WalkResult::advance();
    }
    if (!lenSlice.contains(load) || (lens && lens != mem)) {
      load.emitOpError("the kernel level reads only the KV lengths (that "
                       "the loop's kv_len comes from), the query lengths "
                       "(that q_start comes from) and the skip factors");
      return WalkResult::interrupt();
    }
    lens = mem;
    return WalkResult::advance();
  });
  if (w.wasInterrupted())
    return failure();
  if (lens)
    params.push_back({lens, sg::KernelParam::kv_lens});
  if (qLens)
    params.push_back({qLens, sg::KernelParam::q_lens});
  if (pageTable) {
    if (failed(isArg(pageTable, "page_table", scores)))
      return failure();
    params.push_back({pageTable, sg::KernelParam::page_table});
  }
  if (lseArg) {
    if (failed(isArg(lseArg, "lse", finalize)))
      return failure();
    params.push_back({lseArg, sg::KernelParam::lse});
  }
  if (Value stats = blocked.getStats()) {
    if (failed(isArg(stats, "stats", blocked)))
      return failure();
    params.push_back({stats, sg::KernelParam::stats});
  }
  if (factors) {
    if (failed(isArg(factors, "skip_factors", blocked)))
      return failure();
    params.push_back({factors, sg::KernelParam::skip_factors});
  }
  if (merge) {
    // The splits' partials live in one workspace the runtime provides; the
    // finalize of each split writes a slice of them.
    auto slice = [](Value v) {
      auto sv = v ? v.getDefiningOp<memref::SubViewOp>() : nullptr;
      return sv ? sv.getSource() : Value();
    };
    if (slice(finalize.getOut()) != merge.getPartialOut() ||
        slice(finalize.getLse()) != merge.getPartialLse() ||
        !merge.getPartialOut().getDefiningOp<memref::AllocOp>() ||
        !merge.getPartialLse().getDefiningOp<memref::AllocOp>())
      return merge.emitOpError("the kernel level merges the partials the "
                               "tile's finalize writes into allocated "
                               "workspaces");
    params.push_back({merge.getPartialOut(), sg::KernelParam::workspace});
  }
  counting = static_cast<bool>(blocked.getStats());
  if (counting)
    statsColumns = cast<MemRefType>(blocked.getStats().getType()).getDimSize(2);

  // Outside the parallel loop only the statistics are zeroed (the runtime
  // clears them before a launch) and the split workspaces live.
  for (Operation &op : entry.without_terminator()) {
    if (!par || &op == par.getOperation() ||
        isa<arith::ConstantOp, memref::AllocOp, memref::DeallocOp,
            MergeSplitsOp>(op))
      continue;
    WalkResult r = op.walk([&](Operation *inner) {
      if (auto st = dyn_cast<memref::StoreOp>(inner))
        if (st.getMemRef() != blocked.getStats())
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (r.wasInterrupted() || (!isa<scf::ForOp>(op)))
      return op.emitOpError("the kernel level supports only the statistics "
                            "initialisation outside the tile loop");
  }

  buffers[pack.getTile()] = Buf::QTile;
  buffers[scores.getScores()] = Buf::Scores;
  buffers[blocked.getRowMax()] = Buf::RowMax;
  buffers[blocked.getRowSum()] = Buf::RowSum;
  buffers[blocked.getAcc()] = Buf::Acc;
  return success();
}

LogicalResult KernelBuilder::emitOp(Operation &op) {
  MLIRContext *ctx = b.getContext();
  if (isa<memref::AllocaOp>(op)) {
    if (!buffers.count(op.getResult(0)))
      return op.emitOpError("is not a tile buffer the kernel level knows");
    return success();
  }
  if (auto sv = dyn_cast<memref::SubViewOp>(op)) {
    // A split's slice of the workspace: finalize addresses it itself.
    if (merge && (sv.getSource() == merge.getPartialOut() ||
                  sv.getSource() == merge.getPartialLse()))
      return success();
    return success(succeeded(bufferOf(op.getResult(0), &op)));
  }
  if (auto load = dyn_cast<memref::LoadOp>(op)) {
    // A scalar of an argument: a (loop-invariant) load from the parameter.
    auto t = load.getMemRefType();
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(t.getStridesAndOffset(strides, offset)) ||
        llvm::any_of(strides, ShapedType::isDynamic) ||
        ShapedType::isDynamic(offset))
      return load.emitOpError("the kernel level needs static strides");
    Value idx = cIdx(offset);
    for (auto [i, s] : llvm::enumerate(strides))
      idx = arith::AddIOp::create(
          b, loc, idx,
          arith::MulIOp::create(
              b, loc, map.lookupOrDefault(load.getIndices()[i]), cIdx(s)));
    Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), idx);
    auto gptr = LLVM::LLVMPointerType::get(ctx, 1);
    Value ptr = LLVM::GEPOp::create(b, loc, gptr, t.getElementType(),
                                    param(load.getMemRef()), ValueRange{i64});
    auto l = LLVM::LoadOp::create(b, loc, t.getElementType(), ptr);
    l.setInvariant(true);
    map.map(load.getResult(), l.getResult());
    return success();
  }
  if (auto log = dyn_cast<math::Log2Op>(op)) {
    // f64 log2 would need libdevice; log2(lambda) only decides a compare
    // against f32 score differences, so f32 precision is what it is used at.
    if (log.getType().isF64()) {
      Value x = arith::TruncFOp::create(b, loc, b.getF32Type(),
                                        map.lookupOrDefault(log.getOperand()));
      Value r = math::Log2Op::create(b, loc, x);
      map.map(log.getResult(),
              arith::ExtFOp::create(b, loc, b.getF64Type(), r));
      return success();
    }
  }
  if (auto p = dyn_cast<PackQOp>(op)) {
    // Q tile of this CTA: rows [pos, pos + block_q) of head h of batch b.
    emitPut(qRing, cIdx(0), "q", leader, qDesc, map.lookupOrDefault(p.getPos()),
            map.lookupOrDefault(p.getHead()),
            map.lookupOrDefault(p.getBatch()));
    return success();
  }
  if (auto loop = dyn_cast<BlockedKVOp>(op))
    return tc ? emitTcBlockedKV(loop) : emitBlockedKV(loop);
  if (auto fin = dyn_cast<FinalizeOp>(op))
    return emitFinalize(fin);
  if (isa<scf::ReduceOp>(op))
    return success();
  if (auto init = dyn_cast<scf::ForOp>(op)) {
    // The statistics initialisation (a single tile has no parallel loop
    // around it): the runtime clears the statistics before a launch.
    WalkResult r = init.walk([&](Operation *inner) {
      auto st = dyn_cast<memref::StoreOp>(inner);
      if ((st && st.getMemRef() == blocked.getStats()) ||
          isa<scf::ForOp, scf::YieldOp, arith::ConstantOp>(inner))
        return WalkResult::advance();
      return WalkResult::interrupt();
    });
    if (!r.wasInterrupted() && blocked.getStats())
      return success();
  }
  if (op.getDialect() &&
      isa<arith::ArithDialect, math::MathDialect>(op.getDialect())) {
    b.clone(op, map);
    return success();
  }
  return op.emitOpError("has no kernel-level form");
}

LogicalResult KernelBuilder::emitTile(Part part) {
  for (Operation &op : tileBody->without_terminator()) {
    bool computed = !isa<PackQOp, BlockedKVOp, FinalizeOp>(op);
    if ((part == Part::Scalars && !computed) ||
        (part == Part::Math && (computed || isa<PackQOp>(op))))
      continue;
    if (failed(emitOp(op)))
      return failure();
  }
  return success();
}

LogicalResult KernelBuilder::run() {
  if (failed(analyze()))
    return failure();
  MLIRContext *ctx = func.getContext();
  loc = func.getLoc();
  auto module = func->getParentOfType<ModuleOp>();
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  b.getUnitAttr());
  gpu::GPUModuleOp gm;
  for (auto g : module.getOps<gpu::GPUModuleOp>())
    if (g.getName() == kKernelModuleName)
      gm = g;
  if (!gm) {
    b.setInsertionPointToEnd(module.getBody());
    gm = gpu::GPUModuleOp::create(b, loc, kKernelModuleName);
  }

  // TMA descriptors are passed by pointer here and made byval
  // grid-constant by skipattn-legalize-nvvm-kernel-abi.
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto gptr = LLVM::LLVMPointerType::get(ctx, 1);
  SmallVector<Type> argTypes;
  SmallVector<Attribute> kinds;
  for (auto &[arg, kind] : params) {
    bool tma =
        kind == sg::KernelParam::tma_q || kind == sg::KernelParam::tma_k ||
        kind == sg::KernelParam::tma_v || kind == sg::KernelParam::tma_out;
    argTypes.push_back(tma ? Type(ptr) : Type(gptr));
    kinds.push_back(sg::KernelParamAttr::get(ctx, kind));
  }
  b.setInsertionPointToEnd(gm.getBody());
  kernel = gpu::GPUFuncOp::create(b, loc, func.getName(),
                                  b.getFunctionType(argTypes, {}));
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  kernel->setAttr(sg::kScheduleAttrName, schedule);
  qDesc = kernel.getArgument(0);
  kDesc = kernel.getArgument(1);
  vDesc = kernel.getArgument(2);

  Block &entry = kernel.getBody().front();
  b.setInsertionPointToStart(&entry);
  auto ids = sg::TileIdOp::create(
      b, loc, TypeRange{b.getIndexType(), b.getIndexType(), b.getIndexType()},
      b.getI64IntegerAttr(qTiles), b.getI64IntegerAttr(splits),
      b.getI64IntegerAttr(schedule.getHeadGroup()));
  if (splits > 1)
    splitId = sg::SplitIdOp::create(b, loc, b.getIndexType(), splits);
  // scf.parallel iterates (batch, head, query tile), but canonicalization
  // drops dimensions of extent 1; each remaining one is identified by the
  // pack_q operand it feeds (the query tile through pos = tile * block_q).
  // Packed heads: the head operand is group * heads; split-KV: the split
  // is the offset of the finalize's workspace slice.
  SmallVector<Value> ivs;
  if (par)
    ivs = par.getInductionVars();
  auto scaled = [](Value v, Value iv) {
    auto mul = v.getDefiningOp<arith::MulIOp>();
    return v == iv || (mul && (mul.getLhs() == iv || mul.getRhs() == iv));
  };
  Value splitIv;
  if (merge)
    splitIv = finalize.getOut()
                  .getDefiningOp<memref::SubViewOp>()
                  .getOffsets()
                  .front();
  for (Value iv : ivs) {
    if (iv == pack.getBatch())
      map.map(iv, ids.getBatch());
    else if (scaled(pack.getHead(), iv))
      map.map(iv, ids.getHead());
    else if (scaled(pack.getPos(), iv))
      map.map(iv, ids.getQTile());
    else if (iv == splitIv)
      map.map(iv, splitId);
    else
      return par.emitOpError("the kernel level cannot tell which of batch, "
                             "head, query tile or split this dimension is");
  }
  // Constants the tile uses from the function body.
  for (Operation &op : func.getBody().front())
    if (isa<arith::ConstantOp>(op))
      b.clone(op, map);

  // Shared memory: the Q tile, then the K/V stages (one ring, or the K
  // ring then the V ring), each 1024-byte aligned.
  // (tcgen05: the "producer" role loads and issues the MMAs.)
  sg::RoleAttr math, load, correction;
  for (Attribute a : schedule.getRoles()) {
    auto r = cast<sg::RoleAttr>(a);
    (r.getName() == "math"         ? math
     : r.getName() == "correction" ? correction
                                   : load) = r;
  }
  specialized = static_cast<bool>(load);
  int64_t consumers = specialized ? math.getNumWarps() / 4 : 0;
  // A packed Q tile is one TMA box of `heads` heads x `positions` rows,
  // laid out as block_q consecutive rows like an unpacked one.
  auto qTile = sg::SmemType::get(ctx, schedule.getBlockQ(), headDim, elt,
                                 schedule.getBlockQ());
  auto kvTile = sg::SmemType::get(ctx, schedule.getBlockKv(), headDim, elt,
                                  schedule.getBlockKv());
  valueInKey = schedule.getValueInKey();
  valueSplit = schedule.getValueSplit();
  wgCols = schedule.getWarpgroupValueCols();
  dv = schedule.getDv();
  auto qRingT =
      sg::RingType::get(ctx, 1, b.getStrArrayAttr({"q"}), qTile, 0, false);
  qRing = sg::RingCreateOp::create(b, loc, qRingT, b.getI64IntegerAttr(0));
  int64_t offset = llvm::alignTo(qRingT.getBytes(), 1024);
  int64_t end = offset;
  auto createRing = [&](ArrayRef<StringRef> slots, bool votes,
                        int64_t ringConsumers) {
    auto t =
        sg::RingType::get(ctx, schedule.getStages(), b.getStrArrayAttr(slots),
                          kvTile, ringConsumers, votes);
    Value r = sg::RingCreateOp::create(b, loc, t, b.getI64IntegerAttr(offset));
    end = offset + t.getBytes();
    offset = llvm::alignTo(end, 1024);
    return r;
  };
  // verifySchedule (in analyze) saw the load role and the skipping.
  gateV = schedule.getGateV();
  overlap = schedule.getOverlap();
  if (tc) {
    // K is read by the MMA issuer alone; V is voted on by every math
    // warpgroup and released by the issuer on their behalf.
    kRing = createRing({"k"}, false, 1);
    vRing = createRing({"v"}, true, consumers);
  } else if (specialized && valueInKey) {
    // One ring: a block's stage holds K and, in its first columns, V; it
    // is released after P.V (the loop's end releases "vRing").
    kRing = vRing = createRing({"k"}, false, consumers);
  } else if (specialized) {
    kRing = createRing({"k"}, false, consumers);
    vRing = createRing({"v"}, gateV, consumers);
  } else {
    kRing = vRing = createRing({"k", "v"}, false, consumers);
  }
  if (tc) {
    // Tensor memory (S and O of every math warpgroup, P inside S) and the
    // pipes on which the issuer's commits say S is ready and O complete.
    int64_t columns = llvm::PowerOf2Ceil(oColumn(schedule.getMathWarpgroups()));
    tmem = sg::TmemAllocOp::create(
        b, loc, sg::TmemType::get(ctx, std::max<int64_t>(columns, 32)));
    sReady = sg::PipeCreateOp::create(b, loc, sg::PipeType::get(ctx, 1, 0));
    oDone = sg::PipeCreateOp::create(b, loc, sg::PipeType::get(ctx, 1, 0));
    // The hand-over to the correction warpgroup and back to the issuer:
    // every math warp, then every correction warp, arrives per block.
    // Neither side runs more than a block ahead (the issuer commits S of
    // block n + 1 only after the rescale for block n); two stages are
    // what the protocol verifier asks of a pipe without a ring handshake.
    factorsReady = sg::PipeCreateOp::create(
        b, loc, sg::PipeType::get(ctx, 2, math.getNumWarps()));
    oScaled = sg::PipeCreateOp::create(
        b, loc, sg::PipeType::get(ctx, 2, correction.getNumWarps()));
  }
  // A value split: the exchange buffers follow the rings.
  if (valueSplit > 1) {
    splitKeys = schedule.getBlockKv() / valueSplit;
    probsOffset = llvm::alignTo(end, 16);
    maximaOffset = probsOffset + 128 * schedule.getBlockKv();
    end = maximaOffset + 1024;
  }
  // Split-KV: the merge flag follows the rings.
  flagOffset = end;
  if (merge)
    workspace = param(merge.getPartialOut());

  if (specialized) {
    // Scalars once for both roles (the loops of both walk the same blocks).
    if (failed(emitTile(Part::Scalars)))
      return failure();
    emitKVBounds();
    emitLoadRole(load);
    if (correction)
      emitCorrectionRole(correction);
  }
  auto role = sg::WarpRoleOp::create(b, loc, math);
  role.getBody().push_back(new Block());
  b.setInsertionPointToStart(&role.getBody().front());
  if (!specialized)
    leader = sg::ElectOp::create(b, loc, b.getI1Type());
  Value wg = sg::WarpgroupIdOp::create(b, loc, b.getIndexType());
  mathWarpgroup = wg;
  pingpong = schedule.getPingpong();
  // A value split: every warpgroup computes the tile's rows, each with
  // its slice of V's columns.
  unitRow = valueSplit > 1
                ? cIdx(0)
                : arith::MulIOp::create(b, loc, wg, cIdx(wgRows)).getResult();
  if (valueSplit > 1)
    valueCol = arith::MulIOp::create(b, loc, wg, cIdx(wgCols));
  if (failed(emitTile(specialized ? Part::Math : Part::All)))
    return failure();
  // The math role reads tensor memory last (O, after the final commit).
  if (tc)
    sg::TmemDeallocOp::create(b, loc, tmem,
                              b.getI64IntegerAttr(math.getNumWarps() * 32));
  sg::YieldOp::create(b, loc);
  b.setInsertionPointToEnd(&entry);
  gpu::ReturnOp::create(b, loc);

  // One launch contract per kernel of the module.
  int64_t threads = schedule.getThreads();
  SmallVector<Attribute> launches;
  if (auto prior = module->getAttrOfType<ArrayAttr>(sg::kLaunchAttrName))
    launches.append(prior.begin(), prior.end());
  // Split-KV workspace: partial outputs and log-sum-exps (f32), then one
  // i32 counter per tile.
  int64_t tiles = qTiles * (qHeads / heads) * batch;
  int64_t workspaceBytes =
      merge ? 4 * (splits * batch * qHeads * qLen * (dv + 1) + tiles) : 0;
  launches.push_back(sg::LaunchAttr::get(
      ctx, func.getName(), {qTiles * splits, qHeads / heads, batch},
      {threads, 1, 1}, schedule.getSharedBytes(), b.getArrayAttr(kinds),
      {64, positions, heads},
      {64, pageTable ? std::min(pageSize, schedule.getBlockKv())
                     : schedule.getBlockKv()},
      workspaceBytes, tmaStore ? outBox() : SmallVector<int64_t>()));
  module->setAttr(sg::kLaunchAttrName, b.getArrayAttr(launches));
  kernel->setAttr("nvvm.maxntid", b.getDenseI32ArrayAttr(
                                      {static_cast<int32_t>(threads), 1, 1}));
  // ptxas honours setmaxnreg only when it knows the register count at
  // entry: the CTAs per SM give it (65536 / (threads x CTAs), rounded down
  // to 8), and with two the registers at entry leave room for both.
  if (specialized)
    kernel->setAttr("nvvm.minctasm",
                    b.getI32IntegerAttr(schedule.getCtasPerSm()));
  func.erase();
  return success();
}

} // namespace mlir::skipattn::kernel_level

LogicalResult mlir::skipattn::convertToKernelLevel(func::FuncOp func) {
  return kernel_level::KernelBuilder(func).run();
}

namespace {
struct ConvertSkipAttnToSkipAttnGPU
    : mlir::skipattn::impl::ConvertSkipAttnToSkipAttnGPUBase<
          ConvertSkipAttnToSkipAttnGPU> {
  void runOnOperation() override {
    SmallVector<func::FuncOp> targets;
    getOperation().walk([&](func::FuncOp f) {
      if (!f.isExternal() && f.walk([](BlockedKVOp) {
                                return WalkResult::interrupt();
                              }).wasInterrupted())
        targets.push_back(f);
    });
    for (func::FuncOp f : targets)
      if (failed(convertToKernelLevel(f)))
        return signalPassFailure();
  }
};
} // namespace
