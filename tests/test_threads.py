"""Per-sample threading (NumPy): the same results as one thread, for every operation that uses it."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import xcnn._backends.numpy.threads as threads
from xcnn import functional as F

OPERATIONS = {
    "max_pool": lambda x, dy: (F.max_pool2d(x, 3, stride=2, padding=1), F.max_pool2d_backward(dy, x, 3, stride=2, padding=1)),
    "avg_pool": lambda x, dy: (F.avg_pool2d(x, 3, stride=2, padding=1), F.avg_pool2d_backward(dy, x, 3, stride=2, padding=1)),
    "depthwise": lambda x, dz: (F.conv2d(x, W_DEPTHWISE, stride=2, padding=1, groups=4),
                                *F.conv2d_backward(dz, x, W_DEPTHWISE, stride=2, padding=1, groups=4)),
}
W_DEPTHWISE = np.random.default_rng(5).standard_normal((3, 3, 1, 8))


@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_threaded_blocks_give_the_results_of_one_thread(monkeypatch, name, workers):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((7, 9, 10, 4))  # 7 samples: uneven blocks
    x[2, 3, 3, 1] = np.nan
    operation = OPERATIONS[name]
    out_shape = {"max_pool": (7, 5, 5, 4), "avg_pool": (7, 5, 5, 4), "depthwise": (7, 5, 5, 8)}[name]
    upstream = rng.standard_normal(out_shape)
    monkeypatch.setattr(threads, "MIN_BYTES", 0)
    results = []
    for count in (1, workers):
        monkeypatch.setattr(threads, "thread_count", lambda count=count: count)
        results.append(operation(x, upstream))
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_thread_count_comes_from_the_environment(monkeypatch):
    threads.thread_count.cache_clear()
    monkeypatch.setenv("XCNN_NUM_THREADS", "3")
    try:
        assert threads.thread_count() == 3
        threads.thread_count.cache_clear()
        monkeypatch.setenv("XCNN_NUM_THREADS", "none")
        with pytest.raises(ValueError, match=r"XCNN_NUM_THREADS must be an integer >= 1, got 'none'"):
            threads.thread_count()
    finally:
        threads.thread_count.cache_clear()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_gets_a_thread_pool_of_its_own(tmp_path):
    """After the parent has used its pool, a child made by fork must not wait forever on the parent's threads."""
    script = tmp_path / "fork_child.py"
    script.write_text(
        "import multiprocessing as mp\n"
        "import numpy as np\n"
        "from xcnn import functional as F\n"
        "x = np.random.default_rng(0).standard_normal((8, 64, 64, 32), dtype=np.float32)\n"
        "F.max_pool2d(x, 2, stride=2)\n"
        "def child(queue):\n"
        "    queue.put(float(F.max_pool2d(x, 2, stride=2).sum()))\n"
        "if __name__ == '__main__':\n"
        "    ctx = mp.get_context('fork')\n"
        "    queue = ctx.Queue()\n"
        "    process = ctx.Process(target=child, args=(queue,))\n"
        "    process.start()\n"
        "    process.join(60)\n"
        "    if process.is_alive():\n"
        "        process.kill()\n"
        "        raise SystemExit('the child hung')\n"
        "    print(queue.get(timeout=5))\n"
    )
    env = {**os.environ, "XCNN_NUM_THREADS": "2"}
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert float(result.stdout) != 0.0


def test_the_caller_takes_the_first_share_and_waits_for_the_others_even_when_it_fails(monkeypatch):
    """One share runs in the calling thread, the rest on the pool, results in share order; when the
    caller's share raises, the others have finished before the error reaches the caller (nothing
    keeps writing into an output the caller has given up on)."""
    import threading
    import time

    monkeypatch.setattr(threads, "thread_count", lambda: 3)
    ran_in = {}

    def record(share):
        ran_in[share.start] = threading.current_thread()
        return share.start

    assert threads.in_thread_shares(9, threads.MIN_BYTES, record) == [0, 3, 6]
    assert ran_in[0] is threading.current_thread()
    assert all(ran_in[start] is not threading.current_thread() for start in (3, 6))

    finished = []

    def first_fails(share):
        if share.start == 0:
            raise RuntimeError("first share")
        time.sleep(0.05)
        finished.append(share.start)

    with pytest.raises(RuntimeError, match="first share"):
        threads.in_thread_shares(9, threads.MIN_BYTES, first_fails)
    assert sorted(finished) == [3, 6]
