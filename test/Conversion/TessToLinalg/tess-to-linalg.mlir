// RUN: tess-opt %s --convert-tess-to-linalg --split-input-file | FileCheck %s

// CHECK-DAG: #[[$MK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$KN:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$MN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: tensor<?x?xf32>, %[[B:.*]]: tensor<?x?xf32>, %[[M:.*]]: index, %[[N:.*]]: index, %[[K:.*]]: index)
// CHECK: %[[E:.*]] = tensor.empty(%[[M]], %[[N]]) : tensor<?x?xf32>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<?x?xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$MK]], #[[$KN]], #[[$MN]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<?x?xf32>, tensor<?x?xf32>) outs(%[[INIT]] : tensor<?x?xf32>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT:   %[[P:.*]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK-NEXT:   %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT:   linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @matmul(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %M: index, %N: index, %K: index) -> tensor<?x?xf32> {
  %c = tess.contract sum ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) bounds(%M, %N, %K)
         maps [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>]
         -> tensor<?x?xf32> {
  ^bb0(%x: f32, %y: f32):
    %p = arith.mulf %x, %y : f32
    tess.yield %p : f32
  }
  return %c : tensor<?x?xf32>
}

// -----

// Diagonal and trace: repeated dimensions are linalg operand maps; no fill
// without reduction dims.
// CHECK-DAG: #[[$DIAG:.*]] = affine_map<(d0) -> (d0, d0)>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @diag_trace
// CHECK-NOT: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[$DIAG]], #[[$ID]]], iterator_types = ["parallel"]}
// CHECK-NOT: arith.addf
// CHECK: linalg.yield
// CHECK: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[$DIAG]], #[[$SCALAR]]], iterator_types = ["reduction"]}
// CHECK: arith.addf
func.func @diag_trace(%a: tensor<?x?xf32>, %n: index) -> (tensor<?xf32>, tensor<f32>) {
  %d = tess.contract sum ins(%a : tensor<?x?xf32>) bounds(%n)
         maps [affine_map<(i) -> (i, i)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  %t = tess.contract sum ins(%a : tensor<?x?xf32>) bounds(%n)
         maps [affine_map<(i) -> (i, i)>, affine_map<(i) -> ()>] -> tensor<f32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return %d, %t : tensor<?xf32>, tensor<f32>
}

// -----

// A compound subscript is read in the body. Affine ones split the range of
// the parallel dimension they use (peel.mlir has the details): in the
// boundary pieces [0, lo) and [hi, T) a read has index arithmetic, a range
// test, a clamped tensor.extract (of a 1-element stand-in when the dynamic
// input is empty) and a select of zero; in the interior [lo, hi) it is a
// plain tensor.extract of the input. Each piece is a linalg.generic on a
// slice of the result, with the parallel dimension innermost. The result is
// not filled: the first reduction step (k == 0) starts from the identity.
// CHECK-DAG: #[[$K:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[$T:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[W:.*]]: tensor<3xf32>, %[[X:.*]]: tensor<?xf32>, %[[TB:.*]]: index)
// CHECK: %[[INIT:.*]] = tensor.empty(%[[TB]]) : tensor<?xf32>
// CHECK-NOT: linalg.fill
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[DIM:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?xf32>
// CHECK: %[[EMPTY:.*]] = arith.cmpi eq, %[[DIM]], %[[C0]] : index
// CHECK: %[[SAFE:.*]] = scf.if %[[EMPTY]] -> (tensor<?xf32>) {
// CHECK:   %[[STANDIN:.*]] = tensor.empty(%{{.*}}) : tensor<?xf32>
// CHECK:   scf.yield %[[STANDIN]] : tensor<?xf32>
// CHECK: } else {
// CHECK:   scf.yield %[[X]] : tensor<?xf32>
// CHECK: }
// CHECK: %[[LO:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : index
// CHECK: %[[HI:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : index
// CHECK: %[[S0:.*]] = tensor.extract_slice %[[INIT]][%{{.*}}] [%[[LO]]] [1]
// CHECK: %[[B0:.*]] = linalg.generic {indexing_maps = [#[[$K]], #[[$T]]], iterator_types = ["reduction", "parallel"]}
// CHECK-SAME: ins(%[[W]] : tensor<3xf32>) outs(%[[S0]] : tensor<?xf32>)
// CHECK-NEXT: ^bb0(%[[WK:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK:       %[[I1:.*]] = linalg.index 1 : index
// CHECK:       %[[T:.*]] = arith.addi %[[I1]], %{{.*}} : index
// CHECK:       %[[I0:.*]] = linalg.index 0 : index
// CHECK:       %[[NEG:.*]] = arith.muli %[[I0]], %{{.*}}
// CHECK:       %[[SUB:.*]] = arith.addi %[[T]], %[[NEG]] : index
// CHECK:       %[[GE:.*]] = arith.cmpi sge, %[[SUB]], %[[C0]] : index
// CHECK:       %[[LT:.*]] = arith.cmpi slt, %[[SUB]], %[[DIM]] : index
// CHECK:       %[[OK:.*]] = arith.andi %[[GE]], %[[LT]] : i1
// CHECK:       %[[IDX:.*]] = arith.select %[[OK]], %[[SUB]], %[[C0]] : index
// CHECK:       %[[EL:.*]] = tensor.extract %[[SAFE]][%[[IDX]]] : tensor<?xf32>
// CHECK:       %[[V:.*]] = arith.select %[[OK]], %[[EL]], %[[ZERO]] : f32
// CHECK:       %[[P:.*]] = arith.mulf %[[WK]], %[[V]] : f32
// CHECK:       %[[FIRST:.*]] = arith.cmpi eq, %[[I0]], %{{.*}} : index
// CHECK:       %[[A:.*]] = arith.select %[[FIRST]], %{{.*}}, %[[ACC]] : f32
// CHECK:       arith.addf %[[A]], %[[P]] : f32
// CHECK: %[[R0:.*]] = tensor.insert_slice %[[B0]] into %[[INIT]]
// CHECK: %[[S1:.*]] = tensor.extract_slice %[[R0]][%[[HI]]]
// CHECK: %[[B1:.*]] = linalg.generic
// CHECK: arith.select
// CHECK: %[[R1:.*]] = tensor.insert_slice %[[B1]] into %[[R0]][%[[HI]]]
// CHECK: %[[S2:.*]] = tensor.extract_slice %[[R1]][%[[LO]]]
// CHECK: %[[B2:.*]] = linalg.generic {indexing_maps = [#[[$K]], #[[$T]]], iterator_types = ["reduction", "parallel"]}
// CHECK-SAME: ins(%[[W]] : tensor<3xf32>) outs(%[[S2]] : tensor<?xf32>)
// CHECK-NOT:   arith.select
// CHECK-NOT:   arith.cmpi
// CHECK:       %[[EL2:.*]] = tensor.extract %[[X]][%{{.*}}] : tensor<?xf32>
// CHECK:       arith.mulf %{{.*}}, %[[EL2]] : f32
// CHECK:       linalg.yield
// CHECK: tensor.insert_slice %[[B2]] into %[[R1]][%[[LO]]]
func.func @conv(%w: tensor<3xf32>, %x: tensor<?xf32>, %T: index) -> tensor<?xf32> {
  %c3 = arith.constant 3 : index
  %y = tess.contract sum ins(%w, %x : tensor<3xf32>, tensor<?xf32>) bounds(%T, %c3)
         maps [affine_map<(t, k) -> (k)>, affine_map<(t, k) -> (t - k)>, affine_map<(t, k) -> (t)>]
         -> tensor<?xf32> {
  ^bb0(%wk: f32, %xs: f32):
    %p = arith.mulf %wk, %xs : f32
    tess.yield %p : f32
  }
  return %y : tensor<?xf32>
}

// -----

// Loop dims that no plain subscript covers get a tensor.empty operand of
// their bound; static inputs need no stand-in; tess.index -> linalg.index.
// A subscript with `mod` is not peeled: one generic, guarded reads.
// CHECK-DAG: #[[$D1:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-DAG: #[[$D2:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[$D0:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-LABEL: func.func @uncovered
// CHECK-SAME: (%[[X:.*]]: tensor<5x4xf32>, %[[KB:.*]]: index)
// CHECK-NOT: arith.select {{.*}} : tensor
// CHECK: %[[E1:.*]] = tensor.empty(%[[KB]]) : tensor<?xi8>
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<2xi8>
// CHECK: linalg.generic {indexing_maps = [#[[$D1]], #[[$D2]], #[[$D0]]], iterator_types = ["parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[E1]], %[[E2]] : tensor<?xi8>, tensor<2xi8>)
// CHECK-NEXT: ^bb0
// CHECK-DAG: linalg.index 0 : index
// CHECK-DAG: linalg.index 1 : index
// CHECK-DAG: %[[L:.*]] = linalg.index 2 : index
// CHECK: tensor.extract %[[X]]
// CHECK: arith.index_cast %[[L]] : index to i64
// CHECK-NOT: tess.
func.func @uncovered(%x: tensor<5x4xf32>, %K: index) -> tensor<5xf32> {
  %c5 = arith.constant 5 : index
  %c2 = arith.constant 2 : index
  %u = tess.contract sum ins(%x : tensor<5x4xf32>) bounds(%c5, %K, %c2)
         maps [affine_map<(t, k, l) -> ((t - k + l) mod 5, (l + 1) mod 4)>, affine_map<(t, k, l) -> (t)>] -> tensor<5xf32> {
  ^bb0(%v: f32):
    %l = tess.index 2 : index
    %lf = tess.cast %l : index to f32
    %s = arith.addf %v, %lf : f32
    tess.yield %s : f32
  }
  return %u : tensor<5xf32>
}

// -----

// Identities and combiners of each kind.
// CHECK-LABEL: func.func @kinds
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: arith.maximumf
// CHECK: arith.constant 0x7F800000 : f32
// CHECK: arith.minimumf
// CHECK: arith.constant 1.000000e+00 : f32
// CHECK: arith.mulf
// CHECK: arith.constant -2147483648 : i32
// CHECK: arith.maxsi
// CHECK: arith.constant 2147483647 : i32
// CHECK: arith.minsi
// CHECK: arith.constant 1 : i32
// CHECK: arith.muli
// CHECK: arith.constant false
// CHECK: arith.ori
// CHECK: arith.constant true
// CHECK: arith.andi
// CHECK: complex.constant [1.000000e+00 : f32, 0.000000e+00 : f32] : complex<f32>
// CHECK: complex.mul
// CHECK: complex.constant [0.000000e+00 : f32, 0.000000e+00 : f32] : complex<f32>
// CHECK: complex.add
func.func @kinds(%f: tensor<?xf32>, %i: tensor<?xi32>, %b: tensor<?xi1>, %z: tensor<?xcomplex<f32>>, %n: index)
    -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<i32>, tensor<i32>, tensor<i32>, tensor<i1>, tensor<i1>, tensor<complex<f32>>, tensor<complex<f32>>) {
  %0 = tess.contract max ins(%f : tensor<?xf32>) bounds(%n) maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<f32> {
  ^bb0(%v: f32):
    tess.yield %v : f32
  }
  %1 = tess.contract min ins(%f : tensor<?xf32>) bounds(%n) maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<f32> {
  ^bb0(%v: f32):
    tess.yield %v : f32
  }
  %2 = tess.contract prod ins(%f : tensor<?xf32>) bounds(%n) maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<f32> {
  ^bb0(%v: f32):
    tess.yield %v : f32
  }
  %3 = tess.contract max ins(%i : tensor<?xi32>) bounds(%n) maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<i32> {
  ^bb0(%v: i32):
    tess.yield %v : i32
  }
  %4 = tess.contract min ins(%i : tensor<?xi32>) bounds(%n) maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<i32> {
  ^bb0(%v: i32):
    tess.yield %v : i32
  }
  %5 = tess.contract prod ins(%i : tensor<?xi32>) bounds(%n) maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<i32> {
  ^bb0(%v: i32):
    tess.yield %v : i32
  }
  %6 = tess.contract sum ins(%b : tensor<?xi1>) bounds(%n) maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<i1> {
  ^bb0(%v: i1):
    tess.yield %v : i1
  }
  %7 = tess.contract min ins(%b : tensor<?xi1>) bounds(%n) maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<i1> {
  ^bb0(%v: i1):
    tess.yield %v : i1
  }
  %8 = tess.contract prod ins(%z : tensor<?xcomplex<f32>>) bounds(%n) maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<complex<f32>> {
  ^bb0(%v: complex<f32>):
    tess.yield %v : complex<f32>
  }
  %9 = tess.contract sum ins(%z : tensor<?xcomplex<f32>>) bounds(%n) maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<complex<f32>> {
  ^bb0(%v: complex<f32>):
    tess.yield %v : complex<f32>
  }
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9 : tensor<f32>, tensor<f32>, tensor<f32>, tensor<i32>, tensor<i32>, tensor<i32>, tensor<i1>, tensor<i1>, tensor<complex<f32>>, tensor<complex<f32>>
}

// -----

// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @map
// CHECK-SAME: (%[[A:.*]]: tensor<?x4xf32>, %[[B:.*]]: tensor<?x4xf32>)
// CHECK: %[[D:.*]] = tensor.dim %[[A]], %{{.*}} : tensor<?x4xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$ID2]], #[[$ID2]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<?x4xf32>, tensor<?x4xf32>) outs(%[[E]] : tensor<?x4xf32>)
// CHECK: arith.addf
// CHECK-NEXT: linalg.yield
func.func @map(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %r = tess.map ins(%a, %b : tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32> {
  ^bb0(%x: f32, %y: f32):
    %s = arith.addf %x, %y : f32
    tess.yield %s : f32
  }
  return %r : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @reduce
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK: %[[D:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x3xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?xf32>)
// CHECK: %[[R:.*]] = linalg.reduce { arith.maximumf } ins(%[[X]] : tensor<?x3xf32>) outs(%[[F]] : tensor<?xf32>) dimensions = [1]
// CHECK: %[[C:.*]] = tensor.cast %[[R]] : tensor<?xf32> to tensor<2xf32>
// CHECK: return %[[C]]
func.func @reduce(%x: tensor<?x3xf32>) -> tensor<2xf32> {
  %r = tess.reduce max %x dims [1] : tensor<?x3xf32> -> tensor<2xf32>
  return %r : tensor<2xf32>
}

// -----

// CHECK-DAG: #[[$FULL:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<?x?xf32>)
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MI:.*]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[$FULL]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<?x?xf32>) outs(%[[MI]] : tensor<?xf32>)
// CHECK: arith.maximumf
// The sum reads x and the maximum and computes the exponentials itself; the
// result computes them again: no temporary of x's size.
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$FULL]], #[[$ROW]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[MAX]] : tensor<?x?xf32>, tensor<?xf32>)
// CHECK: arith.subf
// CHECK-NEXT: math.exp
// CHECK-NEXT: arith.addf
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$FULL]], #[[$ROW]], #[[$ROW]], #[[$FULL]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MAX]], %[[SUM]] : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>)
// CHECK: arith.subf
// CHECK-NEXT: math.exp
// CHECK-NEXT: arith.divf
// CHECK: return %[[R]]
func.func @softmax(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = tess.softmax %x axis 1 : tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @splat
// CHECK-SAME: (%[[V:.*]]: f32, %[[N:.*]]: index)
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%[[V]] : f32) outs(%[[E]] : tensor<?x4xf32>)
// CHECK: return %[[F]]
func.func @splat(%v: f32, %n: index) -> tensor<?x4xf32> {
  %r = tess.splat %v [%n] : f32 -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @constants
// CHECK: arith.constant 1.500000e+00 : f32
// CHECK: arith.constant 7 : index
// CHECK: complex.constant [0.000000e+00 : f32, 2.000000e+00 : f32] : complex<f32>
// CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
func.func @constants() -> (f32, index, complex<f32>, tensor<2xf32>) {
  %a = tess.constant 1.5 : f32
  %b = tess.constant 7 : index
  %c = tess.constant [0.0 : f32, 2.0 : f32] : complex<f32>
  %d = tess.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %a, %b, %c, %d : f32, index, complex<f32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @casts
// CHECK-SAME: (%[[B:.*]]: i1, %[[I:.*]]: i32, %[[X:.*]]: index, %[[F:.*]]: f32, %[[H:.*]]: f16, %[[Z:.*]]: complex<f32>)
// CHECK: arith.extui %[[B]] : i1 to i64
// CHECK: arith.uitofp %[[B]] : i1 to f32
// CHECK: arith.index_castui %[[B]] : i1 to index
// CHECK: arith.extsi %[[I]] : i32 to i64
// CHECK: %[[C0:.*]] = arith.constant 0 : i32
// CHECK: arith.cmpi ne, %[[I]], %[[C0]] : i32
// CHECK: arith.sitofp %[[I]] : i32 to f64
// CHECK: arith.index_cast %[[I]] : i32 to index
// CHECK: %[[X64:.*]] = arith.index_cast %[[X]] : index to i64
// CHECK: arith.sitofp %[[X64]] : i64 to f32
// CHECK: arith.index_cast %[[X]] : index to i32
// CHECK: arith.fptosi %[[F]] : f32 to i32
// CHECK: %[[FI:.*]] = arith.fptosi %[[F]] : f32 to i64
// CHECK: arith.index_cast %[[FI]] : i64 to index
// CHECK: %[[FZ:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: arith.cmpf une, %[[F]], %[[FZ]] : f32
// CHECK: arith.extf %[[F]] : f32 to f64
// CHECK: arith.truncf %[[F]] : f32 to f16
// CHECK: %[[W:.*]] = arith.extf %[[H]] : f16 to f32
// CHECK: arith.truncf %[[W]] : f32 to bf16
// CHECK: %[[RE:.*]] = arith.extf %[[F]] : f32 to f64
// CHECK: %[[IM:.*]] = arith.constant 0.000000e+00 : f64
// CHECK: complex.create %[[RE]], %[[IM]] : complex<f64>
// CHECK: %[[ZR:.*]] = complex.re %[[Z]] : complex<f32>
// CHECK: %[[ZRW:.*]] = arith.extf %[[ZR]] : f32 to f64
// CHECK: %[[ZI:.*]] = complex.im %[[Z]] : complex<f32>
// CHECK: %[[ZIW:.*]] = arith.extf %[[ZI]] : f32 to f64
// CHECK: complex.create %[[ZRW]], %[[ZIW]] : complex<f64>
func.func @casts(%b: i1, %i: i32, %x: index, %f: f32, %h: f16, %z: complex<f32>)
    -> (i64, f32, index, i64, i1, f64, index, f32, i32, i32, index, i1, f64, f16, bf16, complex<f64>, complex<f64>) {
  %0 = tess.cast %b : i1 to i64
  %1 = tess.cast %b : i1 to f32
  %2 = tess.cast %b : i1 to index
  %3 = tess.cast %i : i32 to i64
  %4 = tess.cast %i : i32 to i1
  %5 = tess.cast %i : i32 to f64
  %6 = tess.cast %i : i32 to index
  %7 = tess.cast %x : index to f32
  %8 = tess.cast %x : index to i32
  %9 = tess.cast %f : f32 to i32
  %10 = tess.cast %f : f32 to index
  %11 = tess.cast %f : f32 to i1
  %12 = tess.cast %f : f32 to f64
  %13 = tess.cast %f : f32 to f16
  %14 = tess.cast %h : f16 to bf16
  %15 = tess.cast %f : f32 to complex<f64>
  %16 = tess.cast %z : complex<f32> to complex<f64>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16
      : i64, f32, index, i64, i1, f64, index, f32, i32, i32, index, i1, f64, f16, bf16, complex<f64>, complex<f64>
}

// -----

func.func private @callee(tensor<?xf32>, tensor<4xf32>) -> (tensor<?xf32>, tensor<f32>)

// CHECK-LABEL: func.func @call
// CHECK-SAME: (%[[A:.*]]: tensor<?xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[R:.*]]:2 = call @callee(%[[A]], %[[B]]) : (tensor<?xf32>, tensor<4xf32>) -> (tensor<?xf32>, tensor<f32>)
// CHECK: return %[[R]]#1
func.func @call(%a: tensor<?xf32>, %b: tensor<4xf32>) -> tensor<f32> {
  %r:2 = tess.call @callee(%a, %b) : (tensor<?xf32>, tensor<4xf32>) -> (tensor<?xf32>, tensor<f32>)
  return %r#1 : tensor<f32>
}

// -----

// Body ops of any dialect are cloned; tess.index nested in their regions
// becomes a linalg.index at the start of the linalg body.
// CHECK-LABEL: func.func @nested_index
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[I:.*]] = linalg.index 0 : index
// CHECK: scf.if
// CHECK-NEXT: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK-NEXT: arith.sitofp %[[I64]] : i64 to f32
// CHECK-NOT: tess.
func.func @nested_index(%x: tensor<?xf32>, %n: index) -> tensor<?xf32> {
  %r = tess.contract sum ins(%x : tensor<?xf32>) bounds(%n)
         maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%v: f32):
    %c = arith.constant 0.0 : f32
    %pos = arith.cmpf ogt, %v, %c : f32
    %s = scf.if %pos -> f32 {
      %i = tess.index 0 : index
      %f = tess.cast %i : index to f32
      scf.yield %f : f32
    } else {
      scf.yield %v : f32
    }
    tess.yield %s : f32
  }
  return %r : tensor<?xf32>
}

