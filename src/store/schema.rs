//! The study file's tables, and how an older file is brought up to date.
//!
//! The schema version lives in `PRAGMA user_version`; `MIGRATIONS[i]` takes a file from version
//! `i` to `i + 1`. A migration, once released, is never edited: a change is a new migration.
//! Column types stay plain (INTEGER, REAL, TEXT; booleans as 0/1, times as RFC 3339 UTC text,
//! JSON as TEXT) so that `pandas.read_sql_query` reads every table without help.

use rusqlite::{Connection, TransactionBehavior};

/// Marks the file as a consentlens study (`PRAGMA application_id`, the bytes "CLNS").
pub(super) const APPLICATION_ID: i32 = 0x434C_4E53;

/// The schema version this code reads and writes.
pub const STUDY_SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

const MIGRATIONS: &[&str] = &[V1];

/// Version 1: sites with their results, one table per kind of child row, and crawl runs.
const V1: &str = r#"
CREATE TABLE crawl_runs (
    run_id             INTEGER PRIMARY KEY,
    started_at         TEXT NOT NULL,
    finished_at        TEXT,
    config_json        TEXT NOT NULL,
    tool_version       TEXT NOT NULL,
    browser_version    TEXT,
    tracker_lists_json TEXT NOT NULL,
    sites_done         INTEGER NOT NULL DEFAULT 0,
    sites_failed       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sites (
    site_id                INTEGER PRIMARY KEY,
    url                    TEXT NOT NULL UNIQUE,
    position               INTEGER NOT NULL UNIQUE,
    status                 TEXT NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'running', 'ok', 'error')),
    run_id                 INTEGER REFERENCES crawl_runs(run_id),
    error_kind             TEXT,
    error_message          TEXT,
    attempts               INTEGER NOT NULL DEFAULT 0,
    started_at             TEXT,
    finished_at            TEXT,
    duration_ms            INTEGER,
    final_url              TEXT,
    http_status            INTEGER,
    title                  TEXT,
    screenshot             TEXT,
    cmp                    TEXT,
    banner_found           INTEGER,
    banner_found_by        TEXT,
    banner_text            TEXT,
    banner_language        TEXT,
    banner_frame_url       TEXT,
    banner_screenshot      TEXT,
    accept_path_succeeded  INTEGER,
    reject_path_succeeded  INTEGER,
    clicks_to_accept                     INTEGER,
    clicks_to_reject                     INTEGER,
    reject_to_accept_area_ratio          REAL,
    accept_text_contrast                 REAL,
    reject_text_contrast                 REAL,
    trackers_before_consent              INTEGER,
    trackers_after_accept                INTEGER,
    trackers_after_reject                INTEGER,
    tracker_requests_before_consent      INTEGER,
    cookies_before_consent               INTEGER,
    cookies_after_accept                 INTEGER,
    cookies_after_reject                 INTEGER,
    identifier_cookies_before_consent    INTEGER,
    identifier_cookies_after_reject      INTEGER,
    requests_before_consent              INTEGER,
    third_party_requests_before_consent  INTEGER,
    events_before_consent                INTEGER,
    findings                             INTEGER,
    tool_version           TEXT,
    browser_version        TEXT,
    user_agent             TEXT,
    locale                 TEXT,
    timezone               TEXT,
    third_party_cookies    TEXT,
    report_schema_version  INTEGER,
    report_json            TEXT,
    -- A finished site always carries its whole result document.
    CHECK (status NOT IN ('ok', 'error') OR report_json IS NOT NULL)
);
CREATE INDEX sites_status ON sites(status, position);
CREATE INDEX sites_run ON sites(run_id);

