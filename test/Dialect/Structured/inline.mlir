// RUN: tess-opt %s --inline | FileCheck %s

// Structured ops move into their callers (the pipeline inlines every
// implementation into its entry).

// CHECK-LABEL: func.func @caller(
// CHECK-NEXT:    structured.fwht %{{.+}} axis 0 : tensor<8xf32>
// CHECK-NEXT:    return
func.func private @callee(%x: tensor<8xf32>) -> tensor<8xf32> {
  %y = structured.fwht %x axis 0 : tensor<8xf32>
  return %y : tensor<8xf32>
}

func.func @caller(%x: tensor<8xf32>) -> tensor<8xf32> {
  %y = func.call @callee(%x) : (tensor<8xf32>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}
