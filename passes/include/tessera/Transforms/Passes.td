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

    A last argument, an `!llvm.ptr` to an error record
    (`tessera::EntryErrorRecord`, possibly null), follows the outputs; the
    entry carries the unit attribute `tessera.error_record` to say so. The LLVM
    translation exports the entry with that argument as
    `_tess_errinfo_<name>` and without it as `_mlir_ciface_<name>`.

    The entry first performs the size checks of `tessera::computeSizeChecks`
    (runtime/include/tessera/Runtime/EntryABI.h): every size symbol is bound by
    its first occurrence, and every further occurrence, literal dimension,
    index parameter sign and output buffer dimension is checked, as is every
    expression dimension (`N / 2 + 1`: its divisors, log2 operands and sign,
    then its value, computed with index arithmetic). On the first
    failing check `i` (0-based) it returns `i + 1` without touching the
    outputs. Then, for each tensor parameter and output of rank 1 or more in
    that order (but one whose declared shape an earlier one has, with
    elements at least as large), it checks that the element count and byte
    size fit in `int64_t` (a zero extent makes a tensor empty, whatever the
    others); the first that does not fills the error record (when not null)
    and the entry returns `kStatusTooLarge` (-1). Otherwise it casts the memrefs to the implementation's static
    shapes, wraps them with `bufferization.to_tensor ... restrict`, calls the
    implementation, writes each result with
    `bufferization.materialize_in_destination ... restrict writable` and
    returns 0.

    Signatures come from the front end's attributes: `tess.dims` (one entry
    per dimension: an i64 literal, a size symbol name or a size expression
    tree, see EntrySignature.h) on tensor arguments
    and results, `tess.size` on `index` arguments, and optionally `tess.name`
    (the source parameter name, used in messages).
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect",
    "mlir::LLVM::LLVMDialect",
    "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect",
  ];
}

