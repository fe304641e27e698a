//! A local stand-in for PayPal's REST API, served for real on 127.0.0.1 inside the test
//! process. It checks what PayPal would: OAuth2 client credentials (Basic auth, form body)
//! before any call, the bearer token on every call (a revoked one gets a 401), every request
//! body and documented header against PayPal's OpenAPI schemas (tests/it/openapi.rs), the
//! business rules the schemas cannot say (intent CAPTURE, euros with two decimals, the items
//! adding up to `item_total` and to the amount, a capture only once approved, a refund of at
//! most what is left), and `PayPal-Request-Id` on every create, capture and refund (the same id
//! replays the first answer). It shows an approval page, and sends webhooks that only its
//! verify-webhook-signature endpoint vouches for.

use crate::openapi;
use crate::stand_in::{self, Headers, Served};
use base64::Engine;
use rocket::data::{Data, ToByteUnit};
use rocket::http::Status;
use rocket::response::content::{RawHtml, RawJson};
use rocket::response::Redirect;
use rocket::{get, post, routes, State};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const CLIENT_ID: &str = "AocpizzaLocalClientId";
pub const CLIENT_SECRET: &str = "EocpizzaLocalClientSecret";
pub const WEBHOOK_ID: &str = "0OCP1ZZA2WEBHOOK3";

/// How the stand-in answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Creates answer 500 INTERNAL_SERVER_ERROR.
    Failing,
    /// Captures are declined (422 INSTRUMENT_DECLINED).
    Declining,
    /// The verify-webhook-signature endpoint answers 503.
    VerifyDown,
}

#[derive(Debug, Clone)]
pub struct Call {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Value,
}

#[derive(Default)]
pub struct Inner {
    pub calls: Vec<Call>,
    /// What a real PayPal would have refused, with why: a test asserts there is none.
    pub violations: Vec<String>,
    pub orders: HashMap<String, Value>,
    pub refunds: Vec<Value>,
    /// Tokens issued, and those still valid.
    pub tokens: Vec<String>,
    valid: Vec<String>,
    idempotent: HashMap<String, Value>,
    /// Webhooks sent: transmission id → (event body, signature).
    sent: HashMap<String, (String, String)>,
    /// Every event body sent, in order.
    pub bodies: Vec<String>,
    pub mode: Option<Mode>,
    /// The app's webhook URL: approvals, captures and refunds are told there.
    pub webhook: Option<String>,
    next: u32,
}

pub struct FakePaypal {
    pub base: String,
    pub inner: Shared,
    _served: Served,
}

type Shared = Arc<Mutex<Inner>>;
type Answer = (Status, RawJson<String>);

/// PayPal's error shape: a name, a message, and details with an issue.
fn error(status: Status, name: &str, issue: &str) -> Answer {
    let body = json!({ "name": name, "message": issue, "debug_id": "f00dcafe",
        "details": [{ "issue": issue, "description": issue }] });
    (status, RawJson(body.to_string()))
}

fn answer(status: Status, v: &Value) -> Answer {
    (status, RawJson(v.to_string()))
}

async fn text(body: Data<'_>) -> String {
    body.open(1.mebibytes())
        .into_string()
        .await
        .unwrap()
        .into_inner()
}

fn mode(i: &Inner) -> Mode {
    i.mode.unwrap_or(Mode::Normal)
}

/// Records a call, checks its token, its body against the specification, its content type.
fn record(
    i: &mut Inner,
    path: &str,
    spec_path: Option<&str>,
    h: &Headers,
    raw: &str,
) -> Result<Value, Answer> {
    let body: Value = if raw.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(raw).unwrap_or(Value::Null)
    };
    i.calls.push(Call {
        path: path.into(),
        headers: h.0.clone(),
        body: body.clone(),
    });
    let bearer =
        h.0.get("authorization")
            .and_then(|a| a.strip_prefix("Bearer "))
            .map(str::to_string);
    if !bearer.is_some_and(|t| i.valid.contains(&t)) {
        return Err(error(
            Status::Unauthorized,
            "AUTHENTICATION_FAILURE",
            "invalid_token",
        ));
    }
    if let Some(spec_path) = spec_path {
        if h.0
            .get("content-type")
            .is_none_or(|c| !c.starts_with("application/json"))
        {
            i.violations.push(format!("{path}: not application/json"));
        }
        let problems = openapi::paypal().problems(spec_path, &body, &h.0);
        if !problems.is_empty() {
            i.violations.extend(problems.iter().cloned());
            return Err(error(
                Status::BadRequest,
                "INVALID_REQUEST",
                &problems.join("; "),
            ));
        }
    }
    Ok(body)
}

