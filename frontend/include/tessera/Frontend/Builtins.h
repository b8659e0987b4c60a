//===- Builtins.h - The table of built-in functions -------------*- C++ -*-===//
//
// One table names every built-in function of the language: the parser asks
// it which names take an index list (`sum[j](e)`), Sema which names it may
// call and how, and MLIRGen lowers the scalar functions it lists. A built-in
// added here is known to every stage at once.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_BUILTINS_H
#define TESSERA_FRONTEND_BUILTINS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace tessera {

/// Scalar functions applied element by element. `Neg` is unary minus, which
/// has no name of its own.
enum class UnaryFn {
  Neg,
  Exp,
  Log,
  Sqrt,
  Rsqrt,
  Sin,
  Cos,
  Tanh,
  Sigmoid,
  Softplus,
  Silu,
  Gelu,
  Relu,
  Abs,
  Re,  ///< real part (the value itself for a real number)
  Im,  ///< imaginary part (zero for a real number)
  Conj ///< complex conjugate (the value itself for a real number)
};

/// How Sema treats a call of a built-in.
enum class BuiltinKind {
  UnaryMath,     ///< `exp(x)`: the scalar function `unary`, element by element
  Reducer,       ///< `sum[j](e)`: only with an index list
  MinMax,        ///< `max(a, b)`; with an index list, a reducer
  Select,        ///< `where(c, a, b)`
  MakeComplex,   ///< `complex(re, im)`
  Softmax,       ///< `softmax(x, axis)`: a whole tensor
  AxisTransform, ///< `fwht(x, axis)`, `bitreverse(x, axis)`: a whole tensor
  Splat,         ///< `zeros(f32[N])`, `ones(...)`: a whole tensor
  Einsum,        ///< `einsum("ij,jk->ik", a, b)`: a whole tensor
  StateSpace,    ///< `hippo_legs(N)`, `discretize_zoh(A, B, dt)`,
                 ///< `selective_scan(...)`: whole tensors, one or several
  Planned,       ///< in the language design, not in this version
};

/// One built-in function.
struct Builtin {
  llvm::StringLiteral name;
  BuiltinKind kind;
  /// Number of arguments; -1 when it varies (einsum) or is checked elsewhere.
  int arity;
  /// For UnaryMath: the function. Integers are accepted by abs and relu.
  UnaryFn unary;
};

/// Every built-in function, in a stable order.
llvm::ArrayRef<Builtin> getBuiltins();

/// The built-in called `name`, or null.
const Builtin *lookupBuiltin(llvm::StringRef name);

/// True for the names that take an index list: sum, mean, max, min, prod.
bool isReducerName(llvm::StringRef name);

/// True for built-ins whose result is a whole tensor computed on its own
/// (softmax, zeros, ones, einsum, the transforms and the state-space
/// building blocks) rather than a scalar function.
bool isTensorBuiltin(llvm::StringRef name);

/// The spelling of `fn` in the source (`exp`, ...; `neg` for unary minus).
llvm::StringRef getUnaryFnName(UnaryFn fn);

/// The known name closest to `name` by edit distance, if it is close enough
/// to be a likely misspelling: built-ins first, then `extra` (user functions,
/// type names, variables in scope).
std::optional<std::string> suggestName(llvm::StringRef name,
                                       llvm::ArrayRef<std::string> extra = {});

} // namespace tessera

#endif // TESSERA_FRONTEND_BUILTINS_H
