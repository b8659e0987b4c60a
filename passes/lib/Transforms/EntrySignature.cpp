//===- EntrySignature.cpp - Entry signatures from func ops ----------------===//

#include "tessera/Transforms/EntrySignature.h"

#include "tessera/Runtime/SizeExpr.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace tessera;

std::optional<DType> tessera::getDTypeForElementType(Type type) {
  if (type.isInteger(1))
    return DType::Bool;
  if (type.isInteger(32))
    return DType::I32;
  if (type.isInteger(64))
    return DType::I64;
  if (type.isF16())
    return DType::F16;
  if (type.isBF16())
    return DType::BF16;
  if (type.isF32())
    return DType::F32;
  if (type.isF64())
    return DType::F64;
  if (auto complex = dyn_cast<ComplexType>(type)) {
    if (complex.getElementType().isF32())
      return DType::C64;
    if (complex.getElementType().isF64())
      return DType::C128;
  }
  return std::nullopt;
}

Type tessera::getElementTypeForDType(MLIRContext *context, DType dtype) {
  Builder b(context);
  switch (dtype) {
  case DType::Bool:
    return b.getI1Type();
  case DType::I32:
    return b.getI32Type();
  case DType::I64:
    return b.getI64Type();
  case DType::F16:
    return b.getF16Type();
  case DType::BF16:
    return b.getBF16Type();
  case DType::F32:
    return b.getF32Type();
  case DType::F64:
    return b.getF64Type();
  case DType::C64:
    return ComplexType::get(b.getF32Type());
  case DType::C128:
    return ComplexType::get(b.getF64Type());
  }
  return Type();
}

