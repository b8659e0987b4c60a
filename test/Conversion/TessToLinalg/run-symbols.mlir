// RUN: tess-opt %s %{tess_to_llvm} | %{run} | FileCheck %s
// RUN: tess-opt %s --canonicalize %{tess_to_llvm} | %{run} | FileCheck %s

// Size symbols inside subscripts: compound subscripts whose symbols take
// the values of the symbol operands; reads outside the tensor are zero.

func.func private @printMemrefF32(tensor<*xf32>)

// y[i] = x[N - 1 - i] with N the length of x.
func.func @reverse(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %N = tensor.dim %x, %c0 : tensor<?xf32>
  %y = tess.contract sum ins(%x : tensor<?xf32>) bounds(%N) symbols(%N)
         maps [affine_map<(i)[n] -> (n - 1 - i)>, affine_map<(i)[n] -> (i)>] -> tensor<?xf32> {
  ^bb0(%v: f32):
    tess.yield %v : f32
  }
  return %y : tensor<?xf32>
}

// y[i] = x[i + K] where i in 0..T.
func.func @shift(%x: tensor<?xf32>, %T: index, %K: index) -> tensor<?xf32> {
  %y = tess.contract sum ins(%x : tensor<?xf32>) bounds(%T) symbols(%K)
         maps [affine_map<(i)[k] -> (i + k)>, affine_map<(i)[k] -> (i)>] -> tensor<?xf32> {
  ^bb0(%v: f32):
    tess.yield %v : f32
  }
  return %y : tensor<?xf32>
}

// y[i] = x[2 * i - K + 1] where i in 0..T.
func.func @strided(%x: tensor<?xf32>, %T: index, %K: index) -> tensor<?xf32> {
  %y = tess.contract sum ins(%x : tensor<?xf32>) bounds(%T) symbols(%K)
         maps [affine_map<(i)[k] -> (2 * i - k + 1)>, affine_map<(i)[k] -> (i)>] -> tensor<?xf32> {
  ^bb0(%v: f32):
    tess.yield %v : f32
  }
  return %y : tensor<?xf32>
}

// s = sum[i](x[N - 1 - i] * w[i]): a reduction over a reversed read next to
// a plain one.
func.func @reversed_dot(%x: tensor<?xf32>, %w: tensor<?xf32>) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %N = tensor.dim %x, %c0 : tensor<?xf32>
  %s = tess.contract sum ins(%x, %w : tensor<?xf32>, tensor<?xf32>) bounds(%N) symbols(%N)
         maps [affine_map<(i)[n] -> (n - 1 - i)>, affine_map<(i)[n] -> (i)>,
               affine_map<(i)[n] -> ()>] -> tensor<f32> {
  ^bb0(%a: f32, %b: f32):
    %p = arith.mulf %a, %b : f32
    tess.yield %p : f32
  }
  return %s : tensor<f32>
}

func.func @main() {
  %x = tess.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0]> : tensor<5xf32>
  %xd = tensor.cast %x : tensor<5xf32> to tensor<?xf32>
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index

  // CHECK: sizes = [5]
  // CHECK-NEXT: [5, 4, 3, 2, 1]
  %r = call @reverse(%xd) : (tensor<?xf32>) -> tensor<?xf32>
  %ru = tensor.cast %r : tensor<?xf32> to tensor<*xf32>
  call @printMemrefF32(%ru) : (tensor<*xf32>) -> ()

  // x[i + 2]: the last two reads are past the end.
  // CHECK: sizes = [5]
  // CHECK-NEXT: [3, 4, 5, 0, 0]
  %s = call @shift(%xd, %c5, %c2) : (tensor<?xf32>, index, index) -> tensor<?xf32>
  %su = tensor.cast %s : tensor<?xf32> to tensor<*xf32>
  call @printMemrefF32(%su) : (tensor<*xf32>) -> ()

  // x[2 * i - 2]: i = 0 reads x[-2].
  // CHECK: sizes = [4]
  // CHECK-NEXT: [0, 1, 3, 5]
  %t = call @strided(%xd, %c4, %c3) : (tensor<?xf32>, index, index) -> tensor<?xf32>
  %tu = tensor.cast %t : tensor<?xf32> to tensor<*xf32>
  call @printMemrefF32(%tu) : (tensor<*xf32>) -> ()

  // 5 * 1 + 4 * 10 + 3 * 100 + 2 * 1000 + 1 * 10000.
  // CHECK: sizes = []
  // CHECK-NEXT: [12345]
  %w = tess.constant dense<[1.0, 10.0, 100.0, 1000.0, 10000.0]> : tensor<5xf32>
  %wd = tensor.cast %w : tensor<5xf32> to tensor<?xf32>
  %d = call @reversed_dot(%xd, %wd) : (tensor<?xf32>, tensor<?xf32>) -> tensor<f32>
  %du = tensor.cast %d : tensor<f32> to tensor<*xf32>
  call @printMemrefF32(%du) : (tensor<*xf32>) -> ()

  // A static symbol value: the reversal of a static tensor.
  // CHECK: sizes = [5]
  // CHECK-NEXT: [5, 4, 3, 2, 1]
  %y = tess.contract sum ins(%x : tensor<5xf32>) bounds(%c5) symbols(%c5)
         maps [affine_map<(i)[n] -> (n - 1 - i)>, affine_map<(i)[n] -> (i)>] -> tensor<5xf32> {
  ^bb0(%v: f32):
    tess.yield %v : f32
  }
  %yu = tensor.cast %y : tensor<5xf32> to tensor<*xf32>
  call @printMemrefF32(%yu) : (tensor<*xf32>) -> ()
  return
}
