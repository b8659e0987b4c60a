// RUN: tess-opt %s --tess-lower-strided-copies | FileCheck %s

// A copy out of a subview would lower to a call of MLIR's runtime helper
// memrefCopy; it becomes a linalg.copy loop. Contiguous copies stay (memcpy).

// CHECK-LABEL: func.func @copies(
// CHECK-SAME:      %[[A:.*]]: memref<8x8xf32>, %[[B:.*]]: memref<4x4xf32>, %[[C:.*]]: memref<8x8xf32>)
// CHECK:         %[[S:.*]] = memref.subview %[[A]]
// CHECK-NEXT:    linalg.copy ins(%[[S]] : memref<4x4xf32, strided<[8, 1]>>) outs(%[[B]] : memref<4x4xf32>)
// CHECK-NEXT:    linalg.copy ins(%[[B]] : memref<4x4xf32>) outs(%[[S]] : memref<4x4xf32, strided<[8, 1]>>)
// CHECK-NEXT:    memref.copy %[[A]], %[[C]] : memref<8x8xf32> to memref<8x8xf32>
// CHECK-NOT:     memref.copy
func.func @copies(%a: memref<8x8xf32>, %b: memref<4x4xf32>, %c: memref<8x8xf32>) {
  %s = memref.subview %a[0, 0] [4, 4] [1, 1] : memref<8x8xf32> to memref<4x4xf32, strided<[8, 1]>>
  memref.copy %s, %b : memref<4x4xf32, strided<[8, 1]>> to memref<4x4xf32>
  memref.copy %b, %s : memref<4x4xf32> to memref<4x4xf32, strided<[8, 1]>>
  memref.copy %a, %c : memref<8x8xf32> to memref<8x8xf32>
  return
}
