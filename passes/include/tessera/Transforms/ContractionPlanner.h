//===- ContractionPlanner.h - Pairwise orders for contractions --*- C++ -*-===//
//
// The cost model and the search behind `tess-plan-contractions`, free of
// MLIR so that unit tests can check them directly. A contraction is a
// product of operands, each indexed by a set of loop dimensions, summed over
// every dimension that the output does not use. A plan evaluates it as a
// tree of steps: first each operand is summed alone over the dimensions
// that no other operand and not the output use ("private" dimensions), then
// pairs of operands are contracted until one is left. The intermediate of a
// step keeps exactly the dimensions that a later operand or the output uses.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TRANSFORMS_CONTRACTIONPLANNER_H
#define TESSERA_TRANSFORMS_CONTRACTIONPLANNER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>

namespace tessera::plan {

/// A set of loop dimensions: bit d stands for dimension d.
using IndexSet = uint64_t;

/// The most loop dimensions a problem may have.
inline constexpr unsigned kMaxLoops = 64;

/// Up to this many operands the search is exhaustive (dynamic programming
/// over subsets, 3^n splits); beyond it, greedy.
inline constexpr unsigned kDefaultOptimalLimit = 8;

/// The largest optimal limit honoured (3^12 splits), whatever is asked.
inline constexpr unsigned kMaxOptimalLimit = 12;

/// How much faster than a plain loop nest a GEMM-shaped step is assumed to
/// run (a register-tiled, vectorized kernel).
inline constexpr double kGemmSpeedup = 4.0;

/// Bytes of memory traffic that cost as much as one floating-point
/// operation.
inline constexpr double kBytesPerFlop = 4.0;

/// One contraction to plan.
struct Problem {
  /// The dimensions each operand uses.
  llvm::SmallVector<IndexSet> operands;
  /// Per operand: every subscript is a distinct plain dimension (only those
  /// can feed a GEMM kernel directly). Empty means all plain.
  llvm::SmallVector<bool> plain;
  /// The dimensions of the result.
  IndexSet output = 0;
  /// The extent of every loop dimension (indexed by dimension).
  llvm::SmallVector<double> extents;
  /// Bytes per element.
  unsigned elementBytes = 4;
  /// Multiplications per point of the single loop nest beyond the products
  /// of the operands (invariant factors of the body), for unplannedCost.
  unsigned extraFactors = 0;
  /// Real operations per multiplication and per addition of two elements:
  /// 1 and 1 for real numbers, 6 and 2 for complex ones.
  double multiplyFlops = 1;
  double addFlops = 1;
  /// GEMM-shaped steps run as GEMM kernels (kGemmSpeedup); false for
  /// element types that have none.
  bool gemmKernels = true;
};

/// The estimated cost of a step or a plan.
struct Cost {
  double flops = 0; ///< multiplications and additions
  double bytes = 0; ///< operands read once and the result written once
  double time = 0;  ///< flops (divided by kGemmSpeedup when GEMM-shaped)
                    ///< plus bytes / kBytesPerFlop: what the search minimizes
  Cost &operator+=(const Cost &other) {
    flops += other.flops;
    bytes += other.bytes;
    time += other.time;
    return *this;
  }
};

/// How the dimensions of a pairwise step split up, as in a batched GEMM
/// `C[batch, m, n] = sum_k A[batch, m, k] * B[batch, k, n]`.
struct StepShape {
  IndexSet batch = 0; ///< in both operands and the result
  IndexSet m = 0;     ///< in the left operand and the result only
  IndexSet n = 0;     ///< in the right operand and the result only
  IndexSet k = 0;     ///< in both operands, summed
  IndexSet other = 0; ///< summed but in one operand only, or in no operand
  /// K and at least one of M and N are non-empty and nothing else is summed.
  bool isGemm() const { return k && (m || n) && !other; }
};

/// One step of a plan. Operands are numbered: 0 .. n-1 the problem's
/// operands, n + s the result of step s.
struct Step {
  int lhs = -1;
  int rhs = -1; ///< -1: a reduction of `lhs` alone
  IndexSet lhsIndices = 0, rhsIndices = 0;
  IndexSet result = 0; ///< the dimensions the step keeps
  IndexSet loops = 0;  ///< every dimension the step iterates over
  bool gemm = false;
  Cost cost;
};

/// A plan: steps in evaluation order, then possibly an epilogue.
///
/// Operands that use no summed dimension (`s[b]` in
/// `y[b, o] = x[b, i] * w[o, i] * s[b]`) are not part of the steps: they
/// multiply the result of the last step element by element in the
/// epilogue, together with the problem's extra (invariant) factors, so that
/// each is applied once per element of the result rather than once per
/// term of a sum. The epilogue also broadcasts result dimensions that no
/// operand of the steps uses. Without an epilogue the last step produces
/// the result.
struct Plan {
  llvm::SmallVector<Step> steps;
  /// The operands the epilogue multiplies in, in order.
  llvm::SmallVector<unsigned> epilogue;
  /// There is an epilogue: epilogue operands or extra factors.
  bool hasEpilogue = false;
  Cost epilogueCost;
  Cost total;           ///< the steps and the epilogue
  bool optimal = false; ///< found by the exhaustive search
};

/// The number of points of `set` (the product of its extents; 1 if empty).
double countPoints(const Problem &problem, IndexSet set);

/// The shape of the step `result = sum(a * b)` (`a` the left operand).
StepShape classifyStep(IndexSet a, IndexSet b, IndexSet result);

/// The cost of the pairwise step `result = sum over the rest of (a * b)`,
/// where the operands are `plainA`/`plainB` as in Problem::plain.
Cost pairCost(const Problem &problem, IndexSet a, bool plainA, IndexSet b,
              bool plainB, IndexSet result);

/// The cost of `result = sum over the rest of a`.
Cost reduceCost(const Problem &problem, IndexSet a, IndexSet result);

/// The cost of the epilogue: the result of the steps (over `stepsResult`)
/// times the operands `epilogue` and the extra factors, element by element.
Cost epilogueCost(const Problem &problem, IndexSet stepsResult,
                  llvm::ArrayRef<unsigned> epilogue);

/// The cost of the contraction as one loop nest (no plan).
Cost unplannedCost(const Problem &problem);

/// The union of the operands' dimensions and the output's.
IndexSet allDimensions(const Problem &problem);

/// A plan whose steps have the least Cost::time among all trees when
/// there are at most `optimalLimit` operands, else a greedy one (each time, the
/// pair whose contraction shrinks the operands the most, as opt_einsum's
/// 'greedy', ties broken by cost). Requires at least one operand and that every
/// summed dimension is used by some operand.
Plan planContraction(const Problem &problem,
                     unsigned optimalLimit = kDefaultOptimalLimit);

} // namespace tessera::plan

#endif // TESSERA_TRANSFORMS_CONTRACTIONPLANNER_H
