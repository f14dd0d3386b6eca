// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(gpu.module(skipattn-gpu-verify-protocol))' | FileCheck %s

// Pingpong turns: every iteration passes the tensor-core turn once (after
// Q.K^T is issued) and takes it once (before P.V) on every path, skipped or
// not; around the loop one take and two predicated passes keep the two
// warpgroups' takes equal to the other's passes. Each broken variant would
// leave a warpgroup waiting on its named barrier forever.

// CHECK-LABEL: gpu.module @valid
// CHECK: skipattn_gpu.turn_take

gpu.module @valid {
  gpu.func @f(%nb: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>], pingpong = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240> {
      %wg = skipattn_gpu.warpgroup_id : index
      %second = arith.cmpi eq, %wg, %c1 : index
      %first = arith.cmpi eq, %wg, %c0 : index
      skipattn_gpu.turn_pass if %second
      skipattn_gpu.turn_take
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.turn_pass if %true
        scf.if %skip {
          skipattn_gpu.turn_take
        } else {
          skipattn_gpu.turn_take
        }
      }
      skipattn_gpu.turn_pass if %first
    }
    gpu.return
  }
}

// -----

// A skipped block does not take its turn.
gpu.module @onebranch {
  gpu.func @f(%nb: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>], pingpong = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240> {
      %wg = skipattn_gpu.warpgroup_id : index
      %second = arith.cmpi eq, %wg, %c1 : index
      %first = arith.cmpi eq, %wg, %c0 : index
      skipattn_gpu.turn_pass if %second
      skipattn_gpu.turn_take
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.turn_pass if %true
        // expected-error @+1 {{takes or passes the tensor-core turn on one branch only}}
        scf.if %skip {
        } else {
          skipattn_gpu.turn_take
        }
      }
      skipattn_gpu.turn_pass if %first
    }
    gpu.return
  }
}

// -----

// Two passes per iteration.
gpu.module @twice {
  gpu.func @f(%nb: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>], pingpong = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240> {
      %wg = skipattn_gpu.warpgroup_id : index
      %second = arith.cmpi eq, %wg, %c1 : index
      %first = arith.cmpi eq, %wg, %c0 : index
      skipattn_gpu.turn_pass if %second
      skipattn_gpu.turn_take
      // expected-error @+1 {{must take and pass the tensor-core turn once per iteration on every path, got 1 takes and 2 passes}}
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.turn_pass if %true
        scf.if %skip {
          skipattn_gpu.turn_take
        } else {
          skipattn_gpu.turn_take
        }
        skipattn_gpu.turn_pass if %true
      }
      skipattn_gpu.turn_pass if %first
    }
    gpu.return
  }
}

// -----

// The first warpgroup never passes after its loop: the second waits for its last P.V turn forever.
gpu.module @nofinal {
  gpu.func @f(%nb: index, %skip: i1) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>], pingpong = true>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    // expected-error @+1 {{around its loops the math role takes the turn once and passes it twice}}
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240> {
      %wg = skipattn_gpu.warpgroup_id : index
      %second = arith.cmpi eq, %wg, %c1 : index
      %first = arith.cmpi eq, %wg, %c0 : index
      skipattn_gpu.turn_pass if %second
      skipattn_gpu.turn_take
      scf.for %n = %c0 to %nb step %c1 {
        skipattn_gpu.turn_pass if %true
        scf.if %skip {
          skipattn_gpu.turn_take
        } else {
          skipattn_gpu.turn_take
        }
      }
    }
    gpu.return
  }
}

// -----

// A take inside a region the check does not follow.
gpu.module @hidden {
  gpu.func @f() kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>], pingpong = true>} {
    skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240> {
      // expected-error @+1 {{hides turn ops in a region the check does not follow}}
      scf.execute_region {
        skipattn_gpu.turn_take
        scf.yield
      }
    }
    gpu.return
  }
}
