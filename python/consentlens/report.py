"""The result of evaluating one site, with the conveniences a notebook wants."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from consentlens import _native

if TYPE_CHECKING:
    import pandas as pd

PHASES = ("before_consent", "after_accept", "after_reject")


@dataclass(frozen=True)
class Finding:
    """One problem found on a site, with the evidence that proves it."""

    id: str
    severity: str
    summary: str
    evidence: list[dict[str, Any]] = field(default_factory=list)
    basis: list[str] = field(default_factory=list)


class SiteReport:
    """A result document (schema version 1) and its screenshots.

    The document itself is plain data: :meth:`to_dict` and :meth:`to_json` give it exactly as the
    command line writes it, and the attributes below are shortcuts into it.
    """

    def __init__(self, native: _native.NativeReport) -> None:
        self._native = native
        self._data: dict[str, Any] = native.to_dict()

    @classmethod
    def from_json(cls, text: str, artifacts_dir: str | Path | None = None) -> SiteReport:
        """Reads a result document written by ``to_json``, ``consentlens scan`` or a study; its
        screenshots are read from ``artifacts_dir`` when given."""
        folder = None if artifacts_dir is None else str(artifacts_dir)
        return cls(_native.NativeReport.from_json(text, folder))

    # The document
    def to_dict(self) -> dict[str, Any]:
        return json.loads(self._native.to_json())

    def to_json(self, *, indent: int | None = None) -> str:
        return self._native.to_json(indent=indent)

    @property
    def url(self) -> str:
        return self._data["url"]

    @property
    def final_url(self) -> str | None:
        return self._data["final_url"]

    @property
    def status(self) -> str:
        return self._data["status"]

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def error(self) -> dict[str, str] | None:
        return self._data["error"]

    @property
    def provenance(self) -> dict[str, Any]:
        return self._data["provenance"]

    @property
    def banner(self) -> dict[str, Any] | None:
        return self._data["banner"]

    @property
    def click_paths(self) -> dict[str, Any] | None:
        return self._data["click_paths"]

    @property
    def phases(self) -> dict[str, Any]:
        return self._data["phases"]

    @property
    def metrics(self) -> dict[str, Any]:
        return self._data["metrics"]

    @property
    def findings(self) -> list[Finding]:
        return [
            Finding(
                id=f["id"],
                severity=f["severity"],
                summary=f["summary"],
                evidence=f.get("evidence", []),
                basis=f.get("basis", []),
            )
            for f in self._data["findings"]
        ]

    # Pictures
    @property
    def page_screenshot(self) -> bytes | None:
        """PNG of the viewport at the end of the first visit."""
        return self._native.page_screenshot

    @property
    def banner_screenshot(self) -> bytes | None:
        """PNG of the consent dialog, at device scale factor 2."""
        return _Png.wrap(self._native.banner_screenshot)

    @property
    def annotated_screenshot(self) -> bytes | None:
        """PNG of the dialog with each button's box, role and measured contrast drawn on it."""
        return _Png.wrap(self._native.annotated_screenshot)

    # Tables
    def to_pandas(self, table: str = "requests") -> pd.DataFrame:
        """One table of this report as a DataFrame: ``requests``, ``cookies``, ``events``
        (one row per item, with a ``phase`` column), ``buttons`` or ``findings``."""
        import pandas as pd

        rows: list[dict[str, Any]] = []
        if table in ("requests", "cookies", "events"):
            for phase in PHASES:
                observed = self.phases.get(phase)
                for item in (observed or {}).get(table, []):
                    rows.append({"phase": phase, **_flatten(item)})
        elif table == "buttons":
            rows = [_flatten(b) for b in (self.banner or {}).get("buttons", [])]
        elif table == "findings":
            rows = [
                {
                    "id": f.id,
                    "severity": f.severity,
                    "summary": f.summary,
                    "evidence": len(f.evidence),
                }
                for f in self.findings
            ]
        else:
            raise ValueError(
                f"unknown table {table!r}: use requests, cookies, events, buttons or findings"
            )
        return pd.DataFrame(rows)

    # Documents
    def html(self) -> str:
        """The self-contained HTML evidence report: provenance, the annotated dialog, click paths,
        findings with evidence, and what each tracker received. No scripts; prints to PDF."""
        return self._native.html()

    def save_html(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.html(), encoding="utf-8")
        return path

    def har(self) -> dict[str, Any]:
        """The network log of every observed phase as HAR 1.2 (one page per phase)."""
        return json.loads(self._native.har_json())

    def to_har(self, path: str | Path) -> Path:
        """Writes the HAR file. A folder gets a file named after the site."""
        path = Path(path)
        if path.is_dir():
            path = path / f"{self.file_stem()}.har"
        path.write_text(self._native.har_json(), encoding="utf-8")
        return path

    def file_stem(self) -> str:
        """A file name for this site: its host and a short hash of the URL."""
        host = urlsplit(self.url).hostname or "site"
        digest = hashlib.sha256(self.url.encode()).hexdigest()[:10]
        return f"{re.sub(r'[^A-Za-z0-9.-]', '_', host)}-{digest}"

    # Display
    def _repr_html_(self) -> str:
        return self._native.card_html()

    def __repr__(self) -> str:
        detail = f"error={self.error['kind']!r}" if self.error else f"findings={len(self.findings)}"
        return f"<SiteReport {self.url!r} status={self.status!r} {detail}>"


class _Png(bytes):
    """PNG bytes that show as an image in Jupyter."""

    @classmethod
    def wrap(cls, data: bytes | None) -> _Png | None:
        return None if data is None else cls(data)

    def _repr_png_(self) -> bytes:
        return bytes(self)


def _flatten(item: dict[str, Any]) -> dict[str, Any]:
    """Nested objects become ``parent.child`` columns; lists stay as they are."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, dict) and key not in ("data", "ids", "fields", "consent_mode"):
            for sub, sub_value in value.items():
                out[f"{key}.{sub}"] = sub_value
        else:
            out[key] = value
    return out
