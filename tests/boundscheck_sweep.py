"""Every compiled loop, bounds-checked, over a generated sweep of layer geometries.

Not collected by the normal run (the file name has no ``test_`` prefix):
``tests/test_memory_safety.py`` runs it in a child process with
``NUMBA_BOUNDSCHECK=1`` and an empty ``NUMBA_CACHE_DIR``, so that every
kernel, whatever its own ``boundscheck`` option, is compiled afresh with
bounds checks, and an index past an array raises ``IndexError`` instead of
writing into the heap. To run it by hand::

    NUMBA_BOUNDSCHECK=1 NUMBA_CACHE_DIR=$(mktemp -d) python -m pytest tests/boundscheck_sweep.py

Why a sweep and not chosen cases: the input-gradient loops of first layers
and depthwise layers once wrote past their arrays whenever the padding
reached the kernel's extent, and no test had let it. Hypothesis draws the
geometry from every axis the compiled paths depend on: channel counts that
pick each family of loops (1-7, 8, 9, 16, 24, 48, 64, 128), groups and
depthwise, kernels 1-7, strides and dilations 1-3, padding from none to
past the kernel's extent (asymmetric, and ``"same"``), images from 1x1,
batches of one and more, float32 and float64. Each drawn case also runs
with the compiled kernels off and the two must agree, so a write that
lands inside an array but in the wrong place fails too. The last test
checks that the sweep reached every compiled kernel.

``XCNN_SWEEP_EXAMPLES`` sets the examples of each run of a sweep (default 40); the seed
is fixed, so a run is repeatable.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xcnn._backends.numpy.numba import available as _jit
from xcnn import functional as F

EXAMPLES = int(os.environ.get("XCNN_SWEEP_EXAMPLES", "40"))
SWEEP = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # a fixed seed: CI runs the same cases every time
    database=None,
    deadline=None,  # the first case of each kernel compiles it
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CHANNELS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 24, 48, 64, 128]
"""Below 8 (first layers: their own loops, or the array-API code), 8 and its multiples (register
blocks of 8, 16 and 32 lanes), and 9 (no block fits: the loops over the channels)."""


@contextlib.contextmanager
def _compiled_kernels(on: bool) -> Iterator[None]:
    """Switch NumPy's compiled kernels on or off for the block (see :func:`xcnn._backends.numpy.numba.available.enabled`)."""
    saved = _jit._switched_on
    _jit._switched_on = lambda: on  # type: ignore[method-assign]
    try:
        yield
    finally:
        _jit._switched_on = saved  # type: ignore[method-assign]


def _both_ways(op: Callable[[], Any]) -> tuple[Any, Any]:
    """`op`'s result through the compiled kernels and through the array-API code."""
    with _compiled_kernels(True):
        compiled = op()
    with _compiled_kernels(False):
        reference = op()
    return compiled, reference


def _assert_close(compiled: Any, reference: Any) -> None:
    for got, want in zip(compiled, reference, strict=True):
        assert got.shape == want.shape and got.dtype == want.dtype
        scale = max(1.0, float(np.max(np.abs(want), initial=0.0)))
        tol = 2e-4 if want.dtype == np.float32 else 1e-10
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale)


def _extent(k: int, d: int) -> int:
    return (k - 1) * d + 1


@st.composite
def _sides(draw: st.DrawFn, extent: int) -> tuple[int, int]:
    """Padding of one axis: none, up to past the window's extent, often asymmetric."""
    top = draw(st.integers(0, extent + 2))
    bottom = draw(st.one_of(st.just(top), st.integers(0, extent + 2)))
    return top, bottom


