//! The pure kernels of an evaluation, per item: the contrast of a button measured from its
//! pixels, and the findings engine on a full result document. (Tracker matching and payload
//! decoding are in `matching.rs`.)
//!
//! Button crops are drawn the way the measuring screenshot shows them: at device scale factor 2,
//! labels anti-aliased with Debian's DejaVu Sans (`fonts-dejavu-core`; without it, the labels
//! are drawn as solid strokes and the run says so). The report for the findings engine is the
//! kind an online pharmacy gives: a dialog with four buttons and three purposes, three phases of
//! 60–160 requests each (tracker pixels with cart data and health-revealing page URLs among
//! them), cookies, and a page that claims visitors are anonymous; its requests are matched and
//! decoded by the real classifier before the benchmark starts.
//!
//! `cargo bench --bench kernels` prints the time per item; nothing here asserts it.

use std::hint::black_box;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use image::{Rgba, RgbaImage};

use consentlens::decode::{annotate_phase, Classifier};
use consentlens::judge::{compute_metrics, find_claims, judge, JudgeConfig};
use consentlens::measure::contrast::measure_text_contrast;
use consentlens::model::*;

const FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
];

fn font() -> Option<FontVec> {
    FONT_PATHS
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .find_map(|bytes| FontVec::try_from_vec(bytes).ok())
}

/// How a button looks, in CSS pixels (drawn at twice the size, as measured).
struct ButtonLook {
    name: &'static str,
    label: &'static str,
    width: u32,
    height: u32,
    font_px: f32,
    text: [u8; 3],
    /// Background from top to bottom (equal for a solid button).
    background: ([u8; 3], [u8; 3]),
    underline: bool,
}

const LOOKS: &[ButtonLook] = &[
    ButtonLook {
        name: "accept_solid_176x48",
        label: "Accept all",
        width: 176,
        height: 48,
        font_px: 16.0,
        text: [0xff, 0xff, 0xff],
        background: ([0x1a, 0x56, 0xdb], [0x1a, 0x56, 0xdb]),
        underline: false,
    },
    ButtonLook {
        name: "reject_lowcontrast_100x32",
        label: "Reject all",
        width: 100,
        height: 32,
        font_px: 12.0,
        text: [0xaa, 0xaa, 0xaa],
        background: ([0xff, 0xff, 0xff], [0xff, 0xff, 0xff]),
        underline: false,
    },
    ButtonLook {
        name: "reject_link_90x24",
        label: "Avvis alle",
        width: 90,
        height: 24,
        font_px: 13.0,
        text: [0x0b, 0x5e, 0xd7],
        background: ([0xff, 0xff, 0xff], [0xff, 0xff, 0xff]),
        underline: true,
    },
    ButtonLook {
        name: "accept_gradient_220x56",
        label: "Godta alle",
        width: 220,
        height: 56,
        font_px: 18.0,
        text: [0xff, 0xff, 0xff],
        background: ([0x2b, 0x6c, 0xf0], [0x0b, 0x3d, 0x91]),
        underline: false,
    },
    ButtonLook {
        name: "settings_wide_320x64",
        label: "Innstillinger for informasjonskapsler",
        width: 320,
        height: 64,
        font_px: 15.0,
        text: [0x1f, 0x23, 0x28],
        background: ([0xf6, 0xf8, 0xfa], [0xf6, 0xf8, 0xfa]),
        underline: false,
    },
];

fn draw(look: &ButtonLook, font: Option<&FontVec>) -> RgbaImage {
    const SCALE: u32 = 2;
    let (w, h) = (look.width * SCALE, look.height * SCALE);
    let mut image = RgbaImage::from_fn(w, h, |_, y| {
        let t = y as f32 / (h - 1).max(1) as f32;
        let (a, b) = look.background;
        let mix = |i: usize| (f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t).round() as u8;
        Rgba([mix(0), mix(1), mix(2), 255])
    });
    let colour = Rgba([look.text[0], look.text[1], look.text[2], 255]);
    let px = look.font_px * SCALE as f32;
    let x = (w as f32 * 0.12) as i32;
    let y = ((h as f32 - px) / 2.0) as i32;
    match font {
        Some(font) => draw_label(
            &mut image, font, px, x as f32, y as f32, look.label, look.text,
        ),
        None => {
            // Solid strokes the size of letters, a stand-in for text.
            for (i, _) in look.label.chars().enumerate() {
                let left = x + (i as f32 * px * 0.6) as i32;
                let rect =
                    imageproc::rect::Rect::at(left, y).of_size((px * 0.12) as u32 + 1, px as u32);
                imageproc::drawing::draw_filled_rect_mut(&mut image, rect, colour);
            }
        }
    }
    if look.underline {
        let rect =
            imageproc::rect::Rect::at(x, y + px as i32 + 2).of_size((w as f32 * 0.76) as u32, 2);
        imageproc::drawing::draw_filled_rect_mut(&mut image, rect, colour);
    }
    image
}

