//! The tracking page of an order (no login: its unguessable token is the key), live by SSE;
//! modify or cancel it while the kitchen has not started.

use super::form::{FieldErrors, Posted};
use super::session::{Csrf, Visitor};
use super::{Layout, Reply};
use crate::domain::cart::{CartLine, MAX_QTY_PER_LINE};
use crate::domain::contact::parse_quantity;
use crate::domain::ids::{OrderId, PizzeriaId, ProductId};
use crate::domain::money::Money;
use crate::domain::order::{Fulfilment, OrderStatus, PaymentMethod, PaymentStatus};
use crate::error::{AppError, AppResult};
use crate::live::LiveEvent;
use crate::models::order::{self as rows, OrderRow};
use crate::models::pizzeria::Pizzeria;
use crate::models::{menu, order};
use crate::services::orders::{self, OrderError};
use crate::state::AppState;
use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Europe::Paris;
use rocket::response::stream::{Event, EventStream};
use rocket::response::Redirect;
use rocket::serde::Serialize;
use rocket::tokio::select;
use rocket::tokio::sync::broadcast::error::RecvError;
use rocket::{get, post, routes, Route, Shutdown, State};
use rocket_dyn_templates::{context, Metadata, Template};
use std::collections::HashMap;
use std::time::Duration;

pub fn routes() -> Vec<Route> {
    routes![
        show_order,
        order_events,
        edit_order,
        modify_order,
        cancel_order
    ]
}

/// Paris time, the French way: 25/11/2026 19:30.
pub fn french_time(utc: NaiveDateTime) -> String {
    Paris
        .from_utc_datetime(&utc)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

fn not_found() -> AppError {
    AppError::NotFound("Cette commande est introuvable. Vérifiez le lien reçu par e-mail.".into())
}

fn valid_token(token: &str) -> Result<&str, AppError> {
    let ok = token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(token).ok_or_else(not_found)
}

#[derive(Serialize)]
struct StatusView {
    token: String,
    status: &'static str,
    label: &'static str,
    may_change: bool,
    timeline: Vec<Step>,
}

#[derive(Serialize)]
struct Step {
    label: String,
    at: String,
    reason: Option<String>,
}

#[derive(Serialize)]
struct LineView {
    name: String,
    qty: i32,
    unit: String,
    subtotal: String,
}

#[derive(Serialize)]
struct OrderView {
    token: String,
    number: i64,
    pizzeria: String,
    pizzeria_phone: String,
    placed_at: String,
    delivery: bool,
    address: Option<String>,
    instructions: Option<String>,
    when: String,
    payment: &'static str,
    payment_status: &'static str,
    total: String,
    lines: Vec<LineView>,
}

struct Loaded {
    order: OrderRow,
    lines: Vec<order::OrderLine>,
    events: Vec<order::OrderEventRow>,
    pizzeria: Option<Pizzeria>,
}

/// The order, its lines and its events as of one moment: the status and the timeline always
/// agree (a status change committing between two reads must not show a started order with its
/// cancel button).
fn load(c: &mut crate::db::DbConn, token: &str) -> diesel::QueryResult<Option<Loaded>> {
    crate::db::read_snapshot(c, |c| {
        let Some(order) = rows::by_token(c, token)? else {
            return Ok(None);
        };
        Ok(Some(Loaded {
            lines: rows::lines(c, order.oid())?,
            events: rows::events(c, order.oid())?,
            pizzeria: Pizzeria::find_active(c, PizzeriaId(order.pizzeria_id))?,
            order,
        }))
    })
}

fn status_view(l: &Loaded) -> StatusView {
    let status = l.order.status();
    StatusView {
        token: l.order.token.clone(),
        status: status.as_str(),
        label: status.label(),
        may_change: status.customer_may_change(),
        timeline: l
            .events
            .iter()
            .map(|e| Step {
                label: match (&e.from_status, OrderStatus::parse(&e.to_status)) {
                    (Some(from), Some(to)) if *from == e.to_status => {
                        format!("{} (modifiée)", to.label())
                    }
                    (_, Some(to)) => to.label().to_string(),
                    _ => e.to_status.clone(),
                },
                at: french_time(e.created_at),
                reason: e.reason.clone(),
            })
            .collect(),
    }
}

fn order_view(l: &Loaded) -> OrderView {
    let o = &l.order;
    let delivery = o.fulfilment == Fulfilment::Delivery.as_str();
    OrderView {
        token: o.token.clone(),
        number: o.id,
        pizzeria: l
            .pizzeria
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        pizzeria_phone: l
            .pizzeria
            .as_ref()
            .map(|p| p.phone.clone())
            .unwrap_or_default(),
        placed_at: french_time(o.created_at),
        delivery,
        address: delivery.then(|| {
            format!(
                "{}, {} {}",
                o.delivery_street.clone().unwrap_or_default(),
                o.delivery_postal_code.clone().unwrap_or_default(),
                o.delivery_city.clone().unwrap_or_default()
            )
        }),
        instructions: o.delivery_instructions.clone(),
        when: o.desired_at.map_or_else(
            || "Dès que possible".to_string(),
            |t| format!("Vers {}", &french_time(t)[11..]),
        ),
        payment: PaymentMethod::parse(&o.payment_method).map_or("", |m| m.label()),
        payment_status: PaymentStatus::parse(&o.payment_status).map_or("", |s| s.label()),
        total: Money::from_cents(o.total_cents).to_string(),
        lines: l
            .lines
            .iter()
            .map(|x| LineView {
                name: x.product_name.clone(),
                qty: x.quantity,
                unit: Money::from_cents(x.unit_price_cents).to_string(),
                subtotal: Money::from_cents(x.unit_price_cents * i64::from(x.quantity)).to_string(),
            })
            .collect(),
    }
}

async fn fetch(state: &AppState, token: &str) -> AppResult<Loaded> {
    let token = valid_token(token)?.to_string();
    state
        .db
        .run(move |c| load(c, &token))
        .await??
        .ok_or_else(not_found)
}

#[get("/orders/<token>")]
async fn show_order(
    token: &str,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let loaded = fetch(state, token).await?;
    let live_after = loaded.events.last().map_or(0, |e| e.id);
    let ctx = context! { layout: Layout::new(&visitor, &csrf), order: order_view(&loaded), s: status_view(&loaded), live_after };
    Ok(Template::render("orders/show", ctx))
}

/// `after`: the newest event the page showed; when nothing happened since, the stream starts
/// silent (re-sending the status would replace the buttons under the finger).
#[get("/orders/<token>/events?<after>")]
async fn order_events<'r>(
    token: &'r str,
    after: Option<i64>,
    state: &'r State<AppState>,
    md: Metadata<'r>,
    csrf: Csrf,
    mut end: Shutdown,
) -> AppResult<EventStream![Event + 'r]> {
    let mut rx = state.hub.subscribe();
    let first = fetch(state, token).await?;
    let id: OrderId = first.order.oid();
    let render = move |l: &Loaded, csrf: &str| -> Option<Event> {
        let (_, html) = md.render(
            "orders/_status",
            context! { s: status_view(l), layout: context! { csrf } },
        )?;
        Some(Event::data(html.trim().to_string()).event("status"))
    };
    let newest = |l: &Loaded| l.events.last().map_or(0, |e| e.id);
    let unchanged = after.is_some_and(|a| newest(&first) <= a);
    Ok(EventStream! {
        // The newest event the browser shows: an event it already shows is not sent again.
        let mut shown = if unchanged { newest(&first) } else { -1 };
        if shown != newest(&first) {
            shown = newest(&first);
            if let Some(e) = render(&first, &csrf.0) {
                yield e;
            }
        }
        loop {
            select! {
                message = rx.recv() => match message {
                    Ok(LiveEvent::Order { order }) if order == id => {}
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                },
                _ = &mut end => break,
            }
            let Ok(loaded) = fetch(state, token).await else { break };
            if newest(&loaded) == shown {
                continue;
            }
            shown = newest(&loaded);
            if let Some(e) = render(&loaded, &csrf.0) {
                yield e;
            }
        }
    }
    .heartbeat(Duration::from_secs(15)))
}

