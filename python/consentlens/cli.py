"""The command line: ``consentlens scan``, ``crawl``, ``status``, ``export`` and ``demo``.

Exit status: 0 when every site was observed, 1 when any site ended in ``"error"`` (or the run
itself failed), 2 for bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from consentlens.api import DEFAULT_LOCALE, DEFAULT_TIMEZONE, Session
from consentlens.exceptions import ConsentlensError
from consentlens.report import SiteReport


def _add_browser_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--chrome-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra Chromium argument (repeatable; write --chrome-arg=--flag)",
    )
    parser.add_argument("--timeout-s", type=float, default=30.0, help="page load timeout")
    parser.add_argument("--settle-s", type=float, default=5.0, help="longest wait for quiet")
    parser.add_argument("--locale", default=DEFAULT_LOCALE, help="language presented to pages")
    parser.add_argument("--timezone", default=DEFAULT_TIMEZONE, help="IANA time zone")
    parser.add_argument(
        "--no-explore", action="store_true", help="do not click accept / reject (faster)"
    )
    parser.add_argument(
        "--deny-private",
        action="store_true",
        help="refuse loopback and private addresses (for hosted use)",
    )


def _session(args: argparse.Namespace) -> Session:
    return Session(
        timeout_s=args.timeout_s,
        settle_s=args.settle_s,
        chrome_args=args.chrome_arg,
        locale=args.locale,
        timezone=args.timezone,
        explore=not args.no_explore,
        allow_private_addresses=not args.deny_private,
    )


def _write_documents(report: SiteReport, args: argparse.Namespace, *, several: bool) -> None:
    """The HTML report and HAR file asked for; with several URLs, ``--html`` names a folder."""
    if args.html:
        target = Path(args.html)
        if several:
            target.mkdir(parents=True, exist_ok=True)
            target = target / f"{report.file_stem()}.html"
        report.save_html(target)
    if args.har:
        Path(args.har).mkdir(parents=True, exist_ok=True)
        report.to_har(args.har)


def _scan(args: argparse.Namespace) -> int:
    out: TextIO = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    any_error = False
    try:
        with _session(args) as session:
            for url in args.urls:
                report = session.evaluate(url)
                out.write(report.to_json() + "\n")
                out.flush()
                _write_documents(report, args, several=len(args.urls) > 1)
                if not report.ok:
                    any_error = True
                    kind = report.error["kind"] if report.error else "unknown"
                    print(f"consentlens: {url}: {kind}", file=sys.stderr)
    finally:
        if out is not sys.stdout:
            out.close()
    return 1 if any_error else 0


def _demo(args: argparse.Namespace) -> int:
    from consentlens import demo

    server = demo.start_web()
    try:
        args.chrome_arg = [*args.chrome_arg, *server.chrome_args()]
        rows = []
        with _session(args) as session:
            for site in demo.manifest():
                report = session.evaluate(site.url)
                found = sorted({f.id for f in report.findings})
                rows.append((site.host, report.status, len(found), ", ".join(found) or "-"))
        width = max(len(r[0]) for r in rows)
        print(f"{'site':<{width}}  status  findings")
        for host, status, count, ids in rows:
            print(f"{host:<{width}}  {status:<6}  {count:>2}  {ids}")
    finally:
        server.stop()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="consentlens",
        description="How websites ask for consent, and what they share before and after.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    scan = commands.add_parser("scan", help="evaluate URLs, print one JSON document per line")
    scan.add_argument("urls", nargs="+", metavar="URL")
    scan.add_argument("--out", type=Path, help="write JSON Lines here instead of stdout")
    scan.add_argument(
        "--html", type=Path, help="write the HTML evidence report here (a folder for several URLs)"
    )
    scan.add_argument("--har", type=Path, help="write one HAR file per site into this folder")
    _add_browser_options(scan)
    scan.set_defaults(run=_scan)

    demo = commands.add_parser("demo", help="run consentlens on the built-in demo web")
    _add_browser_options(demo)
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except ConsentlensError as error:
        print(f"consentlens: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("consentlens: interrupted", file=sys.stderr)
        return 130
