// RUN: tess-opt %s --tess-split-shared-inits=max-uses=2 | FileCheck %s
// RUN: tess-opt %s --tess-split-shared-inits | FileCheck %s --check-prefix=DEFAULT

// Five reductions share one zero-filled init (as CSE leaves them). Every
// reduction gets a fill of its own, created right before it (refilling is
// cheaper than the copy bufferization would make of a shared one). With at
// most two uses per init, the fills then share the empty tensor two by two.
// The default (8 uses) keeps one empty tensor.

// CHECK-LABEL: func.func @sums(
// CHECK:         %[[E:.*]] = tensor.empty()
// CHECK-NEXT:    %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<f32>)
// CHECK-NEXT:    %[[R0:.*]] = linalg.reduce ins(%{{.*}} : tensor<?xf32>) outs(%[[F]] : tensor<f32>)
// CHECK:         %[[F1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<f32>)
// CHECK-NEXT:    %[[R1:.*]] = linalg.reduce ins(%{{.*}} : tensor<?xf32>) outs(%[[F1]] : tensor<f32>)
// CHECK:         %[[E2:.*]] = tensor.empty()
// CHECK-NEXT:    %[[F2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E2]] : tensor<f32>)
// CHECK-NEXT:    %[[R2:.*]] = linalg.reduce ins(%{{.*}} : tensor<?xf32>) outs(%[[F2]] : tensor<f32>)
// CHECK:         %[[F3:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E2]] : tensor<f32>)
// CHECK-NEXT:    %[[R3:.*]] = linalg.reduce ins(%{{.*}} : tensor<?xf32>) outs(%[[F3]] : tensor<f32>)
// CHECK:         %[[E4:.*]] = tensor.empty()
// CHECK-NEXT:    %[[F4:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E4]] : tensor<f32>)
// CHECK-NEXT:    %[[R4:.*]] = linalg.reduce ins(%{{.*}} : tensor<?xf32>) outs(%[[F4]] : tensor<f32>)

// DEFAULT-LABEL: func.func @sums(
// DEFAULT-COUNT-1: tensor.empty
// DEFAULT-NOT:     tensor.empty
// DEFAULT-COUNT-5: linalg.fill
// DEFAULT-NOT:     linalg.fill
func.func @sums(%a: tensor<?xf32>, %b: tensor<?xf32>, %c: tensor<?xf32>,
                %d: tensor<?xf32>, %e: tensor<?xf32>)
    -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<f32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<f32>) -> tensor<f32>
  %r0 = linalg.reduce ins(%a : tensor<?xf32>) outs(%init : tensor<f32>) dimensions = [0]
    (%x: f32, %acc: f32) {
      %s = arith.addf %x, %acc : f32
      linalg.yield %s : f32
    }
  %r1 = linalg.reduce ins(%b : tensor<?xf32>) outs(%init : tensor<f32>) dimensions = [0]
    (%x: f32, %acc: f32) {
      %s = arith.addf %x, %acc : f32
      linalg.yield %s : f32
    }
  %r2 = linalg.reduce ins(%c : tensor<?xf32>) outs(%init : tensor<f32>) dimensions = [0]
    (%x: f32, %acc: f32) {
      %s = arith.addf %x, %acc : f32
      linalg.yield %s : f32
    }
  %r3 = linalg.reduce ins(%d : tensor<?xf32>) outs(%init : tensor<f32>) dimensions = [0]
    (%x: f32, %acc: f32) {
      %s = arith.addf %x, %acc : f32
      linalg.yield %s : f32
    }
  %r4 = linalg.reduce ins(%e : tensor<?xf32>) outs(%init : tensor<f32>) dimensions = [0]
    (%x: f32, %acc: f32) {
      %s = arith.addf %x, %acc : f32
      linalg.yield %s : f32
    }
  return %r0, %r1, %r2, %r3, %r4 : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}
