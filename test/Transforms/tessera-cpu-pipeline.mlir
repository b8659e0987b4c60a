// RUN: tess-opt %s --pass-pipeline='builtin.module(tessera-cpu{opt-level=2})' --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=O2
// RUN: tess-opt %s --pass-pipeline='builtin.module(tessera-cpu{opt-level=0})' --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=O0
// RUN: tess-opt %s --tessera-cpu | FileCheck %s
// RUN: tess-opt %s --tessera-cpu=opt-level=0 | FileCheck %s

// The named pipeline, as a string (also the stages a reader should expect).

// O2:      builtin.module(
// O2:        canonicalize
// O2-NEXT:   cse,
// The calls between functions are inlined first, so that the tensor-level
// rewrites work on flat function bodies.
// O2-NEXT:   inline
// Recurrences become loops of contraction steps; block-diagonal and Monarch
// transforms become block products.
// O2-NEXT:   ssm-classify-recurrences,
// O2-NEXT:   ssm-chunk-rank-one-scans,
// O2-NEXT:   ssm-chunk-scans,
// O2-NEXT:   ssm-tile-scans,
// O2-NEXT:   ssm-parallelize-recurrences,
// O2-NEXT:   convert-ssm-to-tess,
// O2-NEXT:   convert-structured-to-tess,
// Then costly parts of contractions that read only some of their loops are
// computed over those loops, and products of three or more tensors become
// pairwise contractions.
// O2-NEXT:   func.func(
// O2-NEXT:     tess-hoist-invariant-subexpressions
// O2-NEXT:   ),
// O2-NEXT:   tess-plan-contractions{default-size=64 explain=false optimal-limit=8 },
// O2-NEXT:   canonicalize
// O2-NEXT:   convert-tess-to-linalg,
// O2-NEXT:   func.func(
// O2-NEXT:     convert-elementwise-to-linalg
// O2-NEXT:   ),
// O2-NEXT:   canonicalize
// O2-NEXT:   func.func(
// O2-NEXT:     tess-fuse-elementwise{max-fused-ops=128},
// O2-NEXT:     tess-reorder-reduction-loops
// Softmax between contractions runs per block of rows, in an scf.forall.
// O2-NEXT:     tess-fuse-row-blocks
// O2-NEXT:   ),
// Reductions over rows run by blocks of columns, in an scf.forall.
// O2-NEXT:   tess-block-column-reductions,
// O2-NEXT:   canonicalize
// O2-NEXT:   cse,
// Then the entries, and one more run of the inliner for the implementations.
// O2-NEXT:   tess-expose-entries,
// O2-NEXT:   inline
// O2-NEXT:   symbol-dce,
// Structured transforms and dense discretizations become kernel calls and
// gathers.
// O2-NEXT:   convert-structured-to-kernels,
// O2-NEXT:   convert-ssm-to-kernels,
// Each step of a recurrence writes its slice of the result in place.
// O2-NEXT:   func.func(
// O2-NEXT:     tess-write-loop-steps-in-place
// O2-NEXT:   ),
// O2-NEXT:   tess-split-shared-inits{max-uses=8},
// O2-NOT:    eliminate-empty-tensors
// O2-NEXT:   empty-tensor-to-alloc-tensor,
// O2-NEXT:   one-shot-bufferize{{.*}}bufferize-function-boundaries=true{{.*}}function-boundary-type-conversion=identity-layout-map
// O2-NEXT:   scf-forall-to-parallel,
// O2:          tess-results-in-place
// O2:          buffer-hoisting,
// O2-NEXT:     buffer-loop-hoisting
// Allocations are checked before deallocations are inserted, so that a
// failed allocation still frees what was allocated before it.
// O2:        tess-check-allocations
// O2:        ownership-based-buffer-deallocation
// O2:        tess-split-deallocs,
// O2-NEXT:   buffer-deallocation-simplification,
// O2-NEXT:   bufferization-lower-deallocations,
// O2:        convert-bufferization-to-memref,
// Temporaries are freed after their last use, not at the end of the entry.
// O2-NEXT:   tess-dealloc-after-last-use,
// GEMM-shaped contractions call the runtime kernels.
// O2-NEXT:   tess-contractions-to-kernels,
// O2-NEXT:   tess-lower-strided-copies,
// O2-NEXT:   tess-transposes-to-kernels,
// Linalg ops whose iteration domain is empty are skipped at run time.
// O2-NEXT:   func.func(
// O2-NEXT:     tess-guard-empty-domains
// O2-NEXT:   ),
// Floating-point reductions may keep vector partial sums.
// O2-NEXT:   func.func(
// O2-NEXT:     tess-reassociate-reductions
// O2-NEXT:   ),
// Parallel dimensions become scf.parallel; only the outermost of a nest
// stays parallel.
// O2-NEXT:   func.func(
// O2-NEXT:     convert-linalg-to-parallel-loops
// O2-NEXT:   ),
// The innermost dimension of a parallel loop stays a plain loop.
// O2-NEXT:   func.func(
// O2-NEXT:     tess-serialize-nested-parallel
// O2-NEXT:   ),
// O2-NEXT:   lower-affine,
// O2-NEXT:   loop-invariant-code-motion,
// Long functions are cut into several before they reach LLVM.
// O2:        tess-split-long-functions{max-loops=16},
// Those parallel loops fork OpenMP threads when they do enough work.
// O2-NEXT:   convert-scf-to-openmp
// O2-NEXT:   tess-configure-parallel-regions{min-work=32768},
// O2-NEXT:   convert-scf-to-cf
// O2-NEXT:   expand-strided-metadata,
// O2-NEXT:   lower-affine,
// O2-NEXT:   convert-complex-to-standard
// O2-NEXT:   math-extend-to-supported-types
// O2-NEXT:   arith-emulate-unsupported-floats{source-types={bf16}
// O2-NEXT:   tess-expand-arith
// f32 math becomes vectorizable polynomials.
// O2-NEXT:   tess-approximate-math
// O2-NEXT:   convert-math-to-funcs
// O2-NEXT:   convert-math-to-llvm
// O2-NEXT:   convert-math-to-libm,
// O2-NEXT:   finalize-memref-to-llvm{{.*}}use-aligned-alloc=true
// O2-NEXT:   convert-complex-to-llvm
// O2-NEXT:   convert-arith-to-llvm
// O2-NEXT:   convert-index-to-llvm
// O2-NEXT:   convert-cf-to-llvm
// O2-NEXT:   convert-openmp-to-llvm,
// O2-NEXT:   convert-func-to-llvm
// O2-NEXT:   convert-ub-to-llvm
// O2-NEXT:   reconcile-unrealized-casts,
// O2-NEXT:   tess-noalias-outputs,

