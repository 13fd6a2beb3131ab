"""NaN and infinity as PyTorch has them: max and average pooling, losses and convolution.

PyTorch itself is the oracle here (its CPU kernels, in the dtype under test),
on every backend of the ``xb`` fixture: NumPy through its compiled loops and
without them, array_api_strict, PyTorch. Where NumPy's compiled loops would
take a case, the tests also check which path ran. README.md's section
"Numerical semantics: NaN and infinity" names the test behind each rule.
"""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest

import xcnn
from xcnn import functional as F

from .helpers import force_primitives

torch = pytest.importorskip("torch", reason="PyTorch is the oracle of these tests")
TF = torch.nn.functional

making_nonfinite = pytest.mark.filterwarnings("ignore:(invalid value|overflow) encountered:RuntimeWarning")
"""For tests whose arithmetic makes inf or NaN, the point of them, which NumPy warns about. (Max
pooling makes none: its tests keep warnings as errors.)"""

NUMBA = importlib.util.find_spec("numba") is not None
INF, NAN = math.inf, math.nan


def _nchw(a: np.ndarray, **options):
    return torch.tensor(a).permute(0, 3, 1, 2).contiguous(**options)


def _nhwc(t) -> np.ndarray:
    return t.detach().permute(0, 2, 3, 1).numpy()


def _compiled(xb) -> bool:
    """Whether NumPy's compiled loops may run for this backend case."""
    return xb.name == "numpy" and xb.jit and NUMBA


# --- max pooling ------------------------------------------------------------------------------


def _torch_max_pool(x: np.ndarray, dy: np.ndarray, kernel, **options) -> tuple[np.ndarray, np.ndarray]:
    """``(y, dx)`` of PyTorch's max pooling, NHWC, in the dtype of `x`.

    Run on a contiguous and on a channels_last tensor (PyTorch's two CPU
    kernels), which must agree with each other.
    """
    results = []
    for memory_format in (torch.contiguous_format, torch.channels_last):
        xt = _nchw(x, memory_format=memory_format).requires_grad_(True)
        y = TF.max_pool2d(xt, kernel, **options)
        y.backward(_nchw(dy))
        results.append((_nhwc(y), _nhwc(xt.grad)))
    (y, dx), (y_last, dx_last) = results
    np.testing.assert_array_equal(y_last, y)
    np.testing.assert_array_equal(dx_last, dx)
    return y, dx


def _max_pool(xb, x: np.ndarray, dy: np.ndarray, kernel, **options) -> tuple[np.ndarray, np.ndarray]:
    """``(y, dx)`` of xcnn's max pooling on the backend case `xb`, as NumPy arrays."""
    xa, dya = xb.asarray(x), xb.asarray(dy)
    y, dx = F.max_pool2d(xa, kernel, **options), F.max_pool2d_backward(dya, xa, kernel, **options)
    xb.assert_here(dx)
    return xb.to_numpy(y), xb.to_numpy(dx)


@pytest.fixture
def pool_loops(monkeypatch):
    """The compiled pooling loops NumPy picks (:func:`xcnn._backends.numpy.numba.pool._in_blocks`), in call order."""
    chosen: list = []
    if NUMBA:
        from xcnn._backends.numpy.numba import pool as _numba_kernels

        pick = _numba_kernels._in_blocks
        monkeypatch.setattr(_numba_kernels, "_in_blocks", lambda *a: chosen.append(pick(*a)) or chosen[-1])
    return chosen


def _expected_pool_loops(xb, channels: int, dtype: str = "float64") -> list:
    """The loops :func:`pool_loops` records for one forward and one backward pass."""
    if not _compiled(xb) or channels < xcnn._backends.numpy.numba.available.MIN_CHANNELS:
        return []  # the array-API code
    from xcnn._backends.numpy.numba import pool as _numba_kernels

    lanes = next((n for n in (16, 8) if channels % n == 0), None)
    if lanes is None:
        return [_numba_kernels._window_max, _numba_kernels._max_pool_backward]
    gradient_lanes = next(n for n in (32, 16, 8) if channels % n == 0 and (n < 32 or dtype == "float32"))
    return [
        _numba_kernels._pool_blocks("window_max", lanes), _numba_kernels._pool_blocks("max_pool_backward", gradient_lanes)
    ]


