//! Reads the core segment of an IAB TCF v2 consent string (the "TC string" a CMP stores and
//! hands to vendors): which purposes and which vendors the visitor's answer consented to.
//!
//! Layout (IAB TCF v2.2, "TC String Format", core segment, base64url without padding):
//! Version 6 · Created 36 · LastUpdated 36 · CmpId 12 · CmpVersion 12 · ConsentScreen 6 ·
//! ConsentLanguage 12 · VendorListVersion 12 · TcfPolicyVersion 6 · IsServiceSpecific 1 ·
//! UseNonStandardTexts 1 · SpecialFeatureOptIns 12 · PurposesConsent 24 ·
//! PurposesLITransparency 24 · PurposeOneTreatment 1 · PublisherCC 12 ·
//! Vendor consents: MaxVendorId 16, IsRangeEncoding 1, then a bit field or ranges.

use base64::Engine;

/// What a TC string says the visitor consented to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TcConsent {
    pub version: u8,
    pub cmp_id: u16,
    /// Purposes (1–24) with consent.
    pub purposes: Vec<u32>,
    /// Vendor ids with consent.
    pub vendors: Vec<u32>,
}

/// Most vendor ids read from one string: a hostile string cannot make us allocate much.
const MAX_VENDOR_ID: u32 = 65_535;

struct Bits<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl Bits<'_> {
    fn read(&mut self, width: usize) -> Option<u64> {
        let mut value = 0u64;
        for _ in 0..width {
            let byte = *self.bytes.get(self.position / 8)?;
            let bit = (byte >> (7 - (self.position % 8))) & 1;
            value = (value << 1) | u64::from(bit);
            self.position += 1;
        }
        Some(value)
    }

    fn skip(&mut self, width: usize) -> Option<()> {
        self.read(width).map(|_| ())
    }

    fn flags(&mut self, count: u32) -> Option<Vec<u32>> {
        let mut set = Vec::new();
        for id in 1..=count {
            if self.read(1)? == 1 {
                set.push(id);
            }
        }
        Some(set)
    }
}

/// Decodes the core segment; `None` when the string is not a TCF v2 string.
pub fn decode_tc_string(tc_string: &str) -> Option<TcConsent> {
    let core = tc_string.trim().split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(core.trim_end_matches('='))
        .ok()?;
    let mut bits = Bits {
        bytes: &bytes,
        position: 0,
    };
    let version = bits.read(6)? as u8;
    if version != 2 {
        return None;
    }
    bits.skip(36 + 36)?; // created, last updated
    let cmp_id = bits.read(12)? as u16;
    bits.skip(12 + 6 + 12 + 12 + 6 + 1 + 1 + 12)?; // cmp version … special features
    let purposes = bits.flags(24)?;
    bits.skip(24 + 1 + 12)?; // LI transparency, purpose one treatment, publisher CC
    let max_vendor_id = (bits.read(16)? as u32).min(MAX_VENDOR_ID);
    let vendors = if bits.read(1)? == 0 {
        bits.flags(max_vendor_id)?
    } else {
        let entries = bits.read(12)?;
        let mut vendors = Vec::new();
        for _ in 0..entries {
            let is_range = bits.read(1)? == 1;
            let start = bits.read(16)? as u32;
            let end = if is_range {
                bits.read(16)? as u32
            } else {
                start
            };
            if start == 0 || end < start || end > max_vendor_id {
                return None;
            }
            vendors.extend(start..=end);
        }
        vendors.sort_unstable();
        vendors.dedup();
        vendors
    };
    Some(TcConsent {
        version,
        cmp_id,
        purposes,
        vendors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a core segment with the given purposes and vendors (bit field encoding).
    fn encode(purposes: &[u32], vendors: &[u32]) -> String {
        let mut bits: Vec<u8> = Vec::new();
        let mut push = |value: u64, width: usize| {
            for i in (0..width).rev() {
                bits.push(((value >> i) & 1) as u8);
            }
        };
        push(2, 6);
        push(16_000_000_000, 36);
        push(16_000_000_000, 36);
        push(300, 12);
        push(1, 12 + 6 + 12 + 12 + 6 + 1 + 1 + 12);
        for p in 1..=24 {
            push(u64::from(purposes.contains(&p)), 1);
        }
        push(0, 24 + 1 + 12);
        let max = vendors.iter().copied().max().unwrap_or(0);
        push(u64::from(max), 16);
        push(0, 1);
        for v in 1..=max {
            push(u64::from(vendors.contains(&v)), 1);
        }
        let bytes: Vec<u8> = bits
            .chunks(8)
            .map(|c| {
                c.iter()
                    .enumerate()
                    .fold(0u8, |acc, (i, b)| acc | (b << (7 - i)))
            })
            .collect();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn reads_purposes_and_vendors_from_a_bit_field() {
        let tc = encode(&[1, 2, 3, 4, 7, 9, 10], &[21, 32, 50, 91, 755]);
        let consent = decode_tc_string(&format!("{tc}.YAAAAAAAAAAA")).expect("a TC string");
        assert_eq!(consent.version, 2);
        assert_eq!(consent.cmp_id, 300);
        assert_eq!(consent.purposes, vec![1, 2, 3, 4, 7, 9, 10]);
        assert_eq!(consent.vendors, vec![21, 32, 50, 91, 755]);
    }

    #[test]
    fn an_answer_of_no_has_no_purposes_and_no_vendors() {
        let consent = decode_tc_string(&encode(&[], &[])).expect("a TC string");
        assert!(consent.purposes.is_empty() && consent.vendors.is_empty());
    }

    #[test]
    fn garbage_is_not_a_tc_string() {
        for input in ["", "....", "not base64 at all!", "AAAA", "CP", "\u{202e}x"] {
            assert_eq!(decode_tc_string(input), None, "{input:?}");
        }
        // Truncated in the middle of the vendor section.
        let tc = encode(&[1], &[5000]);
        assert_eq!(decode_tc_string(&tc[..tc.len() - 40]), None);
    }
}
