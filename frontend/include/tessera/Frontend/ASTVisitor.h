//===- ASTVisitor.h - Walking expressions of the AST ------------*- C++ -*-===//
//
// The one place that knows which sub-expressions an expression has. Every
// traversal in the front end goes through `forEachChild` (one level) or
// `walk` (pre-order over a whole tree), so a new expression kind is added to
// the walks here once.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_ASTVISITOR_H
#define TESSERA_FRONTEND_ASTVISITOR_H

#include "tessera/Frontend/AST.h"

#include "llvm/ADT/STLFunctionalExtras.h"

namespace tessera {
namespace ast {

/// Calls `fn` on each direct sub-expression of `e`, in source order: the
/// base and subscripts of `a[i, j]`, call arguments, a reduction's range
/// bounds and body, operands of operators, list elements.
inline void forEachChild(const Expr &e,
                         llvm::function_ref<void(const Expr &)> fn) {
  if (auto *s = llvm::dyn_cast<SubscriptExpr>(&e)) {
    fn(*s->base);
    for (const ExprPtr &i : s->indices)
      fn(*i);
  } else if (auto *c = llvm::dyn_cast<CallExpr>(&e)) {
    for (const ExprPtr &a : c->args)
      fn(*a);
  } else if (auto *r = llvm::dyn_cast<ReduceExpr>(&e)) {
    for (const ReduceExpr::Range &range : r->ranges) {
      if (range.lo)
        fn(*range.lo);
      if (range.hi)
        fn(*range.hi);
    }
    fn(*r->body);
  } else if (auto *b = llvm::dyn_cast<BinaryExpr>(&e)) {
    fn(*b->lhs);
    fn(*b->rhs);
  } else if (auto *u = llvm::dyn_cast<UnaryExpr>(&e)) {
    fn(*u->operand);
  } else if (auto *l = llvm::dyn_cast<ListExpr>(&e)) {
    for (const ExprPtr &x : l->elements)
      fn(*x);
  }
}

/// What a `walk` callback asks for next.
enum class WalkAction {
  Advance,   ///< visit the children of this expression
  Skip,      ///< do not visit its children
  Interrupt, ///< stop the whole walk
};

/// Visits `e` and its sub-expressions in pre-order. Returns false if the
/// callback interrupted the walk. The AST's depth is bounded by the parser,
/// so recursion is safe.
inline bool walk(const Expr &e,
                 llvm::function_ref<WalkAction(const Expr &)> fn) {
  switch (fn(e)) {
  case WalkAction::Interrupt:
    return false;
  case WalkAction::Skip:
    return true;
  case WalkAction::Advance:
    break;
  }
  bool go = true;
  forEachChild(e, [&](const Expr &child) {
    if (go)
      go = walk(child, fn);
  });
  return go;
}

/// True if `pred` holds for `e` or any of its sub-expressions.
inline bool anyOf(const Expr &e, llvm::function_ref<bool(const Expr &)> pred) {
  return !walk(e, [&](const Expr &x) {
    return pred(x) ? WalkAction::Interrupt : WalkAction::Advance;
  });
}

} // namespace ast
} // namespace tessera

#endif // TESSERA_FRONTEND_ASTVISITOR_H
