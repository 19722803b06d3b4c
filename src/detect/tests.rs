//! Detection on hand-built pages: known CMPs, hand-made dialogs in several languages, shadow
//! roots and frames, and the overlays that must not be taken for consent dialogs.

use super::test_support::{Rect, SnapshotBuilder};
use super::*;
use crate::visit::dom::ShadowKind;

const BAR: Rect = [0.0, 640.0, 1280.0, 160.0];
const MODAL: Rect = [340.0, 150.0, 600.0, 400.0];

/// A fixed box with a paragraph and buttons; returns the box.
fn overlay(
    b: &mut SnapshotBuilder,
    parent: usize,
    rect: Rect,
    text: &str,
    buttons: &[&str],
) -> usize {
    let bx = b.div(parent, rect);
    b.fixed(bx, 9999);
    fill(b, bx, rect, text, buttons);
    bx
}

/// A paragraph and a row of buttons inside `parent`.
fn fill(b: &mut SnapshotBuilder, parent: usize, rect: Rect, text: &str, buttons: &[&str]) {
    let [x, y, w, _] = rect;
    let p = b.el(parent, "p", &[], [x + 20.0, y + 20.0, w - 40.0, 60.0]);
    b.text(p, text);
    for (i, label) in buttons.iter().enumerate() {
        b.button(
            parent,
            label,
            [x + 20.0 + i as f64 * 170.0, y + 100.0, 160.0, 40.0],
        );
    }
}

fn page_with_article(b: &mut SnapshotBuilder) {
    let body = b.body();
    let article = b.el(body, "article", &[], [0.0, 0.0, 1280.0, 2000.0]);
    let p = b.el(article, "p", &[], [100.0, 100.0, 800.0, 400.0]);
    b.text(p, "Today we bake chocolate chip cookies. Preheat the oven, mix butter and sugar, and add the chocolate. These cookies keep for a week.");
    b.link(article, "More recipes", [100.0, 520.0, 120.0, 20.0]);
}

#[test]
fn onetrust_container_by_id() {
    let mut b = SnapshotBuilder::new("https://news.example/");
    page_with_article(&mut b);
    let body = b.body();
    let sdk = b.el(
        body,
        "div",
        &[("id", "onetrust-consent-sdk")],
        [0.0, 0.0, 0.0, 0.0],
    );
    let banner = b.el(
        sdk,
        "div",
        &[("id", "onetrust-banner-sdk"), ("role", "region")],
        BAR,
    );
    b.fixed(banner, 2147483645);
    let p = b.el(banner, "p", &[], [20.0, 660.0, 800.0, 60.0]);
    b.text(p, "We and our partners use cookies to store and access personal data such as browsing data for purposes such as serving and personalizing content and advertising.");
    let accept = b.button(banner, "Accept All Cookies", [900.0, 660.0, 200.0, 40.0]);
    b.attr(accept, "id", "onetrust-accept-btn-handler");
    let reject = b.button(banner, "Reject All", [900.0, 710.0, 200.0, 40.0]);
    b.attr(reject, "id", "onetrust-reject-all-handler");
    let snap = b.build();
    let found = find_dialog(&snap).expect("dialog found");
    assert_eq!(found.cmp.as_deref(), Some("onetrust"));
    assert_eq!(found.found_by, "cmp");
    assert_eq!(found.root, banner);
    assert_eq!(found.language.as_deref(), Some("en"));
    assert_eq!(found.frame_url.as_deref(), Some("https://news.example/"));
    assert_eq!(found.shadow_root, None);
    assert!(found.score > 0.0);
}

#[test]
fn a_hidden_cmp_container_is_not_a_dialog() {
    let mut b = SnapshotBuilder::new("https://news.example/");
    page_with_article(&mut b);
    let body = b.body();
    let banner = b.el(body, "div", &[("id", "CybotCookiebotDialog")], BAR);
    b.style(banner, |s| s.display = "none".into());
    b.node_mut(banner).bbox = None;
    let p = b.div(banner, [0.0, 0.0, 0.0, 0.0]);
    b.node_mut(p).bbox = None;
    b.text(p, "This website uses cookies");
    let snap = b.build();
    assert_eq!(find_dialog(&snap), None);
}

