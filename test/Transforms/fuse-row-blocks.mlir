// RUN: tess-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(tess-fuse-row-blocks),canonicalize,cse)' | FileCheck %s

// Attention: the scores, the softmax's max, sum and division, and the final
// contraction run per block of rows of q in an scf.forall (32768 floats of
// scores per block, but at most T / 16 so that there are 16 blocks for the
// threads, and at least 8 rows), on block-sized temporaries; k and v are
// read whole by every block. An empty result (D = 0) skips the loop.

// CHECK-LABEL: func.func @attention(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<?x?xf32>, %[[K:[^:]+]]: tensor<?x?xf32>, %[[V:[^:]+]]: tensor<?x?xf32>)
// CHECK-DAG:     %[[T:.+]] = tensor.dim %[[Q]], %c0
// CHECK-DAG:     %[[E:.+]] = tensor.dim %[[Q]], %c1
// CHECK-DAG:     %[[S:.+]] = tensor.dim %[[K]], %c0
// CHECK:         %[[OUT:.+]] = tensor.empty(%[[T]], %[[E]])
// CHECK:         %[[LEN:.+]] = arith.maxui %[[S]], %c1
// CHECK:         %[[FIT:.+]] = arith.divui %c32768, %[[LEN]]
// CHECK:         %[[SHARE:.+]] = arith.ceildivui %[[T]], %c16
// CHECK:         %[[ATMOST:.+]] = arith.maxui %[[SHARE]], %c1
// CHECK:         %[[CAPPED:.+]] = arith.minui %[[FIT]], %[[ATMOST]]
// CHECK:         %[[ROWS:.+]] = arith.maxui %[[CAPPED]], %c8
// CHECK:         %[[D:.+]] = tensor.dim %[[V]], %c1
// CHECK:         %[[NONEMPTY:.+]] = arith.cmpi ne, %[[D]], %c0
// CHECK:         %[[R:.+]] = scf.if %[[NONEMPTY]]
// CHECK:           %[[LOOP:.+]] = scf.forall (%[[I:.+]]) = (0) to (%[[T]]) step (%[[ROWS]]) shared_outs(%[[ACC:.+]] = %[[OUT]])
// The last block may be partial (the min is arith, not affine.min, so that
// the inliner can still inline the function into its entry).
// CHECK:             %[[LEFT:.+]] = arith.subi %[[T]], %[[I]]
// CHECK:             %[[N:.+]] = arith.minsi %[[LEFT]], %[[ROWS]]
// CHECK:             %[[QB:.+]] = tensor.extract_slice %[[Q]][%[[I]], 0] [%[[N]], {{.*}}]
// CHECK:             %[[KB:.+]] = tensor.extract_slice %[[K]][0, 0] [%[[S]], {{.*}}]
// CHECK:             %[[SB:.+]] = tensor.empty(%[[N]], %[[S]]) : tensor<?x?xf32>
// CHECK:             %[[SZ:.+]] = linalg.fill {{.*}} outs(%[[SB]]
// CHECK:             %[[SCORES:.+]] = linalg.generic {{.*}} ins(%[[QB]], %[[KB]] : {{.*}}) outs(%[[SZ]]
// CHECK:             %[[ROW:.+]] = tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK:             %[[MAX:.+]] = linalg.generic {{.*}} ins(%[[SCORES]] : {{.*}}) outs(
// CHECK:               arith.maximumf
// CHECK:             %[[SUM:.+]] = linalg.generic {{.*}} ins(%[[SCORES]], %[[MAX]] : {{.*}}) outs(
// CHECK:             %[[P:.+]] = linalg.generic {{.*}} ins(%[[SCORES]], %[[MAX]], %[[SUM]] : {{.*}}) outs(%[[SB]]
// CHECK:             %[[VB:.+]] = tensor.extract_slice %[[V]][0, 0] [%[[S]], %[[D]]]
// CHECK:             %[[OB:.+]] = tensor.extract_slice %[[ACC]][%[[I]], 0] [%[[N]], %[[D]]]
// CHECK:             %[[OZ:.+]] = linalg.fill {{.*}} outs(%[[OB]]
// CHECK:             %[[O:.+]] = linalg.generic {{.*}} ins(%[[P]], %[[VB]] : {{.*}}) outs(%[[OZ]]
// CHECK:             scf.forall.in_parallel
// CHECK-NEXT:          tensor.parallel_insert_slice %[[O]] into %[[ACC]][%[[I]], 0] [%[[N]], %[[D]]]
// CHECK:           scf.yield %[[LOOP]]
// CHECK:         } else {
// CHECK-NEXT:      scf.yield %[[OUT]]
// CHECK:         return %[[R]]

