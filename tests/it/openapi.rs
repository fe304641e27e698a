//! Requests checked against a provider's published OpenAPI schemas: the subset of PayPal's
//! specification (tests/fixtures/paypal, Apache-2.0) that the requests we send use. What is
//! checked: types, required and unknown properties (PayPal ignores a misspelt field; we want to
//! know), read-only and deprecated properties, enums, string lengths and patterns, array sizes,
//! and the documented request headers' lengths.

use fancy_regex::Regex;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

pub struct Spec {
    doc: Value,
}

pub fn paypal() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec {
        doc: serde_json::from_str(include_str!("../fixtures/paypal/openapi-subset.json"))
            .expect("the vendored specification parses"),
    })
}

impl Spec {
    /// What is wrong with a request body and its headers for the operation at `path` (POST).
    pub fn problems(
        &self,
        path: &str,
        body: &Value,
        headers: &HashMap<String, String>,
    ) -> Vec<String> {
        let Some(op) = self.doc["operations"].get(path) else {
            return vec![format!("{path}: no such operation in the specification")];
        };
        let mut out = Vec::new();
        let root = serde_json::json!({ "$ref": op["body"] });
        self.check(&root, body, "body", &mut out);
        for (name, schema) in op["headers"].as_object().into_iter().flatten() {
            if let Some(v) = headers.get(&name.to_ascii_lowercase()) {
                self.check(schema, &Value::String(v.clone()), name, &mut out);
            }
        }
        out.into_iter().map(|p| format!("{path}: {p}")).collect()
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => self.resolve(&self.doc["schemas"][r.trim_start_matches("#/")]),
            None => schema,
        }
    }

    /// The properties a schema declares, through its references and `allOf`.
    fn properties<'a>(&'a self, schema: &'a Value, into: &mut HashMap<&'a str, &'a Value>) {
        let s = self.resolve(schema);
        for (k, v) in s["properties"].as_object().into_iter().flatten() {
            into.insert(k.as_str(), v);
        }
        for part in s["allOf"].as_array().into_iter().flatten() {
            self.properties(part, into);
        }
    }

    fn check(&self, schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
        if schema.get("$ref").is_some() {
            self.check(self.resolve(schema), v, at, out);
        }
        for part in schema["allOf"].as_array().into_iter().flatten() {
            self.check_but_properties(part, v, at, out);
        }
        // The event a verify-webhook-signature request carries is PayPal's own, echoed back:
        // what PayPal writes and what it deprecates are for it to send.
        let echoed = at.starts_with("body.webhook_event");
        if schema["deprecated"] == Value::Bool(true) && !echoed {
            out.push(format!("{at} is deprecated"));
        }
        if schema["readOnly"] == Value::Bool(true) && !echoed {
            out.push(format!("{at} is read-only"));
        }
        if let Some(t) = schema["type"].as_str() {
            if !is_type(v, t) {
                return out.push(format!("{at} is not of type {t}: {v}"));
            }
        }
        if let Some(allowed) = schema["enum"].as_array() {
            if !allowed.contains(v) {
                out.push(format!("{at} = {v} is not one of {allowed:?}"));
            }
        }
        match v {
            Value::String(s) => string(schema, s, at, out),
            Value::Array(items) => self.array(schema, items, at, out),
            Value::Object(_) if schema.get("$ref").is_none() => self.object(schema, v, at, out),
            _ => {}
        }
    }

    /// An `allOf` part: its own keywords, the properties being judged by the whole.
    fn check_but_properties(&self, part: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
        required(self.resolve(part), v, at, out);
    }

    fn object(&self, schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
        let mut known = HashMap::new();
        self.properties(schema, &mut known);
        required(schema, v, at, out);
        let open = schema
            .get("additionalProperties")
            .is_some_and(|a| a != &Value::Bool(false));
        for (k, x) in v.as_object().into_iter().flatten() {
            match known.get(k.as_str()) {
                Some(s) => self.check(s, x, &format!("{at}.{k}"), out),
                None if open => {}
                None => out.push(format!("{at}.{k} is not in the specification")),
            }
        }
    }

    fn array(&self, schema: &Value, items: &[Value], at: &str, out: &mut Vec<String>) {
        let n = items.len() as u64;
        if schema["minItems"].as_u64().is_some_and(|m| n < m)
            || schema["maxItems"].as_u64().is_some_and(|m| n > m)
        {
            out.push(format!("{at} has {n} items"));
        }
        if let Some(s) = schema.get("items") {
            for (i, x) in items.iter().enumerate() {
                self.check(s, x, &format!("{at}[{i}]"), out);
            }
        }
    }
}

fn required(schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    let names = schema["required"].as_array().into_iter().flatten();
    for name in names.filter_map(Value::as_str) {
        if v.get(name).is_none() {
            out.push(format!("{at}.{name} is required"));
        }
    }
}

fn is_type(v: &Value, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        _ => true,
    }
}

fn string(schema: &Value, s: &str, at: &str, out: &mut Vec<String>) {
    let n = s.chars().count() as u64;
    if schema["minLength"].as_u64().is_some_and(|m| n < m)
        || schema["maxLength"].as_u64().is_some_and(|m| n > m)
    {
        out.push(format!("{at} = {s:?} has a length of {n} out of bounds"));
    }
    if let Some(p) = schema["pattern"].as_str() {
        let matches = Regex::new(p)
            .expect("the specification's pattern compiles")
            .is_match(s);
        if !matches.unwrap_or(false) {
            out.push(format!("{at} = {s:?} does not match {p}"));
        }
    }
}

#[test]
fn the_checker_finds_what_paypal_would_refuse() {
    let spec = paypal();
    let good = serde_json::json!({"intent": "CAPTURE", "purchase_units": [{"amount": {"currency_code": "EUR", "value": "23.00"}}]});
    assert_eq!(
        spec.problems("/v2/checkout/orders", &good, &HashMap::new()),
        Vec::<String>::new()
    );
    let bad = serde_json::json!({"intent": "BUY", "purchase_units": [{"amount": {"currency_code": "EUR", "value": "23,00"}, "descripton": "x"}]});
    let headers = HashMap::from([("paypal-request-id".to_string(), "x".repeat(109))]);
    let found = spec.problems("/v2/checkout/orders", &bad, &headers);
    for expected in [
        "intent = \"BUY\"",
        "value = \"23,00\" does not match",
        "descripton is not in the specification",
        "PayPal-Request-Id",
    ] {
        assert!(
            found.iter().any(|p| p.contains(expected)),
            "{expected} in {found:?}"
        );
    }
    let missing = spec.problems(
        "/v2/checkout/orders",
        &serde_json::json!({"purchase_units": []}),
        &HashMap::new(),
    );
    assert!(
        missing
            .iter()
            .any(|p| p.contains("body.intent is required")),
        "{missing:?}"
    );
    assert!(
        missing
            .iter()
            .any(|p| p.contains("purchase_units has 0 items")),
        "{missing:?}"
    );
}
