//===- CAPIImpl.h - The objects behind tessera/tessera.h --------*- C++ -*-===//
//
// What the C API's opaque handles are: a context shares one thread pool among
// the compilers of its modules; a module keeps its source and the signatures
// its front end read; a function keeps, per set of sizes it was called with,
// the compiler that generated code for those sizes.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CAPI_LIB_CAPIIMPL_H
#define TESSERA_CAPI_LIB_CAPIIMPL_H

#include "tessera/tessera.h"

#include "tessera/Driver/Compiler.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

/// A failure: a status, its message and, for compile errors, diagnostics.
struct tessera_failure {
  tessera_status status = TESSERA_OK;
  std::string message;
  std::vector<tessera::DiagnosticRecord> diagnostics;
};

/// Reference counted: the caller's reference (tessera_context_destroy drops
/// it) and one per module, so that a context outlives its modules whatever
/// the order they are destroyed in.
struct tessera_context {
  std::unique_ptr<llvm::ThreadPoolInterface> threadPool;
  std::atomic<size_t> references{1};

  /// Drops a reference; the last one frees the context.
  void release() {
    if (references.fetch_sub(1, std::memory_order_acq_rel) == 1)
      delete this;
  }
};

namespace tessera::capi {

/// Where a Compiler's diagnostics go: their printed text and the records.
/// It must outlive the Compiler that reports into it.
struct DiagnosticSink {
  std::string text;
  llvm::raw_string_ostream stream{text};
  std::vector<DiagnosticRecord> records;

  /// `options` reporting into this sink.
  void attach(CompilerOptions &options);
  /// Stores what was reported into `*error` (when not null) as a failure
  /// with `status`; the message is `fallback` when nothing was reported.
  /// Returns `status`.
  tessera_status toError(tessera_failure **error, tessera_status status,
                         const llvm::Twine &fallback);
};

/// Code generated for one set of sizes of one function.
struct Specialization {
  /// Declared before `compiler`, which reports into it, to outlive it.
  std::unique_ptr<DiagnosticSink> sink;
  std::unique_ptr<Compiler> compiler;
  CompiledEntry entry;
  /// When it was last used (a per-function counter), for eviction.
  uint64_t lastUse = 0;
};

/// The most sizes a function keeps code for; the least recently used goes.
inline constexpr size_t kMaxSpecializations = 32;

/// The spelled dims of one parameter or result (strings and the pointers
/// tessera_value_info hands out).
struct SpelledValue {
  std::vector<std::string> dims;
  std::vector<const char *> dimPointers;
};

/// Stores `status` and `message` into `*error` when `error` is not null.
/// Returns `status`.
tessera_status fail(tessera_failure **error, tessera_status status,
                    const llvm::Twine &message);

} // namespace tessera::capi

struct tessera_function {
  tessera_module *module = nullptr;
  tessera::EntrySignature signature;
  std::string signatureText;
  std::vector<tessera::capi::SpelledValue> params, results;

  /// Guards `specializations` and `useCounter`.
  mutable std::mutex mutex;
  /// Keyed by the values of the bound size symbols, in symbol order.
  mutable std::map<std::vector<int64_t>,
                   std::shared_ptr<tessera::capi::Specialization>>
      specializations;
  mutable uint64_t useCounter = 0;
};

struct tessera_module {
  /// Holds a reference (released by the destructor).
  tessera_context *context = nullptr;
  std::string name;
  std::string source;
  unsigned optLevel = 2;
  std::vector<std::unique_ptr<tessera_function>> functions;
  /// Serializes code generation (each Compiler is single-threaded; the pass
  /// threads are shared anyway).
  std::mutex compileMutex;

  explicit tessera_module(tessera_context *context) : context(context) {
    context->references.fetch_add(1, std::memory_order_relaxed);
  }
  ~tessera_module() {
    // The functions' compilers use the context's threads: they go first.
    functions.clear();
    context->release();
  }
  tessera_module(const tessera_module &) = delete;
  tessera_module &operator=(const tessera_module &) = delete;

  /// A Compiler for this module's source with `options`, its diagnostics
  /// going to `sink`, loaded; null when the source has errors (they are in
  /// `sink`).
  std::unique_ptr<tessera::Compiler>
  load(tessera::CompilerOptions options,
       tessera::capi::DiagnosticSink &sink) const;
};

#endif // TESSERA_CAPI_LIB_CAPIIMPL_H
