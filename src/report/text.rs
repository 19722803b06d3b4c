//! Showing page-derived text safely: escaped, bounded, with invisible controls made visible and
//! sensitive terms marked.
//!
//! Everything a page wrote is hostile. Escaping is left to maud; this module adds what escaping
//! does not cover: a bidi override (U+202E) or a control character would silently reorder or
//! hide the text around it, so they are shown as `⟨U+202E⟩`; and a page can send megabytes,
//! so every string is cut to a bound, on a character boundary.

use std::fmt::Write as _;
use std::ops::Range;

use maud::{html, Escaper, Markup, Render};

/// Default bound for one value shown in a table cell.
pub(crate) const CELL_CHARS: usize = 2_000;

/// At most this many terms are looked for in one text.
const MAX_TERMS: usize = 64;

/// Whether `c` is invisible in rendered HTML yet changes how the text around it reads:
/// C0/C1 controls (other than line breaks and tabs) and the Unicode bidi controls.
fn is_hidden_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t'))
        || matches!(
            c,
            '\u{061C}'              // Arabic letter mark
            | '\u{200E}' | '\u{200F}' // LRM, RLM
            | '\u{202A}'..='\u{202E}' // embeddings and overrides
            | '\u{2066}'..='\u{2069}' // isolates
            | '\u{FEFF}' // zero-width no-break space / BOM
        )
}

/// Text rendered escaped, with hidden controls shown as `⟨U+XXXX⟩`.
struct Visible<'a>(&'a str);

impl Render for Visible<'_> {
    fn render_to(&self, buffer: &mut String) {
        let mut run_start = 0;
        for (offset, c) in self.0.char_indices() {
            if is_hidden_control(c) {
                // Escaper escapes HTML specials; writing to a String cannot fail.
                let _ = Escaper::new(buffer).write_str(&self.0[run_start..offset]);
                let _ = write!(buffer, "⟨U+{:04X}⟩", u32::from(c));
                run_start = offset + c.len_utf8();
            }
        }
        let _ = Escaper::new(buffer).write_str(&self.0[run_start..]);
    }
}

/// `s` cut to at most `max_chars` characters, and how many bytes were left out.
pub(crate) fn truncate(s: &str, max_chars: usize) -> (&str, usize) {
    match s.char_indices().nth(max_chars) {
        Some((cut, _)) => {
            let (shown, rest) = s.split_at(cut);
            (shown, rest.len())
        }
        None => (s, 0),
    }
}

/// Finds terms in text, ignoring case, and reports where they are as byte ranges that start and
/// end on character boundaries of the text searched.
#[derive(Debug, Clone, Default)]
pub(crate) struct Highlighter {
    /// Lower-cased terms, longest first so the longest wins where several start at one place.
    terms: Vec<Vec<char>>,
}

impl Highlighter {
    pub(crate) fn new<'a>(terms: impl IntoIterator<Item = &'a str>) -> Self {
        let mut terms: Vec<Vec<char>> = terms
            .into_iter()
            .map(|term| {
                term.chars()
                    .flat_map(char::to_lowercase)
                    .collect::<Vec<_>>()
            })
            .filter(|term| !term.is_empty())
            .take(MAX_TERMS)
            .collect();
        terms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        terms.dedup();
        Highlighter { terms }
    }

    /// A highlighter that marks nothing.
    pub(crate) fn none() -> Self {
        Highlighter::default()
    }

    /// Non-overlapping byte ranges of `text` that match a term, in order.
    pub(crate) fn spans(&self, text: &str) -> Vec<Range<usize>> {
        let mut spans = Vec::new();
        if self.terms.is_empty() {
            return spans;
        }
        let mut resume_at = 0;
        for (start, _) in text.char_indices() {
            if start < resume_at {
                continue;
            }
            let Some(rest) = text.get(start..) else {
                continue;
            };
            if let Some(len) = self.terms.iter().find_map(|term| match_len(rest, term)) {
                spans.push(start..start + len);
                resume_at = start + len;
            }
        }
        spans
    }
}

