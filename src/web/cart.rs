//! The cart: add from a menu, change quantities, remove, empty; htmx fragments keep totals
//! up to date, plain forms work too.

use super::form::{FieldErrors, Posted};
use super::session::{set_session_cookie, Csrf, Visitor};
use super::{Htmx, Layout, Reply};
use crate::domain::cart::Cart;
use crate::domain::contact::parse_quantity;
use crate::domain::ids::{InvalidId, PizzeriaId, ProductId};
use crate::domain::money::Money;
use crate::error::{AppError, AppResult};
use crate::models::pizzeria::Pizzeria;
use crate::models::session::SessionData;
use crate::services::cart::{self, CartOpError, Change};
use crate::services::sessions;
use crate::state::AppState;
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::serde::Serialize;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    routes![show_cart, add_cart_line, update_cart_line, clear_cart]
}

#[derive(Serialize)]
pub struct CartView {
    pub pizzeria_id: i64,
    pub pizzeria_name: String,
    pub lines: Vec<LineView>,
    pub count: u32,
    pub total: String,
    pub orderable: bool,
}

#[derive(Serialize)]
pub struct LineView {
    pub product_id: i64,
    pub name: String,
    pub qty: u32,
    pub unit: String,
    pub subtotal: String,
    pub offered: bool,
}

/// A cart as shown, read from the database (names, today's prices).
pub async fn load_view(state: &AppState, cart: Option<Cart>) -> AppResult<Option<CartView>> {
    let Some(cart) = cart else {
        return Ok(None);
    };
    let view = state
        .db
        .run(move |c| -> diesel::QueryResult<_> {
            let name = Pizzeria::find_active(c, cart.pizzeria)?
                .map(|p| p.name)
                .unwrap_or_default();
            Ok((name, cart.pizzeria, cart::priced(c, &cart)?))
        })
        .await??;
    let (pizzeria_name, pizzeria, priced) = view;
    let total: i64 = priced
        .iter()
        .map(|l| l.unit_cents * i64::from(l.line.qty))
        .sum();
    Ok(Some(CartView {
        pizzeria_id: pizzeria.0,
        pizzeria_name,
        count: priced.iter().map(|l| l.line.qty).sum(),
        total: Money::from_cents(total).to_string(),
        orderable: priced.iter().all(|l| l.offered),
        lines: priced
            .into_iter()
            .map(|l| LineView {
                product_id: l.line.product.0,
                name: l.name,
                qty: l.line.qty,
                unit: Money::from_cents(l.unit_cents).to_string(),
                subtotal: Money::from_cents(l.unit_cents * i64::from(l.line.qty)).to_string(),
                offered: l.offered,
            })
            .collect(),
    }))
}

/// The session to write to: the visitor's, or a new one (its cookie set on this response).
pub async fn ensure_session(
    state: &AppState,
    visitor: &Visitor,
    jar: &CookieJar<'_>,
    csrf: &Csrf,
) -> AppResult<String> {
    if let Some(s) = &visitor.session {
        return Ok(s.id.clone());
    }
    let token_csrf = csrf.0.clone();
    let token = state
        .db
        .run(move |c| sessions::start(c, None, &token_csrf, &SessionData::default()))
        .await??;
    set_session_cookie(jar, token.clone(), state.settings.secure_cookies);
    Ok(sessions::hash_token(&token))
}

#[get("/cart")]
async fn show_cart(state: &State<AppState>, visitor: Visitor, csrf: Csrf) -> AppResult<Template> {
    let layout = Layout::new(&visitor, &csrf);
    let data = visitor.session.map(|s| s.data()).unwrap_or_default();
    let cart = load_view(state, data.cart).await?;
    Ok(Template::render("cart/show", context! { layout, cart }))
}

fn summary(layout: Layout, cart: Option<CartView>, message: Option<String>) -> Template {
    Template::render("cart/_summary", context! { layout, cart, message })
}

fn parse_id<T>(raw: &str, make: fn(i64) -> T, errors: &mut FieldErrors, field: &str) -> Option<T> {
    let parsed = crate::domain::ids::ProductId::parse(raw).map(|p| make(p.0));
    errors.check(field, parsed.map_err(|_| "Produit inconnu.".to_string()))
}

