// RUN: tess-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(tess-fuse-row-reductions),canonicalize,cse)' | FileCheck %s

// Log-sum-exp: the max, the sum of exponentials and the final map run in one
// loop over the rows; the row max is computed once per row and reused by the
// map.

// CHECK-LABEL: func.func @logsumexp(
// CHECK:         scf.for %[[I:.*]] = {{.*}} iter_args(%[[ACC:.*]] = {{.*}})
// CHECK:           %[[ROW:.*]] = tensor.extract_slice %{{.*}}[%[[I]], 0] [1, %{{.*}}] [1, 1] : tensor<?x?xf32> to tensor<1x?xf32>
// CHECK:           %[[MAX:.*]] = linalg.reduce { arith.maximumf } ins(%[[ROW]] : tensor<1x?xf32>)
// CHECK:           %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[ROW]], %[[MAX]] : tensor<1x?xf32>, tensor<1xf32>)
// CHECK:             math.exp
// CHECK:           linalg.generic {{.*}} ins(%[[SUM]], %[[MAX]] : tensor<1xf32>, tensor<1xf32>)
// CHECK:             math.log
// CHECK:           tensor.insert_slice
// CHECK-NOT:     linalg.reduce
// CHECK:         return
func.func @logsumexp(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x?xf32>
  %e0 = tensor.empty(%n) : tensor<?xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e0 : tensor<?xf32>) -> tensor<?xf32>
  %mx = linalg.reduce ins(%x : tensor<?x?xf32>) outs(%m0 : tensor<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %r = arith.maximumf %acc, %in : f32
      linalg.yield %r : f32
    }
  %e1 = tensor.empty(%n) : tensor<?xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?xf32>) -> tensor<?xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x, %mx : tensor<?x?xf32>, tensor<?xf32>) outs(%s0 : tensor<?xf32>) {
  ^bb0(%v: f32, %m: f32, %acc: f32):
    %d = arith.subf %v, %m : f32
    %e = math.exp %d : f32
    %a = arith.addf %acc, %e : f32
    linalg.yield %a : f32
  } -> tensor<?xf32>
  %e2 = tensor.empty(%n) : tensor<?xf32>
  %lse = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                         iterator_types = ["parallel"]}
      ins(%s, %mx : tensor<?xf32>, tensor<?xf32>) outs(%e2 : tensor<?xf32>) {
  ^bb0(%sv: f32, %m: f32, %o: f32):
    %l = math.log %sv : f32
    %r = arith.addf %l, %m : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %lse : tensor<?xf32>
}

// -----

// The producer of x (here a matmul) is not fused into the row loop: it keeps
// its own loop nest; only the two reductions move inside.

// CHECK-LABEL: func.func @producer_not_fused(
// CHECK:         %[[MM:.*]] = linalg.matmul
// CHECK:         scf.for
// CHECK:           tensor.extract_slice %[[MM]]
// CHECK-NOT:       linalg.matmul
// CHECK:         return
func.func @producer_not_fused(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %c: tensor<?x?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %x = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%c : tensor<?x?xf32>) -> tensor<?x?xf32>
  %n = tensor.dim %x, %c0 : tensor<?x?xf32>
  %e0 = tensor.empty(%n) : tensor<?xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e0 : tensor<?xf32>) -> tensor<?xf32>
  %mx = linalg.reduce ins(%x : tensor<?x?xf32>) outs(%m0 : tensor<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %r = arith.maximumf %acc, %in : f32
      linalg.yield %r : f32
    }
  %e1 = tensor.empty(%n) : tensor<?xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?xf32>) -> tensor<?xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x, %mx : tensor<?x?xf32>, tensor<?xf32>) outs(%s0 : tensor<?xf32>) {
  ^bb0(%v: f32, %m: f32, %acc: f32):
    %d = arith.subf %v, %m : f32
    %a2 = arith.addf %acc, %d : f32
    linalg.yield %a2 : f32
  } -> tensor<?xf32>
  return %s : tensor<?xf32>
}

// -----

// A single reduction, with nothing reducing its result again: unchanged.

// CHECK-LABEL: func.func @single(
// CHECK-NOT:     scf.for
// CHECK:         linalg.reduce
func.func @single(%x: tensor<?x?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.reduce ins(%x : tensor<?x?xf32>) outs(%y : tensor<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %acc, %in : f32
      linalg.yield %s : f32
    }
  return %r : tensor<?xf32>
}
