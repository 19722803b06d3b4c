//! Meta Pixel (`fbevents.js`): `GET /tr/?id=…&ev=…` or the same parameters as a form or multipart
//! POST body. `cd[…]` is custom data (cart contents arrive as JSON inside the value), `ud[…]` and
//! `udff[…]` hashed user data ("advanced matching").

use crate::decode::event::EventBuilder;
use crate::decode::wire::{json_or_string, WireRequest};
use crate::model::TrackerEvent;

pub(super) fn decode(request: &WireRequest<'_>) -> Vec<TrackerEvent> {
    let path = request.path_lower();
    let is_pixel_endpoint =
        matches!(path.as_str(), "/tr" | "/tr/") || path.starts_with("/privacy_sandbox/pixel/");
    if !is_pixel_endpoint {
        return Vec::new();
    }
    let mut builder = EventBuilder::new();
    for (key, value) in request.all_pairs() {
        match key.as_str() {
            "id" => {
                builder.id("id", "pixel_id", &value);
            }
            "ev" => {
                builder.event_name("ev", &value);
            }
            "dl" => {
                builder.page_url("dl", &value);
            }
            "rl" => {
                builder.referrer("rl", &value);
            }
            "fbp" => {
                builder.id("fbp", "fbp", &value);
            }
            "fbc" => {
                builder.id("fbc", "fbc", &value);
            }
            "eid" => {
                builder.id("eid", "event_id", &value);
            }
            _ => {
                if let Some(name) = bracketed(&key, "cd") {
                    builder.data(&key, name, json_or_string(&value));
                } else if let Some(name) = bracketed(&key, "ud").or_else(|| bracketed(&key, "udff"))
                {
                    builder.user_data(&key, name, &value);
                }
            }
        }
    }
    if builder.is_empty() {
        return Vec::new();
    }
    vec![builder.build()]
}

/// `cd[content_name]` → `content_name` for prefix `cd`.
fn bracketed<'k>(key: &'k str, prefix: &str) -> Option<&'k str> {
    key.strip_prefix(prefix)?
        .strip_prefix('[')?
        .strip_suffix(']')
        .filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decoders::test_support::{fields, get, post, prefixes};
    use serde_json::json;

    const ADD_TO_CART: &str = "https://www.facebook.com/tr/?id=246813579024680&ev=AddToCart&dl=https%3A%2F%2Fapotek.example%2Fprodukt%2Fclearblue-graviditetstest&rl=https%3A%2F%2Fapotek.example%2Fkategori%2Fgraviditet&if=false&ts=1791212460000&cd[content_name]=Clearblue%20graviditetstest&cd[content_ids]=%5B%22100234%22%5D&cd[contents]=%5B%7B%22id%22%3A%22100234%22%2C%22quantity%22%3A1%7D%5D&cd[value]=119&cd[currency]=NOK&cd[content_type]=product&sw=1920&sh=1080&ud[em]=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08&ud[ph]=3c9909afec25354d551dae21590bb26e38d53f2173b8d3dc3eee4c047e7ab1c1&v=2.9.170&r=stable&ec=2&o=4126&fbp=fb.1.1791212460000.1234567890&eid=ob3_plugin-set_abc&it=1791212459000&coo=false&rqm=GET";

    #[test]
    fn decodes_an_add_to_cart_with_advanced_matching() {
        let events = decode(&get(ADD_TO_CART));
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event.as_deref(), Some("AddToCart"));
        assert_eq!(
            event.page_url.as_deref(),
            Some("https://apotek.example/produkt/clearblue-graviditetstest")
        );
        assert_eq!(
            event.referrer.as_deref(),
            Some("https://apotek.example/kategori/graviditet")
        );
        assert_eq!(event.data["content_name"], "Clearblue graviditetstest");
        assert_eq!(event.data["content_ids"], json!(["100234"]));
        assert_eq!(
            event.data["contents"],
            json!([{"id": "100234", "quantity": 1}])
        );
        assert_eq!(event.data["value"], "119");
        assert_eq!(event.data["currency"], "NOK");
        assert_eq!(event.user_data_fields, vec!["em", "ph"]);
        assert_eq!(event.ids["pixel_id"], "246813579024680");
        assert_eq!(event.ids["fbp"], "fb.1.1791212460000.1234567890");
        assert_eq!(fields(event, "page_url"), vec!["dl"]);
        assert_eq!(fields(event, "event"), vec!["ev"]);
        assert_eq!(fields(event, "user_data"), vec!["ud[em]", "ud[ph]"]);
        assert!(fields(event, "data").contains(&"cd[contents]"));
    }

    #[test]
    fn decodes_form_and_multipart_posts() {
        let form = post(
            "https://www.facebook.com/tr/",
            "application/x-www-form-urlencoded",
            b"id=1&ev=Purchase&dl=https%3A%2F%2Fshop.example%2Fkvittering&cd%5Bvalue%5D=80&cd%5Bcurrency%5D=NOK&udff%5Bem%5D=abc",
        );
        let event = &decode(&form)[0];
        assert_eq!(event.event.as_deref(), Some("Purchase"));
        assert_eq!(event.data["value"], "80");
        assert_eq!(event.user_data_fields, vec!["em"]);

        let body = "------WebKitFormBoundaryq1\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n1\r\n------WebKitFormBoundaryq1\r\nContent-Disposition: form-data; name=\"ev\"\r\n\r\nLead\r\n------WebKitFormBoundaryq1\r\nContent-Disposition: form-data; name=\"cd[form]\"\r\n\r\nkontakt barnevern\r\n------WebKitFormBoundaryq1--\r\n";
        let multipart = post(
            "https://www.facebook.com/tr/",
            "multipart/form-data; boundary=----WebKitFormBoundaryq1",
            body.as_bytes(),
        );
        let event = &decode(&multipart)[0];
        assert_eq!(event.event.as_deref(), Some("Lead"));
        assert_eq!(event.data["form"], "kontakt barnevern");
    }

    #[test]
    fn scripts_and_other_paths_carry_no_event() {
        assert!(decode(&get("https://connect.facebook.net/en_US/fbevents.js")).is_empty());
        assert!(decode(&get("https://www.facebook.com/plugins/like.php?href=x")).is_empty());
        assert!(decode(&get("https://www.facebook.com/tr/")).is_empty());
    }

    #[test]
    fn malformed_requests_yield_what_could_be_read() {
        for prefix in prefixes(ADD_TO_CART) {
            let _ = decode(&get(prefix));
        }
        let broken = get("https://www.facebook.com/tr/?id=1&ev=View%E2%82&cd[contents]=%5B%7B%22id&cd[]=x&ud[em]=");
        let event = &decode(&broken)[0];
        assert_eq!(event.event.as_deref(), Some("View\u{fffd}"));
        assert_eq!(event.data["contents"], "[{\"id", "broken JSON stays text");
        assert!(
            event.user_data_fields.is_empty(),
            "empty ud[em] is not user data"
        );
        let binary = post(
            "https://www.facebook.com/tr/",
            "text/plain",
            &[0xff, 0xfe, 0x00, b'='],
        );
        assert!(decode(&binary).is_empty());
    }
}
