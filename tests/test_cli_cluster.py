"""``xcnn edges`` over many files: directories, glob patterns, and a two-worker Dask cluster."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from xcnn import _cli_cluster, cli

from .test_cli_edges import expected_edges, read_png, run


def _images(folder: Path, n: int, broken: str | None = "broken.png") -> list[Path]:
    folder.mkdir()
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        path = folder / f"img{i:04d}.png"
        Image.fromarray(rng.integers(0, 256, (12, 10), dtype=np.uint8)).save(path)
        paths.append(path)
    if broken is not None:
        (folder / broken).write_bytes(b"not an image")
    (folder / "notes.txt").write_text("not an image, and not a .png either: a directory skips it")
    return paths


def test_a_directory_and_a_glob_pattern_expand_to_their_images(tmp_path, capsys):
    paths = _images(tmp_path / "in", 3, broken=None)
    out = tmp_path / "out"
    pattern = str(tmp_path / "in" / "img000[01].png")
    code, stdout, stderr = run(["edges", str(tmp_path / "in"), pattern, "-o", str(out)], capsys)
    assert (code, stderr) == (0, "")
    names = [Path(line).name for line in stdout.splitlines()]
    assert names == [f"img{i:04d}_sobel.png" for i in range(3)] + ["img0000-2_sobel.png", "img0001-2_sobel.png"]
    with Image.open(paths[1]) as image:
        np.testing.assert_array_equal(read_png(out / "img0001_sobel.png"), expected_edges(np.asarray(image)))


def test_a_pattern_that_matches_nothing_is_reported_by_name(tmp_path, capsys):
    code, _, stderr = run(["edges", str(tmp_path / "none*.png"), "-o", str(tmp_path / "out")], capsys)
    assert code == 1
    assert "none*.png" in stderr and "no such file" in stderr


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_workers_must_be_a_positive_whole_number(workers, capsys):
    with pytest.raises(SystemExit):
        cli.main(["edges", "--workers", workers])
    assert "--workers" in capsys.readouterr().err


def test_workers_and_scheduler_exclude_each_other(capsys):
    with pytest.raises(SystemExit):
        cli.main(["edges", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
    assert "not allowed with" in capsys.readouterr().err


def test_a_thousand_images_on_two_workers_and_a_broken_one_reported_by_name(tmp_path, capsys):
    pytest.importorskip("distributed", reason="distributed is not installed (pip install 'xcnn[dask]')")
    paths = _images(tmp_path / "in", 1000)
    out = tmp_path / "out"
    code, stdout, stderr = run(["edges", str(tmp_path / "in"), "--workers", "2", "-o", str(out)], capsys)
    assert code == 1
    assert f"cannot read {str(tmp_path / 'in' / 'broken.png')!r}: not an image Pillow can decode" in stderr
    assert "1000 of 1001 images written, 1 failed" in stderr
    assert sorted(Path(line).name for line in stdout.splitlines()) == [f"{p.stem}_sobel.png" for p in paths]
    for path in paths[::250]:
        with Image.open(path) as image:
            np.testing.assert_array_equal(read_png(out / f"{path.stem}_sobel.png"), expected_edges(np.asarray(image)))


def test_an_unreachable_scheduler_is_one_clear_error(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed", reason="distributed is not installed (pip install 'xcnn[dask]')")
    monkeypatch.setattr(_cli_cluster, "CONNECT_TIMEOUT", "1s")
    _images(tmp_path / "in", 1, broken=None)
    argv = ["edges", str(tmp_path / "in"), "--scheduler", "tcp://127.0.0.1:9", "-o", str(tmp_path)]
    code, _, stderr = run(argv, capsys)
    assert code == 1
    assert "cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'" in stderr


def test_tasks_in_flight_stay_bounded():
    """However many inputs, at most TASKS_PER_THREAD per worker thread are submitted and not yet returned."""
    distributed = pytest.importorskip("distributed", reason="distributed is not installed (pip install 'xcnn[dask]')")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        submitted = []
        real_submit = client.submit
        client.submit = lambda *a, **k: submitted.append(1) or real_submit(*a, **k)
        seen, most = [], 0
        for index, result in _cli_cluster.run_tasks(client, pow, [(i, 2) for i in range(100)]):
            seen.append(index)
            most = max(most, len(submitted) - len(seen))  # the one just returned is done
            assert result == index**2
    assert sorted(seen) == list(range(100))
    assert most <= _cli_cluster.TASKS_PER_THREAD * 2


def test_predict_on_two_workers_prints_what_one_process_prints(tmp_path, capsys):
    pytest.importorskip("distributed", reason="distributed is not installed (pip install 'xcnn[dask]')")
    from xcnn.data import load_digits

    assert cli.main(["train", "--epochs", "1", "--out", str(tmp_path / "run"), "--seed", "1"]) == 0
    capsys.readouterr()
    folder = tmp_path / "digits"
    folder.mkdir()
    digits = load_digits(seed=1).x_test[:12, :, :, 0]
    for i, digit in enumerate(digits):
        Image.fromarray(np.kron(255 - digit * 255, np.ones((8, 8))).astype(np.uint8)).save(folder / f"d{i:02d}.png")
    (folder / "broken.png").write_bytes(b"not an image")
    argv = ["predict", "--weights", str(tmp_path / "run" / "weights.npz"), str(folder)]
    here = run(argv, capsys)
    there = run([*argv, "--workers", "2", "--save-inputs", str(tmp_path / "seen")], capsys)
    assert here[0] == there[0] == 1
    assert sorted(there[1].splitlines()) == sorted(here[1].splitlines())  # the same predictions, in any order
    assert len(here[1].splitlines()) == 12
    assert f"cannot read {str(folder / 'broken.png')!r}" in there[2]
    assert len(list((tmp_path / "seen").iterdir())) == 12


def test_predict_on_a_cluster_needs_image_files(tmp_path, capsys):
    code, _, stderr = run(["predict", "--weights", str(tmp_path / "w.npz"), "--workers", "2"], capsys)
    assert code == 2
    assert "--workers and --scheduler need IMAGE files" in stderr


@pytest.mark.parametrize("workers", [None, "2"])
def test_edge_maps_into_one_zarr_store(tmp_path, capsys, workers):
    zarr = pytest.importorskip("zarr", reason="Zarr is not installed (pip install 'xcnn[dask]')")
    if workers is not None:
        pytest.importorskip("distributed", reason="distributed is not installed (pip install 'xcnn[dask]')")
    paths = _images(tmp_path / "in", 6)
    store = tmp_path / "edges.zarr"
    argv = ["edges", str(tmp_path / "in"), "--format", "zarr", "-o", str(store)]
    code, stdout, stderr = run(argv + (["--workers", workers] if workers else []), capsys)
    assert code == 1 and "broken.png" in stderr
    assert sorted(stdout.splitlines()) == [f"{store}/{p.stem}_sobel" for p in paths]
    group = zarr.open_group(str(store), mode="r")
    assert sorted(group.array_keys()) == [f"{p.stem}_sobel" for p in paths]
    for path in paths:
        array = group[f"{path.stem}_sobel"]
        assert array.dtype == np.uint8 and array.attrs["source"] == str(path)
        with Image.open(path) as image:
            np.testing.assert_array_equal(array[...], expected_edges(np.asarray(image)))
