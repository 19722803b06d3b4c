"""Shared fixtures: the HTTPS fixture web (tests/sites) on 127.0.0.1, the Chromium arguments that
send every host name to it, and one browser session for the tests that only read results."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import consentlens

REPO = Path(__file__).resolve().parents[2]
SITES = REPO / "tests" / "sites"


@pytest.fixture(scope="session")
def fixture_web() -> Iterator[consentlens.WebServer]:
    server = consentlens.WebServer([str(SITES)])
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chrome_args(fixture_web: consentlens.WebServer) -> list[str]:
    """Send every host to the fixture web, except two names kept for failures:
    ``refused.test`` (a closed port) and ``nxdomain.test`` (does not resolve)."""
    args = fixture_web.chrome_args()
    return [
        a.replace(
            "--host-resolver-rules=",
            "--host-resolver-rules=MAP refused.test 127.0.0.1:1, MAP nxdomain.test ~NOTFOUND, ",
        )
        for a in args
    ]


@pytest.fixture(scope="session")
def session(chrome_args: list[str]) -> Iterator[consentlens.Session]:
    with consentlens.Session(chrome_args=chrome_args, settle_s=1.5) as s:
        yield s


@pytest.fixture(scope="session")
def schema() -> dict:
    return json.loads((REPO / "docs" / "schema" / "site-report.v1.json").read_text())


@pytest.fixture(autouse=True)
def every_result_follows_the_schema(monkeypatch, schema) -> None:
    """Every result document any test produces is validated against the published schema."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    original = consentlens.SiteReport.__init__

    def validating_init(self, native) -> None:
        original(self, native)
        validator.validate(self.to_dict())

    monkeypatch.setattr(consentlens.SiteReport, "__init__", validating_init)


def chromium_processes() -> set[int]:
    """PIDs of the Chromium processes consentlens started (their profile folder says so)."""
    out = subprocess.run(
        ["pgrep", "-f", "consentlens-chromium-"], capture_output=True, text=True, check=False
    ).stdout
    return {int(pid) for pid in out.split()} - {os.getpid()}
