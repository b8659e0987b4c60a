//===- ContractionRewrite.h - Product bodies and their rewrite --*- C++ -*-===//
//
// Internal to tess-plan-contractions: recognizing a tess.contract whose body
// is a product of its inputs and invariant factors, and rebuilding it as the
// steps of a plan (tessera/Transforms/ContractionPlanner.h).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_PASSES_LIB_TRANSFORMS_CONTRACTIONREWRITE_H
#define TESSERA_PASSES_LIB_TRANSFORMS_CONTRACTIONREWRITE_H

#include "tessera/Dialect/Tess/IR/TessOps.h"
#include "tessera/Transforms/ContractionPlanner.h"

#include "mlir/IR/Builders.h"

#include <string>

namespace tessera::planning {

/// One input factor of a product body: the body argument of input `input`,
/// converted by `cast` (a tess.cast to the result element type, or a
/// complex.conj) when not null.
struct Leaf {
  unsigned input = 0;
  mlir::Operation *cast = nullptr;
};

/// A body `yield ±leaf_0 * leaf_1 * ... * m_0 * ... / d_0 / ...`, where the
/// multipliers `m` and divisors `d` depend on no input and no tess.index.
struct ProductForm {
  llvm::SmallVector<Leaf> leaves;
  llvm::SmallVector<mlir::Value> multipliers;
  llvm::SmallVector<mlir::Value> divisors;
  /// The body's invariant operations, in order (what the factors need).
  llvm::SmallVector<mlir::Operation *> invariantOps;
  /// The product is negated (an odd number of `arith.negf`/`complex.neg`,
  /// or of `arith.subi` from zero).
  bool negate = false;
  bool hasFactors() const {
    return !multipliers.empty() || !divisors.empty() || negate;
  }
  /// The number of factors the epilogue applies (a negation counts one).
  unsigned numFactors() const {
    return multipliers.size() + divisors.size() + (negate ? 1 : 0);
  }
};

/// The product form of `op`'s body, or a reason why it has none (or why
/// the op may not be split).
mlir::FailureOr<ProductForm> analyzeProduct(tess::ContractOp op,
                                            std::string &reason);

/// The loop dimensions that `map` uses.
plan::IndexSet dimensionsOf(mlir::AffineMap map);

/// True if every result of `map` is a distinct loop dimension.
bool isPlainMap(mlir::AffineMap map);

/// Replaces `op` by the steps of `plan` (whose operands are `form`'s leaves
/// in order) and, if `form` has factors, a tess.map applying them once per
/// element of the result.
void rewriteContraction(mlir::OpBuilder &builder, tess::ContractOp op,
                        const ProductForm &form, const plan::Plan &plan);

/// The extent assumed for one loop and where it came from.
struct LoopExtent {
  double value = 0;
  std::string symbol; ///< the size symbol, or "" for a constant
  bool fromHint = false;
};

/// Everything known about one contraction before deciding.
struct Candidate {
  plan::Problem problem;
  llvm::SmallVector<LoopExtent> extents;
  ProductForm form;
  plan::Plan plan;
  plan::Cost planned;   ///< the plan plus the factors' map
  plan::Cost unplanned; ///< the single loop nest
};

/// Emits the remark of `tess-plan-contractions{explain}` for `op`: the
/// plan of `c`, or, when `reason` is not empty, why the op stays one loop
/// nest.
void explainCandidate(tess::ContractOp op, const Candidate &c,
                      llvm::StringRef reason);

} // namespace tessera::planning

#endif // TESSERA_PASSES_LIB_TRANSFORMS_CONTRACTIONREWRITE_H
