//===- ExposeEntries.cpp - Exported C-callable entry wrappers -------------===//
//
// Turns every `tess.entry` function on tensors into a private implementation
// plus an exported destination-passing wrapper on memrefs that checks sizes
// (and that every tensor's byte size fits in int64_t) at run time. See
// Passes.td and docs/abi.md.
//
//===----------------------------------------------------------------------===//

#include "RuntimeChecks.h"
#include "RuntimeFunctions.h"

#include "tessera/Runtime/EntryABI.h"
#include "tessera/Runtime/SizeExpr.h"
#include "tessera/Transforms/EntrySignature.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/SymbolTable.h"

#include <map>

namespace tessera {
#define GEN_PASS_DEF_TESSEXPOSEENTRIESPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;

namespace {

/// Prefix of the private implementation of an entry.
constexpr llvm::StringLiteral kImplPrefix = "__tess_impl_";

/// A fully dynamic identity-layout memref with the element type of `type`.
MemRefType getDynamicMemRefType(RankedTensorType type) {
  SmallVector<int64_t> shape(type.getRank(), ShapedType::kDynamic);
  return MemRefType::get(shape, type.getElementType());
}

/// A tensor argument of the wrapper whose byte size the entry checks.
struct CheckedTensor {
  Value memref;
  TensorDescription desc;
  int64_t elementBytes;
};

/// Whether two declared shapes are the same extents, symbols and
/// expressions.
bool sameDims(ArrayRef<DimSpec> a, ArrayRef<DimSpec> b) {
  return llvm::equal(a, b, [](const DimSpec &x, const DimSpec &y) {
    return x.isSymbol == y.isSymbol && x.extent == y.extent &&
           x.symbol == y.symbol &&
           formatSizeExpr(x.expr) == formatSizeExpr(y.expr);
  });
}

/// Builds the index values of size expressions, once per distinct one.
class SizeExprBuilder {
public:
  /// The values of one expression: its result and, for each step, its last
  /// operand (the divisor of a division, the operand of a log2).
  struct Values {
    Value result;
    SmallVector<Value> lastOperand;
  };

  SizeExprBuilder(OpBuilder &b, Location loc,
                  function_ref<Value(const std::string &)> symbolValue)
      : b(b), loc(loc), symbolValue(symbolValue) {}

  const Values &get(ArrayRef<SizeOp> expr) {
    auto [it, inserted] = cache.try_emplace(formatSizeExpr(expr));
    if (inserted)
      it->second = build(expr);
    return it->second;
  }

  /// i1: `x` is not a power of two.
  Value notPowerOfTwo(Value x) {
    Value zero = constant(0);
    Value positive =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x, zero);
    Value low = arith::AndIOp::create(
        b, loc, x, arith::SubIOp::create(b, loc, x, constant(1)));
    Value single =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, low, zero);
    Value ok = arith::AndIOp::create(b, loc, positive, single);
    return arith::XOrIOp::create(
        b, loc, ok, arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1));
  }

  /// i1: `x` breaks `rule` (SizeRules.h; `bound` for AtMostLog2). An fwht
  /// length is checked by the runtime's tessera_fwht_length_supported,
  /// declared in `module`.
  Value violates(SizeRule rule, Value x, Value bound, ModuleOp module);

private:
  Value constant(int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Values build(ArrayRef<SizeOp> expr);
  Value floorDiv(Value n, Value d);
  Value floorLog2(Value x);

  OpBuilder &b;
  Location loc;
  function_ref<Value(const std::string &)> symbolValue;
  std::map<std::string, Values> cache;
};

SizeExprBuilder::Values SizeExprBuilder::build(ArrayRef<SizeOp> expr) {
  Values out;
  SmallVector<Value> stack;
  for (const SizeOp &op : expr) {
    out.lastOperand.push_back(stack.empty() ? Value() : stack.back());
    switch (op.kind) {
    case SizeOp::Kind::Literal:
      stack.push_back(constant(op.value));
      continue;
    case SizeOp::Kind::Symbol:
      stack.push_back(symbolValue(op.symbol));
      continue;
    case SizeOp::Kind::Neg:
      stack.back() = arith::SubIOp::create(b, loc, constant(0), stack.back());
      continue;
    case SizeOp::Kind::Log2:
      stack.back() = floorLog2(stack.back());
      continue;
    default:
      break;
    }
    Value rhs = stack.pop_back_val();
    Value &lhs = stack.back();
    if (op.kind == SizeOp::Kind::Add)
      lhs = arith::AddIOp::create(b, loc, lhs, rhs);
    else if (op.kind == SizeOp::Kind::Sub)
      lhs = arith::SubIOp::create(b, loc, lhs, rhs);
    else if (op.kind == SizeOp::Kind::Mul)
      lhs = arith::MulIOp::create(b, loc, lhs, rhs);
    else
      lhs = floorDiv(lhs, rhs);
  }
  out.result = stack.back();
  return out;
}

