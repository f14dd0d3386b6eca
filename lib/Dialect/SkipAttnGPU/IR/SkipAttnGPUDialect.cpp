//===- SkipAttnGPUDialect.cpp - skipattn_gpu types and attributes ---------===//
//
// Registers the dialect and implements type/attribute parsing and
// verification.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPU.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::skipattn_gpu;

#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUEnums.cpp.inc"
#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUOpsDialect.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUOpsTypes.cpp.inc"

/// The launch contract's K/V box, then its optional fields, each
/// `, name = value` when it differs from its default: `workspace = N`,
/// `box_out = [...]`.
static ParseResult parseInts(AsmParser &p, SmallVector<int64_t> &out) {
  return p.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
    return p.parseInteger(out.emplace_back());
  });
}

static ParseResult parseLaunchTail(AsmParser &p, SmallVector<int64_t> &boxKV,
                                   int64_t &workspace,
                                   SmallVector<int64_t> &boxOut) {
  workspace = 0;
  boxKV.clear();
  boxOut.clear();
  if (parseInts(p, boxKV))
    return failure();
  while (succeeded(p.parseOptionalComma())) {
    StringRef key;
    if (p.parseKeyword(&key) || p.parseEqual())
      return failure();
    if (key == "workspace") {
      int64_t v;
      if (p.parseInteger(v))
        return failure();
      workspace = v;
    } else if (key == "box_out") {
      if (parseInts(p, boxOut))
        return failure();
    } else {
      return p.emitError(p.getCurrentLocation(),
                         "expected 'workspace' or 'box_out', got '")
             << key << "'";
    }
  }
  return success();
}

static void printLaunchTail(AsmPrinter &p, ArrayRef<int64_t> boxKV,
                            int64_t workspace, ArrayRef<int64_t> boxOut) {
  p << "[";
  llvm::interleaveComma(boxKV, p);
  p << "]";
  if (workspace)
    p << ", workspace = " << workspace;
  if (!boxOut.empty()) {
    p << ", box_out = [";
    llvm::interleaveComma(boxOut, p);
    p << "]";
  }
}

#define GET_ATTRDEF_CLASSES
#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUAttrs.cpp.inc"

void SkipAttnGPUDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUOpsTypes.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPUOps.cpp.inc"
      >();
}

static bool is16Bit(Type t) { return t.isBF16() || t.isF16(); }

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

// smem<RxCxT> or smem<RxCxT, pitch = P>
Type SmemType::parse(AsmParser &p) {
  SmallVector<int64_t> dims;
  Type elt;
  if (p.parseLess() || p.parseDimensionList(dims, /*allowDynamic=*/false) ||
      p.parseType(elt))
    return {};
  if (dims.size() != 2) {
    p.emitError(p.getNameLoc(), "expected rows x cols");
    return {};
  }
  int64_t pitch = dims[0];
  if (succeeded(p.parseOptionalComma()))
    if (p.parseKeyword("pitch") || p.parseEqual() || p.parseInteger(pitch))
      return {};
  if (p.parseGreater())
    return {};
  return getChecked([&] { return p.emitError(p.getNameLoc()); }, p.getContext(),
                    dims[0], dims[1], elt, pitch);
}

void SmemType::print(AsmPrinter &p) const {
  p << "<" << getRows() << "x" << getCols() << "x" << getElementType();
  if (getPitch() != getRows())
    p << ", pitch = " << getPitch();
  p << ">";
}

LogicalResult SmemType::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t rows, int64_t cols, Type elt,
                               int64_t pitch) {
  if (!is16Bit(elt))
    return emitError() << "shared-memory tiles hold f16 or bf16, not " << elt;
  if (rows <= 0 || rows % 8 || rows > 256)
    return emitError() << "rows must be a positive multiple of 8 (a swizzle "
                          "atom) and at most 256 (a TMA box), got "
                       << rows;
  if (cols <= 0 || cols % 64)
    return emitError() << "cols must be a positive multiple of 64 (one "
                          "128-byte swizzled box row), got "
                       << cols;
  if (pitch < rows || pitch % 8 || pitch > 256)
    return emitError() << "pitch must be a multiple of 8, at least rows ("
                       << rows << ") and at most 256 (a TMA box), got "
                       << pitch;
  return success();
}

