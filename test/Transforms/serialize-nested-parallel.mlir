// RUN: tess-opt %s --tess-serialize-nested-parallel | FileCheck %s

// The outer scf.parallel stays; the one inside it (below a reduction loop,
// as linalg emits for loop order (i, k, j)) becomes an scf.for with the same
// bounds and body.
// CHECK-LABEL: func.func @nested(
// CHECK:         scf.parallel (%[[I:.*]]) =
// CHECK:           scf.for %[[K:.*]] =
// CHECK:             scf.for %[[J:.*]] = %{{.*}} to %[[P:.*]] step
// CHECK:               memref.load %{{.*}}[%[[I]], %[[K]]]
// CHECK:               memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]]]
// CHECK-NOT:       scf.parallel
func.func @nested(%a: memref<?x?xf32>, %c: memref<?x?xf32>, %n: index, %m: index, %p: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.for %k = %c0 to %m step %c1 {
      scf.parallel (%j) = (%c0) to (%p) step (%c1) {
        %x = memref.load %a[%i, %k] : memref<?x?xf32>
        memref.store %x, %c[%i, %j] : memref<?x?xf32>
        scf.reduce
      }
    }
    scf.reduce
  }
  return
}

// A two-dimensional inner loop becomes two nested scf.for loops.
// CHECK-LABEL: func.func @two_dims(
// CHECK:         scf.parallel
// CHECK:           scf.for %[[J:.*]] =
// CHECK:             scf.for %[[L:.*]] =
// CHECK:               memref.store %{{.*}}, %{{.*}}[%[[J]], %[[L]]]
func.func @two_dims(%c: memref<?x?xf32>, %n: index, %p: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.parallel (%j, %l) = (%c0, %c0) to (%p, %p) step (%c1, %c1) {
      memref.store %f, %c[%j, %l] : memref<?x?xf32>
      scf.reduce
    }
    scf.reduce
  }
  return
}

// A two-dimensional outermost loop keeps its first dimension parallel and
// runs the last one as an scf.for.
// CHECK-LABEL: func.func @rows(
// CHECK:         scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[N:[^)]*]])
// CHECK-NEXT:      scf.for %[[J:.*]] = %{{.*}} to %[[M:.*]] step
// CHECK-NEXT:        memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]]]
func.func @rows(%c: memref<?x?xf32>, %n: index, %m: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %m) step (%c1, %c1) {
    memref.store %f, %c[%i, %j] : memref<?x?xf32>
    scf.reduce
  }
  return
}

// Inside a sequential loop (rows of a column reduction), a parallel loop
// would fork once per row: it becomes an scf.for too.
// CHECK-LABEL: func.func @columns(
// CHECK-NOT:     scf.parallel
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK-NOT:     scf.parallel
func.func @columns(%a: memref<?x?xf32>, %c: memref<?xf32>, %n: index, %m: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    scf.parallel (%j) = (%c0) to (%m) step (%c1) {
      %x = memref.load %a[%i, %j] : memref<?x?xf32>
      %y = memref.load %c[%j] : memref<?xf32>
      %s = arith.addf %x, %y : f32
      memref.store %s, %c[%j] : memref<?xf32>
      scf.reduce
    }
  }
  return
}