def TessCheckAllocationsPass
    : Pass<"tess-check-allocations", "mlir::ModuleOp"> {
  let summary = "Make every memref.alloc of an entry a checked allocation";
  let description = [{
    Runs on buffers, before the buffer deallocation pipeline, over every
    `func.func` marked `tessera.error_record` by `tess-expose-entries` (its last
    argument is the error record pointer, its one result the `i32` status);
    other functions are left alone. For each `memref.alloc`:

    - the byte size (extents times element size) is computed with
      `arith.mului_extended`; if it does not fit in `int64_t` (and no extent
      is zero) the entry writes the error record and returns
      `kStatusTooLarge` (-1) without calling `malloc`. When every dynamic
      extent of an allocation is defined outside its block, this check is
      hoisted to the start of that block, so it fails before any memory is
      touched;
    - after the allocation, an aligned pointer of 0 for a nonzero byte size
      (`memref.extract_aligned_pointer_as_index`) writes the error record
      and returns `kStatusOutOfMemory` (-2).

    The record names the value (the innermost `NameLoc` of the allocation's
    location, else "intermediate value"), its source location (the innermost
    `FileLineColLoc`), its element type, shape and byte count; the strings
    are private constant `llvm.mlir.global`s.

    Each check becomes an `scf.if` that yields the failure status in its
    then-region and holds the rest of the block in its else-region (values
    the block's terminator uses are yielded; on failure a `memref.alloca`
    with zero dynamic extents stands for a memref, `ub.poison` for anything
    else, and nothing reads them); an
    `scf.if` that contains allocations gets an extra `i32` status result and
    the rest of its block is guarded by it. The function's status becomes the
    first nonzero of the checks' status and its old return value. Because
    deallocations are inserted afterwards, buffers allocated before a failure
    are still freed on the way out.

    An iteration of an `scf.parallel` loop (the blocks of rows of
    `tess-fuse-row-blocks`) cannot return: its checks guard the rest of its
    body the same way, and a failing iteration sets a claim flag (a
    `memref<i32>` on the stack, `memref.atomic_rmw ori`); the first to set it
    stores its status in a second one and writes the record, so that
    iterations failing at once on several threads leave one consistent
    record. After the loop, a nonzero status skips the rest of the block and
    becomes its status.

    An `scf.for` loop with allocations (the steps of a recurrence) carries
    one more value, the status (0 on entry); its body runs under
    `scf.if %status == 0` (else it passes the carried values through), and
    its checks guard the rest of the body as above. After the loop, a
    nonzero status skips the rest of the block and becomes its status. An
    allocation in any other kind of region is an error.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::LLVM::LLVMDialect",
    "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect",
    "mlir::ub::UBDialect",
  ];
}

def TessGuardEmptyDomainsPass
    : Pass<"tess-guard-empty-domains", "mlir::func::FuncOp"> {
  let summary = "Skip linalg ops whose iteration domain is empty";
  let description = [{
    A loop nest runs its outer loops in full even when an inner loop has no
    iterations: `C[m, n] = A[m, k] * B[k, n]` with M = 10^14 and N = K = 0
    would spin 10^14 times. For every linalg op on buffers with two or more
    loops, at least one of them of dynamic extent, this pass computes the
    loop ranges (`createLoopRanges`) and wraps the op in
    `scf.if (extent_0 != 0 && extent_1 != 0 && ...)`. Static extents take no
    part in the test; an op with a static zero extent is erased. An op
    does nothing when any loop is empty, so the rewrite preserves semantics.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
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

def TessTransposesToKernelsPass
    : Pass<"tess-transposes-to-kernels", "mlir::ModuleOp"> {
  let summary = "Call the runtime's transpose kernel for transposing copies";
  let description = [{
    A `linalg.generic` on buffers that copies its input into its output with
    the dimensions permuted, so that the innermost (unit-stride) dimensions
    of the two differ, becomes loops over the other dimensions around calls
    to `tessera_transpose` (Kernels.h), which copies each plane in register
    blocks of 8 x 8 (4-byte elements) or 4 x 4 (8-byte ones) with vector
    shuffles. The loops LLVM would generate read or write one side with a
    stride, element by element or through gathers and scatters, at several
    times the cost. Copies in the steps of a scan, planes of fewer than 64
    elements known at compile time, and buffers whose innermost stride is not
    statically 1 keep their loops.

    ```mlir
    linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                     affine_map<(i, j) -> (j, i)>],
                    iterator_types = ["parallel", "parallel"]}
        ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    }
    // becomes
    func.call @tessera_transpose(%c4, %rows, %cols, %xp, %xs, %yp, %ys) : ...
    ```
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect", "mlir::scf::SCFDialect",
                           "mlir::func::FuncDialect",
                           "mlir::memref::MemRefDialect"];
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

def TessHoistInvariantSubexpressionsPass
    : Pass<"tess-hoist-invariant-subexpressions", "mlir::func::FuncOp"> {
  let summary = "Compute costly parts of a contraction body over their own "
                "loops";
  let description = [{
    A `tess.contract` body runs once per point of its loop nest. For each
    contraction of the function body (not one nested in a loop, such as a
    scan's step), a value of the body that depends on some but not all of
    its loops (through its inputs' maps and `tess.index`), that a user needs
    with more loops, and whose computation includes a costly op (a
    transcendental `math` or `complex` function, a root, a power, a
    division), becomes a `tess.contract` of its own before the op, over
    just those loops, reading the inputs it needs through their maps
    renumbered; the body reads its result through a new input instead, and
    its now unused ops go. Nothing moves when the other loops all have
    extent 1. The values are those the body computed, stored in the element
    type and read back, so results are bit-identical. In the S4D kernel
    `K[h, l] = 2.0 * re(C[h, n] * (exp(dtA[h, n]) - 1.0) / A[h, n] *
    exp(dtA[h, n] * l))`, `C (exp(dtA) - 1) / A` is computed once per
    `(h, n)` instead of once per `(h, l, n)`.

    ```mlir
    %k = tess.contract sum ins(%c, %a : ...) bounds(%H, %L, %N)
           maps [(h, l, n) -> (h, n), (h, l, n) -> (h, n), (h, l, n) -> (h, l)] {
    ^bb0(%cv: complex<f32>, %av: complex<f32>):
      %w = complex.div %cv, %av : complex<f32>
      ...  // %w used with tess.index 1
    }
    // becomes
    %w = tess.contract sum ins(%c, %a : ...) bounds(%H, %N)
           maps [(h, n) -> (h, n), (h, n) -> (h, n), (h, n) -> (h, n)] {
    ^bb0(%cv: complex<f32>, %av: complex<f32>):
      %q = complex.div %cv, %av : complex<f32>
      tess.yield %q : complex<f32>
    }
    %k = tess.contract sum ins(%c, %a, %w : ...) bounds(%H, %L, %N)
           maps [..., (h, l, n) -> (h, n), (h, l, n) -> (h, l)] {
    ^bb0(%cv: complex<f32>, %av: complex<f32>, %wv: complex<f32>):
      ...  // %wv used with tess.index 1
    }
    ```
  }];
}

def TessPlanContractionsPass
    : Pass<"tess-plan-contractions", "mlir::ModuleOp"> {
  let summary = "Split products of three or more tensors into pairwise contractions";
  let description = [{
    For every `tess.contract` of kind `sum` with reduction dimensions whose
    body yields a product of its inputs (`arith.mulf`/`arith.muli`/
    `complex.mul`, each input read directly, through a `tess.cast` to the
    result type or, for complex numbers, through `complex.conj`) times
    loop-invariant factors (values that depend on no input and no
    `tess.index`: constants, size symbols, outer values; floats and complex
    numbers may also be divided by them) and possibly negated (`arith.negf`,
    `complex.neg`, or `arith.subi` from zero), this pass plans an order of pairwise contractions
    (tessera/Transforms/ContractionPlanner.h) and rewrites the op into:

    - one `tess.contract` per input that has dimensions no other input and
      not the result uses, summing them out first;
    - a tree of two-input `tess.contract` ops whose bodies are one
      multiplication; an intermediate keeps exactly the dimensions that a
      later input or the result uses, in increasing loop order;
    - when some inputs use no summed dimension (`s[b]` in
      `y[b, o] = x[b, i] * w[o, i] * s[b]`) or there are invariant factors,
      an element-wise `tess.contract` (the epilogue) that multiplies the
      result by them (divides by the divisors, negates) once per element
      rather than once per term of the sum.

    The op is rewritten unless the plan is the op itself (one product of at
    most two inputs without epilogue), and only when the plan is estimated
    cheaper than the single loop nest (docs/architecture.md, "Contraction
    planning"). The result element type
    must be `f32`, `f64`, `complex<f32>`, `complex<f64>` or an integer type
    other than `i1`; `f16`/`bf16` are left alone because their `f32`
    accumulation rounds once, at the end. For integers the rewrite is exact
    (wrap-around arithmetic is a ring); for floats and complex numbers it
    reassociates sums and products, which changes rounding as any reordered
    summation does. Complex steps are costed at six real operations per
    multiplication and two per addition, without the GEMM speedup (there is
    no complex GEMM kernel).

    Sizes: a loop bound that is a constant has that extent; one that comes
    from a size symbol (`tess.dims`/`tess.size` on the function's
    arguments, through `tensor.dim`) takes its value from `size-hints`
    (`NAME=N`), else `default-size`. With `explain`, each contraction that
    has reduction dimensions gets a remark with the plan, the steps'
    index strings, shapes and estimated costs, and the cost of the single
    loop nest.
  }];
  let options = [
    ListOption<"sizeHints", "size-hints", "std::string",
               "Extents of size symbols, as NAME=N">,
    Option<"defaultSize", "default-size", "int64_t", "64",
           "Extent assumed for a size symbol without a hint">,
    Option<"optimalLimit", "optimal-limit", "unsigned", "8",
           "Most operands searched exhaustively (at most 12); greedy beyond">,
    Option<"explain", "explain", "bool", "false",
           "Emit a remark describing the plan of each contraction">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::complex::ComplexDialect",
    "tessera::tess::TessDialect",
  ];
}

def TessContractionsToKernelsPass
    : Pass<"tess-contractions-to-kernels", "mlir::ModuleOp"> {
  let summary = "Replace GEMM-shaped linalg ops on buffers by runtime kernel calls";
  let description = [{
    Matches `linalg.generic` ops on buffers of `f32` or `f64` whose body is
    `out + x * y` over two inputs, whose maps are projected permutations, and
    whose loop dimensions each occur in both inputs (batch when also in the
    output, summed otherwise) or in one input and the output (rows of A,
    columns of B): a batched GEMM `C[b] += A[b] * B[b]` in any layout. Each
    becomes a call of `tessera_gemm_f32`/`tessera_gemm_f64`
    (runtime/include/tessera/Runtime/Kernels.h) with the base addresses and
    element strides of the three buffers; per role, the dimension with the
    largest static extent goes to the kernel and `scf.for` loops cover the
    others. The kernel packs, tiles for caches and registers, runs a vector
    micro-kernel for the CPU's widest ISA and splits the work over
    `tessera_get_num_threads()` threads. When C was filled with +0.0 just
    before (only ops without memory effects in between) and no summed
    dimension is looped around the call, the fill is dropped and the kernel
    overwrites C. When the next op that touches memory multiplies or
    divides all of C in place by a value computed from values above it (the
    `1/sqrt(D)` of attention scores), the kernel applies that to each element
    once its sum is complete (epilogue 1 or 2) and the op is erased, the
    scalar's computation moving before the call. Ops without a summed
    dimension, with other bodies or element types stay as they are.

    Example:

    ```mlir
    linalg.generic {indexing_maps = [(m, n, k) -> (m, k), (m, n, k) -> (k, n),
                                     (m, n, k) -> (m, n)], ...}
        ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
    // becomes
    func.call @tessera_gemm_f32(%one, %m, %n, %k, %pa, %zero, %sa0, %sa1,
                                %pb, %zero, %sb0, %sb1, %pc, %zero, %sc0, %sc1,
                                %overwrite, %epilogue, %scalar)
    ```
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::func::FuncDialect",
    "mlir::LLVM::LLVMDialect",
    "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect",
  ];
}

def TessSerializeNestedParallelPass
    : Pass<"tess-serialize-nested-parallel", "mlir::func::FuncOp"> {
  let summary = "Keep one parallel loop per nest, without its innermost dimension";
  let description = [{
    `convert-linalg-to-parallel-loops` emits an `scf.parallel` for each run
    of parallel dimensions of a linalg op, so a loop order such as
    (parallel, reduction, parallel) nests one `scf.parallel` inside the
    loops of another. Only the outermost one should run on several threads
    (a nested fork costs more than it saves, and one inside a sequential
    loop, such as the rows of a column reduction, would fork once per
    iteration); this pass rewrites every `scf.parallel` that has an
    `scf.parallel` or `scf.for` ancestor into `scf.for` loops
    with the same bounds, steps and body. Loops with reductions
    (`init` values) are left alone.

    The remaining parallel loop of several dimensions becomes a parallel
    loop over all but its last dimension around an `scf.for` over the last:
    OpenMP work-shares a multi-dimensional loop as one collapsed loop and
    recovers the indices with divisions in every iteration, which the
    innermost (usually contiguous) dimension should not pay.

    Example:

    ```mlir
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      scf.for %k = %c0 to %m step %c1 {
        scf.parallel (%j) = (%c0) to (%p) step (%c1) { ... }
      }
    }
    // the inner loop becomes
    scf.for %j = %c0 to %p step %c1 { ... }
    ```
  }];
  let dependentDialects = ["mlir::scf::SCFDialect"];
}

def TessConfigureParallelRegionsPass
    : Pass<"tess-configure-parallel-regions", "mlir::ModuleOp"> {
  let summary = "Thread count and fork threshold of each omp.parallel";
  let description = [{
    Runs after `convert-scf-to-openmp`. Every `omp.parallel` gets
    `num_threads` from a call of the runtime's `tessera_get_num_threads()`
    (TESSERA_NUM_THREADS, `tessera_set_num_threads`, or all processors;
    runtime/include/tessera/Runtime/Kernels.h), and forks only when that
    count exceeds one and the estimated iterations of its loops (the product
    of the trip counts of the parallel loop and of every loop inside it
    whose bounds are known before the region) reach `min-work`. A region
    that is one work-shared loop nest goes into `scf.if %fork { region }
    else { the same loops as scf.for }`, so small loops never enter libomp
    (a serialized region still costs several runtime calls); any other
    region gets the condition as its `if` clause. The
    `memref.alloca_scope` that the conversion wraps around each loop body is
    inlined when the body allocates nothing on the stack.

    Example:

    ```mlir
    omp.parallel { omp.wsloop { omp.loop_nest ... } }
    // becomes
    %t = func.call @tessera_get_num_threads() : () -> i32
    ...
    scf.if %fork {
      omp.parallel num_threads(%t : i32) { ... }
    } else {
      scf.for ... { ... }
    }
    ```
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"32768",
           "Fewest estimated loop iterations for which a region forks">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::func::FuncDialect",
    "mlir::memref::MemRefDialect",
    "mlir::omp::OpenMPDialect",
  ];
}

def TessApproximateMathPass : Pass<"tess-approximate-math"> {
  let summary = "Replace f32 math functions by branch-free polynomials";
  let description = [{
    LLVM lowers `math.exp`, `math.log`, `math.tanh`, ... on f32 to calls of
    libm, which its loop vectorizer cannot widen: a loop applying one of them
    runs one element at a time. This pass rewrites `math.exp`, `math.expm1`,
    `math.log`, `math.log2`, `math.log1p`, `math.tanh` and `math.erf` on f32
    (scalars and vectors) into arithmetic only (MLIR's polynomial
    approximations), which LLVM vectorizes like any other arithmetic. It
    also rewrites scalar `math.sin` and `math.cos` on f32 into branch-free
    f64 and integer arithmetic (a Cody-Waite reduction below 2^25, Payne and
    Hanek's above it, with the bits of 2 / pi as four 64-bit constants;
    Taylor series on [-pi / 4, pi / 4]; one rounding to f32: SinCos.cpp).
    f64 and every other function are left alone; they become LLVM
    intrinsics or libm calls later.
    docs/language.md states the measured error of each function in ULPs.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::math::MathDialect",
    "mlir::vector::VectorDialect",
  ];
}

def SSMClassifyRecurrencesPass : Pass<"ssm-classify-recurrences"> {
  let summary = "Record what the step of each recurrence computes";
  let description = [{
    Sets the `kind` of every `ssm.scan` and `ssm.recurrence` (the analysis
    is in dialects/lib/SSM/Utils/Classification.cpp).

    A step is first-order linear when the new state is `a * prev + b` for
    values `a` and `b` computed without the previous state `prev` (through
    additions, subtractions, negations, products with a value free of
    `prev`, divisions by one and, in an `ssm.recurrence`, `tess.contract`s
    that sum such terms, in real, integer or complex arithmetic:
    `exp(dt * A) * h + dt * B * u`, `h + x`, `lam * h - c`, `A[i, j] *
    h[j] + x[i]`); anything else (`tanh(w * h + x)`, `h * h`, a `select` on
    `h`, a `max` over `h`) is `general`, which only a sequential loop
    computes. A linear `ssm.scan` is `scalar` when its coefficient `a`
    reads at most the scan dimension (one number per step), `diagonal` when
    it varies across the state's elements, `complex_diagonal` with complex
    elements. A linear `ssm.recurrence` is `dense` when one transition
    matrix serves every independent channel of the slice, `block_diagonal`
    when the transition varies along a channel, `diagonal` (or
    `complex_diagonal`) when its step couples no elements of the slice.

    ```mlir
    %h = ssm.scan ins(%a, %x : ...) ... scan_dim 1 -> tensor<?x?xf32> {
    ^bb0(%av: f32, %xv: f32, %prev: f32):
      %m = arith.mulf %av, %prev : f32
      %s = arith.addf %m, %xv : f32
      ssm.yield %s : f32
    }
    // gets `kind #ssm.kind<diagonal>` when %a's map reads a channel
    ```
  }];
}

def SSMParallelizeRecurrencesPass : Pass<"ssm-parallelize-recurrences"> {
  let summary = "Run the independent channels of slice recurrences in parallel";
  let description = [{
    An `ssm.recurrence` whose step reads the previous slice at the same index
    as it writes along some slice dimensions (its channels: the batch and
    the blocks of a block-diagonal transition, the batch and features of
    LSSL's dense one) is rewritten as an `scf.forall` over those channels
    whose body is the same recurrence over one channel's slice. Each
    iteration runs the whole sequential loop over the scan axis for its
    channel, so the threads fork once for the recurrence instead of once
    per step, and a step's work is a small product that stays in cache.

    The innermost slice dimension is kept whole, so that the steps
    vectorize along it. The body's `tess.contract`s run over one index of
    each channel loop: operands derived from the previous slice are the
    channel's own, and other operands are read at the channel's index
    through a new symbol. Steps whose channels cannot be traced (an op the
    classification does not follow) are left alone.

    ```mlir
    %h = ssm.recurrence init(%h0 : tensor<?x?x?xf32>) length(%T) scan_dim 1
           -> tensor<?x?x?x?xf32> { ... }
    // becomes
    %h = scf.forall (%b, %k) in (%B, %K) shared_outs(%o = %empty) {
      %t = ssm.recurrence init(%h0 slice) ... -> tensor<?x?x?x?xf32> {...}
      scf.forall.in_parallel { tensor.parallel_insert_slice %t into %o ... }
    }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::tessera::tess::TessDialect"];
}

def SSMChunkScansPass : Pass<"ssm-chunk-scans"> {
  let summary = "Split linear scans of few channels into parallel chunks";
  let description = [{
    A first-order linear `ssm.scan` (h = a * h + b: `kind` scalar, diagonal
    or complex_diagonal) whose channels (its other dimensions, static) are
    too few to fill the threads with tiles of them (at most 64 elements of
    state) and whose scan axis is long (unknown, or at least two chunks) is
    split along the scan axis into chunks of 4096 positions, using
    associativity (reduce, then scan):

    1. in parallel (an `scf.forall`), for each chunk but the last, its
       state at its last position computed from zero (H) and the product of
       its coefficients (A: a second scan whose body is the coefficient
       `a`, extracted from the body's affine form);
    2. sequentially over the chunks, the state entering each one: the
       initial value (or zero) for the first, then `A * carry + H` of the
       chunk before;
    3. in parallel, every chunk scanned again from its carry, into the
       result.

    Backward scans number their chunks from the end. The chunks pass over
    the data three times where the scan passes once, so they run only when
    the runtime has at least 4 threads (`tessera_get_num_threads`); with
    fewer, the scan is one chunk: phases 1 and 2 do nothing and phase 3 is
    the scan as it was (no copy, no second version).

    ```mlir
    %h = ssm.scan ins(%a, %x : tensor<?xf32>, tensor<?xf32>) bounds(%L)
           maps [...] scan_dim 0 kind <diagonal> -> tensor<?xf32> { ... }
    // becomes
    %ends:2 = scf.forall (%c) in (%chunks - 1) shared_outs(...) { two chunk scans, their last slices }
    %carries = scf.for %c = %c1 to %chunks ... { tess.map A * carry + H }
    %h = scf.forall (%c) in (%chunks) shared_outs(...) { the chunk's scan from its carry }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::complex::ComplexDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::tessera::tess::TessDialect"];
}

def SSMChunkRankOneScansPass : Pass<"ssm-chunk-rank-one-scans"> {
  let summary = "Compute matrix-state scans with rank-1 updates by chunks";
  let description = [{
    A linear `ssm.scan` whose state is a matrix updated by rank-1 terms
    under a scalar decay, read by one `tess.contract` that multiplies it
    with a query and sums over the key's dimensions,

    ```
    S[t, i, j] = g[t] * S[t - 1, i, j] + k[t, i] * v[t, j]   (g optional)
    y[t, j]    = q[t, i] * S[t, i, j]
    ```

    (causal linear attention; Mamba-2's SSD, where `g = exp(dt * A)`), is
    replaced, with its readout, by LASP's chunked form over chunks of 64
    positions: per chunk, the intra-chunk term `(Q K^T masked by the decay
    between positions) V`, the chunk's contribution to the state
    `K^T (decay to the chunk's end * V)`, then a short scan over the chunks
    for the state entering each one, and the inter-chunk term `Q Sx` scaled
    by the decay from the chunk's start. The matrix products are
    `tess.contract` ops that the contraction planner maps to GEMM kernels;
    the decays between positions are a scan (`M[s, u] = g[s] M[s - 1, u] +
    (s == u)`), never a division, so they do not overflow. The state is
    stored once per chunk, never per position.

    Roles come from the readout: it sums over the key dimensions (`i`); the
    batch dimensions are those the decay, the query or a key factor reads
    (`b`, `h`, and the heads that share B and C in Mamba-2 are not
    materialized for the products that do not read them); the value
    dimensions (`j`) are the rest. The update's factors are split by the
    dimensions they read; a factor of neither kind goes with the values. A
    decay that reads a key dimension (a per-channel gate), an initial value,
    another use of the state, or a state of fewer than 64 static elements
    leaves the scan to ssm-tile-scans. Backward scans chunk from the end.

    ```mlir
    %S = ssm.scan ins(%k, %v : ...) bounds(%T, %D, %E) maps [...]
           scan_dim 0 -> tensor<?x?x?xf32> {
    ^bb0(%kv: f32, %vv: f32, %prev: f32):
      %p = arith.mulf %kv, %vv : f32
      %s = arith.addf %prev, %p : f32
      ssm.yield %s : f32
    }
    %y = tess.contract sum ins(%q, %S : ...) ... -> tensor<?x?xf32>
    // becomes contractions over (chunk, s, u), a scan over the chunks and
    // one combination into %y's layout.
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def SSMTileScansPass : Pass<"ssm-tile-scans"> {
  let summary = "Run each recurrence over tiles of its channels";
  let description = [{
    The dimensions of an `ssm.scan` other than its scan axis are independent
    channels. This pass rewrites a scan whose channels make more than one
    tile as an `scf.forall` over channel tiles whose body is the same scan
    over one tile: each tile runs the whole recurrence with a state of a few
    KiB that stays in cache (the innermost channel dimension whole where it
    fits, so that the steps vectorize along it), and the tiles run on the
    threads, in one parallel region for the whole recurrence instead of one
    per step. Tile sizes divide static extents where a divisor is close;
    otherwise the last tile is smaller.

    The scan's readouts (consumers that read each step's state once, such
    as Mamba's `y[b, d, l] = x[b, d, l, n] * c[b, n, l]`) are tiled with it
    when they keep every tiled channel dimension in their result, so that
    each tile computes its part of them and stores no state sequence;
    convert-ssm-to-tess then computes them in the tile's loop. Inputs that
    read a tiled dimension plainly are sliced; other reads of it are offset
    by a new symbol (so that `x[d + 1]` still reads zero past the end).

    ```mlir
    %h = ssm.scan ins(%a, %x : tensor<64x1024xf32>, tensor<64x1024xf32>)
           bounds(%c64, %c1024)
           maps [affine_map<(t, d) -> (t, d)>, affine_map<(t, d) -> (t, d)>]
           scan_dim 0 -> tensor<64x1024xf32> { ... }
    // becomes
    %r = scf.forall (%d) = (0) to (1024) step (512)
           shared_outs(%o = %empty) -> (tensor<64x1024xf32>) {
      %as = tensor.extract_slice %a[0, %d] [64, 512] [1, 1] : ...
      %xs = tensor.extract_slice %x[0, %d] [64, 512] [1, 1] : ...
      %t = ssm.scan ins(%as, %xs : ...) bounds(%c64, %c512) ... scan_dim 0
             -> tensor<64x512xf32> { ... }
      scf.forall.in_parallel {
        tensor.parallel_insert_slice %t into %o[0, %d] [64, 512] [1, 1] : ...
      }
    }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def TessWriteLoopStepsInPlacePass
    : Pass<"tess-write-loop-steps-in-place", "mlir::func::FuncOp"> {
  let summary = "Let loop steps and tiles write their results in place";
  let description = [{
    Three rewrites that let bufferization write where the values end up,
    instead of into temporaries allocated and copied at every iteration (a
    general eliminate-empty-tensors is not run: it can make several results
    share one output buffer):

    - A loop that builds a tensor one slice per iteration (a recurrence's
      steps, `convert-ssm-to-tess`) inserts each step's result into the
      tensor it carries. When the step is a destination-style op (such as a
      linalg.generic) whose init is a `tensor.empty` used only there, and its
      result is inserted by a `tensor.insert_slice` into a loop-carried
      tensor (other uses may read it too), the init becomes the
      `tensor.extract_slice` of that tensor at the insertion's offsets,
      sizes and strides.
    - A step that computes a loop-carried tensor's next value element by
      element from the current one (a scan's state: an all-parallel
      linalg.generic that reads the carried tensor only at the point it
      writes), whose result `linalg.copy` copies into the carried tensor,
      writes into the carried tensor itself and the copy goes.
    - What produces a tile that an `scf.forall` inserts into its shared
      output (a loop's result, a destination-style op's, either branch of an
      `scf.if` through `tensor.cast`: a tiled scan's readout, staged or
      peeled) starts from the shared output's slice instead of an empty
      tensor.

    ```mlir
    %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %t) -> (tensor<?x8xf32>) {
      %e = tensor.empty() : tensor<8xf32>
      %s = linalg.generic ... outs(%e : tensor<8xf32>) ...
      %u = tensor.insert_slice %s into %acc[%i, 0] [1, 8] [1, 1] : tensor<8xf32> into tensor<?x8xf32>
      scf.yield %u : tensor<?x8xf32>
    }
    // the generic's outs become
      %d = tensor.extract_slice %acc[%i, 0] [1, 8] [1, 1] : tensor<?x8xf32> to tensor<8xf32>
    ```
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def TessReassociateReductionsPass
    : Pass<"tess-reassociate-reductions", "mlir::func::FuncOp"> {
  let summary = "Let floating-point sums and products of reductions reassociate";
  let description = [{
    A floating-point reduction that adds its terms one after another is a
    chain of dependent additions that LLVM's loop vectorizer must not
    reorder. For every linalg op with a reduction loop, this pass finds, for
    each output, the `arith.addf` or `arith.mulf` that combines the output's
    block argument (the accumulator) with a term and is yielded, and adds
    the `reassoc` fast-math flag to that op alone; the terms themselves keep
    IEEE semantics. LLVM then keeps several lane-strided partial
    accumulators in vector registers and adds them pairwise at the end
    (docs/language.md, "Reductions", states the order). Max and min
    (`arith.maximumf`/`minimumf`) and integer reductions are associative
    already and are left alone.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def TessExpandArithPass : Pass<"tess-expand-arith"> {
  let summary = "arith-expand without the min/max expansions";
  let description = [{
    MLIR's `arith-expand` (with bf16) less its rewrite of `arith.maximumf`,
    `minimumf`, `maxnumf` and `minnumf` into compares and selects: those
    lower to `llvm.maximum` and friends instead, which LLVM's loop vectorizer
    recognizes as reductions (a `max[j]` loop runs on vectors) and x86 code
    generation expands with the same NaN and signed-zero semantics.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def TessBlockColumnReductionsPass
    : Pass<"tess-block-column-reductions", "mlir::ModuleOp"> {
  let summary = "Run reductions over rows by blocks of columns, in parallel";
  let description = [{
    A reduction over rows such as `s[j] = sum[i](x[i, j])` loops over the
    rows outside and the columns inside, so that the inner loop is
    unit-stride and vectorizes. Its only parallel loop is then inside a
    sequential one, which the pipeline keeps sequential (forking threads per
    row costs more than it gains), and the whole reduction ran on one thread.

    For a linalg op on tensors (not inside a loop) whose outermost loop is a
    reduction and which has parallel loops, this pass tiles with
    `scf.forall`: its innermost parallel loop by blocks of 2 KiB of elements
    (512 `f32` columns) when `tessera_get_num_threads()` is above 1, else by
    its whole extent (the plain loop nest, which streams whole rows:
    measured faster on one thread than blocks of any width up to 16 KiB); its
    other parallel loops by 1; its reductions not at all. Each block still
    loops over the rows outside and its columns inside, and every output
    element accumulates its terms in the same order, so results do not
    depend on the thread count. Contractions (a body `out + a * b`) are left
    to `tess-contractions-to-kernels`, whose kernels are threaded.

    ```mlir
    %threads = func.call @tessera_get_num_threads() : () -> i32
    // %w = %threads > 1 ? 512 : %M
    %s = scf.forall (%j) = (0) to (%M) step (%w) shared_outs(%o = %init) {
      // linalg.reduce over the rows of columns [%j, %j + %w)
    }
    ```
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::func::FuncDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def TessFuseRowBlocksPass
    : Pass<"tess-fuse-row-blocks", "mlir::func::FuncOp"> {
  let summary = "Compute a row-normalizing chain and the contraction reading it one block of rows at a time";
  let description = [{
    Attention computes its scores `s[b, h, t, u]`, normalizes each row (a
    max, a sum of exponentials, a division) and contracts the result with
    `v`. Step after step, the whole B*H*T*S intermediate streams through
    memory several times. This pass finds a contraction (a linalg op on
    tensors with reduction loops, the consumer) with an operand produced by a
    chain that normalizes rows: some op of the chain reads the result of a
    reduction broadcast along a loop the reduction does not have (softmax's
    max and sum, layer norm's mean). It tiles the consumer with `scf.forall`
    along its parallel loops that index both that operand and the result
    (1 each, but the innermost, which takes as many rows as fit 128 KiB of
    the operand, no more than leaves 16 blocks in all, so that few long
    rows such as the 256 rows of the S4D kernel still make a block per
    thread, and at least 8) and fuses the chain into the loop, back to the
    contractions that start it, so that each block's intermediate stays in
    cache and the blocks run on the threads.

    A producer is fused only if each block of the consumer determines its
    own block of the producer's results (every tiled loop indexes the value
    that links them, as a parallel loop of the producer) and all its users
    are fused too: nothing is computed twice. An operand that every block
    reads whole (`k`, `v`) is computed once, before the loop. Each element is
    computed by the same arithmetic as before, so results are unchanged.

    ```mlir
    // before: s = q k^T, p = softmax(s), o = p v, each over whole tensors
    // after:
    %o = scf.forall (%b, %h, %t) = (0, 0, 0) to (%B, %H, %T) step (1, 1, %rows)
        shared_outs(%out = %init) -> (tensor<?x?x?x?xf32>) {
      // s, max, sum and p of rows [%t, %t + %rows) only, then their
      // contraction with v into the slice of %out
    }
    ```
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def TessFuseRowReductionsPass
    : Pass<"tess-fuse-row-reductions", "mlir::func::FuncOp"> {
  let summary = "Run dependent row reductions (softmax, log-sum-exp) row by row";
  let description = [{
    Log-sum-exp, softmax and normalizations reduce each row twice: first
    `mx[i] = max[j](x[i, j])`, then `s[i] = sum[j](exp(x[i, j] - mx[i]))`,
    and often map the row once more. As separate loop nests each pass
    streams the whole tensor from memory. This pass finds a reduction R2
    (innermost loop a reduction, on tensors) that reads the result of
    another reduction R1 with which it shares an input, picks as consumer
    the only user of R2 when it is an all-parallel linalg op (else R2
    itself), tiles the consumer's outer loops by 1 (every loop but the
    reduced one) with `scf.for` and fuses R2, R1 and the fills of their
    accumulators into that loop. Each row is then read from memory once and
    revisited from cache. Other producers (a contraction computing `x`, say)
    are not fused. The arithmetic of each element is unchanged.

    Not part of the tessera-cpu pipeline: measured on one thread of the
    2-core AVX-512 machine, log-sum-exp with the exponential vectorized is
    bound by arithmetic (about 13 GB/s, below the memory bandwidth), so
    reading each row once gains nothing at 4096 x 4096 (5.1 ms either way),
    while the per-row work that no longer vectorizes across rows (the final
    log, the reductions' scalar tails) makes short rows slower (65536 x 256:
    11 ms against 6 ms). Softmax ran 68 against 82 ms at 4096 x 4096, within
    the noise of a shared machine. It is kept, tested, for the threaded
    pipeline, where each core's arithmetic halves but the memory bandwidth
    is shared; tile by row blocks before enabling it.
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
  ];
}

#endif // TESSERA_TRANSFORMS_PASSES
