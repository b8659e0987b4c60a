"""The workloads of the performance benchmark (bench/run.py).

Each workload names its Tessera program (bench/programs/<program>.tess) and
entry, its sizes (full and --quick), how to make its float32 inputs, its
float64 NumPy reference, the shape of its result and its peers: for each
peer implementation a function that takes the float32 input arrays and
returns a callable computing the result (see worker.py for how peers are
set up per library). Peer libraries are imported lazily, inside those
functions, after the worker has set the thread count. The `c` peers are
hand-written C kernels (bench/kernels/<name>.c) that run.py compiles with
clang-22 into a build folder of its own; the worker sets C_KERNEL_DIR.
"""

import ctypes
import math
import os

import numpy as np

# The libraries a peer can come from (--peers); torch.compile and
# torch.sdpa belong to torch. `c` is no Python module: bench/kernels/*.c.
LIBRARIES = ("numpy", "torch", "jax", "opt_einsum", "ffht", "fht_cpu", "pyfftw",
             "ducc0", "c")

# Where run.py compiled bench/kernels/<name>.c to lib<name>.so (set by the
# worker from --c-kernels; None: not compiled).
C_KERNEL_DIR = None


class Workload:
    """One benchmarked computation."""

    def __init__(self, name, program, entry, sizes, quick, inputs, out_shape,
                 reference, peers, description, target=None, target_1t=None,
                 target_peer=None, tol=1e-4, out_dtype=np.float32, c_kernels=(),
                 mem_target=None):
        self.name = name
        self.program = program          # bench/programs/<program>.tess
        self.entry = entry              # the fn called
        self.sizes = sizes              # size symbol -> extent (full run)
        self.quick = quick              # the same for --quick
        self.inputs = inputs            # (rng, sizes) -> [float32 arrays]
        self.out_shape = out_shape      # sizes -> result shape
        self.reference = reference      # [float64 arrays] -> float64 result
        self.peers = peers              # peer name -> (inputs -> callable)
        self.description = description
        self.target = target            # max Tessera/peer ratio, 2 threads
        self.target_1t = target_1t      # the same at 1 thread (or None)
        self.target_peer = target_peer  # compare with this peer, not the best
        self.tol = tol                  # max |got - ref| / max |ref|
        self.out_dtype = out_dtype      # the result's NumPy dtype
        self.c_kernels = c_kernels      # bench/kernels/<name>.c its c peers call
        self.mem_target = mem_target    # max tess-run memory / (inputs + outputs)


def peer_library(peer):
    """The library (one of LIBRARIES) a peer name belongs to."""
    return peer.split(".")[0]


def randn(rng, *shape):
    """Standard normal float32 values."""
    return rng.standard_normal(shape, dtype=np.float32)


# ---------------------------------------------------------------------------
# Peer builders shared by several workloads. Each takes a function written
# against a library and the float32 inputs, and returns a callable.
# ---------------------------------------------------------------------------


def numpy_peer(fn):
    """A peer computing fn(*inputs) with NumPy."""
    return lambda xs: (lambda: fn(*xs))


def torch_peer(fn, compiled=False):
    """A peer computing fn(*tensors) with PyTorch (eager or torch.compile)."""
    def build(xs):
        import torch
        ts = [torch.from_numpy(x) for x in xs]
        f = torch.compile(fn) if compiled else fn

        def run():
            with torch.no_grad():
                return f(*ts)
        return run
    return build


def jax_peer(fn):
    """A peer computing jax.jit(fn)(*arrays), waiting for the result."""
    def build(xs):
        import jax
        import jax.numpy as jnp
        arrays = [jnp.asarray(x) for x in xs]
        f = jax.jit(fn)
        return lambda: f(*arrays).block_until_ready()
    return build


def standard_peers(np_fn, torch_fn, jax_fn, compiled=False):
    """numpy, torch, jax (and torch.compile when `compiled`) peers."""
    peers = {"numpy": numpy_peer(np_fn), "torch": torch_peer(torch_fn)}
    if compiled:
        peers["torch.compile"] = torch_peer(torch_fn, compiled=True)
    peers["jax"] = jax_peer(jax_fn)
    return peers


def jnp():
    """jax.numpy, imported on first use."""
    import jax.numpy
    return jax.numpy


def torch_mod():
    """torch, imported on first use."""
    import torch
    return torch


# ---------------------------------------------------------------------------
# Matmul, batched matmul, attention scores.
# ---------------------------------------------------------------------------


def matmul_workload(n, quick_n):
    """Square f32 matmul of size n."""
    return Workload(
        "matmul%d" % n, "matmul", "matmul",
        {"M": n, "K": n, "N": n}, {"M": quick_n, "K": quick_n, "N": quick_n},
        inputs=lambda rng, s: [randn(rng, s["M"], s["K"]), randn(rng, s["K"], s["N"])],
        out_shape=lambda s: (s["M"], s["N"]),
        reference=lambda a, b: a @ b,
        peers=standard_peers(lambda a, b: a @ b,
                             lambda a, b: torch_mod().matmul(a, b),
                             lambda a, b: jnp().matmul(a, b)),
        description="c[m, n] = a[m, k] * b[k, n], M = K = N = %d" % n,
        target=1.25 if n >= 1024 else None, target_1t=1.25 if n >= 1024 else None)


