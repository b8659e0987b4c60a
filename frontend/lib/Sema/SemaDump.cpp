//===- SemaDump.cpp - The explicit form: helpers and printing -------------===//
//
// `sema::dump` prints a checked program one value per line (tests and
// debugging); the small methods of the explicit form's types live here too.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/Sema.h"
#include "tessera/Frontend/Sema/Typing.h"

using namespace tessera;
using namespace tessera::sema;

std::string TensorType::str() const {
  std::string s = getDTypeName(dtype).str();
  if (shape.empty())
    return s;
  s += "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += shape[i].str();
  }
  return s + "]";
}

int AffineSubscript::getPlainLoop() const {
  if (constant != 0 || !symbolCoeffs.empty())
    return -1;
  int loop = -1;
  for (size_t i = 0; i < coeffs.size(); ++i) {
    if (coeffs[i] == 0)
      continue;
    if (coeffs[i] != 1 || loop != -1)
      return -1;
    loop = static_cast<int>(i);
  }
  return loop;
}

const Function *Program::lookup(llvm::StringRef name) const {
  for (; numIndexed < functions.size(); ++numIndexed)
    byName.try_emplace(functions[numIndexed].name, numIndexed);
  auto it = byName.find(name);
  return it == byName.end() ? nullptr : &functions[it->second];
}

static const char *reduceKindName(ReduceKind k) {
  switch (k) {
  case ReduceKind::Sum:
    return "sum";
  case ReduceKind::Max:
    return "max";
  case ReduceKind::Min:
    return "min";
  case ReduceKind::Prod:
    return "prod";
  }
  return "?";
}

static void printScalar(const ScalarExpr &e, const Contraction &c,
                        llvm::raw_ostream &os) {
  switch (e.kind) {
  case ScalarExpr::Kind::Constant:
    if (isComplexDType(e.dtype))
      os << "(" << e.floatValue << (e.imagValue < 0 ? "" : "+") << e.imagValue
         << "j)";
    else if (isFloatDType(e.dtype))
      os << e.floatValue;
    else
      os << e.intValue;
    os << ":" << getDTypeName(e.dtype);
    return;
  case ScalarExpr::Kind::Read:
    os << "%" << e.operand;
    return;
  case ScalarExpr::Kind::LoopIndex:
    os << c.loopNames[e.loop];
    return;
  case ScalarExpr::Kind::SizeValue:
    os << "$" << (e.size ? "(" + e.size->str() + ")" : e.symbol);
    return;
  case ScalarExpr::Kind::Cast:
    os << getDTypeName(e.dtype) << "(";
    printScalar(*e.args[0], c, os);
    os << ")";
    return;
  case ScalarExpr::Kind::Previous:
    os << "previous";
    return;
  case ScalarExpr::Kind::Select:
    os << "where(";
    printScalar(*e.args[0], c, os);
    os << ", ";
    printScalar(*e.args[1], c, os);
    os << ", ";
    printScalar(*e.args[2], c, os);
    os << ")";
    return;
  case ScalarExpr::Kind::Unary: {
    os << getUnaryFnName(e.unaryOp) << "(";
    printScalar(*e.args[0], c, os);
    os << ")";
    return;
  }
  case ScalarExpr::Kind::Binary: {
    if (e.binaryOp == ScalarExpr::BinaryOp::Complex) {
      os << "complex(";
      printScalar(*e.args[0], c, os);
      os << ", ";
      printScalar(*e.args[1], c, os);
      os << ")";
      return;
    }
    static const char *names[] = {"+", "-", "*",  "/", "**", "max", "min",
                                  "?", "<", "<=", ">", ">=", "==",  "!="};
    os << "(";
    printScalar(*e.args[0], c, os);
    os << " " << names[static_cast<int>(e.binaryOp)] << " ";
    printScalar(*e.args[1], c, os);
    os << ")";
    return;
  }
  }
}

/// `2*i + j + N + -1`: loop terms, symbol terms, then the constant.
static void printSubscript(const AffineSubscript &s, const Contraction &c,
                           llvm::raw_ostream &os) {
  bool first = true;
  auto term = [&](int64_t k, llvm::StringRef name) {
    if (!k)
      return;
    os << (first ? "" : " + ");
    if (k != 1)
      os << k << "*";
    os << name;
    first = false;
  };
  for (size_t l = 0; l < s.coeffs.size(); ++l)
    term(s.coeffs[l], c.loopNames[l]);
  for (const auto &[sym, k] : s.symbolCoeffs)
    term(k, sym);
  if (s.constant || first)
    os << (first ? "" : " + ") << s.constant;
}

