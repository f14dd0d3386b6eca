// RUN: skipattn-opt %s --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=32 block-kv=64},skipattn-insert-skip-predicates,convert-skipattn-to-cpu,canonicalize,cse))' | FileCheck %s

// The blocked ops become vector loops: no skipattn op is left; Q.K^T and
// P.V are broadcast-FMA chains over whole rows, f16 is widened on load, the
// skip predicate is a max-reduction vote guarding the exp and the P.V loop.
// CHECK-LABEL: func @lowered
// CHECK-NOT: skipattn.
// CHECK: scf.parallel
// CHECK: memref.alloca() : memref<64x64xf32>
// Q.K^T over the transposed K block, 4 rows at a time.
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>)
// CHECK: vector.fma {{.*}} : vector<64xf32>
// Masking: key index lanes against the row's visible limit.
// CHECK: arith.cmpi slt, %{{.*}}, %{{.*}} : vector<64xindex>
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : vector<64xi1>, vector<64xf32>
// The vote: every row's block max against log2(lambda).
// CHECK: vector.reduction <maxnumf>
// CHECK: arith.cmpf olt
// CHECK: scf.if
// exp2 became a vectorisable polynomial (no libm call per lane).
// CHECK-NOT: math.exp2
// CHECK: vector.reduction <add>
// P.V: V rows widened from f16, 2 rows of accumulators.
// CHECK: arith.extf %{{.*}} : vector<64xf16> to vector<64xf32>
// CHECK: vector.fma {{.*}} : vector<64xf32>
// Finalize: normalise, narrow to f16, store the row.
// CHECK: arith.truncf %{{.*}} : vector<64xf32> to vector<64xf16>
// CHECK: vector.store %{{.*}} : memref<1x2x128x64xf16>, vector<64xf16>
func.func @lowered(%q: memref<1x2x128x64xf16>, %k: memref<1x2x256x64xf16>,
                   %v: memref<1x2x256x64xf16>, %o: memref<1x2x128x64xf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x64xf16>, memref<1x2x256x64xf16>, memref<1x2x256x64xf16>)
      outs(%o : memref<1x2x128x64xf16>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
  return
}
