//===- Signature.h - The calling signature of an entry function -*- C++ -*-===//
//
// What a caller needs to know about a compiled Tessera function: its
// parameters and results with dtypes and symbolic shapes. The front end
// produces it; the JIT invoker, tess-run and the C header generator consume it.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_SIGNATURE_H
#define TESSERA_RUNTIME_SIGNATURE_H

#include "tessera/Runtime/DType.h"

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

/// The signature of one `fn`.
struct EntrySignature {
  std::string name;
  std::vector<ValueSpec> params;
  std::vector<ValueSpec> results;
};

} // namespace tessera

#endif // TESSERA_RUNTIME_SIGNATURE_H
