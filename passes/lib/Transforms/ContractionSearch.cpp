//===- ContractionSearch.cpp - Optimal and greedy contraction orders ------===//
//
// planContraction (ContractionPlanner.h): private dimensions are summed out
// of each operand first; then either dynamic programming over subsets of
// operands (exact for the cost model, as opt_einsum's 'dp'/'optimal') or,
// for many operands, greedy pairing.
//
//===----------------------------------------------------------------------===//

#include "tessera/Transforms/ContractionPlanner.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <limits>

using namespace tessera::plan;

namespace {

/// The operands left for the pairwise phase.
struct Operands {
  llvm::SmallVector<IndexSet> sets;
  llvm::SmallVector<bool> plain;
  llvm::SmallVector<int> ids; ///< operand numbers in the plan (Step::lhs)
};

/// One pairwise step in terms of the pairwise phase's own numbering: 0 ..
/// m-1 the operands, m + k the result of pairwise step k.
struct PairStep {
  unsigned lhs, rhs;
  IndexSet result;
};

/// The exhaustive search: best[S] is the least time to contract the subset
/// S of operands into its intermediate.
class SubsetSearch {
public:
  SubsetSearch(const Problem &problem, const Operands &ops)
      : problem(problem), ops(ops), m(ops.sets.size()), full((1u << m) - 1) {}

  llvm::SmallVector<PairStep> run() {
    unsigned numSubsets = 1u << m;
    unions.assign(numSubsets, 0);
    for (unsigned s = 1; s < numSubsets; ++s) {
      unsigned low = s & -s;
      unions[s] = unions[s & ~low] | ops.sets[llvm::countr_zero(low)];
    }
    best.assign(numSubsets, std::numeric_limits<double>::infinity());
    split.assign(numSubsets, 0);
    solved.assign(numSubsets, false);
    for (unsigned i = 0; i < m; ++i)
      best[1u << i] = 0;
    for (unsigned s = 1; s < numSubsets; ++s)
      if (s & (s - 1))
        solve(s);
    llvm::SmallVector<PairStep> steps;
    emit(full, steps);
    return steps;
  }

private:
  /// The dimensions the intermediate of subset `s` keeps.
  IndexSet keep(unsigned s) const {
    if (s == full)
      return problem.output;
    return unions[s] & (unions[full & ~s] | problem.output);
  }
  bool isPlain(unsigned s) const {
    return (s & (s - 1)) ? true : ops.plain[llvm::countr_zero(s)];
  }

  void solve(unsigned s) {
    unsigned low = s & -s;
    IndexSet result = keep(s);
    // Every split of s into two non-empty halves, the one with s's lowest
    // operand on the left.
    for (unsigned left = (s - 1) & s; left; left = (left - 1) & s) {
      if (!(left & low))
        continue;
      unsigned right = s & ~left;
      double t = best[left] + best[right];
      if (solved[s] && t >= best[s])
        continue;
      t += pairCost(problem, keep(left), isPlain(left), keep(right),
                    isPlain(right), result)
               .time;
      // The first split is taken whatever its cost, so that every subset
      // has one even when costs overflow to infinity (or NaN).
      if (!solved[s] || t < best[s]) {
        best[s] = t;
        split[s] = left;
        solved[s] = true;
      }
    }
  }

  /// Appends the steps of subset `s` in evaluation order; returns the
  /// number of its value.
  unsigned emit(unsigned s, llvm::SmallVector<PairStep> &steps) {
    if (!(s & (s - 1)))
      return llvm::countr_zero(s);
    unsigned lhs = emit(split[s], steps);
    unsigned rhs = emit(s & ~split[s], steps);
    steps.push_back({lhs, rhs, keep(s)});
    return m + steps.size() - 1;
  }

