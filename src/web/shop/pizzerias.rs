//! Choosing a pizzeria and reading its menu, with availability kept live by SSE.

use super::views::menu::{availability_view, sections};
use crate::db::Db;
use crate::domain::checkout::OrderWindow;
use crate::domain::hours::{self, Slot};
use crate::domain::ids::{InvalidId, PizzeriaId, ProductId};
use crate::domain::stock::Availability;
use crate::live::menu_cache::{Lookup, MenuPage, MenuSnapshot};
use crate::live::shared_html::{Fragments, SharedHtml};
use crate::live::LiveEvent;
use crate::models::menu::{self, Counts, MenuProduct};
use crate::models::pizzeria::{self, Pizzeria};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::glance::Glance;
use crate::web::guards::{Csrf, Visitor};
use crate::web::headers::IfNoneMatch;
use crate::web::layout::Layout;
use crate::web::stream::{live_stream, LivePage, Subscription};
use chrono::Utc;
use rocket::http::Header;
use rocket::response::content::RawHtml;
use rocket::response::stream::{Event, EventStream};
use rocket::serde::Serialize;
use rocket::{get, routes, Route, Shutdown, State};
use rocket_dyn_templates::{context, Metadata, Template};
use std::collections::HashMap;
use std::sync::Arc;

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
        id: p.id.0,
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
    let directory = state.db.run(pizzeria::directory).await??;
    let pizzerias: Vec<PizzeriaView> = directory
        .into_iter()
        .map(|(p, slots)| pizzeria_view(p, &slots))
        .collect();
    let layout = Layout::new(&visitor, &csrf);
    Ok(Template::render(
        "pizzerias/index",
        context! { layout, pizzerias },
    ))
}

/// What the "Ajouter" buttons of a menu say, from when the pizzeria takes orders.
#[derive(Serialize, Clone)]
struct OrderView {
    /// "open", "later" or "closed".
    state: &'static str,
    button: String,
    note: Option<String>,
}

fn order_view(slots: &[Slot]) -> OrderView {
    match OrderWindow::at(slots, Utc::now()) {
        OrderWindow::Open => OrderView {
            state: "open",
            button: "Ajouter".into(),
            note: None,
        },
        OrderWindow::LaterToday(from) => OrderView {
            state: "later",
            button: "Ajouter".into(),
            note: Some(format!("commandez pour plus tard, à partir de {from}")),
        },
        OrderWindow::Closed(when) => OrderView {
            state: "closed",
            button: when
                .as_ref()
                .map_or_else(|| "Fermée".to_string(), |w| format!("Ouvre {w}")),
            note: when.map(|w| format!("ouvre {w}")),
        },
    }
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

/// Stand for the visitor's own parts in a menu page rendered once for everybody: the CSRF token,
/// the header's part about the visitor, the cart summary (the order of `MenuPage::html`'s gaps).
const CSRF_PLACEHOLDER: &str = "__CSRF_TOKEN__";
const NAV_GAP: &str = "<!--visitor-nav-->";
const CART_GAP: &str = "<!--visitor-cart-->";

/// The pizzeria's menu from the cache, or read once for everybody.
async fn menu_snapshot(state: &AppState, id: PizzeriaId) -> AppResult<Arc<MenuSnapshot>> {
    let generation = match state.hub.menus.get(id) {
        Lookup::Fresh(menu) | Lookup::Stale(menu) => return Ok(menu),
        Lookup::Load(generation) => generation,
    };
    let Some(read) = state.db.run(move |c| menu::read_menu(c, id)).await?? else {
        state.hub.menus.remove(id);
        return Err(not_found_pizzeria());
    };
    let snapshot = Arc::new(MenuSnapshot::new(
        read.pizzeria,
        read.slots,
        read.products,
        read.counts,
        read.allergens,
    ));
    state.hub.menus.put(id, snapshot.clone(), generation);
    Ok(snapshot)
}

/// The menu page is the same for every visitor but for their token, header and cart summary:
/// rendered once per snapshot, cut where those go.
fn menu_page<'m>(md: &Metadata<'_>, menu: &'m MenuSnapshot, few: i64) -> AppResult<&'m MenuPage> {
    if let Some(page) = menu.page.get() {
        return Ok(page);
    }
    let pizzeria = pizzeria_view(menu.pizzeria.clone(), &menu.slots);
    let sections = sections(menu, few);
    let layout = context! { csrf: CSRF_PLACEHOLDER, nav_gap: NAV_GAP, cart_gap: CART_GAP };
    let order = order_view(&menu.slots);
    let live_version = menu.version.get_or_init(|| {
        availability_version(menu.products.iter().map(|p| &p.id), &menu.counts, few)
    });
    let ctx = context! { layout, pizzeria, sections, order, live_version };
    let (_, html) = md
        .render("pizzerias/menu", ctx)
        .ok_or_else(|| AppError::internal("menu template failed to render"))?;
    let page = MenuPage::cut(&html, [CSRF_PLACEHOLDER, NAV_GAP, CART_GAP]);
    // Every value of the template is escaped: the gaps can only be the ones the layout wrote.
    if page.html.count(1) != 1 || page.html.count(2) != 1 {
        return Err(AppError::internal(
            "the menu page must show the header and cart once",
        ));
    }
    Ok(menu.page.get_or_init(|| page))
}

/// The visitor's own parts of a menu page, rendered from the same templates as every other
/// page's.
fn visitor_parts(md: &Metadata<'_>, layout: &Layout) -> AppResult<(String, String)> {
    let part = |name: &'static str| {
        md.render(name, context! { layout })
            .map(|(_, html)| html)
            .ok_or_else(|| AppError::internal(format!("template {name} missing")))
    };
    Ok((part("_visitor_nav")?, part("cart/_summary")?))
}

