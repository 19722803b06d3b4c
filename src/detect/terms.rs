//! Matching multilingual vocabularies, kept as data, against page text.
//!
//! Text is split into lower-case words (runs of letters and digits). A vocabulary entry is a
//! phrase of such words; a word may end in `*` (any word starting so: `cookie*` matches
//! "cookies") or start with `*` (any word ending so: `*einstellungen` matches the German compound
//! "Datenschutzeinstellungen"). Words are compared as they are written, diacritics included.

use std::collections::HashMap;

/// At most this many words of one text are looked at; consent text is far shorter.
pub const MAX_WORDS: usize = 5_000;

/// The lower-case words of `text`, at most [`MAX_WORDS`].
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .map(str::to_lowercase)
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Exact(String),
    Prefix(String),
    Suffix(String),
}

impl Part {
    fn parse(word: &str) -> Option<Part> {
        let word = word.to_lowercase();
        if let Some(stem) = word.strip_suffix('*') {
            (!stem.is_empty()).then(|| Part::Prefix(stem.to_string()))
        } else if let Some(stem) = word.strip_prefix('*') {
            (!stem.is_empty()).then(|| Part::Suffix(stem.to_string()))
        } else {
            Some(Part::Exact(word))
        }
    }

    fn matches(&self, word: &str) -> bool {
        match self {
            Part::Exact(w) => word == w,
            Part::Prefix(p) => word.starts_with(p.as_str()),
            Part::Suffix(s) => word.ends_with(s.as_str()),
        }
    }
}

/// One vocabulary phrase, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    parts: Vec<Part>,
    /// The phrase as written in the data file, for explaining a match.
    pub source: String,
}

impl Phrase {
    /// Compiles a phrase; `None` when it has no words. Punctuation splits words exactly as in
    /// [`words`], so "j'accepte" in the data matches "J’accepte" on the page.
    pub fn parse(phrase: &str) -> Option<Phrase> {
        let parts: Vec<Part> = phrase
            .split(|c: char| !(c.is_alphanumeric() || c == '*'))
            .filter(|w| !w.is_empty() && *w != "*")
            .filter_map(Part::parse)
            .collect();
        (!parts.is_empty()).then(|| Phrase {
            parts,
            source: phrase.to_string(),
        })
    }

    /// Whether the phrase's words occur next to each other in `words`.
    pub fn occurs_in(&self, words: &[String]) -> bool {
        let n = self.parts.len();
        words.len() >= n
            && words
                .windows(n)
                .any(|window| self.parts.iter().zip(window).all(|(p, w)| p.matches(w)))
    }

    /// Whether the phrase's words occur in this order in `words`, other words between them
    /// allowed ("only necessary" matches "Only use necessary cookies"). Meant for short labels.
    pub fn occurs_in_order(&self, words: &[String]) -> bool {
        let mut parts = self.parts.iter().peekable();
        for w in words {
            match parts.peek() {
                Some(p) if p.matches(w) => {
                    parts.next();
                }
                Some(_) => {}
                None => break,
            }
        }
        parts.peek().is_none()
    }

    /// Whether the phrase occurs contiguously in an indexed text.
    fn occurs_in_index(&self, index: &WordIndex) -> bool {
        let Some(first) = self.parts.first() else {
            return false;
        };
        let starts: Box<dyn Iterator<Item = usize> + '_> = match first {
            Part::Exact(w) => Box::new(index.positions.get(w).into_iter().flatten().copied()),
            _ => Box::new(
                index
                    .positions
                    .iter()
                    .filter(|(w, _)| first.matches(w))
                    .flat_map(|(_, p)| p.iter().copied()),
            ),
        };
        let mut starts = starts;
        starts.any(|start| {
            self.parts.iter().enumerate().skip(1).all(|(i, p)| {
                index
                    .words
                    .get(start + i)
                    .is_some_and(|w| p.matches(w.as_str()))
            })
        })
    }
}

/// A text's words with the positions of each distinct word, so that many phrases can be looked
/// up in one text without scanning it once per phrase.
pub struct WordIndex {
    words: Vec<String>,
    positions: HashMap<String, Vec<usize>>,
}

impl WordIndex {
    pub fn new(text: &str) -> WordIndex {
        let words = words(text);
        let mut positions: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, w) in words.iter().enumerate() {
            positions.entry(w.clone()).or_default().push(i);
        }
        WordIndex { words, positions }
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }
}

/// A named list of phrases, e.g. the words for "cookie" in thirteen languages.
#[derive(Debug, Clone, Default)]
pub struct PhraseSet {
    phrases: Vec<Phrase>,
}

impl PhraseSet {
    pub fn new<'a>(phrases: impl IntoIterator<Item = &'a str>) -> PhraseSet {
        PhraseSet {
            phrases: phrases.into_iter().filter_map(Phrase::parse).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// The phrases that occur in the text, each once.
    pub fn found_in<'s>(&'s self, index: &WordIndex) -> Vec<&'s Phrase> {
        self.phrases
            .iter()
            .filter(|p| p.occurs_in_index(index))
            .collect()
    }

    /// The first phrase that occurs in order in a short label.
    pub fn first_in_label(&self, words: &[String]) -> Option<&Phrase> {
        self.phrases.iter().find(|p| p.occurs_in_order(words))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_case_and_split_on_punctuation() {
        assert_eq!(
            words("J’accepte les COOKIES, merci!"),
            ["j", "accepte", "les", "cookies", "merci"]
        );
        assert_eq!(words("Godta alle ✓"), ["godta", "alle"]);
    }

    #[test]
    fn prefix_and_suffix_stars() {
        let idx = WordIndex::new("Wir verwenden Cookies. Datenschutzeinstellungen öffnen");
        assert_eq!(PhraseSet::new(["cookie*"]).found_in(&idx).len(), 1);
        assert_eq!(PhraseSet::new(["*einstellungen"]).found_in(&idx).len(), 1);
        assert_eq!(PhraseSet::new(["cookie"]).found_in(&idx).len(), 0);
    }

    #[test]
    fn contiguous_versus_in_order() {
        let label = words("Only use necessary cookies");
        let p = Phrase::parse("only necessary").unwrap();
        assert!(p.occurs_in_order(&label));
        assert!(!p.occurs_in(&label));
        assert!(!p.occurs_in_order(&words("Necessary cookies only")));
        let idx = WordIndex::new("we share personal data with partners");
        assert_eq!(PhraseSet::new(["personal data"]).found_in(&idx).len(), 1);
        assert_eq!(PhraseSet::new(["data personal"]).found_in(&idx).len(), 0);
    }

    #[test]
    fn apostrophes_split_the_same_way_in_data_and_text() {
        let p = Phrase::parse("j'accepte").unwrap();
        assert!(p.occurs_in(&words("J’accepte")));
    }

    #[test]
    fn empty_phrases_are_dropped() {
        assert!(Phrase::parse("  * ").is_none());
        assert!(PhraseSet::new(["", "ok"]).len() == 1);
    }
}
