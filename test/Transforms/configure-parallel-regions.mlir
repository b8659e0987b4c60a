// RUN: tess-opt %s --convert-scf-to-openmp --tess-configure-parallel-regions=min-work=1000 | FileCheck %s

// The region asks the runtime for its thread count and forks only when the
// parallel loop times the inner loop (bounds known before it) reach
// min-work and more than one thread is wanted, else runs the same loops as
// scf.for without entering libomp; the alloca_scope around the body is gone.
// The estimate saturates at min-work (each trip count and each product), so
// that deep nests cannot overflow it.
// CHECK-LABEL: func.func @rows(
// CHECK-SAME:    %[[N:[^:]*]]: index, %[[M:[^:]*]]: index
// CHECK:         %[[T:.*]] = call @tessera_get_num_threads() : () -> i32
// CHECK:         %[[INNER:.*]] = arith.ceildivsi %{{.*}}, %{{.*}} : index
// CHECK:         %[[INNERCAP:.*]] = arith.minui %[[INNER]], %c1000
// CHECK:         %[[PARTIAL:.*]] = arith.muli %{{.*}}, %[[INNERCAP]]
// CHECK:         %[[PARTIALCAP:.*]] = arith.minui %[[PARTIAL]], %c1000
// CHECK:         %[[OUTER:.*]] = arith.ceildivsi %{{.*}}, %{{.*}} : index
// CHECK:         %[[OUTERCAP:.*]] = arith.minui %[[OUTER]], %c1000
// CHECK:         %[[PRODUCT:.*]] = arith.muli %[[PARTIALCAP]], %[[OUTERCAP]]
// CHECK:         %[[WORK:.*]] = arith.minui %[[PRODUCT]], %c1000
// CHECK:         %[[ENOUGH:.*]] = arith.cmpi uge, %[[WORK]], %c1000
// CHECK:         %[[SEVERAL:.*]] = arith.cmpi sgt, %[[T]], %c1_i32
// CHECK:         %[[FORK:.*]] = arith.andi %[[ENOUGH]], %[[SEVERAL]]
// CHECK:         scf.if %[[FORK]] {
// CHECK-NEXT:      omp.parallel num_threads(%[[T]] : i32)
// CHECK-NOT:       memref.alloca_scope
// CHECK:           omp.wsloop
// CHECK:             omp.loop_nest (%[[I:.*]]) : index = (%{{.*}}) to (%[[N]])
// CHECK:               scf.for %[[J:.*]] = %{{.*}} to %[[M]]
// CHECK:                 memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]]]
// CHECK:         } else {
// Below the threshold, the same loops without libomp.
// CHECK-NEXT:      scf.for %[[I2:.*]] = %{{.*}} to %[[N]]
// CHECK-NEXT:        scf.for %[[J2:.*]] = %{{.*}} to %[[M]]
// CHECK-NEXT:          memref.store %{{.*}}, %{{.*}}[%[[I2]], %[[J2]]]
// CHECK:       func.func private @tessera_get_num_threads() -> i32
func.func @rows(%a: memref<?x?xf32>, %n: index, %m: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.for %j = %c0 to %m step %c1 {
      memref.store %f, %a[%i, %j] : memref<?x?xf32>
    }
    scf.reduce
  }
  return
}
