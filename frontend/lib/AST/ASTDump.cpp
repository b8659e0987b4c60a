//===- ASTDump.cpp - Printing the Tessera AST -----------------------------===//
//
// `dump` prints one node per line, indented by depth, as
// `Kind key-fields @line:col`; lit tests check this text, so keep it stable.
// `toString` renders an expression back in source syntax for diagnostics.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/AST.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/ErrorHandling.h"

using namespace tessera;
using namespace tessera::ast;

namespace {

const char *spell(BinaryExpr::Op op) {
  switch (op) {
  case BinaryExpr::Op::Add:
    return "+";
  case BinaryExpr::Op::Sub:
    return "-";
  case BinaryExpr::Op::Mul:
    return "*";
  case BinaryExpr::Op::Div:
    return "/";
  case BinaryExpr::Op::Pow:
    return "**";
  case BinaryExpr::Op::Lt:
    return "<";
  case BinaryExpr::Op::Le:
    return "<=";
  case BinaryExpr::Op::Gt:
    return ">";
  case BinaryExpr::Op::Ge:
    return ">=";
  case BinaryExpr::Op::Eq:
    return "==";
  case BinaryExpr::Op::Ne:
    return "!=";
  }
  llvm_unreachable("unknown binary operator");
}

const char *spell(UnaryExpr::Op op) {
  switch (op) {
  case UnaryExpr::Op::Neg:
    return "-";
  }
  llvm_unreachable("unknown unary operator");
}

const char *spell(ReduceExpr::Op op) {
  switch (op) {
  case ReduceExpr::Op::Sum:
    return "sum";
  case ReduceExpr::Op::Max:
    return "max";
  case ReduceExpr::Op::Min:
    return "min";
  case ReduceExpr::Op::Prod:
    return "prod";
  case ReduceExpr::Op::Mean:
    return "mean";
  }
  llvm_unreachable("unknown reduction");
}

void printQuoted(llvm::raw_ostream &os, llvm::StringRef value) {
  os << '"';
  os.write_escaped(value);
  os << '"';
}

void printExpr(llvm::raw_ostream &os, const Expr &expr);

/// Prints `e`, parenthesized when it is an operator expression so that the
/// rendering of an enclosing operator is unambiguous.
void printOperand(llvm::raw_ostream &os, const Expr &e) {
  bool paren = llvm::isa<BinaryExpr, UnaryExpr>(e);
  if (paren)
    os << '(';
  printExpr(os, e);
  if (paren)
    os << ')';
}

void printExprList(llvm::raw_ostream &os, const std::vector<ExprPtr> &list) {
  llvm::interleaveComma(list, os, [&](const ExprPtr &e) { printExpr(os, *e); });
}

void printExpr(llvm::raw_ostream &os, const Expr &expr) {
  switch (expr.getKind()) {
  case Expr::Kind::Number: {
    const auto &e = llvm::cast<NumberExpr>(expr);
    os << e.text << (e.isImaginary ? "j" : "");
    return;
  }
  case Expr::Kind::String:
    printQuoted(os, llvm::cast<StringExpr>(expr).value);
    return;
  case Expr::Kind::Name:
    os << llvm::cast<NameExpr>(expr).name;
    return;
  case Expr::Kind::Subscript: {
    const auto &e = llvm::cast<SubscriptExpr>(expr);
    printOperand(os, *e.base);
    os << '[';
    printExprList(os, e.indices);
    os << ']';
    return;
  }
  case Expr::Kind::Call: {
    const auto &e = llvm::cast<CallExpr>(expr);
    os << e.callee << '(';
    printExprList(os, e.args);
    os << ')';
    return;
  }
  case Expr::Kind::Reduce: {
    const auto &e = llvm::cast<ReduceExpr>(expr);
    os << spell(e.op) << '[';
    llvm::interleaveComma(e.indices, os);
    os << "](";
    printExpr(os, *e.body);
    os << ')';
    return;
  }
  case Expr::Kind::Binary: {
    const auto &e = llvm::cast<BinaryExpr>(expr);
    printOperand(os, *e.lhs);
    os << ' ' << spell(e.op) << ' ';
    printOperand(os, *e.rhs);
    return;
  }
  case Expr::Kind::Unary: {
    const auto &e = llvm::cast<UnaryExpr>(expr);
    os << spell(e.op);
    printOperand(os, *e.operand);
    return;
  }
  case Expr::Kind::List: {
    os << '[';
    printExprList(os, llvm::cast<ListExpr>(expr).elements);
    os << ']';
    return;
  }
  }
  llvm_unreachable("unknown expression kind");
}

void printType(llvm::raw_ostream &os, const TypeExpr &type) {
  os << type.dtype;
  if (!type.isTensor)
    return;
  os << '[';
  printExprList(os, type.dims);
  os << ']';
}

/// Writes the indented tree form.
class Dumper {
public:
  explicit Dumper(llvm::raw_ostream &os) : os(os) {}

  void dumpModule(const Module &module) {
    os << "Module\n";
    // Functions and constants live in separate lists; print them
    // interleaved in source order.
    struct Decl {
      SourceLoc loc;
      const FnDecl *fn;
      const ConstDecl *constant;
    };
    std::vector<Decl> order;
    for (const auto &fn : module.functions)
      order.push_back({fn->loc, fn.get(), nullptr});
    for (const auto &c : module.constants)
      order.push_back({c->loc, nullptr, c.get()});
    // Declarations never share a start location, so the order is total.
    llvm::sort(order, [](const Decl &a, const Decl &b) {
      return std::make_pair(a.loc.line, a.loc.col) <
             std::make_pair(b.loc.line, b.loc.col);
    });
    for (const Decl &d : order) {
      if (d.fn)
        dumpFn(*d.fn, 1);
      else
        dumpConst(*d.constant, 1);
    }
  }

private:
  llvm::raw_ostream &line(unsigned depth) { return os.indent(2 * depth); }
  void loc(SourceLoc l) { os << " @" << l.line << ':' << l.col << '\n'; }

