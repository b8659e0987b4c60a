//===- Sema.h - Semantic analysis of Tessera programs -----------*- C++ -*-===//
//
// Sema checks an AST module (names, dtypes, size symbols, index ranges,
// implicit summation) and turns every function into a small, explicit program
// that MLIRGen translates mechanically:
//
//  * every value is a tensor (scalars are rank 0) with a dtype and a symbolic
//    shape whose extents are integer literals, size symbols or size
//    expressions of them (`N / 2 + 1`);
//  * index notation becomes Contraction values: a loop nest with extents, the
//    loops that index the result, a reduction kind and a scalar body that reads
//    its operands through affine subscripts;
//  * nested reducers (`sum[j](...)`), whole-tensor elementwise expressions and
//    einsum strings are all rewritten into Contractions here, so that later
//    stages only see one form.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_SEMA_H
#define TESSERA_FRONTEND_SEMA_H

#include "tessera/Frontend/AST.h"
#include "tessera/Frontend/Builtins.h"
#include "tessera/Frontend/Diagnostics.h"
#include "tessera/Frontend/Sema/SizeExpr.h"
#include "tessera/Runtime/DType.h"
#include "tessera/Runtime/SizeRules.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tessera {
namespace sema {

/// One dimension of a shape: an integer literal, a size symbol or a size
/// expression of them (SizeExpr.h). It keeps the expression as written, for
/// messages and for the checks at the call, and its canonical form, by which
/// two extents compare: `2 * N` and `N + N` are the same extent.
class Extent {
public:
  /// The literal 0.
  Extent();
  static Extent literal(int64_t v);
  static Extent sym(std::string s);
  /// `written` with its canonical form; std::nullopt, with the reason in
  /// `error`, when it is invalid whatever its symbols (a division by zero,
  /// an inexact log2, a negative value).
  static std::optional<Extent> get(SizeExprPtr written, std::string &error);

  /// Whether the canonical form is a literal, a symbol, or neither.
  bool isLiteral() const { return canon->isLiteral(); }
  bool isSymbol() const { return canon->isSymbol(); }
  bool isExpr() const { return !isLiteral() && !isSymbol(); }
  int64_t getValue() const { return canon->getValue(); }
  const std::string &getSymbol() const { return canon->getSymbol(); }
  const SizeExprPtr &getWritten() const { return written; }
  const SizeExprPtr &getCanonical() const { return canon; }

  bool operator==(const Extent &o) const { return key == o.key; }
  bool operator!=(const Extent &o) const { return !(*this == o); }
  /// As written: `N / 2 + 1`.
  std::string str() const;

private:
  Extent(SizeExprPtr written, SizeExprPtr canon);
  SizeExprPtr written, canon;
  std::string key; ///< the canonical form's text
};

/// The type of a value: a dtype and a shape (empty for scalars).
struct TensorType {
  DType dtype = DType::F32;
  std::vector<Extent> shape;
  int64_t getRank() const { return static_cast<int64_t>(shape.size()); }
  bool operator==(const TensorType &o) const {
    return dtype == o.dtype && shape == o.shape;
  }
  /// Spelled as in the source: `f32[M, 4]`, or `f32` for a scalar.
  std::string str() const;
};

/// An affine function of loop indices and size symbols:
/// sum(coeffs[d] * loop_d) + sum(k * symbol) + constant.
struct AffineSubscript {
  std::vector<int64_t> coeffs; ///< one per loop of the enclosing contraction
  /// Size symbols with their coefficients, as in `x[N - 1 - i]`.
  std::vector<std::pair<std::string, int64_t>> symbolCoeffs;
  int64_t constant = 0;
  /// The loop it names when it is exactly one loop index, else -1.
  int getPlainLoop() const;
  bool operator==(const AffineSubscript &o) const {
    return coeffs == o.coeffs && symbolCoeffs == o.symbolCoeffs &&
           constant == o.constant;
  }
};

/// A reference to a result of a value (calls may have several results).
struct ValueRef {
  unsigned id = 0;
  unsigned result = 0;
  bool operator==(const ValueRef &o) const {
    return id == o.id && result == o.result;
  }
};

/// Scalar expressions: the body of a contraction, evaluated at one loop point.
struct ScalarExpr {
  enum class Kind {
    Constant,  ///< numeric literal (constValue / intValue)
    Read,      ///< operands[operand] of the contraction
    LoopIndex, ///< the current value of loop `loop`
    SizeValue, ///< the run-time value of size symbol `symbol`, or of the
               ///< extent `size` when it is set
    Unary,     ///< unaryOp(args[0])
    Binary,    ///< binaryOp(args[0], args[1])
    Cast,      ///< args[0] converted to `dtype`
    Select,    ///< args[0] ? args[1] : args[2]
    Previous,  ///< the previous state of the recurrence being defined (a
               ///< Scan's body reads its own element one step back)
  };
  /// Element-wise functions and unary minus (see Builtins.h).
  using UnaryOp = UnaryFn;
  enum class BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Max,
    Min,
    Complex, ///< complex(args[0], args[1]): real and imaginary parts
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne
  };

