//! Finds statements that visitors are anonymous, that no personal data is collected, or that
//! they are not tracked ("Du er helt anonym", "We do not collect personal data").
//!
//! The phrases are data (`claims.txt`, `language<TAB>kind<TAB>phrase`). A match is not a claim
//! when the text around it takes it back:
//! - a negation or condition just before it ("ikke anonymt", "hvis du er anonym");
//! - a qualifier just after it ("ingen personopplysninger uten samtykke", "… without consent");
//! - its sentence is a question ("Er chatten anonym?").

use std::sync::LazyLock;

use super::lexicon::{leftmost_longest, Lexicon};
use super::text::{sentence_around, words, Word};
use crate::model::Claim;

/// Longest context sentence kept, in characters.
const MAX_CONTEXT_CHARS: usize = 300;
/// At most this many claims are returned for one text.
const MAX_CLAIMS: usize = 50;

/// Words that, up to two words before a phrase, negate it or make it a condition.
const NEGATING_BEFORE: &[&str] = &[
    "ikke", "ikkje", "inte", "not", "nicht", "kein", "keine", "never", "aldri", "aldrig", "nie",
    "hvis", "dersom", "viss", "if", "whether", "wenn", "falls", "ob", "om",
];

/// Words that, up to three words after a phrase, make it conditional ("… uten samtykke").
const QUALIFYING_AFTER: &[&str] = &[
    "uten", "utan", "uden", "without", "ohne", "unless", "utover", "except", "außer", "before",
    "før", "innan", "bevor", "until", "inntil", "indtil", "bis",
];

#[derive(Debug, Clone)]
struct Entry {
    language: &'static str,
    kind: &'static str,
}

static LEXICON: LazyLock<Lexicon<Entry>> = LazyLock::new(|| {
    let mut lexicon = Lexicon::new();
    // Malformed lines are skipped here; `every_phrase_line_is_valid` keeps the file clean.
    for (language, kind, phrase) in phrase_lines().flatten() {
        let _ = lexicon.insert(phrase, Entry { language, kind });
    }
    lexicon
});

