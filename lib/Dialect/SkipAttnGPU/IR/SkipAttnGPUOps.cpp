//===- SkipAttnGPUOps.cpp - skipattn_gpu op verifiers ---------------------===//
//
// Each verifier checks the layout contract its lowering relies on: shapes
// that wgmma can issue, operands that share a fragment layout, rings and
// slots that exist.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPU.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::skipattn_gpu;

#define GET_OP_CLASSES
#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUOps.cpp.inc"

/// The schedule of the kernel enclosing `op`, if any.
static ScheduleAttr scheduleOf(Operation *op) {
  auto f = op->getParentOfType<gpu::GPUFuncOp>();
  return f ? f->getAttrOfType<ScheduleAttr>(kScheduleAttrName) : ScheduleAttr();
}

/// A packed tile's positions per head divide the warpgroup's 64 rows.
static LogicalResult verifyRowsPerHead(Operation *op, int64_t rows) {
  if (rows < 0 || (rows > 0 && kWarpgroupRows % rows))
    return op->emitOpError("rows_per_head must divide the 64 rows of a "
                           "warpgroup, got ")
           << rows;
  return success();
}

LogicalResult TileIdOp::verify() {
  int64_t tiles = getQTilesAttr().getInt(), splits = getKvSplitsAttr().getInt();
  if (tiles < 1 || tiles > INT32_MAX)
    return emitOpError("q_tiles must be in [1, 2^31 - 1], got ") << tiles;
  if (splits < 1 || splits > 1024 || tiles * splits > INT32_MAX)
    return emitOpError("kv_splits must be in [1, 1024] with q_tiles x "
                       "kv_splits below 2^31, got ")
           << splits;
  int64_t group = getHeadGroupAttr().getInt();
  if (group < 0 || group > INT32_MAX)
    return emitOpError("head_group must be 0 (each head's tiles in a row) or "
                       "a group size below 2^31, got ")
           << group;
  return success();
}

LogicalResult SplitIdOp::verify() {
  if (getKvSplitsAttr().getInt() < 1 || getKvSplitsAttr().getInt() > 1024)
    return emitOpError("kv_splits must be in [1, 1024], got ") << getKvSplits();
  return success();
}

LogicalResult SplitMergeOp::verify() {
  Type t = getElementType();
  if (!t.isBF16() && !t.isF16())
    return emitOpError("merges into f16 or bf16, not ") << t;
  // The attributes are signed i64 (a negative one must not pass as huge).
  auto v = [](IntegerAttr a) { return a.getInt(); };
  if (v(getKvSplitsAttr()) < 1 || v(getPlanesAttr()) < 1 ||
      v(getQLenAttr()) < 1 || v(getRowsAttr()) < 1 ||
      v(getRowsAttr()) % kWarpgroupRows || v(getColsAttr()) < 2 ||
      v(getColsAttr()) % 2 || v(getThreadsAttr()) < 32 ||
      v(getThreadsAttr()) % 32 || v(getFlagOffsetAttr()) < 0)
    return emitOpError("kv_splits, planes, q_len and flag_offset must be "
                       "positive (flag_offset >= 0), rows a multiple of 64, "
                       "cols even and threads whole warps");
  if (failed(verifyRowsPerHead(*this, getRowsPerHead())))
    return failure();
  ArrayRef<int64_t> strides = getStrides();
  if (strides.size() != 3 ||
      llvm::any_of(strides, [](int64_t s) { return s < 0 || s % 2; }))
    return emitOpError("strides are three non-negative even element strides "
                       "(batch, head, row)");
  return success();
}

LogicalResult SplatOp::verify() {
  if (auto rows = dyn_cast<RowsType>(getResult().getType()))
    if (!rows.getElementType().isF32())
      return emitOpError("splats an f32 value, so per-row results are f32");
  return success();
}

