// RUN: tess-opt %s --tess-split-shared-inits=max-uses=2 | FileCheck %s
// RUN: tess-opt %s --tess-split-shared-inits | FileCheck %s --check-prefix=DEFAULT

// Five reductions share one zero-filled init (as CSE leaves them). With at
// most two uses per init, the third and the fifth reduction each get a copy
// of the fill, created right before them, for themselves and the next one.
// The three fills then share the empty tensor: the third gets its own.
// The default (8 uses) leaves this function alone.

// CHECK-LABEL: func.func @sums(
// CHECK:         %[[E:.*]] = tensor.empty()
// CHECK-NEXT:    %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<f32>)
// CHECK-NEXT:    %[[R0:.*]] = linalg.reduce ins(%{{.*}} : tensor<?xf32>) outs(%[[F]] : tensor<f32>)
// CHECK:         %[[R1:.*]] = linalg.reduce ins(%{{.*}} : tensor<?xf32>) outs(%[[F]] : tensor<f32>)
// CHECK:         %[[F2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<f32>)
// CHECK-NEXT:    %[[R2:.*]] = linalg.reduce ins(%{{.*}} : tensor<?xf32>) outs(%[[F2]] : tensor<f32>)
// CHECK:         %[[R3:.*]] = linalg.reduce ins(%{{.*}} : tensor<?xf32>) outs(%[[F2]] : tensor<f32>)
// CHECK:         %[[E3:.*]] = tensor.empty()
// CHECK-NEXT:    %[[F3:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E3]] : tensor<f32>)
// CHECK-NEXT:    %[[R4:.*]] = linalg.reduce ins(%{{.*}} : tensor<?xf32>) outs(%[[F3]] : tensor<f32>)

// DEFAULT-LABEL: func.func @sums(
// DEFAULT-COUNT-1: tensor.empty
// DEFAULT-NOT:     tensor.empty
// DEFAULT-COUNT-1: linalg.fill
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
