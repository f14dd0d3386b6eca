// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(gpu.module(skipattn-gpu-verify-protocol))' | FileCheck %s

// The sm_100a protocol: the math warpgroups only vote on V (after waiting
// for their S); the MMA issuer reads their ballot, waits for every V stage
// (filled, or completed without data when no warpgroup keeps the block)
// and releases K and V with commits for all consumers; the S-ready pipe is
// committed and waited once per block, and the ballot keeps the issuer
// within one phase of its one-stage barrier. Each broken variant below
// would deadlock, pass a barrier a phase early or refill a stage still read.

// CHECK-LABEL: gpu.module @valid
// CHECK: skipattn_gpu.ring.ballot
// CHECK: skipattn_gpu.pipe.wait

// -----

gpu.module @valid {
  gpu.func @f(%d: !llvm.ptr, %nb: index, %keep: i1, %p: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %false = arith.constant false
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 32768} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
    %tm = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
    %s = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.pipe.commit %s[%n] : !skipattn_gpu.pipe<1>
          skipattn_gpu.ring.release %k[%n] commit : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          %m = skipattn_gpu.ring.ballot %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %vt = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.ring.release %v[%n] commit : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
      %lk = skipattn_gpu.elect {warp = 1 : i64}
      scf.if %lk {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
        }
      }
      %lv = skipattn_gpu.elect {warp = 2 : i64}
      scf.if %lv {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.pipe.wait %s[%n] : !skipattn_gpu.pipe<1>
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}

// -----

gpu.module @vote_before_wait {
  gpu.func @f(%d: !llvm.ptr, %nb: index, %keep: i1, %p: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %false = arith.constant false
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 32768} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
    %tm = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
    %s = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.pipe.commit %s[%n] : !skipattn_gpu.pipe<1>
          skipattn_gpu.ring.release %k[%n] commit : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          %m = skipattn_gpu.ring.ballot %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %vt = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.ring.release %v[%n] commit : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
      %lk = skipattn_gpu.elect {warp = 1 : i64}
      scf.if %lk {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
        }
      }
      %lv = skipattn_gpu.elect {warp = 2 : i64}
      scf.if %lv {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        // expected-error @+1 {{nothing keeps the committing loop from signalling block n + 1 before this wait passed block n}}
        skipattn_gpu.pipe.wait %s[%n] : !skipattn_gpu.pipe<1>
      }
    }
    gpu.return
  }
}

// -----

gpu.module @commit_guarded {
  gpu.func @f(%d: !llvm.ptr, %nb: index, %keep: i1, %p: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %false = arith.constant false
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 32768} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
    %tm = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
    %s = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<128x64xbf16>
          scf.if %p {
            // expected-error @+1 {{signals a constant block or, on every path of an iteration, the loop's block n}}
            skipattn_gpu.pipe.commit %s[%n] : !skipattn_gpu.pipe<1>
          }
          skipattn_gpu.ring.release %k[%n] commit : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          %m = skipattn_gpu.ring.ballot %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %vt = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.ring.release %v[%n] commit : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
      %lk = skipattn_gpu.elect {warp = 1 : i64}
      scf.if %lk {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
        }
      }
      %lv = skipattn_gpu.elect {warp = 2 : i64}
      scf.if %lv {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.pipe.wait %s[%n] : !skipattn_gpu.pipe<1>
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}

// -----

gpu.module @no_ballot {
  gpu.func @f(%d: !llvm.ptr, %nb: index, %keep: i1, %p: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %false = arith.constant false
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 32768} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
    %tm = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
    %s = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.pipe.commit %s[%n] : !skipattn_gpu.pipe<1>
          skipattn_gpu.ring.release %k[%n] commit : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          // expected-error @+1 {{waits for block n before voting on it (or, releasing for the voters, reading their ballot): the producer fills the stage only after the votes}}
          %vt = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.ring.release %v[%n] commit : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
      %lk = skipattn_gpu.elect {warp = 1 : i64}
      scf.if %lk {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
        }
      }
      %lv = skipattn_gpu.elect {warp = 2 : i64}
      scf.if %lv {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.pipe.wait %s[%n] : !skipattn_gpu.pipe<1>
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}

// -----

