// RUN: tess-opt %s --convert-tess-to-linalg -split-input-file -verify-diagnostics

// In a graph region an op may use its own result. A cast or an empty
// reduction of itself has no value to forward: the lowering fails with a
// diagnostic instead of replacing the op by itself.
module {
  // expected-error @below {{failed to legalize operation 'tess.cast' that was explicitly marked illegal}}
  %x = tess.cast %x : f32 to f32
}

// -----

module {
  // expected-error @below {{failed to legalize operation 'tess.reduce' that was explicitly marked illegal}}
  %r = tess.reduce sum %r dims [] : tensor<4xf32> -> tensor<4xf32>
}
