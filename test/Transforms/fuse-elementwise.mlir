// RUN: tess-opt %s --pass-pipeline='builtin.module(func.func(tess-fuse-elementwise))' | FileCheck %s --check-prefix=ALL
// RUN: tess-opt %s --pass-pipeline='builtin.module(func.func(tess-fuse-elementwise{max-fused-ops=4}))' | FileCheck %s --check-prefix=BOUND

// Four elementwise statements in a chain, each reading the previous one and
// a parameter. Without a bound (the default is far above) they fuse into one
// op; with bodies of at most 4 operations (yield included) the chain is cut:
// the first three fuse (3 ops + yield), the last stays on its own.

// ALL-LABEL: func.func @chain(
// ALL-COUNT-1: linalg.generic
// ALL-NOT:     linalg.generic
// ALL-COUNT-4: arith.addf
// ALL:         linalg.yield

// BOUND-LABEL: func.func @chain(
// BOUND:         %[[F:.*]] = linalg.generic
// BOUND-COUNT-3:   arith.addf
// BOUND-NEXT:      linalg.yield
// BOUND:         linalg.generic
// BOUND-SAME:      ins(%[[F]], %{{.*}} : tensor<?xf32>, tensor<?xf32>)
// BOUND-NEXT:    ^bb0(
// BOUND-NEXT:      arith.addf
// BOUND-NEXT:      linalg.yield
// BOUND-NOT:     linalg.generic
#id = affine_map<(i) -> (i)>
func.func @chain(%x: tensor<?xf32>, %p: tensor<?xf32>, %init: tensor<?xf32>) -> tensor<?xf32> {
  %t0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%x, %p : tensor<?xf32>, tensor<?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  %t1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%t0, %p : tensor<?xf32>, tensor<?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  %t2 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%t1, %p : tensor<?xf32>, tensor<?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  %t3 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%t2, %p : tensor<?xf32>, tensor<?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %t3 : tensor<?xf32>
}
