//===- Passes.td - Tessera conversion passes ---------------*- tablegen -*-===//
//
// Conversions between Tessera's dialects and upstream MLIR dialects. Each
// pass is registered by `tessera::registerConversionPasses()`.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CONVERSION_PASSES_TD
#define TESSERA_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertTessToLinalg : Pass<"convert-tess-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower the tess dialect to linalg on tensors";
  let description = [{
    Rewrites every tess op into linalg, tensor, arith, math, complex and func
    ops, keeping value (tensor) semantics; nothing is bufferized here.

    - `tess.contract` becomes a `linalg.generic`: the result starts as
      `tensor.empty` (filled with the kind's identity when there are
      reduction dimensions); inputs whose subscripts are all plain loop
      dimensions (repeats allowed) are linalg operands with their maps;
      inputs with compound subscripts (every subscript that uses a symbol
      operand is one) are captured and read inside the body: the subscripts
      are computed from `linalg.index` and the symbol values with arith ops,
      tested against `[0, tensor.dim)`, the indices are clamped to 0 when
      out of range, `tensor.extract` reads, and `arith.select` substitutes
      zero (a guarded read). A dynamically shaped captured input is replaced
      by a 1x..x1 stand-in when it is empty, so the clamped read always
      exists.
    - When compound subscripts are affine (no `floordiv`, `ceildiv`,
      `mod`), the contraction is peeled instead: the range of each parallel
      dimension they use (reduction dimensions when they use no parallel
      one; at most three, each inside the interior of the previous one) is
      split into `[0, lo)`, `[lo, hi)` and `[hi, bound)`, where `[lo, hi)`
      is computed at run time as the values for which every such subscript
      is in range for all values of the other dimensions (empty when a size,
      bound or symbol exceeds 2^40 in magnitude, which keeps the arithmetic
      free of overflow). Each piece is a `linalg.generic` on
      `tensor.extract_slice`s of the result and of the plain inputs,
      inserted back with `tensor.insert_slice`; boundary pieces keep the
      guarded reads, the interior reads with a plain `tensor.extract`. The
      pieces put the best unit-stride parallel dimension innermost (a
      reduction's order per element is unchanged), so that the interior
      vectorizes (`passes/lib/Conversion/TessToLinalg/AffineReads.h`).
    - Loop dimensions that no plain subscript covers get a
      `tensor.empty(bound) : tensor<?xi8>` operand so that linalg knows the
      loop range. The body is cloned (ops of any dialect); `tess.index`
      becomes `linalg.index`, and the yielded value is combined with the
      accumulator according to `kind`. Sums and
      products of f16/bf16 accumulate in an f32 tensor (the yielded value
      is extended with `arith.extf`) that one elementwise `linalg.generic`
      rounds to the result type (`arith.truncf`) after the reduction; the
      same holds for `tess.reduce` and the softmax sum.
    - `tess.map` becomes a `linalg.generic` with identity maps,
      `tess.reduce` a `linalg.reduce` of an identity-filled init,
      `tess.softmax` four `linalg.generic` ops (max, exp(x - max), sum,
      divide), `tess.splat` `tensor.empty` + `linalg.fill`.
    - `tess.constant` becomes `arith.constant` (`complex.constant` for
      complex scalars), `tess.cast` arith/complex conversions and
      `tess.call` `func.call`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::complex::ComplexDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvertStructuredToKernels
    : Pass<"convert-structured-to-kernels", "::mlir::ModuleOp"> {
  let summary = "Lower the structured transforms to runtime kernels and "
                "gathers";
  let description = [{
    On tensors, before bufferization:

    - `structured.fwht` (f32/f64, a static power-of-two length along the
      axis) reads its input through `bufferization.to_buffer` (any layout),
      allocates the result (`memref.alloc`, 64-byte aligned: checked and
      freed like every temporary), and calls `tessera_fwht_f32`/`_f64`
      (runtime/include/tessera/Runtime/Kernels.h) with the rank, the axis,
      and the extents and element strides of both buffers in stack arrays;
      the result is `bufferization.to_tensor ... restrict writable` of the
      new buffer. The kernel copies each vector along the axis into the
      result and transforms it there: in-register stages for the strides
      below the vector width, then two stages per pass within L1-sized
      blocks and across them, vectorized for AVX-512, AVX2 or the baseline,
      the vectors split over the threads. O(n log n) per vector; no n x n
      matrix exists anywhere.
    - `structured.fft`/`ifft` call `tessera_fft_c64`/`_c128` the same way,
      with a last argument 0 (forward) or 1 (inverse); `rfft` calls
      `tessera_rfft_f32`/`_f64` (the result has n / 2 + 1 terms along the
      axis) and `irfft` `tessera_irfft_c64`/`_c128` with the input's length
      along the axis after the extents (FourierToKernels.cpp).
    - `structured.causal_conv` calls `tessera_causal_conv_<t>` with the
      kernel's rank, extents, buffer and strides after the extents, and the
      unit-root table of the transforms of 2L.
    - `structured.butterfly` calls `tessera_butterfly_<t>` with the number
      of factors and the twiddles' buffer and strides after the output;
      `structured.fft_twiddles` becomes a `linalg.generic` computing each
      2x2 matrix from its indices in f64 (FactorsToKernels.cpp).
    - `structured.bitreverse` (a static power-of-two length) becomes a
      `linalg.generic` whose element at `i` along the axis is read with
      `tensor.extract` at `rev(i)`, the log2(n) low bits of `i` reversed
      (`llvm.intr.bitreverse` and a shift); length 1 is the input itself.
      `structured.permute` is the same gather at `perm[i]`, reading zero
      where `perm[i]` is out of range.

    ```mlir
    %y = structured.fwht %x axis 1 : tensor<?x1024xf32>
    // becomes
    %in = bufferization.to_buffer %x read_only : ... to memref<?x1024xf32, strided<[?, ?], offset: ?>>
    %out = memref.alloc(%b) {alignment = 64 : i64} : memref<?x1024xf32>
    func.call @tessera_fwht_f32(%rank, %axis, %extents, %inPtr, %inStrides, %outPtr, %outStrides)
    %y = bufferization.to_tensor %out restrict writable : ...
    ```

    Other lengths are rejected earlier (the front end, the op's verifier);
    an op this pass cannot lower is an error.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::complex::ComplexDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvertStructuredToTess
    : Pass<"convert-structured-to-tess", "::mlir::ModuleOp"> {
  let summary = "Write block-diagonal and Monarch transforms as contractions";
  let description = [{
    Before contraction planning, so that block products become batched GEMM
    kernel calls like any other:

    - `structured.blockdiag %w, %x axis a` (w: [NB, BO, BI]) views `x` with
      its axis split into [NB, BI] (`tensor.expand_shape`), computes
      `y[.., b, o, ..] = sum_i w[b, o, i] x[.., b, i, ..]` as a
      `tess.contract`, and merges [NB, BO] back (`tensor.collapse_shape`).
    - `structured.monarch %w1, %w2, %x axis a` (w1: [K, Q, P], w2: [L, S, R])
      is the block product by w1, its K * Q terms merged and split again as
      [R, L], and `u[.., s, l, ..] = sum_r w2[l, s, r] t[.., r, l, ..]`,
      merged into S * L terms: fly's `blockdiag_butterfly_multiply`.

    ```mlir
    %y = structured.blockdiag %w, %x axis 1 : tensor<4x16x8xf32>, tensor<2x32xf32> -> tensor<2x64xf32>
    // becomes
    %xv = tensor.expand_shape %x [[0], [1, 2]] output_shape [2, 4, 8] : tensor<2x32xf32> into tensor<2x4x8xf32>
    %yv = tess.contract sum ins(%w, %xv : ...) bounds(...) maps [...] -> tensor<2x4x16xf32> { ... }
    %y = tensor.collapse_shape %yv [[0], [1, 2]] : tensor<2x4x16xf32> into tensor<2x64xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::complex::ComplexDialect",
    "::mlir::tensor::TensorDialect",
    "::tessera::tess::TessDialect",
  ];
}

def ConvertSSMToTess : Pass<"convert-ssm-to-tess", "::mlir::ModuleOp"> {
  let summary = "Write recurrences as loops of contraction steps";
  let description = [{
    Each `ssm.recurrence` becomes an `scf.for` over its positions (backwards
    for `reverse`) whose iteration is its body at that position, carrying
    the previous slice (copied: a step may read it anywhere) and the result.

    Each `ssm.scan` becomes an `scf.for` over its scan axis (backwards for
    `reverse`) carrying the result and the previous state. A step is one
    `tess.contract` over the other dimensions: the scan's inputs with the
    scan dimension of their maps replaced by a new last symbol (the step's
    position, so that a read such as `x[t - 1]` outside the tensor is zero),
    the previous state (the scan's `init`, or zeros, at the first step), and
    the scan's body (`ssm.index` of the scan dimension becomes the position,
    other `ssm.index` ops `tess.index`). Its result is inserted into the
    result at the position and carried as the next previous state.

    ```mlir
    %h = ssm.scan ins(%a, %x : tensor<?x?xf32>, tensor<?x?xf32>) bounds(%T, %N)
           maps [affine_map<(t, n) -> (t, n)>, affine_map<(t, n) -> (t, n)>]
           scan_dim 0 -> tensor<?x?xf32> { ... }
    // becomes
    %r:2 = scf.for %t = %c0 to %T step %c1 iter_args(%acc = %empty, %prev = %zeros) {
      %s = tess.contract sum ins(%a, %x, %prev : ...) bounds(%N) symbols(%t)
             maps [affine_map<(n)[t] -> (t, n)>, affine_map<(n)[t] -> (t, n)>,
                   affine_map<(n)[t] -> (n)>, affine_map<(n)[t] -> (n)>]
             -> tensor<?xf32> { ... }
      %acc2 = tensor.insert_slice %s into %acc[%t, 0] [1, %N] [1, 1] : ...
      scf.yield %acc2, %s : ...
    }
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::complex::ComplexDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::tessera::tess::TessDialect",
  ];
}

def ConvertSSMToKernels : Pass<"convert-ssm-to-kernels", "::mlir::ModuleOp"> {
  let summary = "Lower the dense discretization of linear systems to a "
                "runtime kernel";
  let description = [{
    On tensors, before bufferization, like `convert-structured-to-kernels`:
    `ssm.discretize` (f32/f64, A: [N, N], B: [N] or [N, M], dt rank 0)
    reads A and B through `bufferization.to_buffer` (any layout; a vector B
    is first viewed as [N, 1] by `tensor.expand_shape`), allocates Abar,
    Bbar and a workspace of 8 (N + M)^2 f64 (`memref.alloc`, 64-byte
    aligned: checked and freed like every temporary), and calls
    `tessera_ssm_discretize_f32`/`_f64`
    (runtime/include/tessera/Runtime/Kernels.h) with the method (0 for
    zero-order hold, 1 for bilinear), N, M, dt extended to f64, and the
    address and (row, column) element strides of each matrix. The kernel
    computes in f64: the zero-order hold as the exponential of the augmented
    matrix dt [[A, B], [0, 0]] by scaling and squaring with Pade
    approximants (Higham 2005), the bilinear transform by Gaussian
    elimination with partial pivoting. The results are
    `bufferization.to_tensor ... restrict writable` of the new buffers (Bbar
    collapsed back to [N] for a vector B).

    ```mlir
    %abar, %bbar = ssm.discretize <zoh> %a, %b, %dt : tensor<?x?xf32>, tensor<?xf32>, tensor<f32>
    // becomes
    %bm = tensor.expand_shape %b [[0, 1]] output_shape [%n, 1] : tensor<?xf32> into tensor<?x1xf32>
    %abuf = bufferization.to_buffer %a read_only : ...
    %out = memref.alloc(%n, %n) {alignment = 64 : i64} : memref<?x?xf32>
    %work = memref.alloc(%size) {alignment = 64 : i64} : memref<?xf64>
    func.call @tessera_ssm_discretize_f32(%c0_i32, %n64, %m64, %dt64, %aPtr, %aStrides, ...)
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // TESSERA_CONVERSION_PASSES_TD
