mod common;
use consentlens::evaluate::{evaluate, EvaluateOptions};
use consentlens::visit::VisitOptions;
use std::time::{Duration, Instant};

#[test]
fn probe() {
    common::block_on(async {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
        let f = common::start_fixture(vec![root]).await;
        let explore = std::env::var("PROBE_EXPLORE").is_ok();
        for url in std::env::var("PROBE_URL").unwrap().split(',') {
            let options = EvaluateOptions {
                visit: VisitOptions {
                    timeout_ms: 8000,
                    settle_ms: 1500,
                    idle_ms: 300,
                },
                banner_wait_ms: 1500,
                explore,
                ..EvaluateOptions::default()
            };
            let t = Instant::now();
            let r = tokio::time::timeout(
                Duration::from_secs(120),
                evaluate(&f.browser, url, &options),
            )
            .await;
            match r {
                Ok(e) => {
                    let r = e.report;
                    let p = r.phases.before_consent.as_ref();
                    eprintln!("{url}: {:?} {:?} in {:?}; banner={} final={:?} title={:?} cookies={:?} requests={:?}", r.status, r.error.clone().map(|e| e.message), t.elapsed(), r.banner.is_some(), r.final_url.clone(), r.title.clone().map(|t| t.chars().take(60).collect::<String>()), p.map(|p| p.cookies.len()), p.map(|p| p.requests.iter().map(|r| format!("{} {:?} {:?}", r.url.chars().take(100).collect::<String>(), r.status, r.failure)).collect::<Vec<_>>()));
                    if std::env::var("PROBE_JSON").is_ok() {
                        let j = serde_json::to_value(&r).unwrap();
                        let back: consentlens::SiteReport =
                            serde_json::from_value(j.clone()).unwrap();
                        let j2 = serde_json::to_value(&back).unwrap();
                        eprintln!("json equal: {}", j == j2);
                        if back != r {
                            eprintln!("struct differs");
                            for (k, v) in j.as_object().unwrap() {
                                if j2.get(k) != Some(v) {
                                    eprintln!("  field {k} differs");
                                }
                            }
                        }
                    }
                }
                Err(_) => eprintln!("{url}: DEADLINE after {:?}", t.elapsed()),
            }
        }
    })
}