// -----

// A tess.contract in a contract body is lowered inside the outer generic;
// its tess.index refers to its own loops.
// CHECK-LABEL: func.func @nested_contract
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel"]
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: %[[K:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[KI:.*]] = arith.index_cast %[[K]] : index to i32
// CHECK-NEXT: %[[KF:.*]] = arith.sitofp %[[KI]] : i32 to f32
// CHECK-NEXT: arith.addf %[[IN]], %[[KF]] : f32
// CHECK-NOT: tess.
func.func @nested_contract(%a: tensor<8xf32>) -> tensor<8xf32> {
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  %r = tess.contract sum ins(%a : tensor<8xf32>) bounds(%c8) maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<8xf32> {
  ^bb0(%x: f32):
    %s = tess.contract sum bounds(%c3, %c3) maps [affine_map<(j, k) -> (j)>] -> tensor<3xf32> {
      %k = tess.index 1 : index
      %ki = arith.index_cast %k : index to i32
      %kf = arith.sitofp %ki : i32 to f32
      %y = arith.addf %x, %kf : f32
      tess.yield %y : f32
    }
    %i = tess.index 0 : index
    %c0 = arith.constant 0 : index
    %e = tensor.extract %s[%c0] : tensor<3xf32>
    tess.yield %e : f32
  }
  return %r : tensor<8xf32>
}

// -----

// CHECK-LABEL: func.func @nested_map
// CHECK-SAME: (%{{.*}}: tensor<8xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: linalg.generic {{.*}} ins(%[[B]] : tensor<3xf32>)
// CHECK-NEXT: ^bb0(%[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.addf %[[X]], %[[Y]] : f32
// CHECK-NOT: tess.
func.func @nested_map(%a: tensor<8xf32>, %b: tensor<3xf32>) -> tensor<8xf32> {
  %r = tess.map ins(%a : tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%x: f32):
    %s = tess.map ins(%b : tensor<3xf32>) -> tensor<3xf32> {
    ^bb0(%y: f32):
      %z = arith.addf %x, %y : f32
      tess.yield %z : f32
    }
    %c0 = arith.constant 0 : index
    %e = tensor.extract %s[%c0] : tensor<3xf32>
    tess.yield %e : f32
  }
  return %r : tensor<8xf32>
}

