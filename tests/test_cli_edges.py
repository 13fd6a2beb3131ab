"""The ``xcnn edges`` command, run in-process through ``xcnn.cli.main``."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from PIL import Image
from scipy import ndimage

from xcnn import __version__, cli

BT601 = np.array([0.299, 0.587, 0.114])


def expected_edges(pixels: np.ndarray) -> np.ndarray:
    """Independent oracle: SciPy Sobel magnitude of the luminance, border replicated, max -> 255."""
    gray = pixels @ BT601 if pixels.ndim == 3 else pixels.astype(float)
    magnitude = np.hypot(
        ndimage.sobel(gray, axis=0, mode="nearest"), ndimage.sobel(gray, axis=1, mode="nearest")
    )
    return np.rint(magnitude * (255.0 / magnitude.max())).astype(np.uint8)


@pytest.fixture
def photo(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """A 12x16 RGB PNG: a bright square on a dark red background, plus noise."""
    rng = np.random.default_rng(0)
    pixels = np.zeros((12, 16, 3), dtype=np.uint8)
    pixels[..., 0] = 90
    pixels[3:9, 4:11] = (240, 230, 200)
    pixels = np.clip(pixels + rng.integers(0, 8, pixels.shape), 0, 255).astype(np.uint8)
    path = tmp_path / "square.png"
    Image.fromarray(pixels).save(path)
    return path, pixels


def read_png(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        assert image.mode == "L"
        return np.asarray(image)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


class TestEdges:
    def test_writes_the_edge_map(self, photo, tmp_path, capsys):
        path, pixels = photo
        out = tmp_path / "out"
        code, stdout, stderr = run(["edges", str(path), "-o", str(out)], capsys)
        assert (code, stderr) == (0, "")
        target = out / "square_sobel.png"
        assert stdout.splitlines() == [str(target)]
        edges = read_png(target)
        assert edges.shape == pixels.shape[:2]
        assert edges.max() == 255
        assert np.abs(edges.astype(int) - expected_edges(pixels)).max() <= 1  # float32 rounding

    @pytest.mark.parametrize("method", ["sobel", "scharr", "vertical", "horizontal"])
    def test_methods_name_their_files(self, photo, tmp_path, capsys, method):
        path, _ = photo
        code, stdout, _ = run(["edges", str(path), "-o", str(tmp_path), "--method", method], capsys)
        assert code == 0
        edges = read_png(tmp_path / f"square_{method}.png")
        assert stdout.strip() == str(tmp_path / f"square_{method}.png")
        # The square's left and right sides are vertical edges, its top and bottom horizontal ones.
        middle_row, middle_column = edges[6], edges[:, 7]
        if method == "vertical":
            assert middle_row.max() > 200 and middle_column.max() < 60
        if method == "horizontal":
            assert middle_column.max() > 200 and middle_row.max() < 60

    def test_grayscale_jpeg_and_palette_images(self, tmp_path, capsys):
        gray = np.tile(np.linspace(0, 255, 20), (10, 1)).astype(np.uint8)
        Image.fromarray(gray).save(tmp_path / "ramp.jpg")
        Image.fromarray(gray).convert("P").save(tmp_path / "palette.png")
        Image.fromarray(np.stack([gray] * 4, axis=-1)).save(tmp_path / "rgba.png")
        code, stdout, stderr = run(
            [
                "edges",
                *(str(tmp_path / n) for n in ("ramp.jpg", "palette.png", "rgba.png")),
                "-o",
                str(tmp_path / "o"),
            ],
            capsys,
        )
        assert (code, stderr) == (0, "")
        assert len(stdout.splitlines()) == 3
        for name in ("ramp", "palette", "rgba"):
            assert read_png(tmp_path / "o" / f"{name}_sobel.png").shape == (10, 20)

    def test_16_bit_png_keeps_its_depth(self, tmp_path, capsys):
        # Values above 255: converting to 8 bits first would flatten this step to nothing.
        deep = np.full((8, 10), 1000, dtype=np.uint16)
        deep[:, 5:] = 1200
        Image.fromarray(deep).save(tmp_path / "deep.png")
        code, _, stderr = run(["edges", str(tmp_path / "deep.png"), "-o", str(tmp_path)], capsys)
        assert (code, stderr) == (0, "")
        edges = read_png(tmp_path / "deep_sobel.png")
        assert_array_equal(edges, expected_edges(deep))

    def test_default_output_directory(self, photo, tmp_path, capsys, monkeypatch):
        monkeypatch.chdir(tmp_path)
        code, stdout, _ = run(["edges", str(photo[0])], capsys)
        assert code == 0
        assert stdout.strip() == str(Path("xcnn-edges") / "square_sobel.png")
        assert (tmp_path / "xcnn-edges" / "square_sobel.png").is_file()

    def test_no_image_uses_the_bundled_photograph(self, tmp_path, capsys, monkeypatch):
        from matplotlib import cbook

        monkeypatch.chdir(tmp_path)
        code, stdout, stderr = run(["edges"], capsys)
        assert (code, stderr) == (0, "")
        target = Path("xcnn-edges") / "grace_hopper_sobel.png"
        assert stdout.strip() == str(target)
        with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as original:
            width, height = original.size
        edges = read_png(tmp_path / target)
        assert edges.shape == (height, width)
        assert edges.max() == 255
        assert 2 < edges.mean() < 60  # an edge map, mostly dark: not blank, not noise

    def test_bad_files_are_reported_and_the_others_still_written(self, photo, tmp_path, capsys):
        path, _ = photo
        missing = tmp_path / "missing.png"
        not_an_image = tmp_path / "notes.png"
        not_an_image.write_text("this is not a PNG")
        truncated = tmp_path / "truncated.png"
        truncated.write_bytes(path.read_bytes()[:60])
        empty = tmp_path / "empty"  # a directory of images expands to them; one with none is reported
        empty.mkdir()
        out = tmp_path / "out"
        argv = [
            "edges",
            str(missing),
            str(path),
            str(not_an_image),
            str(truncated),
            str(empty),
            "-o",
            str(out),
        ]
        code, stdout, stderr = run(argv, capsys)
        assert code == 1
        assert stdout.splitlines() == [str(out / "square_sobel.png")]
        assert (out / "square_sobel.png").is_file()
        lines = stderr.splitlines()
        assert len(lines) == 4
        assert lines[0] == f"xcnn edges: error: cannot read {str(missing)!r}: no such file"
        assert lines[1].startswith(f"xcnn edges: error: cannot read {str(not_an_image)!r}: not an image")
        assert lines[2].startswith(f"xcnn edges: error: cannot read {str(truncated)!r}: ")
        assert lines[3] == f"xcnn edges: error: cannot read {str(empty)!r}: a directory with no PNG or JPEG files"
        assert "Traceback" not in stderr
        assert not (out / "missing_sobel.png").exists()

    def test_output_directory_that_is_a_file(self, photo, tmp_path, capsys):
        blocker = tmp_path / "blocker"
        blocker.write_text("")
        code, stdout, stderr = run(["edges", str(photo[0]), "-o", str(blocker)], capsys)
        assert (code, stdout) == (1, "")
        assert stderr.startswith(f"xcnn edges: error: cannot create output directory {str(blocker)!r}")


class TestBackendOptions:
    @pytest.mark.parametrize(
        "argv",
        [
            ["--backend", "array_api_strict", "--device", "device1"],
            pytest.param(
                ["--backend", "torch", "--device", "cpu"],
                marks=pytest.mark.skipif(
                    importlib.util.find_spec("torch") is None, reason="PyTorch is not installed"
                ),
            ),
        ],
    )
    def test_other_backends_write_the_same_image(self, photo, tmp_path, capsys, argv):
        path, _ = photo
        assert run(["edges", str(path), "-o", str(tmp_path / "numpy")], capsys)[0] == 0
        assert run(["edges", str(path), "-o", str(tmp_path / "other"), *argv], capsys)[0] == 0
        reference = read_png(tmp_path / "numpy" / "square_sobel.png")
        assert_array_equal(read_png(tmp_path / "other" / "square_sobel.png"), reference)

    def test_environment_selects_and_options_override(self, photo, tmp_path, capsys, monkeypatch):
        path, _ = photo
        monkeypatch.setenv("XCNN_BACKEND", "array_api_strict")
        monkeypatch.setenv("XCNN_DEVICE", "device1")
        assert run(["edges", str(path), "-o", str(tmp_path)], capsys)[0] == 0
        # --backend drops XCNN_DEVICE: 'device1' means nothing to NumPy.
        assert run(["edges", str(path), "-o", str(tmp_path), "--backend", "numpy"], capsys)[0] == 0
        monkeypatch.setenv("XCNN_BACKEND", "nosuch")
        code, _, stderr = run(["edges", str(path), "-o", str(tmp_path)], capsys)
        assert code == 2
        assert "unknown backend 'nosuch'" in stderr

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (["--backend", "nosuch"], "unknown backend 'nosuch'; known backends: numpy"),
            (
                ["--backend", "numpy", "--device", "cuda:7"],
                "device 'cuda:7' is not available for backend 'numpy'",
            ),
            (["--backend", "array_api_strict", "--device", "gpu"], "available devices here: CPU_DEVICE"),
        ],
    )
    def test_unavailable_backend_exits_2_without_traceback(self, photo, tmp_path, capsys, argv, message):
        code, stdout, stderr = run(["edges", str(photo[0]), "-o", str(tmp_path / "out"), *argv], capsys)
        assert (code, stdout) == (2, "")
        assert stderr.startswith("xcnn edges: error: ")
        assert message in stderr
        assert not (tmp_path / "out").exists()

    @pytest.mark.skipif(importlib.util.find_spec("cupy") is not None, reason="CuPy is installed here")
    def test_missing_cupy_names_the_install_line(self, photo, capsys):
        code, _, stderr = run(["edges", str(photo[0]), "--backend", "cupy"], capsys)
        assert code == 2
        assert "backend 'cupy' is not installed; install it with: pip install" in stderr


class TestCommandLine:
    def test_no_subcommand_prints_help(self, capsys):
        code, stdout, stderr = run([], capsys)
        assert (code, stdout) == (2, "")
        assert "edges" in stderr and "usage: xcnn" in stderr

    def test_version(self, capsys):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["--version"])
        assert exit_info.value.code == 0
        assert capsys.readouterr().out.strip() == f"xcnn {__version__}"

    def test_unknown_method_is_a_usage_error(self, capsys):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["edges", "--method", "canny"])
        assert exit_info.value.code == 2
        assert "invalid choice: 'canny'" in capsys.readouterr().err

    def test_registered_subcommands_get_their_options(self, capsys, monkeypatch):
        monkeypatch.setattr(cli, "_SUBCOMMANDS", dict(cli._SUBCOMMANDS))

        def options(parser):
            parser.add_argument("--name", default="world")

        @cli.subcommand("hello", help="say hello", options=options, backend=True)
        def hello(args):
            import xcnn

            print(f"hello {args.name} on {xcnn.get_backend().name}")
            return 0

        assert run(["hello", "--name", "xcnn", "--backend", "array_api_strict"], capsys)[:2] == (
            0,
            "hello xcnn on array_api_strict\n",
        )
        with pytest.raises(ValueError, match="subcommand 'hello' is already registered"):
            cli.subcommand("hello", help="again")(hello)

    def test_python_dash_m_exit_codes(self, photo, tmp_path):
        path, _ = photo
        command = [
            sys.executable,
            "-m",
            "xcnn",
            "edges",
            str(path),
            str(tmp_path / "gone.jpg"),
            "-o",
            str(tmp_path),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 1
        assert result.stdout.strip() == str(tmp_path / "square_sobel.png")
        assert "gone.jpg" in result.stderr and "Traceback" not in result.stderr


def test_images_with_the_same_stem_get_their_own_files(photo, tmp_path, capsys):
    """Two inputs named alike (in two folders, or .png and .jpg) must not overwrite each other's edge map."""
    path, pixels = photo
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    flipped = other_dir / "square.png"
    Image.fromarray(pixels[:, ::-1]).save(flipped)
    jpeg = tmp_path / "square.jpg"
    Image.fromarray(pixels).save(jpeg, quality=95)
    out = tmp_path / "out"
    code, stdout, stderr = run(["edges", str(path), str(flipped), str(jpeg), "-o", str(out)], capsys)
    assert (code, stderr) == (0, "")
    targets = [out / "square_sobel.png", out / "square-2_sobel.png", out / "square-3_sobel.png"]
    assert stdout.splitlines() == [str(t) for t in targets]
    first, second = read_png(targets[0]), read_png(targets[1])
    assert_array_equal(second, first[:, ::-1])  # the mirrored image's map, not a copy of the first
