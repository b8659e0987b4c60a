// RUN: tess-opt %s --pass-pipeline='builtin.module(func.func(tess-guard-empty-domains),cse)' --split-input-file | FileCheck %s

// A loop nest with an empty loop does nothing, but its outer loops would
// still run in full: the op runs only if every dynamic extent is nonzero.

// CHECK-LABEL: func.func @matmul(
// CHECK-SAME:      %[[A:.*]]: memref<?x?xf32>, %[[B:.*]]: memref<?x?xf32>, %[[C:.*]]: memref<?x?xf32>)
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[M:.*]] = memref.dim %[[A]], %[[ZERO]]
// CHECK-DAG:     %[[K:.*]] = memref.dim %[[A]], %c1
// CHECK-DAG:     %[[N:.*]] = memref.dim %[[B]], %c1
// CHECK:         %[[MOK:.*]] = arith.cmpi ne, %[[M]], %[[ZERO]] : index
// CHECK:         %[[NOK:.*]] = arith.cmpi ne, %[[N]], %[[ZERO]] : index
// CHECK:         %[[MN:.*]] = arith.andi %[[MOK]], %[[NOK]] : i1
// CHECK:         %[[KOK:.*]] = arith.cmpi ne, %[[K]], %[[ZERO]] : index
// CHECK:         %[[ALL:.*]] = arith.andi %[[MN]], %[[KOK]] : i1
// CHECK:         scf.if %[[ALL]] {
// CHECK-NEXT:      linalg.matmul ins(%[[A]], %[[B]] : {{.*}}) outs(%[[C]] : memref<?x?xf32>)
// CHECK-NEXT:    }
// CHECK-NEXT:    return
func.func @matmul(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// Only dynamic extents are tested; a single loop needs no guard, nor does a
// fully static nest; ops on tensors are left alone.

// CHECK-LABEL: func.func @mixed(
// CHECK-SAME:      %[[X:.*]]: memref<?x8xf32>, %[[Y:.*]]: memref<?xf32>, %[[Z:.*]]: memref<4x8xf32>, %[[T:.*]]: tensor<?x?xf32>)
// CHECK:         %[[R:.*]] = memref.dim %[[X]], %c0
// CHECK:         %[[ROK:.*]] = arith.cmpi ne, %[[R]], %{{.*}} : index
// CHECK-NEXT:    scf.if %[[ROK]] {
// CHECK-NEXT:      linalg.fill {{.*}} outs(%[[X]] : memref<?x8xf32>)
// CHECK-NEXT:    }
// CHECK-NEXT:    linalg.fill {{.*}} outs(%[[Y]] : memref<?xf32>)
// CHECK-NEXT:    linalg.fill {{.*}} outs(%[[Z]] : memref<4x8xf32>)
// CHECK-NEXT:    linalg.fill {{.*}} outs(%[[T]] : tensor<?x?xf32>)
// CHECK-NEXT:    return
func.func @mixed(%x: memref<?x8xf32>, %y: memref<?xf32>, %z: memref<4x8xf32>, %t: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%x : memref<?x8xf32>)
  linalg.fill ins(%zero : f32) outs(%y : memref<?xf32>)
  linalg.fill ins(%zero : f32) outs(%z : memref<4x8xf32>)
  %r = linalg.fill ins(%zero : f32) outs(%t : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// A static zero extent: the op can never do anything and goes.

// CHECK-LABEL: func.func @static_zero(
// CHECK-NEXT:    return
func.func @static_zero(%x: memref<?x0xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%x : memref<?x0xf32>)
  return
}

// -----

// A reduction over an empty loop leaves its output as it was, as skipping it
// does: the parallel loops alone do not decide.

// CHECK-LABEL: func.func @row_sums(
// CHECK:         scf.if
// CHECK-NEXT:      linalg.generic
func.func @row_sums(%a: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}
