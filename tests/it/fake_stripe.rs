//! A local stand-in for Stripe's API, served for real on 127.0.0.1 inside the test process. It
//! checks what Stripe would (per its API reference): the method and path, `Authorization:
//! Bearer <secret key>`, the `Stripe-Version` header, an `Idempotency-Key` on every create
//! (the same key with other parameters is refused, the same key again replays the first
//! answer), and every field a Checkout Session needs (mode, return URLs, line items in EUR
//! integer cents, an expiry between 30 minutes and 24 hours). It answers with the documented
//! shapes, shows a hosted payment page, and sends webhooks signed with the test secret.

use crate::stand_in::{self, Headers, Served};
use ocpizza::payments::stripe::sign;
use rocket::data::{Data, ToByteUnit};
use rocket::http::Status;
use rocket::response::content::{RawHtml, RawJson};
use rocket::response::Redirect;
use rocket::{get, post, routes, State};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const SECRET_KEY: &str = "sk_test_ocpizza_local";
pub const WEBHOOK_SECRET: &str = "whsec_test_ocpizza_local";

/// How the stand-in answers a create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// 500 with an `api_error`.
    Failing,
    /// Answers only after this long (past the app's timeout).
    Slow(Duration),
    /// Sends `checkout.session.completed` for the new session before answering the create:
    /// the webhook outruns the create's reply.
    PaidBeforeReply,
}

#[derive(Debug, Clone)]
pub struct Call {
    #[allow(dead_code)]
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub form: Vec<(String, String)>,
}

