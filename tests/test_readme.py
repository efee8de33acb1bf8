"""The README's quick starts run as written, on a small generated image folder and CSV file, so they
cannot go stale."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

README = Path(__file__).resolve().parents[1] / "README.md"


def quickstart(name: str) -> str:
    """The code block that follows ``<!-- quickstart: name -->`` in the README."""
    found = re.search(rf"<!-- quickstart: {name} -->\s*```(?:python|bash)\n(.*?)```", README.read_text(), re.S)
    assert found, f"README.md has no quick start {name!r}"
    return found.group(1)


def run_snippet(code: str, folder: Path, monkeypatch, capsys) -> str:
    """Execute ``code`` in ``folder`` as a user would paste it; return what it printed."""
    monkeypatch.chdir(folder)
    exec(compile(code, f"README quick start in {folder.name}", "exec"), {"__name__": "__main__"})
    return capsys.readouterr().out


def aurocs(printed: str) -> dict[str, float]:
    """``name value`` lines of the snippet's output."""
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in printed.strip().splitlines()}


def write_image_folder(folder: Path, seed: int = 0) -> None:
    """``good/``: a bright horizontal bar at a random height on a dark, slightly noisy ground; ``scratch/``: the
    same with a diagonal scratch across it. 40x40 RGB PNGs, which the quick start resizes and makes grey."""
    rng = np.random.default_rng(seed)
    for label, count in (("good", 200), ("scratch", 40)):
        (folder / label).mkdir(parents=True)
        for i in range(count):
            image = rng.integers(0, 12, (40, 40, 3)).astype(np.uint8)
            row = rng.integers(8, 28)
            image[row:row + 5, 6:34] = 220
            if label == "scratch":
                start = rng.integers(0, 10)
                for j in range(28):
                    image[start + j, 6 + j:8 + j] = 220
            Image.fromarray(image).save(folder / label / f"{i:03d}.png")


def test_images_quick_start(tmp_path, monkeypatch, capsys):
    write_image_folder(tmp_path / "my_images")
    printed = run_snippet(quickstart("images"), tmp_path, monkeypatch, capsys)
    scores = aurocs(printed)
    assert scores["VAE"] > 0.9, printed
    assert {"PCA reconstruction", "IsolationForest", "LocalOutlierFactor"} <= set(scores)
    assert (tmp_path / "images.pt").is_file()


def write_rows(folder: Path, seed: int = 0) -> None:
    """``sensors.csv``: six correlated sensor readings per row, 600 rows ``ok`` and 60 ``fault`` rows whose
    readings break the correlation; ``new_rows.csv``: ten unlabelled rows with an ``id`` column."""
    rng = np.random.default_rng(seed)

    def readings(n: int, fault: bool) -> np.ndarray:
        level = rng.normal(size=(n, 1))
        values = level * np.array([1.0, 0.8, -0.5, 1.2, 0.3, -1.0]) + 0.1 * rng.normal(size=(n, 6))
        if fault:
            values[:, rng.integers(0, 6, n)[0]] += 3.0
        return values

    columns = [f"s{i}" for i in range(6)]
    table = pd.concat([pd.DataFrame(readings(600, False), columns=columns).assign(state="ok"),
                       pd.DataFrame(readings(60, True), columns=columns).assign(state="fault")])
    table.sample(frac=1.0, random_state=seed).to_csv(folder / "sensors.csv", index=False)
    new = pd.DataFrame(readings(10, False), columns=columns)
    new.insert(0, "id", [f"row{i}" for i in range(10)])
    new.to_csv(folder / "new_rows.csv", index=False)


def test_rows_quick_start_and_the_command_line(tmp_path, monkeypatch, capsys):
    write_rows(tmp_path)
    printed = run_snippet(quickstart("rows"), tmp_path, monkeypatch, capsys)
    scores = aurocs(printed)
    assert scores["VAE"] > 0.9, printed
    assert {"PCA reconstruction", "IsolationForest", "LocalOutlierFactor"} <= set(scores)
    command = quickstart("cli").split()
    assert command[0] == "vaetools-detect"
    executable = Path(sys.executable).parent / "vaetools-detect"  # installed by the README's install command
    subprocess.run([str(executable), *command[1:]], cwd=tmp_path, check=True)
    written = pd.read_csv(tmp_path / "scores.csv")
    assert list(written.columns) == ["id", "score", "is_anomaly"] and len(written) == 10


def test_results_quote_their_sources():
    """Every number in the README's results table and in "When a VAE does not pay" is in the notebook or
    results file that its row or item links to, so the front door cannot drift from the outputs it quotes."""
    text = README.read_text()
    section = text[text.index("## Results"):text.index("## Further reading")]
    items = re.split(r"\n(?=\||- )", section)  # table rows and list items, each with its continuation lines
    checked = 0
    for item in items:
        links = [README.parent / link for link in re.findall(r"\]\(([^)#]+)\)", item) if "://" not in link]
        numbers = re.findall(r"(?<![\w.])\d+\.\d+(?![\w.])", re.sub(r"\]\([^)]*\)", "]", item))
        if numbers and links:
            sources = "".join(path.read_text() for path in links)
            missing = [number for number in numbers if number not in sources]
            assert not missing, f"{missing} of README {item!r} are not in {[str(p) for p in links]}"
            checked += len(numbers)
    assert checked >= 30, f"only {checked} numbers of the results and the list were checked against a source"
