//===- ContractionPlannerTest.cpp - Cost model and search of plans --------===//
//
// planContraction (tessera/Transforms/ContractionPlanner.h) against a
// brute-force enumeration of every order of pairwise contractions on small
// problems, the structure of its plans, and known orders.
//
//===----------------------------------------------------------------------===//

#include "tessera/Transforms/ContractionPlanner.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <limits>
#include <random>

using namespace tessera::plan;

namespace {

/// Dimension sets from lists of dimensions.
IndexSet dims(std::initializer_list<unsigned> list) {
  IndexSet set = 0;
  for (unsigned d : list)
    set |= IndexSet(1) << d;
  return set;
}

/// The least total time of the pairwise phase over every sequence of
/// merges of `live` (each operand plain), where merging a and b keeps the
/// dimensions that another live operand or the output uses.
double bruteForce(const Problem &problem, std::vector<IndexSet> live) {
  if (live.size() == 1)
    return 0;
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < live.size(); ++i) {
    for (size_t j = i + 1; j < live.size(); ++j) {
      IndexSet rest = problem.output;
      for (size_t k = 0; k < live.size(); ++k)
        if (k != i && k != j)
          rest |= live[k];
      IndexSet result =
          live.size() == 2 ? problem.output : (live[i] | live[j]) & rest;
      double t = pairCost(problem, live[i], true, live[j], true, result).time;
      std::vector<IndexSet> next;
      for (size_t k = 0; k < live.size(); ++k)
        if (k != i && k != j)
          next.push_back(live[k]);
      next.push_back(result);
      best = std::min(best, t + bruteForce(problem, next));
    }
  }
  return best;
}

/// The brute-force optimum of a whole problem without epilogue: private
/// dimensions summed first, then the best order of pairs.
double bruteForceTotal(const Problem &problem) {
  std::vector<IndexSet> live;
  double total = 0;
  for (size_t i = 0; i < problem.operands.size(); ++i) {
    IndexSet others = problem.output;
    for (size_t j = 0; j < problem.operands.size(); ++j)
      if (j != i)
        others |= problem.operands[j];
    IndexSet kept = problem.operands[i] & others;
    if (kept != problem.operands[i])
      total += reduceCost(problem, problem.operands[i], kept).time;
    live.push_back(kept);
  }
  return total + bruteForce(problem, live);
}

/// Checks that `plan` uses every operand and step result exactly once, that
/// each step keeps exactly what later operands or the output use, and that
/// the total is the sum of the steps.
void checkStructure(const Problem &problem, const Plan &plan) {
  size_t n = problem.operands.size();
  std::vector<IndexSet> sets(problem.operands.begin(), problem.operands.end());
  std::vector<int> uses(n + plan.steps.size(), 0);
  for (unsigned e : plan.epilogue)
    ++uses[e];
  double total = plan.hasEpilogue ? plan.epilogueCost.time : 0;
  for (size_t s = 0; s < plan.steps.size(); ++s) {
    const Step &step = plan.steps[s];
    ASSERT_GE(step.lhs, 0);
    ASSERT_LT(size_t(step.lhs), n + s);
    ASSERT_LT(step.rhs, int(n + s));
    ++uses[step.lhs];
    if (step.rhs >= 0)
      ++uses[step.rhs];
    EXPECT_EQ(step.lhsIndices, sets[step.lhs]);
    if (step.rhs >= 0)
      EXPECT_EQ(step.rhsIndices, sets[step.rhs]);
    sets.push_back(step.result);
    total += step.cost.time;
  }
  for (size_t id = 0; id < uses.size(); ++id)
    EXPECT_EQ(uses[id], id + 1 == uses.size() ? 0 : 1) << "operand " << id;
  // Each step keeps what an operand still live after it (not consumed by
  // it or an earlier step), or the output, uses.
  std::vector<bool> consumed(n + plan.steps.size(), false);
  for (size_t s = 0; s < plan.steps.size(); ++s) {
    const Step &step = plan.steps[s];
    consumed[step.lhs] = true;
    if (step.rhs >= 0)
      consumed[step.rhs] = true;
    IndexSet later = problem.output;
    for (size_t id = 0; id < n + s; ++id)
      if (!consumed[id])
        later |= sets[id];
    IndexSet loops = step.lhsIndices | step.rhsIndices;
    if (s + 1 < plan.steps.size() || plan.hasEpilogue)
      EXPECT_EQ(step.result, loops & later) << "step " << s;
    else
      EXPECT_EQ(step.result, problem.output);
  }
  EXPECT_NEAR(plan.total.time, total, 1e-9 * std::max(1.0, total));
}

