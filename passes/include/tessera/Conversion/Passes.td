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

#endif // TESSERA_CONVERSION_PASSES_TD
