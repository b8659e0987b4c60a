//===- Analyzer.h - Sema's internal analyzers -------------------*- C++ -*-===//
//
// Private to frontend/lib/Sema. ModuleAnalyzer checks the module-level
// declarations (constants, signatures, the call graph); FunctionAnalyzer
// checks one function body and builds its explicit form. The work is split by
// responsibility over several files:
//
//   Module.cpp        the module: constants, functions, recursion, size limit
//   Signatures.cpp    parameter and result types, size symbols, dtypes
//   SizeLowering.cpp  dimension expressions -> SizeExpr
//   SizeExpr.cpp      size expressions, their canonical form, Extent
//   Statements.cpp    assignments, indexed definitions, return
//   Values.cpp        whole values: names, calls, softmax, zeros/ones
//   Einsum.cpp        einsum strings
//   Transforms.cpp    the structured transforms but fwht and bitreverse
//   CausalConv.cpp    causal_conv
//   StateSpace.cpp    hippo_*, discretize_* (Discretization.cpp) and
//                     selective_scan (SelectiveScan.cpp)
//   Constraints.cpp   size rules of transform lengths, checked at calls
//   Indices.cpp       index discovery, scopes and range inference
//   Contractions.cpp  statements and reductions -> Contraction
//   ScalarLowering.cpp AST expressions -> ScalarExpr (typing in Typing.cpp)
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_LIB_SEMA_ANALYZER_H
#define TESSERA_FRONTEND_LIB_SEMA_ANALYZER_H

#include "tessera/Frontend/Sema.h"
#include "tessera/Frontend/Sema/Constants.h"
#include "tessera/Frontend/Sema/Typing.h"

#include <array>
#include <map>
#include <memory>
#include <set>

namespace tessera {
namespace sema {

struct SelectiveScanArgs;

/// What a name in a function body denotes.
struct Binding {
  /// Poisoned: the definition failed and was reported; uses stay quiet so
  /// that one mistake does not cascade into more errors.
  enum class Kind { Value, Symbol, Const, IndexParam, Poisoned };
  Kind kind = Kind::Value;
  ValueRef ref;
  TensorType type;
  std::string symbol;
};

/// The signature of a function as seen by callers.
struct FnSignature {
  const ast::FnDecl *decl = nullptr;
  std::vector<Param> params;
  std::vector<TensorType> results;
  bool valid = true;
};

/// What Sema knows about one index of a statement.
struct IndexInfo {
  std::string name;
  ast::SourceLoc loc;
  std::optional<Extent> extent;
  std::string extentOrigin; ///< "a (dim 1)" or "the where clause"
  bool boundByReducer = false;
};

/// Checks the module-level declarations and drives the function analyzers.
class ModuleAnalyzer {
public:
  /// The most values one function may have once its calls are inlined.
  static constexpr uint64_t kMaxInlinedValues = 20000;
  /// The most values that inlining may copy in the whole module (the sum
  /// over functions of their inlined size minus their own size).
  static constexpr uint64_t kMaxCopiedValues = 200000;

  ModuleAnalyzer(const ast::Module &module, DiagnosticSink &diag)
      : module(module), diag(diag) {}

  std::unique_ptr<Program> run();

  /// The value of constant `name`, evaluated on first use so that constants
  /// may refer to ones defined later in the file.
  std::optional<ConstValue> lookupConst(const std::string &name,
                                        ast::SourceLoc loc);
  /// Evaluates a constant expression (literals, constants, `inf`).
  std::optional<ConstValue> evalConst(const ast::Expr &e);
  /// The dtype spelled `name`; `index` only where `allowIndex`.
  std::optional<DType> parseDType(llvm::StringRef name, ast::SourceLoc loc,
                                  bool allowIndex);
  /// The names of the user's functions (for "did you mean").
  std::vector<std::string> functionNames() const;

