// RUN: tess-opt %s --split-input-file --tess-transposes-to-kernels | FileCheck %s

// A 2-D transposing copy is one call: rows of the source matrix (along the
// destination's innermost dimension) and its columns, each side's base
// address (aligned pointer plus offset, in bytes) and row stride.
// CHECK-LABEL: func.func @matrix(
// CHECK-NOT:     linalg.generic
// CHECK:         %[[ROWS:.+]] = memref.dim %{{.+}}, %c0
// CHECK:         %[[COLS:.+]] = memref.dim %{{.+}}, %c1
// CHECK:         call @tessera_transpose(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) : (i64, i64, i64, !llvm.ptr, i64, !llvm.ptr, i64) -> ()
// CHECK:       func.func private @tessera_transpose(i64, i64, i64, !llvm.ptr, i64, !llvm.ptr, i64)
func.func @matrix(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (j, i)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}

// -----

// A tile of u[b, d, l] staged as [l, b, d] (ssm-tile-scans): the plane is
// (d, l); a loop over b calls the kernel once per b, each base advanced by
// b's stride on its side. f64 elements are 8 bytes.
// CHECK-LABEL: func.func @staging(
// CHECK:         %[[EIGHT:.+]] = arith.constant 8 : index
// CHECK:         scf.for %[[B:.+]] = %c0{{.*}} to %{{.+}} step %c1
// CHECK:           arith.muli %[[B]],
// CHECK:           call @tessera_transpose
// CHECK-NOT:     linalg.generic
func.func @staging(%u: memref<?x32x?xf64, strided<[?, ?, 1], offset: ?>>,
                   %s: memref<?x?x32xf64>) {
  linalg.generic {indexing_maps = [affine_map<(b, d, l) -> (b, d, l)>,
                                   affine_map<(b, d, l) -> (l, b, d)>],
                  iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%u : memref<?x32x?xf64, strided<[?, ?, 1], offset: ?>>)
      outs(%s : memref<?x?x32xf64>) {
  ^bb0(%in: f64, %out: f64):
    linalg.yield %in : f64
  }
  return
}

// -----

// Not transposes, or not worth a call: a copy whose innermost dimensions
// agree, a body that computes, a plane of 4 x 4 elements known at compile
// time, a side whose innermost stride is not 1, and a copy in the steps of
// a scan. All stay loops.
// CHECK-LABEL: func.func @kept(
// CHECK-NOT:     call @tessera_transpose
// CHECK-COUNT-5: linalg.generic
// CHECK-NOT:     call @tessera_transpose
func.func @kept(%x: memref<?x?xf32>, %y: memref<?x?xf32>,
                %a: memref<4x4xf32>, %b: memref<4x4xf32>,
                %z: memref<?x?xf32, strided<[1, ?]>>, %n: index) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (j, i)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.negf %in : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (j, i)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<4x4xf32>) outs(%b : memref<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (j, i)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%z : memref<?x?xf32, strided<[1, ?]>>) outs(%y : memref<?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                     affine_map<(i, j) -> (j, i)>],
                    iterator_types = ["parallel", "parallel"]}
        ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    }
  } {ssm.scan_steps}
  return
}
