"""The README's Python examples run as written (the studies example gets its `urls` from the demo
web, and runs in a temporary folder so that its files land there)."""

from __future__ import annotations

import os
import re

from consentlens import demo

from conftest import REPO


def python_blocks() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_the_readme_has_python_examples() -> None:
    assert len(python_blocks()) >= 2


def test_readme_examples_run(tmp_path, monkeypatch, chrome_args) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONSENTLENS_PROGRESS", "0")
    namespace: dict = {}
    for block in python_blocks():
        if "crawl(" in block:
            # The study example: two demo sites, reached through the fixture web's mapping.
            web = demo.start_web()
            try:
                namespace["urls"] = [site.url for site in demo.manifest()[:2]]
                mapped = f"workers=2, chrome_args={web.chrome_args()!r})"
                block = block.replace("workers=4)", mapped)
                exec(compile(block, "README.md", "exec"), namespace)
            finally:
                web.stop()
            assert len(namespace["study"].sites) == 2
            assert os.path.exists(tmp_path / "tables")
        else:
            exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["report"].ok
