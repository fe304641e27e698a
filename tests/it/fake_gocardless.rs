//! A local stand-in for GoCardless's API, served for real on 127.0.0.1 inside the test process.
//! It checks what GoCardless would: the bearer access token and the `GoCardless-Version`
//! header on every call, JSON bodies wrapped in the resource's name, an `Idempotency-Key` on
//! every billing request and refund (a key used again answers 409
//! `idempotent_creation_conflict` naming what the first create made), amounts in integer cents
//! of EUR, metadata of at most three short string values, a flow only for a billing request it
//! knows, a refund of at most what was collected. Paying fulfils the billing request, makes its
//! payment (carrying the payment request's metadata) and sends a batch of events signed with
//! the endpoint's secret (`Webhook-Signature`).

use crate::stand_in::{self, Headers, Served};
use ocpizza::payments::gocardless::{sign, VERSION};
use rocket::data::{Data, ToByteUnit};
use rocket::http::Status;
use rocket::response::content::{RawHtml, RawJson};
use rocket::response::Redirect;
use rocket::{get, post, routes, State};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const ACCESS_TOKEN: &str = "sandbox_ocpizza_local_access_token";
pub const WEBHOOK_SECRET: &str = "ocpizza-local-gocardless-webhook-secret";

#[derive(Debug, Clone)]
pub struct Call {
    pub method: &'static str,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Value,
}

#[derive(Default)]
pub struct Inner {
    pub calls: Vec<Call>,
    /// What the real GoCardless would have refused, with why: a test asserts there is none.
    pub violations: Vec<String>,
    pub billing_requests: HashMap<String, Value>,
    pub flows: HashMap<String, Value>,
    pub payments: HashMap<String, Value>,
    pub refunds: Vec<Value>,
    /// (resource, idempotency key) → the id the first create made.
    idempotent: HashMap<(String, String), String>,
    /// Creates answer 500.
    pub failing: bool,
    /// A payment made is first submitted, and confirmed only by `confirm_and_notify` (a bank
    /// that confirms later).
    pub confirms_later: bool,
    /// The app's webhook URL: payments and refunds are told there.
    pub webhook: Option<String>,
    next: u32,
}

pub struct FakeGocardless {
    pub base: String,
    pub inner: Shared,
    _served: Served,
}

type Shared = Arc<Mutex<Inner>>;
type St = State<(Shared, String)>;
type Answer = (Status, RawJson<String>);

/// GoCardless's error shape.
fn error(status: Status, kind: &str, reason: &str, links: Value) -> Answer {
    let body = json!({ "error": { "message": reason, "type": kind, "code": status.code,
        "request_id": "deadbeef-0000-4000-8000-ocpizza",
        "documentation_url": "https://developer.gocardless.com/api-reference#errors",
        "errors": [{ "reason": reason, "message": reason, "links": links }] } });
    (status, RawJson(body.to_string()))
}

fn answer(status: Status, resource: &str, v: &Value) -> Answer {
    (status, RawJson(json!({ resource: v }).to_string()))
}

async fn text(body: Data<'_>) -> String {
    body.open(1.mebibytes())
        .into_string()
        .await
        .unwrap()
        .into_inner()
}

/// Records a call and checks its token, its version header and, with a body, its type.
fn record(
    i: &mut Inner,
    method: &'static str,
    path: &str,
    h: &Headers,
    raw: &str,
) -> Result<Value, Answer> {
    let body: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
    i.calls.push(Call {
        method,
        path: path.into(),
        headers: h.0.clone(),
        body: body.clone(),
    });
    if h.0.get("authorization") != Some(&format!("Bearer {ACCESS_TOKEN}")) {
        i.violations.push(format!("{path}: no valid access token"));
        return Err(error(
            Status::Unauthorized,
            "invalid_api_usage",
            "invalid_api_token",
            json!({}),
        ));
    }
    if h.0.get("gocardless-version").map(String::as_str) != Some(VERSION) {
        i.violations
            .push(format!("{path}: GoCardless-Version missing"));
        return Err(error(
            Status::BadRequest,
            "invalid_api_usage",
            "version_not_found",
            json!({}),
        ));
    }
    if method == "POST" && h.0.get("content-type").map(String::as_str) != Some("application/json") {
        i.violations.push(format!("{path}: not application/json"));
    }
    Ok(body)
}