/// The `PayPal-Request-Id` we send on every create, capture and refund; a known one replays
/// the first answer.
fn request_id(i: &mut Inner, path: &str, h: &Headers) -> Result<String, Answer> {
    let Some(id) = h.0.get("paypal-request-id").cloned() else {
        i.violations
            .push(format!("{path} without PayPal-Request-Id"));
        return Err(error(
            Status::BadRequest,
            "INVALID_REQUEST",
            "PayPal-Request-Id expected",
        ));
    };
    match i.idempotent.get(&format!("{path} {id}")) {
        Some(first) => Err(answer(Status::Ok, first)),
        None => Ok(id),
    }
}

/// "23.50" as cents, EUR taking exactly two decimals (PayPal's DECIMAL_PRECISION).
fn cents(v: &Value) -> Option<i64> {
    let s = v["value"].as_str()?;
    let (units, decimals) = s.split_once('.')?;
    (decimals.len() == 2 && v["currency_code"] == "EUR").then_some(())?;
    Some(units.parse::<i64>().ok()? * 100 + decimals.parse::<i64>().ok()?)
}

/// What the schema cannot say about an order create.
fn order_problems(b: &Value) -> Vec<String> {
    let mut p = Vec::new();
    if b["intent"] != "CAPTURE" {
        p.push("intent must be CAPTURE".to_string());
    }
    let unit = &b["purchase_units"][0];
    let amount = cents(&unit["amount"]);
    let item_total = cents(&unit["amount"]["breakdown"]["item_total"]);
    let items: Option<i64> = unit["items"].as_array().and_then(|items| {
        items
            .iter()
            .map(|it| {
                Some(cents(&it["unit_amount"])? * it["quantity"].as_str()?.parse::<i64>().ok()?)
            })
            .sum()
    });
    if amount.is_none() || amount != item_total || item_total != items {
        p.push(format!(
            "amounts do not add up: {amount:?} / item_total {item_total:?} / items {items:?}"
        ));
    }
    let ctx = &b["payment_source"]["paypal"]["experience_context"];
    for url in ["return_url", "cancel_url"] {
        if !ctx[url].as_str().is_some_and(|u| u.starts_with("http")) {
            p.push(format!("{url} missing"));
        }
    }
    if unit["custom_id"].as_str().is_none_or(str::is_empty) {
        p.push("custom_id (our reference) missing".into());
    }
    p
}

#[post("/v1/oauth2/token", data = "<body>")]
async fn token(h: Headers, body: Data<'_>, state: &State<(Shared, String)>) -> Answer {
    let body = text(body).await;
    let mut i = state.0.lock().unwrap();
    i.calls.push(Call {
        path: "/v1/oauth2/token".into(),
        headers: h.0.clone(),
        body: Value::Null,
    });
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    if h.0.get("authorization") != Some(&format!("Basic {basic}")) {
        return answer(
            Status::Unauthorized,
            &json!({"error": "invalid_client", "error_description": "Client Authentication failed"}),
        );
    }
    if body != "grant_type=client_credentials"
        || h.0.get("content-type").map(String::as_str) != Some("application/x-www-form-urlencoded")
    {
        i.violations.push(format!("token asked with {body:?}"));
        return answer(
            Status::BadRequest,
            &json!({"error": "unsupported_grant_type"}),
        );
    }
    let t = format!("A21AA{}ocpizza", i.tokens.len() + 1);
    i.tokens.push(t.clone());
    i.valid.push(t.clone());
    answer(
        Status::Ok,
        &json!({"scope": "https://uri.paypal.com/services/payments/payment", "access_token": t,
        "token_type": "Bearer", "app_id": "APP-80W284485P519543T", "expires_in": 32400, "nonce": "2026-12-03T00:00:00Z"}),
    )
}

