//! Throughput of tracker matching and payload decoding, in requests per second on one core.
//!
//! `match_request` runs against the vendor catalogue plus the full EasyPrivacy list (Debian's
//! `webext-ublock-origin-chromium` copy; without it, the catalogue alone, and the run says so),
//! over ~2,000 generated requests that mix tracker pixels, tracker scripts and ordinary
//! first- and third-party resources. `decode_request` runs over the tracker requests among them.
//!
//! The target for matching is 100,000 requests per second per core. `cargo bench --bench
//! matching` prints the rate as "thrpt"; nothing here asserts it. The numbers of the last run are
//! in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use consentlens::decode::{decode_request, Classifier};
use consentlens::model::Request;

/// A request as recorded, with the page that made it.
struct Sample {
    request: Request,
    site: String,
    vendor: Option<String>,
}

/// Deterministic requests: the kinds a news, shop or health site loads, a little over half of them
/// to trackers (as on the Norwegian news and shop sites that prompted this project).
fn samples() -> Vec<Sample> {
    const SITES: &[&str] = &[
        "https://www.avis.example/",
        "https://apotek.example/",
        "https://helse.example/",
        "https://www.butikk.example/",
    ];
    let mut samples = Vec::new();
    for i in 0..2_000usize {
        let site = SITES[i % SITES.len()];
        let host = site.trim_start_matches("https://").trim_end_matches('/');
        let (url, resource_type, method, body) = match i % 20 {
            0 => (format!("https://www.facebook.com/tr/?id=24681357902468{}&ev=PageView&dl=https%3A%2F%2F{host}%2Fartikkel%2F{i}&rl=&if=false&ts=1791212460{i:03}&cd[content_name]=Artikkel%20{i}&fbp=fb.1.1791212460000.{i}", i % 10), "image", "GET", None),
            1 => (format!("https://region1.google-analytics.com/g/collect?v=2&tid=G-HELSE{}&gtm=45je69u2&gcs=G111&gcd=13r3r3r3r5l1&cid=74640{i}.1791212460&sid=1791212459&dl=https%3A%2F%2F{host}%2Fside%2F{i}&dt=Side%20{i}&en=page_view&ep.content_group=helse", i % 7), "ping", "POST", Some("en=scroll&epn.percent_scrolled=90\r\nen=user_engagement&_et=5123\r\n".to_string())),
            2 => (format!("https://{host}/static/js/app.{i:05}.js"), "script", "GET", None),
            3 => (format!("https://{host}/bilder/artikkel-{i}.jpg?w=640"), "image", "GET", None),
            4 => (format!("https://{host}/api/v1/articles?page={i}"), "fetch", "GET", None),
            5 => ("https://fonts.gstatic.com/s/roboto/v30/KFOmCnqEu92Fr1Mu4mxK.woff2".to_string(), "font", "GET", None),
            6 => (format!("https://cdn.jsdelivr.net/npm/swiper@11/swiper-bundle.min.js?v={i}"), "script", "GET", None),
            7 => (format!("https://ct.pinterest.com/v3/?event=pagevisit&tid=2612733222301&ad=%7B%22loc%22%3A%22https%3A%2F%2F{host}%2Fp%2F{i}%22%7D&cb=17912124{i}"), "image", "GET", None),
            8 => (format!("https://bat.bing.com/action/0?ti=26101359&evt=pageLoad&p=https%3A%2F%2F{host}%2F{i}&tl=Side&mid={i}"), "image", "GET", None),
            9 => (format!("https://securepubads.g.doubleclick.net/gampad/ads?iu=%2F1234%2Favis&sz=300x250&correlator={i}"), "script", "GET", None),
            10 => (format!("https://{host}/css/main.{i}.css"), "stylesheet", "GET", None),
            11 => (format!("https://images.ctfassets.net/abc/{i}/hero.webp"), "image", "GET", None),
            12 => (format!("https://analytics.tiktok.com/api/v2/pixel?sdkid=C97F14JC77U63IDI7U40&n={i}"), "fetch", "POST", Some(format!("{{\"event\":\"ViewContent\",\"context\":{{\"pixel\":{{\"code\":\"C97F14JC77U63IDI7U40\"}},\"page\":{{\"url\":\"https://{host}/p/{i}\"}}}},\"properties\":{{\"value\":{i}}}}}"))),
            13 => (format!("https://log.medietall.no/analytics.js?i={i}"), "script", "GET", None),
            14 => (format!("https://stats.wp.com/e-2024{i}.js"), "script", "GET", None),
            15 => (format!("https://{host}/sok?q=test{i}"), "document", "GET", None),
            16 => (format!("https://www.youtube-nocookie.com/embed/abc{i}"), "document", "GET", None),
            17 => (format!("https://widget.trustpilot.com/bootstrap/v5/tp.widget.bootstrap.min.js?{i}"), "script", "GET", None),
            18 => (format!("https://cdn.cookielaw.org/consent/{i}/otSDKStub.js"), "script", "GET", None),
            _ => (format!("https://px.ads.linkedin.com/collect?v=2&fmt=js&pid=33461{}&time=1791212460{i:03}&url=https%3A%2F%2F{host}%2F{i}", i % 10), "image", "GET", None),
        };
        samples.push(Sample {
            request: Request {
                url,
                method: method.to_string(),
                resource_type: resource_type.to_string(),
                post_data: body,
                ..Request::default()
            },
            site: site.to_string(),
            vendor: None,
        });
    }
    samples
}

