// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(gpu.module(skipattn-gpu-verify-protocol))' | FileCheck %s

// A ring without votes whose consumer lags one block (overlap: block
// n - 1's P.V runs during block n's softmax): under n >= 1 it waits for
// block n - 1 (whose else branch may hold other work, not the ring's) and
// in a later n >= 1 if releases it; the last iteration completes its own
// block alike. Each broken variant below would deadlock or read a stage
// the producer may be refilling.

// CHECK-LABEL: gpu.module @valid
// CHECK: skipattn_gpu.ring.release
gpu.module @valid {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], overlap = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        %has = arith.cmpi uge, %n, %c1 : index
        scf.if %has {
          %p = arith.subi %n, %c1 : index
          %t = skipattn_gpu.ring.wait %v[%p], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        } else {
          %w = arith.addi %n, %c1 : index
        }
        %has2 = arith.cmpi uge, %n, %c1 : index
        scf.if %has2 {
          %p2 = arith.subi %n, %c1 : index
          skipattn_gpu.ring.release %v[%p2] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
      }
    }
    gpu.return
  }
}

// -----

// The last block is never completed: the producer of block ub - 1 + stages
// (none) is fine, but its stage would never be released.
gpu.module @no_tail {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], overlap = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      // expected-error @+1 {{uses block n - k of a ring (under n >= k) without the last iteration completing blocks n - k + 1 .. n alike}}
      scf.for %n = %c0 to %nb step %c1 {
        %has = arith.cmpi uge, %n, %c1 : index
        scf.if %has {
          %p = arith.subi %n, %c1 : index
          %t = skipattn_gpu.ring.wait %v[%p], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        }
        %has2 = arith.cmpi uge, %n, %c1 : index
        scf.if %has2 {
          %p2 = arith.subi %n, %c1 : index
          skipattn_gpu.ring.release %v[%p2] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
      }
    }
    gpu.return
  }
}

// -----

// Block n - 1 waited for but never released: the producer waits forever.
gpu.module @no_release {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], overlap = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      // expected-error @+1 {{never releases the ring's block n}}
      scf.for %n = %c0 to %nb step %c1 {
        %has = arith.cmpi uge, %n, %c1 : index
        scf.if %has {
          %p = arith.subi %n, %c1 : index
          %t = skipattn_gpu.ring.wait %v[%p], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        }
      }
    }
    gpu.return
  }
}

// -----

// Block n - 1 read after its release.
gpu.module @read_after_release {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], overlap = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        %has2 = arith.cmpi uge, %n, %c1 : index
        scf.if %has2 {
          %p2 = arith.subi %n, %c1 : index
          skipattn_gpu.ring.release %v[%p2] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
        %has = arith.cmpi uge, %n, %c1 : index
        scf.if %has {
          %p = arith.subi %n, %c1 : index
          // expected-error @+1 {{reads block n's stage after releasing it}}
          %t = skipattn_gpu.ring.wait %v[%p], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
      }
    }
    gpu.return
  }
}

// -----

// The ring's block n used in the iteration that uses block n - 1.
gpu.module @both_blocks {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], overlap = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      // expected-error @+1 {{uses both block n and a lagged block of a ring in one iteration}}
      scf.for %n = %c0 to %nb step %c1 {
        %t3 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        %has = arith.cmpi uge, %n, %c1 : index
        scf.if %has {
          %p = arith.subi %n, %c1 : index
          %t = skipattn_gpu.ring.wait %v[%p], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        }
        %has2 = arith.cmpi uge, %n, %c1 : index
        scf.if %has2 {
          %p2 = arith.subi %n, %c1 : index
          skipattn_gpu.ring.release %v[%p2] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
      }
    }
    gpu.return
  }
}

// -----

// The else branch of the n >= 1 if touches the ring (block 0 has no
// block n - 1): it is then an ordinary guarded branch, whose release
// does not run on every path.
gpu.module @else_uses_ring {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], overlap = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        %has = arith.cmpi uge, %n, %c1 : index
        scf.if %has {
          %p = arith.subi %n, %c1 : index
          // expected-error @+1 {{waits for block n other than the consumer loop's block n}}
          %t = skipattn_gpu.ring.wait %v[%p], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        } else {
          %t0 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        }
        %has2 = arith.cmpi uge, %n, %c1 : index
        scf.if %has2 {
          %p2 = arith.subi %n, %c1 : index
          skipattn_gpu.ring.release %v[%p2] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
      }
    }
    gpu.return
  }
}

// -----

// Without votes a lag of one block works on one stage: the producer
// refills it with block n once block n - 1 is released.
// CHECK-LABEL: gpu.module @one_stage
// CHECK: skipattn_gpu.ring.release
gpu.module @one_stage {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 1, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], overlap = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<1 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<1 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<1 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        %has = arith.cmpi uge, %n, %c1 : index
        scf.if %has {
          %p = arith.subi %n, %c1 : index
          %t = skipattn_gpu.ring.wait %v[%p], "v" : !skipattn_gpu.ring<1 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        } else {
          %w = arith.addi %n, %c1 : index
        }
        %has2 = arith.cmpi uge, %n, %c1 : index
        scf.if %has2 {
          %p2 = arith.subi %n, %c1 : index
          skipattn_gpu.ring.release %v[%p2] : !skipattn_gpu.ring<1 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<1 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<1 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
      }
    }
    gpu.return
  }
}