fn new_order(i: &mut Inner, b: &Value, base: &str) -> Value {
    i.next += 1;
    let id = format!("5O19{:04}TN3647", i.next);
    let mut unit = b["purchase_units"][0].clone();
    unit["reference_id"] = unit
        .get("reference_id")
        .cloned()
        .unwrap_or(json!("default"));
    json!({ "id": id, "intent": "CAPTURE", "status": "PAYER_ACTION_REQUIRED",
        "payment_source": { "paypal": {} }, "purchase_units": [unit],
        "create_time": chrono::Utc::now().to_rfc3339(),
        "experience_context": b["payment_source"]["paypal"]["experience_context"],
        "links": [
            { "href": format!("{base}/v2/checkout/orders/{id}"), "rel": "self", "method": "GET" },
            { "href": format!("{base}/checkoutnow?token={id}"), "rel": "payer-action", "method": "GET" } ] })
}

#[post("/v2/checkout/orders", data = "<body>")]
async fn create_order(h: Headers, body: Data<'_>, state: &State<(Shared, String)>) -> Answer {
    let raw = text(body).await;
    let mut i = state.0.lock().unwrap();
    let path = "/v2/checkout/orders";
    let b = match record(&mut i, path, Some(path), &h, &raw) {
        Ok(b) => b,
        Err(a) => return a,
    };
    let id = match request_id(&mut i, path, &h) {
        Ok(id) => id,
        Err(a) => return a,
    };
    if mode(&i) == Mode::Failing {
        return error(
            Status::InternalServerError,
            "INTERNAL_SERVER_ERROR",
            "INTERNAL_SERVICE_ERROR",
        );
    }
    let problems = order_problems(&b);
    if !problems.is_empty() {
        i.violations.extend(problems.iter().cloned());
        return error(
            Status::UnprocessableEntity,
            "UNPROCESSABLE_ENTITY",
            &problems.join("; "),
        );
    }
    let order = new_order(&mut i, &b, &state.1);
    i.orders
        .insert(order["id"].as_str().unwrap().to_string(), order.clone());
    i.idempotent.insert(format!("{path} {id}"), order.clone());
    answer(Status::Created, &public(&order))
}

/// An order as the API shows it (without what the stand-in keeps for itself).
fn public(order: &Value) -> Value {
    let mut o = order.clone();
    o.as_object_mut().unwrap().remove("experience_context");
    o
}

#[get("/v2/checkout/orders/<id>")]
fn get_order(id: &str, h: Headers, state: &State<(Shared, String)>) -> Answer {
    let mut i = state.0.lock().unwrap();
    if let Err(a) = record(&mut i, &format!("/v2/checkout/orders/{id}"), None, &h, "") {
        return a;
    }
    match i.orders.get(id) {
        Some(o) => answer(Status::Ok, &public(o)),
        None => error(
            Status::NotFound,
            "RESOURCE_NOT_FOUND",
            "INVALID_RESOURCE_ID",
        ),
    }
}

/// Captures an approved order: its capture, or PayPal's refusal.
fn take(order: &mut Value, id: &str, n: u32, declining: bool) -> Result<Value, Answer> {
    match order["status"].as_str() {
        Some("COMPLETED") => {
            return Err(error(
                Status::UnprocessableEntity,
                "UNPROCESSABLE_ENTITY",
                "ORDER_ALREADY_CAPTURED",
            ))
        }
        Some("APPROVED") => {}
        _ => {
            return Err(error(
                Status::UnprocessableEntity,
                "UNPROCESSABLE_ENTITY",
                "ORDER_NOT_APPROVED",
            ))
        }
    }
    if declining {
        return Err(error(
            Status::UnprocessableEntity,
            "UNPROCESSABLE_ENTITY",
            "INSTRUMENT_DECLINED",
        ));
    }
    let unit = &order["purchase_units"][0];
    let taken = json!({ "id": format!("3C6{n:04}CAPTURE{id}"), "status": "COMPLETED", "amount": unit["amount"].clone(),
        "custom_id": unit["custom_id"], "invoice_id": unit["invoice_id"], "final_capture": true,
        "supplementary_data": { "related_ids": { "order_id": id } },
        "create_time": chrono::Utc::now().to_rfc3339() });
    order["status"] = json!("COMPLETED");
    order["purchase_units"][0]["payments"] = json!({ "captures": [taken.clone()] });
    Ok(taken)
}

