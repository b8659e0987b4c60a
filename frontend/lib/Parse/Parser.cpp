//===- Parser.cpp - Tessera source to AST ---------------------------------===//
//
// Drives the ANTLR-generated lexer and parser and converts the parse tree to
// the plain C++ AST. This is the only file that sees ANTLR: its exceptions
// and types stay inside `parseModule`.
//
// The steps, each of which may end the parse with diagnostics:
//  1. Lex the whole input, one byte per character so that columns are byte
//     columns and invalid UTF-8 cannot upset ANTLR. Bad characters, bad
//     escapes, unterminated strings and numbers such as `.5` are reported
//     here and kept out of the parser's way. The token scan also bounds the
//     parser's recursion depth (nesting of brackets, prefix '-' and
//     right-associative '**').
//  2. Parse with SLL prediction and bail-out error handling (fast), and only
//     if that fails parse again with full LL and error recovery, which
//     reports every syntax error with a friendlier message than ANTLR's.
//  3. Walk the parse tree iteratively: reject trees too deep for the
//     recursive passes that follow (long operator chains such as
//     1+1+...+1) and check what the grammar leaves open (reducer names,
//     plain index names, duplicate clauses).
//  4. Build the AST recursively, now that the depth is known to be bounded.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/Parser.h"
#include "tessera/Frontend/Builtins.h"

#include "TesseraLexer.h"
#include "TesseraParser.h"
#include "antlr4-runtime.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Format.h"

#include <algorithm>
#include <stdexcept>
#include <tuple>

using namespace tessera;
using tessera_antlr::TesseraLexer;
using tessera_antlr::TesseraParser;

namespace {

/// Bound on the parser's recursion, measured on tokens: open brackets plus
/// pending prefix '-' and '**' operators. ANTLR's recursive descent uses a
/// few large stack frames per level, so this keeps it far from the stack
/// limit.
constexpr unsigned kMaxNesting = 256;

/// Bound on the parse tree depth, which bounds the AST depth that the
/// recursive passes (builder, Sema, MLIRGen, printers) must handle. A
/// bracket level costs at most 4 tree levels, so input within kMaxNesting
/// only exceeds this through long left-associative chains (1+1+...+1).
constexpr unsigned kMaxTreeDepth = 1100;

/// Syntax errors at this many tokens after a dropped bad character are not
/// reported: the missing character (an operator, a name) likely caused them.
constexpr unsigned kBadCharacterShadow = 2;

/// Thrown to abandon the parse once the sink's error limit is reached.
struct TooManyErrors {};

/// Thrown by the AST builder when the tree does not have the shape the
/// grammar promises; reported as an internal error.
struct MalformedTree : std::runtime_error {
  MalformedTree() : std::runtime_error("malformed parse tree") {}
};

/// An ANTLR character stream holding one character per byte of the source,
/// so that token offsets are byte offsets and any byte sequence is accepted.
class ByteInputStream : public antlr4::ANTLRInputStream {
public:
  explicit ByteInputStream(llvm::StringRef bytes) {
    _data.reserve(bytes.size());
    for (char c : bytes)
      _data.push_back(static_cast<unsigned char>(c));
    p = 0;
  }
};

bool isPrintableAscii(unsigned char c) { return c >= 0x20 && c < 0x7f; }

/// Renders source text for a message: printable ASCII as is, anything else
/// as \xNN, and long text shortened.
std::string escapeForMessage(llvm::StringRef text, size_t maxLen = 32) {
  std::string out;
  bool truncated = text.size() > maxLen;
  for (unsigned char c : text.take_front(maxLen)) {
    if (isPrintableAscii(c)) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += llvm::hexdigit(c >> 4, /*LowerCase=*/false);
      out += llvm::hexdigit(c & 15, /*LowerCase=*/false);
    }
  }
  if (truncated)
    out += "...";
  return out;
}

bool endsOperand(size_t type) {
  switch (type) {
  case TesseraLexer::IDENT:
  case TesseraLexer::INT:
  case TesseraLexer::FLOAT:
  case TesseraLexer::IMAG:
  case TesseraLexer::STRING:
  case TesseraLexer::RPAREN:
  case TesseraLexer::RBRACK:
    return true;
  default:
    return false;
  }
}

bool isComparison(size_t type) {
  switch (type) {
  case TesseraLexer::LT:
  case TesseraLexer::LE:
  case TesseraLexer::GT:
  case TesseraLexer::GE:
  case TesseraLexer::EQ:
  case TesseraLexer::NE:
    return true;
  default:
    return false;
  }
}

