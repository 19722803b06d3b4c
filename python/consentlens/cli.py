"""The command line: ``consentlens scan``, ``crawl``, ``status``, ``export`` and ``demo``.

Exit status: 0 when every site was observed, 1 when any site ended in ``"error"`` (or the run
itself failed), 2 for bad usage.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

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
    parser.add_argument(
        "--banner-wait-s", type=float, default=3.0, help="how long to wait for a late dialog"
    )
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
        banner_wait_s=args.banner_wait_s,
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


def _read_urls(source: str) -> list[str]:
    """URLs one per line from a file (``-``: standard input); blank lines and ``#`` comments
    are skipped."""
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Python checks for signals, so that a crawl stops as cleanly as on
    Ctrl-C: visits in progress abandoned, browsers killed, the run recorded as ended."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise _Terminated


def _crawl(args: argparse.Namespace) -> int:
    from consentlens import _native
    from consentlens.crawl import crawl

    urls = _read_urls(args.urls)
    previous_handler = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        if args.retry_failed and Path(args.store).exists():
            store = _native.StudyStore(str(args.store))
            try:
                store.reset_failed()
            finally:
                store.close()
        study = crawl(
            urls,
            store=args.store,
            workers=args.workers,
            progress=not args.no_progress,
            contexts_per_browser=args.contexts_per_browser,
            recycle_after_sites=args.recycle_after_sites,
            site_deadline_s=args.site_deadline_s,
            retries=args.retries,
            banner_wait_s=args.banner_wait_s,
            timeout_s=args.timeout_s,
            settle_s=args.settle_s,
            chrome_args=args.chrome_arg,
            locale=args.locale,
            timezone=args.timezone,
            explore=not args.no_explore,
            allow_private_addresses=not args.deny_private,
        )
    except _Terminated:
        print("consentlens: terminated; run the same command to resume", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("consentlens: interrupted; run the same command to resume", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
    counts = study.counts()
    unfinished = counts["pending"] + counts["running"]
    print(
        f"consentlens: {counts['total']} sites in {args.store}: {counts['ok']} ok, "
        f"{counts['error']} failed" + (f", {unfinished} unfinished" if unfinished else ""),
        file=sys.stderr,
    )
    return 1 if counts["error"] or unfinished else 0


def _status(args: argparse.Namespace) -> int:
    from consentlens.study import open_study

    try:
        study = open_study(args.store)
    except FileNotFoundError as error:
        print(f"consentlens: {error}", file=sys.stderr)
        return 1
    summary = study.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"{args.store}: {summary['total']} sites, {summary['runs']} crawl runs")
    for status in ("ok", "error", "pending", "running"):
        line = f"  {status:<8}{summary[status]:>8}"
        if status == "error" and summary["errors_by_kind"]:
            kinds = ", ".join(f"{k} {n}" for k, n in summary["errors_by_kind"].items())
            line += f"  ({kinds})"
        print(line)
    return 0


def _export(args: argparse.Namespace) -> int:
    from consentlens.study import open_study

    try:
        study = open_study(args.store)
        if args.format == "parquet":
            files = study.to_parquet(args.out)
        else:
            files = study.to_csv(args.out, spreadsheet_safe=not args.cells_as_stored)
    except (FileNotFoundError, ImportError) as error:
        print(f"consentlens: {error}", file=sys.stderr)
        return 1
    for path in files:
        print(path)
    return 0


def _demo(args: argparse.Namespace) -> int:
    """Crawls the built-in demo web into a fresh study, writes the reports, prints a summary."""
    from consentlens import _native, demo
    from consentlens.crawl import crawl

    out = Path(args.out)
    store = out / "demo.sqlite"
    _remove_study(store)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    sites = demo.manifest()
    server = demo.start_web()
    try:
        study = crawl(
            [site.url for site in sites],
            store=store,
            workers=args.workers,
            chrome_args=[*args.chrome_arg, *server.chrome_args()],
            locale="nb-NO",
            settle_s=args.settle_s,
            timeout_s=args.timeout_s,
            progress=not args.quiet,
        )
        by_url = study.sites.set_index("url")
        rows = []
        for site in sites:
            report = study.report(site.url)
            report.save_html(out / "reports" / f"{site.host}.html")
            found = {f.id for f in report.findings}
            rows.append((site, report, found))
        (out / "study.html").write_text(
            _native.study_report_html(str(store), "consentlens demo study"), encoding="utf-8"
        )
    finally:
        server.stop()
    print(_summary_table(rows, by_url))
    missed = [(s.host, sorted(set(s.intended) - found)) for s, _, found in rows]
    missed = [(host, ids) for host, ids in missed if ids]
    print(f"\nstudy: {store}\nreports: {out / 'reports'}/\nstudy report: {out / 'study.html'}")
    for host, ids in missed:
        missing = ", ".join(ids)
        print(f"consentlens: {host}: intended findings not found: {missing}", file=sys.stderr)
    return 1 if missed else 0


def _summary_table(rows: list, by_url: Any) -> str:
    import pandas as pd

    def fmt(value: Any, digits: int = 0) -> str:
        if pd.isna(value):
            return "-"
        return f"{value:.{digits}f}" if digits else str(int(value))

    header = ("site", "dialog", "clicks acc/rej", "reject contrast", "trackers before", "findings")
    lines = [header]
    for site, report, found in rows:
        row = by_url.loc[site.url]
        intended = set(site.intended)
        mark = "ok" if intended <= found and (intended or not found) else "!!"
        lines.append(
            (
                site.host,
                "yes" if report.banner else "no",
                f"{fmt(row.clicks_to_accept)}/{fmt(row.clicks_to_reject)}",
                fmt(row.reject_text_contrast, 2),
                fmt(row.trackers_before_consent),
                f"{mark} {len(found):>2}  {', '.join(sorted(found)) or '(none)'}",
            )
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=False))
        + "  "
        + str(line[-1])
        for line in lines
    )


def _remove_study(store: Path) -> None:
    """A demo starts from nothing: the files of an earlier demo study go first."""
    import shutil

    from consentlens.study import artifacts_dir_for

    for path in (store, Path(f"{store}-wal"), Path(f"{store}-shm")):
        path.unlink(missing_ok=True)
    shutil.rmtree(artifacts_dir_for(store), ignore_errors=True)


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

    crawl = commands.add_parser(
        "crawl",
        help="evaluate a list of URLs into a study (resumes an interrupted crawl)",
        description="Evaluates every URL of a file (one per line) into a study store. Run the "
        "same command again after an interruption to resume. Exit status: 0 when every site "
        "is ok, 1 when any failed, 130 on Ctrl-C, 143 on SIGTERM.",
    )
    crawl.add_argument("urls", metavar="URLS_FILE", help="URLs, one per line ('-': stdin)")
    crawl.add_argument("--store", type=Path, default=Path("study.sqlite"), help="study file")
    crawl.add_argument(
        "--workers", type=int, default=None, help="evaluations at once (default: one per CPU)"
    )
    crawl.add_argument(
        "--contexts-per-browser", type=int, default=1, help="evaluations sharing one Chromium"
    )
    crawl.add_argument(
        "--recycle-after-sites", type=int, default=100, help="restart each browser this often"
    )
    crawl.add_argument(
        "--site-deadline-s", type=float, default=180.0, help="longest time for one site"
    )
    crawl.add_argument("--retries", type=int, default=1, help="retries of transient failures")
    crawl.add_argument("--retry-failed", action="store_true", help="visit failed sites again")
    crawl.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_browser_options(crawl)
    crawl.set_defaults(run=_crawl)

    status = commands.add_parser("status", help="how far a study is: sites by state")
    status.add_argument("store", type=Path, metavar="STUDY")
    status.add_argument("--json", action="store_true", help="print the summary as JSON")
    status.set_defaults(run=_status)

    export = commands.add_parser("export", help="write a study's tables as Parquet or CSV")
    export.add_argument("store", type=Path, metavar="STUDY")
    export.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    export.add_argument(
        "--cells-as-stored",
        action="store_true",
        help="CSV: write text cells as stored; by default a cell that a spreadsheet would run as "
        "a formula (starting with = + - @) is written with a leading '",
    )
    export.add_argument("--out", type=Path, required=True, help="folder for the table files")
    export.set_defaults(run=_export)

    demo = commands.add_parser("demo", help="run consentlens on the built-in demo web")
    demo.add_argument("--out", default="consentlens-demo", help="folder for the study and reports")
    demo.add_argument("--workers", type=int, default=2, help="sites evaluated at once")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_browser_options(demo)
    demo.set_defaults(run=_demo, settle_s=2.0)
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
