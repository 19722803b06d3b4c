"""A study: the SQLite file a crawl writes, read as tables.

Each table is a pandas DataFrame (``study.sites``, ``study.requests``, …); child tables carry
their site's URL as ``site_url`` beside its ``site_id``. ``to_parquet`` and ``to_csv`` export
every table a chunk at a time, so that a study of any size exports in bounded memory. The file
is read with the standard library's ``sqlite3``, also while a crawl is writing it (the store's
write-ahead log lets readers in); pandas, pyarrow and polars are imported only when a table is
asked for.
"""

from __future__ import annotations

import contextlib
import html
import sqlite3
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from consentlens import _native
from consentlens.exceptions import StoreError
from consentlens.report import SiteReport

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

# PRAGMA application_id of a consentlens study: the bytes "CLNS" (src/store/schema.rs).
_APPLICATION_ID = 0x434C4E53
# Rows per chunk when exporting.
_EXPORT_CHUNK_ROWS = 50_000


# What makes a spreadsheet read a cell as a formula ("CSV injection", OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that starts like a formula prefixed with ``'``."""
    pd = _require_pandas()
    safe = frame.copy()
    for name in safe.columns:
        column = safe[name]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        risky = column.map(lambda v: isinstance(v, str) and v.startswith(_FORMULA_STARTS))
        risky = risky.astype(bool)
        if risky.any():
            safe[name] = column.astype(object).where(~risky, "'" + column[risky].astype(str))
    return safe


@dataclass(frozen=True)
class _Table:
    """How one public table is read from the store."""

    name: str
    source: str
    # Columns stored as 0/1 that are booleans; columns holding RFC 3339 times.
    booleans: tuple[str, ...] = ()
    times: tuple[str, ...] = ()

    @property
    def is_child(self) -> bool:
        return self.source not in ("sites", "crawl_runs")


_TABLES: dict[str, _Table] = {
    table.name: table
    for table in (
        _Table(
            "sites",
            "sites",
            booleans=("banner_found", "accept_path_succeeded", "reject_path_succeeded"),
            times=("started_at", "finished_at"),
        ),
        _Table("buttons", "buttons", booleans=("is_link_styled",)),
        _Table("checkboxes", "checkboxes", booleans=("checked", "disabled")),
        _Table("click_steps", "click_steps"),
        _Table("requests", "requests", booleans=("third_party", "post_data_truncated")),
        _Table(
            "cookies",
            "cookies",
            booleans=("third_party", "http_only", "secure", "is_identifier"),
        ),
        _Table("events", "events"),
        _Table("findings", "findings"),
        _Table("runs", "crawl_runs", times=("started_at", "finished_at")),
    )
}

TABLES: tuple[str, ...] = tuple(_TABLES)
"""Every table a study has, in the order ``to_parquet`` and ``to_csv`` write them."""


def _require_pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as error:
        raise ImportError("study tables need pandas: pip install 'consentlens[pandas]'") from error
    return pd


def artifacts_dir_for(path: Path) -> Path:
    """The folder beside a study for its screenshots: ``study.sqlite`` → ``study.artifacts``."""
    base = path.with_suffix("") if path.suffix == ".sqlite" else path
    return base.with_name(base.name + ".artifacts")


