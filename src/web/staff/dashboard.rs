//! The manager's dashboard: today's orders by status, revenue, average times, late orders,
//! stock alerts and top products, with the charts of orders and revenue per hour against the
//! same weekday of last week. Live: any order or stock change of the pizzeria, from any
//! process, sends the board again.

use super::views::pizzeria_of;
use crate::db::Db;
use crate::domain::ids::{InvalidId, PizzeriaId};
use crate::domain::supply::StockState;
use crate::live::LiveEvent;
use crate::services::dashboard::{self, PizzeriaDay};
use crate::state::AppState;
use crate::web::dashboard::{board_event, charts, french_day, tiles};
use crate::web::error::{AppError, AppResult};
use crate::web::guards::{Csrf, Manager, Visitor};
use crate::web::layout::Layout;
use crate::web::stream::{live_stream, LivePage, Subscription};
use rocket::response::stream::{Event, EventStream};
use rocket::serde::Serialize;
use rocket::{get, routes, Route, Shutdown, State};
use rocket_dyn_templates::{context, Metadata, Template};

pub fn routes() -> Vec<Route> {
    routes![show_dashboard, dashboard_events]
}

#[derive(Serialize)]
struct Alert {
    id: i64,
    name: String,
    state: StockState,
    label: &'static str,
    available: String,
    threshold: String,
}

async fn render_board(md: &Metadata<'_>, db: &Db, p: PizzeriaId) -> Result<String, String> {
    let now = crate::models::now();
    let PizzeriaDay {
        day,
        today,
        last_week,
        alerts,
    } = db
        .run(move |c| dashboard::pizzeria(c, p, now))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let alerts: Vec<Alert> = alerts
        .iter()
        .map(|l| {
            let state = StockState::of(l.available(), l.threshold);
            Alert {
                id: l.id.0,
                name: l.name.clone(),
                state,
                label: state.label(),
                available: l.unit.show(l.available()),
                threshold: l.unit.show(l.threshold),
            }
        })
        .collect();
    let ctx = context! {
        t: tiles(&today, &last_week),
        charts: charts(&today, &last_week),
        alerts,
        pizzeria: p.0,
        day: french_day(day),
        updated: crate::web::format::french_hour(now),
    };
    md.render("staff/_dashboard_board", ctx)
        .map(|(_, html)| html)
        .ok_or_else(|| "template staff/_dashboard_board missing".to_string())
}

#[get("/<_p>/dashboard")]
async fn show_dashboard(
    _p: Result<PizzeriaId, InvalidId>,
    manager: Manager,
    state: &State<AppState>,
    md: Metadata<'_>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let pizzeria = pizzeria_of(state, &manager.0).await?;
    let html = render_board(&md, &state.db, pizzeria.id)
        .await
        .map_err(AppError::internal)?;
    let ctx = context! {
        layout: Layout::new(&visitor, &csrf),
        pizzeria: context! { id: pizzeria.id.0, name: pizzeria.name },
        board: html,
    };
    Ok(Template::render("staff/dashboard", ctx))
}

/// An open dashboard: the board as last sent.
struct LiveDashboard<'r> {
    md: Metadata<'r>,
    db: Db,
    pizzeria: PizzeriaId,
    shown: String,
}

impl LivePage for LiveDashboard<'_> {
    fn concerns(&self, event: &LiveEvent) -> bool {
        event.pizzeria() == self.pizzeria
    }

    async fn update(&mut self, _event: Option<&LiveEvent>) -> Result<Vec<Event>, ()> {
        let html = render_board(&self.md, &self.db, self.pizzeria)
            .await
            .map_err(|e| tracing::warn!(error = %e, "dashboard cannot render"))?;
        Ok(board_event(&mut self.shown, html))
    }
}

/// The board at once, then again whenever an order or the stock of the pizzeria changes.
#[get("/<_p>/dashboard/events")]
async fn dashboard_events<'r>(
    _p: Result<PizzeriaId, InvalidId>,
    manager: Manager,
    state: &'r State<AppState>,
    md: Metadata<'r>,
    end: Shutdown,
) -> AppResult<EventStream![Event + 'r]> {
    let subscription = Subscription::to(&state.hub);
    let mut page = LiveDashboard {
        md,
        db: state.db.clone(),
        pizzeria: manager.0.pizzeria,
        shown: String::new(),
    };
    let first = page
        .update(None)
        .await
        .map_err(|()| AppError::internal("dashboard board"))?;
    Ok(live_stream(subscription, first, page, end))
}
