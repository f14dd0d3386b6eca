// RUN: skipattn-opt %s -split-input-file -verify-diagnostics

func.func @not_a_function(%k: tensor<?x2x?x8xf16>, %i: tensor<?x2x?xi64>) -> tensor<?x2x?x8xf16> {
  // expected-error @+1 {{callee 'plain' has no 'aic.domain' (only ONNX functions of a custom domain can be called)}}
  %g = aic.call @plain(%k, %i) : (tensor<?x2x?x8xf16>, tensor<?x2x?xi64>) -> tensor<?x2x?x8xf16>
  return %g : tensor<?x2x?x8xf16>
}
func.func private @plain(%d: tensor<?x?x?x?xf16>, %i: tensor<?x?x?xi64>) -> tensor<?x?x?x?xf16>

// -----

func.func @incompatible(%k: tensor<?x2x?x8xf32>, %i: tensor<?x2x?xi64>) -> tensor<?x2x?x8xf32> {
  // expected-error @+1 {{operand or result types are not compatible with}}
  %g = aic.call @G(%k, %i) : (tensor<?x2x?x8xf32>, tensor<?x2x?xi64>) -> tensor<?x2x?x8xf32>
  return %g : tensor<?x2x?x8xf32>
}
func.func private @G(%d: tensor<?x?x?x?xf16>, %i: tensor<?x?x?xi64>) -> tensor<?x?x?x?xf16>
    attributes {aic.domain = "com.qualcomm.cloud"}

// -----

func.func @cast_type(%x: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{result element type must be 'f32'}}
  %y = aic.cast %x {to = f32} : (tensor<4xf32>) -> tensor<4xf16>
  return %y : tensor<4xf16>
}

// -----

func.func @cast_bf16(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{can only cast to f16, f32, i64 or i1, got 'bf16'}}
  %y = aic.cast %x {to = bf16} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// expected-error @+1 {{'aic.custom_io' must map I/O names to f16}}
module attributes {aic.custom_io = {past_key.0 = f32}} {}

// -----

// expected-error @+1 {{'aic.specializations' must be a non-empty array of dictionaries, each with a string '_graph_name'}}
module attributes {aic.specializations = [{seq_len = 1 : i64}]} {}

// -----

// expected-error @+1 {{unknown aic attribute 'aic.nme'}}
func.func private @typo() attributes {aic.nme = "x"}

// -----

// expected-error @+1 {{'aic.dims' must be an array of strings (one per dim, empty for a static dim)}}
func.func private @dims() attributes {aic.dims = [1, 2]}

// -----

// expected-error @+1 {{'aic.name' must be a string}}
func.func private @name() attributes {aic.name = 3 : i64}

// -----

func.func @constant_type() -> tensor<2xi64> {
  // expected-error @+1 {{all of {value, output} have same type}}
  %c = "aic.constant"() {value = dense<[1, 2, 3]> : tensor<3xi64>} : () -> tensor<2xi64>
  return %c : tensor<2xi64>
}

// -----

func.func @missing(%k: tensor<?x2x?x8xf16>, %i: tensor<?x2x?xi64>) -> tensor<?x2x?x8xf16> {
  // expected-error @+1 {{'Nowhere' is not a func.func}}
  %g = aic.call @Nowhere(%k, %i) : (tensor<?x2x?x8xf16>, tensor<?x2x?xi64>) -> tensor<?x2x?x8xf16>
  return %g : tensor<?x2x?x8xf16>
}

// -----

func.func @gather_elements_rank(%d: tensor<?x2x?x8xf16>, %i: tensor<?x2x1xi64>) -> tensor<?x2x1x8xf16> {
  // expected-error @+1 {{indices must have the rank of data (4), not 3}}
  %g = aic.gather_elements %d, %i {axis = 2 : i64} : (tensor<?x2x?x8xf16>, tensor<?x2x1xi64>) -> tensor<?x2x1x8xf16>
  return %g : tensor<?x2x1x8xf16>
}

// -----

func.func @gather_elements_axis(%d: tensor<?x2x?x8xf16>, %i: tensor<?x2x1x8xi64>) -> tensor<?x2x1x8xf16> {
  // expected-error @+1 {{axis 4 is out of range for rank 4}}
  %g = aic.gather_elements %d, %i {axis = 4 : i64} : (tensor<?x2x?x8xf16>, tensor<?x2x1x8xi64>) -> tensor<?x2x1x8xf16>
  return %g : tensor<?x2x1x8xf16>
}

// -----

func.func @scatter_types(%d: tensor<?x2x?x8xf16>, %i: tensor<?x2x?x3xi64>, %u: tensor<?x2x?x8xf32>) -> tensor<?x2x?x8xf16> {
  // expected-error @+1 {{data, updates and result must share an element type}}
  %s = aic.scatter_nd %d, %i, %u : (tensor<?x2x?x8xf16>, tensor<?x2x?x3xi64>, tensor<?x2x?x8xf32>) -> tensor<?x2x?x8xf16>
  return %s : tensor<?x2x?x8xf16>
}

// -----

func.func @arg_max_axis(%p: tensor<?x?xi64>) -> tensor<?x1xi64> {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %a = aic.arg_max %p {axis = -3 : i64, keepdims = 1 : i64} : (tensor<?x?xi64>) -> tensor<?x1xi64>
  return %a : tensor<?x1xi64>
}

// -----

func.func @scatter_rank(%d: tensor<?x2x?x8xf16>, %i: tensor<?x2x?x3xi64>, %u: tensor<?x2x?x8xf16>) -> tensor<?x8xf16> {
  // expected-error @+1 {{the result has the shape of data}}
  %s = aic.scatter_nd %d, %i, %u : (tensor<?x2x?x8xf16>, tensor<?x2x?x3xi64>, tensor<?x2x?x8xf16>) -> tensor<?x8xf16>
  return %s : tensor<?x8xf16>
}
