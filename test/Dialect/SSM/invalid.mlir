// RUN: tess-opt %s --split-input-file --verify-diagnostics

func.func @scan_dim_out_of_range(%x: tensor<8xf32>, %n: index) -> tensor<8xf32> {
  // expected-error @+1 {{scan dimension 1 is out of range for a result of rank 1}}
  %h = ssm.scan ins(%x : tensor<8xf32>) bounds(%n)
         maps [affine_map<(t) -> (t)>] scan_dim 1 -> tensor<8xf32> {
  ^bb0(%v: f32, %p: f32):
    ssm.yield %v : f32
  }
  return %h : tensor<8xf32>
}

// -----

func.func @bounds_count(%x: tensor<8x4xf32>, %n: index) -> tensor<8x4xf32> {
  // expected-error @+1 {{expected one loop bound per result dimension (2), but got 1}}
  %h = ssm.scan ins(%x : tensor<8x4xf32>) bounds(%n)
         maps [affine_map<(t) -> (t, t)>] scan_dim 0 -> tensor<8x4xf32> {
  ^bb0(%v: f32, %p: f32):
    ssm.yield %v : f32
  }
  return %h : tensor<8x4xf32>
}

// -----

func.func @map_count(%x: tensor<8xf32>, %n: index) -> tensor<8xf32> {
  // expected-error @+1 {{expected 1 indexing maps (one per input), but got 2}}
  %h = ssm.scan ins(%x : tensor<8xf32>) bounds(%n)
         maps [affine_map<(t) -> (t)>, affine_map<(t) -> (t)>] scan_dim 0
         -> tensor<8xf32> {
  ^bb0(%v: f32, %p: f32):
    ssm.yield %v : f32
  }
  return %h : tensor<8xf32>
}

// -----

func.func @map_rank(%x: tensor<8x2xf32>, %n: index) -> tensor<8xf32> {
  // expected-error @+1 {{input #0 has rank 2, but its indexing map has 1 results}}
  %h = ssm.scan ins(%x : tensor<8x2xf32>) bounds(%n)
         maps [affine_map<(t) -> (t)>] scan_dim 0 -> tensor<8xf32> {
  ^bb0(%v: f32, %p: f32):
    ssm.yield %v : f32
  }
  return %h : tensor<8xf32>
}

// -----

func.func @not_affine(%x: tensor<8xf32>, %n: index) -> tensor<8xf32> {
  // expected-error @+1 {{subscript of input #0 is not affine with constant factors and positive constant divisors}}
  %h = ssm.scan ins(%x : tensor<8xf32>) bounds(%n) symbols(%n)
         maps [affine_map<(t)[s] -> (t * s)>] scan_dim 0 -> tensor<8xf32> {
  ^bb0(%v: f32, %p: f32):
    ssm.yield %v : f32
  }
  return %h : tensor<8xf32>
}

// -----

func.func @extents(%x: tensor<9xf32>) -> tensor<8xf32> {
  %c8 = arith.constant 8 : index
  // expected-error @+1 {{loop dimension #0 has extent 8, but input #0 dimension 0 is 9}}
  %h = ssm.scan ins(%x : tensor<9xf32>) bounds(%c8)
         maps [affine_map<(t) -> (t)>] scan_dim 0 -> tensor<8xf32> {
  ^bb0(%v: f32, %p: f32):
    ssm.yield %v : f32
  }
  return %h : tensor<8xf32>
}

// -----

func.func @init_rank(%x: tensor<8x4xf32>, %h0: tensor<8x4xf32>, %n: index) -> tensor<8x4xf32> {
  // expected-error @+1 {{init must have rank 1 (the result's without the scan dimension), but has rank 2}}
  %h = ssm.scan ins(%x : tensor<8x4xf32>) init(%h0 : tensor<8x4xf32>) bounds(%n, %n)
         maps [affine_map<(t, c) -> (t, c)>] scan_dim 0 -> tensor<8x4xf32> {
  ^bb0(%v: f32, %p: f32):
    ssm.yield %v : f32
  }
  return %h : tensor<8x4xf32>
}

