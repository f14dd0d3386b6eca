// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(gpu.module(skipattn-gpu-verify-protocol))' | FileCheck %s

// The ring protocol of the kernel level: a prologue fills blocks
// 0 .. stages-1, each iteration waits for block n, releases its stage and
// refills it with block n + stages after waiting for every slot of block n
// on every path, and a drain waits for the V loads of skipped final blocks.
// Each broken variant below would deadlock, reuse a buffer still being
// written, or exit with a TMA write in flight.

// CHECK-LABEL: gpu.module @valid
// CHECK: skipattn_gpu.ring.drain
gpu.module @valid {
  gpu.func @k(%kd: !llvm.ptr, %nb: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %kv = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0> {
      %leader = skipattn_gpu.elect
      skipattn_gpu.ring.put %kv[%c0], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c0], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      scf.for %n = %c0 to %nb step %c1 {
        %k = skipattn_gpu.ring.wait %kv[%n], "k" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        scf.if %skip {
        } else {
          %v = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %kv[%n] : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        %next = arith.addi %n, %c2 : index
        %one = arith.addi %n, %c1 : index
        scf.if %leader {
          %vw = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.put %kv[%next], "k" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
          skipattn_gpu.ring.put %kv[%next], "v" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        }
      }
      skipattn_gpu.ring.drain %kv[%nb], "v" if %leader : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    }
    gpu.return
  }
}

// -----

// A stage of the prologue is missing: block 1 is never loaded.
gpu.module @missing {
  gpu.func @k(%kd: !llvm.ptr, %nb: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %kv = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0> {
      %leader = skipattn_gpu.elect
      skipattn_gpu.ring.put %kv[%c0], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c0], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      // expected-error @+1 {{consumes ring slot 'v' but no prologue put fills block 1}}
      scf.for %n = %c0 to %nb step %c1 {
        %k = skipattn_gpu.ring.wait %kv[%n], "k" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        scf.if %skip {
        } else {
          %v = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %kv[%n] : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        %next = arith.addi %n, %c2 : index
        %one = arith.addi %n, %c1 : index
        scf.if %leader {
          %vw = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.put %kv[%next], "k" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
          skipattn_gpu.ring.put %kv[%next], "v" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        }
      }
      skipattn_gpu.ring.drain %kv[%nb], "v" if %leader : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    }
    gpu.return
  }
}

// -----

// The refill targets block n + 1, whose stage block n + 1 itself still uses.
gpu.module @early {
  gpu.func @k(%kd: !llvm.ptr, %nb: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %kv = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0> {
      %leader = skipattn_gpu.elect
      skipattn_gpu.ring.put %kv[%c0], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c0], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      scf.for %n = %c0 to %nb step %c1 {
        %k = skipattn_gpu.ring.wait %kv[%n], "k" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        scf.if %skip {
        } else {
          %v = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %kv[%n] : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        %next = arith.addi %n, %c2 : index
        %one = arith.addi %n, %c1 : index
        scf.if %leader {
          %vw = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
          // expected-error @+1 {{refills the stage of block n + 1 inside the KV loop; with 2 stages only block n + 2 reuses the stage that block n frees}}
          skipattn_gpu.ring.put %kv[%one], "k" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
          skipattn_gpu.ring.put %kv[%one], "v" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        }
      }
      skipattn_gpu.ring.drain %kv[%nb], "v" if %leader : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    }
    gpu.return
  }
}

// -----

// A skipped block never waits for its V: refilling without the leader's
// wait would overwrite a buffer TMA may still be writing.
gpu.module @skipv {
  gpu.func @k(%kd: !llvm.ptr, %nb: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %kv = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0> {
      %leader = skipattn_gpu.elect
      skipattn_gpu.ring.put %kv[%c0], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c0], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      scf.for %n = %c0 to %nb step %c1 {
        %k = skipattn_gpu.ring.wait %kv[%n], "k" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        scf.if %skip {
        } else {
          %v = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %kv[%n] : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        %next = arith.addi %n, %c2 : index
        %one = arith.addi %n, %c1 : index
        scf.if %leader {
          // expected-error @+1 {{refills block n's stage while slot 'v' of block n may still be loading on some path}}
          skipattn_gpu.ring.put %kv[%next], "k" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
          skipattn_gpu.ring.put %kv[%next], "v" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        }
      }
      skipattn_gpu.ring.drain %kv[%nb], "v" if %leader : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    }
    gpu.return
  }
}

// -----

// No release: the refill may overwrite K while other warps still read it.
gpu.module @norelease {
  gpu.func @k(%kd: !llvm.ptr, %nb: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %kv = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0> {
      %leader = skipattn_gpu.elect
      skipattn_gpu.ring.put %kv[%c0], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c0], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      scf.for %n = %c0 to %nb step %c1 {
        %k = skipattn_gpu.ring.wait %kv[%n], "k" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        scf.if %skip {
        } else {
          %v = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        }
        %next = arith.addi %n, %c2 : index
        %one = arith.addi %n, %c1 : index
        scf.if %leader {
          %vw = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
          // expected-error @+1 {{refills block n's stage before the consumers released it}}
          skipattn_gpu.ring.put %kv[%next], "k" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
          skipattn_gpu.ring.put %kv[%next], "v" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        }
      }
      skipattn_gpu.ring.drain %kv[%nb], "v" if %leader : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    }
    gpu.return
  }
}

// -----