/// A random problem: `n` operands over `numDims` dimensions, each operand
/// using at least one summed dimension.
Problem randomProblem(std::mt19937 &rng, unsigned n, unsigned numDims) {
  Problem problem;
  std::uniform_int_distribution<int> extent(1, 12);
  for (unsigned d = 0; d < numDims; ++d)
    problem.extents.push_back(extent(rng));
  std::bernoulli_distribution coin(0.4);
  for (unsigned d = 0; d < numDims; ++d)
    if (coin(rng))
      problem.output |= IndexSet(1) << d;
  IndexSet summed = ((IndexSet(1) << numDims) - 1) & ~problem.output;
  if (!summed) {
    problem.output &= ~IndexSet(1);
    summed = 1;
  }
  std::uniform_int_distribution<unsigned> pick(0, numDims - 1);
  for (unsigned i = 0; i < n; ++i) {
    IndexSet set = 0;
    for (unsigned d = 0; d < numDims; ++d)
      if (coin(rng))
        set |= IndexSet(1) << d;
    // At least one summed dimension, so that no operand is an epilogue.
    unsigned d = pick(rng);
    while (!(summed & (IndexSet(1) << d)))
      d = (d + 1) % numDims;
    problem.operands.push_back(set | (IndexSet(1) << d));
  }
  // Every output dimension is used by some operand (broadcasting would add
  // an epilogue); summed dimensions that no operand uses take no part.
  IndexSet used = 0;
  for (IndexSet set : problem.operands)
    used |= set;
  problem.output &= used;
  return problem;
}

TEST(ContractionPlannerTest, OptimalMatchesBruteForce) {
  std::mt19937 rng(7);
  for (unsigned trial = 0; trial < 300; ++trial) {
    unsigned n = 2 + trial % 5;
    Problem problem = randomProblem(rng, n, 3 + trial % 4);
    Plan plan = planContraction(problem);
    ASSERT_TRUE(plan.optimal);
    ASSERT_FALSE(plan.hasEpilogue);
    checkStructure(problem, plan);
    double want = bruteForceTotal(problem);
    EXPECT_NEAR(plan.total.time, want, 1e-9 * std::max(1.0, want))
        << "trial " << trial;
  }
}

TEST(ContractionPlannerTest, GreedyIsValidAndNoBetterThanOptimal) {
  std::mt19937 rng(11);
  for (unsigned trial = 0; trial < 200; ++trial) {
    unsigned n = 3 + trial % 4;
    Problem problem = randomProblem(rng, n, 4 + trial % 3);
    Plan greedy = planContraction(problem, /*optimalLimit=*/2);
    ASSERT_FALSE(greedy.optimal);
    checkStructure(problem, greedy);
    Plan optimal = planContraction(problem);
    EXPECT_GE(greedy.total.time, optimal.total.time * (1 - 1e-12));
  }
}

TEST(ContractionPlannerTest, MatrixChainOrderFollowsSizes) {
  // d[i, l] = a[i, j] * b[j, k] * c[k, l]; dimensions i, j, k, l = 0..3.
  Problem problem;
  problem.operands = {dims({0, 1}), dims({1, 2}), dims({2, 3})};
  problem.output = dims({0, 3});
  problem.extents = {10, 100, 5, 50};
  Plan plan = planContraction(problem);
  ASSERT_EQ(plan.steps.size(), 2u);
  EXPECT_EQ(plan.steps[0].lhs, 0); // (a b) c
  EXPECT_EQ(plan.steps[0].rhs, 1);
  EXPECT_TRUE(plan.steps[0].gemm);
  problem.extents = {50, 5, 100, 10};
  plan = planContraction(problem);
  ASSERT_EQ(plan.steps.size(), 2u);
  EXPECT_EQ(plan.steps[0].lhs, 1); // a (b c)
  EXPECT_EQ(plan.steps[0].rhs, 2);
}

TEST(ContractionPlannerTest, ReadmeContraction) {
  // pi,qj,ijkl,rk,sl->pqrs with p q r s i j k l = 0..7, all of extent 10:
  // four GEMM steps, 4 * 2 * 10^5 flops less the additions into zero.
  Problem problem;
  problem.operands = {dims({0, 4}), dims({1, 5}), dims({4, 5, 6, 7}),
                      dims({2, 6}), dims({3, 7})};
  problem.output = dims({0, 1, 2, 3});
  problem.extents.assign(8, 10);
  Plan plan = planContraction(problem);
  ASSERT_EQ(plan.steps.size(), 4u);
  for (const Step &step : plan.steps) {
    EXPECT_TRUE(step.gemm);
    EXPECT_EQ(step.cost.flops, 2e5 - 1e4);
  }
  Cost single = unplannedCost(problem);
  EXPECT_EQ(single.flops, 4e8 + 1e8 - 1e4);
  EXPECT_LT(plan.total.time, single.time);
}

