//===- SelectSchedule.cpp - skipattn-gpu-select-schedule ------------------===//
//
// The GPU tile strategy lives here, once: the pass, the runtime (which
// needs the tile sizes for its reference and cache key) and the tests all
// ask selectSchedule().
//
//===----------------------------------------------------------------------===//

#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"
#include "skipattn/Dialect/SkipAttn/Transforms/Passes.h"
#include "skipattn/Dialect/SkipAttnGPU/Transforms/Passes.h"

namespace mlir::skipattn_gpu {
#define GEN_PASS_DEF_SKIPATTNGPUSELECTSCHEDULE
#include "skipattn/Dialect/SkipAttnGPU/Transforms/Passes.h.inc"
} // namespace mlir::skipattn_gpu

using namespace mlir;
using namespace mlir::skipattn_gpu;

/// Chips with a wgmma lowering.
static bool isHopper(StringRef chip) { return chip == "sm_90a"; }
/// Chips with a tcgen05 lowering.
static bool isBlackwell(StringRef chip) { return chip == "sm_100a"; }

static LogicalResult
verifyProblem(const ScheduleProblem &problem, StringRef chip,
              function_ref<InFlightDiagnostic()> emitError);

/// The blocks a decode warpgroup votes ahead of its P.V by default.
static constexpr int64_t kDefaultVoteAhead = 2;

/// Splits of each tile's KV blocks over CTAs. A decode CTA fills an SM
/// (its ring takes most of the shared memory), so the time is about the
/// waves of CTAs times the blocks each walks, plus a fixed cost per CTA
/// (the Q load and the merge) of about two blocks; ties keep fewer splits
/// (less to merge).
static int64_t chooseSplits(int64_t tiles, int64_t blocks, int64_t slots) {
  int64_t best = 1, bestCost = INT64_MAX;
  for (int64_t s = 1; s <= std::min<int64_t>(blocks, 64); ++s) {
    int64_t waves = (tiles * s + slots - 1) / slots;
    int64_t cost = waves * ((blocks + s - 1) / s + 2);
    if (cost < bestCost)
      best = s, bestCost = cost;
  }
  return best;
}

TileChoice
mlir::skipattn_gpu::chooseHopperTiles(const ScheduleProblem &problem) {
  int64_t headDim = problem.headDim;
  // Math warpgroups of 64 rows. The 64 x D accumulator, the 64 x block_kv
  // scores and their probabilities share each thread's registers: D = 256
  // takes 128 of them for O, so its KV blocks halve. D = 64 needs few, so
  // three warpgroups (160 registers each) share every K/V block: 1.29x
  // the two-warpgroup tile on the H200 (docs/performance.md).
  TileChoice tiles{/*blockQ=*/headDim <= 64 ? 192 : 128,
                   /*blockKV=*/headDim > 128 ? 64 : 128, /*stages=*/2};
  // Dense causal prefill at D = 128 (the loop without the overlap): 192-key
  // blocks, a third fewer block steps for the same work (two stages of
  // 48 KiB K and V still fit beside Q). Skipping keeps 128 keys, whose
  // decisions are finer: 192-key blocks are faster at one sparsity but
  // reach it only with a looser threshold, 7x the error against dense at
  // 70 % (docs/performance.md). The overlapped non-causal loop, holding two
  // score tiles, spills with more.
  if (headDim == 128 && problem.causal && !problem.skipping &&
      !problem.valueInKey && problem.qLen > kDecodeMaxQLen)
    tiles.blockKV = 192;
  // V inside K (MLA): one block of 64 rows whose 64 x Dv accumulator is
  // split over warpgroups of at most 256 columns, which all compute the
  // scores; K blocks of 64 keys (Q and two 576-wide stages fill the shared
  // memory).
  if (problem.valueInKey) {
    tiles.blockQ = kWarpgroupRows;
    tiles.blockKV = 64;
    tiles.valueSplit =
        std::max<int64_t>(1, (problem.valueDim + kMaxWarpgroupValueCols - 1) /
                                 kMaxWarpgroupValueCols);
  }
  if (problem.qLen > kDecodeMaxQLen || problem.qHeads <= 0 ||
      problem.kvHeads <= 0 || problem.batch <= 0)
    return tiles;
  // Decode: one warpgroup whose 64 rows hold as many query heads of a KV
  // head as their positions allow, so K and V are read once for all of
  // them; the K/V ring takes what shared memory is left (up to 4 stages)
  // since the loads, not the math, bound the time.
  int64_t group = problem.qHeads / problem.kvHeads;
  int64_t positions = llvm::PowerOf2Ceil(problem.qLen);
  tiles.blockQ = kWarpgroupRows;
  while (!problem.runtimeFactors && group % (tiles.heads * 2) == 0 &&
         tiles.heads * 2 * positions <= kWarpgroupRows)
    tiles.heads *= 2;
  fitDecode(problem, tiles, /*ctasPerSM=*/1);
  return tiles;
}