int64_t RingType::getSlotIndex(StringRef name) const {
  for (auto [i, s] : llvm::enumerate(getSlots()))
    if (cast<StringAttr>(s).getValue() == name)
      return i;
  return -1;
}

LogicalResult RingType::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t stages, ArrayAttr slots, SmemType tile,
                               int64_t consumers, bool votes) {
  if (votes && consumers == 0)
    return emitError() << "votes need consumers (the warpgroups that vote)";
  if (stages < 1 || stages > 8)
    return emitError() << "stages must be in [1, 8], got " << stages;
  if (consumers < 0 || consumers > 8)
    return emitError() << "consumers (warpgroups releasing a stage) must be "
                          "in [0, 8], got "
                       << consumers;
  if (slots.empty())
    return emitError() << "a ring needs at least one slot";
  llvm::StringSet<> seen;
  for (Attribute a : slots) {
    auto s = dyn_cast<StringAttr>(a);
    if (!s || s.getValue().empty())
      return emitError() << "slot names must be non-empty strings";
    if (!seen.insert(s.getValue()).second)
      return emitError() << "duplicate slot '" << s.getValue() << "'";
  }
  if (tile.getPitch() != tile.getRows())
    return emitError() << "ring slots are whole allocations (pitch = rows)";
  return success();
}

/// Parses `<R x C x T>` written as a shape (`64x128xf32`).
static LogicalResult parseShape2(AsmParser &p, int64_t &rows, int64_t &cols,
                                 Type &elt) {
  SmallVector<int64_t> dims;
  if (p.parseLess() || p.parseDimensionList(dims, /*allowDynamic=*/false) ||
      p.parseType(elt) || p.parseGreater())
    return failure();
  if (dims.size() != 2)
    return p.emitError(p.getNameLoc(), "expected rows x cols");
  rows = dims[0];
  cols = dims[1];
  return success();
}

Type AccType::parse(AsmParser &p) {
  int64_t rows, cols;
  Type elt;
  if (failed(parseShape2(p, rows, cols, elt)))
    return {};
  if (!elt.isF32()) {
    p.emitError(p.getNameLoc(), "accumulators are f32");
    return {};
  }
  return getChecked([&] { return p.emitError(p.getNameLoc()); }, p.getContext(),
                    rows, cols);
}

void AccType::print(AsmPrinter &p) const {
  p << "<" << getRows() << "x" << getCols() << "xf32>";
}

Type OperandType::parse(AsmParser &p) {
  int64_t rows, cols;
  Type elt;
  if (failed(parseShape2(p, rows, cols, elt)))
    return {};
  return getChecked([&] { return p.emitError(p.getNameLoc()); }, p.getContext(),
                    rows, cols, elt);
}

void OperandType::print(AsmPrinter &p) const {
  p << "<" << getRows() << "x" << getCols() << "x" << getElementType() << ">";
}

LogicalResult AccType::verify(function_ref<InFlightDiagnostic()> emitError,
                              int64_t rows, int64_t cols) {
  if (rows != kWarpgroupRows && rows != kTmemLanes)
    return emitError() << "a warpgroup accumulator has 64 rows (wgmma) or 128 "
                          "(tensor memory lanes), got "
                       << rows;
  if (cols < 16 || cols > 256 || cols % 16)
    return emitError() << "accumulator columns must be a multiple of 16 in "
                          "[16, 256] (wgmma N), got "
                       << cols;
  return success();
}

LogicalResult OperandType::verify(function_ref<InFlightDiagnostic()> emitError,
                                  int64_t rows, int64_t cols, Type elt) {
  if (rows != kWarpgroupRows && rows != kTmemLanes)
    return emitError() << "a register operand has 64 rows (wgmma) or 128 "
                          "(tensor memory lanes), got "
                       << rows;
  if (cols < 16 || cols % 16)
    return emitError() << "operand columns must be a positive multiple of 16 "
                          "(wgmma K steps), got "
                       << cols;
  if (!is16Bit(elt))
    return emitError() << "register operands are f16 or bf16, not " << elt;
  return success();
}