/// Draws `text` anti-aliased, each pixel blended by the glyph's coverage, as a browser does.
fn draw_label(
    image: &mut RgbaImage,
    font: &FontVec,
    px: f32,
    x: f32,
    y: f32,
    text: &str,
    colour: [u8; 3],
) {
    let scaled = font.as_scaled(PxScale::from(px));
    let mut caret = x;
    for c in text.chars() {
        let mut glyph = scaled.scaled_glyph(c);
        let advance = scaled.h_advance(glyph.id);
        glyph.position = ab_glyph::point(caret, y + scaled.ascent());
        if let Some(outline) = font.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let (px_x, px_y) = (
                    bounds.min.x as i64 + i64::from(gx),
                    bounds.min.y as i64 + i64::from(gy),
                );
                if px_x < 0
                    || px_y < 0
                    || px_x >= i64::from(image.width())
                    || px_y >= i64::from(image.height())
                {
                    return;
                }
                let pixel = image.get_pixel_mut(px_x as u32, px_y as u32);
                for (channel, &target) in pixel.0.iter_mut().zip(colour.iter()).take(3) {
                    let under = f32::from(*channel);
                    *channel = (under + (f32::from(target) - under) * coverage.clamp(0.0, 1.0))
                        .round() as u8;
                }
            });
        }
        caret += advance;
    }
}

fn bench_contrast(c: &mut Criterion) {
    let font = font();
    if font.is_none() {
        eprintln!("DejaVu Sans is not installed (fonts-dejavu-core): labels drawn as strokes");
    }
    let mut group = c.benchmark_group("contrast");
    group.throughput(Throughput::Elements(1));
    for look in LOOKS {
        let crop = draw(look, font.as_ref());
        match measure_text_contrast(&crop) {
            Some(m) => eprintln!(
                "{}: {}x{} px, text {:?} on {:?}, {:.2}:1",
                look.name,
                crop.width(),
                crop.height(),
                m.foreground,
                m.background,
                m.ratio
            ),
            None => eprintln!("{}: no text found", look.name),
        }
        group.bench_function(look.name, |b| {
            b.iter(|| black_box(measure_text_contrast(black_box(&crop))))
        });
    }
    group.finish();
}

const SITE: &str = "https://www.nettapotek.example/";

fn request(
    url: String,
    resource_type: &str,
    method: &str,
    body: Option<String>,
    step: Step,
) -> Request {
    Request {
        third_party: !url.starts_with(SITE) && !url.starts_with("https://nettapotek.example"),
        url,
        method: method.into(),
        resource_type: resource_type.into(),
        frame_url: Some(SITE.into()),
        initiator: Some("script".into()),
        post_data: body,
        status: Some(200),
        step,
        ..Request::default()
    }
}

