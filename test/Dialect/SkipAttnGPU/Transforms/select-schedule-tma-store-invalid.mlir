// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{tma-store=1}))'

// Asked for where TMA cannot store the output: rows 130 elements (260
// bytes) apart.
func.func @odd_rows(%q: memref<1x2x300x128xbf16>, %k: memref<1x2x700x128xbf16>,
                    %v: memref<1x2x700x128xbf16>,
                    %o: memref<1x2x300x128xbf16, strided<[78000, 39000, 130, 1]>>) {
  // expected-error @+1 {{tma_store needs one output tile per CTA (no split-KV, no value split, no V inside K) and output strides of whole 16 bytes}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x128xbf16>, memref<1x2x700x128xbf16>, memref<1x2x700x128xbf16>)
      outs(%o : memref<1x2x300x128xbf16, strided<[78000, 39000, 130, 1]>>)
  return
}

// -----

// Asked for where the splits' partial results are merged.
func.func @split_decode(%q: memref<1x32x1x128xbf16>, %k: memref<1x8x131072x128xbf16>,
                        %v: memref<1x8x131072x128xbf16>, %o: memref<1x32x1x128xbf16>) {
  // expected-error @+1 {{tma_store needs one output tile per CTA}}
  skipattn.attention ins(%q, %k, %v : memref<1x32x1x128xbf16>, memref<1x8x131072x128xbf16>, memref<1x8x131072x128xbf16>)
      outs(%o : memref<1x32x1x128xbf16>)
  return
}

// -----

// A hand-written schedule with the epilogue is checked against the output.
func.func @hand(%q: memref<1x2x300x128xbf16>, %k: memref<1x2x700x128xbf16>,
                %v: memref<1x2x700x128xbf16>,
                %o: memref<1x2x300x128xbf16, strided<[78000, 39000, 130, 1]>>) {
  // expected-error @+1 {{tma_store needs output strides of whole 16 bytes (8 elements) with a unit stride on D}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x128xbf16>, memref<1x2x700x128xbf16>, memref<1x2x700x128xbf16>)
      outs(%o : memref<1x2x300x128xbf16, strided<[78000, 39000, 130, 1]>>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>], tma_store = true>}
  return
}

// -----

// The schedule attribute: the stage is the warpgroup's own rows of Q, and
// a split's result is merged from the workspace.
// expected-error @+1 {{tma_store needs warpgroups that own their rows (no value split or V inside K) and no split-KV}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>], kv_splits = 4, tma_store = true>} { return }