// -----

// Symbols: a subscript that uses one is compound and read in the body with
// the symbol operands' values; plain subscripts and the result stay linalg
// maps, without symbols. y[i] = a[i] * x[2 * i - K + 1]: the interior of i
// is [ceil((K - 1) / 2), floor((dim - 1 - 1 + K) / 2) + 1), clamped to
// [0, N]; the boundary pieces check, the interior does not.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @symbols
// CHECK-SAME: (%[[A:.*]]: tensor<?xf32>, %[[X:.*]]: tensor<?xf32>, %[[N:.*]]: index, %[[K:.*]]: index)
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[DIM:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?xf32>
// CHECK: %[[SAFE:.*]] = scf.if
// CHECK: arith.ceildivsi %{{.*}}, %{{.*}} : index
// CHECK: arith.floordivsi %{{.*}}, %{{.*}} : index
// CHECK: %[[LO:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : index
// CHECK: %[[HI:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : index
// CHECK: %[[SE:.*]] = tensor.extract_slice %[[E]][%{{.*}}] [%[[LO]]] [1]
// CHECK: %[[SA:.*]] = tensor.extract_slice %[[A]][%{{.*}}] [%[[LO]]] [1]
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]], iterator_types = ["parallel"]}
// CHECK-SAME: ins(%[[SA]] : tensor<?xf32>) outs(%[[SE]] : tensor<?xf32>)
// CHECK-NEXT: ^bb0(%[[AI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[I0:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[I:.*]] = arith.addi %[[I0]], %{{.*}} : index
// CHECK:      %[[TWOI:.*]] = arith.muli %[[I]], %{{.*}}
// CHECK:      %[[NEGK:.*]] = arith.muli %[[K]], %{{.*}}
// CHECK:      %[[SUM:.*]] = arith.addi %[[TWOI]], %[[NEGK]] : index
// CHECK:      %[[SUB:.*]] = arith.addi %[[SUM]], %{{.*}} : index
// CHECK:      %[[GE:.*]] = arith.cmpi sge, %[[SUB]], %[[C0]] : index
// CHECK:      %[[LT:.*]] = arith.cmpi slt, %[[SUB]], %[[DIM]] : index
// CHECK:      %[[OK:.*]] = arith.andi %[[GE]], %[[LT]] : i1
// CHECK:      %[[IDX:.*]] = arith.select %[[OK]], %[[SUB]], %[[C0]] : index
// CHECK:      %[[EL:.*]] = tensor.extract %[[SAFE]][%[[IDX]]] : tensor<?xf32>
// CHECK:      %[[V:.*]] = arith.select %[[OK]], %[[EL]], %[[ZERO]] : f32
// CHECK:      arith.mulf %[[AI]], %[[V]] : f32
// CHECK: tensor.extract_slice %[[A]][%[[HI]]]
// CHECK: linalg.generic
// CHECK: arith.select
// CHECK: tensor.extract_slice %[[A]][%[[LO]]]
// CHECK: linalg.generic
// CHECK-NOT:  arith.select
// CHECK:      %[[EL2:.*]] = tensor.extract %[[X]][%{{.*}}] : tensor<?xf32>
// CHECK-NEXT: arith.mulf %{{.*}}, %[[EL2]] : f32
// CHECK-NEXT: linalg.yield
func.func @symbols(%a: tensor<?xf32>, %x: tensor<?xf32>, %N: index, %K: index) -> tensor<?xf32> {
  %r = tess.contract sum ins(%a, %x : tensor<?xf32>, tensor<?xf32>) bounds(%N) symbols(%N, %K)
         maps [affine_map<(i)[n, k] -> (i)>, affine_map<(i)[n, k] -> (2 * i - k + 1)>,
               affine_map<(i)[n, k] -> (i)>] -> tensor<?xf32> {
  ^bb0(%u: f32, %v: f32):
    %p = arith.mulf %u, %v : f32
    tess.yield %p : f32
  }
  return %r : tensor<?xf32>
}

