//===- Codegen.h - LLVM dialect to machine code -----------------*- C++ -*-===//
//
// The back half of the CPU road: an LLVM-dialect module (the output of
// tessera::buildTesseraCPUPipeline) becomes an LLVM IR module for the host,
// gets one packed wrapper per entry, is optimized at -O0..-O3, and is
// emitted as textual IR, assembly or an object file, which the LLVM clang
// driver links into a shared library. The JIT (JITSession.h) consumes the
// same optimized modules.
//
// Target: every module is compiled for the host: the process triple, the
// host CPU name and its features (sys::getHostCPUName/getHostCPUFeatures).
// AOT objects therefore run on machines with the build host's CPU features
// or a superset; they are position independent so they can go into a
// shared library.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_CODEGEN_H
#define TESSERA_RUNTIME_CODEGEN_H

#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>
#include <vector>

namespace tessera {

/// Prefix of the C-interface function of entry `name` (MLIR's convention).
inline constexpr llvm::StringLiteral kCInterfacePrefix = "_mlir_ciface_";
/// Prefix of the packed wrapper `void _tess_packed_<name>(void **args)`.
inline constexpr llvm::StringLiteral kPackedPrefix = "_tess_packed_";
/// Prefix of `int32_t _tess_errinfo_<name>(..., tessera_error *error)`, the
/// C interface with an error record (docs/abi.md).
inline constexpr llvm::StringLiteral kErrorInfoPrefix = "_tess_errinfo_";

/// Initializes the native target, its asm printer and asm parser (once per
/// process; later calls do nothing).
void initializeNativeTarget();

/// A TargetMachine for the host (see the file comment), position
/// independent, with codegen optimization matching `optLevel` (0-3).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createHostTargetMachine(unsigned optLevel);

/// Translates `module` (LLVM dialect only) to LLVM IR in `context`, sets the
/// triple and data layout of `targetMachine`, splits each C interface marked
/// `tessera.error_record` into `_tess_errinfo_<name>` (with the record) and
/// `_mlir_ciface_<name>` (without it, passing null), gives the bodies behind
/// each `_mlir_ciface_<name>` internal linkage (only the C interfaces and
/// the packed wrapper are exported, so an entry named like a libc function
/// cannot interpose it), and adds the packed wrappers. Registers the
/// builtin and LLVM dialect translations on the module's context.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  const llvm::TargetMachine &targetMachine);

/// For every defined function `_mlir_ciface_<name>` in `module` that has no
/// wrapper yet, adds `void _tess_packed_<name>(void **args)`: args[i] points at
/// the i-th argument of the C interface function (a descriptor pointer for a
/// memref, an int64_t for an index, the error record pointer last when the
/// entry has `_tess_errinfo_<name>`, which the wrapper then calls) and, if it
/// returns a value, the last slot points at where to store it (an int32_t
/// status for entries). Returns the
/// entry names wrapped, in module order. translateToLLVMIR already calls
/// it, so its callers need not (and a second call wraps nothing).
std::vector<std::string> addPackedEntryWrappers(llvm::Module &module);

/// Runs LLVM's default optimization pipeline for `optLevel` (0-3) with the
/// new pass manager, with loop and SLP vectorization at 2 and above.
llvm::Error optimizeLLVMModule(llvm::Module &module,
                               llvm::TargetMachine &targetMachine,
                               unsigned optLevel);

/// Textual LLVM IR of `module`.
std::string printLLVMIR(const llvm::Module &module);

/// What emitMachineCode produces.
enum class MachineCodeKind { Assembly, Object };

/// Emits `module` as assembly or an object file through `targetMachine`.
/// Works on a copy, so `module` is unchanged and can be emitted again.
llvm::Error emitMachineCode(const llvm::Module &module,
                            llvm::TargetMachine &targetMachine,
                            MachineCodeKind kind, llvm::raw_pwrite_stream &os);

/// emitMachineCode into the file `path`.
llvm::Error writeMachineCodeFile(const llvm::Module &module,
                                 llvm::TargetMachine &targetMachine,
                                 MachineCodeKind kind, llvm::StringRef path);

/// The LLVM clang driver used to link shared libraries (configured by
/// CMake; /usr/lib/llvm-22/bin/clang on Debian).
llvm::StringRef getClangDriverPath();

/// Links the object file `objectPath` into the shared library `outPath`
/// with `clang -shared -o outPath objectPath libTesseraKernels.a -fopenmp -lm`
/// (the runtime kernels that compiled code calls, and libomp). The error
/// carries the driver's output when it fails.
llvm::Error linkSharedLibrary(llvm::StringRef objectPath,
                              llvm::StringRef outPath);

} // namespace tessera

#endif // TESSERA_RUNTIME_CODEGEN_H
