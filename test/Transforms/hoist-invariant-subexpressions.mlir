// RUN: tess-opt %s --pass-pipeline="builtin.module(func.func(tess-hoist-invariant-subexpressions))" --split-input-file | FileCheck %s

// The S4D kernel: C (exp(dtA) - 1) / A reads only (h, n) of the loops
// (h, l, n), so it is computed once per (h, n) in a contraction of its own
// and the sum reads it as a new input; exp(dtA l) needs l and stays.

// CHECK-DAG:   #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[HN:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG:   #[[HL:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @s4d_kernel(
// CHECK-SAME:      %[[C:[^:]+]]: tensor<?x?xcomplex<f32>>, %[[DTA:[^:]+]]: tensor<?x?xcomplex<f32>>, %[[A:[^:]+]]: tensor<?x?xcomplex<f32>>, %[[H:[^:]+]]: index, %[[L:[^:]+]]: index, %[[N:[^:]+]]: index
// CHECK:         %[[W:.+]] = tess.contract sum ins(%[[C]], %[[DTA]], %[[A]] : {{.+}}) bounds(%[[H]], %[[N]]) maps [#[[ID]], #[[ID]], #[[ID]], #[[ID]]] -> tensor<?x?xcomplex<f32>> {
// CHECK:           complex.exp
// CHECK:           complex.sub
// CHECK:           complex.mul
// CHECK:           %[[Q:.+]] = complex.div
// CHECK:           tess.yield %[[Q]] : complex<f32>
// CHECK:         tess.contract sum ins(%[[C]], %[[DTA]], %[[A]], %[[W]] : {{.+}}) bounds(%[[H]], %[[L]], %[[N]]) maps [#[[HN]], #[[HN]], #[[HN]], #[[HN]], #[[HL]]] -> tensor<?x?xf32> {
// CHECK:         ^bb0(%{{.+}}: complex<f32>, %[[DV:.+]]: complex<f32>, %{{.+}}: complex<f32>, %[[WV:.+]]: complex<f32>):
// CHECK-NOT:       complex.div
// CHECK:           tess.index 1
// CHECK:           %[[E:.+]] = complex.exp
// CHECK:           complex.mul %[[WV]], %[[E]]
// CHECK-NOT:       complex.div
// CHECK:           tess.yield
func.func @s4d_kernel(%c: tensor<?x?xcomplex<f32>>, %dta: tensor<?x?xcomplex<f32>>,
                      %a: tensor<?x?xcomplex<f32>>, %h: index, %l: index,
                      %n: index) -> tensor<?x?xf32> {
  %k = tess.contract sum ins(%c, %dta, %a : tensor<?x?xcomplex<f32>>, tensor<?x?xcomplex<f32>>, tensor<?x?xcomplex<f32>>)
         bounds(%h, %l, %n)
         maps [affine_map<(h, l, n) -> (h, n)>, affine_map<(h, l, n) -> (h, n)>,
               affine_map<(h, l, n) -> (h, n)>, affine_map<(h, l, n) -> (h, l)>]
         -> tensor<?x?xf32> {
  ^bb0(%cv: complex<f32>, %dv: complex<f32>, %av: complex<f32>):
    %two = arith.constant 2.0 : f32
    %e = complex.exp %dv : complex<f32>
    %one = complex.constant [1.0 : f32, 0.0 : f32] : complex<f32>
    %s = complex.sub %e, %one : complex<f32>
    %m = complex.mul %cv, %s : complex<f32>
    %w = complex.div %m, %av : complex<f32>
    %i = tess.index 1 : index
    %li = arith.index_cast %i : index to i64
    %lc = tess.cast %li : i64 to complex<f32>
    %x = complex.mul %dv, %lc : complex<f32>
    %v = complex.exp %x : complex<f32>
    %p = complex.mul %w, %v : complex<f32>
    %r = complex.re %p : complex<f32>
    %y = arith.mulf %two, %r : f32
    tess.yield %y : f32
  }
  return %k : tensor<?x?xf32>
}

// -----