/// Requests of one phase: the shop's own resources, and tracker pixels that carry the product
/// page (a pregnancy test), the cart and hashed e-mail.
fn phase_requests(count: usize, trackers: bool, step: Step) -> Vec<Request> {
    let page = "https%3A%2F%2Fwww.nettapotek.example%2Fgraviditet%2Fclearblue-graviditetstest";
    (0..count)
        .map(|i| match (i % 12, trackers) {
            (0, true) => request(format!("https://www.facebook.com/tr/?id=1234567890&ev=AddToCart&dl={page}&cd[content_name]=Clearblue%20graviditetstest&cd[value]=119&cd[currency]=NOK&ud[em]=a94a8fe5ccb19ba61c4c0873d391e987982fbbd3&fbp=fb.1.1700000000000.{i}"), "image", "GET", None, step),
            (1, true) => request(format!("https://region1.google-analytics.com/g/collect?v=2&tid=G-ABC123XYZ&gcs=G100&cid=1392581764.1748855644&en=page_view&dl={page}&dt=Clearblue%20graviditetstest%20%E2%80%93%20Nettapotek&_p={i}"), "ping", "POST", Some("en=add_to_cart&pr1=nmClearblue%20graviditetstest~pr119".into()), step),
            (2, true) => request(format!("https://track.adform.net/Serving/TrackPoint/?pm=2867419&ADFPageName=graviditet%7Cclearblue&ADFdivider=%7C&ord={i}"), "image", "GET", None, step),
            (3, true) => request(format!("https://analytics.tiktok.com/api/v2/pixel?sdkid=C97F14JC77U63IDI7U40&n={i}"), "fetch", "POST", Some(format!("{{\"event\":\"AddToCart\",\"context\":{{\"page\":{{\"url\":\"https://www.nettapotek.example/graviditet/clearblue-graviditetstest?i={i}\"}}}},\"properties\":{{\"value\":119,\"currency\":\"NOK\"}}}}")), step),
            (4, _) => request(format!("{SITE}static/js/app.{i}.js"), "script", "GET", None, step),
            (5, _) => request(format!("{SITE}bilder/produkt-{i}.webp"), "image", "GET", None, step),
            (6, _) => request(format!("{SITE}api/cart?rev={i}"), "fetch", "GET", None, step),
            (7, _) => request("https://fonts.gstatic.com/s/roboto/v30/KFOmCnqEu92Fr1Mu4mxK.woff2".into(), "font", "GET", None, step),
            (8, _) => request(format!("{SITE}css/main.{i}.css"), "stylesheet", "GET", None, step),
            (9, true) => request(format!("https://bat.bing.com/action/0?ti=26101359&evt=pageLoad&p={page}&mid={i}"), "image", "GET", None, step),
            (10, true) => request(format!("https://connect.facebook.net/en_US/fbevents.js?v={i}"), "script", "GET", None, step),
            _ => request(format!("{SITE}graviditet/clearblue-graviditetstest?variant={i}"), "document", "GET", None, step),
        })
        .collect()
}

fn cookies(trackers: bool) -> Vec<Cookie> {
    let mut out = vec![Cookie {
        name: "session".into(),
        domain: "www.nettapotek.example".into(),
        path: "/".into(),
        value: "s3ss10n".into(),
        http_only: true,
        secure: true,
        ..Cookie::default()
    }];
    if trackers {
        for (name, domain, value) in [
            (
                "_fbp",
                ".nettapotek.example",
                "fb.1.1700000000000.1234567890",
            ),
            ("_ga", ".nettapotek.example", "GA1.1.1392581764.1748855644"),
            (
                "_ga_ABC123XYZ",
                ".nettapotek.example",
                "GS1.1.1748855644.1.0.1748855644.0.0.0",
            ),
            ("fr", ".facebook.com", "0v1ZkX9e2.AWX"),
            ("uid", ".adform.net", "5371394785928376523"),
            ("_ttp", ".tiktok.com", "2VwHBGDg7K1Z8bKXx1r1"),
            ("MUID", ".bing.com", "0E6B5B8E1B6A6B1A3F6C4F5E1A6B6A9C"),
        ] {
            out.push(Cookie {
                name: name.into(),
                domain: domain.into(),
                path: "/".into(),
                value: value.into(),
                expires: Some(1_780_000_000.0),
                third_party: !domain.ends_with("nettapotek.example"),
                ..Cookie::default()
            });
        }
    }
    out
}

fn phase(count: usize, trackers: bool, step: Step, classifier: &Classifier) -> Phase {
    let mut phase = Phase {
        requests: phase_requests(count, trackers, step),
        cookies: cookies(trackers),
        ..Phase::default()
    };
    annotate_phase(&mut phase, SITE, classifier);
    phase
}

fn button(
    role: ButtonRole,
    text: &str,
    x: f64,
    width: f64,
    height: f64,
    contrast: f64,
    link: bool,
) -> Button {
    Button {
        role,
        text: text.into(),
        bbox: BBox {
            x,
            y: 680.0,
            width,
            height,
        },
        area_px: width * height,
        font_size_px: Some(if link { 13.0 } else { 16.0 }),
        font_weight: Some(if link { 400 } else { 600 }),
        is_link_styled: link,
        text_contrast: Some(contrast),
        background_contrast: Some(if link { 1.0 } else { 5.2 }),
        css_color: Some("rgb(255, 255, 255)".into()),
        css_background: Some("rgb(26, 86, 219)".into()),
        contrast_note: None,
        css_text_contrast: Some(contrast),
        tag: Some(if link { "a" } else { "button" }.into()),
        aria_label: None,
    }
}

