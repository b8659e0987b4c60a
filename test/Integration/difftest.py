#!/usr/bin/env python3
"""Differential tester: random valid Tessera programs against a NumPy oracle.

Usage: difftest.py --seed S --count N [--keep DIR] [--tess-run PATH] [-v]

Each program is generated deterministically from (S, index). The generator
builds an AST, and an evaluator computes the expected results on the same
random inputs as the program is built; a statement whose result would depend on
rounding (a comparison or a float-to-integer cast too close to a boundary, an
overflow, a non-finite value) is regenerated, so every program has a well
defined expected result. Floating-point values carry a first-order bound on
their absolute rounding error, propagated through every operation, and the
comparison uses that bound as its tolerance; integers and booleans must match
exactly.

Besides elementwise code, calls, einsum and whole-value expressions, the
index-notation statements cover: implicit sums per additive term (Einstein's
convention: `y[o] = x[i] * w[o, i] + b[o]` sums only the first term);
reducers sum/mean/max/min/prod whose indices get their range from a plain
subscript, a written range (`max[p in 0..2](x[2 * i + p])`) or a reversed
subscript; affine subscripts with size symbols (`x[N - 1 - i]`,
`x[i + N - 3]`), where a reversed subscript gives an index its range when
nothing else does; and the constant `inf` (`max(x, -inf)`, masked
`where(c, x, -inf)`). Infinite results are kept only where they are exact
(max, min, where, negation, exp(-inf)); anything that would be NaN, or
infinite through arithmetic, is regenerated.

Prints one line per program (ok / MISMATCH / COMPILE-ERROR / CRASH); on any
failure prints the program, the inputs and the differences, and exits 1.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

FLOATS = ("f32", "f64")
INTS = ("i32", "i64")
NUMS = FLOATS + INTS
NPT = {"f32": np.float32, "f64": np.float64, "i32": np.int32,
       "i64": np.int64, "bool": np.bool_}
EPS = {"f32": 2.0 ** -24, "f64": 2.0 ** -53}
LIMIT = {"f32": 1e30, "f64": 1e200}
# Below this magnitude an inexact value may have underflowed to zero.
TINY = {"f32": 1e-30, "f64": 1e-290}
IRANGE = {"i32": 2 ** 31, "i64": 2 ** 62}
MATH1 = ("exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "softplus", "silu",
         "relu", "abs", "sin", "cos", "gelu")


class Retry(Exception):
    """The statement being generated has no well-defined expected value."""


# ---------------------------------------------------------------- AST

class IB:
    """An index binding: one index variable of one statement."""

    def __init__(self, name, dim, kind):
        self.name, self.dim, self.kind = name, dim, kind  # kind: lhs/sum/red
        self.plain = False
        self.shadowed = False
        self.rng = False  # a reducer index written with its range: p in 0..2


class N:
    """An expression node; `dt` is the dtype it computes in."""

    def __init__(self, op, dt, *args, **kw):
        self.op, self.dt, self.args = op, dt, list(args)
        if "typed" in kw:
            self.typed = kw["typed"]
        elif op in ("+", "-", "*", "/", "**", "fn"):
            self.typed = any(x.typed for x in args if isinstance(x, N))
        elif op == "sel":
            self.typed = any(x.typed for x in args[1:])
        else:
            self.typed = True
        if op == "neg":
            self.typed = args[0].typed
        self.kw = kw


def lit(v, dt):
    return N("lit", dt, v, typed=False, isfloat=isinstance(v, float))


class Fn:
    def __init__(self, name):
        self.name = name
        self.params = []  # (name, "tensor"/"index", dt, dims)
        self.stmts = []
        self.results = []  # names
        self.rtypes = []  # (dt, dims)


class Stmt:
    def __init__(self, kind, names, node=None, lhs=(), wheres=(), ibs=(),
                 implicit=()):
        self.kind, self.names, self.node = kind, names, node
        self.lhs, self.wheres, self.ibs = list(lhs), list(wheres), list(ibs)
        self.implicit = list(implicit)


# ---------------------------------------------------------------- printing

PREC = {"cmp": 1, "+": 2, "-": 2, "*": 3, "/": 3, "neg": 4, "**": 5}


def pdim(d):
    return str(d)


def ptype(dt, dims):
    return dt if not dims else "%s[%s]" % (dt, ", ".join(pdim(d) for d in dims))


class Aff:
    """An affine subscript: a sum of parts, printed in the order given.

    Each part is (coefficient, atom). The atom is an IB (an index), a string
    (a size symbol, an `index` parameter or an integer constant, resolved by
    Scope.ext) or None (the number 1, so the coefficient is the value).
    """

    def __init__(self, parts):
        self.parts = [(c, a) for c, a in parts if c != 0]

    def ibs(self):
        return [a for _, a in self.parts if isinstance(a, IB)]

    def plain(self):
        """The index this subscript names plainly (`x[i]`), else None."""
        if len(self.parts) == 1 and self.parts[0][0] == 1 and \
                isinstance(self.parts[0][1], IB):
            return self.parts[0][1]
        return None

    def linear(self, consts):
        """(index coefficients, symbol coefficients, constant), as the
        compiler folds the subscript."""
        ixs, syms, k = {}, {}, 0
        for c, a in self.parts:
            if a is None:
                k += c
            elif isinstance(a, IB):
                ixs[a] = ixs.get(a, 0) + c
            elif a in consts:
                k += c * consts[a][1]
            else:
                syms[a] = syms.get(a, 0) + c
        return ixs, syms, k

    def text(self):
        out = ""
        for c, a in self.parts:
            if a is None:
                t = str(abs(c))
            else:
                name = a.name if isinstance(a, IB) else a
                t = name if abs(c) == 1 else "%d * %s" % (abs(c), name)
            if not out:
                out = ("-" if c < 0 else "") + t
            else:
                out += (" - " if c < 0 else " + ") + t
        return out or "0"


def reversed_index(aff, ext, consts):
    """The index `aff` reverses over a dimension of extent `ext` (`N - 1 - i`
    over N, `3 - i` over 4), else None: the compiler's rule."""
    ixs, syms, k = aff.linear(consts)
    ixs = {ib: c for ib, c in ixs.items() if c}
    syms = {s: c for s, c in syms.items() if c}
    if len(ixs) != 1 or list(ixs.values())[0] != -1:
        return None
    if is_symbol(ext, consts):
        ok = syms == {ext: 1} and k == -1
    else:
        ok = not syms and k == const_ext(ext, consts) - 1
    return list(ixs)[0] if ok else None


def is_symbol(d, consts):
    """True for a size symbol or `index` parameter (not a literal or const)."""
    return isinstance(d, str) and d not in consts


def const_ext(d, consts):
    return consts[d][1] if isinstance(d, str) else d


def same_extent(a, b, consts):
    """Whether two dims are the same extent for the compiler: the same
    symbol, or literals/constants of the same value."""
    if is_symbol(a, consts) or is_symbol(b, consts):
        return a == b
    return const_ext(a, consts) == const_ext(b, consts)


def show(n):
    """Returns (text, precedence)."""
    op, a = n.op, n.args
    if op == "lit":
        v = a[0]
        if isinstance(v, str):
            return v, 9
        if n.kw.get("isfloat"):
            s = repr(float(v))
        else:
            s = str(int(v))
        return s, 4 if s.startswith("-") else 9
    if op in ("ref",):
        return a[0], 9
    if op == "read" and not a[1]:
        return a[0], 9
    if op == "read":
        return "%s[%s]" % (a[0], ", ".join(x.text() for x in a[1])), 9
    if op == "ival":
        return a[0].name, 9
    if op == "sval":
        return a[0], 9
    if op == "neg":
        t, p = show(a[0])
        return "-" + (t if p > 4 else "(%s)" % t), 4
    if op in ("+", "-", "*", "/", "cmp"):
        o = n.kw["cmp"] if op == "cmp" else op
        pr = PREC[op]
        lt, lp = show(a[0])
        rt, rp = show(a[1])
        if lp < pr or (op == "cmp" and lp <= pr):
            lt = "(%s)" % lt
        if rp <= pr:
            rt = "(%s)" % rt
        return "%s %s %s" % (lt, o, rt), pr
    if op == "**":
        lt, lp = show(a[0])
        rt, rp = show(a[1])
        if lp < 9:
            lt = "(%s)" % lt
        if rp < 9:
            rt = "(%s)" % rt
        return "%s ** %s" % (lt, rt), 5
    if op == "fn":
        return "%s(%s)" % (n.kw["name"], ", ".join(show(x)[0] for x in a)), 9
    if op == "cast":
        return "%s(%s)" % (n.dt, show(a[0])[0]), 9
    if op == "sel":
        return "where(%s)" % ", ".join(show(x)[0] for x in a), 9
    if op == "red":
        return "%s[%s](%s)" % (n.kw["kind"], ", ".join(
            ib.name + (" in 0..%s" % pdim(ib.dim) if ib.rng else "") for ib in n.kw["ibs"]),
            show(a[0])[0]), 9
    if op == "softmax":
        return "softmax(%s, %d)" % (show(a[0])[0], n.kw["axis"]), 9
    if op == "fill":
        return "%s(%s)" % (n.kw["kind"], ptype(n.dt, n.kw["dims"])), 9
    if op == "einsum":
        return 'einsum("%s", %s)' % (n.kw["spec"], ", ".join(a)), 9
    if op == "call":
        return "%s(%s)" % (n.kw["fn"].name, ", ".join(
            x if isinstance(x, str) else str(x) if isinstance(x, int) else show(x)[0]
            for x in a)), 9
    raise AssertionError(op)