/// `n / d` rounded down, without undefined behavior for d == 0 (a check
/// reports it) or for d == -1 (negation, wrapping).
Value SizeExprBuilder::floorDiv(Value n, Value d) {
  auto eq = [&](Value x, int64_t v) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x,
                                 constant(v));
  };
  Value minusOne = eq(d, -1);
  Value unsafe = arith::OrIOp::create(b, loc, eq(d, 0), minusOne);
  Value safe = arith::SelectOp::create(b, loc, unsafe, constant(1), d);
  Value q = arith::FloorDivSIOp::create(b, loc, n, safe);
  Value neg = arith::SubIOp::create(b, loc, constant(0), n);
  return arith::SelectOp::create(b, loc, minusOne, neg, q);
}

/// The floor of log2(x) for x > 0 (a check reports other values), by six
/// halving steps.
Value SizeExprBuilder::floorLog2(Value x) {
  Value r = constant(0);
  for (int64_t k : {32, 16, 8, 4, 2, 1}) {
    Value big = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, x,
                                      constant(int64_t(1) << k));
    x = arith::SelectOp::create(
        b, loc, big, arith::ShRSIOp::create(b, loc, x, constant(k)), x);
    r = arith::SelectOp::create(
        b, loc, big, arith::AddIOp::create(b, loc, r, constant(k)), r);
  }
  return r;
}

Value SizeExprBuilder::violates(SizeRule rule, Value x, Value bound,
                                ModuleOp module) {
  auto cmp = [&](arith::CmpIPredicate p, Value l, Value r) {
    return arith::CmpIOp::create(b, loc, p, l, r);
  };
  if (rule == SizeRule::PowerOfTwo)
    return notPowerOfTwo(x);
  if (rule == SizeRule::FwhtLength) {
    Value n = arith::IndexCastOp::create(b, loc, b.getI64Type(), x);
    Value supported =
        func::CallOp::create(b, loc, getFwhtLengthSupportedDecl(module), n)
            .getResult(0);
    return cmp(arith::CmpIPredicate::eq, supported,
               arith::ConstantIntOp::create(b, loc, b.getI32Type(), 0));
  }
  // AtMostLog2: not (0 <= x <= 62 and 1 <= bound and 1 << x <= bound); the
  // shift is by a valid amount either way.
  Value inRange = arith::AndIOp::create(
      b, loc, cmp(arith::CmpIPredicate::sge, x, constant(0)),
      cmp(arith::CmpIPredicate::sle, x, constant(62)));
  Value amount = arith::SelectOp::create(b, loc, inRange, x, constant(0));
  Value power = arith::ShLIOp::create(b, loc, constant(1), amount);
  Value fits = arith::AndIOp::create(
      b, loc, cmp(arith::CmpIPredicate::sge, bound, constant(1)),
      cmp(arith::CmpIPredicate::sle, power, bound));
  Value ok = arith::AndIOp::create(b, loc, inRange, fits);
  return arith::XOrIOp::create(
      b, loc, ok, arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1));
}

/// The tensor parameters and outputs of rank 1 or more, in that order,
/// except those whose shape an earlier one declares too with elements at
/// least as large (once the size checks pass, their extents are equal).
SmallVector<CheckedTensor> getCheckedTensors(Block *entry,
                                             const EntrySignature &sig) {
  SmallVector<CheckedTensor> tensors;
  SmallVector<const ValueSpec *> specs;
  auto add = [&](Value memref, const ValueSpec &spec, StringRef kind) {
    if (spec.dims.empty() || llvm::any_of(specs, [&](const ValueSpec *earlier) {
          return sameDims(earlier->dims, spec.dims) &&
                 getDTypeSize(earlier->dtype) >= getDTypeSize(spec.dtype);
        }))
      return;
    specs.push_back(&spec);
    TensorDescription desc{(kind + " '" + spec.name + "'").str(), "",
                           getDTypeName(spec.dtype).str()};
    tensors.push_back({memref, std::move(desc),
                       static_cast<int64_t>(getDTypeSize(spec.dtype))});
  };
  unsigned numParams = sig.params.size();
  for (unsigned p = 0; p != numParams; ++p)
    if (sig.params[p].kind == ValueSpec::Kind::Tensor)
      add(entry->getArgument(p), sig.params[p], "parameter");
  for (unsigned r = 0, e = sig.results.size(); r != e; ++r)
    add(entry->getArgument(numParams + r), sig.results[r], "output");
  return tensors;
}

