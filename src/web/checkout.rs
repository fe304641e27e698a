//! Checkout: delivery or pickup, contact, time, payment on delivery or at pickup. Placing the
//! order is one transaction (services::orders::place); a resubmitted form gives the same order.

use super::cart::load_view;
use super::form::{FieldErrors, Posted, RawForm};
use super::session::{Csrf, Visitor};
use super::{Layout, Reply};
use crate::domain::contact::{optional_text, parse_phone, parse_postal_code, parse_text};
use crate::domain::hours::{self, Slot};
use crate::domain::ids::{PizzeriaId, UserId};
use crate::domain::order::{Channel, PaymentMethod};
use crate::error::{AppError, AppResult};
use crate::models::pizzeria;
use crate::services::orders::{self, Address, Checkout, Contact, OrderError};
use crate::services::sessions::random_token;
use crate::services::users::parse_email;
use crate::state::AppState;
use chrono::{NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};
use std::collections::BTreeMap;

pub fn routes() -> Vec<Route> {
    routes![show_checkout, place_order]
}

/// Minutes between ordering and the earliest later slot, and between two slots.
const LEAD_MINUTES: u16 = 30;
const SLOT_STEP: u16 = 15;

const FIELDS: [&str; 11] = [
    "idempotency_key",
    "fulfilment",
    "street",
    "postal_code",
    "city",
    "instructions",
    "name",
    "phone",
    "email",
    "when",
    "payment",
];

struct Timing {
    open_now: bool,
    slots: Vec<String>,
}

async fn timing(state: &AppState, p: PizzeriaId) -> AppResult<Timing> {
    let slots: Vec<Slot> = state
        .db
        .run(move |c| pizzeria::opening_slots(c, &[p.0]))
        .await??
        .remove(&p.0)
        .unwrap_or_default();
    let local = hours::paris(Utc::now());
    Ok(Timing {
        open_now: hours::is_open(&slots, local),
        slots: hours::later_slots(&slots, local, LEAD_MINUTES, SLOT_STEP)
            .into_iter()
            .map(hours::hhmm)
            .collect(),
    })
}

/// Prefill for a logged-in customer: name, e-mail, phone and the last saved address.
async fn prefill(state: &AppState, user: Option<UserId>) -> AppResult<BTreeMap<String, String>> {
    let mut values: BTreeMap<String, String> = FIELDS
        .iter()
        .map(|f| (f.to_string(), String::new()))
        .collect();
    values.insert("fulfilment".into(), "delivery".into());
    values.insert("payment".into(), "on_delivery".into());
    values.insert("when".into(), "asap".into());
    values.insert("city".into(), "Paris".into());
    let Some(user) = user else { return Ok(values) };
    let (profile, address) = state
        .db
        .run(move |c| -> diesel::QueryResult<_> {
            Ok((
                crate::models::user::profile(c, user)?,
                crate::models::user::addresses(c, user)?.into_iter().next(),
            ))
        })
        .await??;
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
    Ok(values)
}

async fn render(
    state: &AppState,
    visitor: &Visitor,
    csrf: &Csrf,
    values: BTreeMap<String, String>,
    errors: FieldErrors,
    problem: Option<String>,
) -> AppResult<Option<Template>> {
    let data = visitor
        .session
        .as_ref()
        .map(|s| s.data())
        .unwrap_or_default();
    let Some(cart) = load_view(state, data.cart).await? else {
        return Ok(None);
    };
    let t = timing(state, PizzeriaId(cart.pizzeria_id)).await?;
    let layout = Layout::new(visitor, csrf);
    let key = values
        .get("idempotency_key")
        .filter(|k| !k.is_empty())
        .cloned()
        .unwrap_or_else(random_token);
    let summary = error_summary(&errors);
    let ctx = context! {
        layout, cart, values, errors, summary, problem, idempotency_key: key,
        open_now: t.open_now, slots: t.slots, logged_in: visitor.user().is_some(),
    };
    Ok(Some(Template::render("checkout/form", ctx)))
}

/// The refused fields, in the order of the form, with the label a person reads: shown at the
/// top of the page with a link to each field, which on a phone is far below.
fn error_summary(errors: &FieldErrors) -> Vec<(&'static str, &'static str)> {
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

#[get("/checkout")]
async fn show_checkout(state: &State<AppState>, visitor: Visitor, csrf: Csrf) -> AppResult<Reply> {
    let values = prefill(state, visitor.user()).await?;
    match render(state, &visitor, &csrf, values, FieldErrors::default(), None).await? {
        Some(page) => Ok(Reply::Html(page)),
        None => Ok(Reply::Redirect(Redirect::to("/cart"))),
    }
}

/// Today at `minutes` in Paris, as stored (UTC).
fn today_at(minutes: u16) -> Option<NaiveDateTime> {
    let day = hours::paris(Utc::now()).date();
    let local = day.and_hms_opt(u32::from(minutes / 60), u32::from(minutes % 60), 0)?;
    Paris
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc).naive_utc())
}

struct Parsed {
    contact: Contact,
    delivery: Option<Address>,
    desired_at: Option<NaiveDateTime>,
    payment: PaymentMethod,
    save_address: bool,
    key: String,
}

