"""Tests of the Python module `tessera` against NumPy oracles.

Tolerances: float32 results within rtol 1e-5 / atol 1e-5 of float64 NumPy
(contractions of at most a few hundred terms), float64 within 1e-12, integers
and booleans exact.
"""

import os
import threading

import numpy as np
import pytest

import tessera

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")

SOURCE = """
fn matmul(a: f32[M, K], b: f32[K, N]) -> f32[M, N] {
  c[m, n] = a[m, k] * b[k, n]
  return c
}
fn matmul64(a: f64[M, K], b: f64[K, N]) -> f64[M, N] {
  c[m, n] = a[m, k] * b[k, n]
  return c
}
fn axpy(alpha: f32, x: f32[N], y: f32[N]) -> f32[N] {
  return alpha * x + y
}
fn stats(x: f64[N, M]) -> (f64[N], f64) {
  rowsum[i] = sum[j](x[i, j])
  total = sum[i, j](x[i, j])
  return rowsum, total
}
fn vandermonde(a: f32[H], L: index) -> (f32[H, L], i64[L, H]) {
  K[h, l] = exp(a[h] * l) where l in 0..L
  g[l, h] = h * 10 + l where l in 0..L, h in 0..H
  return K, g
}
fn cmul(a: c64[N], b: c64[N]) -> c64[N] {
  return a * b
}
fn twice(x: i32[N]) -> i32[N] {
  return x + x
}
fn double(x: f32[N]) -> f32[N] {
  return x + x
}
"""

rng = np.random.default_rng(7)


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


@pytest.fixture(scope="module")
def m():
    return tessera.compile(SOURCE, name="test.tess")


# --- every kind of entry ----------------------------------------------------

@pytest.mark.parametrize("M,K,N", [(8, 8, 8), (1, 1, 1), (3, 5, 7), (64, 33, 17),
                                   (0, 4, 3)])
def test_matmul(m, M, K, N):
    a, b = f32(M, K), f32(K, N)
    c = m.matmul(a, b)
    assert isinstance(c, np.ndarray) and c.dtype == np.float32
    assert c.shape == (M, N)
    np.testing.assert_allclose(c, a.astype(np.float64) @ b, rtol=1e-5, atol=1e-5)


def test_float64(m):
    a, b = rng.standard_normal((9, 4)), rng.standard_normal((4, 6))
    np.testing.assert_allclose(m.matmul64(a, b), a @ b, rtol=1e-12, atol=1e-12)


def test_python_scalar_parameter(m):
    x, y = f32(10), f32(10)
    np.testing.assert_allclose(m.axpy(2.5, x, y), 2.5 * x + y, rtol=1e-6)
    np.testing.assert_allclose(m.axpy(3, x, y), 3 * x + y, rtol=1e-6)
    np.testing.assert_allclose(m.axpy(np.float32(0.5), x, y), 0.5 * x + y,
                               rtol=1e-6)


def test_several_results_and_a_scalar_result(m):
    x = rng.standard_normal((5, 3))
    rowsum, total = m.stats(x)
    np.testing.assert_allclose(rowsum, x.sum(axis=1), rtol=1e-12)
    assert total.shape == () and total.dtype == np.float64
    np.testing.assert_allclose(total, x.sum(), rtol=1e-12)


def test_index_parameter(m):
    a = f32(3) * 0.1
    K, g = m.vandermonde(a, 6)
    l = np.arange(6, dtype=np.float64)
    np.testing.assert_allclose(K, np.exp(a[:, None] * l[None, :]), rtol=1e-5)
    assert g.dtype == np.int64
    np.testing.assert_array_equal(g, np.arange(3) * 10 + np.arange(6)[:, None])


def test_complex_and_integer_dtypes(m):
    a = (rng.standard_normal(7) + 1j * rng.standard_normal(7)).astype(np.complex64)
    b = (rng.standard_normal(7) + 1j * rng.standard_normal(7)).astype(np.complex64)
    np.testing.assert_allclose(m.cmul(a, b), a * b, rtol=1e-5, atol=1e-6)
    x = np.arange(-4, 5, dtype=np.int32)
    np.testing.assert_array_equal(m.twice(x), 2 * x)


