// RUN: tess-opt %s --tess-contractions-to-kernels --split-input-file | FileCheck %s

// A plain matrix product: one kernel call, batch 1, every stride from the
// buffers' metadata, the element offset scaled to bytes.
// CHECK-LABEL: func.func @matmul(
// CHECK-SAME:    %[[A:.*]]: memref<?x?xf32>, %[[B:.*]]: memref<?x?xf32>, %[[C:.*]]: memref<?x?xf32>)
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[M:.*]] = memref.dim %[[C]], %{{.*}}
// CHECK-DAG:     %[[AP:.*]] = memref.extract_aligned_pointer_as_index %[[A]]
// CHECK:         %[[PA:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
// CHECK:         %[[PB:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
// CHECK:         %[[PC:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
// CHECK:         call @tessera_gemm_f32({{.*}}, %[[PA]], {{.*}}, %[[PB]], {{.*}}, %[[PC]], {{.*}}) : (i64, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64) -> ()
// CHECK-NOT:     linalg.generic
// CHECK:       func.func private @tessera_gemm_f32(i64, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64)
#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
func.func @matmul(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [#mk, #kn, #mn],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Two batch dimensions: the larger static one goes to the kernel, a loop
// covers the other; the operands in swapped order still match (f64).
// CHECK-LABEL: func.func @heads(
// CHECK:         scf.for
// CHECK-NOT:     scf.for
// CHECK:         call @tessera_gemm_f64(
// CHECK-NOT:     linalg.generic
#q = affine_map<(b, h, t, u, d) -> (b, h, t, d)>
#k = affine_map<(b, h, t, u, d) -> (b, h, u, d)>
#s = affine_map<(b, h, t, u, d) -> (b, h, t, u)>
func.func @heads(%q: memref<2x8x?x?xf64>, %k: memref<2x8x?x?xf64>, %s: memref<2x8x?x?xf64>) {
  linalg.generic {indexing_maps = [#q, #k, #s],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : memref<2x8x?x?xf64>, memref<2x8x?x?xf64>) outs(%s : memref<2x8x?x?xf64>) {
  ^bb0(%x: f64, %y: f64, %acc: f64):
    %p = arith.mulf %y, %x : f64
    %r = arith.addf %p, %acc : f64
    linalg.yield %r : f64
  }
  return
}

// -----

// Not GEMMs: an integer product, a body that is not a multiply-add, and an
// outer product (nothing summed) stay linalg.generic.
// CHECK-LABEL: func.func @not_gemms(
// CHECK-NOT:     call @tessera_gemm
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT:     call @tessera_gemm
#mk2 = affine_map<(m, n, k) -> (m, k)>
#kn2 = affine_map<(m, n, k) -> (k, n)>
#mn2 = affine_map<(m, n, k) -> (m, n)>
#m = affine_map<(m, n) -> (m)>
#n = affine_map<(m, n) -> (n)>
#o = affine_map<(m, n) -> (m, n)>
func.func @not_gemms(%ai: memref<?x?xi32>, %bi: memref<?x?xi32>, %ci: memref<?x?xi32>,
                     %a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>,
                     %x: memref<?xf32>, %y: memref<?xf32>) {
  linalg.generic {indexing_maps = [#mk2, #kn2, #mn2],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%ai, %bi : memref<?x?xi32>, memref<?x?xi32>) outs(%ci : memref<?x?xi32>) {
  ^bb0(%u: i32, %v: i32, %acc: i32):
    %p = arith.muli %u, %v : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  linalg.generic {indexing_maps = [#mk2, #kn2, #mn2],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %e = math.exp %p : f32
    %s = arith.addf %acc, %e : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#m, #n, #o],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : memref<?xf32>, memref<?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