bool startsExpression(size_t type) {
  switch (type) {
  case TesseraLexer::IDENT:
  case TesseraLexer::INT:
  case TesseraLexer::FLOAT:
  case TesseraLexer::IMAG:
  case TesseraLexer::STRING:
  case TesseraLexer::LPAREN:
  case TesseraLexer::LBRACK:
  case TesseraLexer::MINUS:
  case TesseraLexer::WHERE:
    return true;
  default:
    return false;
  }
}

bool isBinaryOperator(size_t type) {
  switch (type) {
  case TesseraLexer::POW:
  case TesseraLexer::STAR:
  case TesseraLexer::SLASH:
  case TesseraLexer::PLUS:
  case TesseraLexer::MINUS:
    return true;
  default:
    return isComparison(type);
  }
}

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
  void report(antlr4::Parser *parser, antlr4::Token *offending,
              const antlr4::misc::IntervalSet &expected);

  ParseSession &session;
};

/// State of one `parseModule` call.
class ParseSession {
public:
  ParseSession(llvm::StringRef source, DiagnosticSink &diag)
      : source(source), diag(diag) {}

  std::unique_ptr<ast::Module> run(llvm::StringRef filename);

  /// Records an error; abandons the parse once there are too many.
  void error(ast::SourceLoc loc, const llvm::Twine &message) {
    errors.push_back({loc, errors.size(), message.str()});
    if (diag.getNumErrors() + errors.size() >= diag.errorLimit)
      throw TooManyErrors();
  }
  void error(const antlr4::Token *tok, const llvm::Twine &message) {
    error(locOf(tok), message);
  }
  bool hadErrors() const { return !errors.empty(); }

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
  bool lex(TesseraLexer &lexer,
           std::vector<std::unique_ptr<antlr4::Token>> &tokens);
  void reportBadCharacter(const antlr4::Token *tok);
  void checkEscapes(const antlr4::Token *tok);
  void checkTree(antlr4::tree::ParseTree *root);
  void checkIndexNames(TesseraParser::ExprListContext *list,
                       const char *message);
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
  /// Start offsets of the kBadCharacterShadow tokens that follow each
  /// dropped bad character, in increasing order.
  std::vector<size_t> afterBadCharacter;
  /// The parser's token stream while parsing.
  antlr4::CommonTokenStream *stream = nullptr;
};

void DiagnosticListener::syntaxError(antlr4::Recognizer *, antlr4::Token *,
                                     size_t line, size_t charPositionInLine,
                                     const std::string &msg,
                                     std::exception_ptr) {
  session.error(ast::SourceLoc{static_cast<unsigned>(line),
                               static_cast<unsigned>(charPositionInLine + 1)},
                msg);
}

void FriendlyErrorStrategy::report(antlr4::Parser *parser,
                                   antlr4::Token *offending,
                                   const antlr4::misc::IntervalSet &expected) {
  if (!offending)
    offending = parser->getCurrentToken();
  std::string message;
  const antlr4::Token *prev = session.previousToken(offending);
  if (isComparison(offending->getType()) && prev &&
      endsOperand(prev->getType())) {
    message = "comparison operators cannot be chained; add parentheses";
  } else {
    std::string want =
        session.describeExpected(expected, parser->getVocabulary());
    if (want.empty())
      message = "unexpected " + session.describe(offending);
    else
      message =
          "expected " + want + " but found " + session.describe(offending);
  }
  if (!session.followsBadCharacter(offending))
    parser->notifyErrorListeners(offending, message, nullptr);
}

