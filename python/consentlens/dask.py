"""Crawls on Dask (or any ``concurrent.futures`` executor): batches of sites go to the workers,
each worker keeps its browsers alive between batches, and results stream back to be written to
the study in this process, as they arrive.

::

    from distributed import Client
    client = Client("tcp://scheduler:8786")
    study = consentlens.crawl(urls, store="study.sqlite", executor=client.get_executor())

Each worker evaluates with the same engine as a local crawl (per-site deadline, retries,
browser recycling; see ``src/crawl``), so both give the same tables. Sites are marked as running
before their batch is sent; a crawl interrupted at any point (the client killed, a worker lost)
resumes like a local one. With a ``distributed`` client, a worker plugin holds each worker's
browsers and closes them when the worker shuts down; with any other executor (a process pool),
each process keeps one crawler per configuration and closes it at exit. See ``docs/scaling.md``.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import itertools
import json
import multiprocessing.util
import os
import threading
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from typing import Any

from consentlens import _native
from consentlens.crawl import run_config

try:
    from distributed import WorkerPlugin as _WorkerPluginBase
except ImportError:  # distributed is optional: any executor will do
    _WorkerPluginBase = object  # type: ignore[assignment,misc]

# How long the client waits for a batch before updating the progress bar.
_POLL_S = 0.25
# How many times a batch whose task failed (a worker lost, a crash outside the evaluation) is
# sent again before the crawl gives up.
BATCH_RETRIES = 1


def plugin_name(config: Mapping[str, Any]) -> str:
    """The name a configuration's plugin is registered under: crawls with different options
    keep different browsers."""
    digest = hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()
    return f"consentlens-crawler-{digest[:12]}"


class _CrawlerHolder:
    """One crawler, started when its first batch arrives, used by one batch at a time."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self._config = dict(config)
        self._lock = threading.Lock()
        self._crawler: _native.Crawler | None = None

    def evaluate(self, urls: list[str]) -> list[dict[str, Any]]:
        with self._lock:
            if self._crawler is None:
                self._crawler = _native.Crawler(**self._config)
            return self._crawler.evaluate_batch(urls)

    def close(self) -> None:
        with self._lock:
            if self._crawler is not None:
                self._crawler.close()
                self._crawler = None


