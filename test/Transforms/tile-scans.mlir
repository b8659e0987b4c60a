// RUN: tess-opt %s --ssm-tile-scans --mlir-print-local-scope | FileCheck %s
// (Input: tessc --emit=mlir of four recurrences.)

// Mamba's scan with its readout at static sizes: the readout sums over n,
// so n stays whole; d splits in tiles of 16 (512 elements of state per tile
// over the 16 n, at least 4 tiles per dimension) and b in tiles of 1: one
// forall over the 8 tiles. A[d, n], the same at every step and read along
// d, is transposed once to [n, d]; each tile stages its slices of dt and u
// with l outermost and d innermost ([l, b, d]), and computes its readout in
// that layout before transposing it back into its part of y. The tile's
// scan vectorizes along d (vector_dim 1).
// CHECK-LABEL: func.func @mamba(
// CHECK:         %[[AT:.+]] = tess.contract sum ins(%{{.+}} : tensor<64x16xf32>) {{.+}} -> tensor<16x64xf32>
// CHECK:         %[[Y:.+]] = scf.forall (%[[T:.+]]) in (8) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<2x64x40xf32>)
// CHECK:           %[[DT:.+]] = tensor.extract_slice %arg1[%[[B:.+]], %[[D:.+]], 0] [1, 16, 40] [1, 1, 1]
// CHECK:           %[[AS:.+]] = tensor.extract_slice %[[AT]][0, %[[D]]] [16, 16] [1, 1]
// CHECK:           %[[U:.+]] = tensor.extract_slice %arg0[%[[B]], %[[D]], 0] [1, 16, 40] [1, 1, 1]
// CHECK:           %[[DTS:.+]] = tess.contract sum ins(%[[DT]] : tensor<1x16x40xf32>) {{.+}} -> tensor<40x1x16xf32>
// CHECK:           %[[US:.+]] = tess.contract sum ins(%[[U]] : tensor<1x16x40xf32>) {{.+}} -> tensor<40x1x16xf32>
// CHECK:           %[[H:.+]] = ssm.scan ins(%[[DTS]], %[[AS]], %{{.+}}, %[[US]] : {{.+}}) bounds(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) maps [{{.+}}] scan_dim 2 kind <diagonal> {vector_dim = 1 : i64} -> tensor<1x16x40x16xf32>
// CHECK:           %[[YS:.+]] = tess.contract sum ins(%[[H]], %{{.+}} : tensor<1x16x40x16xf32>, tensor<1x16x40xf32>) {{.+}} -> tensor<40x1x16xf32>
// CHECK:           %[[YT:.+]] = tess.contract sum ins(%[[YS]] : tensor<40x1x16xf32>) {{.+}} -> tensor<1x16x40xf32>
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %[[YT]] into %[[OUT]][%[[B]], %[[D]], 0] [1, 16, 40] [1, 1, 1]
// CHECK:         return %[[Y]]

// With symbolic sizes the tile sizes are computed at run time, but d, along
// which the steps vectorize, splits in tiles of the static 32: a full tile
// runs a scan with the static extent, the last, smaller one the general
// scan.
// CHECK-LABEL: func.func @symbolic(
// CHECK:         scf.forall
// CHECK:           %[[FULL:.+]] = arith.cmpi eq, %{{.+}}, %c32
// CHECK:           scf.if %[[FULL]] -> (tensor<?x?x?xf32>)
// CHECK:             ssm.scan {{.+}} {vector_dim = 1 : i64} -> tensor<?x32x?x?xf32>
// CHECK:             tensor.cast %{{.+}} : tensor<?x32x?xf32> to tensor<?x?x?xf32>
// CHECK:           } else {
// CHECK:             ssm.scan {{.+}} {vector_dim = 1 : i64} -> tensor<?x?x?x?xf32>
// CHECK:           tensor.parallel_insert_slice

// Without a readout the forall stores each tile's states. The initial
// value is sliced with the tile; `x[t, d + 1]` reads across tiles, so x is
// read whole with the tile's offset as a new symbol.
// CHECK-LABEL: func.func @stored(
// CHECK:         scf.forall (%{{.+}}) in (4)
// CHECK:           %[[OFF:.+]] = arith.muli %{{.+}}, %c250
// CHECK:           %[[H0:.+]] = tensor.extract_slice %arg1[%[[OFF]]] [250] [1]
// CHECK:           %[[H:.+]] = ssm.scan ins(%arg0, %{{.+}} : tensor<100x1000xf32>, tensor<250xf32>) init(%{{.+}} : tensor<250xf32>) bounds(%{{.+}}, %{{.+}}) symbols(%[[OFF]]) maps [affine_map<(d0, d1)[s0] -> (d0, d1 + s0 + 1)>, {{.+}}] scan_dim 0 kind <diagonal> {vector_dim = 1 : i64} -> tensor<100x250xf32>
// CHECK:           tensor.parallel_insert_slice %[[H]] into %{{.+}}[0, %[[OFF]]] [100, 250] [1, 1]