std::string
ParseSession::describeExpected(const antlr4::misc::IntervalSet &set,
                               const antlr4::dfa::Vocabulary &vocab) const {
  if (set.isEmpty())
    return "";
  // Collapse the tokens that can begin an expression, and a group of
  // operators, into one phrase each.
  bool anyExpression = set.contains(size_t(TesseraLexer::IDENT)) &&
                       set.contains(size_t(TesseraLexer::INT)) &&
                       set.contains(size_t(TesseraLexer::LPAREN));
  unsigned numOperators = 0;
  for (ssize_t t : set.toList())
    if (t >= 0 && isBinaryOperator(size_t(t)))
      ++numOperators;
  bool anyOperator = numOperators >= 3;
  bool anyStatement = set.contains(size_t(TesseraLexer::IDENT)) &&
                      set.contains(size_t(TesseraLexer::RETURN));
  // ';' is an optional separator; naming it only adds noise.
  bool skipSemicolon = set.size() > 1;

  std::vector<std::string> items;
  auto add = [&](std::string item) {
    if (!llvm::is_contained(items, item))
      items.push_back(std::move(item));
  };
  for (ssize_t t : set.toList()) {
    if (t < 0) {
      add("end of file");
      continue;
    }
    size_t type = size_t(t);
    if (skipSemicolon && type == TesseraLexer::SEMI)
      continue;
    if (anyStatement &&
        (type == TesseraLexer::IDENT || type == TesseraLexer::RETURN)) {
      add("a statement");
      continue;
    }
    if (anyOperator && isBinaryOperator(type) &&
        !(anyExpression && type == TesseraLexer::MINUS)) {
      add("an operator");
      continue;
    }
    if (anyExpression && startsExpression(type)) {
      add("an expression");
      continue;
    }
    switch (type) {
    case TesseraLexer::IDENT:
      add("a name");
      break;
    case TesseraLexer::INT:
    case TesseraLexer::FLOAT:
    case TesseraLexer::IMAG:
      add("a number");
      break;
    case TesseraLexer::STRING:
      add("a string");
      break;
    default: {
      std::string literal = vocab.getLiteralName(type);
      if (literal.empty())
        return "";
      add(literal);
    }
    }
  }
  if (items.size() > 5)
    return "";
  std::string result;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0)
      result += i + 1 == items.size() ? " or " : ", ";
    result += items[i];
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Lexing
//===----------------------------------------------------------------------===//

bool ParseSession::lex(TesseraLexer &lexer,
                       std::vector<std::unique_ptr<antlr4::Token>> &tokens) {
  // Pending prefix '-' and '**' per open bracket; `nesting` is the number of
  // open brackets plus all pending operators, an upper bound on the
  // recursion depth of the parser.
  std::vector<unsigned> pending{0};
  unsigned nesting = 0;
  bool tooDeep = false;
  unsigned tokensSinceBadCharacter = kBadCharacterShadow;
  size_t prevType = antlr4::Token::INVALID_TYPE;
  while (true) {
    std::unique_ptr<antlr4::Token> tok = lexer.nextToken();
    size_t type = tok->getType();
    if (type == TesseraLexer::ERROR_CHAR) {
      reportBadCharacter(tok.get());
      tokensSinceBadCharacter = 0;
      continue;
    }
    if (tokensSinceBadCharacter < kBadCharacterShadow) {
      afterBadCharacter.push_back(tok->getStartIndex());
      ++tokensSinceBadCharacter;
    }
    if (type == TesseraLexer::UNTERMINATED_STRING) {
      error(tok.get(), "unterminated string literal");
      // The parser sees a string, so it reports no follow-on errors.
      if (auto *writable = dynamic_cast<antlr4::WritableToken *>(tok.get()))
        writable->setType(TesseraLexer::STRING);
      type = TesseraLexer::STRING;
    } else if (type == TesseraLexer::STRING) {
      checkEscapes(tok.get());
    } else if (type == TesseraLexer::MALFORMED_NUMBER) {
      error(tok.get(), "a number needs a digit before the '.' (write 0" +
                           text(tok.get()) + ")");
      if (auto *writable = dynamic_cast<antlr4::WritableToken *>(tok.get()))
        writable->setType(TesseraLexer::FLOAT);
      type = TesseraLexer::FLOAT;
    }

    if (!tooDeep) {
      switch (type) {
      case TesseraLexer::LPAREN:
      case TesseraLexer::LBRACK:
      case TesseraLexer::LBRACE:
        pending.push_back(0);
        ++nesting;
        break;
      case TesseraLexer::RPAREN:
      case TesseraLexer::RBRACK:
      case TesseraLexer::RBRACE:
        if (pending.size() > 1) {
          nesting -= 1 + pending.back();
          pending.pop_back();
        }
        break;
      case TesseraLexer::IDENT:
      case TesseraLexer::INT:
      case TesseraLexer::FLOAT:
      case TesseraLexer::IMAG:
      case TesseraLexer::STRING:
        break;
      default:
        // Prefix '-' and right-associative '**' recurse until their operand
        // ends; any other operator or separator returns to this level.
        if (type == TesseraLexer::POW ||
            (type == TesseraLexer::MINUS && !endsOperand(prevType))) {
          ++pending.back();
          ++nesting;
        } else {
          nesting -= pending.back();
          pending.back() = 0;
        }
        break;
      }
      if (nesting > kMaxNesting) {
        error(tok.get(), llvm::Twine("expression is nested too deeply (more "
                                     "than ") +
                             llvm::Twine(kMaxNesting) + " levels)");
        tooDeep = true;
      }
    }
    prevType = type;
    bool atEnd = type == antlr4::Token::EOF;
    tokens.push_back(std::move(tok));
    if (atEnd)
      break;
  }
  return !tooDeep;
}

