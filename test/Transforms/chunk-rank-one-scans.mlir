// RUN: tess-opt %s --ssm-chunk-rank-one-scans --split-input-file | FileCheck %s

// Causal linear attention S[t, i, j] = S[t - 1, i, j] + k[t, i] v[t, j],
// y[t, j] = q[t, i] S[t, i, j] at T = 200 (4 chunks of 64, the last
// partial): keys, values and queries by (chunk, position); Q K^T over i,
// masked to u <= s; times V over u; each chunk's K^T V; one scan over the
// 4 chunks for the state entering each (reading the previous chunk's
// increment, c - 1); Q times it over i; the two terms added at
// (t floordiv 64, t mod 64). No scan over the 200 positions remains, and
// no state per position is stored.
// CHECK-DAG: #[[CHUNKED:.+]] = affine_map<(d0, d1, d2) -> (d0 * 64 + d1, d2)>
// CHECK-DAG: #[[PREV:.+]] = affine_map<(d0, d1, d2) -> (d0 - 1, d1, d2)>
// CHECK-DAG: #[[AT:.+]] = affine_map<(d0, d1) -> (d0 floordiv 64, d0 mod 64, d1)>
// CHECK-LABEL: func.func @linear_attention(
// CHECK-NOT:     ssm.scan
// CHECK:         %[[K:.+]] = tess.contract sum ins(%arg1 : tensor<200x16xf32>) {{.+}} maps [#[[CHUNKED]], {{.+}}] -> tensor<4x64x16xf32>
// CHECK:           arith.cmpi ult
// CHECK:         %[[V:.+]] = tess.contract sum ins(%arg2 : tensor<200x8xf32>) {{.+}} -> tensor<4x64x8xf32>
// CHECK:         %[[Q:.+]] = tess.contract sum ins(%arg0 : tensor<200x16xf32>) {{.+}} -> tensor<4x64x16xf32>
// CHECK:         %[[QK:.+]] = tess.contract sum ins(%[[Q]], %[[K]] : {{.+}}) {{.+}} -> tensor<4x64x64xf32>
// CHECK:         %[[MASKED:.+]] = tess.contract sum ins(%[[QK]] : {{.+}}) {{.+}} -> tensor<4x64x64xf32>
// CHECK:           arith.cmpi uge
// CHECK:         %[[INTRA:.+]] = tess.contract sum ins(%[[MASKED]], %[[V]] : {{.+}}) {{.+}} -> tensor<4x64x8xf32>
// CHECK:         %[[KV:.+]] = tess.contract sum ins(%[[K]], %[[V]] : {{.+}}) {{.+}} -> tensor<4x16x8xf32>
// CHECK:         %[[STATES:.+]] = ssm.scan ins(%[[KV]] : tensor<4x16x8xf32>) {{.+}} maps [#[[PREV]]] scan_dim 0 kind <scalar> -> tensor<4x16x8xf32>
// CHECK:         %[[INTER:.+]] = tess.contract sum ins(%[[Q]], %[[STATES]] : {{.+}}) {{.+}} -> tensor<4x64x8xf32>
// CHECK:         %[[Y:.+]] = tess.contract sum ins(%[[INTRA]], %[[INTER]] : {{.+}}) {{.+}} maps [#[[AT]], #[[AT]], {{.+}}] -> tensor<200x8xf32>
// CHECK:         return %[[Y]]
func.func @linear_attention(%q: tensor<200x16xf32>, %k: tensor<200x16xf32>,
                            %v: tensor<200x8xf32>) -> tensor<200x8xf32> {
  %c200 = arith.constant 200 : index
  %c16 = arith.constant 16 : index
  %c8 = arith.constant 8 : index
  %S = ssm.scan ins(%k, %v : tensor<200x16xf32>, tensor<200x8xf32>)
         bounds(%c200, %c16, %c8)
         maps [affine_map<(t, i, j) -> (t, i)>, affine_map<(t, i, j) -> (t, j)>]
         scan_dim 0 kind <scalar> -> tensor<200x16x8xf32> {
  ^bb0(%kv: f32, %vv: f32, %prev: f32):
    %p = arith.mulf %kv, %vv : f32
    %s = arith.addf %prev, %p : f32
    ssm.yield %s : f32
  }
  %y = tess.contract sum ins(%q, %S : tensor<200x16xf32>, tensor<200x16x8xf32>)
         bounds(%c200, %c16, %c8)
         maps [affine_map<(t, i, j) -> (t, i)>, affine_map<(t, i, j) -> (t, i, j)>,
               affine_map<(t, i, j) -> (t, j)>] -> tensor<200x8xf32> {
  ^bb0(%qv: f32, %sv: f32):
    %m = arith.mulf %qv, %sv : f32
    tess.yield %m : f32
  }
  return %y : tensor<200x8xf32>
}