// rows<64xf32> or rows<64xf32, partial>
Type RowsType::parse(AsmParser &p) {
  SmallVector<int64_t> dims;
  Type elt;
  if (p.parseLess() || p.parseDimensionList(dims, /*allowDynamic=*/false) ||
      p.parseType(elt))
    return {};
  bool partial = false;
  if (succeeded(p.parseOptionalComma())) {
    if (p.parseKeyword("partial"))
      return {};
    partial = true;
  }
  if (p.parseGreater())
    return {};
  if (dims.size() != 1) {
    p.emitError(p.getNameLoc(), "expected one dimension");
    return {};
  }
  return getChecked([&] { return p.emitError(p.getNameLoc()); }, p.getContext(),
                    dims[0], elt, partial);
}

void RowsType::print(AsmPrinter &p) const {
  p << "<" << getRows() << "x" << getElementType();
  if (getPartial())
    p << ", partial";
  p << ">";
}

LogicalResult RowsType::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t rows, Type elt, bool partial) {
  if (rows != kWarpgroupRows && rows != kTmemLanes)
    return emitError() << "per-row fragments have 64 rows (wgmma) or 128 "
                          "(tensor memory lanes), got "
                       << rows;
  if (!elt.isF32() && !elt.isInteger(32))
    return emitError() << "per-row values are f32 or i32, not " << elt;
  if (partial && !elt.isF32())
    return emitError() << "only f32 sums can be partial";
  return success();
}

LogicalResult TmemType::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t columns) {
  // tcgen05.alloc takes a power of two of at least 32 columns.
  if (columns < 32 || columns > 512 || !llvm::isPowerOf2_64(columns))
    return emitError() << "tensor memory is allocated in powers of two from "
                          "32 to 512 columns, got "
                       << columns;
  return success();
}

LogicalResult PipeType::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t stages, int64_t arrivals) {
  if (stages < 1 || stages > 8)
    return emitError() << "stages must be in [1, 8], got " << stages;
  if (arrivals < 0 || arrivals > 32)
    return emitError() << "arrivals (warps) must be in [0, 32], got "
                       << arrivals;
  return success();
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

LogicalResult RoleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               StringRef name, int64_t firstWarp,
                               int64_t numWarps, int64_t maxNreg) {
  if (name.empty())
    return emitError() << "a role needs a name";
  if (firstWarp < 0 || firstWarp > 31 || numWarps < 1 ||
      numWarps > 32 - firstWarp)
    return emitError() << "role warps (" << numWarps << " from warp "
                       << firstWarp << ") do not fit a CTA of at most 32 warps";
  if (maxNreg != 0 && (maxNreg < 24 || maxNreg > 256 || maxNreg % 8))
    return emitError() << "max_nreg must be 0 or a multiple of 8 in [24, 256]"
                          " (setmaxnreg), got "
                       << maxNreg;
  return success();
}

