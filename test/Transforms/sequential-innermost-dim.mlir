// RUN: tess-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(tess-sequential-innermost-dim))' | FileCheck %s

// An elementwise loop nest over (i, j): i stays parallel, j becomes an
// scf.for with the same bounds and body.

// CHECK-LABEL: func.func @map2d(
// CHECK-SAME:    %[[N:.*]]: index, %[[M:.*]]: index
// CHECK:         scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[N]]) step (%{{.*}}) {
// CHECK-NEXT:      scf.for %[[J:.*]] = %{{.*}} to %[[M]] step %{{.*}} {
// CHECK-NEXT:        memref.load %{{.*}}[%[[I]], %[[J]]]
// CHECK-NEXT:        math.exp
// CHECK-NEXT:        memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]]]
func.func @map2d(%n: index, %m: index, %x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %m) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<?x?xf32>
    %e = math.exp %v : f32
    memref.store %e, %y[%i, %j] : memref<?x?xf32>
    scf.reduce
  }
  return
}

// -----

// Three dimensions: (b, h) stay parallel. One-dimensional loops are left
// alone.

// CHECK-LABEL: func.func @map3d(
// CHECK:         scf.parallel (%{{.*}}, %{{.*}}) = (%{{.*}}, %{{.*}}) to
// CHECK-NEXT:      scf.for
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to
// CHECK-NEXT:      memref.load
func.func @map3d(%n: index, %x: memref<?x?x?xf32>, %z: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%b, %h, %t) = (%c0, %c0, %c0) to (%n, %n, %n) step (%c1, %c1, %c1) {
    memref.store %zero, %x[%b, %h, %t] : memref<?x?x?xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = memref.load %z[%i] : memref<?xf32>
    memref.store %v, %z[%i] : memref<?xf32>
    scf.reduce
  }
  return
}