def cmatmul_workload(n):
    """Square c64 matmul of size n (the GEMM kernels over 2 x 2 real blocks)."""
    return Workload(
        "cmatmul%d" % n, "cmatmul", "cmatmul",
        {"M": n, "K": n, "N": n}, {"M": 33, "K": 21, "N": 17},
        inputs=lambda rng, s: [crandn(rng, s["M"], s["K"]), crandn(rng, s["K"], s["N"])],
        out_shape=lambda s: (s["M"], s["N"]),
        reference=lambda a, b: a @ b,
        peers=standard_peers(lambda a, b: a @ b,
                             lambda a, b: torch_mod().matmul(a, b),
                             lambda a, b: jnp().matmul(a, b)),
        description="c[m, n] = a[m, k] * b[k, n] in c64, M = K = N = %d" % n,
        tol=1e-5, out_dtype=np.complex64)


def bmm_workload():
    """Batched f32 matmul."""
    return Workload(
        "bmm", "bmm", "bmm",
        {"B": 16, "M": 256, "K": 256, "N": 256}, {"B": 3, "M": 17, "K": 9, "N": 13},
        inputs=lambda rng, s: [randn(rng, s["B"], s["M"], s["K"]),
                               randn(rng, s["B"], s["K"], s["N"])],
        out_shape=lambda s: (s["B"], s["M"], s["N"]),
        reference=lambda a, b: a @ b,
        peers=standard_peers(lambda a, b: a @ b,
                             lambda a, b: torch_mod().bmm(a, b),
                             lambda a, b: jnp().matmul(a, b)),
        description="c[z, m, n] = a[z, m, k] * b[z, k, n]")


def scores_np(q, k):
    """q . k^T over d for [B, H, T, D] arrays."""
    return q @ k.swapaxes(-1, -2)


ATTN_SIZES = {"B": 4, "H": 8, "T": 512, "S": 512, "D": 64}
ATTN_QUICK = {"B": 2, "H": 3, "T": 7, "S": 11, "D": 8}


def attn_inputs(names):
    """An input maker for q (and k, v) of the attention workloads."""
    def make(rng, s):
        shapes = {"q": (s["B"], s["H"], s["T"], s["D"]),
                  "k": (s["B"], s["H"], s["S"], s["D"]),
                  "v": (s["B"], s["H"], s["S"], s["D"])}
        return [randn(rng, *shapes[n]) for n in names]
    return make


def scores_workload():
    """Batched attention scores."""
    return Workload(
        "scores", "scores", "scores", ATTN_SIZES, ATTN_QUICK,
        inputs=attn_inputs("qk"),
        out_shape=lambda s: (s["B"], s["H"], s["T"], s["S"]),
        reference=scores_np,
        peers=standard_peers(scores_np,
                             lambda q, k: torch_mod().matmul(q, k.transpose(-1, -2)),
                             lambda q, k: jnp().einsum("bhtd,bhsd->bhts", q, k)),
        description="s[b, h, t, u] = q[b, h, t, d] * k[b, h, u, d]",
        target=1.25)


# ---------------------------------------------------------------------------
# Full attention.
# ---------------------------------------------------------------------------


def attention_np(q, k, v):
    """softmax(q k^T / sqrt(D)) v with NumPy."""
    s = q @ k.swapaxes(-1, -2) / np.sqrt(q.dtype.type(q.shape[-1]))
    s = s - s.max(axis=-1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=-1, keepdims=True)
    return p @ v


def attention_torch(q, k, v):
    """softmax(q k^T / sqrt(D)) v with PyTorch operators."""
    torch = torch_mod()
    s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    return torch.matmul(torch.softmax(s, dim=-1), v)


def attention_sdpa(q, k, v):
    """PyTorch's fused scaled_dot_product_attention."""
    return torch_mod().nn.functional.scaled_dot_product_attention(q, k, v)


def attention_jax(q, k, v):
    """softmax(q k^T / sqrt(D)) v with jax.numpy."""
    import jax
    s = jnp().einsum("bhtd,bhsd->bhts", q, k) / math.sqrt(q.shape[-1])
    return jnp().einsum("bhts,bhsd->bhtd", jax.nn.softmax(s, axis=-1), v)


def attention_workload():
    """Scaled dot-product attention."""
    peers = standard_peers(attention_np, attention_torch, attention_jax,
                           compiled=True)
    peers["torch.sdpa"] = torch_peer(attention_sdpa)
    return Workload(
        "attention", "attention", "attention", ATTN_SIZES, ATTN_QUICK,
        inputs=attn_inputs("qkv"),
        out_shape=lambda s: (s["B"], s["H"], s["T"], s["D"]),
        reference=attention_np,
        peers=peers,
        description="o = softmax(q k^T / sqrt(D), over keys) v",
        target=1.5, target_peer="torch.compile")


# ---------------------------------------------------------------------------
# The opt_einsum README contraction.
# ---------------------------------------------------------------------------