// A scan whose channels make one tile stays as it is.
// CHECK-LABEL: func.func @small(
// CHECK-NOT:     scf.forall
// CHECK:         ssm.scan
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
#map2 = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
#map3 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map4 = affine_map<(d0, d1) -> (d0, d1 + 1)>
#map5 = affine_map<(d0, d1) -> (d1)>
#map6 = affine_map<(d0, d1) -> (d0, d1)>
module {
  func.func @mamba(%arg0: tensor<2x64x40xf32> {tess.dims = [2, 64, 40], tess.name = "u"}, %arg1: tensor<2x64x40xf32> {tess.dims = [2, 64, 40], tess.name = "dt"}, %arg2: tensor<64x16xf32> {tess.dims = [64, 16], tess.name = "A"}, %arg3: tensor<2x16x40xf32> {tess.dims = [2, 16, 40], tess.name = "Bm"}, %arg4: tensor<2x16x40xf32> {tess.dims = [2, 16, 40], tess.name = "Cm"}) -> (tensor<2x64x40xf32> {tess.dims = [2, 64, 40], tess.name = "y"}) attributes {tess.entry} {
    %c2 = arith.constant 2 : index
    %c64 = arith.constant 64 : index
    %c40 = arith.constant 40 : index
    %c16 = arith.constant 16 : index
    %0 = ssm.scan ins(%arg1, %arg2, %arg3, %arg0 : tensor<2x64x40xf32>, tensor<64x16xf32>, tensor<2x16x40xf32>, tensor<2x64x40xf32>) bounds(%c2, %c64, %c40, %c16) maps [#map, #map1, #map2, #map] scan_dim 2 kind <diagonal> -> tensor<2x64x40x16xf32> {
    ^bb0(%arg5: f32, %arg6: f32, %arg7: f32, %arg8: f32, %arg9: f32):
      %2 = arith.mulf %arg5, %arg6 : f32
      %3 = math.exp %2 : f32
      %4 = arith.mulf %3, %arg9 : f32
      %5 = arith.mulf %arg5, %arg7 : f32
      %6 = arith.mulf %5, %arg8 : f32
      %7 = arith.addf %4, %6 : f32
      ssm.yield %7 : f32
    }
    %1 = tess.contract sum ins(%0, %arg4 : tensor<2x64x40x16xf32>, tensor<2x16x40xf32>) bounds(%c2, %c64, %c40, %c16) maps [#map3, #map2, #map] -> tensor<2x64x40xf32> {
    ^bb0(%arg5: f32, %arg6: f32):
      %2 = arith.mulf %arg5, %arg6 : f32
      tess.yield %2 : f32
    }
    return %1 : tensor<2x64x40xf32>
  }
  func.func @symbolic(%arg0: tensor<?x?x?xf32> {tess.dims = ["B", "D", "L"], tess.name = "u"}, %arg1: tensor<?x?xf32> {tess.dims = ["D", "N"], tess.name = "A"}, %arg2: tensor<?x?x?xf32> {tess.dims = ["B", "N", "L"], tess.name = "Cm"}) -> (tensor<?x?x?xf32> {tess.dims = ["B", "D", "L"], tess.name = "y"}) attributes {tess.entry} {
    %c2 = arith.constant 2 : index
    %c1 = arith.constant 1 : index
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg0, %c0 : tensor<?x?x?xf32>
    %dim_0 = tensor.dim %arg0, %c1 : tensor<?x?x?xf32>
    %dim_1 = tensor.dim %arg0, %c2 : tensor<?x?x?xf32>
    %dim_2 = tensor.dim %arg1, %c1 : tensor<?x?xf32>
    %0 = ssm.scan ins(%arg1, %arg0 : tensor<?x?xf32>, tensor<?x?x?xf32>) bounds(%dim, %dim_0, %dim_1, %dim_2) maps [#map1, #map] scan_dim 2 kind <diagonal> -> tensor<?x?x?x?xf32> {
    ^bb0(%arg3: f32, %arg4: f32, %arg5: f32):
      %2 = arith.mulf %arg3, %arg5 : f32
      %3 = arith.addf %2, %arg4 : f32
      ssm.yield %3 : f32
    }
    %1 = tess.contract sum ins(%0, %arg2 : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) bounds(%dim, %dim_0, %dim_1, %dim_2) maps [#map3, #map2, #map] -> tensor<?x?x?xf32> {
    ^bb0(%arg3: f32, %arg4: f32):
      %2 = arith.mulf %arg3, %arg4 : f32
      tess.yield %2 : f32
    }
    return %1 : tensor<?x?x?xf32>
  }
  func.func @stored(%arg0: tensor<100x1000xf32> {tess.dims = [100, 1000], tess.name = "x"}, %arg1: tensor<1000xf32> {tess.dims = [1000], tess.name = "h0"}) -> (tensor<100x1000xf32> {tess.dims = [100, 1000], tess.name = "h"}) attributes {tess.entry} {
    %cst = arith.constant 5.000000e-01 : f32
    %c100 = arith.constant 100 : index
    %c1000 = arith.constant 1000 : index
    %0 = ssm.scan ins(%arg0, %arg1 : tensor<100x1000xf32>, tensor<1000xf32>) init(%arg1 : tensor<1000xf32>) bounds(%c100, %c1000) maps [#map4, #map5] scan_dim 0 kind <diagonal> -> tensor<100x1000xf32> {
    ^bb0(%arg2: f32, %arg3: f32, %arg4: f32):
      %1 = arith.mulf %arg4, %cst : f32
      %2 = arith.addf %1, %arg2 : f32
      %3 = arith.addf %2, %arg3 : f32
      ssm.yield %3 : f32
    }
    return %0 : tensor<100x1000xf32>
  }
  func.func @small(%arg0: tensor<10x8xf32> {tess.dims = [10, 8], tess.name = "x"}) -> (tensor<10x8xf32> {tess.dims = [10, 8], tess.name = "h"}) attributes {tess.entry} {
    %c10 = arith.constant 10 : index
    %c8 = arith.constant 8 : index
    %0 = ssm.scan ins(%arg0 : tensor<10x8xf32>) bounds(%c10, %c8) maps [#map6] scan_dim 0 kind <diagonal> -> tensor<10x8xf32> {
    ^bb0(%arg1: f32, %arg2: f32):
      %1 = arith.addf %arg2, %arg1 : f32
      ssm.yield %1 : f32
    }
    return %0 : tensor<10x8xf32>
  }
}

