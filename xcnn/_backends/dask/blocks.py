"""One in-memory call per batch chunk: the output keeps the input's batch chunks.

A call arrives with dask arrays (the table lifts NumPy or CuPy weights into
one-chunk dask arrays first, :func:`lifted`). Each sample's height, width and
channels are merged into one chunk (a spatially chunked forward pass goes to
:mod:`.tiles` instead), and every block becomes the same call on the block's
own arrays, run through the dispatch table's `run`. The weight and bias
gradients are the sums of the blocks' gradients.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
from collections.abc import Callable, Sequence
from typing import Any

import array_api_compat

__all__ = [
    "conv2d", "conv2d_backward", "lifted", "meta", "one_chunk", "pad", "pool2d", "pool2d_backward",
    "run_block", "status", "template", "whole_images", "why_not",
]

Array = Any
Run = Callable[[Any], Any]
_ARRAY_FIELDS = ("x", "w", "b", "dz", "dy")


def _da() -> Any:
    import dask.array as da

    return da


def status() -> str:
    """Whether dask is installed (found without importing it)."""
    if importlib.util.find_spec("dask") is None:
        return "off: dask is not installed (pip install 'xcnn[dask]')"
    return "on for dask arrays"


def why_not(call: Any) -> str | None:
    """Why the dask rows do not take `call`: None for dask arrays."""
    return None if array_api_compat.is_dask_namespace(call.xp) else "not dask arrays"


def lifted(call: Any) -> Any:
    """`call` with each NumPy or CuPy array (weights, bias) wrapped as a one-chunk dask array."""
    da = _da()
    fields = {
        name: da.from_array(a, chunks=tuple(a.shape), asarray=False)
        for name in _ARRAY_FIELDS
        if (a := getattr(call, name, None)) is not None and not array_api_compat.is_dask_array(a)
    }
    return dataclasses.replace(call, **fields) if fields else call


def template(call: Any, **changes: Any) -> Any:
    """`call` without its arrays, namespace and device: what every block shares (small, picklable)."""
    empty = {name: None for name in _ARRAY_FIELDS if hasattr(call, name)}
    return dataclasses.replace(call, xp=None, device=None, **empty, **changes)


def run_block(run: Run, call_template: Any, names: Sequence[str], *blocks: Array) -> Any:
    """Run `call_template` on one block's arrays (named `names`), in the blocks' own namespace."""
    xp = array_api_compat.array_namespace(*blocks)
    arrays = dict(zip(names, blocks))
    return run(dataclasses.replace(call_template, xp=xp, device=array_api_compat.device(blocks[0]), **arrays))


def meta(like: Array, dtype: Any, ndim: int = 4) -> Array:
    """An empty chunk of `like`'s chunk type in `dtype`: tells dask what the blocks will be (NumPy, CuPy)."""
    from dask.array.utils import meta_from_array

    return meta_from_array(like, ndim=ndim, dtype=dtype)


def whole_images(x: Array, batch_chunks: tuple[int, ...] | None = None) -> Array:
    """`x` with height, width and channels in one chunk; batch chunks kept (or set to `batch_chunks`)."""
    batch = x.chunks[0] if batch_chunks is None else batch_chunks
    wanted = (batch, (x.shape[1],), (x.shape[2],), (x.shape[3],))
    return x if x.chunks == wanted else x.rechunk(wanted)


def one_chunk(a: Array) -> Array:
    """`a` as a single chunk (weights and bias go whole to every block)."""
    return a if a.numblocks == (1,) * a.ndim else a.rechunk(tuple(a.shape))


def _per_block(call: Any, run: Run, inputs: Sequence[tuple[str, Array, str]], out_sizes: dict[str, int]) -> Array:
    """``blockwise`` over the batch chunks: `inputs` are ``(name, array, index)``; the output is
    indexed ``nhwc`` with `out_sizes` for the axes whose size changes."""
    da = _da()
    names = tuple(name for name, _, _ in inputs)
    args = [item for _, array, index in inputs for item in (array, index)]
    fn = functools.partial(run_block, run, template(call), names)
    return da.blockwise(
        fn, "nhwc", *args, adjust_chunks=out_sizes, dtype=call.dtype, meta=meta(inputs[0][1], call.dtype),
        concatenate=True, name=f"xcnn-{call.op}-" + _token(call, *(a for _, a, _ in inputs)),
    )


def _token(call: Any, *arrays: Array) -> str:
    from dask.base import tokenize

    return tokenize(template(call), *(a.name for a in arrays))


def conv2d(call: Any, run: Run) -> Array:
    """The convolution of every batch chunk: ``(m, H, W, C_in) -> (m, out_h, out_w, C_out)``."""
    out_h, out_w = call.win.out_size
    inputs = [("x", whole_images(call.x), "nhwc"), ("w", one_chunk(call.w), "ijkl")]
    if call.b is not None:
        inputs.append(("b", one_chunk(call.b), "o"))
    return _per_block(call, run, inputs, {"h": out_h, "w": out_w, "c": call.w.shape[3]})


def pool2d(call: Any, run: Run) -> Array:
    """Max or average pooling of every batch chunk."""
    out_h, out_w = call.win.out_size
    return _per_block(call, run, [("x", whole_images(call.x), "nhwc")], {"h": out_h, "w": out_w})


def pad(call: Any, run: Run) -> Array:
    """Every batch chunk padded on its two spatial axes."""
    (top, bottom), (left, right) = call.sides
    h, w = call.x.shape[1] + top + bottom, call.x.shape[2] + left + right
    return _per_block(call, run, [("x", whole_images(call.x), "nhwc")], {"h": h, "w": w})


def pool2d_backward(call: Any, run: Run) -> Array:
    """The input gradient of max or average pooling, per batch chunk (``dy`` follows ``x``'s chunks)."""
    x = whole_images(call.x)
    dy = whole_images(call.dy, x.chunks[0])
    return _per_block(call, run, [("dy", dy, "npqc"), ("x", x, "nhwc")], {})


def conv2d_backward(call: Any, run: Run) -> tuple[Array, Array, Array]:
    """``(dx, dw, db)``: `dx` per batch chunk, `dw` and `db` the sums of every chunk's gradients.

    Each chunk's backward pass is one task giving all three (a ``dask.delayed``
    tuple), so no chunk is read twice.
    """
    from dask import delayed

    da = _da()
    x = whole_images(call.x)
    dz = whole_images(call.dz, x.chunks[0])
    w = one_chunk(call.w)
    fn = functools.partial(run_block, run, template(call), ("x", "w", "dz"))
    w_block = w.to_delayed().ravel()[0]
    parts = [
        delayed(fn, pure=True, nout=3)(x_block, w_block, dz_block)
        for x_block, dz_block in zip(x.to_delayed().ravel(), dz.to_delayed().ravel())
    ]
    like = meta(x, call.dtype)
    dx = da.concatenate(
        [da.from_delayed(p[0], (rows, *x.shape[1:]), dtype=call.dtype, meta=like) for p, rows in zip(parts, x.chunks[0])],
        axis=0,
    )
    c_out = w.shape[3]
    dw = da.stack([da.from_delayed(p[1], tuple(w.shape), dtype=call.dtype, meta=like) for p in parts]).sum(axis=0)
    like_1d = meta(x, call.dtype, 1)
    db = da.stack([da.from_delayed(p[2], (c_out,), dtype=call.dtype, meta=like_1d) for p in parts]).sum(axis=0)
    return dx, dw, db
