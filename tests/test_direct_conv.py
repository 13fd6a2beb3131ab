"""NumPy's register-blocked convolution loops (:mod:`xcnn._backends.numpy.numba.direct_conv`).

They are checked against PyTorch's convolution and autograd, against the
gathered-window code they replace (the compiled kernels switched off), and
as plain Python; each test also checks that the loops really ran. The
generated module must be what its generator writes.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import xcnn
import xcnn._backends.numpy.numba.available as jit
import xcnn._backends.numpy.threads as threads
from xcnn import functional as F

from .helpers import assert_generated, inferred_float_types

pytest.importorskip("numba", reason="the compiled kernels need Numba (a dependency of xcnn where it has wheels)")

from xcnn._backends.numpy.numba import direct_conv as _direct_conv
from xcnn._backends.numpy.numba import direct_conv_kernels as _direct_conv_kernels
from xcnn._backends.numpy.numba.compile import tap_offsets
from xcnn._backends.numpy.numba.generate_direct_conv import shapes as generated_shapes
from xcnn._geometry import Windows

GEOMETRIES = [  # (kernel, options)
    (3, dict(stride=1, padding=1)),
    (3, dict(stride=1, padding="valid")),  # 27 -> 25 columns: whole blocks and one pixel left over
    (3, dict(stride=2, padding=((0, 1), (2, 0)))),  # uneven: the input gradient's phases start differently
    ((3, 2), dict(stride=1, padding="same", dilation=(2, 3))),  # uneven "same" padding, dilated
    (5, dict(stride=(1, 3), padding=((4, 1), (0, 6)))),  # padding wider than the window's span; 27 columns, stride 3
    (2, dict(stride=3, padding=0)),  # every third row and column reached by no window: zero gradient
    (3, dict(stride=2, padding=2, dilation=2)),
    (1, dict(stride=1, padding=0)),  # pointwise: otherwise one product per pass
    (1, dict(stride=1, padding=(1, 0))),  # 1x1 with padding: the border rows are the bias alone
]
WIDTH = 27  # at stride 1, 27 output columns: three blocks of 8, then three pixels one at a time;
# at stride 3 still 8 or more, as the loops require (``usable``)


@pytest.fixture
def count_calls(monkeypatch):
    """Switch the compiled kernels on and count the calls into the direct passes."""
    monkeypatch.setattr(jit, "_switched_on", lambda: True)
    calls = dict.fromkeys(["forward", "backward", "depthwise_forward", "depthwise_backward"], 0)
    for name in calls:
        original = getattr(_direct_conv, name)

        def counted(*args, name=name, original=original):
            calls[name] += 1
            return original(*args)

        monkeypatch.setattr(_direct_conv, name, counted)
    return calls


def _calls(ordinary, depthwise=0):
    return {"forward": ordinary, "backward": ordinary, "depthwise_forward": depthwise, "depthwise_backward": depthwise}


def _layer(c_in, c_out, kernel, options, dtype, seed=0, m=3, bias=True, calls=None):
    """``x, w, b, dz`` of a layer; `calls` (from :func:`count_calls`) start again from 0."""
    rng = np.random.default_rng(seed)
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    x = rng.standard_normal((m, 7, WIDTH, c_in)).astype(dtype)
    w = rng.standard_normal((kh, kw, c_in, c_out)).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype) if bias else None
    dz = rng.standard_normal(F.conv2d(x, w, b, **options).shape).astype(dtype)
    if calls is not None:
        calls.update(dict.fromkeys(calls, 0))
    return x, w, b, dz


CHANNELS = [(48, 24), (8, 16), (32, 32), (1, 32), (3, 8)]
"""``(C_in, C_out)``: between them every block width of the forward loops (8, 16, 32 output
channels, and input channels for the input gradient), of the weight gradient (8, 16) and of
the loops for fewer than 8 input channels (32, 8; those run at stride 1 only). 24 and 48
channels are three blocks each, in the forward pass and the input gradient: the weights of
each block are packed on their own (:func:`xcnn._backends.numpy.numba.direct_loops.packed`)."""


def _direct_expected(c_in, c_out, options):
    """Whether :func:`xcnn._backends.numpy.numba.direct_conv.usable` takes the layer (its rule, restated)."""
    stride_1 = options.get("stride", 1) in (1, (1, 1))
    # 1x1 windows need stride 1 and at most 64 x 128 channels: every such layer here has them
    return c_out % 8 == 0 and (c_in % 8 == 0 or (c_in < 8 and stride_1)) and c_in * c_out <= 128 * 128


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("channels", CHANNELS, ids=str)
@pytest.mark.parametrize("geometry", GEOMETRIES, ids=str)
def test_direct_passes_match_pytorch(count_calls, geometry, channels, dtype):
    pytest.importorskip("torch")
    from . import torch_oracle

    kernel, options = geometry
    x, w, b, dz = _layer(*channels, kernel, options, dtype, calls=count_calls)
    want = torch_oracle.conv2d(x, w, b, dz, stride=options["stride"], padding=options["padding"],
                               dilation=options.get("dilation", 1), groups=1)
    got = (F.conv2d(x, w, b, **options), *F.conv2d_backward(dz, x, w, **options))
    tolerance = dict(rtol=2e-4, atol=2e-4) if dtype == "float32" else dict(rtol=1e-11, atol=1e-11)
    for name, g, wt in zip(["z", "dx", "dw", "db"], got, want):
        assert g.dtype == dtype and g.shape == wt.shape, name
        np.testing.assert_allclose(g, wt, **tolerance, err_msg=name)
    assert count_calls == _calls(int(_direct_expected(*channels, options)))


@pytest.mark.parametrize(("c_in", "c_out"), [(8, 8), (3, 16), (16, 12), (12, 16)], ids=["8-8", "3-16", "16-12", "12-16"])
@pytest.mark.parametrize("geometry", GEOMETRIES[:3], ids=str)
def test_direct_and_gathered_paths_agree(monkeypatch, count_calls, geometry, c_in, c_out):
    """Without PyTorch as well: the same layer through the direct loops, where they apply, and through BLAS.

    3 input channels: the loops for a first layer, at stride 1. 12 input or
    output channels: no whole blocks, so the gathered-window code runs both times.
    """
    kernel, options = geometry
    x, w, _, dz = _layer(c_in, c_out, kernel, options, "float64", seed=1, bias=False, calls=count_calls)

    def run():
        return F.conv2d(x, w, **options), *F.conv2d_backward(dz, x, w, **options)

    direct = run()
    monkeypatch.setattr(jit, "_switched_on", lambda: False)
    gathered = run()
    for g, want in zip(direct, gathered):
        np.testing.assert_allclose(g, want, rtol=1e-12, atol=1e-12)
    assert count_calls == _calls(int(_direct_expected(c_in, c_out, options)))


def test_many_channels_and_grouped_layers_take_the_gathered_windows(count_calls):
    x, w, _, dz = _layer(128, 256, 3, dict(stride=2, padding=1), "float32", calls=count_calls)
    F.conv2d(x, w, stride=2, padding=1), F.conv2d_backward(dz, x, w, stride=2, padding=1)
    w2 = w[:, :, :64, :]
    dz2 = np.ones((3, 7, WIDTH, 256), np.float32)
    F.conv2d(x, w2, padding=1, groups=2), F.conv2d_backward(dz2, x, w2, padding=1, groups=2)
    assert count_calls == _calls(0)


@pytest.mark.parametrize("workers", [2, 3])
def test_samples_split_across_threads_give_one_threads_result(monkeypatch, count_calls, workers):
    monkeypatch.setattr(threads, "MIN_BYTES", 0)
    kernel, options = GEOMETRIES[0]
    x, w, b, dz = _layer(8, 16, kernel, options, "float64", seed=3, m=7)
    results = []
    for count in (1, workers):
        monkeypatch.setattr(threads, "thread_count", lambda count=count: count)
        results.append((F.conv2d(x, w, b, **options), *F.conv2d_backward(dz, x, w, **options)))
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


SHAPES = generated_shapes()
"""``(rows, lanes)`` of every generated function, by family: the shapes of every ISA's blocks."""


