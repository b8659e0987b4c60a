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
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
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
    NonNegative, ///< the index parameter `subject` is >= 0
    Literal,     ///< the dimension `subject` equals `literal`
    Symbol,      ///< `subject` equals the value at `binding` (of `symbol`)
  };
  Kind kind = Kind::Literal;
  SizeSource subject;
  int64_t literal = 0; ///< for Literal
  std::string symbol;  ///< for Symbol
  SizeSource binding;  ///< for Symbol
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
///   3. each output buffer dim equals its literal or its symbol's binding.
/// An entry returns 0 on success, or i + 1 when check i (0-based) is the
/// first one that fails.
std::vector<SizeCheck> computeSizeChecks(const EntrySignature &sig);

/// The message for a nonzero status returned by an entry, or a generic text
/// for a status outside the check list.
std::string describeEntryStatus(const EntrySignature &sig, int32_t status);

/// Binds every size symbol from actual argument shapes. `paramShapes` has one
/// shape per *tensor* parameter and `indexValues` one value per *index*
/// parameter, each in parameter order. Fails with a message naming the
/// symbol and both sizes, e.g. "size mismatch for K: a has 3 (dim 1) but b
/// has 4 (dim 0)", or naming the rank or literal that does not match.
/// Symbols that occur only in results are left unbound.
llvm::Expected<std::map<std::string, int64_t>>
bindSizes(const EntrySignature &sig,
          llvm::ArrayRef<llvm::ArrayRef<int64_t>> paramShapes,
          llvm::ArrayRef<int64_t> indexValues);

/// The shape of every result, given the bindings from bindSizes. Fails if a
/// result dim names a symbol that is not bound.
llvm::Expected<std::vector<std::vector<int64_t>>>
resultShapes(const EntrySignature &sig,
             const std::map<std::string, int64_t> &bindings);

} // namespace tessera

#endif // TESSERA_RUNTIME_ENTRYABI_H
