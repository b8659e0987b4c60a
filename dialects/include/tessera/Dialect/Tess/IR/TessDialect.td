//===- TessDialect.td - The tess dialect -------------------*- tablegen -*-===//
//
// The `tess` dialect is the first IR of a Tessera program: index-notation
// contractions with fused elementwise bodies, reductions, softmax and the few
// scalar/tensor helpers that the front end needs.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_TESS_IR_TESSDIALECT_TD
#define TESSERA_DIALECT_TESS_IR_TESSDIALECT_TD

include "mlir/IR/OpBase.td"

def Tess_Dialect : Dialect {
  let name = "tess";
  let cppNamespace = "::tessera::tess";
  let summary = "Tessera's index-notation tensor dialect";
  let description = [{
    The `tess` dialect keeps a Tessera program in the form the source wrote
    it: every index-notation definition is one `tess.contract` op that
    carries its loop bounds, one affine indexing map per operand, the
    reduction kind and a scalar body. Element-wise definitions canonicalize
    to `tess.map`, plain reductions to `tess.reduce`. All ops have value
    (tensor) semantics; `convert-tess-to-linalg` lowers them to linalg on
    tensors.
  }];
  // Canonicalization may insert tensor.cast.
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
  let hasConstantMaterializer = 1;
}

/// Base class of all tess ops.
class Tess_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tess_Dialect, mnemonic, traits>;

#endif // TESSERA_DIALECT_TESS_IR_TESSDIALECT_TD
