// The sm_100a ops and schedules reject what their lowering cannot build.
// RUN: skipattn-opt %s --split-input-file --verify-diagnostics

// expected-error @+1 {{tensor memory is allocated in powers of two from 32 to 512 columns, got 384}}
func.func @f(%t: !skipattn_gpu.tmem<384>) { return }

// -----

// expected-error @+1 {{stages must be in [1, 8], got 0}}
func.func @f(%p: !skipattn_gpu.pipe<0>) { return }

// -----

func.func @f(%c: index) {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
  %c200 = arith.constant 200 : index
  // expected-error @+1 {{columns [200, 328) exceed the 256 allocated}}
  %s = skipattn_gpu.tmem.load %t[%c200] : !skipattn_gpu.tmem<256> -> !skipattn_gpu.acc<128x128xf32>
  return
}

// -----

func.func @f(%c: index) {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
  // expected-error @+1 {{loads 128-row tiles of whole 32-column pieces}}
  %s = skipattn_gpu.tmem.load %t[%c] : !skipattn_gpu.tmem<256> -> !skipattn_gpu.acc<64x128xf32>
  return
}

// -----

func.func @f(%c: index, %p: !skipattn_gpu.operand<128x128xbf16>) {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<128>
  %c96 = arith.constant 96 : index
  // expected-error @+1 {{columns [96, 160) exceed the 128 allocated}}
  skipattn_gpu.tmem.store %p into %t[%c96] : !skipattn_gpu.operand<128x128xbf16>, !skipattn_gpu.tmem<128>
  return
}

// -----

func.func @f(%c: index, %a: !skipattn_gpu.rows<64xf32>) {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<128>
  // expected-error @+1 {{factors are one per tensor-memory lane (128 rows)}}
  skipattn_gpu.tmem.scale %t[%c], %a {cols = 64 : i64} : !skipattn_gpu.tmem<128>, !skipattn_gpu.rows<64xf32>
  return
}

// -----

