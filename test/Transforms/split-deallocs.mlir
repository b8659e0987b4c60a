// RUN: tess-opt %s --split-input-file --tess-split-deallocs | FileCheck %s

// Distinct allocations that retain nothing: one dealloc per buffer, each
// with its own condition.

// CHECK-LABEL: func.func @distinct(
// CHECK-SAME:    %[[C:.*]]: i1
// CHECK:         %[[A:.*]] = memref.alloc()
// CHECK:         %[[B:.*]] = memref.alloc()
// CHECK:         bufferization.dealloc (%[[A]] : memref<4xf32>) if (%[[C]])
// CHECK-NEXT:    bufferization.dealloc (%[[B]] : memref<8xf32>) if (%true)
// CHECK-NEXT:    return
func.func @distinct(%c: i1) {
  %true = arith.constant true
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<8xf32>
  bufferization.dealloc (%a, %b : memref<4xf32>, memref<8xf32>) if (%c, %true)
  return
}

// -----

// A buffer that is not a memref.alloc (an argument may alias anything), or
// a dealloc that retains values: left as they are.

// CHECK-LABEL: func.func @unknown(
// CHECK:         bufferization.dealloc (%{{.*}}, %{{.*}} : memref<4xf32>, memref<4xf32>) if
// CHECK-LABEL: func.func @retains(
// CHECK:         bufferization.dealloc (%{{.*}}, %{{.*}} : memref<4xf32>, memref<4xf32>) if ({{.*}}) retain
func.func @unknown(%arg: memref<4xf32>) {
  %true = arith.constant true
  %a = memref.alloc() : memref<4xf32>
  bufferization.dealloc (%a, %arg : memref<4xf32>, memref<4xf32>) if (%true, %true)
  return
}
func.func @retains(%r: memref<4xf32>) -> i1 {
  %true = arith.constant true
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  %o = bufferization.dealloc (%a, %b : memref<4xf32>, memref<4xf32>) if (%true, %true) retain (%r : memref<4xf32>)
  return %o : i1
}
