//===- SizeLowering.cpp - Dimension expressions -> SizeExpr ---------------===//
//
// A dimension of a type (`f32[N / 2 + 1]`), a range bound (`0..2 * N`), an
// index argument (`f(x, N - 1)`): integer literals, names that the caller
// resolves (constants, size symbols), + - * / and unary minus, and log2(e).
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"

using namespace tessera;
using namespace tessera::sema;
using llvm::dyn_cast;

namespace {

/// Reports `e` as something a dimension cannot contain.
SizeExprPtr notADimension(const ast::Expr &e, DiagnosticSink &diag) {
  diag.error(e.getLoc(), "'" + ast::toString(e) +
                             "' cannot appear in a dimension: write an "
                             "integer literal, a size symbol, or an "
                             "expression of them with + - * / and log2");
  return nullptr;
}

SizeExprPtr lowerNumber(const ast::NumberExpr &n, DiagnosticSink &diag) {
  auto v = parseNumber(n, diag);
  if (!v)
    return nullptr;
  if (!v->isInt()) {
    diag.error(n.getLoc(), "a dimension must be an integer, not '" +
                               ast::toString(n) + "'");
    return nullptr;
  }
  return SizeExpr::literal(v->i);
}

SizeExprPtr lowerBinary(const ast::BinaryExpr &b, DiagnosticSink &diag,
                        SizeNameLookup lookup) {
  using Op = ast::BinaryExpr::Op;
  SizeExpr::Kind kind;
  switch (b.op) {
  case Op::Add:
    kind = SizeExpr::Kind::Add;
    break;
  case Op::Sub:
    kind = SizeExpr::Kind::Sub;
    break;
  case Op::Mul:
    kind = SizeExpr::Kind::Mul;
    break;
  case Op::Div:
    kind = SizeExpr::Kind::FloorDiv;
    break;
  default:
    return notADimension(b, diag);
  }
  SizeExprPtr lhs = lowerSizeExpr(*b.lhs, diag, lookup);
  SizeExprPtr rhs = lowerSizeExpr(*b.rhs, diag, lookup);
  if (!lhs || !rhs)
    return nullptr;
  return SizeExpr::binary(kind, std::move(lhs), std::move(rhs));
}

} // namespace

SizeExprPtr sema::lowerSizeExpr(const ast::Expr &e, DiagnosticSink &diag,
                                SizeNameLookup lookup) {
  if (auto *n = dyn_cast<ast::NumberExpr>(&e))
    return lowerNumber(*n, diag);
  if (auto *n = dyn_cast<ast::NameExpr>(&e))
    return lookup(*n);
  if (auto *b = dyn_cast<ast::BinaryExpr>(&e))
    return lowerBinary(*b, diag, lookup);
  if (auto *u = dyn_cast<ast::UnaryExpr>(&e)) {
    SizeExprPtr x = lowerSizeExpr(*u->operand, diag, lookup);
    return x ? SizeExpr::unary(SizeExpr::Kind::Neg, std::move(x)) : nullptr;
  }
  auto *call = dyn_cast<ast::CallExpr>(&e);
  if (!call || call->callee != "log2")
    return notADimension(e, diag);
  if (call->args.size() != 1) {
    diag.error(e.getLoc(), "log2 in a dimension takes 1 argument but " +
                               std::to_string(call->args.size()) +
                               " were given");
    return nullptr;
  }
  SizeExprPtr x = lowerSizeExpr(*call->args[0], diag, lookup);
  return x ? SizeExpr::unary(SizeExpr::Kind::Log2, std::move(x)) : nullptr;
}

std::optional<Extent> sema::lowerExtent(const ast::Expr &e,
                                        DiagnosticSink &diag,
                                        SizeNameLookup lookup) {
  SizeExprPtr written = lowerSizeExpr(e, diag, lookup);
  if (!written)
    return std::nullopt;
  std::string error;
  std::optional<Extent> extent = Extent::get(written, error);
  if (!extent)
    diag.error(e.getLoc(),
               "invalid dimension '" + written->str() + "': " + error);
  return extent;
}