#[post("/v2/checkout/orders/<id>/capture", data = "<body>")]
async fn capture(id: &str, h: Headers, body: Data<'_>, state: &State<(Shared, String)>) -> Answer {
    let raw = text(body).await;
    let path = format!("/v2/checkout/orders/{id}/capture");
    let (reply, webhook) = {
        let mut i = state.0.lock().unwrap();
        if let Err(a) = record(
            &mut i,
            &path,
            Some("/v2/checkout/orders/{id}/capture"),
            &h,
            &raw,
        ) {
            return a;
        }
        let key = match request_id(&mut i, &path, &h) {
            Ok(key) => key,
            Err(a) => return a,
        };
        let declining = mode(&i) == Mode::Declining;
        let n = i.next;
        let Some(order) = i.orders.get_mut(id) else {
            return error(
                Status::NotFound,
                "RESOURCE_NOT_FOUND",
                "INVALID_RESOURCE_ID",
            );
        };
        let taken = match take(order, id, n, declining) {
            Ok(taken) => taken,
            Err(a) => return a,
        };
        let reply = public(order);
        i.idempotent.insert(format!("{path} {key}"), reply.clone());
        (reply, i.webhook.clone().map(|url| (url, taken)))
    };
    if let Some((url, taken)) = webhook {
        let fake = FakeRef(state.0.clone());
        tokio::spawn(async move {
            fake.notify(&url, "PAYMENT.CAPTURE.COMPLETED", "capture", &taken)
                .await
        });
    }
    answer(Status::Created, &reply)
}

#[post("/v2/payments/captures/<id>/refund", data = "<body>")]
async fn refund(id: &str, h: Headers, body: Data<'_>, state: &State<(Shared, String)>) -> Answer {
    let raw = text(body).await;
    let path = format!("/v2/payments/captures/{id}/refund");
    let mut i = state.0.lock().unwrap();
    let b = match record(
        &mut i,
        &path,
        Some("/v2/payments/captures/{capture_id}/refund"),
        &h,
        &raw,
    ) {
        Ok(b) => b,
        Err(a) => return a,
    };
    let key = match request_id(&mut i, &path, &h) {
        Ok(key) => key,
        Err(a) => return a,
    };
    let captured = i
        .orders
        .values()
        .map(|o| &o["purchase_units"][0]["payments"]["captures"][0])
        .find(|c| c["id"] == id)
        .and_then(|c| cents(&c["amount"]));
    let given: i64 = i
        .refunds
        .iter()
        .filter(|r| r["capture"] == id)
        .filter_map(|r| cents(&r["amount"]))
        .sum();
    let asked = cents(&b["amount"]);
    let Some(captured) = captured else {
        i.violations.push(format!("refund of unknown capture {id}"));
        return error(
            Status::NotFound,
            "RESOURCE_NOT_FOUND",
            "INVALID_RESOURCE_ID",
        );
    };
    if asked.is_none_or(|a| a < 1 || given + a > captured) {
        i.violations.push(format!(
            "refund of {asked:?} over {captured} (already {given})"
        ));
        return error(
            Status::UnprocessableEntity,
            "UNPROCESSABLE_ENTITY",
            "REFUND_AMOUNT_EXCEEDED",
        );
    }
    let r = json!({ "id": format!("1JU{:04}REFUND", i.refunds.len() + 1), "status": "COMPLETED", "amount": b["amount"],
        "custom_id": b["custom_id"], "capture": id, "create_time": chrono::Utc::now().to_rfc3339() });
    i.refunds.push(r.clone());
    let mut shown = r.clone();
    shown.as_object_mut().unwrap().remove("capture");
    i.idempotent.insert(format!("{path} {key}"), shown.clone());
    answer(Status::Created, &shown)
}

