//! The cargo-fuzz targets of `fuzz/`, on stable Rust: CI has no nightly, so this test replays
//! every seed of every corpus (`fuzz/corpus/<target>/`) through the target's entry point in
//! `consentlens::fuzzing`, checks that the hand-written seeds do what their names say, and then
//! runs a fixed number of deterministic mutations of the seeds through each entry point.
//!
//! The mutations are bounded by count, not by time, and drawn from a xorshift generator with a
//! fixed seed, so a failure reproduces exactly; the failing input is printed byte for byte.
//! `FUZZ_REPLAY_MUTATIONS=<n>` runs `n` per target instead of the default, and
//! `FUZZ_REPLAY_SEED=<n>` draws another sequence, for a longer hunt on stable Rust.
//!
//! Files named by 40 hex digits are ones `cargo fuzz run` added to a corpus: they are replayed
//! but only have to not panic.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

use consentlens::fuzzing::{
    check_url_input, decode_request_input, foreign_markup, parse_list_input, read_report_with,
    ArtifactsFixture, RenderedReport, UrlVerdict,
};
use consentlens::model::Status;
use serde_json::{json, Value};

/// Mutants per target (each a few stacked edits of a seed), bounded by count so that
/// the test takes the same few seconds everywhere; `check_url` is cheap, so it gets more.
fn mutation_count(target: &str) -> usize {
    let default = if target == "check_url" { 40_000 } else { 8_000 };
    std::env::var("FUZZ_REPLAY_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// Mutants are cut to this size: big inputs belong to the real fuzzer.
const MAX_MUTANT_BYTES: usize = 64 * 1024;

/// Every fuzz target, and the entry point its one line calls.
const TARGETS: &[(&str, &str)] = &[
    ("decode_request", "decode_request_input"),
    ("parse_list", "parse_list_input"),
    ("check_url", "check_url_input"),
    ("read_report", "read_report_input"),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

struct Seed {
    name: String,
    bytes: Vec<u8>,
}

impl Seed {
    /// Whether `cargo fuzz run` wrote it (libFuzzer names corpus files by their SHA-1).
    fn found_by_fuzzer(&self) -> bool {
        self.name.len() == 40 && self.name.chars().all(|c| c.is_ascii_hexdigit())
    }
}

/// The seeds of one target's corpus, in name order.
fn corpus(target: &str) -> Vec<Seed> {
    let dir = fuzz_dir().join("corpus").join(target);
    let mut seeds: Vec<Seed> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .map(|path| Seed {
            name: path
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned(),
            bytes: std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        })
        .collect();
    seeds.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(!seeds.is_empty(), "{} holds no seed", dir.display());
    seeds
}

fn hand_written(target: &str) -> Vec<Seed> {
    corpus(target)
        .into_iter()
        .filter(|seed| !seed.found_by_fuzzer())
        .collect()
}

fn seed<'a>(seeds: &'a [Seed], name: &str) -> &'a Seed {
    seeds
        .iter()
        .find(|seed| seed.name == name)
        .unwrap_or_else(|| panic!("no seed {name}"))
}

/// The input as a byte-string literal, to paste into a regression seed.
fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect()
}

/// Runs `f` on `input`; on a panic, names the input before passing the panic on.
fn replay<T>(target: &str, what: &str, input: &[u8], f: impl FnOnce(&[u8]) -> T) -> T {
    match catch_unwind(AssertUnwindSafe(|| f(input))) {
        Ok(value) => value,
        Err(panic) => {
            eprintln!(
                "{target}: {what} panicked; input ({} bytes): b\"{}\"",
                input.len(),
                printable(input)
            );
            std::panic::resume_unwind(panic)
        }
    }
}

/// A screenshot fixture in a temporary folder removed when it is dropped.
fn fixture() -> (tempfile::TempDir, ArtifactsFixture) {
    let root = tempfile::tempdir().expect("a temporary folder");
    let fixture = ArtifactsFixture::create(root.path()).expect("the screenshot fixture");
    (root, fixture)
}