LogicalResult WarpRoleOp::verify() {
  if (getOperation()->getParentOfType<WarpRoleOp>())
    return emitOpError("roles do not nest");
  ScheduleAttr schedule = scheduleOf(*this);
  if (!schedule)
    return emitOpError("must be inside a gpu.func carrying a ")
           << "#skipattn_gpu.schedule";
  if (!llvm::is_contained(schedule.getRoles().getValue(), getRole()))
    return emitOpError("role '")
           << getRole().getName() << "' is not one of the schedule's roles";
  return success();
}

LogicalResult ElectOp::verify() {
  auto role = getOperation()->getParentOfType<WarpRoleOp>();
  if (!role)
    return emitOpError("must be inside a skipattn_gpu.warp_role");
  int64_t warp = getWarpAttr().getInt();
  if (warp < 0 || warp >= role.getRole().getNumWarps())
    return emitOpError("warp ") << warp << " is not one of the role's "
                                << role.getRole().getNumWarps() << " warps";
  return success();
}

LogicalResult WarpgroupIdOp::verify() {
  if (!getOperation()->getParentOfType<WarpRoleOp>())
    return emitOpError("must be inside a skipattn_gpu.warp_role");
  return success();
}

LogicalResult RingCreateOp::verify() {
  int64_t offset = getOffsetAttr().getInt();
  if (offset < 0 || offset % 1024)
    return emitOpError("offset must be a non-negative multiple of 1024 (the "
                       "swizzle period), got ")
           << offset;
  return success();
}

/// Checks that `ring` comes from a ring.create (its buffers and barriers
/// are placed there) and, if given, that `slot` names one of its slots.
static LogicalResult checkRing(Operation *op, Value ring, StringRef slot) {
  if (!ring.getDefiningOp<RingCreateOp>())
    return op->emitOpError("ring must be defined by skipattn_gpu.ring.create");
  if (!slot.empty() && cast<RingType>(ring.getType()).getSlotIndex(slot) < 0)
    return op->emitOpError("ring has no slot '") << slot << "'";
  return success();
}

void RingPutOp::build(OpBuilder &b, OperationState &state, Value ring,
                      Value block, StringRef slot, Value pred, int64_t bytes) {
  state.addOperands({ring, block, pred});
  state.addAttribute(getSlotAttrName(state.name), b.getStringAttr(slot));
  state.addAttribute(getBytesAttrName(state.name), b.getI64IntegerAttr(bytes));
  Region *body = state.addRegion();
  Block *entry = new Block();
  entry->addArgument(cast<RingType>(ring.getType()).getTile(), state.location);
  body->push_back(entry);
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToEnd(entry);
  YieldOp::create(b, state.location);
}

LogicalResult RingPutOp::verify() {
  auto ring = cast<RingType>(getRing().getType());
  if (failed(checkRing(*this, getRing(), getSlot())))
    return failure();
  Block &body = getBody().front();
  if (body.getNumArguments() != 1 ||
      body.getArgument(0).getType() != ring.getTile())
    return emitOpError("body takes the slot tile ") << ring.getTile();
  // The body is the loads alone: their coordinates come from outside, so
  // the lowering can issue them where the barrier is armed.
  int64_t written = 0;
  for (Operation &op : body.without_terminator()) {
    auto load = dyn_cast<TmaLoadOp>(op);
    if (!load)
      return emitOpError("body holds only skipattn_gpu.tma_load ops, not '")
             << op.getName() << "'";
    for (Value v : {load.getRow(), load.getHead(), load.getBatch()})
      if (getBody().isAncestor(v.getParentRegion()))
        return emitOpError("TMA coordinates must be defined outside the "
                           "body");
    auto tile = cast<SmemType>(load.getDst().getType());
    written += tile.getBytes() / tile.getRows() * load.getBoxRows();
  }
  if (written != static_cast<int64_t>(getBytes()))
    return emitOpError("arms its barrier for ")
           << getBytes() << " bytes but its TMA loads write " << written;
  return success();
}

