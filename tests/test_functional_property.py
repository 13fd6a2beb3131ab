"""Property tests: random configurations of every convolution and pooling
option, forward and backward, against PyTorch, on every backend.

Each test draws 200 configurations (batch, sizes, channels, kernel, stride,
padding form, dilation, groups, ceil_mode, float32/float64).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xcnn import functional as F

torch_oracle = pytest.importorskip("tests.torch_oracle")

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,  # the same 200 cases every run: failures reproduce
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TOL = {"float32": dict(rtol=2e-4, atol=2e-4), "float64": dict(rtol=1e-10, atol=1e-10)}


def _values(rng, shape, ties):
    # Small integers make ties, which exercise max pooling's first-maximum rule.
    return rng.integers(-3, 4, size=shape).astype(float) if ties else rng.standard_normal(shape)


@st.composite
def conv_configs(draw):
    groups = draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    form = draw(st.sampled_from(["int", "pair", "sides", "valid", "same"]))
    if form == "same":
        stride = (1, 1)
        padding = "same"
    elif form == "valid":
        padding = "valid"
    elif form == "int":
        padding = draw(st.integers(0, 3))
    elif form == "pair":
        padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    else:
        padding = tuple((draw(st.integers(0, 3)), draw(st.integers(0, 3))) for _ in range(2))
    totals = {
        "int": (2 * padding, 2 * padding) if form == "int" else None,
        "pair": (2 * padding[0], 2 * padding[1]) if form == "pair" else None,
        "sides": (sum(padding[0]), sum(padding[1])) if form == "sides" else None,
    }.get(form) or (0, 0)
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    size = [max(1, s - t + draw(st.integers(0, 5))) for s, t in zip(spans, totals)]
    return dict(
        m=draw(st.integers(1, 3)), h=size[0], w=size[1],
        c_in=groups * draw(st.integers(1, 3)), c_out=groups * draw(st.integers(1, 3)),
        kernel=kernel, options=dict(stride=stride, padding=padding, dilation=dilation, groups=groups),
        bias=draw(st.booleans()), dtype=draw(st.sampled_from(["float32", "float64"])),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


@PROPERTY
@given(cfg=conv_configs())
def test_conv2d_matches_torch(xb, cfg):
    rng = np.random.default_rng(cfg["seed"])
    opts, dtype = cfg["options"], cfg["dtype"]
    x = rng.standard_normal((cfg["m"], cfg["h"], cfg["w"], cfg["c_in"]))
    w = rng.standard_normal((*cfg["kernel"], cfg["c_in"] // opts["groups"], cfg["c_out"]))
    b = rng.standard_normal(cfg["c_out"]) if cfg["bias"] else None
    x, w = x.astype(dtype).astype(float), w.astype(dtype).astype(float)  # same values both sides
    z = F.conv2d(xb.asarray(x, dtype), xb.asarray(w, dtype), None if b is None else xb.asarray(b, dtype), **opts)
    xb.assert_here(z)
    assert z.dtype == getattr(xb.xp, dtype)
    dz = rng.standard_normal(tuple(z.shape))
    want = torch_oracle.conv2d(x, w, b, dz, **opts)
    got = F.conv2d_backward(xb.asarray(dz, dtype), xb.asarray(x, dtype), xb.asarray(w, dtype), bias=cfg["bias"], **opts)
    np.testing.assert_allclose(xb.to_numpy(z), want[0], **TOL[dtype])
    for g, expected in zip(got, want[1:]):
        if expected is None:
            assert g is None
        else:
            xb.assert_here(g)
            np.testing.assert_allclose(xb.to_numpy(g), expected, **TOL[dtype])


@st.composite
def pool_configs(draw):
    op = draw(st.sampled_from(["max_pool2d", "avg_pool2d"]))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if op == "max_pool2d" else (1, 1)
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    size = [max(1, s - 2 * p + draw(st.integers(0, 6))) for s, p in zip(spans, padding)]
    options = dict(
        kernel_size=kernel,
        stride=draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3)))),
        padding=padding,
        ceil_mode=draw(st.booleans()),
    )
    if op == "max_pool2d":
        options["dilation"] = dilation
    else:
        options["count_include_pad"] = draw(st.booleans())
        options["divisor_override"] = draw(st.one_of(st.none(), st.integers(1, 5)))
    return dict(
        op=op, shape=(draw(st.integers(1, 3)), size[0], size[1], draw(st.integers(1, 3))), options=options,
        ties=draw(st.booleans()), dtype=draw(st.sampled_from(["float32", "float64"])),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


@PROPERTY
@given(cfg=pool_configs())
def test_pooling_matches_torch(xb, cfg):
    rng = np.random.default_rng(cfg["seed"])
    op, opts, dtype = cfg["op"], dict(cfg["options"]), cfg["dtype"]
    x = _values(rng, cfg["shape"], cfg["ties"]).astype(dtype).astype(float)
    out_shape = torch_oracle.pool2d_output(cfg["shape"], op, **opts)
    dy = rng.standard_normal(out_shape)
    want_y, want_dx = torch_oracle.pool2d(x, dy, op, **opts)
    kernel = opts.pop("kernel_size")
    y = getattr(F, op)(xb.asarray(x, dtype), kernel, **opts)
    dx = getattr(F, op + "_backward")(xb.asarray(dy, dtype), xb.asarray(x, dtype), kernel, **opts)
    xb.assert_here(y)
    xb.assert_here(dx)
    assert y.dtype == dx.dtype == getattr(xb.xp, dtype)
    np.testing.assert_allclose(xb.to_numpy(y), want_y, **TOL[dtype])
    np.testing.assert_allclose(xb.to_numpy(dx), want_dx, **TOL[dtype])