CONTRACT = "pi,qj,ijkl,rk,sl->pqrs"


def contract_peers():
    """numpy (optimize=True), opt_einsum, torch.einsum and jax peers."""
    def opt_einsum_build(xs):
        import opt_einsum
        return lambda: opt_einsum.contract(CONTRACT, *xs)
    return {
        "numpy": numpy_peer(lambda *xs: np.einsum(CONTRACT, *xs, optimize=True)),
        "opt_einsum": opt_einsum_build,
        "torch": torch_peer(lambda *ts: torch_mod().einsum(CONTRACT, *ts)),
        "jax": jax_peer(lambda *xs: jnp().einsum(CONTRACT, *xs)),
    }


def contract_workload():
    """pi,qj,ijkl,rk,sl->pqrs with every extent N."""
    def inputs(rng, s):
        n = s["N"]
        return [randn(rng, n, n), randn(rng, n, n), randn(rng, n, n, n, n),
                randn(rng, n, n), randn(rng, n, n)]
    return Workload(
        "contract", "contract", "contract", {"N": 10}, {"N": 4},
        inputs=inputs,
        out_shape=lambda s: (s["N"],) * 4,
        reference=lambda *xs: np.einsum(CONTRACT, *xs, optimize=True),
        peers=contract_peers(),
        description="y[p, q, r, s] = a[p, i] b[q, j] c[i, j, k, l] d[r, k] e[s, l] "
                    "(opt_einsum README), N = 10",
        target=1.0)


# ---------------------------------------------------------------------------
# Log-sum-exp, depthwise causal convolution.
# ---------------------------------------------------------------------------


def lse_np(x):
    """Row-wise stable log-sum-exp with NumPy."""
    m = x.max(axis=1)
    return np.log(np.exp(x - m[:, None]).sum(axis=1)) + m


def lse_jax(x):
    """Row-wise log-sum-exp with JAX."""
    import jax
    return jax.nn.logsumexp(x, axis=1)


def lse_workload():
    """Row-wise log-sum-exp."""
    return Workload(
        "logsumexp", "logsumexp", "logsumexp", {"N": 4096, "M": 4096}, {"N": 5, "M": 33},
        inputs=lambda rng, s: [randn(rng, s["N"], s["M"])],
        out_shape=lambda s: (s["N"],),
        reference=lse_np,
        peers=standard_peers(lse_np,
                             lambda x: torch_mod().logsumexp(x, dim=1),
                             lse_jax, compiled=True),
        description="lse[i] = log(sum[j](exp(x[i, j] - max[j] x[i, j]))) + max[j] x[i, j]",
        target=1.25)


def dwconv_np(x, w):
    """y[b, c, t] = sum_k w[c, k] x[b, c, t - k] (zero before t = 0)."""
    y = w[None, :, 0, None] * x
    for k in range(1, w.shape[1]):
        y[:, :, k:] += w[None, :, k, None] * x[:, :, :-k]
    return y


def dwconv_torch(x, w):
    """Depthwise causal conv with conv1d (groups = C, left padding)."""
    torch = torch_mod()
    kk = w.shape[1]
    xp = torch.nn.functional.pad(x, (kk - 1, 0))
    return torch.nn.functional.conv1d(xp, w.flip(1)[:, None, :], groups=w.shape[0])


def dwconv_jax(x, w):
    """Depthwise causal conv with lax.conv_general_dilated."""
    import jax
    kk = w.shape[1]
    return jax.lax.conv_general_dilated(
        x, w[:, ::-1][:, None, :], window_strides=(1,), padding=[(kk - 1, 0)],
        dimension_numbers=("NCH", "OIH", "NCH"), feature_group_count=w.shape[0])


def dwconv_workload():
    """Depthwise causal 1-D convolution."""
    return Workload(
        "dwconv", "dwconv", "dwconv", {"B": 8, "C": 256, "T": 4096, "K": 4},
        {"B": 2, "C": 3, "T": 17, "K": 4},
        inputs=lambda rng, s: [randn(rng, s["B"], s["C"], s["T"]), randn(rng, s["C"], s["K"])],
        out_shape=lambda s: (s["B"], s["C"], s["T"]),
        reference=dwconv_np,
        peers=standard_peers(dwconv_np, dwconv_torch, dwconv_jax, compiled=True),
        description="y[b, c, t] = w[c, k] * x[b, c, t - k], zero before the start",
        target=1.25)


# ---------------------------------------------------------------------------
# MLP.
# ---------------------------------------------------------------------------


def erf_np(x):
    """erf for NumPy arrays: SciPy's when installed, else exact math.erf
    (float64) or Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7) for float32."""
    try:
        from scipy.special import erf
        return erf(x)
    except ImportError:
        pass
    if x.dtype == np.float64:
        return np.vectorize(math.erf, otypes=[np.float64])(x)
    s = np.sign(x)
    a = np.abs(x)
    t = 1 / (1 + np.float32(0.3275911) * a)
    poly = t * (np.float32(0.254829592) + t * (np.float32(-0.284496736) + t * (
        np.float32(1.421413741) + t * (np.float32(-1.453152027) + t * np.float32(1.061405429)))))
    return s * (1 - poly * np.exp(-a * a))


