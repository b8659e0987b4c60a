// RUN: tess-opt %s %{tess_to_llvm} | %{run} | FileCheck %s
// RUN: tess-opt %s --canonicalize %{tess_to_llvm} | %{run} | FileCheck %s

// c[m, n] = a[m, k] * b[k, n], on dynamic shapes and on static ones.

func.func private @printMemrefF32(tensor<*xf32>)

func.func @matmul(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %M = tensor.dim %a, %c0 : tensor<?x?xf32>
  %K = tensor.dim %a, %c1 : tensor<?x?xf32>
  %N = tensor.dim %b, %c1 : tensor<?x?xf32>
  %c = tess.contract sum ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) bounds(%M, %N, %K)
         maps [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>,
               affine_map<(m, n, k) -> (m, n)>] -> tensor<?x?xf32> {
  ^bb0(%x: f32, %y: f32):
    %p = arith.mulf %x, %y : f32
    tess.yield %p : f32
  }
  return %c : tensor<?x?xf32>
}

func.func @main() {
  %a = tess.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = tess.constant dense<[[1.0, 0.5], [2.0, -1.0], [0.0, 3.0]]> : tensor<3x2xf32>

  // CHECK: sizes = [2, 2]
  // CHECK-NEXT: [5, 7.5]
  // CHECK-NEXT: [14, 15]
  %ad = tensor.cast %a : tensor<2x3xf32> to tensor<?x?xf32>
  %bd = tensor.cast %b : tensor<3x2xf32> to tensor<?x?xf32>
  %c = call @matmul(%ad, %bd) : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %cu = tensor.cast %c : tensor<?x?xf32> to tensor<*xf32>
  call @printMemrefF32(%cu) : (tensor<*xf32>) -> ()

  // Static: (b^T a^T)[n, m] = c[m, n], written with swapped maps.
  // CHECK: sizes = [2, 2]
  // CHECK-NEXT: [5, 14]
  // CHECK-NEXT: [7.5, 15]
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %t = tess.contract sum ins(%a, %b : tensor<2x3xf32>, tensor<3x2xf32>) bounds(%c2, %c2, %c3)
         maps [affine_map<(n, m, k) -> (m, k)>, affine_map<(n, m, k) -> (k, n)>,
               affine_map<(n, m, k) -> (n, m)>] -> tensor<2x2xf32> {
  ^bb0(%x: f32, %y: f32):
    %p = arith.mulf %x, %y : f32
    tess.yield %p : f32
  }
  %tu = tensor.cast %t : tensor<2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%tu) : (tensor<*xf32>) -> ()
  return
}
