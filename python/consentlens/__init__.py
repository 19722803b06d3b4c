"""consentlens: how a website asks for consent, and what it shares before and after the answer.

Quick start::

    import consentlens
    report = consentlens.evaluate("https://www.example.com/")
    report.findings
"""

from consentlens import exceptions
from consentlens._native import WebServer, __version__
from consentlens.api import Session, evaluate
from consentlens.report import Finding, SiteReport

__all__ = [
    "Finding",
    "Session",
    "SiteReport",
    "WebServer",
    "__version__",
    "evaluate",
    "exceptions",
]