void mlir::skipattn_gpu::fitDecode(const ScheduleProblem &problem,
                                   TileChoice &tiles, int64_t ctasPerSM) {
  // Two CTAs per SM share its shared memory (each reserving 1 KiB): 64-key
  // blocks keep a ring of two or more stages beside each one's Q tile.
  tiles.ctasPerSM = ctasPerSM;
  int64_t smem = ctasPerSM == 1 ? kHopperSharedBytes
                                : kHopperSMSharedBytes / ctasPerSM - 1024;
  if (ctasPerSM > 1)
    tiles.blockKV = std::min<int64_t>(tiles.blockKV, 64);
  int64_t headDim = problem.headDim;
  int64_t q = kWarpgroupRows * headDim * 2, kv = tiles.blockKV * headDim * 2;
  // The alignment slack, the vote bytes and the merge flag come first; a V
  // inside K takes no stage of its own.
  int64_t perStage = problem.valueInKey ? kv : 2 * kv;
  tiles.stages = std::clamp<int64_t>((smem - 1024 - 64 - q) / perStage, 2, 4);
  int64_t qTiles = (problem.qLen + kWarpgroupRows / tiles.heads - 1) /
                   (kWarpgroupRows / tiles.heads);
  int64_t tileCount = problem.batch * (problem.qHeads / tiles.heads) * qTiles;
  int64_t blocks = (problem.kvLen + tiles.blockKV - 1) / tiles.blockKV;
  tiles.kvSplits = chooseSplits(tileCount, blocks, kHopperSMs * ctasPerSM);
}

TileChoice mlir::skipattn_gpu::requestedTiles(const ScheduleProblem &problem,
                                              const ScheduleRequest &request) {
  TileChoice tiles = chooseHopperTiles(problem);
  // Other tiles than the decode ones drop the packing; splits stay a
  // decode choice unless asked for.
  if (request.blockQ > 0 && request.blockQ != tiles.blockQ) {
    tiles.blockQ = request.blockQ;
    tiles.heads = 1;
  }
  // Two CTAs per SM: decode tiles (one math warpgroup) refitted to half an
  // SM, before any size asked for.
  if (request.ctasPerSM == 2 && tiles.blockQ == kWarpgroupRows &&
      problem.qLen <= kDecodeMaxQLen)
    fitDecode(problem, tiles, 2);
  // The overlapped loop holds two score tiles: asked for where the
  // schedule would take wider blocks (dense causal), it keeps 128 keys.
  if (request.overlap > 0 && tiles.blockKV > 128)
    tiles.blockKV = 128;
  if (request.blockKV > 0)
    tiles.blockKV = request.blockKV;
  if (request.stages > 0)
    tiles.stages = request.stages;
  if (request.kvSplits > 0)
    tiles.kvSplits = request.kvSplits;
  return tiles;
}

/// The TMA-store epilogue where it applies (asked for, or by default):
/// one output tile per CTA whose warpgroups own their rows (`shared` is
/// the KV splits times the value split: 1), and an output TMA can store.
static FailureOr<bool>
chooseTmaStore(const ScheduleProblem &problem, const ScheduleRequest &request,
               int64_t shared, function_ref<InFlightDiagnostic()> emitError) {
  bool ok = shared == 1 && !problem.valueInKey && problem.outTmaStrides;
  if (request.tmaStore > 0 && !ok)
    return emitError() << "tma_store needs one output tile per CTA (no "
                          "split-KV, no value split, no V inside K) and "
                          "output strides of whole 16 bytes";
  return ok && request.tmaStore != 0;
}

