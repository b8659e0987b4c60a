// RUN: tess-opt %s --convert-ssm-to-tess --split-input-file | FileCheck %s

// A forward scan from zeros: one tess.contract per step over the other
// dimensions, the inputs read at the plain scan index sliced at the step's
// position; the result and the state are carried (the state in a tensor of
// its own, so that each step can write its slice of the result in place),
// each step inserted into the result and copied into the state.
// CHECK-LABEL: func.func @linear(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<?x?x?xf32>, %[[X:[^:]+]]: tensor<?x?x?xf32>, %[[B:[^:]+]]: index, %[[T:[^:]+]]: index, %[[N:[^:]+]]: index)
// CHECK-DAG:     %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[EMPTY:.+]] = tensor.empty(%[[B]], %[[T]], %[[N]]) : tensor<?x?x?xf32>
// CHECK-DAG:     %[[H0:.+]] = tess.splat %[[ZERO]] [%[[B]], %[[N]]] : f32 -> tensor<?x?xf32>
// CHECK:         %[[R:.+]]:2 = scf.for %[[I:.+]] = %{{.+}} to %[[T]] step %{{.+}} iter_args(%[[PREV:.+]] = %[[H0]], %[[ACC:.+]] = %[[EMPTY]])
// CHECK:           %[[AS:.+]] = tensor.extract_slice %[[A]][0, %[[I]], 0] [%{{.+}}, 1, %{{.+}}] [1, 1, 1] : tensor<?x?x?xf32> to tensor<?x?xf32>
// CHECK:           %[[XS:.+]] = tensor.extract_slice %[[X]][0, %[[I]], 0]
// CHECK:           %[[S:.+]] = tess.contract sum ins(%[[AS]], %[[XS]], %[[PREV]] : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) bounds(%[[B]], %[[N]]) symbols(%[[I]])
// CHECK-NEXT:      ^bb0(%[[AV:.+]]: f32, %[[XV:.+]]: f32, %[[PV:.+]]: f32):
// CHECK-NEXT:        %[[M:.+]] = arith.mulf %[[AV]], %[[PV]] : f32
// CHECK-NEXT:        %[[SUM:.+]] = arith.addf %[[M]], %[[XV]] : f32
// CHECK-NEXT:        tess.yield %[[SUM]] : f32
// CHECK:           %[[INS:.+]] = tensor.insert_slice %[[S]] into %[[ACC]][0, %[[I]], 0] [%[[B]], 1, %[[N]]] [1, 1, 1]
// CHECK:           %[[NEXT:.+]] = linalg.copy ins(%[[S]] : tensor<?x?xf32>) outs(%[[PREV]] : tensor<?x?xf32>)
// CHECK:           scf.yield %[[NEXT]], %[[INS]]
// CHECK:         return %[[R]]#1
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

// -----

