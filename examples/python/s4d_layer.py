"""Tutorial: an S4D layer compiled by Tessera, used from PyTorch code.

Run it as a script, or cell by cell (`# %%` marks cells for Jupyter,
VS Code and Spyder):

    build/python-venv/bin/python examples/python/s4d_layer.py [--batch 8 --length 1024]

It needs the `tessera` package (`pip install .` at the repository's root, see
docs/embedding.md) and PyTorch.
"""

# %% [markdown]
# # An S4D layer from Tessera in a PyTorch model
#
# `examples/s4d.tess` is the S4D layer of Gu et al. (2022) in two lines of
# index notation: the convolution kernel K of a diagonal state space model,
# then a causal convolution of the input with K (by FFTs) plus a skip term.
# Here we compile it, wrap it in a `torch.nn.Module`, check it against the
# same layer written in PyTorch, and time both.

# %%
import argparse
import math
import os
import time

import numpy as np
import torch

import tessera

HERE = os.path.dirname(os.path.abspath(__file__))
S4D_SOURCE = os.path.join(HERE, "..", "s4d.tess")

# %% [markdown]
# ## Compile
#
# `tessera.load` parses and checks the file; code is generated at the first
# call with each set of sizes (B, H, L, N) and reused afterwards.

# %%
s4d = tessera.load(S4D_SOURCE)
print(s4d.functions["s4d"].signature)

# %% [markdown]
# ## A PyTorch module around it
#
# The parameters are ordinary tensors (S4D-Lin initialization). Tessera reads
# PyTorch CPU tensors in place through DLPack: they must be contiguous and of
# the declared dtypes (f32, c64); it never converts behind your back. The
# result is written straight into a tensor we allocate (`out=`). Tessera
# computes no gradients: this module is for inference.


# %%
class TesseraS4D(torch.nn.Module):
    def __init__(self, channels, states):
        super().__init__()
        n = torch.arange(states, dtype=torch.float32)
        self.log_dt = torch.nn.Parameter(
            torch.linspace(math.log(1e-3), math.log(1e-1), channels))
        self.A = torch.nn.Parameter(
            torch.complex(-0.5 * torch.ones(channels, states),
                          math.pi * n.expand(channels, states).clone()))
        generator = torch.Generator().manual_seed(0)
        self.C = torch.nn.Parameter(torch.randn(channels, states,
                                                dtype=torch.complex64,
                                                generator=generator))
        self.D = torch.nn.Parameter(torch.randn(channels, generator=generator))

    def forward(self, u):
        """u: (batch, channels, length), float32."""
        out = torch.empty_like(u)
        s4d.s4d(u.detach().contiguous(), self.log_dt.detach(), self.A.detach(),
                self.C.detach(), self.D.detach(), out=out)
        return out


def s4d_reference(u, log_dt, A, C, D):
    """The same layer in PyTorch, in the precision of its arguments."""
    L = u.shape[-1]
    dtA = A * torch.exp(log_dt)[:, None]
    l = torch.arange(L, dtype=log_dt.dtype)
    K = 2 * torch.einsum("hn,hnl->hl", C * (torch.exp(dtA) - 1) / A,
                         torch.exp(dtA[:, :, None] * l)).real
    y = torch.fft.irfft(torch.fft.rfft(u, n=2 * L) * torch.fft.rfft(K, n=2 * L),
                        n=2 * L)[..., :L]
    return y + D[:, None] * u


# %% [markdown]
# ## Use it in a model and check it
#
# A small model: a linear encoder, the S4D layer, GELU, a linear decoder. The
# S4D output is compared with the PyTorch reference in double precision.

# %%
def main(batch=4, channels=32, states=32, length=512):
    torch.manual_seed(0)
    layer = TesseraS4D(channels, states)
    model = torch.nn.Sequential(
        torch.nn.Conv1d(3, channels, 1), layer, torch.nn.GELU(),
        torch.nn.Conv1d(channels, 1, 1))
    x = torch.randn(batch, 3, length)
    with torch.no_grad():
        y = model(x)
        u = model[0](x)
        ours = layer(u)
        expected = s4d_reference(u.double(), layer.log_dt.double(),
                                 layer.A.to(torch.complex128),
                                 layer.C.to(torch.complex128), layer.D.double())
    error = (ours.double() - expected).abs().max().item()
    scale = expected.abs().max().item()
    print("model output", tuple(y.shape), "- S4D max error %.2e (of max %.2e)"
          % (error, scale))
    assert error <= 1e-4 * max(scale, 1.0), "S4D disagrees with PyTorch"

    # %% [markdown]
    # ## Time it
    #
    # The first call with these sizes compiled the code; later calls reuse it.

    # %%
    def timed(fn, repeats=20):
        fn()
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        return (time.perf_counter() - start) / repeats

    with torch.no_grad():
        u32 = u.contiguous()
        params = [p.detach() for p in (layer.log_dt, layer.A, layer.C, layer.D)]
        t_tessera = timed(lambda: layer(u32))
        t_torch = timed(lambda: s4d_reference(u32, params[0], params[1],
                                              params[2], params[3]))
    print("S4D layer (B=%d, H=%d, N=%d, L=%d): Tessera %.3f ms, PyTorch %.3f ms"
          % (batch, channels, states, length, t_tessera * 1e3, t_torch * 1e3))
    return error


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="S4D from Tessera in PyTorch")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--channels", type=int, default=32)
    parser.add_argument("--states", type=int, default=32)
    parser.add_argument("--length", type=int, default=512)
    args = parser.parse_args()
    main(args.batch, args.channels, args.states, args.length)