// -----

// f16/bf16 sums and products accumulate in f32: the init is an f32 tensor,
// each yielded value is extended, and one elementwise generic rounds the
// result once. max/min stay in the element type.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<() -> ()>
// CHECK-LABEL: func.func @accumulate
// CHECK-SAME: (%[[H:.*]]: tensor<?x?xf16>, %[[B:.*]]: tensor<?xbf16>, %[[N:.*]]: index, %[[M:.*]]: index)
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E]] : tensor<?xf32>)
// CHECK: %[[ACC:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[H]] : tensor<?x?xf16>) outs(%[[INIT]] : tensor<?xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f16, %[[OUT:.*]]: f32):
// CHECK-NEXT:   %[[SQ:.*]] = arith.mulf %[[IN]], %[[IN]] : f16
// CHECK-NEXT:   %[[W:.*]] = arith.extf %[[SQ]] : f16 to f32
// CHECK-NEXT:   %[[S:.*]] = arith.addf %[[OUT]], %[[W]] : f32
// CHECK-NEXT:   linalg.yield %[[S]] : f32
// CHECK: %[[E16:.*]] = tensor.empty(%[[N]]) : tensor<?xf16>
// CHECK: %[[R0:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]], iterator_types = ["parallel"]} ins(%[[ACC]] : tensor<?xf32>) outs(%[[E16]] : tensor<?xf16>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %{{.*}}: f16):
// CHECK-NEXT:   %[[T:.*]] = arith.truncf %[[A]] : f32 to f16
// CHECK-NEXT:   linalg.yield %[[T]] : f16
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[B]] : tensor<?xbf16>) outs(%{{.*}} : tensor<f32>)
// CHECK-NEXT: ^bb0(%[[BI:.*]]: bf16, %[[BO:.*]]: f32):
// CHECK-NEXT:   %[[BW:.*]] = arith.extf %[[BI]] : bf16 to f32
// CHECK-NEXT:   arith.mulf %[[BO]], %[[BW]] : f32
// CHECK: %[[R1:.*]] = linalg.generic {indexing_maps = [#[[$SCALAR]], #[[$SCALAR]]], iterator_types = []} ins(%{{.*}} : tensor<f32>) outs(%{{.*}} : tensor<bf16>)
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFC00 : f16
// CHECK: linalg.generic {{.*}} ins(%[[H]] : tensor<?x?xf16>) outs(%{{.*}} : tensor<f16>)
// CHECK-NEXT: ^bb0(%[[MI:.*]]: f16, %[[MO:.*]]: f16):
// CHECK-NEXT:   arith.maximumf %[[MO]], %[[MI]] : f16
// CHECK: %[[RE:.*]] = tensor.empty(%{{.*}}) : tensor<?xf32>
// CHECK: %[[RF:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[RE]] : tensor<?xf32>)
// CHECK: %[[RACC:.*]] = linalg.reduce ins(%[[H]] : tensor<?x?xf16>) outs(%[[RF]] : tensor<?xf32>) dimensions = [1]
// CHECK-NEXT: (%[[RI:.*]]: f16, %[[RO:.*]]: f32) {
// CHECK-NEXT:   %[[RW:.*]] = arith.extf %[[RI]] : f16 to f32
// CHECK-NEXT:   arith.addf %[[RO]], %[[RW]] : f32
// CHECK: %[[R3:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]], iterator_types = ["parallel"]} ins(%[[RACC]] : tensor<?xf32>) outs(%{{.*}} : tensor<?xf16>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: return %[[R0]], %[[R1]], %{{.*}}, %[[R3]]
func.func @accumulate(%h: tensor<?x?xf16>, %b: tensor<?xbf16>, %n: index, %m: index)
    -> (tensor<?xf16>, tensor<bf16>, tensor<f16>, tensor<?xf16>) {
  %0 = tess.contract sum ins(%h : tensor<?x?xf16>) bounds(%n, %m)
         maps [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>] -> tensor<?xf16> {
  ^bb0(%v: f16):
    %s = arith.mulf %v, %v : f16
    tess.yield %s : f16
  }
  %1 = tess.contract prod ins(%b : tensor<?xbf16>) bounds(%n)
         maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<bf16> {
  ^bb0(%v: bf16):
    tess.yield %v : bf16
  }
  %2 = tess.contract max ins(%h : tensor<?x?xf16>) bounds(%n, %m)
         maps [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> ()>] -> tensor<f16> {
  ^bb0(%v: f16):
    tess.yield %v : f16
  }
  %3 = tess.reduce sum %h dims [1] : tensor<?x?xf16> -> tensor<?xf16>
  return %0, %1, %2, %3 : tensor<?xf16>, tensor<bf16>, tensor<f16>, tensor<?xf16>
}

// -----

// The softmax sum of f16 values accumulates in f32 too (the maximum does
// not need to).
// CHECK-LABEL: func.func @softmax_f16
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f16
// CHECK: %[[ACC:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<?xf32>)
// CHECK: math.exp %{{.*}} : f16
// CHECK-NEXT: arith.extf %{{.*}} : f16 to f32
// CHECK-NEXT: arith.addf %{{.*}}, %{{.*}} : f32
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[ACC]] : tensor<?xf32>) outs(%{{.*}} : tensor<?xf16>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %[[SUM]] : tensor<?x?xf16>, tensor<?xf16>, tensor<?xf16>)
// CHECK: math.exp %{{.*}} : f16
// CHECK-NEXT: arith.divf %{{.*}}, %{{.*}} : f16
func.func @softmax_f16(%x: tensor<?x?xf16>) -> tensor<?x?xf16> {
  %r = tess.softmax %x axis 1 : tensor<?x?xf16>
  return %r : tensor<?x?xf16>
}
