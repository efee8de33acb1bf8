"""Command-line options both benchmark scripts share: threads, data folder, output folder."""
from __future__ import annotations

import argparse
from pathlib import Path

import torch
from threadpoolctl import threadpool_limits


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--threads``, ``--data`` and ``--out`` to ``parser``."""
    parser.add_argument("--threads", type=int, default=None,
                        help="torch and BLAS (NumPy, scikit-learn) threads (default: the libraries' choice)")
    parser.add_argument("--data", default=None, help="data folder (default: $VAETOOLS_DATA, else ./data)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse the arguments and apply ``--threads`` (to torch and to the BLAS libraries loaded so far)."""
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
        threadpool_limits(limits=args.threads)
    return args
