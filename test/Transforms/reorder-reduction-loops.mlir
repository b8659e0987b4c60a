// RUN: tess-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(tess-reorder-reduction-loops))' | FileCheck %s

// C[i, j] += A[i, k] * B[k, j]: j (unit stride in B and C) moves inside the
// reduction k, giving loops (i, k, j).

// CHECK-DAG: #[[$A:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$C:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @matmul(
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$A]], #[[$B]], #[[$C]]]
// CHECK-SAME:      iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-NOT:     linalg.matmul
func.func @matmul(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %c: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%c : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// A row sum already walks x with unit stride in its reduction: unchanged.

// CHECK-LABEL: func.func @row_sum(
// CHECK:         iterator_types = ["parallel", "reduction"]
func.func @row_sum(%x: tensor<?x?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x?xf32>) outs(%y : tensor<?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %v, %acc : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A column sum written with the reduction innermost: the output index j
// (unit stride in x and y) moves inside, and linalg.index follows its loop.

// CHECK-DAG: #[[$X:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$Y:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @col_sum(
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$X]], #[[$Y]]]
// CHECK-SAME:      iterator_types = ["reduction", "parallel"]
// CHECK:         %[[I0:.*]] = linalg.index 0 : index
// CHECK:         %[[I1:.*]] = linalg.index 1 : index
// CHECK:         affine.apply #[[$Y]](%[[I0]], %[[I1]])
func.func @col_sum(%x: tensor<?x?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(j, i) -> (i, j)>, affine_map<(j, i) -> (j)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x?xf32>) outs(%y : tensor<?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %j = linalg.index 0 : index
    %jf = arith.index_cast %j : index to i64
    %f = arith.sitofp %jf : i64 to f32
    %w = arith.mulf %v, %f : f32
    %s = arith.addf %w, %acc : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Purely parallel ops are left alone.

// CHECK-LABEL: func.func @transpose(
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
func.func @transpose(%x: tensor<?x?xf32>, %y: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x?xf32>) outs(%y : tensor<?x?xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
