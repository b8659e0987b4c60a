//===- ClassifyRecurrences.cpp - What each recurrence computes ------------===//
//
// See Passes.td (ssm-classify-recurrences); the analysis is in
// dialects/lib/SSM/Utils/Classification.cpp.
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/SSM/Utils/Classification.h"
#include "tessera/Transforms/Passes.h"

namespace tessera {
#define GEN_PASS_DEF_SSMCLASSIFYRECURRENCESPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;

namespace {

struct ClassifyRecurrencesPass
    : tessera::impl::SSMClassifyRecurrencesPassBase<ClassifyRecurrencesPass> {
  void runOnOperation() override {
    getOperation()->walk([](Operation *op) {
      if (auto scan = dyn_cast<ssm::ScanOp>(op))
        scan.setKind(ssm::classifyScan(scan));
      else if (auto recurrence = dyn_cast<ssm::RecurrenceOp>(op))
        recurrence.setKind(ssm::classifyRecurrence(recurrence).kind);
    });
  }
};

} // namespace
