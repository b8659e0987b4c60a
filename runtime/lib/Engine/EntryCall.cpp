//===- EntryCall.cpp - Calling compiled entries on caller memory ----------===//

#include "tessera/Runtime/EntryCall.h"

#include "tessera/Runtime/EntryABI.h"

#include "llvm/Support/MathExtras.h"

using namespace tessera;

void tessera::appendMemRefDescriptor(const void *data,
                                     llvm::ArrayRef<int64_t> shape,
                                     llvm::SmallVectorImpl<int64_t> &out) {
  auto pointer = static_cast<int64_t>(reinterpret_cast<intptr_t>(data));
  out.append({pointer, pointer, 0});
  out.append(shape.begin(), shape.end());
  // Every stride of a tensor with elements divides its element count, which
  // fits; with a zero extent a stride may not, and no element is addressed.
  size_t first = out.size();
  out.append(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    if (llvm::MulOverflow(out[first + d], shape[d], out[first + d - 1]))
      out[first + d - 1] = 0;
}

llvm::Error tessera::callEntry(const CompiledEntry &entry,
                               const EntrySignature &sig,
                               llvm::ArrayRef<TensorView> tensorParams,
                               llvm::ArrayRef<int64_t> indexParams,
                               llvm::ArrayRef<TensorView> results,
                               int32_t *statusOut) {
  // args[i] points at the i-th argument of _tess_errinfo_<name> (or of
  // _mlir_ciface_<name>): a pointer to a descriptor for a memref, the value
  // itself for an index, the record pointer last. Descriptors are laid out
  // one after another in `words`, sized up front so that it never moves.
  size_t numArgs =
      sig.params.size() + sig.results.size() + entry.hasErrorRecord;
  size_t numWords = 0;
  for (const TensorView &view : tensorParams)
    numWords += 3 + 2 * view.shape.size();
  for (const TensorView &view : results)
    numWords += 3 + 2 * view.shape.size();
  llvm::SmallVector<int64_t, 64> words;
  words.reserve(numWords);
  llvm::SmallVector<void *, 16> descriptorPointers(numArgs, nullptr);
  llvm::SmallVector<int64_t, 8> indexValues(indexParams.begin(),
                                            indexParams.end());
  llvm::SmallVector<void *, 16> args(numArgs + 1, nullptr);
  auto addDescriptor = [&](size_t i, const TensorView &view) {
    size_t at = words.size();
    appendMemRefDescriptor(view.data, view.shape, words);
    descriptorPointers[i] = words.data() + at;
    args[i] = &descriptorPointers[i];
  };
  unsigned tensorIndex = 0, indexIndex = 0;
  for (auto [i, param] : llvm::enumerate(sig.params)) {
    if (param.kind == ValueSpec::Kind::Index)
      args[i] = &indexValues[indexIndex++];
    else
      addDescriptor(i, tensorParams[tensorIndex++]);
  }
  for (size_t r = 0; r != results.size(); ++r)
    addDescriptor(sig.params.size() + r, results[r]);
  EntryErrorRecord record;
  void *recordPointer = &record;
  if (entry.hasErrorRecord)
    args[numArgs - 1] = &recordPointer;
  int32_t status = -1;
  args[numArgs] = &status;

  entry.packed(args.data());
  if (statusOut)
    *statusOut = status;
  if (status != 0)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        sig.name + ": " +
            describeEntryError(sig, status,
                               entry.hasErrorRecord ? &record : nullptr));
  return llvm::Error::success();
}
