// RUN: tess-opt %s | tess-opt | FileCheck %s
// RUN: tess-opt %s --mlir-print-op-generic | tess-opt | FileCheck %s

// CHECK-DAG: #[[$MK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$KN:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$MN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$CONV_X:.*]] = affine_map<(d0, d1) -> (d0 - d1)>
// CHECK-DAG: #[[$REV:.*]] = affine_map<(d0)[s0, s1] -> (-d0 + s0 - 1)>
// CHECK-DAG: #[[$STRIDE:.*]] = affine_map<(d0)[s0, s1] -> (d0 * 2 - s1 + 1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0)[s0, s1] -> (d0)>

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: tensor<?x?xf32>, %[[B:.*]]: tensor<?x?xf32>, %[[M:.*]]: index, %[[N:.*]]: index, %[[K:.*]]: index)
// CHECK: %[[C:.*]] = tess.contract sum ins(%[[A]], %[[B]] : tensor<?x?xf32>, tensor<?x?xf32>) bounds(%[[M]], %[[N]], %[[K]]) maps [#[[$MK]], #[[$KN]], #[[$MN]]] -> tensor<?x?xf32> {
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32):
// CHECK-NEXT:   %[[P:.*]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK-NEXT:   tess.yield %[[P]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: return %[[C]]
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

// A compound subscript and a loop index in the body.
// CHECK-LABEL: func.func @conv_with_index
// CHECK: tess.contract max ins(%{{.*}}, %{{.*}} : tensor<3xf32>, tensor<?xf32>) bounds(%{{.*}}, %{{.*}}) maps [#{{.*}}, #[[$CONV_X]], #{{.*}}] -> tensor<?xf32>
// CHECK: tess.index 1 : index
// CHECK: tess.cast %{{.*}} : index to f32
func.func @conv_with_index(%w: tensor<3xf32>, %x: tensor<?xf32>, %N: index) -> tensor<?xf32> {
  %c3 = arith.constant 3 : index
  %y = tess.contract max ins(%w, %x : tensor<3xf32>, tensor<?xf32>) bounds(%N, %c3)
         maps [affine_map<(t, k) -> (k)>, affine_map<(t, k) -> (t - k)>, affine_map<(t, k) -> (t)>]
         -> tensor<?xf32> {
  ^bb0(%wk: f32, %xs: f32):
    %k = tess.index 1 : index
    %kf = tess.cast %k : index to f32
    %p = arith.mulf %wk, %xs : f32
    %q = arith.addf %p, %kf : f32
    tess.yield %q : f32
  }
  return %y : tensor<?xf32>
}

// Size symbols in subscripts: y[i] = x[N - 1 - i] + x[2 * i - K + 1]. The
// symbols(...) list is printed after the bounds; every map has its symbols.
// CHECK-LABEL: func.func @symbols
// CHECK-SAME: (%[[X:.*]]: tensor<?xf32>, %[[N:.*]]: index, %[[K:.*]]: index)
// CHECK: tess.contract sum ins(%[[X]], %[[X]] : tensor<?xf32>, tensor<?xf32>) bounds(%[[N]]) symbols(%[[N]], %[[K]]) maps [#[[$REV]], #[[$STRIDE]], #[[$OUT]]] -> tensor<?xf32> {
func.func @symbols(%x: tensor<?xf32>, %N: index, %K: index) -> tensor<?xf32> {
  %y = tess.contract sum ins(%x, %x : tensor<?xf32>, tensor<?xf32>) bounds(%N) symbols(%N, %K)
         maps [affine_map<(i)[n, k] -> (n - 1 - i)>, affine_map<(i)[n, k] -> (2 * i - k + 1)>,
               affine_map<(i)[n, k] -> (i)>] -> tensor<?xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    tess.yield %s : f32
  }
  return %y : tensor<?xf32>
}

// No inputs, no loops: a 0-d contraction.
// CHECK-LABEL: func.func @nullary
// CHECK: tess.contract sum bounds() maps [#{{.*}}] -> tensor<f32> {
// CHECK-NEXT: tess.yield %{{.*}} : f32
func.func @nullary(%v: f32) -> tensor<f32> {
  %r = tess.contract sum bounds() maps [affine_map<() -> ()>] -> tensor<f32> {
    tess.yield %v : f32
  }
  return %r : tensor<f32>
}