LogicalResult TmaLoadOp::verify() {
  auto put = cast<RingPutOp>(getOperation()->getParentOp());
  if (getDst() != put.getBody().front().getArgument(0))
    return emitOpError("must write the slot of its ring.put");
  int64_t first = getSlotRowAttr().getInt(), rows = getRowsAttr().getInt();
  int64_t slotRows = cast<SmemType>(getDst().getType()).getRows();
  if (first < 0 || rows < 0 || first % 8 || rows % 8 ||
      first + getBoxRows() > slotRows)
    return emitOpError("writes rows [")
           << first << ", " << first + getBoxRows() << ") of a " << slotRows
           << "-row slot; they must lie in it and start and end at "
              "multiples of 8";
  return success();
}

LogicalResult RingWaitOp::verify() {
  auto ring = cast<RingType>(getRing().getType());
  if (failed(checkRing(*this, getRing(), getSlot())))
    return failure();
  if (getTile().getType() != ring.getTile())
    return emitOpError("result must be the slot tile ") << ring.getTile();
  return success();
}

LogicalResult RingDrainOp::verify() {
  return checkRing(*this, getRing(), getSlot());
}

LogicalResult RingReleaseOp::verify() {
  if (failed(checkRing(*this, getRing(), "")))
    return failure();
  // Empty barriers count one arrival per consumer warpgroup, so the
  // releasing role must have exactly that many.
  auto ring = cast<RingType>(getRing().getType());
  auto role = getOperation()->getParentOfType<WarpRoleOp>();
  if (getCommit()) {
    if (ring.getConsumers() == 0)
      return emitOpError("a commit release needs a ring with consumers "
                         "(its empty barriers)");
    return success();
  }
  if (ring.getConsumers() > 0 && role &&
      role.getRole().getNumWarps() != 4 * ring.getConsumers())
    return emitOpError("the ring's empty barriers expect ")
           << ring.getConsumers() << " consumer warpgroups, but role '"
           << role.getRole().getName() << "' has "
           << role.getRole().getNumWarps() << " warps";
  return success();
}

/// Turns alternate the two math warpgroups of a pingpong schedule.
static LogicalResult verifyTurn(Operation *op) {
  ScheduleAttr schedule = scheduleOf(op);
  auto role = op->getParentOfType<WarpRoleOp>();
  if (!schedule || !schedule.getPingpong())
    return op->emitOpError("needs a kernel whose schedule has pingpong");
  if (!role || role.getRole().getName() != "math")
    return op->emitOpError("must be inside the math role");
  return success();
}

LogicalResult TurnTakeOp::verify() { return verifyTurn(*this); }
LogicalResult TurnPassOp::verify() { return verifyTurn(*this); }

static LogicalResult checkVotes(Operation *op, Value ring) {
  if (!cast<RingType>(ring.getType()).getVotes())
    return op->emitOpError("needs a ring with votes");
  return success();
}

LogicalResult RingVoteOp::verify() {
  if (failed(checkRing(*this, getRing(), "")) ||
      failed(checkVotes(*this, getRing())))
    return failure();
  // Each consumer warpgroup casts one vote.
  auto ring = cast<RingType>(getRing().getType());
  auto role = getOperation()->getParentOfType<WarpRoleOp>();
  if (role && role.getRole().getNumWarps() != 4 * ring.getConsumers())
    return emitOpError("the ring's vote barriers expect ")
           << ring.getConsumers() << " consumer warpgroups, but role '"
           << role.getRole().getName() << "' has "
           << role.getRole().getNumWarps() / 4;
  return success();
}

LogicalResult RingVotesOp::verify() {
  if (failed(checkRing(*this, getRing(), "")))
    return failure();
  return checkVotes(*this, getRing());
}

LogicalResult RingBallotOp::verify() {
  if (failed(checkRing(*this, getRing(), "")))
    return failure();
  return checkVotes(*this, getRing());
}

