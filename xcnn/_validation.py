"""Argument checks shared by the public functions.

Every check runs before any array work and raises ``TypeError`` (wrong kind)
or ``ValueError`` (wrong value) with a message that names the argument, shows
what came in and says what is allowed.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from types import ModuleType
from typing import Any

import array_api_compat

from .backend import Array, _device_label

_LIBRARY_NAMES = {
    "array_api_compat.numpy": "numpy",
    "array_api_compat.cupy": "cupy",
    "array_api_compat.torch": "torch",
    "array_api_strict": "array_api_strict",
    "array_api_compat.dask.array": "dask",
}


def _library(xp: ModuleType) -> str:
    return _LIBRARY_NAMES.get(xp.__name__, xp.__name__)


def dtype_name(dtype: Any) -> str:
    """``float32`` for NumPy's, PyTorch's (``torch.float32``) and others' dtypes alike."""
    return str(dtype).rsplit(".", 1)[-1]


SHOWN_CHARS = 80
"""The most of an argument's repr an error message quotes: a message names what came in, it never dumps it."""


def _lengths(value: list | tuple) -> list[int]:
    """The lengths of a list or tuple and of its first items, nested (at most 8 levels)."""
    lengths, inner = [len(value)], value
    while inner and isinstance(inner[0], (list, tuple)) and len(lengths) < 8:
        inner = inner[0]
        lengths.append(len(inner))
    return lengths


def _sequence(value: list | tuple) -> str:
    """A list or tuple as its type and lengths: ``list of 8 x 3 items``."""
    return f"{type(value).__name__} of {' x '.join(map(str, _lengths(value)))} items"


def shown(value: Any) -> str:
    """`value`'s repr for an error message where it is short; else a list or tuple as its type and
    lengths, anything else cut to :data:`SHOWN_CHARS`.

    >>> shown((1, 2, 3))
    '(1, 2, 3)'
    >>> shown([[0.5] * 3] * 1000)
    'list of 1000 x 3 items'
    """
    if isinstance(value, (list, tuple)):
        # the repr only of a few items: a nested list's could take megabytes to build
        short = repr(value) if math.prod(_lengths(value)) <= SHOWN_CHARS else ""
        return short if short and len(short) <= SHOWN_CHARS else _sequence(value)
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else f"{text[: SHOWN_CHARS - 3]}..."


def describe(x: Any) -> str:
    """Short description of an argument for error messages: type and shape, never a whole repr."""
    if array_api_compat.is_array_api_obj(x) and hasattr(x, "shape"):
        xp = array_api_compat.array_namespace(x)
        return (
            f"{_library(xp)} array of shape {tuple(x.shape)}, dtype {dtype_name(x.dtype)}, "
            f"on {_device_label(array_api_compat.device(x))}"
        )
    if isinstance(x, (list, tuple)):
        return _sequence(x)  # where an array was expected, the type and lengths say most
    return f"{type(x).__name__} {shown(x)}"


def namespace_of(**arrays: Any) -> tuple[ModuleType, Any]:
    """Return ``(xp, device)`` shared by all named arrays (``None`` values skipped).

    Raises
    ------
    TypeError
        An argument is not an array, or two arguments come from different
        backends or devices (the message names both).
    """
    first: tuple[str, ModuleType, Any] | None = None
    for name, x in arrays.items():
        if x is None:
            continue
        if not (array_api_compat.is_array_api_obj(x) and hasattr(x, "shape")):
            msg = (
                f"`{name}` must be an array (NumPy, CuPy, PyTorch or array_api_strict), "
                f"got {describe(x)}"
            )
            raise TypeError(msg)
        xp = array_api_compat.array_namespace(x)
        dev = array_api_compat.device(x)
        if first is None:
            first = (name, xp, dev)
            continue
        if _in_memory_beside_dask(x, xp, arrays[first[0]]):
            continue
        if _in_memory_beside_dask(arrays[first[0]], first[1], x):
            first = (name, xp, dev)  # the dask array's namespace is the call's
            continue
        name0, xp0, dev0 = first
        if xp is not xp0:
            chunked = next((a for a in (arrays[name0], x) if array_api_compat.is_dask_array(a)), None)
            hint = (
                "convert one with xcnn.asarray or xcnn.to_numpy" if chunked is None else
                "beside a dask array pass dask arrays or arrays of its chunks' library, "
                f"{_library(array_api_compat.array_namespace(chunked._meta))}"
            )
            msg = (
                f"`{name0}` and `{name}` come from different backends: "
                f"`{name0}` is a {_library(xp0)} array, `{name}` is a {_library(xp)} array; {hint}"
            )
            raise TypeError(msg)
        if dev != dev0:
            msg = (
                f"`{name0}` and `{name}` are on different devices: "
                f"`{name0}` on {_device_label(dev0)}, `{name}` on {_device_label(dev)}"
            )
            raise TypeError(msg)
    if first is None:
        msg = "expected at least one array argument"
        raise TypeError(msg)
    return first[1], first[2]