def _loops(family, rows, lanes):
    return getattr(_direct_conv_kernels, f"{family}_{rows}x{lanes}")


@pytest.mark.parametrize(("rows", "lanes"), SHAPES["forward"], ids=str)
def test_the_generated_forward_loops_run_as_plain_python(rows, lanes):
    """Without Numba the generated functions compute the same sums, slowly: they are the source of
    truth, for every block shape of every ISA (the compiled ones here run this host's shapes)."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 5, 11, 8))
    w = rng.standard_normal((3, 3, 8, lanes))
    b = rng.standard_normal(lanes)
    win = Windows(in_size=(5, 11), kernel=(3, 3), stride=(1, 1), dilation=(1, 1), padding=((1, 2), (1, 0)))
    dy_k, dx_k = tap_offsets(win.kernel, win.dilation)
    z = np.empty((2, 6, 10, lanes))  # rows of 10: whole blocks and pixels left over, for every block width
    padded = np.zeros(8 * 12 * 8)  # one sample padded to 8 x 12 pixels; the loops fill the inside
    _loops("forward", rows, lanes)(
        x, padded, w.reshape(9, 8, lanes), b, z, dy_k, dx_k, _whole_output(6, 10), 1, 1, 8, 12, 1, 1, 1, 1
    )
    np.testing.assert_allclose(z, _direct_conv.forward(x, w, b, win), rtol=1e-12, atol=1e-12)
    valid = Windows(in_size=(5, 11), kernel=(3, 3), stride=(1, 1), dilation=(1, 1), padding=((0, 0), (0, 0)))
    z_valid = np.empty((2, 3, 9, lanes))  # no padding: an empty buffer, the loops read x in place
    _loops("forward", rows, lanes)(
        x, np.zeros(0), w.reshape(9, 8, lanes), b, z_valid, dy_k, dx_k, _whole_output(3, 9), 0, 0, 5, 11, 1, 1, 1, 1
    )
    np.testing.assert_allclose(z_valid, _direct_conv.forward(x, w, b, valid), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("rows", "lanes"), SHAPES["weight_gradient"], ids=str)
def test_the_generated_weight_gradient_loops_run_as_plain_python(rows, lanes):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 5, 11, 8))
    w = rng.standard_normal((3, 3, 8, lanes))
    win = Windows(in_size=(5, 11), kernel=(3, 3), stride=(1, 1), dilation=(1, 1), padding=((1, 2), (1, 0)))
    dy_k, dx_k = tap_offsets(win.kernel, win.dilation)
    z = rng.standard_normal((2, 6, 10, lanes))
    dw, db = np.zeros((9, 8, lanes)), np.zeros(lanes)
    _loops("weight_gradient", rows, lanes)(x, z, dw, db, np.empty_like(dw), np.empty_like(db), dy_k, dx_k, 1, 1, 1, 1)
    _, compiled_dw, compiled_db = _direct_conv.backward(z, x, w, win)
    np.testing.assert_allclose(dw.reshape(w.shape), compiled_dw, rtol=1e-12)
    np.testing.assert_allclose(db, compiled_db, rtol=1e-12)
    np.testing.assert_allclose(db, z.sum(axis=(0, 1, 2)), rtol=1e-12)


@pytest.mark.parametrize(("rows", "lanes"), SHAPES["forward"], ids=str)
def test_the_generated_loops_run_every_phase_of_the_input_gradient_as_plain_python(monkeypatch, rows, lanes):
    """Above stride 1 the input gradient is one call of the forward loops over every phase of the input
    (here 4, 2, 2 and 1 taps, some of them on rows or columns fewer than the others): run as plain
    Python, against the compiled loops (which :func:`test_direct_passes_match_pytorch` checks)."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 9, 14, lanes))
    w = rng.standard_normal((3, 3, lanes, 8))
    win = Windows(in_size=(9, 14), kernel=(3, 3), stride=(2, 2), dilation=(1, 1), padding=((1, 1), (1, 0)))
    dz = rng.standard_normal((2, *win.out_size, 8))
    compiled = _direct_conv.backward(dz, x, w, win)[0]
    monkeypatch.setitem(_direct_conv._FORWARD, np.dtype(np.float64), {lanes: _loops("forward", rows, lanes)})
    monkeypatch.setitem(_direct_conv._FORWARD_PIXELS, np.dtype(np.float64), {lanes: rows})
    np.testing.assert_allclose(_direct_conv.backward(dz, x, w, win)[0], compiled, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("geometry", GEOMETRIES[:5], ids=str)
def test_reading_in_place_and_from_a_padded_copy_agree(monkeypatch, count_calls, geometry):
    """The forward loops (and the input gradient through them) either copy each sample into a padded
    buffer or read it in place, taking the pixels whose taps reach into the padding one at a time:
    both ways, the same sums (each checked against PyTorch by :func:`test_direct_passes_match_pytorch`
    wherever :func:`xcnn._backends.numpy.numba.direct_conv_phases.reads_in_place` picks it)."""
    kernel, options = geometry
    x, w, b, dz = _layer(16, 24, kernel, options, "float64", seed=11, calls=count_calls)
    results = []
    for in_place in (True, False):
        monkeypatch.setattr(_direct_conv, "_reads_in_place", lambda *args, in_place=in_place: in_place)
        results.append((F.conv2d(x, w, b, **options), F.conv2d_backward(dz, x, w, **options)[0]))
    assert count_calls == _calls(2)
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_the_loops_read_in_place_where_that_leaves_no_more_single_pixels():
    def reads_in_place(out_w, width, left, stride, pixels, taps=3):
        phase = np.array([[4, out_w, 0, 0, 0, taps]])
        return _direct_conv._reads_in_place(phase, np.arange(taps), width, left, stride, pixels)

    assert reads_in_place(16, 32, 1, 2, 3)  # stride 2: one pixel at the left edge, as many as the copy leaves over
    assert reads_in_place(32, 32, 0, 1, 4, taps=1)  # 1x1, no padding: nothing one at a time either way
    assert reads_in_place(32, 32, 1, 1, 3)  # 2 single pixels either way
    assert not reads_in_place(32, 32, 1, 1, 4)  # 4 in place, none from the copy
    assert not reads_in_place(16, 16, 1, 1, 3)  # 4 against 1


def test_the_loops_pad_one_sample_at_a_time(count_calls):
    """Working memory beyond the results is at most one padded sample per thread (none where the loops
    read in place), whatever the batch size; a layer whose buffers (counted as if copied) exceed the
    workspace limit takes the gathered windows."""
    kernel, options = GEOMETRIES[0]
    win = Windows(in_size=(7, WIDTH), kernel=(3, 3), stride=(1, 1), dilation=(1, 1), padding=((1, 1), (1, 1)))
    buffers = _direct_conv._buffer_bytes(win, 8, 8, 8)

    def working_memory(m):
        x, w, b, dz = _layer(8, 8, kernel, options, "float64", seed=5, m=m)
        _direct_conv.forward(x, w, b, win), _direct_conv.backward(dz, x, w, win)  # compiled or loaded: not counted
        tracemalloc.start()
        try:
            results = (_direct_conv.forward(x, w, b, win), *_direct_conv.backward(dz, x, w, win))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return peak - sum(r.nbytes for r in results)

    padded_batch = 64 * 9 * (WIDTH + 2) * 8 * 8  # what a padded copy of the input would take
    assert working_memory(64) <= buffers + padded_batch // 8
    assert working_memory(64) - working_memory(4) < padded_batch // 8
    x, w, b, dz = _layer(8, 8, kernel, options, "float64", seed=5, m=4, calls=count_calls)
    xcnn.set_workspace_limit(buffers)
    try:
        F.conv2d(x, w, b, **options), F.conv2d_backward(dz, x, w, **options)
        xcnn.set_workspace_limit(buffers - 1)
        F.conv2d(x, w, b, **options), F.conv2d_backward(dz, x, w, **options)
    finally:
        xcnn.set_workspace_limit(None)
    assert count_calls == _calls(1)  # within the limit; not the second time


def test_usable_follows_channels_stride_and_window(monkeypatch):
    def win(kernel=(3, 3), stride=(1, 1), padding=((1, 1), (1, 1))):
        return Windows(in_size=(8, 20), kernel=kernel, stride=stride, dilation=(1, 1), padding=padding)

    LIMIT = 2**30
    assert _direct_conv.usable(win(), 16, 32, 4, LIMIT)
    assert _direct_conv.usable(win(), 3, 32, 4, LIMIT)  # a first layer
    assert not _direct_conv.usable(win(stride=(2, 2)), 3, 32, 4, LIMIT)  # ... only at stride 1
    assert _direct_conv.usable(win(padding=((3, 0), (0, 4))), 16, 32, 4, LIMIT)  # wider than the window's span
    assert _direct_conv.usable(win(stride=(1, 2)), 16, 32, 4, LIMIT)
    assert _direct_conv.usable(win(stride=(1, 2)), 32, 64, 4, LIMIT)
    assert not _direct_conv.usable(win(), 12, 32, 4, LIMIT)  # no whole block of input channels
    assert not _direct_conv.usable(win(), 16, 12, 4, LIMIT)  # nor of output channels
    pointwise = dict(kernel=(1, 1), padding=((0, 0), (0, 0)))
    assert _direct_conv.usable(win(**pointwise), 64, 128, 4, LIMIT)
    assert not _direct_conv.usable(win(**pointwise), 128, 128, 4, LIMIT)  # then one product per pass is faster
    assert not _direct_conv.usable(win(**pointwise, stride=(2, 2)), 16, 32, 4, LIMIT)
    assert _direct_conv.usable(win(), 128, 128, 4, LIMIT)
    assert not _direct_conv.usable(win(), 128, 256, 4, LIMIT)  # BLAS is faster there
    narrow = Windows(in_size=(8, 7), kernel=(3, 3), stride=(1, 1), dilation=(1, 1), padding=((1, 1), (1, 1)))
    assert not _direct_conv.usable(narrow, 16, 32, 4, LIMIT)  # rows narrower than a block of 8 pixels
    buffers = 2 * 4 * 10 * 22 * 32  # two threads' padded output gradient (more than the input), float32
    monkeypatch.setattr(threads, "thread_count", lambda: 2)
    assert _direct_conv.usable(win(), 16, 32, 4, buffers)
    assert not _direct_conv.usable(win(), 16, 32, 4, buffers - 1)  # then the gathered windows, in blocks


def _whole_output(out_h, out_w, taps=9):
    """The forward loops' phase table for a whole ``out_h x out_w`` output over every tap."""
    return np.array([[out_h, out_w, 0, 0, 0, taps]], dtype=np.int64)


def test_generated_module_is_what_the_generator_writes():
    assert_generated("generate_direct_conv")


def _float32_arguments(family):
    """Small float32 arguments for the 8-lane function of each family of generated loops."""
    f32, taps = np.float32, np.zeros(9, np.int64)
    x, dz, padded = np.zeros((1, 4, 8, 8), f32), np.zeros((1, 4, 8, 8), f32), np.zeros(6 * 10 * 8, f32)
    w3, b, dw = np.zeros((9, 8, 8), f32), np.zeros(8, f32), np.zeros((9, 8, 8), f32)
    narrow_x, narrow_w, narrow_dw = np.zeros((1, 4, 8, 3), f32), np.zeros((9, 3, 8), f32), np.zeros((9, 3, 8), f32)
    depthwise_gradient = (x, dz, np.zeros((9, 8), f32), b, np.zeros((9, 8), f32), b.copy(), taps, taps, 1, 1)
    return {
        "forward": (x, padded, w3, b, dz, taps, taps, _whole_output(4, 8), 1, 1, 6, 10, 1, 1, 1, 1),
        "weight_gradient": (x, dz, dw, b, dw, b.copy(), taps, taps, 1, 1, 1, 1),
        "narrow_weight_gradient": (narrow_x, dz, narrow_dw, b, narrow_dw, b.copy(), taps, taps, 1, 1, 1, 1),
        "narrow_input_gradient": (dz, narrow_w, narrow_x, taps, taps, 1, 1, 1, 6),
        "depthwise": (x, np.zeros((9, 8), f32), b, dz, taps, taps, 1, 1, 1, 7),
        "depthwise_weight_gradient": depthwise_gradient,
        "depthwise_weight_gradient_3x3": depthwise_gradient,  # the same arguments
    }[family]


@pytest.mark.parametrize(
    "family",
    [
        "forward", "weight_gradient", "narrow_weight_gradient", "narrow_input_gradient", "depthwise",
        "depthwise_weight_gradient", "depthwise_weight_gradient_3x3",
    ],
)
def test_the_generated_loops_compute_float32_in_float32(family):
    """No value in the loops becomes float64 on float32 arrays: a scalar such as ``dxf[0] * 0`` is a
    float64 in Numba and made every product of the first-layer input gradient convert (2.5x slower,
    the same results). Compiled here without the cache, to read Numba's inferred types."""
    rows = SHAPES[family][-1][0] if family != "weight_gradient" else 8  # a block of 8 lanes; 8 input channels
    loops = _loops(family, rows, 8)
    assert inferred_float_types(loops, _float32_arguments(family)) <= {"float32"}  # none where blocks hold every sum


DEPTHWISE_GEOMETRIES = [
    (3, dict(padding=1)),
    (3, dict(padding=((0, 1), (2, 0)), dilation=(1, 2))),
    (5, dict(padding=2)),
    ((2, 3), dict(padding="same")),
    (3, dict(padding=0)),
    # the 3 x 3 weight gradient's loops: padding past the kernel (output rows with one or two tap
    # rows inside, columns with no tap row whole), and a dilation of 2 in both directions
    (3, dict(padding=((3, 4), (4, 3)))),
    (3, dict(padding=2, dilation=2)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("groups", [8, 16, 32, 64, 40], ids=lambda g: f"G{g}")
@pytest.mark.parametrize("geometry", DEPTHWISE_GEOMETRIES, ids=str)
def test_depthwise_loops_match_pytorch(count_calls, geometry, groups, dtype):
    """Every block width (32, 16, 8 channels; 40 = 5 blocks of 8; float64 blocks of 16 and 8) against PyTorch."""
    pytest.importorskip("torch")
    from . import torch_oracle

    kernel, options = geometry
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    rng = np.random.default_rng(groups)
    x = rng.standard_normal((3, 7, WIDTH, groups)).astype(dtype)
    w = rng.standard_normal((kh, kw, 1, groups)).astype(dtype)
    b = rng.standard_normal(groups).astype(dtype)
    dz = rng.standard_normal(F.conv2d(x, w, b, groups=groups, **options).shape).astype(dtype)
    count_calls.update(_calls(0))
    want = torch_oracle.conv2d(x, w, b, dz, stride=1, padding=options["padding"],
                               dilation=options.get("dilation", 1), groups=groups)
    got = (F.conv2d(x, w, b, groups=groups, **options), *F.conv2d_backward(dz, x, w, groups=groups, **options))
    tolerance = dict(rtol=2e-4, atol=2e-4) if dtype == "float32" else dict(rtol=1e-11, atol=1e-11)
    for name, g, wt in zip(["z", "dx", "dw", "db"], got, want):
        assert g.dtype == dtype and g.shape == wt.shape, name
        np.testing.assert_allclose(g, wt, **tolerance, err_msg=name)
    assert count_calls == _calls(0, 1)


def test_other_depthwise_layers_take_the_one_pass_kernels(monkeypatch, count_calls):
    """Stride 2, two outputs per group, or groups in no whole block: :mod:`xcnn._backends.numpy.numba.depthwise` as before,
    which agree with the array-API code (checked in test_jit) and so with the loops here."""
    rng = np.random.default_rng(6)
    for groups, c_out, options in ((16, 16, dict(stride=2, padding=1)), (16, 32, dict(padding=1)), (12, 12, dict(padding=1))):
        x = rng.standard_normal((2, 6, 9, groups))
        w = rng.standard_normal((3, 3, 1, c_out))
        dz = rng.standard_normal(F.conv2d(x, w, groups=groups, **options).shape)
        F.conv2d(x, w, groups=groups, **options), F.conv2d_backward(dz, x, w, groups=groups, **options)
    assert count_calls == _calls(0, 0)
    x = rng.standard_normal((7, 6, 9, 16))  # and the loops here against those kernels, over uneven thread blocks
    w = rng.standard_normal((3, 3, 1, 16))
    dz = rng.standard_normal((7, 6, 9, 16))
    monkeypatch.setattr(threads, "MIN_BYTES", 0)
    monkeypatch.setattr(threads, "thread_count", lambda: 3)
    here = (F.conv2d(x, w, padding=1, groups=16), *F.conv2d_backward(dz, x, w, padding=1, groups=16))
    monkeypatch.setattr(_direct_conv, "depthwise_usable", lambda *args: False)
    one_pass = (F.conv2d(x, w, padding=1, groups=16), *F.conv2d_backward(dz, x, w, padding=1, groups=16))
    for a, b in zip(here, one_pass):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    assert count_calls == _calls(0, 1)


@pytest.mark.parametrize(("rows", "lanes"), SHAPES["depthwise"], ids=str)
def test_the_generated_depthwise_loops_run_as_plain_python(rows, lanes):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 4, 12, lanes))
    w = rng.standard_normal((3, 3, 1, lanes))
    b = rng.standard_normal(lanes)
    win = Windows(in_size=(4, 12), kernel=(3, 3), stride=(1, 1), dilation=(1, 1), padding=((1, 1), (1, 1)))
    dy_k, dx_k = tap_offsets(win.kernel, win.dilation)
    z = np.empty((1, 4, 12, lanes))
    # output columns 1 to 10 read inside x with every tap: whole blocks there, the rest one pixel at a time
    _loops("depthwise", rows, lanes)(x, w.reshape(9, lanes), b, z, dy_k, dx_k, 1, 1, 1, 11)
    np.testing.assert_allclose(z, _direct_conv.depthwise_forward(x, w, b, win), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("rows", "lanes"), SHAPES["depthwise_weight_gradient"], ids=str)
def test_the_generated_depthwise_weight_gradient_loops_run_as_plain_python(rows, lanes):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 4, 5, lanes))
    w = rng.standard_normal((3, 3, 1, lanes))
    z = rng.standard_normal((1, 4, 5, lanes))
    win = Windows(in_size=(4, 5), kernel=(3, 3), stride=(1, 1), dilation=(1, 1), padding=((1, 1), (1, 1)))
    dy_k, dx_k = tap_offsets(win.kernel, win.dilation)
    dw, db = np.zeros((9, lanes)), np.zeros(lanes)
    _loops("depthwise_weight_gradient", rows, lanes)(x, z, dw, db, np.empty_like(dw), np.empty_like(db), dy_k, dx_k, 1, 1)
    _, compiled_dw, compiled_db = _direct_conv.depthwise_backward(z, x, w, win)
    np.testing.assert_allclose(dw.reshape(w.shape), compiled_dw, rtol=1e-12)
    np.testing.assert_allclose(db, compiled_db, rtol=1e-12)


