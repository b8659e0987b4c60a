// RUN: tess-opt %s %{tess_to_llvm} | %{run} | FileCheck %s
// RUN: tess-opt %s --canonicalize %{tess_to_llvm} | %{run} | FileCheck %s

// Repeated indices: d[i] = a[i, i] (diagonal), t = a[i, i] (trace), and
// e[i, j] = a[i, i] * a[j, j] (outer product of the diagonal).

func.func private @printMemrefF32(tensor<*xf32>)

func.func @diag(%a: tensor<?x?xf32>) -> (tensor<?xf32>, tensor<f32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x?xf32>
  %d = tess.contract sum ins(%a : tensor<?x?xf32>) bounds(%n)
         maps [affine_map<(i) -> (i, i)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  %t = tess.contract sum ins(%a : tensor<?x?xf32>) bounds(%n)
         maps [affine_map<(i) -> (i, i)>, affine_map<(i) -> ()>] -> tensor<f32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return %d, %t : tensor<?xf32>, tensor<f32>
}

func.func @main() {
  %a = tess.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]> : tensor<3x3xf32>
  %ad = tensor.cast %a : tensor<3x3xf32> to tensor<?x?xf32>
  %d, %t = call @diag(%ad) : (tensor<?x?xf32>) -> (tensor<?xf32>, tensor<f32>)

  // CHECK: sizes = [3]
  // CHECK-NEXT: [1, 5, 9]
  %du = tensor.cast %d : tensor<?xf32> to tensor<*xf32>
  call @printMemrefF32(%du) : (tensor<*xf32>) -> ()

  // CHECK: rank = 0
  // CHECK-NEXT: [15]
  %tu = tensor.cast %t : tensor<f32> to tensor<*xf32>
  call @printMemrefF32(%tu) : (tensor<*xf32>) -> ()

  // CHECK: sizes = [3, 3]
  // CHECK-NEXT: [1, 5, 9]
  // CHECK-NEXT: [5, 25, 45]
  // CHECK-NEXT: [9, 45, 81]
  %c3 = arith.constant 3 : index
  %e = tess.contract sum ins(%a, %a : tensor<3x3xf32>, tensor<3x3xf32>) bounds(%c3, %c3)
         maps [affine_map<(i, j) -> (i, i)>, affine_map<(i, j) -> (j, j)>,
               affine_map<(i, j) -> (i, j)>] -> tensor<3x3xf32> {
  ^bb0(%x: f32, %y: f32):
    %p = arith.mulf %x, %y : f32
    tess.yield %p : f32
  }
  %eu = tensor.cast %e : tensor<3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%eu) : (tensor<*xf32>) -> ()
  return
}
