//===- ContractionCost.cpp - Cost model of contraction plans --------------===//
//
// Counts floating-point operations and compulsory memory traffic of the
// steps of a plan (ContractionPlanner.h). The model is deliberately simple:
// every operand is read once and every result written once (as if caches
// held what a loop nest reuses), a multiply-add counts two operations (eight
// for complex numbers: Problem::multiplyFlops, addFlops), and a GEMM-shaped
// step on plain operands runs kGemmSpeedup times faster than a plain loop
// nest where the element type has GEMM kernels.
//
//===----------------------------------------------------------------------===//

#include "tessera/Transforms/ContractionPlanner.h"

#include "llvm/ADT/STLExtras.h"

using namespace tessera::plan;

double tessera::plan::countPoints(const Problem &problem, IndexSet set) {
  double points = 1;
  for (unsigned d = 0; set; ++d, set >>= 1)
    if (set & 1)
      points *= d < problem.extents.size() ? problem.extents[d] : 1.0;
  return points;
}

StepShape tessera::plan::classifyStep(IndexSet a, IndexSet b, IndexSet result) {
  StepShape shape;
  shape.batch = a & b & result;
  shape.m = a & ~b & result;
  shape.n = b & ~a & result;
  shape.k = a & b & ~result;
  shape.other = (a | b) & ~result & ~(a & b);
  return shape;
}

/// Fills in Cost::time from the flops and bytes.
static Cost finish(double flops, double bytes, bool gemm) {
  Cost cost;
  cost.flops = flops;
  cost.bytes = bytes;
  cost.time = flops / (gemm ? kGemmSpeedup : 1.0) + bytes / kBytesPerFlop;
  return cost;
}

/// Additions of a reduction over `loops` into `result` (none when nothing
/// is summed).
static double countAdditions(const Problem &problem, IndexSet loops,
                             IndexSet result) {
  if ((loops & ~result) == 0)
    return 0;
  return (countPoints(problem, loops) - countPoints(problem, result)) *
         problem.addFlops;
}

Cost tessera::plan::pairCost(const Problem &problem, IndexSet a, bool plainA,
                             IndexSet b, bool plainB, IndexSet result) {
  IndexSet loops = a | b | result;
  double flops = countPoints(problem, loops) * problem.multiplyFlops +
                 countAdditions(problem, loops, result);
  double bytes = problem.elementBytes *
                 (countPoints(problem, a) + countPoints(problem, b) +
                  countPoints(problem, result));
  bool gemm = problem.gemmKernels && plainA && plainB &&
              classifyStep(a, b, result).isGemm();
  return finish(flops, bytes, gemm);
}

Cost tessera::plan::reduceCost(const Problem &problem, IndexSet a,
                               IndexSet result) {
  IndexSet loops = a | result;
  double flops = countAdditions(problem, loops, result);
  double bytes = problem.elementBytes *
                 (countPoints(problem, a) + countPoints(problem, result));
  return finish(flops, bytes, /*gemm=*/false);
}

Cost tessera::plan::epilogueCost(const Problem &problem, IndexSet stepsResult,
                                 llvm::ArrayRef<unsigned> epilogue) {
  double points = countPoints(problem, problem.output);
  double flops = points * double(epilogue.size() + problem.extraFactors) *
                 problem.multiplyFlops;
  double bytes = countPoints(problem, stepsResult) + points;
  for (unsigned i : epilogue)
    bytes += countPoints(problem, problem.operands[i]);
  return finish(flops, bytes * problem.elementBytes, /*gemm=*/false);
}

IndexSet tessera::plan::allDimensions(const Problem &problem) {
  IndexSet all = problem.output;
  for (IndexSet set : problem.operands)
    all |= set;
  return all;
}

Cost tessera::plan::unplannedCost(const Problem &problem) {
  IndexSet loops = allDimensions(problem);
  size_t n = problem.operands.size();
  double points = countPoints(problem, loops);
  double multiplies = points * double(n - 1 + problem.extraFactors);
  if (n == 0)
    multiplies = points * double(problem.extraFactors);
  double flops = multiplies * problem.multiplyFlops +
                 countAdditions(problem, loops, problem.output);
  double bytes = countPoints(problem, problem.output);
  for (IndexSet set : problem.operands)
    bytes += countPoints(problem, set);
  bytes *= problem.elementBytes;
  bool plain = llvm::all_of(problem.plain, [](bool p) { return p; });
  bool gemm =
      problem.gemmKernels && n == 2 && problem.extraFactors == 0 && plain &&
      classifyStep(problem.operands[0], problem.operands[1], problem.output)
          .isGemm();
  return finish(flops, bytes, gemm);
}