LogicalResult
ScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError, MMAKind mma,
                     int64_t blockQ, int64_t blockKV, int64_t headDim,
                     int64_t stages, int64_t skipUnit, ArrayAttr roles,
                     bool pingpong, int64_t heads, int64_t kvSplits, bool gateV,
                     int64_t ctasPerSM, int64_t rescale, int64_t valueDim,
                     int64_t valueSplit, bool valueInKey, int64_t voteAhead,
                     bool overlap, bool tmaStore, int64_t headGroup) {
  bool tc = mma == MMAKind::tcgen05;
  // A math warpgroup holds 64 rows with wgmma, 128 (the lanes of tensor
  // memory) with tcgen05.
  int64_t wgRows = tc ? kTmemLanes : kWarpgroupRows;
  if (blockQ <= 0 || blockQ % wgRows)
    return emitError() << "block_q must be a positive multiple of " << wgRows
                       << " (one warpgroup per " << wgRows << " rows), got "
                       << blockQ;
  if (tc) {
    // The tcgen05 schedule: 128-row tiles per math warpgroup whose warps
    // skip their 32 rows each, 128-key blocks, S and O of every math
    // warpgroup in the 512 columns of tensor memory.
    if (skipUnit != kWarpRows)
      return emitError() << "with tcgen05 the skip unit is a warp's 32 rows "
                            "(its lane quarter of tensor memory), got "
                         << skipUnit;
    if (blockKV != 128 || (headDim != 64 && headDim != 128))
      return emitError() << "the tcgen05 schedule takes 128-key blocks and "
                            "head_dim 64 or 128, got block_kv = "
                         << blockKV << ", head_dim = " << headDim;
    if ((blockQ / wgRows) * (blockKV + headDim) > 512)
      return emitError() << "S and O of " << blockQ / wgRows
                         << " warpgroups need "
                         << (blockQ / wgRows) * (blockKV + headDim)
                         << " columns of tensor memory (512)";
    if (heads != 1 || kvSplits != 1 || pingpong || ctasPerSM != 1)
      return emitError() << "the tcgen05 schedule has no packed heads, "
                            "split-KV, pingpong or second CTA per SM";
  } else if (skipUnit != kWarpgroupRows) {
    return emitError() << "the skip unit is the warpgroup (64 rows), got "
                       << skipUnit;
  }
  if (blockKV <= 0 || blockKV % 16 || blockKV > 256)
    return emitError() << "block_kv must be a multiple of 16 in [16, 256], "
                          "got "
                       << blockKV;
  // A V inside K (MLA) leaves the shared memory of a V ring to K: its
  // rows reach 576 columns (512 latent + 64 rotary).
  int64_t maxD = valueInKey ? 576 : 256;
  if (headDim <= 0 || headDim % 64 || headDim > maxD)
    return emitError() << "head_dim must be a multiple of 64 up to " << maxD
                       << (valueInKey ? " (V inside K)" : "") << ", got "
                       << headDim;
  int64_t dv = valueDim ? valueDim : headDim;
  if (valueDim < 0 || dv % 64 || (valueInKey ? dv > headDim : dv != headDim))
    return emitError() << "value_dim must be head_dim, or with value_in_key "
                          "a multiple of 64 up to head_dim; got "
                       << valueDim;
  if (valueSplit < 1 || dv % (64 * valueSplit) || dv / valueSplit > 256)
    return emitError() << "value_split must split value_dim into 64-column "
                          "multiples of at most 256 (a wgmma's N), got "
                       << valueSplit << " for value_dim " << dv;
  if (valueSplit > 1 && (tc || blockQ != kWarpgroupRows || pingpong))
    return emitError() << "value_split needs wgmma and one row block "
                          "(block_q = 64) without pingpong";
  // The two warpgroups of a split each take half of a block's keys for
  // Q.K^T (whole k-steps of P.V) and exchange maxima and probabilities.
  if (valueSplit > 2 || (valueSplit == 2 && (blockKV % 32 || rescale)))
    return emitError() << "a value split is over two warpgroups, each with "
                          "half of a block's keys (block_kv a multiple of "
                          "32), without the conditional rescale";
  // Voting k blocks ahead needs the votes' ring (gated V) deeper than k: a
  // warpgroup votes on block n having released V only up to n - k - 1, so
  // the producer fills n's stage while n - k .. n - 1 are held.
  if (voteAhead < 0 || voteAhead > kMaxVoteAhead)
    return emitError() << "vote_ahead must be in [0, " << kMaxVoteAhead << "]";
  if (voteAhead && (!gateV || tc || stages <= voteAhead || rescale ||
                    valueSplit > 1 || blockQ != kWarpgroupRows))
    return emitError() << "vote_ahead needs gated V on wgmma with one math "
                          "warpgroup (block_q = 64: the decode schedule), "
                          "more stages than blocks it votes ahead, no "
                          "conditional rescale and no value split";
  // The overlapped loop keeps P(n - 1) and S(n) live beside O, and its
  // load role fills K and V from separate warps (no votes to wait for).
  if (overlap && (tc || roles.size() != 2 || gateV || rescale ||
                  valueSplit > 1 || valueInKey || voteAhead))
    return emitError() << "overlap needs the wgmma schedule with a load role, "
                          "without gated V, the conditional rescale, a value "
                          "split or V inside K";
  // The epilogue stages each warpgroup's rows in its own rows of Q: a
  // value split's warpgroups share their rows, and a split's partial
  // result is f32 in the workspace.
  if (tmaStore && (valueSplit > 1 || valueInKey || kvSplits > 1))
    return emitError() << "tma_store needs warpgroups that own their rows "
                          "(no value split or V inside K) and no split-KV";
  if (headGroup < 0)
    return emitError() << "head_group must be 0 (each head's tiles in a "
                          "row) or a group size, got "
                       << headGroup;
  if (valueInKey && (tc || gateV))
    return emitError() << "value_in_key is a wgmma schedule without gated V "
                          "(V is read with K)";
  if (stages < 1 || stages > 8)
    return emitError() << "stages must be in [1, 8], got " << stages;
  // Packed heads share the one warpgroup's 64 rows (each head the same
  // number of positions), so its skip unit spans them all.
  if (heads < 1 || kWarpgroupRows % heads)
    return emitError() << "heads must divide the 64 rows of a warpgroup, got "
                       << heads;
  if (heads > 1 && blockQ != kWarpgroupRows)
    return emitError() << "packed heads need one math warpgroup (block_q = "
                          "64), got block_q = "
                       << blockQ;
  if (kvSplits < 1 || kvSplits > 1024)
    return emitError() << "kv_splits must be in [1, 1024], got " << kvSplits;
  if (roles.empty())
    return emitError() << "a schedule needs at least one role";
  llvm::SmallBitVector used(32);
  llvm::StringSet<> names;
  bool math = false;
  for (Attribute a : roles) {
    auto role = dyn_cast<RoleAttr>(a);
    if (!role)
      return emitError() << "roles must be #skipattn_gpu.role attributes";
    if (!names.insert(role.getName()).second)
      return emitError() << "two roles are named '" << role.getName() << "'";
    for (int64_t w = role.getFirstWarp();
         w < role.getFirstWarp() + role.getNumWarps(); ++w) {
      if (used.test(w))
        return emitError() << "warp " << w << " belongs to two roles";
      used.set(w);
    }
    // setmaxnreg is executed by whole warpgroups.
    if (role.getMaxNreg() != 0 &&
        (role.getFirstWarp() % 4 || role.getNumWarps() % 4))
      return emitError() << "role '" << role.getName()
                         << "' sets max_nreg, so it must span whole "
                            "warpgroups (warps in multiples of 4 from a "
                            "multiple of 4)";
    if (role.getName() == "math") {
      math = true;
      if (role.getNumWarps() != 4 * (blockQ / wgRows) * valueSplit)
        return emitError() << "the math role needs one warpgroup per " << wgRows
                           << " rows of block_q and value split: "
                           << 4 * (blockQ / wgRows) * valueSplit
                           << " warps, got " << role.getNumWarps();
      if (role.getFirstWarp() % 4)
        return emitError() << "the math role must start at a warpgroup";
    }
  }
  if (!math)
    return emitError() << "a schedule needs a 'math' role";
  if (tc && !llvm::any_of(roles, [](Attribute a) {
        auto r = cast<RoleAttr>(a);
        return r.getName() == "producer" && r.getNumWarps() == 4;
      }))
    return emitError() << "the tcgen05 schedule needs a 4-warp 'producer' "
                          "role (MMA issue, Q/K loads, V loads)";
  if (pingpong && blockQ != 2 * kWarpgroupRows)
    return emitError() << "pingpong alternates two math warpgroups: block_q "
                          "must be 128, got "
                       << blockQ;
  if (used.find_first_unset() != static_cast<int>(used.count()) &&
      used.count() != 32)
    return emitError() << "role warps must be contiguous from warp 0";
  if (tc && !gateV)
    return emitError() << "the tcgen05 schedule gates V on the votes (the "
                          "MMA issuer reads them): gate_v must be true";
  if (gateV && (roles.size() < 2 || pingpong))
    return emitError() << "gate_v needs a load role (its second warp loads "
                          "V) and no pingpong";
  if (ctasPerSM != 1 && ctasPerSM != 2)
    return emitError() << "ctas_per_sm must be 1 or 2, got " << ctasPerSM;
  // exp2 of up to 2^threshold must stay finite in f16 (65504 < 2^16).
  if (rescale < 0 || rescale > 15)
    return emitError() << "rescale_threshold must be in [0, 15] (log2 "
                          "units), got "
                       << rescale;
  return success();
}

