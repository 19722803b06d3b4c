//! Writing one finished site: its `sites` row and all its child rows, in one transaction.

use rusqlite::types::ToSql;
use rusqlite::{params_from_iter, Connection, TransactionBehavior};
use serde::Serialize;

use super::queue::ensure_site;
use super::runs::{complete_run_provenance, credit_run, PreviousState};
use super::{store_message, time_text, InStudy, Study};
use crate::error::Result;
use crate::model::{
    Banner, ClickPaths, Cookie, Finding, PhaseName, Request, Severity, SiteReport, Status, Step,
    ThirdPartyCookies, TrackerEvent,
};

/// Request bodies longer than this are cut in the `requests` table (never in `report_json`):
/// enough for any pixel's payload, small enough to keep the table quick to read.
pub(super) const MAX_BODY_BYTES: usize = 64 * 1024;

/// The tables whose rows belong to one site; a write replaces all of them.
pub(super) const CHILD_TABLES: [&str; 7] = [
    "buttons",
    "checkboxes",
    "click_steps",
    "requests",
    "cookies",
    "events",
    "findings",
];

impl Study {
    /// Writes a finished site in one transaction: its status (`ok` or `error`), its columns, and
    /// its child rows, replacing whatever an earlier attempt wrote. Either all of it is stored or
    /// none (on any failure, a full disk included, the site keeps its earlier state and stays in
    /// [`Study::pending_urls`] if it was there). A URL not yet in the study is added.
    pub fn write_site(&mut self, report: &SiteReport) -> Result<()> {
        let report_json = serde_json::to_string(report).map_err(|error| {
            store_message(
                &self.path,
                format!("cannot serialise the report of {}: {error}", report.url),
            )
        })?;
        let path = &self.path;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .in_study(path)?;
        write_rows(&tx, report, report_json, self.current_run).in_study(path)?;
        tx.commit().in_study(path)
    }
}

fn write_rows(
    conn: &Connection,
    report: &SiteReport,
    report_json: String,
    current_run: Option<i64>,
) -> rusqlite::Result<()> {
    let site_id = ensure_site(conn, &report.url)?;
    let (previous, attempts) = conn.query_row(
        "SELECT status, run_id, attempts FROM sites WHERE site_id = ?1",
        [site_id],
        |row| {
            let previous = PreviousState {
                status: row.get(0)?,
                run_id: row.get(1)?,
            };
            Ok((previous, row.get::<_, i64>(2)?))
        },
    )?;

    // A site written without `mark_running` (a single evaluation) was still attempted once.
    let mut site = site_row(report, report_json).with("attempts", attempts.max(1));
    if let Some(run_id) = current_run {
        site = site.with("run_id", run_id);
    }
    site.update(conn, "sites", "site_id", site_id)?;

    for table in CHILD_TABLES {
        conn.execute(
            &format!("DELETE FROM {table} WHERE site_id = ?1"),
            [site_id],
        )?;
    }
    if let Some(banner) = &report.banner {
        write_banner(conn, site_id, banner)?;
    }
    if let Some(click_paths) = &report.click_paths {
        write_click_steps(conn, site_id, click_paths)?;
    }
    for (phase, observed) in report.phases.iter() {
        for (position, request) in observed.requests.iter().enumerate() {
            request_row(site_id, phase, position, request).insert(conn, "requests")?;
        }
        for (position, cookie) in observed.cookies.iter().enumerate() {
            cookie_row(site_id, phase, position, cookie).insert(conn, "cookies")?;
        }
        for (position, event) in observed.events.iter().enumerate() {
            event_row(site_id, phase, position, event)?.insert(conn, "events")?;
        }
    }
    for (position, finding) in report.findings.iter().enumerate() {
        finding_row(site_id, position, finding)?.insert(conn, "findings")?;
    }

    if let Some(run_id) = current_run {
        credit_run(conn, run_id, &previous, report.status == Status::Ok)?;
        complete_run_provenance(conn, run_id, &report.provenance)?;
    }
    Ok(())
}

