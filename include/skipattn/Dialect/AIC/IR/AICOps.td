//===- AICOps.td - aic operator ops ------------------------*- tablegen -*-===//
//
// One op per ONNX operator that the AI 100 form of skip-softmax attention
// uses. Semantics are those of ONNX opset 17; the op only fixes which ONNX
// node it becomes. Result types are explicit (`?` for symbolic dims).
//
//===----------------------------------------------------------------------===//

#ifndef AIC_OPS
#define AIC_OPS

include "skipattn/Dialect/AIC/IR/AICBase.td"
include "skipattn/Dialect/AIC/IR/AICInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"

// An ONNX node. `onnxName` is its operator type in the default domain.
class AIC_Op<string mnemonic, string onnxName, list<Trait> traits = []>
    : Op<AIC_Dialect, mnemonic,
         traits # [Pure, AIC_OnnxNodeOpInterface]> {
  let summary = "ONNX `" # onnxName # "`";
  let extraClassDeclaration = [{
    static ::llvm::StringRef getOnnxOpType() { return "}] # onnxName # [{"; }
  }];
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def AIC_Tensor : TensorOf<[F16, F32, I64, I1]>;
def AIC_BoolTensor : TensorOf<[I1]>;
def AIC_IndexTensor : TensorOf<[I64]>;

class AIC_UnaryOp<string mnemonic, string onnxName, string what>
    : AIC_Op<mnemonic, onnxName> {
  let description = "Elementwise " # what # ".";
  let arguments = (ins AIC_Tensor:$input);
  let results = (outs AIC_Tensor:$output);
}

class AIC_BinaryOp<string mnemonic, string onnxName, string what>
    : AIC_Op<mnemonic, onnxName> {
  let description = "Elementwise " # what #
                    " with numpy-style (multidirectional) broadcasting.";
  let arguments = (ins AIC_Tensor:$a, AIC_Tensor:$b);
  let results = (outs AIC_Tensor:$c);
}

class AIC_CompareOp<string mnemonic, string onnxName, string what>
    : AIC_Op<mnemonic, onnxName> {
  let description = "Elementwise `" # what # "` with broadcasting; bool result.";
  let arguments = (ins AIC_Tensor:$a, AIC_Tensor:$b);
  let results = (outs AIC_BoolTensor:$c);
}

def AIC_AddOp : AIC_BinaryOp<"add", "Add", "`a + b`">;
def AIC_SubOp : AIC_BinaryOp<"sub", "Sub", "`a - b`">;
def AIC_MulOp : AIC_BinaryOp<"mul", "Mul", "`a * b`">;
def AIC_DivOp : AIC_BinaryOp<"div", "Div", "`a / b`">;
def AIC_MaxOp : AIC_BinaryOp<"max", "Max", "`max(a, b)`">;
def AIC_MinOp : AIC_BinaryOp<"min", "Min", "`min(a, b)`">;
def AIC_AndOp : AIC_BinaryOp<"and", "And", "logical and">;
def AIC_OrOp : AIC_BinaryOp<"or", "Or", "logical or">;
def AIC_MatMulOp : AIC_Op<"matmul", "MatMul"> {
  let description = [{
    numpy `matmul`: the last two dims multiply, leading dims broadcast (so a
    `[B, Hkv, 1, D, n]` key block serves every query head of its group).
  }];
  let arguments = (ins AIC_Tensor:$a, AIC_Tensor:$b);
  let results = (outs AIC_Tensor:$c);
}

def AIC_ExpOp : AIC_UnaryOp<"exp", "Exp", "natural exponential">;
def AIC_LogOp : AIC_UnaryOp<"log", "Log", "natural logarithm">;
def AIC_NotOp : AIC_UnaryOp<"not", "Not", "logical not">;

def AIC_LessOp : AIC_CompareOp<"less", "Less", "a < b">;
def AIC_GreaterOp : AIC_CompareOp<"greater", "Greater", "a > b">;
def AIC_EqualOp : AIC_CompareOp<"equal", "Equal", "a == b">;

def AIC_WhereOp : AIC_Op<"where", "Where"> {
  let description = [{
    `condition ? x : y` elementwise with broadcasting. The skip mask is
    applied with it: `Where(skip, old_state, new_state)` keeps the running
    max, sum and accumulator of the rows that skip a block.
  }];
  let arguments = (ins AIC_BoolTensor:$condition, AIC_Tensor:$x,
                       AIC_Tensor:$y);
  let results = (outs AIC_Tensor:$output);
}

def AIC_ReduceMaxOp : AIC_Op<"reduce_max", "ReduceMax"> {
  let description = "Maximum over `axes` (an attribute up to opset 17).";
  let arguments = (ins AIC_Tensor:$data, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<I64Attr, "1">:$keepdims);
  let results = (outs AIC_Tensor:$reduced);
}

def AIC_ReduceSumOp : AIC_Op<"reduce_sum", "ReduceSum"> {
  let description = "Sum over the axes given by the `axes` input.";
  let arguments = (ins AIC_Tensor:$data, AIC_IndexTensor:$axes,
                       DefaultValuedAttr<I64Attr, "1">:$keepdims);
  let results = (outs AIC_Tensor:$reduced);
}

def AIC_ShapeOp : AIC_Op<"shape", "Shape"> {
  let description = [{
    The shape of `data` as a 1-D i64 tensor, optionally only dims
    `[start, end)`. This is how the graph reads its symbolic sizes
    (`seq_len`, `ctx_len`) at run time instead of freezing them.
  }];
  let arguments = (ins AIC_Tensor:$data, OptionalAttr<I64Attr>:$start,
                       OptionalAttr<I64Attr>:$end);
  let results = (outs AIC_IndexTensor:$shape);
}