  const Problem &problem;
  const Operands &ops;
  unsigned m;
  unsigned full;
  std::vector<IndexSet> unions;
  std::vector<double> best;
  std::vector<unsigned> split;
  std::vector<bool> solved;
};

/// Greedy pairing: each time, of the pairs that share a dimension (or of
/// all pairs when none does), the one whose result is smallest relative to
/// its operands, then the cheapest.
llvm::SmallVector<PairStep> searchGreedy(const Problem &problem,
                                         const Operands &ops) {
  struct Live {
    IndexSet set;
    bool plain;
    unsigned id;
  };
  llvm::SmallVector<Live> live;
  for (unsigned i = 0; i < ops.sets.size(); ++i)
    live.push_back({ops.sets[i], ops.plain[i], i});
  unsigned nextId = ops.sets.size();
  llvm::SmallVector<PairStep> steps;
  while (live.size() > 1) {
    // Dimensions used by exactly one, exactly two, three or more operands.
    IndexSet exactly1 = 0, exactly2 = 0, atLeast3 = 0;
    for (const Live &l : live) {
      atLeast3 |= exactly2 & l.set;
      exactly2 = (exactly2 & ~l.set) | (exactly1 & l.set);
      exactly1 = (exactly1 & ~l.set) | (l.set & ~exactly2 & ~atLeast3);
    }
    bool anyShared = false;
    for (unsigned i = 0; i < live.size() && !anyShared; ++i)
      for (unsigned j = i + 1; j < live.size() && !anyShared; ++j)
        anyShared = (live[i].set & live[j].set) != 0;
    double bestShrink = 0, bestTime = 0;
    unsigned bi = 0, bj = 0;
    IndexSet bestResult = 0;
    bool found = false;
    for (unsigned i = 0; i < live.size(); ++i) {
      for (unsigned j = i + 1; j < live.size(); ++j) {
        const Live &a = live[i], &b = live[j];
        if (anyShared && !(a.set & b.set))
          continue;
        // The dimensions some third operand uses.
        IndexSet rest = problem.output | atLeast3 |
                        (exactly2 & ~(a.set & b.set)) |
                        (exactly1 & ~(a.set | b.set));
        IndexSet result =
            live.size() == 2 ? problem.output : (a.set | b.set) & rest;
        double shrink = countPoints(problem, result) -
                        countPoints(problem, a.set) -
                        countPoints(problem, b.set);
        double t =
            pairCost(problem, a.set, a.plain, b.set, b.plain, result).time;
        if (!found || shrink < bestShrink ||
            (shrink == bestShrink && t < bestTime)) {
          found = true;
          bestShrink = shrink;
          bestTime = t;
          bi = i;
          bj = j;
          bestResult = result;
        }
      }
    }
    steps.push_back({live[bi].id, live[bj].id, bestResult});
    live.erase(live.begin() + bj);
    live.erase(live.begin() + bi);
    live.push_back({bestResult, true, nextId++});
  }
  return steps;
}

/// Adds to `plan` the reductions of private dimensions and returns the
/// operands that are left for the pairwise phase.
Operands reducePrivateDimensions(const Problem &problem, Plan &plan) {
  Operands ops;
  unsigned n = problem.operands.size();
  for (unsigned i = 0; i < n; ++i) {
    IndexSet set = problem.operands[i];
    bool plain = problem.plain.empty() || problem.plain[i];
    IndexSet others = problem.output;
    for (unsigned j = 0; j < n; ++j)
      if (j != i)
        others |= problem.operands[j];
    IndexSet kept = set & others;
    int id = i;
    if (kept != set) {
      Step step;
      step.lhs = i;
      step.lhsIndices = set;
      step.result = kept;
      step.loops = set;
      step.cost = reduceCost(problem, set, kept);
      id = n + plan.steps.size();
      plan.steps.push_back(step);
      plain = true;
    }
    ops.sets.push_back(kept);
    ops.plain.push_back(plain);
    ops.ids.push_back(id);
  }
  return ops;
}

/// The steps of a plan for `problem` without epilogue operands.
Plan planSteps(const Problem &problem, unsigned optimalLimit) {
  Plan plan;
  unsigned n = problem.operands.size();
  if (n == 1) {
    Step step;
    step.lhs = 0;
    step.lhsIndices = problem.operands[0];
    step.result = problem.output;
    step.loops = problem.operands[0] | problem.output;
    step.cost = reduceCost(problem, problem.operands[0], problem.output);
    plan.steps.push_back(step);
    plan.optimal = true;
    return plan;
  }
  Operands ops = reducePrivateDimensions(problem, plan);
  // Bounded so that the table of subsets stays small whatever the caller
  // asks for.
  plan.optimal = n <= std::min(optimalLimit, kMaxOptimalLimit);
  llvm::SmallVector<PairStep> pairs = plan.optimal
                                          ? SubsetSearch(problem, ops).run()
                                          : searchGreedy(problem, ops);
  // Translate the pairwise numbering into the plan's.
  llvm::SmallVector<int> ids(ops.ids.begin(), ops.ids.end());
  llvm::SmallVector<IndexSet> sets(ops.sets.begin(), ops.sets.end());
  llvm::SmallVector<bool> plain(ops.plain.begin(), ops.plain.end());
  for (const PairStep &p : pairs) {
    Step step;
    step.lhs = ids[p.lhs];
    step.rhs = ids[p.rhs];
    step.lhsIndices = sets[p.lhs];
    step.rhsIndices = sets[p.rhs];
    step.result = p.result;
    step.loops = step.lhsIndices | step.rhsIndices | p.result;
    step.gemm =
        problem.gemmKernels && plain[p.lhs] && plain[p.rhs] &&
        classifyStep(step.lhsIndices, step.rhsIndices, p.result).isGemm();
    step.cost = pairCost(problem, step.lhsIndices, plain[p.lhs],
                         step.rhsIndices, plain[p.rhs], p.result);
    ids.push_back(n + plan.steps.size());
    sets.push_back(p.result);
    plain.push_back(true);
    plan.steps.push_back(step);
  }
  return plan;
}

} // namespace

