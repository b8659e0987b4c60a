//===- KernelCalls.cpp - Calls of runtime kernels on tensors --------------===//

#include "tessera/Conversion/StructuredToKernels/KernelCalls.h"
#include "tessera/Transforms/ElementBytes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace tessera;

/// The declaration of `name` with `params`, created once per module.
static func::FuncOp getDecl(ModuleOp module, StringRef name, TypeRange params) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto decl =
      func::FuncOp::create(b, module.getLoc(), name,
                           FunctionType::get(module.getContext(), params, {}));
  decl.setPrivate();
  return decl;
}

/// The address of the first element of `buffer` (its aligned pointer plus
/// `offset` elements), as an !llvm.ptr.
static Value getElementPointer(OpBuilder &b, Location loc, Value buffer,
                               Value offset, int64_t elementBytes) {
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  if (offset) {
    Value bytes = arith::MulIOp::create(
        b, loc, offset, arith::ConstantIndexOp::create(b, loc, elementBytes));
    base = arith::AddIOp::create(b, loc, base, bytes);
  }
  Value address = arith::IndexCastOp::create(b, loc, b.getI64Type(), base);
  return LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext()), address);
}

Value tessera::getArrayPointer(OpBuilder &b, Location loc, ValueRange values) {
  auto type = MemRefType::get({int64_t(values.size())}, b.getI64Type());
  Value array = memref::AllocaOp::create(b, loc, type);
  for (auto [i, value] : llvm::enumerate(values)) {
    Value element = arith::IndexCastOp::create(b, loc, b.getI64Type(), value);
    memref::StoreOp::create(
        b, loc, element, array,
        ValueRange{arith::ConstantIndexOp::create(b, loc, i)});
  }
  return getElementPointer(b, loc, array, Value(), 8);
}

Value tessera::getBufferPointer(OpBuilder &b, Location loc, Value buffer) {
  return getElementPointer(
      b, loc, buffer, Value(),
      getElementBytes(cast<MemRefType>(buffer.getType()).getElementType()));
}

void tessera::createKernelCall(OpBuilder &b, Location loc, StringRef callee,
                               ValueRange args) {
  auto module =
      b.getInsertionBlock()->getParentOp()->getParentOfType<ModuleOp>();
  func::CallOp::create(b, loc, getDecl(module, callee, args.getTypes()), args);
}

SmallVector<Value> tessera::getExtents(OpBuilder &b, Location loc,
                                       Value value) {
  SmallVector<Value> extents;
  auto type = cast<RankedTensorType>(value.getType());
  for (int64_t d = 0; d < type.getRank(); ++d)
    extents.push_back(tensor::DimOp::create(b, loc, value, d));
  return extents;
}

/// Strides in units of 1 / `parts` of an element, with a trailing 1 for the
/// parts when there are several.
static SmallVector<Value> partStrides(OpBuilder &b, Location loc,
                                      ValueRange strides, unsigned parts) {
  SmallVector<Value> result(strides.begin(), strides.end());
  if (parts == 1)
    return result;
  Value factor = arith::ConstantIndexOp::create(b, loc, parts);
  for (Value &stride : result)
    stride = arith::MulIOp::create(b, loc, stride, factor);
  result.push_back(arith::ConstantIndexOp::create(b, loc, 1));
  return result;
}

std::pair<Value, Value> tessera::getBufferArguments(OpBuilder &b, Location loc,
                                                    Value value,
                                                    unsigned parts) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> dynamicStrides(type.getRank(), ShapedType::kDynamic);
  auto bufferType = MemRefType::get(type.getShape(), type.getElementType(),
                                    StridedLayoutAttr::get(b.getContext(),
                                                           ShapedType::kDynamic,
                                                           dynamicStrides));
  Value buffer = bufferization::ToBufferOp::create(b, loc, bufferType, value,
                                                   /*read_only=*/true);
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
  return {
      getElementPointer(b, loc, buffer, meta.getOffset(),
                        getElementBytes(type.getElementType())),
      getArrayPointer(b, loc, partStrides(b, loc, meta.getStrides(), parts))};
}

KernelOutput tessera::allocateKernelOutput(OpBuilder &b, Location loc,
                                           RankedTensorType resultType,
                                           ValueRange dynamicSizes,
                                           unsigned parts) {
  auto type =
      MemRefType::get(resultType.getShape(), resultType.getElementType());
  Value buffer = memref::AllocOp::create(b, loc, type, dynamicSizes,
                                         b.getI64IntegerAttr(64));
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
  return {
      buffer, getBufferPointer(b, loc, buffer),
      getArrayPointer(b, loc, partStrides(b, loc, meta.getStrides(), parts))};
}

Value tessera::createTransformCall(PatternRewriter &rewriter, Location loc,
                                   StringRef callee, Value input, int64_t axis,
                                   RankedTensorType resultType,
                                   ValueRange resultSizes, ValueRange extents,
                                   ValueRange before, ValueRange after,
                                   unsigned parts) {
  auto [inPointer, inStrides] = getBufferArguments(rewriter, loc, input, parts);
  int64_t rank = resultType.getRank();
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < rank; ++d)
    if (resultType.isDynamicDim(d))
      dynamicSizes.push_back(resultSizes[d]);
  KernelOutput out =
      allocateKernelOutput(rewriter, loc, resultType, dynamicSizes, parts);
  Type i64 = rewriter.getI64Type();
  SmallVector<Value> kernelExtents(extents.begin(), extents.end());
  if (parts > 1)
    kernelExtents.push_back(
        arith::ConstantIndexOp::create(rewriter, loc, parts));
  SmallVector<Value> args = {
      arith::ConstantIntOp::create(rewriter, loc, i64,
                                   rank + (parts > 1 ? 1 : 0)),
      arith::ConstantIntOp::create(rewriter, loc, i64, axis),
      getArrayPointer(rewriter, loc, kernelExtents)};
  llvm::append_range(args, before);
  args.push_back(inPointer);
  args.push_back(inStrides);
  args.push_back(out.pointer);
  args.push_back(out.strides);
  llvm::append_range(args, after);
  createKernelCall(rewriter, loc, callee, args);
  return bufferization::ToTensorOp::create(rewriter, loc, resultType,
                                           out.buffer, /*restrict=*/true,
                                           /*writable=*/true);
}