  const ast::Module &module;
  DiagnosticSink &diag;
  std::map<std::string, ConstValue> constants;
  std::map<std::string, FnSignature> signatures;
  /// Call graph edges for recursion detection.
  std::map<std::string, std::set<std::string>> calls;
  /// Constants whose definition failed (already reported).
  std::set<std::string> failedConsts;

private:
  void declareConstants();
  void declareFunctions();
  bool analyzeSignature(const ast::FnDecl &fn, FnSignature &sig);
  /// Reports every function on a call cycle; false if there is one.
  bool checkRecursion();
  /// Gives every function the size constraints of the functions it calls,
  /// in its own extents, callees first; a call that makes one a literal
  /// checks it, and reports it at the call if it fails (Constraints.cpp).
  /// The program must have no recursion.
  void propagateConstraints(Program &program);
  /// The constraints of the calls in `f` (of functions already done).
  void inheritConstraints(Function &f, const Program &program);
  /// Adds constraint `c` of the callee of `call` to `f`, or checks it.
  void inheritConstraint(Function &f, const Value &call,
                         const SizeConstraint &c);
  void checkInlinedSize(const Program &program);

  std::map<std::string, const ast::ConstDecl *> constDecls;
  std::set<std::string> constsInProgress;
};

/// Checks one function body and builds its explicit form.
class FunctionAnalyzer {
public:
  FunctionAnalyzer(ModuleAnalyzer &m, const FnSignature &sig, Function &out);
  void run();

private:
  friend class StatementScope;

  // Diagnostics.
  void error(ast::SourceLoc loc, const llvm::Twine &msg);
  void warning(ast::SourceLoc loc, const llvm::Twine &msg);
  DiagnosticSink &diag() { return m.diag; }
  /// "unknown name 'x'", with a suggestion when one is close.
  void errorUnknownName(ast::SourceLoc loc, llvm::StringRef name,
                        llvm::StringRef what);

  // Statements (Statements.cpp).
  void bindParams();
  void analyzeAssign(const ast::AssignStmt &s);
  void analyzeIndexAssign(const ast::IndexAssignStmt &s);
  /// The `return` of a function declared without `-> TYPES`: its values
  /// give the result types.
  void inferResults(const ast::ReturnStmt &s);
  void analyzeReturn(const ast::ReturnStmt &s);
  bool checkAssignable(const std::string &name, ast::SourceLoc loc);
  void poison(const std::vector<std::string> &targets);
  bool isPoisoned(const ast::Expr &e) const;

  // Whole values (Values.cpp, Einsum.cpp).
  std::optional<ValueRef> evalValue(const ast::Expr &e);
  std::optional<std::vector<ValueRef>> evalCall(const ast::CallExpr &call);
  /// The tensor and the axis (made non-negative) of `name(x, axis)`, with
  /// the arity, `x`'s dtype (`accepts`, else "name expects <expected>") and
  /// the axis checked.
  std::optional<std::pair<ValueRef, int64_t>>
  evalTensorAndAxis(const ast::CallExpr &call,
                    llvm::function_ref<bool(DType)> accepts,
                    llvm::StringRef expected);
  std::optional<ValueRef> evalSoftmax(const ast::CallExpr &call);
  /// `fwht(x, axis)` and `bitreverse(x, axis)`.
  std::optional<ValueRef> evalAxisTransform(const ast::CallExpr &call);
  std::optional<ValueRef> evalSplat(const ast::CallExpr &call, double v);

