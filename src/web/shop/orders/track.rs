//! Following an order: its page, and the stream that re-renders its status when its event log
//! grows (whichever process wrote the event).

use super::{floor_for, order_view, status_view, tracked_order};
use crate::domain::ids::{OrderId, PizzeriaId};
use crate::domain::token::{InvalidToken, OrderToken};
use crate::live::LiveEvent;
use crate::models::order::Tracked;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::guards::{Csrf, Visitor};
use crate::web::layout::Layout;
use crate::web::stream::{live_stream, LivePage, Subscription};
use rocket::response::stream::{Event, EventStream};
use rocket::{get, routes, Route, Shutdown, State};
use rocket_dyn_templates::{context, Metadata, Template};

pub fn routes() -> Vec<Route> {
    routes![show_order, order_events]
}

#[get("/orders/<token>")]
async fn show_order(
    token: Result<OrderToken, InvalidToken>,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let tracked = tracked_order(state, token).await?;
    let floor = floor_for(state, &tracked).await;
    let live_after = tracked.newest_event();
    let layout = Layout::new(&visitor, &csrf);
    let s = status_view(&tracked, floor.as_deref());
    let ctx = context! { layout, order: order_view(&tracked), s, live_after };
    Ok(Template::render("orders/show", ctx))
}

/// An open tracking page: the order as last read and what the page shows of it, so that a
/// change of the pizzeria's queue that does not move this order's promise sends nothing.
struct LiveOrder<'r> {
    md: Metadata<'r>,
    state: &'r AppState,
    order: OrderId,
    pizzeria: PizzeriaId,
    token: OrderToken,
    csrf: String,
    shown: String,
    /// Read again only when this order's own log grows (or after a lag): another order of the
    /// pizzeria moves only the promise, which comes from the floor as last read.
    last: Tracked,
}

impl LiveOrder<'_> {
    /// The status fragment, unless the browser shows it already.
    async fn status_event(&mut self, tracked: &Tracked) -> Vec<Event> {
        let floor = floor_for(self.state, tracked).await;
        let ctx = context! {
            s: status_view(tracked, floor.as_deref()),
            layout: context! { csrf: &self.csrf },
        };
        match self.md.render("orders/_status", ctx) {
            Some((_, html)) if html.trim() != self.shown => {
                self.shown = html.trim().to_string();
                vec![Event::data(self.shown.clone()).event("status")]
            }
            _ => Vec::new(),
        }
    }
}

impl LivePage for LiveOrder<'_> {
    fn concerns(&self, event: &LiveEvent) -> bool {
        match event {
            LiveEvent::Order { order, .. } if *order == self.order => true,
            // The queue ahead moves the promise, while the order is still on its way.
            LiveEvent::Order { pizzeria, .. } => {
                *pizzeria == self.pizzeria && !self.last.order.status.is_terminal()
            }
            LiveEvent::Stock { .. } => false,
        }
    }

    async fn update(&mut self, event: Option<&LiveEvent>) -> Result<Vec<Event>, ()> {
        let other = matches!(event, Some(LiveEvent::Order { order, .. }) if *order != self.order);
        if !other {
            self.last = tracked_order(self.state, Ok(self.token.clone()))
                .await
                .map_err(drop)?;
        }
        let tracked = self.last.clone();
        Ok(self.status_event(&tracked).await)
    }
}

/// `after`: the newest event the page showed; when nothing happened since, the stream starts
/// silent (re-sending the status would replace the buttons under the finger).
#[get("/orders/<token>/events?<after>")]
async fn order_events<'r>(
    token: Result<OrderToken, InvalidToken>,
    after: Option<i64>,
    state: &'r State<AppState>,
    md: Metadata<'r>,
    csrf: Csrf,
    end: Shutdown,
) -> AppResult<EventStream![Event + 'r]> {
    let subscription = Subscription::to(&state.hub);
    let first = tracked_order(state, token).await?;
    let mut page = LiveOrder {
        md,
        state: state.inner(),
        order: first.order.id,
        pizzeria: first.order.pizzeria_id,
        token: first.order.token.clone(),
        csrf: csrf.0.to_string(),
        shown: String::new(),
        last: first.clone(),
    };
    let mut initial = page.status_event(&first).await;
    if after.is_some_and(|a| first.newest_event() <= a) {
        // The page shows this state already: keep it as shown, send nothing.
        initial.clear();
    }
    Ok(live_stream(subscription, initial, page, end))
}
