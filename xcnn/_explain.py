"""``xcnn.explain``: which implementation a call would run, and why the ones before it would not.

Nothing is computed: the call's arguments are checked as the function
itself checks them, and the dispatch table (:mod:`xcnn._ops`) is asked
which of its rows takes the call.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import _ops
from .functional import conv as _conv
from .functional import pooling as _pooling

__all__ = ["Explanation", "explain"]

_CALL_BUILDERS: dict[Callable[..., Any], Callable[..., Any]] = {
    _conv.conv2d: _conv.conv2d_call,
    _conv.conv2d_backward: _conv.conv2d_backward_call,
    _conv.pad: _conv.pad_call,
    _pooling.max_pool2d: _pooling.max_pool2d_call,
    _pooling.max_pool2d_backward: _pooling.max_pool2d_backward_call,
    _pooling.avg_pool2d: _pooling.avg_pool2d_call,
    _pooling.avg_pool2d_backward: _pooling.avg_pool2d_backward_call,
}


@dataclass(frozen=True)
class Explanation:
    """The dispatch table's answer for one call.

    Attributes
    ----------
    op : str
        The operation, e.g. ``"conv2d_backward"``.
    provider : str
        The row that runs, e.g. ``"numpy.numba.direct"`` or ``"reference"``.
    primitives : str
        Whose faster single steps the reference gets, where it runs (``"NumPy"``, ...).
    skipped : list of (str, str)
        ``(provider, why not)`` for each row before the chosen one.
    """

    op: str
    provider: str
    primitives: str
    skipped: list[tuple[str, str]]

    def __str__(self) -> str:
        ran = self.provider + (f" (with {self.primitives} primitives)" if self.provider == "reference" else "")
        lines = [f"{self.op}: {ran}"]
        lines += [f"  not {name}: {reason}" for name, reason in self.skipped]
        return "\n".join(lines)


def explain(function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Explanation:
    """Which implementation ``function(*args, **kwargs)`` would run, without running it.

    Parameters
    ----------
    function : callable
        One of :func:`xcnn.functional.conv2d`, ``conv2d_backward``, ``pad``,
        ``max_pool2d``, ``max_pool2d_backward``, ``avg_pool2d``,
        ``avg_pool2d_backward``.
    *args, **kwargs
        The arguments the call would get; they are checked as the call checks them.

    Returns
    -------
    Explanation
        Prints as one line for the chosen provider and one per provider
        passed over, with the reason.

    Examples
    --------
    >>> import numpy as np
    >>> import xcnn
    >>> from xcnn import functional as F
    >>> x, w = np.ones((1, 8, 8, 3)), np.ones((3, 3, 3, 4))
    >>> xcnn.explain(F.conv2d, x, w, stride=2, padding=1).provider
    'reference'
    """
    builder = _CALL_BUILDERS.get(function)
    if builder is None:
        known = ", ".join(sorted(f.__name__ for f in _CALL_BUILDERS))
        msg = f"`function` must be one of xcnn.functional's {known}, got {getattr(function, '__name__', function)!r}"
        raise TypeError(msg)
    bound = inspect.signature(function).bind(*args, **kwargs)
    positional = [v for name, v in bound.arguments.items() if _is_positional(function, name)]
    keywords = {name: v for name, v in bound.arguments.items() if not _is_positional(function, name)}
    call = builder(*positional, **keywords)
    rows = _ops.explain(call)
    chosen = rows[-1][0]
    prims = _ops.primitives(call).name if chosen == "reference" and hasattr(call, "win") else ""
    return Explanation(call.op, chosen, prims, [(name, reason or "") for name, reason in rows[:-1]])


def _is_positional(function: Callable[..., Any], name: str) -> bool:
    kind = inspect.signature(function).parameters[name].kind
    return kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
