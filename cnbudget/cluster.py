"""Extraction on a Dask cluster: the build's series mapped over `dask.distributed` workers, rows in plan order.

`dask_runner(scheduler="tcp://host:8786")` connects to a running scheduler;
`dask_runner(workers=2)` starts a `LocalCluster` of that many single-threaded worker processes.
Either yields a runner for `build_package(..., runner=...)`: it sends series to the workers in
batches (`cnbudget.package.build_many`), keeps a bounded window of batches in flight, and hands back
the results in the order the batches were submitted, so the package is the same byte for byte as
a local build. Workers must run the same cnbudget (the build compares the extractor version each
result carries) and read the sources at the same paths (shared storage).
"""

import logging
from collections import deque
from contextlib import contextmanager
from functools import partial

from cnbudget.errors import InputError
from cnbudget.package import build_many

BATCH_SERIES = 8  # series per task: ~40 documents, ~0.3 s of work against Dask's ~1 ms per task
TASKS_PER_WORKER = 4  # batches in flight per worker thread: enough to keep it busy, bounded memory
CONNECT_TIMEOUT = "20s"


class ClusterError(InputError):
    """The cluster could not be reached or lost a task."""


def batches(jobs, workers):
    """Jobs cut into batches, small enough that every worker gets some of a small corpus."""
    size = max(1, min(BATCH_SERIES, len(jobs) // max(1, workers * TASKS_PER_WORKER)))
    return [jobs[start:start + size] for start in range(0, len(jobs), size)]


def run_on_dask(client, jobs):
    """Results of `build_series` for each job, in job order, computed on the client's workers."""
    threads = max(1, sum(client.nthreads().values()))
    pending, queue = deque(), deque(batches(list(jobs), threads))
    window = threads * TASKS_PER_WORKER

    def submit():
        while queue and len(pending) < window:
            pending.append(client.submit(build_many, queue.popleft(), pure=False))

    submit()
    while pending:
        future = pending.popleft()
        try:
            results = future.result()
        except Exception as error:  # a worker died or could not import cnbudget
            raise ClusterError(client.scheduler.address, f"a cluster task failed: {type(error).__name__}: {error}")
        future.release()
        submit()
        yield from results


@contextmanager
def dask_runner(scheduler=None, workers=None):
    """A runner on the scheduler at `scheduler`, or on a LocalCluster of `workers` processes."""
    from dask.distributed import Client, LocalCluster

    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        else:
            cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
    except (OSError, TimeoutError) as error:
        raise ClusterError(scheduler or "LocalCluster", f"cannot start or reach the Dask cluster: {error}")
    try:
        yield partial(run_on_dask, client)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
