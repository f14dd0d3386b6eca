// bf16 products (skipattn-tile bf16-products): the query is packed
// unscaled into a bf16 tile, block_scores carries the scale of its
// products (softmax scale x log2 e = 0.125 x 1.4427), and the CPU lowering
// packs each K block as 32-bit pairs of the head dimension and multiplies
// them on AVX-512 BF16 (x86vector.avx512.dot, 16 keys a vector), scaling
// the f32 sums before the mask; it then lowers to the LLVM intrinsic.
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=32 block-kv=64 bf16-products=true}))' | FileCheck %s --check-prefix=TILED
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=32 block-kv=64 bf16-products=true},skipattn-insert-skip-predicates,convert-skipattn-to-cpu,canonicalize,cse))' | FileCheck %s
// RUN: skipattn-opt %s --skipattn-cpu-pipeline='bf16-products=true' | FileCheck %s --check-prefix=LLVM
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=32 block-kv=64}))' | FileCheck %s --check-prefix=F32

// TILED: memref.alloca() : memref<32x64xbf16>
// TILED: skipattn.pack_q {{.*}} : memref<1x2x100x64xbf16>, memref<32x64xbf16>
// TILED: skipattn.block_scores {{.*}} {causal, q_len = 100 : i64, rows_per_head = 32 : i64, scale = 0.180336878 : f32}

// CHECK: memref.alloca() : memref<32x64xi32>
// CHECK: vector.bitcast %{{.*}} : vector<2xbf16> to vector<1xi32>
// CHECK: x86vector.avx512.dot %{{.*}}, %{{.*}}, %{{.*}} : vector<32xbf16> -> vector<16xf32>
// CHECK: vector.insert_strided_slice
// CHECK: arith.mulf %{{.*}}, %cst{{.*}} : vector<64xf32>

// LLVM: llvm.x86.avx512bf16.dpbf16ps.512

// F32: memref.alloca() : memref<32x64xf32>
// F32: skipattn.block_scores {{.*}} {causal, q_len = 100 : i64, rows_per_head = 32 : i64} :

func.func @attn(%q: memref<1x2x100x64xbf16>, %k: memref<1x2x300x64xbf16>,
                %v: memref<1x2x300x64xbf16>, %o: memref<1x2x100x64xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x100x64xbf16>, memref<1x2x300x64xbf16>, memref<1x2x300x64xbf16>)
      outs(%o : memref<1x2x100x64xbf16>) {causal, scale = 0.125 : f32}
  return
}
