//! Phrase lists matched word by word, so that knowledge (sensitive terms, anonymity claims) can
//! live in data files.
//!
//! A phrase is one or more words separated by spaces. A word may carry `*`:
//! - `graviditet*`: the text's word starts with it (inflections, compounds: "graviditetstest");
//! - `*kreft`: the text's word ends with it (compounds: "lungekreft", "Brustkrebs" via `*krebs`);
//! - `*sykdom*`: the text's word contains it;
//! - no `*`: the whole word, nothing more ("barn" matches "barn", not "barnehage").
//!
//! Matching is case-insensitive and Unicode-aware (see `text::words`). Each
//! phrase with æ, ø, å, ä, ö, ü or ß is also entered in the ASCII spellings URL slugs use
//! ("søvnløshet" → "sovnloshet", "soevnloeshet").

use std::collections::HashMap;

use super::text::{ascii_spellings, Word};

/// Words with `*` are indexed by this many characters, and must have at least as many.
const KEY_CHARS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Whole,
    Start,
    End,
    Inside,
}

#[derive(Debug, Clone)]
struct WordPattern {
    text: String,
    anchor: Anchor,
}

impl WordPattern {
    fn matches(&self, word: &str) -> bool {
        match self.anchor {
            Anchor::Whole => word == self.text,
            Anchor::Start => word.starts_with(&self.text),
            Anchor::End => word.ends_with(&self.text),
            Anchor::Inside => word.contains(&self.text),
        }
    }
}

/// A match of one entry: the entry's value and the words it covers (inclusive indices).
#[derive(Debug)]
pub(crate) struct LexiconMatch<'l, T> {
    pub value: &'l T,
    pub first_word: usize,
    pub last_word: usize,
}

/// Phrases with a value each, indexed for matching against a text's words.
#[derive(Debug)]
pub(crate) struct Lexicon<T> {
    entries: Vec<(Vec<WordPattern>, T)>,
    by_whole_word: HashMap<String, Vec<usize>>,
    by_word_start: HashMap<String, Vec<usize>>,
    by_word_end: HashMap<String, Vec<usize>>,
    inside_word: Vec<usize>,
}

impl<T: Clone> Lexicon<T> {
    pub fn new() -> Self {
        Lexicon {
            entries: Vec::new(),
            by_whole_word: HashMap::new(),
            by_word_start: HashMap::new(),
            by_word_end: HashMap::new(),
            inside_word: Vec::new(),
        }
    }

    /// Adds `phrase` (and its ASCII spellings) with `value`; an error says what is wrong with it.
    pub fn insert(&mut self, phrase: &str, value: T) -> Result<(), String> {
        let lower = phrase.to_lowercase();
        let patterns = parse_phrase(&lower)?;
        self.push(patterns, value.clone());
        for spelling in ascii_spellings(&lower) {
            self.push(parse_phrase(&spelling)?, value.clone());
        }
        Ok(())
    }

    fn push(&mut self, patterns: Vec<WordPattern>, value: T) {
        let index = self.entries.len();
        let first = &patterns[0];
        match first.anchor {
            Anchor::Whole => self
                .by_whole_word
                .entry(first.text.clone())
                .or_default()
                .push(index),
            Anchor::Start => self
                .by_word_start
                .entry(head(&first.text))
                .or_default()
                .push(index),
            Anchor::End => self
                .by_word_end
                .entry(tail(&first.text))
                .or_default()
                .push(index),
            Anchor::Inside => self.inside_word.push(index),
        }
        self.entries.push((patterns, value));
    }

    /// Every match in `words`, ordered by position.
    pub fn find<'l>(&'l self, words: &[Word]) -> Vec<LexiconMatch<'l, T>> {
        let mut found = Vec::new();
        for (position, word) in words.iter().enumerate() {
            let text = word.lower.as_str();
            let candidates = [
                self.by_whole_word.get(text),
                self.by_word_start.get(&head(text)),
                self.by_word_end.get(&tail(text)),
            ];
            let candidates = candidates
                .into_iter()
                .flatten()
                .flatten()
                .chain(self.inside_word.iter());
            for &index in candidates {
                let (patterns, value) = &self.entries[index];
                let covered = words.get(position..position + patterns.len());
                let Some(covered) = covered else { continue };
                if patterns
                    .iter()
                    .zip(covered)
                    .all(|(pattern, word)| pattern.matches(&word.lower))
                {
                    found.push(LexiconMatch {
                        value,
                        first_word: position,
                        last_word: position + patterns.len() - 1,
                    });
                }
            }
        }
        found
    }
}

