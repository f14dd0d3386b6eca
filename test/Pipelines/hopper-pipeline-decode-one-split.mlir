// Decode with gated V and one split over a constant number of KV blocks
// (700 keys, 6 blocks): LLVM unrolls the loops, so the vote bytes' and the
// merge flag's shared-memory addresses become constants. They are formed
// as pointers from absolute shared addresses; as indices into the dynamic
// shared memory they folded into a constant expression of its base's own
// address, on which the NVPTX backend's GEP splitting crashed.
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='kv-splits=1 format=isa' | FileCheck %s
// CHECK: gpu.binary @skipattn_kernels
// CHECK-SAME: assembly = "

func.func @attn(%q: tensor<1x8x1x128xbf16>, %k: tensor<1x2x700x128xbf16>,
                %v: tensor<1x2x700x128xbf16>, %o: tensor<1x8x1x128xbf16>)
    -> tensor<1x8x1x128xbf16> {
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x8x1x128xbf16>, tensor<1x2x700x128xbf16>, tensor<1x2x700x128xbf16>)
      outs(%o : tensor<1x8x1x128xbf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 2.0e1, min_keep_blocks = 1>}
      -> tensor<1x8x1x128xbf16>
  return %r : tensor<1x8x1x128xbf16>
}
