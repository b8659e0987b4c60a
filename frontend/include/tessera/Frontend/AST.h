//===- AST.h - Tessera abstract syntax tree ---------------------*- C++ -*-===//
//
// The AST is plain C++: no ANTLR types and no exceptions cross into it. Every
// node records the location of its first token so that Sema and MLIRGen can
// report errors and attach FileLineColLoc to the generated operations.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_AST_H
#define TESSERA_FRONTEND_AST_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tessera {
namespace ast {

/// A 1-based line/column position inside the module's source buffer.
struct SourceLoc {
  unsigned line = 0;
  unsigned col = 0;
};

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

/// Base class of all expressions. Uses LLVM-style RTTI (`llvm::isa`/`cast`).
class Expr {
public:
  enum class Kind {
    Number,    ///< 3, 2.5, 1e-3, 2.0j
    String,    ///< "bhtd,bhsd->bhts" (only meaningful as an einsum spec)
    Name,      ///< a variable, parameter, size symbol, index, const or dtype
    Subscript, ///< base[e0, e1, ...]  (tensor access, or a type like f32[N])
    Call,      ///< callee(args...)    (built-in, cast, user function, einsum)
    Reduce,    ///< sum[j, k](body), max[..](..), min[..](..), prod[..](..)
    Binary,    ///< lhs op rhs
    Unary,     ///< -x
    List,      ///< [e0, e1, ...]  (arguments of reshape/concat)
  };

