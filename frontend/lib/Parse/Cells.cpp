//===- Cells.cpp - REPL cells ---------------------------------------------===//
//
// A REPL cell is parsed with the grammar's `cell` rule. Only its items'
// kinds, extents and names leave here: the REPL puts the items' text into a
// module of its own (tessera/Driver/Session.h), which parseModule checks in
// full. Whether a cell with errors is merely unfinished is decided by the
// parser: it is when every error is at the end of the input.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/Parser.h"

#include "ParseSession.h"

using namespace tessera;
using namespace tessera::parse_detail;

std::optional<CellItem>
ParseSession::cellItem(antlr4::tree::ParseTree *node) const {
  auto *ctx = dynamic_cast<antlr4::ParserRuleContext *>(node);
  if (!ctx || !ctx->getStart() || !ctx->getStop())
    return std::nullopt;
  CellItem item;
  if (auto *fn = dynamic_cast<TesseraParser::FnDeclContext *>(ctx)) {
    item.kind = CellItem::Kind::Function;
    if (fn->name)
      item.defines.push_back(text(fn->name));
  } else if (auto *c = dynamic_cast<TesseraParser::ConstDeclContext *>(ctx)) {
    item.kind = CellItem::Kind::Constant;
    if (c->name)
      item.defines.push_back(text(c->name));
  } else if (auto *a = dynamic_cast<TesseraParser::AssignStmtContext *>(ctx)) {
    item.kind = CellItem::Kind::Statement;
    for (antlr4::tree::TerminalNode *name : a->IDENT())
      item.defines.push_back(text(name->getSymbol()));
  } else if (auto *a =
                 dynamic_cast<TesseraParser::IndexAssignStmtContext *>(ctx)) {
    item.kind = CellItem::Kind::Statement;
    if (a->target)
      item.defines.push_back(text(a->target));
  } else if (dynamic_cast<TesseraParser::ExprContext *>(ctx)) {
    item.kind = CellItem::Kind::Expression;
  } else {
    return std::nullopt;
  }
  item.loc = locOf(ctx->getStart());
  item.begin = ctx->getStart()->getStartIndex();
  item.end = ctx->getStop()->getStopIndex() + 1;
  for (size_t i = ctx->getStart()->getTokenIndex(),
              e = ctx->getStop()->getTokenIndex();
       stream && i <= e && i < stream->size(); ++i)
    if (stream->get(i)->getType() == TesseraLexer::IDENT)
      item.names.push_back(text(stream->get(i)));
  return item;
}

void ParseSession::runCell(ParsedCell &cell) {
  parse(
      [](TesseraParser &p) -> antlr4::ParserRuleContext * { return p.cell(); },
      [&](antlr4::ParserRuleContext *tree) {
        for (antlr4::tree::ParseTree *child : tree->children) {
          if (auto *r =
                  dynamic_cast<TesseraParser::ReturnStmtContext *>(child)) {
            error(r->getStart(), "'return' is only allowed inside a "
                                 "function; write the expression alone "
                                 "to see its value");
            continue;
          }
          if (std::optional<CellItem> item = cellItem(child))
            cell.items.push_back(std::move(*item));
        }
      });
}

ParsedCell tessera::parseCell(llvm::StringRef source, DiagnosticSink &diag,
                              bool allowIncomplete) {
  ParsedCell cell;
  ParseSession session(source, diag);
  try {
    session.runCell(cell);
  } catch (const TooManyErrors &) {
    // Enough has been recorded.
  } catch (const std::exception &e) {
    session.recordInternalError(e.what());
  } catch (...) {
    session.recordInternalError("unknown exception");
  }
  if (allowIncomplete && session.onlyErrorsAtEnd()) {
    session.discardErrors();
    cell.incomplete = true;
    cell.items.clear();
    return cell;
  }
  cell.ok = !session.hadErrors();
  if (!cell.ok)
    cell.items.clear();
  session.flushErrors();
  return cell;
}
