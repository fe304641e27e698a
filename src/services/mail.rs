//! The outbox, as the mail worker and the direction use it. A worker claims one message at a
//! time (a short transaction: the claim is a conditional UPDATE that only one worker wins, and
//! it lapses after `LEASE` if that worker dies), reads what the message shows, sends it outside
//! any transaction, then records the outcome (another short transaction, only if its claim
//! still holds). The window left: a crash between the SMTP server's acceptance and that record
//! sends the message again after the lease, with the same `Message-ID`.

use crate::db::{write_tx, DbConn};
use crate::domain::hours::paris;
use crate::domain::mail;
use crate::domain::order::Fulfilment;
use crate::models::order::{self as orders, OrderRow};
use crate::models::outbox::{self, Claimed, FailedEmail, Outcome};
use crate::models::{now, pizzeria::Pizzeria};
use diesel::result::Error as DieselError;
use serde_json::{json, Value};

/// How long a claim holds a message: well over an SMTP exchange's timeout.
pub const LEASE_S: i64 = 300;

/// A message held by this worker, with what its templates show.
#[derive(Debug)]
pub struct ToSend {
    pub message: Claimed,
    pub values: Value,
}

/// The next due message, claimed for `worker`, or None when nothing is due.
pub fn claim_next(
    conn: &mut DbConn,
    worker: &str,
    public_url: &str,
) -> Result<Option<ToSend>, DieselError> {
    let t = now();
    let until = t + chrono::Duration::seconds(LEASE_S);
    let claimed = write_tx(conn, |c| {
        for id in outbox::due(c, t, 8)? {
            if let Some(m) = outbox::try_claim(c, id, worker, (t, until))? {
                return Ok(Some(m));
            }
        }
        Ok::<_, DieselError>(None)
    })?;
    let Some(message) = claimed else {
        return Ok(None);
    };
    let values = values_of(conn, &message, public_url)?;
    Ok(Some(ToSend { message, values }))
}

/// How a message fared: sent, or refused (permanently or not) with the reason.
#[derive(Debug, Clone, Copy)]
pub enum Delivery<'a> {
    Sent,
    Refused { permanent: bool, reason: &'a str },
}

/// When refusals are tried again: `first_ms` doubled at each attempt, `max_attempts` in all.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub first_ms: u64,
    pub max_attempts: i32,
}

/// Records how the attempt of a claimed message fared, if this worker still holds it: sent,
/// tried again later (a temporary refusal, attempts left), or failed.
pub fn finish(
    conn: &mut DbConn,
    m: &Claimed,
    worker: &str,
    delivery: Delivery<'_>,
    policy: RetryPolicy,
) -> Result<bool, DieselError> {
    let outcome = match delivery {
        Delivery::Sent => Outcome::Sent,
        Delivery::Refused { permanent, reason }
            if permanent || m.attempts >= policy.max_attempts =>
        {
            Outcome::Failed(reason)
        }
        Delivery::Refused { reason, .. } => {
            let wait = mail::retry_delay_ms(policy.first_ms, m.attempts, rand::random::<f64>());
            Outcome::Retry(now() + chrono::Duration::milliseconds(wait as i64), reason)
        }
    };
    write_tx(conn, |c| outbox::record_outcome(c, m.id, worker, outcome))
}

/// A failed message sent again from its first attempt (the direction's button); false when it
/// is not failed (sent meanwhile, or no such message).
pub fn retry_failed(conn: &mut DbConn, id: i64) -> Result<bool, DieselError> {
    write_tx(conn, |c| outbox::set_pending_again(c, id))
}

/// The outbox as the direction sees it.
#[derive(Debug)]
pub struct OutboxState {
    pub pending: i64,
    pub oldest_pending: Option<chrono::NaiveDateTime>,
    pub sent_last_day: i64,
    pub failed: Vec<FailedEmail>,
}

pub fn state(conn: &mut DbConn) -> Result<OutboxState, DieselError> {
    let (pending, oldest_pending) = outbox::backlog(conn)?;
    Ok(OutboxState {
        pending,
        oldest_pending,
        sent_last_day: outbox::sent_since(conn, now() - chrono::Duration::hours(24))?,
        failed: outbox::failed(conn, 200)?,
    })
}

/// The payload of the message, its links made absolute, and for an order's message the order
/// as it stands: number, lines, total, promised time, tracking link.
fn values_of(conn: &mut DbConn, m: &Claimed, public_url: &str) -> Result<Value, DieselError> {
    let base = public_url.trim_end_matches('/');
    let mut values: Value = serde_json::from_str(&m.payload).unwrap_or_else(|_| json!({}));
    if let Value::Object(map) = &mut values {
        for key in ["link", "login", "reset", "path"] {
            if let Some(Value::String(path)) = map.get_mut(key) {
                if path.starts_with('/') {
                    *path = format!("{base}{path}");
                }
            }
        }
        map.insert("public_url".into(), json!(base));
        if let Some(name) = map.get("customer_name").cloned() {
            map.entry("name").or_insert(name);
        }
        if let Some(order) = m.order_id {
            if let Some(row) = orders::by_id(conn, order)? {
                let shown = order_values(conn, &row, base)?;
                map.insert("order".into(), shown);
            }
        }
    }
    Ok(values)
}

fn order_values(conn: &mut DbConn, o: &OrderRow, base: &str) -> Result<Value, DieselError> {
    let lines: Vec<Value> = orders::lines(conn, o.id)?
        .iter()
        .map(|l| json!({ "qty": l.quantity, "name": l.product_name, "total": l.subtotal().to_string() }))
        .collect();
    let pizzeria = Pizzeria::find(conn, o.pizzeria_id)?;
    let promised = o.promised_at.map(|p| paris(p.and_utc()));
    let address = match (
        &o.delivery_street,
        &o.delivery_postal_code,
        &o.delivery_city,
    ) {
        (Some(s), Some(p), Some(c)) => format!("{s}, {p} {c}"),
        _ => String::new(),
    };
    Ok(json!({
        "number": o.number_label(),
        "link": format!("{base}/orders/{}", o.token.as_str()),
        "delivery": o.fulfilment == Fulfilment::Delivery,
        "address": address,
        "lines": lines,
        "total": o.total.to_string(),
        "paid": o.payment_status.is_settled(),
        "payment": o.payment_method.label(),
        "promised_time": promised.map(|p| p.format("%H:%M").to_string()),
        "promised_day": promised.map(|p| p.format("%d/%m").to_string()),
        "pizzeria": pizzeria.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
        "pizzeria_phone": pizzeria.as_ref().map(|p| p.phone.clone()).unwrap_or_default(),
        "pizzeria_address": pizzeria.map(|p| format!("{}, {} {}", p.street, p.postal_code, p.city)).unwrap_or_default(),
    }))
}
