"""Dask arrays in, dask arrays out: lazily, keeping the batch chunks, equal to the in-memory results.

The oracle is xcnn's in-memory NumPy result on the same data (itself checked
against PyTorch elsewhere). The sweeps over every option and chunking, and the
backward passes, compute on a two-worker ``distributed.LocalCluster``, so every
block is pickled to another process and computed there; the other tests use
dask's synchronous scheduler.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

da = pytest.importorskip("dask.array", reason="dask is not installed (pip install 'xcnn[dask]')")
dask = pytest.importorskip("dask")

import xcnn  # noqa: E402
from xcnn import filters, nn, training  # noqa: E402
from xcnn import functional as F  # noqa: E402
from xcnn._backends.dask.tiles import output_tiles  # noqa: E402

# (m, H, W, C) = (6, 13, 11, 4) split every way a path depends on: batch only, spatial tiles
# smaller than most windows' halos, one-pixel tiles, channels split, a ragged last chunk
SHAPE = (6, 13, 11, 4)
CHUNKINGS = [(2, 13, 11, 4), (4, 13, 11, 2), (3, 5, 4, 4), (6, 1, 1, 4), (2, 7, 11, 3), (5, 13, 3, 4)]


@pytest.fixture(autouse=True)
def _synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


@pytest.fixture(scope="module")
def client():
    """A two-worker ``distributed.LocalCluster``: every block pickled to another process and computed there
    (None, and the synchronous scheduler, where distributed is not installed)."""
    try:
        import distributed
    except ImportError:
        yield None
        return
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, memory_limit="2GiB"
    ) as cluster, distributed.Client(cluster, set_as_default=False) as c:
        yield c


def _data(seed: int, shape: tuple[int, ...] = SHAPE) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def _never_computed(*args, **kwargs):
    raise AssertionError("building the graph computed something")


def _check_lazy(got, want: np.ndarray, batch_chunks: tuple[int, ...] | None) -> None:
    assert isinstance(got, da.Array), type(got)
    assert got.shape == want.shape
    if batch_chunks is not None:
        assert got.chunks[0] == batch_chunks


def _check(got, want: np.ndarray, batch_chunks: tuple[int, ...] | None, rtol: float = 1e-10) -> None:
    _check_lazy(got, want, batch_chunks)
    np.testing.assert_allclose(got.compute(), want, rtol=rtol, atol=rtol)


class _Checks:
    """Graphs and their in-memory results, computed together on the cluster (one round trip for a sweep)."""

    def __init__(self) -> None:
        self.graphs: list = []
        self.wanted: list[np.ndarray] = []
        self.labels: list[str] = []

    def add(self, label: str, make, want: np.ndarray, batch_chunks: tuple[int, ...] | None) -> None:
        """`make()` builds the graph, which must compute nothing; `want` is the in-memory result."""
        with dask.config.set(scheduler=_never_computed):
            got = make()
        _check_lazy(got, want, batch_chunks)
        self.graphs.append(got)
        self.wanted.append(want)
        self.labels.append(label)

    def verify(self, client, rtol: float = 1e-10) -> None:
        values = client.compute(self.graphs, sync=True) if client is not None else dask.compute(*self.graphs)
        for label, value, want in zip(self.labels, values, self.wanted):
            np.testing.assert_allclose(value, want, rtol=rtol, atol=rtol, err_msg=label)


def _conv_options():
    """Square kernels over every option, padding past the kernel included; then pairs: non-square kernels,
    strides and dilations per axis, padding per side."""
    grid = itertools.product((1, 2, 3), (1, 2, 3), (0, 1, 3, "same", "valid"), (1, 2), (1, 4))
    for k, stride, padding, dilation, groups in grid:
        if padding == "same" and stride != 1:
            continue
        yield (k, k), stride, padding, dilation, groups
    yield (2, 3), (1, 2), ((0, 2), (3, 1)), (2, 1), 1
    yield (3, 1), (3, 1), ((2, 0), (0, 1)), (1, 2), 4
    yield (1, 2), 2, (1, 0), 1, 2


@pytest.mark.parametrize("chunks", CHUNKINGS)
def test_conv2d_over_every_option_and_chunking(chunks, client):
    xn = _data(0)
    x = da.from_array(xn, chunks=chunks)
    checks = _Checks()
    for k, stride, padding, dilation, groups in _conv_options():
        w = _data(1, (*k, 4 // groups, 8))
        b = _data(2, (8,))
        options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        checks.add(f"k={k} {options}", lambda: F.conv2d(x, w, b, **options), F.conv2d(xn, w, b, **options), x.chunks[0])
    assert len(checks.graphs) >= 100
    checks.verify(client)


def _pool_options():
    """Square windows over every option (padding at most half the window, as PyTorch allows); then pairs."""
    for k, stride, padding, ceil_mode in itertools.product((1, 2, 3, 4), (1, 2, 3), (0, 1, 2), (False, True)):
        if padding <= k // 2:
            yield k, stride, padding, ceil_mode
    for ceil_mode in (False, True):
        yield (2, 3), (1, 2), (1, 1), ceil_mode
        yield (3, 2), (3, 1), (0, 1), ceil_mode


AVG_OPTIONS = [{"count_include_pad": True}, {"count_include_pad": False}, {"divisor_override": 3}]


@pytest.mark.parametrize("chunks", CHUNKINGS)
def test_pooling_over_every_option_and_chunking(chunks, client):
    xn = _data(3)
    x = da.from_array(xn, chunks=chunks)
    checks = _Checks()
    for k, stride, padding, ceil_mode in _pool_options():
        options = dict(stride=stride, padding=padding, ceil_mode=ceil_mode)
        checks.add(f"max k={k} {options}", lambda: F.max_pool2d(x, k, **options), F.max_pool2d(xn, k, **options), x.chunks[0])
        for avg in AVG_OPTIONS:
            want = F.avg_pool2d(xn, k, **options, **avg)
            checks.add(f"avg k={k} {options} {avg}", lambda: F.avg_pool2d(x, k, **options, **avg), want, x.chunks[0])
    assert len(checks.graphs) >= 120
    checks.verify(client)


def test_max_pooling_pads_with_minus_infinity_across_tiles():
    """All-negative data: a zero fill in any tile's halo or border would win the maximum."""
    xn = -1 - np.abs(_data(4))
    x = da.from_array(xn, chunks=(3, 4, 3, 4))
    got = F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
    assert float(got.max().compute()) < 0
    _check(got, F.max_pool2d(xn, 3, stride=2, padding=1, ceil_mode=True), x.chunks[0])


