//! Terms that reveal special categories of personal data (GDPR Art. 9), data about children
//! (Art. 8) or about criminal offences (Art. 10) when they appear in what a page sends to a
//! third party: a URL like `/helse/depresjon`, a title, an event's product name.
//!
//! The lists are data, one file per category in `terms/`, one `language<TAB>phrase` line each
//! (`#` starts a comment), in Norwegian bokmål (`nb`) and nynorsk (`nn`), English, Swedish,
//! Danish and German. Phrases use the syntax of `lexicon.rs`: `graviditet*` for
//! inflections and compounds, `*kreft` for compounds ending in the term, several words for a
//! fixed expression ("erektil dysfunksjon").
//!
//! Choosing terms: a term must point at the category on its own, in any of the six languages,
//! so that an ordinary page stays clean. Hence specific terms (diagnoses, medicines, names of
//! faiths and institutions) rather than general words ("helse", "tro", "parti", "ung"). Known
//! limits, accepted because the alternative would miss the cases that matter:
//! - Street and place names built on a term are matched: "Kirkegata" (`kirke*`), "Kirkenes".
//!   The evidence shows the field and value, so a reader sees it at once.
//! - "barn" is also English ("a barn"), and a Norwegian shop's children's department is called
//!   "Barn"; it stays, because it is the Norwegian and Swedish word for children. Nynorsk "born"
//!   is left out: it is far more often the English "born". German "Kind" is left out (English
//!   "kind"); "Kinder" stays, although it is also a brand of chocolate.
//! - "barnehage" (kindergarten) is not matched: it says something about a parent's services, not
//!   data about a child. Child welfare ("barnevern") and helplines are.
//! - No language detection: a term of one language matches in a text of any other.
//! - Text is not Unicode-normalised: decomposed letters (e + combining accent) do not match.

use std::sync::LazyLock;

use super::lexicon::{leftmost_longest, Lexicon, LexiconMatch};
use super::text::words;

/// One category of data the lists look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Category {
    /// Stable id, written to evidence: `health`, `religion`, `sex_life`, …
    pub id: &'static str,
    /// How a sentence names data of this category ("health data").
    pub label: &'static str,
    /// The provision that protects it.
    pub article: &'static str,
}

/// Every category, in the order findings name them.
pub const CATEGORIES: &[Category] = &[
    Category {
        id: "health",
        label: "health data",
        article: "GDPR Art. 9(1)",
    },
    Category {
        id: "sex_life",
        label: "data on sex life or sexual orientation",
        article: "GDPR Art. 9(1)",
    },
    Category {
        id: "religion",
        label: "data on religion or belief",
        article: "GDPR Art. 9(1)",
    },
    Category {
        id: "ethnicity",
        label: "data on ethnic origin",
        article: "GDPR Art. 9(1)",
    },
    Category {
        id: "politics",
        label: "data on political opinions",
        article: "GDPR Art. 9(1)",
    },
    Category {
        id: "trade_union",
        label: "data on trade union membership",
        article: "GDPR Art. 9(1)",
    },
    Category {
        id: "children",
        label: "data about children",
        article: "GDPR Art. 8",
    },
    Category {
        id: "criminal",
        label: "data on criminal offences",
        article: "GDPR Art. 10",
    },
];

/// The languages every list covers.
pub const LANGUAGES: &[&str] = &["nb", "nn", "en", "sv", "da", "de"];

/// The term lists, by category id.
const LISTS: &[(&str, &str)] = &[
    ("health", include_str!("terms/health.txt")),
    ("sex_life", include_str!("terms/sex_life.txt")),
    ("religion", include_str!("terms/religion.txt")),
    ("ethnicity", include_str!("terms/ethnicity.txt")),
    ("politics", include_str!("terms/politics.txt")),
    ("trade_union", include_str!("terms/trade_union.txt")),
    ("children", include_str!("terms/children.txt")),
    ("criminal", include_str!("terms/criminal.txt")),
];

/// A sensitive term found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermHit {
    /// Category id (see [`CATEGORIES`]).
    pub category: &'static str,
    /// The list entry that matched, as written there (`graviditet*`).
    pub term: String,
    /// Language of the list entry (`nb`, `nn`, `en`, `sv`, `da`, `de`).
    pub language: &'static str,
    /// The text as it appeared ("Graviditetstest").
    pub matched: String,
    /// Byte span of `matched` in the scanned text.
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone)]
struct Entry {
    category: &'static str,
    term: &'static str,
    language: &'static str,
}

/// A list line's number and its `(language, term)`, or why it could not be read.
type ListLine = (usize, Result<(&'static str, &'static str), String>);