func.func @attention(%arg0: tensor<?x?xf32>, %arg1: tensor<?x?xf32>, %arg2: tensor<?x?xf32>) -> (tensor<?x?xf32>) {
  %cst = arith.constant 0xFF800000 : f32
  %cst_0 = arith.constant 0.000000e+00 : f32
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x?xf32>
  %dim_1 = tensor.dim %arg0, %c1 : tensor<?x?xf32>
  %dim_2 = tensor.dim %arg1, %c0 : tensor<?x?xf32>
  %0 = tensor.empty(%dim, %dim_2) : tensor<?x?xf32>
  %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<?x?xf32>) -> tensor<?x?xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<?x?xf32>, tensor<?x?xf32>) outs(%1 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %12 = arith.mulf %in, %in_3 : f32
    %13 = arith.addf %out, %12 : f32
    linalg.yield %13 : f32
  } -> tensor<?x?xf32>
  %3 = tensor.empty(%dim) : tensor<?xf32>
  %4 = linalg.fill ins(%cst : f32) outs(%3 : tensor<?xf32>) -> tensor<?xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%2 : tensor<?x?xf32>) outs(%4 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = arith.maximumf %out, %in : f32
    linalg.yield %12 : f32
  } -> tensor<?xf32>
  %6 = linalg.fill ins(%cst_0 : f32) outs(%3 : tensor<?xf32>) -> tensor<?xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%2, %5 : tensor<?x?xf32>, tensor<?xf32>) outs(%6 : tensor<?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %12 = arith.subf %in, %in_3 : f32
    %13 = math.exp %12 : f32
    %14 = arith.addf %out, %13 : f32
    linalg.yield %14 : f32
  } -> tensor<?xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2, %5, %7 : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) outs(%0 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %in_4: f32, %out: f32):
    %12 = arith.subf %in, %in_3 : f32
    %13 = math.exp %12 : f32
    %14 = arith.divf %13, %in_4 : f32
    linalg.yield %14 : f32
  } -> tensor<?x?xf32>
  %9 = tensor.empty(%dim, %dim_1) : tensor<?x?xf32>
  %10 = linalg.fill ins(%cst_0 : f32) outs(%9 : tensor<?x?xf32>) -> tensor<?x?xf32>
  %11 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%8, %arg2 : tensor<?x?xf32>, tensor<?x?xf32>) outs(%10 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %12 = arith.mulf %in, %in_3 : f32
    %13 = arith.addf %out, %12 : f32
    linalg.yield %13 : f32
  } -> tensor<?x?xf32>
  return %11 : tensor<?x?xf32>
}

// -----

// The keys come from a projection that every block reads whole: it is
// computed once, before the loop, not once per block.

// CHECK-LABEL: func.func @projected(
// CHECK:         %[[KEYS:.+]] = linalg.generic {{.*}} ins(%arg1, %arg2 :
// CHECK:         scf.forall
// CHECK:           tensor.extract_slice %[[KEYS]][0, 0]
// CHECK-COUNT-5:   linalg.generic
// CHECK:           scf.forall.in_parallel

