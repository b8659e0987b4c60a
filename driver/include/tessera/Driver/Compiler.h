//===- Compiler.h - The one pipeline behind every tool ----------*- C++ -*-===//
//
// `tessera::Compiler` is the library API that tessc, tess-run, the REPL and
// embedders share: source -> AST -> Sema -> tess dialect -> LLVM dialect ->
// LLVM IR -> object / shared library / JIT. It is the top library layer (the
// driver/ folder): it uses the front end, the passes, the dialects and the
// runtime, and nothing below it includes it. Diagnostics from every stage go
// through one MLIR diagnostic handler over one llvm::SourceMgr, so they all
// print as `file:line:col: error: message` with the source line and a caret.
//
// The entry signatures it hands out (for the C header, the JIT and callers)
// are read from the module MLIRGen produced, with collectEntrySignatures
// (tessera/Transforms/EntrySignature.h): the same `tess.*` attributes that
// tess-expose-entries compiles into the entries' checks.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DRIVER_COMPILER_H
#define TESSERA_DRIVER_COMPILER_H

#include "tessera/Runtime/EntryCall.h"
#include "tessera/Runtime/HostTensor.h"
#include "tessera/Runtime/Signature.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class ThreadPoolInterface;
} // namespace llvm

namespace tessera {

class JITSession;

/// What `Compiler::emit` produces.
enum class EmitKind {
  AST,      ///< the parsed AST, as a tree
  MLIR,     ///< the tess-dialect module (after canonicalization)
  Lowered,  ///< the module lowered to MLIR's LLVM dialect
  LLVM,     ///< textual LLVM IR
  Assembly, ///< native assembly
  Object,   ///< a relocatable object file
  Library,  ///< a shared library plus a C header (OUT.so and OUT.h)
};

/// One diagnostic as data, for embedders that show diagnostics their own way
/// (CompilerOptions::diagnosticCallback): where it is and what it says.
struct DiagnosticRecord {
  enum class Severity { Error, Warning, Note, Remark };
  Severity severity = Severity::Error;
  /// The file (or buffer name) it points into; empty when it has no location.
  std::string file;
  /// 1-based; 0 when it has no location.
  unsigned line = 0, column = 0;
  std::string message;
};

/// How a Compiler compiles and reports.
struct CompilerOptions {
  /// -O0 .. -O3.
  unsigned optLevel = 2;
  /// Check `expected-error {{...}}` annotations instead of printing
  /// diagnostics (like mlir-opt -verify-diagnostics).
  bool verifyDiagnostics = false;
  /// Stop after parsing (for --emit=ast): no Sema, no code generation.
  bool stopAfterParse = false;
  /// Time every phase (parse, Sema, MLIRGen, each pass of the pipeline, LLVM
  /// translation, optimization and code generation) and print the tree of
  /// timings to the diagnostic stream when the Compiler is destroyed
  /// (tessc --mlir-timing).
  bool timing = false;
  /// Extents of size symbols (name -> extent) that contraction planning
  /// (tess-plan-contractions) assumes; others are assumed to be 64. `run`
  /// adds the sizes of its first call's arguments that have no hint before
  /// it compiles, so the JIT plans for the sizes it runs with (tessc and
  /// tess-run --size-hint; see addSizeHint).
  std::map<std::string, int64_t> sizeHints;
  /// Print, as a remark at each contraction, the pairwise order planned
  /// for it, each step's shape and estimated cost (tessc --explain). Only
  /// when optimizing (optLevel > 0).
  bool explain = false;
  /// Where diagnostics are printed.
  llvm::raw_ostream *diagnosticStream = nullptr; ///< default: llvm::errs()
  /// Called with every diagnostic (its notes follow it as records of their
  /// own) as it is reported, besides printing it.
  std::function<void(const DiagnosticRecord &)> diagnosticCallback;
  /// A JIT session shared with other Compilers (the REPL's), which must
  /// outlive this one; null: the Compiler creates its own. The module goes
  /// in under its own resource tracker and is removed with the Compiler.
  /// Only entries compiled alone (compileOnly) can share one: the others
  /// would define the same symbols twice.
  JITSession *sharedJIT = nullptr;
  /// Threads for the passes shared with other Compilers (the REPL's, whose
  /// cached cells would each keep idle threads of their own); it must
  /// outlive this Compiler. Null: the Compiler's MLIRContext has its own.
  llvm::ThreadPoolInterface *threadPool = nullptr;
};

/// Where the text of a loaded source came from, for a source put together
/// from pieces of others (the REPL's module of cells): diagnostics and the
/// operations' locations point into those instead.
class SourceMap {
public:
  /// Declares the text of `file` (to print its lines under diagnostics).
  void addFile(llvm::StringRef file, llvm::StringRef text);
  /// Declares that from `line`:`col` of the loaded source on, to the end of
  /// that line, the text is that of `file` from `fileLine`:`fileCol` on.
  /// Pieces are added in source order.
  void addPiece(unsigned line, unsigned col, llvm::StringRef file,
                unsigned fileLine, unsigned fileCol);

