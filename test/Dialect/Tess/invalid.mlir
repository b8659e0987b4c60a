// RUN: tess-opt %s -split-input-file -verify-diagnostics

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

func.func @map_count(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %M: index, %N: index, %K: index) {
  // expected-error @below {{expected 3 indexing maps (one per input and one for the result), but got 2}}
  %c = tess.contract sum ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) bounds(%M, %N, %K) maps [#mk, #mn] -> tensor<?x?xf32> {
  ^bb0(%x: f32, %y: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @map_dims(%a: tensor<?xf32>, %M: index, %N: index) {
  // expected-error @below {{indexing map #0 has 1 dimensions, but the op has 2 loop bounds}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M, %N) maps [affine_map<(i) -> (i)>, affine_map<(i, j) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @map_symbols(%a: tensor<?xf32>, %M: index) {
  // expected-error @below {{indexing map #0 must not have symbols}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M) maps [affine_map<(i)[s] -> (i + s)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @map_symbol_count(%a: tensor<?xf32>, %M: index) {
  // expected-error @below {{indexing map #1 has 0 symbols, but the op has 1 symbol operands}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M) symbols(%M) maps [affine_map<(i)[s] -> (i + s)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @map_too_many_symbols(%a: tensor<?xf32>, %M: index) {
  // expected-error @below {{indexing map #0 has 2 symbols, but the op has 1 symbol operands}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M) symbols(%M) maps [affine_map<(i)[s, t] -> (i + s)>, affine_map<(i)[s] -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @result_map_symbol(%a: tensor<?xf32>, %M: index) {
  // expected-error @below {{result indexing map must not use symbols, but got affine_map<(d0)[s0] -> (d0 + s0)>}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M) symbols(%M) maps [affine_map<(i)[s] -> (i)>, affine_map<(i)[s] -> (i + s)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @result_map_only_symbol(%a: tensor<?xf32>, %M: index) {
  // expected-error @below {{result indexing map must not use symbols, but got affine_map<(d0)[s0] -> (s0)>}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M) symbols(%M) maps [affine_map<(i)[s] -> (i)>, affine_map<(i)[s] -> (s)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @symbol_times_dim(%a: tensor<?xf32>, %M: index) {
  // expected-error @below {{subscript 'd0 * s0' of input #0 is not affine: a product needs a constant factor and a division a positive constant divisor}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M) symbols(%M) maps [affine_map<(i)[s] -> (i * s)>, affine_map<(i)[s] -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @divide_by_symbol(%a: tensor<?xf32>, %M: index) {
  // expected-error @below {{subscript 'd0 floordiv s0' of input #0 is not affine}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M) symbols(%M) maps [affine_map<(i)[s] -> (i floordiv s)>, affine_map<(i)[s] -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @symbol_not_index(%a: tensor<?xf32>, %M: index, %s: i64) {
  // expected-error @below {{must be variadic of index, but got 'i64'}}
  %c = "tess.contract"(%a, %M, %s) <{indexing_maps = [affine_map<(i)[s] -> (i + s)>, affine_map<(i)[s] -> (i)>], kind = 0 : i32, operandSegmentSizes = array<i32: 1, 1, 1>}> ({
  ^bb0(%x: f32):
    tess.yield %x : f32
  }) : (tensor<?xf32>, index, i64) -> tensor<?xf32>
  return
}

// -----

func.func @input_rank(%a: tensor<?x?xf32>, %M: index) {
  // expected-error @below {{input #0 has rank 2, but its indexing map has 1 results}}
  %c = tess.contract sum ins(%a : tensor<?x?xf32>) bounds(%M) maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @result_map_compound(%a: tensor<?xf32>, %M: index, %N: index) {
  // expected-error @below {{result indexing map must be a projected permutation (distinct loop dimensions), but got affine_map<(d0, d1) -> (d0 + d1)>}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M, %N) maps [affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i + j)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @result_map_repeated(%a: tensor<?xf32>, %M: index) {
  // expected-error @below {{result indexing map must be a projected permutation}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M) maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i, i)>] -> tensor<?x?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @result_rank(%a: tensor<?xf32>, %M: index) {
  // expected-error @below {{result has rank 2, but the result indexing map has 1 results}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M) maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<?x?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @complex_max(%a: tensor<?xcomplex<f32>>, %M: index) {
  // expected-error @below {{reduction kind 'max' is not supported on 'complex<f32>'}}
  %c = tess.contract max ins(%a : tensor<?xcomplex<f32>>) bounds(%M) maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<complex<f32>> {
  ^bb0(%x: complex<f32>):
    tess.yield %x : complex<f32>
  }
  return
}

// -----

func.func @negative_bound(%a: tensor<?xf32>) {
  %n = arith.constant -2 : index
  // expected-error @below {{loop bound #0 is negative (-2)}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%n) maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @result_extent(%a: tensor<?xf32>) {
  %n = arith.constant 4 : index
  // expected-error @below {{loop dimension #0 has extent 4 (its bound) but 5 (result dimension 0)}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%n) maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<5xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @input_extent(%a: tensor<3xf32>) {
  %n = arith.constant 4 : index
  // expected-error @below {{loop dimension #0 has extent 4 (its bound) but 3 (input #0 dimension 0)}}
  %c = tess.contract sum ins(%a : tensor<3xf32>) bounds(%n) maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<f32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @input_extents(%a: tensor<3x4xf32>, %b: tensor<5xf32>, %n: index, %m: index) {
  // expected-error @below {{loop dimension #1 has extent 4 (input #0 dimension 1) but 5 (input #1 dimension 0)}}
  %c = tess.contract sum ins(%a, %b : tensor<3x4xf32>, tensor<5xf32>) bounds(%n, %m) maps [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32, %y: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @body_arg_count(%a: tensor<?xf32>, %M: index) {
  // expected-error @below {{body has 2 arguments, but the op has 1 inputs}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M) maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32, %y: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @body_arg_type(%a: tensor<?xf32>, %M: index) {
  // expected-error @below {{body argument #0 has type 'f64', but input #0 has element type 'f32'}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M) maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f64):
    %y = arith.truncf %x : f64 to f32
    tess.yield %y : f32
  }
  return
}

// -----

func.func @body_terminator(%a: tensor<?xf32>, %M: index) {
  // expected-error @below {{body must end with tess.yield}}
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M) maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    llvm.unreachable
  }
  return
}

// -----

func.func @yield_type(%a: tensor<?xf32>, %M: index) {
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M) maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<?xf64> {
  ^bb0(%x: f32):
    // expected-error @below {{yields 'f32', but the element type of the enclosing op's result is 'f64'}}
    tess.yield %x : f32
  }
  return
}

// -----

func.func @yield_parent(%x: f32) {
  // expected-error @below {{expects parent op to be one of 'tess.contract, tess.map'}}
  tess.yield %x : f32
}

// -----

func.func @map_no_inputs() {
  // expected-error @below {{expected at least one input}}
  %r = "tess.map"() ({
    %c = arith.constant 0.0 : f32
    tess.yield %c : f32
  }) : () -> tensor<f32>
  return
}

// -----

func.func @map_shapes(%a: tensor<4xf32>, %b: tensor<?xf32>) {
  // expected-error @below {{input #1 has type 'tensor<?xf32>', whose shape differs from that of input #0}}
  %r = tess.map ins(%a, %b : tensor<4xf32>, tensor<?xf32>) -> tensor<4xf32> {
  ^bb0(%x: f32, %y: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @map_result_shape(%a: tensor<4xf32>) {
  // expected-error @below {{result type 'tensor<?xf32>' must have the shape of the inputs}}
  %r = tess.map ins(%a : tensor<4xf32>) -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @map_body_args(%a: tensor<4xf32>) {
  // expected-error @below {{body argument #0 has type 'i32', but input #0 has element type 'f32'}}
  %r = tess.map ins(%a : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: i32):
    %c = arith.constant 0.0 : f32
    tess.yield %c : f32
  }
  return
}

// -----

func.func @reduce_dim_range(%x: tensor<?x?xf32>) {
  // expected-error @below {{reduction dimension 2 is out of range for an input of rank 2}}
  %r = tess.reduce sum %x dims [2] : tensor<?x?xf32> -> tensor<?xf32>
  return
}

// -----

func.func @reduce_dim_order(%x: tensor<?x?x?xf32>) {
  // expected-error @below {{reduction dimensions must be strictly increasing}}
  %r = tess.reduce sum %x dims [2, 0] : tensor<?x?x?xf32> -> tensor<?xf32>
  return
}

// -----

func.func @reduce_element(%x: tensor<?x?xf32>) {
  // expected-error @below {{result element type 'f64' differs from the input element type 'f32'}}
  %r = tess.reduce sum %x dims [1] : tensor<?x?xf32> -> tensor<?xf64>
  return
}

// -----

func.func @reduce_rank(%x: tensor<?x?xf32>) {
  // expected-error @below {{result has rank 2, expected 1}}
  %r = tess.reduce sum %x dims [1] : tensor<?x?xf32> -> tensor<?x?xf32>
  return
}

// -----

func.func @reduce_size(%x: tensor<3x?xf32>) {
  // expected-error @below {{result dimension 0 has size 4, but input dimension 0 has size 3}}
  %r = tess.reduce sum %x dims [1] : tensor<3x?xf32> -> tensor<4xf32>
  return
}

// -----

func.func @reduce_kind(%x: tensor<?xcomplex<f64>>) {
  // expected-error @below {{reduction kind 'min' is not supported on 'complex<f64>'}}
  %r = tess.reduce min %x dims [0] : tensor<?xcomplex<f64>> -> tensor<complex<f64>>
  return
}

// -----

func.func @softmax_axis(%x: tensor<?x?xf32>) {
  // expected-error @below {{axis 2 is out of range for a tensor of rank 2}}
  %r = tess.softmax %x axis 2 : tensor<?x?xf32>
  return
}

// -----

func.func @softmax_int(%x: tensor<?xi32>) {
  // expected-error @below {{operand #0 must be ranked tensor of floating-point values}}
  %r = tess.softmax %x axis 0 : tensor<?xi32>
  return
}

// -----

func.func @splat_type(%v: f64) {
  // expected-error @below {{value type 'f64' differs from the element type of 'tensor<4xf32>'}}
  %r = tess.splat %v : f64 -> tensor<4xf32>
  return
}

// -----

func.func @splat_sizes(%v: f32, %n: index) {
  // expected-error @below {{expected 2 dynamic sizes for 'tensor<?x?xf32>', but got 1}}
  %r = tess.splat %v [%n] : f32 -> tensor<?x?xf32>
  return
}

// -----

func.func @constant_type() {
  // expected-error @below {{value 1.000000e+00 : f32 is not a valid constant of type 'f64'}}
  %c = "tess.constant"() <{value = 1.0 : f32}> : () -> f64
  return
}

// -----

func.func @constant_complex() {
  // expected-error @below {{is not a valid constant of type 'complex<f32>'}}
  %c = tess.constant [0.0 : f64, 1.0 : f64] : complex<f32>
  return
}

// -----

func.func @cast_complex_to_real(%z: complex<f32>) {
  // expected-error @below {{cannot cast complex type 'complex<f32>' to real type 'f32'; use complex.re or complex.abs}}
  %r = tess.cast %z : complex<f32> to f32
  return
}

// -----

func.func @cast_type(%x: i8) {
  // expected-error @below {{operand #0 must be tessera scalar type}}
  %r = tess.cast %x : i8 to f32
  return
}

// -----

func.func @index_parent() {
  // expected-error @below {{must be nested in a tess.contract body}}
  %i = tess.index 0 : index
  return
}

// -----

func.func @index_range(%a: tensor<?xf32>, %M: index) {
  %c = tess.contract sum ins(%a : tensor<?xf32>) bounds(%M) maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    // expected-error @below {{dimension 1 is out of range: the enclosing tess.contract has 1 loop dimensions}}
    %i = tess.index 1 : index
    tess.yield %x : f32
  }
  return
}

// -----

func.func @call_unknown() {
  // expected-error @below {{'nowhere' does not reference a func.func}}
  tess.call @nowhere() : () -> ()
  return
}

// -----

func.func private @f(tensor<?xf32>) -> tensor<f32>

func.func @call_operand_count(%a: tensor<?xf32>) {
  // expected-error @below {{callee expects 1 operands, but got 2}}
  %r = tess.call @f(%a, %a) : (tensor<?xf32>, tensor<?xf32>) -> tensor<f32>
  return
}

// -----

func.func private @f(tensor<?xf32>) -> tensor<f32>

func.func @call_operand_type(%a: tensor<4xf32>) {
  // expected-error @below {{operand #0 has type 'tensor<4xf32>', but the callee expects 'tensor<?xf32>'}}
  %r = tess.call @f(%a) : (tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func private @f(tensor<?xf32>) -> tensor<f32>

func.func @call_result_count(%a: tensor<?xf32>) {
  // expected-error @below {{callee returns 1 results, but the call has 0}}
  tess.call @f(%a) : (tensor<?xf32>) -> ()
  return
}

// -----

func.func private @f(tensor<?xf32>) -> tensor<f32>

func.func @call_result_type(%a: tensor<?xf32>) {
  // expected-error @below {{result #0 has type 'tensor<f64>', but the callee returns 'tensor<f32>'}}
  %r = tess.call @f(%a) : (tensor<?xf32>) -> tensor<f64>
  return
}

// -----

func.func @subscript_mod_negative(%a: tensor<8xf32>, %M: index) {
  // expected-error @below {{subscript 'd0 mod -2' of input #0 divides by a non-positive value}}
  %c = tess.contract sum ins(%a : tensor<8xf32>) bounds(%M) maps [affine_map<(i) -> (i mod -2)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @subscript_floordiv_zero(%a: tensor<8xf32>, %b: tensor<8xf32>, %M: index) {
  // expected-error @below {{subscript 'd0 floordiv 0' of input #1 divides by a non-positive value}}
  %c = tess.contract sum ins(%a, %b : tensor<8xf32>, tensor<8xf32>) bounds(%M) maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i floordiv 0)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32, %y: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @subscript_ceildiv_negative(%a: tensor<8xf32>, %M: index) {
  // expected-error @below {{subscript '(d0 + 1) ceildiv -3' of input #0 divides by a non-positive value}}
  %c = tess.contract sum ins(%a : tensor<8xf32>) bounds(%M) maps [affine_map<(i) -> ((i + 1) ceildiv -3)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return
}

// -----

func.func @zero_width_integer(%a: tensor<4xi0>) {
  // expected-error @below {{operand #0 must be ranked tensor of tess element type values, but got 'tensor<4xi0>'}}
  %r = tess.reduce max %a dims [0] : tensor<4xi0> -> tensor<i0>
  return
}

// -----

func.func @max_without_infinity(%a: tensor<4xf8E4M3FN>) {
  // expected-error @below {{reduction kind 'max' is not supported on 'f8E4M3FN'}}
  %r = tess.reduce max %a dims [0] : tensor<4xf8E4M3FN> -> tensor<f8E4M3FN>
  return
}

// -----

func.func @min_without_infinity(%a: tensor<?xf4E2M1FN>, %M: index) {
  // expected-error @below {{reduction kind 'min' is not supported on 'f4E2M1FN'}}
  %c = tess.contract min ins(%a : tensor<?xf4E2M1FN>) bounds(%M) maps [affine_map<(i) -> (i)>, affine_map<(i) -> ()>] -> tensor<f4E2M1FN> {
  ^bb0(%x: f4E2M1FN):
    tess.yield %x : f4E2M1FN
  }
  return
}

// -----

func.func @softmax_without_infinity(%x: tensor<?xf8E4M3FN>) {
  // expected-error @below {{reduction kind 'max' is not supported on 'f8E4M3FN'}}
  %p = tess.softmax %x axis 0 : tensor<?xf8E4M3FN>
  return
}

// -----

func.func @splat_negative_size(%v: f32) {
  %n = arith.constant -3 : index
  // expected-error @below {{dynamic size #0 is negative (-3)}}
  %s = tess.splat %v [%n] : f32 -> tensor<?x4xf32>
  return
}

// -----

func.func @constant_resource() {
  // expected-error @below {{value dense_resource<blob> : tensor<f32> is not a valid constant of type 'tensor<f32>'}}
  %t = tess.constant dense_resource<blob> : tensor<f32>
  return
}

// -----

func.func @constant_sparse() {
  // expected-error @below {{is not a valid constant of type 'tensor<2xf32>'}}
  %t = tess.constant sparse<[[0]], [1.0]> : tensor<2xf32>
  return
}