#[post("/v1/notifications/verify-webhook-signature", data = "<body>")]
async fn verify(h: Headers, body: Data<'_>, state: &State<(Shared, String)>) -> Answer {
    let raw = text(body).await;
    let mut i = state.0.lock().unwrap();
    let path = "/v1/notifications/verify-webhook-signature";
    let b = match record(&mut i, path, Some(path), &h, &raw) {
        Ok(b) => b,
        Err(a) => return a,
    };
    if mode(&i) == Mode::VerifyDown {
        return error(
            Status::ServiceUnavailable,
            "SERVICE_UNAVAILABLE",
            "SERVICE_UNAVAILABLE",
        );
    }
    let sent = i
        .sent
        .get(b["transmission_id"].as_str().unwrap_or_default())
        .cloned();
    let genuine = sent.is_some_and(|(event, sig)| {
        // The event must come back exactly as it was sent: its bytes are what PayPal signed.
        b["webhook_id"] == WEBHOOK_ID && b["transmission_sig"] == json!(sig) && raw.contains(&event)
    });
    answer(
        Status::Ok,
        &json!({ "verification_status": if genuine { "SUCCESS" } else { "FAILURE" } }),
    )
}

/// The approval page: the payer approves, or goes back.
#[get("/checkoutnow?<token>")]
fn approval_page(token: &str, state: &State<(Shared, String)>) -> Option<RawHtml<String>> {
    let i = state.0.lock().unwrap();
    let o = i.orders.get(token)?;
    let amount = o["purchase_units"][0]["amount"]["value"]
        .as_str()?
        .replace('.', ",");
    let cancel = o["experience_context"]["cancel_url"].as_str()?;
    Some(RawHtml(format!(
        r#"<!doctype html><html lang="fr"><head><meta name="viewport" content="width=device-width"><title>PayPal (test)</title></head>
<body><h1>Payer {amount} € avec PayPal</h1><form method="post" action="/checkoutnow/{token}"><button id="approve" type="submit">Approuver</button></form>
<a id="back" href="{cancel}">Annuler et retourner sur le site</a></body></html>"#
    )))
}

#[post("/checkoutnow/<token>")]
async fn approve_page(token: &str, state: &State<(Shared, String)>) -> Option<Redirect> {
    let fake = FakeRef(state.0.clone());
    fake.approve_and_notify(token).await;
    Some(Redirect::to(fake.return_url(token)))
}

/// The stand-in's state, as its routes and the tests reach it.
#[derive(Clone)]
pub struct FakeRef(pub Shared);

impl FakeRef {
    /// The payer approves the order (no webhook sent).
    pub fn approve(&self, id: &str) -> Value {
        let mut i = self.0.lock().unwrap();
        let o = i.orders.get_mut(id).expect("order");
        o["status"] = json!("APPROVED");
        o["payer"] = json!({ "payer_id": "QYR5Z8XDVJNXQ", "email_address": "client@example.fr" });
        public(o)
    }

    /// Where PayPal sends the payer back after approving: the return URL with its token.
    pub fn return_url(&self, id: &str) -> String {
        let i = self.0.lock().unwrap();
        let url = i.orders[id]["experience_context"]["return_url"]
            .as_str()
            .unwrap()
            .to_string();
        format!("{url}&token={id}&PayerID=QYR5Z8XDVJNXQ")
    }

    /// The payer approves and PayPal sends `CHECKOUT.ORDER.APPROVED` (if a webhook is set).
    pub async fn approve_and_notify(&self, id: &str) -> u16 {
        let order = self.approve(id);
        let url = self.0.lock().unwrap().webhook.clone();
        match url {
            Some(url) => {
                self.notify(&url, "CHECKOUT.ORDER.APPROVED", "checkout-order", &order)
                    .await
                    .0
            }
            None => 0,
        }
    }