bool mlir::skipattn_gpu::gatesV(const ScheduleProblem &problem,
                                const ScheduleRequest &request,
                                StringRef chip) {
  if (isBlackwell(chip))
    return true;
  return request.warpSpecialize && problem.skipping && !request.pingpong &&
         !problem.valueInKey &&
         (request.gateV > 0 ||
          (request.gateV < 0 && problem.qLen <= kDecodeMaxQLen));
}

/// The tile order (`head_group`): each head's tiles in a row unless
/// asked otherwise. Asked for groups sized to L2 (-1), causal prefill takes
/// the longest tiles first over groups of (batch, head) pairs whose K and V
/// together take at most kTileOrderL2Bytes (half of the H100's and H200's
/// 50 MB L2, so that the rest of the traffic keeps its share); the query
/// heads of one KV head are neighbours, so a group is a whole number of KV
/// heads. On the H200 the grouped order measured no faster than the default
/// (docs/performance.md, "Tile order"), whose concurrent CTAs share one
/// head's K and V in L2.
static int64_t chooseHeadGroup(const ScheduleProblem &problem,
                               const ScheduleRequest &request) {
  if (request.headGroup >= 0)
    return request.headGroup;
  if (!problem.causal || problem.qLen <= kDecodeMaxQLen || problem.valueInKey ||
      problem.kvLen <= 0 || problem.qHeads <= 0 || problem.kvHeads <= 0 ||
      problem.qHeads % problem.kvHeads)
    return 0;
  int64_t elt = problem.elementType.getIntOrFloatBitWidth() / 8;
  int64_t dv = problem.valueDim ? problem.valueDim : problem.headDim;
  int64_t perKVHead = problem.kvLen * (problem.headDim + dv) * elt;
  int64_t kvHeads = std::max<int64_t>(kTileOrderL2Bytes / perKVHead, 1);
  int64_t group = kvHeads * (problem.qHeads / problem.kvHeads);
  // A group of every pair is the whole grid longest first.
  if (problem.batch > 0)
    group = std::min(group, problem.batch * problem.qHeads);
  return group;
}

/// sm_100a: two math warpgroups of 128 rows (one row per thread, as
/// tensor memory holds them), 128-key blocks, and one producer warpgroup
/// whose first warp issues the MMAs and next two load Q/K and V. The
/// K/V ring takes the shared memory Q leaves (up to 4 stages).
static FailureOr<ScheduleAttr>
selectBlackwellSchedule(MLIRContext *ctx, const ScheduleProblem &problem,
                        const ScheduleRequest &request,
                        function_ref<InFlightDiagnostic()> emitError) {
  if (request.pingpong || request.kvSplits > 1 || request.ctasPerSM > 1 ||
      !request.warpSpecialize || request.gateV == 0)
    return emitError() << "the sm_100a schedule is warp-specialized with V "
                          "gated on the votes; pingpong, split-KV, two CTAs "
                          "per SM and ungated V are sm_90a options";
  int64_t blockQ = request.blockQ > 0 ? request.blockQ : 2 * kTmemLanes;
  int64_t blockKV = request.blockKV > 0 ? request.blockKV : 128;
  int64_t d = problem.headDim;
  int64_t stages = request.stages;
  if (stages <= 0) {
    int64_t free = kHopperSharedBytes - 1024 - blockQ * d * 2 - 64;
    stages = std::clamp<int64_t>(free / (2 * blockKV * d * 2), 1, 4);
  }
  int64_t mathWarps = 4 * std::max<int64_t>(blockQ / kTmemLanes, 1);
  SmallVector<Attribute> roles{
      RoleAttr::get(ctx, "math", 0, mathWarps, kTcMathRegisters),
      RoleAttr::get(ctx, "correction", mathWarps, 4, kTcCorrectionRegisters),
      RoleAttr::get(ctx, "producer", mathWarps + 4, 4, kTcProducerRegisters)};
  FailureOr<bool> tmaStore = chooseTmaStore(problem, request, 1, emitError);
  if (failed(tmaStore))
    return failure();
  auto schedule = ScheduleAttr::getChecked(
      emitError, ctx, MMAKind::tcgen05, blockQ, blockKV, d, stages, kWarpRows,
      ArrayAttr::get(ctx, roles), /*pingpong=*/false, /*heads=*/int64_t(1),
      /*kvSplits=*/int64_t(1), /*gateV=*/true, /*ctasPerSM=*/int64_t(1),
      /*rescaleThreshold=*/request.rescaleThreshold, /*valueDim=*/int64_t(0),
      /*valueSplit=*/int64_t(1), /*valueInKey=*/false, /*voteAhead=*/int64_t(0),
      /*overlap=*/false, *tmaStore, chooseHeadGroup(problem, request));
  if (!schedule ||
      failed(verifySchedule(schedule, problem, "sm_100a", emitError)))
    return failure();
  return schedule;
}

