// One case per verifier message of the skipattn_gpu types, attributes and
// ops.
// RUN: skipattn-opt %s --split-input-file --verify-diagnostics

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

// expected-error @+1 {{expected rows x cols}}
func.func @f(%a: !skipattn_gpu.smem<64xbf16>) { return }

// -----

// expected-error @+1 {{shared-memory tiles hold f16 or bf16, not 'f32'}}
func.func @f(%a: !skipattn_gpu.smem<64x64xf32>) { return }

// -----

// expected-error @+1 {{rows must be a positive multiple of 8 (a swizzle atom) and at most 256 (a TMA box), got 60}}
func.func @f(%a: !skipattn_gpu.smem<60x64xbf16>) { return }

// -----

// expected-error @+1 {{rows must be a positive multiple of 8 (a swizzle atom) and at most 256 (a TMA box), got 264}}
func.func @f(%a: !skipattn_gpu.smem<264x64xbf16>) { return }

// -----

// expected-error @+1 {{cols must be a positive multiple of 64 (one 128-byte swizzled box row), got 32}}
func.func @f(%a: !skipattn_gpu.smem<64x32xf16>) { return }

// -----

// expected-error @+1 {{pitch must be a multiple of 8, at least rows (64) and at most 256 (a TMA box), got 32}}
func.func @f(%a: !skipattn_gpu.smem<64x64xbf16, pitch = 32>) { return }

// -----

// expected-error @+1 {{pitch must be a multiple of 8, at least rows (64) and at most 256 (a TMA box), got 68}}
func.func @f(%a: !skipattn_gpu.smem<64x64xbf16, pitch = 68>) { return }

// -----

// expected-error @+1 {{at most 256 (a TMA box), got 1024}}
func.func @f(%a: !skipattn_gpu.smem<64x64xbf16, pitch = 1024>) { return }

// -----

// expected-error @+1 {{stages must be in [1, 8], got 0}}
func.func @f(%a: !skipattn_gpu.ring<0 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>) { return }

// -----

// expected-error @+1 {{stages must be in [1, 8], got 9}}
func.func @f(%a: !skipattn_gpu.ring<9 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>) { return }

// -----

// expected-error @+1 {{a ring needs at least one slot}}
func.func @f(%a: !skipattn_gpu.ring<2 x [] of !skipattn_gpu.smem<64x64xbf16>>) { return }

// -----

// expected-error @+1 {{slot names must be non-empty strings}}
func.func @f(%a: !skipattn_gpu.ring<2 x ["k", ""] of !skipattn_gpu.smem<64x64xbf16>>) { return }

// -----

// expected-error @+1 {{slot names must be non-empty strings}}
func.func @f(%a: !skipattn_gpu.ring<2 x [1] of !skipattn_gpu.smem<64x64xbf16>>) { return }

// -----

// expected-error @+1 {{duplicate slot 'k'}}
func.func @f(%a: !skipattn_gpu.ring<2 x ["k", "v", "k"] of !skipattn_gpu.smem<64x64xbf16>>) { return }

// -----

// expected-error @+1 {{ring slots are whole allocations (pitch = rows)}}
func.func @f(%a: !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16, pitch = 128>>) { return }

// -----

// expected-error @+1 {{consumers (warpgroups releasing a stage) must be in [0, 8], got 9}}
func.func @f(%a: !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 9>) { return }

// -----

// expected-error @+1 {{expected rows x cols}}
func.func @f(%a: !skipattn_gpu.acc<64xf32>) { return }

// -----

// expected-error @+1 {{accumulators are f32}}
func.func @f(%a: !skipattn_gpu.acc<64x64xf16>) { return }

// -----

// expected-error @+1 {{a warpgroup accumulator has 64 rows (wgmma) or 128 (tensor memory lanes), got 96}}
func.func @f(%a: !skipattn_gpu.acc<96x64xf32>) { return }

// -----

// expected-error @+1 {{accumulator columns must be a multiple of 16 in [16, 256] (wgmma N), got 8}}
func.func @f(%a: !skipattn_gpu.acc<64x8xf32>) { return }

// -----

// expected-error @+1 {{accumulator columns must be a multiple of 16 in [16, 256] (wgmma N), got 272}}
func.func @f(%a: !skipattn_gpu.acc<64x272xf32>) { return }

// -----

// expected-error @+1 {{expected rows x cols}}
func.func @f(%a: !skipattn_gpu.operand<64x64x2xbf16>) { return }

// -----

// expected-error @+1 {{a register operand has 64 rows (wgmma) or 128 (tensor memory lanes), got 32}}
func.func @f(%a: !skipattn_gpu.operand<32x64xbf16>) { return }

// -----

// expected-error @+1 {{operand columns must be a positive multiple of 16 (wgmma K steps), got 24}}
func.func @f(%a: !skipattn_gpu.operand<64x24xbf16>) { return }

// -----

// expected-error @+1 {{register operands are f16 or bf16, not 'f32'}}
func.func @f(%a: !skipattn_gpu.operand<64x64xf32>) { return }

// -----

// expected-error @+1 {{expected one dimension}}
func.func @f(%a: !skipattn_gpu.rows<64x2xf32>) { return }

// -----

// expected-error @+1 {{per-row fragments have 64 rows (wgmma) or 128 (tensor memory lanes), got 256}}
func.func @f(%a: !skipattn_gpu.rows<256xf32>) { return }

// -----

// expected-error @+1 {{per-row values are f32 or i32, not 'f16'}}
func.func @f(%a: !skipattn_gpu.rows<64xf16>) { return }

// -----

// expected-error @+1 {{only f32 sums can be partial}}
func.func @f(%a: !skipattn_gpu.rows<64xi32, partial>) { return }

// -----

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

