//===- Parser.h - Tessera source to AST -------------------------*- C++ -*-===//
//
// The only entry point into the ANTLR-generated parser. No ANTLR type and no
// exception crosses this boundary.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_PARSER_H
#define TESSERA_FRONTEND_PARSER_H

#include "tessera/Frontend/AST.h"
#include "tessera/Frontend/Diagnostics.h"

#include <memory>

namespace tessera {

/// Parses `source` (named `filename` in diagnostics) into an AST. Reports every
/// lexical and syntax error it can find to `diag` and returns null if there was
/// any. Never throws, never crashes: binary garbage, empty input, pathological
/// nesting and huge literals all end as diagnostics.
std::unique_ptr<ast::Module> parseModule(llvm::StringRef source,
                                         llvm::StringRef filename,
                                         DiagnosticSink &diag);

} // namespace tessera

#endif // TESSERA_FRONTEND_PARSER_H
