"""``xcnn edges``: edge maps of PNG and JPEG images.

Declared in :data:`SUBCOMMANDS`, which :mod:`xcnn.commands` lists for
:mod:`xcnn.cli`. Pillow and matplotlib (the sample photograph) are imported
only when the subcommand runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

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
        f"read one at a time. Without IMAGE, uses the sample photograph {_SAMPLE_PHOTO} shipped with matplotlib."
    )
    parser.add_argument("images", nargs="*", metavar="IMAGE", help="PNG or JPEG files")
    parser.add_argument(
        "-o", "--output", metavar="DIR", default="xcnn-edges", help="output directory (default: ./xcnn-edges)"
    )
    parser.add_argument(
        "--method", choices=_EDGE_METHODS, default="sobel", help="edge filter (default: sobel)"
    )


def _edges(args: argparse.Namespace) -> int:
    from PIL import Image

    import xcnn
    from xcnn.filters import detect_edges

    sources = [Path(s) for s in args.images or [_sample_photo()]]
    out_dir = Path(args.output)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        error("edges", f"cannot create output directory {str(out_dir)!r}: {exc.strerror or exc}")
        return 1
    failed = 0
    for source, name in zip(sources, output_names(sources, args.method)):
        try:
            pixels = _read_image(source)  # one image at a time, never the whole list
        except Exception as exc:  # noqa: BLE001 - any unreadable file is reported and skipped
            error("edges", f"cannot read {str(source)!r}: {read_error(source, exc)}")
            failed += 1
            continue
        magnitude = detect_edges(xcnn.asarray(pixels[None]), method=args.method, padding_mode="replicate")
        target = out_dir / name
        try:
            Image.fromarray(_to_uint8(xcnn.to_numpy(magnitude)[0])).save(target)
        except OSError as exc:
            error("edges", f"cannot write {str(target)!r}: {exc.strerror or exc}")
            failed += 1
            continue
        print(target)
    return 1 if failed else 0


SUBCOMMANDS = (
    Subcommand("edges", "write edge maps of PNG/JPEG images", _edges, _edges_options, backend=True),
)
"""The subcommands this module declares, in ``xcnn --help`` order."""