def test_half_precision_dtypes():
    m = tessera.compile("fn h(x: f16[N]) -> f16[N] {\n  return x * x\n}\n"
                        "fn b(x: bf16[N]) -> bf16[N] {\n  return x + x\n}\n")
    x = np.linspace(-2, 2, 9).astype(np.float16)
    np.testing.assert_allclose(m.h(x).astype(np.float32),
                               (x.astype(np.float32) ** 2), rtol=2e-3)
    assert m.h(x).dtype == np.float16
    with pytest.raises(TypeError, match="must be bf16 but is f32"):
        m.b(np.zeros(3, np.float32))
    torch = pytest.importorskip("torch")
    t = torch.linspace(-2, 2, 9, dtype=torch.bfloat16)
    with pytest.raises(TypeError, match="pass `out=` a bf16 tensor"):
        m.b(t)
    out = torch.empty(9, dtype=torch.bfloat16)
    assert m.b(t, out=out) is out
    assert torch.equal(out, t + t)


def test_load_example():
    lse = tessera.load(os.path.join(EXAMPLES, "logsumexp.tess"))
    x = f32(6, 50) * 4
    x64 = x.astype(np.float64)
    expected = np.log(np.exp(x64 - x64.max(1, keepdims=True)).sum(1)) + x64.max(1)
    np.testing.assert_allclose(lse.logsumexp(x), expected, rtol=1e-5, atol=1e-5)


def test_signatures_and_code(m):
    assert list(m.functions)[:3] == ["matmul", "matmul64", "axpy"]
    mm = m.functions["matmul"]
    assert mm.signature == "matmul(a: f32[M, K], b: f32[K, N]) -> f32[M, N]"
    assert mm.params == [("a", "f32", ("M", "K")), ("b", "f32", ("K", "N"))]
    assert mm.results == [("c", "f32", ("M", "N"))]
    assert m.functions["double"].results == [("result0", "f32", ("N",))]
    assert m.functions["vandermonde"].params[1] == ("L", "index", ())
    assert "matmul" in repr(m) and "matmul" in dir(m)
    assert "func.func @matmul" in m.mlir("matmul")
    assert "llvm.func" in m.code("matmul", "lowered")
    assert "define" in m.code("matmul", "llvm")
    plan = m.explain("matmul", M=512, K=256, N=128)
    assert "kind" in tessera.compile(
        "fn f(a: f32[kind, self], b: f32[self, n]) -> f32[kind, n] {\n"
        "  c[i, j] = a[i, k] * b[k, j]\n  return c\n}\n").explain(
            "f", kind=100, self=7, n=3)
    assert "test.tess:3:3: remark:" in plan and "M 512" in plan
    with pytest.raises(AttributeError, match="no function 'nope'"):
        m.nope
    with pytest.raises(ValueError, match="kind must be"):
        m.code("matmul", "wat")


def test_code_is_cached_per_set_of_sizes():
    m = tessera.compile(SOURCE)
    a, b = f32(4, 4), f32(4, 4)
    m.matmul(a, b)
    m.matmul(f32(4, 4), f32(4, 4))
    assert m.matmul.num_compiled == 1
    m.matmul(f32(2, 3), f32(3, 5))
    assert m.matmul.num_compiled == 2
    np.testing.assert_allclose(m.matmul(a, b), a @ b, rtol=1e-5, atol=1e-5)
    assert m.matmul.num_compiled == 2


# --- zero copy ---------------------------------------------------------------

def test_out_is_written_in_place(m):
    a, b = f32(8, 8), f32(8, 8)
    out = np.full((8, 8), np.nan, np.float32)
    address = out.ctypes.data
    result = m.matmul(a, b, out=out)
    assert result is out and out.ctypes.data == address
    np.testing.assert_allclose(out, a @ b, rtol=1e-5, atol=1e-5)


def test_out_into_a_slice_of_a_larger_buffer(m):
    buffer = np.zeros(12, np.float32)
    x = f32(4)
    m.double(x, out=buffer[4:8])
    np.testing.assert_allclose(buffer[4:8], 2 * x)
    assert not buffer[:4].any() and not buffer[8:].any()


def test_several_outs(m):
    x = rng.standard_normal((3, 4))
    outs = (np.empty(3), np.empty(()))
    result = m.stats(x, out=outs)
    assert result is outs
    np.testing.assert_allclose(outs[0], x.sum(1), rtol=1e-12)
    np.testing.assert_allclose(outs[1], x.sum(), rtol=1e-12)


