"""Optimisers against torch.optim on the same gradient sequence, on every backend."""

from __future__ import annotations

import numpy as np
import pytest

from xcnn import optim
from xcnn.nn import Parameter

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.8, weight_decay=0.01, nesterov=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
]


@pytest.mark.parametrize(("name", "options"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_matches_torch_optim(xb, name, options):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    start = rng.standard_normal((3, 4))
    grads = [rng.standard_normal((3, 4)) for _ in range(5)]
    p = Parameter(xb.asarray(start))
    opt = getattr(optim, name)([p], **options)
    t = torch.tensor(start, requires_grad=True)
    topt = getattr(torch.optim, name)([t], **options)
    for g in grads:
        p.grad = xb.asarray(g)
        opt.step()
        t.grad = torch.tensor(g)
        topt.step()
        xb.assert_here(p.value)
        np.testing.assert_allclose(xb.to_numpy(p.value), t.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_plain_sgd_by_hand(xb):
    p = Parameter(xb.asarray(np.array([1.0, 2.0])))
    opt = optim.SGD([p], lr=0.5, momentum=0.5)
    for _ in range(2):
        p.grad = xb.asarray(np.array([1.0, -2.0]))
        opt.step()
    # v1 = g, v2 = 0.5 g + g = 1.5 g; w = w0 - 0.5 (g + 1.5 g) = w0 - 1.25 g
    np.testing.assert_allclose(xb.to_numpy(p.value), [1.0 - 1.25, 2.0 + 2.5])


def test_parameters_without_gradient_are_left_alone():
    p, q = Parameter(np.ones(2)), Parameter(np.ones(2))
    p.grad = np.ones(2)
    optim.SGD([p, q], lr=1.0).step()
    np.testing.assert_array_equal(q.value, np.ones(2))
    np.testing.assert_array_equal(p.value, np.zeros(2))


def test_errors():
    with pytest.raises(ValueError, match=r"`lr` must be > 0, got -1"):
        optim.SGD([Parameter(np.ones(1))], lr=-1)
    with pytest.raises(ValueError, match=r"`parameters` is empty"):
        optim.Adam([])
    with pytest.raises(ValueError, match=r"`betas` must be a pair"):
        optim.Adam([Parameter(np.ones(1))], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match=r"`nesterov`=True needs momentum > 0"):
        optim.SGD([Parameter(np.ones(1))], nesterov=True)