// expected-error @+1 {{a role needs a name}}
func.func @f() attributes {a = #skipattn_gpu.role<name = "", first_warp = 0, num_warps = 4, max_nreg = 0>} { return }

// -----

// expected-error @+1 {{role warps (4 from warp 30) do not fit a CTA of at most 32 warps}}
func.func @f() attributes {a = #skipattn_gpu.role<name = "math", first_warp = 30, num_warps = 4, max_nreg = 0>} { return }

// -----

// expected-error @+1 {{role warps (0 from warp 0) do not fit a CTA of at most 32 warps}}
func.func @f() attributes {a = #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 0, max_nreg = 0>} { return }

// -----

// expected-error @+1 {{max_nreg must be 0 or a multiple of 8 in [24, 256] (setmaxnreg), got 16}}
func.func @f() attributes {a = #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 16>} { return }

// -----

// expected-error @+1 {{max_nreg must be 0 or a multiple of 8 in [24, 256] (setmaxnreg), got 100}}
func.func @f() attributes {a = #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 100>} { return }

// -----

// expected-error @+1 {{block_q must be a positive multiple of 64 (one warpgroup per 64 rows), got 96}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 96, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} { return }

// -----

// expected-error @+1 {{block_kv must be a multiple of 16 in [16, 256], got 8}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 8, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} { return }

// -----

// expected-error @+1 {{head_dim must be a multiple of 64 up to 256, got 96}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 96, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} { return }

// -----

// expected-error @+1 {{stages must be in [1, 8], got 0}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 0, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} { return }

// -----

// expected-error @+1 {{the skip unit is the warpgroup (64 rows), got 128}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 128, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>]>} { return }

// -----

// expected-error @+1 {{a schedule needs at least one role}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = []>} { return }

// -----

// expected-error @+1 {{roles must be #skipattn_gpu.role attributes}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = ["math"]>} { return }

// -----

// expected-error @+1 {{warp 3 belongs to two roles}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>, #skipattn_gpu.role<name = "producer", first_warp = 3, num_warps = 2, max_nreg = 0>]>} { return }

// -----

// expected-error @+1 {{the math role needs one warpgroup per 64 rows of block_q and value split: 8 warps, got 4}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} { return }

// -----

// expected-error @+1 {{the math role must start at a warpgroup}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "producer", first_warp = 0, num_warps = 2, max_nreg = 0>, #skipattn_gpu.role<name = "math", first_warp = 2, num_warps = 4, max_nreg = 0>]>} { return }

// -----

// expected-error @+1 {{a schedule needs a 'math' role}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "compute", first_warp = 0, num_warps = 4, max_nreg = 0>]>} { return }

// -----

// expected-error @+1 {{role warps must be contiguous from warp 0}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>, #skipattn_gpu.role<name = "producer", first_warp = 8, num_warps = 4, max_nreg = 0>]>} { return }

// -----

// expected-error @+1 {{role warps must be contiguous from warp 0}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 4, num_warps = 4, max_nreg = 0>]>} { return }

// -----

// expected-error @+1 {{the launch contract needs a kernel name}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "", grid = [1, 1, 1], block = [128, 1, 1], smem = 0, params = [], box_q = [64, 64, 1], box_kv = [64, 64]>} { return }

// -----

// expected-error @+1 {{grid and block have three dimensions}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [1, 1], block = [128, 1, 1], smem = 0, params = [], box_q = [64, 64, 1], box_kv = [64, 64]>} { return }

// -----

// expected-error @+1 {{grid and block have three dimensions}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [1, 1, 1], block = [128, 1, 1, 1], smem = 0, params = [], box_q = [64, 64, 1], box_kv = [64, 64]>} { return }

// -----

// expected-error @+1 {{grid dimensions must be in [1, 2^31)}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [1, 0, 1], block = [128, 1, 1], smem = 0, params = [], box_q = [64, 64, 1], box_kv = [64, 64]>} { return }

// -----

// expected-error @+1 {{grid dimensions must be in [1, 2^31)}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [2147483648, 1, 1], block = [128, 1, 1], smem = 0, params = [], box_q = [64, 64, 1], box_kv = [64, 64]>} { return }

// -----

// expected-error @+1 {{a block has 1 to 1024 threads}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [1, 1, 1], block = [512, 4, 1], smem = 0, params = [], box_q = [64, 64, 1], box_kv = [64, 64]>} { return }

// -----

// expected-error @+1 {{block dimensions must be in [1, 1024]}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [1, 1, 1], block = [128, 0, 1], smem = 0, params = [], box_q = [64, 64, 1], box_kv = [64, 64]>} { return }

// -----

// expected-error @+1 {{dynamic shared memory must be in [0, 232448], got 232449}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [1, 1, 1], block = [128, 1, 1], smem = 232449, params = [], box_q = [64, 64, 1], box_kv = [64, 64]>} { return }

// -----

// expected-error @+1 {{dynamic shared memory must be in [0, 232448], got -1}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [1, 1, 1], block = [128, 1, 1], smem = -1, params = [], box_q = [64, 64, 1], box_kv = [64, 64]>} { return }

// -----

// expected-error @+1 {{params must be #skipattn_gpu.param attributes}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [1, 1, 1], block = [128, 1, 1], smem = 0, params = [#skipattn_gpu.param<tma_q>, #skipattn_gpu.major<k>], box_q = [64, 64, 1], box_kv = [64, 64]>} { return }

// -----

// expected-error @+1 {{heads must divide the 64 rows of a warpgroup, got 3}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>], heads = 3>} { return }

// -----

// expected-error @+1 {{packed heads need one math warpgroup (block_q = 64), got block_q = 128}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>], heads = 4>} { return }

// -----

// expected-error @+1 {{kv_splits must be in [1, 1024], got 0}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>], kv_splits = 0>} { return }

// -----

// expected-error @+1 {{TMA boxes are [columns, rows, heads] (Q) and [columns, rows] (K/V), each in [1, 256]}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [1, 1, 1], block = [128, 1, 1], smem = 0, params = [], box_q = [64], box_kv = [64, 64]>} { return }

// -----

// expected-error @+1 {{TMA boxes are [columns, rows, heads] (Q) and [columns, rows] (K/V), each in [1, 256]}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [1, 1, 1], block = [128, 1, 1], smem = 0, params = [], box_q = [64, 64, 1], box_kv = [64, 512]>} { return }

// -----

//===----------------------------------------------------------------------===//
// Kernel structure
//===----------------------------------------------------------------------===//

gpu.module @m {
  gpu.func @k() kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>, #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 1, max_nreg = 0>]>} {
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0> {
      // expected-error @+1 {{'skipattn_gpu.warp_role' op roles do not nest}}
      skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 1, max_nreg = 0> {
      }
    }
    gpu.return
  }
}

// -----

func.func @f() {
  // expected-error @+1 {{'skipattn_gpu.warp_role' op must be inside a gpu.func carrying a #skipattn_gpu.schedule}}
  skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0> {
  }
  return
}

// -----

gpu.module @m {
  gpu.func @k() kernel {
    // expected-error @+1 {{'skipattn_gpu.warp_role' op must be inside a gpu.func carrying a #skipattn_gpu.schedule}}
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0> {
    }
    gpu.return
  }
}

// -----

gpu.module @m {
  gpu.func @k() kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} {
    // expected-error @+1 {{'skipattn_gpu.warp_role' op role 'math' is not one of the schedule's roles}}
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 128> {
    }
    gpu.return
  }
}

// -----

gpu.module @m {
  gpu.func @k() kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} {
    // expected-error @+1 {{'skipattn_gpu.elect' op must be inside a skipattn_gpu.warp_role}}
    %e = skipattn_gpu.elect
    gpu.return
  }
}

// -----

func.func @f() {
  // expected-error @+1 {{'skipattn_gpu.warpgroup_id' op must be inside a skipattn_gpu.warp_role}}
  %w = skipattn_gpu.warpgroup_id : index
  return
}

// -----

//===----------------------------------------------------------------------===//
// Rings
//===----------------------------------------------------------------------===//

func.func @f() {
  // expected-error @+1 {{'skipattn_gpu.ring.create' op offset must be a non-negative multiple of 1024 (the swizzle period), got 512}}
  %r = skipattn_gpu.ring.create {offset = 512} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>
  return
}

// -----

func.func @f(%n: index, %p: i1) {
  %r = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>
  // expected-error @+1 {{'skipattn_gpu.ring.put' op ring has no slot 'v'}}
  skipattn_gpu.ring.put %r[%n], "v" if %p bytes(0) {
  ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
  } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>
  return
}

// -----

func.func @f(%n: index, %p: i1) {
  %r = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>
  // expected-error @+1 {{'skipattn_gpu.ring.put' op body takes the slot tile '!skipattn_gpu.smem<64x64xbf16>'}}
  skipattn_gpu.ring.put %r[%n], "k" if %p bytes(0) {
  ^bb0(%dst: !skipattn_gpu.smem<64x128xbf16>):
  } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>
  return
}

// -----

func.func @f(%n: index, %p: i1) {
  %r = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>
  // expected-error @+1 {{'skipattn_gpu.ring.put' op body takes the slot tile '!skipattn_gpu.smem<64x64xbf16>'}}
  skipattn_gpu.ring.put %r[%n], "k" if %p bytes(0) {
  } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>
  return
}

// -----

func.func @f(%n: index, %p: i1, %d: !llvm.ptr) {
  %r = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>
  // expected-error @+1 {{'skipattn_gpu.ring.put' op arms its barrier for 16384 bytes but its TMA loads write 8192}}
  skipattn_gpu.ring.put %r[%n], "k" if %p bytes(16384) {
  ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
    skipattn_gpu.tma_load %d[%n, %n, %n] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
  } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>
  return
}

// -----

func.func @f(%n: index, %p: i1, %d: !llvm.ptr, %other: !skipattn_gpu.smem<64x64xbf16>) {
  %r = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>
  skipattn_gpu.ring.put %r[%n], "k" if %p bytes(8192) {
  ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
    // expected-error @+1 {{'skipattn_gpu.tma_load' op must write the slot of its ring.put}}
    skipattn_gpu.tma_load %d[%n, %n, %n] into %other : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
  } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>
  return
}

// -----

func.func @f(%n: index, %d: !llvm.ptr, %dst: !skipattn_gpu.smem<64x64xbf16>) {
  // expected-error @+1 {{'skipattn_gpu.tma_load' op expects parent op 'skipattn_gpu.ring.put'}}
  skipattn_gpu.tma_load %d[%n, %n, %n] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
  return
}

// -----

func.func @f(%n: index) {
  %r = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
  // expected-error @+1 {{'skipattn_gpu.ring.wait' op ring has no slot 'q'}}
  %t = skipattn_gpu.ring.wait %r[%n], "q" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
  return
}

// -----

func.func @f(%n: index) {
  %r = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
  // expected-error @+1 {{'skipattn_gpu.ring.wait' op result must be the slot tile '!skipattn_gpu.smem<64x64xbf16>'}}
  %t = skipattn_gpu.ring.wait %r[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xf16>
  return
}

// -----

func.func @f(%n: index, %p: i1) {
  %r = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
  // expected-error @+1 {{'skipattn_gpu.ring.drain' op ring has no slot 'q'}}
  skipattn_gpu.ring.drain %r[%n], "q" if %p : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
  return
}

// -----

func.func @f(%t: !skipattn_gpu.smem<128x128xbf16>, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.subtile' op result must be rows of the source with the same element type and pitch}}
  %s = skipattn_gpu.subtile %t[%i] : !skipattn_gpu.smem<128x128xbf16> -> !skipattn_gpu.smem<64x128xbf16>
  return
}

// -----

func.func @f(%t: !skipattn_gpu.smem<128x128xbf16>, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.subtile' op without a column the result has the source's columns}}
  %s = skipattn_gpu.subtile %t[%i] : !skipattn_gpu.smem<128x128xbf16> -> !skipattn_gpu.smem<64x64xbf16, pitch = 128>
  return
}

// -----

func.func @f(%t: !skipattn_gpu.smem<128x128xbf16>, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.subtile' op result must be rows of the source with the same element type and pitch}}
  %s = skipattn_gpu.subtile %t[%i] : !skipattn_gpu.smem<128x128xbf16> -> !skipattn_gpu.smem<64x128xf16, pitch = 128>
  return
}

// -----

func.func @f(%t: !skipattn_gpu.smem<64x128xbf16, pitch = 128>, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.subtile' op result must be rows of the source with the same element type and pitch}}
  %s = skipattn_gpu.subtile %t[%i] : !skipattn_gpu.smem<64x128xbf16, pitch = 128> -> !skipattn_gpu.smem<128x128xbf16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Fragments
//===----------------------------------------------------------------------===//

func.func @f(%p: !skipattn_gpu.operand<64x64xbf16>, %k: !skipattn_gpu.smem<64x64xbf16>) {
  // expected-error @+1 {{'skipattn_gpu.mma' op a register A operand multiplies an MN-major B}}
  %s = skipattn_gpu.mma %p, %k {b_major = #skipattn_gpu.major<k>} : !skipattn_gpu.operand<64x64xbf16>, !skipattn_gpu.smem<64x64xbf16> -> !skipattn_gpu.acc<64x64xf32>
  return
}

// -----

func.func @f(%q: !skipattn_gpu.smem<128x64xbf16>, %k: !skipattn_gpu.smem<64x64xbf16>) {
  // expected-error @+1 {{'skipattn_gpu.mma' op A must have 64 rows (one warpgroup), got 128}}
  %s = skipattn_gpu.mma %q, %k {b_major = #skipattn_gpu.major<k>} : !skipattn_gpu.smem<128x64xbf16>, !skipattn_gpu.smem<64x64xbf16> -> !skipattn_gpu.acc<64x64xf32>
  return
}

// -----

func.func @f(%q: !skipattn_gpu.smem<64x64xf16>, %k: !skipattn_gpu.smem<64x64xbf16>) {
  // expected-error @+1 {{'skipattn_gpu.mma' op A and B element types differ}}
  %s = skipattn_gpu.mma %q, %k {b_major = #skipattn_gpu.major<k>} : !skipattn_gpu.smem<64x64xf16>, !skipattn_gpu.smem<64x64xbf16> -> !skipattn_gpu.acc<64x64xf32>
  return
}

// -----

func.func @f(%p: !skipattn_gpu.operand<64x64xf16>, %v: !skipattn_gpu.smem<64x64xbf16>) {
  // expected-error @+1 {{'skipattn_gpu.mma' op A and B element types differ}}
  %o = skipattn_gpu.mma %p, %v {b_major = #skipattn_gpu.major<mn>} : !skipattn_gpu.operand<64x64xf16>, !skipattn_gpu.smem<64x64xbf16> -> !skipattn_gpu.acc<64x64xf32>
  return
}

// -----

func.func @f(%q: !skipattn_gpu.smem<64x128xbf16>, %k: !skipattn_gpu.smem<64x64xbf16>) {
  // expected-error @+1 {{'skipattn_gpu.mma' op contraction sizes differ: A has 128, B has 64}}
  %s = skipattn_gpu.mma %q, %k {b_major = #skipattn_gpu.major<k>} : !skipattn_gpu.smem<64x128xbf16>, !skipattn_gpu.smem<64x64xbf16> -> !skipattn_gpu.acc<64x64xf32>
  return
}

// -----

func.func @f(%p: !skipattn_gpu.operand<64x64xbf16>, %v: !skipattn_gpu.smem<128x64xbf16>) {
  // expected-error @+1 {{'skipattn_gpu.mma' op contraction sizes differ: A has 64, B has 128}}
  %o = skipattn_gpu.mma %p, %v {b_major = #skipattn_gpu.major<mn>} : !skipattn_gpu.operand<64x64xbf16>, !skipattn_gpu.smem<128x64xbf16> -> !skipattn_gpu.acc<64x64xf32>
  return
}

// -----

func.func @f(%q: !skipattn_gpu.smem<64x64xbf16>, %k: !skipattn_gpu.smem<128x64xbf16>) {
  // expected-error @+1 {{'skipattn_gpu.mma' op result must have 128 columns}}
  %s = skipattn_gpu.mma %q, %k {b_major = #skipattn_gpu.major<k>} : !skipattn_gpu.smem<64x64xbf16>, !skipattn_gpu.smem<128x64xbf16> -> !skipattn_gpu.acc<64x64xf32>
  return
}

// -----

func.func @f(%p: !skipattn_gpu.operand<64x64xbf16>, %v: !skipattn_gpu.smem<64x128xbf16>, %a: !skipattn_gpu.acc<64x64xf32>) {
  // expected-error @+1 {{'skipattn_gpu.mma' op acc and result types differ}}
  %o = skipattn_gpu.mma %p, %v acc(%a : !skipattn_gpu.acc<64x64xf32>) {b_major = #skipattn_gpu.major<mn>} : !skipattn_gpu.operand<64x64xbf16>, !skipattn_gpu.smem<64x128xbf16> -> !skipattn_gpu.acc<64x128xf32>
  return
}

// -----

func.func @f(%q: !skipattn_gpu.smem<64x64xbf16>, %k: !skipattn_gpu.smem<64x64xbf16>, %lim: !skipattn_gpu.rows<64xi32>, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.mma' op result is not ready before skipattn_gpu.mma_wait; 'skipattn_gpu.mask' uses it}}
  %s = skipattn_gpu.mma %q, %k {b_major = #skipattn_gpu.major<k>} : !skipattn_gpu.smem<64x64xbf16>, !skipattn_gpu.smem<64x64xbf16> -> !skipattn_gpu.acc<64x64xf32>
  %m = skipattn_gpu.mask %s, %lim, %i : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xi32>
  return
}

// -----

// An MMA yielded by an scf.if stays in flight: the if's result must only
// be waited for.
func.func @f(%p: !skipattn_gpu.operand<64x64xbf16>, %v: !skipattn_gpu.smem<64x64xbf16>, %o: !skipattn_gpu.acc<64x64xf32>, %c: i1, %f: !skipattn_gpu.rows<64xf32>) {
  %r = scf.if %c -> !skipattn_gpu.acc<64x64xf32> {
    // expected-error @+1 {{'skipattn_gpu.mma' op result is not ready before skipattn_gpu.mma_wait; 'skipattn_gpu.scale_rows' uses it}}
    %pv = skipattn_gpu.mma %p, %v acc(%o : !skipattn_gpu.acc<64x64xf32>) {b_major = #skipattn_gpu.major<mn>} : !skipattn_gpu.operand<64x64xbf16>, !skipattn_gpu.smem<64x64xbf16> -> !skipattn_gpu.acc<64x64xf32>
    scf.yield %pv : !skipattn_gpu.acc<64x64xf32>
  } else {
    scf.yield %o : !skipattn_gpu.acc<64x64xf32>
  }
  %x = skipattn_gpu.scale_rows %r, %f : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xf32>
  return
}

// -----

func.func @f(%a: !skipattn_gpu.acc<64x64xf32>, %f: !skipattn_gpu.rows<64xf32, partial>) {
  // expected-error @+1 {{'skipattn_gpu.scale_rows' op factors must be full f32 rows}}
  %x = skipattn_gpu.scale_rows %a, %f : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xf32, partial>
  return
}

// -----

func.func @f(%a: !skipattn_gpu.acc<128x64xf32>, %f: !skipattn_gpu.rows<128xf32>) {
  // expected-error @+1 {{'skipattn_gpu.scale_rows' op scales a warpgroup's 64-row accumulator by one factor per row}}
  %x = skipattn_gpu.scale_rows %a, %f : !skipattn_gpu.acc<128x64xf32>, !skipattn_gpu.rows<128xf32>
  return
}

// -----

func.func @f(%a: !skipattn_gpu.acc<64x128xf32>) {
  // expected-error @+1 {{'skipattn_gpu.to_operand' op packs a warpgroup's 64-row fragment into an operand of the same shape}}
  %x = skipattn_gpu.to_operand %a : !skipattn_gpu.acc<64x128xf32> -> !skipattn_gpu.operand<64x64xbf16>
  return
}

// -----

func.func @f(%a: !skipattn_gpu.acc<128x64xf32>) {
  // expected-error @+1 {{'skipattn_gpu.to_operand' op packs a warpgroup's 64-row fragment into an operand of the same shape}}
  %x = skipattn_gpu.to_operand %a : !skipattn_gpu.acc<128x64xf32> -> !skipattn_gpu.operand<128x64xbf16>
  return
}

// -----

func.func @f(%s: !skipattn_gpu.acc<64x128xf32>, %m: !skipattn_gpu.rows<64xf32>, %l: !skipattn_gpu.rows<64xf32, partial>) {
  // expected-error @+1 {{'skipattn_gpu.row_update' op f32 probabilities are a warpgroup's 64-row fragment of the scores' type}}
  %a, %b, %c, %p = skipattn_gpu.row_update %s, %m state(%m, %l) {scale = 1.0 : f32} : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial> -> !skipattn_gpu.acc<64x64xf32>
  return
}


// -----

func.func @f(%r: index, %n: index) {
  // expected-error @+1 {{'skipattn_gpu.row_limits' op limits are full i32 rows}}
  %l = skipattn_gpu.row_limits %r, %n {q_len = 64} : !skipattn_gpu.rows<64xf32>
  return
}

// -----

func.func @f(%r: index, %n: index) {
  // expected-error @+1 {{'skipattn_gpu.row_limits' op limits are full i32 rows}}
  %l = skipattn_gpu.row_limits %r, %n {causal, q_len = 64} : !skipattn_gpu.rows<64xf32, partial>
  return
}

// -----

func.func @f(%r: index, %n: index) {
  // expected-error @+1 {{'skipattn_gpu.row_limits' op q_len must be positive}}
  %l = skipattn_gpu.row_limits %r, %n {causal, q_len = 0} : !skipattn_gpu.rows<64xi32>
  return
}

// -----

func.func @f(%s: !skipattn_gpu.acc<64x64xf32>, %lim: !skipattn_gpu.rows<64xf32>, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.mask' op limits must be full i32 rows}}
  %m = skipattn_gpu.mask %s, %lim, %i : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xf32>
  return
}

// -----

func.func @f(%s: !skipattn_gpu.acc<64x64xf32>) {
  // expected-error @+1 {{'skipattn_gpu.row_max' op result must be full f32 rows}}
  %m = skipattn_gpu.row_max %s {scale = 1.0 : f32} : !skipattn_gpu.acc<64x64xf32> -> !skipattn_gpu.rows<64xf32, partial>
  return
}

// -----

func.func @f(%s: !skipattn_gpu.acc<64x64xf32>) {
  // expected-error @+1 {{'skipattn_gpu.row_max' op result must be full f32 rows}}
  %m = skipattn_gpu.row_max %s {scale = 1.0 : f32} : !skipattn_gpu.acc<64x64xf32> -> !skipattn_gpu.rows<64xi32>
  return
}

// -----

func.func @f(%bm: !skipattn_gpu.rows<64xf32, partial>, %m: !skipattn_gpu.rows<64xf32, partial>, %l: f32) {
  // expected-error @+1 {{'skipattn_gpu.skip_vote' op block_max must be full f32 rows}}
  %s = skipattn_gpu.skip_vote %bm, %m log2_lambda(%l) : !skipattn_gpu.rows<64xf32, partial>
  return
}

// -----

func.func @f(%s: !skipattn_gpu.acc<64x64xf32>, %bm: !skipattn_gpu.rows<64xi32>, %m: !skipattn_gpu.rows<64xi32>, %l: !skipattn_gpu.rows<64xf32, partial>, %a: !skipattn_gpu.acc<64x64xf32>) {
  // expected-error @+1 {{'skipattn_gpu.online_update' op block_max must be full f32 rows}}
  %m1, %l1, %a1, %p = skipattn_gpu.online_update %s, %bm state(%m, %l, %a) {scale = 1.0 : f32} : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xi32>, !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.acc<64x64xf32> -> !skipattn_gpu.operand<64x64xbf16>
  return
}

// -----

func.func @f(%s: !skipattn_gpu.acc<64x64xf32>, %bm: !skipattn_gpu.rows<64xf32>, %m: !skipattn_gpu.rows<64xf32>, %l: !skipattn_gpu.rows<64xf32>, %a: !skipattn_gpu.acc<64x64xf32>) {
  // expected-error @+1 {{'skipattn_gpu.online_update' op row_sum must be partial f32 rows}}
  %m1, %l1, %a1, %p = skipattn_gpu.online_update %s, %bm state(%m, %l, %a) {scale = 1.0 : f32} : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32>, !skipattn_gpu.acc<64x64xf32> -> !skipattn_gpu.operand<64x64xbf16>
  return
}

// -----

func.func @f(%s: !skipattn_gpu.acc<64x64xf32>, %bm: !skipattn_gpu.rows<64xf32>, %m: !skipattn_gpu.rows<64xf32>, %l: !skipattn_gpu.rows<64xf32, partial>, %a: !skipattn_gpu.acc<64x128xf32>) {
  // expected-error @+1 {{'skipattn_gpu.online_update' op probs must have the scores' 64 columns}}
  %m1, %l1, %a1, %p = skipattn_gpu.online_update %s, %bm state(%m, %l, %a) {scale = 1.0 : f32} : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.acc<64x128xf32> -> !skipattn_gpu.operand<64x128xbf16>
  return
}

// -----

func.func @f(%a: !skipattn_gpu.acc<64x64xf32>, %l: !skipattn_gpu.rows<64xf32, partial>, %out: !llvm.ptr<1>, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.store_tile' op stores f16, bf16 or f32, not 'f64'}}
  skipattn_gpu.store_tile %a, %l into %out[%i, %i, %i] {element_type = f64, q_len = 64, strides = array<i64: 8192, 4096, 64>} : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xf32, partial>, !llvm.ptr<1>
  return
}

// -----

func.func @f(%a: !skipattn_gpu.acc<64x64xf32>, %l: !skipattn_gpu.rows<64xf32, partial>, %out: !llvm.ptr<1>, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.store_tile' op q_len must be positive}}
  skipattn_gpu.store_tile %a, %l into %out[%i, %i, %i] {element_type = f16, q_len = 0, strides = array<i64: 8192, 4096, 64>} : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xf32, partial>, !llvm.ptr<1>
  return
}

// -----

func.func @f(%a: !skipattn_gpu.acc<64x64xf32>, %l: !skipattn_gpu.rows<64xf32>, %out: !llvm.ptr<1>, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.store_tile' op row_sum must be partial f32 rows}}
  skipattn_gpu.store_tile %a, %l into %out[%i, %i, %i] {element_type = bf16, q_len = 64, strides = array<i64: 8192, 4096, 64>} : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xf32>, !llvm.ptr<1>
  return
}

// -----

func.func @f(%m: !skipattn_gpu.rows<64xf32>, %l: !skipattn_gpu.rows<64xf32, partial>, %lse: !llvm.ptr<1>, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.store_lse' op q_len must be positive}}
  skipattn_gpu.store_lse %m, %l into %lse[%i, %i] {q_len = 0} : !skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial>, !llvm.ptr<1>
  return
}

// -----

func.func @f(%m: !skipattn_gpu.rows<64xf32, partial>, %l: !skipattn_gpu.rows<64xf32, partial>, %lse: !llvm.ptr<1>, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.store_lse' op row_max must be full f32 rows}}
  skipattn_gpu.store_lse %m, %l into %lse[%i, %i] {q_len = 64} : !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.rows<64xf32, partial>, !llvm.ptr<1>
  return
}

// -----

func.func @f(%m: !skipattn_gpu.rows<64xf32>, %l: !skipattn_gpu.rows<64xi32>, %lse: !llvm.ptr<1>, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.store_lse' op row_sum must be partial f32 rows}}
  skipattn_gpu.store_lse %m, %l into %lse[%i, %i] {q_len = 64} : !skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xi32>, !llvm.ptr<1>
  return
}

// -----

// expected-error @+1 {{block dimensions must be in [1, 1024]}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [1, 1, 1], block = [-1, -1, 1], smem = 0, params = [], box_q = [64, 64, 1], box_kv = [64, 64]>} { return }

// -----

// expected-error @+1 {{two roles are named 'load'}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 1, max_nreg = 0>, #skipattn_gpu.role<name = "load", first_warp = 5, num_warps = 1, max_nreg = 0>]>} { return }

// -----

func.func @f() {
  // expected-error @+1 {{'skipattn_gpu.ring.create' op offset must be a non-negative multiple of 1024 (the swizzle period), got -1024}}
  %r = skipattn_gpu.ring.create {offset = -1024} : !skipattn_gpu.ring<1 x ["q"] of !skipattn_gpu.smem<64x64xbf16>>
  return
}

// -----

func.func @f(%a: !skipattn_gpu.acc<64x64xf32>) {
  // expected-error @+1 {{'skipattn_gpu.mma_wait' op pending must be non-negative}}
  %0 = skipattn_gpu.mma_wait %a {pending = -1} : !skipattn_gpu.acc<64x64xf32>
  return
}

// -----

func.func @f(%r: index, %l: index) {
  // expected-error @+1 {{'skipattn_gpu.row_limits' op q_len must be positive}}
  %0 = skipattn_gpu.row_limits %r, %l {q_len = -3} : !skipattn_gpu.rows<64xi32>
  return
}

// -----

// expected-error @+1 {{role 'load' sets max_nreg, so it must span whole warpgroups}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 1, max_nreg = 24>]>} { return }

// -----

// A ring is placed and its barriers initialised by ring.create; one passed
// in from elsewhere has neither.
func.func @f(%r: !skipattn_gpu.ring<1 x ["q"] of !skipattn_gpu.smem<64x64xbf16>>, %n: index) {
  // expected-error @+1 {{'skipattn_gpu.ring.wait' op ring must be defined by skipattn_gpu.ring.create}}
  %t = skipattn_gpu.ring.wait %r[%n], "q" : !skipattn_gpu.ring<1 x ["q"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
  return
}

// -----

func.func @f(%a: !skipattn_gpu.acc<64x64xf32>, %l: !skipattn_gpu.rows<64xf32, partial>, %out: !llvm.ptr<1>, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.store_tile' op strides are three non-negative even element strides (batch, head, row)}}
  skipattn_gpu.store_tile %a, %l into %out[%i, %i, %i] {element_type = bf16, q_len = 64, strides = array<i64: 8192, 4096, 63>} : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xf32, partial>, !llvm.ptr<1>
  return
}

// -----

func.func @f(%d: !llvm.ptr, %n: index, %p: i1) {
  %r = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<1 x ["q"] of !skipattn_gpu.smem<64x64xbf16>>
  // expected-error @+1 {{'skipattn_gpu.ring.put' op body holds only skipattn_gpu.tma_load ops, not 'arith.addi'}}
  skipattn_gpu.ring.put %r[%n], "q" if %p bytes(8192) {
  ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
    %row = arith.addi %n, %n : index
    skipattn_gpu.tma_load %d[%n, %n, %n] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
  } : !skipattn_gpu.ring<1 x ["q"] of !skipattn_gpu.smem<64x64xbf16>>
  return
}

// -----

// expected-error @+1 {{role warps (1 from warp 9223372036854775807) do not fit a CTA of at most 32 warps}}
func.func @f() attributes {a = #skipattn_gpu.role<name = "r", first_warp = 9223372036854775807, num_warps = 1, max_nreg = 0>} { return }

// -----

func.func @f() {
  // expected-error @+1 {{'skipattn_gpu.tile_id' op q_tiles must be in [1, 2^31 - 1], got 0}}
  %b, %h, %t = skipattn_gpu.tile_id {q_tiles = 0} : index, index, index
  return
}

// -----

func.func @f(%x: f32) {
  // expected-error @+1 {{'skipattn_gpu.splat' op splats an f32 value, so per-row results are f32}}
  %r = skipattn_gpu.splat %x : !skipattn_gpu.rows<64xi32>
  return
}

// -----

func.func @f(%n: index, %p: i1) {
  %r = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>
  // expected-error @+1 {{'skipattn_gpu.ring.acquire' op needs a ring with consumers (empty barriers)}}
  skipattn_gpu.ring.acquire %r[%n] if %p : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>
  return
}

// -----

gpu.module @m {
  gpu.func @k(%n: index) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>]>} {
    %r = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240> {
      // expected-error @+1 {{the ring's empty barriers expect 1 consumer warpgroups, but role 'math' has 8 warps}}
      skipattn_gpu.ring.release %r[%n] : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    }
    gpu.return
  }
}

// -----

gpu.module @m {
  gpu.func @k() kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>]>} {
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0> {
      // expected-error @+1 {{'skipattn_gpu.turn_take' op needs a kernel whose schedule has pingpong}}
      skipattn_gpu.turn_take
    }
    gpu.return
  }
}

// -----

// expected-error @+1 {{pingpong alternates two math warpgroups: block_q must be 128, got 64}}
func.func @f() attributes {s = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>], pingpong = true>} { return }

// -----

gpu.module @m {
  gpu.func @k() kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>], pingpong = true>} {
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24> {
      %t = arith.constant true
      // expected-error @+1 {{'skipattn_gpu.turn_pass' op must be inside the math role}}
      skipattn_gpu.turn_pass if %t
    }
    gpu.return
  }
}

// -----

func.func @f(%a: !skipattn_gpu.acc<64x64xf32>, %l: !skipattn_gpu.rows<64xf32, partial>, %out: !llvm.ptr<1>, %i: index) {
  // expected-error @+1 {{rows_per_head must divide the 64 rows of a warpgroup, got 24}}
  skipattn_gpu.store_tile %a, %l into %out[%i, %i, %i] {element_type = bf16, q_len = 64, rows_per_head = 24 : i64, strides = array<i64: 8192, 4096, 64>} : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xf32, partial>, !llvm.ptr<1>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{kv_splits must be in [1, 1024], got 0}}
  %s = skipattn_gpu.split_id {kv_splits = 0} : index
  return
}

// -----

func.func @f(%p: !llvm.ptr<1>, %i: index) {
  // expected-error @+1 {{merges into f16 or bf16, not 'f32'}}
  skipattn_gpu.split_merge %p, %p, %p[%i] into %p[%i, %i, %i] plane %i {cols = 128 : i64, element_type = f32, flag_offset = 0 : i64, kv_splits = 4 : i64, planes = 8 : i64, q_len = 1 : i64, rows = 64 : i64, rows_per_head = 16 : i64, strides = array<i64: 1024, 128, 128>, threads = 128 : i64} : !llvm.ptr<1>, !llvm.ptr<1>, !llvm.ptr<1>, !llvm.ptr<1>
  return
}

// -----

func.func @f(%p: !llvm.ptr<1>, %i: index) {
  // expected-error @+1 {{rows a multiple of 64, cols even and threads whole warps}}
  skipattn_gpu.split_merge %p, %p, %p[%i] into %p[%i, %i, %i] plane %i {cols = 128 : i64, element_type = bf16, flag_offset = 0 : i64, kv_splits = 4 : i64, planes = 8 : i64, q_len = 1 : i64, rows = 64 : i64, rows_per_head = 16 : i64, strides = array<i64: 1024, 128, 128>, threads = 100 : i64} : !llvm.ptr<1>, !llvm.ptr<1>, !llvm.ptr<1>, !llvm.ptr<1>
  return
}

// -----

// expected-error @+1 {{votes need consumers (the warpgroups that vote)}}
func.func @f(%r: !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 0, votes = true>) { return }

// -----

// expected-error @+1 {{gate_v needs a load role (its second warp loads V) and no pingpong}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>], gate_v = true>} { return }

// -----

func.func @f(%i: index, %b: i1) {
  %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
  // expected-error @+1 {{needs a ring with votes}}
  skipattn_gpu.ring.complete %v[%i], "v" if %b : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
  return
}

// -----

gpu.module @m {
  gpu.func @k(%i: index, %b: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>]>} {
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240> {
      // expected-error @+1 {{the ring's vote barriers expect 1 consumer warpgroups, but role 'math' has 2}}
      skipattn_gpu.ring.vote %v[%i], %b : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    }
    gpu.return
  }
}

// -----

gpu.module @m {
  gpu.func @k() kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>]>} {
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24> {
      // expected-error @+1 {{warp 4 is not one of the role's 4 warps}}
      %e = skipattn_gpu.elect {warp = 4}
    }
    gpu.return
  }
}

// -----

// expected-error @+1 {{the workspace size must be >= 0}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [1, 1, 1], block = [128, 1, 1], smem = 0, params = [], box_q = [64, 64, 1], box_kv = [64, 64], workspace = -4>} { return }

// -----

func.func @f() {
  // expected-error @+1 {{kv_splits must be in [1, 1024] with q_tiles x kv_splits below 2^31, got 0}}
  %b, %h, %t = skipattn_gpu.tile_id {q_tiles = 2, kv_splits = 0} : index, index, index
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{head_group must be 0 (each head's tiles in a row) or a group size below 2^31, got -2}}
  %b, %h, %t = skipattn_gpu.tile_id {q_tiles = 2, head_group = -2} : index, index, index
  return
}

// -----

// expected-error @+1 {{head_group must be 0 (each head's tiles in a row) or a group size, got -1}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>], head_group = -1>} { return }

// -----

func.func @f(%p: !llvm.ptr<1>, %i: index) {
  // expected-error @+1 {{strides are three non-negative even element strides (batch, head, row)}}
  skipattn_gpu.split_merge %p, %p, %p[%i] into %p[%i, %i, %i] plane %i {cols = 128 : i64, element_type = bf16, flag_offset = 0 : i64, kv_splits = 4 : i64, planes = 8 : i64, q_len = 1 : i64, rows = 64 : i64, rows_per_head = 16 : i64, strides = array<i64: 1024, 128, 127>, threads = 128 : i64} : !llvm.ptr<1>, !llvm.ptr<1>, !llvm.ptr<1>, !llvm.ptr<1>
  return
}

// -----

func.func @f(%n: index, %p: i1, %d: !llvm.ptr) {
  %r = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>
  skipattn_gpu.ring.put %r[%n], "k" if %p bytes(8192) {
  ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
    skipattn_gpu.tma_load %d[%n, %n, %n] into %dst {rows = 32 : i64} : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
    // expected-error @+1 {{'skipattn_gpu.tma_load' op writes rows [36, 68) of a 64-row slot; they must lie in it and start and end at multiples of 8}}
    skipattn_gpu.tma_load %d[%n, %n, %n] into %dst {rows = 32 : i64, slot_row = 36 : i64} : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
  } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>>
  return
}

// -----

// expected-error @+1 {{ctas_per_sm must be 1 or 2, got 3}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>], ctas_per_sm = 3>} { return }

// -----

func.func @f(%s: !skipattn_gpu.acc<128x128xf32>, %m: !skipattn_gpu.rows<128xf32>, %l: !skipattn_gpu.rows<128xf32, partial>) {
  // expected-error @+1 {{'skipattn_gpu.row_update' op f32 probabilities are a warpgroup's 64-row fragment of the scores' type}}
  %a, %b, %c, %p = skipattn_gpu.row_update %s, %m state(%m, %l) {scale = 1.0 : f32} : !skipattn_gpu.acc<128x128xf32>, !skipattn_gpu.rows<128xf32>, !skipattn_gpu.rows<128xf32, partial> -> !skipattn_gpu.acc<128x128xf32>
  return
}

// -----

// expected-error @+1 {{box_out ([columns, rows, heads], each in [1, 256]) comes exactly with a tma_out parameter}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [1, 1, 1], block = [128, 1, 1], smem = 0, params = [#skipattn_gpu.param<out>], box_q = [64, 64, 1], box_kv = [64, 64], box_out = [64, 64, 1]>} { return }

// -----

// expected-error @+1 {{box_out ([columns, rows, heads], each in [1, 256]) comes exactly with a tma_out parameter}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [1, 1, 1], block = [128, 1, 1], smem = 0, params = [#skipattn_gpu.param<tma_out>], box_q = [64, 64, 1], box_kv = [64, 64]>} { return }

// -----

func.func @f(%a: !skipattn_gpu.acc<64x128xf32>, %l: !skipattn_gpu.rows<64xf32, partial>, %s: !skipattn_gpu.smem<128x128xbf16>, %d: !llvm.ptr, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.tma_store_tile' op the stage must have the accumulator's rows and at least its columns (whole 64-column boxes), its pitch a multiple of 8 rows}}
  skipattn_gpu.tma_store_tile %a, %l via %s into %d[%i, %i, %i] : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.smem<128x128xbf16>, !llvm.ptr
  return
}

// -----

func.func @f(%a: !skipattn_gpu.acc<64x128xf32>, %l: !skipattn_gpu.rows<64xf32, partial>, %s: !skipattn_gpu.smem<64x64xbf16, pitch = 128>, %d: !llvm.ptr, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.tma_store_tile' op the stage must have the accumulator's rows and at least its columns}}
  skipattn_gpu.tma_store_tile %a, %l via %s into %d[%i, %i, %i] : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.smem<64x64xbf16, pitch = 128>, !llvm.ptr
  return
}

// -----

func.func @f(%a: !skipattn_gpu.acc<64x128xf32>, %l: !skipattn_gpu.rows<64xf32, partial>, %s: !skipattn_gpu.smem<64x128xbf16>, %d: !llvm.ptr, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.tma_store_tile' op rows_per_head must divide the tile's 64 rows, got 24}}
  skipattn_gpu.tma_store_tile %a, %l via %s into %d[%i, %i, %i] {rows_per_head = 24 : i64} : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.smem<64x128xbf16>, !llvm.ptr
  return
}