namespace {

/// Appends to `out` the steps of the size expression tree `attr` (see
/// EntrySignature.h): an i64 literal, a symbol name, or `[op, operands...]`.
/// Returns a description of what is malformed, or "" on success.
std::string readSizeTree(Attribute attr, std::vector<SizeOp> &out,
                         unsigned depth = 0) {
  if (depth > 256)
    return "is nested too deeply";
  if (auto literal = dyn_cast<IntegerAttr>(attr)) {
    out.push_back(SizeOp{SizeOp::Kind::Literal, literal.getInt(), ""});
    return "";
  }
  if (auto symbol = dyn_cast<StringAttr>(attr)) {
    if (symbol.getValue().empty())
      return "names an empty size symbol";
    out.push_back(SizeOp{SizeOp::Kind::Symbol, 0, symbol.getValue().str()});
    return "";
  }
  auto node = dyn_cast<ArrayAttr>(attr);
  auto op = node && !node.empty() ? dyn_cast<StringAttr>(node[0]) : nullptr;
  if (!op)
    return "has a size expression node that is not [\"op\", operands...]";
  static const std::pair<StringRef, SizeOp::Kind> kOps[] = {
      {"+", SizeOp::Kind::Add},   {"-", SizeOp::Kind::Sub},
      {"*", SizeOp::Kind::Mul},   {"/", SizeOp::Kind::FloorDiv},
      {"neg", SizeOp::Kind::Neg}, {"log2", SizeOp::Kind::Log2}};
  const auto *it = llvm::find_if(
      kOps, [&](const auto &entry) { return entry.first == op.getValue(); });
  if (it == std::end(kOps))
    return ("has an unknown size operator '" + op.getValue() + "'").str();
  size_t arity =
      it->second == SizeOp::Kind::Neg || it->second == SizeOp::Kind::Log2 ? 1
                                                                          : 2;
  if (node.size() != arity + 1)
    return ("has '" + op.getValue() + "' with " + Twine(node.size() - 1) +
            " operand(s)")
        .str();
  for (Attribute operand : node.getValue().drop_front()) {
    std::string error = readSizeTree(operand, out, depth + 1);
    if (!error.empty())
      return error;
  }
  out.push_back(SizeOp{it->second, 0, ""});
  return "";
}

/// Reads one tensor argument or result into `spec`; `what` names it in
/// diagnostics ("parameter 'a'", "result 0").
LogicalResult readTensorSpec(Location loc, Type type, DictionaryAttr attrs,
                             const std::string &what, ValueSpec &spec) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType)
    return emitError(loc) << what << " has type " << type
                          << ", but an entry takes only ranked tensors and "
                             "index values";
  std::optional<DType> dtype =
      getDTypeForElementType(tensorType.getElementType());
  if (!dtype)
    return emitError(loc) << what << " has element type "
                          << tensorType.getElementType()
                          << ", which the entry ABI does not support";
  spec.kind = ValueSpec::Kind::Tensor;
  spec.dtype = *dtype;

  auto dims = attrs ? attrs.getAs<ArrayAttr>(kDimsAttrName) : ArrayAttr();
  if (attrs && attrs.get(kDimsAttrName) && !dims)
    return emitError(loc) << what << ": '" << kDimsAttrName
                          << "' must be an array";
  if (dims && static_cast<int64_t>(dims.size()) != tensorType.getRank())
    return emitError(loc) << what << ": '" << kDimsAttrName << "' has "
                          << dims.size() << " entries but the type has rank "
                          << tensorType.getRank();
  for (int64_t d = 0, e = tensorType.getRank(); d != e; ++d) {
    DimSpec dim;
    int64_t staticSize = tensorType.getDimSize(d);
    Attribute entry = dims ? dims[d] : Attribute();
    if (auto literal = dyn_cast_if_present<IntegerAttr>(entry)) {
      dim.extent = literal.getInt();
      if (dim.extent < 0)
        return emitError(loc)
               << what << " dim " << d << " has negative extent " << dim.extent;
      if (!ShapedType::isDynamic(staticSize) && staticSize != dim.extent)
        return emitError(loc)
               << what << " dim " << d << " is declared " << dim.extent
               << " but the type has " << staticSize;
    } else if (auto symbol = dyn_cast_if_present<StringAttr>(entry)) {
      if (symbol.getValue().empty())
        return emitError(loc)
               << what << " dim " << d << " names an empty size symbol";
      dim.isSymbol = true;
      dim.symbol = symbol.getValue().str();
    } else if (isa_and_present<ArrayAttr>(entry)) {
      std::string error = readSizeTree(entry, dim.expr);
      if (!error.empty())
        return emitError(loc) << what << " dim " << d << " " << error;
    } else if (entry) {
      return emitError(loc) << what << ": '" << kDimsAttrName
                            << "' entries must be i64 literals, symbol "
                               "names or size expressions, got "
                            << entry;
    } else if (!ShapedType::isDynamic(staticSize)) {
      dim.extent = staticSize;
    } else {
      return emitError(loc)
             << what << " dim " << d << " is dynamic but has no '"
             << kDimsAttrName << "' entry naming its size";
    }
    spec.dims.push_back(std::move(dim));
  }
  return success();
}

/// Checks that every symbol of an expression dim of `spec` is in `bound`.
LogicalResult checkExprSymbols(Location loc, const std::string &what,
                               const ValueSpec &spec,
                               const llvm::StringSet<> &bound) {
  for (auto [d, dim] : llvm::enumerate(spec.dims))
    for (const std::string &symbol : getSizeExprSymbols(dim.expr))
      if (!bound.contains(symbol))
        return emitError(loc)
               << what << " dim " << d << " (" << formatSizeExpr(dim.expr)
               << ") reads size symbol " << symbol
               << ", which no parameter binds";
  return success();
}

/// Reads the size tree `attr` (an i64, a symbol or `[op, operands...]`)
/// into `out`; `what` names it in diagnostics.
LogicalResult readSizeExpr(Location loc, Attribute attr, const Twine &what,
                           std::vector<SizeOp> &out) {
  if (!attr)
    return emitError(loc) << what << " has no size";
  std::string error = readSizeTree(attr, out);
  if (!error.empty())
    return emitError(loc) << what << " " << error;
  return success();
}

