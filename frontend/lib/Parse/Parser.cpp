//===- Parser.cpp - Tessera source to AST ---------------------------------===//
//
// Drives the ANTLR-generated lexer and parser and converts the parse tree to
// the plain C++ AST. Only frontend/lib/Parse sees ANTLR: its exceptions and
// types stay inside `parseModule`.
//
// The steps, each of which may end the parse with diagnostics:
//  1. Lex the whole input (Lexing.cpp), reporting lexical errors and
//     bounding the parser's recursion depth.
//  2. Parse with SLL prediction and bail-out error handling (fast), and only
//     if that fails parse again with full LL and error recovery, which
//     reports every syntax error with a friendlier message than ANTLR's
//     (SyntaxErrors.cpp).
//  3. Walk the parse tree iteratively (here): reject trees too deep for the
//     recursive passes that follow (long operator chains such as
//     1+1+...+1) and check what the grammar leaves open (reducer names,
//     plain index names, duplicate clauses).
//  4. Build the AST recursively (ASTBuilder.cpp), now that the depth is
//     known to be bounded.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/Parser.h"
#include "tessera/Frontend/Builtins.h"

#include "ParseSession.h"

using namespace tessera;
using namespace tessera::parse_detail;

namespace {

/// Bound on the parse tree depth, which bounds the AST depth that the
/// recursive passes (builder, Sema, MLIRGen, printers) must handle. A
/// bracket level costs at most 4 tree levels, so input within the lexer's
/// nesting bound only exceeds this through long left-associative chains
/// (1+1+...+1).
constexpr unsigned kMaxTreeDepth = 1100;

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

} // namespace

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

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

std::unique_ptr<ast::Module> ParseSession::run(llvm::StringRef filename) {
  std::unique_ptr<ast::Module> module;
  parse(
      [](TesseraParser &p) -> antlr4::ParserRuleContext * {
        return p.module();
      },
      [&](antlr4::ParserRuleContext *tree) {
        module = buildAST(
            *this, static_cast<TesseraParser::ModuleContext *>(tree), filename);
      });
  return module;
}

void ParseSession::parse(
    llvm::function_ref<antlr4::ParserRuleContext *(TesseraParser &)> rule,
    llvm::function_ref<void(antlr4::ParserRuleContext *)> consume) {
  ByteInputStream input(source);
  TesseraLexer lexer(&input);
  DiagnosticListener listener(*this);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);

  // The tokens point back at the lexer, so it lives until parsing is done.
  std::vector<std::unique_ptr<antlr4::Token>> tokens;
  if (!lex(lexer, tokens))
    return;
  endLoc = locOf(tokens.back().get());

  antlr4::ListTokenSource tokenSource(std::move(tokens));
  antlr4::CommonTokenStream tokenStream(&tokenSource);
  stream = &tokenStream;
  TesseraParser parser(&tokenStream);
  parser.removeErrorListeners();

  // Fast path: SLL prediction, giving up at the first error.
  auto *interpreter = parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
  interpreter->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  antlr4::ParserRuleContext *tree = nullptr;
  try {
    tree = rule(parser);
  } catch (const antlr4::ParseCancellationException &) {
    tree = nullptr;
  }

  // Slow path: full LL with error recovery, reporting every error.
  if (!tree) {
    parser.reset();
    interpreter->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser.setErrorHandler(std::make_shared<FriendlyErrorStrategy>(*this));
    parser.addErrorListener(&listener);
    tree = rule(parser);
  }

  checkTree(tree);
  if (!hadErrors())
    consume(tree);
  stream = nullptr;
}

//===----------------------------------------------------------------------===//
// Parse tree checks
//===----------------------------------------------------------------------===//

antlr4::Token *tessera::parse_detail::plainName(TesseraParser::ExprContext *e) {
  if (!e || e->op || !e->lhs)
    return nullptr;
  auto *primary = dynamic_cast<TesseraParser::PrimaryExprContext *>(e->lhs);
  if (!primary)
    return nullptr;
  auto *name =
      dynamic_cast<TesseraParser::NameExprContext *>(primary->primary());
  return name ? name->name : nullptr;
}

TesseraParser::ExprContext *
tessera::parse_detail::itemExpr(TesseraParser::SubscriptItemContext *i) {
  auto *e = dynamic_cast<TesseraParser::ExprItemContext *>(i);
  return e ? e->expr() : nullptr;
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
      checkIndexAssign(s);
    } else if (auto *e =
                   dynamic_cast<TesseraParser::SubscriptExprContext *>(ctx)) {
      checkSubscriptExpr(e);
    }

    for (auto it = ctx->children.rbegin(); it != ctx->children.rend(); ++it)
      stack.push_back({*it, depth + 1});
  }
}

void ParseSession::checkIndexAssign(TesseraParser::IndexAssignStmtContext *s) {
  checkIndexNames(s->exprList(),
                  "indices on the left of '=' must be plain names");
  bool seenWhere = false, seenInit = false;
  for (TesseraParser::ClauseContext *clause : s->clause()) {
    if (!clause || !clause->getStart())
      continue;
    bool isWhere = dynamic_cast<TesseraParser::WhereClauseContext *>(clause);
    bool &seen = isWhere ? seenWhere : seenInit;
    if (seen)
      error(clause->getStart(),
            isWhere ? "duplicate 'where' clause; separate the ranges with ','"
                    : "duplicate 'init' clause");
    seen = true;
  }
}

void ParseSession::checkSubscriptExpr(TesseraParser::SubscriptExprContext *e) {
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

void ParseSession::checkIndexNames(TesseraParser::ExprListContext *list,
                                   const char *message) {
  if (!list)
    return;
  for (TesseraParser::ExprContext *e : list->expr())
    if (e && !plainName(e) && e->getStart())
      error(e->getStart(), message);
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
