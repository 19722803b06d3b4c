//! Text handling shared by the term lists and the claim detector: Unicode-aware words, ASCII
//! folding of Nordic and German letters, sentences, bounded excerpts, and URLs turned into the
//! words they carry.
//!
//! Everything here works on untrusted page text: offsets are always char boundaries taken from
//! `char_indices`, slicing goes through `str::get`, and every function bounds its work.

use url::Url;

/// At most this many words of one text are looked at; a page's text beyond it is not read.
pub(crate) const MAX_WORDS: usize = 50_000;

/// One word of a text: its lower-cased form and its byte span in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    pub lower: String,
    pub start: usize,
    pub end: usize,
}

/// Splits `text` into words: maximal runs of Unicode letters and digits. Everything else
/// (spaces, punctuation, `-`, `_`, `/`, apostrophes) separates words, so "erektil-dysfunksjon"
/// and "erektil dysfunksjon" give the same two words.
pub(crate) fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (offset, ch) in text.char_indices() {
        if ch.is_alphanumeric() {
            match &mut current {
                Some((_, lower)) => lower.extend(ch.to_lowercase()),
                None => current = Some((offset, ch.to_lowercase().collect())),
            }
        } else if let Some((start, lower)) = current.take() {
            out.push(Word {
                lower,
                start,
                end: offset,
            });
            if out.len() >= MAX_WORDS {
                return out;
            }
        }
    }
    if let Some((start, lower)) = current {
        out.push(Word {
            lower,
            start,
            end: text.len(),
        });
    }
    out
}

/// The ways URL slugs commonly spell æ, ø, å, ä, ö, ü and ß in ASCII ("søvn" → "sovn" or
/// "soevn"). Returns the distinct spellings that differ from `word`.
pub(crate) fn ascii_spellings(word: &str) -> Vec<String> {
    if word.is_ascii() {
        return Vec::new();
    }
    let simple: String = word.chars().map(fold_simple).collect();
    let digraph: String = word.chars().map(fold_digraph).collect();
    let mut out = Vec::new();
    for candidate in [simple, digraph] {
        if candidate != word && !out.contains(&candidate) {
            out.push(candidate);
        }
    }
    out
}

fn fold_simple(ch: char) -> String {
    match ch {
        'æ' => "ae".into(),
        'ø' | 'ö' | 'ó' | 'ò' | 'ô' => "o".into(),
        'å' | 'ä' | 'á' | 'à' | 'â' => "a".into(),
        'ü' | 'ú' | 'ù' | 'û' => "u".into(),
        'é' | 'è' | 'ê' | 'ë' => "e".into(),
        'ß' => "ss".into(),
        other => other.to_string(),
    }
}

fn fold_digraph(ch: char) -> String {
    match ch {
        'ø' | 'ö' => "oe".into(),
        'å' => "aa".into(),
        'ä' => "ae".into(),
        'ü' => "ue".into(),
        other => fold_simple(other),
    }
}

/// At most `max_chars` characters of `text`, with "…" when something was cut.
pub(crate) fn truncate_chars(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text.to_string(),
    }
}

/// The sentence of `text` that holds the byte span `start..end`, trimmed and at most
/// `max_chars` characters long. Sentences end at `.`, `!`, `?`, `;` or a line break.
pub(crate) fn sentence_around(text: &str, start: usize, end: usize, max_chars: usize) -> String {
    let is_boundary = |ch: char| matches!(ch, '.' | '!' | '?' | ';' | '\n' | '\r');
    let before = text.get(..start).unwrap_or_default();
    let sentence_start = before
        .char_indices()
        .rev()
        .find(|&(_, ch)| is_boundary(ch))
        .map(|(i, ch)| i + ch.len_utf8())
        .unwrap_or(0);
    let after = text.get(end..).unwrap_or_default();
    // Keep the closing punctuation: it tells a statement from a question.
    let sentence_end = after
        .char_indices()
        .find(|&(_, ch)| is_boundary(ch) && ch != '\n' && ch != '\r')
        .map(|(i, ch)| end + i + ch.len_utf8())
        .or_else(|| {
            after
                .char_indices()
                .find(|&(_, ch)| ch == '\n' || ch == '\r')
                .map(|(i, _)| end + i)
        })
        .unwrap_or(text.len());
    let sentence = text.get(sentence_start..sentence_end).unwrap_or_default();
    let collapsed = sentence.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate_chars(&collapsed, max_chars)
}

