//===- Typing.h - Typing rules of scalar expressions ------------*- C++ -*-===//
//
// The dtype rules of the language, separate from the lowering that builds
// expressions: lowering creates leaves (reads, literals, indices) and asks
// TypeRules to combine them. The rules:
//
//  * Reads of tensors are strongly typed. Literals, index values and size
//    values are *weak*: they take the dtype of the other operand, so
//    `x[i] * 2` is f16 when x is, and `exp(dtA * l)` converts `l` once.
//  * Two weak values stay weak; float beats integer (and complex beats
//    float), and an expression that stays weak defaults to i64 or f32.
//  * Two strong operands must have the same dtype; casts convert
//    explicitly. Comparisons give bool; arithmetic on bool is an error.
//  * Complex: a real float operand meets a complex one of its precision
//    (f32 with c64, f64 with c128) by becoming complex; `re im abs` give
//    the real part type, `complex(re, im)` the complex one. Converting a
//    complex value to a real type is refused (name `re`, `im` or `abs`).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_SEMA_TYPING_H
#define TESSERA_FRONTEND_SEMA_TYPING_H

#include "tessera/Frontend/Builtins.h"
#include "tessera/Frontend/Diagnostics.h"
#include "tessera/Frontend/Sema.h"
#include "tessera/Frontend/Sema/Constants.h"

namespace tessera {
namespace sema {

/// Replaces `e` by a conversion of it to `to`.
void wrapInCast(ScalarExpr &e, DType to);

/// A scalar expression with its typing state: `weak` marks a value without
/// a dtype of its own (see the file comment).
struct Typed {
  ScalarExprPtr e;
  bool weak = false;
  explicit operator bool() const { return e != nullptr; }
};

/// Applies the typing rules to expressions under construction, reporting
/// violations to a DiagnosticSink. Every method returns an empty Typed (or
/// false) after reporting an error.
class TypeRules {
public:
  explicit TypeRules(DiagnosticSink &diag) : diag(diag) {}

  /// Leaves.
  Typed constant(const ConstValue &v, ast::SourceLoc loc);
  Typed loopIndex(unsigned loop, ast::SourceLoc loc);
  /// The previous state of a recurrence: untyped (an integer until its uses
  /// say otherwise, like a literal), so that the state takes the type of
  /// the values it is combined with.
  Typed previousState(ast::SourceLoc loc);
  Typed sizeValue(llvm::StringRef symbol, ast::SourceLoc loc);
  Typed read(unsigned operand, DType dtype, ast::SourceLoc loc);

  /// Operators and built-ins.
  Typed negate(Typed x, ast::SourceLoc loc);
  Typed binary(ast::BinaryExpr::Op op, Typed l, Typed r, ast::SourceLoc loc,
               ast::SourceLoc lhsLoc);
  Typed unaryFn(UnaryFn fn, Typed x, ast::SourceLoc loc, ast::SourceLoc argLoc);
  Typed cast(DType to, Typed x, ast::SourceLoc loc);
  Typed select(Typed cond, Typed a, Typed b, ast::SourceLoc loc,
               ast::SourceLoc condLoc);
  Typed minMax(bool isMax, Typed a, Typed b, ast::SourceLoc loc);
  Typed makeComplex(Typed re, Typed im, ast::SourceLoc loc);

  /// Gives a weak value the dtype `to`, or converts a strong one.
  bool coerce(Typed &t, DType to, ast::SourceLoc loc);
  /// Brings `a` and `b` to one dtype for the operation `what` ("'+'").
  bool unify(Typed &a, Typed &b, ast::SourceLoc loc, llvm::StringRef what);
  /// Fixes the dtype of a value that stayed weak (i64, f32 or c64).
  void defaultWeak(Typed &t);

private:
  bool retype(ScalarExpr &e, DType to, ast::SourceLoc loc);
  Typed fold(ast::BinaryExpr::Op op, const Typed &l, const Typed &r,
             ast::SourceLoc loc);
  Typed power(Typed l, Typed r, ast::SourceLoc loc, ast::SourceLoc lhsLoc);
  Typed complexPart(UnaryFn fn, Typed x, ast::SourceLoc loc);

  DiagnosticSink &diag;
};

} // namespace sema
} // namespace tessera

#endif // TESSERA_FRONTEND_SEMA_TYPING_H