fn site_row(report: &SiteReport, report_json: String) -> Row<'_> {
    let provenance = &report.provenance;
    let metrics = &report.metrics;
    let banner = report.banner.as_ref();
    let duration_ms = metrics.duration_ms.map(saturating_i64).or_else(|| {
        let elapsed = provenance.finished_at - provenance.started_at;
        Some(elapsed.num_milliseconds().max(0))
    });
    let path_succeeded = |path: fn(&ClickPaths) -> bool| report.click_paths.as_ref().map(path);
    Row::new()
        .with(
            "status",
            match report.status {
                Status::Ok => "ok",
                Status::Error => "error",
            },
        )
        .with("error_kind", report.error.as_ref().map(|e| e.kind.as_str()))
        .with(
            "error_message",
            report.error.as_ref().map(|e| e.message.as_str()),
        )
        .with("started_at", time_text(provenance.started_at))
        .with("finished_at", time_text(provenance.finished_at))
        .with("duration_ms", duration_ms)
        .with("final_url", report.final_url.as_deref())
        .with("http_status", report.http_status)
        .with("title", report.title.as_deref())
        .with("screenshot", report.screenshot.as_deref())
        .with("cmp", banner.and_then(|b| b.cmp.as_deref()))
        .with("banner_found", banner.is_some())
        .with(
            "banner_found_by",
            banner.and_then(|b| b.found_by.as_deref()),
        )
        .with("banner_text", banner.map(|b| b.text.as_str()))
        .with(
            "banner_language",
            banner.and_then(|b| b.language.as_deref()),
        )
        .with(
            "banner_frame_url",
            banner.and_then(|b| b.frame_url.as_deref()),
        )
        .with(
            "banner_screenshot",
            banner.and_then(|b| b.screenshot.as_deref()),
        )
        .with(
            "accept_path_succeeded",
            path_succeeded(|p| p.accept.succeeded),
        )
        .with(
            "reject_path_succeeded",
            path_succeeded(|p| p.reject.succeeded),
        )
        .with("clicks_to_accept", metrics.clicks_to_accept)
        .with("clicks_to_reject", metrics.clicks_to_reject)
        .with(
            "reject_to_accept_area_ratio",
            metrics.reject_to_accept_area_ratio,
        )
        .with("accept_text_contrast", metrics.accept_text_contrast)
        .with("reject_text_contrast", metrics.reject_text_contrast)
        .with("trackers_before_consent", metrics.trackers_before_consent)
        .with("trackers_after_accept", metrics.trackers_after_accept)
        .with("trackers_after_reject", metrics.trackers_after_reject)
        .with(
            "tracker_requests_before_consent",
            metrics.tracker_requests_before_consent,
        )
        .with("cookies_before_consent", metrics.cookies_before_consent)
        .with("cookies_after_accept", metrics.cookies_after_accept)
        .with("cookies_after_reject", metrics.cookies_after_reject)
        .with(
            "identifier_cookies_before_consent",
            metrics.identifier_cookies_before_consent,
        )
        .with(
            "identifier_cookies_after_reject",
            metrics.identifier_cookies_after_reject,
        )
        .with("requests_before_consent", metrics.requests_before_consent)
        .with(
            "third_party_requests_before_consent",
            metrics.third_party_requests_before_consent,
        )
        .with("events_before_consent", metrics.events_before_consent)
        .with("findings", metrics.findings)
        .with("tool_version", provenance.tool_version.as_str())
        .with("browser_version", provenance.browser_version.as_deref())
        .with("user_agent", provenance.user_agent.as_deref())
        .with("locale", provenance.locale.as_str())
        .with("timezone", provenance.timezone.as_deref())
        .with(
            "third_party_cookies",
            match provenance.third_party_cookies {
                ThirdPartyCookies::Allowed => "allowed",
                ThirdPartyCookies::Blocked => "blocked",
            },
        )
        .with("report_schema_version", report.schema_version)
        .with("report_json", report_json)
}

