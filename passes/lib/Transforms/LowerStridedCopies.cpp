//===- LowerStridedCopies.cpp - memref.copy -> linalg.copy ----------------===//

#include "tessera/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace tessera {
#define GEN_PASS_DEF_TESSLOWERSTRIDEDCOPIESPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {

/// Whether the LLVM lowering turns a copy of `type` into a plain memcpy.
bool isIdentityLayout(Type type) {
  auto memrefType = dyn_cast<MemRefType>(type);
  return memrefType && memrefType.getLayout().isIdentity();
}

struct TessLowerStridedCopiesPass
    : public tessera::impl::TessLowerStridedCopiesPassBase<
          TessLowerStridedCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp copy) {
      if (!isIdentityLayout(copy.getSource().getType()) ||
          !isIdentityLayout(copy.getTarget().getType()))
        copies.push_back(copy);
    });
    OpBuilder b(&getContext());
    for (memref::CopyOp copy : copies) {
      b.setInsertionPoint(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    }
  }
};

} // namespace