/// What a URL tells about the page beyond the site's name: its path segments, query values and
/// fragment, percent-decoded, separated by spaces (so a slug's words become words). The host is
/// left out: every request to a third party names the site anyway.
///
/// Returns `None` when `value` is not an absolute http(s) URL.
pub(crate) fn url_words(value: &str) -> Option<String> {
    let url = Url::parse(value.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let mut parts: Vec<String> = url
        .path_segments()
        .into_iter()
        .flatten()
        .map(percent_decode)
        .filter(|segment| !segment.is_empty())
        .collect();
    parts.extend(url.query_pairs().map(|(_, v)| v.into_owned()));
    if let Some(fragment) = url.fragment() {
        parts.push(percent_decode(fragment));
    }
    Some(parts.join(" "))
}

pub(crate) fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Whether `value` reads like a hex digest (MD5, SHA-1 or SHA-256), as hashed e-mail addresses are sent.
pub(crate) fn is_hex_digest(value: &str) -> bool {
    matches!(value.len(), 32 | 40 | 64) && value.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowers(text: &str) -> Vec<String> {
        words(text).into_iter().map(|w| w.lower).collect()
    }

    #[test]
    fn words_are_unicode_runs_split_on_punctuation() {
        assert_eq!(
            lowers("Erektil-dysfunksjon_behandling / SØVN? Straße"),
            ["erektil", "dysfunksjon", "behandling", "søvn", "straße"]
        );
        let text = "«Ærlig» talt";
        let found = words(text);
        assert_eq!(text.get(found[0].start..found[0].end), Some("Ærlig"));
        assert_eq!(text.get(found[1].start..found[1].end), Some("talt"));
    }

    #[test]
    fn ascii_spellings_cover_both_slug_styles() {
        assert_eq!(
            ascii_spellings("søvnløshet"),
            ["sovnloshet", "soevnloeshet"]
        );
        assert_eq!(ascii_spellings("abtreibung"), Vec::<String>::new());
        assert_eq!(ascii_spellings("fußball"), ["fussball"]);
    }

    #[test]
    fn truncation_never_splits_a_character() {
        assert_eq!(truncate_chars("åøæåøæ", 3), "åøæ…");
        assert_eq!(truncate_chars("kort", 10), "kort");
    }

    #[test]
    fn sentence_around_finds_the_enclosing_sentence() {
        let text = "Velkommen! Her er du helt anonym. Ring oss i dag.";
        let start = text.find("anonym").unwrap_or_default();
        assert_eq!(
            sentence_around(text, start, start + "anonym".len(), 200),
            "Her er du helt anonym."
        );
        let question = "Er chatten anonym?\nJa.";
        let start = question.find("anonym").unwrap_or_default();
        assert_eq!(
            sentence_around(question, start, start + 6, 200),
            "Er chatten anonym?"
        );
    }

    #[test]
    fn url_words_decode_path_query_and_fragment_but_not_the_host() {
        assert_eq!(
            url_words(
                "https://www.depresjon.example/helse/erektil-dysfunksjon?q=gravid%20test#s%C3%B8vn"
            )
            .as_deref(),
            Some("helse erektil-dysfunksjon gravid test søvn")
        );
        assert_eq!(url_words("ikke en url"), None);
        assert_eq!(url_words("javascript:alert(1)"), None);
    }

    #[test]
    fn hex_digests_are_recognised() {
        assert!(is_hex_digest(&"a".repeat(64)));
        assert!(!is_hex_digest("hello"));
        assert!(!is_hex_digest(&"g".repeat(64)));
    }
}