def AIC_ConcatOp : AIC_Op<"concat", "Concat"> {
  let description = "Concatenation along `axis`.";
  let arguments = (ins Variadic<AIC_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs AIC_Tensor:$concat_result);
}

def AIC_ReshapeOp : AIC_Op<"reshape", "Reshape"> {
  let description = "Reshape to `shape` (0 copies the input dim, -1 is inferred).";
  let arguments = (ins AIC_Tensor:$data, AIC_IndexTensor:$shape);
  let results = (outs AIC_Tensor:$reshaped);
}

def AIC_UnsqueezeOp : AIC_Op<"unsqueeze", "Unsqueeze"> {
  let description = "Inserts unit dims at the positions given by `axes`.";
  let arguments = (ins AIC_Tensor:$data, AIC_IndexTensor:$axes);
  let results = (outs AIC_Tensor:$expanded);
}

def AIC_TransposeOp : AIC_Op<"transpose", "Transpose"> {
  let description = "Permutes dims: result dim `i` is input dim `perm[i]`.";
  let arguments = (ins AIC_Tensor:$data, DenseI64ArrayAttr:$perm);
  let results = (outs AIC_Tensor:$transposed);
}

def AIC_ExpandOp : AIC_Op<"expand", "Expand"> {
  let description = "Broadcasts `input` to `shape`.";
  let arguments = (ins AIC_Tensor:$input, AIC_IndexTensor:$shape);
  let results = (outs AIC_Tensor:$output);
}

def AIC_RangeOp : AIC_Op<"range", "Range"> {
  let description = "`[start, limit)` with step `delta` (scalars) as a 1-D tensor.";
  let arguments = (ins AIC_Tensor:$start, AIC_Tensor:$limit,
                       AIC_Tensor:$delta);
  let results = (outs AIC_Tensor:$output);
}

def AIC_CastOp : AIC_Op<"cast", "Cast"> {
  let description = "Converts the element type to `to` (f16, f32, i64 or i1).";
  let arguments = (ins AIC_Tensor:$input, TypeAttr:$to);
  let results = (outs AIC_Tensor:$output);
  let hasVerifier = 1;
}

def AIC_GatherNDOp : AIC_Op<"gather_nd", "GatherND"> {
  let description = [{
    Gathers slices of `data` addressed by the last dim of `indices`; the
    first `batch_dims` dims are shared batch dims. The body of `CtxGather`.
  }];
  let arguments = (ins AIC_Tensor:$data, AIC_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs AIC_Tensor:$output);
}

def AIC_GatherElementsOp : AIC_Op<"gather_elements", "GatherElements"> {
  let description = [{
    `output[i][j][k] = data[i][index[i][j][k]][k]` for `axis` = 1 (likewise
    for any axis): indices of the same rank as `data`, the result of their
    shape. Picks one row per sequence (the last written one) in the body of
    `CtxScatter`.
  }];
  let arguments = (ins AIC_Tensor:$data, AIC_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs AIC_Tensor:$output);
  let hasVerifier = 1;
}

def AIC_ScatterNDOp : AIC_Op<"scatter_nd", "ScatterND"> {
  let description = [{
    A copy of `data` with the slices addressed by the last dim of `indices`
    replaced by `updates` (no reduction: duplicate indices must carry equal
    updates for a defined result). The body of `CtxScatter`, the KV-cache
    write.
  }];
  let arguments = (ins AIC_Tensor:$data, AIC_IndexTensor:$indices,
                       AIC_Tensor:$updates);
  let results = (outs AIC_Tensor:$output);
  let hasVerifier = 1;
}

def AIC_ArgMaxOp : AIC_Op<"arg_max", "ArgMax"> {
  let description = [{
    Index of the largest element along `axis` (the first one on ties), as
    i64; `keepdims` keeps the reduced dim as 1.
  }];
  let arguments = (ins AIC_Tensor:$data, DefaultValuedAttr<I64Attr, "0">:$axis,
                       DefaultValuedAttr<I64Attr, "1">:$keepdims);
  let results = (outs AIC_IndexTensor:$reduced);
  let hasVerifier = 1;
}

def AIC_ConstantOp : AIC_Op<"constant", "Constant",
    [ConstantLike, AllTypesMatch<["value", "output"]>]> {
  let description = [{
    A constant tensor; scalars are rank-0 tensors.

    ```mlir
    %c = aic.constant dense<1> : tensor<i64>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AIC_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def AIC_CallOp : Op<AIC_Dialect, "call", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "A node that runs an ONNX function of a custom domain";
  let description = [{
    Invokes the private `func.func` named `callee`, which carries the
    `aic.domain` attribute and whose body is the function's definition in
    standard operators. It becomes a node of op type `callee` in that
    domain; ONNX functions are shape-polymorphic, so operand and result
    types need only be compatible with the callee's (same rank and element
    type, equal static dims).

    ```mlir
    %k = aic.call @CtxGather(%past_key, %idx)
        : (tensor<?x2x?x64xf32>, tensor<?x2x?xi64>) -> tensor<?x2x?x64xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, Variadic<AIC_Tensor>:$args);
  let results = (outs Variadic<AIC_Tensor>:$outputs);
  let assemblyFormat = [{
    $callee `(` $args `)` attr-dict `:` functional-type($args, results)
  }];
}

#endif // AIC_OPS
