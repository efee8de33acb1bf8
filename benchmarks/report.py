"""Tables from the results file of ``one_class.py`` (``benchmarks/results/one_class.csv``): render, compare, check.

    python benchmarks/report.py table headline                   # AUROC in %, one table per data set
    python benchmarks/report.py table headline --dataset mnist --scores turn_cw_knn5s pca --published
    python benchmarks/report.py compare round11 headline         # criteria and AUROCs of two configs side by side
    python benchmarks/report.py tried                            # one line per round (benchmarks/rounds.toml)
    python benchmarks/report.py readme --check                   # are benchmarks/README.md's tables up to date?

Every table is computed from the rows, never typed: ``readme`` rewrites each block of benchmarks/README.md
that starts with ``<!-- report: ARGS -->`` and ends with ``<!-- /report -->`` with the output of
``report.py ARGS``, and ``--check`` only says whether it would change anything. Output goes to the screen,
or with ``--out FILE`` to a file.
"""
from __future__ import annotations

import argparse
import itertools
import re
import shlex
import sys
import tomllib
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "one_class.csv"
README = HERE / "README.md"
NAMES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}


def read(results: Path = RESULTS) -> pd.DataFrame:
    """The results file, every value to the last digit; the score of a screen's rows is empty."""
    return pd.read_csv(results, float_precision="round_trip", keep_default_na=False, na_values=[""])


def rows_of(results: pd.DataFrame, config: str) -> pd.DataFrame:
    rows = results[results.config == config]
    if rows.empty:
        raise SystemExit(f"no rows of config {config!r}; the results hold {sorted(results.config.unique())}")
    return rows


def cell(values: pd.Series, digits: int = 1) -> str:
    """Mean (± std when there are several) of AUROCs, in %."""
    values = values * 100
    return f"{values.mean():.{digits}f}" + (f" ± {values.std():.{digits}f}" if len(values) > 1 else "")


def table(results: pd.DataFrame, config: str, dataset: str, scores: list[str] | None = None,
          published: bool = False) -> str:
    """AUROC in % per class (mean ± std over seeds) and the mean over the classes (± std of the seeds' means)."""
    rows = rows_of(results, config)
    rows = rows[(rows.dataset == dataset) & rows.score.notna()]
    scores = scores or list(dict.fromkeys(rows.score))
    classes = sorted(rows["class"].unique())
    lines = [f"| {NAMES[dataset]} | " + " | ".join(map(str, classes)) + " | mean |", "|---" * (len(classes) + 2) + "|"]
    for i, score in enumerate(scores):
        part = rows[rows.score == score]
        if part.empty:
            raise SystemExit(f"config {config!r} has no rows of {score!r} on {dataset}")
        cells = [cell(part[part["class"] == c].auroc) for c in classes]
        mean = cell(part.groupby("seed").auroc.mean())
        name = f"**`{score}`**" if i == 0 else f"`{score}`"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {'**' + mean + '**' if i == 0 else mean} |")
    if published:
        known = pd.read_csv(HERE / "published.csv", dtype=str, keep_default_na=False)
        for row in known[known.dataset == dataset].itertuples():
            cells = [getattr(row, f"c{c}") for c in classes]
            lines.append(f"| {row.method} {row.check} | " + " | ".join(cells) + f" | {row.mean} |")
    seeds = sorted(rows.seed.unique())
    return "\n".join(lines) + f"\n\n*Config `{config}`, seeds {', '.join(map(str, seeds))}; " \
        f"{', '.join(sorted(rows.device.unique()))}; commit {', '.join(sorted(rows.commit.unique()))}.*\n"


def compare(results: pd.DataFrame, a: str, b: str, dataset: str) -> str:
    """Two configs on the (class, seed) runs both have: the label-free criteria, then every score both have."""
    key = ["class", "seed"]
    one, two = (rows[rows.dataset == dataset] for rows in (rows_of(results, a), rows_of(results, b)))
    runs = one[key].drop_duplicates().merge(two[key].drop_duplicates())
    if runs.empty:
        return f"{NAMES[dataset]}: {a} and {b} share no (class, seed) run\n"
    lines = [f"| {NAMES[dataset]}, {len(runs)} (class, seed) runs | `{a}` | `{b}` | `{b}` − `{a}` |",
             "|---|---|---|---|"]
    firsts = [r.merge(runs).groupby(key).first() for r in (one, two)]
    for criterion in [c for c in ("val_elbo", "val_mse", "w_turn", "pca_components") if
                      firsts[0][c].notna().any() and firsts[1][c].notna().any()]:
        x, y = (f[criterion].mean() for f in firsts)
        lines.append(f"| {criterion} (mean, label-free) | {x:.4g} | {y:.4g} | {y - x:+.3g} |")
    both = one.merge(two, on=[*key, "score"], suffixes=("_a", "_b")).dropna(subset=["auroc_a", "auroc_b"])
    for score, part in both.groupby("score", sort=False):
        x, y = part.auroc_a.mean() * 100, part.auroc_b.mean() * 100
        differ = (part.auroc_a != part.auroc_b).sum()
        most = (part.auroc_b - part.auroc_a).abs().max() * 100
        lines.append(f"| `{score}` AUROC % (mean; {differ} of {len(part)} runs differ" + (
            f", by up to {most:.2g}" if differ else "") + f") | {x:.2f} | {y:.2f} | {y - x:+.2f} |")
    return "\n".join(lines) + "\n"