// The V loads of skipped final blocks are never waited for.
gpu.module @nodrain {
  gpu.func @k(%kd: !llvm.ptr, %nb: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %kv = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0> {
      %leader = skipattn_gpu.elect
      skipattn_gpu.ring.put %kv[%c0], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c0], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      // expected-error @+1 {{some path leaves ring slot 'v' of a block unwaited; drain it after the loop}}
      scf.for %n = %c0 to %nb step %c1 {
        %k = skipattn_gpu.ring.wait %kv[%n], "k" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        scf.if %skip {
        } else {
          %v = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %kv[%n] : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        %next = arith.addi %n, %c2 : index
        %one = arith.addi %n, %c1 : index
        scf.if %leader {
          %vw = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.put %kv[%next], "k" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
          skipattn_gpu.ring.put %kv[%next], "v" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        }
      }
    }
    gpu.return
  }
}

// -----

// A release on one path only: the other consumers never arrive.
gpu.module @guardedrelease {
  gpu.func @k(%kd: !llvm.ptr, %nb: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %kv = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0> {
      %leader = skipattn_gpu.elect
      skipattn_gpu.ring.put %kv[%c0], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c0], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      scf.for %n = %c0 to %nb step %c1 {
        %k = skipattn_gpu.ring.wait %kv[%n], "k" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        scf.if %skip {
        } else {
          %v = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
          // expected-error @+1 {{must run on every path of the iteration}}
          skipattn_gpu.ring.release %kv[%n] : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        }
        %next = arith.addi %n, %c2 : index
        %one = arith.addi %n, %c1 : index
        scf.if %leader {
          %vw = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.put %kv[%next], "k" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
          skipattn_gpu.ring.put %kv[%next], "v" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        }
      }
      skipattn_gpu.ring.drain %kv[%nb], "v" if %leader : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    }
    gpu.return
  }
}

// -----

// A wait for a block that is not the loop's own.
gpu.module @otherblock {
  gpu.func @k(%kd: !llvm.ptr, %nb: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %kv = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0> {
      %leader = skipattn_gpu.elect
      skipattn_gpu.ring.put %kv[%c0], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c0], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      scf.for %n = %c0 to %nb step %c1 {
        %k = skipattn_gpu.ring.wait %kv[%n], "k" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        %n1 = arith.addi %n, %c1 : index
        // expected-error @+1 {{waits for a block other than a constant or the KV loop's block n}}
        %k1 = skipattn_gpu.ring.wait %kv[%n1], "k" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        scf.if %skip {
        } else {
          %v = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %kv[%n] : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        %next = arith.addi %n, %c2 : index
        %one = arith.addi %n, %c1 : index
        scf.if %leader {
          %vw = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.put %kv[%next], "k" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
          skipattn_gpu.ring.put %kv[%next], "v" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        }
      }
      skipattn_gpu.ring.drain %kv[%nb], "v" if %leader : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    }
    gpu.return
  }
}

// -----

// The Q tile is waited for but never loaded.
gpu.module @noput {
  gpu.func @k() kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} {
    %c0 = arith.constant 0 : index
    %q = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<1 x ["q"] of !skipattn_gpu.smem<64x64xbf16>>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0> {
      // expected-error @+1 {{waits for slot 'q' of block 0 but no put fills it}}
      %t = skipattn_gpu.ring.wait %q[%c0], "q" : !skipattn_gpu.ring<1 x ["q"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
    }
    gpu.return
  }
}

// -----

// Two puts of one slot and block: two arrivals on a one-arrival barrier.
gpu.module @twice {
  gpu.func @k(%kd: !llvm.ptr, %nb: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %kv = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0> {
      %leader = skipattn_gpu.elect
      skipattn_gpu.ring.put %kv[%c0], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      // expected-error @+1 {{fills slot 'k' of block 0 twice: its barrier expects one arrival}}
      skipattn_gpu.ring.put %kv[%c0], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c0], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "k" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      skipattn_gpu.ring.put %kv[%c1], "v" if %leader bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
      scf.for %n = %c0 to %nb step %c1 {
        %k = skipattn_gpu.ring.wait %kv[%n], "k" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        scf.if %skip {
        } else {
          %v = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %kv[%n] : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        %next = arith.addi %n, %c2 : index
        %one = arith.addi %n, %c1 : index
        scf.if %leader {
          %vw = skipattn_gpu.ring.wait %kv[%n], "v" : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.put %kv[%next], "k" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
          skipattn_gpu.ring.put %kv[%next], "v" if %leader bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %kd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
        }
      }
      skipattn_gpu.ring.drain %kv[%nb], "v" if %leader : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    }
    gpu.return
  }
}


// -----

// Rings placed over each other, and a ring past the launch's shared memory.
gpu.module @overlap {
  gpu.func @k() kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} {
    %a = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    // expected-error @+1 {{overlaps the ring at bytes [0, 32768)}}
    %b = skipattn_gpu.ring.create {offset = 16384} : !skipattn_gpu.ring<1 x ["q"] of !skipattn_gpu.smem<64x64xbf16>>
    gpu.return
  }
}

// -----

gpu.module @past {
  gpu.func @k() kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} {
    // expected-error @+1 {{ends at byte 45056 past the schedule's 40960 bytes of aligned dynamic shared memory}}
    %a = skipattn_gpu.ring.create {offset = 12288} : !skipattn_gpu.ring<2 x ["k", "v"] of !skipattn_gpu.smem<64x64xbf16>>
    gpu.return
  }
}
