//! The kitchen screen: tickets, the "plus tard" lane, the all-day count and recipe cards,
//! live; "Commencer", "Prête" and taking the last of them back.

use super::views::live::{self, Screen};
use super::views::{self, member, order_id, pizzeria_of};
use crate::domain::ids::{InvalidId, OrderId, PizzeriaId, ProductId};
use crate::services::floor;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::form::Posted;
use crate::web::guards::{Csrf, Htmx, Pizzaiolo, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::response::content::RawHtml;
use rocket::response::stream::{Event, EventStream};
use rocket::{get, post, routes, Route, Shutdown, State};
use rocket_dyn_templates::{context, Metadata, Template};

pub fn routes() -> Vec<Route> {
    routes![
        show_kitchen,
        kitchen_board,
        kitchen_events,
        start_order,
        ready_order,
        undo_step,
        show_recipe
    ]
}

#[get("/<_p>/kitchen")]
async fn show_kitchen(
    _p: Result<PizzeriaId, InvalidId>,
    cook: Pizzaiolo,
    state: &State<AppState>,
    md: Metadata<'_>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<RawHtml<String>> {
    // The floor as last read names the pizzeria: the page costs no query of its own.
    let floor = views::floor_of(state, &cook.0).await?;
    let name = floor
        .name
        .clone()
        .ok_or_else(|| AppError::NotFound("Cette pizzeria n'existe pas.".into()))?;
    let layout = Layout::new(&visitor, &csrf);
    let token = layout.csrf.clone();
    let ctx = context! {
        layout,
        pizzeria: context! { id: cook.0.pizzeria.0, name },
    };
    live::page(
        state,
        &md,
        &cook.0,
        Screen::Kitchen,
        "staff/kitchen",
        ctx,
        &token,
    )
    .await
}

#[get("/<_p>/kitchen/board")]
async fn kitchen_board(
    _p: Result<PizzeriaId, InvalidId>,
    cook: Pizzaiolo,
    state: &State<AppState>,
    md: Metadata<'_>,
    csrf: Csrf,
) -> AppResult<RawHtml<String>> {
    let csrf = csrf.0.to_string();
    let html = live::board_now(state, &md, &cook.0, Screen::Kitchen, &csrf).await?;
    Ok(RawHtml(html))
}

#[get("/<_p>/kitchen/events")]
async fn kitchen_events<'r>(
    _p: Result<PizzeriaId, InvalidId>,
    cook: Pizzaiolo,
    state: &'r State<AppState>,
    md: Metadata<'r>,
    csrf: Csrf,
    end: Shutdown,
) -> AppResult<EventStream![Event + 'r]> {
    live::open(state.inner(), md, cook.0, Screen::Kitchen, &csrf, end).await
}

type Action = fn(&mut crate::db::DbConn, floor::Member, OrderId) -> Result<(), floor::FloorError>;

#[allow(clippy::too_many_arguments)]
async fn act(
    order: Result<OrderId, InvalidId>,
    cook: Pizzaiolo,
    state: &State<AppState>,
    md: Metadata<'_>,
    csrf: Csrf,
    htmx: Htmx,
    form: Posted,
    action: Action,
) -> AppResult<Reply> {
    form.0.expect_empty()?;
    let id = order_id(order)?;
    let by = member(&cook.0);
    state.db.run(move |c| action(c, by, id)).await??;
    live::answer(state, &md, &cook.0, Screen::Kitchen, &csrf, htmx).await
}

#[allow(clippy::too_many_arguments)]
#[post("/<_p>/kitchen/<order>/start", data = "<form>")]
async fn start_order(
    _p: Result<PizzeriaId, InvalidId>,
    order: Result<OrderId, InvalidId>,
    cook: Pizzaiolo,
    state: &State<AppState>,
    md: Metadata<'_>,
    csrf: Csrf,
    htmx: Htmx,
    form: Posted,
) -> AppResult<Reply> {
    act(order, cook, state, md, csrf, htmx, form, floor::start).await
}

#[allow(clippy::too_many_arguments)]
#[post("/<_p>/kitchen/<order>/ready", data = "<form>")]
async fn ready_order(
    _p: Result<PizzeriaId, InvalidId>,
    order: Result<OrderId, InvalidId>,
    cook: Pizzaiolo,
    state: &State<AppState>,
    md: Metadata<'_>,
    csrf: Csrf,
    htmx: Htmx,
    form: Posted,
) -> AppResult<Reply> {
    act(order, cook, state, md, csrf, htmx, form, floor::ready).await
}

#[allow(clippy::too_many_arguments)]
#[post("/<_p>/kitchen/<order>/undo", data = "<form>")]
async fn undo_step(
    _p: Result<PizzeriaId, InvalidId>,
    order: Result<OrderId, InvalidId>,
    cook: Pizzaiolo,
    state: &State<AppState>,
    md: Metadata<'_>,
    csrf: Csrf,
    htmx: Htmx,
    form: Posted,
) -> AppResult<Reply> {
    act(order, cook, state, md, csrf, htmx, form, |c, by, id| {
        floor::undo(c, by, id).map(drop)
    })
    .await
}

/// A recipe card, for `count` pizzas: a page, or the card alone for htmx.
#[allow(clippy::too_many_arguments)]
#[get("/<_p>/recipes/<product>?<count>")]
async fn show_recipe(
    _p: Result<PizzeriaId, InvalidId>,
    product: Result<ProductId, InvalidId>,
    count: Option<&str>,
    cook: Pizzaiolo,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    htmx: Htmx,
) -> AppResult<Template> {
    let missing = || AppError::NotFound("Cette recette n'existe pas.".into());
    let product = product.map_err(|_| missing())?;
    let count = match count {
        None => 1,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=50).contains(n))
            .ok_or_else(|| AppError::Invalid("Le nombre de pizzas : de 1 à 50.".into()))?,
    };
    let card = state
        .db
        .run(move |c| crate::models::catalog::recipe_cards(c, &[product]))
        .await??
        .pop()
        .ok_or_else(missing)?;
    let recipe = views::tickets::recipe_view(&card, count);
    if htmx.0 {
        return Ok(Template::render("staff/_recipe", context! { recipe }));
    }
    let pizzeria = pizzeria_of(state, &cook.0).await?;
    let layout = Layout::new(&visitor, &csrf);
    let ctx = context! {
        layout,
        recipe,
        pizzeria: context! { id: pizzeria.id.0, name: pizzeria.name },
    };
    Ok(Template::render("staff/recipe", ctx))
}
