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
#include <string>
#include <vector>

namespace tessera {

/// Parses `source` (named `filename` in diagnostics) into an AST. Reports every
/// lexical and syntax error it can find to `diag` and returns null if there was
/// any. Never throws, never crashes: binary garbage, empty input, pathological
/// nesting and huge literals all end as diagnostics.
std::unique_ptr<ast::Module> parseModule(llvm::StringRef source,
                                         llvm::StringRef filename,
                                         DiagnosticSink &diag);

/// One top-level item of a REPL cell (see parseCell).
struct CellItem {
  enum class Kind {
    Function,   ///< fn f(...) -> ... { ... }
    Constant,   ///< const C = ...
    Statement,  ///< x = ..., a, b = ..., y[i] = ...
    Expression, ///< a bare expression, whose value the REPL shows
  };
  Kind kind = Kind::Expression;
  /// Its first token.
  ast::SourceLoc loc;
  /// Its bytes in the cell: [begin, end).
  size_t begin = 0, end = 0;
  /// The names it defines: the function's or constant's, or the
  /// statement's targets.
  std::vector<std::string> defines;
  /// Every identifier it spells, in order (repeats included).
  std::vector<std::string> names;
};

/// A REPL cell, parsed.
struct ParsedCell {
  /// The text ends inside an item (`fn f() {`, `x = 1 +`, `f(x`): more
  /// input could complete it. Nothing was reported to the sink.
  bool incomplete = false;
  /// True if the cell parsed without errors (then `items` holds it).
  bool ok = false;
  std::vector<CellItem> items;
};

/// Parses one input of the REPL: `fn` and `const` definitions, statements
/// and bare expressions, in any order (`return` is refused). Reports errors
/// like parseModule, except, with `allowIncomplete`, when the only errors
/// are at the end of the input: then the cell is `incomplete` and nothing
/// is reported. Never throws.
ParsedCell parseCell(llvm::StringRef source, DiagnosticSink &diag,
                     bool allowIncomplete = true);

} // namespace tessera

#endif // TESSERA_FRONTEND_PARSER_H
