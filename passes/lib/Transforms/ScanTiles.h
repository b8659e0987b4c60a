//===- ScanTiles.h - Restricting ops to tiles of their loops ----*- C++ -*-===//
//
// Internal to the scan transformations (TileScans.cpp, ChunkScans.cpp): an
// op with indexing maps (ssm.scan, tess.contract) restricted to a tile of
// its loop dimensions, as an scf.forall iteration computes it.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TRANSFORMS_SCANTILES_H
#define TESSERA_TRANSFORMS_SCANTILES_H

#include "mlir/IR/Builders.h"

namespace tessera {

/// The tile one iteration of the scf.forall computes, per loop dimension of
/// the op being tiled: its offset (null when the dimension is whole) and
/// its extent.
struct Tile {
  llvm::SmallVector<mlir::Value> offsets;
  llvm::SmallVector<mlir::Value> sizes;
  /// The static extent of each dimension in the tile (or dynamic).
  llvm::SmallVector<int64_t> shape;
};

/// Restricts the inputs of one op to a tile of its loop dimensions. An input
/// that reads a tiled dimension plainly is sliced there; other reads of a
/// tiled dimension `d` read `d + offset`, the offset a new symbol of the op.
class TileRestriction {
public:
  TileRestriction(mlir::OpBuilder &b, mlir::Location loc, const Tile &tile,
                  mlir::ValueRange symbols, unsigned numDims)
      : b(b), loc(loc), tile(tile), symbols(symbols), numDims(numDims) {}

  /// `input`, read through `map`, restricted to the tile; its map is built
  /// by getMaps once every input is restricted.
  mlir::Value restrict(mlir::Value input, mlir::AffineMap map);
  /// A map for an output (or an input that the tile already restricts) of
  /// `map`'s results, unchanged.
  void keep(mlir::AffineMap map);
  /// The maps of the restricted inputs, in the order restricted or kept.
  llvm::SmallVector<mlir::AffineMap> getMaps() const;
  /// The op's symbols, then the offsets that shifted reads use.
  llvm::SmallVector<mlir::Value> getSymbols() const;

private:
  /// `expr` with each tiled dimension `d` replaced by `d + offset`.
  mlir::AffineExpr shift(mlir::AffineExpr expr, unsigned numSymbols);

  mlir::OpBuilder &b;
  mlir::Location loc;
  const Tile &tile;
  mlir::ValueRange symbols;
  unsigned numDims;
  llvm::SmallVector<llvm::SmallVector<mlir::AffineExpr>> exprs;
  llvm::DenseMap<unsigned, unsigned> shiftSymbols;
  llvm::SmallVector<mlir::Value> shiftOffsets;
};

/// Clones the body `source` of an op with loop dimensions into the block `b`
/// inserts into (same arguments), with the index of each tiled dimension
/// (ssm.index, tess.index) offset by the tile's.
void cloneTileBody(mlir::OpBuilder &b, mlir::Block &source, const Tile &tile);

} // namespace tessera

#endif // TESSERA_TRANSFORMS_SCANTILES_H
