//===- SliceRecurrences.cpp - Recurrences that read whole slices ----------===//
//
// `h[t, i] = A[i, j] * h[t - 1, j] + x[t, i]` reads its previous state at
// other indices than its own (a dense transition; `M[k, i, j] * h[t - 1, k,
// j]` a block-diagonal one): each step computes the slice of `h` at `t` from
// the whole slice at `t - 1`. Its right-hand side is lowered like any
// definition's, the reads of `h` becoming reads of a Previous value (the
// slice one step back, its scan dimension kept in the subscripts); the
// values that depend on it are the step's, which MLIRGen emits inside an
// ssm.recurrence at one position of the scan index. Values that do not
// depend on it (an input projection `W[i, k] * x[t, k]`) are computed
// once, for every position, before the recurrence.
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"

using namespace tessera;
using namespace tessera::sema;
using ast::SourceLoc;

Typed FunctionAnalyzer::lowerPreviousSlice(
    const ast::SubscriptExpr &s, Contraction &c,
    const std::map<unsigned, unsigned> &loopOf) {
  RecurrenceState &r = *recurrence;
  SourceLoc loc = s.getLoc();
  if (s.indices.size() != r.rank) {
    error(loc, "'" + r.target + "' is defined with " + std::to_string(r.rank) +
                   " indices but read with " +
                   std::to_string(s.indices.size()));
    return {};
  }
  // The scan loop of this contraction: the one named as the left-hand
  // side's scan index.
  int scanLoop = -1;
  for (size_t l = 0; l < c.loopNames.size(); ++l)
    if (c.loopNames[l] == r.scanIndex)
      scanLoop = static_cast<int>(l);
  std::vector<AffineSubscript> subs;
  int scanDim = -1;
  bool reverse = false;
  for (size_t d = 0; d < s.indices.size(); ++d) {
    const ast::Expr &index = *s.indices[d];
    auto sub = lowerSubscript(index, loopOf, c.loopExtents.size());
    if (!sub)
      return {};
    bool forward = sub->constant == 1, backward = sub->constant == -1;
    bool isStep =
        scanLoop >= 0 && (forward || backward) && sub->symbolCoeffs.empty();
    for (size_t l = 0; isStep && l < sub->coeffs.size(); ++l)
      isStep = sub->coeffs[l] == (static_cast<int>(l) == scanLoop ? 1 : 0);
    if (isStep && scanDim < 0) {
      scanDim = static_cast<int>(d);
      reverse = forward;
    } else if (scanLoop >= 0 && sub->coeffs[scanLoop] != 0) {
      error(index.getLoc(),
            "'" + ast::toString(s) + "' reads the previous state of '" +
                r.target + "' at '" + ast::toString(index) +
                "': only its scan index '" + r.scanIndex + "' steps, by one (" +
                r.scanIndex + " - 1 or " + r.scanIndex +
                " + 1), and the other subscripts do not use it");
      return {};
    }
    subs.push_back(std::move(*sub));
  }
  if (scanDim < 0) {
    error(loc, "'" + ast::toString(s) +
                   "' must read the previous state one step back (or forward) "
                   "along the scan index '" +
                   r.scanIndex + "'");
    return {};
  }
  if (!recordScanStep(loc, scanDim, reverse))
    return {};
  Typed previous = types.previousState(loc);
  previous.e->operand = addOperand(c, ValueRef{r.previous, 0}, std::move(subs));
  return previous;
}

/// The values that `v` reads (operands and contraction operands).
static std::vector<ValueRef> getInputs(const Value &v) {
  std::vector<ValueRef> inputs(v.operands);
  if (v.contraction)
    for (const ContractionOperand &o : v.contraction->operands)
      inputs.push_back(o.value);
  return inputs;
}

bool FunctionAnalyzer::finishSliceRecurrence(const ast::IndexAssignStmt &s,
                                             unsigned scanDim,
                                             unsigned previous, ValueRef v,
                                             unsigned firstValue) {
  Value &val = out.values[v.id];
  if (val.kind != Value::Kind::Contraction) {
    error(s.getLoc(), "the right-hand side of the recurrence '" + s.target +
                          "' must compute its slice from the previous state");
    return false;
  }
  TensorType state = val.types[0];
  out.values[previous].types[0] = state;
  // The step: the values from the statement on that read the previous
  // slice, directly or through each other.
  std::set<unsigned> dependent = {previous};
  for (unsigned id = firstValue; id <= v.id; ++id) {
    Value &x = out.values[id];
    if (id == previous || !llvm::any_of(getInputs(x), [&](ValueRef r) {
          return dependent.count(r.id) > 0;
        }))
      continue;
    dependent.insert(id);
    if (x.kind != Value::Kind::Contraction) {
      error(x.loc, "the recurrence '" + s.target +
                       "' reads its previous state in a value that is not "
                       "index notation");
      return false;
    }
    reconcilePrevious(*x.contraction->body, state.dtype);
    if (id == v.id)
      continue;
    x.inRecurrence = true;
    val.stepValues.push_back(id);
  }
  if (!dependent.count(v.id)) {
    error(s.getLoc(), "the right-hand side of the recurrence '" + s.target +
                          "' must compute its slice from the previous state");
    return false;
  }
  val.kind = Value::Kind::SliceScan;
  val.axis = scanDim;
  val.previous = previous;
  return true;
}