#[test]
fn a_cmp_dialog_slid_out_of_view_is_not_a_dialog() {
    let mut b = SnapshotBuilder::new("https://news.example/");
    page_with_article(&mut b);
    let body = b.body();
    let banner = b.el(
        body,
        "div",
        &[("id", "onetrust-banner-sdk")],
        [0.0, 800.0, 1280.0, 160.0],
    );
    b.fixed(banner, 1000);
    fill(
        &mut b,
        banner,
        [0.0, 800.0, 1280.0, 160.0],
        "We use cookies.",
        &["Accept"],
    );
    let snap = b.build();
    assert_eq!(find_dialog(&snap), None);
}

#[test]
fn hand_built_norwegian_fixed_bar() {
    let mut b = SnapshotBuilder::new("https://apotek.example.no/");
    page_with_article(&mut b);
    let body = b.body();
    let bar = overlay(
        &mut b,
        body,
        BAR,
        "Vi bruker informasjonskapsler for å gi deg en bedre opplevelse og for å analysere trafikken. Les mer om hvordan vi behandler personopplysninger.",
        &["Godta alle", "Bare nødvendige", "Innstillinger"],
    );
    let snap = b.build();
    let found = find_dialog(&snap).expect("dialog found");
    assert_eq!(found.root, bar);
    assert_eq!(found.found_by, "heuristic");
    assert_eq!(found.cmp, None);
    assert_eq!(found.language.as_deref(), Some("nb"));
}

#[test]
fn nynorsk_swedish_finnish_french_and_polish_dialogs() {
    let cases = [
        ("nn", "Vi brukar informasjonskapslar for å gje deg ei betre oppleving. Du kan når som helst endre kva du samtykkjer til.", ["Godta alle", "Berre nødvendige"]),
        ("sv", "Vi använder kakor för att ge dig en bättre upplevelse och för att visa annonser. Du kan när som helst ändra ditt samtycke.", ["Acceptera alla", "Endast nödvändiga"]),
        ("fi", "Käytämme evästeitä parantaaksemme sivuston käyttökokemusta. Kumppanimme käsittelevät henkilötietoja mainonnan kohdentamiseen.", ["Hyväksy kaikki", "Hylkää kaikki"]),
        ("fr", "Nous et nos partenaires utilisons des cookies pour mesurer l'audience et vous proposer des publicités personnalisées avec votre consentement.", ["Tout accepter", "Continuer sans accepter"]),
        ("pl", "Używamy plików cookie oraz przetwarzamy dane osobowe w celach analitycznych i reklamowych. Możesz wycofać zgodę w każdej chwili.", ["Akceptuj wszystkie", "Odrzuć wszystkie"]),
    ];
    for (language, text, buttons) in cases {
        let mut b = SnapshotBuilder::new("https://example.eu/");
        page_with_article(&mut b);
        let body = b.body();
        let modal = overlay(&mut b, body, MODAL, text, &buttons);
        b.attr(modal, "role", "dialog");
        let snap = b.build();
        let found = find_dialog(&snap).unwrap_or_else(|| panic!("{language} dialog not found"));
        assert_eq!(found.root, modal, "{language}");
        assert_eq!(found.language.as_deref(), Some(language));
    }
}

#[test]
fn dialog_in_a_closed_shadow_root() {
    let mut b = SnapshotBuilder::new("https://shop.example.de/");
    page_with_article(&mut b);
    let body = b.body();
    let host = b.el(body, "consent-banner", &[], [0.0, 0.0, 0.0, 0.0]);
    let shadow = b.shadow_root(host, ShadowKind::Closed);
    let dialog = overlay(
        &mut b,
        shadow,
        MODAL,
        "Wir verwenden Cookies und ähnliche Technologien, um Inhalte zu personalisieren. Mit Ihrer Einwilligung geben wir Daten an unsere Partner weiter.",
        &["Alle akzeptieren", "Nur notwendige", "Einstellungen"],
    );
    b.attr(dialog, "aria-modal", "true");
    let snap = b.build();
    let found = find_dialog(&snap).expect("dialog found");
    assert_eq!(found.root, dialog);
    assert_eq!(found.shadow_root, Some(ShadowKind::Closed));
    assert_eq!(found.language.as_deref(), Some("de"));
}

