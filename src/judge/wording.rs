//! The small pieces of English that findings' summaries are built from.

use super::text::truncate_chars;

/// Names beyond this many are summed up as "and N more".
const MAX_NAMES: usize = 4;
/// Longest quoted page text in a summary, in characters.
const MAX_QUOTE_CHARS: usize = 60;

/// "A", "A and B", "A, B and C", "A, B, C, D and 2 more".
pub(crate) fn list<S: AsRef<str>>(items: &[S]) -> String {
    let names: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        _ if names.len() > MAX_NAMES => format!(
            "{} and {} more",
            names[..MAX_NAMES].join(", "),
            names.len() - MAX_NAMES
        ),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "1 request", "4 requests".
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Page text in double quotes, cut when long.
pub(crate) fn quote(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("\"{}\"", truncate_chars(&collapsed, MAX_QUOTE_CHARS))
}

/// A WCAG contrast ratio as people write it: "4.5:1".
pub(crate) fn ratio(value: f64) -> String {
    format!("{value:.1}:1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_english() {
        assert_eq!(list::<&str>(&[]), "");
        assert_eq!(list(&["Meta Pixel"]), "Meta Pixel");
        assert_eq!(
            list(&["Meta Pixel", "Google Analytics"]),
            "Meta Pixel and Google Analytics"
        );
        assert_eq!(list(&["A", "B", "C"]), "A, B and C");
        assert_eq!(
            list(&["A", "B", "C", "D", "E", "F"]),
            "A, B, C, D and 2 more"
        );
    }

    #[test]
    fn counts_quotes_and_ratios() {
        assert_eq!(count(1, "request", "requests"), "1 request");
        assert_eq!(count(4, "request", "requests"), "4 requests");
        assert_eq!(quote("  Avvis\n alle "), "\"Avvis alle\"");
        assert_eq!(ratio(4.4999), "4.5:1");
    }
}