// -----

// Mamba-2's form: a decay exp(dt[t, h] * A[h]) per head, keys B[t, n] and
// queries C[t, n] shared by the heads. The decays between positions are a
// scan along s (M[s, u] = g[s] M[s - 1, u] + (s == u)) over (head, chunk,
// u); C B^T is computed once for all heads (no h in it) and masked by M per
// head; the decay scales the keys to the chunk's end and the carried state
// (a scan over the chunks that reads g and M at the previous chunk).
// CHECK-LABEL: func.func @ssd(
// CHECK:         %[[K:.+]] = tess.contract sum ins(%arg3 : tensor<?x?xf32>) {{.+}} -> tensor<?x64x?xf32>
// CHECK:         %[[V:.+]] = tess.contract sum ins(%arg1, %arg0 : {{.+}}) {{.+}} -> tensor<?x?x64x?xf32>
// CHECK:         %[[Q:.+]] = tess.contract sum ins(%arg4 : tensor<?x?xf32>) {{.+}} -> tensor<?x64x?xf32>
// CHECK:         %[[G:.+]] = tess.contract sum ins(%arg1, %arg2 : {{.+}}) {{.+}} -> tensor<?x?x64xf32>
// CHECK:           math.exp
// CHECK:         %[[M:.+]] = ssm.scan ins(%[[G]] : tensor<?x?x64xf32>) {{.+}} scan_dim 2 kind <diagonal> -> tensor<?x?x64x64xf32>
// CHECK:           ssm.index 2
// CHECK:           ssm.index 3
// CHECK:         %[[QK:.+]] = tess.contract sum ins(%[[Q]], %[[K]] : {{.+}}) {{.+}} -> tensor<?x64x64xf32>
// CHECK:         %[[MASKED:.+]] = tess.contract sum ins(%[[QK]], %[[M]] : {{.+}}) {{.+}} -> tensor<?x?x64x64xf32>
// CHECK:         %[[INTRA:.+]] = tess.contract sum ins(%[[MASKED]], %[[V]] : {{.+}}) {{.+}} -> tensor<?x?x64x?xf32>
// CHECK:         %[[KW:.+]] = tess.contract sum ins(%[[K]], %[[M]] : {{.+}}) {{.+}} -> tensor<?x?x64x?xf32>
// CHECK:         %[[KV:.+]] = tess.contract sum ins(%[[KW]], %[[V]] : {{.+}}) {{.+}} -> tensor<?x?x?x?xf32>
// CHECK:         %[[STATES:.+]] = ssm.scan ins(%[[KV]], %[[G]], %[[M]] : {{.+}}) {{.+}} scan_dim 1 kind <diagonal> -> tensor<?x?x?x?xf32>
// CHECK:         %[[INTER:.+]] = tess.contract sum ins(%[[Q]], %[[STATES]] : {{.+}}) {{.+}} -> tensor<?x?x64x?xf32>
// CHECK:         tess.contract sum ins(%[[INTRA]], %[[INTER]], %[[G]], %[[M]] : {{.+}}) {{.+}} -> tensor<?x?x?xf32>
// CHECK-NOT:     ssm.scan
func.func @ssd(%x: tensor<?x?x?xf32>, %dt: tensor<?x?xf32>, %A: tensor<?xf32>,
               %B: tensor<?x?xf32>, %C: tensor<?x?xf32>) -> tensor<?x?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %T = tensor.dim %x, %c0 : tensor<?x?x?xf32>
  %H = tensor.dim %x, %c1 : tensor<?x?x?xf32>
  %P = tensor.dim %x, %c2 : tensor<?x?x?xf32>
  %N = tensor.dim %B, %c1 : tensor<?x?xf32>
  %s = ssm.scan ins(%dt, %A, %x, %B : tensor<?x?xf32>, tensor<?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>)
         bounds(%T, %H, %P, %N)
         maps [affine_map<(t, h, p, n) -> (t, h)>, affine_map<(t, h, p, n) -> (h)>,
               affine_map<(t, h, p, n) -> (t, h, p)>, affine_map<(t, h, p, n) -> (t, n)>]
         scan_dim 0 -> tensor<?x?x?x?xf32> {
  ^bb0(%d: f32, %a: f32, %xv: f32, %b: f32, %prev: f32):
    %da = arith.mulf %d, %a : f32
    %g = math.exp %da : f32
    %gs = arith.mulf %g, %prev : f32
    %dx = arith.mulf %d, %xv : f32
    %u = arith.mulf %dx, %b : f32
    %n = arith.addf %gs, %u : f32
    ssm.yield %n : f32
  }
  %y = tess.contract sum ins(%C, %s : tensor<?x?xf32>, tensor<?x?x?x?xf32>)
         bounds(%T, %H, %P, %N)
         maps [affine_map<(t, h, p, n) -> (t, n)>, affine_map<(t, h, p, n) -> (t, h, p, n)>,
               affine_map<(t, h, p, n) -> (t, h, p)>] -> tensor<?x?x?xf32> {
  ^bb0(%cv: f32, %sv: f32):
    %m = arith.mulf %cv, %sv : f32
    tess.yield %m : f32
  }
  return %y : tensor<?x?x?xf32>
}