  // Fourier transforms (Transforms.cpp).
  /// `fft(x, axis)` and `ifft(x, axis)`.
  std::optional<ValueRef> evalFourier(const ast::CallExpr &call);
  /// `rfft(x, axis)` and `irfft(x, axis[, n])`.
  std::optional<ValueRef> evalRealFourier(const ast::CallExpr &call);
  /// irfft's length: `n` (a size: a constant, size symbol or size
  /// expression) when given, else 2 * (terms - 1) for the input `t`.
  std::optional<Extent> irfftLength(const ast::CallExpr &call,
                                    const TensorType &t, const Extent &terms);
  /// `x` with its elements converted to `to` (a contraction with a cast).
  ValueRef convertElements(ValueRef x, DType to, ast::SourceLoc loc);
  /// `fft_twiddles(N[, dtype])`; `precision` (a complex dtype) when the
  /// call is a butterfly's twiddles and no dtype is given.
  std::optional<ValueRef> evalFftTwiddles(const ast::CallExpr &call,
                                          std::optional<DType> precision);
  /// `butterfly(twiddles, x, axis)`.
  std::optional<ValueRef> evalButterfly(const ast::CallExpr &call);
  /// Whether the twiddles `twt` fit a butterfly of length `n` along `axis`
  /// ([F, N / 2, 2, 2], N a power of two, 2^F <= N; a symbolic rule
  /// becomes a size constraint), else an error.
  bool checkTwiddles(const ast::CallExpr &call, const TensorType &twt,
                     const Extent &n, int64_t axis);
  /// `permute(x, perm, axis)`.
  std::optional<ValueRef> evalPermute(const ast::CallExpr &call);
  /// `blockdiag(w, x, axis)` and `monarch(w1, w2, x, axis)`.
  std::optional<ValueRef> evalBlockTransform(const ast::CallExpr &call);
  /// Whether `size` satisfies `rule` (with `bound`, for AtMostLog2) when
  /// that is known when compiling; otherwise records the rule as a size
  /// constraint of the function, named `what` (along `axis`, -1 for none)
  /// at `loc`, and returns true. Reports nothing: the caller reports a
  /// literal size that fails (Constraints.cpp).
  bool requireSize(SizeRule rule, const Extent &size,
                   const std::optional<Extent> &bound, llvm::StringRef what,
                   int64_t axis, ast::SourceLoc loc);
  /// Whether the structured transform `name` takes `t` (rank 1 to 8),
  /// else an error at `loc`.
  bool checkTransformRank(const TensorType &t, ast::SourceLoc loc,
                          llvm::StringRef name);
  /// The extent of size expression `e`; an error at `loc` when invalid.
  std::optional<Extent> sizeExtent(SizeExprPtr e, ast::SourceLoc loc);
  /// The [blocks, rows, columns] of block weights `t`.
  std::optional<std::array<Extent, 3>>
  blockExtents(const TensorType &t, ast::SourceLoc loc, llvm::StringRef name);
  /// `causal_conv(u, k, axis)` (CausalConv.cpp).
  std::optional<ValueRef> evalCausalConv(const ast::CallExpr &call);
  /// Whether k's dimensions are u's last ones, each u's extent or 1, with
  /// `dim` (u's axis) among them; else an error at k.
  bool checkConvKernelShape(const ast::CallExpr &call, const TensorType &ut,
                            const TensorType &kt, int64_t dim);
  std::optional<ValueRef> evalEinsum(const ast::CallExpr &call);
  std::optional<TensorType> parseTypeArg(const ast::Expr &e);
  bool isProducerCall(const ast::Expr &e) const;
  std::optional<Extent> extentOfExpr(const ast::Expr &e);
  ValueRef addIndexArgument(const Extent &e, ast::SourceLoc loc);

