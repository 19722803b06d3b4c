"""consentlens: how a website asks for consent, and what it shares before and after the answer.

Quick start::

    import consentlens
    report = consentlens.evaluate("https://www.example.com/")
    report.findings

Many sites, into a study you can query::

    study = consentlens.crawl(urls, store="study.sqlite", workers=4)
    study.sites, study.findings, study.failed
"""

from consentlens import exceptions
from consentlens._native import WebServer, __version__
from consentlens.api import Session, evaluate
from consentlens.crawl import crawl
from consentlens.report import Finding, SiteReport
from consentlens.study import Study, open_study

__all__ = [
    "Finding",
    "Session",
    "SiteReport",
    "Study",
    "WebServer",
    "__version__",
    "crawl",
    "evaluate",
    "exceptions",
    "open_study",
]