/// Keeps the leftmost, then longest, of overlapping matches.
pub(crate) fn leftmost_longest<T>(
    mut matches: Vec<LexiconMatch<'_, T>>,
) -> Vec<LexiconMatch<'_, T>> {
    matches.sort_by_key(|m| (m.first_word, std::cmp::Reverse(m.last_word)));
    let mut kept: Vec<LexiconMatch<'_, T>> = Vec::new();
    for candidate in matches {
        if kept
            .last()
            .is_none_or(|last| candidate.first_word > last.last_word)
        {
            kept.push(candidate);
        }
    }
    kept
}

fn parse_phrase(phrase: &str) -> Result<Vec<WordPattern>, String> {
    let mut patterns = Vec::new();
    for piece in phrase.split_whitespace() {
        let open_start = piece.starts_with('*');
        let open_end = piece.ends_with('*') && piece.len() > 1;
        let core = piece.trim_matches('*');
        // A piece such as "covid-19" holds several words; only its outer ends can be open.
        let inner: Vec<String> = super::text::words(core)
            .into_iter()
            .map(|w| w.lower)
            .collect();
        let count = inner.len();
        if count == 0 {
            return Err(format!("{piece:?} holds no word"));
        }
        for (i, text) in inner.into_iter().enumerate() {
            let anchor = match (open_start && i == 0, open_end && i == count - 1) {
                (false, false) => Anchor::Whole,
                (false, true) => Anchor::Start,
                (true, false) => Anchor::End,
                (true, true) => Anchor::Inside,
            };
            if anchor != Anchor::Whole && text.chars().count() < KEY_CHARS {
                return Err(format!(
                    "{piece:?}: a word with * needs at least {KEY_CHARS} letters"
                ));
            }
            patterns.push(WordPattern { text, anchor });
        }
    }
    if patterns.is_empty() {
        return Err("empty phrase".into());
    }
    Ok(patterns)
}

fn head(text: &str) -> String {
    text.chars().take(KEY_CHARS).collect()
}

fn tail(text: &str) -> String {
    let count = text.chars().count();
    text.chars().skip(count.saturating_sub(KEY_CHARS)).collect()
}

#[cfg(test)]
mod tests {
    use super::super::text::words;
    use super::*;

    fn lexicon(phrases: &[&'static str]) -> Lexicon<&'static str> {
        let mut lexicon = Lexicon::new();
        for phrase in phrases {
            lexicon
                .insert(phrase, *phrase)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        lexicon
    }

    fn found(lexicon: &Lexicon<&'static str>, text: &str) -> Vec<&'static str> {
        leftmost_longest(lexicon.find(&words(text)))
            .into_iter()
            .map(|m| *m.value)
            .collect()
    }

    #[test]
    fn anchors_decide_how_much_of_a_word_matches() {
        let lexicon = lexicon(&["barn", "graviditet*", "*kreft", "*sykdom*"]);
        assert_eq!(found(&lexicon, "Barn og unge"), ["barn"]);
        assert!(found(&lexicon, "barnehage").is_empty());
        assert_eq!(found(&lexicon, "Graviditetstest"), ["graviditet*"]);
        assert_eq!(found(&lexicon, "lungekreft"), ["*kreft"]);
        assert_eq!(found(&lexicon, "hjertesykdommer"), ["*sykdom*"]);
    }

    #[test]
    fn phrases_match_across_any_separator_and_the_longest_wins() {
        let lexicon = lexicon(&["erektil dysfunksjon", "erektil*"]);
        assert_eq!(
            found(&lexicon, "/erektil-dysfunksjon/behandling"),
            ["erektil dysfunksjon"]
        );
        assert_eq!(found(&lexicon, "erektil"), ["erektil*"]);
        assert!(found(&lexicon, "dysfunksjon erektil").len() == 1);
    }

    #[test]
    fn ascii_slug_spellings_match_too() {
        let lexicon = lexicon(&["søvnløshet"]);
        assert_eq!(found(&lexicon, "/sovnloshet"), ["søvnløshet"]);
        assert_eq!(found(&lexicon, "/soevnloeshet"), ["søvnløshet"]);
    }

    #[test]
    fn invalid_phrases_are_refused() {
        let mut lexicon = Lexicon::new();
        assert!(lexicon.insert("  ", ()).is_err());
        assert!(lexicon.insert("ab*", ()).is_err());
        assert!(lexicon.insert("--", ()).is_err());
        assert!(lexicon.insert("abc*", ()).is_ok());
    }
}