static void printContraction(const Contraction &c, llvm::raw_ostream &os) {
  os << reduceKindName(c.kind) << " loops[";
  for (size_t l = 0; l < c.loopExtents.size(); ++l)
    os << (l ? ", " : "") << c.loopNames[l] << ":" << c.loopExtents[l].str();
  os << "] out[";
  for (size_t l = 0; l < c.resultLoops.size(); ++l)
    os << (l ? ", " : "") << c.loopNames[c.resultLoops[l]];
  os << "]";
  for (size_t o = 0; o < c.operands.size(); ++o) {
    os << " %" << o << "=v" << c.operands[o].value.id << "#"
       << c.operands[o].value.result << "[";
    for (size_t d = 0; d < c.operands[o].subscripts.size(); ++d) {
      os << (d ? ", " : "");
      printSubscript(c.operands[o].subscripts[d], c, os);
    }
    os << "]";
  }
  os << " : ";
  printScalar(*c.body, c, os);
}

static void printValue(const Function &f, const Value &v,
                       llvm::raw_ostream &os) {
  switch (v.kind) {
  case Value::Kind::Param:
    os << "param " << f.params[v.paramIndex].name;
    return;
  case Value::Kind::Softmax:
    os << "softmax v" << v.operands[0].id << " axis " << v.axis;
    return;
  case Value::Kind::Fwht:
    os << "fwht v" << v.operands[0].id << " axis " << v.axis;
    return;
  case Value::Kind::BitReverse:
    os << "bitreverse v" << v.operands[0].id << " axis " << v.axis;
    return;
  case Value::Kind::FftTwiddles:
    os << "fft_twiddles " << v.types[0].str();
    return;
  case Value::Kind::Butterfly:
  case Value::Kind::Permute:
  case Value::Kind::BlockDiag:
  case Value::Kind::Monarch: {
    static const char *names[] = {"butterfly", "permute", "blockdiag",
                                  "monarch"};
    os << names[static_cast<int>(v.kind) -
                static_cast<int>(Value::Kind::Butterfly)];
    for (ValueRef r : v.operands)
      os << " v" << r.id;
    os << " axis " << v.axis;
    return;
  }
  case Value::Kind::CausalConv:
    os << "causal_conv v" << v.operands[0].id << " v" << v.operands[1].id
       << " axis " << v.axis;
    return;
  case Value::Kind::Rfft:
  case Value::Kind::Irfft:
    os << (v.kind == Value::Kind::Rfft ? "rfft v" : "irfft v")
       << v.operands[0].id << " axis " << v.axis << " -> " << v.types[0].str();
    return;
  case Value::Kind::Fft:
  case Value::Kind::Ifft:
    os << (v.kind == Value::Kind::Fft ? "fft v" : "ifft v") << v.operands[0].id
       << " axis " << v.axis;
    return;
  case Value::Kind::Splat:
    os << "splat " << v.splatValue;
    return;
  case Value::Kind::Discretize:
    os << (v.bilinear ? "discretize bilinear" : "discretize zoh");
    for (ValueRef r : v.operands)
      os << " v" << r.id;
    return;
  case Value::Kind::Call:
    os << "call " << v.callee << "(";
    for (size_t a = 0; a < v.operands.size(); ++a)
      os << (a ? ", " : "") << "v" << v.operands[a].id << "#"
         << v.operands[a].result;
    os << ")";
    return;
  case Value::Kind::Contraction:
    printContraction(*v.contraction, os);
    return;
  case Value::Kind::Scan:
    os << "scan along " << v.contraction->loopNames[v.axis]
       << (v.reverse ? " backwards" : "");
    if (v.hasInit)
      os << " from v" << v.operands[0].id;
    os << ": ";
    printContraction(*v.contraction, os);
    return;
  case Value::Kind::SliceScan:
    os << "slice scan along "
       << v.contraction->loopNames[v.contraction->resultLoops[v.axis]]
       << (v.reverse ? " backwards" : "") << " of v" << v.previous;
    if (v.hasInit)
      os << " from v" << v.operands[0].id;
    os << " (steps";
    for (unsigned id : v.stepValues)
      os << " v" << id;
    os << "): ";
    printContraction(*v.contraction, os);
    return;
  case Value::Kind::Previous:
    os << "previous slice";
    return;
  }
}

void sema::dump(const Program &program, llvm::raw_ostream &os) {
  for (const Function &f : program.functions) {
    os << "fn " << f.name << "\n";
    for (size_t i = 0; i < f.values.size(); ++i) {
      const Value &v = f.values[i];
      os << "  v" << i << " : ";
      for (size_t r = 0; r < v.types.size(); ++r)
        os << (r ? ", " : "") << v.types[r].str();
      os << " = ";
      printValue(f, v, os);
      os << "\n";
    }
    os << "  return";
    for (size_t r = 0; r < f.returns.size(); ++r)
      os << (r ? ", " : " ") << "v" << f.returns[r].id << "#"
         << f.returns[r].result;
    os << "\n";
    for (const SizeConstraint &c : f.constraints) {
      os << "  require " << getSizeRuleName(c.rule) << " " << c.size.str();
      if (c.bound)
        os << " " << c.bound->str();
      os << " (" << c.what << ", "
         << describeConstraintLocation(c, program.filename) << ")\n";
    }
  }
}