void ParseSession::reportBadCharacter(const antlr4::Token *tok) {
  size_t offset = tok->getStartIndex();
  if (offset < skipBadUntil || offset >= source.size())
    return;
  unsigned char c = source[offset];
  // A well-formed multi-byte UTF-8 character is reported once, by name.
  if (c >= 0x80) {
    unsigned len = llvm::getNumBytesForUTF8(c);
    const auto *begin =
        reinterpret_cast<const llvm::UTF8 *>(source.data() + offset);
    if (len > 1 && offset + len <= source.size() &&
        llvm::isLegalUTF8Sequence(begin, begin + len)) {
      llvm::UTF32 codePoint = 0;
      const llvm::UTF8 *cursor = begin;
      if (llvm::convertUTF8Sequence(&cursor, begin + len, &codePoint,
                                    llvm::strictConversion) ==
          llvm::conversionOK) {
        skipBadUntil = offset + len;
        std::string hex;
        llvm::raw_string_ostream(hex) << llvm::format("%04X", codePoint);
        error(tok, "unexpected character '" + source.substr(offset, len) +
                       "' (U+" + hex + ")");
        return;
      }
    }
  }
  error(tok, "unexpected character '" +
                 escapeForMessage(source.substr(offset, 1)) + "'");
}

void ParseSession::checkEscapes(const antlr4::Token *tok) {
  std::string spelling = text(tok);
  ast::SourceLoc start = locOf(tok);
  // The lexer guarantees that a backslash is followed by a character other
  // than the closing quote.
  for (size_t i = 1; i + 1 < spelling.size(); ++i) {
    if (spelling[i] != '\\')
      continue;
    char next = spelling[i + 1];
    if (!llvm::is_contained(llvm::StringRef("nrt\\\""), next))
      error(ast::SourceLoc{start.line, start.col + static_cast<unsigned>(i)},
            "unknown escape sequence '\\" +
                escapeForMessage(llvm::StringRef(&next, 1)) +
                "' in string literal");
    ++i;
  }
}

//===----------------------------------------------------------------------===//
// Parse tree checks
//===----------------------------------------------------------------------===//

/// The IDENT of an expression that is just a name, or null.
antlr4::Token *plainName(TesseraParser::ExprContext *e) {
  if (!e || e->op || !e->lhs)
    return nullptr;
  auto *primary = dynamic_cast<TesseraParser::PrimaryExprContext *>(e->lhs);
  if (!primary)
    return nullptr;
  auto *name =
      dynamic_cast<TesseraParser::NameExprContext *>(primary->primary());
  return name ? name->name : nullptr;
}


void ParseSession::checkIndexNames(TesseraParser::ExprListContext *list,
                                   const char *message) {
  if (!list)
    return;
  for (TesseraParser::ExprContext *e : list->expr())
    if (e && !plainName(e) && e->getStart())
      error(e->getStart(), message);
}

/// The expression of a bracket-list item, or null for a range `p in 0..2`.
TesseraParser::ExprContext *itemExpr(TesseraParser::SubscriptItemContext *i) {
  auto *e = dynamic_cast<TesseraParser::ExprItemContext *>(i);
  return e ? e->expr() : nullptr;
}

void ParseSession::checkSubscriptList(TesseraParser::SubscriptListContext *list,
                                      bool isReduction) {
  if (!list)
    return;
  for (TesseraParser::SubscriptItemContext *item : list->subscriptItem()) {
    if (!item || !item->getStart())
      continue;
    TesseraParser::ExprContext *e = itemExpr(item);
    if (!isReduction && !e)
      error(item->getStart(), "a range such as 'p in 0..2' is only allowed "
                              "in the index list of a reduction");
    else if (isReduction && e && !plainName(e))
      error(item->getStart(), "reduction indices must be plain names");
  }
}