// -----

func.func @init_shape(%x: tensor<8x4xf32>, %h0: tensor<5xf32>, %n: index) -> tensor<8x4xf32> {
  // expected-error @+1 {{init dimension 0 is 5, but result dimension 1 is 4}}
  %h = ssm.scan ins(%x : tensor<8x4xf32>) init(%h0 : tensor<5xf32>) bounds(%n, %n)
         maps [affine_map<(t, c) -> (t, c)>] scan_dim 0 -> tensor<8x4xf32> {
  ^bb0(%v: f32, %p: f32):
    ssm.yield %v : f32
  }
  return %h : tensor<8x4xf32>
}

// -----

func.func @init_type(%x: tensor<8xf32>, %h0: tensor<f64>, %n: index) -> tensor<8xf32> {
  // expected-error @+1 {{init has element type 'f64', but the result has 'f32'}}
  %h = ssm.scan ins(%x : tensor<8xf32>) init(%h0 : tensor<f64>) bounds(%n)
         maps [affine_map<(t) -> (t)>] scan_dim 0 -> tensor<8xf32> {
  ^bb0(%v: f32, %p: f32):
    ssm.yield %v : f32
  }
  return %h : tensor<8xf32>
}

// -----

func.func @body_arguments(%x: tensor<8xf32>, %n: index) -> tensor<8xf32> {
  // expected-error @+1 {{body has 1 arguments, but expected 2 (one per input and the previous state)}}
  %h = ssm.scan ins(%x : tensor<8xf32>) bounds(%n)
         maps [affine_map<(t) -> (t)>] scan_dim 0 -> tensor<8xf32> {
  ^bb0(%v: f32):
    ssm.yield %v : f32
  }
  return %h : tensor<8xf32>
}

// -----

func.func @state_type(%x: tensor<8xf32>, %n: index) -> tensor<8xf32> {
  // expected-error @+1 {{the body's last argument (the previous state) has type 'f64', but the result has 'f32'}}
  %h = ssm.scan ins(%x : tensor<8xf32>) bounds(%n)
         maps [affine_map<(t) -> (t)>] scan_dim 0 -> tensor<8xf32> {
  ^bb0(%v: f32, %p: f64):
    ssm.yield %v : f32
  }
  return %h : tensor<8xf32>
}

// -----

func.func @yield_type(%x: tensor<8xf32>, %n: index) -> tensor<8xf32> {
  %h = ssm.scan ins(%x : tensor<8xf32>) bounds(%n)
         maps [affine_map<(t) -> (t)>] scan_dim 0 -> tensor<8xf32> {
  ^bb0(%v: f32, %p: f32):
    %d = arith.extf %v : f32 to f64
    // expected-error @+1 {{yields 'f64', but the element type of the enclosing ssm.scan is 'f32'}}
    ssm.yield %d : f64
  }
  return %h : tensor<8xf32>
}

// -----

func.func @index_range(%x: tensor<8xf32>, %n: index) -> tensor<8xf32> {
  %h = ssm.scan ins(%x : tensor<8xf32>) bounds(%n)
         maps [affine_map<(t) -> (t)>] scan_dim 0 -> tensor<8xf32> {
  ^bb0(%v: f32, %p: f32):
    // expected-error @+1 {{dimension 1 is out of range: the enclosing ssm.scan has 1 loop dimensions}}
    %i = ssm.index 1 : index
    ssm.yield %v : f32
  }
  return %h : tensor<8xf32>
}

// -----

func.func @yield_outside(%x: f32) {
  // expected-error @+1 {{expects parent op to be one of 'ssm.scan, ssm.recurrence'}}
  ssm.yield %x : f32
}

// -----