impl Call {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
pub struct Inner {
    pub calls: Vec<Call>,
    /// What a real Stripe would have refused, with why: a test asserts there is none.
    pub violations: Vec<String>,
    pub sessions: HashMap<String, Value>,
    pub refunds: Vec<Value>,
    idempotent: HashMap<String, (String, Value)>,
    pub mode: Option<Mode>,
    /// The app's webhook URL.
    pub webhook: Option<String>,
    /// Payments settle later (a bank transfer): the page completes unpaid, and
    /// `settle_async` sends `checkout.session.async_payment_succeeded`.
    pub async_payments: bool,
    next: u32,
}

pub struct FakeStripe {
    pub base: String,
    pub inner: Arc<Mutex<Inner>>,
    _served: Served,
}

type Shared = Arc<Mutex<Inner>>;

fn error(status: Status, kind: &str, message: &str) -> (Status, RawJson<String>) {
    let body = json!({ "error": { "type": kind, "message": message } });
    (status, RawJson(body.to_string()))
}

fn ok(v: &Value) -> (Status, RawJson<String>) {
    (Status::Ok, RawJson(v.to_string()))
}

/// Records the call and checks what every call must carry.
fn record(inner: &mut Inner, method: &str, path: &str, h: &Headers, body: &str) -> Call {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let call = Call {
        method: method.into(),
        path: path.into(),
        headers: h.0.clone(),
        form,
    };
    if h.0.get("authorization").map(String::as_str) != Some(&format!("Bearer {SECRET_KEY}")) {
        inner
            .violations
            .push(format!("{method} {path}: no or wrong Authorization"));
    }
    if h.0.get("stripe-version").is_none_or(|v| v.is_empty()) {
        inner
            .violations
            .push(format!("{method} {path}: no Stripe-Version"));
    }
    if method == "POST"
        && !body.is_empty()
        && h.0.get("content-type").map(String::as_str) != Some("application/x-www-form-urlencoded")
    {
        inner
            .violations
            .push(format!("{method} {path}: not form-encoded"));
    }
    inner.calls.push(call.clone());
    call
}

/// What a Checkout Session create must hold, per Stripe's reference.
fn session_problems(c: &Call, now: i64) -> Vec<String> {
    let mut p = Vec::new();
    if c.field("mode") != Some("payment") {
        p.push("mode must be payment".to_string());
    }
    match c.field("success_url") {
        Some(u) if u.contains("{CHECKOUT_SESSION_ID}") && u.starts_with("http") => {}
        other => p.push(format!("success_url {other:?}")),
    }
    if !c.field("cancel_url").is_some_and(|u| u.starts_with("http")) {
        p.push("cancel_url missing".into());
    }
    if c.field("client_reference_id")
        .is_none_or(|r| r.is_empty() || r.len() > 200)
    {
        p.push("client_reference_id missing".into());
    }
    match c.field("expires_at").and_then(|t| t.parse::<i64>().ok()) {
        Some(t) if t >= now + 1800 - 5 && t <= now + 86_400 => {}
        other => p.push(format!(
            "expires_at {other:?} not within 30 minutes to 24 hours"
        )),
    }
    let items = line_items(c);
    if items.is_empty() {
        p.push("no line_items".into());
    }
    for (i, (name, currency, unit, qty)) in items.iter().enumerate() {
        if currency != "eur" || name.is_empty() || *unit < 0 || *qty < 1 {
            p.push(format!(
                "line_items[{i}] invalid: {name:?} {currency} {unit} {qty}"
            ));
        }
    }
    p
}

/// (name, currency, unit_amount, quantity) of each line item; unit_amount must be an integer.
pub fn line_items(c: &Call) -> Vec<(String, String, i64, i64)> {
    (0..)
        .map_while(|i| {
            let f = |k: &str| c.field(&format!("line_items[{i}]{k}")).map(str::to_string);
            let qty = f("[quantity]")?;
            Some((
                f("[price_data][product_data][name]").unwrap_or_default(),
                f("[price_data][currency]").unwrap_or_default(),
                f("[price_data][unit_amount]")
                    .and_then(|u| u.parse().ok())
                    .unwrap_or(-1),
                qty.parse().unwrap_or(0),
            ))
        })
        .collect()
}

fn new_session(inner: &mut Inner, c: &Call, base: &str) -> Value {
    inner.next += 1;
    let id = format!("cs_test_{:04}{}", inner.next, "a1B2c3D4");
    let total: i64 = line_items(c).iter().map(|(_, _, u, q)| u * q).sum();
    json!({
        "id": id, "object": "checkout.session", "mode": "payment",
        "url": format!("{base}/c/pay/{id}"),
        "status": "open", "payment_status": "unpaid", "payment_intent": null,
        "amount_total": total, "currency": "eur",
        "client_reference_id": c.field("client_reference_id"),
        "customer_email": c.field("customer_email"),
        "success_url": c.field("success_url"), "cancel_url": c.field("cancel_url"),
        "metadata": { "attempt": c.field("metadata[attempt]"), "order": c.field("metadata[order]") },
        "expires_at": c.field("expires_at").and_then(|t| t.parse::<i64>().ok()),
    })
}

type Answer = (Status, RawJson<String>);

async fn text(body: Data<'_>) -> String {
    body.open(64.kibibytes())
        .into_string()
        .await
        .unwrap()
        .into_inner()
}

/// A create's `Idempotency-Key`: required; the same key again replays the first answer, with
/// other parameters it is refused (as Stripe does).
fn idempotency(i: &mut Inner, h: &Headers, body: &str) -> Result<String, Answer> {
    let Some(key) = h.0.get("idempotency-key").cloned() else {
        i.violations.push("create without Idempotency-Key".into());
        return Err(error(
            Status::BadRequest,
            "invalid_request_error",
            "Idempotency-Key required here",
        ));
    };
    match i.idempotent.get(&key).cloned() {
        Some((sent, answer)) if sent == body => Err(ok(&answer)),
        Some(_) => {
            i.violations
                .push(format!("key {key} reused with other parameters"));
            Err(error(Status::BadRequest, "idempotency_error", "Keys for idempotent requests can only be used with the same parameters they were first used with."))
        }
        None => Ok(key),
    }
}

/// A refund must be of a payment we know, for at most what is left of it.
fn refundable(i: &mut Inner, pi: &str, amount: i64) -> Result<(), Answer> {
    let paid = i
        .sessions
        .values()
        .find(|s| s["payment_intent"] == json!(pi))
        .map(|s| s["amount_total"].as_i64().unwrap());
    let refunded: i64 = i
        .refunds
        .iter()
        .filter(|r| r["payment_intent"] == json!(pi))
        .map(|r| r["amount"].as_i64().unwrap())
        .sum();
    match paid {
        None => {
            i.violations
                .push(format!("refund of unknown payment intent {pi:?}"));
            Err(error(
                Status::NotFound,
                "invalid_request_error",
                "No such payment_intent",
            ))
        }
        Some(p) if amount < 1 || refunded + amount > p => {
            i.violations
                .push(format!("refund of {amount} over {p} (already {refunded})"));
            Err(error(
                Status::BadRequest,
                "invalid_request_error",
                "Refund amount is greater than unrefunded amount",
            ))
        }
        Some(_) => Ok(()),
    }
}

#[post("/v1/checkout/sessions", data = "<body>")]
async fn create_session(
    h: Headers,
    body: Data<'_>,
    state: &State<(Shared, String)>,
) -> (Status, RawJson<String>) {
    let body = text(body).await;
    let (inner, base) = (&state.0, &state.1);
    let (mode, call) = {
        let mut i = inner.lock().unwrap();
        let call = record(&mut i, "POST", "/v1/checkout/sessions", &h, &body);
        (i.mode.unwrap_or(Mode::Normal), call)
    };
    if let Mode::Slow(d) = mode {
        // The client may give up meanwhile: then nothing is created.
        tokio::time::sleep(d).await;
    }
    let (answer, webhook) = {
        let mut i = inner.lock().unwrap();
        let key = match idempotency(&mut i, &h, &body) {
            Ok(key) => key,
            Err(answer) => return answer,
        };
        if mode == Mode::Failing {
            return error(
                Status::InternalServerError,
                "api_error",
                "Something went wrong on Stripe's end.",
            );
        }
        let problems = session_problems(&call, chrono::Utc::now().timestamp());
        if !problems.is_empty() {
            i.violations.extend(problems.iter().cloned());
            return error(
                Status::BadRequest,
                "invalid_request_error",
                &problems.join("; "),
            );
        }
        let session = new_session(&mut i, &call, base);
        i.sessions
            .insert(session["id"].as_str().unwrap().to_string(), session.clone());
        i.idempotent.insert(key, (body, session.clone()));
        let webhook =
            (mode == Mode::PaidBeforeReply).then(|| session["id"].as_str().unwrap().to_string());
        (session, webhook)
    };
    if let Some(id) = webhook {
        let fake = FakeRef(inner.clone());
        let status = fake.pay_and_notify(&id).await;
        assert_eq!(status, 200, "the early webhook is taken");
    }
    ok(&answer)
}

#[get("/v1/checkout/sessions/<id>")]
fn get_session(id: &str, h: Headers, state: &State<(Shared, String)>) -> (Status, RawJson<String>) {
    let mut i = state.0.lock().unwrap();
    record(
        &mut i,
        "GET",
        &format!("/v1/checkout/sessions/{id}"),
        &h,
        "",
    );
    match i.sessions.get(id) {
        Some(s) => ok(s),
        None => error(
            Status::NotFound,
            "invalid_request_error",
            "No such checkout.session",
        ),
    }
}

#[post("/v1/checkout/sessions/<id>/expire", data = "<body>")]
async fn expire_session(
    id: &str,
    h: Headers,
    body: Data<'_>,
    state: &State<(Shared, String)>,
) -> (Status, RawJson<String>) {
    let body = text(body).await;
    let mut i = state.0.lock().unwrap();
    record(
        &mut i,
        "POST",
        &format!("/v1/checkout/sessions/{id}/expire"),
        &h,
        &body,
    );
    let Some(s) = i.sessions.get_mut(id) else {
        return error(
            Status::NotFound,
            "invalid_request_error",
            "No such checkout.session",
        );
    };
    if s["status"] != "open" {
        return error(
            Status::BadRequest,
            "invalid_request_error",
            "Only Checkout Sessions with a status in [\"open\"] can be expired.",
        );
    }
    s["status"] = json!("expired");
    let s = s.clone();
    ok(&s)
}

#[post("/v1/refunds", data = "<body>")]
async fn create_refund(
    h: Headers,
    body: Data<'_>,
    state: &State<(Shared, String)>,
) -> (Status, RawJson<String>) {
    let body = text(body).await;
    let mut i = state.0.lock().unwrap();
    let call = record(&mut i, "POST", "/v1/refunds", &h, &body);
    let key = match idempotency(&mut i, &h, &body) {
        Ok(key) => key,
        Err(answer) => return answer,
    };
    let pi = call.field("payment_intent").unwrap_or_default().to_string();
    let amount: i64 = call
        .field("amount")
        .and_then(|a| a.parse().ok())
        .unwrap_or(-1);
    if let Err(answer) = refundable(&mut i, &pi, amount) {
        return answer;
    }
    let refund = json!({ "id": format!("re_test_{}", i.refunds.len() + 1), "object": "refund", "amount": amount,
        "currency": "eur", "payment_intent": pi, "status": "succeeded",
        "metadata": { "refund": call.field("metadata[refund]") } });
    i.refunds.push(refund.clone());
    i.idempotent.insert(key, (body, refund.clone()));
    ok(&refund)
}

/// The hosted page: the customer pays, or goes back.
#[get("/c/pay/<id>")]
fn hosted_page(id: &str, state: &State<(Shared, String)>) -> Option<RawHtml<String>> {
    let i = state.0.lock().unwrap();
    let s = i.sessions.get(id)?;
    let euros = format!(
        "{},{:02} €",
        s["amount_total"].as_i64()? / 100,
        s["amount_total"].as_i64()? % 100
    );
    Some(RawHtml(format!(
        r#"<!doctype html><html lang="fr"><head><meta name="viewport" content="width=device-width"><title>Stripe Checkout (test)</title></head>
<body><h1>Payer {euros}</h1><form method="post" action="/c/pay/{id}"><button id="pay" type="submit">Payer</button></form>
<a id="back" href="{cancel}">Retour</a></body></html>"#,
        cancel = s["cancel_url"].as_str()?
    )))
}

#[post("/c/pay/<id>")]
async fn hosted_pay(id: &str, state: &State<(Shared, String)>) -> Option<Redirect> {
    let fake = FakeRef(state.0.clone());
    let later = state.0.lock().unwrap().async_payments;
    if later {
        let mut i = state.0.lock().unwrap();
        i.sessions.get_mut(id)?["status"] = json!("complete");
    } else {
        fake.pay_and_notify(id).await;
    }
    let i = state.0.lock().unwrap();
    let url = i.sessions.get(id)?["success_url"]
        .as_str()?
        .replace("{CHECKOUT_SESSION_ID}", id);
    Some(Redirect::to(url))
}

/// The stand-in's state, as its routes and the tests reach it.
#[derive(Clone)]
pub struct FakeRef(pub Shared);

impl FakeRef {
    /// The customer pays: the session completes (no webhook sent).
    pub fn pay(&self, id: &str) -> Value {
        let mut i = self.0.lock().unwrap();
        let n = i.next;
        let s = i.sessions.get_mut(id).expect("session");
        s["status"] = json!("complete");
        s["payment_status"] = json!("paid");
        s["payment_intent"] = json!(format!("pi_test_{n}_{id}"));
        s.clone()
    }

