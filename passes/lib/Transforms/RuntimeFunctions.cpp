//===- RuntimeFunctions.cpp - Declarations of runtime functions -----------===//

#include "RuntimeFunctions.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

func::FuncOp tessera::getNumThreadsDecl(ModuleOp module) {
  constexpr StringLiteral name = "tessera_get_num_threads";
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto decl = func::FuncOp::create(b, module.getLoc(), name,
                                   b.getFunctionType({}, {b.getI32Type()}));
  decl.setPrivate();
  return decl;
}
