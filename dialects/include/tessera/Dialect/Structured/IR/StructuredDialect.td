//===- StructuredDialect.td - The structured dialect -------*- tablegen -*-===//
//
// The `structured` dialect holds the structured linear transforms of a
// Tessera program (FFTs, Walsh-Hadamard, bit reversal, ...) as single ops, so
// that they lower to O(N log N) staged code instead of dense matrices.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_STRUCTURED_IR_STRUCTUREDDIALECT_TD
#define TESSERA_DIALECT_STRUCTURED_IR_STRUCTUREDDIALECT_TD

include "mlir/IR/OpBase.td"

def Structured_Dialect : Dialect {
  let name = "structured";
  let cppNamespace = "::tessera::structured";
  // The canonicalizations write results with these.
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let summary = "Structured linear transforms along one axis of a tensor";
  let description = [{
    Each op of the `structured` dialect applies one structured linear
    transform (a fast Walsh-Hadamard transform, a permutation, a discrete
    Fourier transform, a butterfly product, a block-diagonal or Monarch
    matrix) along one `axis` of a ranked tensor; every
    other dimension is a batch dimension. The ops have value (tensor)
    semantics. They never stand for a dense N x N matrix: their lowerings
    (`StructuredTo...` conversions) run in O(N log N) operations per
    transformed vector (O(N sqrt N) for Monarch).
  }];
}

/// Base class of all structured ops.
class Structured_Op<string mnemonic, list<Trait> traits = []>
    : Op<Structured_Dialect, mnemonic, traits>;

#endif // TESSERA_DIALECT_STRUCTURED_IR_STRUCTUREDDIALECT_TD
