//===- SizeExpr.h - Size expressions of the front end -----------*- C++ -*-===//
//
// A dimension of a type is an integer expression of literals and size
// symbols: `N`, `4`, `N / 2 + 1`, `2 * L`, `log2(N)`. SizeExpr is such an
// expression as an immutable tree, shared between the types that use it.
// normalizeSizeExpr gives the canonical form in which two expressions that
// are equal for every value of their symbols (as far as it can tell: `2 * N`
// and `N + N`, `N / 2 + 1` and `(N + 2) / 2`) are the same tree, and finds the
// expressions that are invalid whatever their symbols (`N / 0`, `log2(12)`).
//
// Semantics: `/` rounds toward negative infinity (so `(2 * N + 1) / 2` is
// `N`); `log2(x)` is defined only when x is a power of two.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_SEMA_SIZEEXPR_H
#define TESSERA_FRONTEND_SEMA_SIZEEXPR_H

#include "tessera/Runtime/Signature.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tessera {
namespace sema {

class SizeExpr;
using SizeExprPtr = std::shared_ptr<const SizeExpr>;

/// One node of a size expression.
class SizeExpr {
public:
  enum class Kind { Literal, Symbol, Add, Sub, Mul, FloorDiv, Neg, Log2 };

  static SizeExprPtr literal(int64_t value);
  static SizeExprPtr symbol(std::string name);
  /// `kind` is Neg or Log2.
  static SizeExprPtr unary(Kind kind, SizeExprPtr x);
  /// `kind` is Add, Sub, Mul or FloorDiv.
  static SizeExprPtr binary(Kind kind, SizeExprPtr a, SizeExprPtr b);

  Kind getKind() const { return kind; }
  bool isLiteral() const { return kind == Kind::Literal; }
  bool isSymbol() const { return kind == Kind::Symbol; }
  int64_t getValue() const { return value; }
  const std::string &getSymbol() const { return name; }
  const std::vector<SizeExprPtr> &getOperands() const { return operands; }

  /// The steps of the runtime's form (reverse Polish notation).
  std::vector<SizeOp> toSteps() const;
  /// As the source writes it, with only the parentheses needed:
  /// `N / 2 + 1`, `2 * (L - 1)`, `log2(N)`.
  std::string str() const;
  /// The symbols it reads, in order of first appearance, appended to `out`
  /// (without duplicates).
  void collectSymbols(std::vector<std::string> &out) const;

private:
  SizeExpr(Kind kind, int64_t value, std::string name,
           std::vector<SizeExprPtr> operands)
      : kind(kind), value(value), name(std::move(name)),
        operands(std::move(operands)) {}
  void appendSteps(std::vector<SizeOp> &out) const;

  Kind kind;
  int64_t value;
  std::string name;
  std::vector<SizeExprPtr> operands;
};

/// `e` with every symbol `s` replaced by `replace(s)` (kept when that
/// returns null).
SizeExprPtr substituteSizeExpr(
    const SizeExprPtr &e,
    llvm::function_ref<SizeExprPtr(const std::string &)> replace);

/// The result of normalizeSizeExpr.
struct NormalizedSize {
  SizeExprPtr expr;  ///< the canonical form; null when `error` is set
  std::string error; ///< why `e` is invalid whatever its symbols
};

/// The canonical form of `e`: a sum of terms in a fixed order, each an
/// integer times a product of symbols, floor divisions and log2s (whose
/// operands are canonical too), with literals folded and exact divisions
/// carried out. Fails with "division by zero", "log2 of 12 is not exact (12
/// is not a power of two)" or "the size does not fit in 64 bits".
NormalizedSize normalizeSizeExpr(const SizeExprPtr &e);

} // namespace sema
} // namespace tessera

#endif // TESSERA_FRONTEND_SEMA_SIZEEXPR_H
