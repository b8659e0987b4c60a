// RUN: tess-opt %s | tess-opt | FileCheck %s
// RUN: tess-opt %s --mlir-print-op-generic | tess-opt | FileCheck %s

// A first-order linear recurrence along dimension 1.
// CHECK-LABEL: func.func @linear(
// CHECK:         %[[H:.+]] = ssm.scan ins(%{{.+}}, %{{.+}} : tensor<?x?x?xf32>, tensor<?x?x?xf32>) bounds(%{{.+}}, %{{.+}}, %{{.+}}) maps [#{{.+}}, #{{.+}}] scan_dim 1 -> tensor<?x?x?xf32> {
// CHECK-NEXT:    ^bb0(%[[A:.+]]: f32, %[[X:.+]]: f32, %[[P:.+]]: f32):
// CHECK-NEXT:      %[[M:.+]] = arith.mulf %[[A]], %[[P]] : f32
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[M]], %[[X]] : f32
// CHECK-NEXT:      ssm.yield %[[S]] : f32
// CHECK-NEXT:    }
func.func @linear(%a: tensor<?x?x?xf32>, %x: tensor<?x?x?xf32>, %B: index,
                  %T: index, %N: index) -> tensor<?x?x?xf32> {
  %h = ssm.scan ins(%a, %x : tensor<?x?x?xf32>, tensor<?x?x?xf32>)
         bounds(%B, %T, %N)
         maps [affine_map<(b, t, n) -> (b, t, n)>,
               affine_map<(b, t, n) -> (b, t, n)>]
         scan_dim 1 -> tensor<?x?x?xf32> {
  ^bb0(%av: f32, %xv: f32, %prev: f32):
    %m = arith.mulf %av, %prev : f32
    %s = arith.addf %m, %xv : f32
    ssm.yield %s : f32
  }
  return %h : tensor<?x?x?xf32>
}

// Backwards from an initial value, classified, with a broadcast input, a
// shifted input read (zero outside) through a symbol, and the loop index.
// CHECK-LABEL: func.func @general(
// CHECK:         ssm.scan ins(%{{.+}}, %{{.+}} : tensor<8x16xf64>, tensor<16xf64>) init(%{{.+}} : tensor<16xf64>) bounds(%{{.+}}, %{{.+}}) symbols(%{{.+}}) maps [#{{.+}}, #{{.+}}] scan_dim 0 reverse kind <general> -> tensor<8x16xf64>
// CHECK:           ssm.index 0 : index
// CHECK:           ssm.yield %{{.+}} : f64
func.func @general(%x: tensor<8x16xf64>, %w: tensor<16xf64>,
                   %g0: tensor<16xf64>, %k: index) -> tensor<8x16xf64> {
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %g = ssm.scan ins(%x, %w : tensor<8x16xf64>, tensor<16xf64>)
         init(%g0 : tensor<16xf64>) bounds(%c8, %c16) symbols(%k)
         maps [affine_map<(t, n)[s] -> (t - s, n)>,
               affine_map<(t, n)[s] -> (n)>]
         scan_dim 0 reverse kind #ssm.kind<general> -> tensor<8x16xf64> {
  ^bb0(%xv: f64, %wv: f64, %prev: f64):
    %t = ssm.index 0 : index
    %ti = arith.index_cast %t : index to i64
    %tf = arith.sitofp %ti : i64 to f64
    %m = arith.mulf %wv, %prev : f64
    %s = arith.addf %m, %xv : f64
    %s2 = arith.addf %s, %tf : f64
    %y = math.tanh %s2 : f64
    ssm.yield %y : f64
  }
  return %g : tensor<8x16xf64>
}

// Complex states.
// CHECK-LABEL: func.func @complex_state(
// CHECK:         ssm.scan ins(%{{.+}} : tensor<4x?xcomplex<f32>>) bounds(%{{.+}}, %{{.+}}) maps [#{{.+}}] scan_dim 1 kind <complex_diagonal> -> tensor<4x?xcomplex<f32>>
func.func @complex_state(%x: tensor<4x?xcomplex<f32>>, %L: index)
    -> tensor<4x?xcomplex<f32>> {
  %c4 = arith.constant 4 : index
  %h = ssm.scan ins(%x : tensor<4x?xcomplex<f32>>) bounds(%c4, %L)
         maps [affine_map<(h, l) -> (h, l)>] scan_dim 1
         kind #ssm.kind<complex_diagonal> -> tensor<4x?xcomplex<f32>> {
  ^bb0(%xv: complex<f32>, %prev: complex<f32>):
    %a = complex.constant [0.5 : f32, 0.25 : f32] : complex<f32>
    %m = complex.mul %a, %prev : complex<f32>
    %s = complex.add %m, %xv : complex<f32>
    ssm.yield %s : complex<f32>
  }
  return %h : tensor<4x?xcomplex<f32>>
}

