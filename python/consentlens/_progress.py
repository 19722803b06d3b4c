"""The one progress bar of consentlens: ``tqdm.auto`` (a widget in notebooks, text in terminals),
with an off switch per call and an environment override for batch jobs.

``CONSENTLENS_PROGRESS=0`` (or ``false``, ``no``, ``off``) turns every bar off whatever the call
says; ``CONSENTLENS_PROGRESS=1`` (or ``true``, ``yes``, ``on``) turns them on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import TracebackType
from typing import Any

ENVIRONMENT_VARIABLE = "CONSENTLENS_PROGRESS"
_OFF = frozenset({"0", "false", "no", "off"})
_ON = frozenset({"1", "true", "yes", "on"})


def progress_enabled(requested: bool = True) -> bool:
    """Whether to show a bar: the environment variable when it is set, else ``requested``."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower()
    if value in _OFF:
        return False
    if value in _ON:
        return True
    return requested


class CrawlProgress:
    """A bar of finished sites, with failures, retries, visits running and the rate.

    ``done_before`` sites (finished by an earlier crawl of the same study) count as done from the
    start, so that a resumed crawl shows how far the whole study is.
    """

    def __init__(self, total: int, *, done_before: int = 0, enabled: bool = True) -> None:
        self._bar: Any = None
        self._shown = 0
        self._postfix: dict[str, Any] = {}
        if not progress_enabled(enabled):
            return
        from tqdm.auto import tqdm

        self._bar = tqdm(
            total=total,
            initial=done_before,
            unit="site",
            desc="crawl",
            dynamic_ncols=True,
            smoothing=0.1,
            mininterval=0.5,
        )

    @property
    def enabled(self) -> bool:
        return self._bar is not None

    def update(self, snapshot: Mapping[str, Any]) -> None:
        """Shows a progress snapshot: ``succeeded``, ``failed``, ``retried``, ``in_flight``."""
        if self._bar is None:
            return
        postfix = {
            "failed": snapshot.get("failed", 0),
            "retried": snapshot.get("retried", 0),
            "running": snapshot.get("in_flight", 0),
        }
        if postfix != self._postfix:
            self._postfix = postfix
            # Drawn with the next update, or now when no site finished.
            self._bar.set_postfix(postfix, refresh=False)
        finished = int(snapshot.get("succeeded", 0)) + int(snapshot.get("failed", 0))
        if finished > self._shown:
            self._bar.update(finished - self._shown)
            self._shown = finished
        else:
            # Redraws no more often than tqdm's interval, like update() does.
            self._bar.update(0)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> CrawlProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