fn write_banner(conn: &Connection, site_id: i64, banner: &Banner) -> rusqlite::Result<()> {
    for (position, button) in banner.buttons.iter().enumerate() {
        Row::new()
            .with("site_id", site_id)
            .with("position", position)
            .with("role", button.role.as_str())
            .with("text", button.text.as_str())
            .with("x", button.bbox.x)
            .with("y", button.bbox.y)
            .with("width", button.bbox.width)
            .with("height", button.bbox.height)
            .with("area_px", button.area_px)
            .with("font_size_px", button.font_size_px)
            .with("font_weight", button.font_weight)
            .with("is_link_styled", button.is_link_styled)
            .with("text_contrast", button.text_contrast)
            .with("background_contrast", button.background_contrast)
            .with("css_text_contrast", button.css_text_contrast)
            .with("css_color", button.css_color.as_deref())
            .with("css_background", button.css_background.as_deref())
            .with("contrast_note", button.contrast_note.as_deref())
            .with("tag", button.tag.as_deref())
            .with("aria_label", button.aria_label.as_deref())
            .insert(conn, "buttons")?;
    }
    for (position, checkbox) in banner.checkboxes.iter().enumerate() {
        Row::new()
            .with("site_id", site_id)
            .with("position", position)
            .with("label", checkbox.label.as_str())
            .with("checked", checkbox.checked)
            .with("disabled", checkbox.disabled)
            .with("layer", checkbox.layer)
            .insert(conn, "checkboxes")?;
    }
    Ok(())
}

fn write_click_steps(
    conn: &Connection,
    site_id: i64,
    click_paths: &ClickPaths,
) -> rusqlite::Result<()> {
    for (path, click_path) in [
        ("accept", &click_paths.accept),
        ("reject", &click_paths.reject),
    ] {
        for (step_index, step) in click_path.steps.iter().enumerate() {
            Row::new()
                .with("site_id", site_id)
                .with("path", path)
                .with("step_index", step_index)
                .with("action", step.action.as_str())
                .with("text", step.text.as_str())
                .with("role", step.role.as_str())
                .with("layer", step.layer)
                .with("point_x", step.point.map(|(x, _)| x))
                .with("point_y", step.point.map(|(_, y)| y))
                .insert(conn, "click_steps")?;
        }
    }
    Ok(())
}

fn request_row(site_id: i64, phase: PhaseName, position: usize, request: &Request) -> Row<'_> {
    let tracker = request.tracker.as_ref();
    let post_data = request.post_data.as_deref();
    let post_data_base64 = request.post_data_base64.as_deref();
    let truncated = [post_data, post_data_base64]
        .into_iter()
        .flatten()
        .any(|body| body.len() > MAX_BODY_BYTES);
    Row::new()
        .with("site_id", site_id)
        .with("phase", phase.as_str())
        .with("position", position)
        .with("step", step_name(request.step))
        .with("time_ms", request.time_ms)
        .with("url", request.url.as_str())
        .with("method", request.method.as_str())
        .with("resource_type", request.resource_type.as_str())
        .with("third_party", request.third_party)
        .with("tracker_vendor", tracker.map(|t| t.vendor.as_str()))
        .with("tracker_entity", tracker.and_then(|t| t.entity.as_deref()))
        .with("tracker_category", tracker.map(|t| t.category.as_str()))
        .with("matched_by", tracker.map(|t| t.matched_by.as_str()))
        .with("status", request.status)
        .with("mime_type", request.mime_type.as_deref())
        .with("failure", request.failure.as_deref())
        .with("frame_url", request.frame_url.as_deref())
        .with("initiator", request.initiator.as_deref())
        .with("redirected_from", request.redirected_from.as_deref())
        .with("content_type", request.content_type.as_deref())
        .with(
            "post_data",
            post_data.map(|body| truncate_at_char(body, MAX_BODY_BYTES)),
        )
        .with(
            "post_data_base64",
            post_data_base64.map(|body| truncate_at_char(body, MAX_BODY_BYTES)),
        )
        .with("post_data_truncated", truncated)
}

fn cookie_row(site_id: i64, phase: PhaseName, position: usize, cookie: &Cookie) -> Row<'_> {
    Row::new()
        .with("site_id", site_id)
        .with("phase", phase.as_str())
        .with("position", position)
        .with("name", cookie.name.as_str())
        .with("domain", cookie.domain.as_str())
        .with("path", cookie.path.as_str())
        .with("value", cookie.value.as_str())
        .with("expires", cookie.expires)
        .with("third_party", cookie.third_party)
        .with("http_only", cookie.http_only)
        .with("secure", cookie.secure)
        .with("same_site", cookie.same_site.as_deref())
        .with("partition_key", cookie.partition_key.as_deref())
        .with("vendor", cookie.vendor.as_deref())
        .with("category", cookie.category.as_deref())
        .with("is_identifier", cookie.is_identifier)
}