#[derive(Serialize)]
struct EditLine {
    product_id: i64,
    name: String,
    kind: String,
    price: String,
    qty: u32,
    /// What the field shows: the typed value after an error, else the ordered quantity.
    value: String,
    left: i64,
    /// The French message next to the field, if its value was refused.
    error: Option<String>,
}

async fn edit_page(
    state: &AppState,
    visitor: &Visitor,
    csrf: &Csrf,
    loaded: Loaded,
    typed: Option<(HashMap<i64, String>, FieldErrors)>,
    problem: Option<String>,
) -> AppResult<Template> {
    let p = PizzeriaId(loaded.order.pizzeria_id);
    let (products, counts) = state
        .db
        .run(move |c| -> diesel::QueryResult<_> {
            Ok((menu::products(c, p)?, menu::counts(c, p)?))
        })
        .await??;
    let ordered: HashMap<i64, u32> = loaded
        .lines
        .iter()
        .map(|l| (l.product_id, l.quantity as u32))
        .collect();
    let mut lines: Vec<EditLine> = products
        .into_iter()
        .map(|m| EditLine {
            product_id: m.id.0,
            qty: ordered.get(&m.id.0).copied().unwrap_or(0),
            value: String::new(),
            error: None,
            left: counts.get(&m.id).copied().unwrap_or(0)
                + i64::from(ordered.get(&m.id.0).copied().unwrap_or(0)),
            name: m.name,
            kind: m.kind,
            price: m.price.to_string(),
        })
        .collect();
    // Lines of products no longer on the menu still show, so they can be removed.
    let on_menu: std::collections::HashSet<i64> = lines.iter().map(|x| x.product_id).collect();
    for l in loaded
        .lines
        .iter()
        .filter(|l| !on_menu.contains(&l.product_id))
    {
        lines.push(EditLine {
            product_id: l.product_id,
            name: l.product_name.clone(),
            kind: "autre".into(),
            price: Money::from_cents(l.unit_price_cents).to_string(),
            qty: l.quantity as u32,
            value: String::new(),
            error: None,
            left: i64::from(l.quantity),
        });
    }
    let (typed, errors) = typed.unwrap_or_default();
    for line in &mut lines {
        line.value = typed
            .get(&line.product_id)
            .cloned()
            .unwrap_or_else(|| line.qty.to_string());
        line.error = errors
            .get(&format!("qty{}", line.product_id))
            .map(str::to_string);
    }
    let ctx = context! { layout: Layout::new(visitor, csrf), order: order_view(&loaded), lines, problem, max: MAX_QTY_PER_LINE };
    Ok(Template::render("orders/edit", ctx))
}

