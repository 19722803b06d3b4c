//! The generic consent-dialog heuristic, for dialogs built by hand or by CMPs not in the table.
//!
//! Candidates are overlays (fixed or sticky boxes, `role=dialog|alertdialog`, `aria-modal`,
//! `<dialog>`) and, for banners placed in the page flow, the box around an "accept" button.
//! Each is scored from what it says and offers: cookie and consent words in its prose (not only
//! in a link such as a footer's "Cookie policy"), the words around them (partners, personal
//! data), accept / reject / settings buttons, and how it sits on the page. Newsletter, chat and
//! age-gate wording, typed-input fields and a place in the page footer count against it.

use std::collections::{BTreeMap, HashMap, HashSet};

use once_cell::sync::Lazy;
use serde::Deserialize;

use super::terms::{PhraseSet, WordIndex};
use super::walk::{self, is_visible, node, visible_text, z_index, MAX_WALK_NODES};
use crate::measure::buttons::{collect_clickables, Clickable};
use crate::measure::classify_button;
use crate::model::ButtonRole;
use crate::visit::dom::{DomNode, DomSnapshot, NodeKind};

/// Text read per candidate; consent dialogs say what they need in far less.
const MAX_TEXT_CHARS: usize = 20_000;
/// Most candidates scored on one page.
const MAX_CANDIDATES: usize = 200;
/// Most buttons looked at per candidate and on the whole page (for in-flow banners).
const MAX_CANDIDATE_BUTTONS: usize = 150;
const MAX_PAGE_BUTTONS: usize = 3_000;
/// An absolutely positioned box with at least this `z-index` is laid over the page.
const MIN_OVERLAY_Z_INDEX: i64 = 10;
/// A link is part of a sentence when its parent says at least this many more words.
const MIN_SENTENCE_WORDS: usize = 5;
/// Score an overlay needs to count as a consent dialog.
const OVERLAY_THRESHOLD: f64 = 7.0;
/// Score a box in the page flow needs (it must also offer accept and reject or settings).
const IN_FLOW_THRESHOLD: f64 = 10.0;
/// Text up to this length costs nothing; beyond it, each doubling costs about one point,
/// so that a whole page that happens to contain the banner loses to the banner.
const PLAIN_TEXT_CHARS: f64 = 400.0;

#[derive(Deserialize)]
struct TermFile {
    cookie: BTreeMap<String, Vec<String>>,
    data: BTreeMap<String, Vec<String>>,
    newsletter: BTreeMap<String, Vec<String>>,
    chat: BTreeMap<String, Vec<String>>,
    age_gate: BTreeMap<String, Vec<String>>,
}

struct ConsentTerms {
    cookie: PhraseSet,
    data: PhraseSet,
    newsletter: PhraseSet,
    chat: PhraseSet,
    age_gate: PhraseSet,
}

fn phrase_set(by_language: &BTreeMap<String, Vec<String>>) -> PhraseSet {
    PhraseSet::new(by_language.values().flatten().map(String::as_str))
}

static TERMS: Lazy<ConsentTerms> = Lazy::new(|| {
    let file: TermFile = serde_json::from_str(include_str!("consent_terms.json"))
        .expect("src/detect/consent_terms.json is valid (checked by a unit test)");
    ConsentTerms {
        cookie: phrase_set(&file.cookie),
        data: phrase_set(&file.data),
        newsletter: phrase_set(&file.newsletter),
        chat: phrase_set(&file.chat),
        age_gate: phrase_set(&file.age_gate),
    }
});

/// How a box sits on the page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Placement {
    /// It or an ancestor (other than `<html>`/`<body>`, which pages fix to stop scrolling) is
    /// `position: fixed` or `sticky`, or `absolute` with a high `z-index`.
    pub positioned: bool,
    /// It or an ancestor is a `<dialog>`, has `role=dialog|alertdialog` or `aria-modal=true`.
    pub dialog: bool,
    /// The highest `z-index` on the way up.
    pub z_index: i64,
    /// It lies in a `<footer>` or `role=contentinfo`.
    pub in_footer: bool,
}

