// RUN: tess-opt %s %{tess_to_llvm} | %{run} | FileCheck %s
// RUN: tess-opt %s --canonicalize %{tess_to_llvm} | %{run} | FileCheck %s

// Casts, complex and boolean reductions, splats and calls, executed.

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI64(tensor<*xi64>)
func.func private @printMemrefC32(tensor<*xcomplex<f32>>)

func.func @scale(%x: tensor<?xf32>, %s: f32) -> tensor<?xf32> {
  %r = tess.map ins(%x : tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%v: f32):
    %p = arith.mulf %v, %s : f32
    tess.yield %p : f32
  }
  return %r : tensor<?xf32>
}

func.func @main() {
  %x = tess.constant dense<[-2.7, 0.0, 3.5, 1.0e-3]> : tensor<4xf32>

  // float -> int truncates toward zero; -> bool is != 0; bool -> float is
  // 0/1; f32 -> bf16 -> f16 -> f32 rounds to 8 significant bits (3.5 stays,
  // -2.7 becomes -2.703125, 1e-3 becomes 131 * 2^-17 = 0.000999451).
  // CHECK: sizes = [4, 4]
  // CHECK-NEXT: [-2, 1, -2.70312, -2]
  // CHECK-NEXT: [0, 0, 0, 0]
  // CHECK-NEXT: [3, 1, 3.5, 3]
  // CHECK-NEXT: [0, 1, 0.000999451, 0]
  %c4 = arith.constant 4 : index
  %casts = tess.contract sum ins(%x : tensor<4xf32>) bounds(%c4, %c4)
             maps [affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i, j)>] -> tensor<4x4xf32> {
  ^bb0(%v: f32):
    %j = tess.index 1 : index
    %i32 = tess.cast %v : f32 to i32
    %a = tess.cast %i32 : i32 to f32
    %b1 = tess.cast %v : f32 to i1
    %b = tess.cast %b1 : i1 to f32
    %h = tess.cast %v : f32 to bf16
    %h16 = tess.cast %h : bf16 to f16
    %c = tess.cast %h16 : f16 to f32
    %ix = tess.cast %v : f32 to index
    %d = tess.cast %ix : index to f32
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %is0 = arith.cmpi eq, %j, %c1 : index
    %lt1 = arith.cmpi ult, %j, %c1 : index
    %is2 = arith.cmpi eq, %j, %c2 : index
    %e = arith.select %is2, %c, %d : f32
    %f = arith.select %is0, %b, %e : f32
    %r = arith.select %lt1, %a, %f : f32
    tess.yield %r : f32
  }
  %castsu = tensor.cast %casts : tensor<4x4xf32> to tensor<*xf32>
  call @printMemrefF32(%castsu) : (tensor<*xf32>) -> ()

  // Integer casts: i64 -> i32 truncates, bool -> i64 zero-extends,
  // i32 -> i64 sign-extends.
  // CHECK: sizes = [3]
  // CHECK-NEXT: [1, 1, -5]
  %c3 = arith.constant 3 : index
  %big = tess.constant 4294967297 : i64
  %t = tess.constant true
  %m5 = tess.constant -5 : i32
  %ints = tess.contract sum bounds(%c3) maps [affine_map<(k) -> (k)>] -> tensor<3xi64> {
    %k = tess.index 0 : index
    %tr = tess.cast %big : i64 to i32
    %tr64 = tess.cast %tr : i32 to i64
    %bz = tess.cast %t : i1 to i64
    %se = tess.cast %m5 : i32 to i64
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %is0 = arith.cmpi eq, %k, %c0 : index
    %is1 = arith.cmpi eq, %k, %c1 : index
    %a = arith.select %is1, %bz, %se : i64
    %r = arith.select %is0, %tr64, %a : i64
    tess.yield %r : i64
  }
  %intsu = tensor.cast %ints : tensor<3xi64> to tensor<*xi64>
  call @printMemrefI64(%intsu) : (tensor<*xi64>) -> ()

  // Complex: sum and product of [1+2i, 3-i], and j * real(x) via casts.
  // CHECK: sizes = []
  // CHECK-NEXT: [(4,1)]
  // CHECK: sizes = []
  // CHECK-NEXT: [(5,5)]
  // CHECK: sizes = [4]
  // CHECK-NEXT: [({{-?}}0,-2.7), (0,0), (0,3.5), (0,0.001)]
  %z = tess.constant dense<[(1.0, 2.0), (3.0, -1.0)]> : tensor<2xcomplex<f32>>
  %c2 = arith.constant 2 : index
  %zs = tess.contract sum ins(%z : tensor<2xcomplex<f32>>) bounds(%c2)
          maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<complex<f32>> {
  ^bb0(%v: complex<f32>):
    tess.yield %v : complex<f32>
  }
  %zsu = tensor.cast %zs : tensor<complex<f32>> to tensor<*xcomplex<f32>>
  call @printMemrefC32(%zsu) : (tensor<*xcomplex<f32>>) -> ()
  %zp = tess.reduce prod %z dims [0] : tensor<2xcomplex<f32>> -> tensor<complex<f32>>
  %zpu = tensor.cast %zp : tensor<complex<f32>> to tensor<*xcomplex<f32>>
  call @printMemrefC32(%zpu) : (tensor<*xcomplex<f32>>) -> ()
  %jx = tess.contract sum ins(%x : tensor<4xf32>) bounds(%c4)
          maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<4xcomplex<f32>> {
  ^bb0(%v: f32):
    %j = tess.constant [0.0 : f64, 1.0 : f64] : complex<f64>
    %vc = tess.cast %v : f32 to complex<f64>
    %p = complex.mul %vc, %j : complex<f64>
    %p32 = tess.cast %p : complex<f64> to complex<f32>
    tess.yield %p32 : complex<f32>
  }
  %jxu = tensor.cast %jx : tensor<4xcomplex<f32>> to tensor<*xcomplex<f32>>
  call @printMemrefC32(%jxu) : (tensor<*xcomplex<f32>>) -> ()

  // Booleans: sum/max are "any", prod/min are "all".
  // CHECK: sizes = [4]
  // CHECK-NEXT: [1, 1, 0, 0]
  %bools = tess.constant dense<[true, false, true]> : tensor<3xi1>
  %any = tess.reduce sum %bools dims [0] : tensor<3xi1> -> tensor<i1>
  %any2 = tess.reduce max %bools dims [0] : tensor<3xi1> -> tensor<i1>
  %all = tess.reduce prod %bools dims [0] : tensor<3xi1> -> tensor<i1>
  %all2 = tess.reduce min %bools dims [0] : tensor<3xi1> -> tensor<i1>
  %flags = tess.contract sum ins(%any, %any2, %all, %all2 : tensor<i1>, tensor<i1>, tensor<i1>, tensor<i1>) bounds(%c4)
             maps [affine_map<(k) -> ()>, affine_map<(k) -> ()>, affine_map<(k) -> ()>,
                   affine_map<(k) -> ()>, affine_map<(k) -> (k)>] -> tensor<4xi64> {
  ^bb0(%a: i1, %b: i1, %c: i1, %d: i1):
    %k = tess.index 0 : index
    %c1 = arith.constant 1 : index
    %c2i = arith.constant 2 : index
    %c3i = arith.constant 3 : index
    %is1 = arith.cmpi eq, %k, %c1 : index
    %is2 = arith.cmpi eq, %k, %c2i : index
    %is3 = arith.cmpi eq, %k, %c3i : index
    %s3 = arith.select %is3, %d, %a : i1
    %s2 = arith.select %is2, %c, %s3 : i1
    %s1 = arith.select %is1, %b, %s2 : i1
    %r = tess.cast %s1 : i1 to i64
    tess.yield %r : i64
  }
  %flagsu = tensor.cast %flags : tensor<4xi64> to tensor<*xi64>
  call @printMemrefI64(%flagsu) : (tensor<*xi64>) -> ()

  // ones(f32[n]) scaled through a tess.call.
  // CHECK: sizes = [3]
  // CHECK-NEXT: [2.5, 2.5, 2.5]
  %one = tess.constant 1.0 : f32
  %ones = tess.splat %one [%c3] : f32 -> tensor<?xf32>
  %s = tess.constant 2.5 : f32
  %scaled = tess.call @scale(%ones, %s) : (tensor<?xf32>, f32) -> tensor<?xf32>
  %scaledu = tensor.cast %scaled : tensor<?xf32> to tensor<*xf32>
  call @printMemrefF32(%scaledu) : (tensor<*xf32>) -> ()
  // Shifted reads of complex and bool tensors read (0, 0) / false.
  // CHECK: sizes = [3]
  // CHECK-NEXT: [(0,0), (1,2), (3,-1)]
  // CHECK: sizes = [3]
  // CHECK-NEXT: [0, 1, 1]
  %zsh = tess.contract sum ins(%z : tensor<2xcomplex<f32>>) bounds(%c3)
           maps [affine_map<(t) -> (t - 1)>, affine_map<(t) -> (t)>] -> tensor<3xcomplex<f32>> {
  ^bb0(%v: complex<f32>):
    tess.yield %v : complex<f32>
  }
  %zshu = tensor.cast %zsh : tensor<3xcomplex<f32>> to tensor<*xcomplex<f32>>
  call @printMemrefC32(%zshu) : (tensor<*xcomplex<f32>>) -> ()
  %tt = tess.constant dense<[true, true]> : tensor<2xi1>
  %bsh = tess.contract sum ins(%tt : tensor<2xi1>) bounds(%c3)
           maps [affine_map<(t) -> (t - 1)>, affine_map<(t) -> (t)>] -> tensor<3xi64> {
  ^bb0(%v: i1):
    %r = tess.cast %v : i1 to i64
    tess.yield %r : i64
  }
  %bshu = tensor.cast %bsh : tensor<3xi64> to tensor<*xi64>
  call @printMemrefI64(%bshu) : (tensor<*xi64>) -> ()

  // Index tensors reduce with signed order.
  // CHECK: sizes = [1]
  // CHECK-NEXT: [-9]
  %c1 = arith.constant 1 : index
  %ix = tess.constant dense<[4, -9, 7]> : tensor<3xindex>
  %imin = tess.reduce min %ix dims [0] : tensor<3xindex> -> tensor<index>
  %imin64 = tess.contract sum ins(%imin : tensor<index>) bounds(%c1)
              maps [affine_map<(i) -> ()>, affine_map<(i) -> (i)>] -> tensor<1xi64> {
  ^bb0(%v: index):
    %r = tess.cast %v : index to i64
    tess.yield %r : i64
  }
  %imin64u = tensor.cast %imin64 : tensor<1xi64> to tensor<*xi64>
  call @printMemrefI64(%imin64u) : (tensor<*xi64>) -> ()
  return
}
