//===- FusedSlices.h - Reuse what tile-and-fuse computed -------*- C++ -*-===//
//
// Helpers shared by the passes that tile a consumer and fuse its producers
// with scf::tileConsumerAndFuseProducersUsingSCF.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TRANSFORMS_FUSEDSLICES_H
#define TESSERA_TRANSFORMS_FUSEDSLICES_H

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"

namespace tessera {

/// Tiling fuses each producer once: a second slice of the same producer in
/// the loop (the max that softmax reads in two places, say) would still read
/// the untiled result, computed in full before the loop. Makes each such
/// slice take the value of the fused op that computes exactly that slice.
void reuseFusedSlices(mlir::RewriterBase &rewriter,
                      const mlir::scf::SCFTileAndFuseResult &result);

} // namespace tessera

#endif // TESSERA_TRANSFORMS_FUSEDSLICES_H
