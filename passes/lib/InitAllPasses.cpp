//===- InitAllPasses.cpp - Every Tessera pass and pipeline ----------------===//

#include "tessera/InitAllPasses.h"

#include "tessera/Conversion/Passes.h"
#include "tessera/Pipelines/Pipelines.h"
#include "tessera/Transforms/Passes.h"

#include <mutex>

void tessera::registerAllPasses() {
  static std::once_flag once;
  std::call_once(once, [] {
    registerConversionPasses();
    registerTransformsPasses();
    registerTesseraCPUPipeline();
  });
}