LogicalResult RingCompleteOp::verify() {
  if (failed(checkRing(*this, getRing(), getSlot())))
    return failure();
  return checkVotes(*this, getRing());
}

LogicalResult RingAcquireOp::verify() {
  if (failed(checkRing(*this, getRing(), "")))
    return failure();
  if (cast<RingType>(getRing().getType()).getConsumers() == 0)
    return emitOpError("needs a ring with consumers (empty barriers); "
                       "without them the consumers release by a CTA barrier");
  return success();
}

LogicalResult SubtileOp::verify() {
  auto src = cast<SmemType>(getSource().getType());
  auto dst = cast<SmemType>(getResult().getType());
  if (dst.getElementType() != src.getElementType() ||
      dst.getPitch() != src.getPitch() || dst.getRows() > src.getRows())
    return emitOpError("result must be rows of the source with the same "
                       "element type and pitch");
  if (!getCol() && dst.getCols() != src.getCols())
    return emitOpError("without a column the result has the source's "
                       "columns");
  if (getCol() && (dst.getCols() > src.getCols() || dst.getCols() % 64))
    return emitOpError("a column range is whole 64-column boxes of the "
                       "source");
  APInt c;
  if (getCol() && matchPattern(getCol(), m_ConstantInt(&c)) &&
      (c.getSExtValue() % 64 ||
       c.getSExtValue() + dst.getCols() > src.getCols()))
    return emitOpError("column ")
           << c.getSExtValue() << " + " << dst.getCols()
           << " is not a range of whole boxes inside the source's "
           << src.getCols() << " columns";
  return success();
}

LogicalResult ExchangeRowsOp::verify() {
  auto t = cast<RowsType>(getValue().getType());
  if (t.getRows() != kWarpgroupRows || !t.getElementType().isF32())
    return emitOpError("exchanges a wgmma warpgroup's 64 f32 rows");
  if (getCombine() != "max" && getCombine() != "add")
    return emitOpError("combine is \"max\" or \"add\", got \"")
           << getCombine() << "\"";
  if ((getCombine() == "max") == t.getPartial())
    return emitOpError("max combines full rows (block maxima), add partial "
                       "ones (row sums)");
  if (getOffset() < 0 || getOffset() % 16)
    return emitOpError("offset must be a non-negative multiple of 16");
  return success();
}

LogicalResult ExchangeProbsOp::verify() {
  auto p = cast<OperandType>(getProbs().getType());
  auto r = cast<OperandType>(getResult().getType());
  if (p.getRows() != kWarpgroupRows || r.getRows() != p.getRows() ||
      r.getElementType() != p.getElementType() ||
      r.getCols() != 2 * p.getCols() || p.getCols() % 16)
    return emitOpError("concatenates two 64-row operands of whole k-steps "
                       "(16 columns) into one of twice the columns");
  if (getOffset() < 0 || getOffset() % 16)
    return emitOpError("offset must be a non-negative multiple of 16");
  return success();
}

/// The first use of an MMA's result that is not a wait: the result may
/// also be yielded by an scf.if whose result is itself only waited for.
static Operation *unwaitedUser(Value v) {
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    if (isa<MmaWaitOp>(user))
      continue;
    auto ifOp = isa<scf::YieldOp>(user)
                    ? dyn_cast<scf::IfOp>(user->getParentOp())
                    : scf::IfOp();
    if (!ifOp)
      return user;
    if (Operation *inner = unwaitedUser(ifOp.getResult(use.getOperandNumber())))
      return inner;
  }
  return nullptr;
}