def pstmt(s):
    if s.kind == "ix":
        t = s.names[0]
        if s.lhs:
            t += "[%s]" % ", ".join(ib.name for ib in s.lhs)
        t += " = " + show(s.node)[0]
        if s.wheres:
            t += " where " + ", ".join("%s in 0..%s" % (ib.name, pdim(ib.dim))
                                       for ib in s.wheres)
        return t
    return "%s = %s" % (", ".join(s.names), show(s.node)[0])


def pfn(f):
    ps = ", ".join("%s: %s" % (p[0], "index" if p[1] == "index" else ptype(p[2], p[3]))
                   for p in f.params)
    rs = [ptype(dt, dims) for dt, dims in f.rtypes]
    rt = rs[0] if len(rs) == 1 else "(%s)" % ", ".join(rs)
    lines = ["fn %s(%s) -> %s {" % (f.name, ps, rt)]
    lines += ["  " + pstmt(s) for s in f.stmts]
    lines.append("  return " + ", ".join(f.results))
    lines.append("}")
    return "\n".join(lines)


# ---------------------------------------------------------------- evaluation

class Val:
    def __init__(self, dt, dims, val, err):
        self.dt, self.dims, self.val, self.err = dt, tuple(dims), val, err


def zerr():
    return np.float64(0.0)


def check_float(dt, r):
    if r.size and (not np.all(np.isfinite(r)) or np.max(np.abs(r)) > LIMIT[dt]):
        raise Retry()


def check_int(dt, r):
    if r.size and np.max(np.abs(r.astype(np.float64))) >= IRANGE[dt]:
        raise Retry()


def tdiv(x, y):
    ys = np.where(y == 0, 1, y)
    q = np.abs(x) // np.abs(ys)
    q = np.where((x < 0) != (ys < 0), -q, q)
    return np.where(y == 0, 0, q)


class Scope:
    """Evaluation state of one function body."""

    def __init__(self, module, sizes, env):
        self.module, self.sizes, self.env = module, sizes, env
        self.axes = None  # IB -> axis in index mode
        self.rank = 0

    def ext(self, d):
        if isinstance(d, int):
            return d
        if d in self.sizes:
            return self.sizes[d]
        return self.module.consts[d][1]

    def shaped(self, arr, ib):
        shape = [1] * self.rank
        shape[self.axes[ib]] = arr.shape[0]
        return arr.reshape(shape)

    def bshape(self, v):
        if self.axes is None:
            return np.asarray(v)
        v = np.asarray(v)
        return v.reshape(v.shape + (1,) * (self.rank - v.ndim)) if v.ndim < self.rank else v


def lit_value(n, dt):
    v = n.args[0]
    if isinstance(v, str):  # a constant
        v = n.kw["cval"]
    if dt in FLOATS:
        return np.asarray(NPT[dt](v), dtype=np.float64)
    return np.asarray(v, dtype=NPT[dt])


def ev(n, sc):
    """Evaluates `n`; returns (value, error bound)."""
    op, a, dt = n.op, n.args, n.dt
    with np.errstate(all="ignore"):
        if op == "lit":
            return sc.bshape(lit_value(n, dt)), zerr()
        if op == "ref":
            v = sc.env[a[0]]
            return sc.bshape(v.val), sc.bshape(v.err)
        if op == "sval":
            e = sc.ext(a[0])
            if dt in FLOATS:
                return sc.bshape(np.float64(e)), zerr()
            return sc.bshape(np.asarray(e, NPT[dt])), zerr()
        if op == "ival":
            ib = a[0]
            r = np.arange(sc.ext(ib.dim))
            r = r.astype(np.float64) if dt in FLOATS else r.astype(NPT[dt])
            return sc.shaped(r, ib), zerr()
        if op == "read":
            return ev_read(n, sc)
        if op == "neg":
            x, e = ev(a[0], sc)
            if dt in INTS:
                r = (-x.astype(np.int64))
                check_int(dt, r)
                return r.astype(NPT[dt]), zerr()
            return -x, e
        if op in ("+", "-", "*", "/"):
            return ev_arith(op, dt, ev(a[0], sc), ev(a[1], sc))
        if op == "**":
            return ev_pow(dt, ev(a[0], sc), ev(a[1], sc))
        if op == "cmp":
            (x, ex), (y, ey) = ev(a[0], sc), ev(a[1], sc)
            if a[0].dt in FLOATS:
                tol = 4 * (ex + ey)
                amb = (np.abs(x - y) <= tol + TINY[a[0].dt]) & (tol > 0)
                if np.any(amb):
                    raise Retry()
            f = {"<": np.less, "<=": np.less_equal, ">": np.greater,
                 ">=": np.greater_equal, "==": np.equal, "!=": np.not_equal}[n.kw["cmp"]]
            return f(x, y), zerr()
        if op == "sel":
            c, _ = ev(a[0], sc)
            (x, ex), (y, ey) = ev(a[1], sc), ev(a[2], sc)
            r = np.where(c, x, y)
            e = np.where(c, ex, ey) if dt in FLOATS else zerr()
            return r, e
        if op == "cast":
            return ev_cast(n, sc)
        if op == "fn":
            return ev_fn(n, sc)
        if op == "red":
            return ev_red(n, sc)
        if op == "softmax":
            x, e = ev(a[0], sc)
            ax = n.kw["axis"]
            m = np.max(x, axis=ax, keepdims=True, initial=-np.inf) if x.size else x
            ex = np.exp(x - m)
            s = ex / np.sum(ex, axis=ax, keepdims=True)
            me = np.max(np.broadcast_to(e, x.shape), axis=ax, keepdims=True,
                        initial=0.0) if x.size else zerr()
            err = s * 2 * me + (8 + x.shape[ax]) * EPS[dt] * s
            check_float(dt, s)  # a row of -inf has no softmax
            return s, err
        if op == "fill":
            shape = tuple(sc.ext(d) for d in n.kw["dims"])
            v = 0 if n.kw["kind"] == "zeros" else 1
            if dt in FLOATS:
                return np.full(shape, float(v)), zerr()
            return np.full(shape, v, dtype=NPT[dt]), zerr()
        if op == "einsum":
            return ev_einsum(n, sc)
        if op == "call":
            res = call_fn(n, sc)
            return res[0]
    raise AssertionError(op)


def ev_arith(op, dt, A, B):
    (x, ex), (y, ey) = A, B
    if dt in INTS:
        p, q = np.asarray(x).astype(np.int64), np.asarray(y).astype(np.int64)
        if op == "+":
            r = p + q
        elif op == "-":
            r = p - q
        elif op == "*":
            if np.any(np.abs(p.astype(np.float64) * q) >= IRANGE[dt]):
                raise Retry()
            r = p * q
        else:
            r = tdiv(p, q)
        check_int(dt, r)
        return r.astype(NPT[dt]), zerr()
    eps = EPS[dt]
    if op == "+":
        r = x + y
        e = ex + ey + eps * np.abs(r)
    elif op == "-":
        r = x - y
        e = ex + ey + eps * np.abs(r)
    elif op == "*":
        r = x * y
        e = ex * np.abs(y) + ey * np.abs(x) + ex * ey + eps * np.abs(r)
    else:
        if np.any(np.abs(y) <= 4 * ey) or np.any(y == 0):
            raise Retry()
        r = x / y
        e = (ex + np.abs(r) * ey) / np.abs(y) + eps * np.abs(r)
    check_float(dt, r)
    return r, e


def ev_pow(dt, A, B):
    (x, ex), (p, ep) = A, B
    eps = EPS[dt]
    r = np.power(x, p)
    check_float(dt, r)
    if np.any((x <= 0) & (p != np.round(p))):
        raise Retry()
    d = np.abs(p * np.power(np.where(x == 0, 1.0, np.abs(x)), p - 1))
    e = d * ex + np.abs(r * np.log(np.maximum(np.abs(x), 1e-300))) * ep + 4 * eps * np.abs(r)
    check_float("f64", np.asarray(e))
    return r, e


def ev_cast(n, sc):
    src = n.args[0]
    x, e = ev(src, sc)
    dt, st = n.dt, src.dt
    if dt == "bool":
        if st in FLOATS and np.any((np.abs(x) <= 4 * e + TINY[st]) & (e > 0)):
            raise Retry()
        return x != 0, zerr()
    if st == "bool":
        return (x.astype(np.float64) if dt in FLOATS else x.astype(NPT[dt])), zerr()
    if dt in FLOATS:
        if st in FLOATS:
            return x, e + (EPS["f32"] * np.abs(x) if dt == "f32" and st == "f64" else 0)
        v = x.astype(np.float64)
        return v, EPS[dt] * np.abs(v)
    if st in FLOATS:
        if x.size and np.max(np.abs(x)) >= 2 ** 31 - 8:
            raise Retry()
        lo, hi = np.trunc(x - 4 * e), np.trunc(x + 4 * e)
        if np.any(lo != hi):
            raise Retry()
        return np.trunc(x).astype(np.int64).astype(NPT[dt]), zerr()
    return x.astype(NPT[dt]), zerr()


