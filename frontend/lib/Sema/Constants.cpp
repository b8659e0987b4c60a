//===- Constants.cpp - Compile-time numbers -------------------------------===//

#include "tessera/Frontend/Sema/Constants.h"

#include "llvm/ADT/StringRef.h"

#include <cerrno>
#include <cmath>
#include <complex>
#include <cstdlib>

using namespace tessera;
using namespace tessera::sema;
using ast::BinaryExpr;
using ast::SourceLoc;

std::optional<ConstValue> sema::parseNumber(const ast::NumberExpr &n,
                                            DiagnosticSink &diag) {
  if (n.isInteger && !n.isImaginary) {
    uint64_t u;
    if (llvm::StringRef(n.text).getAsInteger(10, u) ||
        u > static_cast<uint64_t>(INT64_MAX)) {
      diag.error(n.getLoc(),
                 "integer literal '" + n.text + "' does not fit in 64 bits");
      return std::nullopt;
    }
    return ConstValue::integer(static_cast<int64_t>(u));
  }
  errno = 0;
  char *end = nullptr;
  double d = std::strtod(n.text.c_str(), &end);
  if (std::isinf(d) || (errno == ERANGE && d != 0)) {
    diag.error(n.getLoc(),
               "floating-point literal '" + n.text + "' is out of range");
    return std::nullopt;
  }
  return n.isImaginary ? ConstValue::complex(0, d) : ConstValue::real(d);
}

std::optional<ConstValue> sema::foldNeg(const ConstValue &v, SourceLoc loc,
                                        DiagnosticSink &diag) {
  if (v.isInt()) {
    if (v.i == INT64_MIN) {
      diag.error(loc, "integer constant overflows 64 bits");
      return std::nullopt;
    }
    return ConstValue::integer(-v.i);
  }
  ConstValue r = v;
  r.re = -v.re;
  r.im = -v.im;
  return r;
}

/// Integer arithmetic; std::nullopt (after reporting) on overflow or
/// division by zero. A negative exponent is left to the caller.
static std::optional<ConstValue> foldInt(BinaryExpr::Op op, int64_t a,
                                         int64_t b, SourceLoc loc,
                                         DiagnosticSink &diag) {
  int64_t r = 0;
  bool overflow = false;
  switch (op) {
  case BinaryExpr::Op::Add:
    overflow = __builtin_add_overflow(a, b, &r);
    break;
  case BinaryExpr::Op::Sub:
    overflow = __builtin_sub_overflow(a, b, &r);
    break;
  case BinaryExpr::Op::Mul:
    overflow = __builtin_mul_overflow(a, b, &r);
    break;
  case BinaryExpr::Op::Pow:
    r = 1;
    for (int64_t k = 0; k < b && !overflow; ++k)
      overflow = __builtin_mul_overflow(r, a, &r);
    break;
  case BinaryExpr::Op::Div:
    if (b == 0) {
      diag.error(loc, "integer division by zero");
      return std::nullopt;
    }
    overflow = a == INT64_MIN && b == -1;
    if (!overflow)
      r = a / b;
    break;
  default:
    diag.error(loc, "unsupported operator in a constant");
    return std::nullopt;
  }
  if (overflow) {
    diag.error(loc, "integer constant overflows 64 bits");
    return std::nullopt;
  }
  return ConstValue::integer(r);
}

std::optional<ConstValue> sema::foldBinary(BinaryExpr::Op op,
                                           const ConstValue &a,
                                           const ConstValue &b, SourceLoc loc,
                                           DiagnosticSink &diag) {
  bool arithmetic = op == BinaryExpr::Op::Add || op == BinaryExpr::Op::Sub ||
                    op == BinaryExpr::Op::Mul || op == BinaryExpr::Op::Div ||
                    op == BinaryExpr::Op::Pow;
  if (!arithmetic) {
    diag.error(loc, "unsupported operator in a constant");
    return std::nullopt;
  }
  if (a.isInt() && b.isInt() && !(op == BinaryExpr::Op::Pow && b.i < 0))
    return foldInt(op, a.i, b.i, loc, diag);
  if (a.isComplex() || b.isComplex()) {
    std::complex<double> x(a.re, a.im), y(b.re, b.im), r;
    switch (op) {
    case BinaryExpr::Op::Add:
      r = x + y;
      break;
    case BinaryExpr::Op::Sub:
      r = x - y;
      break;
    case BinaryExpr::Op::Mul:
      r = x * y;
      break;
    case BinaryExpr::Op::Div:
      r = x / y;
      break;
    default:
      r = std::pow(x, y);
      break;
    }
    return ConstValue::complex(r.real(), r.imag());
  }
  double x = a.re, y = b.re;
  switch (op) {
  case BinaryExpr::Op::Add:
    return ConstValue::real(x + y);
  case BinaryExpr::Op::Sub:
    return ConstValue::real(x - y);
  case BinaryExpr::Op::Mul:
    return ConstValue::real(x * y);
  case BinaryExpr::Op::Div:
    return ConstValue::real(x / y);
  default:
    return ConstValue::real(std::pow(x, y));
  }
}

std::optional<ConstValue> sema::evaluateConstant(
    const ast::Expr &e, DiagnosticSink &diag,
    llvm::function_ref<std::optional<ConstValue>(const ast::NameExpr &)>
        lookup) {
  if (auto *n = llvm::dyn_cast<ast::NumberExpr>(&e))
    return parseNumber(*n, diag);
  if (auto *n = llvm::dyn_cast<ast::NameExpr>(&e))
    return lookup(*n);
  if (auto *u = llvm::dyn_cast<ast::UnaryExpr>(&e)) {
    auto v = evaluateConstant(*u->operand, diag, lookup);
    return v ? foldNeg(*v, e.getLoc(), diag) : std::nullopt;
  }
  if (auto *b = llvm::dyn_cast<ast::BinaryExpr>(&e)) {
    auto l = evaluateConstant(*b->lhs, diag, lookup);
    auto r = evaluateConstant(*b->rhs, diag, lookup);
    if (!l || !r)
      return std::nullopt;
    return foldBinary(b->op, *l, *r, e.getLoc(), diag);
  }
  diag.error(e.getLoc(), "a constant must be a numeric expression of literals "
                         "and other constants");
  return std::nullopt;
}
