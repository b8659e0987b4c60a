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

    - `tess.contract` becomes one `linalg.generic`: the result starts as
      `tensor.empty` (filled with the kind's identity when there are
      reduction dimensions); inputs whose subscripts are all plain loop
      dimensions are linalg operands with their maps; inputs with compound
      subscripts are read inside the body with `tensor.extract` at clamped
      indices, and the value is replaced by zero when a subscript is out of
      range. Loop dimensions that no operand covers get a `tensor.empty`
      operand of their bound so that linalg knows the loop range.
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
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // TESSERA_CONVERSION_PASSES_TD