void ParseSession::checkTree(antlr4::tree::ParseTree *root) {
  std::vector<std::pair<antlr4::tree::ParseTree *, unsigned>> stack;
  stack.push_back({root, 1});
  bool reportedDepth = false;
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    auto *ctx = dynamic_cast<antlr4::ParserRuleContext *>(node);
    if (!ctx)
      continue;
    if (depth > kMaxTreeDepth) {
      // One report is enough: every other node this deep is part of the
      // same long chain or of another one just like it.
      if (!reportedDepth && ctx->getStart())
        error(ctx->getStart(), "expression is too long or nested too deeply; "
                               "split it into several statements");
      reportedDepth = true;
      continue;
    }

    size_t rule = ctx->getRuleIndex();
    if (rule != TesseraParser::RuleStmt && rule != TesseraParser::RulePrimary) {
      // Nothing to check here.
    } else if (auto *s =
                   dynamic_cast<TesseraParser::IndexAssignStmtContext *>(ctx)) {
      checkIndexNames(s->exprList(),
                      "indices on the left of '=' must be plain names");
      bool seenWhere = false, seenInit = false;
      for (TesseraParser::ClauseContext *clause : s->clause()) {
        if (!clause || !clause->getStart())
          continue;
        bool isWhere =
            dynamic_cast<TesseraParser::WhereClauseContext *>(clause);
        bool &seen = isWhere ? seenWhere : seenInit;
        if (seen)
          error(clause->getStart(),
                isWhere ? "duplicate 'where' clause; separate the ranges "
                          "with ','"
                        : "duplicate 'init' clause");
        seen = true;
      }
    } else if (auto *e =
                   dynamic_cast<TesseraParser::SubscriptExprContext *>(ctx)) {
      // An argument after the brackets makes this a reduction.
      if (e->LPAREN() && e->name) {
        if (!isReducerName(text(e->name)))
          error(e->name, "only sum, mean, max, min and prod take an index list "
                         "before their argument");
        else if (!e->subscriptList())
          error(e->name, "a reduction needs at least one index");
        else
          checkSubscriptList(e->subscriptList(), /*isReduction=*/true);
      } else {
        checkSubscriptList(e->subscriptList(), /*isReduction=*/false);
      }
    }

    for (auto it = ctx->children.rbegin(); it != ctx->children.rend(); ++it)
      stack.push_back({*it, depth + 1});
  }
}

//===----------------------------------------------------------------------===//
// AST construction
//===----------------------------------------------------------------------===//

/// Builds the AST from a parse tree that has no syntax errors and passed
/// `checkTree` (so its depth is bounded and recursion is safe).
class ASTBuilder {
public:
  explicit ASTBuilder(const ParseSession &session) : session(session) {}

  std::unique_ptr<ast::Module> buildModule(TesseraParser::ModuleContext *ctx,
                                           llvm::StringRef filename) {
    auto module = std::make_unique<ast::Module>();
    module->filename = filename.str();
    for (antlr4::tree::ParseTree *child : need(ctx)->children) {
      if (auto *fn = dynamic_cast<TesseraParser::FnDeclContext *>(child))
        module->functions.push_back(buildFn(fn));
      else if (auto *c = dynamic_cast<TesseraParser::ConstDeclContext *>(child))
        module->constants.push_back(buildConst(c));
    }
    return module;
  }

private:
  template <typename T> static T *need(T *p) {
    if (!p)
      throw MalformedTree();
    return p;
  }
  static antlr4::Token *token(antlr4::tree::TerminalNode *node) {
    return need(need(node)->getSymbol());
  }
  ast::SourceLoc loc(const antlr4::Token *tok) const {
    return ParseSession::locOf(need(tok));
  }
  ast::SourceLoc loc(antlr4::ParserRuleContext *ctx) const {
    return loc(need(ctx)->getStart());
  }
  std::string text(const antlr4::Token *tok) const {
    return session.text(need(tok));
  }

  std::unique_ptr<ast::ConstDecl>
  buildConst(TesseraParser::ConstDeclContext *ctx) {
    auto decl = std::make_unique<ast::ConstDecl>();
    decl->loc = loc(ctx);
    decl->name = text(ctx->name);
    decl->value = buildExpr(ctx->expr());
    return decl;
  }

