//! The checkout form: what it holds, how it is read, what a guest or a customer finds in it.

use crate::domain::checkout::{choose_payment, choose_when, parse_fulfilment, Timing, When};
use crate::domain::contact::{Address, Contact};
use crate::domain::order::{Fulfilment, PaymentMethod};
use crate::domain::recap::RecapVersion;
use crate::domain::token::CheckoutKey;
use crate::models::user::{Profile, SavedAddress};
use crate::web::fields::{self, take_values, Values, ADDRESS_FIELDS, CONTACT_FIELDS};
use crate::web::form::{FieldErrors, RawForm};

/// The fields besides the address and the contact.
const OTHER_FIELDS: [&str; 6] = [
    "idempotency_key",
    "cart_version",
    "cart_shown",
    "fulfilment",
    "when",
    "payment",
];

/// A checkout form that passed every check.
pub struct CheckoutForm {
    pub key: CheckoutKey,
    /// The version of the recap the page showed.
    pub shown: RecapVersion,
    pub contact: Contact,
    /// Some for delivery.
    pub delivery: Option<Address>,
    pub when: When,
    pub payment: PaymentMethod,
    pub save_address: bool,
}

fn all_values(f: &mut RawForm) -> Values {
    let mut values = take_values(f, &OTHER_FIELDS);
    values.extend(take_values(f, &ADDRESS_FIELDS));
    values.extend(take_values(f, &CONTACT_FIELDS));
    values
}

/// Reads a posted checkout form: the values as sent (to show them again) and the form, or the
/// French message of each refused field.
pub fn read_checkout(
    mut f: RawForm,
    timing: &Timing,
    online: &[PaymentMethod],
) -> (Values, Result<CheckoutForm, FieldErrors>) {
    let values = all_values(&mut f);
    let save_address = f.take("save_address").is_some_and(|v| v == "1");
    let mut e = FieldErrors::default();
    let key = CheckoutKey::parse(&values["idempotency_key"]).ok();
    let shown = RecapVersion::parse(&values["cart_version"]);
    if key.is_none() || shown.is_none() {
        e.add("form", "Ce formulaire a expiré : rechargez la page.");
    }
    let fulfilment = e.check("fulfilment", parse_fulfilment(&values["fulfilment"]));
    let delivery = match fulfilment {
        Some(Fulfilment::Delivery) => fields::address(&values, &mut e).map(Some),
        _ => Some(None),
    };
    let contact = fields::contact(&values, &mut e);
    let when = e.check("when", choose_when(&values["when"], timing));
    let paid = fulfilment.unwrap_or(Fulfilment::Pickup);
    let payment = e.check("payment", choose_payment(&values["payment"], paid, online));
    f.finish(&mut e);
    let form = match (key, shown, delivery, contact, when, payment) {
        (Some(key), Some(shown), Some(delivery), Some(contact), Some(when), Some(payment))
            if e.is_empty() =>
        {
            Ok(CheckoutForm {
                key,
                shown,
                contact,
                delivery,
                when,
                payment,
                save_address,
            })
        }
        _ => Err(e),
    };
    (values, form)
}

/// A new form: delivery, as soon as possible, paid on delivery; a customer's name, e-mail,
/// phone and newest saved address.
pub fn prefilled(profile: Option<Profile>, address: Option<SavedAddress>) -> Values {
    let mut values: Values = OTHER_FIELDS
        .iter()
        .chain(&ADDRESS_FIELDS)
        .chain(&CONTACT_FIELDS)
        .map(|f| (f.to_string(), String::new()))
        .collect();
    for (k, v) in [
        ("fulfilment", "delivery"),
        ("payment", "on_delivery"),
        ("when", "asap"),
        ("city", "Paris"),
    ] {
        values.insert(k.into(), v.into());
    }
    if let Some(p) = profile {
        values.insert("name".into(), p.full_name);
        values.insert("email".into(), p.email);
        values.insert("phone".into(), p.phone.unwrap_or_default());
    }
    if let Some(a) = address {
        values.insert("street".into(), a.street);
        values.insert("postal_code".into(), a.postal_code);
        values.insert("city".into(), a.city);
        values.insert("instructions".into(), a.instructions.unwrap_or_default());
    }
    values
}

/// The refused fields, in the order of the form, with the label a person reads: shown at the
/// top of the page with a link to each field, which on a phone is far below.
pub fn error_summary(errors: &FieldErrors) -> Vec<(&'static str, &'static str)> {
    const LABELS: [(&str, &str); 10] = [
        ("fulfilment", "Livraison ou retrait"),
        ("street", "Adresse"),
        ("postal_code", "Code postal"),
        ("city", "Ville"),
        ("instructions", "Instructions pour le livreur"),
        ("name", "Nom"),
        ("phone", "Téléphone"),
        ("email", "E-mail"),
        ("when", "Heure"),
        ("payment", "Paiement"),
    ];
    LABELS
        .into_iter()
        .filter(|(field, _)| errors.get(field).is_some())
        .collect()
}
