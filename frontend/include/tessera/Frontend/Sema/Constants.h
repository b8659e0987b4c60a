//===- Constants.h - Compile-time numbers -----------------------*- C++ -*-===//
//
// Literals and `const` declarations evaluate to ConstValue: a 64-bit integer,
// a double, or a complex number with double parts. Folding checks integer
// overflow and division by zero and reports them at the expression.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_SEMA_CONSTANTS_H
#define TESSERA_FRONTEND_SEMA_CONSTANTS_H

#include "tessera/Frontend/AST.h"
#include "tessera/Frontend/Diagnostics.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <optional>

namespace tessera {
namespace sema {

/// A compile-time number.
struct ConstValue {
  enum class Kind { Int, Float, Complex };
  Kind kind = Kind::Float;
  int64_t i = 0; ///< the value of an Int
  double re = 0; ///< the value of a Float, the real part of a Complex, and an
                 ///< Int's value as a double
  double im = 0; ///< the imaginary part of a Complex

  static ConstValue integer(int64_t v) { return {Kind::Int, v, double(v), 0}; }
  static ConstValue real(double v) { return {Kind::Float, 0, v, 0}; }
  static ConstValue complex(double re, double im) {
    return {Kind::Complex, 0, re, im};
  }
  bool isInt() const { return kind == Kind::Int; }
  bool isComplex() const { return kind == Kind::Complex; }
  /// True for a non-negative Int (a valid extent).
  bool isExtent() const { return isInt() && i >= 0; }
};

/// The value of a numeric literal: an Int without '.' or exponent, a Float,
/// or a Complex for `2.0j`; `inf` is not a literal but a name (see Sema).
/// Reports literals that do not fit and returns std::nullopt.
std::optional<ConstValue> parseNumber(const ast::NumberExpr &literal,
                                      DiagnosticSink &diag);

/// `-v`; reports the negation of INT64_MIN.
std::optional<ConstValue> foldNeg(const ConstValue &v, ast::SourceLoc loc,
                                  DiagnosticSink &diag);

/// `a op b` for + - * / **. Two Ints give an Int (division truncates toward
/// zero; a negative exponent gives a Float); otherwise the wider kind wins.
/// Reports overflow, integer division by zero and operators that are not
/// arithmetic.
std::optional<ConstValue> foldBinary(ast::BinaryExpr::Op op,
                                     const ConstValue &a, const ConstValue &b,
                                     ast::SourceLoc loc, DiagnosticSink &diag);

/// Evaluates a constant expression of literals, operators and names that
/// `lookup` resolves (it reports unknown names itself).
std::optional<ConstValue> evaluateConstant(
    const ast::Expr &e, DiagnosticSink &diag,
    llvm::function_ref<std::optional<ConstValue>(const ast::NameExpr &)>
        lookup);

} // namespace sema
} // namespace tessera

#endif // TESSERA_FRONTEND_SEMA_CONSTANTS_H
