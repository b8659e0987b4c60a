// RUN: tess-opt %s --ssm-chunk-scans | FileCheck %s

// A linear scan of one channel from an initial value, of unknown length:
// chunks of 4096 positions from 4 threads (one chunk below); phase 1 scans
// every chunk but the last from zero with its coefficients' product and
// keeps their last slices, phase 2 carries the state across the chunks
// (A * carry + H), phase 3 scans every chunk from its carry into the result.
// CHECK-LABEL: func.func @ema(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<?xf32>, %[[X:[^:]+]]: tensor<?xf32>, %[[H0:[^:]+]]: tensor<f32>, %[[N:[^:]+]]: index
// CHECK:         %[[THREADS:.+]] = call @tessera_get_num_threads()
// CHECK:         %[[ENOUGH:.+]] = arith.cmpi sge, %[[THREADS]], %c4_i32
// CHECK:         %[[MANY:.+]] = arith.ceildivui %[[N]], %c4096
// CHECK:         %[[SEL:.+]] = arith.select %[[ENOUGH]], %[[MANY]], %c1
// CHECK:         %[[CHUNKS:.+]] = arith.maxui %[[SEL]], %c1
// CHECK:         %[[LEN0:.+]] = arith.ceildivui %[[N]], %[[CHUNKS]]
// CHECK:         %[[LEN:.+]] = arith.maxui %[[LEN0]]
// CHECK:         %[[BEFORE:.+]] = arith.subi %[[CHUNKS]], %{{.+}}
// CHECK:         %[[ENDS:.+]]:2 = scf.forall (%{{.+}}) in (%[[BEFORE]])
// CHECK:           %[[LOCAL:.+]] = ssm.scan ins(%{{.+}}, %{{.+}} : tensor<?xf32>, tensor<?xf32>) bounds
// CHECK:           %[[ONE:.+]] = tess.splat %cst{{.*}} : f32 -> tensor<f32>
// CHECK:           %[[PRODUCT:.+]] = ssm.scan ins({{.+}}) init(%[[ONE]] : tensor<f32>)
// CHECK:           tensor.extract_slice %[[LOCAL]]
// CHECK:           tensor.extract_slice %[[PRODUCT]]
// CHECK:           scf.forall.in_parallel
// CHECK-COUNT-2:     tensor.parallel_insert_slice
// CHECK:         tensor.insert_slice %[[H0]] into
// CHECK:         %[[CARRIES:.+]]:2 = scf.for %{{.+}} = %{{.+}} to %[[CHUNKS]]
// CHECK:           tensor.extract_slice %[[ENDS]]#1
// CHECK:           tensor.extract_slice %[[ENDS]]#0
// CHECK:           tess.map
// CHECK:         %[[RESULT:.+]] = scf.forall (%[[C:.+]]) in (%[[CHUNKS]])
// CHECK:           %[[CARRY:.+]] = tensor.extract_slice %[[CARRIES]]#1[%[[C]]]
// CHECK:           %[[PART:.+]] = ssm.scan ins({{.+}}) init(%[[CARRY]] : tensor<f32>)
// CHECK:           tensor.parallel_insert_slice %[[PART]]
// CHECK:         return %[[RESULT]]
func.func @ema(%a: tensor<?xf32>, %x: tensor<?xf32>, %h0: tensor<f32>, %n: index) -> tensor<?xf32> {
  %h = ssm.scan ins(%a, %x : tensor<?xf32>, tensor<?xf32>) init(%h0 : tensor<f32>) bounds(%n)
         maps [affine_map<(t) -> (t)>, affine_map<(t) -> (t)>] scan_dim 0 kind <scalar> -> tensor<?xf32> {
  ^bb0(%av: f32, %xv: f32, %p: f32):
    %m = arith.mulf %av, %p : f32
    %s = arith.addf %m, %xv : f32
    ssm.yield %s : f32
  }
  return %h : tensor<?xf32>
}

// Left alone: a general scan, a short static one (fewer than two chunks),
// one of many channels (tiles of its channels fill the threads).
// CHECK-LABEL: func.func @kept(
// CHECK-NOT:     scf.forall
// CHECK-COUNT-3: ssm.scan
func.func @kept(%x: tensor<?xf32>, %s: tensor<100xf32>, %w: tensor<?x128xf32>, %n: index, %m: index)
    -> (tensor<?xf32>, tensor<100xf32>, tensor<?x128xf32>) {
  %c100 = arith.constant 100 : index
  %c128 = arith.constant 128 : index
  %g = ssm.scan ins(%x : tensor<?xf32>) bounds(%n) maps [affine_map<(t) -> (t)>] scan_dim 0 kind <general> -> tensor<?xf32> {
  ^bb0(%v: f32, %p: f32):
    %s0 = arith.addf %v, %p : f32
    %t = math.tanh %s0 : f32
    ssm.yield %t : f32
  }
  %short = ssm.scan ins(%s : tensor<100xf32>) bounds(%c100) maps [affine_map<(t) -> (t)>] scan_dim 0 kind <scalar> -> tensor<100xf32> {
  ^bb0(%v: f32, %p: f32):
    %s1 = arith.addf %v, %p : f32
    ssm.yield %s1 : f32
  }
  %wide = ssm.scan ins(%w : tensor<?x128xf32>) bounds(%m, %c128) maps [affine_map<(t, c) -> (t, c)>] scan_dim 0 kind <scalar> -> tensor<?x128xf32> {
  ^bb0(%v: f32, %p: f32):
    %s2 = arith.addf %v, %p : f32
    ssm.yield %s2 : f32
  }
  return %g, %short, %wide : tensor<?xf32>, tensor<100xf32>, tensor<?x128xf32>
}