def ev_fn(n, sc):
    name, dt = n.kw["name"], n.dt
    args = [ev(x, sc) for x in n.args]
    if name in ("max", "min"):
        (x, ex), (y, ey) = args
        f = np.maximum if name == "max" else np.minimum
        r = f(x, y)
        if dt in FLOATS:
            return r, np.maximum(ex, ey)
        return r, zerr()
    x, e = args[0]
    if dt in INTS:
        p = x.astype(np.int64)
        r = np.abs(p) if name == "abs" else np.maximum(p, 0)
        check_int(dt, r)
        return r.astype(NPT[dt]), zerr()
    eps = EPS[dt]
    if name in ("log", "sqrt", "rsqrt") and np.any(x - 4 * e <= 0):
        raise Retry()
    if name == "exp":
        if x.size and np.max(x) > 80:
            raise Retry()
        r = np.exp(x)
        d = r
    elif name == "log":
        r = np.log(x)
        d = 1 / x
    elif name == "sqrt":
        r = np.sqrt(x)
        d = 0.5 / r
    elif name == "rsqrt":
        r = 1 / np.sqrt(x)
        d = 0.5 * r / x
    elif name == "tanh":
        r = np.tanh(x)
        d = 1.0
    elif name == "sigmoid":
        r = 1 / (1 + np.exp(-x))
        d = 0.25
    elif name == "softplus":
        r = np.logaddexp(0, x)
        d = 1.0
    elif name == "silu":
        r = x / (1 + np.exp(-x))
        d = 1.1
    elif name == "relu":
        r = np.maximum(x, 0)
        d = 1.0
    elif name == "abs":
        r = np.abs(x)
        d = 1.0
    elif name == "sin":
        r = np.sin(x)
        d = 1.0
    elif name == "cos":
        r = np.cos(x)
        d = 1.0
    elif name == "gelu":
        import math
        erf = np.vectorize(math.erf, otypes=[np.float64])
        r = 0.5 * x * (1 + erf(x / np.sqrt(2))) if x.size else x * 1.0
        d = 1.13
    else:
        raise AssertionError(name)
    check_float(dt, r)
    err = np.abs(d) * e + 4 * eps * (np.abs(r) + (np.abs(x) if name in ("sin", "cos") else 0))
    return r, err


def ev_read(n, sc):
    name, subs = n.args
    v = sc.env[name]
    if not subs:
        return sc.bshape(v.val), sc.bshape(v.err)
    pos = [aff_positions(aff, sc) for aff in subs]
    pos = np.broadcast_arrays(*pos)
    mask = np.ones(pos[0].shape, dtype=bool)
    for p, ext in zip(pos, v.val.shape):
        mask &= (p >= 0) & (p < ext)
    idx = tuple(np.clip(p, 0, max(ext - 1, 0)) for p, ext in zip(pos, v.val.shape))
    if v.val.size == 0:
        val = np.zeros(mask.shape, dtype=v.val.dtype)
        err = zerr()
    else:
        val = np.where(mask, v.val[idx], np.zeros((), v.val.dtype))
        err = np.where(mask, np.broadcast_to(v.err, v.val.shape)[idx], 0.0) \
            if v.dt in FLOATS else zerr()
    return val, err


def aff_positions(aff, sc):
    """The positions an affine subscript reads, broadcast over the loops."""
    p = np.zeros((1,) * sc.rank, dtype=np.int64)
    for c, a in aff.parts:
        if a is None:
            p = p + c
        elif isinstance(a, IB):
            p = p + c * sc.shaped(np.arange(sc.ext(a.dim), dtype=np.int64), a)
        else:
            p = p + c * sc.ext(a)
    return p


def full_extent(sc, x, ibs):
    shape = list(np.shape(x)) + [1] * (sc.rank - np.ndim(x))
    for ib in ibs:
        shape[sc.axes[ib]] = sc.ext(ib.dim)
    return np.broadcast_to(x, shape)


def reduce(kind, dt, x, e, axes, count):
    """Reduces x (already broadcast) along axes, keeping dims."""
    axes = tuple(axes)
    if dt in FLOATS:
        e = np.broadcast_to(e, x.shape)
        if kind == "sum":
            r = np.sum(x, axis=axes, keepdims=True)
            err = np.sum(e, axis=axes, keepdims=True) + \
                (count + 1) * EPS[dt] * np.sum(np.abs(x), axis=axes, keepdims=True)
        elif kind == "prod":
            r = np.prod(x, axis=axes, keepdims=True)
            m = np.prod(np.maximum(np.abs(x) + e, 1.0), axis=axes, keepdims=True)
            err = m * np.sum(e, axis=axes, keepdims=True) + \
                (count + 1) * EPS[dt] * np.abs(r)
        else:
            f = np.max if kind == "max" else np.min
            ident = -np.inf if kind == "max" else np.inf
            r = f(x, axis=axes, keepdims=True, initial=ident)
            err = np.max(e, axis=axes, keepdims=True, initial=0.0)
            return r, err
        check_float(dt, r)
        check_float("f64", err)
        return r, err
    p = x.astype(np.int64)
    if kind == "sum":
        r = np.sum(p, axis=axes, keepdims=True)
        if np.any(np.sum(np.abs(p.astype(np.float64)), axis=axes) >= IRANGE[dt]):
            raise Retry()
    elif kind == "prod":
        if np.any(np.prod(np.abs(p.astype(np.float64)), axis=axes) >= IRANGE[dt]):
            raise Retry()
        r = np.prod(p, axis=axes, keepdims=True)
    else:
        info = np.iinfo(NPT[dt])
        f = np.max if kind == "max" else np.min
        r = f(p, axis=axes, keepdims=True, initial=info.min if kind == "max" else info.max)
    return r.astype(NPT[dt]), zerr()


def ev_red(n, sc):
    ibs, kind = n.kw["ibs"], n.kw["kind"]
    x, e = ev(n.args[0], sc)
    x = full_extent(sc, x, ibs)
    count = 1
    for ib in ibs:
        count *= sc.ext(ib.dim)
    axes = [sc.axes[ib] for ib in ibs]
    if kind == "mean":
        return ev_mean(n.dt, reduce("sum", n.dt, x, e, axes, count), count)
    return reduce(kind, n.dt, x, e, axes, count)


def ev_mean(dt, total, count):
    """mean = the sum in dt, divided by the point count converted to dt; an
    empty range would give 0 / 0, which has no well-defined value."""
    s, e = total
    if count == 0:
        raise Retry()
    r = s / count
    return r, e / count + EPS[dt] * np.abs(r)


def ev_einsum(n, sc):
    spec = n.kw["spec"]
    vals = [sc.env[x] for x in n.args]
    ins = spec.split("->")[0].split(",")
    dt = n.dt
    if dt in INTS:
        r = np.einsum(spec, *[v.val.astype(np.int64) for v in vals])
        ab = np.einsum(spec, *[np.abs(v.val.astype(np.float64)) for v in vals])
        if np.any(ab >= IRANGE[dt]):
            raise Retry()
        return np.asarray(r).astype(NPT[dt]), zerr()
    xs = [v.val for v in vals]
    es = [np.broadcast_to(v.err, v.val.shape) for v in vals]
    r = np.einsum(spec, *xs)
    absx = [np.abs(x) for x in xs]
    ab = np.einsum(spec, *absx)
    letters = set("".join(ins))
    out = spec.split("->")[1] if "->" in spec else \
        "".join(sorted(c for c in letters if "".join(ins).count(c) == 1))
    count = 1
    for c in letters - set(out):
        for term, v in zip(ins, vals):
            if c in term:
                count *= v.val.shape[term.index(c)]
                break
    err = (count + len(xs) + 1) * EPS[dt] * ab
    for i in range(len(xs)):
        args = list(absx)
        args[i] = es[i]
        err = err + np.einsum(spec, *args)
    r = np.asarray(r)
    check_float(dt, r)
    return r, np.asarray(err)


def call_fn(n, sc):
    f = n.kw["fn"]
    env, sizes = {}, {}
    for (pname, kind, pdt, pdims), arg in zip(f.params, n.args):
        if kind == "index":
            sizes[pname] = sc.ext(arg)
            continue
        if isinstance(arg, str):
            v = sc.env[arg]
            val, err, dims = v.val, v.err, v.dims
        else:
            saved = sc.axes
            sc.axes = None
            val, err = ev(arg, sc)
            sc.axes = saved
        for d, ext in zip(pdims, np.shape(val)):
            if isinstance(d, str) and d not in sc.module.consts:
                sizes[d] = ext
        env[pname] = Val(pdt, pdims, np.asarray(val), err)
    inner = Scope(sc.module, sizes, env)
    for s in f.stmts:
        exec_stmt(s, inner)
    return [(env[r].val, env[r].err) for r in f.results]


def split_terms(n):
    """The additive terms of n: operands of + and -, through unary minus."""
    if isinstance(n, N) and n.op in ("+", "-"):
        return split_terms(n.args[0]) + split_terms(n.args[1])
    if isinstance(n, N) and n.op == "neg":
        return split_terms(n.args[0])
    return [n]


def term_sums(n, implicit):
    used = set()
    walk_ibs(n, used, set())
    return [ib for ib in implicit if ib in used]


def apply_term_sums(node, implicit):
    """Einstein's convention per term: each additive term sums the implicit
    indices it uses. When every term sums the same ones the whole expression
    is summed (returned unchanged); otherwise each summing term becomes an
    explicit reduction and nothing is left to sum at the end."""
    sets = [term_sums(t, implicit) for t in split_terms(node)]
    if all(x == sets[0] for x in sets):
        return node, implicit

    def rewrite(n):
        if isinstance(n, N) and n.op in ("+", "-", "neg"):
            kw = dict(n.kw)
            kw["typed"] = n.typed
            return N(n.op, n.dt, *[rewrite(a) for a in n.args], **kw)
        ibs = term_sums(n, implicit)
        if not ibs:
            return n
        if n.dt == "bool":
            raise Retry()
        return N("red", n.dt, n, kind="sum", ibs=ibs)
    return rewrite(node), []


