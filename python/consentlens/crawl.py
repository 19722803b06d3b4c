"""Crawling many sites into a study: on this machine (the Rust crawl engine), or on any
``concurrent.futures`` executor, Dask's included (see :mod:`consentlens.dask`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from consentlens import _native
from consentlens._progress import CrawlProgress
from consentlens.study import Study

# Options of a crawl beyond those of one evaluation (see src/crawl/mod.rs).
CRAWL_OPTIONS = frozenset(
    {"contexts_per_browser", "recycle_after_sites", "site_deadline_s", "retries"}
)
# Options of each evaluation, as for consentlens.Session.
EVALUATION_OPTIONS = frozenset(
    {
        "timeout_s",
        "settle_s",
        "banner_wait_s",
        "chrome_args",
        "locale",
        "timezone",
        "viewport",
        "explore",
        "allow_private_addresses",
        "chrome_path",
    }
)


def crawl(
    urls: Iterable[str],
    *,
    store: str | Path = "study.sqlite",
    workers: int | None = None,
    resume: bool = True,
    progress: bool = True,
    executor: Executor | Any | None = None,
    batch_size: int = 10,
    **config: Any,
) -> Study:
    """Evaluates every URL and writes each site to the study at ``store`` as soon as it is done.

    A crawl stopped at any moment (Ctrl-C, SIGTERM, a killed process, a power cut) resumes where
    it stopped when run again with the same ``store``: every site of the study that is not
    finished is visited, and none twice. URLs already finished in the study are not visited
    again; failed ones are retried with :meth:`Study.retry_failed`. Ctrl-C stops the crawl
    cleanly (visits in progress are abandoned, browsers killed) and raises ``KeyboardInterrupt``.

    Args:
        urls: the sites; bare host names (``nrk.no``) mean their https home page.
        store: the study file (SQLite), created when missing. Screenshots go in a folder
            beside it.
        workers: evaluations at once (default: one per processor). With an ``executor``, the
            evaluations at once on each of its workers (default 1).
        resume: ``False`` refuses a store that already holds sites, rather than adding to it.
        progress: show a progress bar (``CONSENTLENS_PROGRESS=0`` turns it off everywhere).
        executor: run the evaluations on this ``concurrent.futures`` executor, e.g.
            ``distributed.Client(...).get_executor()``; results come back to this process and
            are written here.
        batch_size: sites per task sent to the executor.
        **config: ``contexts_per_browser``, ``recycle_after_sites``, ``site_deadline_s`` and
            ``retries`` for the crawl, and the options of :class:`consentlens.Session`
            (``timeout_s``, ``settle_s``, ``chrome_args``, ``locale``, ``timezone``,
            ``viewport``, ``explore``, ``allow_private_addresses``, ``chrome_path``) plus
            ``banner_wait_s`` for each evaluation.

    Returns:
        The study, to read as tables.
    """
    unknown = sorted(set(config) - CRAWL_OPTIONS - EVALUATION_OPTIONS)
    if unknown:
        raise TypeError(f"crawl() got unknown options: {', '.join(unknown)}")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    url_list = _url_list(urls)
    path = Path(store)
    if not resume and path.exists() and Study(path).counts()["total"] > 0:
        raise FileExistsError(
            f"{path} already holds a study; pass resume=True to continue it, "
            "or choose another store"
        )
    if "chrome_args" in config:
        config["chrome_args"] = list(config["chrome_args"])

    native_store = _native.StudyStore(str(path))
    try:
        native_store.add_urls(url_list)
        counts = native_store.counts()
        if executor is None:
            # The native crawl keeps its own connection: one writer at a time.
            native_store.close()
    except BaseException:
        native_store.close()
        raise
    done_before = counts["ok"] + counts["error"]
    with CrawlProgress(counts["total"], done_before=done_before, enabled=progress) as bar:
        if executor is None:
            _native.crawl(
                str(path),
                url_list,
                workers=workers,
                on_progress=bar.update if bar.enabled else None,
                **config,
            )
        else:
            from consentlens.dask import crawl_with_executor

            try:
                crawl_with_executor(
                    native_store,
                    executor,
                    workers=workers or 1,
                    batch_size=batch_size,
                    config=config,
                    on_progress=bar.update,
                )
            finally:
                native_store.close()
    return Study(path)


def _url_list(urls: Iterable[str]) -> list[str]:
    if isinstance(urls, (str, bytes)):
        raise TypeError("urls must be a list of URLs, not one string")
    url_list = []
    for url in urls:
        if not isinstance(url, str):
            raise TypeError(f"URLs must be strings, not {type(url).__name__}")
        stripped = url.strip()
        if stripped:
            url_list.append(stripped)
    return url_list


def run_config(config: dict[str, Any], **extra: Any) -> str:
    """The configuration of a crawl run as recorded in the study (``runs.config_json``)."""
    return json.dumps({**config, **extra}, sort_keys=True, default=str)