gpu.module @ballot_late {
  gpu.func @f(%d: !llvm.ptr, %nb: index, %keep: i1, %p: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %false = arith.constant false
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 32768} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
    %tm = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
    %s = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.pipe.commit %s[%n] : !skipattn_gpu.pipe<1>
          skipattn_gpu.ring.release %k[%n] commit : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          // expected-error @+1 {{waits for block n before voting on it (or, releasing for the voters, reading their ballot)}}
          %vt = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<128x64xbf16>
          %m = skipattn_gpu.ring.ballot %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.release %v[%n] commit : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
      %lk = skipattn_gpu.elect {warp = 1 : i64}
      scf.if %lk {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
        }
      }
      %lv = skipattn_gpu.elect {warp = 2 : i64}
      scf.if %lv {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.pipe.wait %s[%n] : !skipattn_gpu.pipe<1>
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}

// -----

gpu.module @plain_release {
  gpu.func @f(%d: !llvm.ptr, %nb: index, %keep: i1, %p: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %false = arith.constant false
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 32768} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
    %tm = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
    %s = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        // expected-error @+1 {{never votes on the ring's block n: its producer would wait forever}}
        scf.for %n = %c0 to %nb step %c1 {
          %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.pipe.commit %s[%n] : !skipattn_gpu.pipe<1>
          skipattn_gpu.ring.release %k[%n] commit : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          %m = skipattn_gpu.ring.ballot %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %vt = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
      %lk = skipattn_gpu.elect {warp = 1 : i64}
      scf.if %lk {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
        }
      }
      %lv = skipattn_gpu.elect {warp = 2 : i64}
      scf.if %lv {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.pipe.wait %s[%n] : !skipattn_gpu.pipe<1>
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}

// -----

gpu.module @uncommitted {
  gpu.func @f(%d: !llvm.ptr, %nb: index, %keep: i1, %p: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %false = arith.constant false
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 32768} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
    %tm = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
    %s = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.pipe.commit %s[%n] : !skipattn_gpu.pipe<1>
          skipattn_gpu.ring.release %k[%n] commit : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          %m = skipattn_gpu.ring.ballot %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %vt = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.ring.release %v[%n] commit : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
      %lk = skipattn_gpu.elect {warp = 1 : i64}
      scf.if %lk {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
        }
      }
      %lv = skipattn_gpu.elect {warp = 2 : i64}
      scf.if %lv {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.pipe.wait %s[%n] : !skipattn_gpu.pipe<1>
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
      }
      // expected-error @+1 {{waits for block 0 that no pipe.commit or pipe.arrive signals}}
      skipattn_gpu.pipe.wait %s[%c0] : !skipattn_gpu.pipe<1>
    }
    gpu.return
  }
}

// -----

gpu.module @committed_twice {
  gpu.func @f(%d: !llvm.ptr, %nb: index, %keep: i1, %p: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %false = arith.constant false
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 32768} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
    %tm = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
    %s = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.pipe.commit %s[%n] : !skipattn_gpu.pipe<1>
          skipattn_gpu.ring.release %k[%n] commit : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          %m = skipattn_gpu.ring.ballot %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %vt = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.ring.release %v[%n] commit : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
      skipattn_gpu.pipe.commit %s[%c0] : !skipattn_gpu.pipe<1>
      // expected-error @+1 {{signals block 0 twice: its barrier expects one arrival}}
      skipattn_gpu.pipe.commit %s[%c0] : !skipattn_gpu.pipe<1>
      %lk = skipattn_gpu.elect {warp = 1 : i64}
      scf.if %lk {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
        }
      }
      %lv = skipattn_gpu.elect {warp = 2 : i64}
      scf.if %lv {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.pipe.wait %s[%n] : !skipattn_gpu.pipe<1>
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}

// -----

gpu.module @two_committers {
  gpu.func @f(%d: !llvm.ptr, %nb: index, %keep: i1, %p: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %false = arith.constant false
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 32768} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
    %tm = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
    %s = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.pipe.commit %s[%n] : !skipattn_gpu.pipe<1>
          skipattn_gpu.ring.release %k[%n] commit : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          %m = skipattn_gpu.ring.ballot %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %vt = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.ring.release %v[%n] commit : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
      scf.for %n = %c0 to %nb step %c1 {
        // expected-error @+1 {{a pipe is signalled by one loop}}
        skipattn_gpu.pipe.commit %s[%n] : !skipattn_gpu.pipe<1>
      }
      %lk = skipattn_gpu.elect {warp = 1 : i64}
      scf.if %lk {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
        }
      }
      %lv = skipattn_gpu.elect {warp = 2 : i64}
      scf.if %lv {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.pipe.wait %s[%n] : !skipattn_gpu.pipe<1>
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}

// -----

