// RUN: skipattn-opt %s -split-input-file -verify-diagnostics --convert-skipattn-to-aic

func.func @bf16(%q: tensor<1x2x8x64xbf16>, %k: tensor<1x2x128x64xbf16>, %v: tensor<1x2x128x64xbf16>) -> tensor<1x2x8x64xbf16> {
  %o = tensor.empty() : tensor<1x2x8x64xbf16>
  // expected-error @+1 {{element type 'bf16' is not supported by Cloud AI 100 (f16, or f32 compiled with -convert-to-fp16; the card has no bf16 or f64)}}
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xbf16>, tensor<1x2x128x64xbf16>, tensor<1x2x128x64xbf16>)
      outs(%o : tensor<1x2x8x64xbf16>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
      -> tensor<1x2x8x64xbf16>
  return %r : tensor<1x2x8x64xbf16>
}

// -----

func.func @unblocked(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x128x64xf32>, %v: tensor<1x2x128x64xf32>) -> tensor<1x2x8x64xf32> {
  %o = tensor.empty() : tensor<1x2x8x64xf32>
  // expected-error @+1 {{has no 'skipattn.kv_blocking': run skipattn-aic-block-kv (or skipattn-aic-pipeline) first}}
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>)
      outs(%o : tensor<1x2x8x64xf32>) -> tensor<1x2x8x64xf32>
  return %r : tensor<1x2x8x64xf32>
}

// -----