fn bench(c: &mut Criterion) {
    let sources = Classifier::default_list_sources();
    let classifier = Classifier::new(&sources).expect("the EasyPrivacy list loads");
    match classifier.tracker_lists().first() {
        Some(list) => eprintln!(
            "matching against {} ({} rules, sha256 {})",
            list.name, list.rules, list.sha256
        ),
        None => eprintln!(
            "EasyPrivacy is not installed (webext-ublock-origin-chromium): catalogue only"
        ),
    }
    let mut samples = samples();
    for sample in &mut samples {
        sample.vendor = classifier
            .match_request(
                &sample.request.url,
                &sample.site,
                &sample.request.resource_type,
            )
            .map(|tracker| tracker.vendor);
    }
    let trackers: Vec<&Sample> = samples.iter().filter(|s| s.vendor.is_some()).collect();
    eprintln!(
        "{} of {} requests are tracker requests",
        trackers.len(),
        samples.len()
    );

    let mut group = c.benchmark_group("matching");
    group.throughput(Throughput::Elements(samples.len() as u64));
    group.bench_function("match_request", |b| {
        b.iter(|| {
            for sample in &samples {
                black_box(classifier.match_request(
                    black_box(&sample.request.url),
                    &sample.site,
                    &sample.request.resource_type,
                ));
            }
        })
    });
    // The requests the catalogue does not know go through every EasyPrivacy rule bucket: the
    // slowest path, measured on its own.
    let list_path: Vec<&Sample> = samples
        .iter()
        .filter(|s| {
            classifier
                .match_request(&s.request.url, &s.site, &s.request.resource_type)
                .is_none_or(|tracker| tracker.matched_by != "catalogue")
        })
        .collect();
    group.throughput(Throughput::Elements(list_path.len() as u64));
    group.bench_function("match_request_list_path", |b| {
        b.iter(|| {
            for sample in &list_path {
                black_box(classifier.match_request(
                    black_box(&sample.request.url),
                    &sample.site,
                    &sample.request.resource_type,
                ));
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("decoding");
    group.throughput(Throughput::Elements(trackers.len() as u64));
    group.bench_function("decode_request", |b| {
        b.iter(|| {
            for sample in &trackers {
                black_box(decode_request(
                    black_box(&sample.request),
                    sample.vendor.as_deref(),
                ));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
