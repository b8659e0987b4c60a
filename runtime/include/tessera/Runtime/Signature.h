//===- Signature.h - The calling signature of an entry function -*- C++ -*-===//
//
// What a caller needs to know about a compiled Tessera function: its
// parameters and results with dtypes and symbolic shapes, and the rules its
// sizes must satisfy beyond its shapes (size constraints). The front end
// produces it; the JIT invoker, tess-run and the C header generator consume it.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_SIGNATURE_H
#define TESSERA_RUNTIME_SIGNATURE_H

#include "tessera/Runtime/DType.h"
#include "tessera/Runtime/SizeRules.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

/// One step of a size expression in reverse Polish notation: a literal or a
/// symbol pushes a value; an operator pops its operands (the right one of a
/// binary operator on top) and pushes its result. SizeExpr.h evaluates and
/// prints these.
struct SizeOp {
  enum class Kind {
    Literal,  ///< pushes `value`
    Symbol,   ///< pushes the value of the size symbol `symbol`
    Add,      ///< a + b
    Sub,      ///< a - b
    Mul,      ///< a * b
    FloorDiv, ///< a / b rounded toward negative infinity; b must not be 0
    Neg,      ///< -a
    Log2,     ///< log2(a); a must be a power of two
  };
  Kind kind = Kind::Literal;
  int64_t value = 0;  ///< for Literal
  std::string symbol; ///< for Symbol
};

/// One dimension of a declared shape: a literal extent, a size symbol, or an
/// expression of symbols and literals (`N / 2 + 1`).
struct DimSpec {
  bool isSymbol = false;
  int64_t extent = 0; ///< when neither a symbol nor an expression
  std::string symbol; ///< when isSymbol
  /// The steps of an expression dimension; empty for a literal or a symbol.
  std::vector<SizeOp> expr;
  bool isExpr() const { return !expr.empty(); }
};

/// A parameter or result of an entry function.
struct ValueSpec {
  enum class Kind {
    Tensor, ///< a tensor or scalar (rank 0); passed as a memref descriptor
    Index,  ///< `L: index`; passed as int64_t, binds the size symbol `name`
  };
  Kind kind = Kind::Tensor;
  std::string name;         ///< parameter name ("result0", ... for results)
  DType dtype = DType::F32; ///< element type (I64 for Index)
  std::vector<DimSpec> dims;
};

/// A rule (SizeRules.h) that a size of an entry must satisfy at every call:
/// the length of a structured transform in its body, or in a function it
/// calls, that is not known when compiling (`fwht(x, 1)` of `x: f32[B, N]`
/// needs N to be 2^k or 12, 20, 28 or 40 times 2^k).
struct SizeConstraint {
  SizeRule rule = SizeRule::PowerOfTwo;
  /// The size, a symbol or an expression of the parameters' symbols.
  std::vector<SizeOp> expr;
  /// For AtMostLog2, the n of `expr <= log2(n)`; empty otherwise.
  std::vector<SizeOp> bound;
  /// What the size is, for messages: "fwht length", "butterfly factor count".
  std::string what;
  /// The transform's axis, or -1 (fft_twiddles).
  int64_t axis = -1;
  /// Where the transform is: "f.tess:3:10", with the call it is reached
  /// through when it is in another function ("f.tess:3:10, called at
  /// f.tess:9:3").
  std::string where;
};

/// The signature of one `fn`.
struct EntrySignature {
  std::string name;
  std::vector<ValueSpec> params;
  std::vector<ValueSpec> results;
  /// Checked, in this order, once the parameters have bound every symbol.
  std::vector<SizeConstraint> constraints;
};

} // namespace tessera

#endif // TESSERA_RUNTIME_SIGNATURE_H