func.func @f(%q: !skipattn_gpu.smem<128x128xbf16>, %k: !skipattn_gpu.smem<128x128xbf16>, %acc: i1) {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<512>
  // expected-error @+1 {{a shared A (Q) multiplies a K-major B}}
  skipattn_gpu.mma_tmem %q, %k into %t[0] accumulate(%acc) {b_major = #skipattn_gpu.major<mn>} : !skipattn_gpu.smem<128x128xbf16>, !skipattn_gpu.smem<128x128xbf16>, !skipattn_gpu.tmem<512>
  return
}

// -----

func.func @f(%q: !skipattn_gpu.smem<64x128xbf16>, %k: !skipattn_gpu.smem<128x128xbf16>, %acc: i1) {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<512>
  // expected-error @+1 {{a shared A is 128 x K of B's element type}}
  skipattn_gpu.mma_tmem %q, %k into %t[0] accumulate(%acc) {b_major = #skipattn_gpu.major<k>} : !skipattn_gpu.smem<64x128xbf16>, !skipattn_gpu.smem<128x128xbf16>, !skipattn_gpu.tmem<512>
  return
}

// -----

func.func @f(%v: !skipattn_gpu.smem<128x128xbf16>, %acc: i1) {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<512>
  // expected-error @+1 {{columns [448, 576) exceed the 512 allocated}}
  skipattn_gpu.mma_tmem %t, %v into %t[448] accumulate(%acc) {a_column = 64 : i64, b_major = #skipattn_gpu.major<mn>} : !skipattn_gpu.tmem<512>, !skipattn_gpu.smem<128x128xbf16>, !skipattn_gpu.tmem<512>
  return
}

// -----

// expected-error @+1 {{with tcgen05 the skip unit is a warp's 32 rows (its lane quarter of tensor memory), got 64}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = tcgen05, block_q = 256, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 8, num_warps = 4, max_nreg = 64>], gate_v = true>} { return }

// -----

// expected-error @+1 {{the tcgen05 schedule takes 128-key blocks and head_dim 64 or 128, got block_kv = 128, head_dim = 256}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = tcgen05, block_q = 256, block_kv = 128, head_dim = 256, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 8, num_warps = 4, max_nreg = 64>], gate_v = true>} { return }

// -----

// expected-error @+1 {{block_q must be a positive multiple of 128 (one warpgroup per 128 rows), got 192}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = tcgen05, block_q = 192, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 8, num_warps = 4, max_nreg = 64>], gate_v = true>} { return }

// -----

// expected-error @+1 {{the tcgen05 schedule needs a 4-warp 'producer' role (MMA issue, Q/K loads, V loads)}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = tcgen05, block_q = 256, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 224>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 64>], gate_v = true>} { return }

// -----

// expected-error @+1 {{the tcgen05 schedule gates V on the votes (the MMA issuer reads them): gate_v must be true}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = tcgen05, block_q = 256, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 8, num_warps = 4, max_nreg = 64>]>} { return }

// -----

func.func @f(%n: index) {
  %r = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 2>
  // expected-error @+1 {{needs a ring with votes}}
  %m = skipattn_gpu.ring.ballot %r[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 2>
  return
}

// -----

func.func @f(%n: index) {
  %r = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
  // expected-error @+1 {{a commit release needs a ring with consumers (its empty barriers)}}
  skipattn_gpu.ring.release %r[%n] commit : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
  return
}

// -----

func.func @f(%c: index) {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<32>
  // expected-error @+1 {{needs 64 columns of the 32 allocated}}
  %s = skipattn_gpu.tmem.load %t[%c] : !skipattn_gpu.tmem<32> -> !skipattn_gpu.acc<128x64xf32>
  return
}

// -----

func.func @f(%c: index, %a: !skipattn_gpu.acc<64x64xf32>) {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<128>
  // expected-error @+1 {{stores 128-row tiles of whole 16-column pieces}}
  skipattn_gpu.tmem.store %a into %t[%c] : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.tmem<128>
  return
}

// -----

func.func @f(%c: index, %a: !skipattn_gpu.rows<128xf32>) {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<128>
  // expected-error @+1 {{cols must be a positive multiple of 16}}
  skipattn_gpu.tmem.scale %t[%c], %a {cols = 8 : i64} : !skipattn_gpu.tmem<128>, !skipattn_gpu.rows<128xf32>
  return
}

// -----

func.func @f() {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<128>
  // expected-error @+1 {{must be inside the role that last reads tensor memory}}
  skipattn_gpu.tmem.dealloc %t {threads = 256 : i64} : !skipattn_gpu.tmem<128>
  return
}

// -----

gpu.module @m {
  gpu.func @f() kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 256, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 8, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<512>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 224> {
      // expected-error @+1 {{threads must be the role's 256}}
      skipattn_gpu.tmem.dealloc %t {threads = 128 : i64} : !skipattn_gpu.tmem<512>
    }
    gpu.return
  }
}

// -----

gpu.module @m {
  gpu.func @f() kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 256, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 8, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 224> {
      // expected-error @+1 {{runs on every thread of the CTA, outside the roles}}
      %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<512>
    }
    gpu.return
  }
}

// -----

func.func @f(%q: !skipattn_gpu.smem<128x128xbf16>, %k: !skipattn_gpu.smem<24x128xbf16>, %acc: i1) {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<512>
  // expected-error @+1 {{N must be a multiple of 16 in [16, 256], got 24}}
  skipattn_gpu.mma_tmem %q, %k into %t[0] accumulate(%acc) {b_major = #skipattn_gpu.major<k>} : !skipattn_gpu.smem<128x128xbf16>, !skipattn_gpu.smem<24x128xbf16>, !skipattn_gpu.tmem<512>
  return
}

// -----

func.func @f(%v: !skipattn_gpu.smem<128x128xbf16>, %acc: i1) {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<512>
  // expected-error @+1 {{A in tensor memory (P) multiplies an MN-major B}}
  skipattn_gpu.mma_tmem %t, %v into %t[256] accumulate(%acc) {a_column = 64 : i64, b_major = #skipattn_gpu.major<k>} : !skipattn_gpu.tmem<512>, !skipattn_gpu.smem<128x128xbf16>, !skipattn_gpu.tmem<512>
  return
}

// -----

func.func @f(%p: !skipattn_gpu.pipe<1>, %n: index) {
  // expected-error @+1 {{pipe must be defined by skipattn_gpu.pipe.create}}
  skipattn_gpu.pipe.commit %p[%n] : !skipattn_gpu.pipe<1>
  return
}

// -----

func.func @f(%p: !skipattn_gpu.pipe<1>, %n: index) {
  // expected-error @+1 {{pipe must be defined by skipattn_gpu.pipe.create}}
  skipattn_gpu.pipe.wait %p[%n] : !skipattn_gpu.pipe<1>
  return
}

// -----

func.func @f(%s: !skipattn_gpu.acc<128x128xf32>, %m: !skipattn_gpu.rows<64xf32>, %l: !skipattn_gpu.rows<64xf32, partial>) {
  // expected-error @+1 {{updates a 128-row tile (one row per thread) or a warpgroup's 64-row fragment, all of its operands alike}}
  %a, %b, %c, %p = skipattn_gpu.row_update %s, %m state(%m, %l) {scale = 1.0 : f32} : !skipattn_gpu.acc<128x128xf32>, !skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial> -> !skipattn_gpu.operand<128x128xbf16>
  return
}

// -----

func.func @f(%s: !skipattn_gpu.acc<128x128xf32>, %m: !skipattn_gpu.rows<128xf32>, %l: !skipattn_gpu.rows<128xf32, partial>) {
  // expected-error @+1 {{a base, a new base and a positive rescale_threshold come together (the conditional rescale)}}
  %a, %b, %c, %p, %mu = skipattn_gpu.row_update %s, %m state(%m, %l) base(%m : !skipattn_gpu.rows<128xf32>) {scale = 1.0 : f32} : !skipattn_gpu.acc<128x128xf32>, !skipattn_gpu.rows<128xf32>, !skipattn_gpu.rows<128xf32, partial> -> !skipattn_gpu.operand<128x128xbf16>, !skipattn_gpu.rows<128xf32>
  return
}

// -----

func.func @f(%s: !skipattn_gpu.acc<64x128xf32>, %m: !skipattn_gpu.rows<64xf32>, %l: !skipattn_gpu.rows<64xf32, partial>, %o: !skipattn_gpu.acc<64x128xf32>, %bad: !skipattn_gpu.rows<64xf32, partial>) {
  // expected-error @+1 {{the bases are full f32 rows like row_max}}
  %a, %b, %c, %p, %mu = skipattn_gpu.online_update %s, %m state(%m, %l, %o) base(%bad : !skipattn_gpu.rows<64xf32, partial>) {rescale_threshold = 8 : i64, scale = 1.0 : f32} : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.acc<64x128xf32> -> !skipattn_gpu.operand<64x128xbf16>, !skipattn_gpu.rows<64xf32, partial>
  return
}

// -----

func.func @f(%q: !skipattn_gpu.smem<64x128xbf16>, %k: !skipattn_gpu.smem<128x128xbf16>) {
  // expected-error @+1 {{wgmma accumulates into a 64-row accumulator}}
  %s = skipattn_gpu.mma %q, %k {b_major = #skipattn_gpu.major<k>} : !skipattn_gpu.smem<64x128xbf16>, !skipattn_gpu.smem<128x128xbf16> -> !skipattn_gpu.acc<128x128xf32>
  return
}

// -----

// expected-error @+1 {{rescale_threshold must be in [0, 15] (log2 units), got 16}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>], rescale_threshold = 16>} { return }

// -----

// expected-error @+1 {{the tcgen05 schedule has no packed heads, split-KV, pingpong or second CTA per SM}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = tcgen05, block_q = 256, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 8, num_warps = 4, max_nreg = 64>], gate_v = true, kv_splits = 2>} { return }

// -----

// expected-error @+1 {{S and O of 4 warpgroups need 1024 columns of tensor memory (512)}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = tcgen05, block_q = 512, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 16, max_nreg = 0>, #skipattn_gpu.role<name = "producer", first_warp = 16, num_warps = 4, max_nreg = 0>], gate_v = true>} { return }

// -----

// expected-error @+1 {{arrivals (warps) must be in [0, 32], got 40}}
func.func @f(%p: !skipattn_gpu.pipe<2, arrivals = 40>) { return }

// -----

func.func @f(%n: index) {
  %p = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<2, arrivals = 8>
  // expected-error @+1 {{commits to a pipe of one arrival (warps arrive on a pipe with arrivals)}}
  skipattn_gpu.pipe.commit %p[%n] : !skipattn_gpu.pipe<2, arrivals = 8>
  return
}

// -----

func.func @f(%n: index) {
  %p = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<1>
  // expected-error @+1 {{arrives on a pipe with arrivals (the MMA issuer commits to the others)}}
  skipattn_gpu.pipe.arrive %p[%n] : !skipattn_gpu.pipe<1>
  return
}

// -----

func.func @f(%c: index) {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
  // expected-error @+1 {{moves one f32 value per row of a 128-row tile}}
  %r = skipattn_gpu.tmem.load %t[%c] : !skipattn_gpu.tmem<256> -> !skipattn_gpu.rows<64xf32>
  return
}

// -----

func.func @f(%r: !skipattn_gpu.rows<128xi32>) {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
  %c256 = arith.constant 256 : index
  // expected-error @+1 {{moves one f32 value per row of a 128-row tile}}
  skipattn_gpu.tmem.store %r into %t[%c256] : !skipattn_gpu.rows<128xi32>, !skipattn_gpu.tmem<256>
  return
}

// -----

func.func @f(%r: !skipattn_gpu.rows<128xf32>) {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
  %c256 = arith.constant 256 : index
  // expected-error @+1 {{columns [256, 257) exceed the 256 allocated}}
  skipattn_gpu.tmem.store %r into %t[%c256] : !skipattn_gpu.rows<128xf32>, !skipattn_gpu.tmem<256>
  return
}