def is_chunked(x: Any) -> bool:
    """Whether `x` is a chunked, lazy array (dask): its graph already works chunk by chunk, so a caller that
    would split it into batches to bound memory should hand it over whole (splitting would add tasks and
    break the chunks)."""
    return array_api_compat.is_dask_array(x)


def _in_memory_beside_dask(a: Any, xp: ModuleType, other: Any) -> bool:
    """Whether `a` is a NumPy or CuPy array of the library that `other`, a dask array, holds in its chunks:
    weights in memory may go with chunked data (each block gets them whole)."""
    if not array_api_compat.is_dask_array(other) or array_api_compat.is_dask_namespace(xp):
        return False
    return array_api_compat.array_namespace(other._meta) is xp


def check_ndim(name: str, x: Array, ndim: int, layout: str) -> None:
    """Raise ValueError unless `x` has `ndim` dimensions (`layout` names them)."""
    if x.ndim != ndim:
        msg = f"`{name}` must be {ndim}-D with shape {layout}, got shape {tuple(x.shape)}"
        raise ValueError(msg)


def check_floating(name: str, x: Array, xp: ModuleType) -> None:
    """Raise TypeError unless `x` holds real floating-point numbers."""
    if not xp.isdtype(x.dtype, "real floating"):
        msg = (
            f"`{name}` must have a real floating dtype (float16/32/64), got {dtype_name(x.dtype)}; "
            "convert it first, e.g. xcnn.asarray(data, dtype='float32')"
        )
        raise TypeError(msg)


def check_shape(name: str, x: Array, expected: tuple[int, ...], why: str) -> None:
    """Raise ValueError unless `x.shape == expected`."""
    if tuple(x.shape) != tuple(expected):
        msg = f"`{name}` must have shape {tuple(expected)} ({why}), got {tuple(x.shape)}"
        raise ValueError(msg)


def as_int(name: str, value: Any, *, minimum: int) -> int:
    """Return `value` as a Python int >= `minimum`, or raise naming `name`."""
    if isinstance(value, bool) or (hasattr(value, "shape") and getattr(value, "ndim", 0) != 0):
        msg = f"`{name}` must be an integer >= {minimum}, got {describe(value)}"
        raise TypeError(msg)
    try:
        result = operator.index(value)
    except TypeError:
        msg = f"`{name}` must be an integer >= {minimum}, got {describe(value)}"
        raise TypeError(msg) from None
    if result < minimum:
        msg = f"`{name}` must be an integer >= {minimum}, got {result}"
        raise ValueError(msg)
    return result


def hparameter(hparameters: Any, key: str, function: str, required: tuple[str, ...]) -> Any:
    """Fetch `key` from a tutorial-style ``hparameters`` dict with a clear error."""
    if not isinstance(hparameters, Mapping):
        msg = (
            f"`hparameters` must be a dict with keys {list(required)}, "
            f"got {describe(hparameters)}"
        )
        raise TypeError(msg)
    unknown = sorted(set(hparameters) - set(required))
    if unknown:
        msg = (
            f"`hparameters` for {function} has unknown key(s) {unknown}; "
            f"allowed keys: {list(required)}"
        )
        raise ValueError(msg)
    if key not in hparameters:
        msg = (
            f"`hparameters` for {function} is missing the key {key!r}; "
            f"it needs {list(required)}, got {sorted(hparameters)}"
        )
        raise ValueError(msg)
    return hparameters[key]


def common_float_dtype(xp: ModuleType, **arrays: Array) -> Any:
    """Check every array is floating and return their promoted dtype."""
    for name, x in arrays.items():
        if x is not None:
            check_floating(name, x, xp)
    return xp.result_type(*(x.dtype for x in arrays.values() if x is not None))
