"""The corrected tutorial loops agree with the vectorized API; the benchmark runs."""

from __future__ import annotations

import json
import math
import statistics

import numpy as np
import pytest

import xcnn
from xcnn.bench import loops as _loops
from xcnn.bench import runner as bench


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


def _quick_report(tmp_path, capsys, *extra):
    out_json, out_md = tmp_path / "bench.json", tmp_path / "bench.md"
    argv = ["--quick", "--repeat", "1", "--warmup", "1", "--json", str(out_json), "--markdown", str(out_md), *extra]
    assert bench.main(argv) == 0
    text = out_md.read_text()
    assert text in capsys.readouterr().out
    return json.loads(out_json.read_text()), text


def _geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def test_bench_quick_report(tmp_path, capsys):
    pytest.importorskip("torch")
    report, text = _quick_report(tmp_path, capsys)
    meta = report["meta"]
    for key in ("date", "cpu_model", "cpus_available", "python", "numpy", "blas", "torch", "torch_threads", "env"):
        assert key in meta, key
    assert report["matmul_peak"]["gflops"] > 0
    rows = report["results"]
    assert [r["case"] for r in rows] == [case.label for case in bench.QUICK]
    for row, case in zip(rows, bench.QUICK):
        assert row["xcnn_ms"] > 0 and row["torch_ms"] > 0
        assert row["torch_format"] in ("NCHW", "channels_last")
        assert row["ratio"] == pytest.approx(row["xcnn_ms"] / row["torch_ms"])
        # NumPy reports its buffers to tracemalloc: the peak holds at least the returned arrays
        assert row["peak_bytes"] >= 4 * case.result_elements
        assert row["workspace_bytes"] == row["peak_bytes"] - 4 * case.result_elements
        if row["kind"] == "conv":
            assert row["xcnn_gflops"] == pytest.approx(case.flops / (row["xcnn_ms"] * 1e6))
            assert row["fraction_of_peak"] == pytest.approx(row["xcnn_gflops"] / report["matmul_peak"]["gflops"])
    summary = report["summary"]
    for kind in ("conv", "pool"):
        ratios = [r["ratio"] for r in rows if r["kind"] == kind]
        assert summary[kind]["geomean_ratio"] == pytest.approx(_geomean(ratios))
        assert summary[kind]["worst_ratio"] == max(ratios)
    best = max((r for r in rows if r["kind"] == "conv"), key=lambda r: r["xcnn_gflops"])
    assert summary["best_conv"]["case"] == best["case"]
    assert {loop["dtype"] for loop in report["loops"]} == {"float32", "float64"}  # the suite's and the tutorial's
    for loop in report["loops"]:
        assert loop["speedup"] > 0 and loop["per_element_speedup"] > 0
        assert loop["per_element_speedup"] == pytest.approx(loop["loops_ns_per_element"] / loop["xcnn_ns_per_element"])
    assert "| case | xcnn ms | torch ms | xcnn / torch | xcnn GFLOP/s | torch GFLOP/s | xcnn % of peak |" in text
    assert "| case | xcnn ms | torch ms | xcnn / torch | peak MiB | workspace MiB |" in text
    assert "geometric mean of xcnn / torch" in text and "matrix-multiply peak" in text
    assert "per-element extrapolation" in text


def test_bench_rounds_take_turns_and_the_ratio_is_their_median(tmp_path, capsys):
    pytest.importorskip("torch")
    report, text = _quick_report(tmp_path, capsys, "--rounds", "3")
    assert report["meta"]["rounds"] == 3 and "in each of 3 rounds per shape" in text
    for row in report["results"]:
        rounds = row["rounds"]
        assert [r["first"] for r in rounds] == ["xcnn", "torch", "xcnn"]
        for r in rounds:
            assert r["ratio"] == pytest.approx(r["xcnn_ms"] / r["torch_ms"])
        assert row["ratio"] == statistics.median(r["ratio"] for r in rounds)
        assert row["xcnn_ms"] == statistics.median(r["xcnn_ms"] for r in rounds)
        assert row["torch_ms"] == statistics.median(r["torch_ms"] for r in rounds)


def test_bench_without_torch_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(bench, "_import_torch", lambda: None)
    report, text = _quick_report(tmp_path, capsys)
    assert all(r["torch_ms"] is None and r["ratio"] is None for r in report["results"])
    assert report["summary"]["conv"] is None and report["summary"]["pool"] is None
    assert report["summary"]["best_conv"] is not None
    assert "torch not installed" in text and "no PyTorch ratio" in text


def test_summarize_geomean_worst_and_best():
    rows = [
        {"case": "c1", "kind": "conv", "ratio": 0.5, "xcnn_gflops": 10.0},
        {"case": "c2", "kind": "conv", "ratio": 2.0, "xcnn_gflops": 40.0},
        {"case": "c3", "kind": "conv", "ratio": 8.0, "xcnn_gflops": 5.0},
        {"case": "p1", "kind": "pool", "ratio": 1.0},
        {"case": "p2", "kind": "pool", "ratio": 4.0},
        {"case": "p3", "kind": "pool", "ratio": None},
    ]
    summary = bench.summarize(rows, peak_gflops=80.0)
    assert summary["conv"] == {"geomean_ratio": pytest.approx(2.0), "worst_case": "c3", "worst_ratio": 8.0, "shapes": 3}
    assert summary["pool"] == {"geomean_ratio": pytest.approx(2.0), "worst_case": "p2", "worst_ratio": 4.0, "shapes": 2}
    assert summary["best_conv"] == {"case": "c2", "gflops": 40.0, "fraction_of_peak": 0.5}


