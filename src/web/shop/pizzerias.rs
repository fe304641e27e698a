//! Choosing a pizzeria and reading its menu, with availability kept live by SSE.

use super::views::menu::{
    availability_version, availability_view, not_found_pizzeria, order_view, pizzeria_view,
    PizzeriaView, CSRF_PLACEHOLDER,
};
use crate::db::Db;
use crate::domain::hours::Slot;
use crate::domain::ids::{InvalidId, PizzeriaId, ProductId};
use crate::domain::stock::Availability;
use crate::live::shared_html::{Fragments, SharedHtml};
use crate::live::LiveEvent;
use crate::models::menu::{self, Counts, MenuProduct};
use crate::models::pizzeria;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::guards::{Csrf, Visitor};
use crate::web::layout::Layout;
use crate::web::stream::{live_stream, LivePage, Subscription};
use rocket::response::stream::{Event, EventStream};
use rocket::{get, routes, Route, Shutdown, State};
use rocket_dyn_templates::{context, Metadata, Template};
use std::collections::HashMap;

pub fn routes() -> Vec<Route> {
    routes![list_pizzerias, menu_events]
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
