//===- ParseSession.h - State shared by the parser's steps ------*- C++ -*-===//
//
// Private to frontend/lib/Parse, which alone may see ANTLR: no ANTLR type
// and no exception leaves this folder. Declares the state of one
// `parseModule` call and what the files of this folder share:
//
//   Parser.cpp        the driver (`parseModule`, `ParseSession::run`) and
//                     the checks on the parse tree
//   Lexing.cpp        the token scan: bad characters, escapes, unterminated
//                     strings, malformed numbers, the nesting bound
//   SyntaxErrors.cpp  friendlier syntax error messages than ANTLR's
//   ASTBuilder.cpp    a checked parse tree -> the AST
//   Cells.cpp         REPL cells (parseCell)
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_LIB_PARSE_PARSESESSION_H
#define TESSERA_FRONTEND_LIB_PARSE_PARSESESSION_H

#include "tessera/Frontend/AST.h"
#include "tessera/Frontend/Diagnostics.h"
#include "tessera/Frontend/Parser.h"

#include "TesseraLexer.h"
#include "TesseraParser.h"
#include "antlr4-runtime.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace tessera {
namespace parse_detail {

using tessera_antlr::TesseraLexer;
using tessera_antlr::TesseraParser;

/// Thrown to abandon the parse once the sink's error limit is reached.
struct TooManyErrors {};

/// Thrown by the AST builder when the tree does not have the shape the
/// grammar promises; reported as an internal error.
struct MalformedTree : std::runtime_error {
  MalformedTree() : std::runtime_error("malformed parse tree") {}
};

/// Renders source text for a message: printable ASCII as is, anything else
/// as \xNN, and long text shortened.
std::string escapeForMessage(llvm::StringRef text, size_t maxLen = 32);

/// True for the token types that can end an operand (a name, a literal, a
/// closing bracket), so that a following '-' is binary.
bool endsOperand(size_t type);

/// The IDENT of an expression that is just a name, or null.
antlr4::Token *plainName(TesseraParser::ExprContext *e);

/// The expression of a bracket-list item, or null for a range `p in 0..2`.
TesseraParser::ExprContext *itemExpr(TesseraParser::SubscriptItemContext *i);

class ParseSession;

/// Forwards ANTLR's syntax errors to the session's diagnostic sink.
class DiagnosticListener : public antlr4::BaseErrorListener {
public:
  explicit DiagnosticListener(ParseSession &session) : session(session) {}
  void syntaxError(antlr4::Recognizer *recognizer,
                   antlr4::Token *offendingSymbol, size_t line,
                   size_t charPositionInLine, const std::string &msg,
                   std::exception_ptr e) override;

private:
  ParseSession &session;
};

/// ANTLR's default recovery, with messages phrased as
/// "expected X but found 'y'".
class FriendlyErrorStrategy : public antlr4::DefaultErrorStrategy {
public:
  explicit FriendlyErrorStrategy(ParseSession &session) : session(session) {}

protected:
  void
  reportNoViableAlternative(antlr4::Parser *parser,
                            const antlr4::NoViableAltException &e) override {
    report(parser, e.getOffendingToken(), e.getExpectedTokens());
  }
  void reportInputMismatch(antlr4::Parser *parser,
                           const antlr4::InputMismatchException &e) override {
    report(parser, e.getOffendingToken(), e.getExpectedTokens());
  }
  void
  reportFailedPredicate(antlr4::Parser *parser,
                        const antlr4::FailedPredicateException &e) override {
    report(parser, e.getOffendingToken(), e.getExpectedTokens());
  }
  void reportUnwantedToken(antlr4::Parser *parser) override {
    if (inErrorRecoveryMode(parser))
      return;
    beginErrorCondition(parser);
    report(parser, parser->getCurrentToken(), getExpectedTokens(parser));
  }
  void reportMissingToken(antlr4::Parser *parser) override {
    if (inErrorRecoveryMode(parser))
      return;
    beginErrorCondition(parser);
    report(parser, parser->getCurrentToken(), getExpectedTokens(parser));
  }

private:
  /// Reports the syntax error at `offending` (the current token if null),
  /// unless it follows a bad character.
  void report(antlr4::Parser *parser, antlr4::Token *offending,
              const antlr4::misc::IntervalSet &expected);