fn event_row(
    site_id: i64,
    phase: PhaseName,
    position: usize,
    event: &TrackerEvent,
) -> rusqlite::Result<Row<'_>> {
    Ok(Row::new()
        .with("site_id", site_id)
        .with("phase", phase.as_str())
        .with("position", position)
        .with("step", step_name(event.step))
        .with("vendor", event.vendor.as_str())
        .with("event", event.event.as_deref())
        .with("page_url", event.page_url.as_deref())
        .with("title", event.title.as_deref())
        .with("referrer", event.referrer.as_deref())
        .with("data_json", json_text(&event.data)?)
        .with("user_data_fields", event.user_data_fields.join(","))
        .with("ids_json", json_text(&event.ids)?)
        .with("consent_mode_json", json_text(&event.consent_mode)?)
        .with("request_url", event.request_url.as_str()))
}

fn finding_row(site_id: i64, position: usize, finding: &Finding) -> rusqlite::Result<Row<'_>> {
    Ok(Row::new()
        .with("site_id", site_id)
        .with("position", position)
        .with("id", finding.id.as_str())
        .with("severity", severity_name(finding.severity))
        .with("summary", finding.summary.as_str())
        .with("evidence_json", json_text(&finding.evidence)?)
        .with("basis_json", json_text(&finding.basis)?))
}

fn step_name(step: Step) -> &'static str {
    match step {
        Step::Load => "load",
        Step::Answer => "answer",
        Step::Reload => "reload",
        Step::Subpage => "subpage",
    }
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
    }
}

fn json_text(value: &impl Serialize) -> rusqlite::Result<String> {
    serde_json::to_string(value)
        .map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))
}

fn saturating_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The longest prefix of `text` of at most `max_bytes` bytes that ends on a character boundary.
pub(super) fn truncate_at_char(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// One row as column names beside their values, so that a statement's columns and its
/// parameters cannot drift apart.
struct Row<'a> {
    columns: Vec<(&'static str, Box<dyn ToSql + 'a>)>,
}

impl<'a> Row<'a> {
    fn new() -> Self {
        Row {
            columns: Vec::with_capacity(24),
        }
    }

    fn with(mut self, column: &'static str, value: impl ToSql + 'a) -> Self {
        self.columns.push((column, Box::new(value)));
        self
    }

    fn values(&self) -> impl Iterator<Item = &dyn ToSql> {
        self.columns.iter().map(|(_, value)| value.as_ref())
    }

    fn insert(&self, conn: &Connection, table: &str) -> rusqlite::Result<()> {
        let names: Vec<&str> = self.columns.iter().map(|(name, _)| *name).collect();
        let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            placeholders.join(", ")
        );
        // The text is the same for every row of a table, so the prepared statement is reused.
        conn.prepare_cached(&sql)?
            .execute(params_from_iter(self.values()))?;
        Ok(())
    }

    fn update(
        &self,
        conn: &Connection,
        table: &str,
        key_column: &str,
        key: i64,
    ) -> rusqlite::Result<()> {
        let assignments: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, (name, _))| format!("{name} = ?{}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE {table} SET {} WHERE {key_column} = ?{}",
            assignments.join(", "),
            self.columns.len() + 1
        );
        let key: &dyn ToSql = &key;
        conn.prepare_cached(&sql)?
            .execute(params_from_iter(self.values().chain([key])))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_never_splits_a_character() {
        // "ø" is two bytes: a cut at byte 3 would fall inside the second one.
        assert_eq!(truncate_at_char("øøø", 3), "ø");
        assert_eq!(truncate_at_char("øøø", 4), "øø");
        assert_eq!(truncate_at_char("abc", 3), "abc");
        assert_eq!(truncate_at_char("abc", 0), "");
        assert_eq!(truncate_at_char("🍪", 3), "");
    }

    #[test]
    fn step_and_severity_names_match_the_documents_spelling() {
        for step in [Step::Load, Step::Answer, Step::Reload, Step::Subpage] {
            assert_eq!(
                serde_json::to_value(step).ok(),
                Some(serde_json::Value::from(step_name(step)))
            );
        }
        for severity in [
            Severity::Info,
            Severity::Low,
            Severity::Medium,
            Severity::High,
        ] {
            assert_eq!(
                serde_json::to_value(severity).ok(),
                Some(serde_json::Value::from(severity_name(severity)))
            );
        }
    }
}