CREATE TABLE buttons (
    site_id             INTEGER NOT NULL REFERENCES sites(site_id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    role                TEXT NOT NULL,
    text                TEXT NOT NULL,
    x                   REAL,
    y                   REAL,
    width               REAL,
    height              REAL,
    area_px             REAL,
    font_size_px        REAL,
    font_weight         INTEGER,
    is_link_styled      INTEGER NOT NULL,
    text_contrast       REAL,
    background_contrast REAL,
    css_text_contrast   REAL,
    css_color           TEXT,
    css_background      TEXT,
    contrast_note       TEXT,
    tag                 TEXT,
    aria_label          TEXT
);
CREATE INDEX buttons_site ON buttons(site_id);

CREATE TABLE checkboxes (
    site_id  INTEGER NOT NULL REFERENCES sites(site_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label    TEXT NOT NULL,
    checked  INTEGER NOT NULL,
    disabled INTEGER NOT NULL,
    layer    INTEGER NOT NULL
);
CREATE INDEX checkboxes_site ON checkboxes(site_id);

CREATE TABLE click_steps (
    site_id    INTEGER NOT NULL REFERENCES sites(site_id) ON DELETE CASCADE,
    path       TEXT NOT NULL CHECK (path IN ('accept', 'reject')),
    step_index INTEGER NOT NULL,
    action     TEXT NOT NULL,
    text       TEXT NOT NULL,
    role       TEXT NOT NULL,
    layer      INTEGER,
    point_x    REAL,
    point_y    REAL
);
CREATE INDEX click_steps_site ON click_steps(site_id);

CREATE TABLE requests (
    site_id             INTEGER NOT NULL REFERENCES sites(site_id) ON DELETE CASCADE,
    phase               TEXT NOT NULL,
    position            INTEGER NOT NULL,
    step                TEXT NOT NULL,
    time_ms             REAL,
    url                 TEXT NOT NULL,
    method              TEXT NOT NULL,
    resource_type       TEXT NOT NULL,
    third_party         INTEGER NOT NULL,
    tracker_vendor      TEXT,
    tracker_entity      TEXT,
    tracker_category    TEXT,
    matched_by          TEXT,
    status              INTEGER,
    mime_type           TEXT,
    failure             TEXT,
    frame_url           TEXT,
    initiator           TEXT,
    redirected_from     TEXT,
    content_type        TEXT,
    -- Bodies are cut to 64 KiB here; report_json keeps them whole.
    post_data           TEXT,
    post_data_base64    TEXT,
    post_data_truncated INTEGER NOT NULL
);
CREATE INDEX requests_site ON requests(site_id);

CREATE TABLE cookies (
    site_id       INTEGER NOT NULL REFERENCES sites(site_id) ON DELETE CASCADE,
    phase         TEXT NOT NULL,
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    domain        TEXT NOT NULL,
    path          TEXT NOT NULL,
    value         TEXT NOT NULL,
    expires       REAL,
    third_party   INTEGER NOT NULL,
    http_only     INTEGER NOT NULL,
    secure        INTEGER NOT NULL,
    same_site     TEXT,
    partition_key TEXT,
    vendor        TEXT,
    category      TEXT,
    is_identifier INTEGER NOT NULL
);
CREATE INDEX cookies_site ON cookies(site_id);

CREATE TABLE events (
    site_id           INTEGER NOT NULL REFERENCES sites(site_id) ON DELETE CASCADE,
    phase             TEXT NOT NULL,
    position          INTEGER NOT NULL,
    step              TEXT NOT NULL,
    vendor            TEXT NOT NULL,
    event             TEXT,
    page_url          TEXT,
    title             TEXT,
    referrer          TEXT,
    data_json         TEXT NOT NULL,
    user_data_fields  TEXT NOT NULL,
    ids_json          TEXT NOT NULL,
    consent_mode_json TEXT NOT NULL,
    request_url       TEXT NOT NULL
);
CREATE INDEX events_site ON events(site_id);

CREATE TABLE findings (
    site_id       INTEGER NOT NULL REFERENCES sites(site_id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    id            TEXT NOT NULL,
    severity      TEXT NOT NULL,
    summary       TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    basis_json    TEXT NOT NULL
);
CREATE INDEX findings_site ON findings(site_id);
CREATE INDEX findings_id ON findings(id);
"#;

/// What a file's header says about whose it is and how old it is.
enum FileKind {
    /// A new, empty file: no tables yet.
    Empty,
    Study {
        version: i32,
    },
    /// An SQLite database that some other program wrote.
    Foreign,
}

fn file_kind(conn: &Connection) -> rusqlite::Result<FileKind> {
    let application_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: i32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
        [],
        |r| r.get(0),
    )?;
    Ok(match (application_id, tables) {
        (APPLICATION_ID, _) => FileKind::Study { version },
        (0, 0) => FileKind::Empty,
        _ => FileKind::Foreign,
    })
}

/// Why a file cannot be used as a study, in words for the person who picked it.
pub(super) enum Refusal {
    Foreign,
    Newer { version: i32 },
}

impl Refusal {
    pub(super) fn message(&self) -> String {
        match self {
            Refusal::Foreign => "this SQLite file is not a consentlens study (it has other \
                                 tables); pick a new file name for the study"
                .to_string(),
            Refusal::Newer { version } => format!(
                "written by a newer consentlens (study schema {version}; this version reads up \
                 to {STUDY_SCHEMA_VERSION}); upgrade consentlens to open it"
            ),
        }
    }
}

/// Creates the tables in a new file or migrates an older study, in one transaction, so that two
/// processes opening the same new file at once cannot both create it.
pub(super) fn prepare(conn: &mut Connection) -> rusqlite::Result<Result<(), Refusal>> {
    // Reading first keeps opening an up-to-date study free of write locks.
    if let FileKind::Study { version } = file_kind(conn)? {
        if version == STUDY_SCHEMA_VERSION {
            return Ok(Ok(()));
        }
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let from = match file_kind(&tx)? {
        FileKind::Empty => 0,
        FileKind::Study { version } if version > STUDY_SCHEMA_VERSION => {
            return Ok(Err(Refusal::Newer { version }));
        }
        FileKind::Study { version } => version,
        FileKind::Foreign => return Ok(Err(Refusal::Foreign)),
    };
    for migration in MIGRATIONS.iter().skip(usize::try_from(from).unwrap_or(0)) {
        tx.execute_batch(migration)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.pragma_update(None, "user_version", STUDY_SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(Ok(()))
}