class Study:
    """A study file, read as tables. Open one with :func:`open_study`, or get it from
    :func:`consentlens.crawl`.

    Child tables (``requests``, ``findings``, …) name their site by ``site_id`` and
    ``site_url``. Screenshots are files in :attr:`artifacts_dir`; the ``screenshot`` and
    ``banner_screenshot`` columns hold their names relative to it.
    """

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)
        if not self._path.is_file():
            raise FileNotFoundError(f"no study at {self._path}")
        with self._connect() as conn:
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if application_id != _APPLICATION_ID:
            raise StoreError(f"study store {self._path}: this file is not a consentlens study")

    @property
    def path(self) -> Path:
        return self._path

    @property
    def artifacts_dir(self) -> Path:
        return artifacts_dir_for(self._path)

    # Reading
    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection for one read, closed afterwards (``sqlite3``'s own context manager
        only commits). Never left open: this process may also write the study through the
        native module, which has its own copy of SQLite, and two copies in one process keep
        their POSIX locks apart, so an idle connection here could be left with a stale view of
        the write-ahead log."""
        # mode=rw: never create a file by reading; the write-ahead log needs write access to
        # the folder anyway.
        uri = "file:" + urllib.parse.quote(str(self._path.absolute())) + "?mode=rw"
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=30)
        except sqlite3.Error as error:
            raise StoreError(f"study store {self._path}: {error}") from error
        try:
            yield conn
        finally:
            conn.close()

    def _query(self, table: _Table, conn: sqlite3.Connection) -> str:
        columns = [
            row[1]
            for row in conn.execute(f"PRAGMA table_info({table.source})")
            # The whole result document stays out of tables: read it with report(url).
            if row[1] != "report_json"
        ]
        if not table.is_child:
            order = "position" if table.source == "sites" else "run_id"
            listed = ", ".join(f'"{c}"' for c in columns)
            return f"SELECT {listed} FROM {table.source} ORDER BY {order}"
        listed = ", ".join(f'c."{c}"' for c in columns)
        # rowid order is the order the site's rows were written: by phase, then position.
        return (
            f"SELECT s.url AS site_url, {listed} FROM {table.source} AS c "
            f"JOIN sites AS s ON s.site_id = c.site_id ORDER BY s.position, c.rowid"
        )

    def _declared_types(self, table: _Table, conn: sqlite3.Connection) -> dict[str, str]:
        types = {
            row[1]: str(row[2]).upper()
            for row in conn.execute(f"PRAGMA table_info({table.source})")
        }
        types["site_url"] = "TEXT"
        return types

    def _frames(self, name: str, chunk_rows: int | None = None) -> Iterator[pd.DataFrame]:
        pd = _require_pandas()
        table = _table(name)
        with self._connect() as conn:
            types = self._declared_types(table, conn)
            query = self._query(table, conn)
            if chunk_rows is None:
                yield _typed(pd.read_sql_query(query, conn), table, types)
                return
            for chunk in pd.read_sql_query(query, conn, chunksize=chunk_rows):
                yield _typed(chunk, table, types)

    def table(self, name: str) -> pd.DataFrame:
        """One table as a DataFrame: any of :data:`TABLES`."""
        return next(self._frames(name))

    @property
    def sites(self) -> pd.DataFrame:
        """One row per site: status, error, attempts, timings, banner, metrics, provenance."""
        return self.table("sites")

    @property
    def buttons(self) -> pd.DataFrame:
        return self.table("buttons")

    @property
    def checkboxes(self) -> pd.DataFrame:
        return self.table("checkboxes")

    @property
    def click_steps(self) -> pd.DataFrame:
        return self.table("click_steps")

    @property
    def requests(self) -> pd.DataFrame:
        return self.table("requests")

    @property
    def cookies(self) -> pd.DataFrame:
        return self.table("cookies")

    @property
    def events(self) -> pd.DataFrame:
        return self.table("events")

    @property
    def findings(self) -> pd.DataFrame:
        return self.table("findings")

    @property
    def runs(self) -> pd.DataFrame:
        """One row per crawl run: configuration, versions, sites done and failed; a run without
        ``finished_at`` was interrupted."""
        return self.table("runs")

    @property
    def failed(self) -> pd.DataFrame:
        """Sites whose evaluation failed: ``url``, ``error_kind``, ``error_message``,
        ``attempts``. Retry them alone with :meth:`retry_failed`."""
        sites = self.sites
        failed = sites[sites["status"] == "error"]
        return failed[["url", "error_kind", "error_message", "attempts"]].reset_index(drop=True)

    def report(self, url: str) -> SiteReport:
        """The whole result document of a finished site."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT report_json FROM sites WHERE url = ? AND status IN ('ok', 'error')",
                (url,),
            ).fetchone()
        if row is None:
            raise KeyError(f"{url!r} is not a finished site of this study")
        return SiteReport.from_json(row[0], self.artifacts_dir)

    def counts(self) -> dict[str, Any]:
        """Sites by state: ``total``, ``pending``, ``running``, ``ok``, ``error``, and
        ``errors_by_kind``."""
        with self._connect() as conn:
            by_status = dict(
                conn.execute("SELECT status, count(*) FROM sites GROUP BY status").fetchall()
            )
            by_kind = dict(
                conn.execute(
                    "SELECT COALESCE(error_kind, 'unknown'), count(*) FROM sites "
                    "WHERE status = 'error' GROUP BY 1 ORDER BY 2 DESC, 1"
                ).fetchall()
            )
        counts: dict[str, Any] = {
            status: int(by_status.get(status, 0))
            for status in ("pending", "running", "ok", "error")
        }
        counts["total"] = sum(counts.values())
        counts["errors_by_kind"] = by_kind
        return counts

    def summary(self) -> dict[str, Any]:
        """Counts for a first look: sites by state, failures by kind, dialogs found, sites per
        finding id, and crawl runs."""
        summary = self.counts()
        with self._connect() as conn:
            summary["banners_found"] = conn.execute(
                "SELECT count(*) FROM sites WHERE banner_found = 1"
            ).fetchone()[0]
            summary["sites_by_finding"] = dict(
                conn.execute(
                    "SELECT id, count(DISTINCT site_id) FROM findings GROUP BY id "
                    "ORDER BY 2 DESC, 1"
                ).fetchall()
            )
            summary["runs"] = conn.execute("SELECT count(*) FROM crawl_runs").fetchone()[0]
        return summary

    # Retrying
    def retry_failed(self, **config: Any) -> Study:
        """Visits the failed sites again (and any left unfinished), with the options of
        :func:`consentlens.crawl`. Their earlier result stays until the new one is written."""
        from consentlens.crawl import crawl

        store = _native.StudyStore(str(self._path))
        try:
            store.reset_failed()
        finally:
            store.close()
        return crawl([], store=self._path, resume=True, **config)

    # Exporting
    def to_parquet(self, folder: str | Path) -> list[Path]:
        """Writes every table as ``<folder>/<table>.parquet`` (needs pyarrow); returns the
        files."""
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as error:
            raise ImportError(
                "Parquet export needs pyarrow: pip install 'consentlens[pandas]'"
            ) from error
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name in TABLES:
            path = out / f"{name}.parquet"
            writer = None
            try:
                for chunk in self._frames(name, _EXPORT_CHUNK_ROWS):
                    arrow = pa.Table.from_pandas(chunk, preserve_index=False)
                    if writer is None:
                        writer = pq.ParquetWriter(path, arrow.schema)
                    writer.write_table(arrow.cast(writer.schema))
                if writer is None:  # no rows: an empty file with the table's columns
                    empty = pa.Table.from_pandas(self.table(name), preserve_index=False)
                    pq.write_table(empty, path)
            finally:
                if writer is not None:
                    writer.close()
            written.append(path)
        return written

    def to_csv(self, folder: str | Path, *, spreadsheet_safe: bool = True) -> list[Path]:
        """Writes every table as ``<folder>/<table>.csv``; returns the files.

        Page text is hostile: with ``spreadsheet_safe`` (the default), a text cell that a
        spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a
        carriage return) is written with a leading ``'``, so that Excel and LibreOffice show it
        as text. Pass ``spreadsheet_safe=False`` for the cells exactly as stored (or use
        :meth:`to_parquet`, which has no such problem).
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        prepare = _spreadsheet_safe if spreadsheet_safe else (lambda frame: frame)
        for name in TABLES:
            path = out / f"{name}.csv"
            first = True
            for chunk in self._frames(name, _EXPORT_CHUNK_ROWS):
                prepare(chunk).to_csv(path, mode="w" if first else "a", header=first, index=False)
                first = False
            if first:
                self.table(name).to_csv(path, index=False)
            written.append(path)
        return written

    def to_polars(self, table: str = "sites") -> pl.DataFrame:
        """One table as a polars DataFrame (needs polars)."""
        try:
            import polars as pl
        except ImportError as error:
            raise ImportError("to_polars needs polars: pip install polars") from error
        return pl.from_pandas(self.table(table))

    # Display
    def _repr_html_(self) -> str:
        counts = self.counts()
        esc = html.escape
        rows = "".join(
            f"<tr><td>{esc(status)}</td><td style='text-align:right'>{counts[status]}</td></tr>"
            for status in ("ok", "error", "pending", "running")
        )
        kinds = ", ".join(
            f"{esc(str(kind))} {count}" for kind, count in counts["errors_by_kind"].items()
        )
        failures = f"<p>Failures: {kinds}</p>" if kinds else ""
        return (
            f"<div class='cl-study'><b>Study</b> <code>{esc(str(self._path))}</code>: "
            f"{counts['total']} sites<table>{rows}</table>{failures}</div>"
        )

    def __repr__(self) -> str:
        counts = self.counts()
        return (
            f"<Study {str(self._path)!r} sites={counts['total']} ok={counts['ok']} "
            f"error={counts['error']} pending={counts['pending'] + counts['running']}>"
        )


def open_study(path: str | Path) -> Study:
    """Opens an existing study file for reading."""
    return Study(path)


def _table(name: str) -> _Table:
    try:
        return _TABLES[name]
    except KeyError:
        raise ValueError(f"unknown table {name!r}: use one of {', '.join(TABLES)}") from None


def _typed(frame: pd.DataFrame, table: _Table, types: dict[str, str]) -> pd.DataFrame:
    """Gives every column the type its declaration says, the same in every chunk (so that
    chunks of one export agree): nullable integers, floats, strings, booleans, UTC times."""
    pd = _require_pandas()
    for column in frame.columns:
        if column in table.booleans:
            frame[column] = frame[column].astype("boolean")
        elif column in table.times:
            times = pd.to_datetime(frame[column], utc=True, format="ISO8601")
            frame[column] = times.dt.as_unit("ms")
        elif types.get(column) == "INTEGER":
            frame[column] = frame[column].astype("Int64")
        elif types.get(column) == "REAL":
            frame[column] = frame[column].astype("float64")
        else:
            frame[column] = frame[column].astype("string")
    return frame