def exec_stmt(s, sc):
    if s.kind == "multi":
        res = call_fn(s.node, sc)
        f = s.node.kw["fn"]
        for name, (v, e), (dt, dims) in zip(s.names, res, s.kw_rtypes):
            sc.env[name] = Val(dt, dims, v, e)
        return
    if s.kind == "wv":
        sc.axes = None
        sc.rank = 0
        v, e = ev(s.node, sc)
        sc.env[s.names[0]] = Val(s.node.dt, s.dims, np.asarray(v), np.asarray(e))
        return
    sc.axes = {ib: i for i, ib in enumerate(s.ibs)}
    sc.rank = len(s.ibs)
    node, implicit = apply_term_sums(s.node, s.implicit)
    try:
        v, e = ev(node, sc)
        dt = s.node.dt
        keep = s.lhs + implicit
        v = full_extent(sc, v, keep)
        if implicit:
            count = 1
            for ib in implicit:
                count *= sc.ext(ib.dim)
            v, e = reduce("sum", dt, v, e, [sc.axes[ib] for ib in implicit], count)
        e = np.broadcast_to(e, v.shape) if dt in FLOATS else zerr()
        order = [sc.axes[ib] for ib in s.lhs]
        rest = [i for i in range(sc.rank) if i not in order]
        shape = tuple(v.shape[i] for i in order)
        v = np.transpose(v, order + rest).reshape(shape)
        if dt in FLOATS:
            e = np.transpose(e, order + rest).reshape(shape)
    finally:
        sc.axes = None
        sc.rank = 0
    sc.env[s.names[0]] = Val(dt, [ib.dim for ib in s.lhs], np.asarray(v), e)


# ---------------------------------------------------------------- generation

class Module:
    def __init__(self):
        self.consts = {}  # name -> (text, value, isint)
        self.fns = []


IDX_NAMES = "ijklmnpqrstuvwxyz"