fn list_lines(content: &'static str) -> impl Iterator<Item = ListLine> {
    content.lines().enumerate().filter_map(|(index, line)| {
        let line = line.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            return None;
        }
        let parsed = match line.split_once('\t') {
            Some((language, term)) if LANGUAGES.contains(&language) && !term.trim().is_empty() => {
                Ok((language, term.trim()))
            }
            Some((language, _)) if !LANGUAGES.contains(&language) => {
                Err(format!("unknown language {language:?}"))
            }
            _ => Err("expected `language<TAB>term`".to_string()),
        };
        Some((index + 1, parsed))
    })
}

static LEXICON: LazyLock<Lexicon<Entry>> = LazyLock::new(|| {
    let mut lexicon = Lexicon::new();
    for &(category, content) in LISTS {
        for (_, parsed) in list_lines(content) {
            // A malformed line is skipped here; `every_list_line_is_valid` keeps the lists clean.
            if let Ok((language, term)) = parsed {
                let entry = Entry {
                    category,
                    term,
                    language,
                };
                let _ = lexicon.insert(term, entry);
            }
        }
    }
    lexicon
});

/// The sensitive terms in `text`, ordered by position. Within one category overlapping
/// matches are reduced to the leftmost, longest one; different categories may share a span
/// ("erektil dysfunksjon" is health and sex life).
pub fn scan(text: &str) -> Vec<TermHit> {
    let text_words = words(text);
    let mut by_category: Vec<Vec<LexiconMatch<'_, Entry>>> =
        CATEGORIES.iter().map(|_| Vec::new()).collect();
    for found in LEXICON.find(&text_words) {
        if let Some(slot) = CATEGORIES.iter().position(|c| c.id == found.value.category) {
            by_category[slot].push(found);
        }
    }
    let mut hits = Vec::new();
    for found in by_category.into_iter().flat_map(leftmost_longest) {
        let (start, end) = (
            text_words[found.first_word].start,
            text_words[found.last_word].end,
        );
        hits.push(TermHit {
            category: found.value.category,
            term: found.value.term.to_string(),
            language: found.value.language,
            matched: text.get(start..end).unwrap_or_default().to_string(),
            start,
            end,
        });
    }
    hits.sort_by_key(|hit| (hit.start, hit.end));
    hits
}