func.func @dynamic_batch(%q: tensor<?x2x8x64xf32>, %k: tensor<?x2x128x64xf32>, %v: tensor<?x2x128x64xf32>, %o: tensor<?x2x8x64xf32>) -> tensor<?x2x8x64xf32> {
  // expected-error @+1 {{batch size is dynamic: give it with the 'batch-size' option}}
  %r = skipattn.attention ins(%q, %k, %v : tensor<?x2x8x64xf32>, tensor<?x2x128x64xf32>, tensor<?x2x128x64xf32>)
      outs(%o : tensor<?x2x8x64xf32>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
      -> tensor<?x2x8x64xf32>
  return %r : tensor<?x2x8x64xf32>
}

// -----

func.func @too_many_blocks(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x4x64xf32>, %v: tensor<1x2x4x64xf32>) -> tensor<1x2x8x64xf32> {
  %o = tensor.empty() : tensor<1x2x8x64xf32>
  // expected-error @+1 {{num_kv_blocks (8) exceeds ctx_len (4)}}
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x4x64xf32>, tensor<1x2x4x64xf32>)
      outs(%o : tensor<1x2x8x64xf32>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 8, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
      -> tensor<1x2x8x64xf32>
  return %r : tensor<1x2x8x64xf32>
}

// -----

func.func @extra_work(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x128x64xf32>, %v: tensor<1x2x128x64xf32>) -> tensor<1x2x8x64xf32> {
  %o = tensor.empty() : tensor<1x2x8x64xf32>
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>)
      outs(%o : tensor<1x2x8x64xf32>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
      -> tensor<1x2x8x64xf32>
  // expected-error @+1 {{cannot be part of an AI 100 attention graph}}
  %s = tensor.insert_slice %r into %o[0, 0, 0, 0] [1, 2, 8, 64] [1, 1, 1, 1] : tensor<1x2x8x64xf32> into tensor<1x2x8x64xf32>
  return %r : tensor<1x2x8x64xf32>
}

// -----

// expected-error @+1 {{must return exactly the results of its skipattn.attention}}
func.func @returns_input(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x128x64xf32>, %v: tensor<1x2x128x64xf32>) -> tensor<1x2x8x64xf32> {
  %o = tensor.empty() : tensor<1x2x8x64xf32>
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>)
      outs(%o : tensor<1x2x8x64xf32>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
      -> tensor<1x2x8x64xf32>
  return %q : tensor<1x2x8x64xf32>
}

// -----

// expected-error @+1 {{num_kv_blocks must be positive, got 0}}
func.func private @bad_attr() attributes {a = #skipattn.kv_blocking<num_kv_blocks = 0, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}

// -----

func.func @memref_form(%q: memref<1x2x8x64xf32>, %k: memref<1x2x128x64xf32>, %v: memref<1x2x128x64xf32>, %o: memref<1x2x8x64xf32>) {
  // expected-error @+1 {{the AI 100 form needs tensor semantics}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x128x64xf32>, memref<1x2x128x64xf32>)
      outs(%o : memref<1x2x8x64xf32>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
  return
}

// -----

func.func @dynamic_heads(%q: tensor<1x?x8x64xf32>, %k: tensor<1x?x128x64xf32>, %v: tensor<1x?x128x64xf32>, %o: tensor<1x?x8x64xf32>) -> tensor<1x?x8x64xf32> {
  // expected-error @+1 {{head counts and head dims must be static for the AI 100 form}}
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x?x8x64xf32>, tensor<1x?x128x64xf32>, tensor<1x?x128x64xf32>)
      outs(%o : tensor<1x?x8x64xf32>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
      -> tensor<1x?x8x64xf32>
  return %r : tensor<1x?x8x64xf32>
}

// -----

func.func @computed_query(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x128x64xf32>, %v: tensor<1x2x128x64xf32>) -> tensor<1x2x8x64xf32> {
  %o = tensor.empty() : tensor<1x2x8x64xf32>
  // expected-error @+1 {{query, key and value must be arguments of 'computed_query' to become graph inputs}}
  %r = skipattn.attention ins(%o, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>)
      outs(%o : tensor<1x2x8x64xf32>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
      -> tensor<1x2x8x64xf32>
  return %r : tensor<1x2x8x64xf32>
}

// -----

func.func @computed_lens(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x128x64xf32>, %v: tensor<1x2x128x64xf32>) -> tensor<1x2x8x64xf32> {
  %o = tensor.empty() : tensor<1x2x8x64xf32>
  %lens = tensor.empty() : tensor<1xi32>
  // expected-error @+1 {{kv_lens must be a function argument (it becomes the position_ids input)}}
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>)
      kv_lens(%lens : tensor<1xi32>) outs(%o : tensor<1x2x8x64xf32>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
      -> tensor<1x2x8x64xf32>
  return %r : tensor<1x2x8x64xf32>
}

// -----

func.func @first(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x128x64xf32>, %v: tensor<1x2x128x64xf32>) -> tensor<1x2x8x64xf32> {
  %o = tensor.empty() : tensor<1x2x8x64xf32>
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>)
      outs(%o : tensor<1x2x8x64xf32>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
      -> tensor<1x2x8x64xf32>
  return %r : tensor<1x2x8x64xf32>
}
func.func @second(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x128x64xf32>, %v: tensor<1x2x128x64xf32>) -> tensor<1x2x8x64xf32> {
  %o = tensor.empty() : tensor<1x2x8x64xf32>
  // expected-error @+1 {{an AI 100 model holds one attention layer}}
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>)
      outs(%o : tensor<1x2x8x64xf32>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
      -> tensor<1x2x8x64xf32>
  return %r : tensor<1x2x8x64xf32>
}

// -----

// expected-error @+1 {{already defines 'CtxGather'}}
module {
  func.func @g(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x128x64xf32>, %v: tensor<1x2x128x64xf32>) -> tensor<1x2x8x64xf32> {
    %o = tensor.empty() : tensor<1x2x8x64xf32>
    %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>)
        outs(%o : tensor<1x2x8x64xf32>)
        {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
        -> tensor<1x2x8x64xf32>
    return %r : tensor<1x2x8x64xf32>
  }
  func.func private @CtxGather()
}

// -----

// expected-error @+1 {{skip factors must be finite and >= 0, got -1}}
func.func private @negative_factor() attributes {a = #skipattn.kv_blocking<num_kv_blocks = 2, prefill_factor = -1.0, decode_factor = 0.0, min_keep_blocks = 1>}

// -----

// expected-error @+1 {{min_keep_blocks must be >= 0, got -2}}
func.func private @negative_keep() attributes {a = #skipattn.kv_blocking<num_kv_blocks = 2, prefill_factor = 1.0, decode_factor = 0.0, min_keep_blocks = -2>}

// -----

func.func @paged(%q: tensor<1x2x8x64xf32>, %k: tensor<9x2x16x64xf32>, %v: tensor<9x2x16x64xf32>, %t: tensor<1x8xi32>) -> tensor<1x2x8x64xf32> {
  %o = tensor.empty() : tensor<1x2x8x64xf32>
  // expected-error @+1 {{the AI 100 form has no paged KV cache (its KV cache is contiguous per sequence)}}
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<9x2x16x64xf32>, tensor<9x2x16x64xf32>)
      page_table(%t : tensor<1x8xi32>) outs(%o : tensor<1x2x8x64xf32>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
      -> tensor<1x2x8x64xf32>
  return %r : tensor<1x2x8x64xf32>
}

// -----

func.func @v_load_stats(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x128x64xf32>, %v: tensor<1x2x128x64xf32>, %st: tensor<1x2x4xi64>) -> (tensor<1x2x8x64xf32>, tensor<1x2x4xi64>) {
  %o = tensor.empty() : tensor<1x2x8x64xf32>
  // expected-error @+1 {{the AI 100 form's statistics are [B, Hq, 2] (decisions and skips; it has no V-load columns)}}
  %r:2 = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>)
      outs(%o : tensor<1x2x8x64xf32>) stats(%st : tensor<1x2x4xi64>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
      -> tensor<1x2x8x64xf32>, tensor<1x2x4xi64>
  return %r#0, %r#1 : tensor<1x2x8x64xf32>, tensor<1x2x4xi64>
}

// -----

func.func @left_padded(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x128x64xf32>, %v: tensor<1x2x128x64xf32>, %n: tensor<1xi32>) -> tensor<1x2x8x64xf32> {
  %o = tensor.empty() : tensor<1x2x8x64xf32>
  // expected-error @+1 {{the AI 100 form has no left-padded queries (its prefill chunks are specialised by length)}}
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>)
      q_lens(%n : tensor<1xi32>) outs(%o : tensor<1x2x8x64xf32>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
      -> tensor<1x2x8x64xf32>
  return %r : tensor<1x2x8x64xf32>
}
