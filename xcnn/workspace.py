"""The workspace limit: how much scratch memory one convolution may use.

Convolution gathers its windows into a ``(rows, kh*kw*C)`` matrix before one
matrix product. For large images that matrix is ``kh*kw`` times the input, so
xcnn builds it in blocks of samples (and, for huge images, of output rows)
that each fit the limit. Results do not depend on the limit; only speed and
peak memory do.

Set it with :func:`set_workspace_limit` or the environment variable
``XCNN_WORKSPACE_MB`` (read at the first convolution). Default: 64 MiB.
"""

from __future__ import annotations

import os

from ._validation import as_int

__all__ = ["get_workspace_limit", "set_workspace_limit"]

DEFAULT_BYTES = 64 * 2**20

_limit: int | None = None


def get_workspace_limit() -> int:
    """The current limit in bytes."""
    global _limit
    if _limit is None:
        raw = os.environ.get("XCNN_WORKSPACE_MB", "").strip()
        if raw:
            try:
                megabytes = float(raw)
            except ValueError:
                msg = f"XCNN_WORKSPACE_MB must be a number of MiB, got {raw!r}"
                raise ValueError(msg) from None
            if megabytes <= 0:
                msg = f"XCNN_WORKSPACE_MB must be > 0, got {raw!r}"
                raise ValueError(msg)
            _limit = int(megabytes * 2**20)
        else:
            _limit = DEFAULT_BYTES
    return _limit


def set_workspace_limit(nbytes: int) -> int:
    """Set the limit in bytes (at least 1); returns the previous one.

    Examples
    --------
    >>> import xcnn
    >>> previous = xcnn.set_workspace_limit(16 * 2**20)
    >>> _ = xcnn.set_workspace_limit(previous)
    """
    global _limit
    previous = get_workspace_limit()
    _limit = as_int("nbytes", nbytes, minimum=1)
    return previous
