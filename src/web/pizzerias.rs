//! Choosing a pizzeria and reading its menu, with availability kept live by SSE.

use crate::domain::hours::{self, Slot};
use crate::domain::ids::{InvalidId, PizzeriaId, ProductId};
use crate::domain::stock::Availability;
use crate::error::{AppError, AppResult};
use crate::live::menu_cache::{Lookup, MenuSnapshot};
use crate::live::LiveEvent;
use crate::models::menu::{self, Counts, MenuProduct};
use crate::models::pizzeria::{self, Pizzeria};
use crate::state::AppState;
use crate::web::session::{Csrf, Visitor};
use crate::web::Layout;
use chrono::Utc;
use rocket::response::stream::{Event, EventStream};
use rocket::serde::Serialize;
use rocket::tokio::select;
use rocket::tokio::sync::broadcast::error::RecvError;
use rocket::{get, routes, Route, Shutdown, State};
use rocket_dyn_templates::{context, Metadata, Template};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub fn routes() -> Vec<Route> {
    routes![list_pizzerias, show_menu, menu_events]
}

#[derive(Serialize)]
struct PizzeriaView {
    id: i64,
    name: String,
    street: String,
    postal_code: String,
    city: String,
    phone: String,
    open_now: bool,
    hours: Vec<DayView>,
}

#[derive(Serialize)]
struct DayView {
    day: &'static str,
    text: String,
    today: bool,
}

fn pizzeria_view(p: Pizzeria, slots: &[Slot]) -> PizzeriaView {
    let local = hours::paris(Utc::now());
    let today = hours::WEEKDAYS[chrono::Datelike::weekday(&local).num_days_from_monday() as usize];
    PizzeriaView {
        id: p.id,
        open_now: hours::is_open(slots, local),
        hours: hours::weekly_summary(slots)
            .into_iter()
            .map(|(day, text)| DayView {
                day,
                text,
                today: day == today,
            })
            .collect(),
        name: p.name,
        street: p.street,
        postal_code: p.postal_code,
        city: p.city,
        phone: p.phone,
    }
}

#[get("/")]
async fn list_pizzerias(
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let (list, mut slots) = state
        .db
        .run(|c| -> diesel::QueryResult<_> {
            let list = Pizzeria::list_active(c)?;
            let ids: Vec<i64> = list.iter().map(|p| p.id).collect();
            Ok((list, pizzeria::opening_slots(c, &ids)?))
        })
        .await??;
    let pizzerias: Vec<PizzeriaView> = list
        .into_iter()
        .map(|p| {
            let s = slots.remove(&p.id).unwrap_or_default();
            pizzeria_view(p, &s)
        })
        .collect();
    let layout = Layout::new(&visitor, &csrf);
    Ok(Template::render(
        "pizzerias/index",
        context! { layout, pizzerias },
    ))
}

#[derive(Serialize)]
struct AvailabilityView {
    state: &'static str,
    label: String,
    orderable: bool,
}

fn availability_view(a: Availability) -> AvailabilityView {
    let state = match a {
        Availability::Available => "available",
        Availability::Few(_) => "few",
        Availability::SoldOut => "soldout",
    };
    AvailabilityView {
        state,
        label: a.to_string(),
        orderable: a.orderable(),
    }
}

#[derive(Serialize)]
struct ProductView {
    id: i64,
    name: String,
    description: String,
    price: String,
    availability: AvailabilityView,
}

#[derive(Serialize)]
struct SectionView {
    title: &'static str,
    products: Vec<ProductView>,
}

fn sections(products: Vec<MenuProduct>, counts: &Counts, few: i64) -> Vec<SectionView> {
    let mut out: Vec<SectionView> = ["Pizzas", "Boissons", "Desserts"]
        .into_iter()
        .map(|title| SectionView {
            title,
            products: Vec::new(),
        })
        .collect();
    for p in products {
        let index = match p.kind.as_str() {
            "pizza" => 0,
            "drink" => 1,
            _ => 2,
        };
        let count = counts.get(&p.id).copied().unwrap_or(0);
        out[index].products.push(ProductView {
            id: p.id.0,
            availability: availability_view(Availability::from_count(count, few)),
            price: p.price.to_string(),
            name: p.name,
            description: p.description,
        });
    }
    out.retain(|s| !s.products.is_empty());
    out
}