/// The key a create must carry; a key seen already answers 409 naming the first resource.
fn idempotency(i: &mut Inner, resource: &str, h: &Headers) -> Result<String, Answer> {
    let Some(key) = h.0.get("idempotency-key").cloned() else {
        i.violations
            .push(format!("{resource} without Idempotency-Key"));
        return Err(error(
            Status::BadRequest,
            "invalid_api_usage",
            "idempotency_key_required",
            json!({}),
        ));
    };
    match i.idempotent.get(&(resource.to_string(), key.clone())) {
        Some(first) => Err(error(
            Status::Conflict,
            "invalid_state",
            "idempotent_creation_conflict",
            json!({ "conflicting_resource_id": first }),
        )),
        None => Ok(key),
    }
}

/// Metadata: at most three keys of at most 50 characters, string values of at most 500.
fn metadata_problems(m: &Value, at: &str) -> Vec<String> {
    let Some(m) = m.as_object() else {
        return vec![format!("{at}: metadata must be an object")];
    };
    let mut p = Vec::new();
    if m.len() > 3 {
        p.push(format!("{at}: more than 3 metadata keys"));
    }
    for (k, v) in m {
        if k.len() > 50 || v.as_str().is_none_or(|v| v.len() > 500) {
            p.push(format!("{at}: metadata {k} invalid"));
        }
    }
    p
}

fn billing_request_problems(b: &Value) -> Vec<String> {
    let pr = &b["payment_request"];
    let mut p = Vec::new();
    if pr["amount"].as_i64().is_none_or(|a| a <= 0) {
        p.push(format!(
            "payment_request.amount must be positive integer cents: {}",
            pr["amount"]
        ));
    }
    if pr["currency"] != "EUR" {
        p.push("payment_request.currency must be EUR".into());
    }
    if !pr["description"]
        .as_str()
        .is_some_and(|d| !d.is_empty() && d.len() <= 255)
    {
        p.push("payment_request.description missing".into());
    }
    p.extend(metadata_problems(&pr["metadata"], "payment_request"));
    p.extend(metadata_problems(&b["metadata"], "billing_request"));
    p
}

fn invalid(i: &mut Inner, problems: Vec<String>) -> Answer {
    i.violations.extend(problems.iter().cloned());
    error(
        Status::UnprocessableEntity,
        "validation_failed",
        &problems.join("; "),
        json!({}),
    )
}

#[post("/billing_requests", data = "<body>")]
async fn create_billing_request(h: Headers, body: Data<'_>, state: &St) -> Answer {
    let raw = text(body).await;
    let mut i = state.0.lock().unwrap();
    let b = match record(&mut i, "POST", "/billing_requests", &h, &raw) {
        Ok(b) => b["billing_requests"].clone(),
        Err(a) => return a,
    };
    let key = match idempotency(&mut i, "billing_requests", &h) {
        Ok(key) => key,
        Err(a) => return a,
    };
    if i.failing {
        return error(
            Status::InternalServerError,
            "gocardless",
            "internal_server_error",
            json!({}),
        );
    }
    let problems = billing_request_problems(&b);
    if !problems.is_empty() {
        return invalid(&mut i, problems);
    }
    i.next += 1;
    let id = format!("BRQ{:06}OCP", i.next);
    let br = json!({ "id": id, "status": "pending", "created_at": chrono::Utc::now().to_rfc3339(),
        "payment_request": b["payment_request"], "metadata": b["metadata"],
        "links": { "payment_request": format!("PRQ{:06}OCP", i.next) } });
    i.billing_requests.insert(id.clone(), br.clone());
    i.idempotent.insert(("billing_requests".into(), key), id);
    answer(Status::Created, "billing_requests", &br)
}