#[get("/orders/<token>/edit")]
async fn edit_order(
    token: &str,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Reply> {
    let loaded = fetch(state, token).await?;
    if !loaded.order.status().customer_may_change() {
        return Ok(Reply::Redirect(Redirect::to(format!(
            "/orders/{}",
            loaded.order.token
        ))));
    }
    Ok(Reply::Html(
        edit_page(state, &visitor, &csrf, loaded, None, None).await?,
    ))
}

/// Why the customer can no longer change an order, from what it has become.
fn too_late(now: OrderStatus) -> AppError {
    let why = match now {
        OrderStatus::Cancelled => "Cette commande est annulée : elle ne peut plus être modifiée.",
        s if s.is_terminal() => "Cette commande est terminée : elle ne peut plus être modifiée ni annulée.",
        _ => "La préparation a commencé : la commande ne peut plus être modifiée ni annulée en ligne. Appelez la pizzeria si besoin.",
    };
    AppError::Conflict(why.into())
}

/// The same, after a service refused: the order changed meanwhile, read what it is now.
async fn too_late_now(state: &AppState, token: &str) -> AppError {
    match fetch(state, token).await {
        Ok(loaded) => too_late(loaded.order.status()),
        Err(e) => e,
    }
}

#[post("/orders/<token>/edit", data = "<form>")]
async fn modify_order(
    token: &str,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let loaded = fetch(state, token).await?;
    if !loaded.order.status().customer_may_change() {
        return Err(too_late(loaded.order.status()));
    }
    let Posted(mut f) = form;
    let mut errors = FieldErrors::default();
    let mut typed = HashMap::new();
    let mut lines = Vec::new();
    for (key, raw) in f.take_indexed("qty") {
        let Ok(product) = ProductId::parse(&key) else {
            errors.add("form", "Produit inconnu.");
            continue;
        };
        typed.insert(product.0, raw.clone());
        match parse_quantity(&raw, 0, MAX_QTY_PER_LINE) {
            Ok(0) => {}
            Ok(qty) if lines.iter().all(|l: &CartLine| l.product != product) => {
                lines.push(CartLine { product, qty })
            }
            Ok(_) => errors.add("form", "Un produit apparaît deux fois."),
            Err(m) => errors.add(&format!("qty{}", product.0), m),
        }
    }
    f.finish(&mut errors);
    if !errors.is_empty() {
        let problem = errors
            .get("form")
            .unwrap_or("Corrigez les quantités signalées.")
            .to_string();
        let page = edit_page(
            state,
            &visitor,
            &csrf,
            loaded,
            Some((typed, errors)),
            Some(problem),
        );
        return Ok(Reply::Invalid(page.await?));
    }
    let t = loaded.order.token.clone();
    match state.db.run(move |c| orders::modify(c, &t, &lines)).await? {
        Ok(()) => Ok(Reply::Redirect(Redirect::to(format!(
            "/orders/{}",
            loaded.order.token
        )))),
        Err(OrderError::Transition(_)) => Err(too_late_now(state, token).await),
        Err(OrderError::Db(e)) => Err(e.into()),
        Err(OrderError::EmptyCart) => {
            let problem = Some("Pour tout retirer, annulez la commande.".to_string());
            let typed = Some((typed, FieldErrors::default()));
            Ok(Reply::Invalid(
                edit_page(state, &visitor, &csrf, loaded, typed, problem).await?,
            ))
        }
        Err(e) => Ok(Reply::Conflict(
            edit_page(
                state,
                &visitor,
                &csrf,
                loaded,
                Some((typed, FieldErrors::default())),
                Some(e.message()),
            )
            .await?,
        )),
    }
}

#[post("/orders/<token>/cancel", data = "<form>")]
async fn cancel_order(token: &str, state: &State<AppState>, form: Posted) -> AppResult<Redirect> {
    let token = valid_token(token)?.to_string();
    let mut errors = FieldErrors::default();
    form.0.finish(&mut errors);
    if let Some(m) = errors.first() {
        return Err(AppError::Invalid(m.to_string()));
    }
    let t = token.clone();
    match state
        .db
        .run(move |c| orders::cancel_by_customer(c, &t))
        .await?
    {
        Ok(()) => Ok(Redirect::to(format!("/orders/{token}"))),
        Err(OrderError::NotFound) => Err(not_found()),
        Err(OrderError::Transition(_)) => Err(too_late_now(state, &token).await),
        Err(OrderError::Db(e)) => Err(e.into()),
        Err(e) => Err(AppError::Conflict(e.message())),
    }
}
