"""Exceptions raised by consentlens.

Every one of them derives from :class:`ConsentlensError`. They are created by the native module
(one mapping from the Rust error type, in ``src/python/mod.rs``) and re-exported here. Problems of
a single site (unreachable, timed out, crashed) are not exceptions: they are results with
``status == "error"``.
"""

from consentlens._native import (
    BrowserCrashedError,
    BrowserLaunchError,
    BrowserNotFoundError,
    ConfigError,
    ConsentlensError,
    InvalidUrlError,
    ResultFormatError,
    StoreError,
    TrackerListError,
)

__all__ = [
    "BrowserCrashedError",
    "BrowserLaunchError",
    "BrowserNotFoundError",
    "ConfigError",
    "ConsentlensError",
    "InvalidUrlError",
    "ResultFormatError",
    "StoreError",
    "TrackerListError",
]