LogicalResult MmaOp::verify() {
  auto b = cast<SmemType>(getB().getType());
  auto res = cast<AccType>(getResult().getType());
  int64_t m, k;
  Type aElt;
  if (auto a = dyn_cast<SmemType>(getA().getType())) {
    m = a.getRows();
    k = a.getCols();
    aElt = a.getElementType();
  } else {
    auto op = cast<OperandType>(getA().getType());
    m = op.getRows();
    k = op.getCols();
    aElt = op.getElementType();
    if (getBMajor() != Major::mn)
      return emitOpError("a register A operand multiplies an MN-major B");
  }
  if (m != kWarpgroupRows)
    return emitOpError("A must have 64 rows (one warpgroup), got ") << m;
  if (res.getRows() != kWarpgroupRows)
    return emitOpError("wgmma accumulates into a 64-row accumulator");
  if (aElt != b.getElementType())
    return emitOpError("A and B element types differ");
  int64_t bk = getBMajor() == Major::k ? b.getCols() : b.getRows();
  int64_t bn = getBMajor() == Major::k ? b.getRows() : b.getCols();
  if (bk != k)
    return emitOpError("contraction sizes differ: A has ")
           << k << ", B has " << bk;
  if (res.getCols() != bn)
    return emitOpError("result must have ") << bn << " columns";
  if (getAcc() && getAcc().getType() != res)
    return emitOpError("acc and result types differ");
  if (getBMajor() == Major::k && !isa<SmemType>(getA().getType()))
    return emitOpError("a K-major B needs A in shared memory");
  if (Operation *user = unwaitedUser(getResult()))
    return emitOpError("result is not ready before skipattn_gpu.mma_wait; ")
           << "'" << user->getName() << "' uses it";
  return success();
}

LogicalResult MmaWaitOp::verify() {
  if (getPendingAttr().getInt() < 0)
    return emitOpError("pending must be non-negative");
  if (getMma().getType() != getResult().getType())
    return emitOpError("result type must match the MMA's");
  return success();
}

LogicalResult RowLimitsOp::verify() {
  auto t = cast<RowsType>(getLimits().getType());
  if (!t.getElementType().isInteger(32) || t.getPartial())
    return emitOpError("limits are full i32 rows");
  if (getQLenAttr().getInt() < 1)
    return emitOpError("q_len must be positive");
  return verifyRowsPerHead(*this, getRowsPerHead());
}

static LogicalResult checkRows(Operation *op, Value v, bool wantI32,
                               bool partial, StringRef what) {
  auto t = cast<RowsType>(v.getType());
  if (t.getElementType().isInteger(32) != wantI32 || t.getPartial() != partial)
    return op->emitOpError()
           << what << " must be " << (partial ? "partial " : "full ")
           << (wantI32 ? "i32" : "f32") << " rows";
  return success();
}

LogicalResult MaskOp::verify() {
  if (getScores().getType() != getResult().getType())
    return emitOpError("result type must match the scores'");
  return checkRows(*this, getLimits(), true, false, "limits");
}

LogicalResult RowMaxOp::verify() {
  return checkRows(*this, getResult(), false, false, "result");
}

LogicalResult SkipVoteOp::verify() {
  if (failed(checkRows(*this, getBlockMax(), false, false, "block_max")) ||
      failed(checkRows(*this, getRowMax(), false, false, "row_max")))
    return failure();
  return success();
}

/// The conditional rescale's bases (online_update, row_update): present
/// together with a positive threshold, and rows like the maximum's.
static LogicalResult verifyBases(Operation *op, Value base, Value newBase,
                                 Value rowMax, int64_t threshold) {
  if (static_cast<bool>(base) != static_cast<bool>(newBase) ||
      static_cast<bool>(base) != (threshold > 0))
    return op->emitOpError("a base, a new base and a positive "
                           "rescale_threshold come together (the "
                           "conditional rescale)");
  if (base && (base.getType() != rowMax.getType() ||
               newBase.getType() != rowMax.getType()))
    return op->emitOpError("the bases are full f32 rows like row_max");
  return success();
}

