"""``xcnn edges``: edge maps of PNG and JPEG images.

Declared in :data:`SUBCOMMANDS`, which :mod:`xcnn.commands` lists for
:mod:`xcnn.cli`. Pillow and matplotlib (the sample photograph) are imported
only when the subcommand runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from ._cli_cluster import add_cluster_options, cluster_client, expand_sources, run_tasks
from ._cli_shared import Subcommand, error, has_alpha, output_names, read_error

__all__ = ["SUBCOMMANDS"]

_EDGE_METHODS = ("sobel", "scharr", "vertical", "horizontal")
_SAMPLE_PHOTO = "grace_hopper.jpg"  # ships with matplotlib


def _sample_photo() -> Path:
    from matplotlib import cbook

    return Path(cbook.get_sample_data(_SAMPLE_PHOTO, asfileobj=False))


def _read_image(path: Path) -> np.ndarray:  # (H, W) or (H, W, 3): uint8; uint16/int32/float32 if deep or transparent
    from PIL import Image, ImageOps

    from .data import composite_alpha

    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)  # photographs upright, as image viewers show them
        if has_alpha(image):  # strokes on a transparent background: onto the page, not onto the hidden colour
            return composite_alpha(np.asarray(image.convert("RGBA"))) * np.float32(255)
        if image.mode == "1":
            image = image.convert("L")
        elif not (image.mode in ("L", "RGB", "I", "F") or image.mode.startswith("I;16")):
            image = image.convert("RGB")  # palette, CMYK, YCbCr, ...: keep colour
        return np.array(image)  # a writable copy: PyTorch warns about read-only NumPy arrays


def _to_uint8(magnitude: np.ndarray) -> np.ndarray:  # float (H, W) -> uint8 (H, W), the strongest edge at 255
    peak = float(magnitude.max()) if magnitude.size else 0.0
    scaled = magnitude * (255.0 / peak) if peak > 0 else np.zeros_like(magnitude)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def _edges_options(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Detect edges in each image (gradient magnitude of the luminance, borders replicated, scaled "
        "so the strongest edge is 255) and write <stem>_<method>.png into the output directory (<stem>-2_<method>.png "
        "and so on for a name seen before in the same call). Images are "
        f"read one at a time. Without IMAGE, uses the sample photograph {_SAMPLE_PHOTO} shipped with matplotlib. "
        "With --workers or --scheduler the images are shared out to a Dask cluster, one task per image. "
        "With --format zarr the edge maps go into one Zarr store (the output path), one uint8 array per image "
        "named <stem>_<method>, with its source file in the array's attributes."
    )
    parser.add_argument(
        "images", nargs="*", metavar="IMAGE", help="PNG or JPEG files, directories of them, or glob patterns"
    )
    parser.add_argument(
        "-o", "--output", metavar="DIR", default="xcnn-edges", help="output directory (default: ./xcnn-edges)"
    )
    parser.add_argument(
        "--method", choices=_EDGE_METHODS, default="sobel", help="edge filter (default: sobel)"
    )
    parser.add_argument(
        "--format", choices=("png", "zarr"), default="png",
        help="a PNG file per image (default), or one Zarr store (pip install 'xcnn[dask]')",
    )
    add_cluster_options(parser)


def _write(edges: np.ndarray, target: str, source: str) -> None:
    """`edges` as the PNG file `target`, or, for ``STORE::NAME``, as the array NAME of the Zarr store STORE."""
    store, _, name = target.rpartition(_ZARR_SEPARATOR)
    if store:
        import zarr

        zarr.open_group(store, mode="a").create_array(name, data=edges, attributes={"source": source}, overwrite=True)
        return
    from PIL import Image

    Image.fromarray(edges).save(target)


_ZARR_SEPARATOR = "::"
"""Between a Zarr store's path and an array's name in a task's target (neither holds it)."""


def edge_map(source: str, target: str, method: str, backend: tuple[str, str]) -> str | None:
    """Read `source`, write its edge map to `target`; None, or what went wrong (one line).

    `target` is a PNG path, or ``STORE::NAME`` for the array NAME in the Zarr
    store STORE. One image in memory at a time; runs here or in a cluster's
    worker process, on the `backend` ``(name, device)`` the command chose.
    Each image has its own target, so workers never write to the same file.
    """
    import xcnn
    from xcnn.filters import detect_edges

    try:
        pixels = _read_image(Path(source))
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported and skipped
        return f"cannot read {source!r}: {read_error(Path(source), exc)}"
    with xcnn.use_backend(*backend):
        magnitude = detect_edges(xcnn.asarray(pixels[None]), method=method, padding_mode="replicate")
        edges = _to_uint8(xcnn.to_numpy(magnitude)[0])
    try:
        _write(edges, target, source)
    except OSError as exc:
        return f"cannot write {target.replace(_ZARR_SEPARATOR, '/')!r}: {exc.strerror or exc}"
    return None


def _edges(args: argparse.Namespace) -> int:
    import xcnn
    from xcnn.backend import _device_label

    sources = expand_sources(args.images) if args.images else [_sample_photo()]
    out_dir = Path(args.output)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        error("edges", f"cannot create output directory {str(out_dir)!r}: {exc.strerror or exc}")
        return 1
    selected = xcnn.get_backend()
    names = output_names(sources, args.method)
    if args.format == "zarr":
        try:
            import zarr

            zarr.open_group(str(out_dir), mode="a")  # the store's group, made once, before the workers add arrays
        except ImportError as exc:
            error("edges", f"--format zarr needs Zarr: pip install 'xcnn[dask]' ({exc})")
            return 1
        targets = [f"{out_dir}{_ZARR_SEPARATOR}{name.removesuffix('.png')}" for name in names]
    else:
        targets = [str(out_dir / name) for name in names]
    backend = (selected.name, _device_label(selected.device))  # a name each worker process selects again
    tasks = [(str(s), t, args.method, backend) for s, t in zip(sources, targets)]
    failed = 0
    try:
        with cluster_client(args) as client:
            for index, problem in run_tasks(client, edge_map, tasks):
                if problem is None:
                    print(targets[index].replace(_ZARR_SEPARATOR, "/"), flush=True)
                else:
                    error("edges", problem)
                    failed += 1
    except RuntimeError as exc:
        error("edges", str(exc))
        return 1
    if client is not None:
        print(f"xcnn edges: {len(tasks) - failed} of {len(tasks)} images written, {failed} failed", file=sys.stderr)
    return 1 if failed else 0


SUBCOMMANDS = (
    Subcommand("edges", "write edge maps of PNG/JPEG images", _edges, _edges_options, backend=True),
)
"""The subcommands this module declares, in ``xcnn --help`` order."""