#[test]
fn usercentrics_host_is_narrowed_to_the_dialog_in_its_open_shadow_root() {
    let mut b = SnapshotBuilder::new("https://shop.example.de/");
    page_with_article(&mut b);
    let body = b.body();
    let host = b.el(
        body,
        "div",
        &[("id", "usercentrics-root")],
        [0.0, 0.0, 0.0, 0.0],
    );
    let shadow = b.shadow_root(host, ShadowKind::Open);
    let backdrop = b.div(shadow, [0.0, 0.0, 1280.0, 800.0]);
    b.fixed(backdrop, 2147483647);
    b.style(backdrop, |s| {
        s.background_color = "rgba(0, 0, 0, 0.4)".into()
    });
    let dialog = b.div(backdrop, MODAL);
    b.style(dialog, |s| s.background_color = "rgb(255, 255, 255)".into());
    fill(
        &mut b,
        dialog,
        MODAL,
        "Wir nutzen Cookies und verarbeiten personenbezogene Daten mit Ihrer Einwilligung.",
        &["Alle akzeptieren", "Ablehnen"],
    );
    let snap = b.build();
    let found = find_dialog(&snap).expect("dialog found");
    assert_eq!(found.cmp.as_deref(), Some("usercentrics"));
    assert_eq!(found.found_by, "cmp");
    assert_eq!(found.root, dialog);
    assert_eq!(found.shadow_root, Some(ShadowKind::Open));
}

#[test]
fn dialog_in_a_cross_site_iframe() {
    let mut b = SnapshotBuilder::new("https://avis.example.no/");
    page_with_article(&mut b);
    let body = b.body();
    let holder = b.div(body, BAR);
    b.fixed(holder, 10000);
    b.style(holder, |s| s.background_color = "rgba(0, 0, 0, 0)".into());
    let frame_url = "https://consent.thirdparty.example/message?id=42";
    let (_, frame_body) = b.iframe(holder, frame_url, BAR);
    let message = b.div(frame_body, BAR);
    b.style(message, |s| {
        s.background_color = "rgb(250, 250, 250)".into()
    });
    fill(
        &mut b,
        message,
        BAR,
        "Vi og våre partnere bruker informasjonskapsler og behandler personopplysninger for annonser og analyse.",
        &["Godta alle", "Avvis alle", "Administrer valg"],
    );
    let snap = b.build();
    let found = find_dialog(&snap).expect("dialog found");
    assert_eq!(found.root, message);
    assert_eq!(found.frame_url.as_deref(), Some(frame_url));
    assert_eq!(found.found_by, "heuristic");
}

#[test]
fn sourcepoint_frame_is_a_cmp_match() {
    let mut b = SnapshotBuilder::new("https://avis.example.no/");
    page_with_article(&mut b);
    let body = b.body();
    let container = b.el(body, "div", &[("id", "sp_message_container_1234")], MODAL);
    b.fixed(container, 10000);
    b.style(container, |s| {
        s.background_color = "rgba(0, 0, 0, 0)".into()
    });
    let frame_url = "https://cdn.privacy-mgmt.com/index.html?message_id=1";
    let (_, frame_body) = b.iframe(container, frame_url, MODAL);
    fill(
        &mut b,
        frame_body,
        MODAL,
        "Vi bruker informasjonskapsler.",
        &["Godta", "Avvis"],
    );
    let snap = b.build();
    let found = find_dialog(&snap).expect("dialog found");
    assert_eq!(found.cmp.as_deref(), Some("sourcepoint"));
    assert_eq!(found.frame_url.as_deref(), Some(frame_url));
}

#[test]
fn same_site_iframe_dialog() {
    let mut b = SnapshotBuilder::new("https://www.example.se/");
    page_with_article(&mut b);
    let body = b.body();
    let frame_url = "https://www.example.se/consent.html";
    let (frame, frame_body) = b.iframe(body, frame_url, BAR);
    b.fixed(frame, 500);
    let dialog = overlay(
        &mut b,
        frame_body,
        BAR,
        "Vi använder kakor för att webbplatsen ska fungera och för statistik.",
        &["Godkänn alla", "Neka"],
    );
    let snap = b.build();
    let found = find_dialog(&snap).expect("dialog found");
    assert_eq!(found.root, dialog);
    assert_eq!(found.frame_url.as_deref(), Some(frame_url));
}

