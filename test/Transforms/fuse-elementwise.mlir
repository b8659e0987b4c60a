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

// No fusion that recomputes a producer: an elementwise producer fuses into
// its consumer only when the consumer indexes it with every loop that
// iterates, unless the producer is a cast or a copy.

// A GELU-like producer feeding a matmul stays separate: fused, erf would run
// once per (i, j, k) instead of once per (i, k).
// ALL-LABEL: func.func @erf_into_matmul(
// BOUND-LABEL: func.func @erf_into_matmul(
// ALL:         %[[P:.*]] = linalg.generic
// ALL-SAME:      iterator_types = ["parallel", "parallel"]
// ALL:           math.erf
// ALL:         linalg.generic
// ALL-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// ALL-SAME:      ins(%[[P]], %{{.*}} : tensor<?x?xf32>, tensor<?x?xf32>)
// ALL-NOT:       math.erf
// ALL:           linalg.yield
#a2 = affine_map<(i, k) -> (i, k)>
#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @erf_into_matmul(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>,
                           %e: tensor<?x?xf32>, %c: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %p = linalg.generic {indexing_maps = [#a2, #a2], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%x: f32, %o: f32):
    %g = math.erf %x : f32
    linalg.yield %g : f32
  } -> tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%p, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%c : tensor<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// A cast is as cheap as reading its result: it fuses into the matmul.
// ALL-LABEL: func.func @cast_into_matmul(
// ALL:         linalg.generic
// ALL-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// ALL-SAME:      ins(%{{.*}}, %{{.*}} : tensor<?x?xf16>, tensor<?x?xf32>)
// ALL:           arith.extf
// ALL:           arith.mulf
// ALL-NOT:     linalg.generic
func.func @cast_into_matmul(%a: tensor<?x?xf16>, %b: tensor<?x?xf32>,
                            %e: tensor<?x?xf32>, %c: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %p = linalg.generic {indexing_maps = [#a2, #a2], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<?x?xf16>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%x: f16, %o: f32):
    %w = arith.extf %x : f16 to f32
    linalg.yield %w : f32
  } -> tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%p, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%c : tensor<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// Epilogues fuse: after a matmul, the bias and the activation become one
// elementwise op that reads each element of the product once.
// ALL-LABEL: func.func @epilogue(
// ALL:         %[[MM:.*]] = linalg.generic
// ALL-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// ALL:         linalg.generic
// ALL-SAME:      iterator_types = ["parallel", "parallel"]
// ALL-SAME:      ins(%[[MM]], %{{.*}} : tensor<?x?xf32>, tensor<?xf32>)
// ALL:           arith.addf
// ALL:           math.erf
// ALL-NOT:     linalg.generic
#bias = affine_map<(i, j) -> (j)>
func.func @epilogue(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %bias: tensor<?xf32>,
                    %c: tensor<?x?xf32>, %e: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %mm = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%c : tensor<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
  %biased = linalg.generic {indexing_maps = [#a2, #bias, #a2], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %bias : tensor<?x?xf32>, tensor<?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
  %act = linalg.generic {indexing_maps = [#a2, #a2], iterator_types = ["parallel", "parallel"]}
      ins(%biased : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%x: f32, %o: f32):
    %g = math.erf %x : f32
    linalg.yield %g : f32
  } -> tensor<?x?xf32>
  return %act : tensor<?x?xf32>
}

// An exp broadcast along the rows of its consumer stays separate (it would
// run once per column); along a loop of static extent 1 it fuses.
// ALL-LABEL: func.func @broadcast_exp(
// ALL:         %[[E:.*]] = linalg.generic
// ALL:           math.exp
// ALL:         linalg.generic
// ALL-SAME:      ins(%[[E]], %{{.*}} : tensor<?xf32>, tensor<?x?xf32>)
// ALL-NOT:       math.exp
// ALL:           linalg.yield
// ALL-LABEL: func.func @broadcast_exp_unit(
// ALL:         linalg.generic
// ALL:           math.exp
// ALL:           arith.mulf
// ALL-NOT:     linalg.generic
#r1 = affine_map<(i) -> (i)>
#row = affine_map<(i, j) -> (i)>
func.func @broadcast_exp(%a: tensor<?xf32>, %b: tensor<?x?xf32>, %e1: tensor<?xf32>,
                         %e: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %x = linalg.generic {indexing_maps = [#r1, #r1], iterator_types = ["parallel"]}
      ins(%a : tensor<?xf32>) outs(%e1 : tensor<?xf32>) {
  ^bb0(%v: f32, %o: f32):
    %g = math.exp %v : f32
    linalg.yield %g : f32
  } -> tensor<?xf32>
  %y = linalg.generic {indexing_maps = [#row, #a2, #a2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<?xf32>, tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %m = arith.mulf %u, %v : f32
    linalg.yield %m : f32
  } -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
func.func @broadcast_exp_unit(%a: tensor<?xf32>, %b: tensor<?x1xf32>, %e1: tensor<?xf32>,
                              %e: tensor<?x1xf32>) -> tensor<?x1xf32> {
  %x = linalg.generic {indexing_maps = [#r1, #r1], iterator_types = ["parallel"]}
      ins(%a : tensor<?xf32>) outs(%e1 : tensor<?xf32>) {
  ^bb0(%v: f32, %o: f32):
    %g = math.exp %v : f32
    linalg.yield %g : f32
  } -> tensor<?xf32>
  %y = linalg.generic {indexing_maps = [#row, #a2, #a2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<?xf32>, tensor<?x1xf32>) outs(%e : tensor<?x1xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %m = arith.mulf %u, %v : f32
    linalg.yield %m : f32
  } -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}
