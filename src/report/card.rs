pub fn site_card_html(_report: &crate::model::SiteReport, _images: &super::Images) -> String { String::new() }
