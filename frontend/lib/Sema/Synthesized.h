//===- Synthesized.h - AST that Sema writes for built-ins -------*- C++ -*-===//
//
// Private to frontend/lib/Sema. Some built-ins are defined as statements
// of the language (`selective_scan` is Mamba's three lines, the diagonal
// discretizations are elementwise formulas): Sema writes those statements
// as AST with this builder and analyzes them like the program's own, so
// that they become exactly what the same lines written by hand become.
// Every node carries the location of the call it expands. Names that the
// expansion binds (its arguments, its temporaries, its indices) are
// spelled so that no program can write them (see hiddenName).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_LIB_SEMA_SYNTHESIZED_H
#define TESSERA_FRONTEND_LIB_SEMA_SYNTHESIZED_H

#include "tessera/Frontend/AST.h"

#include <string>
#include <utility>
#include <vector>

namespace tessera {
namespace sema {

/// A name that no source can spell (it is not an identifier): `<what>`.
inline std::string hiddenName(const std::string &what) {
  return "<" + what + ">";
}

/// Builds AST expressions and statements at one location.
class Synthesizer {
public:
  using Op = ast::BinaryExpr::Op;

  explicit Synthesizer(ast::SourceLoc loc) : loc(loc) {}

  ast::ExprPtr name(const std::string &n) const {
    return std::make_unique<ast::NameExpr>(loc, n);
  }
  /// A number literal spelled `text` (an integer when it has no '.' or
  /// exponent).
  ast::ExprPtr number(const std::string &text) const {
    bool integer = text.find_first_of(".eE") == std::string::npos;
    return std::make_unique<ast::NumberExpr>(loc, text, integer, false);
  }
  /// `tensor[indices...]`, each subscript an index name.
  ast::ExprPtr read(const std::string &tensor,
                    const std::vector<std::string> &indices) const {
    std::vector<ast::ExprPtr> subs;
    for (const std::string &i : indices)
      subs.push_back(name(i));
    return subscript(tensor, std::move(subs));
  }
  /// `tensor[subs...]`.
  ast::ExprPtr subscript(const std::string &tensor,
                         std::vector<ast::ExprPtr> subs) const {
    return std::make_unique<ast::SubscriptExpr>(loc, name(tensor),
                                                std::move(subs));
  }
  /// `callee(args...)`.
  template <typename... Args>
  ast::ExprPtr call(const std::string &callee, Args... args) const {
    std::vector<ast::ExprPtr> list;
    (list.push_back(std::move(args)), ...);
    return std::make_unique<ast::CallExpr>(loc, callee, loc, std::move(list));
  }
  ast::ExprPtr binary(Op op, ast::ExprPtr l, ast::ExprPtr r) const {
    return std::make_unique<ast::BinaryExpr>(loc, op, std::move(l),
                                             std::move(r));
  }
  ast::ExprPtr add(ast::ExprPtr l, ast::ExprPtr r) const {
    return binary(Op::Add, std::move(l), std::move(r));
  }
  ast::ExprPtr sub(ast::ExprPtr l, ast::ExprPtr r) const {
    return binary(Op::Sub, std::move(l), std::move(r));
  }
  ast::ExprPtr mul(ast::ExprPtr l, ast::ExprPtr r) const {
    return binary(Op::Mul, std::move(l), std::move(r));
  }
  ast::ExprPtr div(ast::ExprPtr l, ast::ExprPtr r) const {
    return binary(Op::Div, std::move(l), std::move(r));
  }
  /// `target[indices...] = value`.
  std::unique_ptr<ast::IndexAssignStmt>
  define(const std::string &target, const std::vector<std::string> &indices,
         ast::ExprPtr value) const {
    std::vector<ast::SourceLoc> locs(indices.size(), loc);
    return std::make_unique<ast::IndexAssignStmt>(
        loc, target, indices, std::move(locs), std::move(value),
        std::vector<ast::RangeClause>(), nullptr);
  }
  /// A copy of the constant expression `e` (literals, names, unary minus
  /// and binary operators), at this location; null for anything else.
  ast::ExprPtr cloneConstant(const ast::Expr &e) const;

private:
  ast::SourceLoc loc;
};

} // namespace sema
} // namespace tessera

#endif // TESSERA_FRONTEND_LIB_SEMA_SYNTHESIZED_H