#[test]
fn every_fuzz_target_has_a_seed_corpus_and_a_one_line_entry_point() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    let declared: BTreeSet<String> = manifest
        .lines()
        .filter_map(|line| line.trim().strip_prefix("name = \""))
        .filter_map(|rest| rest.strip_suffix('"'))
        .filter(|name| *name != "consentlens-fuzz")
        .map(str::to_string)
        .collect();
    let corpora: BTreeSet<String> = std::fs::read_dir(fuzz_dir().join("corpus"))
        .expect("fuzz/corpus")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.is_dir())
        .map(|path| {
            path.file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let replayed: BTreeSet<String> = TARGETS.iter().map(|(t, _)| t.to_string()).collect();
    assert_eq!(declared, replayed, "fuzz/Cargo.toml targets vs this test");
    assert_eq!(corpora, replayed, "fuzz/corpus folders vs this test");
    for (target, function) in TARGETS {
        let path = fuzz_dir().join("fuzz_targets").join(format!("{target}.rs"));
        let source = std::fs::read_to_string(&path).expect("the target's source");
        assert!(
            source.contains(&format!("::{function}(data)")),
            "{} does not call {function}",
            path.display()
        );
    }
}

#[test]
fn decode_request_seeds_decode_to_events() {
    for seed in hand_written("decode_request") {
        let events = replay(
            "decode_request",
            &seed.name,
            &seed.bytes,
            decode_request_input,
        );
        assert!(!events.is_empty(), "{} decoded to nothing", seed.name);
    }
}

#[test]
fn parse_list_seeds_compile_to_rules() {
    for seed in hand_written("parse_list") {
        let rules = replay("parse_list", &seed.name, &seed.bytes, parse_list_input);
        assert!(rules.is_some_and(|n| n > 0), "{} has no rules", seed.name);
    }
}

/// The URL opened, or the kind of error.
type Verdict = Result<&'static str, &'static str>;

/// What each hand-written `check_url` seed must come to: the verdict with private addresses
/// allowed, and with them refused (hosted use).
const URL_VERDICTS: &[(&str, Verdict, Verdict)] = &[
    (
        "https_home",
        Ok("https://www.nrk.no/"),
        Ok("https://www.nrk.no/"),
    ),
    ("bare_host", Ok("https://nrk.no/"), Ok("https://nrk.no/")),
    (
        "bare_host_port_path",
        Ok("https://www.vg.no:8443/nyheter?x=1#top"),
        Ok("https://www.vg.no:8443/nyheter?x=1#top"),
    ),
    (
        "surrounding_whitespace",
        Ok("http://example.com/"),
        Ok("http://example.com/"),
    ),
    (
        "idn_host",
        Ok("https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A6%C3%B8%C3%A5"),
        Ok("https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A6%C3%B8%C3%A5"),
    ),
    (
        "userinfo",
        Ok("https://user:pass%40example.com@evil.example/"),
        Ok("https://user:pass%40example.com@evil.example/"),
    ),
    (
        "public_suffix_subdomain",
        Ok("https://a.b.github.io/x"),
        Ok("https://a.b.github.io/x"),
    ),
    (
        "file_scheme",
        Err("forbidden_scheme"),
        Err("forbidden_scheme"),
    ),
    (
        "chrome_scheme",
        Err("forbidden_scheme"),
        Err("forbidden_scheme"),
    ),
    (
        "javascript_scheme",
        Err("forbidden_scheme"),
        Err("forbidden_scheme"),
    ),
    (
        "data_scheme",
        Err("forbidden_scheme"),
        Err("forbidden_scheme"),
    ),
    ("no_host", Err("invalid_url"), Err("invalid_url")),
    ("space_in_host", Err("invalid_url"), Err("invalid_url")),
    // Found by the fuzzer: a host with an empty label names no site.
    ("empty_label", Err("invalid_url"), Err("invalid_url")),
    (
        "nat64_private",
        Ok("http://[64:ff9b::a00:1]/"),
        Err("forbidden_address"),
    ),
    ("control_char", Err("invalid_url"), Err("invalid_url")),
    ("empty", Err("invalid_url"), Err("invalid_url")),
    (
        "loopback_hex",
        Ok("http://127.0.0.1/"),
        Err("forbidden_address"),
    ),
    (
        "loopback_decimal",
        Ok("http://127.0.0.1/"),
        Err("forbidden_address"),
    ),
    (
        "localhost_trailing_dot",
        Ok("http://localhost./"),
        Err("forbidden_address"),
    ),
    (
        "cloud_metadata",
        Ok("http://169.254.169.254/latest/meta-data"),
        Err("forbidden_address"),
    ),
    (
        "ipv6_mapped_loopback",
        Ok("http://[::ffff:7f00:1]:8080/"),
        Err("forbidden_address"),
    ),
    (
        "carrier_grade_nat",
        Ok("http://100.64.1.1/"),
        Err("forbidden_address"),
    ),
    ("public_ip", Ok("https://8.8.8.8/"), Ok("https://8.8.8.8/")),
];

/// Sites of the accepted seeds: the registrable domain, by the Public Suffix List.
const URL_SITES: &[(&str, &str)] = &[
    ("https_home", "nrk.no"),
    ("bare_host_port_path", "vg.no"),
    ("public_suffix_subdomain", "b.github.io"),
    ("idn_host", "xn--bcher-kva.example"),
    ("userinfo", "evil.example"),
    ("public_ip", "8.8.8.8"),
];

#[test]
fn check_url_seeds_get_the_verdicts_their_names_promise() {
    let seeds = hand_written("check_url");
    for seed in &seeds {
        let Some((_, local, hosted)) = URL_VERDICTS.iter().find(|(name, ..)| *name == seed.name)
        else {
            panic!("check_url seed {} has no expected verdict here", seed.name);
        };
        let verdict: UrlVerdict = replay("check_url", &seed.name, &seed.bytes, check_url_input);
        assert_eq!(
            verdict.local.as_deref().map_err(|k| *k),
            *local,
            "{} with private addresses allowed",
            seed.name
        );
        assert_eq!(
            verdict.hosted.as_deref().map_err(|k| *k),
            *hosted,
            "{} for hosted use",
            seed.name
        );
        assert_eq!(verdict.site.is_some(), local.is_ok(), "{}", seed.name);
    }
    for (name, site) in URL_SITES {
        let verdict = check_url_input(&seed(&seeds, name).bytes);
        assert_eq!(verdict.site.as_deref(), Some(*site), "{name}");
    }
}

#[test]
fn valid_report_seeds_read_and_render_with_their_screenshots() {
    let (_root, fixture) = fixture();
    let seeds = hand_written("read_report");
    let read = |name: &str| -> RenderedReport {
        let seed = seed(&seeds, name);
        replay("read_report", name, &seed.bytes, |data| {
            read_report_with(data, &fixture)
        })
        .unwrap_or_else(|e| panic!("{name} is refused: {e}"))
    };
    for seed in seeds.iter().filter(|seed| seed.name.starts_with("ok_")) {
        let rendered = read(&seed.name);
        assert!(
            rendered.html.starts_with("<!DOCTYPE html>"),
            "{}",
            seed.name
        );
        assert!(
            rendered.card.starts_with("<div class=\"cl-card\">"),
            "{}",
            seed.name
        );
        assert_eq!(foreign_markup(&rendered.html), None, "{}", seed.name);
        assert_eq!(foreign_markup(&rendered.card), None, "{}", seed.name);
    }

    let minimal = read("ok_minimal.json");
    assert_eq!(minimal.report.status, Status::Ok);
    assert!(minimal.html.contains("No consent dialog was found."));
    assert!(minimal.images.page.is_none());
    assert_eq!(
        read("ok_unknown_fields.json").report,
        minimal.report,
        "unknown fields are ignored"
    );

    let error = read("ok_error.json");
    assert_eq!(error.report.status, Status::Error);
    assert!(error.html.contains("The site could not be evaluated"));
    assert!(error.html.contains("net::ERR_NAME_NOT_RESOLVED"));

    let full = read("ok_full.json");
    let images = &full.images;
    let screenshot = ArtifactsFixture::screenshot;
    assert_eq!(images.banner, Some(screenshot("banner.png")));
    assert_eq!(images.annotated, Some(screenshot("annotated.png")));
    assert_eq!(images.page, Some(screenshot("shots/page.png")));
    for expected in [
        "Godta alle",
        "below AA 4.5:1",
        "sensitive-data-to-third-party",
        "Clearblue <mark>graviditet</mark>stest",
        "_fbp",
        "CQRemYAQRemYAAHABBENBsFgAP_gAEPgAAAAKZtV",
        "data:image/png;base64,",
    ] {
        assert!(
            full.html.contains(expected),
            "the report lacks {expected:?}"
        );
    }
    assert!(full.card.contains("CMP cookiebot"));
}

/// Hostile strings of `ok_hostile_strings.json`, as the renderers must write them.
const ESCAPED: &[&str] = &[
    "&lt;img src=x onerror=alert(1)&gt;&lt;/style&gt;&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;",
    "{{7*7}} ${7*7} &lt;%= 7*7 %&gt;",
    "⟨U+202E⟩gnp.exe &lt;!-- x --&gt;",
    "&lt;a href=&quot;javascript:alert(3)&quot;&gt;link&lt;/a&gt;",
    "⟨U+001B⟩[31mred⟨U+001B⟩[0m bell⟨U+0007⟩ nul⟨U+0000⟩ bom⟨U+FEFF⟩",
];

#[test]
fn hostile_report_seeds_render_every_page_string_escaped_and_load_no_outside_file() {
    let (_root, fixture) = fixture();
    let seeds = hand_written("read_report");
    for name in ["ok_hostile_strings.json", "ok_hostile_error.json"] {
        let rendered = replay("read_report", name, &seed(&seeds, name).bytes, |data| {
            read_report_with(data, &fixture)
        })
        .unwrap_or_else(|e| panic!("{name} is refused: {e}"));
        for (what, markup) in [("report", &rendered.html), ("card", &rendered.card)] {
            assert_eq!(foreign_markup(markup), None, "{name} {what}");
            for escaped in ESCAPED {
                assert!(markup.contains(escaped), "{name} {what} lacks {escaped:?}");
            }
            let lower = markup.to_ascii_lowercase();
            for raw in ["<script", "<img src=x", "<!--", "<a ", "\u{202e}", "\u{7}"] {
                assert!(!lower.contains(raw), "{name} {what} holds {raw:?}");
            }
        }
        // `../secret.png`, `shots/../../secret.png` and `/etc/passwd` are all refused.
        let images = &rendered.images;
        assert_eq!(
            (&images.banner, &images.annotated, &images.page),
            (&None, &None, &None),
            "{name}"
        );
    }
    let hostile = read_report_with(&seed(&seeds, "ok_hostile_strings.json").bytes, &fixture)
        .expect("the hostile seed reads");
    let banner = hostile.report.banner.as_ref().expect("a banner");
    assert_eq!(banner.screenshot.as_deref(), Some("../secret.png"));
    assert!(hostile.html.contains("<mark>graviditet</mark>"));
}

#[test]
fn broken_report_seeds_are_refused_with_a_clear_error() {
    let (_root, fixture) = fixture();
    let seeds = hand_written("read_report");
    let mut refused = 0;
    for seed in seeds.iter().filter(|seed| seed.name.starts_with("err_")) {
        let error = replay("read_report", &seed.name, &seed.bytes, |data| {
            read_report_with(data, &fixture)
        })
        .err()
        .unwrap_or_else(|| panic!("{} is read as a result document", seed.name))
        .to_string();
        assert!(
            error.starts_with("not a consentlens result document: ")
                || error.starts_with("result document schema version "),
            "{}: {error}",
            seed.name
        );
        refused += 1;
    }
    assert!(refused >= 6, "only {refused} broken seeds");
    let message = |name: &str| match read_report_with(&seed(&seeds, name).bytes, &fixture) {
        Ok(_) => panic!("{name} is read as a result document"),
        Err(error) => error.to_string(),
    };
    assert_eq!(
        message("err_schema_version_2.json"),
        "result document schema version 2 is not supported (this consentlens reads version 1)"
    );
    assert!(message("err_deep_nesting.json").contains("recursion limit exceeded"));
    assert!(message("err_truncated.json").contains("EOF while parsing"));
    assert!(message("err_empty").contains("line 1 column 0"));
    assert!(message("err_bad_enum.json").contains("unknown variant `<script>`"));
    assert!(seeds
        .iter()
        .all(|s| s.name.starts_with("ok_") || s.name.starts_with("err_")));
}

#[test]
fn foreign_markup_names_what_the_renderers_never_write() {
    assert_eq!(
        foreign_markup("<!DOCTYPE html><p class=\"a\">x &lt;b&gt; &amp; y</p><br>"),
        None
    );
    assert_eq!(
        foreign_markup("<td>a<script>x</script></td>").as_deref(),
        Some("the tag <script>")
    );
    for unsafe_markup in [
        "<img src=x onerror=alert(1)>",
        "<img src=\"data:image/png;base64,AA\" onerror=\"alert(1)\">",
        "<img src=\"https://tracker.example/p.gif\" alt=\"\">",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<p><!-- hidden --></p>",
        "<style></style><svg onload=alert(1)>",
        "<p>cut <b",
    ] {
        assert!(foreign_markup(unsafe_markup).is_some(), "{unsafe_markup}");
    }
}

/// xorshift64*: small, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens that tend to matter to parsers, spliced in whole.
const COMMON_TOKENS: &[&str] = &[
    "\"",
    "\\",
    "\\u0000",
    "\\ud800",
    "\u{202e}",
    "\u{0}",
    "\u{feff}",
    "<script>",
    "</style>",
    "{{7*7}}",
    "%00",
    "%2e%2e/",
    "../",
    "null",
    "-1",
    "0",
    "1e308",
    "4294967296",
    "18446744073709551616",
    "[",
    "]",
    "{",
    "}",
    ":",
    ",",
    "\n",
    "\r\n",
    "=",
    "&",
    "?",
    "#",
    "\u{1F600}",
    "\u{10FFFF}",
    "ı",
    "ß",
    "ǅ",
];

const TARGET_TOKENS: &[(&str, &[&str])] = &[
    (
        "check_url",
        &[
            "http://",
            "https://",
            "file://",
            "chrome://",
            "javascript:",
            "//",
            "@",
            ":",
            ":65535",
            ":65536",
            "[::1]",
            "[::ffff:7f00:1]",
            "[fe80::1%25eth0]",
            "0x7f.1",
            "127.0.0.1",
            "0177.0.0.1",
            "2130706433",
            "localhost",
            ".local",
            ".",
            "..",
            "xn--",
            "xn--nxasmq6b",
            "169.254.169.254",
            "１２７．０．０．１",
            "。",
            "ＬＯＣＡＬＨＯＳＴ",
            "\t",
            " ",
            "%",
            "%41",
            "\\\\",
            "\u{ad}",
            "\u{200b}",
            "co.uk",
            "github.io",
        ],
    ),
    (
        "read_report",
        &[
            "\"../secret.png\"",
            "\"/etc/passwd\"",
            "\"shots/page.png\"",
            "\"C:\\\\x.png\"",
            "\"status\": \"error\"",
            "\"error\": null",
            "\"schema_version\": 1",
            "1e400",
            "\"2025-06-02T09:14:03Z\"",
            "\"9999-12-31T23:59:60Z\"",
            "\"+262143-12-31T23:59:59Z\"",
            "\"-262143-01-01T00:00:00Z\"",
            "{\"kind\": \"note\", \"text\": \"<b>\"}",
            "\"kind\": \"term\"",
            "\"role\": \"reject_all\"",
            "1.7976931348623157e308",
            "-0.0",
            "1e-320",
            "\"<img src=x onerror=alert(1)>\"",
        ],
    ),
    (
        "decode_request",
        &[
            "GET ",
            "POST ",
            "application/json",
            "gzip",
            "base64",
            "=",
            "%7B",
        ],
    ),
    (
        "parse_list",
        &[
            "||",
            "^",
            "$third-party",
            "@@",
            "##",
            "$domain=",
            "/ad[",
            "*",
            "|",
        ],
    ),
];

/// One mutant of a seed: up to four stacked edits (bit flips, byte sets, inserts of bytes or
/// tokens, deletions, duplications, splices with another seed, truncation).
fn mutate(rng: &mut Rng, seeds: &[Seed], tokens: &[&str]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].bytes.clone();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(8) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] = [0, 0xff, b'"', b'<', b'\\', b'\n', 0x7f, 0x80, b'9'][rng.below(9)];
            }
            2 => data.insert(at, rng.next() as u8),
            3 | 4 => {
                let token = if rng.below(2) == 0 {
                    COMMON_TOKENS[rng.below(COMMON_TOKENS.len())]
                } else {
                    tokens[rng.below(tokens.len())]
                };
                data.splice(at..at, token.bytes());
            }
            5 if !data.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(data.len());
                data.drain(at.min(end)..end);
            }
            6 if !data.is_empty() => {
                let start = rng.below(data.len());
                let end = (start + 1 + rng.below(64)).min(data.len());
                let piece = data[start..end].to_vec();
                data.splice(at..at, piece);
            }
            7 => {
                let other = &seeds[rng.below(seeds.len())].bytes;
                let from = rng.below(other.len() + 1);
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
            _ => data.truncate(at),
        }
    }
    data.truncate(MAX_MUTANT_BYTES);
    data
}