Plan tessera::plan::planContraction(const Problem &problem,
                                    unsigned optimalLimit) {
  unsigned n = problem.operands.size();
  if (n == 0)
    return Plan();
  // Operands without summed dimensions go to the epilogue, unless nothing
  // is summed at all.
  bool anySummed = llvm::any_of(problem.operands, [&](IndexSet set) {
    return (set & ~problem.output) != 0;
  });
  Problem core = problem;
  core.operands.clear();
  core.plain.clear();
  llvm::SmallVector<unsigned> coreIds, epilogue;
  IndexSet coreDims = 0;
  for (unsigned i = 0; i < n; ++i) {
    IndexSet set = problem.operands[i];
    if (anySummed && !(set & ~problem.output)) {
      epilogue.push_back(i);
      continue;
    }
    coreIds.push_back(i);
    core.operands.push_back(set);
    core.plain.push_back(problem.plain.empty() || problem.plain[i]);
    coreDims |= set;
  }
  // Result dimensions that no step operand uses are broadcast by the
  // epilogue rather than carried through the last step's loops.
  bool hasEpilogue = !epilogue.empty() || problem.extraFactors != 0 ||
                     (problem.output & ~coreDims) != 0;
  if (hasEpilogue)
    core.output &= coreDims;
  Plan plan = planSteps(core, optimalLimit);
  // Renumber from the core problem's operands to the problem's.
  unsigned m = coreIds.size();
  auto renumber = [&](int id) {
    if (id < 0)
      return id;
    return id < int(m) ? int(coreIds[id]) : id - int(m) + int(n);
  };
  for (Step &step : plan.steps) {
    step.lhs = renumber(step.lhs);
    step.rhs = renumber(step.rhs);
    plan.total += step.cost;
  }
  plan.epilogue = std::move(epilogue);
  plan.hasEpilogue = hasEpilogue;
  if (hasEpilogue) {
    plan.epilogueCost = epilogueCost(problem, core.output, plan.epilogue);
    plan.total += plan.epilogueCost;
  }
  return plan;
}