class Gen:
    """Generates one function body, evaluating each statement as it goes."""

    def __init__(self, rng, module, fn, sizes, env, depth_helpers):
        self.r, self.m, self.f = rng, module, fn
        self.sc = Scope(module, sizes, env)
        self.env = env
        self.helpers_left = depth_helpers
        self.counter = 0

    # -- helpers
    def p(self, x):
        return self.r.random() < x

    def pick(self, seq):
        return seq[int(self.r.integers(len(seq)))]

    def fresh(self, prefix="v"):
        self.counter += 1
        return "%s%d" % (prefix, self.counter)

    def dims_all(self):
        """Dims usable for index ranges: every dim of a value, plus index params."""
        out = []
        for v in self.env.values():
            for d in v.dims:
                if d not in out:
                    out.append(d)
        for p in self.f.params:
            if p[1] == "index" and p[0] not in out:
                out.append(p[0])
        return out

    def values(self, dt=None, rank=None, dims=None):
        out = []
        for k, v in self.env.items():
            if dt is not None and v.dt != dt:
                continue
            if rank is not None and len(v.dims) != rank:
                continue
            if dims is not None and v.dims != tuple(dims):
                continue
            out.append(k)
        return out

    def literal(self, dt, small=False):
        if dt in FLOATS:
            if self.p(0.15) and self.float_consts():
                c = self.pick(self.float_consts())
                return N("lit", dt, c, typed=False, cval=self.m.consts[c][1], isfloat=True)
            if self.p(0.04):
                return self.inf(dt, self.p(0.5))
            v = self.pick([0.5, 1.0, 2.0, 0.25, 1.5, 3.0, 0.1, 1e-3, 2.5e-1, 0.0, 4.0])
            if self.p(0.2):
                v = -v
            return N("lit", dt, v, typed=False, isfloat=True)
        if self.p(0.15) and self.int_consts():
            c = self.pick(self.int_consts())
            return N("lit", dt, c, typed=False, cval=self.m.consts[c][1])
        v = int(self.r.integers(-3, 6))
        return N("lit", dt, v, typed=False)

    def inf(self, dt, negative):
        """The float constant `inf` (printed `inf` or `-inf`)."""
        return N("lit", dt, -np.inf if negative else np.inf, typed=False, isfloat=True)

    def int_consts(self):
        return [k for k, c in self.m.consts.items() if c[2]]

    def float_consts(self):
        return [k for k, c in self.m.consts.items() if not c[2]]

    def size_syms(self):
        """Size symbols and `index` parameters usable in subscripts."""
        return [d for d in self.dims_all() if is_symbol(d, self.m.consts)]

    # -- index-notation expressions
    def visible(self, frames):
        seen = {}
        for fr in frames:
            for ib in fr:
                seen[ib.name] = ib
        return list(seen.values())

    def new_name(self, st):
        used = {ib.name for ib in st["ibs"]}
        free = [c for c in IDX_NAMES if c not in used]
        return self.pick(free)

    def subscript(self, st, frames, d):
        """A subscript for a dimension of extent d: a visible index (plainly or
        reversed), a new summed index, a constant or an affine expression."""
        vis = self.visible(frames)
        same = [ib for ib in vis if ib.dim == d]
        x = self.r.random()
        if same and x < 0.6:
            ib = self.pick(same)
            if self.p(0.1):
                return self.reversed_sub(ib, d)
            ib.plain = True
            return Aff([(1, ib)])
        if x < 0.78 and len(st["ibs"]) < 6 and not st.get("no_new"):
            ib = IB(self.new_name(st), d, "sum")
            st["ibs"].append(ib)
            st["implicit"].append(ib)
            frames[0].append(ib)
            if self.p(0.08):  # a summed index whose only range is a reversal
                return self.reversed_sub(ib, d)
            ib.plain = True
            return Aff([(1, ib)])
        if not vis or self.p(0.15):
            return self.constant_sub(d)
        if self.p(0.1):  # reversed over another extent: a range for nothing
            return self.reversed_sub(self.pick(vis), d)
        return self.compound_sub(vis)

    def reversed_sub(self, ib, d):
        """`d - 1 - i` in one of its spellings: it reads backwards along a
        dimension of extent d, and gives i its range when nothing else does."""
        if isinstance(d, int):
            forms = [[(d - 1, None), (-1, ib)], [(-1, ib), (d - 1, None)]]
        else:
            forms = [[(1, d), (-1, None), (-1, ib)], [(-1, ib), (1, d), (-1, None)],
                     [(1, d), (-1, ib), (-1, None)]]
        return Aff(self.pick(forms))

    def constant_sub(self, d):
        """A subscript without indices: `2`, `C0`, `N - 1` (the last element)."""
        syms = self.size_syms()
        if syms and self.p(0.25):
            s = d if is_symbol(d, self.m.consts) and self.p(0.6) else self.pick(syms)
            return Aff([(1, s), (-int(self.r.integers(1, 3)), None)])
        if self.p(0.3) and self.int_consts():
            return Aff([(1, self.pick(self.int_consts()))])
        return Aff([(int(self.r.integers(0, 4)), None)])

    def compound_sub(self, vis, first=None):
        """An affine subscript of one or two indices (`first` among them), an
        offset and sometimes a size symbol: `2 * i - 1`, `i + N - 3`."""
        k = 1 if self.p(0.6) or len(vis) < 2 else 2
        ibs = [first] if first is not None else []
        for i in self.r.permutation(len(vis)):
            if len(ibs) < k and vis[i] not in ibs:
                ibs.append(vis[i])
        parts = [(self.pick([1, 1, 1, 2, 2, 3, -1]), ib) for ib in ibs]
        if all(c < 0 for c, _ in parts):
            parts.reverse()
        if self.p(0.1) and self.int_consts():
            parts.append((1, self.pick(self.int_consts())))
        else:
            parts.append((int(self.r.integers(-3, 4)), None))
        syms = self.size_syms()
        if syms and self.p(0.25):
            sym = (self.pick([1, 1, -1, 2]), self.pick(syms))
            parts.insert(int(self.r.integers(0, len(parts) + 1)), sym)
        aff = Aff(parts)
        ixs, symc, off = aff.linear(self.m.consts)
        if list(ixs.values()) == [1] and not symc and off == 0:
            aff = Aff(parts + [(1, None)])  # `i + 0` would be a plain subscript
        return aff

    def forced_sub(self, frames, want, d, how):
        """The subscript that makes a read use index `want`."""
        if how == "rev":
            return self.reversed_sub(want, d)
        if how == "compound":
            return self.compound_sub(self.visible(frames), first=want)
        want.plain = True
        return Aff([(1, want)])

    def ix_read(self, st, frames, dt, want=None, how="plain"):
        """A read of some tensor as dtype dt (cast if needed). With `want`, one
        subscript uses that index: plainly, reversed or in an affine
        expression (how = plain / rev / compound)."""
        def fits(k):
            if want is None:
                return True
            if how == "compound":
                return bool(self.env[k].dims)
            return want.dim in self.env[k].dims
        cands = [k for k, v in self.env.items() if v.dt == dt and fits(k)]
        others = [k for k, v in self.env.items() if v.dt != dt and fits(k) and
                  (dt not in INTS or v.dt != "bool")]
        if not cands and not others:
            return None
        if cands and (not others or self.p(0.8)):
            name, cast = self.pick(cands), None
        else:
            name = self.pick(others)
            cast = dt
        v = self.env[name]
        subs = []
        forced = None
        if want is not None:
            forced = self.pick([i for i, d in enumerate(v.dims)
                                if how == "compound" or d == want.dim])
        for i, d in enumerate(v.dims):
            if i == forced:
                subs.append(self.forced_sub(frames, want, d, how))
            else:
                subs.append(self.subscript(st, frames, d))
        node = N("read", v.dt, name, subs, dims=v.dims)
        if cast:
            if cast == "bool":
                return N("cast", "bool", node)
            node = N("cast", cast, node)
        return node

    def ix_leaf(self, st, frames, dt):
        x = self.r.random()
        if dt == "bool":
            return self.ix_cmp(st, frames, 1)
        vis = self.visible(frames)
        if x < 0.75:
            n = self.ix_read(st, frames, dt)
            if n is not None:
                return n
        if x < 0.85 and vis:
            return N("ival", dt, self.pick(vis), typed=False)
        if x < 0.9:
            syms = [p[0] for p in self.f.params if p[1] == "index"] + \
                [d for d in self.dims_all() if isinstance(d, str) and d not in self.m.consts]
            if syms:
                s = self.pick(syms)
                if self.p(0.5):
                    return N("cast", dt, N("sval", "i64", s, typed=False))
                return N("sval", dt, s, typed=False)
        if x < 0.93 and vis:
            return N("cast", dt, N("ival", "i64", self.pick(vis), typed=False))
        return self.literal(dt)

    def ix_cmp(self, st, frames, depth):
        dt = self.pick(NUMS)
        a = self.ix_expr(st, frames, dt, depth)
        b = self.ix_expr(st, frames, dt, depth) if self.p(0.6) else self.literal(dt)
        if not a.typed and not b.typed:
            a = self.ix_read(st, frames, dt) or a
        if not a.typed and not b.typed:
            raise Retry()
        return N("cmp", "bool", a, b, cmp=self.pick(["<", "<=", ">", ">=", "==", "!="]))

    def ix_pos(self, st, frames, dt, depth):
        e = self.ix_expr(st, frames, dt, depth)
        k = self.r.integers(5)
        if k == 0:
            return N("+", dt, N("fn", dt, e, name="abs"), lit(0.5, dt))
        if k == 1:
            return N("+", dt, N("fn", dt, e, name="sigmoid"), lit(0.125, dt))
        if k == 2:
            return N("+", dt, N("fn", dt, e, name="softplus"), lit(0.25, dt))
        if k == 3:
            return N("+", dt, N("*", dt, e, e), lit(1.0, dt))
        return N("fn", dt, N("fn", dt, e, name="tanh"), name="exp")

    def typed_or_read(self, n, st, frames, dt):
        if n.typed:
            return n
        r = self.ix_read(st, frames, dt)
        if r is None:
            raise Retry()
        return N("*", dt, r, n) if dt != "bool" else r

    def ix_expr(self, st, frames, dt, depth):
        if depth <= 0 or self.p(0.3):
            return self.ix_leaf(st, frames, dt)
        x = self.r.random()
        if dt == "bool":
            if x < 0.7:
                return self.ix_cmp(st, frames, depth - 1)
            src = self.pick(NUMS)
            return N("cast", "bool", self.typed_or_read(
                self.ix_expr(st, frames, src, depth - 1), st, frames, src))
        if x < 0.35:
            op = self.pick(["+", "-", "*", "*", "/"] if dt in FLOATS or self.p(0.5)
                           else ["+", "-", "*"])
            a = self.ix_expr(st, frames, dt, depth - 1)
            if op == "/" and dt in FLOATS:
                b = self.pick([lambda: self.ix_pos(st, frames, dt, depth - 2),
                               lambda: self.literal(dt)])()
                if b.op == "lit" and (b.args[0] == 0 or b.kw.get("cval") == 0):
                    b = lit(2.0, dt)
            else:
                b = self.ix_expr(st, frames, dt, depth - 1)
            if not a.typed and not b.typed:
                if op == "/":
                    a = self.typed_or_read(a, st, frames, dt)
                typed = False
            else:
                typed = True
            return N(op, dt, a, b, typed=typed)
        if x < 0.5:
            kind = self.pick(["sum", "mean", "mean", "max", "min", "prod"] if dt in FLOATS
                             else ["sum", "sum", "max", "min", "prod"])
            return self.ix_reduce(st, frames, dt, depth, kind)
        if x < 0.65 and dt in FLOATS:
            name = self.pick(MATH1)
            if name in ("log", "sqrt", "rsqrt"):
                arg = self.ix_pos(st, frames, dt, depth - 1)
            else:
                arg = self.typed_or_read(self.ix_expr(st, frames, dt, depth - 1), st, frames, dt)
                if name == "exp" and self.p(0.3):
                    arg = self.masked(st, frames, arg, "max", depth)  # exp(-inf) = 0
            return N("fn", dt, arg, name=name)
        if x < 0.65:
            arg = self.typed_or_read(self.ix_expr(st, frames, dt, depth - 1), st, frames, dt)
            return N("fn", dt, arg, name=self.pick(["abs", "relu"]))
        if x < 0.72:
            a = self.typed_or_read(self.ix_expr(st, frames, dt, depth - 1), st, frames, dt)
            b = self.ix_expr(st, frames, dt, depth - 1)
            if dt in FLOATS and self.p(0.25):
                b = self.inf(dt, self.p(0.7))  # max(x, -inf) is x
            return N("fn", dt, a, b, name=self.pick(["max", "min"]))
        if x < 0.8:
            c = self.ix_cmp(st, frames, depth - 1)
            a = self.typed_or_read(self.ix_expr(st, frames, dt, depth - 1), st, frames, dt)
            b = self.ix_expr(st, frames, dt, depth - 1)
            if dt in FLOATS and self.p(0.15):
                b = self.inf(dt, self.p(0.6))
            return N("sel", dt, c, a, b)
        if x < 0.86:
            src = self.pick([d for d in NUMS if d != dt] + ["bool"])
            if dt in INTS and src in FLOATS:
                a = self.ix_read(st, frames, src)
                if a is None:
                    return self.ix_leaf(st, frames, dt)
            else:
                a = self.typed_or_read(self.ix_expr(st, frames, src, depth - 1), st, frames, src)
            return N("cast", dt, a)
        if x < 0.9 and dt in FLOATS:
            if self.p(0.6):
                base = self.typed_or_read(self.ix_expr(st, frames, dt, depth - 1), st, frames, dt)
                return N("**", dt, base, lit(int(self.r.integers(0, 6)), dt))
            base = self.ix_pos(st, frames, dt, depth - 2)
            if self.p(0.7):
                e = lit(self.pick([0.5, 1.5, -0.5, -1.0, 2.5]), dt)
                e.kw["isfloat"] = True
            else:
                e = N("fn", dt, self.typed_or_read(
                    self.ix_expr(st, frames, dt, depth - 2), st, frames, dt), name="tanh")
            return N("**", dt, base, e)
        if x < 0.95:
            return N("neg", dt, self.ix_expr(st, frames, dt, depth - 1))
        return self.ix_leaf(st, frames, dt)

    def ix_reduce(self, st, frames, dt, depth, kind):
        """sum/mean/max/min/prod over one or two new indices. Each index gets
        its range from a plain subscript, a written range (`p in 0..2`) or a
        reversed subscript (`N - 1 - p`)."""
        if dt == "bool":
            return self.ix_cmp(st, frames, depth - 1)
        if kind == "mean" and dt not in FLOATS:
            kind = "sum"  # mean of integers is a compile error
        k = 1 if self.p(0.7) else 2
        if len(st["ibs"]) + k > 7:
            return self.ix_leaf(st, frames, dt)
        ibs = []
        for _ in range(k):
            ib = self.reducer_index(st, frames, ibs)
            if ib is None:
                return self.ix_leaf(st, frames, dt)
            ibs.append(ib)
        inner = frames + [ibs]
        body = self.ix_expr(st, inner, dt, depth - 1)
        if kind == "mean":
            body = self.typed_or_read(body, st, inner, dt)  # an untyped mean is i64
        for ib in ibs:
            body = self.use_reducer_index(st, inner, dt, body, ib, kind)
        if kind in ("max", "min") and dt in FLOATS and self.p(0.5):
            body = self.masked(st, inner, body, kind, depth)
        # A reduction of an untyped body (`sum[p in 0..3](p)`) is untyped too.
        return N("red", dt, body, kind=kind, ibs=ibs, typed=body.typed)

    def reducer_index(self, st, frames, ibs):
        """A new index bound by a reducer, sometimes shadowing an outer one.
        Its `mode` says how it will get its range: plain, range or rev."""
        dims = self.dims_all()
        tensor_dims = [d for d in dims if any(d in v.dims for v in self.env.values())]
        mode = self.pick(["plain"] * 11 + ["range"] * 7 + ["rev"] * 2)
        if mode == "range":
            d = self.pick(dims + [1, 2, 3] + self.int_consts())
        elif tensor_dims:
            d = self.pick(tensor_dims)
        else:
            return None
        vis = self.visible(frames)
        shadow = [ib for ib in vis if ib not in ibs and ib.name not in [b.name for b in ibs]]
        if shadow and self.p(0.15):
            old = self.pick(shadow)
            old.shadowed = True
            name = old.name
        else:
            name = self.new_name(st)
        ib = IB(name, d, "red")
        ib.mode = mode
        ib.rng = mode == "range" or self.p(0.1)
        st["ibs"].append(ib)
        return ib

    def use_reducer_index(self, st, frames, dt, body, ib, kind):
        """Makes sure the reduction body uses ib (an unused reducer index is a
        compile error), in the way its mode needs."""
        used, plain = set(), set()
        walk_ibs(body, used, plain)
        if ib.mode == "plain" and ib in plain:
            return body
        if ib.mode == "range" and ib in used:
            return body
        how = {"plain": "plain", "rev": "rev", "range": "compound"}[ib.mode]
        r = self.ix_read(st, frames, dt, want=ib, how=how)
        if r is None and ib.mode == "plain":
            raise Retry()
        if r is None:
            ib.rng = True
            r = N("ival", dt, ib, typed=False)
        return N(self.pick(["+", "*"]) if kind != "prod" else "+", dt, body, r)

    def masked(self, st, frames, x, kind, depth):
        """where(c, x, -inf): the identity of max (+inf for min), as in masked
        attention; exp(-inf) is 0."""
        x = self.typed_or_read(x, st, frames, x.dt)
        c = self.ix_cmp(st, frames, max(depth - 2, 0))
        return N("sel", x.dt, c, x, self.inf(x.dt, kind == "max"))

    def ix_terms(self, st, frames, dt, depth):
        """Two or three additive terms that sum different indices, like the
        affine layer `y[o] = x[i] * w[o, i] + b[o]` (each term sums the
        indices it uses)."""
        terms = [self.contraction_term(st, frames, dt, depth)]
        for _ in range(int(self.r.integers(1, 3))):
            x = self.r.random()
            if x < 0.45:
                terms.append(self.bias_term(st, frames, dt))
            elif x < 0.7:
                terms.append(self.contraction_term(st, frames, dt, depth))
            else:
                terms.append(self.ix_expr(st, frames, dt, depth - 1))
        while len(terms) > 1:
            i = int(self.r.integers(len(terms) - 1))
            terms[i:i + 2] = [N(self.pick(["+", "+", "-"]), dt, terms[i], terms[i + 1])]
        if self.p(0.15):
            return N("neg", dt, terms[0])
        return terms[0]

    def contraction_term(self, st, frames, dt, depth):
        """`a[.., k] * b[k, ..]` over a new implicitly summed index k."""
        dims = [d for d in self.dims_all() if any(d in v.dims for v in self.env.values())]
        if not dims or len(st["ibs"]) >= 6:
            return self.ix_expr(st, frames, dt, depth - 1)
        k = IB(self.new_name(st), self.pick(dims), "sum")
        st["ibs"].append(k)
        st["implicit"].append(k)
        frames[0].append(k)
        a = self.ix_read(st, frames, dt, want=k)
        if a is None:
            raise Retry()
        b = self.ix_read(st, frames, dt, want=k) if self.p(0.7) else \
            self.ix_expr(st, frames, dt, depth - 1)
        return N("*", dt, a, b) if b is not None else a

    def bias_term(self, st, frames, dt):
        """A read that introduces no new summed index (the `+ b[o]`)."""
        st["no_new"] = True
        try:
            r = self.ix_read(st, frames, dt)
        finally:
            st["no_new"] = False
        return r if r is not None else self.literal(dt)

    def gen_ix_stmt(self):
        dt = self.pick(NUMS + ("bool",) if self.p(0.1) else NUMS)
        st = {"ibs": [], "implicit": []}
        dims = self.dims_all()
        nl = self.pick([0, 1, 1, 2, 2, 2, 3])
        lhs = []
        for _ in range(nl):
            if not dims:
                break
            lhs.append(IB(self.new_name(st), self.pick(dims), "lhs"))
            st["ibs"].append(lhs[-1])
        frames = [list(lhs)]
        depth = int(self.r.integers(1, 6))
        x = self.r.random()
        if dt != "bool" and x < 0.25:
            rhs = self.ix_terms(st, frames, dt, depth)
        elif dt in FLOATS and x < 0.35:  # pooling: mean[p in 0..2](x[2 * i + p])
            kind = self.pick(["mean", "mean", "max", "min", "sum"])
            rhs = self.ix_reduce(st, frames, dt, depth, kind)
        else:
            rhs = self.ix_expr(st, frames, dt, depth)
        if not rhs.typed:
            rhs = self.typed_or_read(rhs, st, frames, dt)
        # Recompute which indices the final tree uses, and how.
        used, plain = set(), set()
        walk_ibs(rhs, used, plain)
        for ib in st["ibs"]:
            ib.plain = ib in plain
        st["implicit"] = [ib for ib in st["implicit"] if ib in used]
        st["ibs"] = [ib for ib in st["ibs"] if ib in used or ib in lhs]
        rev = first_reversals(rhs, self.m.consts)
        for ib in st["ibs"]:
            if ib.kind == "red" and not ib.plain and not self.reversal_ranges(ib, rev):
                ib.rng = True
        if st["implicit"] and dt == "bool":
            raise Retry()
        wheres = []
        for ib in lhs + st["implicit"]:
            need = not ib.plain and not self.reversal_ranges(ib, rev)
            if need or (self.p(0.1) and lhs):
                if ib.shadowed or not lhs:
                    raise Retry()
                wheres.append(ib)
        if len(st["ibs"]) > 7:
            raise Retry()
        name = self.fresh()
        return Stmt("ix", [name], rhs, lhs, wheres, st["ibs"], st["implicit"])

    def reversal_ranges(self, ib, rev):
        """Whether the first reversed subscript of ib gives it its own extent."""
        return ib in rev and same_extent(rev[ib], ib.dim, self.m.consts)

    # -- whole-value expressions
    def wv_leaf(self, dt, dims, full):
        names = self.values(dt, dims=dims)
        scal = self.values(dt, rank=0)
        x = self.r.random()
        if not full and x < 0.3:
            if scal and self.p(0.5):
                return N("ref", dt, self.pick(scal))
            if dt == "bool":
                return self.wv_cmp(dims, full, 0)
            return self.literal(dt)
        if names and x < 0.85:
            return N("ref", dt, self.pick(names))
        other = [k for k in self.values(dims=dims) if self.env[k].dt != dt]
        if dt in INTS:
            other = [k for k in other if self.env[k].dt != "bool"]
        if other and x < 0.93:
            o = self.pick(other)
            return N("cast", dt, N("ref", self.env[o].dt, o))
        if dt == "bool":
            return self.wv_cmp(dims, True, 0)
        if dt in FLOATS and dims and self.p(0.5):
            inner = self.wv_expr(dt, dims, True, 1)
            return N("softmax", dt, inner, axis=int(self.r.integers(-len(dims), len(dims))))
        if names and self.p(0.5):
            return N("ref", dt, self.pick(names))
        if not dims:
            raise Retry()
        return N("fill", dt, kind=self.pick(["zeros", "ones"]), dims=dims)

    def wv_cmp(self, dims, full, depth):
        dt = self.pick(NUMS)
        a = self.wv_expr(dt, dims, full, depth)
        b = self.wv_expr(dt, dims, False, depth) if self.p(0.5) else self.literal(dt)
        if not a.typed and not b.typed:
            raise Retry()
        return N("cmp", "bool", a, b, cmp=self.pick(["<", "<=", ">", ">=", "==", "!="]))

    def wv_pos(self, dt, dims, full, depth):
        e = self.wv_expr(dt, dims, full, depth)
        k = self.r.integers(3)
        if k == 0:
            return N("+", dt, N("fn", dt, e, name="abs"), lit(0.5, dt))
        if k == 1:
            return N("+", dt, N("fn", dt, e, name="softplus"), lit(0.25, dt))
        return N("fn", dt, N("fn", dt, e, name="tanh"), name="exp")

    def wv_expr(self, dt, dims, full, depth):
        if depth <= 0 or self.p(0.25):
            n = self.wv_leaf(dt, dims, full)
            if full and not n.typed:
                raise Retry()
            return n
        x = self.r.random()
        if dt == "bool":
            if x < 0.8:
                return self.wv_cmp(dims, full, depth - 1)
            src = self.pick(NUMS)
            return N("cast", "bool", self.wv_expr(src, dims, True if full else self.p(0.5),
                                                  depth - 1))
        if x < 0.4:
            op = self.pick(["+", "-", "*", "/"])
            fa = full if self.p(0.5) else False
            fb = full and not fa
            a = self.wv_expr(dt, dims, fa, depth - 1)
            if op == "/" and dt in FLOATS:
                b = self.wv_pos(dt, dims, fb, depth - 2)
            else:
                b = self.wv_expr(dt, dims, fb, depth - 1)
            if not a.typed and not b.typed:
                raise Retry()
            return N(op, dt, a, b)
        if x < 0.55 and dt in FLOATS:
            name = self.pick(MATH1)
            if name in ("log", "sqrt", "rsqrt"):
                return N("fn", dt, self.wv_pos(dt, dims, full, depth - 1), name=name)
            a = self.wv_expr(dt, dims, full, depth - 1)
            if not a.typed:
                raise Retry()
            return N("fn", dt, a, name=name)
        if x < 0.6:
            a = self.wv_expr(dt, dims, full, depth - 1)
            if not a.typed:
                raise Retry()
            if dt in FLOATS and self.p(0.5):
                return N("**", dt, a, lit(int(self.r.integers(0, 5)), dt))
            return N("fn", dt, a, name=self.pick(["abs", "relu"]))
        if x < 0.68:
            a = self.wv_expr(dt, dims, full, depth - 1)
            b = self.wv_expr(dt, dims, False, depth - 1)
            if dt in FLOATS and self.p(0.2):
                b = self.inf(dt, self.p(0.7))
            if not a.typed and not b.typed:
                raise Retry()
            return N("fn", dt, a, b, name=self.pick(["max", "min"]))
        if x < 0.78:
            c = self.wv_cmp(dims, False, depth - 1)
            a = self.wv_expr(dt, dims, full, depth - 1)
            b = self.wv_expr(dt, dims, False, depth - 1)
            if not a.typed and not b.typed:
                raise Retry()
            return N("sel", dt, c, a, b)
        if x < 0.88:
            src = self.pick([d for d in NUMS if d != dt] + ["bool"])
            if dt in INTS and src in FLOATS:
                names = self.values(src, dims=dims) + ([] if full else self.values(src, rank=0))
                if not names:
                    return self.wv_leaf(dt, dims, full)
                return N("cast", dt, N("ref", src, self.pick(names)))
            a = self.wv_expr(src, dims, full, depth - 1)
            if not a.typed:
                raise Retry()
            return N("cast", dt, a)
        if x < 0.93 and dt in FLOATS and dims:
            a = self.wv_expr(dt, dims, True, depth - 1)
            return N("softmax", dt, a, axis=int(self.r.integers(-len(dims), len(dims))))
        if x < 0.97:
            return N("neg", dt, self.wv_expr(dt, dims, full, depth - 1))
        return self.wv_leaf(dt, dims, full)

    def gen_wv_stmt(self):
        shapes = [v.dims for v in self.env.values()]
        dims = self.pick(shapes) if shapes and self.p(0.9) else ()
        dt = self.pick(NUMS + ("bool",) if self.p(0.1) else NUMS)
        node = self.wv_expr(dt, dims, bool(dims), int(self.r.integers(1, 4)))
        if not node.typed:
            raise Retry()
        s = Stmt("wv", [self.fresh()], node)
        s.dims = tuple(dims)
        return s

    def gen_einsum_stmt(self):
        dt = self.pick(NUMS)
        cands = [k for k, v in self.env.items() if v.dt == dt and v.dims]
        if not cands:
            raise Retry()
        k = int(self.r.integers(1, 4))
        ops = [self.pick(cands) for _ in range(k)]
        letters = {}  # letter -> dim
        terms = []
        for name in ops:
            t = ""
            for d in self.env[name].dims:
                same = [c for c, dd in letters.items() if dd == d]
                if same and self.p(0.65):
                    c = self.pick(same)
                else:
                    free = [c for c in "abcdefgh" if c not in letters]
                    if not free:
                        raise Retry()
                    c = free[0] if self.p(0.5) else self.pick(free)
                    letters[c] = d
                t += c
            terms.append(t)
        allc = "".join(terms)
        if self.p(0.5):
            out = "".join(sorted(c for c in letters if allc.count(c) == 1))
            spec = ",".join(terms)
        else:
            ls = list(letters)
            perm = list(self.r.permutation(len(ls)))
            out = "".join(ls[i] for i in perm[:int(self.r.integers(0, len(ls) + 1))])
            spec = ",".join(terms) + "->" + out
        node = N("einsum", dt, *ops, spec=spec)
        s = Stmt("wv", [self.fresh()], node)
        s.dims = tuple(letters[c] for c in out)
        return s

    # -- calls
    def gen_call_stmt(self):
        helpers = [f for f in self.m.fns if f is not self.f and f.name.startswith("h")
                   and f.level < self.f.level]
        if self.helpers_left > 0 and (not helpers or self.p(0.5)):
            fn = self.make_helper()
            self.helpers_left -= 1
        elif helpers:
            fn = self.pick(helpers)
        else:
            raise Retry()
        args = self.match_args(fn)
        if args is None:
            raise Retry()
        return self.call_from(fn, args)

    def match_args(self, fn):
        """Finds caller values for fn's parameters (consistent size binding)."""
        for _ in range(20):
            bind = {}
            args = []
            ok = True
            for pname, kind, pdt, pdims in fn.params:
                if kind == "index":
                    choices = [d for d in self.dims_all() if not isinstance(d, int)
                               or d > 0] + [int(self.r.integers(0, 5))]
                    if self.int_consts():
                        choices.append(self.pick(self.int_consts()))
                    if pname in bind:
                        choices = [bind[pname]]
                    d = self.pick(choices)
                    bind[pname] = d
                    args.append(d)
                    continue
                cands = []
                for k in self.values(pdt, rank=len(pdims)):
                    good = True
                    tmp = dict(bind)
                    for pd, cd in zip(pdims, self.env[k].dims):
                        if isinstance(pd, int) or pd in self.m.consts:
                            good &= pd == cd
                        elif pd in tmp:
                            good &= tmp[pd] == cd
                        else:
                            tmp[pd] = cd
                    if good:
                        cands.append((k, tmp))
                if not cands:
                    ok = False
                    break
                k, bind = cands[int(self.r.integers(len(cands)))]
                args.append(k)
            if ok:
                return args, bind
        return None

    def call_from(self, fn, match):
        args, bind = match
        rdims = []
        for dt, dims in fn.rtypes:
            rdims.append((dt, tuple(bind.get(d, d) if isinstance(d, str) and
                                    d not in self.m.consts else d for d in dims)))
        argnodes = list(args)
        # Sometimes pass an expression instead of a name.
        for i, (p, a) in enumerate(zip(fn.params, args)):
            if p[1] == "tensor" and p[2] in FLOATS and self.p(0.2):
                argnodes[i] = N("+", p[2], N("ref", p[2], a), self.literal(p[2]))
        node = N("call", None, *argnodes, fn=fn)
        if len(fn.rtypes) == 1 and self.p(0.6):
            dt, dims = rdims[0]
            node.dt = dt
            if dt in FLOATS and self.p(0.4):
                node = N("*", dt, node, self.literal(dt))
            s = Stmt("wv", [self.fresh()], node)
            s.dims = dims
            return s
        s = Stmt("multi", [self.fresh() for _ in fn.rtypes], node)
        s.kw_rtypes = rdims
        return s

    def make_helper(self):
        """Creates a helper function whose parameters mirror some caller values."""
        cands = list(self.env.keys())
        k = min(len(cands), int(self.r.integers(1, 4)))
        chosen = [cands[i] for i in self.r.permutation(len(cands))[:k]]
        name = "h%d_%d" % (self.f.level, len(self.m.fns))
        fn = Fn(name)
        fn.level = self.f.level - 1
        ren = {}
        pool = [c for c in "PQRSTUVW"]
        env, sizes = {}, {}
        for i, cn in enumerate(chosen):
            v = self.env[cn]
            pdims = []
            for d in v.dims:
                if isinstance(d, int) or d in self.m.consts:
                    pdims.append(d)
                else:
                    if d not in ren:
                        cand = d if self.p(0.3) else pool[len(ren)]
                        if cand in ren.values():
                            cand = [c for c in pool if c not in ren.values()][0]
                        ren[d] = cand
                    pdims.append(ren[d])
                    sizes[ren[d]] = self.sc.ext(d)
            pname = "a%d" % i
            fn.params.append((pname, "tensor", v.dt, tuple(pdims)))
            env[pname] = Val(v.dt, tuple(pdims), v.val, v.err)
        if self.p(0.3):
            used = set(sizes)
            fn.params.append(("H", "index", None, ()))
            sizes["H"] = int(self.r.integers(0, 5))
        g = Gen(self.r, self.m, fn, sizes, env, 0)
        g.counter = 0
        g.body(int(self.r.integers(1, 4)), int(self.r.integers(1, 3)))
        # The recorded values are for one particular binding; the call
        # re-evaluates the body with the caller's arguments, so the values here
        # only served to keep generation well-defined.
        self.m.fns.append(fn)
        return fn

    # -- function body
    def gen_stmt(self):
        x = self.r.random()
        if x < 0.5:
            return self.gen_ix_stmt()
        if x < 0.75:
            return self.gen_wv_stmt()
        if x < 0.87:
            return self.gen_einsum_stmt()
        return self.gen_call_stmt()

    def body(self, nstmts, nres):
        made = []
        for _ in range(nstmts):
            for attempt in range(40):
                saved_counter = self.counter
                saved_fns = list(self.m.fns)
                saved_left = self.helpers_left
                try:
                    s = self.gen_stmt()
                    if s.kind != "multi" and made and self.p(0.08):
                        old = self.pick(made)
                        if old not in refs(s.node):
                            s.names[0] = old
                    exec_stmt(s, self.sc)
                except Retry:
                    self.counter = saved_counter
                    self.m.fns[:] = saved_fns
                    self.helpers_left = saved_left
                    continue
                self.f.stmts.append(s)
                made += s.names
                break
        if not made:
            made = [p[0] for p in self.f.params if p[1] == "tensor"]
        res = []
        for _ in range(nres):
            res.append(made[-1] if not res else self.pick(made))
        self.f.results = res
        self.f.rtypes = [(self.env[r].dt, self.env[r].dims) for r in res]