/// Builds, at `b`'s insertion point, the checks of tensors[i...]: the first
/// tensor whose element count or byte size does not fit in int64_t fills the
/// error record, and the result is kStatusTooLarge; otherwise 0.
Value buildTooLargeChain(OpBuilder &b, Location loc,
                         ArrayRef<CheckedTensor> tensors, Value record,
                         ErrorRecordWriter &writer) {
  Type i32 = b.getI32Type();
  if (tensors.empty())
    return arith::ConstantIntOp::create(b, loc, i32, 0);
  const CheckedTensor &tensor = tensors.front();
  SmallVector<Value> dims;
  auto type = cast<MemRefType>(tensor.memref.getType());
  for (int64_t d = 0, rank = type.getRank(); d != rank; ++d)
    dims.push_back(memref::DimOp::create(b, loc, tensor.memref, d));
  TensorSize size = buildTensorSize(b, loc, dims, tensor.elementBytes);
  auto ifOp = scf::IfOp::create(b, loc, i32, size.tooLarge,
                                /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  writer.write(b, loc, record, kStatusTooLarge, tensor.desc, size.bytes, dims);
  scf::YieldOp::create(
      b, loc,
      ValueRange{arith::ConstantIntOp::create(b, loc, i32, kStatusTooLarge)});
  b.setInsertionPointToStart(ifOp.elseBlock());
  scf::YieldOp::create(
      b, loc, buildTooLargeChain(b, loc, tensors.drop_front(), record, writer));
  return ifOp.getResult(0);
}

/// When the size checks passed (`status` is 0), checks that the byte size of
/// every tensor argument fits in int64_t (a descriptor could claim any
/// shape). Returns the status after these checks.
Value buildTensorSizeChecks(OpBuilder &b, Location loc, Block *entry,
                            const EntrySignature &sig, Value status,
                            ErrorRecordWriter &writer) {
  SmallVector<CheckedTensor> tensors = getCheckedTensors(entry, sig);
  if (tensors.empty())
    return status;
  Type i32 = b.getI32Type();
  Value ok =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, status,
                            arith::ConstantIntOp::create(b, loc, i32, 0));
  auto ifOp = scf::IfOp::create(b, loc, i32, ok, /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  Value record = entry->getArgument(entry->getNumArguments() - 1);
  scf::YieldOp::create(b, loc,
                       buildTooLargeChain(b, loc, tensors, record, writer));
  b.setInsertionPointToStart(ifOp.elseBlock());
  scf::YieldOp::create(b, loc, status);
  return ifOp.getResult(0);
}

/// i1: whether `check` fails, with `sizeOf` the run-time value of a size
/// source and `exprs` the values of expressions.
Value buildCheckFailure(OpBuilder &b, Location loc, const SizeCheck &check,
                        function_ref<Value(const SizeSource &)> sizeOf,
                        function_ref<Value(int64_t)> indexConstant,
                        SizeExprBuilder &exprs, ModuleOp module) {
  auto cmp = [&](arith::CmpIPredicate p, Value l, Value r) -> Value {
    return arith::CmpIOp::create(b, loc, p, l, r);
  };
  switch (check.kind) {
  case SizeCheck::Kind::DivisorNonZero:
    return cmp(arith::CmpIPredicate::eq,
               exprs.get(check.expr).lastOperand[check.step], indexConstant(0));
  case SizeCheck::Kind::Log2Exact:
    return exprs.notPowerOfTwo(exprs.get(check.expr).lastOperand[check.step]);
  case SizeCheck::Kind::ExprNonNegative:
    return cmp(arith::CmpIPredicate::slt, exprs.get(check.expr).result,
               indexConstant(0));
  case SizeCheck::Kind::Expr:
    return cmp(arith::CmpIPredicate::ne, sizeOf(check.subject),
               exprs.get(check.expr).result);
  case SizeCheck::Kind::Constraint: {
    Value bound = check.bound.empty() ? Value() : exprs.get(check.bound).result;
    return exprs.violates(check.rule, exprs.get(check.expr).result, bound,
                          module);
  }
  case SizeCheck::Kind::NonNegative:
    return cmp(arith::CmpIPredicate::slt, sizeOf(check.subject),
               indexConstant(0));
  case SizeCheck::Kind::Literal:
    return cmp(arith::CmpIPredicate::ne, sizeOf(check.subject),
               indexConstant(check.literal));
  case SizeCheck::Kind::Symbol:
    return cmp(arith::CmpIPredicate::ne, sizeOf(check.subject),
               sizeOf(check.binding));
  }
  llvm_unreachable("unknown size check");
}

/// Builds the body of `wrapper`, which exposes `impl` with signature `sig`.
void buildWrapperBody(OpBuilder &b, func::FuncOp wrapper, func::FuncOp impl,
                      const EntrySignature &sig, ErrorRecordWriter &writer) {
  Location loc = wrapper.getLoc();
  Block *entry = wrapper.addEntryBlock();
  b.setInsertionPointToStart(entry);
  unsigned numParams = sig.params.size();

  // Constants and runtime sizes are created once and shared by the checks.
  // (std::map: every int64_t is a valid extent, DenseMap reserves two.)
  std::map<int64_t, Value> indexConstants;
  auto indexConstant = [&](int64_t value) {
    Value &constant = indexConstants[value];
    if (!constant)
      constant = arith::ConstantIndexOp::create(b, loc, value);
    return constant;
  };
  llvm::DenseMap<std::tuple<int, unsigned, unsigned>, Value> sizeCache;
  auto sizeOf = [&](const SizeSource &source) -> Value {
    auto key = std::make_tuple(static_cast<int>(source.kind), source.position,
                               source.dim);
    Value &cached = sizeCache[key];
    if (cached)
      return cached;
    switch (source.kind) {
    case SizeSource::Kind::IndexParam:
      cached = entry->getArgument(source.position);
      break;
    case SizeSource::Kind::ParamDim:
      cached =
          memref::DimOp::create(b, loc, entry->getArgument(source.position),
                                indexConstant(source.dim));
      break;
    case SizeSource::Kind::ResultDim:
      cached = memref::DimOp::create(
          b, loc, entry->getArgument(numParams + source.position),
          indexConstant(source.dim));
      break;
    }
    return cached;
  };

  // Expressions read each symbol at its binding.
  llvm::StringMap<SizeSource> bindingOf;
  for (const SizeBinding &binding : computeSizeBindings(sig))
    bindingOf.try_emplace(binding.symbol, binding.source);
  auto symbolValue = [&](const std::string &symbol) {
    return sizeOf(bindingOf.at(symbol));
  };
  SizeExprBuilder exprs(b, loc, symbolValue);

  // One i1 per check, true when the check fails.
  ModuleOp module = wrapper->getParentOfType<ModuleOp>();
  SmallVector<Value> failures;
  for (const SizeCheck &check : computeSizeChecks(sig))
    failures.push_back(
        buildCheckFailure(b, loc, check, sizeOf, indexConstant, exprs, module));

  // status = fail0 ? 1 : fail1 ? 2 : ... : 0, i.e. the first failing check.
  Type i32 = b.getI32Type();
  Value zero = arith::ConstantIntOp::create(b, loc, i32, 0);
  Value status = zero;
  for (int64_t i = static_cast<int64_t>(failures.size()) - 1; i >= 0; --i) {
    Value code = arith::ConstantIntOp::create(b, loc, i32, i + 1);
    status = arith::SelectOp::create(b, loc, failures[i], code, status);
  }
  status = buildTensorSizeChecks(b, loc, entry, sig, status, writer);
  Value ok =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, status, zero);

  auto ifOp = scf::IfOp::create(b, loc, ok, /*withElseRegion=*/false);
  b.setInsertionPointToStart(ifOp.thenBlock());

  // Sizes are known to be consistent here, so the casts to the
  // implementation's static shapes are valid.
  auto castToStatic = [&](Value memref, RankedTensorType tensorType) -> Value {
    auto staticType =
        MemRefType::get(tensorType.getShape(), tensorType.getElementType());
    if (staticType == memref.getType())
      return memref;
    return memref::CastOp::create(b, loc, staticType, memref);
  };
  SmallVector<Value> operands;
  for (unsigned p = 0; p != numParams; ++p) {
    Value arg = entry->getArgument(p);
    auto tensorType = dyn_cast<RankedTensorType>(impl.getArgumentTypes()[p]);
    if (!tensorType) {
      operands.push_back(arg);
      continue;
    }
    operands.push_back(bufferization::ToTensorOp::create(
        b, loc, tensorType, castToStatic(arg, tensorType), /*restrict=*/true,
        /*writable=*/false));
  }
  auto call = func::CallOp::create(b, loc, impl, operands);
  for (unsigned r = 0, e = sig.results.size(); r != e; ++r) {
    auto tensorType = cast<RankedTensorType>(call.getResult(r).getType());
    Value dest = castToStatic(entry->getArgument(numParams + r), tensorType);
    bufferization::MaterializeInDestinationOp::create(
        b, loc, /*result=*/Type(), call.getResult(r), dest, /*restrict=*/true,
        /*writable=*/true);
  }

  b.setInsertionPointToEnd(entry);
  func::ReturnOp::create(b, loc, status);
}

