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
// CHECK:         call @tessera_gemm_f32({{.*}}, %[[PA]], {{.*}}, %[[PB]], {{.*}}, %[[PC]], {{.*}}, %c0_i32, %c0_i32{{.*}}, %cst) : (i64, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, i32, i32, f64) -> ()
// CHECK-NOT:     linalg.generic
// CHECK:       func.func private @tessera_gemm_f32(i64, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, i32, i32, f64)
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

// A zero fill of C just before the product is dropped: the kernel
// overwrites C (last argument 1). A fill with another value stays.
// CHECK-LABEL: func.func @zero_filled(
// CHECK-NOT:     linalg.fill
// CHECK:         call @tessera_gemm_f32({{.*}}, %c1_i32, %c0_i32{{.*}}, %cst{{.*}})
// CHECK:         linalg.fill
// CHECK:         call @tessera_gemm_f32({{.*}}, %c0_i32{{.*}}, %c0_i32{{.*}}, %cst{{.*}})
#mk1 = affine_map<(m, n, k) -> (m, k)>
#kn1 = affine_map<(m, n, k) -> (k, n)>
#mn1 = affine_map<(m, n, k) -> (m, n)>
func.func @zero_filled(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x?xf32>)
  linalg.generic {indexing_maps = [#mk1, #kn1, #mn1],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%one : f32) outs(%c : memref<?x?xf32>)
  linalg.generic {indexing_maps = [#mk1, #kn1, #mn1],
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

// Two batch dimensions, adjacent and in the same order everywhere: one
// kernel call covers both (extent 2 * 8); the operands in swapped order
// still match (f64).
// CHECK-LABEL: func.func @heads(
// CHECK-NOT:     scf.for
// CHECK:         %[[BATCH:.*]] = arith.muli %dim{{.*}}, %dim{{.*}} : index
// CHECK:         %[[B64:.*]] = arith.index_cast %[[BATCH]] : index to i64
// CHECK:         call @tessera_gemm_f64(%[[B64]],
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

// -----

// Batch dimensions in another order in the result than in the inputs: the
// larger static one (h) goes to the kernel, a loop covers the other.
// CHECK-LABEL: func.func @permuted_batch(
// CHECK:         scf.for
// CHECK-NOT:     scf.for
// CHECK:         call @tessera_gemm_f32(
#pq = affine_map<(b, h, t, u, d) -> (b, h, t, d)>
#pk = affine_map<(b, h, t, u, d) -> (b, h, u, d)>
#ps = affine_map<(b, h, t, u, d) -> (h, b, t, u)>
func.func @permuted_batch(%q: memref<2x8x?x?xf32>, %k: memref<2x8x?x?xf32>, %s: memref<8x2x?x?xf32>) {
  linalg.generic {indexing_maps = [#pq, #pk, #ps],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : memref<2x8x?x?xf32>, memref<2x8x?x?xf32>) outs(%s : memref<8x2x?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// An in-place division of C by a value computed from values above it (the
// attention scale) becomes the kernel's epilogue (2: divide); the ops that
// compute the divisor move before the call.
// CHECK-LABEL: func.func @scaled(
// CHECK-SAME:    %{{.*}}: memref<?x?xf32>, %{{.*}}: memref<?x?xf32>, %{{.*}}: memref<?x?xf32>, %[[D:.*]]: i64)
// CHECK:         %[[F:.*]] = arith.sitofp %[[D]] : i64 to f32
// CHECK:         %[[S:.*]] = math.sqrt %[[F]] : f32
// CHECK:         %[[S64:.*]] = arith.extf %[[S]] : f32 to f64
// CHECK:         call @tessera_gemm_f32({{.*}}, %c2_i32, %[[S64]])
// CHECK-NOT:     linalg.generic
#smk = affine_map<(m, n, k) -> (m, k)>
#skn = affine_map<(m, n, k) -> (k, n)>
#smn = affine_map<(m, n, k) -> (m, n)>
#sid = affine_map<(m, n) -> (m, n)>
func.func @scaled(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>, %d: i64) {
  linalg.generic {indexing_maps = [#smk, #skn, #smn],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#sid, #sid], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<?x?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %f = arith.sitofp %d : i64 to f32
    %r = math.sqrt %f : f32
    %q = arith.divf %in, %r : f32
    linalg.yield %q : f32
  }
  return
}

// -----

// Not an epilogue: the scale reads C's element twice (x * x).
// CHECK-LABEL: func.func @squared(
// CHECK:         call @tessera_gemm_f32({{.*}}, %c0_i32{{.*}}, %c0_i32{{.*}}, %cst{{.*}})
// CHECK:         linalg.generic
#qmk = affine_map<(m, n, k) -> (m, k)>
#qkn = affine_map<(m, n, k) -> (k, n)>
#qmn = affine_map<(m, n, k) -> (m, n)>
#qid = affine_map<(m, n) -> (m, n)>
func.func @squared(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [#qmk, #qkn, #qmn],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#qid, #qid], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<?x?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %q = arith.mulf %in, %out : f32
    linalg.yield %q : f32
  }
  return
}

// -----

// C's last (unit-stride) dimension is the kernel's columns: with the
// product written as w[q, p] * x[b, p] -> t[b, q] (w first), the operands
// swap so that q, C's last dimension, is a column: A = x (m = b), B = w^T.
// CHECK-LABEL: func.func @oriented_for_c(
// CHECK-SAME:    %[[W:.*]]: memref<32x16xf32>, %[[X:.*]]: memref<64x16xf32>, %[[T:.*]]: memref<64x32xf32>)
// CHECK:         memref.extract_aligned_pointer_as_index %[[X]]
// CHECK:         memref.extract_aligned_pointer_as_index %[[W]]
// CHECK:         memref.dim %[[T]], %c0
// CHECK:         memref.dim %[[T]], %c1
// CHECK:         memref.dim %[[X]], %c1
// CHECK:         call @tessera_gemm_f32(
#qp = affine_map<(b, q, p) -> (q, p)>
#bp = affine_map<(b, q, p) -> (b, p)>
#bq = affine_map<(b, q, p) -> (b, q)>
func.func @oriented_for_c(%w: memref<32x16xf32>, %x: memref<64x16xf32>, %t: memref<64x32xf32>) {
  linalg.generic {indexing_maps = [#qp, #bp, #bq],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%w, %x : memref<32x16xf32>, memref<64x16xf32>) outs(%t : memref<64x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Complex products call the complex kernels, element strides counting
// complex elements (16 bytes per c128 element), the last argument saying
// which factor the body conjugates (bit 0: A, bit 1: B; here B, whichever
// order the multiply names them in). A complex zero fill becomes the
// overwrite mode.
// CHECK-LABEL: func.func @complex_products(
// CHECK-NOT:     linalg.fill
// CHECK:         %[[BYTES:.*]] = arith.constant 16 : index
// CHECK:         call @tessera_gemm_c128({{.*}}, %c1_i32, %c0_i32{{.*}}, %cst{{.*}}, %c2_i32) : (i64, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, i32, i32, f64, i32) -> ()
// CHECK:         call @tessera_gemm_c64({{.*}}, %c3_i32) :
// CHECK:         linalg.generic
// CHECK:           complex.add
// CHECK:       func.func private @tessera_gemm_c128(i64, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, i32, i32, f64, i32)
#cmk = affine_map<(m, n, k) -> (m, k)>
#ckn = affine_map<(m, n, k) -> (k, n)>
#cmn = affine_map<(m, n, k) -> (m, n)>
func.func @complex_products(%a: memref<?x?xcomplex<f64>>, %b: memref<?x?xcomplex<f64>>,
                            %c: memref<?x?xcomplex<f64>>, %x: memref<?x?xcomplex<f32>>,
                            %y: memref<?x?xcomplex<f32>>, %z: memref<?x?xcomplex<f32>>) {
  %zero = complex.constant [0.0, 0.0] : complex<f64>
  linalg.fill ins(%zero : complex<f64>) outs(%c : memref<?x?xcomplex<f64>>)
  linalg.generic {indexing_maps = [#cmk, #ckn, #cmn],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x?xcomplex<f64>>, memref<?x?xcomplex<f64>>)
      outs(%c : memref<?x?xcomplex<f64>>) {
  ^bb0(%p: complex<f64>, %q: complex<f64>, %acc: complex<f64>):
    %cq = complex.conj %q : complex<f64>
    %m = complex.mul %cq, %p : complex<f64>
    %s = complex.add %acc, %m : complex<f64>
    linalg.yield %s : complex<f64>
  }
  // Both conjugated.
  linalg.generic {indexing_maps = [#cmk, #ckn, #cmn],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %y : memref<?x?xcomplex<f32>>, memref<?x?xcomplex<f32>>)
      outs(%z : memref<?x?xcomplex<f32>>) {
  ^bb0(%p: complex<f32>, %q: complex<f32>, %acc: complex<f32>):
    %cp = complex.conj %p : complex<f32>
    %cq = complex.conj %q : complex<f32>
    %m = complex.mul %cp, %cq : complex<f32>
    %s = complex.add %acc, %m : complex<f32>
    linalg.yield %s : complex<f32>
  }
  // Anything else in the body (here an exp) keeps the loop nest.
  linalg.generic {indexing_maps = [#cmk, #ckn, #cmn],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %y : memref<?x?xcomplex<f32>>, memref<?x?xcomplex<f32>>)
      outs(%z : memref<?x?xcomplex<f32>>) {
  ^bb0(%p: complex<f32>, %q: complex<f32>, %acc: complex<f32>):
    %e = complex.exp %p : complex<f32>
    %m = complex.mul %e, %q : complex<f32>
    %s = complex.add %acc, %m : complex<f32>
    linalg.yield %s : complex<f32>
  }
  return
}
