"""Run by ``torchrun`` from tests/test_parallel.py: one process of a data-parallel :func:`xcnn.training.fit`.

Usage: ``torchrun --nproc-per-node N tests/parallel_fit.py OUT.npz BATCH_SIZE``; process 0
writes the trained weights and the per-epoch losses to OUT.npz.
"""

from __future__ import annotations

import sys

import numpy as np


def data_model_optimizer():
    """The same data, initial weights and optimiser in every process (and in the single-process run)."""
    from xcnn import nn, optim

    rng = np.random.default_rng(0)
    x = rng.standard_normal((61, 8, 8, 1))
    y = rng.integers(0, 10, 61)
    model = nn.small_cnn(10, image_size=8, dtype="float64", seed=3)
    return x, y, model, optim.SGD(model.parameters(), lr=0.01, momentum=0.9)


def main(out: str, batch_size: int) -> None:
    import torch.distributed as dist

    from xcnn import parallel, training

    dist.init_process_group("gloo")
    try:
        communicator = parallel.TorchDistributed()
        x, y, model, optimizer = data_model_optimizer()
        if communicator.rank == 1:  # different initial weights: process 0's must reach every process
            for p in model.parameters():
                p.value = p.value + 1.0
        history = training.fit(
            model, optimizer, x, y, epochs=2, batch_size=batch_size, n_classes=10, communicator=communicator
        )
        weights = {f"p{i}": p.value for i, p in enumerate(model.parameters())}
        gathered = [None] * communicator.world_size
        dist.all_gather_object(gathered, weights)
        if communicator.rank == 0:
            same = all(np.array_equal(g[k], weights[k]) for g in gathered for k in weights)
            np.savez(out, same=same, losses=[e.loss for e in history.epochs], **weights)
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