def walk_ibs(n, used, plain):
    """Collects the index bindings an index expression uses (and uses plainly)."""
    if not isinstance(n, N):
        return
    if n.op == "read":
        for aff in n.args[1]:
            used.update(aff.ibs())
            if aff.plain():
                plain.add(aff.plain())
        return
    if n.op == "ival":
        used.add(n.args[0])
        return
    if n.op == "red":
        used.update(n.kw["ibs"])
    for a in n.args:
        walk_ibs(a, used, plain)


def first_reversals(n, consts, out=None):
    """For each index, the dim of the first subscript (in source order) that
    reverses it: the compiler's range for an index that has no other."""
    out = {} if out is None else out
    if not isinstance(n, N):
        return out
    if n.op == "read":
        for aff, d in zip(n.args[1], n.kw["dims"]):
            ib = None if aff.plain() else reversed_index(aff, d, consts)
            if ib is not None and ib not in out:
                out[ib] = d
        return out
    for a in n.args:
        first_reversals(a, consts, out)
    return out


def refs(n):
    """Names of values an expression reads."""
    out = set()
    if not isinstance(n, N):
        return out
    if n.op in ("ref", "read"):
        out.add(n.args[0])
    elif n.op == "einsum":
        out.update(n.args)
    else:
        for a in n.args:
            if isinstance(a, str) and n.op == "call":
                out.add(a)
            else:
                out |= refs(a)
    return out


