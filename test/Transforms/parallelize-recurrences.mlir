// RUN: tess-opt %s --ssm-parallelize-recurrences | FileCheck %s

// Slice recurrences as the front end emits them (see
// classify-recurrences.mlir). Their channels become an scf.forall over
// blocks of consecutive indices (twice the runtime's thread count); each
// block runs the recurrence, its contractions over the block (bounds) at
// the block's offset (a symbol), reading the operands that are not derived
// from the previous slice through slices: at the block along the channel
// and at the step's position along a one-iteration loop of the position.

#map = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
#map1 = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
#map2 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map3 = affine_map<(d0, d1, d2)[s0] -> (d0, d1, d2)>
#map4 = affine_map<(d0, d1, d2)[s0] -> (d0, d1 + s0, d2)>
#map5 = affine_map<(d0, d1, d2, d3)[s0] -> (d0 + s0, d1, d2, d3)>
#map6 = affine_map<(d0, d1, d2, d3)[s0] -> (d1, d3)>
#map7 = affine_map<(d0, d1, d2, d3)[s0] -> (d0, d1, d2)>
#map8 = affine_map<(d0, d1, d2)[s0] -> (d0 + s0, d1, d2)>
#map9 = affine_map<(d0, d1, d2) -> (d1, d2)>
#map10 = affine_map<(d0, d1, d2) -> (d2)>
#map11 = affine_map<(d0, d1, d2) -> (d0, d1)>
#map12 = affine_map<(d0, d1)[s0] -> (d0, d1)>
#map13 = affine_map<(d0, d1)[s0] -> (d0 + s0, d1)>
#map14 = affine_map<(d0, d1)[s0] -> (d1)>
#map15 = affine_map<(d0, d1)[s0] -> (d0)>