func.func @vector_dim_is_scan_dim(%x: tensor<8x4xf32>, %t: index, %n: index) -> tensor<8x4xf32> {
  // expected-error @+1 {{vector dimension 0 must be a dimension of the result other than the scan dimension 0}}
  %h = ssm.scan ins(%x : tensor<8x4xf32>) bounds(%t, %n)
         maps [affine_map<(t, n) -> (t, n)>] scan_dim 0 {vector_dim = 0 : i64} -> tensor<8x4xf32> {
  ^bb0(%v: f32, %p: f32):
    ssm.yield %v : f32
  }
  return %h : tensor<8x4xf32>
}

// -----

func.func @vector_dim_out_of_range(%x: tensor<8x4xf32>, %t: index, %n: index) -> tensor<8x4xf32> {
  // expected-error @+1 {{vector dimension 2 must be a dimension of the result other than the scan dimension 0}}
  %h = ssm.scan ins(%x : tensor<8x4xf32>) bounds(%t, %n)
         maps [affine_map<(t, n) -> (t, n)>] scan_dim 0 {vector_dim = 2 : i64} -> tensor<8x4xf32> {
  ^bb0(%v: f32, %p: f32):
    ssm.yield %v : f32
  }
  return %h : tensor<8x4xf32>
}

// -----

func.func @recurrence_init_type(%h0: tensor<4xf32>, %t: index) -> tensor<8x5xf32> {
  // expected-error @+1 {{the initial slice has type 'tensor<4xf32>', but a slice of the result has type 'tensor<5xf32>'}}
  %h = ssm.recurrence init(%h0 : tensor<4xf32>) length(%t) scan_dim 0 -> tensor<8x5xf32> {
  ^bb0(%pos: index, %prev: tensor<4xf32>):
    ssm.yield %prev : tensor<4xf32>
  }
  return %h : tensor<8x5xf32>
}

// -----

func.func @recurrence_length(%h0: tensor<5xf32>) -> tensor<8x5xf32> {
  %c7 = arith.constant 7 : index
  // expected-error @+1 {{length 7 disagrees with the result's scan dimension 8}}
  %h = ssm.recurrence init(%h0 : tensor<5xf32>) length(%c7) scan_dim 0 -> tensor<8x5xf32> {
  ^bb0(%pos: index, %prev: tensor<5xf32>):
    ssm.yield %prev : tensor<5xf32>
  }
  return %h : tensor<8x5xf32>
}

// -----

func.func @recurrence_scan_dim(%h0: tensor<5xf32>, %t: index) -> tensor<8x5xf32> {
  // expected-error @+1 {{scan dimension 2 is out of range for a result of rank 2}}
  %h = ssm.recurrence init(%h0 : tensor<5xf32>) length(%t) scan_dim 2 -> tensor<8x5xf32> {
  ^bb0(%pos: index, %prev: tensor<5xf32>):
    ssm.yield %prev : tensor<5xf32>
  }
  return %h : tensor<8x5xf32>
}

// -----

func.func @recurrence_body_args(%h0: tensor<5xf32>, %t: index) -> tensor<8x5xf32> {
  // expected-error @+1 {{body must take the position (index) and the previous slice ('tensor<5xf32>')}}
  %h = ssm.recurrence init(%h0 : tensor<5xf32>) length(%t) scan_dim 0 -> tensor<8x5xf32> {
  ^bb0(%prev: tensor<5xf32>):
    ssm.yield %prev : tensor<5xf32>
  }
  return %h : tensor<8x5xf32>
}

// -----

func.func @recurrence_yield(%h0: tensor<5xf32>, %x: tensor<4xf32>, %t: index) -> tensor<8x5xf32> {
  %h = ssm.recurrence init(%h0 : tensor<5xf32>) length(%t) scan_dim 0 -> tensor<8x5xf32> {
  ^bb0(%pos: index, %prev: tensor<5xf32>):
    // expected-error @+1 {{yields 'tensor<4xf32>', but a slice of the enclosing ssm.recurrence has type 'tensor<5xf32>'}}
    ssm.yield %x : tensor<4xf32>
  }
  return %h : tensor<8x5xf32>
}