  Kind getKind() const { return kind; }
  SourceLoc getLoc() const { return loc; }
  virtual ~Expr() = default;

protected:
  Expr(Kind kind, SourceLoc loc) : kind(kind), loc(loc) {}

private:
  Kind kind;
  SourceLoc loc;
};

using ExprPtr = std::unique_ptr<Expr>;

/// A numeric literal. `text` is the spelling in the source (without a
/// trailing `j`), kept so that huge literals can be diagnosed precisely.
class NumberExpr : public Expr {
public:
  NumberExpr(SourceLoc loc, std::string text, bool isInteger, bool isImaginary)
      : Expr(Kind::Number, loc), text(std::move(text)), isInteger(isInteger),
        isImaginary(isImaginary) {}
  std::string text;
  /// True when the literal has neither '.' nor an exponent (e.g. `3`).
  bool isInteger;
  /// True for imaginary literals such as `2.0j`.
  bool isImaginary;
  static bool classof(const Expr *e) { return e->getKind() == Kind::Number; }
};

/// A string literal; `value` has the quotes removed and escapes resolved.
class StringExpr : public Expr {
public:
  StringExpr(SourceLoc loc, std::string value)
      : Expr(Kind::String, loc), value(std::move(value)) {}
  std::string value;
  static bool classof(const Expr *e) { return e->getKind() == Kind::String; }
};

/// A bare identifier.
class NameExpr : public Expr {
public:
  NameExpr(SourceLoc loc, std::string name)
      : Expr(Kind::Name, loc), name(std::move(name)) {}
  std::string name;
  static bool classof(const Expr *e) { return e->getKind() == Kind::Name; }
};

/// `base[i0, i1, ...]`. The base is usually a NameExpr; Sema decides whether
/// it denotes a tensor access or a tensor type such as `f32[N]`.
class SubscriptExpr : public Expr {
public:
  SubscriptExpr(SourceLoc loc, ExprPtr base, std::vector<ExprPtr> indices)
      : Expr(Kind::Subscript, loc), base(std::move(base)),
        indices(std::move(indices)) {}
  ExprPtr base;
  std::vector<ExprPtr> indices;
  static bool classof(const Expr *e) { return e->getKind() == Kind::Subscript; }
};

/// `callee(args...)`. The callee is a name: a built-in (exp, softmax, ...),
/// a dtype (a cast: f32(x)), `einsum`, or a user function.
class CallExpr : public Expr {
public:
  CallExpr(SourceLoc loc, std::string callee, SourceLoc calleeLoc,
           std::vector<ExprPtr> args)
      : Expr(Kind::Call, loc), callee(std::move(callee)), calleeLoc(calleeLoc),
        args(std::move(args)) {}
  std::string callee;
  SourceLoc calleeLoc;
  std::vector<ExprPtr> args;
  static bool classof(const Expr *e) { return e->getKind() == Kind::Call; }
};

/// The explicit reducers: `sum[j](e)`, `mean[j](e)`, `max[j](e)`,
/// `min[j](e)`, `prod[j](e)`. An index may carry its range:
/// `max[p in 0..2](x[2 * i + p])`.
class ReduceExpr : public Expr {
public:
  enum class Op { Sum, Max, Min, Prod, Mean };
  /// The range `lo..hi` written for one index; both null when the range is
  /// inferred from the subscripts.
  struct Range {
    ExprPtr lo, hi;
  };
  ReduceExpr(SourceLoc loc, Op op, std::vector<std::string> indices,
             std::vector<SourceLoc> indexLocs, ExprPtr body,
             std::vector<Range> ranges = {})
      : Expr(Kind::Reduce, loc), op(op), indices(std::move(indices)),
        indexLocs(std::move(indexLocs)), ranges(std::move(ranges)),
        body(std::move(body)) {
    this->ranges.resize(this->indices.size());
  }
  Op op;
  std::vector<std::string> indices;
  std::vector<SourceLoc> indexLocs;
  std::vector<Range> ranges; ///< one per index
  ExprPtr body;
  static bool classof(const Expr *e) { return e->getKind() == Kind::Reduce; }
};

/// Binary operators, loosest binding first: comparisons, + -, * /, **.
class BinaryExpr : public Expr {
public:
  enum class Op { Add, Sub, Mul, Div, Pow, Lt, Le, Gt, Ge, Eq, Ne };
  BinaryExpr(SourceLoc loc, Op op, ExprPtr lhs, ExprPtr rhs)
      : Expr(Kind::Binary, loc), op(op), lhs(std::move(lhs)),
        rhs(std::move(rhs)) {}
  Op op;
  ExprPtr lhs, rhs;
  static bool classof(const Expr *e) { return e->getKind() == Kind::Binary; }
};

/// Unary minus.
class UnaryExpr : public Expr {
public:
  enum class Op { Neg };
  UnaryExpr(SourceLoc loc, Op op, ExprPtr operand)
      : Expr(Kind::Unary, loc), op(op), operand(std::move(operand)) {}
  Op op;
  ExprPtr operand;
  static bool classof(const Expr *e) { return e->getKind() == Kind::Unary; }
};

/// A bracketed list `[a, b, c]`.
class ListExpr : public Expr {
public:
  ListExpr(SourceLoc loc, std::vector<ExprPtr> elements)
      : Expr(Kind::List, loc), elements(std::move(elements)) {}
  std::vector<ExprPtr> elements;
  static bool classof(const Expr *e) { return e->getKind() == Kind::List; }
};

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

/// A written type: `f32`, `index`, `f32[M, K]`, `c64[H, N]`, `f32[]`.
/// Dimensions are expressions (integer literals or size symbols; later issues
/// may allow arithmetic on them such as `N / 2`).
struct TypeExpr {
  SourceLoc loc;
  std::string dtype;         ///< spelling: bool i32 i64 f16 bf16 f32 f64 ...
  bool isTensor = false;     ///< true when written with brackets
  std::vector<ExprPtr> dims; ///< empty for scalars
};

//===----------------------------------------------------------------------===//
// Statements and declarations
//===----------------------------------------------------------------------===//

/// `i in lo..hi` inside a `where` clause.
struct RangeClause {
  SourceLoc loc;
  std::string index;
  ExprPtr lo, hi;
};

class Stmt {
public:
  enum class Kind { Assign, IndexAssign, Return };
  Kind getKind() const { return kind; }
  SourceLoc getLoc() const { return loc; }
  virtual ~Stmt() = default;

protected:
  Stmt(Kind kind, SourceLoc loc) : kind(kind), loc(loc) {}

private:
  Kind kind;
  SourceLoc loc;
};

using StmtPtr = std::unique_ptr<Stmt>;

/// `x = expr` or `a, b = f(x)`.
class AssignStmt : public Stmt {
public:
  AssignStmt(SourceLoc loc, std::vector<std::string> targets,
             std::vector<SourceLoc> targetLocs, ExprPtr value)
      : Stmt(Kind::Assign, loc), targets(std::move(targets)),
        targetLocs(std::move(targetLocs)), value(std::move(value)) {}
  std::vector<std::string> targets;
  std::vector<SourceLoc> targetLocs;
  ExprPtr value;
  static bool classof(const Stmt *s) { return s->getKind() == Kind::Assign; }
};

/// `y[i, j] = expr [where i in 0..N, ...] [init h0[...]]`.
/// The left-hand indices are plain index names.
class IndexAssignStmt : public Stmt {
public:
  IndexAssignStmt(SourceLoc loc, std::string target,
                  std::vector<std::string> indices,
                  std::vector<SourceLoc> indexLocs, ExprPtr value,
                  std::vector<RangeClause> ranges, ExprPtr init)
      : Stmt(Kind::IndexAssign, loc), target(std::move(target)),
        indices(std::move(indices)), indexLocs(std::move(indexLocs)),
        value(std::move(value)), ranges(std::move(ranges)),
        init(std::move(init)) {}
  std::string target;
  std::vector<std::string> indices;
  std::vector<SourceLoc> indexLocs;
  ExprPtr value;
  std::vector<RangeClause> ranges;
  ExprPtr init; ///< optional initial value of a recurrence (null if absent)
  static bool classof(const Stmt *s) {
    return s->getKind() == Kind::IndexAssign;
  }
};

/// `return e1, e2, ...`.
class ReturnStmt : public Stmt {
public:
  ReturnStmt(SourceLoc loc, std::vector<ExprPtr> values)
      : Stmt(Kind::Return, loc), values(std::move(values)) {}
  std::vector<ExprPtr> values;
  static bool classof(const Stmt *s) { return s->getKind() == Kind::Return; }
};

struct Param {
  SourceLoc loc;
  std::string name;
  TypeExpr type;
};

/// `fn name(params) -> results { body }`.
struct FnDecl {
  SourceLoc loc;
  std::string name;
  std::vector<Param> params;
  std::vector<TypeExpr> results;
  std::vector<StmtPtr> body;
};

/// `const NAME = expr`.
struct ConstDecl {
  SourceLoc loc;
  std::string name;
  ExprPtr value;
};

/// A parsed source file: functions and constants in source order.
struct Module {
  std::string filename;
  std::vector<std::unique_ptr<FnDecl>> functions;
  std::vector<std::unique_ptr<ConstDecl>> constants;
};

/// Prints the AST as an indented S-expression tree (`tessc --emit=ast`).
void dump(const Module &module, llvm::raw_ostream &os);
/// Prints an expression in source-like syntax (used in diagnostics).
std::string toString(const Expr &expr);

} // namespace ast
} // namespace tessera

#endif // TESSERA_FRONTEND_AST_H