  /// A position in the original files.
  struct Position {
    std::string file;
    unsigned line, col;
  };
  /// Where `line`:`col` of the loaded source came from: the last piece at or
  /// before it on its line (columns carried over), else the last piece
  /// before it; nullopt before every piece.
  std::optional<Position> lookup(unsigned line, unsigned col) const;

  /// The declared files, name and text.
  const std::vector<std::pair<std::string, std::string>> &getFiles() const {
    return files;
  }

private:
  struct Piece {
    unsigned line, col;
    std::string file;
    unsigned fileLine, fileCol;
  };
  std::vector<Piece> pieces;
  std::vector<std::pair<std::string, std::string>> files;
};

/// Adds the hint `NAME=N` (N a non-negative integer) to
/// `options.sizeHints`; fails with a message naming `hint` otherwise.
llvm::Error addSizeHint(CompilerOptions &options, llvm::StringRef hint);

/// Inputs of one call of an entry function.
struct CallArguments {
  /// Tensor and scalar parameters by name.
  std::map<std::string, HostTensor> tensors;
  /// Values of `L: index` parameters by name.
  std::map<std::string, int64_t> indices;
};

/// Compiles one Tessera module. Not thread-safe; one instance per module.
class Compiler {
public:
  explicit Compiler(CompilerOptions options = {});
  ~Compiler();
  Compiler(const Compiler &) = delete;
  Compiler &operator=(const Compiler &) = delete;

  /// Reads `path` ("-": stdin) and runs the front end (parse, Sema,
  /// MLIRGen), then reads the entry signatures from the generated module.
  /// The file is read with the bound of readInputFile (kMaxInputBytes,
  /// tessera/Runtime/FileIO.h); file problems print as one line
  /// `PATH: error: MESSAGE`. Returns false if any error was reported.
  bool loadFile(llvm::StringRef path);
  /// Like loadFile, for source text held in memory and named `name`. With
  /// `map`, positions in the source are reported where `map` says they
  /// came from.
  bool loadSource(llvm::StringRef name, llvm::StringRef source,
                  const SourceMap *map = nullptr);

  /// Produces `kind` into `path` ("-" for stdout where text). For Library,
  /// `path` is the shared library (a regular file) and the header is written
  /// beside it with extension .h. Outputs go through AtomicOutputs
  /// (tessera/Runtime/FileIO.h): every destination is checked before
  /// anything is compiled (an output may not be the loaded file, nor the
  /// library its own header), regular files are replaced only by complete
  /// new files, devices and fifos are written in place, symlinks are written
  /// through, and nothing is written when any step fails.
  bool emit(EmitKind kind, llvm::StringRef path);

  /// Prints `kind` (MLIR, Lowered, LLVM or Assembly) for the function
  /// `name` alone into `os`: its tess-dialect function, or the code of the
  /// entry compiled alone (compileOnly(name)). Returns false after
  /// reporting an error.
  bool printFunction(EmitKind kind, llvm::StringRef name,
                     llvm::raw_ostream &os);

  /// The signatures of the module's functions, in source order, as read from
  /// the generated module's `tess.entry` functions (empty before a successful
  /// load, or after --emit=ast style loading that stops after parsing).
  llvm::ArrayRef<EntrySignature> getSignatures() const;
  /// The signature of `name`, or null.
  const EntrySignature *getSignature(llvm::StringRef name) const;

  /// JIT-compiles the module (once) and calls `entry`. Inputs are converted
  /// to the parameter dtypes where that is lossless enough (any real to real)
  /// into temporaries: `args` is never modified. Shapes are checked against
  /// the size symbols. Returns the results, allocated once each; a result
  /// that cannot be allocated is an error, not a crash.
  llvm::Expected<std::vector<HostTensor>> run(llvm::StringRef entry,
                                              const CallArguments &args);

  /// JIT-compiles the module (once) and generates the code of `entry`, which
  /// `run` would do on its first call (without planning for its sizes).
  llvm::Error compile(llvm::StringRef entry);

  /// The code of `entry`, compiled first as by `compile`, for callers that
  /// check and pass the arguments themselves (callEntry, on their own
  /// memory). The code stays valid while the Compiler lives, and calls of it
  /// may run concurrently.
  llvm::Expected<CompiledEntry> getCompiledEntry(llvm::StringRef entry);

  /// From now on (before the first `run`), JIT-compile only the entry
  /// `name` and the functions it calls; `run` refuses the other entries.
  /// tess-run compiles just what it runs.
  void compileOnly(llvm::StringRef name);

  /// Seconds `run` has spent compiling for the JIT (lowering, LLVM's
  /// optimizations and code generation; the first call compiles), 0 before.
  double getCompileSeconds() const;

  /// Number of errors reported so far.
  unsigned getNumErrors() const;

private:
  class Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace tessera

#endif // TESSERA_DRIVER_COMPILER_H
