//! The language of a dialog's text, from counts of common words kept in `languages.json`.
//!
//! Each word found counts for every language that has it, weighted by one over the number of
//! such languages, so that words many languages share ("og", "for") decide little and words
//! only one has ("ikkje", "informasjonskapsler") decide much. Short or mixed texts give `None`
//! rather than a guess.

use std::collections::{BTreeMap, HashMap, HashSet};

use once_cell::sync::Lazy;
use serde::Deserialize;

use crate::detect::terms::words;

/// Below this weighted count there is too little text to say.
const MIN_SCORE: f64 = 1.5;
/// The winner must lead the runner-up by this factor.
const MIN_LEAD: f64 = 1.2;

#[derive(Deserialize)]
struct LanguageFile {
    languages: BTreeMap<String, Vec<String>>,
}

struct Languages {
    codes: Vec<String>,
    /// Word → indexes into `codes` of the languages that use it.
    word_languages: HashMap<String, Vec<usize>>,
}

static LANGUAGES: Lazy<Languages> = Lazy::new(|| {
    let file: LanguageFile = serde_json::from_str(include_str!("languages.json"))
        .expect("src/measure/languages.json is valid (checked by a unit test)");
    let mut word_languages: HashMap<String, Vec<usize>> = HashMap::new();
    let codes: Vec<String> = file.languages.keys().cloned().collect();
    for (i, list) in file.languages.values().enumerate() {
        let distinct: HashSet<String> = list.iter().map(|w| w.to_lowercase()).collect();
        for w in distinct {
            word_languages.entry(w).or_default().push(i);
        }
    }
    Languages {
        codes,
        word_languages,
    }
});

/// ISO 639-1 code of the language of consent text (`nb` and `nn` for Norwegian bokmål and
/// nynorsk), or `None` when the text is too short or too mixed to tell.
pub fn detect_language(text: &str) -> Option<&'static str> {
    let languages: &'static Languages = &LANGUAGES;
    let mut scores = vec![0.0f64; languages.codes.len()];
    for word in words(text) {
        if let Some(users) = languages.word_languages.get(&word) {
            let weight = 1.0 / users.len() as f64;
            for &i in users {
                scores[i] += weight;
            }
        }
    }
    let mut ranked: Vec<(usize, f64)> = scores.into_iter().enumerate().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (best, best_score) = *ranked.first()?;
    let runner_up = ranked.get(1).map_or(0.0, |r| r.1);
    (best_score >= MIN_SCORE && best_score >= runner_up * MIN_LEAD)
        .then(|| languages.codes[best].as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_thirteen_languages() {
        let samples = [
            ("en", "We use cookies to improve your experience and to show you personalised ads. You can change your settings at any time."),
            ("nb", "Vi bruker informasjonskapsler for å gi deg en bedre opplevelse. Du kan når som helst endre hva du samtykker til."),
            ("nn", "Vi brukar informasjonskapslar for å gje deg ei betre oppleving. Du kan når som helst endre kva du samtykkjer til, og me deler ikkje data med andre."),
            ("sv", "Vi använder kakor för att ge dig en bättre upplevelse. Du kan när som helst ändra dina inställningar."),
            ("da", "Vi bruger cookies for at give dig en bedre oplevelse på vores hjemmeside. Du kan til enhver tid ændre dine indstillinger."),
            ("fi", "Käytämme evästeitä parantaaksemme sivuston käyttökokemusta. Voit muuttaa asetukset milloin tahansa, ja kumppanimme käsittelevät tietoja."),
            ("de", "Wir verwenden Cookies, um Ihnen die bestmögliche Nutzung unserer Website zu ermöglichen. Sie können Ihre Einwilligung jederzeit widerrufen."),
            ("fr", "Nous utilisons des cookies pour améliorer votre expérience et vous proposer des publicités adaptées. Vous pouvez modifier vos choix à tout moment."),
            ("nl", "Wij gebruiken cookies om uw ervaring te verbeteren en advertenties te tonen. U kunt uw toestemming altijd intrekken."),
            ("es", "Utilizamos cookies propias y de terceros para mejorar tu experiencia y mostrarte publicidad. Puede cambiar la configuración en cualquier momento."),
            ("it", "Utilizziamo cookie per migliorare la tua esperienza e mostrarti pubblicità personalizzata. Puoi modificare il consenso in qualsiasi momento."),
            ("pl", "Używamy plików cookie, aby zapewnić najlepsze doświadczenia na naszej stronie. Możesz w każdej chwili zmienić ustawienia i wycofać zgodę."),
            ("pt", "Utilizamos cookies para melhorar a sua experiência de navegação e mostrar publicidade. Pode alterar as suas definições a qualquer momento."),
        ];
        for (code, text) in samples {
            assert_eq!(detect_language(text), Some(code), "{text}");
        }
    }

    #[test]
    fn too_little_or_no_text_gives_none() {
        assert_eq!(detect_language(""), None);
        assert_eq!(detect_language("OK"), None);
        assert_eq!(detect_language("12345 !!!"), None);
    }

    #[test]
    fn the_data_file_parses() {
        assert!(LANGUAGES.codes.len() >= 13);
        assert!(LANGUAGES.word_languages.contains_key("ikkje"));
    }
}
