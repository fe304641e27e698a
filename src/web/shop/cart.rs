//! The cart: add from a menu, change quantities, remove, empty; htmx fragments keep totals
//! up to date, plain forms work too.

use super::views::{
    cart_view, cart_warnings, ensure_session, session_cart, warnings_version, CartView,
};
use crate::domain::cart::{Cart, MAX_QTY_PER_LINE};
use crate::domain::contact::parse_quantity;
use crate::domain::ids::{InvalidId, PizzeriaId, ProductId};
use crate::domain::token::SessionId;
use crate::live::LiveEvent;
use crate::models::session;
use crate::services::cart::{self, CartOpError, Change};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::form::{FieldErrors, Posted, RawForm};
use crate::web::guards::{Csrf, Htmx, Visitor};
use crate::web::layout::{Layout, Reply};
use crate::web::stream::{live_stream, LivePage, Subscription};
use rocket::http::CookieJar;
use rocket::response::stream::{Event, EventStream};
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, Shutdown, State};
use rocket_dyn_templates::{context, Metadata, Template};

pub fn routes() -> Vec<Route> {
    routes![
        show_cart,
        cart_events,
        add_cart_line,
        update_cart_line,
        clear_cart
    ]
}

#[get("/cart")]
async fn show_cart(state: &State<AppState>, visitor: Visitor, csrf: Csrf) -> AppResult<Template> {
    let layout = Layout::new(&visitor, &csrf);
    let cart = cart_view(state, session_cart(&visitor)).await?;
    let warnings = cart_warnings(state, session_cart(&visitor)).await?;
    let warnings_version = warnings_version(&warnings);
    let ctx = context! { layout, cart, warnings, warnings_version };
    Ok(Template::render("cart/show", ctx))
}

/// An open cart page: when the pizzeria's stock moves, what its lines can still be.
struct LiveCart<'r> {
    md: Metadata<'r>,
    state: &'r AppState,
    session: SessionId,
    pizzeria: PizzeriaId,
    shown: String,
}

impl LiveCart<'_> {
    async fn warnings_event(&mut self) -> Result<Vec<Event>, ()> {
        let id = self.session.clone();
        let read = self.state.db.run(move |c| session::find(c, &id)).await;
        let cart = match read {
            Ok(Ok(found)) => found.and_then(|s| s.data().cart),
            _ => return Err(()),
        };
        let cart = cart.filter(|c| c.pizzeria == self.pizzeria);
        let warnings = cart_warnings(self.state, cart).await.map_err(drop)?;
        let version = warnings_version(&warnings);
        if version == self.shown {
            return Ok(Vec::new());
        }
        self.shown = version;
        match self.md.render("cart/_warnings", context! { warnings }) {
            Some((_, html)) => Ok(vec![Event::data(html.trim().to_string()).event("warnings")]),
            None => Ok(Vec::new()),
        }
    }
}

impl LivePage for LiveCart<'_> {
    fn concerns(&self, event: &LiveEvent) -> bool {
        matches!(event, LiveEvent::Stock { pizzeria, .. } if *pizzeria == self.pizzeria)
    }

    async fn update(&mut self, _event: Option<&LiveEvent>) -> Result<Vec<Event>, ()> {
        self.warnings_event().await
    }
}

/// `w`: the version of the warnings the page shows; the stream speaks when they change.
#[get("/cart/events?<w>")]
async fn cart_events<'r>(
    w: Option<&str>,
    state: &'r State<AppState>,
    visitor: Visitor,
    md: Metadata<'r>,
    end: Shutdown,
) -> AppResult<EventStream![Event + 'r]> {
    let subscription = Subscription::to(&state.hub);
    let (Some(session), Some(cart)) = (visitor.session.as_ref(), session_cart(&visitor)) else {
        return Err(AppError::NotFound("Votre panier est vide.".into()));
    };
    let mut page = LiveCart {
        md,
        state: state.inner(),
        session: session.id.clone(),
        pizzeria: cart.pizzeria,
        shown: w.unwrap_or_default().to_string(),
    };
    let first = page.warnings_event().await.unwrap_or_default();
    Ok(live_stream(subscription, first, page, end))
}

