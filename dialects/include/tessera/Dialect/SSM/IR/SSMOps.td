//===- SSMOps.td - ssm dialect ops -------------------------*- tablegen -*-===//
//
// ssm.scan (a point-wise recurrence with a scalar body), ssm.index and
// ssm.yield (its body's loop index and terminator); ssm.discretize (a dense
// continuous-time system made discrete).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_SSM_IR_SSMOPS_TD
#define TESSERA_DIALECT_SSM_IR_SSMOPS_TD

include "tessera/Dialect/SSM/IR/SSMDialect.td"

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def SSM_RecurrenceKind : I32EnumAttr<"RecurrenceKind",
    "what the step of an ssm.scan or ssm.recurrence computes from the "
    "previous state", [
      I32EnumAttrCase<"Unclassified", 0, "unclassified">,
      I32EnumAttrCase<"General", 1, "general">,
      I32EnumAttrCase<"Scalar", 2, "scalar">,
      I32EnumAttrCase<"Diagonal", 3, "diagonal">,
      I32EnumAttrCase<"ComplexDiagonal", 4, "complex_diagonal">,
      I32EnumAttrCase<"Dense", 5, "dense">,
      I32EnumAttrCase<"BlockDiagonal", 6, "block_diagonal">]> {
  let cppNamespace = "::tessera::ssm";
  let genSpecializedAttr = 0;
}

def SSM_RecurrenceKindAttr
    : EnumAttr<SSM_Dialect, SSM_RecurrenceKind, "kind"> {
  let assemblyFormat = "`<` $value `>`";
}

def SSM_DiscretizeMethod : I32EnumAttr<"DiscretizeMethod",
    "how ssm.discretize maps a continuous-time system to a discrete one", [
      I32EnumAttrCase<"ZOH", 0, "zoh">,
      I32EnumAttrCase<"Bilinear", 1, "bilinear">]> {
  let cppNamespace = "::tessera::ssm";
  let genSpecializedAttr = 0;
}

