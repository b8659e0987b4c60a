//===- Passes.td - Tessera transformation passes -----------*- tablegen -*-===//
//
// Dialect-independent transformations of Tessera modules.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TRANSFORMS_PASSES
#define TESSERA_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def TessExposeEntriesPass : Pass<"tess-expose-entries", "mlir::ModuleOp"> {
  let summary = "Wrap each `tess.entry` function in an exported C-callable entry";
  let description = [{
    For every `func.func` carrying the unit attribute `tess.entry`, this pass
    renames the function to the private `__tess_impl_<name>` (updating every
    symbol use) and creates the exported `func.func @<name>` with
    `llvm.emit_c_interface`. The entry takes each tensor parameter as a fully
    dynamic identity-layout memref (rank 0 stays `memref<T>`), each `index`
    parameter as `index`, then one fully dynamic memref per result, which the
    caller allocates (destination-passing style). It returns an `i32` status.

    The entry first performs the size checks of `tessera::computeSizeChecks`
    (runtime/include/tessera/Runtime/EntryABI.h): every size symbol is bound by
    its first occurrence, and every further occurrence, literal dimension,
    index parameter sign and output buffer dimension is checked. On the first
    failing check `i` (0-based) it returns `i + 1` without touching the
    outputs. Otherwise it casts the memrefs to the implementation's static
    shapes, wraps them with `bufferization.to_tensor ... restrict`, calls the
    implementation, writes each result with
    `bufferization.materialize_in_destination ... restrict writable` and
    returns 0.

    Signatures come from the front end's attributes: `tess.dims` (one entry
    per dimension: an i64 literal or a size symbol name) on tensor arguments
    and results, `tess.size` on `index` arguments, and optionally `tess.name`
    (the source parameter name, used in messages).
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect",
    "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect",
  ];
}

def TessLowerStridedCopiesPass : Pass<"tess-lower-strided-copies"> {
  let summary = "Rewrite memref.copy between non-identity layouts as linalg.copy";
  let description = [{
    The LLVM lowering of `memref.copy` calls the `memrefCopy` function of
    MLIR's C runner utilities whenever a side is not a contiguous identity
    layout. Compiled Tessera code links against nothing but libc and libm, so
    such copies (of subviews, for example) become `linalg.copy` loops
    instead. Contiguous copies stay and lower to `memcpy`.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def TessReorderReductionLoopsPass
    : Pass<"tess-reorder-reduction-loops", "mlir::func::FuncOp"> {
  let summary = "Move a unit-stride parallel loop inside the reductions";
  let description = [{
    For a linalg op whose innermost loop is a reduction, picks the loop that
    gives the most unit-stride accesses when innermost (an operand whose last
    index uses the loop counts +1, one that uses it in another position
    counts -1) and, if that is a parallel loop scoring higher than the
    current innermost loop, makes it innermost (generalizing a named op
    first). `C[i, j] += A[i, k] * B[k, j]` thus runs as loops (i, k, j), which
    LLVM's loop vectorizer turns into vector code; the order in which each
    output element accumulates its terms is unchanged, so the results are
    bit-identical.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

#endif // TESSERA_TRANSFORMS_PASSES
