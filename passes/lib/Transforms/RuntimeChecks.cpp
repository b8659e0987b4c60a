//===- RuntimeChecks.cpp - Size checks and error records in IR ------------===//

#include "RuntimeChecks.h"

#include "tessera/Runtime/EntryABI.h"
#include "tessera/Transforms/EntrySignature.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"

#include <cstddef>

using namespace mlir;
using namespace tessera;

TensorSize tessera::buildTensorSize(OpBuilder &b, Location loc, ValueRange dims,
                                    int64_t elementBytes) {
  Type i64 = b.getI64Type();
  auto constant = [&](int64_t value) -> Value {
    return arith::ConstantIntOp::create(b, loc, i64, value);
  };
  Value zero = constant(0);
  Value overflow = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 0);
  Value empty = overflow;
  // count * factor, noting whether the product leaves [0, 2^63).
  auto multiply = [&](Value count, Value factor) {
    auto product = arith::MulUIExtendedOp::create(b, loc, count, factor);
    Value high = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                       product.getHigh(), zero);
    Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                           product.getLow(), zero);
    overflow = arith::OrIOp::create(
        b, loc, overflow, arith::OrIOp::create(b, loc, high, negative));
    return product.getLow();
  };
  Value count;
  for (Value dim : dims) {
    Value extent = arith::IndexCastOp::create(b, loc, i64, dim);
    Value isZero =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, extent, zero);
    empty = arith::OrIOp::create(b, loc, empty, isZero);
    count = count ? multiply(count, extent) : extent;
  }
  if (!count)
    count = constant(1);
  Value bytes = multiply(count, constant(elementBytes));
  Value notEmpty = arith::XOrIOp::create(
      b, loc, empty, arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1));
  Value tooLarge = arith::AndIOp::create(b, loc, overflow, notEmpty);
  bytes = arith::SelectOp::create(b, loc, empty, zero, bytes);
  bytes = arith::SelectOp::create(b, loc, tooLarge, constant(-1), bytes);
  return {tooLarge, bytes};
}

std::pair<std::string, int64_t> tessera::describeElementType(Operation *scope,
                                                             Type type) {
  if (std::optional<DType> dtype = getDTypeForElementType(type))
    return {getDTypeName(*dtype).str(),
            static_cast<int64_t>(getDTypeSize(*dtype))};
  std::string name;
  llvm::raw_string_ostream os(name);
  type.print(os);
  int64_t bytes = static_cast<int64_t>(
      DataLayout::closest(scope).getTypeSize(type).getFixedValue());
  return {name, std::max<int64_t>(bytes, 1)};
}

std::pair<std::string, std::string> tessera::describeLocation(Location loc) {
  std::string name, where;
  loc->walk([&](Location inner) {
    if (auto nameLoc = dyn_cast<NameLoc>(inner); nameLoc && name.empty())
      name = nameLoc.getName().str();
    if (auto fileLoc = dyn_cast<FileLineColLoc>(inner);
        fileLoc && where.empty())
      where = (fileLoc.getFilename().getValue() + ":" +
               Twine(fileLoc.getLine()) + ":" + Twine(fileLoc.getColumn()))
                  .str();
    return WalkResult::advance();
  });
  return {name, where};
}

Value tessera::getErrorRecordArgument(func::FuncOp func) {
  if (!func->hasAttr(kErrorRecordAttrName) || func.isExternal() ||
      func.getNumArguments() == 0)
    return Value();
  Value record = func.getArgument(func.getNumArguments() - 1);
  return isa<LLVM::LLVMPointerType>(record.getType()) ? record : Value();
}

Value ErrorRecordWriter::getString(OpBuilder &b, Location loc, StringRef text) {
  LLVM::GlobalOp &global = strings[text];
  if (!global) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    std::string contents = (text + Twine('\0')).str();
    auto type = LLVM::LLVMArrayType::get(b.getI8Type(), contents.size());
    std::string name;
    do
      name = "__tess_str_" + std::to_string(nextString++);
    while (SymbolTable::lookupSymbolIn(module, name));
    global = LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                    LLVM::Linkage::Private, name,
                                    b.getStringAttr(contents));
  }
  return LLVM::AddressOfOp::create(b, loc, global);
}

void ErrorRecordWriter::write(OpBuilder &b, Location loc, Value record,
                              int32_t status, const TensorDescription &desc,
                              Value bytes, ValueRange dims) {
  auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
  Value null = LLVM::ZeroOp::create(b, loc, ptrType);
  Value present =
      LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne, record, null);
  auto ifOp = scf::IfOp::create(b, loc, present, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  auto store = [&](size_t offset, Value value) {
    Value address = LLVM::GEPOp::create(
        b, loc, ptrType, b.getI8Type(), record,
        ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(offset)});
    LLVM::StoreOp::create(b, loc, value, address);
  };
  auto i32 = [&](int64_t value) -> Value {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), value);
  };
  store(offsetof(EntryErrorRecord, status), i32(status));
  store(offsetof(EntryErrorRecord, rank), i32(dims.size()));
  store(offsetof(EntryErrorRecord, what), getString(b, loc, desc.what));
  store(offsetof(EntryErrorRecord, where), getString(b, loc, desc.where));
  store(offsetof(EntryErrorRecord, dtype), getString(b, loc, desc.dtype));
  store(offsetof(EntryErrorRecord, bytes), bytes);
  for (auto [i, dim] : llvm::enumerate(dims.take_front(kErrorRecordMaxRank)))
    store(offsetof(EntryErrorRecord, shape) + 8 * i,
          arith::IndexCastOp::create(b, loc, b.getI64Type(), dim));
}
