//! The finding catalogue: one rule per file, each named after the id it reports, each documented
//! in its own `//!` comment (what it flags, why it matters, an example). `docs/findings.md` is
//! generated from those comments (see the `findings_reference_is_current` test).

use super::{JudgeConfig, RuleInfo};
use crate::model::{Finding, Phase, Request, SiteReport, TrackerEvent};

pub(crate) mod cookies_before_consent;
pub(crate) mod false_anonymity_claim;
pub(crate) mod hashed_identifiers_to_third_party;
pub(crate) mod no_banner_but_tracking;
pub(crate) mod no_reject_first_layer;
pub(crate) mod pre_ticked_boxes;
pub(crate) mod purchase_data_to_third_party;
pub(crate) mod reject_as_link;
pub(crate) mod reject_low_contrast;
pub(crate) mod reject_needs_more_clicks;
pub(crate) mod reject_smaller_than_accept;
pub(crate) mod sensitive_data_to_third_party;
pub(crate) mod tracker_before_consent;
pub(crate) mod tracking_after_reject;

/// What a rule reads: the finished report and the thresholds.
pub(crate) struct RuleContext<'a> {
    pub report: &'a SiteReport,
    pub config: &'a JudgeConfig,
}

/// One rule: its catalogue entry and the check that produces its finding, if it applies.
#[derive(Clone, Copy)]
pub(crate) struct Rule {
    pub info: RuleInfo,
    pub check: fn(&RuleContext) -> Option<Finding>,
}

const RULE_COUNT: usize = 14;

/// The rules in catalogue order (the order of DESIGN.md's table).
pub(crate) const RULES: [Rule; RULE_COUNT] = [
    tracker_before_consent::RULE,
    cookies_before_consent::RULE,
    tracking_after_reject::RULE,
    no_banner_but_tracking::RULE,
    no_reject_first_layer::RULE,
    pre_ticked_boxes::RULE,
    reject_as_link::RULE,
    reject_low_contrast::RULE,
    reject_smaller_than_accept::RULE,
    reject_needs_more_clicks::RULE,
    sensitive_data_to_third_party::RULE,
    purchase_data_to_third_party::RULE,
    hashed_identifiers_to_third_party::RULE,
    false_anonymity_claim::RULE,
];

/// The catalogue entries of [`RULES`], in the same order.
pub(crate) static CATALOGUE: [RuleInfo; RULE_COUNT] = {
    let mut infos = [RULES[0].info; RULE_COUNT];
    let mut i = 0;
    while i < RULE_COUNT {
        infos[i] = RULES[i].info;
        i += 1;
    }
    infos
};

/// The decoded events a request carried.
pub(crate) fn events_of<'p>(phase: &'p Phase, request: &Request) -> Vec<&'p TrackerEvent> {
    phase
        .events
        .iter()
        .filter(|e| e.request_url == request.url)
        .collect()
}

/// The request that carried an event, when the phase recorded it.
pub(crate) fn request_of<'p>(phase: &'p Phase, event: &TrackerEvent) -> Option<&'p Request> {
    phase.requests.iter().find(|r| r.url == event.request_url)
}

/// Whether an event went to a third party. Events come from decoders of third-party vendors,
/// so an event whose request was not recorded counts as third-party; one whose request went to
/// the site itself (a first-party proxy) does not.
pub(crate) fn sent_to_third_party(phase: &Phase, event: &TrackerEvent) -> bool {
    request_of(phase, event).is_none_or(|r| r.third_party)
}

/// Request evidence for tracker requests of one phase, every vendor shown before any vendor's
/// second request, each with what its decoded events said.
pub(crate) fn tracker_request_evidence(
    name: crate::model::PhaseName,
    phase: &Phase,
    requests: &[&Request],
) -> Vec<crate::model::Evidence> {
    let vendors = super::classify::vendors(requests.iter().copied());
    let groups = vendors
        .iter()
        .map(|vendor| {
            requests
                .iter()
                .filter(|r| r.tracker.as_ref().is_some_and(|t| t.vendor == *vendor))
                .map(|r| super::evidence::request(name, r, &events_of(phase, r)))
                .collect()
        })
        .collect();
    super::evidence::interleave(groups)
}