def test_inputs_are_used_in_place(m):
    # The overlap check sees the arguments' own memory: an output that is the
    # input itself is refused, one beside it is fine.
    x = np.arange(8, dtype=np.float32)
    with pytest.raises(ValueError, match="overlaps an argument"):
        m.double(x[:4], out=x[2:6])
    m.double(x[:4], out=x[4:])
    np.testing.assert_array_equal(x, [0, 1, 2, 3, 0, 2, 4, 6])


def test_read_only_inputs_are_accepted(m):
    x = np.arange(4, dtype=np.float32)
    x.setflags(write=False)
    np.testing.assert_array_equal(m.double(x), 2 * x)
    with pytest.raises(TypeError, match="writable"):
        m.double(x, out=x)


# --- PyTorch -----------------------------------------------------------------

def test_torch_tensors(m):
    torch = pytest.importorskip("torch")
    a, b = torch.randn(6, 5), torch.randn(5, 4)
    c = m.matmul(a, b)
    np.testing.assert_allclose(c, (a.double() @ b.double()).numpy(), rtol=1e-5,
                               atol=1e-5)
    out = torch.empty(6, 4)
    assert m.matmul(a, b, out=out) is out
    np.testing.assert_allclose(out.numpy(), c)
    # A tensor that shares memory with NumPy is read where it lies.
    x = np.arange(4, dtype=np.float32)
    t = torch.from_numpy(x)
    target = torch.zeros(8)
    m.double(t, out=target[4:])
    assert target.tolist() == [0, 0, 0, 0, 0, 2, 4, 6]
    with pytest.raises(TypeError, match="contiguous"):
        m.matmul(a.t(), a)
    with pytest.raises(TypeError, match="must be f32 but is f64"):
        m.matmul(a.double(), b)
    with pytest.raises(tessera.ShapeError, match="K"):
        m.matmul(a, a)


# --- errors ------------------------------------------------------------------

def test_compile_error_has_every_diagnostic():
    source = "fn f(x: f32[N]) -> f32[N] {\n  return x + y\n}\n" \
             "fn g(x: f32[N]) -> f32[N] {\n  return x * z\n}\n"
    with pytest.raises(tessera.CompileError) as info:
        tessera.compile(source, name="bad.tess")
    message = str(info.value)
    assert "bad.tess:2:14: error: unknown name 'y'" in message
    assert "bad.tess:5:14: error: unknown name 'z'" in message
    assert "  return x + y\n" in message and "^" in message
    errors = [d for d in info.value.diagnostics if d.severity == "error"]
    assert [(d.file, d.line, d.column) for d in errors] == [
        ("bad.tess", 2, 14), ("bad.tess", 5, 14)]
    assert errors[0].message == "unknown name 'y'"


def test_shape_error_names_the_symbol_and_both_extents(m):
    with pytest.raises(tessera.ShapeError) as info:
        m.matmul(f32(3, 4), f32(5, 2))
    assert "K" in str(info.value) and "4" in str(info.value) and "5" in str(info.value)
    assert isinstance(info.value, ValueError)
    with pytest.raises(tessera.ShapeError, match="rank 2"):
        m.matmul(f32(3), f32(3, 2))
    with pytest.raises(tessera.ShapeError, match=r"f32\[3, 2\]"):
        m.matmul(f32(3, 4), f32(4, 2), out=np.empty((2, 3), np.float32))


def test_type_errors_say_how_to_fix_them(m):
    with pytest.raises(TypeError, match="must be f32 but is f64"):
        m.matmul(np.ones((2, 2)), f32(2, 2))
    with pytest.raises(TypeError, match="ascontiguousarray"):
        m.matmul(f32(4, 3).T, f32(4, 2))
    with pytest.raises(TypeError, match="numpy.asarray"):
        m.matmul([[1.0]], f32(1, 1))
    with pytest.raises(TypeError, match=r"takes 2 argument\(s\) \(a, b\) but 1"):
        m.matmul(f32(2, 2))
    with pytest.raises(TypeError, match="must be an int"):
        m.vandermonde(f32(3), 2.5)
    with pytest.raises(TypeError, match="must be a scalar of dtype f32"):
        m.axpy("2", f32(2), f32(2))
    with pytest.raises(TypeError, match="must be f32 but is i64"):
        m.double(np.arange(3))