TEST(ContractionPlannerTest, ComplexReadmeContraction) {
  // The README contraction in complex<f32>: six real operations per
  // multiplication, two per addition, no GEMM kernel; same order.
  Problem problem;
  problem.operands = {dims({0, 4}), dims({1, 5}), dims({4, 5, 6, 7}),
                      dims({2, 6}), dims({3, 7})};
  problem.output = dims({0, 1, 2, 3});
  problem.extents.assign(8, 10);
  problem.elementBytes = 8;
  problem.multiplyFlops = 6;
  problem.addFlops = 2;
  problem.gemmKernels = false;
  Plan plan = planContraction(problem);
  ASSERT_EQ(plan.steps.size(), 4u);
  for (const Step &step : plan.steps) {
    EXPECT_FALSE(step.gemm);
    EXPECT_EQ(step.cost.flops, 6e5 + 2 * (1e5 - 1e4));
    EXPECT_EQ(step.cost.time, step.cost.flops + step.cost.bytes / 4);
  }
  Cost single = unplannedCost(problem);
  EXPECT_EQ(single.flops, 6 * 4e8 + 2 * (1e8 - 1e4));
  EXPECT_LT(plan.total.time, single.time);
}

TEST(ContractionPlannerTest, FactorsWithoutSummedIndicesGoToTheEpilogue) {
  // y[b, o] = x[b, i] * w[o, i] * s[b] * 2 with b, o, i = 0..2.
  Problem problem;
  problem.operands = {dims({0, 2}), dims({1, 2}), dims({0})};
  problem.output = dims({0, 1});
  problem.extents = {8, 4, 16};
  problem.extraFactors = 1;
  Plan plan = planContraction(problem);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].lhs, 0);
  EXPECT_EQ(plan.steps[0].rhs, 1);
  EXPECT_TRUE(plan.steps[0].gemm);
  ASSERT_EQ(plan.epilogue.size(), 1u);
  EXPECT_EQ(plan.epilogue[0], 2u);
  EXPECT_TRUE(plan.hasEpilogue);
  // Two multiplications per element of the 8x4 result.
  EXPECT_EQ(plan.epilogueCost.flops, 64);
  checkStructure(problem, plan);
}

TEST(ContractionPlannerTest, PrivateDimensionsAreSummedFirst) {
  // y[b] = x[b, i] * s[b]: sum over i alone, then the product.
  Problem problem;
  problem.operands = {dims({0, 1}), dims({0})};
  problem.output = dims({0});
  problem.extents = {3, 5};
  Plan plan = planContraction(problem);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].rhs, -1);
  EXPECT_EQ(plan.steps[0].result, dims({0}));
  EXPECT_EQ(plan.steps[0].cost.flops, 15 - 3);
  EXPECT_EQ(plan.epilogue.size(), 1u);
}

TEST(ContractionPlannerTest, ShapesOfSteps) {
  // Batched GEMM: c[b, m, n] = a[b, m, k] * w[b, k, n].
  StepShape s = classifyStep(dims({0, 1, 3}), dims({0, 3, 2}), dims({0, 1, 2}));
  EXPECT_EQ(s.batch, dims({0}));
  EXPECT_EQ(s.m, dims({1}));
  EXPECT_EQ(s.n, dims({2}));
  EXPECT_EQ(s.k, dims({3}));
  EXPECT_TRUE(s.isGemm());
  // An outer product sums nothing; a dot product keeps nothing.
  EXPECT_FALSE(classifyStep(dims({0}), dims({1}), dims({0, 1})).isGemm());
  EXPECT_FALSE(classifyStep(dims({0}), dims({0}), 0).isGemm());
  // A summed dimension of one operand only is not a GEMM.
  EXPECT_FALSE(
      classifyStep(dims({0, 1, 2}), dims({1, 3}), dims({0, 3})).isGemm());
}

TEST(ContractionPlannerTest, EmptyAndSingleOperands) {
  Problem empty;
  EXPECT_TRUE(planContraction(empty).steps.empty());
  Problem one;
  one.operands = {dims({0, 1})};
  one.output = dims({0});
  one.extents = {0, 7};
  Plan plan = planContraction(one);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].rhs, -1);
  EXPECT_EQ(plan.total.flops, 0);
}

TEST(ContractionPlannerTest, OverflowingCostsStillGiveAPlan) {
  // Extents whose products overflow to infinity (and differences to NaN):
  // both searches still return a complete, well-formed plan.
  Problem problem;
  problem.operands = {dims({0, 1}), dims({1, 2}), dims({2, 3}), dims({3, 4}),
                      dims({4, 5})};
  problem.output = dims({0, 5});
  problem.extents.assign(6, 1e200);
  for (unsigned limit : {8u, 2u}) {
    Plan plan = planContraction(problem, limit);
    ASSERT_EQ(plan.steps.size(), 4u);
    EXPECT_EQ(plan.steps.back().result, problem.output);
  }
}

TEST(ContractionPlannerTest, GreedyScalesToManyOperands) {
  // A chain of 60 matrices: 59 steps, each contracting one index.
  Problem problem;
  for (unsigned i = 0; i < 60; ++i)
    problem.operands.push_back(dims({i, i + 1}));
  problem.output = dims({0, 60});
  problem.extents.assign(61, 16);
  Plan plan = planContraction(problem);
  EXPECT_FALSE(plan.optimal);
  ASSERT_EQ(plan.steps.size(), 59u);
  checkStructure(problem, plan);
  for (const Step &step : plan.steps)
    EXPECT_TRUE(step.gemm);
}

} // namespace