/// A menu page, or "not modified" when the browser holds these very bytes.
#[derive(rocket::Responder)]
enum MenuReply {
    Page(RawHtml<String>, Header<'static>, Header<'static>),
    #[response(status = 304)]
    NotModified((), Header<'static>, Header<'static>),
}

#[get("/pizzerias/<id>")]
async fn show_menu(
    id: Result<PizzeriaId, InvalidId>,
    state: &State<AppState>,
    md: Metadata<'_>,
    glance: Glance,
    csrf: Csrf,
    held: IfNoneMatch,
) -> AppResult<MenuReply> {
    let id = id.map_err(|_| not_found_pizzeria())?;
    let menu = menu_snapshot(state, id).await?;
    let page = menu_page(&md, &menu, state.settings.few_left_threshold)?;
    let layout = Layout::of_glance(&glance, &csrf);
    let (nav, cart) = visitor_parts(&md, &layout)?;
    let values = [layout.csrf.as_str(), nav.as_str(), cart.as_str()];
    let etag = page.etag_for(&values);
    // A guest's page may be kept by the browser, asking each time whether it changed; the
    // page of a visitor with a session is kept by none (web::headers).
    let cache = Header::new("Cache-Control", "private, no-cache");
    if held.matches(&etag) {
        return Ok(MenuReply::NotModified((), Header::new("ETag", etag), cache));
    }
    let mut html = String::with_capacity(page.html.len_filled(&values));
    page.html.write_filled(&values, &mut html);
    Ok(MenuReply::Page(
        RawHtml(html),
        Header::new("ETag", etag),
        cache,
    ))
}

/// An open menu: the availability badge of each product, as last sent.
struct LiveMenu<'r> {
    md: Metadata<'r>,
    db: Db,
    pizzeria: PizzeriaId,
    slots: Vec<Slot>,
    csrf: String,
    few: i64,
    names: HashMap<ProductId, String>,
    sent: HashMap<ProductId, Availability>,
}

