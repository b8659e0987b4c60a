//===- TessOps.td - tess operations ------------------------*- tablegen -*-===//
//
// Operations of the tess dialect.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_TESS_IR_TESSOPS_TD
#define TESSERA_DIALECT_TESS_IR_TESSOPS_TD

include "tessera/Dialect/Tess/IR/TessDialect.td"
include "tessera/Dialect/Tess/IR/TessTypes.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/CallInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// tess.contract
//===----------------------------------------------------------------------===//

def Tess_ContractOp : Tess_Op<"contract", [
    AttrSizedOperandSegments, RecursiveMemoryEffects, SingleBlock]> {
  let summary = "index-notation contraction with a fused element-wise body";
  let description = [{
    `tess.contract` is one index-notation definition. It loops over every
    point `d` of the iteration space `[0, bounds[0]) x [0, bounds[1]) x ...`
    (one `index` bound per loop dimension). `indexing_maps` holds one affine
    map per input and, last, one for the result; all have as many dimensions
    as there are bounds and as many symbols as there are `symbols` operands
    (the optional `symbols(...)` list: `index` values, typically size
    symbols, that subscripts may use; symbol `s<k>` of every map is operand
    `k` of the list).

    For every point `d` the body receives, for each input, the element at
    `map(d)[symbols]`. A map result that is a plain dimension (`d2`) is in
    bounds by construction (the front end checks extents); a compound
    subscript (`d0 - d1`, `2 * d0 + 1`, a constant, or anything that uses a
    symbol, such as `s0 - 1 - d0`) that falls outside `[0, dim)` reads as
    zero of the element type (the lowering checks the range only where it
    cannot prove it: see convert-tess-to-linalg). Subscripts are affine with
    constant coefficients: `d0 * s0` is rejected, and `floordiv`, `ceildiv`
    and `mod` need a positive constant divisor. `tess.index <dim>` inside
    the body is the current value of a loop dimension.

    Loop dimensions that occur in the result map are parallel, all others are
    reduction dimensions; the result map must be a projected permutation
    (distinct plain dimensions, no symbols). The value yielded by the body is
    combined into `result[resultMap(d)]` with `kind` (identities: sum 0,
    prod 1, max -inf / INT_MIN, min +inf / INT_MAX; on `i1` sum/max are `or`
    and prod/min are `and`; complex supports sum and prod). Without reduction
    dimensions `kind` has no effect and is printed as `sum` by convention.
    The body's block arguments are the input element types, in order. The
    body may use values defined above the op.

    Accumulation: `sum` and `prod` with an `f16` or `bf16` result accumulate
    in an `f32` accumulator (each yielded value is extended to `f32` and
    combined in `f32`), and the result is rounded to the result type once,
    after the reduction; every other kind and element type accumulates in
    the result type (`max`/`min` are exact in any float type). See
    `getAccumulatorType`.

    Example (matrix product):

    ```mlir
    %c = tess.contract sum ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>)
           bounds(%M, %N, %K)
           maps [affine_map<(m, n, k) -> (m, k)>,
                 affine_map<(m, n, k) -> (k, n)>,
                 affine_map<(m, n, k) -> (m, n)>] -> tensor<?x?xf32> {
    ^bb0(%x: f32, %y: f32):
      %p = arith.mulf %x, %y : f32
      tess.yield %p : f32
    }
    ```

    Example (1-D convolution with zero padding, `y[t] = w[k] * x[t - k]`):

    ```mlir
    %y = tess.contract sum ins(%w, %x : tensor<3xf32>, tensor<?xf32>)
           bounds(%N, %c3)
           maps [affine_map<(t, k) -> (k)>, affine_map<(t, k) -> (t - k)>,
                 affine_map<(t, k) -> (t)>] -> tensor<?xf32> {
    ^bb0(%wk: f32, %xs: f32):
      %p = arith.mulf %wk, %xs : f32
      tess.yield %p : f32
    }
    ```

    Example (reversal with a size symbol, `y[i] = x[N - 1 - i]`):

    ```mlir
    %y = tess.contract sum ins(%x : tensor<?xf32>) bounds(%N) symbols(%N)
           maps [affine_map<(i)[n] -> (n - 1 - i)>,
                 affine_map<(i)[n] -> (i)>] -> tensor<?xf32> {
    ^bb0(%v: f32):
      tess.yield %v : f32
    }
    ```
  }];

  let arguments = (ins Variadic<Tess_RankedTensor>:$inputs,
                       Variadic<Index>:$bounds,
                       Variadic<Index>:$symbols,
                       AffineMapArrayAttr:$indexing_maps,
                       Tess_ReductionKindAttr:$kind);
  let results = (outs Tess_RankedTensor:$result);
  let regions = (region SizedRegion<1>:$body);

  let assemblyFormat = [{
    $kind (`ins` `(` $inputs^ `:` type($inputs) `)`)?
    `bounds` `(` $bounds `)` (`symbols` `(` $symbols^ `)`)?
    `maps` $indexing_maps attr-dict
    `->` type($result) $body
  }];

  let builders = [
    // Builds the op and its body block (one argument per input element
    // type). `bodyBuilder`, if given, fills the block and must end it with
    // tess.yield; otherwise the block is left empty for the caller.
    OpBuilder<(ins "::mlir::Type":$resultType,
                   "::tessera::tess::ReductionKind":$kind,
                   "::mlir::ValueRange":$inputs,
                   "::mlir::ValueRange":$bounds,
                   "::llvm::ArrayRef<::mlir::AffineMap>":$indexingMaps,
                   CArg<"::llvm::function_ref<void(::mlir::OpBuilder &, "
                        "::mlir::Location, ::mlir::ValueRange)>",
                        "nullptr">:$bodyBuilder)>,
    // As above, with `symbols`: the `index` operands that the maps' symbols
    // stand for (every map must have exactly that many symbols).
    OpBuilder<(ins "::mlir::Type":$resultType,
                   "::tessera::tess::ReductionKind":$kind,
                   "::mlir::ValueRange":$inputs,
                   "::mlir::ValueRange":$bounds,
                   "::mlir::ValueRange":$symbols,
                   "::llvm::ArrayRef<::mlir::AffineMap>":$indexingMaps,
                   CArg<"::llvm::function_ref<void(::mlir::OpBuilder &, "
                        "::mlir::Location, ::mlir::ValueRange)>",
                        "nullptr">:$bodyBuilder)>
  ];

  let extraClassDeclaration = [{
    /// Number of loop dimensions (== number of bounds).
    unsigned getNumLoops() { return getBounds().size(); }
    /// The indexing map of input `i`.
    ::mlir::AffineMap getInputMap(unsigned i);
    /// The indexing maps of all inputs, in order.
    ::llvm::SmallVector<::mlir::AffineMap> getInputMaps();
    /// The indexing map of the result (the last map).
    ::mlir::AffineMap getResultMap();
    /// True if loop dimension `dim` does not occur in the result map.
    bool isReductionDim(unsigned dim);
    /// The reduction dimensions, in increasing order.
    ::llvm::SmallVector<unsigned> getReductionDims();
    bool hasReductionDims() { return !getReductionDims().empty(); }
    /// The terminator of the body.
    YieldOp getYieldOp();
  }];

  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// tess.map
//===----------------------------------------------------------------------===//

def Tess_MapOp : Tess_Op<"map", [RecursiveMemoryEffects, SingleBlock]> {
  let summary = "element-wise map over tensors of one shape";
  let description = [{
    Applies the body to the elements of one or more tensors of identical
    shape; the result has that shape and the element type the body yields.
    The body's block arguments are the input element types. This is the
    canonical form of a `tess.contract` whose maps are all the same identity
    map (no reduction, no `tess.index`).

    Example:

    ```mlir
    %s = tess.map ins(%a, %b : tensor<?x4xf32>, tensor<?x4xf32>)
           -> tensor<?x4xf32> {
    ^bb0(%x: f32, %y: f32):
      %v = arith.addf %x, %y : f32
      tess.yield %v : f32
    }
    ```
  }];

  let arguments = (ins Variadic<Tess_RankedTensor>:$inputs);
  let results = (outs Tess_RankedTensor:$result);
  let regions = (region SizedRegion<1>:$body);

  let assemblyFormat = [{
    `ins` `(` $inputs `:` type($inputs) `)` attr-dict `->` type($result) $body
  }];

  let builders = [
    // Result shape is the shape of the inputs, element type
    // `resultElementType`. `bodyBuilder` as for tess.contract.
    OpBuilder<(ins "::mlir::ValueRange":$inputs,
                   "::mlir::Type":$resultElementType,
                   CArg<"::llvm::function_ref<void(::mlir::OpBuilder &, "
                        "::mlir::Location, ::mlir::ValueRange)>",
                        "nullptr">:$bodyBuilder)>
  ];

  let extraClassDeclaration = [{
    /// The terminator of the body.
    YieldOp getYieldOp();
  }];

  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// tess.reduce
//===----------------------------------------------------------------------===//

def Tess_ReduceOp : Tess_Op<"reduce", [Pure]> {
  let summary = "reduce a tensor over some of its dimensions";
  let description = [{
    Combines the elements of `input` along the dimensions listed in `dims`
    (strictly increasing) with `kind`; the result drops those dimensions and
    keeps the others in order. Kinds, identities and accumulation types are
    those of `tess.contract`: `sum` and `prod` of `f16`/`bf16` elements
    accumulate in `f32` and round to the element type once at the end. An
    empty `dims` list is the identity.

    Example (row maxima, and an f16 total accumulated in f32):

    ```mlir
    %m = tess.reduce max %x dims [1] : tensor<?x?xf32> -> tensor<?xf32>
    %t = tess.reduce sum %h dims [0] : tensor<4096xf16> -> tensor<f16>
    ```
  }];

  let arguments = (ins Tess_RankedTensor:$input, DenseI64ArrayAttr:$dims,
                       Tess_ReductionKindAttr:$kind);
  let results = (outs Tess_RankedTensor:$result);

  let assemblyFormat = [{
    $kind $input `dims` $dims attr-dict `:` type($input) `->` type($result)
  }];

  let builders = [
    // Infers the result type by dropping `dims` from the input type.
    OpBuilder<(ins "::tessera::tess::ReductionKind":$kind,
                   "::mlir::Value":$input,
                   "::llvm::ArrayRef<int64_t>":$dims)>
  ];

  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// tess.softmax
//===----------------------------------------------------------------------===//

def Tess_SoftmaxOp : Tess_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "numerically stable softmax along one axis";
  let description = [{
    `exp(x - max(x)) / sum(exp(x - max(x)))` along dimension `axis` of a
    floating-point tensor; the result has the input's type.

    Example:

    ```mlir
    %p = tess.softmax %s axis 1 : tensor<?x?xf32>
    ```
  }];

  let arguments = (ins Tess_FloatTensor:$input,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Tess_FloatTensor:$result);

  let assemblyFormat = "$input `axis` $axis attr-dict `:` type($input)";

  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// tess.splat
//===----------------------------------------------------------------------===//

def Tess_SplatOp : Tess_Op<"splat", [Pure]> {
  let summary = "tensor filled with one scalar";
  let description = [{
    A tensor of the result type with every element equal to `value`. There
    is one `index` operand per dynamic dimension of the result type, in
    order; the bracket list is omitted when the type is static. Used for
    `zeros(...)` and `ones(...)`.

    Example:

    ```mlir
    %z = tess.splat %zero [%n] : f32 -> tensor<?x4xf32>
    %o = tess.splat %one : f32 -> tensor<2x2xf32>
    ```
  }];

  let arguments = (ins Tess_ElementType:$value,
                       Variadic<Index>:$dynamic_sizes);
  let results = (outs Tess_RankedTensor:$result);

  let assemblyFormat = [{
    $value (` ` `[` $dynamic_sizes^ `]`)? attr-dict `:` type($value) `->`
    type($result)
  }];

  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// tess.constant
//===----------------------------------------------------------------------===//

def Tess_ConstantOp : Tess_Op<"constant", [ConstantLike, Pure]> {
  let summary = "scalar or dense tensor constant";
  let description = [{
    A constant of a tess element type or of a ranked tensor type. Integer
    and index constants take an integer attribute, floats a float attribute,
    complex scalars a two-element array `[re, im]` of float attributes of
    the component type, tensors a dense elements attribute of exactly the
    result type. The result type is the attribute's type; for complex
    scalars it follows the array after a colon.

    Example:

    ```mlir
    %a = tess.constant 1.000000e+00 : f32
    %b = tess.constant 7 : index
    %c = tess.constant [0.000000e+00 : f32, 2.000000e+00 : f32] : complex<f32>
    %d = tess.constant dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];

  let arguments = (ins AnyAttr:$value);
  let results = (outs Tess_ConstantType:$result);

  let builders = [
    OpBuilder<(ins "::mlir::TypedAttr":$value), [{
      build($_builder, $_state, value.getType(), value);
    }]>
  ];

  let extraClassDeclaration = [{
    /// True if `value` is a valid constant of type `type`.
    static bool isBuildableWith(::mlir::Attribute value, ::mlir::Type type);
  }];

  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// tess.cast
//===----------------------------------------------------------------------===//

def Tess_CastOp : Tess_Op<"cast", [Pure]> {
  let summary = "scalar element type conversion";
  let description = [{
    Converts a scalar between the language's types (i1, i32, i64, index,
    f16, bf16, f32, f64, complex<f32>, complex<f64>):

    - bool -> integer/float: zero-extends, `true` is 1;
    - integer/float -> bool: `x != 0`;
    - integer -> integer (and index): sign-extends or truncates;
    - integer -> float: signed conversion;
    - float -> integer: truncates toward zero (fptosi);
    - float -> float: extends or rounds to nearest even;
    - real -> complex: converts to the component type, imaginary part 0;
    - complex<f32> <-> complex<f64>: converts both parts.

    Complex -> real is not a cast (use `complex.re`/`complex.abs`) and is
    rejected by the verifier. A cast to the same type folds away; a cast of
    a constant folds to a constant.

    Example:

    ```mlir
    %f = tess.cast %i : index to f32
    %z = tess.cast %f : f32 to complex<f32>
    ```
  }];

  let arguments = (ins Tess_ScalarType:$input);
  let results = (outs Tess_ScalarType:$result);

  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";

  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// tess.index
//===----------------------------------------------------------------------===//

def Tess_IndexOp : Tess_Op<"index", [Pure]> {
  let summary = "current loop index inside a tess.contract body";
  let description = [{
    The value of loop dimension `dim` of the enclosing `tess.contract` at the
    current iteration point.

    Example:

    ```mlir
    %l = tess.index 1 : index
    ```
  }];

  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$dim);
  let results = (outs Index:$result);

  let assemblyFormat = "$dim attr-dict `:` type($result)";

  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// tess.yield
//===----------------------------------------------------------------------===//

def Tess_YieldOp : Tess_Op<"yield", [
    Pure, Terminator, ReturnLike, ParentOneOf<["ContractOp", "MapOp"]>]> {
  let summary = "terminator of tess.contract and tess.map bodies";
  let description = [{
    Yields the scalar value of the current iteration point; its type is the
    element type of the parent's result.

    Example:

    ```mlir
    tess.yield %p : f32
    ```
  }];

  let arguments = (ins Tess_ElementType:$value);

  let assemblyFormat = "$value attr-dict `:` type($value)";

  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// tess.call
//===----------------------------------------------------------------------===//

def Tess_CallOp : Tess_Op<"call", [
    CallOpInterface, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "call of a function of the module";
  let description = [{
    Calls the `func.func` named `callee` with value semantics. Operand and
    result types must match the callee's signature exactly (the front end
    inserts tensor.cast where needed).

    `tess.call` implements `CallOpInterface` and the tess dialect provides an
    inliner interface, so MLIR's `inline` pass inlines it like `func.call`.

    Example:

    ```mlir
    %r:2 = tess.call @f(%a, %b) : (tensor<?xf32>, tensor<4xf32>)
             -> (tensor<?xf32>, tensor<f32>)
    ```
  }];

  let arguments = (ins FlatSymbolRefAttr:$callee,
                       Variadic<AnyType>:$operands,
                       OptionalAttr<DictArrayAttr>:$arg_attrs,
                       OptionalAttr<DictArrayAttr>:$res_attrs);
  let results = (outs Variadic<AnyType>);

  let assemblyFormat = [{
    $callee `(` $operands `)` attr-dict `:` functional-type($operands, results)
  }];

  let builders = [
    // Takes the result types from the callee's signature.
    OpBuilder<(ins "::mlir::func::FuncOp":$callee,
                   "::mlir::ValueRange":$operands)>,
    // Without argument or result attributes.
    OpBuilder<(ins "::mlir::TypeRange":$results,
                   "::mlir::FlatSymbolRefAttr":$callee,
                   CArg<"::mlir::ValueRange", "{}">:$operands), [{
      build($_builder, $_state, results, callee, operands,
            /*arg_attrs=*/nullptr, /*res_attrs=*/nullptr);
    }]>
  ];

  let extraClassDeclaration = [{
    /// CallOpInterface: the callee symbol.
    ::mlir::CallInterfaceCallable getCallableForCallee() {
      return getCalleeAttr();
    }
    /// CallOpInterface: sets the callee symbol.
    void setCalleeFromCallable(::mlir::CallInterfaceCallable callee) {
      setCalleeAttr(::llvm::cast<::mlir::FlatSymbolRefAttr>(
          ::llvm::cast<::mlir::SymbolRefAttr>(callee)));
    }
    /// CallOpInterface: every operand is an argument of the callee.
    ::mlir::Operation::operand_range getArgOperands() {
      return getOperands();
    }
    /// CallOpInterface: the arguments, mutable.
    ::mlir::MutableOperandRange getArgOperandsMutable() {
      return getOperandsMutable();
    }
  }];
}

#endif // TESSERA_DIALECT_TESS_IR_TESSOPS_TD
