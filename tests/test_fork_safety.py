"""A process forked while another of its threads compiles a kernel runs in the child.

The child of ``os.fork()`` has only the forking thread: a lock that another
thread held at the fork (xcnn's compile lock, Numba's, llvmlite's) would
stay held, and the child's first compile would wait forever. multiprocessing's "fork" start method and data-loader
workers do exactly this.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from .helpers import ROOT

pytest.importorskip("numba", reason="the compiled kernels need Numba")
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")

SCRIPT = textwrap.dedent(
    """
    import faulthandler, os, sys, threading, time
    import numpy as np
    from xcnn import functional as F
    from xcnn._backends.numpy.numba import available as _jit

    x = np.ones((2, 12, 12, 16), np.float32)
    w = np.ones((3, 3, 16, 16), np.float32)
    # Imports done before the fork: a fork while another thread is halfway through an import
    # leaves the child that module's import lock, which nothing can free (see xcnn._backends.numpy.numba.compile).
    F.conv2d(x[..., :1], w[:, :, :1, :1])
    import xcnn._backends.numpy.numba.direct_conv, xcnn._backends.numpy.numba.pool
    compiling = threading.Thread(target=F.conv2d, args=(x, w), kwargs={"padding": 1})
    compiling.start()
    time.sleep({delay})  # into the compile (an empty cache: seconds)
    busy = compiling.is_alive()
    pid = os.fork()
    if pid == 0:
        import signal
        # a hung child says where, and ends itself (not armed in the parent: its watchdog's lock
        # would be held in the child)
        faulthandler.dump_traceback_later(200, exit=True)
        signal.alarm(230)
        z = F.conv2d(x, w, padding=1)
        os._exit(0 if z.shape == (2, 12, 12, 16) and float(z[0, 5, 5, 0]) == 144.0 else 3)
    compiling.join()
    _, status = os.waitpid(pid, 0)
    print("busy at the fork:", busy, "child exit:", os.waitstatus_to_exitcode(status))
    """
)


@pytest.mark.parametrize("delay", [0.0, 0.3, 1.5])
def test_fork_while_a_kernel_compiles(delay: float, tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XCNN_")}
    env["NUMBA_CACHE_DIR"] = str(tmp_path)  # empty: the kernels compile, in the parent and in the child
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.replace("{delay}", str(delay))],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,  # two compiles on a busy machine
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "child exit: 0" in result.stdout, result.stdout + result.stderr[-3000:]