fn parse(
    mut f: RawForm,
    timing: &Timing,
    values: &mut BTreeMap<String, String>,
) -> Result<Parsed, FieldErrors> {
    for name in FIELDS {
        values.insert(name.to_string(), f.text(name));
    }
    let save_address = f.take("save_address").is_some_and(|v| v == "1");
    let v = |name: &str| values[name].as_str();
    let mut e = FieldErrors::default();
    let key = v("idempotency_key").to_string();
    if key.len() != 43
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        e.add("form", "Ce formulaire a expiré : rechargez la page.");
    }
    let delivery = match v("fulfilment") {
        "delivery" => true,
        "pickup" => false,
        _ => {
            e.add(
                "fulfilment",
                "Choisissez la livraison ou le retrait à la pizzeria.",
            );
            false
        }
    };
    let address = if delivery {
        let street = e.check("street", parse_text(v("street"), "L'adresse", 200));
        let postal = e.check("postal_code", parse_postal_code(v("postal_code"), true));
        let city = e.check("city", parse_text(v("city"), "La ville", 80));
        let instructions = e.check(
            "instructions",
            optional_text(v("instructions"), "Les instructions", 500),
        );
        match (street, postal, city, instructions) {
            (Some(street), Some(postal_code), Some(city), Some(instructions)) => Some(Address {
                street,
                postal_code,
                city,
                instructions,
            }),
            _ => None,
        }
    } else {
        None
    };
    let name = e.check("name", parse_text(v("name"), "Le nom", 120));
    let phone = e.check("phone", parse_phone(v("phone")));
    let email = e.check(
        "email",
        parse_email(v("email"))
            .map_err(|_| "Adresse e-mail invalide (ex. : lea@exemple.fr).".to_string()),
    );
    let desired_at = match v("when") {
        "asap" if timing.open_now => Some(None),
        "asap" => {
            e.add(
                "when",
                "La pizzeria est fermée en ce moment : choisissez un créneau.",
            );
            None
        }
        slot if timing.slots.iter().any(|s| s == slot) => hours::parse_hhmm(slot).map(today_at),
        _ => {
            e.add(
                "when",
                "Choisissez « dès que possible » ou un créneau proposé.",
            );
            None
        }
    };
    let payment = match (PaymentMethod::parse(v("payment")), delivery) {
        (Some(PaymentMethod::OnDelivery), true) => Some(PaymentMethod::OnDelivery),
        (Some(PaymentMethod::AtPickup), false) => Some(PaymentMethod::AtPickup),
        _ => {
            e.add(
                "payment",
                if delivery {
                    "Le paiement se fait à la livraison."
                } else {
                    "Le paiement se fait au retrait."
                },
            );
            None
        }
    };
    f.finish(&mut e);
    match (name, phone, email, desired_at, payment, e.is_empty()) {
        (Some(name), Some(phone), Some(email), Some(desired_at), Some(payment), true) => {
            Ok(Parsed {
                contact: Contact { name, phone, email },
                delivery: address,
                desired_at,
                payment,
                save_address,
                key,
            })
        }
        _ => Err(e),
    }
}

#[post("/checkout", data = "<form>")]
async fn place_order(
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let Some(session) = visitor.session.as_ref() else {
        return Ok(Reply::Redirect(Redirect::to("/cart")));
    };
    let cart = session.data().cart;
    let mut values = BTreeMap::new();
    let pizzeria = cart.as_ref().map(|c| c.pizzeria);
    let timing = match pizzeria {
        Some(p) => timing(state, p).await?,
        None => Timing {
            open_now: false,
            slots: Vec::new(),
        },
    };
    let parsed = parse(form.0, &timing, &mut values);
    let Some(cart) = cart.filter(|c| !c.is_empty()) else {
        // Already placed (the cart was emptied by the order): a resubmission finds its order.
        if let Some(key) = values.get("idempotency_key").cloned() {
            if let Some(token) = state
                .db
                .run(move |c| orders::placed_with(c, &key))
                .await??
            {
                return Ok(Reply::Redirect(Redirect::to(format!("/orders/{token}"))));
            }
        }
        // Another tab placed this cart (or emptied it) after this form was shown.
        return Err(AppError::Conflict(
            "Votre panier est vide : cette commande a peut-être déjà été passée depuis un autre onglet. \
             Retrouvez-la dans l'e-mail de confirmation ou dans « Mes commandes »."
                .into(),
        ));
    };
    let p = match parsed {
        Ok(p) => p,
        Err(errors) => {
            let page = render(state, &visitor, &csrf, values, errors, None)
                .await?
                .ok_or_else(|| AppError::Conflict("Votre panier est vide.".into()))?;
            return Ok(Reply::Invalid(page));
        }
    };
    let checkout = Checkout {
        pizzeria: cart.pizzeria,
        lines: cart.lines.clone(),
        contact: p.contact,
        delivery: p.delivery,
        desired_at: p.desired_at,
        payment: p.payment,
        channel: Channel::Web,
        user: visitor.user(),
        save_address: p.save_address && visitor.user().is_some(),
        idempotency_key: p.key,
        session_id: Some(session.id.clone()),
    };
    match state.db.run(move |c| orders::place(c, &checkout)).await? {
        Ok(placed) => Ok(Reply::Redirect(Redirect::to(format!(
            "/orders/{}",
            placed.token
        )))),
        Err(OrderError::Db(e)) => Err(e.into()),
        Err(e) => {
            let page = render(
                state,
                &visitor,
                &csrf,
                values,
                FieldErrors::default(),
                Some(e.message()),
            )
            .await?;
            page.map(Reply::Conflict)
                .ok_or_else(|| AppError::Conflict(e.message()))
        }
    }
}