#[post("/cart/lines", data = "<form>")]
async fn add_cart_line(
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    jar: &CookieJar<'_>,
    htmx: Htmx,
    form: Posted,
) -> AppResult<Reply> {
    let Posted(mut f) = form;
    let mut errors = FieldErrors::default();
    let product = parse_id(&f.text("product_id"), ProductId, &mut errors, "product_id");
    let pizzeria = parse_id(
        &f.text("pizzeria_id"),
        PizzeriaId,
        &mut errors,
        "pizzeria_id",
    );
    let qty = match f.take("quantity") {
        Some(q) => errors.check(
            "quantity",
            parse_quantity(&q, 1, crate::domain::cart::MAX_QTY_PER_LINE),
        ),
        None => Some(1),
    };
    let replace = f.take("replace").is_some_and(|v| v == "1");
    f.finish(&mut errors);
    let (Some(product), Some(pizzeria), Some(qty), true) =
        (product, pizzeria, qty, errors.is_empty())
    else {
        return Err(AppError::Invalid(
            errors.first().unwrap_or("Requête invalide.").to_string(),
        ));
    };
    let session_id = ensure_session(state, &visitor, jar, &csrf).await?;
    let change = Change::Add {
        pizzeria,
        product,
        qty,
        replace,
    };
    let sid = session_id.clone();
    let outcome = state.db.run(move |c| cart::apply(c, &sid, change)).await?;
    let layout = |count: u32, at: Option<i64>| Layout {
        csrf: csrf.0.clone(),
        user_name: None,
        cart_count: count,
        cart_pizzeria: at,
    };
    match outcome {
        Ok(new_cart) => {
            if !htmx.0 {
                return Ok(Reply::Redirect(Redirect::to(format!(
                    "/pizzerias/{pizzeria}"
                ))));
            }
            let view = load_view(state, new_cart).await?;
            let l = layout(view.as_ref().map_or(0, |v| v.count), Some(pizzeria.0));
            Ok(Reply::Html(summary(
                l,
                view,
                Some("Ajouté au panier.".into()),
            )))
        }
        Err(CartOpError::OtherPizzeria(current)) => {
            let ctx = context! { layout: layout(0, None), current, pizzeria_id: pizzeria.0, product_id: product.0, qty };
            Ok(Reply::Conflict(Template::render(
                if htmx.0 {
                    "cart/_switch"
                } else {
                    "cart/switch"
                },
                ctx,
            )))
        }
        Err(CartOpError::Db(e)) => Err(e.into()),
        Err(e) => Err(AppError::Conflict(e.to_string())),
    }
}

#[post("/cart/lines/<product>", data = "<form>")]
async fn update_cart_line(
    product: Result<ProductId, InvalidId>,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    htmx: Htmx,
    form: Posted,
) -> AppResult<Reply> {
    let product = product
        .map_err(|_| AppError::NotFound("Ce produit n'est pas dans votre panier.".into()))?;
    let Posted(mut f) = form;
    let mut errors = FieldErrors::default();
    let qty = errors.check(
        "quantity",
        parse_quantity(
            &f.text("quantity"),
            0,
            crate::domain::cart::MAX_QTY_PER_LINE,
        ),
    );
    f.finish(&mut errors);
    let (Some(qty), true) = (qty, errors.is_empty()) else {
        return Err(AppError::Invalid(
            errors.first().unwrap_or("Requête invalide.").to_string(),
        ));
    };
    let session = visitor
        .session
        .as_ref()
        .ok_or_else(|| AppError::Conflict("Votre panier est vide.".into()))?;
    change_and_show(
        state,
        &session.id,
        Change::Set { product, qty },
        &visitor,
        csrf,
        htmx,
    )
    .await
}

#[post("/cart/clear", data = "<form>")]
async fn clear_cart(
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    htmx: Htmx,
    form: Posted,
) -> AppResult<Reply> {
    let mut errors = FieldErrors::default();
    form.0.finish(&mut errors);
    if let Some(m) = errors.first() {
        return Err(AppError::Invalid(m.to_string()));
    }
    let Some(session) = visitor.session.as_ref() else {
        return Ok(Reply::Redirect(Redirect::to("/cart")));
    };
    change_and_show(state, &session.id, Change::Clear, &visitor, csrf, htmx).await
}

async fn change_and_show(
    state: &AppState,
    session_id: &str,
    change: Change,
    visitor: &Visitor,
    csrf: Csrf,
    htmx: Htmx,
) -> AppResult<Reply> {
    let sid = session_id.to_string();
    let new_cart = match state.db.run(move |c| cart::apply(c, &sid, change)).await? {
        Ok(cart) => cart,
        Err(CartOpError::Db(e)) => return Err(e.into()),
        Err(e) => return Err(AppError::Conflict(e.to_string())),
    };
    if !htmx.0 {
        return Ok(Reply::Redirect(Redirect::to("/cart")));
    }
    let user_name = visitor.session.as_ref().and_then(|s| s.data().user_name);
    let view = load_view(state, new_cart).await?;
    let layout = Layout {
        csrf: csrf.0,
        user_name,
        cart_count: view.as_ref().map_or(0, |v| v.count),
        cart_pizzeria: view.as_ref().map(|v| v.pizzeria_id),
    };
    Ok(Reply::Html(Template::render(
        "cart/_cart",
        context! { layout, cart: view },
    )))
}
