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

#include <functional>

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
  if (r.slice)
    return lowerPreviousSlice(s, c, loopOf);
  if (&c != r.step) {
    error(loc, "'" + r.target +
                   "' is read inside a sum or a reduction, but not one step "
                   "back (or forward) along an index of the left-hand side: "
                   "a recurrence reads its previous state at " +
                   r.target + "[..., t - 1, ...]");
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
  if (!recordScanStep(loc, scanDim, reverse))
    return {};
  return types.previousState(loc);
}

bool FunctionAnalyzer::recordScanStep(SourceLoc loc, int scanDim,
                                      bool reverse) {
  RecurrenceState &r = *recurrence;
  if (r.scanDim >= 0 && (r.scanDim != scanDim || r.reverse != reverse)) {
    error(loc, "every read of '" + r.target +
                   "' must step along the same index in the same direction");
    return false;
  }
  r.scanDim = scanDim;
  r.reverse = reverse;
  return true;
}

void sema::reconcilePrevious(ScalarExpr &e, DType state) {
  for (ScalarExprPtr &arg : e.args)
    reconcilePrevious(*arg, state);
  if (e.kind != ScalarExpr::Kind::Previous || e.dtype == state)
    return;
  DType used = e.dtype;
  e.dtype = state;
  wrapInCast(e, used);
}

/// Whether `e` is `name + 1` or `name - 1`.
static bool isStepOf(const ast::Expr &e, const std::string &name) {
  auto *b = dyn_cast<ast::BinaryExpr>(&e);
  if (!b ||
      (b->op != ast::BinaryExpr::Op::Add && b->op != ast::BinaryExpr::Op::Sub))
    return false;
  auto *n = dyn_cast<ast::NameExpr>(b->lhs.get());
  auto *one = dyn_cast<ast::NumberExpr>(b->rhs.get());
  return n && n->name == name && one && one->isInteger && one->text == "1";
}

/// How a recurrence reads its target: the position of the scan index (the
/// subscript `t - 1` or `t + 1` of the left-hand side's `t`, in the first
/// read that has one; -1 if none), and whether its step must see the whole
/// previous slice (a slice recurrence): some read subscripts another
/// position with anything but the left-hand side's index there
/// (`A[i, j] * h[t - 1, j]`), or sits inside a reducer or in an additive
/// term that sums over an index (`w[k] * h[t - 1, i]`): an index of the term
/// that is not on the left and that `isBound` does not know.
struct RecurrenceReads {
  int scanDim = -1;
  bool slice = false;
};

/// Whether `term` reads `target`; `inReducer` is set if a read sits inside
/// a reducer.
static bool readsTarget(const ast::Expr &term, const std::string &target,
                        bool &inReducer) {
  bool found = false;
  std::function<void(const ast::Expr &, bool)> visit = [&](const ast::Expr &e,
                                                           bool reduced) {
    auto *sub = dyn_cast<ast::SubscriptExpr>(&e);
    auto *n = sub ? dyn_cast<ast::NameExpr>(sub->base.get()) : nullptr;
    if (n && n->name == target) {
      found = true;
      inReducer |= reduced;
    }
    bool inside = reduced || llvm::isa<ast::ReduceExpr>(e);
    ast::forEachChild(e, [&](const ast::Expr &x) { visit(x, inside); });
  };
  visit(term, false);
  return found;
}

static RecurrenceReads
analyzeReads(const ast::IndexAssignStmt &s,
             llvm::function_ref<bool(const std::string &)> isBound) {
  RecurrenceReads reads;
  ast::anyOf(*s.value, [&](const ast::Expr &e) {
    auto *sub = dyn_cast<ast::SubscriptExpr>(&e);
    auto *n = sub ? dyn_cast<ast::NameExpr>(sub->base.get()) : nullptr;
    if (!n || n->name != s.target || sub->indices.size() != s.indices.size())
      return false;
    int step = -1;
    bool other = false;
    for (size_t d = 0; d < s.indices.size(); ++d) {
      const ast::Expr &index = *sub->indices[d];
      auto *plain = dyn_cast<ast::NameExpr>(&index);
      if (plain && plain->name == s.indices[d])
        continue;
      if (step < 0 && isStepOf(index, s.indices[d]))
        step = static_cast<int>(d);
      else
        other = true;
    }
    if (reads.scanDim < 0)
      reads.scanDim = step;
    reads.slice |= other && step >= 0;
    return false;
  });
  if (reads.scanDim < 0)
    return reads;
  // Reads in a term that sums, or inside a reducer.
  std::vector<const ast::Expr *> terms;
  collectTerms(*s.value, terms);
  for (const ast::Expr *term : terms) {
    bool inReducer = false;
    if (!readsTarget(*term, s.target, inReducer))
      continue;
    bool sums = inReducer;
    ast::anyOf(*term, [&](const ast::Expr &e) {
      auto *sub = dyn_cast<ast::SubscriptExpr>(&e);
      if (!sub)
        return false;
      for (const ast::ExprPtr &index : sub->indices)
        ast::anyOf(*index, [&](const ast::Expr &x) {
          auto *name = dyn_cast<ast::NameExpr>(&x);
          sums |= name && !llvm::is_contained(s.indices, name->name) &&
                  !isBound(name->name);
          return sums;
        });
      return sums;
    });
    reads.slice |= sums;
  }
  return reads;
}

std::optional<ValueRef>
FunctionAnalyzer::buildRecurrence(const ast::IndexAssignStmt &s) {
  // The initial state comes first: the scan reads it.
  std::optional<ValueRef> init;
  RecurrenceReads reads = analyzeReads(s, [&](const std::string &name) {
    return names.count(name) > 0 || m.constants.count(name) > 0;
  });
  int scanDim = reads.scanDim;
  if (s.init && scanDim >= 0) {
    init = buildInitialState(s, scanDim);
    if (!init)
      return std::nullopt;
  }
  recurrence = RecurrenceState();
  recurrence->target = s.target;
  unsigned firstValue = static_cast<unsigned>(out.values.size());
  if (reads.slice) {
    // The previous slice, which the step's reads refer to (typed once the
    // statement gives the state its type).
    Value previous;
    previous.kind = Value::Kind::Previous;
    previous.loc = s.getLoc();
    previous.types.push_back(TensorType{});
    recurrence->slice = true;
    recurrence->rank = s.indices.size();
    recurrence->scanIndex = s.indices[scanDim];
    recurrence->previous = addValue(std::move(previous)).id;
  }
  auto v =
      buildStatement(s.getLoc(), s.indices, s.indexLocs, *s.value, s.ranges);
  RecurrenceState r = *recurrence;
  recurrence.reset();
  if (!v || r.scanDim < 0)
    return std::nullopt;
  if (r.slice) {
    if (!finishSliceRecurrence(s, r.scanDim, r.previous, *v, firstValue))
      return std::nullopt;
    Value &val = out.values[v->id];
    val.reverse = r.reverse;
    if (init) {
      if (!checkInitialState(s, *init, *v))
        return std::nullopt;
      val.operands.insert(val.operands.begin(), *init);
      val.hasInit = true;
    }
    return v;
  }
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