def tried(results: pd.DataFrame, rounds: Path = HERE / "rounds.toml", log: Path = HERE / "LOG.md") -> str:
    """One line per round (``rounds.toml``): what changed, the label-free criterion (with the mean validation
    -ELBO of the configs it compares, MNIST / Fashion-MNIST), the result (the round's own score, mean AUROC in %
    per data set), kept or not, and a link to the round's entry in LOG.md."""
    headings = [line[3:] for line in log.read_text().splitlines() if line.startswith("## ")]
    lines = ["| round | what changed | label-free criterion | result: MNIST / Fashion-MNIST | kept? |",
             "|---|---|---|---|---|"]
    for entry in tomllib.loads(rounds.read_text())["round"]:
        values = []
        for config in entry.get("criterion_of", []):
            elbo = rows_of(results, config).groupby(["dataset", "class", "seed"]).val_elbo.first()
            values.append(f"`{config}` " + " / ".join(f"{elbo[d].mean():.2f}" for d in NAMES if d in elbo))
        criterion = entry["criterion"] + (f" ({'; '.join(values)} nats)" if values else "")
        result = entry.get("result", "")
        if "score" in entry:
            rows = rows_of(results, entry["config"])
            rows = rows[rows.score == entry["score"]]
            result = f"`{entry['score']}` " + " / ".join(
                f"{rows[rows.dataset == d].groupby('seed').auroc.mean().mean() * 100:.1f}" for d in NAMES)
        heading = next(h for h in headings if f"· Round {entry['round']}:" in h)
        lines.append(f"| [{entry['round']}](LOG.md#{slug(heading)}) | {entry['changed']} | {criterion} | {result} "
                     f"| {entry['kept']} |")
    return "\n".join(lines) + "\n"


def slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def include(path: Path) -> str:
    """The first Markdown table of a results file another script wrote (e.g. ``results/signals.md``), or a CSV
    file as a table (numbers to three decimals)."""
    if path.suffix == ".csv":
        rows = pd.read_csv(HERE / path)
        table = ["| " + " | ".join(rows.columns) + " |", "|---" * len(rows.columns) + "|"]
        table += ["| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + " |"
                  for row in rows.itertuples(index=False)]
    else:
        lines = (HERE / path).read_text().splitlines()
        first = next(i for i, line in enumerate(lines) if line.startswith("|"))
        table = list(itertools.takewhile(lambda line: line.startswith("|"), lines[first:]))
    return "\n".join(table) + f"\n\n*From [{path}]({path}).*\n"


def render(argv: list[str]) -> str:
    """The output of ``report.py`` with these arguments (a ``readme`` block's)."""
    args = parser().parse_args(argv)
    results = read(args.results)
    if args.command == "table":
        return "\n".join(table(results, args.config, d, args.scores, args.published)
                         for d in args.dataset or list(dict.fromkeys(rows_of(results, args.config).dataset)))
    if args.command == "compare":
        return "\n".join(compare(results, args.a, args.b, d) for d in args.dataset or NAMES)
    if args.command == "tried":
        return tried(results)
    if args.command == "include":
        return include(Path(args.path))
    raise SystemExit(f"{args.command} renders no table")


BLOCK = re.compile(r"(<!-- report: (?P<args>[^>]*?) -->\n)(?P<body>.*?)(<!-- /report -->)", re.S)


def readme(path: Path, check: bool) -> int:
    """Rewrite (or with ``check`` only compare) every ``<!-- report: ... -->`` block of ``path``; 1 if stale."""
    text = path.read_text()
    new = BLOCK.sub(lambda m: m.group(1) + render(shlex.split(m.group("args"))) + m.group(4), text)
    if new == text:
        print(f"{path.name}: every table is up to date")
        return 0
    if check:
        print(f"{path.name}: tables differ from the results; run python benchmarks/report.py readme")
        return 1
    path.write_text(new)
    print(f"{path.name}: tables rewritten from the results")
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    main.add_argument("--results", type=Path, default=RESULTS, help="the results file (default: %(default)s)")
    main.add_argument("--out", type=Path, default=None, help="write to this file instead of the screen")
    commands = main.add_subparsers(dest="command", required=True)
    one = commands.add_parser("table", help="a config's AUROCs, one table per data set")
    one.add_argument("config")
    one.add_argument("--dataset", nargs="+", default=None)
    one.add_argument("--scores", nargs="+", default=None, help="these rows in this order (default: all)")
    one.add_argument("--published", action="store_true", help="add the published rows (benchmarks/published.csv)")
    two = commands.add_parser("compare", help="two configs side by side on the runs both have")
    two.add_argument("a")
    two.add_argument("b")
    two.add_argument("--dataset", nargs="+", default=None)
    commands.add_parser("tried", help="what we tried: one line per round")
    shown = commands.add_parser("include", help="the table of a results file another script wrote")
    shown.add_argument("path", help="relative to benchmarks/, e.g. results/signals.md")
    check = commands.add_parser("readme", help="rewrite the tables of benchmarks/README.md from the results")
    check.add_argument("--check", action="store_true", help="only say whether they are up to date (exit 1 if not)")
    check.add_argument("--path", type=Path, default=README)
    return main


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    if args.command == "readme":
        return readme(args.path, args.check)
    text = render(argv)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