/// Runs the target's mutants through `run`; returns how many `run` called interesting.
fn mutate_and_run(target: &str, run: impl FnMut(&[u8]) -> bool) -> usize {
    let seeds = corpus(target);
    let tokens = TARGET_TOKENS
        .iter()
        .find(|(t, _)| *t == target)
        .map_or(&[][..], |(_, tokens)| *tokens);
    run_mutants(target, run, |rng| mutate(rng, &seeds, tokens))
}

/// Runs `mutation_count(target)` inputs made by `next` through `run`, from a generator seeded
/// by the target's name; returns how many `run` called interesting.
fn run_mutants(
    target: &str,
    mut run: impl FnMut(&[u8]) -> bool,
    mut next: impl FnMut(&mut Rng) -> Vec<u8>,
) -> usize {
    // A fixed seed per target (FNV-1a of its name, unless FUZZ_REPLAY_SEED changes it), so
    // that each target's sequence is reproducible on its own.
    let name_hash = target.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let extra: u64 = std::env::var("FUZZ_REPLAY_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    // xorshift must not start from 0.
    let mut rng = Rng((name_hash ^ extra.wrapping_mul(0x9E37_79B9_7F4A_7C15)).max(1));
    let started = Instant::now();
    let count = mutation_count(target);
    let mut interesting = 0;
    for i in 0..count {
        let input = next(&mut rng);
        if replay(target, &format!("mutant {i}"), &input, &mut run) {
            interesting += 1;
        }
    }
    eprintln!(
        "{target}: {count} mutants in {:.2} s, {interesting} interesting",
        started.elapsed().as_secs_f64()
    );
    interesting
}

#[test]
fn decode_request_mutants_never_panic() {
    let decoded = mutate_and_run("decode_request", |data| {
        !decode_request_input(data).is_empty()
    });
    // Many mutants keep a decodable request: the mutations reach the decoders, not only the
    // framing.
    assert!(
        decoded > mutation_count("decode_request") / 4,
        "only {decoded} decoded"
    );
}

#[test]
fn parse_list_mutants_never_panic() {
    let compiled = mutate_and_run("parse_list", |data| parse_list_input(data).is_some());
    assert!(
        compiled > mutation_count("parse_list") / 4,
        "only {compiled} compiled"
    );
}

#[test]
fn check_url_mutants_never_panic_and_the_policy_stays_consistent() {
    let mut refused_for_hosting_only = 0;
    let accepted = mutate_and_run("check_url", |data| {
        // check_url_input itself panics on an inconsistent verdict.
        let verdict = check_url_input(data);
        if verdict.local.is_ok() && verdict.hosted == Err("forbidden_address") {
            refused_for_hosting_only += 1;
        }
        verdict.hosted.is_ok()
    });
    // Both sides of the policy are exercised: URLs that are opened, and private addresses
    // that only hosted use refuses.
    let count = mutation_count("check_url");
    assert!(accepted > count / 10, "only {accepted} accepted");
    assert!(
        refused_for_hosting_only > count / 100,
        "only {refused_for_hosting_only} private addresses"
    );
}

/// Strings put into result documents by the structural mutations: file names that try to leave
/// the artifacts folder, markup, controls, enum values and times at their limits.
const JSON_STRINGS: &[&str] = &[
    "../secret.png",
    "shots/../../secret.png",
    "/etc/passwd",
    "page.png",
    "shots/page.png",
    "",
    "<script>alert(1)</script>",
    "</style><img src=x onerror=alert(1)>",
    "\"><svg onload=alert(1)>",
    "\u{202e}gnp.exe",
    "\u{0}\u{7}\u{1b}[0m\u{85}\u{feff}",
    "accept_all",
    "reject_all",
    "before_consent",
    "error",
    "ok",
    "term",
    "note",
    "2025-06-02T09:14:03Z",
    "9999-12-31T23:59:59.999999999Z",
    "0000-01-01T00:00:00Z",
    "2025-06-02T09:14:03+14:00",
];

/// A value of a wrong type, at a limit, or hostile, to put in place of a node.
fn json_value(rng: &mut Rng) -> Value {
    match rng.below(11) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!(u64::MAX),
        4 => json!(f64::MAX),
        5 => json!(-0.0),
        6 => json!(4_294_967_296_u64),
        7 => json!([]),
        8 => json!({}),
        _ => Value::String(json_string(rng)),
    }
}