  Kind kind = Kind::Constant;
  DType dtype = DType::F32;
  ast::SourceLoc loc;
  double floatValue = 0; ///< Constant of a float dtype (real part if complex)
  double imagValue = 0;  ///< Constant of a complex dtype: imaginary part
  int64_t intValue = 0;  ///< Constant of an integer/bool dtype
  unsigned operand = 0;  ///< Read; Previous of a SliceScan: its read of
                         ///< the Previous value
  unsigned loop = 0;     ///< LoopIndex
  std::string symbol;    ///< SizeValue
  SizeExprPtr size;      ///< SizeValue of an expression extent
  UnaryOp unaryOp = UnaryOp::Neg;
  BinaryOp binaryOp = BinaryOp::Add;
  std::vector<std::unique_ptr<ScalarExpr>> args;
};
using ScalarExprPtr = std::unique_ptr<ScalarExpr>;

/// How a contraction combines the body values of its reduction loops.
enum class ReduceKind { Sum, Max, Min, Prod };

/// An operand of a contraction: a value read through one subscript per dim.
struct ContractionOperand {
  ValueRef value;
  std::vector<AffineSubscript> subscripts;
};

/// Index notation in its explicit form.
struct Contraction {
  std::vector<Extent> loopExtents;
  std::vector<std::string> loopNames; ///< for printing and diagnostics
  std::vector<unsigned> resultLoops;  ///< loops that index the result, in order
  ReduceKind kind = ReduceKind::Sum;
  std::vector<ContractionOperand> operands;
  ScalarExprPtr body;
};

/// A value computed in a function body.
struct Value {
  enum class Kind {
    Param,       ///< a tensor parameter (paramIndex)
    Contraction, ///< contraction
    Softmax,     ///< softmax of operands[0] along `axis`
    Fwht,        ///< Walsh-Hadamard transform of operands[0] along `axis`
    BitReverse,  ///< bit-reversal permutation of operands[0] along `axis`
    Fft,         ///< discrete Fourier transform of operands[0] along `axis`
    Ifft,        ///< its inverse (scaled by 1/N)
    Rfft,        ///< the N / 2 + 1 first terms of the DFT of real data
    Irfft,       ///< the real signal of types[0]'s length with that rfft
    FftTwiddles, ///< the twiddles of a radix-2 FFT (types[0] gives N)
    Butterfly,   ///< butterfly factors operands[0] applied to operands[1]
    Permute,     ///< operands[0] reordered by operands[1] along `axis`
    BlockDiag,   ///< block-diagonal operands[0] applied to operands[1]
    Monarch,     ///< Monarch (operands[0], operands[1]) applied to [2]
    CausalConv,  ///< operands[0] convolved causally with operands[1]
                 ///< (broadcast over its leading dimensions) along `axis`
    Splat,       ///< a tensor filled with splatValue (zeros/ones)
    Call,        ///< a call of `callee` with `operands`; results = types
    Scan,        ///< a recurrence along loop `axis` of `contraction` (its
                 ///< result loops, no reduction): the body's Previous reads
                 ///< the element one step back (forward with `reverse`);
                 ///< operands[0] is the initial value when `hasInit`
    SliceScan,   ///< a recurrence along result dimension `axis` whose step
                 ///< (`contraction`, with `stepValues` before it) reads the
                 ///< previous slice anywhere (`previous`): a dense or
                 ///< block-diagonal transition; `reverse`, `hasInit` as Scan
    Previous,    ///< the previous slice that a SliceScan's step values read
                 ///< (types[0]: the state's type, scan dimension included)
    Discretize,  ///< the dense system (operands[0] = A [N, N], [1] = B [N]
                 ///< or [N, M]) made discrete with the step operands[2]
                 ///< (rank 0): results Abar, Bbar; zero-order hold, or the
                 ///< bilinear transform with `bilinear`
  };
  Kind kind = Kind::Param;
  ast::SourceLoc loc;
  /// The variable first assigned this value ("" for a temporary); MLIRGen
  /// puts it in a NameLoc so that compiled code can name the value.
  std::string name;
  /// Result types; exactly one except for calls and Discretize.
  std::vector<TensorType> types;
  unsigned paramIndex = 0;
  std::unique_ptr<Contraction> contraction;
  std::vector<ValueRef> operands;
  int64_t axis = 0;
  double splatValue = 0;
  std::string callee;
  bool reverse = false;  ///< Scan: runs from the last position to the first
  bool hasInit = false;  ///< Scan: operands[0] is the initial state
  bool bilinear = false; ///< Discretize: bilinear, else zero-order hold
  /// Call: the extent, in this function's terms, of each size symbol of the
  /// callee (its dimension symbols and index parameters).
  std::map<std::string, Extent> callSizes;
  /// FftTwiddles: the length N.
  std::optional<Extent> length;
  /// SliceScan: the Previous value, and the values its step computes from
  /// it (in order), which exist only inside the recurrence.
  unsigned previous = 0;
  std::vector<unsigned> stepValues;
  /// A step value of a SliceScan (computed in it, not on its own).
  bool inRecurrence = false;
};