  std::unique_ptr<ast::FnDecl> buildFn(TesseraParser::FnDeclContext *ctx) {
    auto fn = std::make_unique<ast::FnDecl>();
    fn->loc = loc(ctx);
    fn->name = text(ctx->name);
    for (TesseraParser::ParamContext *p : ctx->param()) {
      ast::Param param;
      param.loc = loc(need(p)->name);
      param.name = text(p->name);
      param.type = buildType(p->type());
      fn->params.push_back(std::move(param));
    }
    if (TesseraParser::ResultTypesContext *results = ctx->resultTypes())
      for (TesseraParser::TypeContext *t : results->type())
        fn->results.push_back(buildType(t));
    for (TesseraParser::StmtContext *s : ctx->stmt())
      fn->body.push_back(buildStmt(s));
    return fn;
  }

  ast::TypeExpr buildType(TesseraParser::TypeContext *ctx) {
    ast::TypeExpr type;
    type.loc = loc(need(ctx)->dtype);
    type.dtype = text(ctx->dtype);
    type.isTensor = ctx->LBRACK() != nullptr;
    for (TesseraParser::ExprContext *e : ctx->expr())
      type.dims.push_back(buildExpr(e));
    return type;
  }

  ast::StmtPtr buildStmt(TesseraParser::StmtContext *ctx) {
    if (auto *s = dynamic_cast<TesseraParser::AssignStmtContext *>(ctx)) {
      std::vector<std::string> targets;
      std::vector<ast::SourceLoc> targetLocs;
      for (antlr4::tree::TerminalNode *id : s->IDENT()) {
        targets.push_back(text(token(id)));
        targetLocs.push_back(loc(token(id)));
      }
      return std::make_unique<ast::AssignStmt>(loc(s), std::move(targets),
                                               std::move(targetLocs),
                                               buildExpr(s->expr()));
    }
    if (auto *s = dynamic_cast<TesseraParser::IndexAssignStmtContext *>(ctx)) {
      std::vector<std::string> indices;
      std::vector<ast::SourceLoc> indexLocs;
      for (TesseraParser::ExprContext *e : need(s->exprList())->expr()) {
        antlr4::Token *name = need(plainName(e));
        indices.push_back(text(name));
        indexLocs.push_back(loc(name));
      }
      ast::ExprPtr value = buildExpr(s->expr());
      std::vector<ast::RangeClause> ranges;
      ast::ExprPtr init;
      for (TesseraParser::ClauseContext *clause : s->clause()) {
        if (auto *w =
                dynamic_cast<TesseraParser::WhereClauseContext *>(clause)) {
          for (TesseraParser::RangeClauseContext *r : w->rangeClause()) {
            ast::RangeClause range;
            range.loc = loc(need(r)->index);
            range.index = text(r->index);
            range.lo = buildExpr(r->lo);
            range.hi = buildExpr(r->hi);
            ranges.push_back(std::move(range));
          }
        } else {
          auto *i =
              need(dynamic_cast<TesseraParser::InitClauseContext *>(clause));
          init = buildExpr(i->expr());
        }
      }
      return std::make_unique<ast::IndexAssignStmt>(
          loc(s), text(s->target), std::move(indices), std::move(indexLocs),
          std::move(value), std::move(ranges), std::move(init));
    }
    auto *s = need(dynamic_cast<TesseraParser::ReturnStmtContext *>(ctx));
    std::vector<ast::ExprPtr> values;
    for (TesseraParser::ExprContext *e : s->expr())
      values.push_back(buildExpr(e));
    return std::make_unique<ast::ReturnStmt>(loc(s), std::move(values));
  }

  static ast::BinaryExpr::Op binaryOp(const antlr4::Token *op) {
    switch (need(op)->getType()) {
    case TesseraLexer::POW:
      return ast::BinaryExpr::Op::Pow;
    case TesseraLexer::STAR:
      return ast::BinaryExpr::Op::Mul;
    case TesseraLexer::SLASH:
      return ast::BinaryExpr::Op::Div;
    case TesseraLexer::PLUS:
      return ast::BinaryExpr::Op::Add;
    case TesseraLexer::MINUS:
      return ast::BinaryExpr::Op::Sub;
    case TesseraLexer::LT:
      return ast::BinaryExpr::Op::Lt;
    case TesseraLexer::LE:
      return ast::BinaryExpr::Op::Le;
    case TesseraLexer::GT:
      return ast::BinaryExpr::Op::Gt;
    case TesseraLexer::GE:
      return ast::BinaryExpr::Op::Ge;
    case TesseraLexer::EQ:
      return ast::BinaryExpr::Op::Eq;
    case TesseraLexer::NE:
      return ast::BinaryExpr::Op::Ne;
    default:
      throw MalformedTree();
    }
  }

