//===- SyntaxErrors.cpp - Friendlier syntax error messages ----------------===//
//
// Step 2's messages: when the fast parse fails, the parse is repeated with
// full LL and error recovery, and every syntax error is reported as
// "expected X but found 'y'" (or a more specific hint) instead of ANTLR's
// default wording. Errors just after a dropped bad character are not
// reported: they are most likely a consequence of it.
//
//===----------------------------------------------------------------------===//

#include "ParseSession.h"

using namespace tessera;
using namespace tessera::parse_detail;

namespace {

/// True for the comparison operators, which do not chain.
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

/// True for the token types that can begin an expression.
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

/// True for the arithmetic and comparison operators.
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

/// How a token of `type` is named in a list of expected tokens: "a name",
/// "a number", "a string" or its literal such as "')'"; empty if it has none.
std::string tokenName(size_t type, const antlr4::dfa::Vocabulary &vocab) {
  switch (type) {
  case TesseraLexer::IDENT:
    return "a name";
  case TesseraLexer::INT:
  case TesseraLexer::FLOAT:
  case TesseraLexer::IMAG:
    return "a number";
  case TesseraLexer::STRING:
    return "a string";
  default:
    return vocab.getLiteralName(type);
  }
}

/// Joins alternatives as "a", "a or b", "a, b or c".
std::string joinAlternatives(const std::vector<std::string> &items) {
  std::string result;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0)
      result += i + 1 == items.size() ? " or " : ", ";
    result += items[i];
  }
  return result;
}

} // namespace

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
    std::string name = tokenName(type, vocab);
    if (name.empty())
      return "";
    add(std::move(name));
  }
  if (items.size() > 5)
    return "";
  return joinAlternatives(items);
}
