// RUN: tess-opt %s --pass-pipeline='builtin.module(func.func(tess-results-in-place))' | FileCheck %s

// An entry's temporary whose last use copies it into an output becomes the
// output: no allocation, no copy (a static temporary gets a cast of it).
// CHECK-LABEL: func.func @in_place(
// CHECK-SAME:    %[[X:.*]]: memref<?xf32>, %[[OUT:.*]]: memref<?xf32>, %{{.*}}: !llvm.ptr)
// CHECK-NOT:     memref.alloc
// CHECK:         memref.dim %[[OUT]]
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[OUT]] : memref<?xf32>)
// CHECK:         linalg.copy ins(%[[X]] : memref<?xf32>) outs(%[[OUT]] : memref<?xf32>)
// CHECK-NOT:     memref.copy
func.func @in_place(%x: memref<?xf32>, %out: memref<?xf32>, %err: !llvm.ptr) -> i32
    attributes {tessera.error_record} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %ok = arith.constant 0 : i32
  %n = memref.dim %out, %c0 : memref<?xf32>
  %t = memref.alloc(%n) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<?xf32>)
  linalg.copy ins(%x : memref<?xf32>) outs(%t : memref<?xf32>)
  memref.copy %t, %out : memref<?xf32> to memref<?xf32>
  return %ok : i32
}

// CHECK-LABEL: func.func @static_temporary(
// CHECK-SAME:    %[[OUT:.*]]: memref<?xf32>
// CHECK:         %[[C:.*]] = memref.cast %[[OUT]] : memref<?xf32> to memref<4xf32>
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[C]] : memref<4xf32>)
// CHECK-NOT:     memref.copy
func.func @static_temporary(%out: memref<?xf32>, %err: !llvm.ptr) -> i32
    attributes {tessera.error_record} {
  %zero = arith.constant 0.0 : f32
  %ok = arith.constant 0 : i32
  %t = memref.alloc() : memref<4xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<4xf32>)
  memref.copy %t, %out : memref<4xf32> to memref<?xf32>
  return %ok : i32
}

// Left alone: the temporary is used after the copy; one temporary copied
// into two outputs; an output read by something else; a function that is
// not an entry.
// CHECK-LABEL: func.func @used_after(
// CHECK:         memref.alloc
// CHECK:         memref.copy
// CHECK-LABEL: func.func @two_outputs(
// CHECK:         memref.alloc
// CHECK:         memref.copy
// CHECK:         memref.copy
// CHECK-LABEL: func.func @output_read(
// CHECK:         memref.alloc
// CHECK:         memref.copy
// CHECK-LABEL: func.func @not_an_entry(
// CHECK:         memref.alloc
// CHECK:         memref.copy
func.func @used_after(%out: memref<4xf32>, %out2: memref<4xf32>, %err: !llvm.ptr) -> i32
    attributes {tessera.error_record} {
  %zero = arith.constant 0.0 : f32
  %ok = arith.constant 0 : i32
  %t = memref.alloc() : memref<4xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<4xf32>)
  memref.copy %t, %out : memref<4xf32> to memref<4xf32>
  linalg.copy ins(%t : memref<4xf32>) outs(%out2 : memref<4xf32>)
  return %ok : i32
}
func.func @two_outputs(%out: memref<4xf32>, %out2: memref<4xf32>, %err: !llvm.ptr) -> i32
    attributes {tessera.error_record} {
  %zero = arith.constant 0.0 : f32
  %ok = arith.constant 0 : i32
  %t = memref.alloc() : memref<4xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<4xf32>)
  memref.copy %t, %out : memref<4xf32> to memref<4xf32>
  memref.copy %t, %out2 : memref<4xf32> to memref<4xf32>
  return %ok : i32
}
func.func @output_read(%out: memref<4xf32>, %err: !llvm.ptr) -> f32
    attributes {tessera.error_record} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = memref.alloc() : memref<4xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<4xf32>)
  %v = memref.load %out[%c0] : memref<4xf32>
  memref.copy %t, %out : memref<4xf32> to memref<4xf32>
  return %v : f32
}
func.func @not_an_entry(%out: memref<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %t = memref.alloc() : memref<4xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<4xf32>)
  memref.copy %t, %out : memref<4xf32> to memref<4xf32>
  return
}