/// The rule named `name` (SizeRules.h: getSizeRuleName).
std::optional<SizeRule> parseSizeRule(StringRef name) {
  for (SizeRule rule :
       {SizeRule::PowerOfTwo, SizeRule::FwhtLength, SizeRule::AtMostLog2})
    if (name == getSizeRuleName(rule))
      return rule;
  return std::nullopt;
}

/// Reads constraint `index` of `func`'s `tess.size_constraints`: a
/// dictionary {rule, size, bound (at_most_log2 only), what, axis?, where?}.
FailureOr<SizeConstraint> readConstraint(Location loc, Attribute attr,
                                         unsigned index,
                                         const llvm::StringSet<> &bound) {
  std::string what =
      (kSizeConstraintsAttrName + " entry " + Twine(index)).str();
  auto dict = dyn_cast<DictionaryAttr>(attr);
  if (!dict)
    return emitError(loc) << what << " must be a dictionary, got " << attr;
  SizeConstraint c;
  auto rule = dict.getAs<StringAttr>("rule");
  std::optional<SizeRule> parsed =
      rule ? parseSizeRule(rule.getValue()) : std::nullopt;
  if (!parsed)
    return emitError(loc) << what << " needs a rule \"power_of_two\", "
                          << "\"fwht_length\" or \"at_most_log2\"";
  c.rule = *parsed;
  auto text = dict.getAs<StringAttr>("what");
  auto axis = dict.getAs<IntegerAttr>("axis");
  auto where = dict.getAs<StringAttr>("where");
  if (!text || (dict.get("axis") && (!axis || axis.getInt() < 0)) ||
      (dict.get("where") && !where))
    return emitError(loc) << what << " needs a string 'what', and an axis "
                          << "(a non-negative integer) and 'where' (a string) "
                          << "if any";
  c.what = text.getValue().str();
  c.axis = axis ? axis.getInt() : -1;
  c.where = where ? where.getValue().str() : "";
  bool needsBound = c.rule == SizeRule::AtMostLog2;
  if (needsBound != static_cast<bool>(dict.get("bound")))
    return emitError(loc) << what << (needsBound ? " needs" : " cannot have")
                          << " a bound";
  if (failed(readSizeExpr(loc, dict.get("size"), what, c.expr)) ||
      (needsBound &&
       failed(readSizeExpr(loc, dict.get("bound"), what + " bound", c.bound))))
    return failure();
  for (ArrayRef<SizeOp> expr : {ArrayRef(c.expr), ArrayRef(c.bound)})
    for (const std::string &symbol : getSizeExprSymbols(expr))
      if (!bound.contains(symbol))
        return emitError(loc)
               << what << " (" << formatSizeExpr(expr) << ") reads size symbol "
               << symbol << ", which no parameter binds";
  return c;
}

/// Reads `func`'s `tess.size_constraints`, if any, into `sig`.
LogicalResult readConstraints(func::FuncOp func, const llvm::StringSet<> &bound,
                              EntrySignature &sig) {
  Attribute attr = func->getAttr(kSizeConstraintsAttrName);
  if (!attr)
    return success();
  auto array = dyn_cast<ArrayAttr>(attr);
  if (!array)
    return func.emitError()
           << "'" << kSizeConstraintsAttrName << "' must be an array";
  for (auto [i, entry] : llvm::enumerate(array)) {
    FailureOr<SizeConstraint> c =
        readConstraint(func.getLoc(), entry, i, bound);
    if (failed(c))
      return failure();
    sig.constraints.push_back(std::move(*c));
  }
  return success();
}

