// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(gpu.module(skipattn-gpu-verify-protocol))' | FileCheck %s

// A ring with votes (gated V): each consumer warpgroup votes on block n
// before waiting for it and waits for it on every path; the producer (here
// the load role's second warp) reads the votes of its block n, fills the
// slot when some consumer keeps it and otherwise completes it without
// data, under the negated predicate. Each broken variant below would
// deadlock or let a barrier fall two phases behind.

// CHECK-LABEL: gpu.module @valid
// CHECK: skipattn_gpu.ring.votes
// CHECK: skipattn_gpu.ring.complete
// CHECK: skipattn_gpu.ring.vote
gpu.module @valid {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        scf.if %keep {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        } else {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}

// -----

// A consumer that leaves V unwaited when it skips.
gpu.module @unwaited {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      // expected-error @+1 {{leaves slot 'v' of a ring with votes unwaited on some path}}
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        scf.if %keep {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}

// -----

// Waiting before voting deadlocks: the producer fills after the votes.
gpu.module @late_vote {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        // expected-error @+1 {{waits for block n before voting on it}}
        %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}

// -----

// A vote on one path only: the vote barrier would never complete.
gpu.module @guarded_vote {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        scf.if %keep {
          // expected-error @+1 {{must run on every path of the iteration (the vote barrier counts every consumer warpgroup)}}
          skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
        %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}

// -----

// Filling and completing the same block: two arrivals on a barrier that
// expects one.
gpu.module @both {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          // expected-error @+1 {{completes slot 'v' under a predicate that is not the negation of its put's}}
          skipattn_gpu.ring.complete %v[%n], "v" if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        scf.if %keep {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        } else {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}

// -----

// Completing a stage the consumers may still be reading.
gpu.module @no_acquire {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          // expected-error @+1 {{completes block n's stage without acquiring it first on every path}}
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        scf.if %keep {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        } else {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}

// -----

// A consumer that votes twice.
gpu.module @twice {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        // expected-error @+1 {{votes twice on block n}}
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        scf.if %keep {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        } else {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}


// -----

// A consumer that waits without voting.
gpu.module @no_vote {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        scf.if %keep {
          // expected-error @+1 {{waits for block n before voting on it}}
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        } else {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}


// -----

// A vote on another block.
gpu.module @other_block {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        %m = arith.addi %n, %c1 : index
        // expected-error @+1 {{on a ring with consumers, block indices are constants or a loop's block n}}
        skipattn_gpu.ring.vote %v[%m], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        scf.if %keep {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        } else {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}


// -----

// Completing a slot twice.
gpu.module @complete_twice {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          // expected-error @+1 {{completes slot 'v' twice per block}}
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        scf.if %keep {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        } else {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}


// -----

// Reading the votes of another block.
gpu.module @votes_other {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %m = arith.addi %n, %c1 : index
          // expected-error @+1 {{on a ring with consumers, block indices are constants or a loop's block n}}
          %any = skipattn_gpu.ring.votes %v[%m] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        scf.if %keep {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        } else {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}

// -----

// vote_ahead: the consumer votes on block n, then waits for and releases
// block n - 1 (under n >= 1); its last iteration completes its own block.
// CHECK-LABEL: gpu.module @vote_ahead
// CHECK: arith.subi %{{.*}}, %c1
gpu.module @vote_ahead {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        %has = arith.cmpi uge, %n, %c1 : index
        scf.if %has {
          %p = arith.subi %n, %c1 : index
          %t = skipattn_gpu.ring.wait %v[%p], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%p] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    gpu.return
  }
}

// -----

// A vote where block n - 1 is used.
gpu.module @vote_in_lag {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        %has = arith.cmpi uge, %n, %c1 : index
        scf.if %has {
          %p = arith.subi %n, %c1 : index
          %t = skipattn_gpu.ring.wait %v[%p], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          // expected-error @+1 {{votes where a lagged block's V is used: the votes are on block n}}
          skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.release %v[%p] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    gpu.return
  }
}

// -----

// Block n - 1 used, but the last block never completed.
gpu.module @no_tail {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      // expected-error @+1 {{uses block n - k of a ring (under n >= k) without the last iteration completing blocks n - k + 1 .. n alike}}
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        %has = arith.cmpi uge, %n, %c1 : index
        scf.if %has {
          %p = arith.subi %n, %c1 : index
          %t = skipattn_gpu.ring.wait %v[%p], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%p] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    gpu.return
  }
}

// -----

// The last iteration releases its block without waiting for it.
gpu.module @tail_unwaited {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      // expected-error @+1 {{uses block n - k of a ring (under n >= k) without the last iteration completing blocks n - k + 1 .. n alike}}
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        %has = arith.cmpi uge, %n, %c1 : index
        scf.if %has {
          %p = arith.subi %n, %c1 : index
          %t = skipattn_gpu.ring.wait %v[%p], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%p] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    gpu.return
  }
}

// -----

// Block n waited in the iteration that uses block n - 1.
gpu.module @both_blocks {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      // expected-error @+1 {{uses both block n and a lagged block of a ring in one iteration}}
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        %has = arith.cmpi uge, %n, %c1 : index
        scf.if %has {
          %p = arith.subi %n, %c1 : index
          %t = skipattn_gpu.ring.wait %v[%p], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%p] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
        %t3 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    gpu.return
  }
}

// -----

// Block n - 1 used twice in one iteration.
gpu.module @lag_twice {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        %has = arith.cmpi uge, %n, %c1 : index
        scf.if %has {
          %p = arith.subi %n, %c1 : index
          %t = skipattn_gpu.ring.wait %v[%p], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%p] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
        %has2 = arith.cmpi uge, %n, %c1 : index
        scf.if %has2 {
          %p2 = arith.subi %n, %c1 : index
          // expected-error @+1 {{reads block n's stage after releasing it}}
          %t4 = skipattn_gpu.ring.wait %v[%p2], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%p2] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    gpu.return
  }
}

// -----

// The last block completed twice.
gpu.module @tail_twice {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        %has = arith.cmpi uge, %n, %c1 : index
        scf.if %has {
          %p = arith.subi %n, %c1 : index
          %t = skipattn_gpu.ring.wait %v[%p], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%p] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
        %last2 = arith.subi %nb, %c1 : index
        %isLast2 = arith.cmpi eq, %n, %last2 : index
        // expected-error @+1 {{completes the last block twice}}
        scf.if %isLast2 {
          %t5 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    gpu.return
  }
}

// -----

// The part for block n - 1 waits for block n.
gpu.module @lag_other_block {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        %has = arith.cmpi uge, %n, %c1 : index
        scf.if %has {
          %p = arith.subi %n, %c1 : index
          // expected-error @+1 {{waits for a block other than the lagged block where its V is used}}
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%p] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    gpu.return
  }
}

// -----

// vote_ahead = 2: the consumer votes on block n, then waits for and
// releases block n - 2 (under n >= 2); its last iteration completes block
// n - 1 (under n >= 1) and then its own. Three stages hold n - 2 .. n.
// CHECK-LABEL: gpu.module @vote_ahead_two
// CHECK: arith.subi %{{.*}}, %c2
gpu.module @vote_ahead_two {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 3, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        %has2 = arith.cmpi uge, %n, %c2 : index
        scf.if %has2 {
          %p2 = arith.subi %n, %c2 : index
          %t = skipattn_gpu.ring.wait %v[%p2], "v" : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%p2] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %has1 = arith.cmpi uge, %n, %c1 : index
          scf.if %has1 {
            %p1 = arith.subi %n, %c1 : index
            %t1 = skipattn_gpu.ring.wait %v[%p1], "v" : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
            skipattn_gpu.ring.release %v[%p1] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          }
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    gpu.return
  }
}

// -----

// Two blocks ahead on two stages: the votes on block n would overwrite
// those of block n - 2 before the producer read them.
gpu.module @vote_ahead_two_stages {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        %has2 = arith.cmpi uge, %n, %c2 : index
        // expected-error @+1 {{uses block n - 2 of a ring of 2 stages: a consumer holding blocks n - 2 .. n while voting on block n needs more stages than its lag}}
        scf.if %has2 {
          %p2 = arith.subi %n, %c2 : index
          %t = skipattn_gpu.ring.wait %v[%p2], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%p2] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %has1 = arith.cmpi uge, %n, %c1 : index
          scf.if %has1 {
            %p1 = arith.subi %n, %c1 : index
            %t1 = skipattn_gpu.ring.wait %v[%p1], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
            skipattn_gpu.ring.release %v[%p1] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          }
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    gpu.return
  }
}

// -----

// The last iteration completes its own block before block n - 1.
gpu.module @vote_ahead_two_order {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 3, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        %has2 = arith.cmpi uge, %n, %c2 : index
        scf.if %has2 {
          %p2 = arith.subi %n, %c2 : index
          %t = skipattn_gpu.ring.wait %v[%p2], "v" : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%p2] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %has1 = arith.cmpi uge, %n, %c1 : index
          // expected-error @+1 {{completes block n - 1 after a younger block: the last iteration completes its blocks oldest first}}
          scf.if %has1 {
            %p1 = arith.subi %n, %c1 : index
            %t1 = skipattn_gpu.ring.wait %v[%p1], "v" : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
            skipattn_gpu.ring.release %v[%p1] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          }
        }
      }
    }
    gpu.return
  }
}

