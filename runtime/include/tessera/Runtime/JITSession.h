//===- JITSession.h - In-process compilation of entries ---------*- C++ -*-===//
//
// One ORC LLJIT instance per session. Modules are added incrementally, each
// under its own ResourceTracker (as clang-repl does), so a REPL can remove a
// module and add a new definition of the same entry later. Symbols of the
// process (libc, libm) resolve in JIT'd code.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_JITSESSION_H
#define TESSERA_RUNTIME_JITSESSION_H

#include "tessera/Runtime/EntryCall.h"
#include "tessera/Runtime/HostTensor.h"
#include "tessera/Runtime/Signature.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <memory>

namespace tessera {

/// A JIT'd module's handle: removing it unloads exactly that module.
using JITModuleHandle = llvm::orc::ResourceTrackerSP;

class JITSession {
public:
  /// Creates a session for the host (same triple, CPU and features as
  /// createHostTargetMachine), generating code at `optLevel` (0-3).
  static llvm::Expected<std::unique_ptr<JITSession>>
  create(unsigned optLevel = 2);

  JITSession(const JITSession &) = delete;
  JITSession &operator=(const JITSession &) = delete;
  ~JITSession();

  /// The data layout modules must have (translateToLLVMIR with a host
  /// target machine sets it).
  const llvm::DataLayout &getDataLayout() const;

  /// Adds `module` (with the context that owns it) under a new resource
  /// tracker. Its symbols become visible to lookup and to later modules.
  llvm::Expected<JITModuleHandle>
  addModule(std::unique_ptr<llvm::Module> module,
            std::unique_ptr<llvm::LLVMContext> context);

  /// Removes the code and symbols of the module behind `handle`.
  llvm::Error removeModule(JITModuleHandle handle);

  /// The address of the symbol `name` (unmangled), compiling on demand.
  llvm::Expected<void *> lookup(llvm::StringRef name);

  /// The underlying LLJIT, for advanced uses.
  llvm::orc::LLJIT &getLLJIT() { return *jit; }

private:
  explicit JITSession(std::unique_ptr<llvm::orc::LLJIT> jit);
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

/// Looks up the compiled code of the entry `name` (compiling it on demand).
llvm::Expected<CompiledEntry> lookupEntry(JITSession &session,
                                          llvm::StringRef name);

/// Calls the JIT'd entry `sig` through `_tess_packed_<name>`. `tensorParams`
/// has one tensor per tensor parameter and `indexParams` one value per
/// index parameter, each in parameter order. Checks dtypes, ranks and sizes
/// on the host first (every tensor has data and a byte size that fits;
/// bindSizes: errors name the symbol and both sizes), allocates `results`
/// (which must have one slot per result; whatever the slots held is
/// replaced) once each, with the shapes the signature implies (a result that
/// cannot be allocated is an error naming it), runs the entry with an error
/// record and turns a nonzero status into an error carrying the failed
/// check's message or describeEntryError's (an intermediate too large or
/// that could not be allocated, named with its shape and bytes).
llvm::Error invokeEntry(JITSession &session, const EntrySignature &sig,
                        llvm::ArrayRef<const HostTensor *> tensorParams,
                        llvm::ArrayRef<int64_t> indexParams,
                        llvm::MutableArrayRef<HostTensor> results);

/// The memref descriptor of `tensor` as MLIR lays it out for rank R:
/// {allocated ptr, aligned ptr, offset, sizes[R], strides[R]}, as 64-bit
/// words; both pointers are the tensor's data, the strides row-major. A
/// stride that does not fit in int64_t (only with a zero extent, when no
/// element is addressed) is 0.
std::vector<int64_t> makeMemRefDescriptor(const HostTensor &tensor);

} // namespace tessera

#endif // TESSERA_RUNTIME_JITSESSION_H