// Backwards from `init`: the position runs from T - 1 down; an input read at
// a compound subscript keeps the whole tensor and reads the position through
// a new last symbol; ssm.index of the scan dimension is the position.
// CHECK:       #[[SHIFTED:.+]] = affine_map<(d0)[s0, s1] -> (s1 - s0, d0)>
// CHECK-LABEL: func.func @reverse_init(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<8x16xf64>, %[[W:[^:]+]]: tensor<16xf64>, %[[G0:[^:]+]]: tensor<16xf64>, %[[K:[^:]+]]: index)
// CHECK-DAG:     %[[SEVEN:.+]] = arith.constant 7 : index
// CHECK:         scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[PREV:.+]] = %[[G0]], %{{.+}} = %{{.+}})
// CHECK:           %[[P:.+]] = arith.subi %[[SEVEN]], %[[I]] : index
// CHECK:           tess.contract sum ins(%[[X]], %[[W]], %[[PREV]] : tensor<8x16xf64>, tensor<16xf64>, tensor<16xf64>) bounds(%{{.+}}) symbols(%[[K]], %[[P]]) maps [#[[SHIFTED]],
// CHECK:             arith.index_cast %[[P]] : index to i64
// CHECK:             math.tanh
// CHECK:           tensor.insert_slice %{{.+}} into %{{.+}}[%[[P]], 0] [1, 16] [1, 1] : tensor<16xf64> into tensor<8x16xf64>
func.func @reverse_init(%x: tensor<8x16xf64>, %w: tensor<16xf64>,
                        %g0: tensor<16xf64>, %k: index) -> tensor<8x16xf64> {
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %g = ssm.scan ins(%x, %w : tensor<8x16xf64>, tensor<16xf64>)
         init(%g0 : tensor<16xf64>) bounds(%c8, %c16) symbols(%k)
         maps [affine_map<(t, n)[s] -> (t - s, n)>,
               affine_map<(t, n)[s] -> (n)>]
         scan_dim 0 reverse -> tensor<8x16xf64> {
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

// -----

// Complex states start from complex zeros; ssm.index of another dimension
// becomes tess.index, renumbered past the scan dimension.
// CHECK-LABEL: func.func @complex_state(
// CHECK:         %[[Z:.+]] = complex.constant [0.000000e+00 : f32, 0.000000e+00 : f32] : complex<f32>
// CHECK:         tess.splat %[[Z]] : complex<f32> -> tensor<4xcomplex<f32>>
// CHECK:         tess.contract sum
// CHECK:           tess.index 0 : index
// CHECK:           complex.mul
func.func @complex_state(%x: tensor<?x4xcomplex<f32>>, %L: index)
    -> tensor<?x4xcomplex<f32>> {
  %c4 = arith.constant 4 : index
  %h = ssm.scan ins(%x : tensor<?x4xcomplex<f32>>) bounds(%L, %c4)
         maps [affine_map<(l, h) -> (l, h)>] scan_dim 0
         -> tensor<?x4xcomplex<f32>> {
  ^bb0(%xv: complex<f32>, %prev: complex<f32>):
    %i = ssm.index 1 : index
    %ii = arith.index_cast %i : index to i64
    %f = arith.sitofp %ii : i64 to f32
    %z = arith.constant 0.0 : f32
    %a = complex.create %f, %z : complex<f32>
    %m = complex.mul %a, %prev : complex<f32>
    %s = complex.add %m, %xv : complex<f32>
    ssm.yield %s : complex<f32>
  }
  return %h : tensor<?x4xcomplex<f32>>
}

// -----

// A consumer that reads each step's state once, at the scan position (here
// the sum over n of Mamba's readout, y[b, l] = sum_n h[b, l, n] * c[b, n, l]),
// is computed by the scan's loop: its step reads the step's state, and the
// state sequence (b, l, n) is never stored. c's slice of a step is strided
// along n (l is innermost in c), along which the step vectorizes: it is
// copied contiguous first. A consumer that reads the states at another
// position keeps them stored.
// CHECK-LABEL: func.func @readout(
// CHECK-SAME:      %{{[^:]+}}: tensor<?x?x?xf32>, %[[C:[^:]+]]: tensor<?x?x?xf32>
// CHECK-NOT:     tensor.empty({{.+}}) : tensor<?x?x?xf32>
// CHECK:         %[[Y0:.+]] = tensor.empty(%{{.+}}, %{{.+}}) : tensor<?x?xf32>
// CHECK:         %[[R:.+]]:2 = scf.for %[[I:.+]] = {{.+}} iter_args(%[[PREV:.+]] = %{{.+}}, %[[Y:.+]] = %[[Y0]]) -> (tensor<?x?xf32>, tensor<?x?xf32>)
// CHECK:           %[[S:.+]] = tess.contract sum ins(%{{.+}}, %[[PREV]] :
// CHECK:           %[[CS:.+]] = tensor.extract_slice %[[C]][0, 0, %[[I]]]
// CHECK:           %[[CC:.+]] = linalg.copy ins(%[[CS]] : tensor<?x?xf32>)
// CHECK:           %[[YS:.+]] = tess.contract sum ins(%[[S]], %[[CC]] : tensor<?x?xf32>, tensor<?x?xf32>) bounds(%{{.+}}, %{{.+}}) symbols(%[[I]]) maps [{{.+}}] -> tensor<?xf32>
// CHECK:             arith.mulf
// CHECK:           %[[YI:.+]] = tensor.insert_slice %[[YS]] into %[[Y]][0, %[[I]]] [%{{.+}}, 1] [1, 1]
// CHECK:           scf.yield %{{.+}}, %[[YI]]
// CHECK:         return %[[R]]#1
func.func @readout(%a: tensor<?x?x?xf32>, %c: tensor<?x?x?xf32>, %B: index,
                   %L: index, %N: index) -> tensor<?x?xf32> {
  %h = ssm.scan ins(%a : tensor<?x?x?xf32>) bounds(%B, %L, %N)
         maps [affine_map<(b, l, n) -> (b, l, n)>] scan_dim 1
         -> tensor<?x?x?xf32> {
  ^bb0(%av: f32, %prev: f32):
    %m = arith.mulf %av, %prev : f32
    %s = arith.addf %m, %av : f32
    ssm.yield %s : f32
  }
  %y = tess.contract sum ins(%h, %c : tensor<?x?x?xf32>, tensor<?x?x?xf32>)
         bounds(%B, %L, %N)
         maps [affine_map<(b, l, n) -> (b, l, n)>,
               affine_map<(b, l, n) -> (b, n, l)>,
               affine_map<(b, l, n) -> (b, l)>] -> tensor<?x?xf32> {
  ^bb0(%hv: f32, %cv: f32):
    %p = arith.mulf %hv, %cv : f32
    tess.yield %p : f32
  }
  return %y : tensor<?x?xf32>
}

// CHECK-LABEL: func.func @shifted_reader(
// CHECK:         %[[R:.+]]:2 = scf.for {{.+}} -> (tensor<?xf32>, tensor<?x?xf32>)
// CHECK:         tess.contract sum ins(%[[R]]#1 :
func.func @shifted_reader(%a: tensor<?x?xf32>, %L: index, %N: index)
    -> tensor<?x?xf32> {
  %h = ssm.scan ins(%a : tensor<?x?xf32>) bounds(%L, %N)
         maps [affine_map<(l, n) -> (l, n)>] scan_dim 0 -> tensor<?x?xf32> {
  ^bb0(%av: f32, %prev: f32):
    %s = arith.addf %av, %prev : f32
    ssm.yield %s : f32
  }
  %y = tess.contract sum ins(%h : tensor<?x?xf32>) bounds(%L, %N)
         maps [affine_map<(l, n) -> (l + 1, n)>,
               affine_map<(l, n) -> (l, n)>] -> tensor<?x?xf32> {
  ^bb0(%hv: f32):
    tess.yield %hv : f32
  }
  return %y : tensor<?x?xf32>
}

// -----

// With `vector_dim` (set by ssm-tile-scans) the state between steps is laid
// out with that dimension innermost: here (n, d) for a scan over t of
// (d, n) channels vectorized along d. The initial state is transposed into
// that layout, the step runs its loops in that order (`ssm.index 1`, d, is
// the step's `tess.index 1`), reads x's slice transposed the same way (d
// is not innermost in x), and each stored state is transposed back.
// CHECK-LABEL: func.func @vector_dim(
// CHECK:         %[[INIT:.+]] = tess.contract sum ins(%{{.+}} : tensor<32x4xf32>) {{.+}} -> tensor<4x32xf32>
// CHECK:         scf.for %{{.+}} iter_args(%[[PREV:.+]] = %[[INIT]], %{{.+}} = %{{.+}}) -> (tensor<4x32xf32>, tensor<8x32x4xf32>)
// CHECK:           %[[XT:.+]] = linalg.transpose ins(%{{.+}} : tensor<32x4xf32>) outs(%{{.+}} : tensor<4x32xf32>) permutation = [1, 0]
// CHECK:           %[[S:.+]] = tess.contract sum ins(%[[XT]], %[[PREV]] : tensor<4x32xf32>, tensor<4x32xf32>)
// CHECK:             tess.index 1 : index
// CHECK:           %[[BACK:.+]] = tess.contract sum ins(%[[S]] : tensor<4x32xf32>) {{.+}} -> tensor<32x4xf32>
// CHECK:           tensor.insert_slice %[[BACK]]
func.func @vector_dim(%x: tensor<8x32x4xf32>, %h0: tensor<32x4xf32>) -> tensor<8x32x4xf32> {
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  %c4 = arith.constant 4 : index
  %h = ssm.scan ins(%x : tensor<8x32x4xf32>) init(%h0 : tensor<32x4xf32>)
         bounds(%c8, %c32, %c4) maps [affine_map<(t, d, n) -> (t, d, n)>]
         scan_dim 0 {vector_dim = 1 : i64} -> tensor<8x32x4xf32> {
  ^bb0(%v: f32, %p: f32):
    %d = ssm.index 1 : index
    %di = arith.index_cast %d : index to i64
    %df = arith.sitofp %di : i64 to f32
    %m = arith.mulf %p, %df : f32
    %s = arith.addf %v, %m : f32
    ssm.yield %s : f32
  }
  return %h : tensor<8x32x4xf32>
}

// -----

// ssm.recurrence: a loop over the positions (backwards here) carrying the
// previous slice (the initial one first, then copies of the new ones: a
// step may read the previous slice anywhere) and the result; each
// iteration is the body with the position and the previous slice, its
// slice inserted into the result at the position.
// CHECK-LABEL: func.func @slice_recurrence(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<?x?xf32>, %[[H0:[^:]+]]: tensor<?xf32>, %[[T:[^:]+]]: index
// CHECK:         %[[E:.+]] = tensor.empty(%[[T]], %{{.+}}) : tensor<?x?xf32>
// CHECK:         %[[R:.+]]:2 = scf.for %[[I:.+]] = %c0 to %[[T]] step %c1 iter_args(%[[PREV:.+]] = %[[H0]], %[[ACC:.+]] = %[[E]])
// CHECK:           %[[LAST:.+]] = arith.subi %[[T]], %c1
// CHECK:           %[[POS:.+]] = arith.subi %[[LAST]], %[[I]]
// CHECK:           %[[S:.+]] = tess.contract sum ins(%[[A]], %[[PREV]] :
// CHECK:           %[[INS:.+]] = tensor.insert_slice %[[S]] into %[[ACC]][%[[POS]], 0]
// CHECK:           %[[NEXT:.+]] = linalg.copy ins(%[[S]] : tensor<?xf32>) outs(%[[PREV]] : tensor<?xf32>)
// CHECK:           scf.yield %[[NEXT]], %[[INS]]
// CHECK:         return %[[R]]#1
func.func @slice_recurrence(%a: tensor<?x?xf32>, %h0: tensor<?xf32>, %t: index,
                            %n: index) -> tensor<?x?xf32> {
  %h = ssm.recurrence init(%h0 : tensor<?xf32>) length(%t) scan_dim 0 reverse
         -> tensor<?x?xf32> {
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
