"""The built-in demo web: ten small Norwegian sites modelled on the kinds of site in the Norwegian
Data Protection Authority's 2025 pixel inspections, served over HTTPS on 127.0.0.1 by the
package itself (see ``sites/README.txt``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from consentlens._native import WebServer


@dataclass(frozen=True)
class DemoSite:
    host: str
    url: str
    title: str
    kind: str
    intended: tuple[str, ...]


def sites_root() -> Path:
    return Path(str(resources.files("consentlens.demo") / "sites"))


def manifest() -> list[DemoSite]:
    """The demo sites, each with the findings it is built to trigger."""
    text = (resources.files("consentlens.demo") / "manifest.json").read_text(encoding="utf-8")
    return [
        DemoSite(
            host=s["host"],
            url=s["url"],
            title=s["title"],
            kind=s["kind"],
            intended=tuple(s["intended"]),
        )
        for s in json.loads(text)
    ]


def start_web() -> WebServer:
    """Starts the demo web on a free port; pass ``server.chrome_args()`` to the browser."""
    return WebServer([str(sites_root())])