#[post("/billing_request_flows", data = "<body>")]
async fn create_flow(h: Headers, body: Data<'_>, state: &St) -> Answer {
    let raw = text(body).await;
    let mut i = state.0.lock().unwrap();
    let f = match record(&mut i, "POST", "/billing_request_flows", &h, &raw) {
        Ok(b) => b["billing_request_flows"].clone(),
        Err(a) => return a,
    };
    let request = f["links"]["billing_request"].as_str().unwrap_or_default();
    let mut problems = Vec::new();
    if !i.billing_requests.contains_key(request) {
        problems.push(format!("flow of unknown billing request {request:?}"));
    }
    for uri in ["redirect_uri", "exit_uri"] {
        if !f[uri].as_str().is_some_and(|u| u.starts_with("http")) {
            problems.push(format!("{uri} missing"));
        }
    }
    if !problems.is_empty() {
        return invalid(&mut i, problems);
    }
    i.next += 1;
    let id = format!("BRF{:06}OCP", i.next);
    let mut flow = f.clone();
    flow["id"] = json!(id);
    flow["authorisation_url"] = json!(format!("{}/flow/{id}", state.1));
    i.flows.insert(id, flow.clone());
    answer(Status::Created, "billing_request_flows", &flow)
}

#[get("/<resource>/<id>", rank = 2)]
fn read(resource: &str, id: &str, h: Headers, state: &St) -> Answer {
    let mut i = state.0.lock().unwrap();
    if let Err(a) = record(&mut i, "GET", &format!("/{resource}/{id}"), &h, "") {
        return a;
    }
    let found = match resource {
        "billing_requests" => i.billing_requests.get(id).cloned(),
        "payments" => i.payments.get(id).cloned(),
        "refunds" => i.refunds.iter().find(|r| r["id"] == id).cloned(),
        _ => None,
    };
    match found {
        Some(v) => answer(Status::Ok, resource, &v),
        None => error(
            Status::NotFound,
            "invalid_api_usage",
            "resource_not_found",
            json!({}),
        ),
    }
}

#[post("/billing_requests/<id>/actions/cancel", data = "<body>")]
async fn cancel(id: &str, h: Headers, body: Data<'_>, state: &St) -> Answer {
    let raw = text(body).await;
    let path = format!("/billing_requests/{id}/actions/cancel");
    let mut i = state.0.lock().unwrap();
    if let Err(a) = record(&mut i, "POST", &path, &h, &raw) {
        return a;
    }
    let Some(br) = i.billing_requests.get_mut(id) else {
        return error(
            Status::NotFound,
            "invalid_api_usage",
            "resource_not_found",
            json!({}),
        );
    };
    if br["status"] != "pending" {
        return error(
            Status::UnprocessableEntity,
            "invalid_state",
            "billing_request_not_cancellable",
            json!({}),
        );
    }
    br["status"] = json!("cancelled");
    let br = br.clone();
    answer(Status::Ok, "billing_requests", &br)
}