// -----

func.func @discretize_not_square(%a: tensor<4x3xf32>, %b: tensor<4xf32>, %dt: tensor<f32>) {
  // expected-error @+1 {{expects a square matrix A, but A has type 'tensor<4x3xf32>'}}
  %abar, %bbar = ssm.discretize <zoh> %a, %b, %dt : tensor<4x3xf32>, tensor<4xf32>, tensor<f32>
  return
}

// -----

func.func @discretize_rows(%a: tensor<4x4xf32>, %b: tensor<5x2xf32>, %dt: tensor<f32>) {
  // expected-error @+1 {{B has 5 rows, but A has 4}}
  %abar, %bbar = ssm.discretize <bilinear> %a, %b, %dt : tensor<4x4xf32>, tensor<5x2xf32>, tensor<f32>
  return
}

// -----

func.func @discretize_b_rank(%a: tensor<4x4xf32>, %b: tensor<4x2x2xf32>, %dt: tensor<f32>) {
  // expected-error @+1 {{expects B of rank 1 or 2, but B has type 'tensor<4x2x2xf32>'}}
  %abar, %bbar = ssm.discretize <zoh> %a, %b, %dt : tensor<4x4xf32>, tensor<4x2x2xf32>, tensor<f32>
  return
}

// -----

func.func @discretize_dt_rank(%a: tensor<4x4xf32>, %b: tensor<4xf32>, %dt: tensor<4xf32>) {
  // expected-error @+1 {{expects a rank-0 step dt, but dt has type 'tensor<4xf32>'}}
  %abar, %bbar = ssm.discretize <zoh> %a, %b, %dt : tensor<4x4xf32>, tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @discretize_complex(%a: tensor<4x4xcomplex<f32>>, %b: tensor<4xcomplex<f32>>, %dt: tensor<complex<f32>>) {
  // expected-error @+1 {{expects f32 or f64 elements, but A has 'complex<f32>'}}
  %abar, %bbar = ssm.discretize <zoh> %a, %b, %dt : tensor<4x4xcomplex<f32>>, tensor<4xcomplex<f32>>, tensor<complex<f32>>
  return
}

// -----

func.func @discretize_mixed(%a: tensor<4x4xf32>, %b: tensor<4xf64>, %dt: tensor<f32>) {
  // expected-error @+1 {{expects A, B and dt of one element type, but they have 'f32', 'f64' and 'f32'}}
  %abar, %bbar = ssm.discretize <zoh> %a, %b, %dt : tensor<4x4xf32>, tensor<4xf64>, tensor<f32>
  return
}

// -----

func.func @discretize_method(%a: tensor<4x4xf32>, %b: tensor<4xf32>, %dt: tensor<f32>) {
  // expected-error @+2 {{expected ::tessera::ssm::DiscretizeMethod to be one of: zoh, bilinear}}
  // expected-error @+1 {{failed to parse}}
  %abar, %bbar = ssm.discretize <euler> %a, %b, %dt : tensor<4x4xf32>, tensor<4xf32>, tensor<f32>
  return
}

// -----

func.func @scan_kind_dense(%x: tensor<8x4xf32>, %t: index, %n: index) -> tensor<8x4xf32> {
  // expected-error @+1 {{kind dense describes a transition between whole slices (ssm.recurrence); an ssm.scan's step is element-wise}}
  %h = ssm.scan ins(%x : tensor<8x4xf32>) bounds(%t, %n)
         maps [affine_map<(t, n) -> (t, n)>] scan_dim 0 kind <dense> -> tensor<8x4xf32> {
  ^bb0(%v: f32, %p: f32):
    ssm.yield %v : f32
  }
  return %h : tensor<8x4xf32>
}