#[test]
fn a_cmp_script_names_a_dialog_the_heuristic_found() {
    let mut b = SnapshotBuilder::new("https://example.dk/");
    page_with_article(&mut b);
    let body = b.body();
    b.el(
        body,
        "script",
        &[("src", "https://consent.cookiebot.com/uc.js")],
        [0.0, 0.0, 0.0, 0.0],
    );
    overlay(
        &mut b,
        body,
        BAR,
        "Vi bruger cookies til statistik og marketing. Du kan til enhver tid ændre dit samtykke.",
        &["Tillad alle", "Afvis"],
    );
    let snap = b.build();
    let found = find_dialog(&snap).expect("dialog found");
    assert_eq!(found.cmp.as_deref(), Some("cookiebot"));
    assert_eq!(found.found_by, "heuristic");
    assert_eq!(found.language.as_deref(), Some("da"));
}

#[test]
fn a_banner_in_the_page_flow_with_a_real_choice() {
    let mut b = SnapshotBuilder::new("https://example.nl/");
    let body = b.body();
    let banner = b.el(
        body,
        "section",
        &[("class", "top-notice")],
        [0.0, 0.0, 1280.0, 140.0],
    );
    b.style(banner, |s| s.background_color = "rgb(240, 240, 240)".into());
    fill(
        &mut b,
        banner,
        [0.0, 0.0, 1280.0, 140.0],
        "Wij gebruiken cookies en vergelijkbare technieken om de website te verbeteren en advertenties te tonen.",
        &["Alles accepteren", "Alles weigeren"],
    );
    page_with_article(&mut b);
    let snap = b.build();
    let found = find_dialog(&snap).expect("dialog found");
    assert_eq!(found.root, banner);
    assert_eq!(found.language.as_deref(), Some("nl"));
}

#[test]
fn a_settings_layer_opened_over_the_banner_is_taken() {
    let mut b = SnapshotBuilder::new("https://example.no/");
    page_with_article(&mut b);
    let body = b.body();
    overlay(
        &mut b,
        body,
        BAR,
        "Vi bruker informasjonskapsler for statistikk og annonser.",
        &["Godta alle", "Innstillinger"],
    );
    let settings = b.div(body, MODAL);
    b.fixed(settings, 100000);
    b.attr(settings, "role", "dialog");
    let p = b.el(settings, "p", &[], [360.0, 170.0, 560.0, 40.0]);
    b.text(p, "Velg hvilke informasjonskapsler vi kan bruke.");
    for (i, purpose) in ["Statistikk", "Markedsføring"].into_iter().enumerate() {
        let y = 220.0 + i as f64 * 40.0;
        let row = b.el(settings, "label", &[], [360.0, y, 560.0, 30.0]);
        b.text(row, purpose);
        b.checkbox(row, false, [880.0, y, 20.0, 20.0]);
    }
    b.button(settings, "Lagre valg", [360.0, 480.0, 160.0, 40.0]);
    b.button(settings, "Godta alle", [540.0, 480.0, 160.0, 40.0]);
    let snap = b.build();
    let found = find_dialog(&snap).expect("dialog found");
    assert_eq!(found.root, settings);
}

#[test]
fn cookie_word_only_inside_a_link_in_the_sentence() {
    let mut b = SnapshotBuilder::new("https://example.no/");
    page_with_article(&mut b);
    let body = b.body();
    let bar = b.div(body, BAR);
    b.fixed(bar, 50);
    let p = b.el(bar, "p", &[], [20.0, 660.0, 800.0, 40.0]);
    b.text(p, "Vi bruker");
    b.link(p, "informasjonskapsler", [100.0, 660.0, 150.0, 20.0]);
    b.text(p, "for å gi deg en bedre opplevelse på nettstedet.");
    b.button(bar, "OK", [900.0, 660.0, 80.0, 40.0]);
    let snap = b.build();
    assert_eq!(find_dialog(&snap).map(|d| d.root), Some(bar));
}

