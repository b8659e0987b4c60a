// RUN: tess-opt %s %{tess_to_llvm} | %{run} | FileCheck %s
// RUN: tess-opt %s --canonicalize %{tess_to_llvm} | %{run} | FileCheck %s

// Compound subscripts read zero outside the tensor.

func.func private @printMemrefF32(tensor<*xf32>)

// y[t] = w[k] * x[t - k] where t in 0..T: a full convolution when
// T = len(x) + len(w) - 1.
func.func @conv(%w: tensor<3xf32>, %x: tensor<?xf32>, %T: index) -> tensor<?xf32> {
  %c3 = arith.constant 3 : index
  %y = tess.contract sum ins(%w, %x : tensor<3xf32>, tensor<?xf32>) bounds(%T, %c3)
         maps [affine_map<(t, k) -> (k)>, affine_map<(t, k) -> (t - k)>,
               affine_map<(t, k) -> (t)>] -> tensor<?xf32> {
  ^bb0(%wk: f32, %xs: f32):
    %p = arith.mulf %wk, %xs : f32
    tess.yield %p : f32
  }
  return %y : tensor<?xf32>
}

// r[t] = x[t - 1] + 1 where t in 0..T.
func.func @shift(%x: tensor<?xf32>, %T: index) -> tensor<?xf32> {
  %r = tess.contract sum ins(%x : tensor<?xf32>) bounds(%T)
         maps [affine_map<(t) -> (t - 1)>, affine_map<(t) -> (t)>] -> tensor<?xf32> {
  ^bb0(%v: f32):
    %one = arith.constant 1.0 : f32
    %s = arith.addf %v, %one : f32
    tess.yield %s : f32
  }
  return %r : tensor<?xf32>
}

func.func @main() {
  %w = tess.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %x = tess.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0]> : tensor<5xf32>
  %xd = tensor.cast %x : tensor<5xf32> to tensor<?xf32>

  // Same length as x: [1, 2+2, 3+4+3, 4+6+6, 5+8+9].
  // CHECK: sizes = [5]
  // CHECK-NEXT: [1, 4, 10, 16, 22]
  %c5 = arith.constant 5 : index
  %y = call @conv(%w, %xd, %c5) : (tensor<3xf32>, tensor<?xf32>, index) -> tensor<?xf32>
  %yu = tensor.cast %y : tensor<?xf32> to tensor<*xf32>
  call @printMemrefF32(%yu) : (tensor<*xf32>) -> ()

  // Full length 7: two more taps past the end of x.
  // CHECK: sizes = [7]
  // CHECK-NEXT: [1, 4, 10, 16, 22, 22, 15]
  %c7 = arith.constant 7 : index
  %yf = call @conv(%w, %xd, %c7) : (tensor<3xf32>, tensor<?xf32>, index) -> tensor<?xf32>
  %yfu = tensor.cast %yf : tensor<?xf32> to tensor<*xf32>
  call @printMemrefF32(%yfu) : (tensor<*xf32>) -> ()

  // Strided read z[i] = x[2 * i + 1] where i in 0..3; x[5] is out of range.
  // CHECK: sizes = [3]
  // CHECK-NEXT: [2, 4, 0]
  %c3 = arith.constant 3 : index
  %z = tess.contract sum ins(%x : tensor<5xf32>) bounds(%c3)
         maps [affine_map<(i) -> (2 * i + 1)>, affine_map<(i) -> (i)>] -> tensor<3xf32> {
  ^bb0(%v: f32):
    tess.yield %v : f32
  }
  %zu = tensor.cast %z : tensor<3xf32> to tensor<*xf32>
  call @printMemrefF32(%zu) : (tensor<*xf32>) -> ()

  // u[t] = sum over k in 0..2 of x[t - k]: k occurs in no plain subscript.
  // CHECK: sizes = [5]
  // CHECK-NEXT: [1, 3, 5, 7, 9]
  %c2 = arith.constant 2 : index
  %u = tess.contract sum ins(%x : tensor<5xf32>) bounds(%c5, %c2)
         maps [affine_map<(t, k) -> (t - k)>, affine_map<(t, k) -> (t)>] -> tensor<5xf32> {
  ^bb0(%v: f32):
    tess.yield %v : f32
  }
  %uu = tensor.cast %u : tensor<5xf32> to tensor<*xf32>
  call @printMemrefF32(%uu) : (tensor<*xf32>) -> ()

  // Shift of x, and of an empty tensor: every read is out of range.
  // CHECK: sizes = [5]
  // CHECK-NEXT: [1, 2, 3, 4, 5]
  // CHECK: sizes = [3]
  // CHECK-NEXT: [1, 1, 1]
  %s = call @shift(%xd, %c5) : (tensor<?xf32>, index) -> tensor<?xf32>
  %su = tensor.cast %s : tensor<?xf32> to tensor<*xf32>
  call @printMemrefF32(%su) : (tensor<*xf32>) -> ()
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %empty = tess.splat %zero [%c0] : f32 -> tensor<?xf32>
  %se = call @shift(%empty, %c3) : (tensor<?xf32>, index) -> tensor<?xf32>
  %seu = tensor.cast %se : tensor<?xf32> to tensor<*xf32>
  call @printMemrefF32(%seu) : (tensor<*xf32>) -> ()

  // A statically empty input reads zero without any extract.
  // CHECK: sizes = [3]
  // CHECK-NEXT: [1, 1, 1]
  %es = tess.splat %zero : f32 -> tensor<0xf32>
  %r = tess.contract sum ins(%es : tensor<0xf32>) bounds(%c3)
         maps [affine_map<(t) -> (t - 1)>, affine_map<(t) -> (t)>] -> tensor<3xf32> {
  ^bb0(%v: f32):
    %one = arith.constant 1.0 : f32
    %p = arith.addf %v, %one : f32
    tess.yield %p : f32
  }
  %ru = tensor.cast %r : tensor<3xf32> to tensor<*xf32>
  call @printMemrefF32(%ru) : (tensor<*xf32>) -> ()

  // K[l] = 2 * f32(l) where l in 0..4: no inputs, the loop index as value.
  // CHECK: sizes = [4]
  // CHECK-NEXT: [0, 2, 4, 6]
  %c4 = arith.constant 4 : index
  %k = tess.contract sum bounds(%c4) maps [affine_map<(l) -> (l)>] -> tensor<4xf32> {
    %l = tess.index 0 : index
    %lf = tess.cast %l : index to f32
    %two = arith.constant 2.0 : f32
    %v = arith.mulf %lf, %two : f32
    tess.yield %v : f32
  }
  %ku = tensor.cast %k : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%ku) : (tensor<*xf32>) -> ()
  return
}