/// Byte length of the prefix of `haystack` whose lower-case form is `term`, if there is one.
/// A match must end on a character boundary: a character whose lower-case form is longer than
/// what is left of the term does not match.
fn match_len(haystack: &str, term: &[char]) -> Option<usize> {
    let mut wanted = term.iter();
    for (offset, c) in haystack.char_indices() {
        for folded in c.to_lowercase() {
            if wanted.next() != Some(&folded) {
                return None;
            }
        }
        if wanted.as_slice().is_empty() {
            return Some(offset + c.len_utf8());
        }
    }
    None
}

/// Page-derived text, escaped, cut to `max_chars`, with `highlighter`'s terms in `<mark>`.
pub(crate) fn page_text(s: &str, max_chars: usize, highlighter: &Highlighter) -> Markup {
    let (shown, omitted_bytes) = truncate(s, max_chars);
    let spans = highlighter.spans(shown);
    let mut pieces: Vec<(&str, bool)> = Vec::with_capacity(spans.len() * 2 + 1);
    let mut at = 0;
    for span in spans {
        if let (Some(before), Some(marked)) = (shown.get(at..span.start), shown.get(span.clone())) {
            pieces.push((before, false));
            pieces.push((marked, true));
            at = span.end;
        }
    }
    pieces.push((shown.get(at..).unwrap_or_default(), false));
    html! {
        @for (piece, marked) in pieces {
            @if marked {
                mark { (Visible(piece)) }
            } @else if !piece.is_empty() {
                (Visible(piece))
            }
        }
        @if omitted_bytes > 0 {
            " … [" (omitted_bytes) " more bytes not shown]"
        }
    }
}

/// Page-derived text for a table cell: bounded, nothing marked.
pub(crate) fn cell(s: &str) -> Markup {
    page_text(s, CELL_CHARS, &Highlighter::none())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(text: &str, terms: &[&str]) -> Vec<String> {
        let highlighter = Highlighter::new(terms.iter().copied());
        highlighter
            .spans(text)
            .into_iter()
            .map(|span| text[span].to_string())
            .collect()
    }

    #[test]
    fn terms_match_whatever_their_case() {
        assert_eq!(
            marked(
                "Clearblue Graviditetstest, graviditet og GRAVIDITET",
                &["graviditet"]
            ),
            ["Graviditet", "graviditet", "GRAVIDITET"]
        );
    }

    #[test]
    fn matches_end_on_character_boundaries() {
        // 'İ' lower-cases to "i̇" (two chars); a term "i" must not match half of it.
        assert!(marked("İstanbul", &["i"]).is_empty());
        assert_eq!(marked("İstanbul", &["i̇stanbul"]), ["İstanbul"]);
        // Multi-byte text around and inside the match.
        assert_eq!(marked("æøå Sjukdom æøå", &["sjukdom"]), ["Sjukdom"]);
        assert_eq!(marked("ØSTROGEN", &["østrogen"]), ["ØSTROGEN"]);
    }

    #[test]
    fn the_longest_term_wins_and_empty_terms_are_ignored() {
        assert_eq!(marked("hivtest", &["", "hiv", "hivtest"]), ["hivtest"]);
        assert!(marked("anything", &[""]).is_empty());
    }

    #[test]
    fn marked_text_is_escaped_piece_by_piece() {
        let html =
            page_text("<b>Graviditet</b>", 100, &Highlighter::new(["graviditet"])).into_string();
        assert_eq!(html, "&lt;b&gt;<mark>Graviditet</mark>&lt;/b&gt;");
    }

    #[test]
    fn hidden_controls_are_shown_by_code_point() {
        let html = cell("a\u{202E}b\u{7}c\nd").into_string();
        assert_eq!(html, "a⟨U+202E⟩b⟨U+0007⟩c\nd");
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let (shown, omitted) = truncate("ææææ", 3);
        assert_eq!(shown, "æææ");
        assert_eq!(omitted, "æ".len());
        assert_eq!(truncate("abc", 3), ("abc", 0));
        let html = page_text("øøøøø", 2, &Highlighter::none()).into_string();
        assert_eq!(html, "øø … [6 more bytes not shown]");
    }
}