#[test]
fn absolutely_positioned_banner_over_the_page() {
    let mut b = SnapshotBuilder::new("https://example.it/");
    page_with_article(&mut b);
    let body = b.body();
    let banner = b.div(body, [0.0, 0.0, 1280.0, 120.0]);
    b.style(banner, |s| {
        s.position = "absolute".into();
        s.z_index = "99999".into();
        s.background_color = "rgb(30, 30, 30)".into();
    });
    fill(
        &mut b,
        banner,
        [0.0, 0.0, 1280.0, 120.0],
        "Questo sito utilizza cookie tecnici e, previo consenso, cookie di profilazione.",
        &["Accetta"],
    );
    let snap = b.build();
    let found = find_dialog(&snap).expect("dialog found");
    assert_eq!(found.root, banner);
    assert_eq!(found.language.as_deref(), Some("it"));
}

// ---- what must not be found ----

#[test]
fn a_normal_page_has_no_dialog() {
    let mut b = SnapshotBuilder::new("https://bakery.example/");
    page_with_article(&mut b);
    let body = b.body();
    let header = b.el(body, "header", &[], [0.0, 0.0, 1280.0, 60.0]);
    b.style(header, |s| {
        s.position = "sticky".into();
        s.z_index = "10".into();
    });
    b.link(header, "Cookies", [100.0, 20.0, 80.0, 20.0]);
    b.link(header, "Cakes", [200.0, 20.0, 80.0, 20.0]);
    let snap = b.build();
    assert_eq!(find_dialog(&snap), None);
}

#[test]
fn newsletter_modal_is_not_a_consent_dialog() {
    for with_email_field in [true, false] {
        let mut b = SnapshotBuilder::new("https://shop.example/");
        page_with_article(&mut b);
        let body = b.body();
        let modal = overlay(
            &mut b,
            body,
            MODAL,
            "Subscribe to our newsletter and get 10% off your first order! By subscribing you consent to our privacy policy and the use of cookies.",
            &["Subscribe", "No thanks"],
        );
        b.attr(modal, "role", "dialog");
        if with_email_field {
            b.el(
                modal,
                "input",
                &[("type", "email"), ("placeholder", "Your email")],
                [360.0, 300.0, 300.0, 40.0],
            );
        }
        let snap = b.build();
        assert_eq!(find_dialog(&snap), None, "email field: {with_email_field}");
    }
}

#[test]
fn age_gates_are_not_consent_dialogs() {
    let cases = [
        ("Er du over 18 år? Du må være 18 år for å se denne siden. Vi bruker informasjonskapsler.", ["Ja", "Nei"]),
        ("Are you 18 or older? You must be of legal drinking age to enter. This site uses cookies.", ["Yes, I am 18", "No"]),
    ];
    for (text, buttons) in cases {
        let mut b = SnapshotBuilder::new("https://vin.example/");
        page_with_article(&mut b);
        let body = b.body();
        let gate = overlay(&mut b, body, [0.0, 0.0, 1280.0, 800.0], text, &buttons);
        b.attr(gate, "aria-modal", "true");
        let snap = b.build();
        assert_eq!(find_dialog(&snap), None, "{text}");
    }
}

#[test]
fn chat_widget_is_not_a_consent_dialog() {
    let mut b = SnapshotBuilder::new("https://support.example/");
    page_with_article(&mut b);
    let body = b.body();
    let widget = overlay(
        &mut b,
        body,
        [1000.0, 500.0, 260.0, 280.0],
        "Hi there! How can we help? By chatting with us you accept our cookie policy.",
        &["Start chat"],
    );
    b.el(
        widget,
        "textarea",
        &[("placeholder", "Type your message")],
        [1010.0, 700.0, 240.0, 60.0],
    );
    let snap = b.build();
    assert_eq!(find_dialog(&snap), None);
    // Without the message field too: a chat launcher that mentions cookies.
    let mut b = SnapshotBuilder::new("https://support.example/");
    page_with_article(&mut b);
    let body = b.body();
    overlay(
        &mut b,
        body,
        [1000.0, 700.0, 260.0, 80.0],
        "Chat with us! We use cookies to remember the conversation.",
        &["Open chat"],
    );
    let snap = b.build();
    assert_eq!(find_dialog(&snap), None);
}