CONV_FAMILIES = {
    # name: (input channels, output channels per input channel or None for any, groups, strides)
    "register blocks": ([8, 16, 24, 48, 64, 128], None, "one", "any"),
    "first layer": ([1, 2, 3, 4, 5, 6, 7], None, "one", "one"),
    "depthwise blocks": ([8, 16, 24, 48, 64, 128], 1, "depthwise", "one"),
    "depthwise": ([8, 9, 16, 24], 2, "depthwise", "any"),
    "groups": ([2, 3, 4, 6, 8, 16], None, "some", "any"),
    "any": (CHANNELS, None, "one", "any"),
}
"""What each run of the convolution sweep draws: each family is mostly layers that one kind of
loops takes (the register blocks need rows of 8 pixels or more, 1x1 windows at stride 1, ...),
and the rest falls to the other compiled loops or the array-API code."""
OUTPUT_CHANNELS = [8, 16, 24, 32, 48, 64, 128, 9, 3]


@st.composite
def conv_cases(draw: st.DrawFn, family: str, dtype: type) -> dict[str, Any]:
    """A convolution layer of `family` (:data:`CONV_FAMILIES`): ``x``, ``w``, ``b`` and the options
    of :func:`xcnn.functional.conv2d`."""
    inputs, per_input, grouping, strides = CONV_FAMILIES[family]
    c_in = draw(st.sampled_from(inputs))
    if grouping == "depthwise":
        groups, c_out = c_in, c_in * draw(st.sampled_from([per_input, 1]))
    elif grouping == "some":
        groups = draw(st.sampled_from([g for g in (2, 3, 4) if c_in % g == 0] or [1]))
        c_out = groups * draw(st.sampled_from([1, 3, 8, 16]))
    else:
        groups = 1
        outputs = OUTPUT_CHANNELS if family == "any" else [c for c in OUTPUT_CHANNELS if c % 8 == 0]  # blocks: whole
        c_out = draw(st.sampled_from([c for c in outputs if c_in * c <= 128 * 128]))
    kh, kw = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    dh, dw = draw(st.sampled_from([1, 2, 3])), draw(st.sampled_from([1, 2, 3]))
    stride = (1, 1) if strides == "one" else draw(st.sampled_from([(1, 1), (2, 2), (3, 3), (1, 2), (3, 1)]))
    if stride == (1, 1) and draw(st.integers(0, 4)) == 0:
        padding: Any = "same"  # pads every size to itself: 1x1 images too
        min_height = min_width = 1
    else:
        (top, bottom), (left, right) = draw(_sides(_extent(kh, dh))), draw(_sides(_extent(kw, dw)))
        padding = ((top, bottom), (left, right))
        # the padded input must hold one window
        min_height, min_width = max(1, _extent(kh, dh) - top - bottom), max(1, _extent(kw, dw) - left - right)
    # rows of 8 pixels and more (in and out) let the register blocks run; 1x1 images come from `min_*`
    height = draw(st.integers(min_height, max(10, min_height + 3)))
    width = draw(st.integers(min_width, max(24, min_width + 3)))
    m = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return {
        "x": rng.standard_normal((m, height, width, c_in)).astype(dtype),
        "w": rng.standard_normal((kh, kw, c_in // groups, c_out)).astype(dtype),
        "b": rng.standard_normal(c_out).astype(dtype),
        "options": {"stride": stride, "padding": padding, "dilation": (dh, dw), "groups": groups},
    }


SEEN: set[str] = set()
"""Corners of the geometry the convolution sweep has drawn (see :func:`_corners`)."""


def _corners(x: np.ndarray, w: np.ndarray, padding: Any, dilation: tuple[int, int]) -> set[str]:
    """Which of the corners the sweep must reach this case is: a 1x1 image, padding past the
    window's extent, asymmetric padding, ``"same"``."""
    seen = {"1x1 image"} if x.shape[1:3] == (1, 1) else set()
    if padding == "same":
        return seen | {"same"}
    (top, bottom), (left, right) = padding
    extents = (_extent(w.shape[0], dilation[0]), _extent(w.shape[1], dilation[1]))
    if max(top, bottom) > extents[0] or max(left, right) > extents[1]:
        seen.add("padding past the extent")
    if top != bottom or left != right:
        seen.add("asymmetric padding")
    return seen


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("family", list(CONV_FAMILIES))
@given(data=st.data())
@SWEEP
def test_convolution_forward_and_backward(family: str, dtype: type, data: st.DataObject) -> None:
    case = data.draw(conv_cases(family, dtype))
    x, w, b, options = case["x"], case["w"], case["b"], case["options"]
    SEEN.update(_corners(x, w, options["padding"], options["dilation"]))

    def forward_and_backward() -> tuple[Any, ...]:
        z = F.conv2d(x, w, b, **options)
        dz = np.random.default_rng(1).standard_normal(z.shape).astype(z.dtype)
        return (z, *F.conv2d_backward(dz, x, w, **options))

    _assert_close(*_both_ways(forward_and_backward))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lanes", [8, 16, 32])
@pytest.mark.parametrize(
    ("c_in", "groups", "kernel", "padding"),
    [
        (3, 1, (1, 1), 2),  # a first layer, padding past a 1x1 kernel
        (16, 1, (3, 3), ((4, 0), (1, 3))),  # the register blocks, asymmetric padding past the kernel
        (None, "depthwise", (3, 2), ((0, 3), (1, 5))),  # the depthwise blocks, padding past the kernel
        (None, "depthwise", (3, 3), ((4, 1), (0, 5))),  # and the 3x3 depthwise weight gradient's
    ],
    ids=["first layer", "register blocks", "depthwise blocks", "depthwise 3x3"],
)
def test_each_register_block_width(c_in, groups, kernel, padding, lanes, dtype) -> None:
    """Every block width of each family of loops at least once, whatever the sweep above draws: the
    output channels a multiple of `lanes` and of no wider block (24 for 8 lanes)."""
    c_out = {8: 24, 16: 16, 32: 32}[lanes]
    if groups == "depthwise":
        c_in = groups = c_out
    rng = np.random.default_rng(lanes)
    x = rng.standard_normal((2, 9, 13, c_in)).astype(dtype)
    w = rng.standard_normal((*kernel, c_in // groups, c_out)).astype(dtype)
    options = {"padding": padding, "groups": groups}

    def forward_and_backward() -> tuple[Any, ...]:
        z = F.conv2d(x, w, **options)
        return (z, *F.conv2d_backward(np.ones_like(z), x, w, **options))

    _assert_close(*_both_ways(forward_and_backward))


POOL_CHANNELS = {"register blocks": [8, 16, 24, 32, 48, 64, 128], "loops": [9, 12, 20], "few": [1, 2, 3, 5, 7]}
"""Channel counts of each run of the pooling sweep: blocks of 16 or 8 lanes, the loops over the
channels (8 or more, no block fits), and the array-API code (fewer than 8)."""


@st.composite
def pool_cases(draw: st.DrawFn, mode: str, channels: list[int], dtype: type) -> dict[str, Any]:
    """A `mode` ("max" or "avg") pooling layer: ``x``, the kernel and the options."""
    kh, kw = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    dh, dw = (draw(st.sampled_from([1, 2, 3])), draw(st.sampled_from([1, 2, 3]))) if mode == "max" else (1, 1)
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))  # PyTorch's limit: half the kernel
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    if mode == "max" and draw(st.booleans()):  # windows that tile the input: a gradient streamed past the caches
        stride, dh, dw = (kh, kw), 1, 1
    min_height, min_width = max(1, _extent(kh, dh) - 2 * ph), max(1, _extent(kw, dw) - 2 * pw)
    height = draw(st.integers(min_height, max(10, min_height + 3)))
    width = draw(st.integers(min_width, max(20, min_width + 3)))
    options: dict[str, Any] = {"stride": stride, "padding": (ph, pw), "ceil_mode": draw(st.booleans())}
    if mode == "max":
        options["dilation"] = (dh, dw)
    else:
        options["count_include_pad"] = draw(st.booleans())
        options["divisor_override"] = draw(st.sampled_from([None, 3]))
    m = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((m, height, width, draw(st.sampled_from(channels)))).astype(dtype)
    if draw(st.booleans()):  # ties: which window a max-pool gradient goes to must agree too
        x = np.round(x)
    return {"x": x, "kernel": (kh, kw), "options": options}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("channels", list(POOL_CHANNELS))
@pytest.mark.parametrize("mode", ["max", "avg"])
@given(data=st.data())
@SWEEP
def test_pooling_forward_and_backward(mode: str, channels: str, dtype: type, data: st.DataObject) -> None:
    case = data.draw(pool_cases(mode, POOL_CHANNELS[channels], dtype))
    x, kernel, options = case["x"], case["kernel"], case["options"]
    forward, backward = (F.max_pool2d, F.max_pool2d_backward) if mode == "max" else (F.avg_pool2d, F.avg_pool2d_backward)

    def forward_and_backward() -> tuple[Any, ...]:
        y = forward(x, kernel, **options)
        dy = np.random.default_rng(2).standard_normal(y.shape).astype(y.dtype)
        return y, backward(dy, x, kernel, **options)

    from xcnn._backends.numpy.numba import pool

    saved, pool.STREAM_BYTES = pool.STREAM_BYTES, 0  # every size of gradient that may stream, streams
    try:
        _assert_close(*_both_ways(forward_and_backward))
    finally:
        pool.STREAM_BYTES = saved


def _compiled_kernels_reached() -> dict[str, bool]:
    """Every compiled kernel of xcnn, by name, and whether this process has run it."""
    import numba
    import numba.core.registry

    from xcnn._backends.numpy.numba import columns, depthwise, pool
    from xcnn._backends.numpy.numba import direct_conv as _direct_conv
    from xcnn._backends.numpy.numba import pool_kernels as _pool_kernels

    reached = {
        f"{module.__name__.rpartition('.')[2]}.{name}": bool(obj.signatures)
        for module in (columns, depthwise, pool)
        for name, obj in vars(module).items()
        if isinstance(obj, numba.core.registry.CPUDispatcher)
    }
    for name, obj in vars(_direct_conv).items():
        if isinstance(obj, dict) and obj and all(isinstance(v, dict) for v in obj.values()):  # a Kernels table
            for dtype, by_lanes in obj.items():
                for lanes, kernel in by_lanes.items():
                    if isinstance(kernel, numba.core.registry.CPUDispatcher):  # one may serve both dtypes
                        reached[f"_direct_conv.{name}[{dtype}][{lanes}]"] = any(
                            signature[0].dtype == numba.from_dtype(dtype) for signature in kernel.signatures
                        )
    for name in dir(_pool_kernels):
        stem, _, lanes = name.rpartition("_")
        if stem and lanes.isdigit() and callable(getattr(_pool_kernels, name)):
            reached[f"_pool_kernels.{name}"] = bool(pool._pool_blocks(stem, int(lanes))._ready)
    return reached


def test_bounds_checks_are_on() -> None:
    """The sweep proves nothing unless the kernels it runs check their indices."""
    assert os.environ.get("NUMBA_BOUNDSCHECK") == "1", "run this file with NUMBA_BOUNDSCHECK=1"
    from xcnn._backends.numpy.numba.compile import compile_kernel

    def past_the_end(a: np.ndarray) -> float:
        return a[a.shape[0]]

    with pytest.raises(IndexError):
        compile_kernel(past_the_end)(np.zeros(3))


@pytest.mark.skipif(EXAMPLES < 40, reason="fewer examples than it takes to reach every kernel")
def test_every_compiled_kernel_was_reached() -> None:
    """Runs after the sweeps (pytest keeps the file's order): none of xcnn's kernels went untested."""
    reached = _compiled_kernels_reached()
    assert len(reached) > 30, sorted(reached)  # the scan itself found the kernels
    missed = sorted(name for name, ran in reached.items() if not ran)
    assert not missed, f"the sweep never ran: {missed}"
    corners = {"1x1 image", "padding past the extent", "asymmetric padding", "same"}
    assert SEEN >= corners, f"the convolution sweep never drew: {sorted(corners - SEEN)}"