@pytest.mark.parametrize(("rows", "lanes"), SHAPES["depthwise_weight_gradient_3x3"], ids=str)
@pytest.mark.parametrize(
    ("width", "padding", "dilation"),
    [(5, ((1, 1), (1, 1)), (1, 1)), (1, ((1, 1), (1, 1)), (1, 1)), (2, ((0, 0), (0, 0)), (1, 1)),
     (6, ((3, 4), (4, 3)), (1, 1)), (7, ((2, 0), (0, 2)), (2, 2)), (4, ((0, 1), (5, 5)), (1, 3))],
    ids=str,
)
def test_the_generated_3x3_depthwise_weight_gradient_loops_run_as_plain_python(rows, lanes, width, padding, dilation):
    """The nine-tap loops sum what the one-tap loops sum: images narrower than the kernel, padding
    past it (no column with a whole row of taps), output rows with one or two tap rows inside."""
    rng = np.random.default_rng(9)
    win = Windows(in_size=(4, width), kernel=(3, 3), stride=(1, 1), dilation=dilation, padding=padding)
    x = rng.standard_normal((2, 4, width, 2 * lanes))
    z = rng.standard_normal((2, *win.out_size, 2 * lanes))
    dy_k, dx_k = tap_offsets(win.kernel, win.dilation)
    (top, _), (left, _) = win.full_padding
    sums = []
    for family in ("depthwise_weight_gradient_3x3", "depthwise_weight_gradient"):
        dw, db = np.zeros((9, 2 * lanes)), np.zeros(2 * lanes)
        _loops(family, 1, lanes)(x, z, dw, db, np.empty_like(dw), np.empty_like(db), dy_k, dx_k, top, left)
        sums.append((dw, db))
    for got, want in zip(*sums):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("rows", "lanes"), SHAPES["narrow_input_gradient"], ids=str)
