// RUN: tess-opt %s --tess-block-column-reductions --canonicalize --cse | FileCheck %s

// A sum over rows: on several threads, blocks of 512 columns in an
// scf.forall; on one (tessera_get_num_threads() <= 1), one block of all the
// columns. Each block reduces all rows of its columns.

// CHECK-LABEL: func.func @colsum(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<?x?xf32>)
// CHECK:         %[[M:.+]] = tensor.dim %[[X]], %c1
// CHECK:         %[[INIT:.+]] = linalg.fill
// CHECK:         %[[THREADS:.+]] = call @tessera_get_num_threads() : () -> i32
// CHECK:         %[[SERIAL:.+]] = arith.cmpi sle, %[[THREADS]], %c1_i32
// CHECK:         %[[W:.+]] = arith.select %[[SERIAL]], %[[M]], %c512
// CHECK:         %[[STEP:.+]] = arith.maxsi %[[W]], %c1
// CHECK:         %[[N:.+]] = tensor.dim %[[X]], %c0
// CHECK:         scf.forall (%[[J:.+]]) = (0) to (%[[M]]) step (%[[STEP]]) shared_outs(%[[ACC:.+]] = %[[INIT]])
// CHECK:           %[[LEFT:.+]] = arith.subi %[[M]], %[[J]]
// CHECK:           %[[B:.+]] = arith.minsi %[[LEFT]], %[[STEP]]
// CHECK:           %[[XB:.+]] = tensor.extract_slice %[[X]][0, %[[J]]] [%[[N]], %[[B]]]
// CHECK:           %[[SB:.+]] = tensor.extract_slice %[[ACC]][%[[J]]] [%[[B]]]
// CHECK:           %[[R:.+]] = linalg.reduce { arith.addf } ins(%[[XB]] {{.*}}) outs(%[[SB]] {{.*}}) dimensions = [0]
// CHECK:           tensor.parallel_insert_slice %[[R]] into %[[ACC]][%[[J]]] [%[[B]]]

// A sum along rows has its parallel loop outside already; a vector-matrix
// product (a contraction, even with the reduction outside) is left to the
// threaded GEMM kernels.
// CHECK-LABEL: func.func @rowsum(
// CHECK-NOT:     scf.forall
// CHECK-LABEL: func.func @vecmat(
// CHECK-NOT:     scf.forall
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK-NOT:     scf.forall
// CHECK:       func.func private @tessera_get_num_threads() -> i32

func.func @colsum(%arg0: tensor<?x?xf32>) -> (tensor<?xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %c1 = arith.constant 1 : index
  %dim = tensor.dim %arg0, %c1 : tensor<?x?xf32>
  %0 = tensor.empty(%dim) : tensor<?xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<?xf32>) -> tensor<?xf32>
  %reduced = linalg.reduce { arith.addf } ins(%arg0 : tensor<?x?xf32>) outs(%1 : tensor<?xf32>) dimensions = [0] 
  return %reduced : tensor<?xf32>
}
func.func @rowsum(%arg0: tensor<?x?xf32>) -> (tensor<?xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x?xf32>
  %0 = tensor.empty(%dim) : tensor<?xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<?xf32>) -> tensor<?xf32>
  %reduced = linalg.reduce { arith.addf } ins(%arg0 : tensor<?x?xf32>) outs(%1 : tensor<?xf32>) dimensions = [1] 
  return %reduced : tensor<?xf32>
}
func.func @vecmat(%arg0: tensor<?xf32>, %arg1: tensor<?x?xf32>) -> (tensor<?xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %c1 = arith.constant 1 : index
  %dim = tensor.dim %arg1, %c1 : tensor<?x?xf32>
  %0 = tensor.empty(%dim) : tensor<?xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<?xf32>) -> tensor<?xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%arg0, %arg1 : tensor<?xf32>, tensor<?x?xf32>) outs(%1 : tensor<?xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %3 = arith.mulf %in, %in_0 : f32
    %4 = arith.addf %out, %3 : f32
    linalg.yield %4 : f32
  } -> tensor<?xf32>
  return %2 : tensor<?xf32>
}
