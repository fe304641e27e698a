//! The manager's stock page: every ingredient's level, state and days of cover, what each
//! product can still make and what limits it, the alerts and the suggested supplier order,
//! live: any stock change of the pizzeria (an order, a start, a delivery, a menu switch, from
//! any process) sends the board again.

use super::views::pizzeria_of;
use super::views::stock::{board, read};
use crate::db::Db;
use crate::domain::ids::{InvalidId, PizzeriaId};
use crate::domain::supply::COVER_DAYS;
use crate::live::LiveEvent;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::guards::{Csrf, Manager, Visitor};
use crate::web::layout::Layout;
use crate::web::stream::{live_stream, LivePage, Subscription};
use rocket::response::stream::{Event, EventStream};
use rocket::{get, routes, Route, Shutdown, State};
use rocket_dyn_templates::{context, Metadata, Template};

pub fn routes() -> Vec<Route> {
    routes![show_stock, stock_events]
}

/// The horizon of the suggested supplier order: the page's, else the configured one.
fn horizon(state: &AppState, days: Option<i64>) -> (i64, Option<String>) {
    match days {
        None => (state.settings.supply_days, None),
        Some(d) if COVER_DAYS.contains(&d) => (d, None),
        Some(_) => (
            state.settings.supply_days,
            Some(format!(
                "Choisissez entre {} et {} jours.",
                COVER_DAYS.start(),
                COVER_DAYS.end()
            )),
        ),
    }
}

/// What a redirect after a stock change says.
fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "delivery" => "Livraison fournisseur enregistrée.",
        "adjustment" => "Correction enregistrée.",
        "waste" => "Perte enregistrée.",
        "count" => "Inventaire appliqué.",
        "menu" => "Carte mise à jour : les menus ouverts suivent déjà.",
        _ => return None,
    })
}

async fn render_board(
    md: &Metadata<'_>,
    db: &Db,
    p: PizzeriaId,
    days: i64,
    csrf: &str,
) -> Result<String, String> {
    let read = db
        .run(move |c| read(c, p))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let b = board(&read, days);
    let ctx = context! { b, layout: context! { csrf }, pizzeria: p.0 };
    md.render("staff/_stock_board", ctx)
        .map(|(_, html)| html)
        .ok_or_else(|| "template staff/_stock_board missing".to_string())
}

#[allow(clippy::too_many_arguments)]
#[get("/<_p>/stock?<days>&<done>")]
async fn show_stock(
    _p: Result<PizzeriaId, InvalidId>,
    days: Option<i64>,
    done: Option<&str>,
    manager: Manager,
    state: &State<AppState>,
    md: Metadata<'_>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let pizzeria = pizzeria_of(state, &manager.0).await?;
    let (days, days_error) = horizon(state, days);
    let layout = Layout::new(&visitor, &csrf);
    let html = render_board(&md, &state.db, pizzeria.id, days, &layout.csrf)
        .await
        .map_err(AppError::internal)?;
    let ctx = context! {
        layout,
        pizzeria: context! { id: pizzeria.id.0, name: pizzeria.name },
        board: html,
        days,
        days_error,
        notice: notice(done),
    };
    Ok(Template::render("staff/stock", ctx))
}

/// An open stock page: the board as last sent.
struct LiveStock<'r> {
    md: Metadata<'r>,
    db: Db,
    pizzeria: PizzeriaId,
    days: i64,
    csrf: String,
    shown: String,
}

impl LiveStock<'_> {
    async fn board_event(&mut self) -> Result<Vec<Event>, ()> {
        let html = render_board(&self.md, &self.db, self.pizzeria, self.days, &self.csrf)
            .await
            .map_err(|e| tracing::warn!(error = %e, "stock board cannot render"))?;
        if html == self.shown {
            return Ok(Vec::new());
        }
        self.shown = html;
        Ok(vec![Event::data(self.shown.clone()).event("board")])
    }
}

impl LivePage for LiveStock<'_> {
    fn concerns(&self, event: &LiveEvent) -> bool {
        matches!(event, LiveEvent::Stock { pizzeria, .. } if *pizzeria == self.pizzeria)
    }

    async fn update(&mut self, _event: Option<&LiveEvent>) -> Result<Vec<Event>, ()> {
        self.board_event().await
    }
}

/// The board at once, then again whenever the pizzeria's stock or menu changes.
#[get("/<_p>/stock/events?<days>")]
async fn stock_events<'r>(
    _p: Result<PizzeriaId, InvalidId>,
    days: Option<i64>,
    manager: Manager,
    state: &'r State<AppState>,
    md: Metadata<'r>,
    csrf: Csrf,
    end: Shutdown,
) -> AppResult<EventStream![Event + 'r]> {
    let subscription = Subscription::to(&state.hub);
    let mut page = LiveStock {
        md,
        db: state.db.clone(),
        pizzeria: manager.0.pizzeria,
        days: horizon(state, days).0,
        csrf: csrf.0.to_string(),
        shown: String::new(),
    };
    let first = page
        .board_event()
        .await
        .map_err(|()| AppError::internal("stock board"))?;
    Ok(live_stream(subscription, first, page, end))
}