pub fn placement(snapshot: &DomSnapshot, id: usize) -> Placement {
    let mut p = Placement::default();
    for n in std::iter::once(id)
        .chain(walk::ancestors(snapshot, id))
        .filter_map(|a| node(snapshot, a))
        .filter(|n| n.kind == NodeKind::Element && !matches!(n.tag.as_str(), "html" | "body"))
    {
        if stands_above_the_page(n) {
            p.positioned = true;
        }
        let role = n.attrs.get("role").map(|r| r.trim()).unwrap_or("");
        if n.tag == "dialog"
            || matches!(role, "dialog" | "alertdialog")
            || n.attrs
                .get("aria-modal")
                .is_some_and(|v| v.trim() == "true")
        {
            p.dialog = true;
        }
        if let Some(z) = z_index(n) {
            p.z_index = p.z_index.max(z);
        }
        if n.tag == "footer" || role == "contentinfo" {
            p.in_footer = true;
        }
    }
    p
}

/// What a candidate says and offers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Features {
    /// Distinct cookie/consent phrases in its prose (text outside its buttons and links).
    pub cookie_in_prose: usize,
    /// Distinct cookie/consent phrases anywhere, labels included.
    pub cookie_anywhere: usize,
    /// Distinct phrases about data use (partners, personal data, advertising).
    pub data_terms: usize,
    pub newsletter_terms: usize,
    pub chat_terms: usize,
    pub age_gate: bool,
    pub text_chars: usize,
    pub accept_buttons: usize,
    pub reject_buttons: usize,
    pub settings_or_save_buttons: usize,
    pub clickables: usize,
    pub toggles: usize,
    /// Visible e-mail fields and text areas: consent dialogs never ask for typed input.
    pub email_or_message_fields: usize,
    /// Other visible text fields (a vendor search box is possible, so these only cost).
    pub text_fields: usize,
    pub placement: Placement,
}

pub fn features(snapshot: &DomSnapshot, root: usize) -> Features {
    let terms = &*TERMS;
    let clickables = collect_clickables(snapshot, root, MAX_CANDIDATE_BUTTONS);
    let buttons: HashSet<usize> = clickables
        .iter()
        .map(|c| c.node)
        .filter(|&id| !is_link_in_a_sentence(snapshot, id))
        .collect();
    let all_text = visible_text(snapshot, root, &HashSet::new(), MAX_TEXT_CHARS);
    let prose = visible_text(snapshot, root, &buttons, MAX_TEXT_CHARS);
    let all_index = WordIndex::new(&all_text);
    let prose_index = WordIndex::new(&prose);
    let mut f = Features {
        cookie_in_prose: terms.cookie.found_in(&prose_index).len(),
        cookie_anywhere: terms.cookie.found_in(&all_index).len(),
        data_terms: terms.data.found_in(&all_index).len(),
        newsletter_terms: terms.newsletter.found_in(&all_index).len(),
        chat_terms: terms.chat.found_in(&all_index).len(),
        age_gate: !terms.age_gate.found_in(&all_index).is_empty(),
        text_chars: all_text.chars().count(),
        clickables: clickables.len(),
        placement: placement(snapshot, root),
        ..Features::default()
    };
    for c in &clickables {
        match role_of(snapshot, c) {
            ButtonRole::AcceptAll => f.accept_buttons += 1,
            ButtonRole::RejectAll => f.reject_buttons += 1,
            ButtonRole::Settings | ButtonRole::Save => f.settings_or_save_buttons += 1,
            ButtonRole::Close | ButtonRole::Other => {}
        }
    }
    for id in walk::subtree(snapshot, root, MAX_WALK_NODES) {
        let Some(n) = node(snapshot, id) else {
            continue;
        };
        if n.kind != NodeKind::Element {
            continue;
        }
        if crate::measure::buttons::is_toggle_element(n) {
            // A switch of a layer not rendered yet is no switch a visitor sees.
            if crate::measure::checkboxes::is_shown(snapshot, id) {
                f.toggles += 1;
            }
            continue;
        }
        match field_kind(n) {
            Some(Field::EmailOrMessage) if is_visible(snapshot, id) => {
                f.email_or_message_fields += 1
            }
            Some(Field::Text) if is_visible(snapshot, id) => f.text_fields += 1,
            _ => {}
        }
    }
    f
}

/// "Vi bruker <a>informasjonskapsler</a> for å …": a link inside a sentence is part of the
/// prose. A link standing alone ("Cookie policy" in a footer list) is not.
fn is_link_in_a_sentence(snapshot: &DomSnapshot, id: usize) -> bool {
    if node(snapshot, id).is_none_or(|n| n.tag != "a") {
        return false;
    }
    let Some(parent) = walk::ancestors(snapshot, id).find(|&a| walk::is_element(snapshot, a))
    else {
        return false;
    };
    let words_in = |e: usize, max_chars: usize| {
        super::terms::words(&visible_text(snapshot, e, &HashSet::new(), max_chars)).len()
    };
    words_in(parent, 2_000) >= words_in(id, 400) + MIN_SENTENCE_WORDS
}

