// A V inside K (MLA), value splits and voting ahead: the schedule, the
// subtile's column ranges, the exchanges and the attention's value_in_key
// reject what cannot be built.
// RUN: skipattn-opt %s --split-input-file --verify-diagnostics

// expected-error @+1 {{head_dim must be a multiple of 64 up to 256, got 576}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 576, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} { return }

// -----

// expected-error @+1 {{value_dim must be head_dim, or with value_in_key a multiple of 64 up to head_dim; got 512}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 256, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>], value_dim = 512>} { return }

// -----

// expected-error @+1 {{value_split must split value_dim into 64-column multiples of at most 256 (a wgmma's N), got 1 for value_dim 512}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 576, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>], value_dim = 512, value_in_key = true>} { return }

// -----

// expected-error @+1 {{value_split needs wgmma and one row block (block_q = 64) without pingpong}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 64, head_dim = 576, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 16, max_nreg = 0>], value_dim = 512, value_split = 2, value_in_key = true>} { return }

// -----

// expected-error @+1 {{the math role needs one warpgroup per 64 rows of block_q and value split: 8 warps, got 4}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 576, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>], value_dim = 512, value_split = 2, value_in_key = true>} { return }

// -----

// expected-error @+1 {{value_in_key is a wgmma schedule without gated V (V is read with K)}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 576, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 232>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 40>], gate_v = true, value_dim = 512, value_split = 2, value_in_key = true>} { return }

// -----

func.func @f(%k: !skipattn_gpu.smem<64x576xbf16>, %c: index) {
  // expected-error @+2 {{column 32 + 256 is not a range of whole boxes inside the source's 576 columns}}
  %c32 = arith.constant 32 : index
  %v = skipattn_gpu.subtile %k[%c, %c32] : !skipattn_gpu.smem<64x576xbf16> -> !skipattn_gpu.smem<64x256xbf16>
  return
}

// -----

func.func @f(%k: !skipattn_gpu.smem<64x576xbf16>, %c: index) {
  // expected-error @+2 {{column 384 + 256 is not a range of whole boxes inside the source's 576 columns}}
  %c384 = arith.constant 384 : index
  %v = skipattn_gpu.subtile %k[%c, %c384] : !skipattn_gpu.smem<64x576xbf16> -> !skipattn_gpu.smem<64x256xbf16>
  return
}

// -----

func.func @f(%k: !skipattn_gpu.smem<64x576xbf16>, %c: index) {
  // expected-error @+1 {{without a column the result has the source's columns}}
  %v = skipattn_gpu.subtile %k[%c] : !skipattn_gpu.smem<64x576xbf16> -> !skipattn_gpu.smem<64x256xbf16>
  return
}

// -----

func.func @f(%q: memref<1x16x1x512xbf16>, %k: memref<1x1x128x512xbf16>, %v: memref<1x1x128x576xbf16>, %o: memref<1x16x1x576xbf16>) {
  // expected-error @+1 {{value_in_key: V is the first Dv columns of K, so Dv (576) cannot exceed D (512)}}
  skipattn.attention ins(%q, %k, %v : memref<1x16x1x512xbf16>, memref<1x1x128x512xbf16>, memref<1x1x128x576xbf16>) outs(%o : memref<1x16x1x576xbf16>) {value_in_key}
  return
}

// -----

func.func @f(%m: !skipattn_gpu.rows<64xf32>) {
  // expected-error @+1 {{combine is "max" or "add", got "min"}}
  %r = skipattn_gpu.exchange_rows %m {combine = "min", offset = 0 : i64} : !skipattn_gpu.rows<64xf32>
  return
}

// -----

func.func @f(%l: !skipattn_gpu.rows<64xf32, partial>) {
  // expected-error @+1 {{max combines full rows (block maxima), add partial ones (row sums)}}
  %r = skipattn_gpu.exchange_rows %l {combine = "max", offset = 0 : i64} : !skipattn_gpu.rows<64xf32, partial>
  return
}

// -----

func.func @f(%m: !skipattn_gpu.rows<64xf32>) {
  // expected-error @+1 {{offset must be a non-negative multiple of 16}}
  %r = skipattn_gpu.exchange_rows %m {combine = "max", offset = 8 : i64} : !skipattn_gpu.rows<64xf32>
  return
}

// -----

func.func @f(%p: !skipattn_gpu.operand<64x32xbf16>) {
  // expected-error @+1 {{concatenates two 64-row operands of whole k-steps (16 columns) into one of twice the columns}}
  %r = skipattn_gpu.exchange_probs %p {offset = 0 : i64} : !skipattn_gpu.operand<64x32xbf16> -> !skipattn_gpu.operand<64x32xbf16>
  return
}

// -----

// expected-error @+1 {{a value split is over two warpgroups, each with half of a block's keys (block_kv a multiple of 32), without the conditional rescale}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 576, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 232>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 40>], rescale_threshold = 8, value_dim = 512, value_split = 2, value_in_key = true>} { return }

// -----

// expected-error @+1 {{vote_ahead needs gated V on wgmma with one math warpgroup (block_q = 64: the decode schedule), more stages than blocks it votes ahead, no conditional rescale and no value split}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>], gate_v = true, vote_ahead = 1>} { return }

// -----

// expected-error @+1 {{vote_ahead needs gated V on wgmma with one math warpgroup}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 128, head_dim = 128, stages = 3, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 56>], vote_ahead = 1>} { return }

// -----

func.func @f(%m: !skipattn_gpu.rows<128xf32>) {
  // expected-error @+1 {{exchanges a wgmma warpgroup's 64 f32 rows}}
  %r = skipattn_gpu.exchange_rows %m {combine = "max", offset = 0 : i64} : !skipattn_gpu.rows<128xf32>
  return
}

// -----

func.func @f(%k: !skipattn_gpu.smem<64x128xbf16>, %r: index, %c: index) {
  // expected-error @+1 {{a column range is whole 64-column boxes of the source}}
  %v = skipattn_gpu.subtile %k[%r, %c] : !skipattn_gpu.smem<64x128xbf16> -> !skipattn_gpu.smem<64x192xbf16, pitch = 64>
  return
}

// -----

// Voting three blocks ahead holds blocks n - 3 .. n: three stages are too few.
// expected-error @+1 {{vote_ahead needs gated V on wgmma with one math warpgroup (block_q = 64: the decode schedule), more stages than blocks it votes ahead}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 128, head_dim = 128, stages = 3, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 256>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 56>], gate_v = true, vote_ahead = 3>} { return }

// -----

// expected-error @+1 {{vote_ahead must be in [0, 3]}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 128, head_dim = 128, stages = 3, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 256>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 56>], gate_v = true, vote_ahead = 4>} { return }
