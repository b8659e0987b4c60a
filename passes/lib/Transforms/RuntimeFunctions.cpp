//===- RuntimeFunctions.cpp - Declarations of runtime functions -----------===//

#include "RuntimeFunctions.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

/// The declaration of `name` with `params` and an i32 result in `module`,
/// created on first use.
static func::FuncOp getI32Decl(ModuleOp module, StringRef name,
                               ArrayRef<Type> params) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto decl = func::FuncOp::create(b, module.getLoc(), name,
                                   b.getFunctionType(params, {b.getI32Type()}));
  decl.setPrivate();
  return decl;
}

func::FuncOp tessera::getNumThreadsDecl(ModuleOp module) {
  return getI32Decl(module, "tessera_get_num_threads", {});
}

func::FuncOp tessera::getFwhtLengthSupportedDecl(ModuleOp module) {
  Builder b(module.getContext());
  return getI32Decl(module, "tessera_fwht_length_supported", {b.getI64Type()});
}
