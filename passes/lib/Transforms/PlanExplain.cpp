//===- PlanExplain.cpp - The remarks of tess-plan-contractions{explain} ---===//
//
// One remark per contraction, at its source location:
//
//   remark: contraction of 3 inputs: 2 steps (exhaustive search)
//     loops: b = B 512 (hint), o = O 64 (default), i = I 64 (default)
//     1. t1[b,o] = sum over i of x[b,i] * w[o,i]
//          512x64 * 64x64 -> 512x64, GEMM (M: b, N: o, K: i), 4.2e+06 flops,
//          ...
//     ...
//     total: ... flops, ... bytes; as one loop nest: ... (N.Nx the planned
//     flops)
//
// Loops are named after their size symbols in lower case (numbered when
// several loops share one, `d<k>` for constant extents).
//
//===----------------------------------------------------------------------===//

#include "ContractionRewrite.h"

#include "tessera/Transforms/EntrySignature.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace tessera;
using namespace tessera::planning;

namespace {

/// Formats the remark of one candidate.
class Explainer {
public:
  Explainer(tess::ContractOp op, const Candidate &c) : op(op), c(c) {
    nameLoops();
    for (const Leaf &leaf : c.form.leaves) {
      Value input = op.getInputs()[leaf.input];
      names.push_back(valueName(input, "in" + std::to_string(leaf.input)));
      maps.push_back(op.getInputMap(leaf.input));
    }
  }

  void print(llvm::raw_ostream &os, StringRef reason) {
    const plan::Plan &plan = c.plan;
    unsigned n = c.problem.operands.size();
    size_t numSteps = plan.steps.size() + (plan.hasEpilogue ? 1 : 0);
    if (!reason.empty())
      os << "contraction of " << n << " input" << (n == 1 ? "" : "s")
         << " kept as one loop nest: " << reason;
    else
      os << "contraction of " << n << " input" << (n == 1 ? "" : "s")
         << " planned in " << numSteps << " step" << (numSteps == 1 ? "" : "s")
         << " (" << (plan.optimal ? "exhaustive search" : "greedy search")
         << ")";
    os << "\n  loops: ";
    printLoops(os);
    if (reason.empty()) {
      for (auto [i, step] : llvm::enumerate(plan.steps))
        printStep(os, i, step, i + 1 == plan.steps.size());
      if (plan.hasEpilogue)
        printEpilogue(os, plan.steps.size() + 1);
    }
    os << "\n  total: ";
    printCost(os, c.planned);
    os << "; as one loop nest: ";
    printCost(os, c.unplanned);
    double ratio = c.unplanned.flops / c.planned.flops;
    if (c.planned.flops > 0 && ratio > 1)
      os << " (" << llvm::format("%.3g", ratio) << "x the planned flops)";
  }

private:
  void nameLoops() {
    std::map<std::string, unsigned> uses, seen;
    for (const LoopExtent &e : c.extents)
      ++uses[e.symbol];
    for (auto [d, e] : llvm::enumerate(c.extents)) {
      if (e.symbol.empty()) {
        loopNames.push_back("d" + std::to_string(d));
        continue;
      }
      std::string base = llvm::StringRef(e.symbol).lower();
      if (uses[e.symbol] > 1)
        base += std::to_string(++seen[e.symbol]);
      loopNames.push_back(base);
    }
  }

