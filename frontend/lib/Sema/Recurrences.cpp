//===- Recurrences.cpp - Definitions that read their own earlier elements -===//
//
// `h[b, t, n] = a[b, t, n] * h[b, t - 1, n] + x[b, t, n]` is a recurrence
// along `t`: its right-hand side is lowered like any definition's, except
// that each read of `h` one step back (or forward, `h[t + 1]`) becomes the
// Previous leaf of the body, untyped until the values it meets give it a
// type. The result is a Scan value: the step's contraction, the scan loop,
// the direction and the initial value of the `init` clause.
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"

#include "tessera/Frontend/ASTVisitor.h"

using namespace tessera;
using namespace tessera::sema;
using ast::SourceLoc;
using llvm::dyn_cast;

bool FunctionAnalyzer::isRecurrence(const ast::IndexAssignStmt &s) const {
  if (names.count(s.target))
    return false; // Reads an earlier value of the same name.
  return ast::anyOf(*s.value, [&](const ast::Expr &e) {
    auto *sub = dyn_cast<ast::SubscriptExpr>(&e);
    auto *n = sub ? dyn_cast<ast::NameExpr>(sub->base.get()) : nullptr;
    return n && n->name == s.target;
  });
}

/// Whether `sub` is `loop + 1` or `loop - 1` and nothing else.
static std::optional<bool> isOneStep(const AffineSubscript &sub,
                                     unsigned loop) {
  if (!sub.symbolCoeffs.empty() || (sub.constant != 1 && sub.constant != -1))
    return std::nullopt;
  for (size_t i = 0; i < sub.coeffs.size(); ++i)
    if (sub.coeffs[i] != (i == loop ? 1 : 0))
      return std::nullopt;
  return sub.constant == 1;
}

Typed FunctionAnalyzer::lowerPreviousState(
    const ast::SubscriptExpr &s, Contraction &c,
    const std::map<unsigned, unsigned> &loopOf) {
  RecurrenceState &r = *recurrence;
  SourceLoc loc = s.getLoc();
  if (&c != r.step) {
    error(loc, "'" + r.target +
                   "' is read inside a sum or a reduction: a recurrence reads "
                   "its previous state element by element (sums over the "
                   "state, such as A[i, j] * h[t - 1, j], are not supported "
                   "yet)");
    return {};
  }
  size_t rank = c.resultLoops.size();
  if (s.indices.size() != rank) {
    error(loc, "'" + r.target + "' is defined with " + std::to_string(rank) +
                   " indices but read with " +
                   std::to_string(s.indices.size()));
    return {};
  }
  int scanDim = -1;
  bool reverse = false;
  for (size_t d = 0; d < rank; ++d) {
    unsigned loop = c.resultLoops[d];
    const ast::Expr &index = *s.indices[d];
    auto sub = lowerSubscript(index, loopOf, c.loopExtents.size());
    if (!sub)
      return {};
    if (sub->getPlainLoop() == static_cast<int>(loop))
      continue;
    const std::string &name = c.loopNames[loop];
    std::optional<bool> forward = isOneStep(*sub, loop);
    if (!forward) {
      error(index.getLoc(),
            "a recurrence reads its own element at the same indices but one "
            "step back or forward along one of them, as in " +
                r.target + "[b, t - 1, n]: '" + ast::toString(index) +
                "' is neither '" + name + "' nor '" + name + " - 1' ('" + name +
                " + 1')");
      return {};
    }
    if (scanDim >= 0) {
      error(index.getLoc(), "'" + ast::toString(s) +
                                "' steps along two indices: a recurrence "
                                "steps along one");
      return {};
    }
    scanDim = static_cast<int>(d);
    reverse = *forward;
  }
  if (scanDim < 0) {
    error(loc, "'" + ast::toString(s) +
                   "' reads the element being defined: a recurrence reads "
                   "one step back, as in " +
                   r.target + "[t - 1]");
    return {};
  }
  if (r.scanDim >= 0 && (r.scanDim != scanDim || r.reverse != reverse)) {
    error(loc, "every read of '" + r.target +
                   "' must step along the same index in the same direction");
    return {};
  }
  r.scanDim = scanDim;
  r.reverse = reverse;
  return types.previousState(loc);
}

/// Gives every Previous leaf of `e` the state's dtype `state`: a leaf that
/// its uses typed otherwise reads the state and converts it.
static void reconcilePrevious(ScalarExpr &e, DType state) {
  for (ScalarExprPtr &arg : e.args)
    reconcilePrevious(*arg, state);
  if (e.kind != ScalarExpr::Kind::Previous || e.dtype == state)
    return;
  DType used = e.dtype;
  e.dtype = state;
  wrapInCast(e, used);
}

