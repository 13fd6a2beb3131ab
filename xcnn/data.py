"""Datasets on the host: the bundled 8x8 digits, MNIST-format files, and digit images prepared like them.

Everything here returns NumPy arrays: images NHWC float32 in ``[0, 1]``,
labels int64. Move them to a backend once with :func:`xcnn.asarray`.
:func:`prepare_digit` turns a photo or scan of one digit into an input made
as the training digits were made (implemented in :mod:`xcnn._data_images`,
with :func:`composite_alpha`).
"""

from __future__ import annotations

import gzip
import struct
import zipfile
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from ._data_images import composite_alpha, prepare_digit

__all__ = ["Dataset", "composite_alpha", "load_digits", "load_mnist", "prepare_digit", "read_idx"]


@dataclass(frozen=True)
class Dataset:
    """Train and test splits: images ``(m, H, W, C)`` float32, labels ``(m,)`` int64."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str

    @property
    def n_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max())) + 1

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.x_train.shape[1:])  # type: ignore[return-value]


def load_digits(*, test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """The UCI 8x8 handwritten digits (1,797 images, 10 classes), shipped with xcnn.

    Pixels 0..16 are scaled to ``[0, 1]``. The split is a seeded shuffle, the
    same for the same `seed` on every machine. Attribution:
    ``xcnn/datasets/DIGITS-ATTRIBUTION.txt`` (CC BY 4.0, Alpaydin and Kaynak).

    Returns
    -------
    Dataset
        ``x_*`` of shape ``(m, 8, 8, 1)``.
    """
    if not 0 < test_fraction < 1:
        msg = f"`test_fraction` must be in (0, 1), got {test_fraction!r}"
        raise ValueError(msg)
    with resources.files("xcnn.datasets").joinpath("digits.npz").open("rb") as f, np.load(f) as data:
        images, labels = data["images"], data["labels"]
    x = (images.astype(np.float32) / 16.0)[..., None]
    y = labels.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = round(len(y) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return Dataset(x[train], y[train], x[test], y[test], name="digits")


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line, at most 200 characters: it ends up in a one-line CLI error."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members, an empty zip


def _read_npz(path: str | Path, expected: str) -> dict[str, np.ndarray]:
    """Every array in the ``.npz`` archive at `path`, read whole, pickled objects refused.

    Shared with :mod:`xcnn.checkpoint`. The file is sniffed first so that an
    image, a text file or a ``.npy`` gets a message saying what it is instead
    of NumPy's fallback to pickle (and its advice to allow pickles, which
    would let the file run code). `expected` (what the caller wanted, e.g.
    "weights written by `xcnn train`") ends the message for a file that is no
    ``.npz`` at all.

    Raises
    ------
    FileNotFoundError
        No file at `path`.
    ValueError
        Anything else: a directory, a ``.npy``, not a zip archive, a truncated
        or damaged archive, an entry that is not a plain array; one line that
        starts with the path.
    """
    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such file"
        raise FileNotFoundError(msg)
    if path.is_dir():
        msg = f"{path}: is a directory, not an .npz file; expected {expected}"
        raise ValueError(msg)
    with open(path, "rb") as f:  # ours to close: NumPy leaves a file it opened open when it is no zip
        head = f.read(len(_NPY_MAGIC))
        if head.startswith(_NPY_MAGIC):
            msg = (
                f"{path}: is a .npy file (one unnamed array), not an .npz archive of named arrays; "
                f"expected {expected}"
            )
            raise ValueError(msg)
        if not head.startswith(_ZIP_MAGICS):
            what = "it is empty" if not head else "it does not start like a zip archive"
            msg = f"{path}: not an .npz file ({what}); expected {expected}"
            raise ValueError(msg)
        f.seek(0)
        arrays: dict[str, np.ndarray] = {}
        name = ""
        try:
            with np.load(f, allow_pickle=False) as archive:
                for name in archive.files:
                    arrays[name] = archive[name]  # read whole here: a damaged member fails now, not later
        except ValueError as exc:
            if "allow_pickle" in str(exc):  # NumPy's only ValueError that mentions it: an object array
                msg = f"{path}: entry {name!r} holds Python objects, which xcnn never loads (they could run code)"
            else:
                msg = f"{path}: a damaged or truncated .npz file ({_one_line(exc)})"
            raise ValueError(msg) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            msg = f"{path}: a damaged or truncated .npz file ({_one_line(exc)})"
            raise ValueError(msg) from None
    for name, value in arrays.items():
        if not isinstance(value, np.ndarray):  # a zip member that is not a .npy comes back as bytes
            msg = f"{path}: entry {name!r} is not a NumPy array; expected {expected}"
            raise ValueError(msg)
    return arrays


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (the MNIST format), gzipped or not.

    Raises ``ValueError`` naming the file when it is not IDX data, or is
    truncated (its header promises more values than it holds).
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        msg = f"{path}: a damaged or truncated gzip file ({_one_line(exc)})"
        raise ValueError(msg) from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        msg = f"{path}: not an IDX file (bad magic number)"
        raise ValueError(msg)
    dtypes = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if raw[2] not in dtypes:
        msg = f"{path}: unknown IDX element type 0x{raw[2]:02x}"
        raise ValueError(msg)
    ndim, dtype = raw[3], np.dtype(dtypes[raw[2]])
    start = 4 + 4 * ndim
    if len(raw) < start:
        msg = f"{path}: truncated IDX header ({len(raw)} bytes, a {ndim}-D header needs {start})"
        raise ValueError(msg)
    shape = struct.unpack(f">{ndim}I", raw[4:start])
    expected = int(np.prod(shape, dtype=np.int64))
    held = (len(raw) - start) // dtype.itemsize
    if held != expected:
        msg = f"{path}: header says shape {shape} but the file holds {held} values"
        raise ValueError(msg)
    return np.frombuffer(raw, dtype=dtype, count=expected, offset=start).reshape(shape)


_IDX_NAMES = {
    "x_train": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "y_train": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "x_test": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "y_test": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}


def _find_idx(folder: Path, names: tuple[str, ...]) -> Path:
    for name in names:
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.exists():
                return candidate
    msg = f"{folder}: no {names[0]}[.gz] file (MNIST's IDX names are expected)"
    raise FileNotFoundError(msg)


def _images(path: Path, key: str, x: np.ndarray) -> np.ndarray:
    """One split's images as float32 ``(m, H, W, C)`` in ``[0, 1]``; every check that training would otherwise
    fail on later (after minutes of work, or silently with NaN losses) is made here."""
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4:
        msg = f"{path}: {key} must be (m, H, W) or (m, H, W, C), got shape {x.shape}"
        raise ValueError(msg)
    if x.dtype.kind not in "iuf":
        msg = f"{path}: {key} must hold real numbers (integers or floats), got dtype {x.dtype}"
        raise ValueError(msg)
    if 0 in x.shape:
        msg = f"{path}: {key} must hold at least one image of at least 1x1 pixels and 1 channel, got {x.shape}"
        raise ValueError(msg)
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        msg = f"{path}: {key} holds NaN or infinite values"
        raise ValueError(msg)
    return x.astype(np.float32) / 255.0 if x.dtype.kind in "iu" else x.astype(np.float32)


def _check_labels(path: Path, key: str, y: np.ndarray) -> None:
    """Class labels: whole numbers >= 0 (integers, or floats holding whole numbers)."""
    if y.dtype.kind not in "iuf" or (y.dtype.kind == "f" and not (np.isfinite(y) & (y == np.round(y))).all()):
        msg = f"{path}: {key} must hold whole-number class labels, got dtype {y.dtype}"
        raise ValueError(msg)
    if y.min() < 0:
        msg = f"{path}: {key} must hold class labels >= 0, got {y.min()}"
        raise ValueError(msg)


def _check_classes(path: Path, y_train: np.ndarray, y_test: np.ndarray) -> None:
    """The classes are 0..K-1 with K the largest label + 1: each must have training images, and the test
    labels must be among them. A class without training images cannot be learned, so a gap means labels
    that are not class indices (1-based, codes such as 0..180 for ten kinds, a mislabelled file)."""
    counts = np.bincount(y_train.astype(np.int64))
    empty = np.flatnonzero(counts == 0)
    if len(empty):
        listed = ", ".join(map(str, empty[:5])) + (", ..." if len(empty) > 5 else "")
        msg = (
            f"{path}: y_train's labels go up to {len(counts) - 1}, so {len(counts)} classes, but {len(empty)} "
            f"of them have no training image (class {listed}); labels must be class indices 0..K-1, each used"
        )
        raise ValueError(msg)
    if y_test.max() >= len(counts):
        msg = f"{path}: y_test holds label {int(y_test.max())}, but y_train's classes are 0..{len(counts) - 1}"
        raise ValueError(msg)


def load_mnist(path: str | Path) -> Dataset:
    """MNIST-format data a user already has, by path.

    Parameters
    ----------
    path : str or Path
        A folder with the four IDX files (``train-images-idx3-ubyte[.gz]``,
        ``train-labels-idx1-ubyte[.gz]``, ``t10k-images-idx3-ubyte[.gz]``,
        ``t10k-labels-idx1-ubyte[.gz]``), or an ``.npz`` file with
        ``x_train``, ``y_train``, ``x_test``, ``y_test``.

    Returns
    -------
    Dataset
        Images ``(m, H, W, 1)`` (or ``(m, H, W, C)`` from an npz that has channels)
        scaled to ``[0, 1]`` from uint8 (integer images are divided by 255).

    Raises
    ------
    FileNotFoundError
        `path` does not exist, or the folder lacks one of the IDX files.
    ValueError
        The data cannot be trained on: not an ``.npz`` (an image, a text
        file, a ``.npy``), a damaged archive, missing arrays, wrong shapes,
        non-numeric or non-finite images, labels that are not whole
        numbers >= 0, a class between 0 and the largest label that no
        training image has, or a test label beyond the training classes.
        The message starts with the path.
    """
    path = Path(path)
    if not path.exists():
        msg = f"`path` {str(path)!r} does not exist; give an MNIST IDX folder or an .npz file"
        raise FileNotFoundError(msg)
    if path.is_dir():
        arrays = {key: read_idx(_find_idx(path, names)) for key, names in _IDX_NAMES.items()}
    else:
        data = _read_npz(path, "an .npz with x_train, y_train, x_test, y_test, or an MNIST IDX folder")
        missing = [k for k in _IDX_NAMES if k not in data]
        if missing:
            msg = f"{path}: missing arrays {missing}; an .npz needs x_train, y_train, x_test, y_test"
            raise ValueError(msg)
        arrays = {k: data[k] for k in _IDX_NAMES}
    images = {key: _images(path, key, arrays[key]) for key in ("x_train", "x_test")}
    if images["x_train"].shape[1:] != images["x_test"].shape[1:]:
        msg = (
            f"{path}: x_train and x_test must hold images of one shape, got {images['x_train'].shape[1:]} "
            f"and {images['x_test'].shape[1:]}"
        )
        raise ValueError(msg)
    for key in ("y_train", "y_test"):
        if arrays[key].ndim != 1 or len(arrays[key]) != len(images["x" + key[1:]]):
            msg = f"{path}: {key} must be 1-D with one label per image, got shape {arrays[key].shape}"
            raise ValueError(msg)
        _check_labels(path, key, arrays[key])
    _check_classes(path, arrays["y_train"], arrays["y_test"])
    return Dataset(
        images["x_train"], arrays["y_train"].astype(np.int64),
        images["x_test"], arrays["y_test"].astype(np.int64), name=path.name,
    )