func.func @projected(%arg0: tensor<?x?xf32>, %arg1: tensor<?x?xf32>, %arg2: tensor<?x?xf32>, %arg3: tensor<?x?xf32>) -> (tensor<?x?xf32>) {
  %cst = arith.constant 0xFF800000 : f32
  %cst_0 = arith.constant 0.000000e+00 : f32
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x?xf32>
  %dim_1 = tensor.dim %arg0, %c1 : tensor<?x?xf32>
  %dim_2 = tensor.dim %arg1, %c0 : tensor<?x?xf32>
  %0 = tensor.empty(%dim_2, %dim_1) : tensor<?x?xf32>
  %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<?x?xf32>) -> tensor<?x?xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg1, %arg2 : tensor<?x?xf32>, tensor<?x?xf32>) outs(%1 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %15 = arith.mulf %in, %in_3 : f32
    %16 = arith.addf %out, %15 : f32
    linalg.yield %16 : f32
  } -> tensor<?x?xf32>
  %3 = tensor.empty(%dim, %dim_2) : tensor<?x?xf32>
  %4 = linalg.fill ins(%cst_0 : f32) outs(%3 : tensor<?x?xf32>) -> tensor<?x?xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %2 : tensor<?x?xf32>, tensor<?x?xf32>) outs(%4 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %15 = arith.mulf %in, %in_3 : f32
    %16 = arith.addf %out, %15 : f32
    linalg.yield %16 : f32
  } -> tensor<?x?xf32>
  %6 = tensor.empty(%dim) : tensor<?xf32>
  %7 = linalg.fill ins(%cst : f32) outs(%6 : tensor<?xf32>) -> tensor<?xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%5 : tensor<?x?xf32>) outs(%7 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %15 = arith.maximumf %out, %in : f32
    linalg.yield %15 : f32
  } -> tensor<?xf32>
  %9 = linalg.fill ins(%cst_0 : f32) outs(%6 : tensor<?xf32>) -> tensor<?xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%5, %8 : tensor<?x?xf32>, tensor<?xf32>) outs(%9 : tensor<?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %15 = arith.subf %in, %in_3 : f32
    %16 = math.exp %15 : f32
    %17 = arith.addf %out, %16 : f32
    linalg.yield %17 : f32
  } -> tensor<?xf32>
  %11 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%5, %8, %10 : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) outs(%3 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %in_4: f32, %out: f32):
    %15 = arith.subf %in, %in_3 : f32
    %16 = math.exp %15 : f32
    %17 = arith.divf %16, %in_4 : f32
    linalg.yield %17 : f32
  } -> tensor<?x?xf32>
  %12 = tensor.empty(%dim, %dim_1) : tensor<?x?xf32>
  %13 = linalg.fill ins(%cst_0 : f32) outs(%12 : tensor<?x?xf32>) -> tensor<?x?xf32>
  %14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%11, %arg3 : tensor<?x?xf32>, tensor<?x?xf32>) outs(%13 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %15 = arith.mulf %in, %in_3 : f32
    %16 = arith.addf %out, %15 : f32
    linalg.yield %16 : f32
  } -> tensor<?x?xf32>
  return %14 : tensor<?x?xf32>
}

// -----

// Softmax over the rows that blocks would split (axis 0): the max and sum
// need every row, so nothing is tiled.

// CHECK-LABEL: func.func @across(
// CHECK-NOT:     scf.forall
// CHECK-COUNT-5: linalg.generic
// CHECK-NOT:     scf.forall

