"""The notebooks are kept without outputs (they are executed by the test run, with nbmake)."""

from __future__ import annotations

import json

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_the_three_notebooks_are_there() -> None:
    names = {n.name for n in NOTEBOOKS}
    assert {"01_quickstart.ipynb", "02_study.ipynb", "03_evidence.ipynb"} <= names


def test_notebooks_are_stored_without_outputs() -> None:
    for notebook in NOTEBOOKS:
        cells = json.loads(notebook.read_text())["cells"]
        for cell in cells:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [], f"{notebook.name}: outputs are stored"
                assert cell["execution_count"] is None, f"{notebook.name}: execution counts"
