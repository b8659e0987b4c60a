// Tessera.g4 - grammar of the Tessera tensor language (see docs/language.md).
//
// The generated parser is used only by frontend/lib/Parse, which turns the
// parse tree into the plain C++ AST of tessera/Frontend/AST.h. Some checks that
// would make the grammar ambiguous or its error messages obscure are done
// there instead: reducer names (`sum[j](e)`), plain index names on the left
// of an indexed definition and in reductions, and duplicate clauses.
//
// Newlines are ordinary whitespace: a statement starts with a name or
// `return`, and no expression can continue with either, so statements need no
// separator (an optional `;` is accepted).

grammar Tessera;

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

module
  : (fnDecl | constDecl | SEMI)* EOF
  ;

// An input of the REPL (tess-repl): definitions, statements that bind
// session values and bare expressions, in any order. The parser library
// rejects `return` here.
cell
  : (fnDecl | constDecl | stmt | expr | SEMI)* EOF
  ;

fnDecl
  : FN name=IDENT LPAREN (param (COMMA param)* COMMA?)? RPAREN
    (ARROW resultTypes)? LBRACE (stmt | SEMI)* RBRACE
  ;

param
  : name=IDENT COLON type
  ;

resultTypes
  : type
  | LPAREN type (COMMA type)* COMMA? RPAREN
  ;

// `f32`, `index`, `f32[M, K]`, `f32[]`. The dtype is an ordinary name; Sema
// checks it.
type
  : dtype=IDENT (LBRACK (expr (COMMA expr)*)? RBRACK)?
  ;

constDecl
  : CONST name=IDENT ASSIGN expr
  ;

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

stmt
  : IDENT (COMMA IDENT)* ASSIGN expr                        # assignStmt
  | target=IDENT LBRACK exprList RBRACK ASSIGN expr clause*  # indexAssignStmt
  | RETURN expr (COMMA expr)*                                # returnStmt
  ;

clause
  : WHERE rangeClause (COMMA rangeClause)*  # whereClause
  | INIT expr                               # initClause
  ;

rangeClause
  : index=IDENT IN lo=expr DOTDOT hi=expr
  ;

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

// Comparisons are non-associative: `a < b < c` is a syntax error.
expr
  : lhs=arith (op=(LT | LE | GT | GE | EQ | NE) rhs=arith)?
  ;

// Alternatives are listed from the tightest binding to the loosest. Unary
// minus binds looser than `**` on its right (-x**2 == -(x**2)) and `**`
// accepts a negated right operand (2 ** -1).
arith
  : <assoc=right> lhs=arith op=POW rhs=arith      # powExpr
  | op=MINUS operand=arith                         # negExpr
  | lhs=arith op=(STAR | SLASH) rhs=arith          # mulExpr
  | lhs=arith op=(PLUS | MINUS) rhs=arith          # addExpr
  | primary                                        # primaryExpr
  ;

primary
  : number=(INT | FLOAT | IMAG)                               # numberLit
  | STRING                                                    # stringLit
  // `a[i, j]`, or a reduction `sum[j](e)` when an argument follows.
  | name=IDENT LBRACK subscriptList? RBRACK (LPAREN body=expr RPAREN)? # subscriptExpr
  | callee=IDENT LPAREN exprList? RPAREN                      # callExpr
  // `where` is a clause keyword and also the select built-in.
  | callee=WHERE LPAREN exprList? RPAREN                      # whereCallExpr
  | name=IDENT                                                # nameExpr
  | LPAREN expr RPAREN                                        # parenExpr
  | LBRACK exprList? RBRACK                                   # listExpr
  ;

exprList
  : expr (COMMA expr)* COMMA?
  ;

// The bracket list of a subscript or of a reduction. A range (`p in 0..2`)
// gives a reduction index its extent; the parser library rejects ranges in
// tensor subscripts.
subscriptList
  : subscriptItem (COMMA subscriptItem)* COMMA?
  ;

subscriptItem
  : index=IDENT IN lo=expr DOTDOT hi=expr  # rangeItem
  | expr                                   # exprItem
  ;

//===----------------------------------------------------------------------===//
// Tokens
//===----------------------------------------------------------------------===//

FN     : 'fn';
RETURN : 'return';
CONST  : 'const';
WHERE  : 'where';
IN     : 'in';
INIT   : 'init';

LPAREN : '(';
RPAREN : ')';
LBRACK : '[';
RBRACK : ']';
LBRACE : '{';
RBRACE : '}';
COMMA  : ',';
COLON  : ':';
SEMI   : ';';
ARROW  : '->';
DOTDOT : '..';
POW    : '**';
STAR   : '*';
SLASH  : '/';
PLUS   : '+';
MINUS  : '-';
LE     : '<=';
GE     : '>=';
EQ     : '==';
NE     : '!=';
LT     : '<';
GT     : '>';
ASSIGN : '=';

// A FLOAT needs a digit after '.', so `0..L` lexes as INT DOTDOT IDENT.
IMAG  : DIGITS ('.' DIGITS)? EXPONENT? 'j';
FLOAT : DIGITS '.' DIGITS EXPONENT? | DIGITS EXPONENT;
INT   : DIGITS;
// `.5`: reported by the parser library ("write 0.5"), then parsed as FLOAT.
// A '.' DIGITS token cannot start inside `0..5`: there `..` is longer.
MALFORMED_NUMBER : '.' DIGITS EXPONENT? 'j'?;

IDENT : [A-Za-z_] [A-Za-z0-9_]*;

STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"';
// Longest match prefers STRING whenever the closing quote is present; the
// parser library reports this token and then treats it as a STRING.
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '\\'?;

COMMENT : '#' ~[\r\n]* -> skip;
WS      : [ \t\r\n\f]+ -> skip;
// The parser library feeds the lexer one character per byte, so a UTF-8
// byte order mark arrives as these three characters.
BOM     : '\u00EF\u00BB\u00BF' -> skip;

// Every other character becomes a token of its own so that the lexer never
// fails; the parser library reports it and drops it from the token stream.
ERROR_CHAR : .;

fragment DIGITS   : [0-9]+;
fragment EXPONENT : [eE] [+-]? [0-9]+;
