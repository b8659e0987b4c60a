//===- Lexing.cpp - The token scan before parsing -------------------------===//
//
// Step 1 of the parse: lex the whole input, one byte per character so that
// columns are byte columns and invalid UTF-8 cannot upset ANTLR. Bad
// characters, bad escapes, unterminated strings and numbers such as `.5` are
// reported here and kept out of the parser's way. The token scan also bounds
// the parser's recursion depth (nesting of brackets, prefix '-' and
// right-associative '**').
//
//===----------------------------------------------------------------------===//

#include "ParseSession.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Format.h"

using namespace tessera;
using namespace tessera::parse_detail;

namespace {

/// Bound on the parser's recursion, measured on tokens: open brackets plus
/// pending prefix '-' and '**' operators. ANTLR's recursive descent uses a
/// few large stack frames per level, so this keeps it far from the stack
/// limit.
constexpr unsigned kMaxNesting = 256;

/// Syntax errors at this many tokens after a dropped bad character are not
/// reported: the missing character (an operator, a name) likely caused them.
constexpr unsigned kBadCharacterShadow = 2;

bool isPrintableAscii(unsigned char c) { return c >= 0x20 && c < 0x7f; }

/// An upper bound on the parser's recursion depth, kept over the token
/// stream: the open brackets plus all pending prefix '-' and '**' operators.
class NestingBound {
public:
  /// Accounts for a token of `type` that follows one of `prevType`; returns
  /// the bound after it.
  unsigned step(size_t type, size_t prevType) {
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
    return nesting;
  }

private:
  /// Pending prefix '-' and '**' per open bracket.
  std::vector<unsigned> pending{0};
  /// Open brackets plus all pending operators.
  unsigned nesting = 0;
};

} // namespace

std::string tessera::parse_detail::escapeForMessage(llvm::StringRef text,
                                                    size_t maxLen) {
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

bool tessera::parse_detail::endsOperand(size_t type) {
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

bool ParseSession::lex(TesseraLexer &lexer,
                       std::vector<std::unique_ptr<antlr4::Token>> &tokens) {
  NestingBound nesting;
  bool tooDeep = false;
  unsigned tokensSinceBadCharacter = kBadCharacterShadow;
  size_t prevType = antlr4::Token::INVALID_TYPE;
  while (true) {
    std::unique_ptr<antlr4::Token> tok = lexer.nextToken();
    if (tok->getType() == TesseraLexer::ERROR_CHAR) {
      reportBadCharacter(tok.get());
      tokensSinceBadCharacter = 0;
      continue;
    }
    if (tokensSinceBadCharacter < kBadCharacterShadow) {
      afterBadCharacter.push_back(tok->getStartIndex());
      ++tokensSinceBadCharacter;
    }
    size_t type = checkToken(tok.get());

    if (!tooDeep && nesting.step(type, prevType) > kMaxNesting) {
      error(tok.get(), llvm::Twine("expression is nested too deeply (more "
                                   "than ") +
                           llvm::Twine(kMaxNesting) + " levels)");
      tooDeep = true;
    }
    prevType = type;
    bool atEnd = type == antlr4::Token::EOF;
    tokens.push_back(std::move(tok));
    if (atEnd)
      break;
  }
  return !tooDeep;
}

size_t ParseSession::checkToken(antlr4::Token *tok) {
  size_t type = tok->getType();
  if (type == TesseraLexer::UNTERMINATED_STRING) {
    error(tok, "unterminated string literal");
    // The parser sees a string, so it reports no follow-on errors.
    if (auto *writable = dynamic_cast<antlr4::WritableToken *>(tok))
      writable->setType(TesseraLexer::STRING);
    return TesseraLexer::STRING;
  }
  if (type == TesseraLexer::STRING) {
    checkEscapes(tok);
  } else if (type == TesseraLexer::MALFORMED_NUMBER) {
    error(tok,
          "a number needs a digit before the '.' (write 0" + text(tok) + ")");
    if (auto *writable = dynamic_cast<antlr4::WritableToken *>(tok))
      writable->setType(TesseraLexer::FLOAT);
    return TesseraLexer::FLOAT;
  }
  return type;
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