def test_flop_count():
    conv = bench.Case(2, 4, 4, 3, f=3, stride=1, pad=1, n_c=5)
    assert conv.out_shape == (2, 4, 4, 5)
    assert conv.flops == 3 * 2 * (2 * 4 * 4) * (3 * 3 * 3) * 5
    depthwise = bench.Case(1, 6, 6, 8, f=3, stride=2, pad=1, n_c=8, groups=8)
    assert depthwise.out_shape == (1, 3, 3, 8)
    assert depthwise.flops == 3 * 2 * 9 * (3 * 3 * 1) * 8
    assert bench.Case(1, 6, 6, 8, f=3, stride=2, mode="max").flops is None


def test_full_suite_has_the_issue_shapes():
    labels = {case.label for case in bench.FULL}
    for label in (
        "conv (64,32,32,16)->32 3x3 s1 p1", "conv (32,64,64,32)->64 3x3 s1 p1", "conv (64,28,28,1)->32 5x5 s1 p2",
        "conv (16,56,56,64)->64 3x3 s1 p1", "conv (32,16,16,128)->128 3x3 s1 p1", "conv (64,32,32,32)->32 3x3 s2 p1",
        "conv (32,32,32,64)->128 1x1 s1 p0", "conv (32,32,32,64)->64 3x3 s1 p1 g64",
        "max pool (32,64,64,32) 2x2 s2", "max pool (32,64,64,32) 3x3 s2",
        "average pool (32,64,64,32) 2x2 s2", "average pool (32,64,64,32) 3x3 s2",
    ):
        assert label in labels, label


@pytest.mark.parametrize(
    ("option", "value"), [("--repeat", "0"), ("--rounds", "0"), ("--warmup", "-1"), ("--warmup-seconds", "-0.5")]
)
def test_bench_rejects_bad_counts(capsys, option, value):
    assert bench.main(["--quick", option, value]) == 2
    assert f"{option} must be >=" in capsys.readouterr().err


def test_bench_rejects_unknown_backend(capsys):
    assert bench.main(["--quick", "--repeat", "1", "--backend", "nope"]) == 2
    assert "unknown backend" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("backend", "device", "expected"),
    [("numpy", None, "cpu"), ("array_api_strict", "device1", "cpu"), ("torch", "cpu", "cpu")],
)
def test_pytorch_reference_follows_a_cuda_backend_and_otherwise_runs_on_the_cpu(backend, device, expected):
    pytest.importorskip(backend)
    import xcnn
    from xcnn.bench.runner import _default_torch_device

    with xcnn.use_backend(backend, device) as selected:
        assert _default_torch_device(selected) == expected


def test_pytorch_reference_device_for_a_cuda_backend():
    """A backend on cuda:1 (as on a GPU machine) sends PyTorch to cuda:1."""
    torch = pytest.importorskip("torch")
    from types import SimpleNamespace

    from xcnn.bench.runner import _default_torch_device

    on_second_gpu = SimpleNamespace(device=torch.device("cuda:1"))  # a device object needs no GPU
    assert _default_torch_device(on_second_gpu) == "cuda:1"


def test_bench_only_times_the_matching_shapes(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(bench, "_import_torch", lambda: None)
    report, text = _quick_report(tmp_path, capsys, "--only", "max pool")
    labels = [r["case"] for r in report["results"]]
    assert labels and all("max pool" in label for label in labels)
    assert len(labels) == sum("max pool" in case.label for case in bench.QUICK)
    assert all("max pool" in loop["realistic_case"] for loop in report["loops"])
    assert report["meta"]["only"] == "max pool" and "(only shapes matching 'max pool')" in text
    assert "compiled NumPy kernels: " in text


def test_warm_up_lasts_its_runs_and_its_seconds():
    """At least ``runs`` untimed calls, and more until ``seconds`` have passed; then ``repeat`` timed ones."""
    import time

    from xcnn.bench.timing import Warmup, median_ms

    calls = []

    def step():
        calls.append(time.perf_counter())
        time.sleep(0.002)

    median_ms(step, 3, Warmup(2, 0.0), lambda: None)
    assert len(calls) == 2 + 3
    calls.clear()
    start = time.perf_counter()
    median_ms(step, 3, Warmup(2, 0.05), lambda: None)
    warm_up = calls[:-3]
    assert len(warm_up) > 2 and warm_up[-1] - start < 0.06 and calls[-3] - start >= 0.05


def test_warm_up_seconds_start_after_a_slow_first_call():
    """A first call that compiles (here: sleeps past the whole floor) does not use the floor up."""
    import time

    from xcnn.bench.timing import Warmup, median_ms

    calls = []

    def step():
        calls.append(time.perf_counter())
        time.sleep(0.1 if len(calls) == 1 else 0.002)

    median_ms(step, 3, Warmup(2, 0.05), lambda: None)
    warm_up = calls[:-3]
    assert len(warm_up) > 2 and calls[-3] - (warm_up[0] + 0.1) >= 0.05