  // State-space building blocks (StateSpace.cpp, Discretization.cpp,
  // SelectiveScan.cpp).
  /// The results of `hippo_*`, `discretize_*` or `selective_scan`.
  std::optional<std::vector<ValueRef>>
  evalStateSpace(const ast::CallExpr &call);
  /// `hippo_legs(N[, dtype])`, `hippo_legt` and `hippo_fourier`: A, B.
  std::optional<std::vector<ValueRef>> evalHippo(const ast::CallExpr &call);
  /// `discretize_zoh(A, B, dt)`, `discretize_bilinear`: Abar, Bbar.
  std::optional<std::vector<ValueRef>>
  evalDiscretize(const ast::CallExpr &call);
  /// The elementwise discretization of the diagonal systems `a` with
  /// inputs `b` and steps `dt` (a value, or the constant expression
  /// `dtConstant`).
  std::optional<std::vector<ValueRef>>
  discretizeDiagonal(const ast::CallExpr &call, ValueRef a, ValueRef b,
                     std::optional<ValueRef> dt, const ast::Expr *dtConstant);
  /// The statements of discretizeDiagonal (Synthesized.h), with `dt` read
  /// at A's first `dtRank` indices.
  std::optional<std::vector<ValueRef>>
  expandDiagonal(const ast::CallExpr &call, ValueRef a, ValueRef b,
                 std::optional<ValueRef> dt, size_t dtRank,
                 const ast::Expr *dtConstant);
  /// `ssm.discretize` of the dense system `a`, `b` with the step `dt`.
  std::optional<std::vector<ValueRef>>
  discretizeDense(const ast::CallExpr &call, ValueRef a, ValueRef b,
                  std::optional<ValueRef> dt, const ast::Expr *dtConstant);
  /// `selective_scan(u, delta, A, B, C[, D][, z][, delta_bias]
  /// [, delta_softplus])`.
  std::optional<ValueRef> evalSelectiveScan(const ast::CallExpr &call);
  /// Checks D, z, delta_bias and delta_softplus (arguments 6 to 9) into
  /// `args`; false after reporting an error.
  bool checkSelectiveScanOptions(const ast::CallExpr &call,
                                 SelectiveScanArgs &args);
  /// The statements of the selective scan `args` (SelectiveScan.cpp).
  std::optional<ValueRef> expandSelectiveScan(const ast::CallExpr &call,
                                              const SelectiveScanArgs &args);
  /// Whether `e` is a constant expression (literals, constants, `inf` and
  /// operators), which expansions copy rather than evaluate, so that it
  /// stays untyped like a literal written in their place.
  bool isConstantExpr(const ast::Expr &e) const;
  /// Binds `value` to the hidden name `<what.N>` (Synthesized.h) for the
  /// statements of an expansion, and records it in `hidden`.
  std::string bindHidden(const std::string &what, ValueRef value,
                         std::vector<std::string> &hidden);
  /// Analyzes the statement `s` that an expansion wrote like one of the
  /// program's (a recurrence when it reads itself); keeps `s` alive.
  std::optional<ValueRef>
  analyzeSynthesized(std::unique_ptr<ast::IndexAssignStmt> s);

  // Index discovery and ranges (Indices.cpp).
  bool hoistProducers(const ast::Expr &e);
  void collectSubscriptNames(
      const ast::Expr &e, std::vector<std::set<std::string>> &bound,
      std::vector<std::pair<std::string, ast::SourceLoc>> &out);
  bool resolveIndices(const ast::Expr &e,
                      std::vector<std::map<std::string, unsigned>> &scopes);
  bool resolveReducer(const ast::ReduceExpr &r,
                      std::vector<std::map<std::string, unsigned>> &scopes);
  void recordSubscriptNames(
      const ast::Expr &sub,
      const std::vector<std::map<std::string, unsigned>> &scopes);
  std::optional<unsigned>
  reversedIndex(const ast::Expr &sub, const Extent &dim,
                const std::vector<std::map<std::string, unsigned>> &scopes);
  void collectUsedIndices(const ast::Expr &e, std::set<unsigned> &used);
  bool recordExtent(unsigned idx, const Extent &ext, const std::string &origin,
                    ast::SourceLoc loc);
  bool recordRange(unsigned idx, const ast::Expr &lo, const ast::Expr &hi,
                   const std::string &origin, ast::SourceLoc loc);
  bool checkWhereRanges(const std::vector<ast::RangeClause> &ranges,
                        const std::map<std::string, unsigned> &top,
                        const std::vector<std::string> &lhs,
                        const ast::Expr &rhs);
  bool inferWholeValueLoops(const ast::Expr &rhs);
  bool checkAllRangesKnown(const std::map<std::string, unsigned> &top);

  // Contractions (Contractions.cpp).
  bool planTermSums(const ast::Expr &rhs, const std::vector<unsigned> &summed);
  std::optional<ValueRef>
  buildStatement(ast::SourceLoc loc, const std::vector<std::string> &lhs,
                 const std::vector<ast::SourceLoc> &lhsLocs,
                 const ast::Expr &rhs,
                 const std::vector<ast::RangeClause> &ranges);
  std::optional<ValueRef>
  finishStatement(ast::SourceLoc loc, const std::vector<std::string> &lhs,
                  const std::map<std::string, unsigned> &top,
                  const ast::Expr &rhs);
  /// Builds the nested contraction `kind[bound](body)` inside a contraction
  /// whose loops are `outer` and returns a read of its result. A body
  /// without a dtype of its own (`sum[j](j)`) is computed in i64 or f32 and
  /// its read stays weak.
  Typed buildReduction(const ast::Expr &body,
                       const std::vector<unsigned> &bound, ReduceKind kind,
                       ast::SourceLoc loc, Contraction &c,
                       const std::map<unsigned, unsigned> &outer);
  Typed lowerReduce(const ast::ReduceExpr &r, Contraction &c,
                    const std::map<unsigned, unsigned> &loopOf);
  Typed lowerSummedTerm(const ast::Expr &term,
                        const std::vector<unsigned> &summed, Contraction &c,
                        const std::map<unsigned, unsigned> &loopOf);
  Typed extentProduct(const std::vector<unsigned> &ids, ast::SourceLoc loc);