#[post("/refunds", data = "<body>")]
async fn create_refund(h: Headers, body: Data<'_>, state: &St) -> Answer {
    let raw = text(body).await;
    let (reply, told) = {
        let mut i = state.0.lock().unwrap();
        let b = match record(&mut i, "POST", "/refunds", &h, &raw) {
            Ok(b) => b["refunds"].clone(),
            Err(a) => return a,
        };
        let key = match idempotency(&mut i, "refunds", &h) {
            Ok(key) => key,
            Err(a) => return a,
        };
        let payment = b["links"]["payment"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let collected = i.payments.get(&payment).and_then(|p| p["amount"].as_i64());
        let given: i64 = i
            .refunds
            .iter()
            .filter(|r| r["links"]["payment"] == json!(payment))
            .filter_map(|r| r["amount"].as_i64())
            .sum();
        let asked = b["amount"].as_i64();
        let mut problems = metadata_problems(&b["metadata"], "refund");
        match (collected, asked) {
            (Some(c), Some(a)) if a >= 1 && given + a <= c => {}
            _ => problems.push(format!(
                "refund of {asked:?} of {payment} ({collected:?}, already {given})"
            )),
        }
        // Required with links[payment]: what the payment's refunds come to, this one included.
        let confirmed = b["total_amount_confirmation"].as_i64();
        if confirmed != asked.map(|a| given + a) {
            problems.push(format!(
                "total_amount_confirmation {confirmed:?} is not {given} + {asked:?}"
            ));
        }
        if !problems.is_empty() {
            return invalid(&mut i, problems);
        }
        let refunded = given + asked.unwrap_or(0);
        i.payments.get_mut(&payment).expect("payment")["amount_refunded"] = json!(refunded);
        let id = format!("RF{:06}OCP", i.refunds.len() + 1);
        let refund = json!({ "id": id, "amount": asked, "currency": "EUR", "status": "pending_submission",
            "reference": b["reference"], "metadata": b["metadata"], "links": { "payment": payment },
            "created_at": chrono::Utc::now().to_rfc3339() });
        i.refunds.push(refund.clone());
        i.idempotent.insert(("refunds".into(), key), id);
        (refund.clone(), i.webhook.clone().map(|url| (url, refund)))
    };
    if let Some((url, refund)) = told {
        // Paid to the customer a moment later, and told.
        let fake = FakeRef(state.0.clone());
        tokio::spawn(async move { fake.refund_paid(&url, &refund).await });
    }
    answer(Status::Created, "refunds", &reply)
}

/// The payer's page: pay by bank, or go back.
#[get("/flow/<id>")]
fn flow_page(id: &str, state: &St) -> Option<RawHtml<String>> {
    let i = state.0.lock().unwrap();
    let flow = i.flows.get(id)?;
    let br = &i.billing_requests[flow["links"]["billing_request"].as_str()?];
    let amount = br["payment_request"]["amount"].as_i64()?;
    let exit = flow["exit_uri"].as_str()?;
    Some(RawHtml(format!(
        r#"<!doctype html><html lang="fr"><head><meta name="viewport" content="width=device-width"><title>GoCardless (test)</title></head>
<body><h1>Payer {},{:02} € par virement instantané</h1><form method="post" action="/flow/{id}"><button id="pay" type="submit">Payer depuis ma banque</button></form>
<a id="back" href="{exit}">Annuler et retourner sur le site</a></body></html>"#,
        amount / 100,
        amount % 100
    )))
}

#[post("/flow/<id>")]
async fn flow_pay(id: &str, state: &St) -> Option<Redirect> {
    let fake = FakeRef(state.0.clone());
    let (request, back) = {
        let i = fake.0.lock().unwrap();
        let flow = i.flows.get(id)?;
        let request = flow["links"]["billing_request"].as_str()?.to_string();
        (request, flow["redirect_uri"].as_str()?.to_string())
    };
    fake.pay_and_notify(&request).await;
    Some(Redirect::to(back))
}

/// The stand-in's state, as its routes and the tests reach it.
#[derive(Clone)]
pub struct FakeRef(pub Shared);

impl FakeRef {
    /// The payer pays: the billing request is fulfilled, its payment made and collected.
    /// Returns the batch GoCardless sends about it (not sent).
    pub fn pay(&self, request: &str) -> String {
        let mut i = self.0.lock().unwrap();
        i.next += 1;
        let pm = format!("PM{:06}OCP", i.next);
        let br = i
            .billing_requests
            .get_mut(request)
            .expect("billing request");
        br["status"] = json!("fulfilled");
        br["links"]["payment_request_payment"] = json!(pm);
        let pr = br["payment_request"].clone();
        let br_meta = br["metadata"].clone();
        let later = i.confirms_later;
        let status = if later { "submitted" } else { "confirmed" };
        let payment = json!({ "id": pm, "amount": pr["amount"], "amount_refunded": 0, "currency": pr["currency"],
            "status": status, "description": pr["description"], "metadata": pr["metadata"],
            "charge_date": chrono::Utc::now().format("%Y-%m-%d").to_string(),
            "links": { "billing_request": request } });
        i.payments.insert(pm.clone(), payment);
        let fulfilled = (
            "billing_requests",
            "fulfilled",
            json!({ "billing_request": request, "payment_request_payment": pm }),
            br_meta,
        );
        let confirmed = (
            "payments",
            "confirmed",
            json!({ "payment": pm }),
            pr["metadata"].clone(),
        );
        match later {
            true => batch(&[fulfilled]),
            false => batch(&[fulfilled, confirmed]),
        }
    }

    /// A payment submitted earlier is confirmed, and GoCardless tells the webhook: its answer.
    pub async fn confirm_and_notify(&self, payment: &str) -> u16 {
        let (url, body) = {
            let mut i = self.0.lock().unwrap();
            let p = i.payments.get_mut(payment).expect("payment");
            p["status"] = json!("confirmed");
            let meta = p["metadata"].clone();
            let body = batch(&[("payments", "confirmed", json!({ "payment": payment }), meta)]);
            (i.webhook.clone().expect("a webhook"), body)
        };
        deliver(&url, &body, Some(&sign(WEBHOOK_SECRET, body.as_bytes())))
            .await
            .0
    }

    /// The payer pays and GoCardless tells the webhook (if one is set): its answer.
    pub async fn pay_and_notify(&self, request: &str) -> u16 {
        let body = self.pay(request);
        let url = self.0.lock().unwrap().webhook.clone();
        match url {
            Some(url) => {
                deliver(&url, &body, Some(&sign(WEBHOOK_SECRET, body.as_bytes())))
                    .await
                    .0
            }
            None => 0,
        }
    }

    async fn refund_paid(&self, url: &str, refund: &Value) {
        let id = refund["id"].as_str().unwrap().to_string();
        for r in self
            .0
            .lock()
            .unwrap()
            .refunds
            .iter_mut()
            .filter(|r| r["id"] == json!(id))
        {
            r["status"] = json!("paid");
        }
        let body = batch(&[(
            "refunds",
            "paid",
            json!({ "refund": id }),
            refund["metadata"].clone(),
        )]);
        deliver(url, &body, Some(&sign(WEBHOOK_SECRET, body.as_bytes()))).await;
    }
}

/// A webhook body: the events, as GoCardless batches them.
pub fn batch(events: &[(&str, &str, Value, Value)]) -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let events: Vec<Value> = events
        .iter()
        .map(|(resource, action, links, meta)| {
            let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            json!({ "id": format!("EV{n:06}OCP"), "created_at": chrono::Utc::now().to_rfc3339(),
                "resource_type": resource, "action": action, "links": links,
                "details": { "origin": "gocardless", "cause": action, "description": action },
                "metadata": {}, "resource_metadata": meta })
        })
        .collect();
    json!({ "events": events }).to_string()
}

