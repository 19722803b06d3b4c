"""Crawls on Dask and on any concurrent.futures executor (issue 7): the same tables as a local
crawl of the same sites, one browser per worker kept between batches, results written as they
arrive, and no Chromium left once the cluster is gone."""

from __future__ import annotations

import multiprocessing
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster

import consentlens

from conftest import chromiums_with_environment

MARKER = "CONSENTLENS_TEST_DASK"
URLS = [
    "https://quiet.test/?n=1",
    "https://quiet.test/?n=2",
    "https://quiet.test/?n=3",
    "https://skeleton.test/",
    "https://dialog-equal.test/",
    "https://pharmacy.test/",
    "https://nxdomain.test/",
    "ftp://quiet.test/",
]


def stable_tables(study: consentlens.Study) -> dict[str, pd.DataFrame]:
    """The tables without what differs from run to run (times, ids, attempts' timing)."""
    columns = {
        "sites": [
            "url",
            "status",
            "error_kind",
            "final_url",
            # Not http_status: the recorder drops a response that arrives before its request (the
            # event streams are merged without order), which leaves it empty for about one visit in
            # 200 under load, in any crawl; see src/visit/recorder.rs.
            "title",
            "banner_found",
            "cmp",
            "requests_before_consent",
            "cookies_before_consent",
            "trackers_before_consent",
            "events_before_consent",
            "findings",
            "attempts",
        ],
        "requests": ["site_url", "phase", "url", "method", "resource_type", "third_party"],
        "cookies": ["site_url", "phase", "name", "domain", "third_party", "is_identifier"],
        "events": ["site_url", "phase", "vendor", "event", "request_url"],
        "buttons": ["site_url", "role", "text"],
        "findings": ["site_url", "id", "severity"],
    }
    tables = {}
    for name, keep in columns.items():
        table = study.table(name)[keep]
        tables[name] = table.sort_values(keep).reset_index(drop=True)
    return tables


def user_data_dirs(study: consentlens.Study) -> set[str]:
    """The profile folder of each browser that evaluated a site: one per launch."""
    folders = set()
    for url in study.sites.dropna(subset=["http_status"])["url"]:
        for arg in study.report(url).provenance["browser_args"]:
            if arg.startswith("--user-data-dir="):
                folders.add(arg)
    return folders


@pytest.fixture(scope="module")
def local_study(tmp_path_factory: pytest.TempPathFactory, quick_crawl: dict) -> consentlens.Study:
    store = tmp_path_factory.mktemp("local") / "study.sqlite"
    return consentlens.crawl(URLS, store=store, workers=2, **quick_crawl)


def test_a_dask_crawl_gives_the_tables_of_a_local_crawl(
    tmp_path: Path,
    quick_crawl: dict,
    local_study: consentlens.Study,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    marker = uuid.uuid4().hex
    # The workers, and their Chromiums, inherit the marker.
    monkeypatch.setenv(MARKER, marker)
    store = tmp_path / "study.sqlite"
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        study = consentlens.crawl(
            URLS, store=store, executor=client.get_executor(), batch_size=2, **quick_crawl
        )
        assert len(chromiums_with_environment(MARKER, marker)) >= 2, "a browser per worker"
        plugins = client.run(
            lambda dask_worker: sorted(
                name for name in dask_worker.plugins if name.startswith("consentlens-crawler")
            )
        )
        assert all(len(names) == 1 for names in plugins.values()), plugins

    mine, theirs = stable_tables(study), stable_tables(local_study)
    for name in mine:
        pd.testing.assert_frame_equal(mine[name], theirs[name], obj=name)
    assert len(mine["requests"]) > len(URLS), "the tables are not trivially empty"
    # Four batches on two workers, each worker with one browser kept between its batches.
    assert len(user_data_dirs(study)) == 2
    runs = study.runs
    assert len(runs) == 1 and not pd.isna(runs["finished_at"].iloc[0])
    # The plugin closed the browsers with the workers; nothing of the cluster is left.
    monkeypatch.delenv(MARKER)
    deadline = time.monotonic() + 15
    while chromiums_with_environment(MARKER, marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not chromiums_with_environment(MARKER, marker)


def test_any_concurrent_futures_executor_will_do(
    tmp_path: Path, quick_crawl: dict, local_study: consentlens.Study
) -> None:
    urls = URLS[:4]
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        study = consentlens.crawl(
            urls, store=tmp_path / "study.sqlite", executor=pool, batch_size=3, **quick_crawl
        )
    mine = stable_tables(study)["sites"]
    theirs = stable_tables(local_study)["sites"]
    theirs = theirs[theirs["url"].isin(urls)].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, theirs)
    assert len(user_data_dirs(study)) == 1, "one browser in the pool's one process"


def test_an_interrupted_executor_crawl_resumes(
    tmp_path: Path, quick_crawl: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sites are marked running before their batch is sent and written one by one as results
    arrive; those left running by an interruption are visited on the next crawl, and the
    others are not visited again."""
    import consentlens.dask as crawl_on_executors

    store = tmp_path / "study.sqlite"
    calls = 0
    original = crawl_on_executors._write

    def interrupt_after_first_site(*args, **kwargs) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt
        original(*args, **kwargs)

    monkeypatch.setattr(crawl_on_executors, "_write", interrupt_after_first_site)
    spawn = multiprocessing.get_context("spawn")
    urls = URLS[:3]
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        with pytest.raises(KeyboardInterrupt):
            consentlens.crawl(urls, store=store, executor=pool, batch_size=3, **quick_crawl)
        interrupted = consentlens.open_study(store).counts()
        assert (interrupted["ok"], interrupted["running"]) == (1, 2)
        monkeypatch.setattr(crawl_on_executors, "_write", original)
        study = consentlens.crawl(urls, store=store, executor=pool, batch_size=3, **quick_crawl)
    assert sorted(study.sites["attempts"]) == [1, 2, 2]
    assert study.counts()["ok"] == 3
