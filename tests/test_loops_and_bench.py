"""The corrected tutorial loops agree with the vectorized API; the benchmark runs."""

from __future__ import annotations

import json

import numpy as np
import pytest

import xcnn
from xcnn import _loops
from xcnn import bench


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("pad", [0, 1])
def test_conv_loops_match_api(stride, pad):
    rng = np.random.default_rng(10 * stride + pad)
    a_prev = rng.standard_normal((2, 7, 6, 3))
    w = rng.standard_normal((3, 3, 3, 4))
    b = rng.standard_normal((1, 1, 1, 4))
    z, cache = xcnn.conv_forward(a_prev, w, b, {"stride": stride, "pad": pad})
    np.testing.assert_allclose(_loops.conv_forward_loops(a_prev, w, b, stride, pad), z, rtol=1e-12, atol=1e-12)
    dz = rng.standard_normal(z.shape)
    expected = xcnn.conv_backward(dz, cache)
    got = _loops.conv_backward_loops(dz, a_prev, w, stride, pad)
    for name, g, e in zip(("dA_prev", "dW", "db"), got, expected):
        assert g.shape == e.shape, name
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize(("f", "stride"), [(2, 1), (2, 2), (3, 2)])
def test_pool_loops_match_api(mode, f, stride):
    rng = np.random.default_rng(f + 10 * stride)
    a_prev = rng.standard_normal((2, 7, 6, 3))
    a, cache = xcnn.pool_forward(a_prev, {"f": f, "stride": stride}, mode=mode)
    np.testing.assert_allclose(_loops.pool_forward_loops(a_prev, f, stride, mode), a, rtol=1e-12)
    da = rng.standard_normal(a.shape)
    np.testing.assert_allclose(
        _loops.pool_backward_loops(da, a_prev, f, stride, mode), xcnn.pool_backward(da, cache, mode=mode), rtol=1e-12
    )


@pytest.mark.parametrize("stride", [1, 2])
def test_max_pool_ties_go_to_first_maximum(stride):
    a_prev = np.ones((1, 4, 4, 2))
    a, cache = xcnn.pool_forward(a_prev, {"f": 2, "stride": stride}, mode="max")
    da = np.arange(1.0, a.size + 1).reshape(a.shape)
    got = _loops.pool_backward_loops(da, a_prev, 2, stride, "max")
    np.testing.assert_array_equal(got, xcnn.pool_backward(da, cache, mode="max"))
    # every window's gradient lands once, on its top-left element
    expected = np.zeros_like(a_prev)
    expected[:, : 3 if stride == 1 else 4 : stride, : 3 if stride == 1 else 4 : stride, :] += da
    np.testing.assert_array_equal(got, expected)
    assert got.sum() == pytest.approx(da.sum())


def test_bench_quick_runs(tmp_path, capsys):
    out_json, out_md = tmp_path / "bench.json", tmp_path / "bench.md"
    assert bench.main(["--quick", "--repeat", "1", "--json", str(out_json), "--markdown", str(out_md)]) == 0
    report = json.loads(out_json.read_text())
    assert len(report["results"]) == len(bench.QUICK)
    assert all(r["xcnn_ms"] > 0 for r in report["results"])
    assert all(r["speedup"] > 0 for r in report["loops"])
    text = out_md.read_text()
    assert "| case | xcnn ms | torch ms | xcnn / torch |" in text
    assert text in capsys.readouterr().out


def test_bench_rejects_unknown_backend(capsys):
    assert bench.main(["--quick", "--repeat", "1", "--backend", "nope"]) == 2
    assert "unknown backend" in capsys.readouterr().err