type PhraseLine = Result<(&'static str, &'static str, &'static str), String>;

fn phrase_lines() -> impl Iterator<Item = PhraseLine> {
    include_str!("claims.txt")
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .map(|line| {
            let mut fields = line.splitn(3, '\t');
            match (fields.next(), fields.next(), fields.next()) {
                (Some(language), Some(kind), Some(phrase))
                    if super::sensitive::LANGUAGES.contains(&language) =>
                {
                    Ok((language, kind, phrase.trim()))
                }
                _ => Err(format!("bad line {line:?}")),
            }
        })
}

/// The anonymity claims in `text`; `source` is `"page"` or `"banner"` and is copied into each.
pub fn find_claims(text: &str, source: &str) -> Vec<Claim> {
    let text_words = words(text);
    let all = LEXICON.find(&text_words);
    let spans: Vec<(usize, usize, &'static str)> = all
        .iter()
        .map(|m| (m.first_word, m.last_word, m.value.language))
        .collect();
    let mut claims: Vec<Claim> = Vec::new();
    for found in leftmost_longest(all) {
        if is_taken_back(&text_words, found.first_word, found.last_word) {
            continue;
        }
        let start = text_words[found.first_word].start;
        let end = text_words[found.last_word].end;
        let context = sentence_around(text, start, end, MAX_CONTEXT_CHARS);
        if context.ends_with('?') {
            continue;
        }
        // A phrase written the same way in several languages says nothing about which one.
        let mut languages = spans
            .iter()
            .filter(|(first, last, _)| (*first, *last) == (found.first_word, found.last_word))
            .map(|(_, _, language)| *language);
        let first_language = languages.next();
        let language = first_language
            .filter(|first| languages.all(|other| other == *first))
            .map(str::to_string);
        let claim = Claim {
            kind: found.value.kind.to_string(),
            phrase: text.get(start..end).unwrap_or_default().to_string(),
            context,
            language,
            source: source.to_string(),
        };
        let already = claims.iter().any(|c| {
            c.kind == claim.kind
                && c.context == claim.context
                && c.phrase.to_lowercase() == claim.phrase.to_lowercase()
        });
        if !already {
            claims.push(claim);
        }
        if claims.len() >= MAX_CLAIMS {
            break;
        }
    }
    claims
}

fn is_taken_back(text_words: &[Word], first: usize, last: usize) -> bool {
    let before = &text_words[first.saturating_sub(2)..first];
    let after = text_words
        .get(last + 1..(last + 4).min(text_words.len()))
        .unwrap_or_default();
    before
        .iter()
        .any(|w| NEGATING_BEFORE.contains(&w.lower.as_str()))
        || after
            .iter()
            .any(|w| QUALIFYING_AFTER.contains(&w.lower.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<String> {
        find_claims(text, "page")
            .into_iter()
            .map(|c| c.kind)
            .collect()
    }

    #[test]
    fn every_phrase_line_is_valid() {
        for line in phrase_lines() {
            let (_, kind, phrase) = line.unwrap_or_else(|e| panic!("claims.txt: {e}"));
            assert!(
                ["anonymous", "no_personal_data", "no_tracking"].contains(&kind),
                "claims.txt: unknown kind {kind:?}"
            );
            let mut probe = Lexicon::new();
            if let Err(e) = probe.insert(phrase, ()) {
                panic!("claims.txt: {phrase:?}: {e}");
            }
        }
    }

    #[test]
    fn a_claim_carries_phrase_sentence_language_and_source() {
        let text =
            "Velkommen til chatten. Her er du helt anonym, og samtalen lagres ikke. Les mer.";
        let claims = find_claims(text, "banner");
        assert_eq!(
            claims,
            [Claim {
                kind: "anonymous".into(),
                phrase: "er du helt anonym".into(),
                context: "Her er du helt anonym, og samtalen lagres ikke.".into(),
                language: None, // the same words in bokmål and Danish
                source: "banner".into(),
            }]
        );
        let swedish = find_claims("Hos oss är du helt anonym.", "page");
        assert_eq!(swedish[0].language.as_deref(), Some("sv"));
        assert_eq!(swedish[0].phrase, "är du helt anonym");
    }

    #[test]
    fn claims_are_found_in_every_language() {
        let cases = [
            (
                "Vi samler ikke inn personopplysninger om deg.",
                "no_personal_data",
            ),
            ("Du kan chatte anonymt med oss.", "anonymous"),
            ("Du er 100 % anonym når du ringer.", "anonymous"),
            ("Hjå oss er du heilt anonym.", "anonymous"),
            (
                "Vi samlar ikkje inn personopplysningar.",
                "no_personal_data",
            ),
            ("You are anonymous on this site.", "anonymous"),
            ("We don't collect personal data.", "no_personal_data"),
            ("We do not track you.", "no_tracking"),
            (
                "Chatten är helt anonym och gratis. Du är anonym.",
                "anonymous",
            ),
            ("Vi samlar inte in personuppgifter.", "no_personal_data"),
            ("Du forbliver anonym hele vejen.", "anonymous"),
            ("Vi indsamler ingen personoplysninger.", "no_personal_data"),
            ("Bei uns bleibst du anonym.", "anonymous"),
            (
                "Wir speichern keine personenbezogenen Daten.",
                "no_personal_data",
            ),
        ];
        for (text, kind) in cases {
            assert!(
                kinds(text).contains(&kind.to_string()),
                "{text:?} gave {:?}",
                find_claims(text, "page")
            );
        }
    }

    #[test]
    fn taken_back_or_unrelated_statements_are_not_claims() {
        let cases = [
            "Du er ikke anonym når du logger inn.",
            "Chatten er ikke helt anonymt.",
            "Er det anonymt å ringe oss?",
            "Hva skjer hvis du er anonym?",
            "Vi samler ikke inn personopplysninger uten ditt samtykke.",
            "We do not collect personal data without your consent.",
            "Anonyme Alkoholikere har møter hver uke.",
            "Les vår personvernerklæring.",
            "You are not anonymous when you log in.",
            "Wir speichern keine personenbezogenen Daten ohne Ihre Einwilligung.",
        ];
        for text in cases {
            assert!(
                kinds(text).is_empty(),
                "{text:?} gave {:?}",
                find_claims(text, "page")
            );
        }
    }

    #[test]
    fn repeated_claims_are_reported_once_and_bounded() {
        assert_eq!(kinds("Du er anonym.\nDu er anonym.").len(), 1);
        let many: String = (0..200).map(|i| format!("Du er anonym {i}. ")).collect();
        assert_eq!(kinds(&many).len(), MAX_CLAIMS);
    }
}