func.func @across(%arg0: tensor<?x?xf32>, %arg1: tensor<?x?xf32>, %arg2: tensor<?x?xf32>) -> (tensor<?x?xf32>) {
  %cst = arith.constant 0xFF800000 : f32
  %cst_0 = arith.constant 0.000000e+00 : f32
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x?xf32>
  %dim_1 = tensor.dim %arg0, %c1 : tensor<?x?xf32>
  %dim_2 = tensor.dim %arg1, %c0 : tensor<?x?xf32>
  %0 = tensor.empty(%dim, %dim_2) : tensor<?x?xf32>
  %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<?x?xf32>) -> tensor<?x?xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<?x?xf32>, tensor<?x?xf32>) outs(%1 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %12 = arith.mulf %in, %in_3 : f32
    %13 = arith.addf %out, %12 : f32
    linalg.yield %13 : f32
  } -> tensor<?x?xf32>
  %3 = tensor.empty(%dim_2) : tensor<?xf32>
  %4 = linalg.fill ins(%cst : f32) outs(%3 : tensor<?xf32>) -> tensor<?xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%2 : tensor<?x?xf32>) outs(%4 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = arith.maximumf %out, %in : f32
    linalg.yield %12 : f32
  } -> tensor<?xf32>
  %6 = linalg.fill ins(%cst_0 : f32) outs(%3 : tensor<?xf32>) -> tensor<?xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%2, %5 : tensor<?x?xf32>, tensor<?xf32>) outs(%6 : tensor<?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %12 = arith.subf %in, %in_3 : f32
    %13 = math.exp %12 : f32
    %14 = arith.addf %out, %13 : f32
    linalg.yield %14 : f32
  } -> tensor<?xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2, %5, %7 : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) outs(%0 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %in_4: f32, %out: f32):
    %12 = arith.subf %in, %in_3 : f32
    %13 = math.exp %12 : f32
    %14 = arith.divf %13, %in_4 : f32
    linalg.yield %14 : f32
  } -> tensor<?x?xf32>
  %9 = tensor.empty(%dim, %dim_1) : tensor<?x?xf32>
  %10 = linalg.fill ins(%cst_0 : f32) outs(%9 : tensor<?x?xf32>) -> tensor<?x?xf32>
  %11 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%8, %arg2 : tensor<?x?xf32>, tensor<?x?xf32>) outs(%10 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %12 = arith.mulf %in, %in_3 : f32
    %13 = arith.addf %out, %12 : f32
    linalg.yield %13 : f32
  } -> tensor<?x?xf32>
  return %11 : tensor<?x?xf32>
}

// -----

// No row statistic between the contractions (a GEMM, relu, a GEMM):
// elementwise fusion already keeps that chain to one pass, left alone.

// CHECK-LABEL: func.func @mlp(
// CHECK-NOT:     scf.forall

func.func @mlp(%arg0: tensor<?x?xf32>, %arg1: tensor<?x?xf32>, %arg2: tensor<?x?xf32>) -> (tensor<?x?xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x?xf32>
  %dim_0 = tensor.dim %arg1, %c0 : tensor<?x?xf32>
  %dim_1 = tensor.dim %arg2, %c0 : tensor<?x?xf32>
  %0 = tensor.empty(%dim, %dim_0) : tensor<?x?xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<?x?xf32>) -> tensor<?x?xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<?x?xf32>, tensor<?x?xf32>) outs(%1 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %7 = arith.mulf %in, %in_2 : f32
    %8 = arith.addf %out, %7 : f32
    linalg.yield %8 : f32
  } -> tensor<?x?xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2 : tensor<?x?xf32>) outs(%0 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %7 = arith.maximumf %in, %cst : f32
    linalg.yield %7 : f32
  } -> tensor<?x?xf32>
  %4 = tensor.empty(%dim, %dim_1) : tensor<?x?xf32>
  %5 = linalg.fill ins(%cst : f32) outs(%4 : tensor<?x?xf32>) -> tensor<?x?xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%3, %arg2 : tensor<?x?xf32>, tensor<?x?xf32>) outs(%5 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %7 = arith.mulf %in, %in_2 : f32
    %8 = arith.addf %out, %7 : f32
    linalg.yield %8 : f32
  } -> tensor<?x?xf32>
  return %6 : tensor<?x?xf32>
}

// -----

// The scores are also a result: they are computed whole, once, and only the
// softmax and the final contraction run per block, reading them.

// CHECK-LABEL: func.func @shared(
// CHECK:         %[[SCORES:.+]] = linalg.generic
// CHECK:         scf.forall
// CHECK:           tensor.extract_slice %[[SCORES]]
// CHECK-COUNT-4:   linalg.generic
// CHECK:           scf.forall.in_parallel
// CHECK:         return %{{.+}}, %[[SCORES]]