/// A rule (SizeRules.h) that a size of a function must satisfy at every
/// call: the length of a structured transform that is not known when
/// compiling, here or in a function it calls. An entry checks it
/// (tess.size_constraints, docs/abi.md); a call substitutes its extents and
/// checks a literal result at once.
struct SizeConstraint {
  SizeRule rule = SizeRule::PowerOfTwo;
  Extent size;                 ///< in this function's symbols
  std::optional<Extent> bound; ///< the n of AtMostLog2 (size <= log2(n))
  std::string what;            ///< "fwht length", "butterfly factor count"
  int64_t axis = -1;           ///< the transform's axis; -1 for none
  std::string function;        ///< the function of the transform
  ast::SourceLoc loc;          ///< the transform
  /// The call in this function that the rule comes through from a callee's
  /// transform, if it does.
  std::optional<ast::SourceLoc> callLoc;
};

/// A function parameter.
struct Param {
  std::string name;
  ast::SourceLoc loc;
  bool isIndex = false; ///< `L: index`: binds the size symbol `name`
  TensorType type;      ///< for tensors and scalars
};

/// A checked function.
struct Function {
  std::string name;
  ast::SourceLoc loc;
  std::vector<Param> params;
  std::vector<TensorType> resultTypes;
  std::vector<Value> values;
  std::vector<ValueRef> returns;
  std::vector<ast::SourceLoc> returnLocs;
  /// The name of each result: the returned variable where there is one
  /// (`return c` names it "c"), else "result<i>".
  std::vector<std::string> resultNames;
  /// Size symbols in order of first binding, with the parameter that binds it.
  std::vector<std::string> symbols;
  /// The rules its symbolic sizes must satisfy, without duplicates.
  std::vector<SizeConstraint> constraints;
};

/// A checked module: functions in source order (callees before callers is
/// not required).
struct Program {
  std::string filename;
  /// Only ever appended to: lookup indexes the functions it has not seen.
  std::vector<Function> functions;
  /// The first function named `name`, or null. Amortized O(log n): callers
  /// look up every call, so a linear search would make a module of n
  /// functions cost O(n^2).
  const Function *lookup(llvm::StringRef name) const;

private:
  mutable std::map<std::string, size_t, std::less<>> byName;
  mutable size_t numIndexed = 0;
};

/// Where constraint `c` comes from: "f.tess:3:10" (its transform in
/// `filename`), and ", called at f.tess:9:3" when through a call.
std::string describeConstraintLocation(const SizeConstraint &c,
                                       llvm::StringRef filename);

/// Checks `module`, reporting every independent error to `diag`. Returns null
/// when any error was reported.
std::unique_ptr<Program> analyze(const ast::Module &module,
                                 DiagnosticSink &diag);

/// Prints a checked program in a readable form (debugging and tests).
void dump(const Program &program, llvm::raw_ostream &os);

} // namespace sema
} // namespace tessera

#endif // TESSERA_FRONTEND_SEMA_H
