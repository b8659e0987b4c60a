//===- ScanTiles.cpp - Restricting ops to tiles of their loops ------------===//
//
// See ScanTiles.h.
//
//===----------------------------------------------------------------------===//

#include "ScanTiles.h"

#include "tessera/Dialect/SSM/IR/SSMOps.h"
#include "tessera/Dialect/SSM/Utils/Readouts.h"
#include "tessera/Dialect/Tess/IR/TessOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace tessera;

Value TileRestriction::restrict(Value input, AffineMap map) {
  auto type = cast<RankedTensorType>(input.getType());
  unsigned rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
      strides(rank, b.getIndexAttr(1));
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<AffineExpr> results;
  bool sliced = false;
  for (auto [r, expr] : llvm::enumerate(map.getResults())) {
    sizes.push_back(tensor::getMixedSize(b, loc, input, r));
    auto plain = dyn_cast<AffineDimExpr>(expr);
    unsigned d = plain ? plain.getPosition() : 0;
    if (plain && tile.offsets[d] && getPlainResult(map, d) == int(r)) {
      offsets[r] = tile.offsets[d];
      sizes[r] = getAsOpFoldResult(tile.sizes[d]);
      shape[r] = tile.shape[d];
      sliced = true;
      results.push_back(expr);
      continue;
    }
    results.push_back(shift(expr, map.getNumSymbols()));
  }
  exprs.push_back(results);
  if (!sliced)
    return input;
  auto sliceType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, sliceType, input, offsets,
                                        sizes, strides);
}

void TileRestriction::keep(AffineMap map) {
  exprs.push_back(SmallVector<AffineExpr>(map.getResults()));
}

SmallVector<AffineMap> TileRestriction::getMaps() const {
  SmallVector<AffineMap> maps;
  for (ArrayRef<AffineExpr> results : exprs)
    maps.push_back(
        AffineMap::get(numDims, getSymbols().size(), results, b.getContext()));
  return maps;
}

SmallVector<Value> TileRestriction::getSymbols() const {
  SmallVector<Value> all(symbols);
  all.append(shiftOffsets);
  return all;
}

AffineExpr TileRestriction::shift(AffineExpr expr, unsigned numSymbols) {
  SmallVector<AffineExpr> dims;
  for (unsigned d = 0; d < numDims; ++d) {
    AffineExpr dim = getAffineDimExpr(d, b.getContext());
    if (tile.offsets[d] && expr.isFunctionOfDim(d)) {
      auto [it, inserted] = shiftSymbols.try_emplace(d, shiftOffsets.size());
      if (inserted)
        shiftOffsets.push_back(tile.offsets[d]);
      dim = dim + getAffineSymbolExpr(numSymbols + it->second, b.getContext());
    }
    dims.push_back(dim);
  }
  return expr.replaceDims(dims);
}

void tessera::cloneTileBody(OpBuilder &b, Block &source, const Tile &tile) {
  IRMapping mapping;
  for (auto [from, to] :
       llvm::zip(source.getArguments(), b.getInsertionBlock()->getArguments()))
    mapping.map(from, to);
  for (Operation &inner : source) {
    Operation *clone = b.clone(inner, mapping);
    std::optional<uint64_t> dim;
    if (auto op = dyn_cast<ssm::IndexOp>(inner))
      dim = op.getDim();
    else if (auto op = dyn_cast<tess::IndexOp>(inner))
      dim = op.getDim();
    if (dim && tile.offsets[*dim])
      mapping.map(inner.getResult(0),
                  arith::AddIOp::create(b, inner.getLoc(), clone->getResult(0),
                                        tile.offsets[*dim]));
  }
}
