//===- EntryABI.h - Size binding and checking of entry calls ----*- C++ -*-===//
//
// The size rules of an entry's calling convention, as plain data: which
// argument binds each size symbol, and the ordered list of checks that a
// compiled entry performs before it runs (its nonzero return code is the
// 1-based position of the first failing check in that list). The same rules
// bind sizes on the host before a JIT call and compute the result shapes the
// caller must allocate. No MLIR here: the pass that emits the checks, the JIT
// invoker and the C header generator all share this one definition.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_ENTRYABI_H
#define TESSERA_RUNTIME_ENTRYABI_H

#include "tessera/Runtime/Signature.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tessera {

/// A runtime integer an entry can read: a dimension of a tensor parameter, the
/// value of an index parameter, or a dimension of an output buffer.
struct SizeSource {
  enum class Kind { ParamDim, IndexParam, ResultDim };
  Kind kind = Kind::ParamDim;
  /// Position in EntrySignature::params (ParamDim, IndexParam) or
  /// EntrySignature::results (ResultDim).
  unsigned position = 0;
  /// Dimension (ParamDim, ResultDim); 0 for IndexParam.
  unsigned dim = 0;
};

/// Where a size symbol takes its value: its first occurrence, scanning the
/// parameters in order and each tensor's dims in order (an index parameter
/// `L: index` binds `L`). A symbol that occurs only in results is bound by
/// the first output buffer dimension that names it.
struct SizeBinding {
  std::string symbol;
  SizeSource source;
};

/// One runtime check of an entry.
struct SizeCheck {
  enum class Kind {
    NonNegative,     ///< the index parameter `subject` is >= 0
    Literal,         ///< the dimension `subject` equals `literal`
    Symbol,          ///< `subject` equals the value at `binding` (of `symbol`)
    DivisorNonZero,  ///< the divisor of step `step` of `expr` is not 0
    Log2Exact,       ///< the operand of step `step` of `expr` is a power of 2
    ExprNonNegative, ///< `expr` is >= 0
    Expr,            ///< `subject` equals the value of `expr`
    Constraint,      ///< `expr` satisfies `rule` (with `bound`: SizeRules.h)
  };
  Kind kind = Kind::Literal;
  /// The dimension or index parameter checked (NonNegative, Literal, Symbol,
  /// Expr; the dimension of the expression for its DivisorNonZero,
  /// Log2Exact and ExprNonNegative checks); unused for a constraint's.
  SizeSource subject;
  int64_t literal = 0; ///< for Literal
  std::string symbol;  ///< for Symbol
  SizeSource binding;  ///< for Symbol
  /// For the last five kinds: the steps of the dimension's or constraint's
  /// expression (or of a constraint's bound, for the checks of its
  /// validity), whose symbols take their values from computeSizeBindings.
  std::vector<SizeOp> expr;
  unsigned step = 0; ///< for DivisorNonZero and Log2Exact: a step of `expr`
  SizeRule rule = SizeRule::PowerOfTwo; ///< for Constraint
  std::vector<SizeOp> bound;            ///< for Constraint with AtMostLog2
  /// Human-readable failure message, e.g. "size symbol K: parameter 'b'
  /// dim 0 does not match parameter 'a' dim 1".
  std::string message;
};

/// Describes a source in words: "parameter 'a' dim 1", "index parameter
/// 'L'", "output 'result0' dim 0".
std::string describeSizeSource(const EntrySignature &sig,
                               const SizeSource &source);

/// The binding of every size symbol of `sig`, in order of first occurrence.
std::vector<SizeBinding> computeSizeBindings(const EntrySignature &sig);

/// The ordered checks an entry performs:
///   1. every index parameter is >= 0 (in parameter order);
///   2. scanning tensor parameters in order, dims in order (and index
///      parameters at their position): each literal dim equals its literal,
///      and each further occurrence of a symbol equals its binding;
///   3. each expression dim of a parameter, in the same order: its divisors
///      are not 0 and its log2 operands are powers of two, and its value is
///      >= 0 (once per distinct expression, and only the checks that can
///      fail: not for a literal divisor, nor the sign of an expression
///      without `-`), then the dim equals it;
///   4. each size constraint of `sig.constraints`, in order: the divisors and
///      log2 operands of its expression (and bound) as in 3, then its rule;
///   5. each output buffer dim equals its literal, its symbol's binding or
///      its expression (checked as in 3).
/// An entry returns 0 on success, or i + 1 when check i (0-based) is the
/// first one that fails.
std::vector<SizeCheck> computeSizeChecks(const EntrySignature &sig);

/// The fixed message of a constraint's check: "fwht length N along axis 1
/// (f.tess:3:10) must be 2^k or 12, 20, 28 or 40 times 2^k", "butterfly
/// factor count F along axis 0 (f.tess:4:7) must be at most log2(N)"; with
/// `value` after the expression (" = 100", from bindSizes) and `boundValue`
/// after the bound (" with N = 8").
std::string describeSizeConstraint(const SizeConstraint &constraint,
                                   llvm::StringRef value = "",
                                   llvm::StringRef boundValue = "");

/// The message for a nonzero status returned by an entry: the failed size
/// check's message, a generic text for kStatusTooLarge and
/// kStatusOutOfMemory (describeEntryError names the tensor), or a generic
/// text for a status outside the check list.
std::string describeEntryStatus(const EntrySignature &sig, int32_t status);

