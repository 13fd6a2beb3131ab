"""One operation's call, as the dispatch table sees it: the arrays and the normalised options.

:mod:`xcnn.functional` checks the arguments and builds one of these; the
table (:mod:`xcnn._ops`) casts the arrays to their common dtype on their
device and hands the call to the first provider whose conditions it meets.
Pure data: no array library, no computation.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ._geometry import Pair, Windows

__all__ = ["Call", "ConvCall", "PadCall", "PoolCall"]

Array = Any


@dataclass(frozen=True)
class Call:
    """What every call has: the operation's name, the namespace, device and dtype of its arrays.

    Attributes
    ----------
    op : str
        A key of :data:`xcnn._ops.TABLE`.
    """

    op: str
    xp: ModuleType
    device: Any
    dtype: Any

    def _cast(self, a: Array | None) -> Array | None:
        return None if a is None else self.xp.astype(a, self.dtype, copy=False)

    def cast(self) -> Call:
        """The call with its arrays in its dtype (run on the call's device)."""
        return self


@dataclass(frozen=True)
class ConvCall(Call):
    """``conv2d`` (``dz`` None) or ``conv2d_backward``: ``x (m, H, W, C_in)``, ``w (kH, kW, C_in/groups, C_out)``,
    ``b (C_out,)`` or None, ``dz (m, out_h, out_w, C_out)``."""

    x: Array = None
    w: Array = None
    b: Array | None = None
    dz: Array | None = None
    win: Windows | None = None
    groups: int = 1

    def cast(self) -> ConvCall:
        b = None if self.b is None else self.xp.reshape(self._cast(self.b), (-1,))
        return dataclasses.replace(self, x=self._cast(self.x), w=self._cast(self.w), b=b, dz=self._cast(self.dz))

    @property
    def arrays(self) -> tuple[Array, ...]:
        """The pass's arrays: the input and weights first, then the bias or the output gradient."""
        return tuple(a for a in (self.x, self.w, self.b, self.dz) if a is not None)


@dataclass(frozen=True)
class PoolCall(Call):
    """Max or average pooling, forward (``dy`` None) or backward: ``x (m, H, W, C)``, ``dy (m, out_h, out_w, C)``.

    `count_include_pad` and `divisor_override` are average pooling's options.
    """

    x: Array = None
    dy: Array | None = None
    win: Windows | None = None
    count_include_pad: bool = True
    divisor_override: int | None = None

    def cast(self) -> PoolCall:
        return dataclasses.replace(self, x=self._cast(self.x), dy=self._cast(self.dy))

    @property
    def arrays(self) -> tuple[Array, ...]:
        return tuple(a for a in (self.dy, self.x) if a is not None)


@dataclass(frozen=True)
class PadCall(Call):
    """``pad``: `x` padded by `sides` ``((top, bottom), (left, right))`` with `value`."""

    x: Array = None
    sides: tuple[Pair, Pair] = ((0, 0), (0, 0))
    value: float = 0

    @property
    def arrays(self) -> tuple[Array, ...]:
        return (self.x,)