    /// Sends an event about `resource` to `url`, with transmission headers only this
    /// stand-in's verify endpoint vouches for.
    pub async fn notify(
        &self,
        url: &str,
        kind: &str,
        resource_type: &str,
        resource: &Value,
    ) -> (u16, String) {
        let body = event(kind, resource_type, resource);
        let t = self.transmission(&body);
        deliver(url, &body, &t).await
    }

    /// Signs an event body as sent now: its transmission headers.
    pub fn transmission(&self, body: &str) -> Vec<(&'static str, String)> {
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = format!("b2384410-{n:04}-11ef-ocp");
        let sig =
            base64::engine::general_purpose::STANDARD.encode(format!("sig-{n}-{}", body.len()));
        let mut i = self.0.lock().unwrap();
        i.sent.insert(id.clone(), (body.to_string(), sig.clone()));
        i.bodies.push(body.to_string());
        drop(i);
        vec![
            ("PAYPAL-TRANSMISSION-ID", id),
            (
                "PAYPAL-TRANSMISSION-TIME",
                chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            ),
            ("PAYPAL-TRANSMISSION-SIG", sig),
            (
                "PAYPAL-CERT-URL",
                "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-ocp".into(),
            ),
            ("PAYPAL-AUTH-ALGO", "SHA256withRSA".into()),
        ]
    }
}

/// A PayPal webhook event of `kind` about `resource`, as PayPal sends it.
pub fn event(kind: &str, resource_type: &str, resource: &Value) -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    json!({ "id": format!("WH-{n:04}OCP-5HW61851TG1024456"), "event_version": "1.0",
        "create_time": chrono::Utc::now().to_rfc3339(), "resource_type": resource_type,
        "resource_version": "2.0", "event_type": kind, "summary": kind, "resource": resource,
        "links": [] })
    .to_string()
}

/// Posts an event with the given transmission headers.
pub async fn deliver(url: &str, body: &str, headers: &[(&str, String)]) -> (u16, String) {
    stand_in::post_webhook(url, body.as_bytes(), headers).await
}

impl FakePaypal {
    pub async fn start() -> FakePaypal {
        let inner: Shared = Arc::default();
        let shared = inner.clone();
        let served = stand_in::serve(
            move |base| (shared, base),
            routes![
                token,
                create_order,
                get_order,
                capture,
                refund,
                verify,
                approval_page,
                approve_page
            ],
        )
        .await;
        FakePaypal {
            base: served.base.clone(),
            inner,
            _served: served,
        }
    }

    pub fn handle(&self) -> FakeRef {
        FakeRef(self.inner.clone())
    }

    pub fn set_mode(&self, mode: Mode) {
        self.inner.lock().unwrap().mode = Some(mode);
    }

    /// Every token issued stops working (expired early, or revoked).
    pub fn revoke_tokens(&self) {
        self.inner.lock().unwrap().valid.clear();
    }

    pub fn calls(&self, path: &str) -> Vec<Call> {
        self.inner
            .lock()
            .unwrap()
            .calls
            .iter()
            .filter(|c| c.path == path)
            .cloned()
            .collect()
    }

    pub fn violations(&self) -> Vec<String> {
        self.inner.lock().unwrap().violations.clone()
    }

    pub fn order(&self, id: &str) -> Value {
        self.inner.lock().unwrap().orders[id].clone()
    }

    /// The app's settings that point PayPal at this stand-in.
    pub fn settings(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("payments.paypal.client_id", json!(CLIENT_ID)),
            ("payments.paypal.client_secret", json!(CLIENT_SECRET)),
            ("payments.paypal.webhook_id", json!(WEBHOOK_ID)),
            ("payments.paypal.api_base", json!(self.base)),
            ("payments.paypal.checkout_origin", json!(self.base)),
            ("payments.poll_s", json!(1)),
            ("payments.timeout_s", json!(2)),
        ]
    }
}
