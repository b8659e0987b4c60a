// RUN: tess-opt %s -inline | FileCheck %s
// RUN: tess-opt %s -inline='default-pipeline=' | FileCheck %s

// tess.call implements CallOpInterface and the tess dialect has an inliner
// interface, so MLIR's own inliner inlines tess.call, tess ops (with their
// regions) included. Calls chain: one run of the pass inlines both levels,
// and the private callees, now unused, are gone.

// CHECK-NOT:   func.func private
// CHECK-LABEL: func.func @caller
// CHECK-SAME:    (%[[A:.*]]: tensor<?xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-NOT:     tess.call
// CHECK:         %[[CAST:.*]] = tensor.cast %[[B]] : tensor<4xf32> to tensor<?xf32>
// CHECK:         %[[SUM:.*]] = tess.map ins(%[[A]], %[[CAST]] : tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32> {
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32):
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT:      tess.yield %[[S]] : f32
// CHECK-NEXT:    }
// CHECK:         %[[TOTAL:.*]] = tess.reduce sum %[[SUM]] dims [0] : tensor<?xf32> -> tensor<f32>
// CHECK-NOT:     tess.call
// CHECK:         return %[[SUM]], %[[TOTAL]] : tensor<?xf32>, tensor<f32>
// CHECK-NOT:   func.func private

func.func private @add(%x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %r = tess.map ins(%x, %y : tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    tess.yield %s : f32
  }
  return %r : tensor<?xf32>
}

func.func private @add_and_sum(%x: tensor<?xf32>, %y: tensor<?xf32>)
    -> (tensor<?xf32>, tensor<f32>) {
  %r = tess.call @add(%x, %y) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %t = tess.reduce sum %r dims [0] : tensor<?xf32> -> tensor<f32>
  return %r, %t : tensor<?xf32>, tensor<f32>
}

func.func @caller(%a: tensor<?xf32>, %b: tensor<4xf32>)
    -> (tensor<?xf32>, tensor<f32>) {
  %c = tensor.cast %b : tensor<4xf32> to tensor<?xf32>
  %r:2 = tess.call @add_and_sum(%a, %c)
      : (tensor<?xf32>, tensor<?xf32>) -> (tensor<?xf32>, tensor<f32>)
  return %r#0, %r#1 : tensor<?xf32>, tensor<f32>
}
