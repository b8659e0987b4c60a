// RUN: tess-opt %s --split-input-file --tess-dealloc-after-last-use | FileCheck %s

// Deallocations at the end of the block move up to just after the last use
// of their buffer: a loop nest that reads it, a copy out of a view of it.

// CHECK-LABEL: func.func @early(
// CHECK:         %[[A:.*]] = memref.alloc
// CHECK:         %[[B:.*]] = memref.alloc
// CHECK:         scf.for
// CHECK:           memref.store {{.*}}, %[[A]]
// CHECK:         }
// CHECK:         scf.for
// CHECK:           memref.load %[[A]]
// CHECK:           memref.store {{.*}}, %[[B]]
// CHECK:         }
// CHECK-NEXT:    memref.dealloc %[[A]]
// CHECK-NEXT:    %[[V:.*]] = memref.subview %[[B]]
// CHECK-NEXT:    memref.copy %[[V]], %{{.*}}
// CHECK-NEXT:    memref.dealloc %[[B]]
// CHECK-NEXT:    arith.addi
// CHECK-NEXT:    return
func.func @early(%n: index, %out: memref<2xf32>) -> index {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  %a = memref.alloc(%n) : memref<?xf32>
  %b = memref.alloc(%n) : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    memref.store %f, %a[%i] : memref<?xf32>
  }
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %a[%i] : memref<?xf32>
    memref.store %v, %b[%i] : memref<?xf32>
  }
  %view = memref.subview %b[0] [2] [1] : memref<?xf32> to memref<2xf32, strided<[1]>>
  memref.copy %view, %out : memref<2xf32, strided<[1]>> to memref<2xf32>
  %m = arith.addi %n, %c1 : index
  memref.dealloc %a : memref<?xf32>
  memref.dealloc %b : memref<?xf32>
  return %m : index
}

// -----

// A buffer passed to a call may be kept by the callee: its dealloc stays.

// CHECK-LABEL: func.func @escapes(
// CHECK:         call @keep
// CHECK-NEXT:    arith.addi
// CHECK-NEXT:    memref.dealloc
// CHECK-NEXT:    return
func.func private @keep(memref<4xf32>)
func.func @escapes(%n: index) -> index {
  %a = memref.alloc() : memref<4xf32>
  call @keep(%a) : (memref<4xf32>) -> ()
  %m = arith.addi %n, %n : index
  memref.dealloc %a : memref<4xf32>
  return %m : index
}
