//! Field groups shared by the forms: an address, a contact, quantities per product. Each reads
//! its fields into domain values, or records a French message next to each refused field.

use super::form::{FieldErrors, RawForm};
use crate::domain::cart::{CartLine, MAX_QTY_PER_LINE};
use crate::domain::contact::{
    parse_email, parse_phone, parse_postal_code, parse_quantity, Address, Contact,
};
use crate::domain::ids::ProductId;
use crate::domain::text::{optional_text, parse_text, Label};
use std::collections::{BTreeMap, HashMap};

/// What a form sent, by field name, kept to show it again next to its errors.
pub type Values = BTreeMap<String, String>;

/// Takes these fields (missing meaning empty).
pub fn take_values(f: &mut RawForm, names: &[&str]) -> Values {
    names.iter().map(|n| (n.to_string(), f.text(n))).collect()
}

fn value<'v>(v: &'v Values, name: &str) -> &'v str {
    v.get(name).map_or("", String::as_str)
}

const STREET: Label = Label::one("L'adresse");
const CITY: Label = Label::one("La ville");
const INSTRUCTIONS: Label = Label::many("Les instructions");
const NAME: Label = Label::one("Le nom");
pub const ADDRESS_LABEL: Label = Label::one("Le nom de l'adresse");

pub const ADDRESS_FIELDS: [&str; 4] = ["street", "postal_code", "city", "instructions"];

/// A delivery address in Paris.
pub fn address(v: &Values, e: &mut FieldErrors) -> Option<Address> {
    let street = e.check("street", parse_text(value(v, "street"), STREET, 200));
    let postal = e.check(
        "postal_code",
        parse_postal_code(value(v, "postal_code"), true),
    );
    let city = e.check("city", parse_text(value(v, "city"), CITY, 80));
    let instructions = e.check(
        "instructions",
        optional_text(value(v, "instructions"), INSTRUCTIONS, 500),
    );
    Some(Address {
        street: street?,
        postal_code: postal?,
        city: city?,
        instructions: instructions?,
    })
}

pub const CONTACT_FIELDS: [&str; 3] = ["name", "phone", "email"];

pub fn name(v: &Values, e: &mut FieldErrors) -> Option<String> {
    e.check("name", parse_text(value(v, "name"), NAME, 120))
}

pub fn email(v: &Values, e: &mut FieldErrors) -> Option<String> {
    e.check("email", parse_email(value(v, "email")))
}

/// A phone number the person may leave empty.
pub fn optional_phone(v: &Values, e: &mut FieldErrors) -> Option<Option<String>> {
    match value(v, "phone").trim() {
        "" => Some(None),
        p => e.check("phone", parse_phone(p)).map(Some),
    }
}

/// Who the order is for: name, phone, e-mail, all required.
pub fn contact(v: &Values, e: &mut FieldErrors) -> Option<Contact> {
    let name = name(v, e);
    let phone = e.check("phone", parse_phone(value(v, "phone")));
    let email = email(v, e);
    Some(Contact {
        name: name?,
        phone: phone?,
        email: email?,
    })
}

/// `qty[<product>]` fields: the lines asked for (zero drops a product) and what was typed.
pub struct Quantities {
    pub lines: Vec<CartLine>,
    pub typed: HashMap<ProductId, String>,
}

/// Errors are recorded under `qty<product>`, or `form` for a product id that is not one.
pub fn quantities(f: &mut RawForm, e: &mut FieldErrors) -> Quantities {
    let mut q = Quantities {
        lines: Vec::new(),
        typed: HashMap::new(),
    };
    for (key, raw) in f.take_indexed("qty") {
        let Ok(product) = ProductId::parse(&key) else {
            e.add("form", "Produit inconnu.");
            continue;
        };
        q.typed.insert(product, raw.clone());
        match parse_quantity(&raw, 0, MAX_QTY_PER_LINE) {
            Ok(0) => {}
            Ok(qty) if q.lines.iter().all(|l| l.product != product) => {
                q.lines.push(CartLine { product, qty })
            }
            Ok(_) => e.add("form", "Un produit apparaît deux fois."),
            Err(m) => e.add(&format!("qty{product}"), m),
        }
    }
    q
}
