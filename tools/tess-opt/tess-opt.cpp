//===- tess-opt.cpp - Tessera optimizer driver ----------------------------===//
//
// mlir-opt for Tessera: every upstream dialect, extension and pass, plus what
// every Tessera context registers (tessera::registerAllDialects: the tess
// dialect and the interface models the pipeline needs) and Tessera's own
// passes and pipelines (tessera::registerAllPasses).
//
//===----------------------------------------------------------------------===//

#include "tessera/InitAllDialects.h"
#include "tessera/InitAllPasses.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  tessera::registerAllPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  tessera::registerAllDialects(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Tessera modular optimizer driver\n", registry));
}