/// Status codes an entry returns besides 0 (success) and the 1-based
/// numbers of its size checks. Both come with an error record
/// (EntryErrorRecord) naming the tensor.
///
/// A tensor's element count or byte size does not fit in int64_t.
inline constexpr int32_t kStatusTooLarge = -1;
/// The allocation of an intermediate tensor failed.
inline constexpr int32_t kStatusOutOfMemory = -2;

/// The unit attribute tess-expose-entries puts on an exported entry whose
/// last argument is an error record pointer (`!llvm.ptr`) and whose one
/// result is the i32 status; tess-check-allocations and translateToLLVMIR
/// read it. Not in the `tess.` namespace: it is no part of the tess dialect
/// and stays on the LLVM dialect functions for the code generator.
inline constexpr llvm::StringLiteral kErrorRecordAttrName =
    "tessera.error_record";

/// How many extents an error record holds; higher dimensions are left out.
inline constexpr unsigned kErrorRecordMaxRank = 8;

/// What an entry writes through its error record argument (the last argument
/// of `_tess_errinfo_<name>`, when not null) before it returns
/// kStatusTooLarge or kStatusOutOfMemory; other statuses leave the record
/// alone. The C header declares the same layout as `tessera_error`, and the
/// pass that writes it uses the offsets of this struct. Strings are constants
/// of the compiled code: they live as long as it stays loaded.
struct EntryErrorRecord {
  int32_t status = 0; ///< the entry's return value
  int32_t rank = 0;   ///< rank of the tensor (may exceed kErrorRecordMaxRank)
  /// The tensor: "parameter 'q'", "output 'o'", "intermediate 's'".
  const char *what = nullptr;
  /// Where the source defines it ("attention.tess:3:3"), or "".
  const char *where = nullptr;
  /// Its element type, spelled as in Tessera ("f32").
  const char *dtype = nullptr;
  /// The bytes asked for, or -1 when they do not fit in int64_t.
  int64_t bytes = 0;
  /// Its first min(rank, kErrorRecordMaxRank) extents.
  int64_t shape[kErrorRecordMaxRank] = {};
};

/// "f32[2, 3]": a dtype spelling and extents; "..." stands for extents past
/// `shape.size()` up to `rank`.
std::string formatTensorShape(llvm::StringRef dtype,
                              llvm::ArrayRef<int64_t> shape, int64_t rank);

/// The message for a tensor whose element count or byte size does not fit in
/// int64_t: "intermediate 's' of shape f32[1, 1, 2^62, 2^62] has 2^124
/// elements: too large (defined at f.tess:3:3)" (extents in full). `where`
/// may be empty; `rank` may exceed `shape.size()`.
std::string describeTooLarge(llvm::StringRef what, llvm::StringRef where,
                             llvm::StringRef dtype,
                             llvm::ArrayRef<int64_t> shape, int64_t rank);

/// The message for an allocation that failed: "cannot allocate 1024 bytes
/// for intermediate 's' of shape f32[16, 16] (defined at f.tess:3:3): out of
/// memory".
std::string describeOutOfMemory(llvm::StringRef what, llvm::StringRef where,
                                llvm::StringRef dtype,
                                llvm::ArrayRef<int64_t> shape, int64_t rank,
                                int64_t bytes);

/// The message for a nonzero status of `sig` with the record the entry
/// filled (`record` may be null: then as describeEntryStatus).
std::string describeEntryError(const EntrySignature &sig, int32_t status,
                               const EntryErrorRecord *record);

/// The number of bytes of a dense tensor of `dtype` and `shape`, or
/// std::nullopt when a dimension is negative or the element count or byte
/// size does not fit in int64_t. A shape with a zero extent has 0 bytes
/// whatever its other extents.
std::optional<int64_t> computeTensorBytes(DType dtype,
                                          llvm::ArrayRef<int64_t> shape);

/// Host-side size check of a tensor passed to an entry: fails with
/// describeTooLarge's message (`what` is e.g. "parameter 'q'") when
/// computeTensorBytes fails.
llvm::Error checkTensorSize(llvm::StringRef what, DType dtype,
                            llvm::ArrayRef<int64_t> shape);

/// Binds every size symbol from actual argument shapes, then checks every
/// expression dim of the parameters against its value. `paramShapes` has one
/// shape per *tensor* parameter and `indexValues` one value per *index*
/// parameter, each in parameter order. Fails with a message naming the
/// symbol and both sizes, e.g. "size mismatch for K: a has 3 (dim 1) but b
/// has 4 (dim 0)", "size mismatch for N / 2 + 1: y has 4 (dim 1) but
/// N / 2 + 1 = 5 with N = 8", "size error for y (dim 0): log2(N) with
/// N = 12: 12 is not a power of two", or naming the rank or literal that does
/// not match. Then checks the size constraints, e.g. "fwht length N = 100
/// along axis 1 (f.tess:3:10) must be 2^k or 12, 20, 28 or 40 times 2^k".
/// Symbols that occur only in results are left unbound.
llvm::Expected<std::map<std::string, int64_t>>
bindSizes(const EntrySignature &sig,
          llvm::ArrayRef<llvm::ArrayRef<int64_t>> paramShapes,
          llvm::ArrayRef<int64_t> indexValues);

/// The shape of every result, given the bindings from bindSizes. Fails if a
/// result dim names a symbol that is not bound, or if its expression has no
/// value or a negative one.
llvm::Expected<std::vector<std::vector<int64_t>>>
resultShapes(const EntrySignature &sig,
             const std::map<std::string, int64_t> &bindings);

} // namespace tessera

#endif // TESSERA_RUNTIME_ENTRYABI_H
