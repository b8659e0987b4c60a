//===- Transforms.cpp - Fourier transforms as whole values ----------------===//
//
// `fft(x, axis)` and `ifft(x, axis)`: numpy.fft's conventions, any length.
// A real argument is converted to the complex type of its precision first,
// as numpy does.
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"

using namespace tessera;
using namespace tessera::sema;

ValueRef FunctionAnalyzer::convertElements(ValueRef x, DType to,
                                           ast::SourceLoc loc) {
  const TensorType t = typeOf(x);
  size_t rank = t.shape.size();
  auto c = std::make_unique<Contraction>();
  c->loopExtents = t.shape;
  ContractionOperand operand;
  operand.value = x;
  for (size_t d = 0; d < rank; ++d) {
    c->loopNames.push_back("d" + std::to_string(d));
    c->resultLoops.push_back(static_cast<unsigned>(d));
    AffineSubscript s;
    s.coeffs.assign(rank, 0);
    s.coeffs[d] = 1;
    operand.subscripts.push_back(std::move(s));
  }
  c->operands.push_back(std::move(operand));
  auto read = std::make_unique<ScalarExpr>();
  read->kind = ScalarExpr::Kind::Read;
  read->dtype = t.dtype;
  read->loc = loc;
  c->body = std::make_unique<ScalarExpr>();
  c->body->kind = ScalarExpr::Kind::Cast;
  c->body->dtype = to;
  c->body->loc = loc;
  c->body->args.push_back(std::move(read));
  return addContraction(std::move(c), loc);
}

std::optional<ValueRef>
FunctionAnalyzer::evalFourier(const ast::CallExpr &call) {
  bool inverse = call.callee == "ifft";
  auto args = evalTensorAndAxis(
      call,
      [](DType dt) {
        return dt == DType::F32 || dt == DType::F64 || isComplexDType(dt);
      },
      "an f32, f64, c64 or c128 tensor");
  if (!args)
    return std::nullopt;
  ValueRef x = args->first;
  TensorType t = typeOf(x);
  if (!isComplexDType(t.dtype)) {
    t.dtype = t.dtype == DType::F64 ? DType::C128 : DType::C64;
    x = convertElements(x, t.dtype, call.args[0]->getLoc());
  }
  Value v;
  v.kind = inverse ? Value::Kind::Ifft : Value::Kind::Fft;
  v.loc = call.getLoc();
  v.types.push_back(t);
  v.operands.push_back(x);
  v.axis = args->second;
  return addValue(std::move(v));
}