/// The source name of argument `index` of `func`.
std::string argumentName(func::FuncOp func, unsigned index) {
  if (auto name = func.getArgAttrOfType<StringAttr>(index, kNameAttrName))
    return name.getValue().str();
  if (!func.isExternal())
    if (auto nameLoc = dyn_cast<NameLoc>(func.getArgument(index).getLoc()))
      return nameLoc.getName().getValue().str();
  return "arg" + std::to_string(index);
}

} // namespace

FailureOr<EntrySignature> tessera::signatureFromFunc(func::FuncOp func) {
  EntrySignature sig;
  sig.name = func.getSymName().str();
  FunctionType type = func.getFunctionType();
  llvm::StringSet<> paramSymbols;
  llvm::StringSet<> paramNames;
  /// Where each parameter is, for errors about its expressions.
  std::vector<std::pair<Location, std::string>> params;

  for (unsigned i = 0, e = type.getNumInputs(); i != e; ++i) {
    Location loc =
        func.isExternal() ? func.getLoc() : func.getArgument(i).getLoc();
    ValueSpec spec;
    spec.name = argumentName(func, i);
    std::string what = "parameter '" + spec.name + "' of '" + sig.name + "'";
    Type argType = type.getInput(i);
    if (isa<IndexType>(argType)) {
      auto size = func.getArgAttrOfType<StringAttr>(i, kSizeAttrName);
      if (!size || size.getValue().empty())
        return emitError(loc)
               << what << " is an index but has no '" << kSizeAttrName
               << "' attribute naming the size it binds";
      spec.kind = ValueSpec::Kind::Index;
      spec.dtype = DType::I64;
      // An index parameter binds the size symbol of its own name.
      spec.name = size.getValue().str();
      paramSymbols.insert(spec.name);
    } else if (failed(readTensorSpec(loc, argType, func.getArgAttrDict(i), what,
                                     spec))) {
      return failure();
    }
    for (const DimSpec &dim : spec.dims)
      if (dim.isSymbol)
        paramSymbols.insert(dim.symbol);
    params.push_back({loc, what});
    if (!paramNames.insert(spec.name).second)
      return emitError(loc) << "'" << sig.name << "' has two parameters named '"
                            << spec.name << "'";
    sig.params.push_back(std::move(spec));
  }

  // Expression dims need their symbols bound by plain dims or index
  // parameters.
  for (auto [spec, where] : llvm::zip(sig.params, params))
    if (failed(checkExprSymbols(where.first, where.second, spec, paramSymbols)))
      return failure();

  for (unsigned i = 0, e = type.getNumResults(); i != e; ++i) {
    ValueSpec spec;
    auto name = func.getResultAttrOfType<StringAttr>(i, kNameAttrName);
    spec.name = name ? name.getValue().str() : "result" + std::to_string(i);
    std::string what = "result " + std::to_string(i) + " of '" + sig.name + "'";
    if (failed(readTensorSpec(func.getLoc(), type.getResult(i),
                              func.getResultAttrDict(i), what, spec)))
      return failure();
    // The caller allocates results, so their sizes must be known from the
    // arguments alone.
    for (const DimSpec &dim : spec.dims)
      if (dim.isSymbol && !paramSymbols.contains(dim.symbol))
        return emitError(func.getLoc())
               << what << " has size symbol " << dim.symbol
               << ", which no parameter binds";
    if (failed(checkExprSymbols(func.getLoc(), what, spec, paramSymbols)))
      return failure();
    sig.results.push_back(std::move(spec));
  }
  if (failed(readConstraints(func, paramSymbols, sig)))
    return failure();
  return sig;
}

FailureOr<std::vector<EntrySignature>>
tessera::collectEntrySignatures(ModuleOp module) {
  std::vector<EntrySignature> sigs;
  bool failedAny = false;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func->hasAttr(kEntryAttrName))
      continue;
    FailureOr<EntrySignature> sig = signatureFromFunc(func);
    if (failed(sig)) {
      failedAny = true;
      continue;
    }
    sigs.push_back(std::move(*sig));
  }
  if (failedAny)
    return failure();
  return sigs;
}
