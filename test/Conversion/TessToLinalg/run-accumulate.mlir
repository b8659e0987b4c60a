// RUN: tess-opt %s %{tess_to_llvm} | %{run} | FileCheck %s
// RUN: tess-opt %s --canonicalize %{tess_to_llvm} | %{run} | FileCheck %s

// f16 sums and products accumulate in f32 and are rounded once: 4096 ones
// sum to 4096 (an f16 accumulator stops at 2048, where 2048 + 1 rounds back
// to 2048).

func.func private @printMemrefF32(tensor<*xf32>)

func.func @main() {
  %one = arith.constant 1.0 : f16
  %x = tess.splat %one : f16 -> tensor<4096xf16>
  %c4096 = arith.constant 4096 : index

  // tess.reduce, and a tess.contract with a body (x * x).
  %a = tess.reduce sum %x dims [0] : tensor<4096xf16> -> tensor<f16>
  %b = tess.contract sum ins(%x : tensor<4096xf16>) bounds(%c4096)
         maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<f16> {
  ^bb0(%v: f16):
    %p = arith.mulf %v, %v : f16
    tess.yield %p : f16
  }
  // 4096 factors of 1 + 2^-10: (1 + 2^-10)^4096 = 54.49 rounds to 54.5 in
  // f16; an f16 accumulator, rounding at every step, ends at 40.
  %f = arith.constant 1.0009765625 : f16
  %y = tess.splat %f : f16 -> tensor<4096xf16>
  %c = tess.reduce prod %y dims [0] : tensor<4096xf16> -> tensor<f16>

  %three = arith.constant 3 : index
  %r = tess.contract sum ins(%a, %b, %c : tensor<f16>, tensor<f16>, tensor<f16>) bounds(%three)
         maps [affine_map<(k) -> ()>, affine_map<(k) -> ()>, affine_map<(k) -> ()>,
               affine_map<(k) -> (k)>] -> tensor<3xf32> {
  ^bb0(%u: f16, %v: f16, %w: f16):
    %k = tess.index 0 : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %is0 = arith.cmpi eq, %k, %c0 : index
    %is1 = arith.cmpi eq, %k, %c1 : index
    %vw = arith.select %is1, %v, %w : f16
    %s = arith.select %is0, %u, %vw : f16
    %sf = tess.cast %s : f16 to f32
    tess.yield %sf : f32
  }
  // CHECK: sizes = [3]
  // CHECK-NEXT: [4096, 4096, 54.5]
  %ru = tensor.cast %r : tensor<3xf32> to tensor<*xf32>
  call @printMemrefF32(%ru) : (tensor<*xf32>) -> ()
  return
}
