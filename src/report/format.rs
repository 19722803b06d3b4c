//! How numbers, times and missing values read in the reports.

use chrono::{DateTime, SecondsFormat, Utc};

/// Shown where a value could not be measured.
pub(crate) const MISSING: &str = "—";

/// A WCAG contrast ratio, `4.52:1`.
pub(crate) fn ratio(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.2}:1"),
        _ => MISSING.to_string(),
    }
}

/// A number with `decimals` places, or [`MISSING`].
pub(crate) fn number(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => MISSING.to_string(),
    }
}

/// An integer with thin thousands separators, `51 873`.
pub(crate) fn count(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{2009}');
        }
        out.push(digit);
    }
    out
}

pub(crate) fn optional<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| MISSING.to_string(), |v| v.to_string())
}

pub(crate) fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

/// A UTC time to the millisecond, `2025-06-02 09:14:03.250 UTC`.
pub(crate) fn time(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string()
}

/// RFC 3339 with milliseconds, as HAR and machine readers want it.
pub(crate) fn rfc3339(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A cookie expiry given as Unix seconds; `session` when there is none.
pub(crate) fn expiry(unix_seconds: Option<f64>) -> String {
    let Some(seconds) = unix_seconds else {
        return "session".to_string();
    };
    if !seconds.is_finite() {
        return MISSING.to_string();
    }
    // Saturating float→int cast; out-of-range years are rejected by chrono.
    DateTime::from_timestamp(seconds as i64, 0).map_or_else(
        || MISSING.to_string(),
        |at| at.format("%Y-%m-%d").to_string(),
    )
}

/// A duration in milliseconds, `41.9 s` or `420 ms`.
pub(crate) fn duration_ms(ms: i64) -> String {
    if ms.abs() >= 1_000 {
        format!("{:.1} s", ms as f64 / 1_000.0)
    } else {
        format!("{ms} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(ratio(Some(4.519)), "4.52:1");
        assert_eq!(ratio(Some(f64::NAN)), MISSING);
        assert_eq!(ratio(None), MISSING);
        assert_eq!(count(51_873), "51\u{2009}873");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000_000), "1\u{2009}000\u{2009}000");
        assert_eq!(number(Some(0.0784), 2), "0.08");
        assert_eq!(duration_ms(41_870), "41.9 s");
        assert_eq!(duration_ms(420), "420 ms");
    }

    #[test]
    fn expiries_survive_any_float() {
        assert_eq!(expiry(None), "session");
        assert_eq!(expiry(Some(1_756_631_645.0)), "2025-08-31");
        assert_eq!(expiry(Some(f64::INFINITY)), MISSING);
        assert_eq!(expiry(Some(1e300)), MISSING);
    }
}
