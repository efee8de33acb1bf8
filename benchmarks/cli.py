"""What the benchmark scripts share: command-line options (threads, jobs, data and output folders) and
running tasks in worker processes."""
from __future__ import annotations

import argparse
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import torch
from threadpoolctl import threadpool_limits

import vaetools as vt


def add_common_options(parser: argparse.ArgumentParser, default_out: str | Path | None = None) -> None:
    """Add ``--threads``, ``--data`` and ``--out`` (default ``default_out``, else ``benchmarks/results``)."""
    parser.add_argument("--threads", type=int, default=None,
                        help="torch and BLAS (NumPy, scikit-learn) threads (default: the libraries' choice)")
    parser.add_argument("--data", default=None, help="data folder (default: $VAETOOLS_DATA, else ./data)")
    parser.add_argument("--out", default=str(default_out or Path(__file__).parent / "results"),
                        help="the folder the results are written to (default: %(default)s)")


def add_jobs_option(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--jobs``: how many ``what`` (e.g. "classes") run at once in worker processes."""
    parser.add_argument("--jobs", type=int, default=None,
                        help=f"{what} trained at once, in worker processes that share the --threads (default: "
                             "one per CPU core, one thread each; 1 on a GPU)")


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse the arguments and apply ``--threads`` (to torch and to the BLAS libraries loaded so far)."""
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
        threadpool_limits(limits=args.threads)
    return args


def jobs_and_threads(jobs: int | None, tasks: int) -> tuple[int, int]:
    """How many worker processes to run and how many threads each gets.

    ``jobs`` None means one process per core (torch's thread count: ``--threads`` if given, else the
    physical cores) on a CPU and one on a GPU; never more processes than ``tasks``. The cores are shared
    out among the processes.
    """
    cores = torch.get_num_threads()
    jobs = jobs or (1 if vt.default_device().type == "cuda" else cores)
    jobs = max(1, min(jobs, tasks))
    return jobs, max(1, cores // jobs) if jobs > 1 else cores


def map_jobs(function: Callable, items: Sequence, jobs: int, threads: int, *constants,
             on_result: Callable | None = None) -> list:
    """``[function(item, *constants) for item in items]``, in ``jobs`` spawned worker processes with
    ``threads`` torch and BLAS threads each (in this process when ``jobs`` is 1); results in item order.
    ``on_result(result)`` is called in this process as each result comes in (e.g. to save it at once)."""
    keep = on_result or (lambda result: None)
    if jobs == 1:
        results = []
        for item in items:
            results.append(function(item, *constants))
            keep(results[-1])
        return results
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no forked torch thread pools
    with ProcessPoolExecutor(jobs, mp_context=spawn, initializer=_limit_threads, initargs=(threads,)) as pool:
        futures = [pool.submit(function, item, *constants) for item in items]
        for future in as_completed(futures):
            keep(future.result())
        return [future.result() for future in futures]


def _limit_threads(threads: int) -> None:
    """A worker's torch and BLAS (NumPy, scikit-learn) threads."""
    torch.set_num_threads(threads)
    threadpool_limits(limits=threads)
