"""Data-parallel training across processes: :func:`xcnn.training.fit` with a communicator.

Every process runs the same :func:`~xcnn.training.fit` call on the same data
and seed. Each takes its share of every mini-batch, and before each update the
communicator sums the processes' gradients (each weighted by its share of the
batch), so every process applies the update a single process would have
applied to the whole batch, and the weights stay equal everywhere.

The communicator is an existing engine's, not xcnn's own:
:class:`TorchDistributed` wraps ``torch.distributed`` (gloo between CPU
processes, NCCL between GPUs), started the usual way, for example with
``torchrun --nproc-per-node 2 train.py``. Any object with the
:class:`Communicator` methods works, for example one over ``mpi4py``.
PyTorch is imported only when a :class:`TorchDistributed` is made.
"""

from __future__ import annotations

from typing import Any, Protocol

from array_api_compat import array_namespace

__all__ = ["Communicator", "TorchDistributed", "batch_share"]

Array = Any


class Communicator(Protocol):
    """What :func:`~xcnn.training.fit` needs from a group of processes.

    Attributes
    ----------
    rank : int
        This process's index, ``0 <= rank < world_size``.
    world_size : int
        How many processes train together.
    """

    rank: int
    world_size: int

    def all_reduce_sum(self, a: Array) -> Array:
        """The element-wise sum of `a` over the processes (every process gets it).

        May write the sum into `a` (fit passes arrays it made for this) and return it.
        """
        ...

    def broadcast(self, a: Array, root: int = 0) -> Array:
        """Process `root`'s `a`, in every process."""
        ...


def batch_share(start: int, stop: int, rank: int, world_size: int) -> tuple[int, int]:
    """The part ``[lo, hi)`` of the batch ``[start, stop)`` that process `rank` takes: contiguous, sizes
    differing by at most one.

    Examples
    --------
    >>> [batch_share(10, 17, r, 2) for r in range(2)]
    [(10, 13), (13, 17)]
    """
    size = stop - start
    return start + size * rank // world_size, start + size * (rank + 1) // world_size


class TorchDistributed:
    """``torch.distributed``'s default process group as a :class:`Communicator`.

    Arrays go to PyTorch through DLPack, without a copy: NumPy arrays to CPU
    tensors (gloo), CuPy arrays to CUDA tensors (NCCL). :meth:`all_reduce_sum`
    sums in place, into the array it is given (writable, as the gradients
    :func:`~xcnn.training.fit` hands it are); :meth:`broadcast` receives into a
    copy, so a read-only array (weights loaded from a file) may be broadcast.

    Parameters
    ----------
    group : torch.distributed.ProcessGroup, optional
        Default: the process group ``torch.distributed.init_process_group`` made.

    Raises
    ------
    RuntimeError
        ``torch.distributed`` is unavailable or its process group is not initialised.
    """

    def __init__(self, group: Any = None) -> None:
        try:
            import torch
            import torch.distributed as dist
        except ImportError as exc:
            msg = f"TorchDistributed needs PyTorch: pip install 'xcnn[torch]' ({exc})"
            raise RuntimeError(msg) from exc
        if not dist.is_available() or not dist.is_initialized():
            msg = (
                "torch.distributed has no process group: call torch.distributed.init_process_group "
                "(backend 'gloo' on CPUs, 'nccl' on GPUs) in every process first, for example under torchrun"
            )
            raise RuntimeError(msg)
        self._torch, self._dist, self._group = torch, dist, group
        self.rank = dist.get_rank(group)
        self.world_size = dist.get_world_size(group)

    def all_reduce_sum(self, a: Array) -> Array:
        a = array_namespace(a).asarray(a)  # no copy of an array; a NumPy scalar (a 0-d result) becomes one
        self._dist.all_reduce(self._torch.from_dlpack(a), op=self._dist.ReduceOp.SUM, group=self._group)
        return a

    def broadcast(self, a: Array, root: int = 0) -> Array:
        copy = array_namespace(a).asarray(a, copy=True)  # writable, whatever `a` was
        self._dist.broadcast(self._torch.from_dlpack(copy), src=root, group=self._group)
        return copy