/// What "Ajouter" posts: which product of which pizzeria, how many, and whether to replace a
/// cart of another pizzeria.
struct AddForm {
    pizzeria: PizzeriaId,
    product: ProductId,
    qty: u32,
    replace: bool,
}

fn id_field<T>(
    f: &mut RawForm,
    name: &str,
    parse: fn(&str) -> Result<T, InvalidId>,
    e: &mut FieldErrors,
) -> Option<T> {
    e.check(
        name,
        parse(&f.text(name)).map_err(|_| "Produit inconnu.".to_string()),
    )
}

fn read_add_form(mut f: RawForm) -> Result<AddForm, AppError> {
    let mut e = FieldErrors::default();
    let product = id_field(&mut f, "product_id", ProductId::parse, &mut e);
    let pizzeria = id_field(&mut f, "pizzeria_id", PizzeriaId::parse, &mut e);
    let qty = match f.take("quantity") {
        Some(q) => e.check("quantity", parse_quantity(&q, 1, MAX_QTY_PER_LINE)),
        None => Some(1),
    };
    let replace = f.take("replace").is_some_and(|v| v == "1");
    f.finish(&mut e);
    match (product, pizzeria, qty) {
        (Some(product), Some(pizzeria), Some(qty)) if e.is_empty() => Ok(AddForm {
            pizzeria,
            product,
            qty,
            replace,
        }),
        _ => Err(AppError::Invalid(
            e.first().unwrap_or("Requête invalide.").to_string(),
        )),
    }
}

async fn change_cart(
    state: &AppState,
    session: SessionId,
    change: Change,
) -> AppResult<Option<Cart>> {
    let applied = state
        .db
        .run(move |c| cart::change(c, &session, change))
        .await?;
    Ok(applied?)
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
    let add = read_add_form(form.0)?;
    let session = ensure_session(state, &visitor, jar).await?;
    let change = Change::Add {
        pizzeria: add.pizzeria,
        product: add.product,
        qty: add.qty,
        replace: add.replace,
    };
    let applied = state
        .db
        .run(move |c| cart::change(c, &session, change))
        .await?;
    match applied {
        Ok(_) if !htmx.0 => Ok(Reply::Redirect(Redirect::to(format!(
            "/pizzerias/{}",
            add.pizzeria
        )))),
        Ok(new_cart) => {
            let layout = Layout::with_cart(&visitor, &csrf, new_cart.as_ref());
            let cart = cart_view(state, new_cart).await?;
            let name = cart.as_ref().and_then(|c| {
                c.lines
                    .iter()
                    .find(|l| l.product_id == add.product.0)
                    .map(|l| l.name.clone())
            });
            let message = name.map_or_else(
                || "Ajouté au panier.".to_string(),
                |n| format!("Ajouté au panier : {n}."),
            );
            let ctx = context! { layout, cart, message, fragment: true };
            Ok(Reply::Html(Template::render("cart/_summary", ctx)))
        }
        Err(CartOpError::OtherPizzeria(current)) => Ok(Reply::Conflict(ask_to_switch(
            &visitor, &csrf, &add, current, htmx,
        ))),
        Err(e) => Err(e.into()),
    }
}

/// "Your cart holds products of another pizzeria": empty it and order here, or keep it.
fn ask_to_switch(
    visitor: &Visitor,
    csrf: &Csrf,
    add: &AddForm,
    current: String,
    htmx: Htmx,
) -> Template {
    let layout = Layout::new(visitor, csrf);
    let ctx = context! {
        layout, current, pizzeria_id: add.pizzeria.0, product_id: add.product.0, qty: add.qty,
    };
    let name = if htmx.0 {
        "cart/_switch"
    } else {
        "cart/switch"
    };
    Template::render(name, ctx)
}

