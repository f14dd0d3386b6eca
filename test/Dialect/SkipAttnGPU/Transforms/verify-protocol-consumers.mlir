// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(gpu.module(skipattn-gpu-verify-protocol))' | FileCheck %s

// The protocol of a ring with consumers (empty barriers): a load role's
// loop acquires block n's stage and fills it; the math role's loop over the
// same blocks waits for block n and releases it once on every path; the
// producer drains the loads a consumer may skip, and a slot some path skips
// is waited for only after a slot the producer fills once it acquired the
// skipped slot's block n (here K, always waited). Each broken variant below
// would deadlock, overwrite a stage still being read, or exit with a TMA
// write in flight.

// A consumer that skips V on some path; the producer drains it.
// CHECK-LABEL: gpu.module @valid
// CHECK: skipattn_gpu.ring.acquire
// CHECK: skipattn_gpu.ring.drain
// CHECK: skipattn_gpu.ring.release
gpu.module @valid {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %nb2: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 16384} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
        skipattn_gpu.ring.drain %v[%nb], "v" if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %k[%n] : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        scf.if %skip {
        } else {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    gpu.return
  }
}

// -----

// The producer fills a stage without acquiring it.
gpu.module @noacquire {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %nb2: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 16384} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          // expected-error @+1 {{fills block n's stage without acquiring it first on every path (ring.acquire)}}
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
        skipattn_gpu.ring.drain %v[%nb], "v" if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %k[%n] : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        scf.if %skip {
        } else {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    gpu.return
  }
}

// -----

// A release on one path only: the empty barrier never completes.
gpu.module @guardedrelease {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %nb2: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 16384} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
        skipattn_gpu.ring.drain %v[%nb], "v" if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %k[%n] : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        scf.if %skip {
          // expected-error @+1 {{must run on every path of the iteration}}
          skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
      }
    }
    gpu.return
  }
}

// -----

// A read after the release races with the refill.
gpu.module @waitafter {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %nb2: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 16384} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
        skipattn_gpu.ring.drain %v[%nb], "v" if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %k[%n] : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        // expected-error @+1 {{reads block n's stage after releasing it}}
        %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
      }
    }
    gpu.return
  }
}

// -----

// The consumer never releases: the producer waits forever.
gpu.module @norelease {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %nb2: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 16384} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
        skipattn_gpu.ring.drain %v[%nb], "v" if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      // expected-error @+1 {{never releases the ring's block n}}
      scf.for %n = %c0 to %nb step %c1 {
        %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %k[%n] : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
      }
    }
    gpu.return
  }
}

// -----

// A skipped block's V may be in flight at exit.
gpu.module @nodrain {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %nb2: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 16384} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        // expected-error @+1 {{some consumer path leaves ring slot 'v' of a block unwaited}}
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %k[%n] : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        scf.if %skip {
        } else {
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    gpu.return
  }
}

// -----

// The loops walk different blocks.
gpu.module @bounds {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %nb2: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 16384} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
        skipattn_gpu.ring.drain %v[%nb], "v" if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      // expected-error @+1 {{the consumer and producer loops of a ring must walk the same blocks}}
      scf.for %n = %c0 to %nb2 step %c1 {
        %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %k[%n] : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    gpu.return
  }
}

// -----

// Two puts of one slot per block: one arrival expected.
gpu.module @twice {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %nb2: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 16384} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        // expected-error @+1 {{fills ring slot 'v' 2 times per block}}
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
        skipattn_gpu.ring.drain %v[%nb], "v" if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %k[%n] : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    gpu.return
  }
}

// -----

// K is filled before V is acquired: a warpgroup that skipped V(n - 2) sees
// K(n) land while V's barrier may still be in block n - 2's phase, and
// its parity wait for V(n) would pass at once.
gpu.module @phase {
  gpu.func @f(%vd: !llvm.ptr, %nb: index, %nb2: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %k = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    %v = skipattn_gpu.ring.create {offset = 16384} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      %lead = skipattn_gpu.elect
      scf.if %lead {
        scf.for %n = %c0 to %nb step %c1 {
          skipattn_gpu.ring.acquire %k[%n] if %true : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %k[%n], "k" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
          skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
          ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
            skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
          } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        }
        skipattn_gpu.ring.drain %v[%nb], "v" if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        %kt = skipattn_gpu.ring.wait %k[%n], "k" : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %k[%n] : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        scf.if %skip {
        } else {
          // expected-error @+1 {{which some path leaves unwaited: its barrier may still be in block n - stages}}
          %t = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        }
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    gpu.return
  }
}

// -----

// A block one ahead of the loop: not a form this check follows.
gpu.module @offset {
  gpu.func @f(%vd: !llvm.ptr, %nb: index) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c5 = arith.constant 5 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
        ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
          skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
        } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        %n1 = arith.addi %n, %c1 : index
        // expected-error @+1 {{on a ring with consumers, block indices are constants or a loop's block n}}
        %t847 = skipattn_gpu.ring.wait %v[%n1], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    gpu.return
  }
}

