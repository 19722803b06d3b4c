mod common;
use std::time::{Duration, Instant};
use chromiumoxide::cdp::browser_protocol::page::NavigateParams;
use chromiumoxide::cdp::browser_protocol::performance::GetMetricsParams;
use chromiumoxide::cdp::browser_protocol::dom_snapshot::CaptureSnapshotParams;

#[test]
fn probe() {
    common::block_on(async {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
        let f = common::start_fixture(vec![root]).await;
        for n in [1000u64, 50_000, 100_000, 250_000, 1_000_000] {
            let ctx = f.browser.new_context().await.unwrap();
            let page = ctx.page.clone();
            let _ = tokio::time::timeout(Duration::from_secs(10), page.execute(NavigateParams::new(format!("https://million-nodes.test/?n={n}")))).await;
            let m = page.execute(GetMetricsParams::default()).await.unwrap().result.metrics;
            let nodes = m.iter().find(|m| m.name == "Nodes").map(|m| m.value);
            let t = Instant::now();
            let params = CaptureSnapshotParams::builder()
                .computed_styles(consentlens::visit::dom::CAPTURED_STYLES.iter().map(|s| s.to_string()))
                .include_paint_order(true).include_dom_rects(false).build().unwrap();
            let r = tokio::time::timeout(Duration::from_secs(60), page.execute(params)).await;
            let size = r.as_ref().ok().and_then(|r| r.as_ref().ok()).map(|r| serde_json::to_string(&r.result).unwrap().len());
            eprintln!("n={n} metric nodes={nodes:?} snapshot {:?} bytes={size:?}", t.elapsed());
            f.browser.close_context(ctx).await;
        }
    })
}
