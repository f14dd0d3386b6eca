// RUN: skipattn-opt %s | skipattn-opt | FileCheck %s
// RUN: skipattn-opt %s --cse | FileCheck %s --check-prefix=CSE

// CHECK-LABEL: func.func @graph
// CHECK: %[[C:.*]] = aic.constant dense<[0, 2, -1]> : tensor<3xi64>
// CHECK: aic.reshape %{{.*}}, %[[C]] : (tensor<?x4x8xf32>, tensor<3xi64>) -> tensor<?x2x?xf32>
// CHECK: aic.call @CtxGather(%{{.*}}, %{{.*}}) : (tensor<?x2x?x8xf16>, tensor<?x2x?xi64>) -> tensor<?x2x?x8xf16>
// CHECK: aic.cast %{{.*}} {to = f32} : (tensor<?x2x?x8xf16>) -> tensor<?x2x?x8xf32>
// CHECK: aic.reduce_max %{{.*}} {axes = array<i64: -1>}
// CHECK: aic.where
// Identical constants fold into one.
// CSE-COUNT-1: aic.constant dense<[0, 2, -1]>
func.func @graph(%x: tensor<?x4x8xf32> {aic.name = "x", aic.dims = ["batch_size", "", ""]},
                 %k: tensor<?x2x?x8xf16> {aic.name = "k"},
                 %i: tensor<?x2x?xi64> {aic.name = "i"}) -> tensor<?x2x?x8xf32> {
  %c = aic.constant dense<[0, 2, -1]> : tensor<3xi64>
  %c2 = aic.constant dense<[0, 2, -1]> : tensor<3xi64>
  %r = aic.reshape %x, %c : (tensor<?x4x8xf32>, tensor<3xi64>) -> tensor<?x2x?xf32>
  %r2 = aic.reshape %x, %c2 : (tensor<?x4x8xf32>, tensor<3xi64>) -> tensor<?x2x?xf32>
  %g = aic.call @CtxGather(%k, %i) : (tensor<?x2x?x8xf16>, tensor<?x2x?xi64>) -> tensor<?x2x?x8xf16>
  %f = aic.cast %g {to = f32} : (tensor<?x2x?x8xf16>) -> tensor<?x2x?x8xf32>
  %m = aic.reduce_max %f {axes = array<i64: -1>, keepdims = 1 : i64} : (tensor<?x2x?x8xf32>) -> tensor<?x2x?x1xf32>
  %z = aic.constant dense<0.0> : tensor<f32>
  %b = aic.greater %m, %z : (tensor<?x2x?x1xf32>, tensor<f32>) -> tensor<?x2x?x1xi1>
  %w = aic.where %b, %f, %z : (tensor<?x2x?x1xi1>, tensor<?x2x?x8xf32>, tensor<f32>) -> tensor<?x2x?x8xf32>
  return %w : tensor<?x2x?x8xf32>
}
func.func private @CtxGather(%d: tensor<?x?x?x?xf16>, %i: tensor<?x?x?xi64>) -> tensor<?x?x?x?xf16>
    attributes {aic.domain = "com.qualcomm.cloud"} {
  %a = aic.constant dense<3> : tensor<1xi64>
  %u = aic.unsqueeze %i, %a : (tensor<?x?x?xi64>, tensor<1xi64>) -> tensor<?x?x?x1xi64>
  %g = aic.gather_nd %d, %u {batch_dims = 2 : i64} : (tensor<?x?x?x?xf16>, tensor<?x?x?x1xi64>) -> tensor<?x?x?x?xf16>
  return %g : tensor<?x?x?x?xf16>
}

// The cache-write ops round-trip.
// CHECK-LABEL: func.func @scatter
// CHECK: aic.arg_max %{{.*}} {axis = 1 : i64} : (tensor<?x?xi64>) -> tensor<?x1xi64>
// CHECK: aic.gather_elements %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<?x2x?x8xf16>, tensor<?x2x1x8xi64>) -> tensor<?x2x1x8xf16>
// CHECK: aic.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x2x?x8xf16>, tensor<?x2x?x3xi64>, tensor<?x2x?x8xf16>) -> tensor<?x2x?x8xf16>
func.func @scatter(%d: tensor<?x2x?x8xf16>, %p: tensor<?x?xi64>, %i: tensor<?x2x1x8xi64>,
                   %idx: tensor<?x2x?x3xi64>, %u: tensor<?x2x?x8xf16>) -> (tensor<?x1xi64>, tensor<?x2x1x8xf16>, tensor<?x2x?x8xf16>) {
  %a = aic.arg_max %p {axis = 1 : i64, keepdims = 1 : i64} : (tensor<?x?xi64>) -> tensor<?x1xi64>
  %g = aic.gather_elements %d, %i {axis = 2 : i64} : (tensor<?x2x?x8xf16>, tensor<?x2x1x8xi64>) -> tensor<?x2x1x8xf16>
  %s = aic.scatter_nd %d, %idx, %u : (tensor<?x2x?x8xf16>, tensor<?x2x?x3xi64>, tensor<?x2x?x8xf16>) -> tensor<?x2x?x8xf16>
  return %a, %g, %s : tensor<?x1xi64>, tensor<?x2x1x8xf16>, tensor<?x2x?x8xf16>
}
