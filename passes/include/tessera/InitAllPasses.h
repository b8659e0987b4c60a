//===- InitAllPasses.h - Every Tessera pass and pipeline --------*- C++ -*-===//
//
// The one place that registers Tessera's passes with the global pass
// registry: the transformations (tess-expose-entries, ...), the conversions
// (convert-tess-to-linalg) and the named pipeline `tessera-cpu`. tess-opt
// calls it; so may any tool that parses textual pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_INITALLPASSES_H
#define TESSERA_INITALLPASSES_H

namespace tessera {

/// Registers every Tessera transformation and conversion pass and the named
/// pipeline `tessera-cpu` with the global registries. Safe to call more than
/// once.
void registerAllPasses();

} // namespace tessera

#endif // TESSERA_INITALLPASSES_H