  // Scalar lowering (ScalarLowering.cpp).
  Typed lowerScalar(const ast::Expr &e, Contraction &c,
                    const std::map<unsigned, unsigned> &loopOf);
  Typed lowerName(const ast::NameExpr &n, Contraction &c,
                  const std::map<unsigned, unsigned> &loopOf);
  Typed lowerTensorRead(const ast::SubscriptExpr &s, Contraction &c,
                        const std::map<unsigned, unsigned> &loopOf);
  /// A read of the recurrence's own earlier element (Recurrences.cpp).
  Typed lowerPreviousState(const ast::SubscriptExpr &s, Contraction &c,
                           const std::map<unsigned, unsigned> &loopOf);
  Typed lowerLeafValue(ValueRef ref, ast::SourceLoc loc, Contraction &c,
                       const std::map<unsigned, unsigned> &loopOf);
  Typed lowerCallScalar(const ast::CallExpr &call, Contraction &c,
                        const std::map<unsigned, unsigned> &loopOf);
  std::optional<AffineSubscript>
  lowerSubscript(const ast::Expr &e, const std::map<unsigned, unsigned> &loopOf,
                 size_t numLoops);
  /// Adds `scale * x` to `s`, where `x` is part of the subscript `whole`.
  bool addSubscriptTerm(const ast::Expr &x, int64_t scale,
                        const ast::Expr &whole,
                        const std::map<unsigned, unsigned> &loopOf,
                        AffineSubscript &s);
  unsigned addOperand(Contraction &c, ValueRef v,
                      std::vector<AffineSubscript> subs);
  void checkConstantSubscript(const AffineSubscript &sub, const Extent &extent,
                              const ast::Expr &e, llvm::StringRef tensor,
                              size_t dim);

  // Values.
  ValueRef addValue(Value v);
  /// Adds the value computed by `c`, whose type follows from its body's
  /// dtype and its result loops.
  ValueRef addContraction(std::unique_ptr<Contraction> c, ast::SourceLoc loc);
  const TensorType &typeOf(ValueRef r) const {
    return out.values[r.id].types[r.result];
  }
  /// Binds `name` to `r`, and names the value if it has no name yet.
  void bindValue(const std::string &name, ValueRef r) {
    names[name] = Binding{Binding::Kind::Value, r, typeOf(r), {}};
    if (out.values[r.id].name.empty())
      out.values[r.id].name = name;
  }

  // Recurrences (Recurrences.cpp).
  /// Whether `s` defines a recurrence: its right-hand side reads `target`,
  /// which names no earlier value.
  bool isRecurrence(const ast::IndexAssignStmt &s) const;
  /// Checks and adds the recurrence `s`; false after reporting errors.
  std::optional<ValueRef> buildRecurrence(const ast::IndexAssignStmt &s);
  /// The value of the `init` clause of `s`, whose scan index is at
  /// `scanDim`: index notation over the other indices, or a value.
  std::optional<ValueRef> buildInitialState(const ast::IndexAssignStmt &s,
                                            unsigned scanDim);
  /// Whether `init` fits the state of the scan `state`: a scalar, or the
  /// state's type without the scan dimension.
  bool checkInitialState(const ast::IndexAssignStmt &s, ValueRef init,
                         ValueRef state);
  /// Records that a read of the recurrence's previous state steps along
  /// dimension `scanDim` (backwards with `reverse`); false after reporting
  /// that an earlier read stepped otherwise.
  bool recordScanStep(ast::SourceLoc loc, int scanDim, bool reverse);
  /// A read of a slice recurrence's previous state (SliceRecurrences.cpp):
  /// any subscripts but one step along the scan index.
  Typed lowerPreviousSlice(const ast::SubscriptExpr &s, Contraction &c,
                           const std::map<unsigned, unsigned> &loopOf);
  /// Makes the statement value `v` of the slice recurrence `s` (along
  /// dimension `scanDim`, reading the Previous value `previous`; values from
  /// `firstValue` on were made for it) a SliceScan: its step values, the
  /// types of the previous state; false after reporting errors.
  bool finishSliceRecurrence(const ast::IndexAssignStmt &s, unsigned scanDim,
                             unsigned previous, ValueRef v,
                             unsigned firstValue);

