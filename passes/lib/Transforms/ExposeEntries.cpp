//===- ExposeEntries.cpp - Exported C-callable entry wrappers -------------===//
//
// Turns every `tess.entry` function on tensors into a private implementation
// plus an exported destination-passing wrapper on memrefs that checks sizes
// at run time. See Passes.td and docs/abi.md.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/EntryABI.h"
#include "tessera/Transforms/EntrySignature.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/SymbolTable.h"

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

/// Builds the body of `wrapper`, which exposes `impl` with signature `sig`.
void buildWrapperBody(OpBuilder &b, func::FuncOp wrapper, func::FuncOp impl,
                      const EntrySignature &sig) {
  Location loc = wrapper.getLoc();
  Block *entry = wrapper.addEntryBlock();
  b.setInsertionPointToStart(entry);
  unsigned numParams = sig.params.size();

  // Constants and runtime sizes are created once and shared by the checks.
  llvm::DenseMap<int64_t, Value> indexConstants;
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

  // One i1 per check, true when the check fails.
  std::vector<SizeCheck> checks = computeSizeChecks(sig);
  SmallVector<Value> failures;
  for (const SizeCheck &check : checks) {
    Value subject = sizeOf(check.subject);
    switch (check.kind) {
    case SizeCheck::Kind::NonNegative:
      failures.push_back(arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::slt, subject, indexConstant(0)));
      break;
    case SizeCheck::Kind::Literal:
      failures.push_back(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                               subject,
                                               indexConstant(check.literal)));
      break;
    case SizeCheck::Kind::Symbol:
      failures.push_back(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                               subject, sizeOf(check.binding)));
      break;
    }
  }

  // status = fail0 ? 1 : fail1 ? 2 : ... : 0, i.e. the first failing check.
  Type i32 = b.getI32Type();
  Value zero = arith::ConstantIntOp::create(b, loc, i32, 0);
  Value status = zero;
  for (int64_t i = static_cast<int64_t>(failures.size()) - 1; i >= 0; --i) {
    Value code = arith::ConstantIntOp::create(b, loc, i32, i + 1);
    status = arith::SelectOp::create(b, loc, failures[i], code, status);
  }
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
      auto wrapperType =
          FunctionType::get(module.getContext(), argTypes, {b.getI32Type()});

      b.setInsertionPointAfter(impl);
      auto wrapper =
          func::FuncOp::create(b, impl.getLoc(), name.getValue(), wrapperType);
      wrapper.setPublic();
      wrapper->setAttr("llvm.emit_c_interface", b.getUnitAttr());
      symbolTable.insert(wrapper);
      buildWrapperBody(b, wrapper, impl, *sig);
    }
  }
};

} // namespace