  ast::ExprPtr buildBinary(antlr4::ParserRuleContext *ctx,
                           const antlr4::Token *op, ast::ExprPtr lhs,
                           ast::ExprPtr rhs) {
    return std::make_unique<ast::BinaryExpr>(loc(ctx), binaryOp(op),
                                             std::move(lhs), std::move(rhs));
  }

  ast::ExprPtr buildExpr(TesseraParser::ExprContext *ctx) {
    ast::ExprPtr lhs = buildArith(need(ctx)->lhs);
    if (!ctx->op)
      return lhs;
    return buildBinary(ctx, ctx->op, std::move(lhs), buildArith(ctx->rhs));
  }

  ast::ExprPtr buildArith(TesseraParser::ArithContext *ctx) {
    need(ctx);
    if (auto *e = dynamic_cast<TesseraParser::PrimaryExprContext *>(ctx))
      return buildPrimary(e->primary());
    if (auto *e = dynamic_cast<TesseraParser::NegExprContext *>(ctx))
      return std::make_unique<ast::UnaryExpr>(
          loc(e->op), ast::UnaryExpr::Op::Neg, buildArith(e->operand));
    if (auto *e = dynamic_cast<TesseraParser::PowExprContext *>(ctx))
      return buildBinary(e, e->op, buildArith(e->lhs), buildArith(e->rhs));
    if (auto *e = dynamic_cast<TesseraParser::MulExprContext *>(ctx))
      return buildBinary(e, e->op, buildArith(e->lhs), buildArith(e->rhs));
    if (auto *e = dynamic_cast<TesseraParser::AddExprContext *>(ctx))
      return buildBinary(e, e->op, buildArith(e->lhs), buildArith(e->rhs));
    throw MalformedTree();
  }

  std::vector<ast::ExprPtr> buildList(TesseraParser::ExprListContext *ctx) {
    std::vector<ast::ExprPtr> list;
    if (ctx)
      for (TesseraParser::ExprContext *e : ctx->expr())
        list.push_back(buildExpr(e));
    return list;
  }

  /// Resolves the escapes that the lexer accepted (checked while lexing).
  static std::string unescape(llvm::StringRef spelling) {
    llvm::StringRef body = spelling.drop_front().drop_back();
    std::string value;
    value.reserve(body.size());
    for (size_t i = 0; i < body.size(); ++i) {
      char c = body[i];
      if (c == '\\' && i + 1 < body.size()) {
        c = body[++i];
        if (c == 'n')
          c = '\n';
        else if (c == 't')
          c = '\t';
        else if (c == 'r')
          c = '\r';
      }
      value += c;
    }
    return value;
  }

