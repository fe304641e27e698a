//! The group dashboard: every pizzeria's day side by side with the group's total, and the
//! group's charts of orders and revenue per hour against the same weekday of last week.
//! Live: an order or a stock change anywhere sends the board again.

use crate::db::Db;
use crate::live::LiveEvent;
use crate::services::dashboard::{self, GroupDay};
use crate::state::AppState;
use crate::web::dashboard::{board_event, charts, french_day, tiles, Tiles};
use crate::web::error::{AppError, AppResult};
use crate::web::guards::{Csrf, GroupAdmin, Visitor};
use crate::web::layout::Layout;
use crate::web::stream::{live_stream, LivePage, Subscription};
use rocket::response::stream::{Event, EventStream};
use rocket::serde::Serialize;
use rocket::{get, routes, Route, Shutdown, State};
use rocket_dyn_templates::{context, Metadata, Template};

pub fn routes() -> Vec<Route> {
    routes![show_group_dashboard, group_events]
}

#[derive(Serialize)]
struct Column {
    id: i64,
    name: String,
    alerts: usize,
    t: Tiles,
}

async fn render_board(md: &Metadata<'_>, db: &Db) -> Result<String, String> {
    let now = crate::models::now();
    let GroupDay {
        day,
        columns,
        total,
        total_last_week,
    } = db
        .run(move |c| dashboard::group(c, now))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let alerts: usize = columns.iter().map(|c| c.alerts).sum();
    let columns: Vec<Column> = columns
        .into_iter()
        .map(|c| Column {
            id: c.pizzeria.id.0,
            name: c.pizzeria.name,
            alerts: c.alerts,
            t: tiles(&c.today, &c.last_week),
        })
        .collect();
    let ctx = context! {
        columns,
        alerts,
        t: tiles(&total, &total_last_week),
        tiles_id: "group",
        charts: charts(&total, &total_last_week),
        day: french_day(day),
        updated: crate::web::format::french_hour(now),
    };
    md.render("admin/_group_board", ctx)
        .map(|(_, html)| html)
        .ok_or_else(|| "template admin/_group_board missing".to_string())
}

#[get("/dashboard")]
async fn show_group_dashboard(
    _admin: GroupAdmin,
    state: &State<AppState>,
    md: Metadata<'_>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let board = render_board(&md, &state.db)
        .await
        .map_err(AppError::internal)?;
    let ctx = context! { layout: Layout::new(&visitor, &csrf), board };
    Ok(Template::render("admin/dashboard", ctx))
}

struct LiveGroup<'r> {
    md: Metadata<'r>,
    db: Db,
    shown: String,
}

impl LivePage for LiveGroup<'_> {
    fn concerns(&self, _event: &LiveEvent) -> bool {
        true
    }

    async fn update(&mut self, _event: Option<&LiveEvent>) -> Result<Vec<Event>, ()> {
        let html = render_board(&self.md, &self.db)
            .await
            .map_err(|e| tracing::warn!(error = %e, "group dashboard cannot render"))?;
        Ok(board_event(&mut self.shown, html))
    }
}

#[get("/dashboard/events")]
async fn group_events<'r>(
    _admin: GroupAdmin,
    state: &'r State<AppState>,
    md: Metadata<'r>,
    end: Shutdown,
) -> AppResult<EventStream![Event + 'r]> {
    let subscription = Subscription::to(&state.hub);
    let mut page = LiveGroup {
        md,
        db: state.db.clone(),
        shown: String::new(),
    };
    let first = page
        .update(None)
        .await
        .map_err(|()| AppError::internal("group board"))?;
    Ok(live_stream(subscription, first, page, end))
}
