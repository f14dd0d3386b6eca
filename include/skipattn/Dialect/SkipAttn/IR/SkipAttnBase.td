//===- SkipAttnBase.td - skipattn dialect definition -------*- tablegen -*-===//
//
// The dialect record shared by the attribute and op definitions.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_BASE
#define SKIPATTN_BASE

include "mlir/IR/OpBase.td"

def SkipAttn_Dialect : Dialect {
  let name = "skipattn";
  let cppNamespace = "::mlir::skipattn";
  let summary = "Skip-softmax (block-sparse online softmax) attention";
  let description = [{
    The `skipattn` dialect expresses attention whose online softmax may skip
    KV blocks that contribute negligibly next to the running row maximum
    (skip-softmax, published as BLASST).

    It has two levels:

    * **Problem level** - `skipattn.attention` states one multi-head
      attention call (MHA/GQA/MQA, causal, ragged KV lengths, optional skip
      configuration, optional log-sum-exp and skip statistics outputs) on
      tensors or, after bufferization, on memrefs.
    * **Blocked level** - produced by `skipattn-tile` on memrefs: one
      `skipattn.blocked_kv` loop per query tile whose body computes a score
      tile (`skipattn.block_scores`) and updates the online-softmax state
      (`skipattn.online_softmax`); `skipattn-insert-skip-predicates` guards
      that update with `skipattn.skip_predicate`; `skipattn.finalize`
      normalises. Tiling decisions are recorded as `#skipattn.tiling`.

    Scores at the blocked level live in the exp2 domain: the query tile is
    pre-multiplied by `scale * log2(e)`, so `exp(scale * s)` becomes
    `exp2(s')` and the skip test compares against `log2(lambda)`.
  }];
  let useDefaultAttributePrinterParser = 1;
}

class SkipAttn_Op<string mnemonic, list<Trait> traits = []>
    : Op<SkipAttn_Dialect, mnemonic, traits>;

#endif // SKIPATTN_BASE