FailureOr<ScheduleAttr> mlir::skipattn_gpu::selectSchedule(
    MLIRContext *ctx, const ScheduleProblem &problem, StringRef chip,
    const ScheduleRequest &request,
    function_ref<InFlightDiagnostic()> emitError) {
  if (failed(verifyProblem(problem, chip, emitError)))
    return failure();
  if (isBlackwell(chip))
    return selectBlackwellSchedule(ctx, problem, request, emitError);
  TileChoice tiles = requestedTiles(problem, request);
  int64_t blockQ = tiles.blockQ, blockKV = tiles.blockKV;
  if (blockQ < kWarpgroupRows || blockQ % kWarpgroupRows)
    return emitError() << "block_q must be a positive multiple of 64 (one "
                          "math warpgroup each), got "
                       << blockQ;
  // Warp-specialized: a load warpgroup after the math warpgroups issues
  // every TMA and gives its registers to them (24 + 240 per thread fill
  // the 64K register file of 2 + 1 warpgroups; 32 + 160 of 3 + 1).
  bool ws = request.warpSpecialize;
  int64_t mathWarps = 4 * (blockQ / kWarpgroupRows) * tiles.valueSplit;
  bool three = blockQ == 3 * kWarpgroupRows;
  bool splitV = tiles.valueSplit > 1;
  bool twoCTAs = tiles.ctasPerSM == 2;
  if (twoCTAs && (!ws || blockQ != kWarpgroupRows))
    return emitError() << "two CTAs per SM need the warp-specialized "
                          "schedule of one math warpgroup (decode)";
  if (splitV && (twoCTAs || !ws))
    return emitError() << "a value split over warpgroups needs the "
                          "warp-specialized schedule and one CTA per SM";
  int64_t mathRegs = three                      ? kMathRegisters3
                     : twoCTAs                  ? kMathRegisters2CTA
                     : splitV                   ? kMathRegistersSplitV
                     : blockQ == kWarpgroupRows ? kMathRegisters1WG
                                                : kMathRegisters;
  int64_t loadRegs = three                      ? kLoadRegisters3
                     : twoCTAs                  ? kLoadRegisters2CTA
                     : splitV                   ? kLoadRegistersSplitV
                     : blockQ == kWarpgroupRows ? kLoadRegisters1WG
                                                : kLoadRegisters;
  SmallVector<Attribute> roles{RoleAttr::get(ctx, "math", /*firstWarp=*/0,
                                             mathWarps,
                                             /*maxNreg=*/ws ? mathRegs : 0)};
  if (ws)
    roles.push_back(RoleAttr::get(ctx, "load", /*firstWarp=*/mathWarps,
                                  /*numWarps=*/4, loadRegs));
  bool gateV = gatesV(problem, request, chip);
  // Voting ahead hides a kept block's V latency behind the next blocks'
  // Q.K^T and decisions (docs/performance.md has the comparison): on where
  // V is gated for decode, as far ahead as the ring's stages allow.
  int64_t voteAhead = 0;
  if (gateV && request.rescaleThreshold == 0 && blockQ == kWarpgroupRows) {
    if (request.voteAhead > 0)
      voteAhead = request.voteAhead;
    else if (request.voteAhead < 0 && problem.qLen <= kDecodeMaxQLen)
      // Each block voted ahead carries its probabilities beside O, the
      // scores and the next block's probabilities: two fit the math
      // warpgroup's 255 registers with a 64 x 128 accumulator and lengths
      // fixed at compile time. A 64 x 256 one (D = 256), or the limits and
      // masks of lengths read at launch, make ptxas spill, and the ragged
      // decode measured 3 % slower with two (docs/performance.md).
      voteAhead = std::min<int64_t>(
          (problem.valueDim ? problem.valueDim : problem.headDim) > 128 ||
                  problem.lengths
              ? 1
              : kDefaultVoteAhead,
          tiles.stages - 1);
  }
  // Intra-warpgroup overlap (docs/performance.md has the comparison):
  // dense bodies with a load role and none of the options it excludes; by
  // default for non-causal prefill with two math warpgroups (three, at
  // D = 64, spill with two probability tiles live and gain nothing; causal
  // tiles, half as long on average, measured 4-9 % slower with it).
  bool pp = request.pingpong && ws && blockQ == 2 * kWarpgroupRows;
  bool overlapOK = ws && !problem.skipping && !gateV &&
                   request.rescaleThreshold == 0 && tiles.valueSplit == 1 &&
                   !problem.valueInKey;
  if (request.overlap > 0 && !overlapOK)
    return emitError() << "overlap needs dense attention (no skip decisions) "
                          "on the warp-specialized schedule without gated V, "
                          "the conditional rescale or V inside K";
  bool overlap =
      overlapOK && (request.overlap > 0 ||
                    (request.overlap < 0 && problem.qLen > kDecodeMaxQLen &&
                     !problem.causal && blockQ == 2 * kWarpgroupRows));
  FailureOr<bool> tmaStore = chooseTmaStore(
      problem, request, tiles.kvSplits * tiles.valueSplit, emitError);
  if (failed(tmaStore))
    return failure();
  auto schedule = ScheduleAttr::getChecked(
      emitError, ctx, MMAKind::wgmma, blockQ, blockKV, problem.headDim,
      tiles.stages, kWarpgroupRows, ArrayAttr::get(ctx, roles),
      /*pingpong=*/pp, tiles.heads, tiles.kvSplits, gateV, tiles.ctasPerSM,
      request.rescaleThreshold,
      /*valueDim=*/problem.valueDim == problem.headDim ? 0 : problem.valueDim,
      tiles.valueSplit, problem.valueInKey, voteAhead, overlap, *tmaStore,
      chooseHeadGroup(problem, request));
  if (!schedule)
    return failure();
  if (failed(verifySchedule(schedule, problem, chip, emitError)))
    return failure();
  return schedule;
}

