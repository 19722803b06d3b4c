//! What a dialog's button does (accept all, reject all, settings, save, close), from its label
//! and, when the label says nothing, from its attributes. The vocabulary is the data file
//! `button_roles.json`.

use std::collections::BTreeMap;

use once_cell::sync::Lazy;
use serde::Deserialize;

use crate::detect::cmp::hinted_role;
use crate::detect::terms::{words, PhraseSet};
use crate::model::ButtonRole;

/// Labels are read up to this many characters; a longer "label" is a paragraph, not a button.
const MAX_LABEL_CHARS: usize = 200;

#[derive(Deserialize)]
struct RuleFile {
    role: ButtonRole,
    phrases: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct AttributeRuleFile {
    role: ButtonRole,
    words: Vec<String>,
}

#[derive(Deserialize)]
struct VocabularyFile {
    close_symbols: Vec<String>,
    rules: Vec<RuleFile>,
    attribute_words: Vec<AttributeRuleFile>,
}

struct Vocabulary {
    close_symbols: Vec<String>,
    /// In the data file's order; the first match wins.
    rules: Vec<(ButtonRole, PhraseSet)>,
    attribute_rules: Vec<(ButtonRole, PhraseSet)>,
}

static VOCABULARY: Lazy<Vocabulary> = Lazy::new(|| {
    let file: VocabularyFile = serde_json::from_str(include_str!("button_roles.json"))
        .expect("src/measure/button_roles.json is valid (checked by a unit test)");
    Vocabulary {
        close_symbols: file.close_symbols,
        rules: file
            .rules
            .iter()
            .map(|r| {
                let all = r.phrases.values().flatten().map(String::as_str);
                (r.role, PhraseSet::new(all))
            })
            .collect(),
        attribute_rules: file
            .attribute_words
            .iter()
            .map(|r| (r.role, PhraseSet::new(r.words.iter().map(String::as_str))))
            .collect(),
    }
});

/// The role of a button from what it says. Order of evidence: the visible text; the
/// `aria-label` when the text is empty or only a close symbol whose accessible name says more
/// ("×" labelled "Continue without accepting" refuses); then known CMP button hints; then words
/// in its id, class, name and data attributes.
pub fn classify_button(
    text: &str,
    aria_label: Option<&str>,
    attrs: &BTreeMap<String, String>,
) -> ButtonRole {
    let by_text = role_from_label(text);
    let by_aria = aria_label.and_then(role_from_label);
    match (by_text, by_aria) {
        (Some(ButtonRole::Close), Some(aria)) => aria,
        (Some(role), _) | (None, Some(role)) => role,
        (None, None) => hinted_role(attrs)
            .or_else(|| role_from_attributes(attrs))
            .unwrap_or(ButtonRole::Other),
    }
}

/// The role a label names, if any.
pub fn role_from_label(label: &str) -> Option<ButtonRole> {
    let label: String = label.chars().take(MAX_LABEL_CHARS).collect();
    let trimmed = label.trim();
    if trimmed.is_empty() {
        return None;
    }
    let vocabulary = &*VOCABULARY;
    if vocabulary.close_symbols.iter().any(|s| s == trimmed) {
        return Some(ButtonRole::Close);
    }
    let label_words = words(trimmed);
    if label_words.is_empty() {
        return None;
    }
    vocabulary
        .rules
        .iter()
        .find(|(_, phrases)| phrases.first_in_label(&label_words).is_some())
        .map(|(role, _)| *role)
}

/// The role named by words in the button's id, class, name or data attributes
/// (`CybotCookiebotDialogBodyButtonDecline`, `cookie-accept-btn`).
fn role_from_attributes(attrs: &BTreeMap<String, String>) -> Option<ButtonRole> {
    let text: String = attrs
        .iter()
        .filter(|(name, _)| {
            matches!(name.as_str(), "id" | "class" | "name") || name.starts_with("data-")
        })
        .map(|(_, value)| split_camel_case(value))
        .collect::<Vec<_>>()
        .join(" ");
    let attr_words = words(&text);
    VOCABULARY
        .attribute_rules
        .iter()
        .find(|(_, phrases)| {
            attr_words
                .iter()
                .any(|w| phrases.first_in_label(std::slice::from_ref(w)).is_some())
        })
        .map(|(role, _)| *role)
}

/// "btnAcceptAll" → "btn Accept All", so identifiers split into words.
fn split_camel_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut previous_lower = false;
    for c in s.chars().take(MAX_LABEL_CHARS) {
        if c.is_uppercase() && previous_lower {
            out.push(' ');
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ButtonRole::*;

    fn role(label: &str) -> ButtonRole {
        classify_button(label, None, &BTreeMap::new())
    }

    fn assert_roles(expected: ButtonRole, labels: &[&str]) {
        for label in labels {
            assert_eq!(role(label), expected, "label {label:?}");
        }
    }

    #[test]
    fn english() {
        assert_roles(
            AcceptAll,
            &[
                "Accept all",
                "Accept",
                "I agree",
                "Allow all cookies",
                "OK, got it",
                "Agree and close",
            ],
        );
        assert_roles(
            RejectAll,
            &[
                "Reject all",
                "Decline",
                "Only necessary",
                "Accept only necessary",
                "Use necessary cookies only",
                "Continue without accepting",
                "I do not agree",
            ],
        );
        assert_roles(
            Settings,
            &[
                "Manage preferences",
                "Cookie settings",
                "Customise",
                "More options",
                "Let me choose",
            ],
        );
        assert_roles(
            Save,
            &[
                "Save",
                "Save settings",
                "Confirm my choices",
                "Allow selection",
                "Accept selected",
            ],
        );
        assert_roles(Close, &["×", "✕", "Close", "Dismiss", "Close settings"]);
        assert_roles(
            Other,
            &[
                "Read more",
                "Privacy policy",
                "Cookie policy",
                "Our partners",
                "Learn more",
            ],
        );
    }

    #[test]
    fn norwegian_bokmal_and_nynorsk() {
        assert_roles(
            AcceptAll,
            &[
                "Godta alle",
                "Godta",
                "Aksepter alle",
                "Tillat alle",
                "Jeg forstår",
                "Eg godtek",
            ],
        );
        assert_roles(
            RejectAll,
            &[
                "Avvis alle",
                "Bare nødvendige",
                "Godta kun nødvendige",
                "Nei takk",
                "Ikke godta",
                "Berre nødvendige",
                "Ikkje godta",
            ],
        );
        assert_roles(
            Settings,
            &[
                "Innstillinger",
                "Tilpass",
                "Administrer valg",
                "Vis detaljer",
                "Personverninnstillinger",
                "Innstillingar",
            ],
        );
        assert_roles(
            Save,
            &[
                "Lagre valg",
                "Lagre",
                "Bekreft mine valg",
                "Tillat utvalg",
                "Stadfest val",
            ],
        );
        assert_roles(Close, &["Lukk"]);
        assert_roles(Other, &["Les mer", "Personvernerklæring", "Våre partnere"]);
    }

    #[test]
    fn swedish_and_danish() {
        assert_roles(
            AcceptAll,
            &[
                "Acceptera alla",
                "Godkänn alla",
                "Tillåt alla",
                "Jag samtycker",
                "Okej",
            ],
        );
        assert_roles(
            RejectAll,
            &[
                "Avvisa alla",
                "Neka",
                "Endast nödvändiga",
                "Acceptera endast nödvändiga",
                "Nej tack",
            ],
        );
        assert_roles(
            Settings,
            &[
                "Inställningar",
                "Anpassa",
                "Hantera cookies",
                "Cookieinställningar",
                "Fler alternativ",
            ],
        );
        assert_roles(
            Save,
            &[
                "Spara",
                "Spara inställningar",
                "Bekräfta mina val",
                "Tillåt urval",
                "Godkänn valda",
            ],
        );
        assert_roles(
            AcceptAll,
            &[
                "Accepter alle",
                "Acceptér alle",
                "Tillad alle",
                "Ja tak",
                "Godkend",
            ],
        );
        assert_roles(
            RejectAll,
            &[
                "Afvis alle",
                "Kun nødvendige",
                "Tillad kun nødvendige",
                "Afslå",
                "Nej tak",
            ],
        );
        assert_roles(
            Settings,
            &[
                "Indstillinger",
                "Tilpas",
                "Cookieindstillinger",
                "Vis detaljer",
                "Administrer",
            ],
        );
        assert_roles(
            Save,
            &[
                "Gem",
                "Gem indstillinger",
                "Bekræft valg",
                "Tillad valgte",
                "Gem mine valg",
            ],
        );
    }

    #[test]
    fn finnish_and_german() {
        assert_roles(
            AcceptAll,
            &[
                "Hyväksy kaikki",
                "Hyväksy",
                "Salli kaikki",
                "Hyväksyn",
                "Selvä",
            ],
        );
        assert_roles(
            RejectAll,
            &[
                "Hylkää kaikki",
                "Vain välttämättömät",
                "Hyväksy vain välttämättömät",
                "En hyväksy",
                "Kieltäydy",
            ],
        );
        assert_roles(
            Settings,
            &[
                "Asetukset",
                "Evästeasetukset",
                "Mukauta",
                "Hallinnoi evästeitä",
                "Näytä tiedot",
            ],
        );
        assert_roles(
            Save,
            &[
                "Tallenna",
                "Tallenna valinnat",
                "Vahvista valinnat",
                "Salli valitut",
                "Hyväksy valitut",
            ],
        );
        assert_roles(
            AcceptAll,
            &[
                "Alle akzeptieren",
                "Akzeptieren",
                "Zustimmen",
                "Einverstanden",
                "Alle Cookies zulassen",
            ],
        );
        assert_roles(
            RejectAll,
            &[
                "Alle ablehnen",
                "Nur notwendige",
                "Nur notwendige Cookies akzeptieren",
                "Nur essenzielle Cookies",
                "Ohne Zustimmung fortfahren",
            ],
        );
        assert_roles(
            Settings,
            &[
                "Einstellungen",
                "Cookie-Einstellungen",
                "Individuelle Datenschutzeinstellungen",
                "Anpassen",
                "Mehr Optionen",
            ],
        );
        assert_roles(
            Save,
            &[
                "Speichern",
                "Auswahl speichern",
                "Auswahl bestätigen",
                "Auswahl erlauben",
                "Einstellungen speichern",
            ],
        );
    }

    #[test]
    fn french_and_dutch() {
        assert_roles(
            AcceptAll,
            &[
                "Tout accepter",
                "Accepter",
                "J'accepte",
                "Accepter et fermer",
                "OK pour moi",
            ],
        );
        assert_roles(
            RejectAll,
            &[
                "Tout refuser",
                "Refuser",
                "Continuer sans accepter",
                "Je refuse",
                "Uniquement les cookies nécessaires",
            ],
        );
        assert_roles(
            Settings,
            &[
                "Paramétrer",
                "Personnaliser",
                "Gérer mes préférences",
                "Plus d'options",
                "Paramètres des cookies",
            ],
        );
        assert_roles(
            Save,
            &[
                "Enregistrer",
                "Enregistrer mes préférences",
                "Valider mes choix",
                "Confirmer mes choix",
                "Accepter la sélection",
            ],
        );
        assert_roles(
            AcceptAll,
            &[
                "Alles accepteren",
                "Accepteren",
                "Akkoord",
                "Alle cookies toestaan",
                "Ik ga akkoord",
            ],
        );
        assert_roles(
            RejectAll,
            &[
                "Alles weigeren",
                "Weigeren",
                "Alleen noodzakelijke cookies",
                "Niet akkoord",
                "Afwijzen",
            ],
        );
        assert_roles(
            Settings,
            &[
                "Instellingen",
                "Cookie-instellingen",
                "Aanpassen",
                "Voorkeuren beheren",
                "Meer opties",
            ],
        );
        assert_roles(
            Save,
            &[
                "Opslaan",
                "Voorkeuren opslaan",
                "Selectie toestaan",
                "Keuze bevestigen",
                "Bewaren",
            ],
        );
    }

    #[test]
    fn spanish_italian_polish_portuguese() {
        assert_roles(
            AcceptAll,
            &[
                "Aceptar todo",
                "Aceptar",
                "Acepto",
                "Permitir todas",
                "De acuerdo",
            ],
        );
        assert_roles(
            RejectAll,
            &[
                "Rechazar todo",
                "Rechazar",
                "Solo necesarias",
                "Continuar sin aceptar",
                "No acepto",
            ],
        );
        assert_roles(
            Settings,
            &[
                "Configurar",
                "Personalizar",
                "Gestionar opciones",
                "Más opciones",
                "Preferencias",
            ],
        );
        assert_roles(
            Save,
            &[
                "Guardar",
                "Guardar preferencias",
                "Confirmar selección",
                "Aceptar selección",
                "Guardar y salir",
            ],
        );
        assert_roles(
            AcceptAll,
            &[
                "Accetta tutto",
                "Accetta",
                "Accetto",
                "Consenti tutti",
                "Ok, ho capito",
            ],
        );
        assert_roles(
            RejectAll,
            &[
                "Rifiuta tutto",
                "Rifiuta",
                "Solo necessari",
                "Continua senza accettare",
                "Non accetto",
            ],
        );
        assert_roles(
            Settings,
            &[
                "Impostazioni",
                "Personalizza",
                "Gestisci preferenze",
                "Più opzioni",
                "Mostra dettagli",
            ],
        );
        assert_roles(
            Save,
            &[
                "Salva",
                "Salva preferenze",
                "Conferma le scelte",
                "Conferma selezione",
                "Accetta selezionati",
            ],
        );
        assert_roles(
            AcceptAll,
            &[
                "Akceptuj wszystkie",
                "Akceptuję",
                "Zaakceptuj",
                "Zgadzam się",
                "Przejdź do serwisu",
            ],
        );
        assert_roles(
            RejectAll,
            &[
                "Odrzuć wszystkie",
                "Odrzuć",
                "Tylko niezbędne",
                "Nie zgadzam się",
                "Odmów",
            ],
        );
        assert_roles(
            Settings,
            &[
                "Ustawienia",
                "Dostosuj",
                "Zarządzaj",
                "Więcej opcji",
                "Preferencje",
            ],
        );
        assert_roles(
            Save,
            &[
                "Zapisz",
                "Zapisz ustawienia",
                "Potwierdź wybór",
                "Akceptuj wybrane",
                "Zapisz i zamknij",
            ],
        );
        assert_roles(
            AcceptAll,
            &[
                "Aceitar todos",
                "Aceitar",
                "Aceito",
                "Permitir todos",
                "Concordo",
            ],
        );
        assert_roles(
            RejectAll,
            &[
                "Rejeitar todos",
                "Recusar",
                "Apenas necessários",
                "Continuar sem aceitar",
                "Não aceito",
            ],
        );
        assert_roles(
            Settings,
            &[
                "Definições",
                "Configurações",
                "Personalizar",
                "Gerir preferências",
                "Mais opções",
            ],
        );
        assert_roles(
            Save,
            &[
                "Guardar preferências",
                "Salvar",
                "Confirmar escolhas",
                "Confirmar seleção",
                "Salvar preferências",
            ],
        );
    }

    #[test]
    fn aria_label_names_icon_buttons_and_close_symbols() {
        let none = BTreeMap::new();
        assert_eq!(classify_button("×", Some("Close"), &none), Close);
        assert_eq!(classify_button("", Some("Close"), &none), Close);
        assert_eq!(
            classify_button("✕", Some("Continuer sans accepter"), &none),
            RejectAll
        );
        assert_eq!(
            classify_button("Accept all", Some("Close"), &none),
            AcceptAll
        );
        assert_eq!(classify_button("", None, &none), Other);
    }

    #[test]
    fn attributes_decide_only_when_the_label_says_nothing() {
        let attrs = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let decline = attrs(&[("id", "CybotCookiebotDialogBodyButtonDecline")]);
        assert_eq!(classify_button("Nope", None, &decline), RejectAll);
        assert_eq!(classify_button("Accept", None, &decline), AcceptAll);
        let didomi = attrs(&[("id", "didomi-notice-learn-more-button")]);
        assert_eq!(classify_button("En savoir plus", None, &didomi), Settings);
        let icon = attrs(&[("class", "btnAcceptAll primary")]);
        assert_eq!(classify_button("", None, &icon), AcceptAll);
        let plain = attrs(&[("class", "btn btn-primary"), ("href", "/accept")]);
        assert_eq!(classify_button("Les mer", None, &plain), Other);
    }

    #[test]
    fn long_hostile_labels_do_not_panic() {
        let long = "Godta ".repeat(10_000);
        assert_eq!(role(&long), AcceptAll);
        assert_eq!(role("\u{0}\u{feff}"), Other);
    }
}