  ParseSession &session;
};

/// State of one `parseModule` call. Errors are collected here and passed to
/// the sink in source order by `flushErrors`.
class ParseSession {
public:
  ParseSession(llvm::StringRef source, DiagnosticSink &diag)
      : source(source), diag(diag) {}

  /// Lexes, parses, checks and builds the module; null if there were errors.
  /// Throws TooManyErrors once the error limit is reached, and may throw
  /// ANTLR's or the AST builder's exceptions on internal failures.
  std::unique_ptr<ast::Module> run(llvm::StringRef filename);

  /// Records an error; abandons the parse once there are too many.
  void error(ast::SourceLoc loc, const llvm::Twine &message) {
    errors.push_back({loc, errors.size(), message.str()});
    if (diag.getNumErrors() + errors.size() >= diag.errorLimit)
      throw TooManyErrors();
  }
  /// Records an error at the start of `tok`.
  void error(const antlr4::Token *tok, const llvm::Twine &message) {
    error(locOf(tok), message);
  }
  /// True if any error was recorded.
  bool hadErrors() const { return !errors.empty(); }
  /// True if errors were recorded and every one is at the end of the input:
  /// more input could complete it (a REPL cell continues).
  bool onlyErrorsAtEnd() const {
    return !errors.empty() && llvm::all_of(errors, [&](const PendingError &e) {
      return e.loc.line == endLoc.line && e.loc.col == endLoc.col;
    });
  }
  /// Drops the recorded errors without reporting them.
  void discardErrors() { errors.clear(); }

  /// Lexes and parses the cell (parseCell), filling `cell`'s items.
  void runCell(ParsedCell &cell);

  /// Records an internal failure without the error limit's exception.
  void recordInternalError(const char *what) {
    errors.push_back({ast::SourceLoc{1, 1}, errors.size(),
                      std::string("internal parser error: ") + what});
  }

  /// Passes the recorded errors to the sink in source order (lexical,
  /// syntax and tree checks find them in separate passes).
  void flushErrors() {
    llvm::sort(errors, [](const PendingError &a, const PendingError &b) {
      return std::make_tuple(a.loc.line, a.loc.col, a.seq) <
             std::make_tuple(b.loc.line, b.loc.col, b.seq);
    });
    for (const PendingError &e : errors)
      diag.error(e.loc, e.message);
    errors.clear();
  }

  /// True if `tok` closely follows a character that the lexer dropped; a
  /// syntax error there is most likely a consequence of the bad character.
  bool followsBadCharacter(const antlr4::Token *tok) const {
    return std::binary_search(afterBadCharacter.begin(),
                              afterBadCharacter.end(), tok->getStartIndex());
  }

  /// The 1-based line and column of the start of `tok`.
  static ast::SourceLoc locOf(const antlr4::Token *tok) {
    return {static_cast<unsigned>(tok->getLine()),
            static_cast<unsigned>(tok->getCharPositionInLine() + 1)};
  }

  /// The token's spelling, taken from the source bytes.
  std::string text(const antlr4::Token *tok) const {
    size_t start = tok->getStartIndex(), stop = tok->getStopIndex();
    if (start == INVALID_INDEX || stop == INVALID_INDEX || start > stop ||
        stop >= source.size())
      return tok->getText();
    return source.slice(start, stop + 1).str();
  }

  /// `'tok'` or `end of file`, for messages.
  std::string describe(const antlr4::Token *tok) const {
    if (tok->getType() == antlr4::Token::EOF)
      return "end of file";
    return "'" + escapeForMessage(text(tok)) + "'";
  }