fn role_of(snapshot: &DomSnapshot, c: &Clickable) -> ButtonRole {
    let attrs = node(snapshot, c.node).map(|n| &n.attrs);
    match attrs {
        Some(attrs) => classify_button(&c.label, c.aria_label.as_deref(), attrs),
        None => ButtonRole::Other,
    }
}

enum Field {
    EmailOrMessage,
    Text,
}

fn field_kind(n: &DomNode) -> Option<Field> {
    if n.tag == "textarea" {
        return Some(Field::EmailOrMessage);
    }
    if n.tag != "input" {
        return None;
    }
    let attr = |k: &str| {
        n.attrs
            .get(k)
            .map(|v| v.to_ascii_lowercase())
            .unwrap_or_default()
    };
    let input_type = attr("type");
    let mentions_mail = ["name", "autocomplete", "placeholder", "id"]
        .iter()
        .any(|k| attr(k).contains("mail"));
    match input_type.trim() {
        "email" => Some(Field::EmailOrMessage),
        "" | "text" | "search" | "tel" | "number" | "password" | "url" => {
            if mentions_mail {
                Some(Field::EmailOrMessage)
            } else {
                Some(Field::Text)
            }
        }
        _ => None,
    }
}

/// The consent score of a candidate, or `None` when it is not a consent dialog at all.
pub fn score(f: &Features) -> Option<f64> {
    if f.cookie_anywhere == 0 || f.email_or_message_fields > 0 {
        return None;
    }
    let answers = f.accept_buttons + f.reject_buttons;
    // A footer link "Cookie policy" is not a dialog; a dialog says it in a sentence, or at
    // least talks about data and offers an answer.
    if f.cookie_in_prose == 0 && !(f.data_terms >= 2 && answers > 0) {
        return None;
    }
    if f.clickables == 0 && f.toggles == 0 {
        return None;
    }
    // A pop-up that speaks of newsletters, chat or age counts only when it offers the consent
    // choice itself: accept, and reject or settings ("No thanks" alone answers a sales pitch).
    let other_purpose = f.newsletter_terms > 0 || f.chat_terms > 0 || f.age_gate;
    let full_choice =
        f.accept_buttons > 0 && (f.reject_buttons > 0 || f.settings_or_save_buttons > 0);
    if other_purpose && !full_choice {
        return None;
    }
    let p = f.placement;
    let mut s = 3.0 * f.cookie_in_prose.min(3) as f64 + f.data_terms.min(4) as f64;
    s += points(f.accept_buttons > 0, 3.0);
    s += points(f.reject_buttons > 0, 2.0);
    s += points(f.settings_or_save_buttons > 0 || f.toggles > 0, 1.0);
    s += points(f.clickables > 0, 1.0);
    s += points(p.positioned, 2.0);
    s += points(p.dialog, 2.0);
    s += points(p.z_index >= 1, 1.0);
    s -= points(f.newsletter_terms > 0, 5.0);
    s -= points(f.chat_terms > 0, 5.0);
    s -= points(f.age_gate, 8.0);
    s -= points(f.text_fields > 0, 2.0);
    s -= 1.5 * (f.text_chars as f64 / PLAIN_TEXT_CHARS).max(1.0).ln();
    let is_overlay = p.positioned || p.dialog;
    let passes = if is_overlay {
        s >= OVERLAY_THRESHOLD
    } else {
        s -= points(p.in_footer, 6.0);
        f.accept_buttons > 0
            && (f.reject_buttons > 0 || f.settings_or_save_buttons > 0)
            && s >= IN_FLOW_THRESHOLD
    };
    passes.then_some(s)
}

fn points(holds: bool, value: f64) -> f64 {
    if holds {
        value
    } else {
        0.0
    }
}

/// `position: fixed` or `sticky`, or `absolute` with a stacking order that lifts it above the
/// page (banners laid over the top of a page with `position: absolute; z-index: 9999`).
fn stands_above_the_page(n: &DomNode) -> bool {
    match n.style.position.as_str() {
        "fixed" | "sticky" => true,
        "absolute" => z_index(n).is_some_and(|z| z >= MIN_OVERLAY_Z_INDEX),
        _ => false,
    }
}