  /// The recurrence whose right-hand side is being lowered: its target, the
  /// contraction that computes one step, and the scan dimension and
  /// direction its reads of the previous state imply.
  struct RecurrenceState {
    std::string target;
    const Contraction *step = nullptr;
    int scanDim = -1;
    bool reverse = false;
    /// A slice recurrence (its step reads the previous state at other
    /// indices than its own): the scan index's name and the Previous value
    /// its reads refer to.
    bool slice = false;
    size_t rank = 0;
    std::string scanIndex;
    unsigned previous = 0;
  };
  std::optional<RecurrenceState> recurrence;
  /// The target of a recurrence whose right-hand side contains the
  /// producer being analyzed (reading it there is an error).
  std::string suspendedRecurrence;

  ModuleAnalyzer &m;
  const FnSignature &sig;
  Function &out;
  TypeRules types;
  std::map<std::string, Binding> names;
  bool returned = false;
  /// The statements that expansions of built-ins wrote (Synthesized.h):
  /// Sema keeps pointers into the statements it analyzes.
  std::vector<std::unique_ptr<ast::IndexAssignStmt>> synthesized;
  /// The hidden names bound so far, which numbers the next one.
  unsigned numHidden = 0;

  /// Per-statement state. Producers inside a statement (calls, softmax,
  /// einsum) are whole statements of their own, so the state is saved and
  /// restored around them.
  struct StatementState {
    std::vector<IndexInfo> indices;
    std::map<const ast::Expr *, unsigned> indexOfName;
    std::map<const ast::ReduceExpr *, std::vector<unsigned>> reducerBound;
    std::map<const ast::Expr *, ValueRef> hoisted;
    /// In whole-value mode, the loops a rank-N leaf is read through.
    std::vector<unsigned> implicitLoops;
    std::optional<std::vector<Extent>> implicitShape;
    /// Top-level terms that are summed on their own (Einstein's rule per
    /// term), with the indices each one sums.
    std::map<const ast::Expr *, std::vector<unsigned>> summedTerms;
    /// The extent a reversed subscript (`x[N - 1 - i]`) implies for an index.
    std::map<unsigned, Extent> reversedExtents;
  };
  StatementState st;
};

/// Resolves a name inside a dimension: a literal (a constant) or a symbol;
/// null after reporting why it is neither.
using SizeNameLookup = llvm::function_ref<SizeExprPtr(const ast::NameExpr &)>;

/// Lowers the dimension expression `e`: integer literals, names that
/// `lookup` resolves, + - * /, unary minus and log2(e). Reports anything else
/// at its location and returns null.
SizeExprPtr lowerSizeExpr(const ast::Expr &e, DiagnosticSink &diag,
                          SizeNameLookup lookup);

/// lowerSizeExpr, then the extent in canonical form; reports an expression
/// that is invalid whatever its symbols ("invalid dimension 'N / 0':
/// division by zero", "... it is always negative (-2)").
std::optional<Extent> lowerExtent(const ast::Expr &e, DiagnosticSink &diag,
                                  SizeNameLookup lookup);

/// Splits `rhs` into its additive terms: the operands of `+` and `-`,
/// through parentheses and unary minus (`-(a + b)` has the terms a and b).
void collectTerms(const ast::Expr &rhs, std::vector<const ast::Expr *> &terms);

/// Gives every Previous leaf of `e` the state's dtype `state`: a leaf that
/// its uses typed otherwise reads the state and converts it
/// (Recurrences.cpp).
void reconcilePrevious(ScalarExpr &e, DType state);

} // namespace sema
} // namespace tessera

#endif // TESSERA_FRONTEND_LIB_SEMA_ANALYZER_H