LogicalResult OnlineUpdateOp::verify() {
  if (failed(checkRows(*this, getBlockMax(), false, false, "block_max")) ||
      failed(checkRows(*this, getRowMax(), false, false, "row_max")) ||
      failed(checkRows(*this, getRowSum(), false, true, "row_sum")) ||
      failed(checkRows(*this, getNewRowMax(), false, false, "new_row_max")) ||
      failed(checkRows(*this, getNewRowSum(), false, true, "new_row_sum")))
    return failure();
  if (getAcc().getType() != getNewAcc().getType())
    return emitOpError("new_acc type must match acc's");
  if (failed(verifyBases(*this, getBase(), getNewBase(), getRowMax(),
                         getRescaleThreshold())))
    return failure();
  auto s = cast<AccType>(getScores().getType());
  auto p = cast<OperandType>(getProbs().getType());
  if (p.getCols() != s.getCols())
    return emitOpError("probs must have the scores' ")
           << s.getCols() << " columns";
  return success();
}

LogicalResult RowUpdateOp::verify() {
  if (failed(checkRows(*this, getBlockMax(), false, false, "block_max")) ||
      failed(checkRows(*this, getRowSum(), false, true, "row_sum")))
    return failure();
  auto s = cast<AccType>(getScores().getType());
  auto m = cast<RowsType>(getRowMax().getType());
  auto l = cast<RowsType>(getRowSum().getType());
  int64_t rows = s.getRows();
  // f32 probabilities: the scores' fragment, packed later by to_operand.
  if (auto f = dyn_cast<AccType>(getProbs().getType())) {
    if (rows != kWarpgroupRows || f != s || m.getRows() != rows ||
        l.getRows() != rows)
      return emitOpError("f32 probabilities are a warpgroup's 64-row "
                         "fragment of the scores' type (a 128-row tile's go "
                         "to tensor memory packed)");
    return verifyBases(*this, getBase(), getNewBase(), getRowMax(),
                       getRescaleThreshold());
  }
  auto p = cast<OperandType>(getProbs().getType());
  if ((rows != kTmemLanes && rows != kWarpgroupRows) || p.getRows() != rows ||
      m.getRows() != rows || l.getRows() != rows)
    return emitOpError("updates a 128-row tile (one row per thread) or a "
                       "warpgroup's 64-row fragment, all of its operands "
                       "alike");
  if (failed(verifyBases(*this, getBase(), getNewBase(), getRowMax(),
                         getRescaleThreshold())))
    return failure();
  if (p.getCols() != s.getCols())
    return emitOpError("probs must have the scores' ")
           << s.getCols() << " columns";
  return success();
}

//===----------------------------------------------------------------------===//
// Tensor memory
//===----------------------------------------------------------------------===//

LogicalResult TmemAllocOp::verify() {
  if (getOperation()->getParentOfType<WarpRoleOp>())
    return emitOpError("runs on every thread of the CTA, outside the roles");
  return success();
}

LogicalResult TmemDeallocOp::verify() {
  auto role = getOperation()->getParentOfType<WarpRoleOp>();
  if (!role)
    return emitOpError("must be inside the role that last reads tensor "
                       "memory");
  if (getThreads() != 32 * role.getRole().getNumWarps())
    return emitOpError("threads must be the role's ")
           << 32 * role.getRole().getNumWarps();
  return success();
}

/// Columns `[column, column + n)` lie inside the allocation.
static LogicalResult checkColumns(Operation *op, Value tmem, int64_t column,
                                  int64_t n) {
  int64_t total = cast<TmemType>(tmem.getType()).getColumns();
  if (n > total)
    return op->emitOpError("needs ")
           << n << " columns of the " << total << " allocated";
  if (column < 0 || column + n > total)
    return op->emitOpError("columns [")
           << column << ", " << column + n << ") exceed the " << total
           << " allocated";
  return success();
}

/// The same for a column given as an SSA value (checked when constant).
static LogicalResult checkColumns(Operation *op, Value tmem, Value column,
                                  int64_t n) {
  APInt c;
  if (matchPattern(column, m_ConstantInt(&c)))
    return checkColumns(op, tmem, c.getSExtValue(), n);
  return checkColumns(op, tmem, int64_t(0), n);
}