def mlp_np(x, w1, b1, w2, b2):
    """linear - gelu (exact) - linear with NumPy."""
    h = x @ w1.T + b1
    h = 0.5 * h * (1 + erf_np(h / np.sqrt(h.dtype.type(2))))
    return h @ w2.T + b2


def mlp_torch(x, w1, b1, w2, b2):
    """linear - gelu - linear with PyTorch."""
    f = torch_mod().nn.functional
    return f.linear(f.gelu(f.linear(x, w1, b1)), w2, b2)


def mlp_jax(x, w1, b1, w2, b2):
    """linear - gelu (exact) - linear with JAX."""
    import jax
    h = jax.nn.gelu(x @ w1.T + b1, approximate=False)
    return h @ w2.T + b2


def mlp_workload():
    """The two-layer perceptron of examples/mlp.tess."""
    def inputs(rng, s):
        i, h, o = s["I"], s["H"], s["O"]
        return [randn(rng, s["B"], i), randn(rng, h, i) / np.float32(math.sqrt(i)),
                randn(rng, h), randn(rng, o, h) / np.float32(math.sqrt(h)), randn(rng, o)]
    return Workload(
        "mlp", "mlp", "mlp", {"B": 256, "I": 1024, "H": 4096, "O": 1024},
        {"B": 3, "I": 8, "H": 16, "O": 5},
        inputs=inputs,
        out_shape=lambda s: (s["B"], s["O"]),
        reference=mlp_np,
        peers=standard_peers(mlp_np, mlp_torch, mlp_jax, compiled=True),
        description="y = linear(gelu(linear(x, w1, b1)), w2, b2)")


# ---------------------------------------------------------------------------
# Walsh-Hadamard transforms.
# ---------------------------------------------------------------------------