gpu.module @no_committer {
  gpu.func @f(%d: !llvm.ptr, %nb: index, %keep: i1, %p: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %false = arith.constant false
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 32768} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
    %tm = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
    %s = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.ring.release %k[%n] commit : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          %m = skipattn_gpu.ring.ballot %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %vt = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.ring.release %v[%n] commit : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
      %lk = skipattn_gpu.elect {warp = 1 : i64}
      scf.if %lk {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
        }
      }
      %lv = skipattn_gpu.elect {warp = 2 : i64}
      scf.if %lv {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224> {
      scf.for %n = %c0 to %nb step %c1 {
        // expected-error @+1 {{waits in a loop for blocks no loop commits}}
        skipattn_gpu.pipe.wait %s[%n] : !skipattn_gpu.pipe<1>
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
      }
    }
    gpu.return
  }
}

// -----

gpu.module @other_bounds {
  gpu.func @f(%d: !llvm.ptr, %nb: index, %keep: i1, %p: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %false = arith.constant false
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 32768} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
    %tm = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
    %s = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.pipe.commit %s[%n] : !skipattn_gpu.pipe<1>
          skipattn_gpu.ring.release %k[%n] commit : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          %m = skipattn_gpu.ring.ballot %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %vt = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true> -> !skipattn_gpu.smem<128x64xbf16>
          skipattn_gpu.ring.release %v[%n] commit : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
      %lk = skipattn_gpu.elect {warp = 1 : i64}
      scf.if %lk {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1>
        }
      }
      %lv = skipattn_gpu.elect {warp = 2 : i64}
      scf.if %lv {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %any = skipattn_gpu.ring.votes %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          skipattn_gpu.ring.put %v[%n], "v" if %any bytes(16384) {
          ^bb0(%dst: !skipattn_gpu.smem<128x64xbf16>):
            skipattn_gpu.tma_load %d[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
          %none = arith.xori %any, %true : i1
          skipattn_gpu.ring.complete %v[%n], "v" if %none : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.pipe.wait %s[%n] : !skipattn_gpu.pipe<1>
        skipattn_gpu.ring.vote %v[%n], %keep : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<128x64xbf16>, consumers = 1, votes = true>
      }
      // expected-error @+1 {{the loops committing and waiting for a pipe must walk the same blocks (same bounds, step 1)}}
      scf.for %n = %c1 to %nb step %c1 {
        skipattn_gpu.pipe.wait %s[%n] : !skipattn_gpu.pipe<1>
      }
    }
    gpu.return
  }
}

// -----

// A pipe the warps of a role arrive on completes after `arrivals` of
// them: four warps arriving on a pipe of eight would leave every waiter
// blocked.
gpu.module @arrivals_mismatch {
  gpu.func @f(%nb: index) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %f = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<2, arrivals = 8>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.pipe.wait %f[%n] : !skipattn_gpu.pipe<2, arrivals = 8>
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224> {
      scf.for %n = %c0 to %nb step %c1 {
        // expected-error @+1 {{is run by 4 warps of a role; the pipe completes after 8 warp arrivals}}
        skipattn_gpu.pipe.arrive %f[%n] : !skipattn_gpu.pipe<2, arrivals = 8>
      }
    }
    gpu.return
  }
}

// -----

// The same pipe with the right count, arrived on in a loop and waited for
// in another over the same blocks: valid.
gpu.module @arrivals_ok {
  gpu.func @f(%nb: index) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %f = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<2, arrivals = 4>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.pipe.wait %f[%n] : !skipattn_gpu.pipe<2, arrivals = 4>
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.pipe.arrive %f[%n] : !skipattn_gpu.pipe<2, arrivals = 4>
      }
    }
    gpu.return
  }
}

// -----

// Two roles of the pipe's four warps each arriving would complete a phase
// with one role's warps still to come.
gpu.module @arrivals_two_roles {
  gpu.func @f(%nb: index) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64>], gate_v = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %f = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<2, arrivals = 4>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 4, num_warps = 4, max_nreg = 64> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.pipe.arrive %f[%n] : !skipattn_gpu.pipe<2, arrivals = 4>
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 224> {
      scf.for %n = %c0 to %nb step %c1 {
        // expected-error @+1 {{a pipe's warps arrive from one role}}
        skipattn_gpu.pipe.arrive %f[%n] : !skipattn_gpu.pipe<2, arrivals = 4>
        skipattn_gpu.pipe.wait %f[%n] : !skipattn_gpu.pipe<2, arrivals = 4>
      }
    }
    gpu.return
  }
}