/// What the chip's kernels can compute at all, whatever the schedule.
static LogicalResult
verifyProblem(const ScheduleProblem &problem, StringRef chip,
              function_ref<InFlightDiagnostic()> emitError) {
  if (!isHopper(chip) && !isBlackwell(chip))
    return emitError() << "no GPU kernel schedule for chip '" << chip
                       << "' (supported: sm_90a, sm_100a)";
  if (!problem.elementType ||
      !(problem.elementType.isBF16() || problem.elementType.isF16()))
    return emitError() << "GPU kernels take f16 or bf16 inputs (f32 "
                          "attention runs on the CPU target)";
  if (isBlackwell(chip) && problem.valueInKey)
    return emitError() << "the sm_100a kernel has no V-inside-K (MLA) "
                          "schedule";
  if (isBlackwell(chip) && problem.headDim != 64 && problem.headDim != 128)
    return emitError() << "the sm_100a kernel supports head_dim 64 and 128 "
                          "(S and O of two warpgroups in 512 columns of "
                          "tensor memory), not "
                       << problem.headDim;
  if (problem.valueInKey) {
    // MLA: K rows up to 576 columns (512 latent + 64 rotary), V their
    // first value_dim columns, split over warpgroups of 256.
    if (problem.headDim % 64 || problem.headDim > 576 ||
        problem.valueDim % 64 || problem.valueDim > problem.headDim ||
        problem.valueDim > 2 * kMaxWarpgroupValueCols || problem.valueDim <= 0)
      return emitError() << "the sm_90a kernel with V inside K supports "
                            "head_dim a multiple of 64 up to 576 and "
                            "value_dim a multiple of 64 up to 512 and "
                            "head_dim, not "
                         << problem.headDim << " and " << problem.valueDim;
    return success();
  }
  if (problem.headDim != 64 && problem.headDim != 128 && problem.headDim != 256)
    return emitError() << "the sm_90a kernel supports head_dim 64, 128 and "
                          "256 (and up to 576 with V inside K), not "
                       << problem.headDim;
  if (problem.valueDim != problem.headDim)
    return emitError() << "the " << chip
                       << " kernel needs value_dim == head_dim, or V inside K";
  return success();
}