/// A value per row of a 128-row tile: one f32 column of tensor memory.
static LogicalResult checkTmemRows(Operation *op, RowsType t, Value tmem,
                                   Value column) {
  if (t.getRows() != kTmemLanes || !t.getElementType().isF32())
    return op->emitOpError("moves one f32 value per row of a 128-row tile");
  return checkColumns(op, tmem, column, 1);
}

LogicalResult TmemLoadOp::verify() {
  if (auto rows = dyn_cast<RowsType>(getResult().getType()))
    return checkTmemRows(*this, rows, getTmem(), getColumn());
  auto t = cast<AccType>(getResult().getType());
  if (t.getRows() != kTmemLanes || t.getCols() % 32)
    return emitOpError("loads 128-row tiles of whole 32-column pieces");
  return checkColumns(*this, getTmem(), Value(getColumn()), t.getCols());
}

LogicalResult TmemStoreOp::verify() {
  if (auto r = dyn_cast<RowsType>(getValue().getType()))
    return checkTmemRows(*this, r, getTmem(), getColumn());
  int64_t rows, cols;
  if (auto a = dyn_cast<AccType>(getValue().getType())) {
    rows = a.getRows();
    cols = a.getCols();
  } else {
    auto o = cast<OperandType>(getValue().getType());
    rows = o.getRows();
    cols = o.getCols() / 2;
  }
  if (rows != kTmemLanes || cols % 16)
    return emitOpError("stores 128-row tiles of whole 16-column pieces");
  return checkColumns(*this, getTmem(), Value(getColumn()), cols);
}

LogicalResult ScaleRowsOp::verify() {
  if (failed(checkRows(*this, getFactors(), false, false, "factors")))
    return failure();
  int64_t rows = getAcc().getType().getRows();
  if (rows != kWarpgroupRows ||
      cast<RowsType>(getFactors().getType()).getRows() != rows)
    return emitOpError("scales a warpgroup's 64-row accumulator by one "
                       "factor per row (an accumulator in tensor memory is "
                       "scaled by tmem.scale)");
  return success();
}

LogicalResult ToOperandOp::verify() {
  auto v = getValue().getType();
  auto r = getResult().getType();
  if (v.getRows() != kWarpgroupRows || r.getRows() != v.getRows() ||
      r.getCols() != v.getCols())
    return emitOpError("packs a warpgroup's 64-row fragment into an operand "
                       "of the same shape");
  return success();
}

LogicalResult TmemScaleOp::verify() {
  if (failed(checkRows(*this, getFactors(), false, false, "factors")))
    return failure();
  if (cast<RowsType>(getFactors().getType()).getRows() != kTmemLanes)
    return emitOpError("factors are one per tensor-memory lane (128 rows)");
  if (getCols() < 16 || getCols() % 16)
    return emitOpError("cols must be a positive multiple of 16");
  return checkColumns(*this, getTmem(), Value(getColumn()), getCols());
}

int64_t MmaTmemOp::getN() {
  auto b = cast<SmemType>(getB().getType());
  return getBMajor() == Major::k ? b.getRows() : b.getCols();
}

int64_t MmaTmemOp::getK() {
  auto b = cast<SmemType>(getB().getType());
  return getBMajor() == Major::k ? b.getCols() : b.getRows();
}

