"""Evaluating sites from Python: one call for one site, a session for several."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import TracebackType

from consentlens import _native
from consentlens.report import SiteReport

DEFAULT_LOCALE = "en-GB"
DEFAULT_TIMEZONE = "Europe/Oslo"


class Session:
    """One browser kept alive for many evaluations (each in its own fresh context).

    Use it as a context manager so that the browser is stopped when you are done::

        with consentlens.Session(locale="nb-NO") as session:
            reports = [session.evaluate(url) for url in urls]
    """

    def __init__(
        self,
        *,
        timeout_s: float = 30.0,
        settle_s: float = 5.0,
        banner_wait_s: float = 3.0,
        chrome_args: Sequence[str] = (),
        locale: str = DEFAULT_LOCALE,
        timezone: str = DEFAULT_TIMEZONE,
        viewport: tuple[int, int] = (1366, 768),
        explore: bool = True,
        allow_private_addresses: bool = True,
        chrome_path: str | None = None,
    ) -> None:
        self._native = _native.Session(
            timeout_s=timeout_s,
            settle_s=settle_s,
            banner_wait_s=banner_wait_s,
            chrome_args=list(chrome_args),
            locale=locale,
            timezone=timezone,
            viewport=viewport,
            explore=explore,
            allow_private_addresses=allow_private_addresses,
            chrome_path=chrome_path,
        )

    def evaluate(self, url: str) -> SiteReport:
        """Evaluates one site. A site that cannot be observed gives ``status == "error"``."""
        return SiteReport(self._native.evaluate(url))

    def evaluate_many(self, urls: Iterable[str]) -> list[SiteReport]:
        return [self.evaluate(url) for url in urls]

    def close(self) -> None:
        self._native.close()

    @property
    def closed(self) -> bool:
        return self._native.closed

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def evaluate(
    url: str,
    *,
    timeout_s: float = 30.0,
    settle_s: float = 5.0,
    banner_wait_s: float = 3.0,
    chrome_args: Sequence[str] = (),
    locale: str = DEFAULT_LOCALE,
    timezone: str = DEFAULT_TIMEZONE,
    viewport: tuple[int, int] = (1366, 768),
    explore: bool = True,
    allow_private_addresses: bool = True,
    chrome_path: str | None = None,
) -> SiteReport:
    """Evaluates one site in a browser started for it and stopped afterwards.

    The browser work runs with the GIL released; Ctrl-C interrupts it and stops the browser.
    """
    with Session(
        timeout_s=timeout_s,
        settle_s=settle_s,
        banner_wait_s=banner_wait_s,
        chrome_args=chrome_args,
        locale=locale,
        timezone=timezone,
        viewport=viewport,
        explore=explore,
        allow_private_addresses=allow_private_addresses,
        chrome_path=chrome_path,
    ) as session:
        return session.evaluate(url)