// -----

// The last iteration completes its own block but not block n - 1.
gpu.module @vote_ahead_two_tail {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 3, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      // expected-error @+1 {{uses block n - k of a ring (under n >= k) without the last iteration completing blocks n - k + 1 .. n alike}}
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        %has2 = arith.cmpi uge, %n, %c2 : index
        scf.if %has2 {
          %p2 = arith.subi %n, %c2 : index
          %t = skipattn_gpu.ring.wait %v[%p2], "v" : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%p2] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    gpu.return
  }
}

// -----

// Lags of two and one block in one loop.
gpu.module @vote_ahead_mixed {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %keep: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 3, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect {warp = 1}
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(8192) {
          ^bb0(%t: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %t : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        %has2 = arith.cmpi uge, %n, %c2 : index
        scf.if %has2 {
          %p2 = arith.subi %n, %c2 : index
          %t = skipattn_gpu.ring.wait %v[%p2], "v" : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%p2] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
        %has1b = arith.cmpi uge, %n, %c1 : index
        // expected-error @+1 {{uses blocks n - 2 and n - 1 of a ring: one loop lags by one distance}}
        scf.if %has1b {
          %p1b = arith.subi %n, %c1 : index
          %t1b = skipattn_gpu.ring.wait %v[%p1b], "v" : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
        }
        %last = arith.subi %nb, %c1 : index
        %isLast = arith.cmpi eq, %n, %last : index
        scf.if %isLast {
          %has1 = arith.cmpi uge, %n, %c1 : index
          scf.if %has1 {
            %p1 = arith.subi %n, %c1 : index
            %t1 = skipattn_gpu.ring.wait %v[%p1], "v" : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
            skipattn_gpu.ring.release %v[%p1] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
          }
          %t2 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<64x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<3 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    gpu.return
  }
}
