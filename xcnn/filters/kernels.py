"""Edge-detection kernels ``(f, f)``: vertical, horizontal, Sobel, Scharr, any orientation."""

from __future__ import annotations

import contextlib
import importlib
import math
from collections.abc import Sequence
from numbers import Real
from types import ModuleType
from typing import Any

from .._validation import describe, shown
from ..backend import _NAMESPACES, Array, _dtype_for, device_context, get_backend

__all__ = ["horizontal_edge", "oriented_edge", "scharr", "sobel", "vertical_edge"]

_VERTICAL = ((1.0, 0.0, -1.0),) * 3
_SOBEL_X = ((1.0, 0.0, -1.0), (2.0, 0.0, -2.0), (1.0, 0.0, -1.0))
_SCHARR_X = ((3.0, 0.0, -3.0), (10.0, 0.0, -10.0), (3.0, 0.0, -3.0))
_AXES = {"x": 1, "y": 0, 1: 1, 0: 0}


def _target(xp: ModuleType | None, device: Any, dtype: Any) -> tuple[ModuleType, Any, Any]:
    """Resolve the keyword-only ``xp``/``device``/``dtype`` of a creation function."""
    if xp is None:
        backend = get_backend()
        xp, device = backend.xp, backend.device if device is None else device
    elif getattr(xp, "__name__", None) in ("numpy", "torch", "cupy"):
        xp = importlib.import_module(_NAMESPACES[xp.__name__])  # plain module -> array-API wrapper
    resolved = _dtype_for(xp, "float32" if dtype is None else dtype)
    if not xp.isdtype(resolved, "real floating"):
        msg = f"`dtype` must be a real floating dtype (float16/32/64), got {shown(dtype)}"
        raise TypeError(msg)
    return xp, device, resolved


def _on(xp: ModuleType, device: Any) -> contextlib.AbstractContextManager[Any]:
    return contextlib.nullcontext() if device is None else device_context(xp, device)


def _make(rows: Sequence[Sequence[float]], xp: ModuleType | None, device: Any, dtype: Any) -> Array:
    xp, device, dtype = _target(xp, device, dtype)
    with _on(xp, device):
        return xp.asarray([list(r) for r in rows], dtype=dtype, device=device)


def _transpose(rows: Sequence[Sequence[float]]) -> tuple[tuple[float, ...], ...]:
    return tuple(zip(*rows))


def _axis(axis: Any) -> int:
    key = axis.lower() if isinstance(axis, str) else axis
    if isinstance(axis, bool) or key not in _AXES:
        msg = (
            f"`axis` must be 'x' or 1 (change along the width: vertical edges) "
            f"or 'y' or 0 (change along the height: horizontal edges), got {shown(axis)}"
        )
        raise ValueError(msg)
    return _AXES[key]


def vertical_edge(*, xp: ModuleType | None = None, device: Any = None, dtype: Any = None) -> Array:
    """The tutorial's vertical edge detector ``[[1, 0, -1], [1, 0, -1], [1, 0, -1]]``.

    Parameters
    ----------
    xp : array namespace, optional
        For example ``array_api_compat.numpy`` or ``array_api_strict``; plain
        ``numpy``, ``torch`` and ``cupy`` modules are accepted too. Default:
        the selected backend, and then `device` defaults to its device.
    device : device, optional
        Default: the selected backend's device, or `xp`'s default device.
    dtype : str or dtype, optional
        A real floating dtype, ``"float32"`` by default.

    Returns
    -------
    array, shape ``(3, 3)``

    Examples
    --------
    >>> import xcnn.filters as xf
    >>> xf.vertical_edge()
    array([[ 1.,  0., -1.],
           [ 1.,  0., -1.],
           [ 1.,  0., -1.]], dtype=float32)
    """
    return _make(_VERTICAL, xp, device, dtype)