struct TessExposeEntriesPass
    : public tessera::impl::TessExposeEntriesPassBase<TessExposeEntriesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbolTable(module);
    SmallVector<func::FuncOp> entries;
    for (auto func : module.getOps<func::FuncOp>())
      if (func->hasAttr(kEntryAttrName))
        entries.push_back(func);

    // One map of every symbol use, built once: SymbolTable::rename walks
    // the whole module for each entry, quadratic in a module of many
    // functions.
    SymbolTableCollection symbolTables;
    SymbolUserMap symbolUsers(symbolTables, module);

    OpBuilder b(module.getContext());
    ErrorRecordWriter writer(module);
    for (func::FuncOp impl : entries) {
      if (impl.isExternal()) {
        impl.emitError() << "entry '" << impl.getSymName() << "' has no body";
        return signalPassFailure();
      }
      FailureOr<EntrySignature> sig = signatureFromFunc(impl);
      if (failed(sig))
        return signalPassFailure();

      StringAttr name = impl.getSymNameAttr();
      std::string implName = (kImplPrefix + name.getValue()).str();
      if (symbolTable.lookup(implName)) {
        impl.emitError() << "cannot expose '" << name.getValue()
                         << "': the symbol '" << implName << "' already exists";
        return signalPassFailure();
      }
      // Calls between entries now reach the implementation directly.
      StringAttr implNameAttr = b.getStringAttr(implName);
      symbolUsers.replaceAllUsesWith(impl, implNameAttr);
      symbolTable.remove(impl);
      SymbolTable::setSymbolName(impl, implNameAttr);
      symbolTable.insert(impl);
      impl.setPrivate();
      impl->removeAttr(kEntryAttrName);

      SmallVector<Type> argTypes;
      for (Type type : impl.getArgumentTypes()) {
        if (auto tensorType = dyn_cast<RankedTensorType>(type))
          argTypes.push_back(getDynamicMemRefType(tensorType));
        else
          argTypes.push_back(type);
      }
      for (Type type : impl.getResultTypes())
        argTypes.push_back(getDynamicMemRefType(cast<RankedTensorType>(type)));
      // The error record (docs/abi.md), last.
      argTypes.push_back(LLVM::LLVMPointerType::get(module.getContext()));
      auto wrapperType =
          FunctionType::get(module.getContext(), argTypes, {b.getI32Type()});

      b.setInsertionPointAfter(impl);
      auto wrapper =
          func::FuncOp::create(b, impl.getLoc(), name.getValue(), wrapperType);
      wrapper.setPublic();
      wrapper->setAttr("llvm.emit_c_interface", b.getUnitAttr());
      wrapper->setAttr(kErrorRecordAttrName, b.getUnitAttr());
      // Outputs overlap neither inputs nor each other (docs/abi.md): their
      // pointers are `noalias`, which lets LLVM vectorize loops that read
      // inputs and write outputs without run-time overlap checks.
      for (unsigned r = 0, e = impl.getNumResults(); r < e; ++r)
        wrapper.setArgAttr(impl.getNumArguments() + r, "llvm.noalias",
                           b.getUnitAttr());
      symbolTable.insert(wrapper);
      buildWrapperBody(b, wrapper, impl, *sig, writer);
    }
  }
};

} // namespace