fn json_string(rng: &mut Rng) -> String {
    match rng.below(JSON_STRINGS.len() + 1) {
        // Past every bound on shown text, in characters of two and three bytes.
        0 => "ẞø".repeat(1_500),
        n => JSON_STRINGS[n - 1].to_string(),
    }
}

fn node_count(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(node_count).sum(),
        Value::Object(map) => map.values().map(node_count).sum(),
        _ => 0,
    }
}

/// Edits the `n`th node (depth first): replaces it, drops a field of it, or repeats an element
/// of it (past the renderers' row limits); returns whether it was reached.
fn edit_node(value: &mut Value, n: &mut usize, rng: &mut Rng) -> bool {
    if *n == 0 {
        match (value, rng.below(4)) {
            (Value::Object(map), 0) if !map.is_empty() => {
                let key = map.keys().nth(rng.below(map.len())).cloned();
                if let Some(key) = key {
                    map.shift_remove(&key);
                }
            }
            (Value::Array(items), 0) if !items.is_empty() => {
                let item = items[rng.below(items.len())].clone();
                let copies = [2, 60, 600][rng.below(3)];
                items.extend(std::iter::repeat_n(item, copies));
            }
            // Half the time a value of the same kind, which typed fields still accept.
            (Value::String(text), 1 | 2) => *text = json_string(rng),
            (Value::Number(number), 1 | 2) => {
                *number = serde_json::Number::from([0, 1, 65_535, 4_294_967_295_u64][rng.below(4)]);
            }
            (Value::Bool(flag), 1 | 2) => *flag = !*flag,
            // Most nulls are numbers not measured.
            (value @ Value::Null, 1 | 2) => *value = json!(rng.below(100)),
            (value, _) => *value = json_value(rng),
        }
        return true;
    }
    *n -= 1;
    match value {
        Value::Array(items) => items.iter_mut().any(|item| edit_node(item, n, rng)),
        Value::Object(map) => map.values_mut().any(|item| edit_node(item, n, rng)),
        _ => false,
    }
}

