"""The notebooks' prose cannot drift from their outputs (tests/README.md, "Numbers in prose").

Every number that a markdown cell quotes (a decimal such as 0.922 or 2.2, or a count written with a
thousands separator such as 1,135) must be *printed* by the nearest code cell above it, be *asserted*
in the notebook's self-check (its last code cell), or be a setting that a code cell writes out. The
References section and the run time in the opening box are exempt. The test reads the stored
notebooks, so it checks the prose against the outputs that were stored with it.
"""
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("[0-9]*.ipynb"))

#: A decimal (0.922, 97.5) or an integer with thousands separators (1,135), not part of a longer token.
NUMBER = re.compile(r"(?<![\w.,^])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)(?![\w,]*\d)")
CODE_SPAN = re.compile(r"`[^`]*`")
LINK_TARGET = re.compile(r"\]\([^)]*\)")


def _text(cell: dict) -> str:
    return "".join(cell["source"])


def _outputs(cell: dict) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        parts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def _prose(markdown: str) -> str:
    """The markdown without code blocks, code spans, link targets, the References section and the
    opening box's run time."""
    kept, fence, skipping = [], False, False
    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            fence = not fence
            continue
        if line.startswith("#"):
            skipping = bool(re.match(r"#+\s*References", line))
        if fence or skipping or "Run time" in line:
            continue
        kept.append(LINK_TARGET.sub("]", CODE_SPAN.sub(" ", line)))
    return "\n".join(kept)


def _found(number: str, text: str) -> bool:
    plain = number.replace(",", "")
    pattern = rf"(?<![\d.]){re.escape(plain)}(?![\d])"
    text = re.sub(r"(?<=\d)[,_](?=\d)", "", text)  # 1,135 as printed, 1_135 as written in Python
    return re.search(pattern, text) is not None


def unsupported_numbers(path: Path) -> list[str]:
    """``"cell N: number"`` for every number in the prose that nothing in the notebook backs."""
    cells = json.loads(path.read_text())["cells"]
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    self_check = _text(cells[code[-1]])
    settings = "\n".join(_text(cells[i]) for i in code)
    missing = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        above = [j for j in code if j < i]
        printed = _outputs(cells[above[-1]]) if above else ""
        for number in NUMBER.findall(_prose(_text(cell))):
            if not any(_found(number, text) for text in (printed, self_check, settings)):
                missing.append(f"cell {i}: {number}")
    return missing


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_quoted_number_is_printed_above_or_asserted(path):
    assert unsupported_numbers(path) == []


def test_the_check_finds_a_number_that_nothing_backs(tmp_path):
    cells = [
        {"cell_type": "code", "source": ["x = 1"], "outputs": [{"output_type": "stream", "text": "AUROC 0.9992"}]},
        {"cell_type": "markdown", "source": ["The AUROC is 0.9992, not 0.9991; 1,135 images. `0.5` is code.\n",
                                             "## References\n", "Journal 12.3, 2014."]},
        {"cell_type": "code", "source": ["assert n == 1135"], "outputs": []},
    ]
    path = tmp_path / "01_x.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    assert unsupported_numbers(path) == ["cell 1: 0.9991"]
