//===- Rings.cpp - a ring's producer and consumers ------------------------===//
//
// The must-wait analysis of one ring over the structured control flow of
// an iteration (VerifyProtocol.cpp lists the shapes it accepts).
//
//===----------------------------------------------------------------------===//

#include "Protocol.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <map>

using namespace mlir;
using namespace mlir::skipattn_gpu;
using namespace mlir::skipattn_gpu::protocol;

/// Whether an op in `root` (an operation or a region) uses `ring`.
template <typename Root> static bool usesRing(Root &root, Value ring) {
  return root
      .walk([&](Operation *op) {
        return llvm::is_contained(op->getOperands(), ring)
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}

/// An scf.if whose then branch uses `ring` and whose else branch does not
/// (it may wait for an MMA, as overlap's does for the scores of block 0).
static bool thenOnly(scf::IfOp ifOp, Value ring) {
  return usesRing(ifOp.getThenRegion(), ring) &&
         (ifOp.getElseRegion().empty() ||
          !usesRing(ifOp.getElseRegion(), ring));
}

namespace {
class RingChecker {
public:
  RingChecker(RingCreateOp ring) : ring(ring) {
    type = cast<RingType>(ring.getType());
  }
  LogicalResult check();

private:
  /// Walks `block` of an iteration of `loop`, updating the slots waited for
  /// block n (`waited`) and whether block n was released; checks every
  /// refill put against them.
  LogicalResult walk(Block &block, scf::ForOp loop, llvm::StringSet<> &waited,
                     bool &released, bool guarded);
  /// The producer/consumer protocol of a ring with empty barriers.
  LogicalResult checkWithConsumers();
  /// One iteration of the producer loop: every put (and completion)
  /// acquired first.
  LogicalResult walkProducer(Block &block, scf::ForOp loop, bool &acquired,
                             llvm::StringMap<int> &puts,
                             llvm::StringMap<RingPutOp> &putOps,
                             llvm::StringMap<RingCompleteOp> &completes);
  /// One iteration of a consumer loop: a vote (rings with votes) before
  /// any wait, waits, then one release.
  /// With `lag` = k > 0 the walk is of the lagged part of an iteration
  /// (under `n >= k`): waits and releases of block n - k, no votes. With
  /// `last` it is the last iteration's part for block n - lag (under
  /// `n == ub - 1`, and `n >= lag` for a lag).
  LogicalResult walkConsumer(Block &block, scf::ForOp loop,
                             llvm::StringSet<> &waited, bool &released,
                             bool guarded, int &votes, int64_t lag = 0,
                             bool last = false);
  /// Lagged consumers (vote_ahead, overlap): a loop that waits for and
  /// releases block n - k under `n >= k` (in one or more such ifs, in
  /// order), and in its last iteration (under `n == ub - 1`) blocks
  /// n - k + 1 .. n as well, oldest first, each block n - j but n under
  /// `n >= j`; with votes, it votes on block n. `depth` is k (0: not lagged);
  /// the tail's parts are keyed by their j (none: no tail), and `tailOrder`
  /// is the j of the last part walked.
  int64_t depth = 0;
  llvm::StringSet<> laggedWaited;
  bool laggedReleased = false;
  std::map<int64_t, std::pair<llvm::StringSet<>, bool>> tailParts;
  int64_t tailOrder = INT64_MAX;
  // Per consumer loop: ring.ballot reads and whether a release commits on
  // behalf of every consumer (sm_100a's MMA issuer).
  int ballots = 0;
  bool commits = false;
  /// Ring ops in regions other than scf.if are not followed.
  LogicalResult rejectHidden(Operation &op);
  /// A wait for a slot some path leaves unwaited must follow a wait that
  /// proves the producer acquired this ring's block n.
  LogicalResult checkPhaseOrder(RingWaitOp wait, scf::ForOp consumer,
                                scf::ForOp producer);

  RingCreateOp ring;
  RingType type;
};
} // namespace

static llvm::StringSet<> intersect(const llvm::StringSet<> &a,
                                   const llvm::StringSet<> &b) {
  llvm::StringSet<> r;
  for (const auto &e : a)
    if (b.contains(e.getKey()))
      r.insert(e.getKey());
  return r;
}

/// Walks both branches of `ifOp` with `walkBlock` (guarded: a release there
/// is an error); after the if, a slot counts as waited only if both
/// branches waited for it.
template <typename WalkBlock>
static LogicalResult walkBranches(scf::IfOp ifOp, llvm::StringSet<> &waited,
                                  bool released, WalkBlock walkBlock) {
  llvm::StringSet<> thenW = waited, elseW = waited;
  bool thenR = released, elseR = released;
  if (failed(walkBlock(ifOp.getThenRegion().front(), thenW, thenR)))
    return failure();
  if (!ifOp.getElseRegion().empty() &&
      failed(walkBlock(ifOp.getElseRegion().front(), elseW, elseR)))
    return failure();
  waited = intersect(thenW, elseW);
  return success();
}

LogicalResult RingChecker::walk(Block &block, scf::ForOp loop,
                                llvm::StringSet<> &waited, bool &released,
                                bool guarded) {
  for (Operation &op : block) {
    if (auto w = dyn_cast<RingWaitOp>(op)) {
      if (w.getRing() != ring.getRing())
        continue;
      BlockRef r = classify(w.getBlock());
      if (r.kind == BlockRef::LoopPlus && r.loop == loop && r.value == 0)
        waited.insert(w.getSlot());
      continue;
    }
    if (auto rel = dyn_cast<RingReleaseOp>(op)) {
      if (rel.getRing() != ring.getRing())
        continue;
      BlockRef r = classify(rel.getBlock());
      if (r.kind != BlockRef::LoopPlus || r.loop != loop || r.value != 0)
        return rel.emitOpError("releases a block other than the loop's");
      if (guarded)
        return rel.emitOpError("must run on every path of the iteration (all "
                               "consumers arrive)");
      released = true;
      continue;
    }
    if (auto put = dyn_cast<RingPutOp>(op)) {
      if (put.getRing() != ring.getRing())
        continue;
      BlockRef r = classify(put.getBlock());
      if (r.kind != BlockRef::LoopPlus || r.loop != loop ||
          r.value != type.getStages())
        return put.emitOpError("refills the stage of block n + ")
               << r.value << " inside the KV loop; with " << type.getStages()
               << " stages only block n + " << type.getStages()
               << " reuses the stage that block n frees";
      if (!released)
        return put.emitOpError("refills block n's stage before the consumers "
                               "released it (ring.release)");
      for (Attribute s : type.getSlots()) {
        StringRef slot = cast<StringAttr>(s).getValue();
        if (!waited.contains(slot))
          return put.emitOpError("refills block n's stage while slot '")
                 << slot
                 << "' of block n may still be loading on some path (a "
                    "skipped block's loads must be waited for first)";
      }
      continue;
    }
    if (auto ifOp = dyn_cast<scf::IfOp>(op)) {
      auto inBranch = [&](Block &b, llvm::StringSet<> &w, bool &r) {
        return walk(b, loop, w, r, /*guarded=*/true);
      };
      if (failed(walkBranches(ifOp, waited, released, inBranch)))
        return failure();
      continue;
    }
    if (failed(rejectHidden(op)))
      return failure();
  }
  return success();
}

LogicalResult RingChecker::rejectHidden(Operation &op) {
  // Other regions are not analysed: the ring's ops may not hide there.
  if (op.getNumRegions() && usesRing(op, ring.getRing()))
    return op.emitOpError("uses the ring inside a region the protocol "
                          "check does not follow; keep ring ops at the "
                          "iteration's top level or under scf.if");
  return success();
}

LogicalResult
RingChecker::walkProducer(Block &block, scf::ForOp loop, bool &acquired,
                          llvm::StringMap<int> &puts,
                          llvm::StringMap<RingPutOp> &putOps,
                          llvm::StringMap<RingCompleteOp> &completes) {
  for (Operation &op : block) {
    if (auto a = dyn_cast<RingAcquireOp>(op)) {
      if (a.getRing() != ring.getRing())
        continue;
      if (!isLoopBlock(a.getBlock(), loop))
        return a.emitOpError("acquires a block other than the producer "
                             "loop's block n");
      acquired = true;
      continue;
    }
    if (auto put = dyn_cast<RingPutOp>(op)) {
      if (put.getRing() != ring.getRing())
        continue;
      if (!isLoopBlock(put.getBlock(), loop))
        return put.emitOpError("a producer loop fills its own block n (the "
                               "ring's empty barriers say when its stage is "
                               "free)");
      if (!acquired)
        return put.emitOpError("fills block n's stage without acquiring it "
                               "first on every path (ring.acquire): the "
                               "consumers may still read block n - stages");
      ++puts[put.getSlot()];
      putOps[put.getSlot()] = put;
      continue;
    }
    if (auto c = dyn_cast<RingCompleteOp>(op)) {
      if (c.getRing() != ring.getRing())
        continue;
      if (!acquired)
        return c.emitOpError("completes block n's stage without acquiring it "
                             "first on every path (ring.acquire)");
      if (!completes.try_emplace(c.getSlot(), c).second)
        return c.emitOpError("completes slot '")
               << c.getSlot() << "' twice per block";
      continue;
    }
    // ring.votes: its block is the loop's n (classified before the walk).
    if (isa<RingVotesOp>(op))
      continue;
    if (auto ifOp = dyn_cast<scf::IfOp>(op)) {
      bool thenA = acquired, elseA = acquired;
      if (failed(walkProducer(ifOp.getThenRegion().front(), loop, thenA, puts,
                              putOps, completes)))
        return failure();
      if (!ifOp.getElseRegion().empty() &&
          failed(walkProducer(ifOp.getElseRegion().front(), loop, elseA, puts,
                              putOps, completes)))
        return failure();
      acquired = thenA && elseA;
      continue;
    }
    if (failed(rejectHidden(op)))
      return failure();
  }
  return success();
}

LogicalResult RingChecker::walkConsumer(Block &block, scf::ForOp loop,
                                        llvm::StringSet<> &waited,
                                        bool &released, bool guarded,
                                        int &votes, int64_t lag, bool last) {
  // The block an op of this walk must address: n or n - lag.
  auto expected = [&](Value index) {
    BlockRef r = classify(index);
    return r.kind == BlockRef::LoopPlus && r.loop == loop && r.value == -lag;
  };
  for (Operation &op : block) {
    if (auto v = dyn_cast<RingVoteOp>(op)) {
      if (v.getRing() != ring.getRing())
        continue;
      if (lag || last)
        return v.emitOpError("votes where a lagged block's V is used: the "
                             "votes are on block n");
      if (guarded)
        return v.emitOpError("must run on every path of the iteration (the "
                             "vote barrier counts every consumer "
                             "warpgroup)");
      if (votes++)
        return v.emitOpError("votes twice on block n");
      if (!waited.empty() || released)
        return v.emitOpError("votes after waiting for block n: the producer "
                             "fills the stage only after the votes");
      continue;
    }
    if (auto bal = dyn_cast<RingBallotOp>(op)) {
      if (bal.getRing() != ring.getRing())
        continue;
      if (!isLoopBlock(bal.getBlock(), loop))
        return bal.emitOpError("reads the votes of a block other than the "
                               "consumer loop's block n");
      if (!waited.empty() || released)
        return bal.emitOpError("reads the votes after waiting for block n: "
                               "the producer fills the stage only after the "
                               "votes");
      ++ballots;
      continue;
    }
    if (auto w = dyn_cast<RingWaitOp>(op)) {
      if (w.getRing() != ring.getRing())
        continue;
      if (!expected(w.getBlock()))
        return w.emitOpError(lag ? "waits for a block other than the "
                                   "lagged block where its V is used"
                                 : "waits for block n other than the "
                                   "consumer loop's block n");
      if (type.getVotes() && !votes && !ballots && !lag && !last)
        return w.emitOpError("waits for block n before voting on it (or, "
                             "releasing for the voters, reading their "
                             "ballot): the producer fills the stage only "
                             "after the votes");
      if (released)
        return w.emitOpError("reads block n's stage after releasing it: the "
                             "producer may be refilling it");
      if (last && !lag)
        tailOrder = 0;
      waited.insert(w.getSlot());
      continue;
    }
    if (auto rel = dyn_cast<RingReleaseOp>(op)) {
      if (rel.getRing() != ring.getRing())
        continue;
      if (!expected(rel.getBlock()))
        return rel.emitOpError("releases a block other than the loop's");
      if (guarded)
        return rel.emitOpError("must run on every path of the iteration (the "
                               "empty barrier counts every consumer "
                               "warpgroup)");
      if (released)
        return rel.emitOpError("releases block n twice: the empty barrier "
                               "would complete a phase early");
      if (last && !lag)
        tailOrder = 0;
      released = true;
      commits |= rel.getCommit();
      continue;
    }
    if (isa<RingPutOp, RingAcquireOp, RingCompleteOp, RingVotesOp>(op) &&
        op.getOperand(0) == ring.getRing())
      return op.emitOpError("fills the ring inside its consumer loop; a ring "
                            "with consumers is filled by its producer loop");
    if (auto ifOp = dyn_cast<scf::IfOp>(op)) {
      // Lagged: `if (n >= k)` holds the iteration's part for block n - k,
      // which runs on every path of the iterations that have one.
      int64_t k = atLeast(ifOp.getCondition(), loop.getInductionVar());
      if (!lag && !last && !guarded && k > 0 &&
          thenOnly(ifOp, ring.getRing())) {
        if (depth && depth != k)
          return ifOp.emitOpError("uses blocks n - ")
                 << depth << " and n - " << k
                 << " of a ring: one loop lags by one distance";
        // With votes, those of block n share a stage with block n - k's.
        if (type.getVotes() && k >= type.getStages())
          return ifOp.emitOpError("uses block n - ")
                 << k << " of a ring of " << type.getStages()
                 << " stages: a consumer holding blocks n - " << k
                 << " .. n while voting on block n needs more stages than "
                    "its lag";
        depth = k;
        int none = 0;
        if (failed(walkConsumer(ifOp.getThenRegion().front(), loop,
                                laggedWaited, laggedReleased,
                                /*guarded=*/false, none, /*lag=*/k)))
          return failure();
        continue;
      }
      // Lagged: the last iteration completes the blocks still held.
      if (!lag && !last && !guarded &&
          isLastIteration(ifOp.getCondition(), loop) &&
          thenOnly(ifOp, ring.getRing())) {
        if (!tailParts.empty())
          return ifOp.emitOpError("completes the last block twice");
        tailOrder = INT64_MAX;
        int none = 0;
        auto &[w, r] = tailParts[0];
        if (failed(walkConsumer(ifOp.getThenRegion().front(), loop, w, r,
                                /*guarded=*/false, none, /*lag=*/0,
                                /*last=*/true)))
          return failure();
        continue;
      }
      // The last iteration's part for block n - k under `n >= k`, before
      // the younger blocks' parts.
      if (!lag && last && !guarded && k > 0 && thenOnly(ifOp, ring.getRing())) {
        if (k >= tailOrder)
          return ifOp.emitOpError("completes block n - ")
                 << k
                 << " after a younger block: the last iteration "
                    "completes its blocks oldest first";
        tailOrder = k;
        int none = 0;
        auto &[w, r] = tailParts[k];
        if (failed(walkConsumer(ifOp.getThenRegion().front(), loop, w, r,
                                /*guarded=*/false, none, /*lag=*/k,
                                /*last=*/true)))
          return failure();
        continue;
      }
      auto inBranch = [&](Block &b, llvm::StringSet<> &w, bool &r) {
        return walkConsumer(b, loop, w, r, /*guarded=*/true, votes, lag, last);
      };
      if (failed(walkBranches(ifOp, waited, released, inBranch)))
        return failure();
      continue;
    }
    if (failed(rejectHidden(op)))
      return failure();
  }
  return success();
}

LogicalResult RingChecker::checkPhaseOrder(RingWaitOp wait, scf::ForOp consumer,
                                           scf::ForOp producer) {
  Block *pbody = producer.getBody();
  RingAcquireOp acquire;
  pbody->walk([&](RingAcquireOp a) {
    if (!acquire && a.getRing() == ring.getRing())
      acquire = a;
  });
  // Earlier ops of the iteration, innermost block first.
  for (Operation *op = wait; op && op != consumer; op = op->getParentOp()) {
    for (Operation *prev = op->getPrevNode(); prev;
         prev = prev->getPrevNode()) {
      auto w = dyn_cast<RingWaitOp>(prev);
      if (!w || w.getRing() == ring.getRing() ||
          !isLoopBlock(w.getBlock(), consumer))
        continue;
      bool proves = false;
      pbody->walk([&](RingPutOp put) {
        proves |= acquire && put.getRing() == w.getRing() &&
                  put.getSlot() == w.getSlot() && before(acquire, put, pbody);
      });
      if (proves)
        return success();
    }
  }
  return wait.emitOpError("waits for slot '")
         << wait.getSlot()
         << "' of block n, which some path leaves unwaited: its barrier may "
            "still be in block n - stages's phase. Wait first for a slot the "
            "producer fills only after acquiring this ring's block n";
}

LogicalResult RingChecker::checkWithConsumers() {
  int64_t stages = type.getStages();
  scf::ForOp producer;
  llvm::SetVector<scf::ForOp> consumers;
  llvm::DenseMap<std::pair<StringRef, int64_t>, RingPutOp> constant;
  for (Operation *user : ring.getRing().getUsers()) {
    Value block =
        llvm::TypeSwitch<Operation *, Value>(user)
            .Case<RingPutOp, RingAcquireOp, RingWaitOp, RingReleaseOp,
                  RingCompleteOp, RingVoteOp, RingVotesOp, RingBallotOp>(
                [](auto op) { return op.getBlock(); })
            .Default([](Operation *) { return Value(); });
    if (!block)
      continue;
    BlockRef r = classify(block);
    // Lagged consumers: waits and releases of block n - 1 (checked with
    // that loop).
    bool lagOp = isa<RingWaitOp, RingReleaseOp>(user);
    if (lagOp && r.kind == BlockRef::LoopPlus && r.value < 0) {
      consumers.insert(r.loop);
      continue;
    }
    if (r.kind == BlockRef::Unknown ||
        (r.kind == BlockRef::LoopPlus && r.value != 0))
      return user->emitOpError("on a ring with consumers, block indices are "
                               "constants or a loop's block n");
    bool fills =
        isa<RingPutOp, RingAcquireOp, RingCompleteOp, RingVotesOp>(user);
    if (r.kind == BlockRef::Constant) {
      // A loop of one iteration folds into constant blocks; every block
      // below `stages` has a fresh stage, so acquiring it waits for nothing
      // and its release has no producer waiting.
      if (isa<RingAcquireOp, RingReleaseOp>(user) &&
          (r.value < 0 || r.value >= stages))
        return user->emitOpError("outside the producer and consumer loops "
                                 "only blocks [0, ")
               << stages << ") are acquired or released, not block " << r.value;
      if (auto put = dyn_cast<RingPutOp>(user)) {
        if (r.value < 0 || r.value >= stages)
          return put.emitOpError("puts outside a loop fill blocks [0, ")
                 << stages << "), not block " << r.value;
        if (!constant.try_emplace({put.getSlot(), r.value}, put).second)
          return put.emitOpError("fills slot '")
                 << put.getSlot() << "' of block " << r.value
                 << " twice: its barrier expects one arrival";
      }
      continue;
    }
    if (fills) {
      if (producer && producer != r.loop)
        return user->emitOpError("a ring with consumers has one producer "
                                 "loop");
      producer = r.loop;
    } else {
      consumers.insert(r.loop);
    }
  }
  // Waits for constant blocks need a constant put.
  for (Operation *user : ring.getRing().getUsers())
    if (auto w = dyn_cast<RingWaitOp>(user)) {
      BlockRef r = classify(w.getBlock());
      if (r.kind == BlockRef::Constant &&
          !constant.count({w.getSlot(), r.value}))
        return w.emitOpError("waits for slot '")
               << w.getSlot() << "' of block " << r.value
               << " but no put fills it";
    }
  if (!consumers.empty() && !producer)
    return scf::ForOp(consumers.front())
        .emitOpError(
            "consumes a ring with consumers that no producer loop fills");
  if (!producer)
    return success();
  if (!constant.empty())
    return producer.emitOpError("fills a ring whose blocks are also filled "
                                "outside the loop");

  bool acquired = false;
  llvm::StringMap<int> puts;
  llvm::StringMap<RingPutOp> putOps;
  llvm::StringMap<RingCompleteOp> completes;
  if (failed(walkProducer(*producer.getBody(), producer, acquired, puts, putOps,
                          completes)))
    return failure();
  for (Attribute s : type.getSlots()) {
    StringRef slot = cast<StringAttr>(s).getValue();
    if (puts.lookup(slot) != 1)
      return producer.emitOpError("fills ring slot '")
             << slot << "' " << puts.lookup(slot)
             << " times per block; its barrier expects one arrival";
    // A completion replaces the fill exactly when the fill does not run.
    if (RingCompleteOp c = completes.lookup(slot)) {
      Value p = putOps.lookup(slot).getPred(), q = c.getPred();
      auto negates = [](Value a, Value b) {
        auto x = b.getDefiningOp<arith::XOrIOp>();
        return x && ((x.getLhs() == a && matchPattern(x.getRhs(), m_One())) ||
                     (x.getRhs() == a && matchPattern(x.getLhs(), m_One())));
      };
      if (!negates(p, q) && !negates(q, p))
        return c.emitOpError("completes slot '")
               << slot
               << "' under a predicate that is not the negation of "
                  "its put's: the barrier expects one arrival per block";
    }
  }

  llvm::StringSet<> unwaited;
  int voterLoops = 0, committingLoops = 0;
  for (scf::ForOp loop : consumers) {
    if (!sameBlocks(loop, producer))
      return loop.emitOpError("the consumer and producer loops of a ring "
                              "must walk the same blocks (same bounds, step "
                              "1)");
    llvm::StringSet<> waited;
    bool released = false;
    int votes = 0;
    ballots = 0;
    commits = false;
    depth = 0;
    laggedWaited.clear();
    laggedReleased = false;
    tailParts.clear();
    if (failed(walkConsumer(*loop.getBody(), loop, waited, released,
                            /*guarded=*/false, votes)))
      return failure();
    // Lagged by k: block n - k's part stands for block n's, and the last
    // iteration's parts complete the last k blocks; all wait for the same
    // slots and release.
    if (depth || !tailParts.empty()) {
      if (released || !waited.empty())
        return loop.emitOpError("uses both block n and a lagged block of a "
                                "ring in one iteration");
      if (type.getVotes() && votes != 1)
        return loop.emitOpError("never votes on the ring's block n: its "
                                "producer would wait forever");
      bool alike = depth > 0 && (int64_t)tailParts.size() == depth;
      for (int64_t j = 0; j < depth && alike; ++j) {
        auto it = tailParts.find(j);
        alike = it != tailParts.end() && it->second.second == laggedReleased &&
                it->second.first.size() == laggedWaited.size();
        for (const auto &slot : laggedWaited)
          alike &= alike && it->second.first.contains(slot.getKey());
      }
      if (!alike)
        return loop.emitOpError("uses block n - k of a ring (under "
                                "n >= k) without the last iteration "
                                "completing blocks n - k + 1 .. n alike "
                                "(under n == ub - 1), or the other way "
                                "round");
      waited = laggedWaited;
      released = laggedReleased;
    }
    // sm_100a: the math warpgroups only vote; the MMA issuer reads their
    // ballot, waits for the stage and releases it for all of them.
    if (votes == 1 && waited.empty() && !released) {
      ++voterLoops;
      continue;
    }
    if (commits && ballots != 1 && type.getVotes())
      return loop.emitOpError("releases for the voters without reading "
                              "their ballot on block n once");
    if (commits)
      ++committingLoops;
    if (!released)
      return loop.emitOpError("never releases the ring's block n: the "
                              "producer would wait forever");
    if (type.getVotes() && votes != 1 && !commits)
      return loop.emitOpError("never votes on the ring's block n: its "
                              "producer would wait forever");
    for (Attribute s : type.getSlots())
      if (!waited.contains(cast<StringAttr>(s).getValue()))
        unwaited.insert(cast<StringAttr>(s).getValue());
    // The producer of a ring with votes fills a stage only after the votes
    // of its block; a consumer that skipped waiting could run ahead of it
    // by more than `stages` blocks.
    if (type.getVotes() && !unwaited.empty())
      return loop.emitOpError("leaves slot '")
             << unwaited.begin()->getKey()
             << "' of a ring with votes unwaited on some path; wait for it "
                "on every path (a completed stage passes at once)";
  }
  if (voterLoops && committingLoops != 1)
    return producer.emitOpError("a ring whose consumers only vote needs one "
                                "loop that waits for its blocks and releases "
                                "them for all (ring.release commit), got ")
           << committingLoops;
  // A barrier whose block n - stages may have gone unwaited can still be in
  // that block's phase when a consumer reaches block n: a parity wait would
  // then pass at once. The consumer must first have waited for something
  // the producer fills only after acquiring this ring's block n.
  if (!unwaited.empty())
    for (scf::ForOp loop : consumers) {
      LogicalResult r = success();
      loop.getBody()->walk([&](RingWaitOp w) {
        if (succeeded(r) && w.getRing() == ring.getRing() &&
            unwaited.contains(w.getSlot()))
          r = checkPhaseOrder(w, loop, producer);
      });
      if (failed(r))
        return failure();
    }
  // The producer's acquire waits for the loads of block n - stages; those
  // of the last blocks need a drain after its loop.
  for (const auto &e : unwaited) {
    bool drained = false;
    for (Operation *o = producer->getNextNode(); o; o = o->getNextNode())
      if (auto d = dyn_cast<RingDrainOp>(o))
        drained |= d.getRing() == ring.getRing() && d.getSlot() == e.getKey() &&
                   d.getCount() == producer.getUpperBound();
    if (!drained)
      return producer.emitOpError("some consumer path leaves ring slot '")
             << e.getKey()
             << "' of a block unwaited; drain it after the producer loop "
                "(ring.drain with the loop's block count)";
  }
  return success();
}

LogicalResult RingChecker::check() {
  if (type.getConsumers() > 0)
    return checkWithConsumers();
  int64_t stages = type.getStages();
  // Prologue puts (constant blocks) and the loops that consume the ring.
  llvm::DenseMap<std::pair<StringRef, int64_t>, RingPutOp> prologue;
  llvm::SetVector<scf::ForOp> loops;
  llvm::StringSet<> putSlots;
  for (Operation *user : ring.getRing().getUsers()) {
    if (auto put = dyn_cast<RingPutOp>(user)) {
      putSlots.insert(put.getSlot());
      BlockRef r = classify(put.getBlock());
      if (r.kind == BlockRef::Constant) {
        if (r.value < 0 || r.value >= stages)
          return put.emitOpError("prologue puts fill blocks [0, ")
                 << stages << "), not block " << r.value;
        auto [it, fresh] = prologue.try_emplace({put.getSlot(), r.value}, put);
        if (!fresh) {
          // Reported at the later of the two puts.
          RingPutOp later = put;
          if (it->second->getBlock() == put->getBlock() &&
              put->isBeforeInBlock(it->second))
            later = it->second;
          return later.emitOpError("fills slot '")
                 << put.getSlot() << "' of block " << r.value
                 << " twice: its barrier expects one arrival";
        }
      } else if (r.kind == BlockRef::Unknown) {
        return put.emitOpError("block index must be a constant or the KV "
                               "loop's block plus a constant");
      } else {
        loops.insert(r.loop); // checked even if nothing waits in it
      }
      continue;
    }
    if (auto w = dyn_cast<RingWaitOp>(user)) {
      BlockRef r = classify(w.getBlock());
      if (r.kind == BlockRef::Constant) {
        if (!prologue.count({w.getSlot(), r.value}) &&
            !llvm::any_of(ring.getRing().getUsers(), [&](Operation *o) {
              auto p = dyn_cast<RingPutOp>(o);
              return p && p.getSlot() == w.getSlot() &&
                     classify(p.getBlock()).kind == BlockRef::Constant &&
                     classify(p.getBlock()).value == r.value;
            }))
          return w.emitOpError("waits for slot '")
                 << w.getSlot() << "' of block " << r.value
                 << " but no put fills it";
        continue;
      }
      if (r.kind != BlockRef::LoopPlus || r.value != 0)
        return w.emitOpError("waits for a block other than a constant or the "
                             "KV loop's block n");
      loops.insert(r.loop);
    }
  }

  for (Operation *user : ring.getRing().getUsers())
    if (auto w = dyn_cast<RingWaitOp>(user))
      if (!putSlots.contains(w.getSlot()))
        return w.emitOpError("waits for slot '")
               << w.getSlot() << "' that no ring.put fills";

  for (scf::ForOp loop : loops) {
    // Blocks 0 .. stages-1 come from the prologue, before the loop.
    for (Attribute s : type.getSlots()) {
      StringRef slot = cast<StringAttr>(s).getValue();
      for (int64_t st = 0; st < stages; ++st) {
        auto it = prologue.find({slot, st});
        if (it == prologue.end())
          return loop.emitOpError("consumes ring slot '")
                 << slot << "' but no prologue put fills block " << st;
        if (it->second->getBlock() == loop->getBlock() &&
            !it->second->isBeforeInBlock(loop))
          return it->second.emitOpError("prologue put must come before the "
                                        "KV loop");
      }
    }
    llvm::StringSet<> waited;
    bool released = false;
    if (failed(walk(*loop.getBody(), loop, waited, released,
                    /*guarded=*/false)))
      return failure();
    // Every slot needs a refill put of block n + stages in the body, else
    // blocks past the prologue are never loaded.
    for (Attribute s : type.getSlots()) {
      StringRef slot = cast<StringAttr>(s).getValue();
      bool refilled = false;
      loop.getBody()->walk([&](RingPutOp p) {
        refilled |= p.getRing() == ring.getRing() && p.getSlot() == slot;
      });
      if (!refilled)
        return loop.emitOpError("never refills ring slot '")
               << slot << "': blocks past " << stages - 1 << " are not loaded";
      // Slots not waited for on every path of an iteration are drained
      // after the loop (the last `stages` blocks are never refilled).
      if (waited.contains(slot))
        continue;
      bool drained = false;
      for (Operation *o = loop->getNextNode(); o; o = o->getNextNode())
        if (auto d = dyn_cast<RingDrainOp>(o))
          drained |= d.getRing() == ring.getRing() && d.getSlot() == slot &&
                     d.getCount() == loop.getUpperBound();
      if (!drained)
        return loop.emitOpError("some path leaves ring slot '")
               << slot
               << "' of a block unwaited; drain it after the loop "
                  "(ring.drain with the loop's block count)";
    }
  }
  return success();
}

LogicalResult mlir::skipattn_gpu::protocol::checkRing(RingCreateOp ring) {
  return RingChecker(ring).check();
}