/// A valid seed document with one to three of its nodes edited: still JSON, so the mutant gets
/// past the parser to the typed reader, the screenshot loader and the renderers.
fn mutate_document(rng: &mut Rng, documents: &[Value]) -> Vec<u8> {
    let mut document = documents[rng.below(documents.len())].clone();
    let edits = if rng.below(3) == 0 {
        2 + rng.below(2)
    } else {
        1
    };
    for _ in 0..edits {
        let mut n = rng.below(node_count(&document));
        edit_node(&mut document, &mut n, rng);
    }
    serde_json::to_vec(&document).expect("a JSON value serialises")
}

#[test]
fn read_report_mutants_never_panic_render_escaped_and_stay_in_the_artifacts_folder() {
    const TARGET: &str = "read_report";
    let (_root, fixture) = fixture();
    let seeds = corpus(TARGET);
    let tokens = TARGET_TOKENS
        .iter()
        .find(|(t, _)| *t == TARGET)
        .map_or(&[][..], |(_, tokens)| *tokens);
    let documents: Vec<Value> = seeds
        .iter()
        .filter(|seed| seed.name.starts_with("ok_"))
        .map(|seed| serde_json::from_slice(&seed.bytes).expect("an ok_ seed is JSON"))
        .collect();
    assert!(documents.len() >= 5, "only {} JSON seeds", documents.len());

    let (mut with_images, mut refusals) = (0, BTreeSet::new());
    let read = run_mutants(
        TARGET,
        |data| match read_report_with(data, &fixture) {
            // read_report_with itself panics on foreign markup or an outside file.
            Ok(rendered) => {
                let images = &rendered.images;
                if images.banner.is_some() || images.annotated.is_some() || images.page.is_some() {
                    with_images += 1;
                }
                true
            }
            Err(error) => {
                let message = error.to_string();
                assert!(
                    message.starts_with("not a consentlens result document: ")
                        || message.starts_with("result document schema version "),
                    "unclear error: {message}"
                );
                // What was wrong, without where.
                let what = message.split(" at line").next().unwrap_or_default();
                refusals.insert(what.to_string());
                false
            }
        },
        // Half byte-level mutants (mostly broken JSON), half structural (mostly valid JSON).
        |rng| {
            if rng.below(2) == 0 {
                mutate(rng, &seeds, tokens)
            } else {
                mutate_document(rng, &documents)
            }
        },
    );
    // Enough mutants still read for the renderers and the screenshot loader to be exercised
    // on altered documents, and the refusals are of many kinds.
    let count = mutation_count(TARGET);
    assert!(read > count / 10, "only {read} read");
    assert!(
        with_images > count / 100,
        "only {with_images} loaded a screenshot"
    );
    assert!(
        refusals.len() > 20,
        "only {} kinds of refusal",
        refusals.len()
    );
}