@pytest.mark.parametrize("chunks", [(2, 13, 11, 4), (3, 5, 4, 2)])
def test_backward_passes_give_the_in_memory_gradients(chunks, client):
    """Spatial chunks are merged for the backward passes; the batch chunks stay."""
    xn = _data(5)
    x = da.from_array(xn, chunks=chunks)
    checks = _Checks()
    for k, stride, padding, dilation, groups in [(3, 1, 1, 1, 1), (3, 2, 1, 2, 1), (2, 3, 0, 1, 4), (1, 1, 0, 1, 2)]:
        w = _data(6, (k, k, 4 // groups, 8))
        options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        out_shape = F.conv2d(xn, w, **options).shape
        dzn = _data(7, out_shape)
        dz = da.from_array(dzn, chunks=(1, *out_shape[1:]))  # other batch chunks than x: they follow x
        with dask.config.set(scheduler=_never_computed):
            got = F.conv2d_backward(dz, x, w, **options)
        want = F.conv2d_backward(dzn, xn, w, **options)
        checks.add(f"dx k={k} {options}", lambda: got[0], want[0], x.chunks[0])
        for name, g, v in zip(("dw", "db"), got[1:], want[1:]):
            checks.add(f"{name} k={k} {options}", lambda: g, v, None)
    for k, stride, padding, ceil_mode in [(2, 2, 0, False), (3, 2, 1, True), (3, 1, 1, False)]:
        options = dict(stride=stride, padding=padding, ceil_mode=ceil_mode)
        dyn = _data(8, F.max_pool2d(xn, k, **options).shape)
        dy = da.from_array(dyn, chunks=(3, *dyn.shape[1:]))
        want = F.max_pool2d_backward(dyn, xn, k, **options)
        checks.add(f"max k={k} {options}", lambda: F.max_pool2d_backward(dy, x, k, **options), want, x.chunks[0])
        for avg in AVG_OPTIONS:
            want = F.avg_pool2d_backward(dyn, xn, k, **options, **avg)
            checks.add(f"avg k={k} {options} {avg}", lambda: F.avg_pool2d_backward(dy, x, k, **options, **avg), want, x.chunks[0])
    checks.verify(client)


def test_dask_weights_and_numpy_weights_give_the_same_result():
    xn, w, b = _data(9), _data(10, (3, 3, 4, 5)), _data(11, (5,))
    x = da.from_array(xn, chunks=(2, 13, 11, 4))
    want = F.conv2d(xn, w, b, padding=1)
    _check(F.conv2d(x, da.from_array(w, chunks=(1, 3, 2, 5)), da.from_array(b, chunks=2), padding=1), want, (2, 2, 2))
    _check(F.conv2d(x, w, b, padding=1), want, (2, 2, 2))


def test_weights_of_another_library_are_refused_by_name():
    torch = pytest.importorskip("torch")
    x = da.from_array(_data(12), chunks=(2, 13, 11, 4))
    with pytest.raises(TypeError, match="`x` is a dask array, `w` is a torch array; beside a dask array .*numpy"):
        F.conv2d(x, torch.zeros((3, 3, 4, 5), dtype=torch.float64))


def test_explain_names_the_dask_rows():
    x = da.from_array(_data(24), chunks=(2, 13, 11, 4))
    w = _data(25, (3, 3, 4, 5))
    for function, args in [(F.conv2d, (x, w)), (F.max_pool2d, (x, 2)), (F.avg_pool2d, (x, 3))]:
        answer = xcnn.explain(function, *args)
        assert answer.provider == "dask.blocks", str(answer)
        assert dict(answer.skipped).get("numpy.numba.direct", "not NumPy arrays") == "not NumPy arrays"


def test_padding_keeps_the_batch_chunks():
    """The reference's padding writes into one fresh array, which dask would make one chunk."""
    xn = _data(13)
    x = da.from_array(xn, chunks=(2, 13, 11, 4))
    got = F.pad(x, ((1, 2), (0, 3)), value=1.5)
    _check(got, np.pad(xn, ((0, 0), (1, 2), (0, 3), (0, 0)), constant_values=1.5), x.chunks[0])


def _model() -> nn.Sequential:
    return nn.small_cnn(10, in_channels=1, image_size=12, dtype="float64")


def test_building_a_graph_computes_nothing():
    x = da.from_array(_data(14, (8, 12, 12, 1)), chunks=(4, 6, 6, 1))
    xc = x.rechunk((4, 12, 12, 1))
    w = _data(15, (3, 3, 1, 4))
    model = _model()
    with dask.config.set(scheduler=_never_computed):
        built = [
            F.conv2d(x, w, padding=1), F.conv2d(xc, w, padding=1), F.max_pool2d(x, 2), F.avg_pool2d(x, 3, padding=1),
            F.avg_pool2d(x, 3, padding=1, count_include_pad=False, ceil_mode=True),
            F.pad(x, 1), F.relu(x), F.global_avg_pool2d(x), F.linear(xc.reshape(8, -1), _data(16, (144, 3))),
            *F.conv2d_backward(F.conv2d(xc, w), xc, w), F.max_pool2d_backward(F.max_pool2d(xc, 2), xc, 2),
            filters.detect_edges(x), model.eval().forward(xc), training.predict(model, xc),
        ]
    assert all(isinstance(a, da.Array) for a in built)


def test_a_trained_models_forward_pass_and_predict_keep_the_chunks():
    model = _model().eval()
    xn = _data(17, (10, 12, 12, 1))
    x = da.from_array(xn, chunks=(4, 12, 12, 1))
    _check(model.forward(x), model.forward(xn), (4, 4, 2))
    labels = training.predict(model, x, batch_size=3)
    assert labels.chunks[0] == (4, 4, 2)
    np.testing.assert_array_equal(labels.compute(), training.predict(model, xn))


@pytest.mark.parametrize("chunks", [(3, 40, 40, 1), (2, 17, 13, 1)])
def test_detect_edges_matches_in_memory(chunks):
    xn = np.random.default_rng(18).random((6, 40, 40, 1))
    x = da.from_array(xn, chunks=chunks)
    for method in ("sobel", "scharr"):
        _check(filters.detect_edges(x, method=method), filters.detect_edges(xn, method=method), x.chunks[0])
    # a chunk size below the batch chunks: the in-memory split would write into one fresh array
    got = filters.detect_edges(x, chunk_size=2, padding_mode="replicate")
    _check(got, filters.detect_edges(xn, padding_mode="replicate"), x.chunks[0])
    assert len(got.__dask_graph__()) <= len(filters.detect_edges(x, padding_mode="replicate").__dask_graph__())


@pytest.mark.parametrize(
    "sizes, lo, stride, extent", [((5, 4, 4), 1, 2, 3), ((1,) * 9, 0, 1, 3), ((7, 1), 0, 2, 2), ((4, 4, 5), 2, 3, 5)]
)
def test_output_tiles_cover_the_output_once_each_tile_starting_in_its_chunk(sizes, lo, stride, extent):
    n = sum(sizes)
    out = (n + 2 * lo - extent) // stride + 1
    tiles = output_tiles(sizes, lo, stride, extent, out)
    assert tiles[0][0] == 0 and tiles[-1][1] == out
    assert all(a < b for a, b in tiles) and all(b == c for (_, b), (c, _) in zip(tiles, tiles[1:]))
    bounds = [lo + s for s in itertools.accumulate(sizes)]
    for o0, _ in tiles[1:]:
        # a tile starts at the first window inside some input chunk (padded coordinates)
        assert any(o0 == math.ceil(bound / stride) for bound in bounds[:-1])


def test_the_chunk_check_fails_when_a_row_merges_the_batch_chunks(monkeypatch):
    """The comparison can fail: padding that makes one chunk of the batch, as the reference does, is caught."""
    from xcnn._backends.dask import blocks

    original = blocks.whole_images
    monkeypatch.setattr(blocks, "whole_images", lambda x, batch=None: original(x, (x.shape[0],)))
    x = da.from_array(_data(19), chunks=(2, 13, 11, 4))
    with pytest.raises(AssertionError):
        _check(F.max_pool2d(x, 2), F.max_pool2d(_data(19), 2), x.chunks[0])


# --- a two-worker cluster: every block pickled to another process ---------------------------------


def test_every_operation_on_a_two_worker_cluster(client):
    if client is None:
        pytest.skip("distributed is not installed (pip install 'xcnn[dask]')")
    xn = _data(20, (8, 16, 12, 8)).astype(np.float32)
    w, b = _data(21, (3, 3, 8, 16)).astype(np.float32), _data(22, (16,)).astype(np.float32)
    dw = _data(23, (3, 3, 1, 8)).astype(np.float32)
    model = nn.small_cnn(10, in_channels=8, image_size=12).eval()
    cases = []
    for chunks in [(2, 16, 12, 8), (4, 6, 5, 8)]:
        x = da.from_array(xn, chunks=chunks)
        for fn in [
            lambda a: F.conv2d(a, w, b, stride=2, padding=1),
            lambda a: F.conv2d(a, dw, groups=8, padding="same"),
            lambda a: F.max_pool2d(a, 3, stride=2, padding=1, ceil_mode=True),
            lambda a: F.avg_pool2d(a, 3, stride=2, padding=1, count_include_pad=False, ceil_mode=True),
            lambda a: F.relu(F.global_avg_pool2d(a)),
            lambda a: filters.detect_edges(a[..., :1]),
        ]:
            cases.append((fn(x), fn(xn), x.chunks[0]))
    x = da.from_array(xn, chunks=(3, 16, 12, 8))
    dz = F.conv2d(x, w, b, padding=1) * 0.5
    for got, want in zip(F.conv2d_backward(dz, x, w, padding=1), F.conv2d_backward(dz.compute(), xn, w, padding=1)):
        cases.append((got, want, None))
    cases.append((model.forward(x[:, :12]), model.forward(xn[:, :12]), x.chunks[0]))
    computed = client.compute([c[0] for c in cases], sync=True)
    assert len(client.scheduler_info()["workers"]) == 2
    for (got, want, batch), value in zip(cases, computed):
        assert got.shape == want.shape
        if batch is not None:
            assert got.chunks[0] == batch
        np.testing.assert_allclose(value, want, rtol=2e-4, atol=2e-4)


def test_cupy_chunks_stay_on_the_gpu():
    """CuPy chunks: dask is told (``meta``) and the blocks run on the GPU, weights given as CuPy arrays."""
    cupy = pytest.importorskip("cupy", reason="CuPy is not installed (pip install 'xcnn[cuda12]')")
    try:
        devices = cupy.cuda.runtime.getDeviceCount()
    except cupy.cuda.runtime.CUDARuntimeError:
        devices = 0
    if devices == 0:
        pytest.skip("CuPy sees no CUDA device")
    xn, w = _data(30), _data(31, (3, 3, 4, 5))
    x = da.from_array(cupy.asarray(xn), chunks=(3, 5, 4, 4), asarray=False)
    for got, want in [
        (F.conv2d(x, cupy.asarray(w), padding=1), F.conv2d(xn, w, padding=1)),
        (F.max_pool2d(x, 3, stride=2, padding=1), F.max_pool2d(xn, 3, stride=2, padding=1)),
    ]:
        assert isinstance(got._meta, cupy.ndarray)
        value = got.compute()
        assert isinstance(value, cupy.ndarray)
        np.testing.assert_allclose(cupy.asnumpy(value), want, rtol=1e-10, atol=1e-10)