int64_t ScheduleAttr::getThreads() const {
  int64_t warps = 0;
  for (Attribute a : getRoles()) {
    auto r = cast<RoleAttr>(a);
    warps = std::max(warps, r.getFirstWarp() + r.getNumWarps());
  }
  return 32 * warps;
}

int64_t ScheduleAttr::getSharedBytes() const {
  // Q (block_q x D), then stages x {K, V} (block_kv x D each; K alone
  // when V is inside it), plus up to 1023 bytes to align the base to the
  // 1024-byte swizzle period.
  int64_t q = getBlockQ() * getHeadDim() * 2;
  int64_t kv = getBlockKv() * getHeadDim() * 2;
  int64_t tiles = getValueInKey() ? 1 : 2;
  // Gated V: the math warpgroups' vote bytes follow the V ring. Split-KV:
  // one byte after the rings tells the math role who merges.
  int64_t votes =
      getGateV() ? (getStages() * getMathWarpgroups() + 15) / 16 * 16 : 0;
  // A value split: the exchanged probabilities (64 x block_kv 16-bit
  // values) and two buffers of block maxima.
  int64_t exchange = getValueSplit() > 1 ? 128 * getBlockKv() + 1024 : 0;
  return 1024 + q + getStages() * tiles * kv + votes + exchange +
         (getKvSplits() > 1 ? 16 : 0);
}