/// The sm_100a schedule's own rules: its roles and their registers, shared
/// memory, and what its lowering builds.
static LogicalResult
verifyBlackwellSchedule(ScheduleAttr s, const ScheduleProblem &problem,
                        function_ref<InFlightDiagnostic()> emitError) {
  if (s.getMma() != MMAKind::tcgen05)
    return emitError() << "sm_100a kernels use tcgen05 (mma = tcgen05)";
  if (s.getBlockQ() > 2 * kTmemLanes)
    return emitError() << "block_q is at most 256 (two math warpgroups), got "
                       << s.getBlockQ();
  if (s.getSharedBytes() > kHopperSharedBytes)
    return emitError() << "the schedule needs " << s.getSharedBytes()
                       << " bytes of shared memory; a CTA gets "
                       << kHopperSharedBytes;
  RoleAttr math, correction, producer;
  for (Attribute a : s.getRoles()) {
    auto r = cast<RoleAttr>(a);
    if (r.getName() == "math")
      math = r;
    else if (r.getName() == "correction")
      correction = r;
    else if (r.getName() == "producer")
      producer = r;
    else
      return emitError() << "the sm_100a lowering builds the roles 'math', "
                            "'correction' and 'producer'; got '"
                         << r.getName() << "'";
  }
  if (!math || !correction || !producer || math.getFirstWarp() != 0 ||
      correction.getFirstWarp() != math.getNumWarps() ||
      correction.getNumWarps() != 4 ||
      producer.getFirstWarp() != math.getNumWarps() + 4 ||
      producer.getNumWarps() != 4)
    return emitError() << "the math role starts at warp 0, a correction "
                          "warpgroup follows it and a producer warpgroup "
                          "follows that";
  // setmaxnreg moves registers between the warpgroups: the sum must fit
  // the SM's 64K, and the math warps hold a 128-key row of S (128), its P
  // (64) and the state.
  if (math.getMaxNreg() < 208 || correction.getMaxNreg() == 0 ||
      producer.getMaxNreg() == 0)
    return emitError() << "the math role needs at least 208 registers (a "
                          "row of S and of P), the correction and producer "
                          "roles a budget";
  int64_t total = 32 * (math.getNumWarps() * math.getMaxNreg() +
                        correction.getNumWarps() * correction.getMaxNreg() +
                        producer.getNumWarps() * producer.getMaxNreg());
  if (total > 65536)
    return emitError() << "role registers (" << total
                       << ") exceed the 65536 of an SM";
  return success();
}