def test_the_generated_first_layer_input_gradient_loops_run_as_plain_python(rows, lanes):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((1, 4, 12, 3))
    w = rng.standard_normal((3, 3, 3, lanes))
    dz = rng.standard_normal((1, 4, 12, lanes))
    win = Windows(in_size=(4, 12), kernel=(3, 3), stride=(1, 1), dilation=(1, 1), padding=((1, 1), (1, 1)))
    dy_k, dx_k = tap_offsets(win.kernel, win.dilation)
    dx = np.empty_like(x)
    # tap (i, j) takes dz[h + 1 - i, w + 1 - j]: every tap inside dz for columns 1 to 10 (blocks there,
    # whole or not at all; the rest one pixel at a time)
    _loops("narrow_input_gradient", rows, lanes)(dz, w.reshape(9, 3, lanes), dx, dy_k, dx_k, 1, 1, 1, 11)
    np.testing.assert_allclose(dx, _direct_conv.backward(dz, x, w, win)[0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("rows", "lanes"), SHAPES["narrow_weight_gradient"], ids=str)
def test_the_generated_first_layer_weight_gradient_loops_run_as_plain_python(rows, lanes):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((1, 4, 5, 3))
    w = rng.standard_normal((3, 3, 3, lanes))
    dz = rng.standard_normal((1, 4, 5, lanes))
    win = Windows(in_size=(4, 5), kernel=(3, 3), stride=(1, 1), dilation=(1, 1), padding=((1, 1), (1, 1)))
    dy_k, dx_k = tap_offsets(win.kernel, win.dilation)
    dw, db = np.zeros((9, 3, lanes)), np.zeros(lanes)
    _loops("narrow_weight_gradient", rows, lanes)(x, dz, dw, db, np.empty_like(dw), np.empty_like(db), dy_k, dx_k, 1, 1, 1, 1)
    _, compiled_dw, compiled_db = _direct_conv.backward(dz, x, w, win)
    np.testing.assert_allclose(dw.reshape(w.shape), compiled_dw, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(db, compiled_db, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("lanes", list(_direct_conv._FORWARD[np.dtype(np.float32)]))
def test_rows_narrower_than_a_block_go_one_pixel_at_a_time(lanes):
    """The compiled forward loops on rows narrower than their block of pixels (layers never send them
    there, see ``usable``, but the loops stay correct): against the plain-Python run of the same function."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 5, 4, 8)).astype(np.float32)  # 2 output columns at 3x3
    w3 = rng.standard_normal((9, 8, lanes)).astype(np.float32)
    b = rng.standard_normal(lanes).astype(np.float32)
    dy_k, dx_k = tap_offsets((3, 3), (1, 1))
    compiled, plain = np.empty((2, 3, 2, lanes), np.float32), np.empty((2, 3, 2, lanes), np.float32)
    compiled_loops = _direct_conv._FORWARD[np.dtype(np.float32)][lanes]
    plain_loops = _loops("forward", _direct_conv._FORWARD_PIXELS[np.dtype(np.float32)][lanes], lanes)
    runs = ((compiled_loops, compiled), (plain_loops, plain))
    for run, z in runs:
        run(x, np.zeros(5 * 4 * 8, np.float32), w3, b, z, dy_k, dx_k, _whole_output(3, 2), 0, 0, 5, 4, 1, 1, 1, 1)
    np.testing.assert_allclose(compiled, plain, rtol=1e-5, atol=1e-5)