  /// Phrases an expected-token set such as "')' or ','"; empty if the set is
  /// too large to be helpful.
  std::string describeExpected(const antlr4::misc::IntervalSet &set,
                               const antlr4::dfa::Vocabulary &vocab) const;

  /// The token before `tok` in the parser's token stream, or null.
  const antlr4::Token *previousToken(const antlr4::Token *tok) const {
    size_t index = tok->getTokenIndex();
    if (!stream || index == INVALID_INDEX || index == 0 ||
        index > stream->size())
      return nullptr;
    return stream->get(index - 1);
  }

private:
  /// Lexes and parses the input with `rule` (the grammar's `module` or
  /// `cell`), checks the tree and hands it to `consume` unless there were
  /// errors.
  void
  parse(llvm::function_ref<antlr4::ParserRuleContext *(TesseraParser &)> rule,
        llvm::function_ref<void(antlr4::ParserRuleContext *)> consume);
  /// The cell item that `node` (a child of the cell rule) is, if any.
  std::optional<CellItem> cellItem(antlr4::tree::ParseTree *node) const;

  // Lexing (Lexing.cpp).

  /// Reads every token of `lexer` into `tokens`, reporting lexical errors;
  /// false if the input is nested too deeply to parse.
  bool lex(TesseraLexer &lexer,
           std::vector<std::unique_ptr<antlr4::Token>> &tokens);
  /// Reports lexical errors in `tok` and retypes an unterminated string or
  /// malformed number as what the parser should see; returns the new type.
  size_t checkToken(antlr4::Token *tok);
  /// Reports a character that no token can start with.
  void reportBadCharacter(const antlr4::Token *tok);
  /// Reports unknown escape sequences in a string literal.
  void checkEscapes(const antlr4::Token *tok);

  // Parse tree checks (Parser.cpp).

  /// Walks the tree iteratively, reporting what the grammar leaves open and
  /// trees too deep for the recursive passes that follow.
  void checkTree(antlr4::tree::ParseTree *root);
  /// Checks the index names and clauses of `a[i, j] = ...`.
  void checkIndexAssign(TesseraParser::IndexAssignStmtContext *s);
  /// Checks a subscript `a[...]` or reduction `sum[...](...)`.
  void checkSubscriptExpr(TesseraParser::SubscriptExprContext *e);
  /// Reports, with `message`, each expression in `list` that is not a name.
  void checkIndexNames(TesseraParser::ExprListContext *list,
                       const char *message);
  /// Checks the items of a bracket list: ranges only in reductions, and
  /// plain index names there.
  void checkSubscriptList(TesseraParser::SubscriptListContext *list,
                          bool isReduction);

  llvm::StringRef source;
  DiagnosticSink &diag;
  struct PendingError {
    ast::SourceLoc loc;
    size_t seq;
    std::string message;
  };
  std::vector<PendingError> errors;
  /// Continuation bytes of an already reported UTF-8 character end here.
  size_t skipBadUntil = 0;
  /// Start offsets of the few tokens (kBadCharacterShadow, in Lexing.cpp)
  /// that follow each dropped bad character, in increasing order.
  std::vector<size_t> afterBadCharacter;
  /// The parser's token stream while parsing.
  antlr4::CommonTokenStream *stream = nullptr;
  /// Where the end of the input is (the EOF token), once lexed.
  ast::SourceLoc endLoc;
};

/// Builds the AST from a parse tree that has no syntax errors and passed
/// `checkTree` (so its depth is bounded and recursion is safe). Throws
/// MalformedTree if the tree does not have the shape the grammar promises.
std::unique_ptr<ast::Module> buildAST(const ParseSession &session,
                                      TesseraParser::ModuleContext *tree,
                                      llvm::StringRef filename);

} // namespace parse_detail
} // namespace tessera

#endif // TESSERA_FRONTEND_LIB_PARSE_PARSESESSION_H
