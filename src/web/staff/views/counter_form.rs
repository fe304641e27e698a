//! The counter's order form: its fields, a blank one, and how it is read into an order.

use crate::domain::checkout::{choose_when, parse_fulfilment, Timing, When};
use crate::domain::contact::{parse_email, parse_phone, Contact};
use crate::domain::floor::Hand;
use crate::domain::hours;
use crate::domain::order::{Channel, Fulfilment, PaymentMethod};
use crate::domain::token::CheckoutKey;
use crate::services::floor::CounterOrder;
use crate::services::tokens;
use crate::web::fields::{self, take_values, Values, ADDRESS_FIELDS};
use crate::web::form::{FieldErrors, RawForm};
use chrono::Utc;
use std::collections::HashMap;

const OTHER_FIELDS: [&str; 9] = [
    "key",
    "channel",
    "fulfilment",
    "when",
    "payment",
    "paid_now",
    "name",
    "phone",
    "email",
];

pub fn blank_form() -> Values {
    let mut v: Values = OTHER_FIELDS
        .iter()
        .chain(&ADDRESS_FIELDS)
        .map(|f| (f.to_string(), String::new()))
        .collect();
    for (k, x) in [
        ("channel", "phone"),
        ("fulfilment", "delivery"),
        ("when", "asap"),
        ("payment", "on_delivery"),
        ("city", "Paris"),
    ] {
        v.insert(k.into(), x.into());
    }
    v.insert("key".into(), tokens::checkout_key().to_string());
    v
}

/// Reads the order form: the values (to show again) and the order, or each field's message.
pub fn read_order(
    mut f: RawForm,
    timing: &Timing,
) -> (
    Values,
    HashMap<String, String>,
    Result<CounterOrder, FieldErrors>,
) {
    let mut e = FieldErrors::default();
    let q = fields::quantities(&mut f, &mut e);
    let typed = q
        .typed
        .iter()
        .map(|(k, v)| (k.0.to_string(), v.clone()))
        .collect();
    let mut values = take_values(&mut f, &OTHER_FIELDS);
    values.extend(take_values(&mut f, &ADDRESS_FIELDS));
    f.finish(&mut e);
    if q.lines.is_empty() && e.get("form").is_none() {
        e.add("form", "Ajoutez au moins un produit à la commande.");
    }
    let v = |k: &str| values.get(k).map_or("", String::as_str);
    let key = CheckoutKey::parse(v("key")).ok();
    if key.is_none() {
        e.add("form", "Ce formulaire a expiré : rechargez la page.");
    }
    let channel = match v("channel") {
        "phone" => Some(Channel::Phone),
        "counter" => Some(Channel::Counter),
        _ => e.check("channel", Err("Téléphone ou comptoir ?".to_string())),
    };
    let fulfilment = e.check("fulfilment", parse_fulfilment(v("fulfilment")));
    let delivery = match fulfilment {
        Some(Fulfilment::Delivery) => fields::address(&values, &mut e).map(Some),
        _ => Some(None),
    };
    let contact = contact_of(&values, &mut e);
    let desired_at = when_of(v("when"), timing, &mut e);
    let payment = e.check("payment", payment_of(v("payment"), fulfilment));
    let paid_now = e.check("paid_now", paid_now_of(v("paid_now"), payment));
    let order = match (
        key, channel, delivery, contact, desired_at, payment, paid_now,
    ) {
        (
            Some(key),
            Some(channel),
            Some(delivery),
            Some(contact),
            Some(desired_at),
            Some(payment),
            Some(paid_now),
        ) if e.is_empty() => Ok(CounterOrder {
            lines: q.lines,
            contact,
            delivery,
            desired_at,
            channel,
            payment,
            paid_now,
            key,
            promised_at: None,
        }),
        _ => Err(e),
    };
    (values, typed, order)
}

/// The name and phone the order is for; an e-mail only if the customer gives one.
fn contact_of(values: &Values, e: &mut FieldErrors) -> Option<Contact> {
    let v = |k: &str| values.get(k).map_or("", String::as_str);
    let name = fields::name(values, e);
    let phone = e.check("phone", parse_phone(v("phone")));
    let email = match v("email").trim() {
        "" => Some(String::new()),
        raw => e.check("email", parse_email(raw)),
    };
    Some(Contact {
        name: name?,
        phone: phone?,
        email: email?,
    })
}

/// As soon as possible (None) or a slot of today.
fn when_of(
    raw: &str,
    timing: &Timing,
    e: &mut FieldErrors,
) -> Option<Option<chrono::NaiveDateTime>> {
    match e.check("when", choose_when(raw, timing))? {
        When::At(m) => hours::today_at(Utc::now(), m).map(Some),
        When::Asap => Some(None),
    }
}

/// Paid on delivery (a delivery), at pickup (a pickup), or now at the counter (either).
fn payment_of(raw: &str, f: Option<Fulfilment>) -> Result<PaymentMethod, String> {
    match (raw, f) {
        ("on_delivery", Some(Fulfilment::Delivery)) => Ok(PaymentMethod::OnDelivery),
        ("at_pickup", Some(Fulfilment::Pickup)) => Ok(PaymentMethod::AtPickup),
        ("at_counter", _) => Ok(PaymentMethod::AtCounter),
        ("on_delivery", _) => Err("Le paiement à la livraison est pour une livraison.".into()),
        ("at_pickup", _) => Err("Le paiement au retrait est pour une commande à emporter.".into()),
        _ => Err("Choisissez quand le client paie.".into()),
    }
}

/// How an order paid now at the counter was paid; nothing for one paid later.
fn paid_now_of(raw: &str, payment: Option<PaymentMethod>) -> Result<Option<Hand>, String> {
    match (raw, payment) {
        ("", Some(PaymentMethod::AtCounter)) => {
            Err("Payée au comptoir : en espèces ou par carte ?".into())
        }
        ("cash", Some(PaymentMethod::AtCounter)) => Ok(Some(Hand::Cash)),
        ("card", Some(PaymentMethod::AtCounter)) => Ok(Some(Hand::Card)),
        ("", _) => Ok(None),
        ("cash" | "card", _) => Err(
            "Espèces ou carte : seulement pour une commande payée maintenant au comptoir.".into(),
        ),
        _ => Err("Ce moyen de paiement n'existe pas : espèces ou carte.".into()),
    }
}
