//===- PlanContractions.cpp - tess-plan-contractions ----------------------===//
//
// The pass: extents of the loops (constants, size hints, the default), the
// planning problem of each tess.contract, the rewrite, and the `explain`
// remarks. The cost model and search are in ContractionCost.cpp and
// ContractionSearch.cpp, the body analysis and rewrite in
// ContractionRewrite.cpp.
//
//===----------------------------------------------------------------------===//

#include "ContractionRewrite.h"

#include "tessera/Transforms/ElementBytes.h"
#include "tessera/Transforms/EntrySignature.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/Format.h"

#include <map>

namespace tessera {
#define GEN_PASS_DEF_TESSPLANCONTRACTIONSPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;
using namespace tessera::planning;

namespace {

/// Maps loop bounds back to size symbols and their extents.
class ExtentResolver {
public:
  ExtentResolver(const std::map<std::string, int64_t> &hints,
                 int64_t defaultSize)
      : hints(hints), defaultSize(defaultSize) {}

  LoopExtent resolve(Value bound) const {
    LoopExtent extent;
    if (std::optional<int64_t> c = getConstantIntValue(bound)) {
      extent.value = double(*c);
      return extent;
    }
    extent.symbol = findSymbol(bound, /*depth=*/0);
    auto it = extent.symbol.empty() ? hints.end() : hints.find(extent.symbol);
    extent.fromHint = it != hints.end();
    extent.value = double(extent.fromHint ? it->second : defaultSize);
    return extent;
  }

private:
  /// The size symbol `bound` stands for, or "" when not known. Follows
  /// tensor.dim of function arguments (tess.dims), `index` arguments
  /// (tess.size) and dimensions of tess.contract and tess.map results.
  std::string findSymbol(Value bound, unsigned depth) const {
    if (depth > 16)
      return "";
    if (auto arg = dyn_cast<BlockArgument>(bound)) {
      auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
      if (!func || arg.getOwner() != &func.getBody().front())
        return "";
      auto name =
          func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kSizeAttrName);
      return name ? name.str() : "";
    }
    auto dim = bound.getDefiningOp<tensor::DimOp>();
    std::optional<int64_t> index = dim ? dim.getConstantIndex() : std::nullopt;
    if (!index || *index < 0)
      return "";
    return findDimSymbol(dim.getSource(), *index, depth + 1);
  }

  /// The size symbol of dimension `index` of `tensor`, or "".
  std::string findDimSymbol(Value tensor, int64_t index, unsigned depth) const {
    if (auto arg = dyn_cast<BlockArgument>(tensor)) {
      auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
      if (!func || arg.getOwner() != &func.getBody().front())
        return "";
      auto dims =
          func.getArgAttrOfType<ArrayAttr>(arg.getArgNumber(), kDimsAttrName);
      if (!dims || index >= int64_t(dims.size()))
        return "";
      auto name = dyn_cast<StringAttr>(dims[index]);
      return name ? name.str() : "";
    }
    if (auto contract = tensor.getDefiningOp<tess::ContractOp>()) {
      AffineMap map = contract.getResultMap();
      if (index >= map.getNumResults())
        return "";
      return findSymbol(contract.getBounds()[map.getDimPosition(index)],
                        depth + 1);
    }
    if (auto mapOp = tensor.getDefiningOp<tess::MapOp>())
      return findDimSymbol(mapOp.getInputs()[0], index, depth + 1);
    return "";
  }

  const std::map<std::string, int64_t> &hints;
  int64_t defaultSize;
};

/// The element size of `type` in bytes.
unsigned elementBytes(Type type) {
  return static_cast<unsigned>(getElementBytes(type));
}

/// The planning problem of `op` with body `form`.
plan::Problem buildProblem(tess::ContractOp op, const ProductForm &form,
                           ArrayRef<LoopExtent> extents) {
  plan::Problem problem;
  for (const Leaf &leaf : form.leaves) {
    AffineMap map = op.getInputMap(leaf.input);
    problem.operands.push_back(dimensionsOf(map));
    problem.plain.push_back(isPlainMap(map));
  }
  problem.output = dimensionsOf(op.getResultMap());
  for (const LoopExtent &e : extents)
    problem.extents.push_back(e.value);
  Type elementType = op.getResult().getType().getElementType();
  problem.elementBytes = elementBytes(elementType);
  problem.extraFactors = form.numFactors();
  if (isa<ComplexType>(elementType)) {
    // (a + bi)(c + di): four multiplications and two additions. GEMM-shaped
    // steps run on the complex GEMM kernels.
    problem.multiplyFlops = 6;
    problem.addFlops = 2;
  }
  return problem;
}

/// Why planning would not pay for `c`, or "" when it does.
std::string whyNotWorthIt(const Candidate &c) {
  // One step of two inputs (or of one) with no epilogue is the op itself.
  if (c.plan.steps.size() == 1 && !c.plan.hasEpilogue)
    return "it is already a single product of at most two inputs";
  // Also when the estimates overflow (NaN).
  if (!(c.planned.time < c.unplanned.time))
    return "no plan is estimated cheaper than one loop nest";
  return "";
}

struct TessPlanContractionsPass
    : public tessera::impl::TessPlanContractionsPassBase<
          TessPlanContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    std::map<std::string, int64_t> hints;
    for (const std::string &hint : sizeHints) {
      StringRef name, value;
      std::tie(name, value) = StringRef(hint).split('=');
      int64_t n;
      if (name.empty() || value.trim().getAsInteger(10, n) || n < 0) {
        getOperation()->emitError("tess-plan-contractions: size hint '")
            << hint << "' is not NAME=N with N a non-negative integer";
        return signalPassFailure();
      }
      hints[name.trim().str()] = n;
    }
    if (defaultSize < 0) {
      getOperation()->emitError(
          "tess-plan-contractions: default-size must not be negative");
      return signalPassFailure();
    }
    ExtentResolver resolver(hints, defaultSize);
    SmallVector<tess::ContractOp> ops;
    getOperation()->walk([&](tess::ContractOp op) {
      if (op.hasReductionDims())
        ops.push_back(op);
    });
    OpBuilder builder(&getContext());
    for (tess::ContractOp op : ops)
      planOne(op, resolver, builder);
  }

  void planOne(tess::ContractOp op, const ExtentResolver &resolver,
               OpBuilder &builder) {
    std::string reason;
    FailureOr<ProductForm> form = analyzeProduct(op, reason);
    if (failed(form)) {
      if (explain)
        mlir::emitRemark(op.getLoc())
            << "contraction kept as one loop nest: " << reason;
      return;
    }
    Candidate c;
    c.form = std::move(*form);
    for (Value bound : op.getBounds())
      c.extents.push_back(resolver.resolve(bound));
    c.problem = buildProblem(op, c.form, c.extents);
    c.plan = plan::planContraction(c.problem, optimalLimit);
    c.planned = c.plan.total;
    c.unplanned = plan::unplannedCost(c.problem);
    reason = whyNotWorthIt(c);
    if (explain)
      explainCandidate(op, c, reason);
    if (reason.empty())
      rewriteContraction(builder, op, c.form, c.plan);
  }
};

} // namespace