def test_bad_inputs_never_crash(m):
    for args in [(None, None), (object(), 1), ("ab", b"cd"), (1, 2),
                 (np.array(1.0, np.float32), f32(1, 1)),
                 (np.zeros((2, 0), np.float32), np.zeros((0, 3), np.float32))]:
        try:
            m.matmul(*args)
        except (TypeError, ValueError):
            pass
    for source in ["", "fn", "fn f(", "\x00\xff", "fn f(x: f32[N]) -> f32[N] {"]:
        try:
            tessera.compile(source)
        except tessera.CompileError:
            pass
    with pytest.raises(OSError):
        tessera.load("/nonexistent/file.tess")
    with pytest.raises(ValueError):
        tessera.compile(SOURCE, opt_level=7)
    with pytest.raises(TypeError):
        tessera.compile(b"fn")
    with pytest.raises(ValueError, match="overlaps"):
        x = f32(4)
        m.double(x, out=x)
    a = f32(3)
    with pytest.raises(tessera.ShapeError, match="non-negative but is -3"):
        m.vandermonde(a, -3)
    with pytest.raises(ValueError, match="does not fit in i64"):
        m.vandermonde(a, 2 ** 63)
    with pytest.raises(ValueError, match="too large"):
        m.vandermonde(a, 2 ** 62)
    with pytest.raises(MemoryError, match="cannot allocate"):
        m.vandermonde(a, 10 ** 15)
    with pytest.raises(ValueError, match="does not fit in f32"):
        m.axpy(1e300, f32(2), f32(2))
    with pytest.raises(ValueError, match="NUL"):
        tessera.load("a\0b.tess")


def test_out_sequences_that_change_under_us(m):
    # A list subclass that iterates over new objects, and one whose items
    # change while the first is converted: no crash, the results land in
    # the arrays converted.
    class Fresh(list):
        made = []

        def __iter__(self):
            Fresh.made[:] = [np.zeros(3), np.zeros(())]
            return iter(list(Fresh.made))

    x = rng.standard_normal((3, 2))
    m.stats(x, out=Fresh([0, 0]))
    np.testing.assert_allclose(Fresh.made[0], x.sum(1), rtol=1e-12)
    np.testing.assert_allclose(Fresh.made[1], x.sum(), rtol=1e-12)

    outs = [None, np.empty(())]

    class Sneaky:
        def __init__(self):
            self.array = np.empty(3)

        def __dlpack__(self, *args, **kwargs):
            outs[1] = None
            return self.array.__dlpack__(*args, **kwargs)

        def __dlpack_device__(self):
            return self.array.__dlpack_device__()

    sneaky = Sneaky()
    outs[0] = sneaky
    try:
        m.stats(x, out=outs)
    except TypeError:
        pass  # nanobind may not take this object; it must not crash


def test_empty_arrays(m):
    c = m.matmul(np.zeros((0, 4), np.float32), f32(4, 3))
    assert c.shape == (0, 3)
    c = m.matmul(f32(2, 0), np.zeros((0, 3), np.float32))
    np.testing.assert_array_equal(c, np.zeros((2, 3)))


# --- threads -----------------------------------------------------------------

def test_two_threads_call_at_once(m):
    failures = []

    def work(size, seed):
        local = np.random.default_rng(seed)
        for _ in range(30):
            a = local.standard_normal((size, size + 1)).astype(np.float32)
            b = local.standard_normal((size + 1, size)).astype(np.float32)
            try:
                np.testing.assert_allclose(m.matmul(a, b),
                                           a.astype(np.float64) @ b,
                                           rtol=1e-4, atol=1e-4)
            except Exception as e:  # noqa: BLE001 - reported below
                failures.append(e)

    threads = [threading.Thread(target=work, args=(s, s)) for s in (16, 37)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


def test_the_gil_is_released_while_running():
    m = tessera.compile(SOURCE)
    a = f32(700, 700)
    m.matmul(a, a)  # compiled before
    ticks = []
    running = threading.Event()
    done = threading.Event()

    def count():
        running.set()
        while not done.is_set():
            ticks.append(1)

    counter = threading.Thread(target=count)
    counter.start()
    running.wait()
    during = 0
    for _ in range(3):
        before = len(ticks)
        m.matmul(a, a)
        during += len(ticks) - before
    done.set()
    counter.join()
    # With the GIL held through the calls the counter could not run at all.
    assert during > 0