// Without optimization: no fusion, no loop reordering, no hoisting.
// O0:     builtin.module(
// O0-NOT: tess-hoist-invariant-subexpressions
// O0-NOT: tess-plan-contractions
// O0-NOT: tess-fuse-elementwise
// O0-NOT: tess-reorder-reduction-loops
// O0:     tess-expose-entries
// O0-NOT: buffer-hoisting
// O0:     one-shot-bufferize
// O0:     convert-linalg-to-loops
// O0-NOT: convert-scf-to-openmp
// O0:     reconcile-unrealized-casts

// Whatever the level, a tess module comes out as the LLVM dialect, with the
// entry's C interface and nothing else left over.

// CHECK-NOT:   func.func
// CHECK-NOT:   tess.
// The output's aligned pointer is noalias (tess-noalias-outputs).
// CHECK-LABEL: llvm.func @mm(
// CHECK-SAME:    %{{.*}}: !llvm.ptr {llvm.noalias}
// CHECK-SAME:    -> i32 attributes {llvm.emit_c_interface, tessera.error_record}
// The C interface takes the error record last (translateToLLVMIR splits it
// into _tess_errinfo_mm and _mlir_ciface_mm).
// CHECK-LABEL: llvm.func @_mlir_ciface_mm(
// CHECK-SAME:    %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr {llvm.noalias}, %{{.*}}: !llvm.ptr) -> i32
// CHECK-NOT:   memref.
// CHECK-NOT:   bufferization.
// CHECK-NOT:   linalg.

// mm(a: f32[M, K], b: f32[K, N]) -> f32[M, N] { c[m, n] = a[m, k] * b[k, n]; return tanh(c) }
func.func @mm(%a: tensor<?x?xf32> {tess.dims = ["M", "K"], tess.name = "a"},
              %b: tensor<?x?xf32> {tess.dims = ["K", "N"], tess.name = "b"})
    -> (tensor<?x?xf32> {tess.dims = ["M", "N"]}) attributes {tess.entry} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %M = tensor.dim %a, %c0 : tensor<?x?xf32>
  %K = tensor.dim %a, %c1 : tensor<?x?xf32>
  %N = tensor.dim %b, %c1 : tensor<?x?xf32>
  %c = tess.contract sum ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) bounds(%M, %N, %K)
         maps [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>,
               affine_map<(m, n, k) -> (m, n)>] -> tensor<?x?xf32> {
  ^bb0(%x: f32, %y: f32):
    %p = arith.mulf %x, %y : f32
    tess.yield %p : f32
  }
  %t = tess.map ins(%c : tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%v: f32):
    %h = math.tanh %v : f32
    tess.yield %h : f32
  }
  return %t : tensor<?x?xf32>
}