/// The category with this id.
pub fn category(id: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn categories_in(text: &str) -> Vec<&'static str> {
        let mut found: Vec<_> = scan(text).into_iter().map(|h| h.category).collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    #[test]
    fn every_list_line_is_valid() {
        for &(category, content) in LISTS {
            for (number, parsed) in list_lines(content) {
                match parsed {
                    Ok((_, term)) => {
                        let mut probe = Lexicon::new();
                        if let Err(e) = probe.insert(term, ()) {
                            panic!("terms/{category}.txt:{number}: {e}");
                        }
                    }
                    Err(e) => panic!("terms/{category}.txt:{number}: {e}"),
                }
            }
        }
    }

    #[test]
    fn every_category_has_a_list_in_every_language() {
        for category in CATEGORIES {
            let (_, content) = LISTS
                .iter()
                .find(|(id, _)| *id == category.id)
                .unwrap_or_else(|| panic!("no list for {}", category.id));
            for language in LANGUAGES {
                let count = list_lines(content)
                    .filter(|(_, parsed)| matches!(parsed, Ok((lang, _)) if lang == language))
                    .count();
                assert!(
                    count >= 12,
                    "terms/{}.txt has {count} {language} terms, want at least 12",
                    category.id
                );
            }
        }
    }

    #[test]
    fn hits_report_category_entry_language_and_the_text_as_written() {
        let text = "Kjøp Clearblue Graviditetstest her";
        let hits = scan(text);
        assert_eq!(hits.len(), 1, "{hits:?}");
        let hit = &hits[0];
        assert_eq!(hit.category, "health");
        assert_eq!(hit.term, "graviditet*");
        assert_eq!(hit.language, "nb");
        assert_eq!(hit.matched, "Graviditetstest");
        assert_eq!(text.get(hit.start..hit.end), Some("Graviditetstest"));
    }

    /// Real sentences, as pages and URLs write them, each with the categories it must reveal.
    #[test]
    fn sensitive_sentences_match_in_every_language() {
        let cases: &[(&str, &[&str])] = &[
            // Norwegian bokmål
            (
                "helse erektil-dysfunksjon behandling",
                &["health", "sex_life"],
            ),
            (
                "Slik kjenner du igjen depresjon hos ungdom",
                &["health", "children"],
            ),
            ("Vi har testet fem graviditetstester", &["health"]),
            ("Gi en gave til Bibelselskapet", &["religion"]),
            ("Gudstjeneste i Domkirken søndag", &["religion"]),
            (
                "Chat for barn som har en forelder i fengsel",
                &["children", "criminal"],
            ),
            ("Råd til deg som er homofil og vil komme ut", &["sex_life"]),
            (
                "Kors på halsen: chat med voksne for barn og unge",
                &["children"],
            ),
            ("Hvordan melde seg inn i Fagforbundet", &["trade_union"]),
            ("Bli medlem i Fremskrittspartiet", &["politics"]),
            ("Rettigheter for samer og kvener", &["ethnicity"]),
            // Norwegian nynorsk
            ("Kva er symptoma på angstliding og depresjon?", &["health"]),
            (
                "Hjelp til deg som er pårørande til ein innsett",
                &["criminal"],
            ),
            ("Barnevernet i kommunen", &["children"]),
            ("Medlemskap i kyrkja", &["religion"]),
            // English
            (
                "Treatment options for erectile dysfunction",
                &["health", "sex_life"],
            ),
            ("Childline: free helpline for children", &["children"]),
            ("Support for families of prisoners", &["criminal"]),
            ("Find your local mosque", &["religion"]),
            (
                "Resources for lesbian, gay and bisexual people",
                &["sex_life"],
            ),
            ("Join the Labour Party today", &["politics"]),
            ("Join your trade union", &["trade_union"]),
            // Swedish
            ("Symtom på diabetes och högt blodtryck", &["health"]),
            (
                "Stöd till barn vars förälder sitter i fängelse",
                &["children", "criminal"],
            ),
            ("Gudstjänst i Svenska kyrkan", &["religion"]),
            ("Bli medlem i Sverigedemokraterna", &["politics"]),
            // Danish
            ("Behandling af depression og angst", &["health"]),
            ("Rådgivning til børn og unge", &["children"]),
            ("Tilmeld dig fagforeningen", &["trade_union"]),
            ("Hjælp til pårørende til indsatte", &["criminal"]),
            // German
            ("Ursachen von Brustkrebs und Behandlung", &["health"]),
            ("Schwangerschaftstest kaufen", &["health"]),
            ("Beratung für Kinder und Jugendliche", &["children"]),
            ("Gottesdienst in der evangelischen Kirche", &["religion"]),
            (
                "Mitglied werden in der Gewerkschaft ver.di",
                &["trade_union"],
            ),
            ("Ratgeber zur Untersuchungshaft", &["criminal"]),
        ];
        let mut wrong = Vec::new();
        for (text, expected) in cases {
            let mut found = categories_in(text);
            found.sort_unstable();
            let mut expected = expected.to_vec();
            expected.sort_unstable();
            if found != expected {
                wrong.push(format!("{text:?}: want {expected:?}, got {:?}", scan(text)));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// Ordinary pages of an ordinary shop, news site or municipality must stay clean.
    #[test]
    fn ordinary_sentences_do_not_match() {
        let cases = [
            "Velkommen til nettbutikken vår, fri frakt over 500 kroner",
            "Handlekurv: joggesko herre, str. 43",
            "Barnehageopptak og søknadsfrister for høsten",
            "Kontakt oss om levering og retur",
            "Vi bruker informasjonskapsler for å forbedre tjenesten",
            "Ukens tilbud på kaffe og brød",
            "Om oss, ledige stillinger og presse",
            "Free shipping on all orders over $50",
            "Read our privacy policy and terms of service",
            "The party starts at eight, bring your friends",
            "Our team will get back to you within two days",
            "Nyheter om været, sport og kultur",
            "Köp billiga flygbiljetter till Mallorca",
            "Läs mer om våra öppettider",
            "Se vores åbningstider og find din nærmeste butik",
            "Jetzt Angebote entdecken und sparen",
            "Versandkostenfrei ab 50 Euro, Rückgabe innerhalb 30 Tagen",
            "Die Partei der Vernunft ist ein Brettspiel",
            "Union Square and Union Street in the city centre",
        ];
        let wrong: Vec<String> = cases
            .iter()
            .filter(|text| !scan(text).is_empty())
            .map(|text| format!("{text:?}: {:?}", scan(text)))
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn a_street_named_after_a_church_is_a_known_false_positive() {
        // Documented limit: `kirke*` cannot tell "Kirkegata 5" from "kirken".
        assert_eq!(categories_in("Besøk oss i Kirkegata 5"), ["religion"]);
    }

    #[test]
    fn any_input_is_safe() {
        for text in ["", "*", "\u{0}\u{fffd}", "ø-å_æ/ß", &"å".repeat(10_000)] {
            let _ = scan(text);
        }
    }
}