def make_input(rng, dt, shape):
    if dt in FLOATS:
        scale = 2.0 if rng.random() < 0.3 else 1.0
        return (rng.standard_normal(shape) * scale).astype(NPT[dt])
    if dt == "bool":
        return rng.random(shape) < 0.5
    return rng.integers(-7, 8, size=shape).astype(NPT[dt])


def generate(seed, index):
    """Returns (source, entry, inputs, sizes, expected list, result dtypes)."""
    r = np.random.default_rng([seed, index])
    for attempt in range(50):
        m = Module()
        if r.random() < 0.5:
            m.consts["C0"] = ("%d" % (v := int(r.integers(1, 4))), v, True)
            if r.random() < 0.5:
                m.consts["C1"] = ("C0 * 2 - 1", 2 * v - 1, True)
        if r.random() < 0.3:
            m.consts["EPS"] = ("1e-3", 1e-3, False)
        if r.random() < 0.2:
            m.consts["HALF"] = ("1.0 / 2", 0.5, False)
        syms = list(r.permutation(list("NMKDB"))[:int(r.integers(1, 4))])
        sizes = {}
        for s in syms:
            sizes[s] = int(r.integers(0, 7)) if r.random() < 0.2 else int(r.integers(1, 6))
        f = Fn("entry%d" % index)
        f.level = 2
        env = {}
        inputs = {}
        nparams = int(r.integers(1, 5))
        for i in range(nparams):
            rank = int(r.choice([0, 1, 1, 2, 2, 2, 3]))
            dims = []
            for _ in range(rank):
                x = r.random()
                if x < 0.8:
                    dims.append(str(syms[int(r.integers(len(syms)))]))
                elif x < 0.9 or not any(c[2] for c in m.consts.values()):
                    dims.append(int(r.integers(1, 4)))
                else:
                    dims.append(str(r.choice([k for k, c in m.consts.items() if c[2]])))
            dt = str(r.choice(["f32", "f32", "f64", "i32", "i64"]))
            name = "x%d" % i
            shape = tuple(sizes[d] if d in sizes else m.consts[d][1] if isinstance(d, str)
                          else d for d in dims)
            val = make_input(r, dt, shape)
            inputs[name] = val
            f.params.append((name, "tensor", dt, tuple(dims)))
            env[name] = Val(dt, tuple(dims),
                            val.astype(np.float64) if dt in FLOATS else val, zerr())
        if r.random() < 0.3:
            f.params.append(("L", "index", None, ()))
            sizes["L"] = int(r.integers(0, 6))
        m.fns.append(f)
        g = Gen(r, m, f, sizes, env, 2 if r.random() < 0.35 else 0)
        # Index params are passed with --size; the entry's own env keeps its
        # statement values for the oracle.
        g.body(int(r.integers(2, 9)), int(r.integers(1, 4)))
        if not f.stmts:
            continue
        # Re-run the whole entry from the inputs, as the compiled code will.
        sc = Scope(m, dict(sizes), {k: Val(d, dims, inputs[k].astype(np.float64)
                                            if d in FLOATS else inputs[k], zerr())
                                     for k, _, d, dims in f.params if _ == "tensor"})
        try:
            for s in f.stmts:
                exec_stmt(s, sc)
        except Retry:
            continue
        expected = [(sc.env[x].val, sc.env[x].err, sc.env[x].dt) for x in f.results]
        fns = [x for x in m.fns if x is not f]
        order = list(r.permutation(len(fns) + 1))
        allf = fns + [f]
        text = []
        for k, c in m.consts.items():
            text.append("const %s = %s" % (k, c[0]))
        if text:
            text.append("")
        text.append("\n\n".join(pfn(allf[i]) for i in order))
        src = "\n".join(text) + "\n"
        idx_sizes = {p[0]: sizes[p[0]] for p in f.params if p[1] == "index"}
        opt = str(r.choice(["", "", "-O0", "-O1", "-O3"]))
        return src, f.name, inputs, idx_sizes, expected, opt
    raise RuntimeError("could not generate program %d" % index)