// The layout hint of the lowering: the steps vectorize along dimension 1.
// CHECK-LABEL: func.func @vector_dim(
// CHECK:         ssm.scan ins(%{{.+}} : tensor<8x16x4xf32>) bounds(%{{.+}}, %{{.+}}, %{{.+}}) maps [#{{.+}}] scan_dim 0 {vector_dim = 1 : i64} -> tensor<8x16x4xf32> {
func.func @vector_dim(%x: tensor<8x16x4xf32>, %t: index, %d: index,
                      %n: index) -> tensor<8x16x4xf32> {
  %h = ssm.scan ins(%x : tensor<8x16x4xf32>) bounds(%t, %d, %n)
         maps [affine_map<(t, d, n) -> (t, d, n)>] scan_dim 0
         {vector_dim = 1 : i64} -> tensor<8x16x4xf32> {
  ^bb0(%v: f32, %p: f32):
    %s = arith.addf %v, %p : f32
    ssm.yield %s : f32
  }
  return %h : tensor<8x16x4xf32>
}

// A recurrence whose step reads the whole previous slice (a dense
// transition A), backwards, classified.
// CHECK-LABEL: func.func @dense(
// CHECK:         ssm.recurrence init(%{{.+}} : tensor<?xf32>) length(%{{.+}}) scan_dim 0 reverse kind <dense> -> tensor<?x?xf32> {
// CHECK-NEXT:    ^bb0(%[[POS:.+]]: index, %[[PREV:.+]]: tensor<?xf32>):
// CHECK:           tess.contract sum ins(%{{.+}}, %[[PREV]] :
// CHECK:           ssm.yield %{{.+}} : tensor<?xf32>
func.func @dense(%a: tensor<?x?xf32>, %h0: tensor<?xf32>, %t: index,
                 %n: index) -> tensor<?x?xf32> {
  %h = ssm.recurrence init(%h0 : tensor<?xf32>) length(%t) scan_dim 0 reverse
         kind <dense> -> tensor<?x?xf32> {
  ^bb0(%pos: index, %prev: tensor<?xf32>):
    %s = tess.contract sum ins(%a, %prev : tensor<?x?xf32>, tensor<?xf32>)
           bounds(%n, %n) maps [affine_map<(i, j) -> (i, j)>,
                                affine_map<(i, j) -> (j)>,
                                affine_map<(i, j) -> (i)>] -> tensor<?xf32> {
    ^bb0(%av: f32, %pv: f32):
      %m = arith.mulf %av, %pv : f32
      tess.yield %m : f32
    }
    ssm.yield %s : tensor<?xf32>
  }
  return %h : tensor<?x?xf32>
}

// Dense discretization: zero-order hold with one input, bilinear with a
// dynamic order and several inputs.
// CHECK-LABEL: func.func @discretize(
// CHECK:         %{{.+}}, %{{.+}} = ssm.discretize <zoh> %{{.+}}, %{{.+}}, %{{.+}} : tensor<4x4xf32>, tensor<4xf32>, tensor<f32>
// CHECK:         %{{.+}}, %{{.+}} = ssm.discretize <bilinear> %{{.+}}, %{{.+}}, %{{.+}} : tensor<?x?xf64>, tensor<?x3xf64>, tensor<f64>
func.func @discretize(%a: tensor<4x4xf32>, %b: tensor<4xf32>, %dt: tensor<f32>,
                      %a2: tensor<?x?xf64>, %b2: tensor<?x3xf64>,
                      %dt2: tensor<f64>)
    -> (tensor<4x4xf32>, tensor<4xf32>, tensor<?x?xf64>, tensor<?x3xf64>) {
  %abar, %bbar = ssm.discretize <zoh> %a, %b, %dt
      : tensor<4x4xf32>, tensor<4xf32>, tensor<f32>
  %abar2, %bbar2 = ssm.discretize <bilinear> %a2, %b2, %dt2
      : tensor<?x?xf64>, tensor<?x3xf64>, tensor<f64>
  return %abar, %bbar, %abar2, %bbar2
      : tensor<4x4xf32>, tensor<4xf32>, tensor<?x?xf64>, tensor<?x3xf64>
}