/// Posts a webhook body with the given `Webhook-Signature`, if any.
pub async fn deliver(url: &str, body: &str, signature: Option<&str>) -> (u16, String) {
    let headers: Vec<_> = signature
        .map(|s| ("Webhook-Signature", s.to_string()))
        .into_iter()
        .collect();
    stand_in::post_webhook(url, body.as_bytes(), &headers).await
}

impl FakeGocardless {
    pub async fn start() -> FakeGocardless {
        let inner: Shared = Arc::default();
        let shared = inner.clone();
        let served = stand_in::serve(
            move |base| (shared, base),
            routes![
                create_billing_request,
                create_flow,
                read,
                cancel,
                create_refund,
                flow_page,
                flow_pay
            ],
        )
        .await;
        FakeGocardless {
            base: served.base.clone(),
            inner,
            _served: served,
        }
    }

    pub fn handle(&self) -> FakeRef {
        FakeRef(self.inner.clone())
    }

    pub fn calls(&self, method: &str, path: &str) -> Vec<Call> {
        let i = self.inner.lock().unwrap();
        i.calls
            .iter()
            .filter(|c| c.method == method && c.path == path)
            .cloned()
            .collect()
    }

    pub fn violations(&self) -> Vec<String> {
        self.inner.lock().unwrap().violations.clone()
    }

    /// The app's settings that point GoCardless at this stand-in.
    pub fn settings(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("payments.gocardless.access_token", json!(ACCESS_TOKEN)),
            ("payments.gocardless.webhook_secret", json!(WEBHOOK_SECRET)),
            ("payments.gocardless.api_base", json!(self.base)),
            ("payments.gocardless.checkout_origin", json!(self.base)),
            ("payments.poll_s", json!(1)),
            ("payments.timeout_s", json!(2)),
        ]
    }
}