@pytest.mark.parametrize("channels", [1, 9, 16, 24], ids=lambda c: f"{c}ch")
def test_max_pool_gradient_of_a_minus_inf_window_goes_inside(xb, pool_loops, channels):
    """Windows of -inf beside padding (also -inf) send their gradient to their first cell inside the
    input, never to the padding: each of the four windows here holds one input and three padding cells."""
    x = np.full((1, 2, 2, channels), -INF)
    dy = np.ones((1, 2, 2, channels))
    y, dx = _max_pool(xb, x, dy, 2, padding=1)
    assert pool_loops == _expected_pool_loops(xb, channels)
    want_y, want_dx = _torch_max_pool(x, dy, 2, padding=1)
    np.testing.assert_array_equal(want_dx, np.ones_like(x))
    np.testing.assert_array_equal(y, want_y)
    np.testing.assert_array_equal(dx, want_dx)


@pytest.mark.parametrize("channels", [1, 9, 16], ids=lambda c: f"{c}ch")
def test_max_pool_gradient_of_a_nan_window_goes_to_its_last_nan(xb, pool_loops, channels):
    """PyTorch's rule: each NaN replaces the maximum so far. Without padding, and with windows
    whose first cells are padding (a gradient sent there would be lost)."""
    grid = np.array([[NAN, 1.0], [NAN, 2.0]])
    x = np.repeat(grid.reshape(1, 2, 2, 1), channels, axis=3)
    y, dx = _max_pool(xb, x, np.ones((1, 1, 1, channels)), 2)
    assert np.isnan(y).all()
    np.testing.assert_array_equal(dx[0, :, :, -1], [[0.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(dx, _torch_max_pool(x, np.ones((1, 1, 1, channels)), 2)[1])

    x = np.repeat(np.array([[0.0, 1.0], [2.0, NAN]]).reshape(1, 2, 2, 1), channels, axis=3)
    dy = np.ones((1, 2, 2, channels))
    y, dx = _max_pool(xb, x, dy, 3, stride=1, padding=1)  # every window holds the NaN
    assert np.isnan(y).all()
    np.testing.assert_array_equal(dx[0, :, :, -1], [[0.0, 0.0], [0.0, 4.0]])
    np.testing.assert_array_equal(dx, _torch_max_pool(x, dy, 3, stride=1, padding=1)[1])
    assert pool_loops == 2 * _expected_pool_loops(xb, channels)


POOL_GEOMETRIES = [  # (kernel_size, options): no window falls wholly in the padding
    (2, dict(padding=1)),
    (3, dict(stride=2)),
    (3, dict(stride=1, padding=1)),
    (3, dict(stride=2, padding=1, ceil_mode=True)),
    ((2, 3), dict(stride=(1, 2), padding=(1, 1), dilation=(2, 1))),
    (3, dict(stride=2, padding=1, dilation=2, ceil_mode=True)),
]


def _nonfinite(shape: tuple[int, ...], seed: int, dtype: str) -> np.ndarray:
    """Mostly -inf and NaN, some +inf and ties: windows of -inf only, with one NaN, with several."""
    rng = np.random.default_rng(seed)
    values = np.array([NAN, -INF, INF, 0.0, 1.0, -1.0, 2.0])
    return rng.choice(values, size=shape, p=[0.2, 0.4, 0.05, 0.1, 0.1, 0.1, 0.05]).astype(dtype)


@pytest.mark.parametrize("channels", [3, 9, 16, 24, 32], ids=lambda c: f"{c}ch")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("geometry", POOL_GEOMETRIES, ids=str)
def test_max_pool_with_nan_and_inf_matches_torch(xb, pool_loops, geometry, dtype, channels):
    """Maxima (NaN propagates) and gradients, everywhere PyTorch's are: 3 channels take the array-API
    code, 9 NumPy's loops over the channels, 16 and 24 its register blocks of 16 and of 8."""
    kernel, options = geometry
    x = _nonfinite((2, 7, 8, channels), seed=channels, dtype=dtype)
    out_shape = TF.max_pool2d(_nchw(x), kernel, **options).shape
    dy = np.random.default_rng(1).standard_normal((2, out_shape[2], out_shape[3], channels)).astype(dtype)
    y, dx = _max_pool(xb, x, dy, kernel, **options)
    assert pool_loops == _expected_pool_loops(xb, channels, dtype)
    want_y, want_dx = _torch_max_pool(x, dy, kernel, **options)
    np.testing.assert_array_equal(y, want_y)
    tolerance = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, want_dx, **tolerance)  # overlapping windows may add in another order


@pytest.mark.parametrize("geometry", POOL_GEOMETRIES[:4], ids=str)
def test_max_pool_over_the_window_view_matches_torch(xb, monkeypatch, geometry):
    """CuPy's strategy (:func:`xcnn._reference.max_routing._route_through_columns`, one ``argmax`` over the strided
    window view), forced on every backend: the same routing."""
    force_primitives(monkeypatch, reduce_over_view=True)
    kernel, options = geometry
    x = _nonfinite((2, 7, 8, 3), seed=7, dtype="float64")  # 3 channels: no compiled loops
    out_shape = TF.max_pool2d(_nchw(x), kernel, **options).shape
    dy = np.random.default_rng(2).standard_normal((2, out_shape[2], out_shape[3], 3))
    y, dx = _max_pool(xb, x, dy, kernel, **options)
    want_y, want_dx = _torch_max_pool(x, dy, kernel, **options)
    np.testing.assert_array_equal(y, want_y)
    np.testing.assert_allclose(dx, want_dx, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("channels", [1, 16], ids=lambda c: f"{c}ch")
def test_max_pool_window_wholly_in_the_padding_drops_its_gradient(xb, pool_loops, channels):
    """A deliberate difference: with dilation a window may hold padding only. Its maximum is -inf and
    its gradient goes nowhere; PyTorch's kernel writes it outside the input there (not compared: the
    write corrupts memory)."""
    x = np.repeat(np.arange(1.0, 7.0).reshape(1, 2, 3, 1), channels, axis=3)
    y, dx = _max_pool(xb, x, np.ones((1, 1, 2, channels)), 2, stride=1, padding=1, dilation=3)
    np.testing.assert_array_equal(y, np.full((1, 1, 2, channels), -INF))
    np.testing.assert_array_equal(dx, np.zeros_like(x))
    assert pool_loops == _expected_pool_loops(xb, channels)


def test_tutorial_pool_backward_routes_nan_windows_like_torch(xb):
    """``pool_backward`` shares the functional code: its NaN windows follow PyTorch too."""
    x = _nonfinite((2, 6, 6, 3), seed=3, dtype="float64")
    dy = np.random.default_rng(4).standard_normal((2, 3, 3, 3))
    a, cache = xcnn.pool_forward(xb.asarray(x), {"f": 2, "stride": 2})
    dx = xb.to_numpy(xcnn.pool_backward(xb.asarray(dy), cache))
    want_y, want_dx = _torch_max_pool(x, dy, 2)
    np.testing.assert_array_equal(xb.to_numpy(a), want_y)
    np.testing.assert_array_equal(dx, want_dx)


@pytest.mark.parametrize(
    "window",
    [
        [[1.0, NAN], [NAN, 2.0]],  # the last NaN
        [[NAN, 1.0], [0.0, 0.0]],
        [[3.0, 1.0], [3.0, INF]],
        [[-INF, -INF], [-INF, -INF]],  # the first cell
        [[1.0, 3.0], [3.0, 2.0]],  # ties: the first maximum
    ],
)
def test_create_mask_from_window_marks_what_torch_routes_to(xb, window):
    """The tutorial's mask marks the one cell that PyTorch's max pooling sends the window's gradient to."""
    x = np.asarray(window, dtype="float64")
    mask = xcnn.create_mask_from_window(xb.asarray(x))
    xb.assert_here(mask)
    _, want = _torch_max_pool(x[None, :, :, None], np.ones((1, 1, 1, 1)), 2)
    np.testing.assert_array_equal(xb.to_numpy(mask), want[0, :, :, 0] == 1)


@making_nonfinite
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool_with_nan_and_inf_matches_torch(xb, count_include_pad):
    """A window's mean is NaN where it holds NaN or both infinities, inf where it holds one;
    the gradient (of a finite upstream gradient) stays finite."""
    x = _nonfinite((2, 7, 8, 9), seed=5, dtype="float64")
    options = dict(stride=2, padding=1, ceil_mode=True, count_include_pad=count_include_pad)
    xt = _nchw(x).requires_grad_(True)
    yt = TF.avg_pool2d(xt, 3, **options)
    dy = np.random.default_rng(6).standard_normal(_nhwc(yt).shape)
    yt.backward(_nchw(dy))
    xa = xb.asarray(x)
    y = xb.to_numpy(F.avg_pool2d(xa, 3, **options))
    dx = xb.to_numpy(F.avg_pool2d_backward(xb.asarray(dy), xa, 3, **options))
    np.testing.assert_allclose(y, _nhwc(yt), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, _nhwc(xt.grad), rtol=1e-12, atol=1e-12)
    assert np.isnan(y).any() and np.isinf(y).any() and np.isfinite(dx).all()


# --- losses -----------------------------------------------------------------------------------

LOGIT_ROWS = {  # a row of logits and its class; the second row of each batch is ordinary
    "-inf-logit": ([0.0, -INF, 1.0], 2),
    "-3e38-logit": ([0.0, -3e38, 1.0], 2),
    "+3e38-logit": ([0.0, 3e38, 1.0], 2),
    "3e38-apart": ([3e38, 0.0, -3e38], 1),  # in float32 the last log-probability is -inf
    "-inf-at-the-label": ([0.0, 1.0, -INF], 2),  # an infinite loss
    "one-finite-logit": ([-INF, -INF, 0.0], 2),
    "+inf-logit": ([0.0, INF, 1.0], 2),  # NaN
    "nan-logit": ([0.0, NAN, 1.0], 2),  # NaN
}


def _torch_cross_entropy(logits: np.ndarray, labels) -> tuple[np.ndarray, np.ndarray]:
    lt = torch.tensor(logits, requires_grad=True)
    loss = TF.cross_entropy(lt, torch.as_tensor(labels))
    loss.backward()
    return loss.detach().numpy(), lt.grad.numpy()


@making_nonfinite
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", list(LOGIT_ROWS), ids=str)
def test_cross_entropy_with_infinite_or_huge_logits_matches_torch(xb, case, dtype):
    """Loss and gradient for class indices: a class with a log-probability of -inf adds nothing."""
    row, label = LOGIT_ROWS[case]
    logits = np.array([row, [0.5, -1.0, 2.0]], dtype=dtype)
    labels = np.array([label, 0])
    loss = F.cross_entropy(xb.asarray(logits), xb.asarray(labels))
    grad = F.cross_entropy_backward(1.0, xb.asarray(logits), xb.asarray(labels))
    xb.assert_here(grad)
    want_loss, want_grad = _torch_cross_entropy(logits, labels)
    tolerance = dict(rtol=1e-6, atol=1e-7) if dtype == "float32" else dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(xb.to_numpy(loss), want_loss, **tolerance)
    np.testing.assert_allclose(xb.to_numpy(grad), want_grad, **tolerance)


def test_cross_entropy_float_labels_of_zero_add_nothing(xb):
    """A deliberate difference: one-hot float labels give the loss of the class indices,
    where PyTorch's probability targets multiply ``0 * -inf`` into NaN (its gradient is finite)."""
    logits = np.array([[0.0, -INF, 1.0], [2.0, 0.0, -INF]])
    indices = np.array([2, 0])
    one_hot = np.eye(3)[indices]
    loss = xb.to_numpy(F.cross_entropy(xb.asarray(logits), xb.asarray(one_hot)))
    grad = xb.to_numpy(F.cross_entropy_backward(1.0, xb.asarray(logits), xb.asarray(one_hot)))
    want_loss, want_grad = _torch_cross_entropy(logits, indices)
    np.testing.assert_allclose(loss, want_loss, rtol=1e-12)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-12, atol=1e-14)
    soft_loss, soft_grad = _torch_cross_entropy(logits, one_hot)
    assert np.isnan(soft_loss)  # PyTorch's value, left behind on purpose
    np.testing.assert_allclose(grad, soft_grad, rtol=1e-12, atol=1e-14)


MSE_CASES = {  # (input, target)
    "inf": ([INF, 1.0, 0.5], [1.0, INF, 0.25]),
    "inf-minus-inf": ([INF, 2.0, 0.5], [INF, 1.0, 0.25]),  # NaN
    "nan": ([NAN, 1.0, 0.5], [0.0, 0.0, 0.25]),
    "3e38-apart": ([3e38, 0.5, 1.0], [-3e38, 0.25, 1.0]),  # in float32 the difference overflows
}


@making_nonfinite
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", list(MSE_CASES))
def test_mse_loss_with_nan_inf_and_huge_values_matches_torch(xb, case, dtype):
    inputs, target = (np.array(a, dtype=dtype).reshape(1, 3) for a in MSE_CASES[case])
    it = torch.tensor(inputs, requires_grad=True)
    want = TF.mse_loss(it, torch.tensor(target))
    want.backward()
    loss = F.mse_loss(xb.asarray(inputs), xb.asarray(target))
    grad = F.mse_loss_backward(1.0, xb.asarray(inputs), xb.asarray(target))
    np.testing.assert_allclose(xb.to_numpy(loss), want.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(xb.to_numpy(grad), it.grad.numpy(), rtol=1e-6)


# --- convolution ------------------------------------------------------------------------------

DIRECT = ("direct forward", "direct backward")
DIRECT_DEPTHWISE = ("direct depthwise_forward", "direct depthwise_backward")
NUMBA_DEPTHWISE = ("numba depthwise_forward", "numba depthwise_backward")
CONV_LAYERS = {  # (C_in, C_out, groups, kernel, options, the compiled passes NumPy takes with finite weights)
    "direct": (16, 16, 1, 3, dict(padding=1), DIRECT),
    "direct-unpadded": (16, 8, 1, 3, dict(padding=0), DIRECT),  # its input gradient pads the output gradient
    "direct-stride-2": (24, 16, 1, 3, dict(stride=2, padding=2), DIRECT),
    "direct-3-channels": (3, 8, 1, 3, dict(padding="same"), DIRECT),
    "direct-1x1-padded": (8, 8, 1, 1, dict(padding=1), DIRECT),  # the border is the padding times the weights
    "direct-depthwise": (16, 16, 16, 3, dict(padding=1), DIRECT_DEPTHWISE),
    "numba-depthwise": (8, 16, 8, 3, dict(stride=2, padding=1), NUMBA_DEPTHWISE),
    "numba-depthwise-stride-2": (16, 16, 16, 3, dict(stride=2, padding=2), NUMBA_DEPTHWISE),
    "einsum-depthwise": (3, 3, 3, 3, dict(padding=1), ()),  # fewer than 8 channels: the array-API code
    "grouped": (8, 16, 2, 3, dict(padding=1), ()),  # gathered windows
}
NONFINITE = ["finite", "nan-weight", "nan-corner-weight", "inf-weight", "nonfinite-x", "nonfinite-dz"]


@pytest.fixture
def conv_calls(monkeypatch):
    """Which compiled convolution passes run (:mod:`xcnn._backends.numpy.numba.direct_conv`, :mod:`xcnn._backends.numpy.numba.depthwise`)."""
    calls: set[str] = set()
    if not NUMBA:
        return calls
    from xcnn._backends.numpy.numba import depthwise as _numba_kernels
    from xcnn._backends.numpy.numba import direct_conv as _direct_conv

    for label, module, names in (
        ("direct", _direct_conv, ("forward", "backward", "depthwise_forward", "depthwise_backward")),
        ("numba", _numba_kernels, ("depthwise_forward", "depthwise_backward")),
    ):
        for name in names:
            original = getattr(module, name)

            def counted(*args, key=f"{label} {name}", original=original):
                calls.add(key)
                return original(*args)

            monkeypatch.setattr(module, name, counted)
    return calls


def _conv_case(layer: str, kind: str, dtype: str) -> tuple[np.ndarray, ...]:
    """``x, w, b, dz`` of a layer with the non-finite numbers of `kind`."""
    c_in, c_out, groups, kernel, options, _ = CONV_LAYERS[layer]
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 7, 17, c_in))
    w = rng.standard_normal((kernel, kernel, c_in // groups, c_out))
    b = rng.standard_normal(c_out)
    center = kernel // 2
    if kind == "nan-weight":
        w[center, center, 0, 0] = NAN
    elif kind == "nan-corner-weight":
        w[0, 0, 0, c_out - 1] = NAN
    elif kind == "inf-weight":
        w[kernel - 1, 0, 0, 1] = INF
        x[0, 3, 5, :] = 0.0  # inf * 0
    elif kind == "nonfinite-x":
        x[0, 0, 0, 0], x[1, 3, 16, c_in - 1], x[1, 6, 4, 0] = NAN, INF, -INF
    out_shape = TF.conv2d(_nchw(x), torch.tensor(w).permute(3, 2, 0, 1), stride=options.get("stride", 1),
                          padding=options["padding"], groups=groups).shape
    dz = rng.standard_normal((2, out_shape[2], out_shape[3], c_out))
    if kind == "nonfinite-dz":
        dz[0, 0, 0, 0], dz[1, -1, -1, -1], dz[1, 2, 3, 0] = NAN, INF, -INF
    return tuple(a.astype(dtype) for a in (x, w, b, dz))


@making_nonfinite
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", NONFINITE)
@pytest.mark.parametrize("layer", list(CONV_LAYERS))
def test_conv_with_nan_and_inf_matches_torch(xb, conv_calls, layer, kind, dtype):
    """PyTorch's NaN pattern: the forward pass multiplies the padding's zeros by the weights
    (``0 * NaN`` is NaN), the input gradient adds only real terms, the weight gradient multiplies
    the padding's zeros by the output gradient. NumPy's compiled loops leave the padding out: weights
    with inf or NaN take the array-API code instead, and so does the backward pass of an output
    gradient with inf or NaN (after the loops, from their bias gradient)."""
    from . import torch_oracle

    _, _, groups, _, options, compiled = CONV_LAYERS[layer]
    x, w, b, dz = _conv_case(layer, kind, dtype)
    args = [xb.asarray(a) for a in (x, w, b, dz)]
    z = F.conv2d(*args[:3], groups=groups, **options)
    grads = F.conv2d_backward(args[3], *args[:2], groups=groups, **options)
    xb.assert_here(grads[0])
    weights_finite = kind not in ("nan-weight", "nan-corner-weight", "inf-weight")
    assert conv_calls == (set(compiled) if _compiled(xb) and weights_finite else set())
    want = torch_oracle.conv2d(x.astype("float64"), w.astype("float64"), b.astype("float64"),
                               dz.astype("float64"), stride=options.get("stride", 1), padding=options["padding"],
                               dilation=1, groups=groups)
    tolerance = dict(rtol=1e-4, atol=1e-4) if dtype == "float32" else dict(rtol=1e-10, atol=1e-10)
    for name, got, expected in zip(("z", "dx", "dw", "db"), (z, *grads), want):
        np.testing.assert_allclose(xb.to_numpy(got), expected, err_msg=name, **tolerance)
    if kind != "finite":
        assert any(np.isnan(a).any() for a in want)  # the case shows a NaN pattern to match