/// What a menu page shows of availability, as a short text that any process computes the same
/// way. Its stream compares it with the database: equal means the page is up to date (whatever
/// order concurrent ledger rows committed in).
fn availability_version<'a>(
    products: impl Iterator<Item = &'a ProductId>,
    counts: &Counts,
    few: i64,
) -> String {
    use sha2::{Digest, Sha256};
    let mut ids: Vec<ProductId> = products.copied().collect();
    ids.sort();
    let mut hash = Sha256::new();
    for id in ids {
        let a = Availability::from_count(counts.get(&id).copied().unwrap_or(0), few);
        hash.update(format!("{id}:{a:?};"));
    }
    hash.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn not_found_pizzeria() -> AppError {
    AppError::NotFound("Cette pizzeria n'existe pas. Choisissez-en une dans la liste.".into())
}

/// Stands for the visitor's CSRF token in a product list rendered once for everybody.
const CSRF_PLACEHOLDER: &str = "__CSRF_TOKEN__";

#[get("/pizzerias/<id>")]
async fn show_menu(
    id: Result<PizzeriaId, InvalidId>,
    state: &State<AppState>,
    md: Metadata<'_>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let id = id.map_err(|_| not_found_pizzeria())?;
    let menu = match state.hub.menus.get(id) {
        Lookup::Fresh(menu) | Lookup::Stale(menu) => menu,
        Lookup::Load(generation) => {
            let read = state
                .db
                .run(move |c| -> diesel::QueryResult<_> {
                    let Some(p) = Pizzeria::find_active(c, id)? else {
                        return Ok(None);
                    };
                    let slots = pizzeria::opening_slots(c, &[p.id])?
                        .remove(&p.id)
                        .unwrap_or_default();
                    let (products, counts) = (menu::products(c, id)?, menu::counts(c, id)?);
                    Ok(Some(MenuSnapshot::new(p, slots, products, counts)))
                })
                .await??;
            let Some(read) = read else {
                state.hub.menus.remove(id);
                return Err(not_found_pizzeria());
            };
            let snapshot = Arc::new(read);
            state.hub.menus.put(id, snapshot.clone(), generation);
            snapshot
        }
    };
    let pizzeria = pizzeria_view(menu.pizzeria.clone(), &menu.slots);
    // The product list is the same for every visitor but for the CSRF token: render it once
    // per snapshot, then put each visitor's token in.
    let list = match menu.html.get() {
        Some(html) => html,
        None => {
            let few = state.settings.few_left_threshold;
            let sections = sections(menu.products.clone(), &menu.counts, few);
            let layout = context! { csrf: CSRF_PLACEHOLDER };
            let ctx = context! { layout, pizzeria: &pizzeria, sections };
            let (_, html) = md
                .render("pizzerias/_sections", ctx)
                .ok_or_else(|| AppError::Internal("menu template failed to render".into()))?;
            menu.html.get_or_init(|| html)
        }
    };
    let layout = Layout::new(&visitor, &csrf);
    let sections_html = list.replace(CSRF_PLACEHOLDER, &layout.csrf);
    let live_version = menu.version.get_or_init(|| {
        availability_version(
            menu.products.iter().map(|p| &p.id),
            &menu.counts,
            state.settings.few_left_threshold,
        )
    });
    Ok(Template::render(
        "pizzerias/menu",
        context! { layout, pizzeria, sections_html, live_version },
    ))
}

/// Renders the availability fragments of the products whose availability changed since the
/// last events sent on this stream.
fn changed_fragments(
    md: &Metadata<'_>,
    page: &StreamPage,
    sent: &mut HashMap<ProductId, Availability>,
    counts: &Counts,
) -> Vec<Event> {
    let few = page.few;
    let mut events = Vec::new();
    let mut ids: Vec<ProductId> = counts.keys().chain(sent.keys()).copied().collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        let now = Availability::from_count(counts.get(&id).copied().unwrap_or(0), few);
        if sent.get(&id) == Some(&now) {
            continue;
        }
        sent.insert(id, now);
        let a = availability_view(now);
        let name = page.names.get(&id).map_or("", String::as_str);
        let layout = context! { csrf: &page.csrf };
        let ctx = context! { a, layout, name, product_id: id.0, pizzeria_id: page.pizzeria.0 };
        if let Some((_, html)) = md.render("pizzerias/_availability", ctx) {
            events.push(Event::data(html.trim().to_string()).event(format!("product-{id}")));
        }
    }
    events
}