  void dumpConst(const ConstDecl &c, unsigned depth) {
    line(depth) << "Const " << c.name;
    loc(c.loc);
    dumpExpr(*c.value, depth + 1);
  }

  void dumpFn(const FnDecl &fn, unsigned depth) {
    line(depth) << "Fn " << fn.name;
    loc(fn.loc);
    for (const Param &p : fn.params) {
      line(depth + 1) << "Param " << p.name << " : ";
      printType(os, p.type);
      loc(p.loc);
    }
    for (const TypeExpr &t : fn.results) {
      line(depth + 1) << "Result ";
      printType(os, t);
      loc(t.loc);
    }
    for (const StmtPtr &s : fn.body)
      dumpStmt(*s, depth + 1);
  }

  void dumpStmt(const Stmt &stmt, unsigned depth) {
    switch (stmt.getKind()) {
    case Stmt::Kind::Assign: {
      const auto &s = llvm::cast<AssignStmt>(stmt);
      line(depth) << "Assign ";
      llvm::interleaveComma(s.targets, os);
      loc(s.getLoc());
      dumpExpr(*s.value, depth + 1);
      return;
    }
    case Stmt::Kind::IndexAssign: {
      const auto &s = llvm::cast<IndexAssignStmt>(stmt);
      line(depth) << "IndexAssign " << s.target << '[';
      llvm::interleaveComma(s.indices, os);
      os << ']';
      loc(s.getLoc());
      dumpExpr(*s.value, depth + 1);
      for (const RangeClause &r : s.ranges) {
        line(depth + 1) << "Range " << r.index;
        loc(r.loc);
        dumpExpr(*r.lo, depth + 2);
        dumpExpr(*r.hi, depth + 2);
      }
      if (s.init) {
        line(depth + 1) << "Init\n";
        dumpExpr(*s.init, depth + 2);
      }
      return;
    }
    case Stmt::Kind::Return: {
      const auto &s = llvm::cast<ReturnStmt>(stmt);
      line(depth) << "Return";
      loc(s.getLoc());
      for (const ExprPtr &v : s.values)
        dumpExpr(*v, depth + 1);
      return;
    }
    }
    llvm_unreachable("unknown statement kind");
  }

  void dumpExprs(const std::vector<ExprPtr> &list, unsigned depth) {
    for (const ExprPtr &e : list)
      dumpExpr(*e, depth);
  }

  void dumpExpr(const Expr &expr, unsigned depth) {
    line(depth);
    switch (expr.getKind()) {
    case Expr::Kind::Number:
    case Expr::Kind::String:
    case Expr::Kind::Name:
      os << (expr.getKind() == Expr::Kind::Number   ? "Number "
             : expr.getKind() == Expr::Kind::String ? "String "
                                                    : "Name ");
      printExpr(os, expr);
      loc(expr.getLoc());
      return;
    case Expr::Kind::Subscript: {
      const auto &e = llvm::cast<SubscriptExpr>(expr);
      // The parser always produces a name as the base; print it inline.
      if (const auto *base = llvm::dyn_cast<NameExpr>(e.base.get())) {
        os << "Subscript " << base->name;
        loc(e.getLoc());
      } else {
        os << "Subscript";
        loc(e.getLoc());
        dumpExpr(*e.base, depth + 1);
      }
      dumpExprs(e.indices, depth + 1);
      return;
    }
    case Expr::Kind::Call: {
      const auto &e = llvm::cast<CallExpr>(expr);
      os << "Call " << e.callee;
      loc(e.getLoc());
      dumpExprs(e.args, depth + 1);
      return;
    }
    case Expr::Kind::Reduce: {
      const auto &e = llvm::cast<ReduceExpr>(expr);
      os << "Reduce " << spell(e.op) << '[';
      llvm::interleaveComma(e.indices, os);
      os << ']';
      loc(e.getLoc());
      dumpExpr(*e.body, depth + 1);
      return;
    }
    case Expr::Kind::Binary: {
      const auto &e = llvm::cast<BinaryExpr>(expr);
      os << "Binary " << spell(e.op);
      loc(e.getLoc());
      dumpExpr(*e.lhs, depth + 1);
      dumpExpr(*e.rhs, depth + 1);
      return;
    }
    case Expr::Kind::Unary: {
      const auto &e = llvm::cast<UnaryExpr>(expr);
      os << "Unary " << spell(e.op);
      loc(e.getLoc());
      dumpExpr(*e.operand, depth + 1);
      return;
    }
    case Expr::Kind::List: {
      const auto &e = llvm::cast<ListExpr>(expr);
      os << "List";
      loc(e.getLoc());
      dumpExprs(e.elements, depth + 1);
      return;
    }
    }
    llvm_unreachable("unknown expression kind");
  }

  llvm::raw_ostream &os;
};

} // namespace

void tessera::ast::dump(const Module &module, llvm::raw_ostream &os) {
  Dumper(os).dumpModule(module);
}

std::string tessera::ast::toString(const Expr &expr) {
  std::string result;
  llvm::raw_string_ostream os(result);
  printExpr(os, expr);
  return result;
}
