use crate::model::*;
pub fn har_for_phase(_report: &SiteReport, _phase: PhaseName) -> Option<serde_json::Value> { None }
pub fn har_all(_report: &SiteReport) -> serde_json::Value { serde_json::Value::Null }
