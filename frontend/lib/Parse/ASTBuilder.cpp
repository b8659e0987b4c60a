//===- ASTBuilder.cpp - Parse tree to AST ---------------------------------===//
//
// Step 4 of the parse: build the plain C++ AST from a parse tree that has no
// syntax errors and passed the tree checks, so that its depth is bounded and
// recursion is safe. A tree without the shape that the grammar promises ends
// the build with MalformedTree.
//
//===----------------------------------------------------------------------===//

#include "ParseSession.h"

#include "llvm/ADT/StringSwitch.h"

#include <optional>

using namespace tessera;
using namespace tessera::parse_detail;

namespace {

/// The recursive conversion behind `buildAST`. A missing node, or one of a
/// kind the grammar does not allow there, throws MalformedTree.
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
    if (auto *s = dynamic_cast<TesseraParser::IndexAssignStmtContext *>(ctx))
      return buildIndexAssign(s);
    auto *s = need(dynamic_cast<TesseraParser::ReturnStmtContext *>(ctx));
    std::vector<ast::ExprPtr> values;
    for (TesseraParser::ExprContext *e : s->expr())
      values.push_back(buildExpr(e));
    return std::make_unique<ast::ReturnStmt>(loc(s), std::move(values));
  }

  /// `a[i, j] = value where ... init ...`.
  ast::StmtPtr buildIndexAssign(TesseraParser::IndexAssignStmtContext *s) {
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
      if (auto *w = dynamic_cast<TesseraParser::WhereClauseContext *>(clause)) {
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
    if (auto *e = dynamic_cast<TesseraParser::SubscriptExprContext *>(ctx))
      return e->LPAREN() ? buildReduce(e) : buildSubscript(e);
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

  /// `name[i, j](body)`: a reduction over the listed indices.
  ast::ExprPtr buildReduce(TesseraParser::SubscriptExprContext *e) {
    std::string name = text(e->name);
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

  /// `name[i, j + 1]`: elements of a tensor.
  ast::ExprPtr buildSubscript(TesseraParser::SubscriptExprContext *e) {
    std::string name = text(e->name);
    std::vector<ast::ExprPtr> subscripts;
    if (e->subscriptList())
      for (TesseraParser::SubscriptItemContext *i :
           e->subscriptList()->subscriptItem())
        subscripts.push_back(buildExpr(need(itemExpr(i))));
    auto base = std::make_unique<ast::NameExpr>(loc(e->name), name);
    return std::make_unique<ast::SubscriptExpr>(loc(e->name), std::move(base),
                                                std::move(subscripts));
  }

  const ParseSession &session;
};

} // namespace

std::unique_ptr<ast::Module>
tessera::parse_detail::buildAST(const ParseSession &session,
                                TesseraParser::ModuleContext *tree,
                                llvm::StringRef filename) {
  return ASTBuilder(session).buildModule(tree, filename);
}