/// Whether the element itself makes an overlay: positioned, or a dialog by markup.
fn is_overlay_element(n: &DomNode) -> bool {
    if n.kind != NodeKind::Element || matches!(n.tag.as_str(), "html" | "body") {
        return false;
    }
    let role = n.attrs.get("role").map(|r| r.trim()).unwrap_or("");
    stands_above_the_page(n)
        || n.tag == "dialog"
        || matches!(role, "dialog" | "alertdialog")
        || n.attrs
            .get("aria-modal")
            .is_some_and(|v| v.trim() == "true")
}

/// Boxes worth scoring: visible overlays, and the box around each accept or reject button on
/// the first screen that first mentions cookies or consent (for banners in the page flow).
pub fn candidates(snapshot: &DomSnapshot) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    let mut seen: HashSet<usize> = HashSet::new();
    for n in snapshot.nodes.iter().take(MAX_WALK_NODES * 4) {
        if out.len() >= MAX_CANDIDATES {
            break;
        }
        if is_overlay_element(n)
            && walk::on_screen(snapshot, n)
            && is_visible(snapshot, n.id)
            && seen.insert(n.id)
        {
            out.push(n.id);
        }
    }
    let mut boxes = AnswerBoxes::new(snapshot);
    for root in snapshot
        .nodes
        .iter()
        .filter(|n| n.parent.is_none())
        .map(|n| n.id)
    {
        for c in collect_clickables(snapshot, root, MAX_PAGE_BUTTONS) {
            if out.len() >= MAX_CANDIDATES {
                return out;
            }
            let shown = node(snapshot, c.node).is_some_and(|n| walk::on_screen(snapshot, n));
            if !shown
                || !matches!(
                    role_of(snapshot, &c),
                    ButtonRole::AcceptAll | ButtonRole::RejectAll
                )
            {
                continue;
            }
            if let Some(b) = boxes.around(c.node) {
                if seen.insert(b) {
                    out.push(b);
                }
            }
        }
    }
    out
}

/// Finds the box around an answer button, remembering what it learnt about each ancestor:
/// a page with thousands of "OK" buttons shares a few ancestors among all of them.
struct AnswerBoxes<'a> {
    snapshot: &'a DomSnapshot,
    /// Ancestor → (its text mentions cookies or consent, its text length).
    seen: HashMap<usize, (bool, usize)>,
}

impl<'a> AnswerBoxes<'a> {
    fn new(snapshot: &'a DomSnapshot) -> AnswerBoxes<'a> {
        AnswerBoxes {
            snapshot,
            seen: HashMap::new(),
        }
    }

    fn facts(&mut self, id: usize) -> (bool, usize) {
        let snapshot = self.snapshot;
        *self.seen.entry(id).or_insert_with(|| {
            let text = visible_text(snapshot, id, &HashSet::new(), MAX_TEXT_CHARS);
            let mentions = !TERMS.cookie.found_in(&WordIndex::new(&text)).is_empty();
            (mentions, text.chars().count())
        })
    }

    /// The nearest ancestor of an answer button whose text mentions cookies or consent,
    /// widened while its parent adds little text (the row with the other buttons, a heading).
    fn around(&mut self, button: usize) -> Option<usize> {
        const MAX_LEVELS: usize = 12;
        const LITTLE_MORE_CHARS: usize = 200;
        let chain: Vec<usize> = walk::ancestors(self.snapshot, button)
            .take(MAX_LEVELS)
            .take_while(|&a| {
                node(self.snapshot, a).is_some_and(|n| {
                    n.kind == NodeKind::Element && !matches!(n.tag.as_str(), "html" | "body")
                })
            })
            .collect();
        let first = chain.iter().position(|&a| self.facts(a).0)?;
        let mut chosen = first;
        let mut chars = self.facts(chain[first]).1;
        for (i, &a) in chain.iter().enumerate().skip(first + 1) {
            let more = self.facts(a).1;
            if more > chars + LITTLE_MORE_CHARS {
                break;
            }
            chosen = i;
            chars = more;
        }
        chain.get(chosen).copied()
    }
}

/// A settings screen that replaced the banner as an overlay of its own: it offers purpose
/// switches and a save or answer button, and speaks of cookies or of data use (often only
/// "privacy", "analytics", "marketing"), but of nothing else. Of several, the one on top.
/// Only for following a dialog from layer to layer: on its own, too little to call a page's
/// overlay a consent dialog.
pub fn settings_overlay(snapshot: &DomSnapshot) -> Option<usize> {
    candidates(snapshot)
        .into_iter()
        .filter(|&id| node(snapshot, id).is_some_and(is_overlay_element))
        .filter(|&id| {
            let f = features(snapshot, id);
            f.toggles > 0
                && f.accept_buttons + f.reject_buttons + f.settings_or_save_buttons > 0
                && f.cookie_anywhere + f.data_terms > 0
                && f.email_or_message_fields == 0
                && f.newsletter_terms == 0
                && f.chat_terms == 0
                && !f.age_gate
        })
        .max_by_key(|&id| {
            node(snapshot, id)
                .and_then(|n| n.paint_order)
                .unwrap_or(i64::MIN)
        })
}

/// A scored candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub root: usize,
    pub score: f64,
    pub features: Features,
}