class CrawlerPlugin(_WorkerPluginBase):  # type: ignore[misc,valid-type]
    """A Dask worker plugin that keeps one crawler (its browsers) per worker between batches
    and closes it when the worker shuts down."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = dict(config)
        self.name = plugin_name(self.config)
        self.holder: _CrawlerHolder | None = None

    def setup(self, worker: Any) -> None:
        # Created here, on the worker, because a lock does not travel.
        self.holder = _CrawlerHolder(self.config)

    def teardown(self, worker: Any) -> None:
        if self.holder is not None:
            self.holder.close()

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config, "name": self.name, "holder": None}


# Crawlers of executors without plugins (process pools, thread pools): one per process and
# configuration, closed when the process exits.
_PROCESS_HOLDERS: dict[str, _CrawlerHolder] = {}
_PROCESS_HOLDERS_LOCK = threading.Lock()


def _close_process_holders() -> None:
    with _PROCESS_HOLDERS_LOCK:
        for holder in _PROCESS_HOLDERS.values():
            holder.close()
        _PROCESS_HOLDERS.clear()


# A normal interpreter runs atexit handlers; a multiprocessing worker ends with os._exit and runs
# only multiprocessing's finalizers. (If neither runs, the kernel still kills the browsers.)
atexit.register(_close_process_holders)
multiprocessing.util.Finalize(None, _close_process_holders, exitpriority=10)


def _holder(config: Mapping[str, Any]) -> _CrawlerHolder:
    name = plugin_name(config)
    with contextlib.suppress(ImportError, ValueError):
        from distributed import get_worker

        plugin = get_worker().plugins.get(name)  # ValueError outside a Dask worker
        if isinstance(plugin, CrawlerPlugin) and plugin.holder is not None:
            return plugin.holder
    with _PROCESS_HOLDERS_LOCK:
        holder = _PROCESS_HOLDERS.get(name)
        if holder is None:
            holder = _PROCESS_HOLDERS[name] = _CrawlerHolder(config)
        return holder


def evaluate_batch(
    urls: list[str], config: dict[str, Any], submission: str = ""
) -> list[dict[str, Any]]:
    """Runs on a worker: evaluates a batch with the worker's crawler. One dict per site:
    ``url``, ``status``, ``report_json``, ``attempts``, ``page_png``, ``banner_png``,
    ``annotated_png``. ``submission`` only makes each submission distinct: Dask takes tasks
    with equal arguments for the same task and would hand back an earlier result."""
    return _holder(config).evaluate(urls)


def _distributed_client(executor: Any) -> Any | None:
    """The ``distributed.Client`` behind an executor, if there is one."""
    try:
        from distributed import Client
    except ImportError:
        return None
    if isinstance(executor, Client):
        return executor
    client = getattr(executor, "_client", None)
    return client if isinstance(client, Client) else None


def _parallelism(executor: Any, client: Any | None) -> int:
    """How many batches the executor runs at once."""
    if client is not None:
        return max(1, sum(client.nthreads().values()))
    return max(1, int(getattr(executor, "_max_workers", 0) or os.cpu_count() or 1))


def crawl_with_executor(
    store: _native.StudyStore,
    executor: Executor | Any,
    *,
    workers: int,
    batch_size: int,
    config: Mapping[str, Any],
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, int]:
    """Visits the study's unfinished sites on `executor` and writes each result to `store` as
    it arrives; see the module documentation. Returns counts of what it did."""
    client = _distributed_client(executor)
    worker_config = {**config, "workers": workers}
    if client is not None:
        if not isinstance(executor, Executor):
            executor = client.get_executor()
        client.register_plugin(CrawlerPlugin(worker_config), name=plugin_name(worker_config))
    pending = store.pending_urls()
    batches = deque(pending[i : i + batch_size] for i in range(0, len(pending), batch_size))
    # Two batches per slot: a worker finishing one has the next already waiting.
    most_in_flight = 2 * _parallelism(executor, client)
    in_flight: dict[Future[list[dict[str, Any]]], list[str]] = {}
    failures: dict[tuple[str, ...], int] = {}
    counts = {"succeeded": 0, "failed": 0, "retried": 0}
    submissions = itertools.count()
    run_id = store.begin_run(
        run_config(
            worker_config,
            executor=type(executor).__name__,
            batch_size=batch_size,
            batches_at_once=most_in_flight,
        )
    )
    try:
        while batches or in_flight:
            while batches and len(in_flight) < most_in_flight:
                batch = batches.popleft()
                for url in batch:
                    store.mark_running(url)
                submission = f"{run_id}-{next(submissions)}"
                future = executor.submit(evaluate_batch, batch, worker_config, submission)
                in_flight[future] = batch
            done, _ = wait(list(in_flight), timeout=_POLL_S, return_when=FIRST_COMPLETED)
            for future in done:
                batch = in_flight.pop(future)
                try:
                    rows = future.result()
                except Exception:
                    key = tuple(batch)
                    failures[key] = failures.get(key, 0) + 1
                    if failures[key] > BATCH_RETRIES:
                        raise
                    batches.append(batch)
                    continue
                for row in rows:
                    _write(store, row, counts)
            if on_progress is not None:
                in_flight_sites = sum(len(batch) for batch in in_flight.values())
                on_progress({**counts, "in_flight": in_flight_sites})
    finally:
        for future in in_flight:
            future.cancel()
        store.finish_run(run_id)
    return counts


def _write(store: _native.StudyStore, row: Mapping[str, Any], counts: dict[str, int]) -> None:
    url = row["url"]
    # The worker retried this site: count its attempts as a local crawl does (the first one
    # was counted when its batch was sent).
    for _ in range(int(row["attempts"]) - 1):
        store.mark_running(url)
        counts["retried"] += 1
    store.write_site(
        row["report_json"],
        page_png=row["page_png"],
        banner_png=row["banner_png"],
        annotated_png=row["annotated_png"],
    )
    counts["succeeded" if row["status"] == "ok" else "failed"] += 1