  ast::ExprPtr buildPrimary(TesseraParser::PrimaryContext *ctx) {
    need(ctx);
    if (auto *e = dynamic_cast<TesseraParser::NumberLitContext *>(ctx)) {
      std::string spelling = text(e->number);
      bool isImaginary = e->number->getType() == TesseraLexer::IMAG;
      if (isImaginary)
        spelling.pop_back();
      bool isInteger = spelling.find_first_of(".eE") == std::string::npos;
      return std::make_unique<ast::NumberExpr>(loc(e->number), spelling,
                                               isInteger, isImaginary);
    }
    if (auto *e = dynamic_cast<TesseraParser::StringLitContext *>(ctx)) {
      antlr4::Token *tok = token(e->STRING());
      return std::make_unique<ast::StringExpr>(loc(tok), unescape(text(tok)));
    }
    if (auto *e = dynamic_cast<TesseraParser::SubscriptExprContext *>(ctx)) {
      std::string name = text(e->name);
      if (e->LPAREN()) {
        std::vector<std::string> indices;
        std::vector<ast::SourceLoc> indexLocs;
        std::vector<ast::ReduceExpr::Range> ranges;
        for (TesseraParser::SubscriptItemContext *i :
             need(e->subscriptList())->subscriptItem()) {
          ranges.emplace_back();
          antlr4::Token *index = nullptr;
          if (auto *r = dynamic_cast<TesseraParser::RangeItemContext *>(i)) {
            index = need(r->index);
            ranges.back().lo = buildExpr(need(r->lo));
            ranges.back().hi = buildExpr(need(r->hi));
          } else {
            index = need(plainName(itemExpr(i)));
          }
          indices.push_back(text(index));
          indexLocs.push_back(loc(index));
        }
        auto op = llvm::StringSwitch<std::optional<ast::ReduceExpr::Op>>(name)
                      .Case("sum", ast::ReduceExpr::Op::Sum)
                      .Case("max", ast::ReduceExpr::Op::Max)
                      .Case("min", ast::ReduceExpr::Op::Min)
                      .Case("prod", ast::ReduceExpr::Op::Prod)
                      .Case("mean", ast::ReduceExpr::Op::Mean)
                      .Default(std::nullopt);
        if (!op)
          throw MalformedTree();
        return std::make_unique<ast::ReduceExpr>(
            loc(e->name), *op, std::move(indices), std::move(indexLocs),
            buildExpr(e->body), std::move(ranges));
      }
      std::vector<ast::ExprPtr> subscripts;
      if (e->subscriptList())
        for (TesseraParser::SubscriptItemContext *i :
             e->subscriptList()->subscriptItem())
          subscripts.push_back(buildExpr(need(itemExpr(i))));
      auto base = std::make_unique<ast::NameExpr>(loc(e->name), name);
      return std::make_unique<ast::SubscriptExpr>(loc(e->name), std::move(base),
                                                  std::move(subscripts));
    }
    if (auto *e = dynamic_cast<TesseraParser::CallExprContext *>(ctx))
      return std::make_unique<ast::CallExpr>(loc(e->callee), text(e->callee),
                                             loc(e->callee),
                                             buildList(e->exprList()));
    if (auto *e = dynamic_cast<TesseraParser::WhereCallExprContext *>(ctx))
      return std::make_unique<ast::CallExpr>(
          loc(e->callee), "where", loc(e->callee), buildList(e->exprList()));
    if (auto *e = dynamic_cast<TesseraParser::NameExprContext *>(ctx))
      return std::make_unique<ast::NameExpr>(loc(e->name), text(e->name));
    if (auto *e = dynamic_cast<TesseraParser::ParenExprContext *>(ctx))
      return buildExpr(e->expr());
    if (auto *e = dynamic_cast<TesseraParser::ListExprContext *>(ctx))
      return std::make_unique<ast::ListExpr>(loc(e), buildList(e->exprList()));
    throw MalformedTree();
  }

  const ParseSession &session;
};

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

std::unique_ptr<ast::Module> ParseSession::run(llvm::StringRef filename) {
  ByteInputStream input(source);
  TesseraLexer lexer(&input);
  DiagnosticListener listener(*this);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);

  // The tokens point back at the lexer, so it lives until parsing is done.
  std::vector<std::unique_ptr<antlr4::Token>> tokens;
  if (!lex(lexer, tokens))
    return nullptr;

  antlr4::ListTokenSource tokenSource(std::move(tokens));
  antlr4::CommonTokenStream tokenStream(&tokenSource);
  stream = &tokenStream;
  TesseraParser parser(&tokenStream);
  parser.removeErrorListeners();

  // Fast path: SLL prediction, giving up at the first error.
  auto *interpreter = parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
  interpreter->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  TesseraParser::ModuleContext *tree = nullptr;
  try {
    tree = parser.module();
  } catch (const antlr4::ParseCancellationException &) {
    tree = nullptr;
  }

  // Slow path: full LL with error recovery, reporting every error.
  if (!tree) {
    parser.reset();
    interpreter->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser.setErrorHandler(std::make_shared<FriendlyErrorStrategy>(*this));
    parser.addErrorListener(&listener);
    tree = parser.module();
  }

  checkTree(tree);
  stream = nullptr;
  if (hadErrors())
    return nullptr;
  return ASTBuilder(*this).buildModule(tree, filename);
}

} // namespace

std::unique_ptr<ast::Module> tessera::parseModule(llvm::StringRef source,
                                                  llvm::StringRef filename,
                                                  DiagnosticSink &diag) {
  ParseSession session(source, diag);
  std::unique_ptr<ast::Module> module;
  try {
    module = session.run(filename);
  } catch (const TooManyErrors &) {
    // Enough has been recorded; the sink decided that more would be noise.
  } catch (const std::exception &e) {
    // A bug here or an exhausted resource: it must not escape into the
    // exception-free rest of the compiler.
    session.recordInternalError(e.what());
  } catch (...) {
    session.recordInternalError("unknown exception");
  }
  session.flushErrors();
  return module;
}