// h[b, t, i] = A[i, j] * h[b, t - 1, j] + x[b, t, i]: the channel b.
// CHECK-LABEL: func.func @dense(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<?x?xf32>, %[[X:[^:]+]]: tensor<?x?x?xf32>
// CHECK:         %[[INIT:.+]] = tess.splat
// CHECK:         %[[B:.+]] = tensor.dim %[[INIT]], %{{.+}} : tensor<?x?xf32>
// CHECK:         call @tessera_get_num_threads()
// CHECK:         %[[BLOCKS:.+]] = arith.index_cast
// CHECK:         %[[SIZE0:.+]] = arith.ceildivui %[[B]], %[[BLOCKS]]
// CHECK:         %[[SIZE:.+]] = arith.maxui %[[SIZE0]]
// CHECK:         %[[COUNT:.+]] = arith.ceildivui %[[B]], %[[SIZE]]
// CHECK:         scf.forall (%[[I:.+]]) in (%[[COUNT]]) shared_outs(%[[OUT:.+]] = %{{.+}})
// CHECK:           %[[FIRST:.+]] = arith.muli %[[I]], %[[SIZE]]
// CHECK:           %[[N:.+]] = arith.minui %[[SIZE]],
// CHECK:           %[[H0:.+]] = tensor.extract_slice %[[INIT]][%[[FIRST]], 0] [%[[N]], %{{.+}}]
// CHECK:           %[[H:.+]] = ssm.recurrence init(%[[H0]] : tensor<?x?xf32>)
// CHECK:           ^bb0(%[[POS:.+]]: index, %[[PREV:.+]]: tensor<?x?xf32>):
// CHECK:             %[[AH:.+]] = tess.contract sum ins(%[[A]], %[[PREV]] : {{.+}}) bounds(%[[N]], %{{.+}}) symbols(%[[FIRST]])
// CHECK:             %[[XS:.+]] = tensor.extract_slice %[[X]][%[[FIRST]], %[[POS]], 0] [%[[N]], 1, %{{.+}}]
// CHECK:             tess.contract sum ins(%[[AH]], %[[XS]] : tensor<?x1x?xf32>, tensor<?x1x?xf32>) bounds(%[[N]], %{{.+}}) symbols(%[[POS]], %[[FIRST]])
// CHECK:             ssm.yield
// CHECK:           tensor.parallel_insert_slice %[[H]] into %[[OUT]][%[[FIRST]], 0, 0] [%[[N]],
func.func @dense(%arg0: tensor<?x?xf32>, %arg1: tensor<?x?x?xf32>) -> (tensor<?x?x?xf32>) {
  %c2 = arith.constant 2 : index
  %cst = arith.constant 0.000000e+00 : f32
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x?xf32>
  %dim_0 = tensor.dim %arg1, %c0 : tensor<?x?x?xf32>
  %dim_1 = tensor.dim %arg1, %c1 : tensor<?x?x?xf32>
  %0 = tess.splat %cst [%dim_0, %dim] : f32 -> tensor<?x?xf32>
  %1 = ssm.recurrence init(%0 : tensor<?x?xf32>) length(%dim_1) scan_dim 1 -> tensor<?x?x?xf32> {
  ^bb0(%arg2: index, %arg3: tensor<?x?xf32>):
    %2 = tess.contract sum ins(%arg0, %arg3 : tensor<?x?xf32>, tensor<?x?xf32>) bounds(%dim_0, %c1, %dim, %dim) maps [#map, #map1, #map2] -> tensor<?x1x?xf32> {
    ^bb0(%arg4: f32, %arg5: f32):
      %4 = arith.mulf %arg4, %arg5 : f32
      tess.yield %4 : f32
    }
    %3 = tess.contract sum ins(%2, %arg1 : tensor<?x1x?xf32>, tensor<?x?x?xf32>) bounds(%dim_0, %c1, %dim) symbols(%arg2) maps [#map3, #map4, #map3] -> tensor<?x1x?xf32> {
    ^bb0(%arg4: f32, %arg5: f32):
      %4 = arith.addf %arg4, %arg5 : f32
      tess.yield %4 : f32
    }
    %dim_2 = tensor.dim %3, %c0 : tensor<?x1x?xf32>
    %dim_3 = tensor.dim %3, %c2 : tensor<?x1x?xf32>
    %extracted_slice = tensor.extract_slice %3[0, 0, 0] [%dim_2, 1, %dim_3] [1, 1, 1] : tensor<?x1x?xf32> to tensor<?x?xf32>
    ssm.yield %extracted_slice : tensor<?x?xf32>
  }
  return %1 : tensor<?x?x?xf32>
}

