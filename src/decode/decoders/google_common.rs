//! Parameters every Google tag sends the same way: Consent Mode state (`gcs`, `gcd`, `npa`, `dma`)
//! and user-provided data (`em=tv.1~em.<hash>~ph.<hash>`, "enhanced conversions").

use crate::decode::event::EventBuilder;

const SIGNALS: [&str; 4] = [
    "ad_storage",
    "analytics_storage",
    "ad_user_data",
    "ad_personalization",
];

/// Reads a Consent Mode parameter into the event; returns whether `key` was one.
/// The raw values are kept (`gcs`, `gcd`, …) and, where they say it, each signal's resulting
/// state (`ad_storage: granted`).
pub(super) fn read_consent_param(builder: &mut EventBuilder, key: &str, value: &str) -> bool {
    match key {
        "gcs" => {
            builder.consent("gcs", "gcs", value);
            for (signal, state) in gcs_states(value) {
                builder.consent("gcs", signal, state);
            }
        }
        "gcd" => {
            builder.consent("gcd", "gcd", value);
        }
        "npa" | "dma" | "dma_cps" | "gdpr" | "gdpr_consent" => {
            builder.consent(key, key, value);
        }
        _ => return false,
    }
    true
}

/// Signal states from `gcd` that `gcs` did not already give. Call after all parameters are read.
pub(super) fn apply_gcd(builder: &mut EventBuilder, gcd: Option<&str>) {
    let Some(gcd) = gcd else { return };
    for (signal, state) in gcd_states(gcd) {
        if !builder.has_consent(signal) {
            builder.consent("gcd", signal, state);
        }
    }
}

/// `gcs=G1xy`: x is ad_storage, y analytics_storage; 1 granted, 0 denied, `-` not set.
fn gcs_states(gcs: &str) -> Vec<(&'static str, &'static str)> {
    let Some(flags) = gcs.strip_prefix("G1") else {
        return Vec::new();
    };
    flags
        .chars()
        .zip(SIGNALS)
        .filter_map(|(flag, signal)| match flag {
            '1' => Some((signal, "granted")),
            '0' => Some((signal, "denied")),
            _ => None,
        })
        .collect()
}

/// `gcd=13r3r3r3r5l1`: the letters, in order, give ad_storage, analytics_storage, ad_user_data and
/// ad_personalization: `l` not set; `p` denied by default, `q` denied by default and update, `m`
/// denied by update, `u` granted by default then denied; `t` granted by default, `r` denied by
/// default then granted, `n` granted by update, `v` granted by default and update.
fn gcd_states(gcd: &str) -> Vec<(&'static str, &'static str)> {
    gcd.chars()
        .filter(char::is_ascii_alphabetic)
        .zip(SIGNALS)
        .filter_map(|(letter, signal)| match letter {
            'p' | 'q' | 'm' | 'u' => Some((signal, "denied")),
            't' | 'r' | 'n' | 'v' => Some((signal, "granted")),
            _ => None,
        })
        .collect()
}

/// User-provided data (`tv.1~em.<hash>~ph.<hash>~fn0.<hash>`): the names of the hashed fields.
pub(super) fn read_user_provided_data(builder: &mut EventBuilder, wire: &str, value: &str) {
    for part in value.split('~').take(64) {
        let Some((name, hashed)) = part.split_once('.') else {
            continue;
        };
        if name == "tv" {
            continue;
        }
        let name = name.trim_end_matches(|c: char| c.is_ascii_digit());
        builder.user_data(wire, name, hashed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consent_of(params: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
        let mut builder = EventBuilder::new();
        let mut gcd = None;
        for (key, value) in params {
            read_consent_param(&mut builder, key, value);
            if *key == "gcd" {
                gcd = Some(*value);
            }
        }
        apply_gcd(&mut builder, gcd);
        builder.build().consent_mode
    }

    #[test]
    fn gcs_says_ad_and_analytics_storage() {
        let state = consent_of(&[("gcs", "G101")]);
        assert_eq!(state["gcs"], "G101");
        assert_eq!(state["ad_storage"], "denied");
        assert_eq!(state["analytics_storage"], "granted");
        assert!(!state.contains_key("ad_user_data"));
        assert!(!consent_of(&[("gcs", "G1--")]).contains_key("ad_storage"));
    }

    #[test]
    fn gcd_fills_the_signals_gcs_leaves_out() {
        let state = consent_of(&[("gcs", "G111"), ("gcd", "13p3p3r3v5l1")]);
        assert_eq!(state["ad_storage"], "granted", "gcs wins for ad_storage");
        assert_eq!(state["ad_user_data"], "granted");
        assert_eq!(state["ad_personalization"], "granted");
        let denied = consent_of(&[("gcd", "13q3m3u3p5l1")]);
        for signal in SIGNALS {
            assert_eq!(denied[signal], "denied", "{signal}");
        }
        let unset = consent_of(&[("gcd", "11l1l1l1l5")]);
        assert_eq!(unset.len(), 1, "only the raw value: {unset:?}");
    }

    #[test]
    fn user_provided_data_names_the_hashed_fields() {
        let mut builder = EventBuilder::new();
        read_user_provided_data(&mut builder, "em", "tv.1~em.a1b2~ph.c3d4~fn0.e5~bad~");
        let event = builder.build();
        assert_eq!(event.user_data_fields, vec!["em", "ph", "fn"]);
        assert_eq!(event.fields["user_data"], vec!["em"]);
    }
}