impl LiveMenu<'_> {
    /// The fragments of the products whose availability differs from what was sent, each
    /// rendered once per event for every stream (`fragments`), with this stream's token.
    fn changed(&mut self, counts: &Counts, fragments: &Fragments) -> Vec<Event> {
        let mut ids: Vec<ProductId> = counts.keys().chain(self.sent.keys()).copied().collect();
        ids.sort();
        ids.dedup();
        let order = order_view(&self.slots);
        let mut events = Vec::new();
        for id in ids {
            let now = Availability::from_count(counts.get(&id).copied().unwrap_or(0), self.few);
            if self.sent.insert(id, now) == Some(now) {
                continue;
            }
            let name = self.names.get(&id).map_or("", String::as_str);
            // Everything the fragment shows but the token.
            let key = format!(
                "{id}|{now:?}|{}|{}|{:?}|{name}",
                order.state, order.button, order.note
            );
            let html = fragments.get_or_render(key, || {
                let a = availability_view(now);
                let layout = context! { csrf: CSRF_PLACEHOLDER };
                let ctx = context! {
                    a, layout, name, order: &order, product_id: id.0, pizzeria_id: self.pizzeria.0,
                };
                let (_, html) = self.md.render("pizzerias/_availability", ctx)?;
                Some(SharedHtml::cut(html.trim(), CSRF_PLACEHOLDER))
            });
            if let Some(html) = html {
                events.push(Event::data(html.with(&self.csrf)).event(format!("product-{id}")));
            }
        }
        events
    }
}

impl LivePage for LiveMenu<'_> {
    fn concerns(&self, event: &LiveEvent) -> bool {
        matches!(event, LiveEvent::Stock { pizzeria, .. } if *pizzeria == self.pizzeria)
    }

    async fn update(&mut self, event: Option<&LiveEvent>) -> Result<Vec<Event>, ()> {
        if let Some(LiveEvent::Stock {
            counts, fragments, ..
        }) = event
        {
            return Ok(self.changed(counts, fragments));
        }
        let p = self.pizzeria;
        match self.db.run(move |c| menu::counts(c, p)).await {
            Ok(Ok(counts)) => Ok(self.changed(&counts, &Fragments::default())),
            _ => Err(()),
        }
    }
}

/// The products and counts a stream starts from: an up-to-date cached menu saves the queries
/// (a change it misses was committed before the tailer's next tick, which reaches the stream
/// since it subscribed first).
async fn stream_start(state: &AppState, id: PizzeriaId) -> AppResult<StreamStart> {
    if let Some(menu) = state.hub.menus.fresh(id) {
        return Ok((
            menu.products.clone(),
            menu.counts.clone(),
            menu.slots.clone(),
        ));
    }
    let read = state.db.run(move |c| menu::read_menu(c, id)).await??;
    let read = read.ok_or_else(not_found_pizzeria)?;
    Ok((read.products, read.counts, read.slots))
}

type StreamStart = (Vec<MenuProduct>, Counts, Vec<Slot>);

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
    end: Shutdown,
) -> AppResult<EventStream![Event + 'r]> {
    let id = id.map_err(|_| not_found_pizzeria())?;
    let subscription = Subscription::to(&state.hub);
    let (products, initial, slots) = stream_start(state, id).await?;
    let few = state.settings.few_left_threshold;
    let unchanged =
        v.is_some_and(|v| v == availability_version(products.iter().map(|p| &p.id), &initial, few));
    let mut page = LiveMenu {
        md,
        db: state.db.clone(),
        pizzeria: id,
        slots,
        csrf: csrf.0.to_string(),
        few,
        names: products.into_iter().map(|p| (p.id, p.name)).collect(),
        sent: HashMap::new(),
    };
    if unchanged {
        let shown = initial
            .iter()
            .map(|(p, n)| (*p, Availability::from_count(*n, few)));
        page.sent.extend(shown);
    }
    // A (re)connecting browser whose page is out of date gets the state from the database,
    // never an old broadcast.
    let first = page.changed(&initial, &Fragments::default());
    Ok(live_stream(subscription, first, page, end))
}