func.func @shared(%arg0: tensor<?x?xf32>, %arg1: tensor<?x?xf32>, %arg2: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %cst = arith.constant 0xFF800000 : f32
  %cst_0 = arith.constant 0.000000e+00 : f32
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x?xf32>
  %dim_1 = tensor.dim %arg0, %c1 : tensor<?x?xf32>
  %dim_2 = tensor.dim %arg1, %c0 : tensor<?x?xf32>
  %0 = tensor.empty(%dim, %dim_2) : tensor<?x?xf32>
  %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<?x?xf32>) -> tensor<?x?xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<?x?xf32>, tensor<?x?xf32>) outs(%1 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %12 = arith.mulf %in, %in_3 : f32
    %13 = arith.addf %out, %12 : f32
    linalg.yield %13 : f32
  } -> tensor<?x?xf32>
  %3 = tensor.empty(%dim) : tensor<?xf32>
  %4 = linalg.fill ins(%cst : f32) outs(%3 : tensor<?xf32>) -> tensor<?xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%2 : tensor<?x?xf32>) outs(%4 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = arith.maximumf %out, %in : f32
    linalg.yield %12 : f32
  } -> tensor<?xf32>
  %6 = linalg.fill ins(%cst_0 : f32) outs(%3 : tensor<?xf32>) -> tensor<?xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%2, %5 : tensor<?x?xf32>, tensor<?xf32>) outs(%6 : tensor<?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %12 = arith.subf %in, %in_3 : f32
    %13 = math.exp %12 : f32
    %14 = arith.addf %out, %13 : f32
    linalg.yield %14 : f32
  } -> tensor<?xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2, %5, %7 : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) outs(%0 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %in_4: f32, %out: f32):
    %12 = arith.subf %in, %in_3 : f32
    %13 = math.exp %12 : f32
    %14 = arith.divf %13, %in_4 : f32
    linalg.yield %14 : f32
  } -> tensor<?x?xf32>
  %9 = tensor.empty(%dim, %dim_1) : tensor<?x?xf32>
  %10 = linalg.fill ins(%cst_0 : f32) outs(%9 : tensor<?x?xf32>) -> tensor<?x?xf32>
  %11 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%8, %arg2 : tensor<?x?xf32>, tensor<?x?xf32>) outs(%10 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %12 = arith.mulf %in, %in_3 : f32
    %13 = arith.addf %out, %12 : f32
    linalg.yield %13 : f32
  } -> tensor<?x?xf32>
  return %11, %2 : tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// A max and a sum of the same rows into one shared empty tensor (after CSE)
// differ only in their bodies and fill values. The max is read twice (by
// x - max and by the division); tiling fuses it once, and the other read
// takes the fused max, never the fused sum.

// CHECK-LABEL: func.func @shared_init(
// CHECK:         scf.forall
// CHECK:           %[[MAX:.+]] = linalg.generic
// CHECK-NEXT:      ^bb0
// CHECK-NEXT:        arith.maximumf
// CHECK:           %[[Q:.+]] = linalg.generic {{.*}} ins(%{{.+}}, %[[MAX]] :
// CHECK-NEXT:      ^bb0
// CHECK-NEXT:        arith.subf
// CHECK:           %[[SUM:.+]] = linalg.generic
// CHECK-NEXT:      ^bb0
// CHECK-NEXT:        arith.addf
// CHECK:           linalg.generic {{.*}} ins(%[[Q]], %[[MAX]], %[[SUM]] :
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @shared_init(%x: tensor<?x?xf32>, %v: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %n = tensor.dim %x, %c0 : tensor<?x?xf32>
  %s = tensor.dim %x, %c1 : tensor<?x?xf32>
  %d = tensor.dim %v, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %fz = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %fi = linalg.fill ins(%ninf : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<?x?xf32>) outs(%fz : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %out, %in : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %max = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<?x?xf32>) outs(%fi : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %out, %in : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %e2 = tensor.empty(%n, %s) : tensor<?x?xf32>
  %q = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %max : tensor<?x?xf32>, tensor<?xf32>) outs(%e2 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %r = arith.subf %in, %m : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  %p = linalg.generic {indexing_maps = [#id, #row, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%q, %max, %sum : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) outs(%e2 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %m: f32, %t: f32, %out: f32):
    %r0 = arith.addf %in, %m : f32
    %r = arith.divf %r0, %t : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  %e3 = tensor.empty(%n, %d) : tensor<?x?xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<?x?xf32>) -> tensor<?x?xf32>
  %o = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%p, %v : tensor<?x?xf32>, tensor<?x?xf32>) outs(%f3 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %w: f32, %out: f32):
    %m = arith.mulf %in, %w : f32
    %r = arith.addf %out, %m : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  return %o : tensor<?x?xf32>
}