  /// The source name of `v`: a parameter's tess.name or a NameLoc.
  static std::string valueName(Value v, std::string fallback) {
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp()))
        if (auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                          kNameAttrName))
          return name.str();
      return fallback;
    }
    if (auto loc = dyn_cast<NameLoc>(v.getDefiningOp()->getLoc()))
      return loc.getName().str();
    return fallback;
  }

  void printLoops(llvm::raw_ostream &os) {
    for (auto [d, e] : llvm::enumerate(c.extents)) {
      os << (d ? ", " : "") << loopNames[d] << " = ";
      if (!e.symbol.empty())
        os << e.symbol << " ";
      os << int64_t(e.value);
      if (!e.symbol.empty())
        os << (e.fromHint ? " (hint)" : " (default)");
    }
  }

  /// `name[i,j]` for plan operand `id`, and its shape into `shape`.
  std::string operandText(int id, std::string &shape) {
    std::string text;
    llvm::raw_string_ostream os(text);
    unsigned n = c.problem.operands.size();
    AffineMap map;
    if (id < int(n)) {
      os << names[id];
      map = maps[id];
    } else {
      os << "t" << (id - n + 1);
      map = setMap(c.plan.steps[id - n].result);
    }
    printSubscripts(os, map, shape);
    return text;
  }

  AffineMap setMap(plan::IndexSet set) {
    SmallVector<AffineExpr> exprs;
    for (unsigned d = 0; d < c.extents.size(); ++d)
      if (set & (plan::IndexSet(1) << d))
        exprs.push_back(getAffineDimExpr(d, op.getContext()));
    return AffineMap::get(c.extents.size(), 0, exprs, op.getContext());
  }

  void printSubscripts(llvm::raw_ostream &os, AffineMap map,
                       std::string &shape) {
    llvm::raw_string_ostream shapeOs(shape);
    os << "[";
    for (auto [i, e] : llvm::enumerate(map.getResults())) {
      os << (i ? "," : "");
      shapeOs << (i ? "x" : "");
      if (auto dim = dyn_cast<AffineDimExpr>(e)) {
        os << loopNames[dim.getPosition()];
        shapeOs << int64_t(c.extents[dim.getPosition()].value);
      } else {
        printExpr(os, e);
        shapeOs << "?";
      }
    }
    os << "]";
    if (map.getNumResults() == 0)
      shapeOs << "scalar";
  }

  /// Adds `scale * e` to the coefficients of loops, symbols and the
  /// constant; false if `e` is not linear (mod, floordiv, ceildiv).
  static bool collectLinear(AffineExpr e, int64_t scale,
                            std::map<std::pair<int, unsigned>, int64_t> &terms,
                            int64_t &constant) {
    if (auto dim = dyn_cast<AffineDimExpr>(e)) {
      terms[{0, dim.getPosition()}] += scale;
      return true;
    }
    if (auto sym = dyn_cast<AffineSymbolExpr>(e)) {
      terms[{1, sym.getPosition()}] += scale;
      return true;
    }
    if (auto c = dyn_cast<AffineConstantExpr>(e)) {
      constant += scale * c.getValue();
      return true;
    }
    auto bin = cast<AffineBinaryOpExpr>(e);
    if (e.getKind() == AffineExprKind::Add)
      return collectLinear(bin.getLHS(), scale, terms, constant) &&
             collectLinear(bin.getRHS(), scale, terms, constant);
    auto c = dyn_cast<AffineConstantExpr>(bin.getRHS());
    if (e.getKind() != AffineExprKind::Mul || !c)
      return false;
    return collectLinear(bin.getLHS(), scale * c.getValue(), terms, constant);
  }

  /// A compound subscript with loop names: `t - k`, `s0 - 1 - i` (symbol k
  /// of the op is `s<k>`), `2*i + 1`.
  void printExpr(llvm::raw_ostream &os, AffineExpr e) {
    std::map<std::pair<int, unsigned>, int64_t> terms;
    int64_t constant = 0;
    if (!collectLinear(e, 1, terms, constant)) {
      printTree(os, e);
      return;
    }
    bool first = true;
    auto term = [&](int64_t coeff, const std::string &name) {
      if (coeff == 0)
        return;
      if (first)
        os << (coeff < 0 ? "-" : "");
      else
        os << (coeff < 0 ? " - " : " + ");
      int64_t mag = coeff < 0 ? -coeff : coeff;
      if (name.empty())
        os << mag;
      else
        os << (mag == 1 ? "" : std::to_string(mag) + "*") << name;
      first = false;
    };
    // Positive terms first, so that `N - 1 - i` reads as written.
    for (bool positive : {true, false}) {
      for (auto [key, coeff] : terms)
        if ((coeff > 0) == positive)
          term(coeff, key.first == 0 ? loopNames[key.second]
                                     : "s" + std::to_string(key.second));
      if ((constant > 0) == positive)
        term(constant, "");
    }
    if (first)
      os << "0";
  }

  /// Any subscript, fully parenthesized.
  void printTree(llvm::raw_ostream &os, AffineExpr e) {
    if (auto dim = dyn_cast<AffineDimExpr>(e)) {
      os << loopNames[dim.getPosition()];
      return;
    }
    auto bin = dyn_cast<AffineBinaryOpExpr>(e);
    if (!bin) {
      os << e; // a constant or a symbol
      return;
    }
    auto rhsConst = dyn_cast<AffineConstantExpr>(bin.getRHS());
    const char *op = " ? ";
    switch (e.getKind()) {
    case AffineExprKind::Add:
      op = " + ";
      if (rhsConst && rhsConst.getValue() < 0) {
        os << "(";
        printExpr(os, bin.getLHS());
        os << " - " << -rhsConst.getValue() << ")";
        return;
      }
      break;
    case AffineExprKind::Mul:
      op = " * ";
      break;
    case AffineExprKind::Mod:
      op = " mod ";
      break;
    case AffineExprKind::FloorDiv:
      op = " floordiv ";
      break;
    case AffineExprKind::CeilDiv:
      op = " ceildiv ";
      break;
    default:
      break;
    }
    os << "(";
    printExpr(os, bin.getLHS());
    os << op;
    printExpr(os, bin.getRHS());
    os << ")";
  }

  std::string setText(plan::IndexSet set) {
    std::string text;
    for (unsigned d = 0; d < c.extents.size(); ++d)
      if (set & (plan::IndexSet(1) << d))
        text += (text.empty() ? "" : ",") + loopNames[d];
    return text.empty() ? "-" : text;
  }

  void printStep(llvm::raw_ostream &os, size_t i, const plan::Step &step,
                 bool last) {
    std::string lhsShape, rhsShape, resultShape;
    std::string lhs = operandText(step.lhs, lhsShape);
    std::string rhs = step.rhs >= 0 ? operandText(step.rhs, rhsShape) : "";
    std::string result;
    {
      llvm::raw_string_ostream rs(result);
      if (last && !c.plan.hasEpilogue)
        rs << valueName(op.getResult(), "result");
      else
        rs << "t" << (i + 1);
      printSubscripts(rs,
                      last && !c.plan.hasEpilogue ? op.getResultMap()
                                                  : setMap(step.result),
                      resultShape);
    }
    os << "\n  " << (i + 1) << ". " << result << " = ";
    plan::IndexSet summed = step.loops & ~step.result;
    if (summed)
      os << "sum over " << setText(summed) << " of ";
    os << lhs;
    if (!rhs.empty())
      os << " * " << rhs;
    os << "\n       " << lhsShape;
    if (!rhs.empty())
      os << " * " << rhsShape;
    os << " -> " << resultShape << ", ";
    if (step.rhs < 0) {
      os << "reduction";
    } else if (step.gemm) {
      plan::StepShape s =
          plan::classifyStep(step.lhsIndices, step.rhsIndices, step.result);
      os << "GEMM (batch: " << setText(s.batch) << ", M: " << setText(s.m)
         << ", N: " << setText(s.n) << ", K: " << setText(s.k) << ")";
    } else {
      os << (summed ? "loop nest" : "element-wise");
    }
    os << ", ";
    printCost(os, step.cost);
  }

  void printEpilogue(llvm::raw_ostream &os, size_t i) {
    std::string shape, result, text;
    llvm::raw_string_ostream rs(result), ts(text);
    rs << valueName(op.getResult(), "result");
    printSubscripts(rs, op.getResultMap(), shape);
    std::string stepsShape;
    ts << (c.form.negate ? "-t" : "t") << (i - 1);
    printSubscripts(ts, setMap(c.plan.steps.back().result), stepsShape);
    for (unsigned e : c.plan.epilogue) {
      std::string ignored;
      ts << " * " << operandText(e, ignored);
    }
    unsigned factors = c.form.multipliers.size() + c.form.divisors.size();
    if (factors)
      ts << " * " << factors << " invariant factor"
         << (factors == 1 ? "" : "s");
    bool copy = c.plan.epilogue.empty() && !c.form.hasFactors();
    os << "\n  " << i << ". " << result << " = " << text << "\n       " << shape
       << (copy ? ", broadcast, " : ", element-wise (once per element), ");
    printCost(os, c.plan.epilogueCost);
  }

  static void printCost(llvm::raw_ostream &os, const plan::Cost &cost) {
    os << llvm::format("%.3g", cost.flops) << " flops, "
       << llvm::format("%.3g", cost.bytes) << " bytes";
  }

  tess::ContractOp op;
  const Candidate &c;
  SmallVector<std::string> loopNames;
  SmallVector<std::string> names;
  SmallVector<AffineMap> maps;
};

} // namespace

void tessera::planning::explainCandidate(tess::ContractOp op,
                                         const Candidate &c, StringRef reason) {
  std::string text;
  llvm::raw_string_ostream os(text);
  Explainer(op, c).print(os, reason);
  mlir::emitRemark(op.getLoc()) << text;
}