// -----

func.func @f(%a: !skipattn_gpu.acc<64x128xf32>, %l: !skipattn_gpu.rows<64xf32>, %s: !skipattn_gpu.smem<64x128xbf16>, %d: !llvm.ptr, %i: index) {
  // expected-error @+1 {{'skipattn_gpu.tma_store_tile' op row_sum must be partial f32 rows}}
  skipattn_gpu.tma_store_tile %a, %l via %s into %d[%i, %i, %i] : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.rows<64xf32>, !skipattn_gpu.smem<64x128xbf16>, !llvm.ptr
  return
}

// -----

// expected-error @+1 {{expected 'workspace' or 'box_out', got 'box_o'}}
func.func @f() attributes {a = #skipattn_gpu.launch<kernel = "k", grid = [1, 1, 1], block = [128, 1, 1], smem = 0, params = [], box_q = [64, 64, 1], box_kv = [64, 64], box_o = [64, 64, 1]>} { return }

// -----

func.func @f(%st: !llvm.ptr<1>, %n: index) {
  // expected-error @+1 {{adds two of the statistics' 2 or 4 columns from column 0 or 2, got columns = 2, first = 2}}
  skipattn_gpu.add_stats %n, %n into %st[%n] {first = 2} : !llvm.ptr<1>
  return
}

// -----

func.func @f(%st: !llvm.ptr<1>, %n: index) {
  // expected-error @+1 {{counts per warp or in this thread, not both}}
  skipattn_gpu.add_stats %n, %n into %st[%n] {columns = 4, per_warp, this_thread} : !llvm.ptr<1>
  return
}