/// The best consent-dialog candidate on the page, if any passes.
///
/// Highest score wins; between a box and a box inside it with the same score the outer one is
/// kept (the caller narrows it down). When dialogs are stacked (a settings screen opened over
/// the banner), the one painted on top is taken if it scores at least half as well.
pub fn best_candidate(snapshot: &DomSnapshot) -> Option<Scored> {
    let mut passing: Vec<Scored> = candidates(snapshot)
        .into_iter()
        .filter_map(|root| {
            let features = features(snapshot, root);
            score(&features).map(|score| Scored {
                root,
                score,
                features,
            })
        })
        .collect();
    passing.sort_by(|a, b| {
        b.score.total_cmp(&a.score).then_with(|| {
            // The outer of two nested boxes first.
            if walk::is_inside(snapshot, b.root, a.root) {
                std::cmp::Ordering::Less
            } else if walk::is_inside(snapshot, a.root, b.root) {
                std::cmp::Ordering::Greater
            } else {
                a.root.cmp(&b.root)
            }
        })
    });
    let best = passing.first()?.clone();
    let paint = |id: usize| {
        node(snapshot, id)
            .and_then(|n| n.paint_order)
            .unwrap_or(i64::MIN)
    };
    let on_top = passing
        .iter()
        .filter(|c| {
            c.score >= best.score * 0.5
                && !walk::is_inside(snapshot, c.root, best.root)
                && !walk::is_inside(snapshot, best.root, c.root)
        })
        .max_by_key(|c| paint(c.root));
    match on_top {
        Some(top) if paint(top.root) > paint(best.root) => Some(top.clone()),
        _ => Some(best),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_term_file_parses_into_non_empty_sets() {
        let t = &*TERMS;
        for set in [&t.cookie, &t.data, &t.newsletter, &t.chat, &t.age_gate] {
            assert!(set.len() > 10);
        }
    }

    fn base() -> Features {
        Features {
            cookie_in_prose: 1,
            cookie_anywhere: 1,
            accept_buttons: 1,
            reject_buttons: 1,
            clickables: 2,
            text_chars: 150,
            placement: Placement {
                positioned: true,
                z_index: 1000,
                ..Placement::default()
            },
            ..Features::default()
        }
    }

    #[test]
    fn a_plain_fixed_banner_passes() {
        assert!(score(&base()).is_some());
    }

    #[test]
    fn each_disqualifier_alone_rejects() {
        let mut no_words = base();
        no_words.cookie_anywhere = 0;
        no_words.cookie_in_prose = 0;
        assert_eq!(score(&no_words), None);
        let mut email = base();
        email.email_or_message_fields = 1;
        assert_eq!(score(&email), None);
        let mut link_only = base();
        link_only.cookie_in_prose = 0;
        link_only.accept_buttons = 0;
        link_only.reject_buttons = 0;
        assert_eq!(score(&link_only), None);
        let mut age = base();
        age.age_gate = true;
        assert_eq!(score(&age), None);
    }

    #[test]
    fn in_flow_boxes_need_a_real_choice() {
        let mut in_flow = base();
        in_flow.placement.positioned = false;
        in_flow.placement.z_index = 0;
        in_flow.cookie_in_prose = 2;
        in_flow.cookie_anywhere = 2;
        assert!(score(&in_flow).is_some());
        in_flow.reject_buttons = 0;
        assert_eq!(score(&in_flow), None);
    }

    #[test]
    fn long_text_costs() {
        let short = score(&base()).unwrap();
        let mut long = base();
        long.text_chars = 40_000;
        assert!(score(&long).is_none_or(|s| s < short - 5.0));
    }
}