// h[t, k, i] = M[t, k, i, j] * h[t - 1, k, j] + x[t, k, i]: the channel k,
// whose transitions the step reads at the block and the position.
// CHECK-LABEL: func.func @blocks(
// CHECK-SAME:      %[[M:[^:]+]]: tensor<?x?x?x?xf32>, %[[X:[^:]+]]: tensor<?x?x?xf32>
// CHECK:         scf.forall (%[[I:.+]]) in (%{{.+}})
// CHECK:           %[[FIRST:.+]] = arith.muli %[[I]]
// CHECK:           %[[N:.+]] = arith.minui
// CHECK:           ssm.recurrence init(%{{.+}} : tensor<?x?xf32>) length(%{{.+}}) scan_dim 0 -> tensor<?x?x?xf32>
// CHECK:           ^bb0(%[[POS:.+]]: index, %[[PREV:.+]]: tensor<?x?xf32>):
// CHECK:             %[[MS:.+]] = tensor.extract_slice %[[M]][%[[POS]], %[[FIRST]], 0, 0] [1, %[[N]], %{{.+}}, %{{.+}}]
// CHECK:             tess.contract sum ins(%[[MS]], %[[PREV]] : tensor<1x?x?x?xf32>, tensor<?x?xf32>) bounds(%{{.+}}, %[[N]], %{{.+}}, %{{.+}}) symbols(%[[POS]], %[[FIRST]])
func.func @blocks(%arg0: tensor<?x?x?x?xf32>, %arg1: tensor<?x?x?xf32>) -> (tensor<?x?x?xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x?x?x?xf32>
  %dim_0 = tensor.dim %arg0, %c1 : tensor<?x?x?x?xf32>
  %dim_1 = tensor.dim %arg0, %c2 : tensor<?x?x?x?xf32>
  %0 = tess.splat %cst [%dim_0, %dim_1] : f32 -> tensor<?x?xf32>
  %1 = ssm.recurrence init(%0 : tensor<?x?xf32>) length(%dim) scan_dim 0 -> tensor<?x?x?xf32> {
  ^bb0(%arg2: index, %arg3: tensor<?x?xf32>):
    %2 = tess.contract sum ins(%arg0, %arg3 : tensor<?x?x?x?xf32>, tensor<?x?xf32>) bounds(%c1, %dim_0, %dim_1, %dim_1) symbols(%arg2) maps [#map5, #map6, #map7] -> tensor<1x?x?xf32> {
    ^bb0(%arg4: f32, %arg5: f32):
      %4 = arith.mulf %arg4, %arg5 : f32
      tess.yield %4 : f32
    }
    %3 = tess.contract sum ins(%2, %arg1 : tensor<1x?x?xf32>, tensor<?x?x?xf32>) bounds(%c1, %dim_0, %dim_1) symbols(%arg2) maps [#map3, #map8, #map3] -> tensor<1x?x?xf32> {
    ^bb0(%arg4: f32, %arg5: f32):
      %4 = arith.addf %arg4, %arg5 : f32
      tess.yield %4 : f32
    }
    %dim_2 = tensor.dim %3, %c1 : tensor<1x?x?xf32>
    %dim_3 = tensor.dim %3, %c2 : tensor<1x?x?xf32>
    %extracted_slice = tensor.extract_slice %3[0, 0, 0] [1, %dim_2, %dim_3] [1, 1, 1] : tensor<1x?x?xf32> to tensor<?x?xf32>
    ssm.yield %extracted_slice : tensor<?x?xf32>
  }
  return %1 : tensor<?x?x?xf32>
}

// One coupled dimension and no channel: left alone.
// CHECK-LABEL: func.func @nonlinear(
// CHECK-NOT:     scf.forall
// CHECK:         ssm.recurrence
func.func @nonlinear(%arg0: tensor<?x?xf32>, %arg1: tensor<?x?xf32>) -> (tensor<?x?xf32>) {
  %c1 = arith.constant 1 : index
  %cst = arith.constant 0.000000e+00 : f32
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x?xf32>
  %dim_0 = tensor.dim %arg1, %c0 : tensor<?x?xf32>
  %0 = tess.splat %cst [%dim] : f32 -> tensor<?xf32>
  %1 = ssm.recurrence init(%0 : tensor<?xf32>) length(%dim_0) scan_dim 0 -> tensor<?x?xf32> {
  ^bb0(%arg2: index, %arg3: tensor<?xf32>):
    %2 = tess.contract sum ins(%arg0, %arg3 : tensor<?x?xf32>, tensor<?xf32>) bounds(%c1, %dim, %dim) maps [#map9, #map10, #map11] -> tensor<1x?xf32> {
    ^bb0(%arg4: f32, %arg5: f32):
      %4 = arith.mulf %arg4, %arg5 : f32
      tess.yield %4 : f32
    }
    %3 = tess.contract sum ins(%2, %arg1 : tensor<1x?xf32>, tensor<?x?xf32>) bounds(%c1, %dim) symbols(%arg2) maps [#map12, #map13, #map12] -> tensor<1x?xf32> {
    ^bb0(%arg4: f32, %arg5: f32):
      %4 = arith.addf %arg4, %arg5 : f32
      %5 = math.tanh %4 : f32
      tess.yield %5 : f32
    }
    %dim_1 = tensor.dim %3, %c1 : tensor<1x?xf32>
    %extracted_slice = tensor.extract_slice %3[0, 0] [1, %dim_1] [1, 1] : tensor<1x?xf32> to tensor<?xf32>
    ssm.yield %extracted_slice : tensor<?xf32>
  }
  return %1 : tensor<?x?xf32>
}
