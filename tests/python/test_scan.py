"""The walking skeleton from Python and from the command line (issue 2)."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

import consentlens
from consentlens.exceptions import (
    BrowserNotFoundError,
    ConfigError,
    ConsentlensError,
    ResultFormatError,
)

from conftest import chromium_processes


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "consentlens", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def stable(document: dict) -> dict:
    """A document without what differs between two runs (times, ids, durations)."""
    document = json.loads(json.dumps(document))
    # The browser's temporary profile folder differs between two launches.
    for key in ("started_at", "finished_at", "browser_args"):
        document["provenance"].pop(key)
    document["metrics"].pop("duration_ms")
    for phase in document["phases"].values():
        if phase:
            for request in phase["requests"]:
                request.pop("time_ms")
            for frame in phase.get("websocket_frames", []):
                frame.pop("time_ms")
            phase["cookies"] = sorted(
                (c["name"], c["domain"], c["third_party"]) for c in phase["cookies"]
            )
            phase["requests"] = sorted(
                (r["method"], r["url"], r["resource_type"]) for r in phase["requests"]
            )
    if document["banner"]:
        document["banner"].pop("appeared_after_ms", None)
    return document


def test_skeleton_fixture_from_python(session, schema) -> None:
    report = session.evaluate("https://skeleton.test/")
    assert report.ok, report.error
    document = report.to_dict()
    jsonschema.validate(document, schema)
    before = report.phases["before_consent"]
    pixel = [r for r in before["requests"] if r["url"].startswith("https://www.facebook.com/tr/")]
    assert pixel and "ev=PageView" in pixel[0]["url"]
    assert pixel[0]["tracker"]["vendor"] == "Meta Pixel"
    beacon = [r for r in before["requests"] if "collector.tracker.test/beacon" in r["url"]]
    assert beacon and "cl-beacon-4f2a9c" in beacon[0]["post_data"]
    cookies = {c["name"]: c for c in before["cookies"]}
    assert cookies["fp_session"]["third_party"] is False
    assert cookies["tp_uid"]["third_party"] is True
    assert report.provenance["third_party_cookies"] == "allowed"
    assert report.provenance["browser_version"].startswith("Chromium ")
    assert {f.id for f in report.findings} == {"no-banner-but-tracking"}


def test_python_and_cli_give_the_same_document(session, chrome_args, tmp_path) -> None:
    from_python = session.evaluate("https://dialog-equal.test/").to_dict()
    out = tmp_path / "out.jsonl"
    result = run_cli(
        "scan",
        "https://dialog-equal.test/",
        "--out",
        str(out),
        "--settle-s",
        "1.5",
        *[f"--chrome-arg={a}" for a in chrome_args],
    )
    assert result.returncode == 0, result.stderr
    (line,) = out.read_text().splitlines()
    from_cli = json.loads(line)
    assert stable(from_cli) == stable(from_python)


def test_a_failing_site_gets_its_document_and_the_next_is_observed(chrome_args, schema) -> None:
    result = run_cli(
        "scan",
        "https://refused.test/",
        "javascript:alert(1)",
        "https://quiet.test/",
        "--no-explore",
        "--settle-s",
        "1",
        *[f"--chrome-arg={a}" for a in chrome_args],
    )
    assert result.returncode == 1, result.stderr
    documents = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["status"] for d in documents] == ["error", "error", "ok"]
    assert documents[0]["error"]["kind"] == "connection_refused"
    assert documents[1]["error"]["kind"] == "forbidden_scheme"
    for document in documents:
        jsonschema.validate(document, schema)


def test_bad_usage_exits_with_2() -> None:
    assert run_cli("scan").returncode == 2
    assert run_cli("no-such-command").returncode == 2
    assert run_cli("scan", "https://quiet.test/", "--timeout-s", "soon").returncode == 2


def test_no_chromium_is_left_behind() -> None:
    before = chromium_processes()
    with consentlens.Session(explore=False) as s:
        assert not s.closed
        s.evaluate("about:blank")  # refused before any browser work
    assert chromium_processes() <= before


def test_errors_are_typed(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CONSENTLENS_CHROME", str(tmp_path / "no-such-chromium"))
    with pytest.raises(ConsentlensError):
        consentlens.evaluate("https://quiet.test/", explore=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CONSENTLENS_CHROME")
    with pytest.raises(BrowserNotFoundError, match="apt-get install -y chromium"):
        consentlens.evaluate("https://quiet.test/", explore=False)
    with pytest.raises(ConfigError):
        consentlens.Session(timeout_s=-1)
    with pytest.raises(ConfigError, match="banner_wait_s"):
        consentlens.Session(banner_wait_s=float("nan"))


def test_report_documents(session, tmp_path) -> None:
    report = session.evaluate("https://dialog-lowcontrast.test/")
    html = report.save_html(tmp_path / "r.html").read_text()
    assert "reject-low-contrast" in html and "<script" not in html.lower()
    har = report.har()
    assert har["log"]["version"] == "1.2"
    # A third-party HAR reader takes it back, page by page, with every entry.
    from haralyzer import HarParser

    parsed = HarParser(har)
    assert {page.page_id for page in parsed.pages} == {
        "before_consent",
        "after_accept",
        "after_reject",
    }
    assert sum(len(page.entries) for page in parsed.pages) == len(har["log"]["entries"]) > 0
    assert report.to_har(tmp_path).suffix == ".har"
    assert report.banner_screenshot.startswith(b"\x89PNG")
    assert report._repr_html_().startswith("<")
    assert set(report.to_pandas("buttons")["role"]) == {"accept_all", "reject_all"}


def test_result_files_read_back_whole_or_refused_with_a_reason(session, tmp_path) -> None:
    report = session.evaluate("https://skeleton.test/")
    again = consentlens.SiteReport.from_json(report.to_json())
    assert again.to_dict() == report.to_dict()
    document = report.to_dict()
    document["schema_version"] = 2
    with pytest.raises(ResultFormatError, match="schema version 2"):
        consentlens.SiteReport.from_json(json.dumps(document))
    with pytest.raises(ResultFormatError, match="not a consentlens result document"):
        consentlens.SiteReport.from_json('{"url": 1}')