/// What a menu stream renders its fragments with.
struct StreamPage {
    pizzeria: PizzeriaId,
    csrf: String,
    few: i64,
    names: HashMap<ProductId, String>,
}

/// `v`: the availability version the page was rendered with. When the database still gives
/// the same, the stream starts silent (re-sending every fragment would replace buttons under
/// the finger); otherwise it brings every product up to date.
#[get("/pizzerias/<id>/events?<v>")]
async fn menu_events<'r>(
    id: Result<PizzeriaId, InvalidId>,
    v: Option<&str>,
    state: &'r State<AppState>,
    md: Metadata<'r>,
    csrf: Csrf,
    mut end: Shutdown,
) -> AppResult<EventStream![Event + 'r]> {
    let id = id.map_err(|_| not_found_pizzeria())?;
    // Subscribe before reading, so no change can fall between the read and the stream.
    let mut rx = state.hub.subscribe();
    let load =
        move |db: crate::state::Db| async move { db.run(move |c| menu::counts(c, id)).await };
    // An up-to-date cached menu saves the queries: a change it misses was committed before the
    // tailer's next tick, which reaches this stream since it subscribed first.
    let (products, initial) = match state.hub.menus.fresh(id) {
        Some(menu) => (menu.products.clone(), menu.counts.clone()),
        None => state
            .db
            .run(move |c| -> diesel::QueryResult<_> {
                let Some(_) = Pizzeria::find_active(c, id)? else {
                    return Ok(None);
                };
                Ok(Some((menu::products(c, id)?, menu::counts(c, id)?)))
            })
            .await??
            .ok_or_else(not_found_pizzeria)?,
    };
    let few = state.settings.few_left_threshold;
    let unchanged =
        v.is_some_and(|v| v == availability_version(products.iter().map(|p| &p.id), &initial, few));
    let page = StreamPage {
        pizzeria: id,
        csrf: csrf.0,
        few,
        names: products.into_iter().map(|p| (p.id, p.name)).collect(),
    };
    let db = state.db.clone();
    Ok(EventStream! {
        // A (re)connecting browser whose page is out of date gets the state from the database,
        // never an old broadcast.
        let mut sent: HashMap<ProductId, Availability> = HashMap::new();
        if unchanged {
            sent.extend(initial.iter().map(|(p, n)| (*p, Availability::from_count(*n, page.few))));
        }
        for event in changed_fragments(&md, &page, &mut sent, &initial) {
            yield event;
        }
        loop {
            let counts = select! {
                message = rx.recv() => match message {
                    Ok(LiveEvent::Stock { pizzeria, counts }) if pizzeria == id => (*counts).clone(),
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => match load(db.clone()).await {
                        Ok(Ok(counts)) => counts,
                        _ => break,
                    },
                    Err(RecvError::Closed) => break,
                },
                _ = &mut end => break,
            };
            for event in changed_fragments(&md, &page, &mut sent, &counts) {
                yield event;
            }
        }
    }
    .heartbeat(Duration::from_secs(15)))
}
