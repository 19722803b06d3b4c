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


@pytest.fixture(scope="session")
def quick_crawl(chrome_args: list[str]) -> dict:
    """Options of ``consentlens.crawl`` for tests that need results, not click paths: the
    fixture web, a short settle, no wait for late dialogs, no exploring, no progress bar."""
    return {
        "chrome_args": chrome_args,
        "settle_s": 1.0,
        "banner_wait_s": 0.0,
        "explore": False,
        "timeout_s": 20.0,
        "progress": False,
    }


def processes_with_environment(name: str, value: str) -> set[int]:
    """PIDs of the live processes whose environment holds ``name=value``. Give a command a
    marker of its own this way, and its Chromiums (which inherit the environment, helpers
    included) can be found even after the command itself was killed."""
    needle = f"{name}={value}".encode()
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environment = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue  # gone meanwhile, or not ours to read
        if state != "Z" and needle in environment.split(b"\0"):
            found.add(int(entry.name))
    return found


def chromiums_with_environment(name: str, value: str) -> set[int]:
    """The Chromium processes (browser and helpers) among :func:`processes_with_environment`."""
    found = set()
    for pid in processes_with_environment(name, value):
        try:
            program = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0", 1)[0]
        except OSError:
            continue
        if b"chrom" in Path(program.decode(errors="replace")).name.encode():
            found.add(pid)
    return found
