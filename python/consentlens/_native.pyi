"""Type stubs of the native module (checked against the built module by mypy.stubtest)."""

from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import Any, final

__all__ = [
    "BrowserCrashedError",
    "BrowserLaunchError",
    "BrowserNotFoundError",
    "ConfigError",
    "ConsentlensError",
    "Crawler",
    "InvalidUrlError",
    "NativeReport",
    "ResultFormatError",
    "Session",
    "StoreError",
    "StudyStore",
    "TrackerListError",
    "WebServer",
    "__version__",
    "crawl",
    "study_report_html",
]

__version__: str

class ConsentlensError(Exception): ...
class BrowserNotFoundError(ConsentlensError): ...
class BrowserLaunchError(ConsentlensError): ...
class BrowserCrashedError(ConsentlensError): ...
class InvalidUrlError(ConsentlensError): ...
class TrackerListError(ConsentlensError): ...
class StoreError(ConsentlensError): ...
class ConfigError(ConsentlensError): ...
class ResultFormatError(ConsentlensError): ...

@final
class NativeReport:
    @staticmethod
    def from_json(text: str, artifacts_dir: str | PathLike[str] | None = None) -> NativeReport: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self, *, indent: int | None = None) -> str: ...
    def html(self) -> str: ...
    def card_html(self) -> str: ...
    def har_json(self) -> str: ...
    @property
    def page_screenshot(self) -> bytes | None: ...
    @property
    def banner_screenshot(self) -> bytes | None: ...
    @property
    def annotated_screenshot(self) -> bytes | None: ...

@final
class Session:
    def __new__(
        cls,
        *,
        timeout_s: float = 30.0,
        settle_s: float = 5.0,
        banner_wait_s: float = 3.0,
        chrome_args: list[str] = ...,
        locale: str = ...,
        timezone: str = ...,
        viewport: tuple[int, int] = ...,
        explore: bool = True,
        allow_private_addresses: bool = True,
        chrome_path: str | PathLike[str] | None = None,
    ) -> Session: ...
    def evaluate(self, url: str) -> NativeReport: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...

@final
class WebServer:
    def __new__(cls, roots: list[str | PathLike[str]]) -> WebServer: ...
    @property
    def port(self) -> int: ...
    def chrome_args(self) -> list[str]: ...
    def hits(self) -> list[tuple[str, str, str, str | None, bytes]]: ...
    def stop(self) -> None: ...

# Crawls and study stores (src/python/study.rs)

def crawl(
    store_path: str | PathLike[str],
    urls: list[str],
    *,
    workers: int | None = None,
    contexts_per_browser: int = 1,
    recycle_after_sites: int = 100,
    site_deadline_s: float = 180.0,
    retries: int = 1,
    on_progress: Callable[[dict[str, Any]], object] | None = None,
    timeout_s: float = 30.0,
    settle_s: float = 5.0,
    banner_wait_s: float = 3.0,
    chrome_args: list[str] = ...,
    locale: str = ...,
    timezone: str = ...,
    viewport: tuple[int, int] = ...,
    explore: bool = True,
    allow_private_addresses: bool = True,
    chrome_path: str | PathLike[str] | None = None,
) -> dict[str, Any]: ...

@final
class Crawler:
    def __new__(
        cls,
        *,
        workers: int = 1,
        contexts_per_browser: int = 1,
        recycle_after_sites: int = 100,
        site_deadline_s: float = 180.0,
        retries: int = 1,
        timeout_s: float = 30.0,
        settle_s: float = 5.0,
        banner_wait_s: float = 3.0,
        chrome_args: list[str] = ...,
        locale: str = ...,
        timezone: str = ...,
        viewport: tuple[int, int] = ...,
        explore: bool = True,
        allow_private_addresses: bool = True,
        chrome_path: str | PathLike[str] | None = None,
    ) -> Crawler: ...
    def evaluate_batch(
        self,
        urls: list[str],
        *,
        on_progress: Callable[[dict[str, Any]], object] | None = None,
    ) -> list[dict[str, Any]]: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...

@final
class StudyStore:
    def __new__(cls, path: str | PathLike[str]) -> StudyStore: ...
    @property
    def path(self) -> Path: ...
    @property
    def artifacts_dir(self) -> Path: ...
    def add_urls(self, urls: list[str]) -> int: ...
    def pending_urls(self) -> list[str]: ...
    def failed_urls(self) -> list[str]: ...
    def mark_running(self, url: str) -> None: ...
    def write_site(
        self,
        report_json: str,
        *,
        page_png: bytes | None = None,
        banner_png: bytes | None = None,
        annotated_png: bytes | None = None,
    ) -> None: ...
    def reset_failed(self) -> int: ...
    def counts(self) -> dict[str, Any]: ...
    def begin_run(self, config_json: str) -> int: ...
    def finish_run(self, run_id: int) -> None: ...
    def check_integrity(self) -> None: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...

def study_report_html(store: str | PathLike[str], title: str) -> str: ...
