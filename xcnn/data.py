"""Datasets on the host: the bundled 8x8 digits and MNIST-format files.

Everything here returns NumPy arrays: images NHWC float32 in ``[0, 1]``,
labels int64. Move them to a backend once with :func:`xcnn.asarray`.
"""

from __future__ import annotations

import gzip
import struct
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

__all__ = ["Dataset", "load_digits", "load_mnist", "read_idx"]


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


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (the MNIST format), gzipped or not."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        msg = f"{path}: not an IDX file (bad magic number)"
        raise ValueError(msg)
    dtypes = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if raw[2] not in dtypes:
        msg = f"{path}: unknown IDX element type 0x{raw[2]:02x}"
        raise ValueError(msg)
    ndim = raw[3]
    shape = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=dtypes[raw[2]], offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        msg = f"{path}: header says shape {shape} but the file holds {data.size} values"
        raise ValueError(msg)
    return data.reshape(shape)


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
    """
    path = Path(path)
    if not path.exists():
        msg = f"`path` {str(path)!r} does not exist; give an MNIST IDX folder or an .npz file"
        raise FileNotFoundError(msg)
    if path.is_dir():
        arrays = {key: read_idx(_find_idx(path, names)) for key, names in _IDX_NAMES.items()}
    else:
        with np.load(path) as data:
            missing = [k for k in _IDX_NAMES if k not in data]
            if missing:
                msg = f"{path}: missing arrays {missing}; an .npz needs x_train, y_train, x_test, y_test"
                raise ValueError(msg)
            arrays = {k: data[k] for k in _IDX_NAMES}
    images = {}
    for key in ("x_train", "x_test"):
        x = arrays[key]
        if x.ndim == 3:
            x = x[..., None]
        if x.ndim != 4:
            msg = f"{path}: {key} must be (m, H, W) or (m, H, W, C), got shape {x.shape}"
            raise ValueError(msg)
        images[key] = x.astype(np.float32) / 255.0 if np.issubdtype(x.dtype, np.integer) else x.astype(np.float32)
    for key in ("y_train", "y_test"):
        if arrays[key].ndim != 1 or len(arrays[key]) != len(images["x" + key[1:]]):
            msg = f"{path}: {key} must be 1-D with one label per image, got shape {arrays[key].shape}"
            raise ValueError(msg)
    return Dataset(
        images["x_train"], arrays["y_train"].astype(np.int64),
        images["x_test"], arrays["y_test"].astype(np.int64), name=path.name,
    )