def fwht_np(x):
    """The unnormalized Walsh-Hadamard transform of each row (Sylvester
    order), by radix-2 stages in NumPy."""
    y = np.array(x, dtype=np.float64)
    b, n = y.shape
    h = 1
    while h < n:
        y = y.reshape(b, n // (2 * h), 2, h)
        y = np.stack([y[:, :, 0] + y[:, :, 1], y[:, :, 0] - y[:, :, 1]], axis=2)
        y = y.reshape(b, n)
        h *= 2
    return y


def ffht_peer(xs):
    """FFHT (ffht-unofficial): returns a new array, transforming each row."""
    import ffht
    (x,) = xs
    return lambda: ffht.fht(x)


def fht_cpu_peer(xs):
    """fht-cpu: a new array, rows on the benchmark's thread count."""
    import fht_cpu
    (x,) = xs
    threads = int(os.environ.get("TESSERA_NUM_THREADS", "1"))
    return lambda: fht_cpu.fht(x, axis=-1, inplace=False, num_threads=threads)


def fwht_workload(name, entry, n, batch):
    """Rows of length n (fixed in the program) through a Hadamard transform."""
    return Workload(
        name, "fwht", entry, {"B": batch}, {"B": 3},
        inputs=lambda rng, s: [randn(rng, s["B"], n)],
        out_shape=lambda s: (s["B"], n),
        reference=fwht_np,
        peers={"numpy": numpy_peer(fwht_np), "ffht": ffht_peer,
               "fht_cpu": fht_cpu_peer},
        description="y = fwht(x, 1), x: f32[B, %d]" % n,
        target_1t=1.5, tol=1e-5)


# ---------------------------------------------------------------------------
# Fourier transforms.
# ---------------------------------------------------------------------------


def crandn(rng, *shape):
    """Standard normal complex64 values."""
    return (rng.standard_normal(shape, dtype=np.float32)
            + 1j * rng.standard_normal(shape, dtype=np.float32)).astype(np.complex64)


def bench_threads():
    """The thread count the worker runs with."""
    return int(os.environ.get("TESSERA_NUM_THREADS", "1"))


def pyfftw_peer(xs):
    """FFTW through pyfftw: a plan made with FFTW_MEASURE on aligned
    buffers (planning is not timed), executed per call."""
    import pyfftw
    (x,) = xs
    a = pyfftw.empty_aligned(x.shape, dtype=np.complex64)
    b = pyfftw.empty_aligned(x.shape, dtype=np.complex64)
    plan = pyfftw.FFTW(a, b, axes=(1,), flags=("FFTW_MEASURE",),
                       threads=bench_threads())
    a[:] = x
    return lambda: plan()


def ducc0_peer(xs):
    """ducc0.fft.c2c into a preallocated output."""
    import ducc0
    (x,) = xs
    out = np.empty_like(x)
    threads = bench_threads()
    return lambda: ducc0.fft.c2c(x, axes=(1,), forward=True, nthreads=threads,
                                 out=out)


def fft_workload(batch, n):
    """Forward c64 FFTs of the rows of a batch x n array."""
    return Workload(
        "fft%dx%d" % (batch, n), "fft", "fft_rows", {"B": batch, "N": n},
        {"B": 3, "N": 17},
        inputs=lambda rng, s: [crandn(rng, s["B"], s["N"])],
        out_shape=lambda s: (s["B"], s["N"]),
        reference=lambda x: np.fft.fft(x, axis=1),
        peers={"numpy": numpy_peer(lambda x: np.fft.fft(x, axis=1)),
               "torch": torch_peer(lambda x: torch_mod().fft.fft(x, dim=1)),
               "pyfftw": pyfftw_peer, "ducc0": ducc0_peer},
        description="y = fft(x, 1), x: c64[%d, %d]" % (batch, n),
        target_1t=1.5, target_peer="pyfftw", tol=1e-5, out_dtype=np.complex64)


# ---------------------------------------------------------------------------
# Monarch.
# ---------------------------------------------------------------------------


def monarch_np(x, w1, w2):
    """fly's blockdiag_butterfly_multiply_reference (version 2), NumPy."""
    b = x.shape[0]
    k, q, p = w1.shape
    l, s, r = w2.shape
    out1 = np.einsum("kqp,bkp->bkq", w1, x.reshape(b, k, p))
    out1 = out1.reshape(b, r, l).transpose(0, 2, 1)
    return np.einsum("lsr,blr->bsl", w2, out1).reshape(b, s * l)


def monarch_fly(x, w1, w2):
    """fly's BlockdiagButterflyMultiply.forward: two torch.bmm calls."""
    torch = torch_mod()
    batch, n = x.shape
    k, q, p = w1.shape
    l, s, r = w2.shape
    out1 = torch.bmm(x.reshape(batch, k, p).transpose(0, 1), w1.transpose(-1, -2))
    out1 = out1.transpose(0, 1).reshape(batch, r, l).transpose(-1, -2)
    out1 = out1.contiguous().transpose(0, 1)
    out2 = torch.bmm(out1, w2.transpose(-1, -2))
    return out2.permute(1, 2, 0).reshape(batch, s * l)


def monarch_workload():
    """A Monarch matrix of n = 1024 (32 blocks of 32) on a batch of rows."""
    def inputs(rng, s):
        scale = np.float32(1 / math.sqrt(32))
        return [randn(rng, s["B"], 1024), randn(rng, 32, 32, 32) * scale,
                randn(rng, 32, 32, 32) * scale]
    return Workload(
        "monarch", "monarch", "monarch_layer", {"B": 256}, {"B": 3},
        inputs=inputs,
        out_shape=lambda s: (s["B"], 1024),
        reference=monarch_np,
        peers={"numpy": numpy_peer(monarch_np), "torch.fly": torch_peer(monarch_fly)},
        description="y = monarch(w1, w2, x, 1), x: f32[B, 1024], w: f32[32, 32, 32]",
        target_1t=1.0, target_peer="torch.fly")


# ---------------------------------------------------------------------------
# State-space layers.
# ---------------------------------------------------------------------------


def mamba_inputs(rng, s):
    """Mamba's selective-scan inputs: u, delta, A (negative), B, C, D."""
    b, d, l, n = s["B"], s["D"], s["L"], s["N"]
    return [randn(rng, b, d, l), randn(rng, b, d, l) * np.float32(0.5) - 1,
            -np.exp(randn(rng, d, n)), randn(rng, b, n, l), randn(rng, b, n, l),
            randn(rng, d)]


def mamba_np(u, delta, a, bm, cm, dv):
    """The scan step by step over l, vectorized over (b, d, n)."""
    dt = np.logaddexp(0, delta)
    x = np.zeros(u.shape[:2] + a.shape[1:], u.dtype)
    y = np.empty_like(u)
    for l in range(u.shape[2]):
        x = np.exp(dt[:, :, l, None] * a) * x + (dt[:, :, l, None]
                                                 * bm[:, None, :, l] * u[:, :, l, None])
        y[:, :, l] = np.einsum("bdn,bn->bd", x, cm[:, :, l])
    return y + dv[None, :, None] * u


def mamba_torch_ref(u, delta, a, bm, cm, dv):
    """mamba_ssm's selective_scan_ref (real A, B and C of shape (B, N, L),
    delta_softplus, no z or delta_bias), as written there."""
    torch = torch_mod()
    delta = torch.nn.functional.softplus(delta)
    batch, dim, dstate = u.shape[0], a.shape[0], a.shape[1]
    x = u.new_zeros((batch, dim, dstate))
    ys = []
    delta_a = torch.exp(torch.einsum("bdl,dn->bdln", delta, a))
    delta_b_u = torch.einsum("bdl,bnl,bdl->bdln", delta, bm, u)
    for i in range(u.shape[2]):
        x = delta_a[:, :, i] * x + delta_b_u[:, :, i]
        ys.append(torch.einsum("bdn,bn->bd", x, cm[:, :, i]))
    y = torch.stack(ys, dim=2)
    return y + u * dv[None, :, None]


def c_kernel(name, symbol, argtypes):
    """The function `symbol` of lib<name>.so, compiled by run.py from
    bench/kernels/<name>.c into C_KERNEL_DIR; returns an int status."""
    library = os.path.join(C_KERNEL_DIR or "", "lib%s.so" % name)
    if not C_KERNEL_DIR or not os.path.exists(library):
        raise FileNotFoundError("bench/kernels/%s.c was not compiled (see run.py's "
                                "clang-22 line)" % name)
    fn = getattr(ctypes.CDLL(library), symbol)
    fn.argtypes = argtypes
    fn.restype = ctypes.c_int
    return fn


def mamba_c_peer(xs):
    """bench/kernels/ssm_scan.c, a C kernel of llama.cpp's ssm_scan kind
    (sequential over l, the n loop vectorized, OpenMP threads over d), into
    a preallocated output, on the benchmark's thread count."""
    pointer, size = ctypes.c_void_p, ctypes.c_int64
    fn = c_kernel("ssm_scan", "ssm_scan_f32",
                  [pointer] * 7 + [size] * 4 + [ctypes.c_int])
    if not all(x.dtype == np.float32 and x.flags["C_CONTIGUOUS"] for x in xs):
        raise ValueError("ssm_scan_f32 needs dense row-major float32 arrays")
    u, _, a, _, _, _ = xs
    batch, dim, length = u.shape
    out = np.empty_like(u)
    args = [x.ctypes.data for x in xs] + [out.ctypes.data, batch, dim, length,
                                          a.shape[1], bench_threads()]

    def run():
        status = fn(*args)
        if status != 0:
            raise RuntimeError("ssm_scan_f32: status %d" % status)
        return out
    run.inputs = xs  # the arrays behind the pointers live as long as run
    return run


def mamba_workload():
    """The 3-line Mamba scan at b=1, d=1536, l=2048, n=16 (issue 9)."""
    return Workload(
        "mamba", "mamba", "mamba_scan", {"B": 1, "D": 1536, "L": 2048, "N": 16},
        {"B": 2, "D": 5, "L": 7, "N": 3},
        inputs=mamba_inputs,
        out_shape=lambda s: (s["B"], s["D"], s["L"]),
        reference=mamba_np,
        peers={"numpy": numpy_peer(mamba_np),
               "torch.ref": torch_peer(mamba_torch_ref),
               "c.kernel": mamba_c_peer},
        description="Mamba's selective scan in 3 lines, b=1 d=1536 l=2048 n=16",
        # Issue 9: 50x faster than selective_scan_ref at 2 threads (the best
        # peer column shows the ratio to the C kernel: target 0.5).
        target=0.02, target_peer="torch.ref",
        tol=1e-3, c_kernels=("ssm_scan",), mem_target=2.0)


def s4d_inputs(rng, s):
    """u, and S4D's initialization (state-spaces/s4 models/s4/s4d.py):
    log_dt uniform in [log 1e-3, log 1e-1], A = -0.5 + i pi n (S4D-Lin),
    C complex normal, D normal."""
    b, h, n, length = s["B"], s["H"], s["N"], s["L"]
    log_dt = (math.log(1e-3) + rng.random(h) * math.log(100)).astype(np.float32)
    a = np.repeat((-0.5 + 1j * np.pi * np.arange(n))[None, :], h, 0)
    c = crandn(rng, h, n) / np.float32(math.sqrt(2))
    return [randn(rng, b, h, length), log_dt, a.astype(np.complex64),
            c.astype(np.complex64), randn(rng, h)]


def s4d_np(u, log_dt, a, c, d):
    """S4DKernel.forward and S4D.forward's FFT convolution and D term of
    models/s4/s4d.py in NumPy (numpy.fft)."""
    length = u.shape[-1]
    dta = a * np.exp(log_dt)[:, None]
    vandermonde = np.exp(dta[:, :, None] * np.arange(length, dtype=u.dtype))
    k = 2 * np.einsum("hn,hnl->hl", c * (np.exp(dta) - 1) / a, vandermonde).real
    y = np.fft.irfft(np.fft.rfft(u, n=2 * length) * np.fft.rfft(k, n=2 * length),
                     n=2 * length)[..., :length]
    return y + u * d[:, None]


def s4d_torch(u, log_dt, a, c, d):
    """models/s4/s4d.py's S4DKernel.forward and S4D.forward (its FFT
    convolution and D term) as written there, in PyTorch."""
    torch = torch_mod()
    length = u.shape[-1]
    dta = a * torch.exp(log_dt).unsqueeze(-1)
    k = dta.unsqueeze(-1) * torch.arange(length)
    c = c * (torch.exp(dta) - 1.) / a
    k = 2 * torch.einsum("hn, hnl -> hl", c, torch.exp(k)).real
    k_f = torch.fft.rfft(k, n=2 * length)
    u_f = torch.fft.rfft(u, n=2 * length)
    y = torch.fft.irfft(u_f * k_f, n=2 * length)[..., :length]
    return y + u * d.unsqueeze(-1)


def s4d_workload():
    """An S4D layer: kernel, causal convolution, D term (issue 9)."""
    return Workload(
        "s4d", "s4d", "s4d", {"B": 8, "H": 256, "N": 32, "L": 4096},
        {"B": 2, "H": 3, "N": 5, "L": 37},
        inputs=s4d_inputs,
        out_shape=lambda s: (s["B"], s["H"], s["L"]),
        reference=s4d_np,
        peers={"numpy": numpy_peer(s4d_np), "torch": torch_peer(s4d_torch),
               "torch.compile": torch_peer(s4d_torch, compiled=True)},
        description="S4D layer: Vandermonde kernel, causal_conv (FFT), D u; "
                    "b=8 h=256 n=32 l=4096",
        target=1.0, target_peer="torch.compile")


def mamba2_inputs(rng, s):
    """Mamba-2's SSD inputs: x, dt (softplus of a normal, as after the
    layer's dt_bias), A (negative), B, C (one group), D."""
    b, t, h, p, n = s["B"], s["T"], s["H"], s["P"], s["N"]
    dt = np.logaddexp(0, randn(rng, b, t, h) - 2).astype(np.float32)
    return [randn(rng, b, t, h, p), dt, -np.exp(randn(rng, h) * 0.5),
            randn(rng, b, t, n) / np.float32(math.sqrt(n)),
            randn(rng, b, t, n) / np.float32(math.sqrt(n)), randn(rng, h)]


def ssd_chunked(lib, x, dt, a, bm, cm, dv, block=64):
    """ssd_minimal_discrete of state-spaces/mamba (mamba_ssm/modules/
    ssd_minimal.py) in `lib` (numpy or torch): intra-chunk C B^T masked by
    exp(segsum(A dt)) times X, chunk states, inter-chunk state passing; the
    length padded to whole chunks."""
    b, t, h, p = x.shape
    n = bm.shape[-1]
    pad = (-t) % block
    def padded(v):
        if not pad:
            return v
        if lib is np:
            return np.concatenate([v, np.zeros((b, pad) + v.shape[2:], v.dtype)], 1)
        return lib.cat([v, v.new_zeros((b, pad) + tuple(v.shape[2:]))], 1)
    c = (t + pad) // block
    xs = padded(x * dt[..., None]).reshape(b, c, block, h, p)
    ad = padded(a[None, None] * dt).reshape(b, c, block, h)
    ad = ad.transpose(0, 3, 1, 2) if lib is np else ad.permute(0, 3, 1, 2)
    bs = padded(bm).reshape(b, c, block, n)
    cs = padded(cm).reshape(b, c, block, n)
    acum = lib.cumsum(ad, -1) if lib is np else lib.cumsum(ad, dim=-1)
    decay = lib.exp(segsum_of(lib, ad))
    einsum = einsum_of(lib)
    ydiag = einsum("bcln,bcsn,bhcls,bcshp->bclhp", cs, bs, decay, xs)
    states = einsum("bcln,bhcl,bclhp->bchpn", bs,
                        lib.exp(acum[..., -1:] - acum), xs)
    zeros = lib.zeros_like(states[:, :1])
    states = lib.concatenate([zeros, states], 1) if lib is np else lib.cat([zeros, states], 1)
    last = acum[..., -1]
    last = lib.concatenate([lib.zeros_like(last[..., :1]), last], -1) if lib is np \
        else lib.nn.functional.pad(last, (1, 0))
    chunk_decay = lib.exp(segsum_of(lib, last))
    states = einsum("bhzc,bchpn->bzhpn", chunk_decay, states)[:, :-1]
    yoff = einsum("bcln,bchpn,bhcl->bclhp", cs, states, lib.exp(acum))
    y = (ydiag + yoff).reshape(b, c * block, h, p)[:, :t]
    return y + x * dv[:, None]


def einsum_of(lib):
    """lib.einsum, with NumPy's contraction-order search (without it NumPy
    runs the 4-operand products as one nested loop)."""
    if lib is np:
        return lambda spec, *xs: np.einsum(spec, *xs, optimize=True)
    return lib.einsum


def segsum_of(lib, v):
    """exp-free segment sums of ssd_minimal: out[..., i, j] = sum v(j, i],
    -inf above the diagonal."""
    c = lib.cumsum(v, -1) if lib is np else lib.cumsum(v, dim=-1)
    s = c[..., :, None] - c[..., None, :]
    return lib.where(causal_mask(lib, v.shape[-1]), s, -lib.inf)


def causal_mask(lib, k):
    """The (k, k) lower triangle, diagonal included, as booleans."""
    if lib is np:
        return np.tril(np.ones((k, k), dtype=bool))
    return lib.tril(lib.ones(k, k, dtype=lib.bool))


def library_peers(fn):
    """numpy, torch and torch.compile peers of fn(lib, *inputs), written
    once against NumPy's and PyTorch's common API."""
    return {"numpy": numpy_peer(lambda *xs: fn(np, *xs)),
            "torch": torch_peer(lambda *xs: fn(torch_mod(), *xs)),
            "torch.compile": torch_peer(lambda *xs: fn(torch_mod(), *xs),
                                        compiled=True)}


def mamba2_workload():
    """Mamba-2's SSD layer (issue 9: linear attention's chunked form)."""
    return Workload(
        "mamba2", "mamba2", "mamba2",
        {"B": 1, "T": 2048, "H": 24, "P": 64, "N": 128},
        {"B": 2, "T": 70, "H": 3, "P": 4, "N": 5},
        inputs=mamba2_inputs,
        out_shape=lambda s: (s["B"], s["T"], s["H"], s["P"]),
        reference=lambda *xs: ssd_chunked(np, *xs),
        peers=library_peers(ssd_chunked),
        description="Mamba-2 SSD, recurrent form in 2 lines; b=1 t=2048 h=24 "
                    "p=64 n=128 (peers: ssd_minimal, chunks of 64)",
        tol=1e-3)


def linear_attention_inputs(rng, s):
    """q, k, v of causal linear attention."""
    b, h, t, d, e = s["B"], s["H"], s["T"], s["D"], s["E"]
    return [randn(rng, b, h, t, d), randn(rng, b, h, t, d), randn(rng, b, h, t, e)]


def linear_attention_chunked(lib, q, k, v, block=64):
    """Causal linear attention with elu + 1 features in LASP's chunked form
    (intra-chunk masked (Q K^T) V, inter-chunk Q times the running K^T V),
    as fla's and LASP's reference implementations write it."""
    b, h, t, d = q.shape
    e = v.shape[-1]
    if lib is np:
        feature = lambda a: np.where(a > 0, a + 1, np.exp(a))
    else:
        feature = lambda a: lib.nn.functional.elu(a) + 1
    fq, fk = feature(q), feature(k)
    ones = lib.ones((b, h, t, 1), dtype=v.dtype) if lib is np else v.new_ones((b, h, t, 1))
    ve = lib.concatenate([v, ones], -1) if lib is np else lib.cat([v, ones], -1)
    pad = (-t) % block
    if pad:
        zeros = lambda w: (np.zeros((b, h, pad, w), v.dtype) if lib is np
                           else v.new_zeros((b, h, pad, w)))
        cat = np.concatenate if lib is np else lib.cat
        fq, fk, ve = cat([fq, zeros(d)], 2), cat([fk, zeros(d)], 2), cat([ve, zeros(e + 1)], 2)
    c = (t + pad) // block
    fq = fq.reshape(b, h, c, block, d)
    fk = fk.reshape(b, h, c, block, d)
    ve = ve.reshape(b, h, c, block, e + 1)
    einsum = einsum_of(lib)
    scores = einsum("bhcsd,bhcud->bhcsu", fq, fk)
    intra = einsum("bhcsu,bhcue->bhcse",
                   lib.where(causal_mask(lib, block), scores, 0), ve)
    kvc = einsum("bhcud,bhcue->bhcde", fk, ve)
    # The state entering each chunk: the sum over the chunks before it.
    kv = (lib.cumsum(kvc, 2) if lib is np else lib.cumsum(kvc, dim=2)) - kvc
    inter = einsum("bhcsd,bhcde->bhcse", fq, kv)
    out = (intra + inter).reshape(b, h, c * block, e + 1)[:, :, :t]
    return out[..., :e] / (out[..., e:] + 1e-6)


def linear_attention_workload():
    """Causal linear attention (issue 9: LASP's chunked form)."""
    return Workload(
        "linattn", "linear_attention", "linear_attention",
        {"B": 2, "H": 8, "T": 4096, "D": 64, "E": 64},
        {"B": 2, "H": 3, "T": 70, "D": 5, "E": 4},
        inputs=linear_attention_inputs,
        out_shape=lambda s: (s["B"], s["H"], s["T"], s["E"]),
        reference=lambda *xs: linear_attention_chunked(np, *xs),
        peers=library_peers(linear_attention_chunked),
        description="causal linear attention (elu + 1), recurrent form; b=2 "
                    "h=8 t=4096 d=e=64 (peers: chunks of 64)",
        tol=1e-3)


def all_workloads():
    """Every workload, in the order of the report."""
    return [matmul_workload(256, 33), matmul_workload(1024, 64),
            matmul_workload(2048, 100), cmatmul_workload(1024), bmm_workload(), scores_workload(),
            attention_workload(), contract_workload(), lse_workload(),
            dwconv_workload(), mlp_workload(),
            fwht_workload("fwht1024", "fwht1024", 1024, 256),
            fwht_workload("fwht1m", "fwht1m", 1 << 20, 1),
            fft_workload(64, 1024), fft_workload(1, 65536), fft_workload(16, 4096),
            fft_workload(32, 1000), monarch_workload(), mamba_workload(),
            s4d_workload(), mamba2_workload(), linear_attention_workload()]


def by_name():
    """name -> Workload."""
    return {w.name: w for w in all_workloads()}


def normalized_error(got, ref):
    """max |got - ref| / max |ref| (inf when got has a NaN or a bad shape)."""
    got = np.asarray(got, dtype=np.complex128 if np.iscomplexobj(got) else np.float64)
    if got.shape != ref.shape or not np.all(np.isfinite(got)):
        return math.inf
    scale = np.max(np.abs(ref)) if ref.size else 0.0
    diff = np.max(np.abs(got - ref)) if ref.size else 0.0
    return float(diff / scale) if scale > 0 else float(diff)
