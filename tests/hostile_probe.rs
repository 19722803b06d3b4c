mod common;
use chromiumoxide::cdp::browser_protocol::page::NavigateParams;
use std::time::{Duration, Instant};

#[test]
fn probe() {
    common::block_on(async {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
        let f = common::start_fixture(vec![root]).await;
        let ctx = f.browser.new_context().await.unwrap();
        let page = ctx.page.clone();
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            page.execute(NavigateParams::new("https://huge-text.test/")),
        )
        .await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        for _ in 0..3 {
            let t = Instant::now();
            let snap = consentlens::visit::snapshot::capture(&page, 1366.0, 768.0)
                .await
                .unwrap();
            let t1 = t.elapsed();
            let found = consentlens::detect::find_dialog(&snap).is_some();
            eprintln!("capture {t1:?} find {:?} {found}", t.elapsed() - t1);
        }
        let t = Instant::now();
        let s = consentlens::detect::wait::wait_for_dialog(&page, (1366.0, 768.0), 1000)
            .await
            .unwrap();
        eprintln!("wait {:?} nodes={}", t.elapsed(), s.snapshot.nodes.len());
        let d = s.dialog.unwrap();
        let t = Instant::now();
        let m = consentlens::measure::measure_dialog(&s.snapshot, &d, None, 1);
        eprintln!(
            "measure {:?} buttons={}",
            t.elapsed(),
            m.banner.buttons.len()
        );
        let t = Instant::now();
        let c = consentlens::measure::capture::capture_dialog(&page, &s.snapshot, &d, 1).await;
        eprintln!("capture {:?} {}", t.elapsed(), c.annotated_png.is_some());
        f.browser.close_context(ctx).await;
    })
}