#[test]
fn footer_with_cookie_links_is_not_a_consent_dialog() {
    let mut b = SnapshotBuilder::new("https://example.org/");
    page_with_article(&mut b);
    let body = b.body();
    let footer = b.el(body, "footer", &[], [0.0, 2000.0, 1280.0, 200.0]);
    let p = b.el(footer, "p", &[], [100.0, 2020.0, 600.0, 20.0]);
    b.text(p, "© 2024 Example AS. All rights reserved.");
    b.link(footer, "Privacy policy", [100.0, 2060.0, 120.0, 20.0]);
    b.link(footer, "Cookie policy", [240.0, 2060.0, 120.0, 20.0]);
    b.link(footer, "Cookie settings", [380.0, 2060.0, 120.0, 20.0]);
    let snap = b.build();
    assert_eq!(find_dialog(&snap), None);
}

#[test]
fn fixed_footer_bar_with_cookie_links_is_not_a_consent_dialog() {
    let mut b = SnapshotBuilder::new("https://example.org/");
    page_with_article(&mut b);
    let body = b.body();
    let bar = b.div(body, [0.0, 760.0, 1280.0, 40.0]);
    b.fixed(bar, 100);
    let p = b.el(bar, "p", &[], [20.0, 770.0, 800.0, 20.0]);
    b.text(p, "© 2024 Example AS ·");
    b.link(p, "Cookie policy", [200.0, 770.0, 100.0, 20.0]);
    b.text(p, "·");
    b.link(p, "Privacy", [320.0, 770.0, 60.0, 20.0]);
    let snap = b.build();
    assert_eq!(find_dialog(&snap), None);
}

/// What a dialog shows in one snapshot of the page; every snapshot of one page is built the
/// same way, so its nodes keep their backend ids, as in a live page.
#[derive(Clone, Copy, PartialEq)]
enum Showing {
    FirstLayer,
    SettingsLayer,
    Nothing,
}

/// A bottom bar (`role=dialog`) whose first layer speaks of cookies and whose settings layer,
/// in the same bar, does not; in a transparent fixed wrapper when `wrapped`. Returns the
/// snapshot, the bar and its two layers.
fn layered_bar(showing: Showing, wrapped: bool) -> (DomSnapshot, usize, [usize; 2]) {
    let mut b = SnapshotBuilder::new("https://example.org/");
    page_with_article(&mut b);
    let body = b.body();
    let bar = b.el(body, "div", &[], BAR);
    b.fixed(bar, 1000);
    if wrapped {
        b.style(bar, |s| s.background_color = "rgba(0, 0, 0, 0)".into());
    } else {
        b.attr(bar, "role", "dialog");
    }
    let first = b.div(bar, BAR);
    let second = b.div(bar, BAR);
    if wrapped {
        for layer in [first, second] {
            b.style(layer, |s| s.background_color = "rgb(255, 255, 255)".into());
        }
    }
    fill(
        &mut b,
        first,
        BAR,
        "We and our partners use cookies to measure visits and to show you relevant advertising.",
        &["Accept all", "Settings"],
    );
    let p = b.el(second, "p", &[], [20.0, 660.0, 400.0, 20.0]);
    b.text(p, "Privacy settings");
    for (i, purpose) in ["Necessary", "Statistics", "Marketing"]
        .into_iter()
        .enumerate()
    {
        let x = 20.0 + i as f64 * 200.0;
        let label = b.el(second, "label", &[], [x, 690.0, 180.0, 30.0]);
        b.checkbox(label, i == 0, [x, 695.0, 20.0, 20.0]);
        b.text(label, purpose);
    }
    b.button(second, "Reject all", [20.0, 740.0, 160.0, 40.0]);
    b.button(second, "Save choices", [200.0, 740.0, 160.0, 40.0]);
    match showing {
        Showing::FirstLayer => b.unrendered(second),
        Showing::SettingsLayer => b.unrendered(first),
        Showing::Nothing => b.unrendered(bar),
    }
    (b.build(), bar, [first, second])
}