// A compound subscript and a symbol go with the input into the new
// contraction (its loops renumbered: (t, k) of (t, j, k)), and a tess.index
// of a loop it keeps becomes that loop's new number.
// CHECK-DAG:   #[[SHIFT:.+]] = affine_map<(d0, d1)[s0] -> (d0 - d1 + s0)>
// CHECK-DAG:   #[[ID2:.+]] = affine_map<(d0, d1)[s0] -> (d0, d1)>
// CHECK-LABEL: func.func @subscripts(
// CHECK:         tess.contract sum ins(%{{.+}} : tensor<?xf32>) bounds(%{{.+}}, %{{.+}}) symbols(%[[S:.+]]) maps [#[[SHIFT]], #[[ID2]]] -> tensor<?x?xf32> {
// CHECK:           %[[K:.+]] = tess.index 1 : index
// CHECK:           arith.index_cast %[[K]]
// CHECK:           math.exp
// CHECK:         tess.contract sum ins(%{{.+}}, %{{.+}}, %{{.+}} : {{.+}}) bounds(%{{.+}}, %{{.+}}, %{{.+}}) symbols(%[[S]]) maps
// CHECK-NOT:       math.exp
// CHECK:           tess.yield
func.func @subscripts(%x: tensor<?xf32>, %w: tensor<?x?xf32>, %t: index,
                      %j: index, %k: index, %s: index) -> tensor<?x?xf32> {
  %y = tess.contract sum ins(%x, %w : tensor<?xf32>, tensor<?x?xf32>)
         bounds(%t, %j, %k) symbols(%s)
         maps [affine_map<(t, j, k)[s] -> (t - k + s)>,
               affine_map<(t, j, k)[s] -> (k, j)>,
               affine_map<(t, j, k)[s] -> (t, j)>] -> tensor<?x?xf32> {
  ^bb0(%xv: f32, %wv: f32):
    %i = tess.index 2 : index
    %ii = arith.index_cast %i : index to i32
    %if = arith.sitofp %ii : i32 to f32
    %a = arith.addf %xv, %if : f32
    %e = math.exp %a : f32
    %p = arith.mulf %e, %wv : f32
    tess.yield %p : f32
  }
  return %y : tensor<?x?xf32>
}

// -----

// Left alone: cheap parts (a product), parts that read no loop (a size's
// square root, computed once anyway), parts whose other loops run once, and
// contractions inside a loop (a scan's steps).
// CHECK-LABEL: func.func @unchanged(
// CHECK-COUNT-4: tess.contract
// CHECK-NOT:     tess.contract
func.func @unchanged(%a: tensor<?x?xf32>, %b: tensor<?xf32>, %c: tensor<?x1xf32>,
                     %m: index, %n: index) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x1xf32>, tensor<?x?xf32>) {
  %one = arith.constant 1 : index
  %cheap = tess.contract sum ins(%a, %b : tensor<?x?xf32>, tensor<?xf32>) bounds(%m, %n)
         maps [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>,
               affine_map<(i, j) -> (i, j)>] -> tensor<?x?xf32> {
  ^bb0(%x: f32, %y: f32):
    %y2 = arith.mulf %y, %y : f32
    %p = arith.mulf %x, %y2 : f32
    tess.yield %p : f32
  }
  %nf = arith.index_cast %n : index to i64
  %root = tess.contract sum ins(%a : tensor<?x?xf32>) bounds(%m, %n)
         maps [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>] -> tensor<?x?xf32> {
  ^bb0(%x: f32):
    %f = arith.sitofp %nf : i64 to f32
    %r = math.sqrt %f : f32
    %q = arith.divf %x, %r : f32
    tess.yield %q : f32
  }
  %once = tess.contract sum ins(%c : tensor<?x1xf32>) bounds(%m, %one)
         maps [affine_map<(i, j) -> (i, 0)>, affine_map<(i, j) -> (i, j)>] -> tensor<?x1xf32> {
  ^bb0(%x: f32):
    %e = math.exp %x : f32
    tess.yield %e : f32
  }
  %lb = arith.constant 0 : index
  %loop = scf.for %s = %lb to %n step %one iter_args(%acc = %a) -> tensor<?x?xf32> {
    %step = tess.contract sum ins(%b, %acc : tensor<?xf32>, tensor<?x?xf32>) bounds(%m, %n)
           maps [affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i, j)>,
                 affine_map<(i, j) -> (i, j)>] -> tensor<?x?xf32> {
    ^bb0(%y: f32, %x: f32):
      %e = math.exp %y : f32
      %p = arith.mulf %e, %x : f32
      tess.yield %p : f32
    }
    scf.yield %step : tensor<?x?xf32>
  }
  return %cheap, %root, %once, %loop : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x1xf32>, tensor<?x?xf32>
}