LogicalResult mlir::skipattn_gpu::verifySchedule(
    ScheduleAttr s, const ScheduleProblem &problem, StringRef chip,
    function_ref<InFlightDiagnostic()> emitError) {
  if (failed(verifyProblem(problem, chip, emitError)))
    return failure();
  if (s.getHeadDim() != problem.headDim)
    return emitError() << "the schedule is for head_dim " << s.getHeadDim()
                       << ", the attention has " << problem.headDim;
  if (problem.valueDim && s.getDv() != problem.valueDim)
    return emitError() << "the schedule is for value_dim " << s.getDv()
                       << ", the attention has " << problem.valueDim;
  if (s.getValueInKey() != problem.valueInKey)
    return emitError() << "the schedule "
                       << (s.getValueInKey() ? "reads" : "does not read")
                       << " V inside K; the attention's V is "
                       << (problem.valueInKey ? "" : "not ") << "inside K";
  if (s.getTmaStore() && !problem.outTmaStrides)
    return emitError() << "tma_store needs output strides of whole 16 bytes "
                          "(8 elements) with a unit stride on D";
  if (isBlackwell(chip))
    return verifyBlackwellSchedule(s, problem, emitError);
  if (s.getMma() != MMAKind::wgmma)
    return emitError() << "sm_90a kernels use wgmma (mma = wgmma)";
  if (s.getBlockQ() > 192)
    return emitError() << "block_q is at most 192 (three warpgroups), got "
                       << s.getBlockQ();
  if (s.getGateV() && !problem.skipping)
    return emitError() << "gate_v waits for skip votes; a dense kernel "
                          "casts none";
  if (s.getHeads() > 1) {
    if (problem.qHeads > 0 && problem.kvHeads > 0 &&
        (problem.qHeads / problem.kvHeads) % s.getHeads())
      return emitError() << "packed heads (" << s.getHeads()
                         << ") must divide the "
                         << problem.qHeads / problem.kvHeads
                         << " query heads of a KV head";
    if (problem.runtimeFactors)
      return emitError() << "per-head skip factors need one head per skip "
                            "unit; packed heads share one";
  }
  if (s.getBlockKv() < 64 || s.getBlockKv() > 256 || s.getBlockKv() % 16)
    return emitError() << "block_kv must be a multiple of 16 in [64, 256], got "
                       << s.getBlockKv();
  // Registers per thread: O (D/2), S and P (block_kv/2 f32 + block_kv/4
  // packed) must leave about 32 for addresses and the softmax state, out of
  // the math role's budget (255 without setmaxnreg).
  int64_t budget = 255;
  for (Attribute a : s.getRoles())
    if (auto r = cast<RoleAttr>(a); r.getName() == "math" && r.getMaxNreg())
      budget = r.getMaxNreg();
  if (s.getWarpgroupValueCols() / 2 + s.getBlockKv() * 3 / 4 > budget - 32)
    return emitError() << "a 64x" << s.getWarpgroupValueCols()
                       << " accumulator with " << s.getBlockKv()
                       << "-key blocks does not fit the math role's " << budget
                       << " registers; use smaller KV blocks";
  if (s.getSharedBytes() > kHopperSharedBytes)
    return emitError() << "the schedule needs " << s.getSharedBytes()
                       << " bytes of shared memory; sm_90a has "
                       << kHopperSharedBytes;
  if (s.getCtasPerSm() * (s.getSharedBytes() + 1024) > kHopperSMSharedBytes)
    return emitError() << s.getCtasPerSm() << " CTAs of " << s.getSharedBytes()
                       << " bytes of shared memory (and 1024 reserved each) "
                          "do not fit an SM's "
                       << kHopperSMSharedBytes;
  // Roles the lowering builds: math alone (it also issues the loads), or
  // math and one load warpgroup after it.
  RoleAttr math, load;
  for (Attribute a : s.getRoles()) {
    auto r = cast<RoleAttr>(a);
    if (r.getName() == "math")
      math = r;
    else if (r.getName() == "load" && !load)
      load = r;
    else
      return emitError() << "the sm_90a lowering builds the roles 'math' and "
                            "optionally one 'load'; got '"
                         << r.getName() << "'";
  }
  if (math.getFirstWarp() != 0)
    return emitError() << "the math role starts at warp 0";
  if (!load && math.getMaxNreg() != 0)
    return emitError() << "max_nreg is for schedules with a load role";
  if (load) {
    if (load.getFirstWarp() != math.getNumWarps() || load.getNumWarps() != 4)
      return emitError() << "the load role is one warpgroup after the math "
                            "warps";
    // setmaxnreg moves registers between warpgroups of one CTA: the sum
    // must fit the SM's 64K registers.
    if (math.getMaxNreg() == 0 || load.getMaxNreg() == 0)
      return emitError() << "a load role needs max_nreg on both roles";
    int64_t total = 32 *
                    (math.getNumWarps() * math.getMaxNreg() +
                     load.getNumWarps() * load.getMaxNreg()) *
                    s.getCtasPerSm();
    if (total > 65536) {
      InFlightDiagnostic d = emitError() << "role registers (" << total;
      if (s.getCtasPerSm() > 1)
        d << " for " << s.getCtasPerSm() << " CTAs per SM";
      return d << ") exceed the 65536 of an SM";
    }
  }
  return success();
}