# ---------------------------------------------------------------- running

def compare(got, want, err, dt):
    """Returns None if equal, else a description."""
    want = np.asarray(want)
    wdt = np.dtype(NPT[dt])
    if got.shape != want.shape:
        return "shape %s, expected %s" % (got.shape, want.shape)
    if got.dtype != wdt:
        return "dtype %s, expected %s" % (got.dtype, wdt)
    if dt not in FLOATS:
        bad = got != want.astype(wdt)
    else:
        g = got.astype(np.float64)
        w = want.astype(wdt).astype(np.float64)
        fin = np.isfinite(w)
        tol = 4 * np.broadcast_to(err, w.shape) + 4 * EPS[dt] * np.abs(w) + 1e-30
        with np.errstate(all="ignore"):
            bad = np.where(fin, ~(np.abs(g - w) <= tol), ~((g == w) | (np.isnan(g) & np.isnan(w))))
    if not np.any(bad):
        return None
    idx = np.argwhere(bad)[:6]
    lines = ["%d of %d elements differ" % (int(np.sum(bad)), bad.size)]
    for i in idx:
        t = tuple(int(k) for k in i)
        lines.append("  at %s: got %r expected %r" % (t, got[t].item(), want.astype(wdt)[t].item()))
    return "\n".join(lines)


def find_tool(opt):
    if opt:
        return opt
    t = shutil.which("tess-run")
    if t:
        return t
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "build", "bin", "tess-run")


def run_one(tool, seed, index, keep, verbose):
    src, entry, inputs, sizes, expected, opt = generate(seed, index)
    d = tempfile.mkdtemp(prefix="difftest")
    try:
        path = os.path.join(d, "p%d.tess" % index)
        with open(path, "w") as fh:
            fh.write(src)
        cmd = [tool, path, "--entry", entry] + ([opt] if opt else [])
        for k, v in inputs.items():
            p = os.path.join(d, k + ".npy")
            np.save(p, v)
            cmd += ["--in", "%s=%s" % (k, p)]
        for k, v in sizes.items():
            cmd += ["--size", "%s=%d" % (k, v)]
        outs = []
        for i in range(len(expected)):
            p = os.path.join(d, "out%d.npy" % i)
            cmd += ["--out", "%d=%s" % (i, p)]
            outs.append(p)
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            rc, out = r.returncode, r.stdout + r.stderr
        except subprocess.TimeoutExpired:
            rc, out = -999, "timeout"
        status, detail = "ok", ""
        if rc != 0:
            status = "COMPILE-ERROR" if rc == 1 and "error" in out else "CRASH"
            detail = out
        else:
            diffs = []
            for i, (p, (want, err, dt)) in enumerate(zip(outs, expected)):
                got = np.load(p)
                c = compare(got, want, err, dt)
                if c:
                    diffs.append("result %d (%s): %s" % (i, dt, c))
            if diffs:
                status, detail = "MISMATCH", "\n".join(diffs)
        print("%s: seed %d program %d" % (status, seed, index), flush=True)
        if status != "ok" or verbose:
            print(src)
            print("entry %s; inputs: %s; sizes: %s" % (entry, ", ".join(
                "%s %s%s" % (k, v.dtype, list(v.shape)) for k, v in inputs.items()), sizes))
            if status != "ok":
                print(detail)
                print("command: " + " ".join(cmd))
        if keep:
            kd = os.path.join(keep, "s%d_p%d" % (seed, index))
            os.makedirs(kd, exist_ok=True)
            with open(os.path.join(kd, "prog.tess"), "w") as fh:
                fh.write(src)
            for k, v in inputs.items():
                np.save(os.path.join(kd, k + ".npy"), v)
            for i, (want, _, dt) in enumerate(expected):
                np.save(os.path.join(kd, "expected%d.npy" % i), np.asarray(want).astype(NPT[dt]))
            with open(os.path.join(kd, "run.sh"), "w") as fh:
                fh.write("tess-run prog.tess --entry %s %s %s %s --print\n" % (
                    entry, opt, " ".join("--in %s=%s.npy" % (k, k) for k in inputs),
                    " ".join("--size %s=%d" % kv for kv in sizes.items())))
        return status == "ok"
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--start", type=int, default=0, help="first program index")
    ap.add_argument("--keep", help="directory to keep programs, inputs and oracles in")
    ap.add_argument("--tess-run", dest="tool", help="tess-run binary")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every program")
    args = ap.parse_args()
    tool = find_tool(args.tool)
    failures = 0
    for i in range(args.start, args.start + args.count):
        if not run_one(tool, args.seed, i, args.keep, args.verbose):
            failures += 1
    print("%d of %d programs failed" % (failures, args.count))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