// -----

// A constant block past the depth acquired outside a loop.
gpu.module @constacquire {
  gpu.func @f(%vd: !llvm.ptr, %nb: index) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c5 = arith.constant 5 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      // expected-error @+1 {{outside the producer and consumer loops only blocks [0, 2) are acquired or released, not block 5}}
      skipattn_gpu.ring.acquire %v[%c5] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
    }
    gpu.return
  }
}

// -----

// A constant put past the depth.
gpu.module @constput {
  gpu.func @f(%vd: !llvm.ptr, %nb: index) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c5 = arith.constant 5 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      // expected-error @+1 {{puts outside a loop fill blocks [0, 2), not block 3}}
      skipattn_gpu.ring.put %v[%c3], "v" if %true bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
    }
    gpu.return
  }
}

// -----

// Block 0 filled twice outside a loop.
gpu.module @constdouble {
  gpu.func @f(%vd: !llvm.ptr, %nb: index) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c5 = arith.constant 5 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      // expected-error @+1 {{fills slot 'v' of block 0 twice: its barrier expects one arrival}}
      skipattn_gpu.ring.put %v[%c0], "v" if %true bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      skipattn_gpu.ring.put %v[%c0], "v" if %true bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
    }
    gpu.return
  }
}

// -----

// Two producer loops.
gpu.module @twoproducers {
  gpu.func @f(%vd: !llvm.ptr, %nb: index) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c5 = arith.constant 5 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        // expected-error @+1 {{a ring with consumers has one producer loop}}
        skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
        ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
          skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
        } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
      scf.for %m = %c0 to %nb step %c1 {
        skipattn_gpu.ring.acquire %v[%m] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        skipattn_gpu.ring.put %v[%m], "v" if %true bytes(8192) {
        ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
          skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
        } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
    }
    gpu.return
  }
}

// -----

// A constant wait that no put fills.
gpu.module @nofill {
  gpu.func @f(%vd: !llvm.ptr, %nb: index) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c5 = arith.constant 5 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      skipattn_gpu.ring.put %v[%c0], "v" if %true bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      // expected-error @+1 {{waits for slot 'v' of block 1 but no put fills it}}
      %t687 = skipattn_gpu.ring.wait %v[%c1], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
    }
    gpu.return
  }
}

// -----

// A consumer loop with no producer loop.
gpu.module @noproducer {
  gpu.func @f(%vd: !llvm.ptr, %nb: index) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c5 = arith.constant 5 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      skipattn_gpu.ring.put %v[%c0], "v" if %true bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      // expected-error @+1 {{consumes a ring with consumers that no producer loop fills}}
      scf.for %n = %c0 to %nb step %c1 {
        %t92 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    gpu.return
  }
}

// -----

// Blocks filled both by the loop and outside it.
gpu.module @mixed {
  gpu.func @f(%vd: !llvm.ptr, %nb: index) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c5 = arith.constant 5 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      skipattn_gpu.ring.put %v[%c0], "v" if %true bytes(8192) {
      ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
        skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
      } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      // expected-error @+1 {{fills a ring whose blocks are also filled outside the loop}}
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
        ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
          skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
        } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        %t92 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    gpu.return
  }
}

// -----

// Block n released twice in one iteration.
gpu.module @releasetwice {
  gpu.func @f(%vd: !llvm.ptr, %nb: index) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c5 = arith.constant 5 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
        ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
          skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
        } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        %t92 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        // expected-error @+1 {{releases block n twice: the empty barrier would complete a phase early}}
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    gpu.return
  }
}

// -----

// The consumer loop fills the ring itself.
gpu.module @fillinconsumer {
  gpu.func @f(%vd: !llvm.ptr, %nb: index) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c5 = arith.constant 5 : index
    %true = arith.constant true
    %v = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24> {
    }
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240> {
      scf.for %n = %c0 to %nb step %c1 {
        // expected-error @+1 {{fills the ring inside its consumer loop; a ring with consumers is filled by its producer loop}}
        skipattn_gpu.ring.acquire %v[%n] if %true : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        skipattn_gpu.ring.put %v[%n], "v" if %true bytes(8192) {
        ^bb0(%dst: !skipattn_gpu.smem<64x64xbf16>):
          skipattn_gpu.tma_load %vd[%c0, %c0, %c0] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x64xbf16>
        } : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
        %t92 = skipattn_gpu.ring.wait %v[%n], "v" : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1> -> !skipattn_gpu.smem<64x64xbf16>
        skipattn_gpu.ring.release %v[%n] : !skipattn_gpu.ring<2 x ["v"] of !skipattn_gpu.smem<64x64xbf16>, consumers = 1>
      }
    }
    gpu.return
  }
}