// CHECK-LABEL: func.func @map
// CHECK: tess.map ins(%{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<?x4xi32>) -> tensor<?x4xi1> {
// CHECK-NEXT: ^bb0(%{{.*}}: f32, %{{.*}}: i32):
func.func @map(%a: tensor<?x4xf32>, %b: tensor<?x4xi32>) -> tensor<?x4xi1> {
  %r = tess.map ins(%a, %b : tensor<?x4xf32>, tensor<?x4xi32>) -> tensor<?x4xi1> {
  ^bb0(%x: f32, %y: i32):
    %yf = tess.cast %y : i32 to f32
    %c = arith.cmpf olt, %x, %yf : f32
    tess.yield %c : i1
  }
  return %r : tensor<?x4xi1>
}

// CHECK-LABEL: func.func @reduce_softmax
// CHECK: tess.reduce max %{{.*}} dims [1] : tensor<?x?xf32> -> tensor<?xf32>
// CHECK: tess.reduce prod %{{.*}} dims [0, 2] : tensor<2x3x4xi64> -> tensor<3xi64>
// CHECK: tess.softmax %{{.*}} axis 1 : tensor<?x?xf32>
func.func @reduce_softmax(%x: tensor<?x?xf32>, %y: tensor<2x3x4xi64>) -> (tensor<?xf32>, tensor<3xi64>, tensor<?x?xf32>) {
  %m = tess.reduce max %x dims [1] : tensor<?x?xf32> -> tensor<?xf32>
  %p = tess.reduce prod %y dims [0, 2] : tensor<2x3x4xi64> -> tensor<3xi64>
  %s = tess.softmax %x axis 1 : tensor<?x?xf32>
  return %m, %p, %s : tensor<?xf32>, tensor<3xi64>, tensor<?x?xf32>
}

// CHECK-LABEL: func.func @splat
// CHECK: tess.splat %{{.*}} [%{{.*}}] : f32 -> tensor<?x4xf32>
// CHECK: tess.splat %{{.*}} : complex<f64> -> tensor<2xcomplex<f64>>
func.func @splat(%v: f32, %n: index, %z: complex<f64>) -> (tensor<?x4xf32>, tensor<2xcomplex<f64>>) {
  %a = tess.splat %v [%n] : f32 -> tensor<?x4xf32>
  %b = tess.splat %z : complex<f64> -> tensor<2xcomplex<f64>>
  return %a, %b : tensor<?x4xf32>, tensor<2xcomplex<f64>>
}

// CHECK-LABEL: func.func @constants
// CHECK: tess.constant 1.500000e+00 : f32
// CHECK: tess.constant 7 : index
// CHECK: tess.constant true
// CHECK: tess.constant [0.000000e+00 : f32, 2.000000e+00 : f32] : complex<f32>
// CHECK: tess.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: tess.constant {tag} 3 : i32
func.func @constants() -> (f32, index, i1, complex<f32>, tensor<2xf32>, i32) {
  %a = tess.constant 1.5 : f32
  %b = tess.constant 7 : index
  %c = tess.constant true
  %d = tess.constant [0.0 : f32, 2.0 : f32] : complex<f32>
  %e = tess.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %f = tess.constant {tag} 3 : i32
  return %a, %b, %c, %d, %e, %f : f32, index, i1, complex<f32>, tensor<2xf32>, i32
}

// CHECK-LABEL: func.func @casts
// CHECK: tess.cast %{{.*}} : i1 to i32
// CHECK: tess.cast %{{.*}} : f32 to i1
// CHECK: tess.cast %{{.*}} : bf16 to complex<f64>
// CHECK: tess.cast %{{.*}} : complex<f64> to complex<f32>
func.func @casts(%b: i1, %f: f32, %h: bf16) -> (i32, i1, complex<f32>) {
  %0 = tess.cast %b : i1 to i32
  %1 = tess.cast %f : f32 to i1
  %2 = tess.cast %h : bf16 to complex<f64>
  %3 = tess.cast %2 : complex<f64> to complex<f32>
  return %0, %1, %3 : i32, i1, complex<f32>
}

func.func private @callee(tensor<?xf32>, tensor<4xf32>) -> (tensor<?xf32>, tensor<f32>)

// CHECK-LABEL: func.func @call
// CHECK: %{{.*}}:2 = tess.call @callee(%{{.*}}, %{{.*}}) : (tensor<?xf32>, tensor<4xf32>) -> (tensor<?xf32>, tensor<f32>)
func.func @call(%a: tensor<?xf32>, %b: tensor<4xf32>) -> tensor<f32> {
  %r:2 = tess.call @callee(%a, %b) : (tensor<?xf32>, tensor<4xf32>) -> (tensor<?xf32>, tensor<f32>)
  return %r#1 : tensor<f32>
}
