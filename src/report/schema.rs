//! The JSON Schema of the result document, and the test that keeps it in step with the model.

/// JSON Schema (draft 2020-12) of [`SiteReport`](crate::model::SiteReport), schema version 1, as
/// published in `docs/schema/site-report.v1.json`.
pub const SCHEMA_JSON: &str = include_str!("../../docs/schema/site-report.v1.json");

#[cfg(test)]
mod tests {
    //! The schema is written by hand, so these tests walk a serialised document and the schema
    //! side by side: every property the model writes must be declared, every declared property
    //! must be written by the model, and every value must have a declared JSON type. The fixture
    //! documents populate every optional object and every evidence kind, so the walk reaches
    //! every part of the schema. (Full validation runs in the Python tests with `jsonschema`.)

    use std::collections::BTreeSet;

    use serde_json::{Map, Value};

    use super::SCHEMA_JSON;
    use crate::model::{SiteReport, SCHEMA_VERSION};
    use crate::report::fixtures::{error_report, full_report};

    fn schema() -> Value {
        serde_json::from_str(SCHEMA_JSON).expect("the schema is valid JSON")
    }

    /// Walks a document against the schema, recording problems and the declared properties seen.
    struct Walk<'s> {
        root: &'s Value,
        /// `(schema location, property)` of every declared property a document used.
        seen: BTreeSet<(String, String)>,
        problems: Vec<String>,
    }

    impl<'s> Walk<'s> {
        fn resolve(&self, schema: &'s Value) -> (&'s Value, String) {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(reference) => {
                    let pointer = reference.trim_start_matches('#');
                    let target = self
                        .root
                        .pointer(pointer)
                        .unwrap_or_else(|| panic!("dangling $ref {reference}"));
                    (target, pointer.to_string())
                }
                None => (schema, String::new()),
            }
        }

        fn value(&mut self, schema: &'s Value, location: &str, value: &Value, at: &str) {
            let (schema, resolved) = self.resolve(schema);
            let location = if resolved.is_empty() {
                location.to_string()
            } else {
                resolved
            };
            let combinator = ["anyOf", "oneOf"]
                .into_iter()
                .find(|k| schema.get(k).is_some());
            if let Some(combinator) = combinator {
                let branches = schema[combinator]
                    .as_array()
                    .expect("anyOf/oneOf is an array");
                let matching: Vec<_> = branches
                    .iter()
                    .enumerate()
                    .filter(|(_, branch)| self.branch_accepts(branch, value))
                    .collect();
                match matching.as_slice() {
                    [(index, branch)] => {
                        let branch_location = format!("{location}/{combinator}/{index}");
                        self.value(branch, &branch_location, value, at)
                    }
                    [] => self
                        .problems
                        .push(format!("{at}: no branch accepts {value}")),
                    _ => self
                        .problems
                        .push(format!("{at}: several branches accept {value}")),
                }
                return;
            }
            if let Some(expected) = schema.get("const") {
                if expected != value {
                    self.problems
                        .push(format!("{at}: {value} is not {expected}"));
                }
            }
            if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
                if !allowed.contains(value) {
                    self.problems
                        .push(format!("{at}: {value} is not one of {allowed:?}"));
                }
            }
            if let Some(types) = schema.get("type") {
                let types: Vec<&str> = match types {
                    Value::String(one) => vec![one.as_str()],
                    Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                    other => panic!("bad type keyword {other}"),
                };
                if !types.iter().any(|t| has_type(value, t)) {
                    self.problems
                        .push(format!("{at}: {value} is not of type {types:?}"));
                }
            }
            match value {
                Value::Object(object) => self.object(schema, &location, object, at),
                Value::Array(items) => {
                    if let Some(prefix) = schema.get("prefixItems").and_then(Value::as_array) {
                        for (i, (item_schema, item)) in prefix.iter().zip(items).enumerate() {
                            let item_location = format!("{location}/prefixItems/{i}");
                            self.value(item_schema, &item_location, item, &format!("{at}[{i}]"));
                        }
                        if items.len() != prefix.len() {
                            self.problems
                                .push(format!("{at}: tuple of {} items", items.len()));
                        }
                    } else if let Some(item_schema) = schema.get("items") {
                        let item_location = format!("{location}/items");
                        for (i, item) in items.iter().enumerate() {
                            self.value(item_schema, &item_location, item, &format!("{at}[{i}]"));
                        }
                    }
                }
                _ => {}
            }
        }

        fn object(
            &mut self,
            schema: &'s Value,
            location: &str,
            object: &Map<String, Value>,
            at: &str,
        ) {
            let properties = schema.get("properties").and_then(Value::as_object);
            let values = schema.get("additionalProperties").filter(|v| v.is_object());
            match (properties, values) {
                (Some(properties), _) => {
                    for (name, value) in object {
                        match properties.get(name) {
                            Some(property) => {
                                self.seen.insert((location.to_string(), name.clone()));
                                let property_location = format!("{location}/properties/{name}");
                                self.value(
                                    property,
                                    &property_location,
                                    value,
                                    &format!("{at}.{name}"),
                                );
                            }
                            None => self
                                .problems
                                .push(format!("{at}.{name}: not in the schema")),
                        }
                    }
                    for required in schema["required"].as_array().into_iter().flatten() {
                        let required = required.as_str().expect("required names are strings");
                        if !object.contains_key(required) {
                            self.problems
                                .push(format!("{at}: required {required} missing"));
                        }
                    }
                }
                // A map: its keys are data, not property names.
                (None, Some(value_schema)) => {
                    let value_location = format!("{location}/additionalProperties");
                    for (key, value) in object {
                        self.value(
                            value_schema,
                            &value_location,
                            value,
                            &format!("{at}[{key:?}]"),
                        );
                    }
                }
                // Free-form data (decoded payloads, evidence fields).
                (None, None) => {}
            }
        }

        /// Whether a branch of `anyOf`/`oneOf` fits `value` by type and `kind` tag.
        fn branch_accepts(&self, branch: &'s Value, value: &Value) -> bool {
            let (branch, _) = self.resolve(branch);
            let type_fits = match branch.get("type") {
                Some(Value::String(t)) => has_type(value, t),
                Some(Value::Array(ts)) => ts
                    .iter()
                    .filter_map(Value::as_str)
                    .any(|t| has_type(value, t)),
                _ => true,
            };
            let tag_fits = match branch.pointer("/properties/kind/const") {
                Some(tag) => value.get("kind") == Some(tag),
                None => true,
            };
            type_fits && tag_fits
        }
    }

    fn has_type(value: &Value, json_type: &str) -> bool {
        match json_type {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            other => panic!("unknown JSON type {other}"),
        }
    }

    /// Every `(location, property)` the schema declares; locations are JSON pointers into it.
    fn declared(schema: &Value, location: &str, out: &mut BTreeSet<(String, String)>) {
        // `if`/`then` restate properties declared elsewhere; walks do not enter them.
        if location.starts_with("/if") || location.starts_with("/then") {
            return;
        }
        match schema {
            Value::Object(object) => {
                if let Some(properties) = object.get("properties").and_then(Value::as_object) {
                    for name in properties.keys() {
                        out.insert((location.to_string(), name.clone()));
                    }
                }
                for (key, child) in object {
                    declared(child, &format!("{location}/{key}"), out);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    declared(item, &format!("{location}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn the_schema_and_the_model_declare_the_same_properties() {
        let schema = schema();
        let mut walk = Walk {
            root: &schema,
            seen: BTreeSet::new(),
            problems: Vec::new(),
        };
        for report in [full_report(), error_report()] {
            let document = serde_json::to_value(&report).expect("serialisable");
            walk.value(&schema, "", &document, "$");
        }
        assert!(walk.problems.is_empty(), "{:#?}", walk.problems);

        let mut declared_properties = BTreeSet::new();
        declared(&schema, "", &mut declared_properties);
        let never_written: Vec<_> = declared_properties.difference(&walk.seen).collect();
        assert!(
            never_written.is_empty(),
            "declared in the schema but not written by the model: {never_written:?}"
        );
    }

    #[test]
    fn the_walk_notices_drift() {
        let schema = schema();
        let mut document = serde_json::to_value(full_report()).expect("serialisable");
        document["banner"]["buttons"][0]["renamed_field"] = Value::Bool(true);
        document["metrics"]["clicks_to_accept"] = Value::String("one".into());
        document["findings"][0]["evidence"][0]["kind"] = Value::String("rumour".into());
        let mut walk = Walk {
            root: &schema,
            seen: BTreeSet::new(),
            problems: Vec::new(),
        };
        walk.value(&schema, "", &document, "$");
        let problems = walk.problems.join("\n");
        assert!(
            problems.contains("$.banner.buttons[0].renamed_field: not in the schema"),
            "{problems}"
        );
        assert!(
            problems.contains("$.metrics.clicks_to_accept"),
            "{problems}"
        );
        assert!(
            problems.contains("$.findings[0].evidence[0]: no branch accepts"),
            "{problems}"
        );
    }

    /// Properties the schema leaves optional must really be optional to the model: a document
    /// stripped of all of them still deserialises.
    #[test]
    fn properties_outside_required_can_be_left_out() {
        fn strip(walk: &Walk, schema: &Value, value: &mut Value) {
            let (schema, _) = walk.resolve(schema);
            if let Some(branches) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
                let branch = branches
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|branch| walk.branch_accepts(branch, value))
                    .expect("a branch accepts the value");
                return strip(walk, branch, value);
            }
            match value {
                Value::Object(object) => {
                    let Some(properties) = schema.get("properties").and_then(Value::as_object)
                    else {
                        return;
                    };
                    let required: Vec<&str> = schema["required"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    object.retain(|name, _| required.contains(&name.as_str()));
                    for (name, child) in object.iter_mut() {
                        strip(walk, &properties[name], child);
                    }
                }
                Value::Array(items) => {
                    if let Some(item_schema) = schema.get("items").filter(|s| s.is_object()) {
                        for item in items {
                            strip(walk, item_schema, item);
                        }
                    }
                }
                _ => {}
            }
        }

        let schema = schema();
        let walk = Walk {
            root: &schema,
            seen: BTreeSet::new(),
            problems: Vec::new(),
        };
        let mut document = serde_json::to_value(full_report()).expect("serialisable");
        strip(&walk, &schema, &mut document);
        assert!(document["banner"].get("annotated_screenshot").is_none());
        assert!(document["provenance"].get("timezone").is_none());
        let report: SiteReport = serde_json::from_value(document)
            .expect("a document with only the required properties deserialises");
        assert_eq!(report.schema_version, SCHEMA_VERSION);
        assert!(report.claims.is_empty());
    }

    #[test]
    fn the_schema_is_draft_2020_12_and_pins_the_version() {
        let schema = schema();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(
            schema["properties"]["schema_version"]["const"],
            SCHEMA_VERSION
        );
    }
}