def SSM_DiscretizeMethodAttr
    : EnumAttr<SSM_Dialect, SSM_DiscretizeMethod, "method"> {
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// ssm.scan
//===----------------------------------------------------------------------===//

def SSM_ScanOp : SSM_Op<"scan", [
    AttrSizedOperandSegments, RecursiveMemoryEffects, SingleBlock]> {
  let summary = "recurrence along one axis with a scalar body";
  let description = [{
    `ssm.scan` computes a tensor `h` whose element at every point `p` of its
    iteration space (one `index` bound per dimension of the result) is the
    body applied to the elements of the inputs at `map(p)[symbols]` and to
    the previous state: `h` at `p` moved one step back along `scan_dim`
    (one step forward with `reverse`). At the first step of the scan the
    previous state is the element of `init` at `p` without the scan
    dimension, or zero of the element type when there is no `init`.

    The input maps follow `tess.contract`'s rules: one affine map per input
    from the iteration space (and the `symbols(...)` operands) to the input's
    subscripts; a compound subscript that falls outside the input reads as
    zero. There are no reduction dimensions: every loop dimension is a
    dimension of the result, in order. The body's block arguments are the
    input element types, in order, then the result element type (the
    previous state); it ends with `ssm.yield` of the new state. `ssm.index
    <dim>` in the body is the current value of a loop dimension.

    `kind` records what `ssm-classify-recurrences` found. When the new
    state is `a * prev + b` with `a` and `b` computed without `prev` (a
    first-order linear recurrence: an associative scan), the kind describes
    the coefficient `a`: `scalar` when it is the same for every element of
    the state at a step (it reads at most the scan dimension: an
    exponential moving average), `diagonal` when it varies across the
    state's elements (Mamba's `exp(dt * A)`), `complex_diagonal` for
    complex elements (S4D's modes). Anything else is `general` (a
    sequential loop over the scan axis, parallel across the other
    dimensions). `dense` and `block_diagonal` are kinds of ssm.recurrence
    only.

    `vector_dim`, when present, is a layout hint for the lowering: the
    channel dimension (not `scan_dim`) along which the steps vectorize,
    innermost in the layout of the state carried between steps. Without it
    the steps vectorize along the innermost channel dimension.
    `ssm-tile-scans` sets it to a dimension whose tiles have a static extent.

    Example (`h[b, t, n] = a[b, t, n] * h[b, t - 1, n] + x[b, t, n]`):

    ```mlir
    %h = ssm.scan ins(%a, %x : tensor<?x?x?xf32>, tensor<?x?x?xf32>)
           bounds(%B, %T, %N)
           maps [affine_map<(b, t, n) -> (b, t, n)>,
                 affine_map<(b, t, n) -> (b, t, n)>]
           scan_dim 1 -> tensor<?x?x?xf32> {
    ^bb0(%av: f32, %xv: f32, %prev: f32):
      %m = arith.mulf %av, %prev : f32
      %s = arith.addf %m, %xv : f32
      ssm.yield %s : f32
    }
    ```

    Example (backwards from an initial value, classified):

    ```mlir
    %g = ssm.scan ins(%x : tensor<8x16xf64>) init(%g0 : tensor<16xf64>)
           bounds(%c8, %c16) maps [affine_map<(t, n) -> (t, n)>]
           scan_dim 0 reverse kind #ssm.kind<general> -> tensor<8x16xf64> {
    ^bb0(%xv: f64, %prev: f64):
      %s = arith.addf %xv, %prev : f64
      %y = math.tanh %s : f64
      ssm.yield %y : f64
    }
    ```
  }];

  let arguments = (ins Variadic<AnyRankedTensor>:$inputs,
                       Optional<AnyRankedTensor>:$init,
                       Variadic<Index>:$bounds,
                       Variadic<Index>:$symbols,
                       AffineMapArrayAttr:$indexing_maps,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$scan_dim,
                       UnitAttr:$reverse,
                       DefaultValuedAttr<SSM_RecurrenceKindAttr,
                         "::tessera::ssm::RecurrenceKind::Unclassified">:$kind,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>
                         :$vector_dim);
  let results = (outs AnyRankedTensor:$result);
  let regions = (region SizedRegion<1>:$body);

  let assemblyFormat = [{
    (`ins` `(` $inputs^ `:` type($inputs) `)`)?
    (`init` `(` $init^ `:` type($init) `)`)?
    `bounds` `(` $bounds `)` (`symbols` `(` $symbols^ `)`)?
    `maps` $indexing_maps `scan_dim` $scan_dim (`reverse` $reverse^)?
    (`kind` $kind^)? attr-dict `->` type($result) $body
  }];

  let builders = [
    // Builds the op and its body block (the input element types, then the
    // result element type). `bodyBuilder`, if given, fills the block and
    // must end it with ssm.yield.
    OpBuilder<(ins "::mlir::RankedTensorType":$resultType,
                   "::mlir::ValueRange":$inputs, "::mlir::Value":$init,
                   "::mlir::ValueRange":$bounds, "::mlir::ValueRange":$symbols,
                   "::llvm::ArrayRef<::mlir::AffineMap>":$indexingMaps,
                   "int64_t":$scanDim, "bool":$reverse,
                   CArg<"::llvm::function_ref<void(::mlir::OpBuilder &, "
                        "::mlir::Location, ::mlir::ValueRange)>",
                        "nullptr">:$bodyBuilder)>
  ];

  let extraClassDeclaration = [{
    /// Number of loop dimensions (== the result's rank).
    unsigned getNumLoops() { return getBounds().size(); }
    /// The indexing map of input `i`.
    ::mlir::AffineMap getInputMap(unsigned i);
    /// The body's block argument that holds the previous state.
    ::mlir::BlockArgument getPreviousState();
    /// The terminator of the body.
    class YieldOp getYieldOp();
    /// The channel dimension the steps vectorize along: `vector_dim`, or
    /// the innermost dimension other than the scan dimension (-1 for a
    /// scan without other dimensions).
    int getStepVectorDim();
  }];

  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

//===----------------------------------------------------------------------===//
// ssm.recurrence
//===----------------------------------------------------------------------===//

def SSM_RecurrenceOp : SSM_Op<"recurrence", [
    RecursiveMemoryEffects, SingleBlock]> {
  let summary = "recurrence along one axis whose step computes a whole slice";
  let description = [{
    `ssm.recurrence` computes a tensor `h` slice by slice along `scan_dim`
    (`length` slices; backwards from the last with `reverse`): the body
    computes the slice at position `%pos` from the previous one, `%prev` (the
    slice one step back, one step forward with `reverse`; `init` at the first
    step). Slices are `h` without its scan dimension. Unlike `ssm.scan`,
    whose body computes one element from the same element one step back,
    a step may read the whole previous slice: dense and block-diagonal
    transitions (`h[t, i] = A[i, j] * h[t - 1, j] + x[t, i]`), matrix states
    multiplied by matrices. The body may use values defined above it (the
    front end hoists what does not depend on the previous slice out of it)
    and ends with `ssm.yield` of the new slice.

    `kind` records what `ssm-classify-recurrences` found. A step that is
    linear in the previous slice, `h[t] = A[t] h[t - 1] + x[t]`, couples
    the slice's elements along some dimensions (those the step reads the
    previous slice at other indices than it writes, like `j` above) and
    leaves the others independent (channels). It is `dense` when one
    transition matrix serves every channel (LSSL's HiPPO matrix, shared by
    the batch and the features) and `block_diagonal` when the transition
    varies along a channel (a block per channel, as in SLiCEs); a linear
    step that couples nothing is `diagonal` (`complex_diagonal`). Any
    other step is `general`. Whatever the kind, the independent channels
    run in parallel (ssm-parallelize-recurrences).

    Example (`h[t, i] = A[i, j] * h[t - 1, j] + x[t, i]`):

    ```mlir
    %h = ssm.recurrence init(%zeros : tensor<?xf32>) length(%T) scan_dim 0
           kind <dense> -> tensor<?x?xf32> {
    ^bb0(%pos: index, %prev: tensor<?xf32>):
      %ah = tess.contract sum ins(%A, %prev : tensor<?x?xf32>, tensor<?xf32>)
              bounds(%N, %N) maps [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (j)>,
                                   affine_map<(i, j) -> (i)>] -> tensor<?xf32> {...}
      %s = tess.contract sum ins(%ah, %x : tensor<?xf32>, tensor<?x?xf32>)
             bounds(%N) symbols(%pos) maps [affine_map<(i)[t] -> (i)>,
                                            affine_map<(i)[t] -> (t, i)>,
                                            affine_map<(i)[t] -> (i)>] -> tensor<?xf32> {...}
      ssm.yield %s : tensor<?xf32>
    }
    ```
  }];

  let arguments = (ins AnyRankedTensor:$init, Index:$length,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$scan_dim,
                       UnitAttr:$reverse,
                       DefaultValuedAttr<SSM_RecurrenceKindAttr,
                         "::tessera::ssm::RecurrenceKind::Unclassified">:$kind);
  let results = (outs AnyRankedTensor:$result);
  let regions = (region SizedRegion<1>:$body);

  let assemblyFormat = [{
    `init` `(` $init `:` type($init) `)` `length` `(` $length `)`
    `scan_dim` $scan_dim (`reverse` $reverse^)? (`kind` $kind^)? attr-dict
    `->` type($result) $body
  }];

  let builders = [
    // Builds the op and its body block (the position, then the previous
    // slice, of `init`'s type). `bodyBuilder`, if given, fills the block
    // and must end it with ssm.yield.
    OpBuilder<(ins "::mlir::RankedTensorType":$resultType,
                   "::mlir::Value":$init, "::mlir::Value":$length,
                   "int64_t":$scanDim, "bool":$reverse,
                   CArg<"::llvm::function_ref<void(::mlir::OpBuilder &, "
                        "::mlir::Location, ::mlir::ValueRange)>",
                        "nullptr">:$bodyBuilder)>
  ];

  let extraClassDeclaration = [{
    /// The body's first argument: the position of the slice it computes.
    ::mlir::BlockArgument getPosition() {
      return getBody().front().getArgument(0);
    }
    /// The body's second argument: the previous slice.
    ::mlir::BlockArgument getPrevious() {
      return getBody().front().getArgument(1);
    }
    /// The type of one slice: the result without its scan dimension.
    ::mlir::RankedTensorType getSliceType();
  }];

  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

//===----------------------------------------------------------------------===//
// ssm.index
//===----------------------------------------------------------------------===//

def SSM_IndexOp : SSM_Op<"index", [Pure, HasParent<"ScanOp">]> {
  let summary = "current loop index inside an ssm.scan body";
  let description = [{
    The value of loop dimension `dim` of the enclosing `ssm.scan` at the
    current point (the scan dimension's value is the current step's
    position, counted from 0 at the start of the tensor whatever the
    direction).

    Example:

    ```mlir
    %t = ssm.index 1 : index
    ```
  }];

  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$dim);
  let results = (outs Index:$result);
  let assemblyFormat = "$dim attr-dict `:` type($result)";
  let builders = [
    OpBuilder<(ins "int64_t":$dim), [{
      build($_builder, $_state, $_builder.getIndexType(),
            $_builder.getI64IntegerAttr(dim));
    }]>
  ];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// ssm.yield
//===----------------------------------------------------------------------===//

def SSM_YieldOp : SSM_Op<"yield", [
    Pure, Terminator, ReturnLike, ParentOneOf<["ScanOp", "RecurrenceOp"]>]> {
  let summary = "terminator of an ssm.scan or ssm.recurrence body";
  let description = [{
    Yields the new state: in an `ssm.scan`, the element at the current point
    (of the result's element type); in an `ssm.recurrence`, the slice at the
    current position (of the slice type).

    Example:

    ```mlir
    ssm.yield %h : f32
    ```
  }];

  let arguments = (ins AnyType:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// ssm.discretize
//===----------------------------------------------------------------------===//

def SSM_DiscretizeOp : SSM_Op<"discretize", [
    Pure, AllTypesMatch<["a", "abar"]>, AllTypesMatch<["b", "bbar"]>]> {
  let summary = "discrete-time form of a dense linear time-invariant system";
  let description = [{
    Maps the continuous-time system `x' = A x + B u`, with a dense square
    `A: [N, N]` and `B: [N]` (one input) or `[N, M]`, to the discrete-time
    system `x[k] = Abar x[k - 1] + Bbar u[k]` for the step `dt` (a rank-0
    tensor), with `method`:

    - `zoh` (zero-order hold): `Abar = exp(dt A)`, `Bbar = A^-1 (exp(dt A)
      - I) B`, both read from the exponential of the augmented matrix
      `exp(dt [[A, B], [0, 0]]) = [[Abar, Bbar], [0, I]]`, which needs no
      inverse of `A`;
    - `bilinear` (Tustin): `Abar = (I - dt/2 A)^-1 (I + dt/2 A)`, `Bbar =
      (I - dt/2 A)^-1 dt B`.

    `Abar` has `A`'s type and `Bbar` `B`'s. The elements are `f32` or
    `f64`, the same for all operands. `convert-ssm-to-kernels` lowers the op
    to a call of the runtime kernel `tessera_ssm_discretize_f32`/`_f64`
    (runtime/include/tessera/Runtime/Kernels.h), which computes in `f64`
    (the exponential by scaling and squaring with Pade approximants,
    Higham 2005; the inverses by Gaussian elimination with partial
    pivoting). Diagonal systems are elementwise and never reach this op.

    Example (the HiPPO-LegS system of order 4, one input):

    ```mlir
    %abar, %bbar = ssm.discretize <zoh> %a, %b, %dt
        : tensor<4x4xf32>, tensor<4xf32>, tensor<f32>
    ```
  }];

  let arguments = (ins AnyRankedTensor:$a, AnyRankedTensor:$b,
                       AnyRankedTensor:$dt, SSM_DiscretizeMethodAttr:$method);
  let results = (outs AnyRankedTensor:$abar, AnyRankedTensor:$bbar);
  let assemblyFormat = [{
    $method $a `,` $b `,` $dt attr-dict `:` type($a) `,` type($b) `,`
    type($dt)
  }];
  let hasVerifier = 1;
}

#endif // TESSERA_DIALECT_SSM_IR_SSMOPS_TD