/// A cart line's new quantity (0 removes it), or why not.
fn read_quantity_form(mut f: RawForm) -> Result<u32, String> {
    let mut e = FieldErrors::default();
    let qty = e.check(
        "quantity",
        parse_quantity(&f.text("quantity"), 0, MAX_QTY_PER_LINE),
    );
    f.finish(&mut e);
    match qty {
        Some(qty) if e.is_empty() => Ok(qty),
        _ => Err(e.first().unwrap_or("Requête invalide.").to_string()),
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
    let line = LineRefusal {
        state,
        visitor: &visitor,
        csrf: &csrf,
        htmx: &htmx,
        product,
    };
    let qty = match read_quantity_form(form.0) {
        Ok(qty) => qty,
        Err(why) => return line.refused(why, Reply::Invalid).await,
    };
    let session = visitor
        .session
        .as_ref()
        .ok_or_else(|| AppError::Conflict("Votre panier est vide.".into()))?;
    let change = Change::Set { product, qty };
    let sid = session.id.clone();
    match state.db.run(move |c| cart::change(c, &sid, change)).await? {
        Ok(new_cart) => show_changed(state, &visitor, &csrf, new_cart, &htmx).await,
        Err(CartOpError::Db(e)) => Err(e.into()),
        Err(e) => line.refused(e.to_string(), Reply::Conflict).await,
    }
}

/// A quantity refused: the cart as it was, the message next to the line's field.
struct LineRefusal<'a> {
    state: &'a AppState,
    visitor: &'a Visitor,
    csrf: &'a Csrf,
    htmx: &'a Htmx,
    product: ProductId,
}

impl LineRefusal<'_> {
    async fn refused(self, why: String, status: fn(Template) -> Reply) -> AppResult<Reply> {
        let mut cart = cart_view(self.state, session_cart(self.visitor)).await?;
        let Some(line) = cart
            .as_mut()
            .and_then(|c| c.lines.iter_mut().find(|l| l.product_id == self.product.0))
        else {
            return Err(AppError::Conflict(why));
        };
        line.error = Some(why);
        let layout = Layout::new(self.visitor, self.csrf);
        let warnings = cart_warnings(self.state, session_cart(self.visitor)).await?;
        let warnings_version = warnings_version(&warnings);
        let fragment = self.htmx.0;
        let ctx = context! { layout, cart, warnings, warnings_version, fragment };
        let name = if fragment { "cart/_cart" } else { "cart/show" };
        Ok(status(Template::render(name, ctx)))
    }
}

/// Empties the cart once confirmed (`confirm=oui`); without the confirmation, asks first.
#[post("/cart/clear", data = "<form>")]
async fn clear_cart(
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    htmx: Htmx,
    form: Posted,
) -> AppResult<Reply> {
    let confirmed = form.0.confirmed()?;
    let Some(session) = visitor.session.as_ref() else {
        return Ok(Reply::Redirect(Redirect::to("/cart")));
    };
    if !confirmed {
        let Some(cart) = cart_view(state, session_cart(&visitor)).await? else {
            return Ok(Reply::Redirect(Redirect::to("/cart")));
        };
        let layout = Layout::new(&visitor, &csrf);
        let name = if htmx.0 { "cart/_clear" } else { "cart/clear" };
        return Ok(Reply::Html(Template::render(
            name,
            context! { layout, cart },
        )));
    }
    let new_cart = change_cart(state, session.id.clone(), Change::Clear).await?;
    show_changed(state, &visitor, &csrf, new_cart, &htmx).await
}

/// After a change: the cart fragment for htmx, the cart page otherwise.
async fn show_changed(
    state: &AppState,
    visitor: &Visitor,
    csrf: &Csrf,
    new_cart: Option<Cart>,
    htmx: &Htmx,
) -> AppResult<Reply> {
    if !htmx.0 {
        return Ok(Reply::Redirect(Redirect::to("/cart")));
    }
    let layout = Layout::with_cart(visitor, csrf, new_cart.as_ref());
    let warnings = cart_warnings(state, new_cart.clone()).await?;
    let cart: Option<CartView> = cart_view(state, new_cart).await?;
    Ok(Reply::Html(Template::render(
        "cart/_cart",
        context! { layout, cart, warnings, fragment: true },
    )))
}