bool mlir::skipattn_gpu::outTmaStrides(Type out) {
  auto t = dyn_cast<MemRefType>(out);
  SmallVector<int64_t> strides;
  int64_t offset;
  if (!t || t.getRank() != 4 || failed(t.getStridesAndOffset(strides, offset)))
    return false;
  return offset == 0 && strides[3] == 1 &&
         llvm::all_of(ArrayRef<int64_t>(strides).take_front(3), [](int64_t s) {
           return !ShapedType::isDynamic(s) && s >= 0 && s % 8 == 0;
         });
}

LogicalResult
mlir::skipattn_gpu::selectSchedule(skipattn::AttentionOp op, StringRef chip,
                                   const ScheduleRequest &request) {
  if (op.hasTensorSemantics())
    return op.emitOpError("schedule selection expects the memref form");
  auto q = cast<ShapedType>(op.getQuery().getType());
  auto k = cast<ShapedType>(op.getKey().getType());
  auto v = cast<ShapedType>(op.getValue().getType());
  if (!q.hasStaticShape() || !k.hasStaticShape() || !v.hasStaticShape())
    return op.emitOpError("GPU kernels need static shapes");
  ScheduleProblem problem;
  problem.qLen = q.getDimSize(2);
  problem.kvLen = op.getLogicalKvLen();
  problem.headDim = q.getDimSize(3);
  problem.valueDim = v.getDimSize(3);
  problem.batch = q.getDimSize(0);
  problem.qHeads = q.getDimSize(1);
  problem.kvHeads = k.getDimSize(1);
  problem.elementType = q.getElementType();
  problem.skipping = op.hasSkipping();
  // A compiled-in factor of at least the KV length makes lambda =
  // factor / len >= 1 for every sequence (len <= Skv): nothing is ever
  // skipped, the body folds to a dense one, and there are no votes to
  // gate V on.
  if (!op.getSkipFactors() && op.getSkip() &&
      neverSkips(op.getSkip()->getFactor(), problem.kvLen))
    problem.skipping = false;
  problem.causal = op.getCausal();
  problem.runtimeFactors = skipattn::factorsPerHead(op.getSkipFactors());
  problem.valueInKey = op.getValueInKey();
  problem.lengths = op.getKvLens() || op.getQLens() || op.getPageTable();
  problem.outTmaStrides = outTmaStrides(op.getOut().getType());
  auto emitError = [&] { return op.emitOpError(); };
  auto schedule = op->getAttrOfType<ScheduleAttr>(kScheduleAttrName);
  if (schedule) {
    if (failed(verifySchedule(schedule, problem, chip, emitError)))
      return failure();
  } else {
    FailureOr<ScheduleAttr> chosen =
        selectSchedule(op.getContext(), problem, chip, request, emitError);
    if (failed(chosen))
      return failure();
    schedule = *chosen;
    op->setAttr(kScheduleAttrName, schedule);
  }
  op->setAttr(
      skipattn::kTilingAttrName,
      skipattn::TilingAttr::get(op.getContext(), schedule.getPositions(),
                                schedule.getBlockKv(), schedule.getHeads(),
                                /*skipUnit=*/0, schedule.getKvSplits()));
  return success();
}

namespace {
struct SelectSchedulePass
    : mlir::skipattn_gpu::impl::SkipAttnGPUSelectScheduleBase<
          SelectSchedulePass> {
  using Base::Base;
  void runOnOperation() override {
    WalkResult r = getOperation().walk([&](skipattn::AttentionOp op) {
      ScheduleRequest request;
      request.stages = stages;
      request.blockQ = blockQ;
      request.blockKV = blockKV;
      request.warpSpecialize = warpSpecialize;
      request.pingpong = pingpong;
      request.kvSplits = kvSplits;
      request.gateV = gateV;
      request.voteAhead = voteAhead;
      request.overlap = overlap;
      request.tmaStore = tmaStore;
      request.headGroup = headGroup;
      request.ctasPerSM = ctasPerSM;
      request.rescaleThreshold = rescaleThreshold;
      return failed(selectSchedule(op, chip, request)) ? WalkResult::interrupt()
                                                       : WalkResult::advance();
    });
    if (r.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