LogicalResult LaunchAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 StringRef kernel, ArrayRef<int64_t> grid,
                                 ArrayRef<int64_t> block, int64_t smem,
                                 ArrayAttr params, ArrayRef<int64_t> boxQ,
                                 ArrayRef<int64_t> boxKV, int64_t workspace,
                                 ArrayRef<int64_t> boxOut) {
  if (workspace < 0)
    return emitError() << "the workspace size must be >= 0";
  if (kernel.empty())
    return emitError() << "the launch contract needs a kernel name";
  if (grid.size() != 3 || block.size() != 3)
    return emitError() << "grid and block have three dimensions";
  for (int64_t g : grid)
    if (g < 1 || g > INT32_MAX)
      return emitError() << "grid dimensions must be in [1, 2^31)";
  for (int64_t d : block)
    if (d < 1 || d > 1024)
      return emitError() << "block dimensions must be in [1, 1024]";
  if (block[0] * block[1] * block[2] > 1024)
    return emitError() << "a block has 1 to 1024 threads";
  if (smem < 0 || smem > kHopperSharedBytes)
    return emitError() << "dynamic shared memory must be in [0, "
                       << kHopperSharedBytes << "], got " << smem;
  for (Attribute a : params)
    if (!isa<KernelParamAttr>(a))
      return emitError() << "params must be #skipattn_gpu.param attributes";
  auto inRange = [](ArrayRef<int64_t> box) {
    return llvm::all_of(box, [](int64_t d) { return d >= 1 && d <= 256; });
  };
  if (boxQ.size() != 3 || boxKV.size() != 2 || !inRange(boxQ) ||
      !inRange(boxKV))
    return emitError() << "TMA boxes are [columns, rows, heads] (Q) and "
                          "[columns, rows] (K/V), each in [1, 256]";
  bool tmaOut = llvm::any_of(params, [](Attribute a) {
    auto p = dyn_cast<KernelParamAttr>(a);
    return p && p.getValue() == KernelParam::tma_out;
  });
  if (tmaOut != !boxOut.empty() ||
      (tmaOut && (boxOut.size() != 3 || !inRange(boxOut))))
    return emitError() << "box_out ([columns, rows, heads], each in [1, "
                          "256]) comes exactly with a tma_out parameter";
  return success();
}

SmallVector<KernelParam> LaunchAttr::getParamKinds() const {
  SmallVector<KernelParam> kinds;
  for (Attribute a : getParams())
    kinds.push_back(cast<KernelParamAttr>(a).getValue());
  return kinds;
}