def horizontal_edge(*, xp: ModuleType | None = None, device: Any = None, dtype: Any = None) -> Array:
    """The tutorial's horizontal edge detector ``[[1, 1, 1], [0, 0, 0], [-1, -1, -1]]``.

    The transpose of :func:`vertical_edge`; positive where a bright top meets
    a dark bottom. Keywords as in :func:`vertical_edge`; returns ``(3, 3)``.
    """
    return _make(_transpose(_VERTICAL), xp, device, dtype)


def sobel(axis: str | int, *, xp: ModuleType | None = None, device: Any = None, dtype: Any = None) -> Array:
    """Sobel kernel: ``[[1, 0, -1], [2, 0, -2], [1, 0, -1]]`` for ``"x"``, its transpose for ``"y"``.

    Parameters
    ----------
    axis : {"x", 1, "y", 0}
        ``"x"`` (or 1) measures change along the width and responds to vertical
        edges; ``"y"`` (or 0) measures change along the height and responds to
        horizontal edges. Correlating with ``sobel(axis)`` equals
        ``-scipy.ndimage.sobel(image, axis)`` on interior pixels.
    xp, device, dtype
        As in :func:`vertical_edge`.

    Returns
    -------
    array, shape ``(3, 3)``
    """
    rows = _SOBEL_X if _axis(axis) == 1 else _transpose(_SOBEL_X)
    return _make(rows, xp, device, dtype)


def scharr(axis: str | int, *, xp: ModuleType | None = None, device: Any = None, dtype: Any = None) -> Array:
    """Scharr kernel: ``[[3, 0, -3], [10, 0, -10], [3, 0, -3]]`` for ``"x"``, its transpose for ``"y"``.

    Better rotation symmetry than Sobel. `axis` and keywords as in :func:`sobel`;
    returns ``(3, 3)``.
    """
    rows = _SCHARR_X if _axis(axis) == 1 else _transpose(_SCHARR_X)
    return _make(rows, xp, device, dtype)


def _cos_sin(degrees: float) -> tuple[float, float]:
    # Exact at multiples of 90 degrees, so oriented_edge(90) is sobel("y") to the bit.
    quarter = degrees / 90.0
    if quarter == round(quarter):
        return ((1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0))[round(quarter) % 4]
    radians = math.radians(degrees)
    return math.cos(radians), math.sin(radians)


def oriented_edge(
    angle_degrees: float, *, xp: ModuleType | None = None, device: Any = None, dtype: Any = None
) -> Array:
    """A 3x3 edge detector for any direction: ``cos(a) * sobel("x") + sin(a) * sobel("y")``.

    The tutorial's "parametrised filter" whose nine weights are set by hand.
    In image coordinates (x rightwards, y downwards) the response is about
    ``-8 * (gradient . (cos a, sin a))``: largest where brightness falls
    fastest in direction ``(cos a, sin a)``, that is across edges that run at
    ``a + 90`` degrees. ``0`` gives ``sobel("x")`` (vertical edges), ``90``
    gives ``sobel("y")`` (horizontal edges); since y points down, angles turn
    clockwise on screen.

    Parameters
    ----------
    angle_degrees : float
        Any finite angle in degrees.
    xp, device, dtype
        As in :func:`vertical_edge`.

    Returns
    -------
    array, shape ``(3, 3)``
    """
    if isinstance(angle_degrees, bool) or not isinstance(angle_degrees, Real):
        msg = f"`angle_degrees` must be a real number (degrees), got {describe(angle_degrees)}"
        raise TypeError(msg)
    if not math.isfinite(angle_degrees):
        msg = f"`angle_degrees` must be finite, got {shown(angle_degrees)}"
        raise ValueError(msg)
    c, s = _cos_sin(float(angle_degrees))
    rows = tuple(
        tuple(c * kx + s * ky for kx, ky in zip(row_x, row_y))
        for row_x, row_y in zip(_SOBEL_X, _transpose(_SOBEL_X))
    )
    return _make(rows, xp, device, dtype)


