//===- EntryCall.h - Calling compiled entries on caller memory --*- C++ -*-===//
//
// The last step of every call of a compiled entry: memref descriptors for the
// arguments and results, the packed wrapper's argument array, the status and
// error record. Light on purpose (no ORC): the driver's Compiler hands out a
// CompiledEntry and embedders (capi/) call it on their own arrays.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_ENTRYCALL_H
#define TESSERA_RUNTIME_ENTRYCALL_H

#include "tessera/Runtime/DType.h"
#include "tessera/Runtime/Signature.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <cstdint>

namespace tessera {

/// A dense row-major tensor in memory its caller owns (an embedder's array):
/// what callEntry passes to compiled code without copying.
struct TensorView {
  void *data = nullptr;
  DType dtype = DType::F32;
  llvm::ArrayRef<int64_t> shape;
};

/// The compiled code of an entry, ready to call: its packed wrapper
/// `_tess_packed_<name>` and whether it takes an error record.
struct CompiledEntry {
  void (*packed)(void **) = nullptr;
  bool hasErrorRecord = false;
};

/// Runs `entry` (of signature `sig`) on `tensorParams` (one per tensor
/// parameter), `indexParams` (one per index parameter) and `results` (one
/// per result), each in order. Nothing is checked on the host: the caller has
/// checked dtypes, ranks and byte sizes and bound the sizes (bindSizes), and
/// `results` have the shapes resultShapes gives. A nonzero status of the
/// entry (a failed runtime check, an intermediate too large or out of memory)
/// comes back as an error with describeEntryError's message; `status`, when
/// not null, receives it.
llvm::Error callEntry(const CompiledEntry &entry, const EntrySignature &sig,
                      llvm::ArrayRef<TensorView> tensorParams,
                      llvm::ArrayRef<int64_t> indexParams,
                      llvm::ArrayRef<TensorView> results,
                      int32_t *status = nullptr);

/// Appends the memref descriptor of a dense row-major tensor at `data` with
/// `shape` to `out`: {allocated ptr, aligned ptr, offset, sizes, strides} as
/// 64-bit words, both pointers `data`. A stride that does not fit in int64_t
/// (only with a zero extent, when no element is addressed) is 0.
void appendMemRefDescriptor(const void *data, llvm::ArrayRef<int64_t> shape,
                            llvm::SmallVectorImpl<int64_t> &out);

} // namespace tessera

#endif // TESSERA_RUNTIME_ENTRYCALL_H
