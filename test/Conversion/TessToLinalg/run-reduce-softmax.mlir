// RUN: tess-opt %s %{tess_to_llvm} | %{run} | FileCheck %s
// RUN: tess-opt %s --canonicalize %{tess_to_llvm} | %{run} | FileCheck %s

// Reductions of every kind, their identities, and a numerically stable
// softmax.

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI64(tensor<*xi64>)

func.func @main() {
  %x = tess.constant dense<[[1.0, 5.0, 3.0], [-2.0, -7.0, -1.0]]> : tensor<2x3xf32>
  %xd = tensor.cast %x : tensor<2x3xf32> to tensor<?x?xf32>

  // Row maxima with tess.reduce (dynamic shape).
  // CHECK: sizes = [2]
  // CHECK-NEXT: [5, -1]
  %m = tess.reduce max %xd dims [1] : tensor<?x?xf32> -> tensor<?xf32>
  %mu = tensor.cast %m : tensor<?xf32> to tensor<*xf32>
  call @printMemrefF32(%mu) : (tensor<*xf32>) -> ()

  // Column minima.
  // CHECK: sizes = [3]
  // CHECK-NEXT: [-2, -7, -1]
  %n = tess.reduce min %x dims [0] : tensor<2x3xf32> -> tensor<3xf32>
  %nu = tensor.cast %n : tensor<3xf32> to tensor<*xf32>
  call @printMemrefF32(%nu) : (tensor<*xf32>) -> ()

  // mx[i] = max[j](2 * x[i, j]) as a contraction with a body.
  // CHECK: sizes = [2]
  // CHECK-NEXT: [10, -2]
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %mx = tess.contract max ins(%x : tensor<2x3xf32>) bounds(%c2, %c3)
          maps [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>] -> tensor<2xf32> {
  ^bb0(%v: f32):
    %two = arith.constant 2.0 : f32
    %d = arith.mulf %v, %two : f32
    tess.yield %d : f32
  }
  %mxu = tensor.cast %mx : tensor<2xf32> to tensor<*xf32>
  call @printMemrefF32(%mxu) : (tensor<*xf32>) -> ()

  // Max and min over an empty dimension give the identities.
  // CHECK: sizes = [2]
  // CHECK-NEXT: [-inf, -inf]
  // CHECK: sizes = [2]
  // CHECK-NEXT: [inf, inf]
  %zero = arith.constant 0.0 : f32
  %e = tess.splat %zero : f32 -> tensor<2x0xf32>
  %emax = tess.reduce max %e dims [1] : tensor<2x0xf32> -> tensor<2xf32>
  %emaxu = tensor.cast %emax : tensor<2xf32> to tensor<*xf32>
  call @printMemrefF32(%emaxu) : (tensor<*xf32>) -> ()
  %emin = tess.reduce min %e dims [1] : tensor<2x0xf32> -> tensor<2xf32>
  %eminu = tensor.cast %emin : tensor<2xf32> to tensor<*xf32>
  call @printMemrefF32(%eminu) : (tensor<*xf32>) -> ()

  // Integer kinds: sum, prod, max, min over all of [[3, -4], [5, 2]].
  // CHECK: sizes = [4]
  // CHECK-NEXT: [6, -120, 5, -4]
  %i = tess.constant dense<[[3, -4], [5, 2]]> : tensor<2x2xi64>
  %isum = tess.reduce sum %i dims [0, 1] : tensor<2x2xi64> -> tensor<i64>
  %iprod = tess.reduce prod %i dims [0, 1] : tensor<2x2xi64> -> tensor<i64>
  %imax = tess.reduce max %i dims [0, 1] : tensor<2x2xi64> -> tensor<i64>
  %imin = tess.reduce min %i dims [0, 1] : tensor<2x2xi64> -> tensor<i64>
  %c4 = arith.constant 4 : index
  %all = tess.contract sum ins(%isum, %iprod, %imax, %imin : tensor<i64>, tensor<i64>, tensor<i64>, tensor<i64>) bounds(%c4)
           maps [affine_map<(k) -> ()>, affine_map<(k) -> ()>, affine_map<(k) -> ()>,
                 affine_map<(k) -> ()>, affine_map<(k) -> (k)>] -> tensor<4xi64> {
  ^bb0(%s: i64, %p: i64, %hi: i64, %lo: i64):
    %k = tess.index 0 : index
    %k64 = tess.cast %k : index to i64
    %c1 = arith.constant 1 : i64
    %c2i = arith.constant 2 : i64
    %is0 = arith.cmpi eq, %k64, %c1 : i64
    %is2 = arith.cmpi eq, %k64, %c2i : i64
    %lt2 = arith.cmpi slt, %k64, %c2i : i64
    %a = arith.select %is0, %p, %s : i64
    %b = arith.select %is2, %hi, %lo : i64
    %r = arith.select %lt2, %a, %b : i64
    tess.yield %r : i64
  }
  %allu = tensor.cast %all : tensor<4xi64> to tensor<*xi64>
  call @printMemrefI64(%allu) : (tensor<*xi64>) -> ()

  // Softmax along rows; the second row would overflow exp() without the
  // max subtraction.
  // CHECK: sizes = [2, 3]
  // CHECK-NEXT: [0.0900306, 0.244728, 0.665241]
  // CHECK-NEXT: [0.333333, 0.333333, 0.333333]
  %s = tess.constant dense<[[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]]> : tensor<2x3xf32>
  %sd = tensor.cast %s : tensor<2x3xf32> to tensor<?x?xf32>
  %p1 = tess.softmax %sd axis 1 : tensor<?x?xf32>
  %p1u = tensor.cast %p1 : tensor<?x?xf32> to tensor<*xf32>
  call @printMemrefF32(%p1u) : (tensor<*xf32>) -> ()

  // Softmax along columns.
  // CHECK: sizes = [2, 3]
  // CHECK-NEXT: [0.731059, 0.880797, 0.952574]
  // CHECK-NEXT: [0.268941, 0.119203, 0.0474259]
  %t = tess.constant dense<[[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]> : tensor<2x3xf32>
  %p0 = tess.softmax %t axis 0 : tensor<2x3xf32>
  %p0u = tensor.cast %p0 : tensor<2x3xf32> to tensor<*xf32>
  call @printMemrefF32(%p0u) : (tensor<*xf32>) -> ()
  return
}