/// The position of the scan index as the first read of the target writes
/// it (the one subscript that is not the left-hand side's index there), or
/// -1 when that is not one position (lowering then says why).
static int findScanDim(const ast::IndexAssignStmt &s) {
  const ast::SubscriptExpr *read = nullptr;
  ast::anyOf(*s.value, [&](const ast::Expr &e) {
    auto *sub = dyn_cast<ast::SubscriptExpr>(&e);
    auto *n = sub ? dyn_cast<ast::NameExpr>(sub->base.get()) : nullptr;
    if (n && n->name == s.target)
      read = sub;
    return read != nullptr;
  });
  if (!read || read->indices.size() != s.indices.size())
    return -1;
  int found = -1;
  for (size_t d = 0; d < s.indices.size(); ++d) {
    auto *n = dyn_cast<ast::NameExpr>(read->indices[d].get());
    if (n && n->name == s.indices[d])
      continue;
    if (found >= 0)
      return -1;
    found = static_cast<int>(d);
  }
  return found;
}

std::optional<ValueRef>
FunctionAnalyzer::buildRecurrence(const ast::IndexAssignStmt &s) {
  // The initial state comes first: the scan reads it.
  std::optional<ValueRef> init;
  int scanDim = findScanDim(s);
  if (s.init && scanDim >= 0) {
    init = buildInitialState(s, scanDim);
    if (!init)
      return std::nullopt;
  }
  recurrence = RecurrenceState{s.target};
  auto v =
      buildStatement(s.getLoc(), s.indices, s.indexLocs, *s.value, s.ranges);
  RecurrenceState r = *recurrence;
  recurrence.reset();
  if (!v || r.scanDim < 0)
    return std::nullopt;
  Value &val = out.values[v->id];
  if (val.kind != Value::Kind::Contraction || val.contraction.get() != r.step) {
    error(s.getLoc(), "the right-hand side of the recurrence '" + s.target +
                          "' must compute its element from the previous "
                          "state");
    return std::nullopt;
  }
  Contraction &c = *val.contraction;
  if (c.loopExtents.size() != c.resultLoops.size()) {
    error(s.getLoc(),
          "the recurrence '" + s.target + "' sums over '" +
              c.loopNames[c.resultLoops.size()] +
              "' in the term that reads its previous state: define that sum "
              "separately first");
    return std::nullopt;
  }
  // The body's untyped leaf (alone, `h[t - 1] + 1` counts in i64) and its
  // uses decided the state's dtype; the Previous leaves read that type.
  reconcilePrevious(*c.body, val.types[0].dtype);
  val.kind = Value::Kind::Scan;
  val.axis = r.scanDim;
  val.reverse = r.reverse;
  if (init) {
    if (!checkInitialState(s, *init, *v))
      return std::nullopt;
    val.operands.insert(val.operands.begin(), *init);
    val.hasInit = true;
  }
  return v;
}

std::optional<ValueRef>
FunctionAnalyzer::buildInitialState(const ast::IndexAssignStmt &s,
                                    unsigned scanDim) {
  std::vector<std::string> indices = s.indices;
  std::vector<SourceLoc> indexLocs = s.indexLocs;
  indices.erase(indices.begin() + scanDim);
  indexLocs.erase(indexLocs.begin() + scanDim);
  // `init h0[b, n]` is index notation over the other indices; `init 0.5`
  // or `init h0` a value.
  bool usesIndices = ast::anyOf(*s.init, [&](const ast::Expr &e) {
    auto *n = dyn_cast<ast::NameExpr>(&e);
    return n && llvm::is_contained(indices, n->name);
  });
  return usesIndices
             ? buildStatement(s.init->getLoc(), indices, indexLocs, *s.init, {})
             : evalValue(*s.init);
}

bool FunctionAnalyzer::checkInitialState(const ast::IndexAssignStmt &s,
                                         ValueRef init, ValueRef state) {
  TensorType want = typeOf(state);
  unsigned scanDim = out.values[state.id].axis;
  want.shape.erase(want.shape.begin() + scanDim);
  const TensorType &got = typeOf(init);
  // A scalar fills the state (converted to its dtype, if real to complex).
  if (got.shape.empty() &&
      (!isComplexDType(got.dtype) || isComplexDType(want.dtype)))
    return true;
  if (got == want)
    return true;
  error(s.init->getLoc(), "the initial value of '" + s.target + "' has type " +
                              got.str() +
                              ", but the state without its scan index '" +
                              s.indices[scanDim] + "' has type " + want.str());
  return false;
}