// A temporary copied through a collapse_shape of it: the output is seen with
// the temporary's dimensions (expand_shape, sizes from the allocation).
// CHECK-LABEL: func.func @through_collapse(
// CHECK-SAME:    %[[OUT:.*]]: memref<?x1024xf32>
// CHECK-NOT:     memref.alloc
// CHECK:         %[[V:.*]] = memref.expand_shape %[[OUT]] {{\[\[}}0], [1, 2]] output_shape [%{{.*}}, 32, 32] : memref<?x1024xf32> into memref<?x32x32xf32>
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[V]] : memref<?x32x32xf32>)
// CHECK-NOT:     memref.copy
func.func @through_collapse(%out: memref<?x1024xf32>, %err: !llvm.ptr) -> i32
    attributes {tessera.error_record} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %ok = arith.constant 0 : i32
  %n = memref.dim %out, %c0 : memref<?x1024xf32>
  %t = memref.alloc(%n) : memref<?x32x32xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<?x32x32xf32>)
  %flat = memref.collapse_shape %t [[0], [1, 2]] : memref<?x32x32xf32> into memref<?x1024xf32>
  memref.copy %flat, %out : memref<?x1024xf32> to memref<?x1024xf32>
  return %ok : i32
}

// A view of the temporary made before the copy is still fine; one written
// after the copy is not (the output would change after its last write).
// CHECK-LABEL: func.func @view_before(
// CHECK-NOT:     memref.alloc
// CHECK-LABEL: func.func @view_written_after(
// CHECK:         memref.alloc
// CHECK:         memref.copy
func.func @view_before(%out: memref<8x4xf32>, %err: !llvm.ptr) -> i32
    attributes {tessera.error_record} {
  %zero = arith.constant 0.0 : f32
  %ok = arith.constant 0 : i32
  %t = memref.alloc() : memref<8x4xf32>
  %flat = memref.collapse_shape %t [[0, 1]] : memref<8x4xf32> into memref<32xf32>
  linalg.fill ins(%zero : f32) outs(%flat : memref<32xf32>)
  memref.copy %t, %out : memref<8x4xf32> to memref<8x4xf32>
  return %ok : i32
}

func.func @view_written_after(%out: memref<8x4xf32>, %err: !llvm.ptr) -> i32
    attributes {tessera.error_record} {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %ok = arith.constant 0 : i32
  %t = memref.alloc() : memref<8x4xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<8x4xf32>)
  %flat = memref.collapse_shape %t [[0, 1]] : memref<8x4xf32> into memref<32xf32>
  memref.copy %t, %out : memref<8x4xf32> to memref<8x4xf32>
  linalg.fill ins(%one : f32) outs(%flat : memref<32xf32>)
  return %ok : i32
}

// Copies between views of the temporary (insert_slice left in place) do not
// keep it from being the output.
// CHECK-LABEL: func.func @views_copied_among_themselves(
// CHECK-NOT:     memref.alloc
// CHECK:         memref.subview %[[O:.*]][0] [4] [1]
func.func @views_copied_among_themselves(%out: memref<8xf32>, %err: !llvm.ptr) -> i32
    attributes {tessera.error_record} {
  %zero = arith.constant 0.0 : f32
  %ok = arith.constant 0 : i32
  %t = memref.alloc() : memref<8xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<8xf32>)
  %a = memref.subview %t[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  %b = memref.subview %t[4] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
  memref.copy %a, %b : memref<4xf32, strided<[1]>> to memref<4xf32, strided<[1], offset: 4>>
  memref.copy %t, %out : memref<8xf32> to memref<8xf32>
  return %ok : i32
}