/// A pharmacy's full result document: every stage's output present.
fn pharmacy_report(classifier: &Classifier) -> SiteReport {
    let page_text = "Nettapotek – graviditetstester, vitaminer og reseptfrie legemidler. \
        Du er helt anonym her: vi samler ikke inn personopplysninger. "
        .repeat(20);
    let started = chrono::DateTime::parse_from_rfc3339("2025-06-02T09:14:03Z")
        .expect("a date")
        .with_timezone(&chrono::Utc);
    let mut report = SiteReport {
        schema_version: SCHEMA_VERSION,
        url: SITE.into(),
        final_url: Some(format!("{SITE}graviditet/clearblue-graviditetstest")),
        status: Status::Ok,
        error: None,
        provenance: Provenance {
            tool_version: "bench".into(),
            browser_version: Some("Chromium 156.0.8078.108".into()),
            user_agent: None,
            started_at: started,
            finished_at: started,
            viewport: Viewport::default(),
            locale: "nb-NO".into(),
            third_party_cookies: ThirdPartyCookies::Allowed,
            tracker_lists: classifier.tracker_lists().to_vec(),
            timezone: Some("Europe/Oslo".into()),
            webdriver_hidden: Some(true),
            browser_args: Vec::new(),
            timeout_ms: 30_000,
            settle_ms: 5_000,
        },
        banner: Some(Banner {
            cmp: None,
            text: "Vi bruker informasjonskapsler for å forbedre nettstedet, til statistikk og markedsføring. \
                Du kan godta alle, avvise eller velge selv under innstillinger."
                .into(),
            language: Some("no".into()),
            bbox: BBox { x: 0.0, y: 600.0, width: 1366.0, height: 168.0 },
            frame_url: None,
            screenshot: None,
            buttons: vec![
                button(ButtonRole::AcceptAll, "Godta alle", 900.0, 220.0, 56.0, 8.3, false),
                button(ButtonRole::RejectAll, "Avvis alle", 1140.0, 90.0, 24.0, 2.3, true),
                button(ButtonRole::Settings, "Innstillinger", 660.0, 160.0, 48.0, 12.1, false),
                button(ButtonRole::Close, "×", 1330.0, 24.0, 24.0, 4.6, false),
            ],
            checkboxes: vec![
                Checkbox { label: "Nødvendige".into(), checked: true, disabled: true, layer: 2 },
                Checkbox { label: "Statistikk".into(), checked: true, disabled: false, layer: 2 },
                Checkbox { label: "Markedsføring".into(), checked: true, disabled: false, layer: 2 },
            ],
            annotated_screenshot: None,
            shadow_root: None,
            found_by: Some("heuristic".into()),
            appeared_after_ms: Some(250),
        }),
        click_paths: Some(ClickPaths {
            accept: ClickPath { clicks: Some(1), succeeded: true, dismissed_banner: true, ..ClickPath::default() },
            reject: ClickPath { clicks: Some(2), succeeded: true, dismissed_banner: true, ..ClickPath::default() },
        }),
        phases: Phases {
            before_consent: Some(phase(120, true, Step::Load, classifier)),
            after_accept: Some(phase(160, true, Step::Answer, classifier)),
            after_reject: Some(phase(60, true, Step::Answer, classifier)),
        },
        findings: Vec::new(),
        metrics: Metrics::default(),
        http_status: Some(200),
        title: Some("Clearblue graviditetstest – Nettapotek".into()),
        screenshot: None,
        claims: Vec::new(),
        consent_state: None,
    };
    report.claims = find_claims(&page_text, "page");
    report
}

fn bench_findings(c: &mut Criterion) {
    let classifier = Classifier::new(&Classifier::default_list_sources()).expect("the lists load");
    let report = pharmacy_report(&classifier);
    let config = JudgeConfig::default();
    let findings = judge(&report, &config);
    let requests: usize = report.phases.iter().map(|(_, p)| p.requests.len()).sum();
    let events: usize = report.phases.iter().map(|(_, p)| p.events.len()).sum();
    eprintln!(
        "pharmacy report: {requests} requests, {events} decoded events, {} claims, findings: {}",
        report.claims.len(),
        findings
            .iter()
            .map(|f| f.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut group = c.benchmark_group("findings");
    group.throughput(Throughput::Elements(1));
    group.bench_function("judge_full_report", |b| {
        b.iter(|| black_box(judge(black_box(&report), &config)))
    });
    group.bench_function("metrics_full_report", |b| {
        b.iter(|| black_box(compute_metrics(black_box(&report))))
    });
    group.finish();
}

criterion_group!(benches, bench_contrast, bench_findings);
criterion_main!(benches);
