"""Many image files from the command line, in this process or on a Dask cluster.

``xcnn edges`` takes files, directories and glob patterns
(:func:`expand_sources`) and, with ``--workers N`` (a local cluster of N
one-thread worker processes) or ``--scheduler ADDRESS`` (a running
``distributed`` scheduler), runs one task per image on the cluster
(:func:`run_tasks`). At most a few tasks per worker thread are in flight, so
neither the scheduler nor the workers hold more than that many images,
however many files there are. Dask is imported only when one of the two
options is given.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import itertools
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["IMAGE_SUFFIXES", "add_cluster_options", "cluster_client", "expand_sources", "run_tasks"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
CONNECT_TIMEOUT = "10s"
"""How long ``--scheduler`` waits for the scheduler to answer before giving up with an error."""
TASKS_PER_THREAD = 4
"""Tasks kept in flight per worker thread: enough to hide the scheduler's round trip, few enough to
bound the images held in memory."""


def expand_sources(items: Sequence[str]) -> list[Path]:
    """Files as given; a directory's PNG and JPEG files (sorted, not recursive); a glob pattern's matches (sorted).

    A pattern that matches nothing, a missing file and a directory without
    images stay as given, so the caller reports them by name with the other
    unreadable images.
    """
    sources: list[Path] = []
    for item in items:
        path = Path(item)
        try:
            listed = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES) if path.is_dir() else []
        except OSError:  # an unreadable directory: reported with the files that cannot be read
            listed = []
        images = [p for p in listed if p.is_file()]
        if images:
            sources += images
        elif glob.has_magic(item) and (matches := sorted(glob.glob(item))):
            sources += [Path(m) for m in matches]
        else:
            sources.append(path)
    return sources


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        msg = f"must be a whole number of at least 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def add_cluster_options(parser: argparse.ArgumentParser) -> None:
    """``--workers N`` and ``--scheduler ADDRESS``, one or the other (both need ``xcnn[dask]``)."""
    group = parser.add_argument_group("cluster (pip install 'xcnn[dask]')")
    exclusive = group.add_mutually_exclusive_group()
    exclusive.add_argument(
        "--workers", type=_positive, metavar="N",
        help="run on a local Dask cluster of N worker processes, one thread each",
    )
    exclusive.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786)"
    )


@contextlib.contextmanager
def cluster_client(args: argparse.Namespace) -> Iterator[Any]:
    """A ``distributed.Client`` for ``--workers``/``--scheduler``; None without either.

    Raises
    ------
    RuntimeError
        ``distributed`` is not installed, or the scheduler cannot be reached (the message says which).
    """
    if args.workers is None and args.scheduler is None:
        yield None
        return
    try:
        import distributed
    except ImportError as exc:
        msg = f"--workers and --scheduler need Dask's distributed scheduler: pip install 'xcnn[dask]' ({exc})"
        raise RuntimeError(msg) from exc
    if args.scheduler is not None:
        try:
            client = distributed.Client(args.scheduler, timeout=CONNECT_TIMEOUT)
        except OSError as exc:
            msg = f"cannot reach the Dask scheduler at {args.scheduler!r}: {exc}"
            raise RuntimeError(msg) from exc
        with client:
            yield client
        return
    cluster = distributed.LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


def run_tasks(client: Any, task: Callable[..., Any], arguments: Sequence[tuple[Any, ...]]) -> Iterator[tuple[int, Any]]:
    """``(index, task(*arguments[index]))`` as each finishes, with a bounded number of tasks in flight.

    With `client` None the tasks run here, one after the other, in order.
    """
    if client is None:
        for index, args in enumerate(arguments):
            yield index, task(*args)
        return
    import distributed

    threads = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values()) or 1
    pending = iter(enumerate(arguments))

    indices: dict[str, int] = {}  # a future's key -> which input it was

    def submit(index: int, args: tuple[Any, ...]) -> Any:
        future = client.submit(task, *args, pure=False)
        indices[future.key] = index
        return future

    running = distributed.as_completed([submit(i, a) for i, a in itertools.islice(pending, TASKS_PER_THREAD * threads)])
    for future in running:
        index, result = indices.pop(future.key), future.result()
        future.release()  # the result is ours now; the worker may forget it
        for i, a in itertools.islice(pending, 1):
            running.add(submit(i, a))
        yield index, result