// -----

// Left to ssm-tile-scans: a decay per key dimension (g[t, i]: a gate, not a
// scalar decay), a state read twice, an initial value, and a state of 4 x 4
// static elements.
// CHECK-LABEL: func.func @unchanged(
// CHECK-COUNT-4: ssm.scan
// CHECK-NOT:     ssm.scan
func.func @unchanged(%g: tensor<?x16xf32>, %k: tensor<?x16xf32>,
                     %v: tensor<?x8xf32>, %q: tensor<?x16xf32>,
                     %s0: tensor<16x8xf32>, %k4: tensor<?x4xf32>,
                     %v4: tensor<?x4xf32>, %q4: tensor<?x4xf32>)
    -> (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>,
        tensor<?x4xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %T = tensor.dim %k, %c0 : tensor<?x16xf32>
  %gated = ssm.scan ins(%g, %k, %v : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x8xf32>)
         bounds(%T, %c16, %c8)
         maps [affine_map<(t, i, j) -> (t, i)>, affine_map<(t, i, j) -> (t, i)>,
               affine_map<(t, i, j) -> (t, j)>]
         scan_dim 0 -> tensor<?x16x8xf32> {
  ^bb0(%gv: f32, %kv: f32, %vv: f32, %prev: f32):
    %gs = arith.mulf %gv, %prev : f32
    %p = arith.mulf %kv, %vv : f32
    %s = arith.addf %gs, %p : f32
    ssm.yield %s : f32
  }
  %y1 = tess.contract sum ins(%q, %gated : tensor<?x16xf32>, tensor<?x16x8xf32>)
         bounds(%T, %c16, %c8)
         maps [affine_map<(t, i, j) -> (t, i)>, affine_map<(t, i, j) -> (t, i, j)>,
               affine_map<(t, i, j) -> (t, j)>] -> tensor<?x8xf32> {
  ^bb0(%qv: f32, %sv: f32):
    %m = arith.mulf %qv, %sv : f32
    tess.yield %m : f32
  }
  %twice = ssm.scan ins(%k, %v : tensor<?x16xf32>, tensor<?x8xf32>)
         bounds(%T, %c16, %c8)
         maps [affine_map<(t, i, j) -> (t, i)>, affine_map<(t, i, j) -> (t, j)>]
         scan_dim 0 -> tensor<?x16x8xf32> {
  ^bb0(%kv: f32, %vv: f32, %prev: f32):
    %p = arith.mulf %kv, %vv : f32
    %s = arith.addf %prev, %p : f32
    ssm.yield %s : f32
  }
  %y2 = tess.contract sum ins(%q, %twice : tensor<?x16xf32>, tensor<?x16x8xf32>)
         bounds(%T, %c16, %c8)
         maps [affine_map<(t, i, j) -> (t, i)>, affine_map<(t, i, j) -> (t, i, j)>,
               affine_map<(t, i, j) -> (t, j)>] -> tensor<?x8xf32> {
  ^bb0(%qv: f32, %sv: f32):
    %m = arith.mulf %qv, %sv : f32
    tess.yield %m : f32
  }
  %y3 = tess.contract sum ins(%q, %twice : tensor<?x16xf32>, tensor<?x16x8xf32>)
         bounds(%T, %c16, %c8)
         maps [affine_map<(t, i, j) -> (t, i)>, affine_map<(t, i, j) -> (t, i, j)>,
               affine_map<(t, i, j) -> (t, j)>] -> tensor<?x8xf32> {
  ^bb0(%qv: f32, %sv: f32):
    %m = arith.addf %qv, %sv : f32
    tess.yield %m : f32
  }
  %init = ssm.scan ins(%k, %v : tensor<?x16xf32>, tensor<?x8xf32>)
         init(%s0 : tensor<16x8xf32>) bounds(%T, %c16, %c8)
         maps [affine_map<(t, i, j) -> (t, i)>, affine_map<(t, i, j) -> (t, j)>]
         scan_dim 0 -> tensor<?x16x8xf32> {
  ^bb0(%kv: f32, %vv: f32, %prev: f32):
    %p = arith.mulf %kv, %vv : f32
    %s = arith.addf %prev, %p : f32
    ssm.yield %s : f32
  }
  %y4 = tess.contract sum ins(%q, %init : tensor<?x16xf32>, tensor<?x16x8xf32>)
         bounds(%T, %c16, %c8)
         maps [affine_map<(t, i, j) -> (t, i)>, affine_map<(t, i, j) -> (t, i, j)>,
               affine_map<(t, i, j) -> (t, j)>] -> tensor<?x8xf32> {
  ^bb0(%qv: f32, %sv: f32):
    %m = arith.mulf %qv, %sv : f32
    tess.yield %m : f32
  }
  %small = ssm.scan ins(%k4, %v4 : tensor<?x4xf32>, tensor<?x4xf32>)
         bounds(%T, %c4, %c4)
         maps [affine_map<(t, i, j) -> (t, i)>, affine_map<(t, i, j) -> (t, j)>]
         scan_dim 0 -> tensor<?x4x4xf32> {
  ^bb0(%kv: f32, %vv: f32, %prev: f32):
    %p = arith.mulf %kv, %vv : f32
    %s = arith.addf %prev, %p : f32
    ssm.yield %s : f32
  }
  %y5 = tess.contract sum ins(%q4, %small : tensor<?x4xf32>, tensor<?x4x4xf32>)
         bounds(%T, %c4, %c4)
         maps [affine_map<(t, i, j) -> (t, i)>, affine_map<(t, i, j) -> (t, i, j)>,
               affine_map<(t, i, j) -> (t, j)>] -> tensor<?x4xf32> {
  ^bb0(%qv: f32, %sv: f32):
    %m = arith.mulf %qv, %sv : f32
    tess.yield %m : f32
  }
  return %y1, %y2, %y3, %y4, %y5 : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x4xf32>
}
