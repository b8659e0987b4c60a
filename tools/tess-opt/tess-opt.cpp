//===- tess-opt.cpp - Tessera optimizer driver ----------------------------===//
//
// mlir-opt for Tessera: every upstream dialect, extension and pass, plus the
// tess dialect and Tessera's own passes.
//
//===----------------------------------------------------------------------===//

#include "tessera/Conversion/Passes.h"
#include "tessera/Dialect/Tess/IR/TessDialect.h"
#include "tessera/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  tessera::registerConversionPasses();
  tessera::registerTesseraPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<tessera::tess::TessDialect>();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Tessera modular optimizer driver\n", registry));
}