#[test]
fn a_settings_layer_switched_in_place_is_followed_though_it_says_no_cookie_word() {
    let (before, bar, _) = layered_bar(Showing::FirstLayer, false);
    let first = find_dialog(&before).expect("the first layer");
    assert_eq!((first.root, first.container), (bar, bar));
    let anchor = DialogAnchor::new(&before, &first);

    let (after, bar, _) = layered_bar(Showing::SettingsLayer, false);
    assert_eq!(
        find_dialog(&after),
        None,
        "no consent words on the settings layer"
    );
    let layer = find_layer(&after, &anchor).expect("the settings layer");
    assert_eq!(layer.root, bar);
    assert_eq!(layer.found_by, "heuristic");

    let (gone, _, _) = layered_bar(Showing::Nothing, false);
    assert_eq!(find_layer(&gone, &anchor), None);
}

#[test]
fn a_layer_replaced_inside_a_transparent_wrapper_is_followed() {
    let (before, wrapper, [first_layer, _]) = layered_bar(Showing::FirstLayer, true);
    let first = find_dialog(&before).expect("the first layer");
    assert_eq!((first.root, first.container), (first_layer, wrapper));
    let anchor = DialogAnchor::new(&before, &first);

    let (after, _, [_, second_layer]) = layered_bar(Showing::SettingsLayer, true);
    let layer = find_layer(&after, &anchor).expect("the settings layer");
    assert_eq!(layer.root, second_layer);
}

#[test]
fn a_settings_overlay_that_replaced_the_banner_is_followed() {
    let banner_page = |banner_shows: bool| {
        let mut b = SnapshotBuilder::new("https://example.org/");
        page_with_article(&mut b);
        let body = b.body();
        let banner = overlay(
            &mut b,
            body,
            BAR,
            "We use cookies for statistics and advertising.",
            &["Accept all", "Settings"],
        );
        let settings = b.el(body, "div", &[("role", "dialog")], MODAL);
        b.fixed(settings, 100_000);
        let p = b.el(settings, "p", &[], [360.0, 170.0, 560.0, 40.0]);
        b.text(p, "Your privacy choices");
        for (i, purpose) in ["Analytics", "Advertising"].into_iter().enumerate() {
            let y = 220.0 + i as f64 * 40.0;
            let row = b.el(settings, "label", &[], [360.0, y, 560.0, 30.0]);
            b.text(row, purpose);
            b.checkbox(row, true, [880.0, y, 20.0, 20.0]);
        }
        b.button(settings, "Save", [360.0, 480.0, 160.0, 40.0]);
        b.unrendered(if banner_shows { settings } else { banner });
        (b.build(), banner, settings)
    };
    let (before, banner, _) = banner_page(true);
    let first = find_dialog(&before).expect("the banner");
    assert_eq!(first.root, banner);
    let anchor = DialogAnchor::new(&before, &first);
    let (after, _, settings) = banner_page(false);
    assert_eq!(find_dialog(&after), None);
    assert_eq!(find_layer(&after, &anchor).map(|d| d.root), Some(settings));
}

#[test]
fn a_settings_modal_painted_over_the_banner_wins_over_the_banner() {
    let mut b = SnapshotBuilder::new("https://example.no/");
    page_with_article(&mut b);
    let body = b.body();
    let banner = overlay(
        &mut b,
        body,
        BAR,
        "Vi bruker informasjonskapsler for statistikk og annonser.",
        &["Godta alle", "Innstillinger"],
    );
    let before = b.build();
    let first = find_dialog(&before).expect("the banner");
    assert_eq!(first.root, banner);
    let anchor = DialogAnchor::new(&before, &first);

    let mut b = SnapshotBuilder::new("https://example.no/");
    page_with_article(&mut b);
    let body = b.body();
    overlay(
        &mut b,
        body,
        BAR,
        "Vi bruker informasjonskapsler for statistikk og annonser.",
        &["Godta alle", "Innstillinger"],
    );
    let settings = b.el(body, "div", &[("role", "dialog")], MODAL);
    b.fixed(settings, 100_000);
    let p = b.el(settings, "p", &[], [360.0, 170.0, 560.0, 40.0]);
    b.text(p, "Personvern: velg formål");
    let row = b.el(settings, "label", &[], [360.0, 220.0, 560.0, 30.0]);
    b.text(row, "Statistikk");
    b.checkbox(row, false, [880.0, 220.0, 20.0, 20.0]);
    b.button(settings, "Lagre valg", [360.0, 480.0, 160.0, 40.0]);
    let after = b.build();
    assert_eq!(find_layer(&after, &anchor).map(|d| d.root), Some(settings));
}
