//===- Diagnostics.h - Error reporting for the front end --------*- C++ -*-===//
//
// The front end reports errors through this small interface so that the
// parser does not depend on MLIR. The compiler driver implements it on top of
// MLIR's diagnostic engine (FileLineColLoc + SourceMgrDiagnosticHandler), which
// prints `file:line:col: error: message`, the source line and a caret.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_DIAGNOSTICS_H
#define TESSERA_FRONTEND_DIAGNOSTICS_H

#include "tessera/Frontend/AST.h"

#include "llvm/ADT/Twine.h"

namespace tessera {

/// Receives located errors, warnings and notes. Columns and lines are
/// 1-based.
class DiagnosticSink {
public:
  virtual ~DiagnosticSink() = default;
  /// Reports an error at `loc` and counts it.
  void error(ast::SourceLoc loc, const llvm::Twine &message) {
    ++numErrors;
    emitError(loc, message);
  }
  /// Reports a warning at `loc`; warnings do not fail the compilation.
  void warning(ast::SourceLoc loc, const llvm::Twine &message) {
    ++numWarnings;
    emitWarning(loc, message);
  }
  /// Attaches a note to the most recent error (e.g. "first use here").
  virtual void note(ast::SourceLoc loc, const llvm::Twine &message) = 0;
  unsigned getNumErrors() const { return numErrors; }
  unsigned getNumWarnings() const { return numWarnings; }
  /// True once so many errors were reported that further ones are noise.
  bool tooManyErrors() const { return numErrors >= errorLimit; }

  unsigned errorLimit = 50;

protected:
  virtual void emitError(ast::SourceLoc loc, const llvm::Twine &message) = 0;
  virtual void emitWarning(ast::SourceLoc loc, const llvm::Twine &message) = 0;

private:
  unsigned numErrors = 0;
  unsigned numWarnings = 0;
};

} // namespace tessera

#endif // TESSERA_FRONTEND_DIAGNOSTICS_H