    /// The customer pays and Stripe sends `checkout.session.completed` (if a webhook is set).
    pub async fn pay_and_notify(&self, id: &str) -> u16 {
        let session = self.pay(id);
        let target = self.0.lock().unwrap().webhook.clone();
        match target {
            Some(url) => {
                deliver(&url, &event("checkout.session.completed", &session))
                    .await
                    .0
            }
            None => 0,
        }
    }
}

impl FakeRef {
    /// The bank confirms a payment that completed unpaid: the session is paid and Stripe
    /// sends `checkout.session.async_payment_succeeded`.
    pub async fn settle_async(&self, id: &str) -> u16 {
        let session = self.pay(id);
        let url = self
            .0
            .lock()
            .unwrap()
            .webhook
            .clone()
            .expect("a webhook URL");
        deliver(
            &url,
            &event("checkout.session.async_payment_succeeded", &session),
        )
        .await
        .0
    }
}

/// A Stripe event of `kind` about `object`, as Stripe sends it.
pub fn event(kind: &str, object: &Value) -> Vec<u8> {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    json!({ "id": format!("evt_test_{n}"), "object": "event", "api_version": "2024-06-20",
        "created": chrono::Utc::now().timestamp(), "type": kind, "livemode": false,
        "data": { "object": object } })
    .to_string()
    .into_bytes()
}

/// Posts a webhook signed now with the test secret.
pub async fn deliver(url: &str, body: &[u8]) -> (u16, String) {
    let header = sign(WEBHOOK_SECRET, body, chrono::Utc::now().timestamp());
    deliver_signed(url, body, Some(&header)).await
}

pub async fn deliver_signed(url: &str, body: &[u8], header: Option<&str>) -> (u16, String) {
    let headers: Vec<_> = header
        .map(|h| ("Stripe-Signature", h.to_string()))
        .into_iter()
        .collect();
    stand_in::post_webhook(url, body, &headers).await
}

impl FakeStripe {
    pub async fn start() -> FakeStripe {
        let inner: Shared = Arc::default();
        let shared = inner.clone();
        let served = stand_in::serve(
            move |base| (shared, base),
            routes![
                create_session,
                get_session,
                expire_session,
                create_refund,
                hosted_page,
                hosted_pay
            ],
        )
        .await;
        FakeStripe {
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

    pub fn session(&self, id: &str) -> Value {
        self.inner.lock().unwrap().sessions[id].clone()
    }

    /// The app's settings that point Stripe at this stand-in.
    pub fn settings(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("payments.stripe.secret_key", json!(SECRET_KEY)),
            ("payments.stripe.webhook_secret", json!(WEBHOOK_SECRET)),
            ("payments.stripe.api_base", json!(self.base)),
            ("payments.stripe.checkout_origin", json!(self.base)),
            ("payments.poll_s", json!(1)),
            ("payments.timeout_s", json!(2)),
        ]
    }
}