LogicalResult MmaTmemOp::verify() {
  auto b = cast<SmemType>(getB().getType());
  int64_t n = getN(), k = getK();
  if (n < 16 || n > 256 || n % 16)
    return emitOpError("N must be a multiple of 16 in [16, 256], got ") << n;
  if (k % 16)
    return emitOpError("K must be a multiple of 16, got ") << k;
  if (auto a = dyn_cast<SmemType>(getA().getType())) {
    if (a.getRows() != kTmemLanes || a.getCols() != k ||
        a.getElementType() != b.getElementType())
      return emitOpError("a shared A is 128 x K of B's element type");
    if (getBMajor() != Major::k)
      return emitOpError("a shared A (Q) multiplies a K-major B");
  } else {
    if (getBMajor() != Major::mn)
      return emitOpError("A in tensor memory (P) multiplies an MN-major B");
    if (failed(checkColumns(*this, getA(), getAColumn(), k / 2)))
      return failure();
  }
  return checkColumns(*this, getD(), getDColumn(), n);
}

static LogicalResult checkPipe(Operation *op, Value pipe) {
  if (!pipe.getDefiningOp<PipeCreateOp>())
    return op->emitOpError("pipe must be defined by skipattn_gpu.pipe.create");
  return success();
}

LogicalResult PipeCommitOp::verify() {
  if (failed(checkPipe(*this, getPipe())))
    return failure();
  if (getPipe().getType().getArrivals())
    return emitOpError("commits to a pipe of one arrival (warps arrive on a "
                       "pipe with arrivals)");
  return success();
}

LogicalResult PipeArriveOp::verify() {
  if (failed(checkPipe(*this, getPipe())))
    return failure();
  if (!getPipe().getType().getArrivals())
    return emitOpError("arrives on a pipe with arrivals (the MMA issuer "
                       "commits to the others)");
  return success();
}
LogicalResult PipeWaitOp::verify() { return checkPipe(*this, getPipe()); }

LogicalResult StoreTileOp::verify() {
  Type t = getElementType();
  if (!t.isBF16() && !t.isF16() && !t.isF32())
    return emitOpError("stores f16, bf16 or f32, not ") << t;
  ArrayRef<int64_t> strides = getStrides();
  if (strides.size() != 3 ||
      llvm::any_of(strides, [](int64_t s) { return s < 0 || s % 2; }))
    return emitOpError("strides are three non-negative even element strides "
                       "(batch, head, row)");
  if (getQLenAttr().getInt() < 1)
    return emitOpError("q_len must be positive");
  if (failed(verifyRowsPerHead(*this, getRowsPerHead())))
    return failure();
  return checkRows(*this, getRowSum(), false, true, "row_sum");
}

LogicalResult TmaStoreTileOp::verify() {
  AccType acc = getAcc().getType();
  SmemType stage = getStage().getType();
  // Whole 64-column boxes of whole 8-row swizzle atoms.
  if (stage.getRows() != acc.getRows() || acc.getCols() % 64 ||
      acc.getCols() > stage.getCols() || stage.getPitch() % 8)
    return emitOpError("the stage must have the accumulator's rows and at "
                       "least its columns (whole 64-column boxes), its "
                       "pitch a multiple of 8 rows");
  int64_t r = getRowsPerHead();
  if (r < 0 || (r > 0 && acc.getRows() % r))
    return emitOpError("rows_per_head must divide the tile's ")
           << acc.getRows() << " rows, got " << r;
  return checkRows(*this, getRowSum(), false, true, "row_sum");
}

LogicalResult StoreLseOp::verify() {
  if (getQLenAttr().getInt() < 1)
    return emitOpError("q_len must be positive");
  if (failed(verifyRowsPerHead(*this, getRowsPerHead())))
    return failure();
  if (failed(checkRows(*this, getRowMax(), false, false, "row_max")))
    return failure();
  return checkRows(*this, getRowSum(), false, true, "row_sum");
}

LogicalResult AddStatsOp::verify() {
  int64_t columns = getColumns(), first = getFirst();
  if ((columns != 2 && columns != 4) || (first != 0 && first != 2) ||
      first + 2 > columns)
    return emitOpError("adds two of the statistics' 2 or 4 columns from "
                       "column 0 or 2, got columns = ")
           << columns << ", first = " << first;
  if (getPerWarp() && getThisThread())
    return emitOpError("counts per warp or in this thread, not both");
  return success();
}
