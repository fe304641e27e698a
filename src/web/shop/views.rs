//! What several customer pages show: the cart and its recap, the session a cart change needs.

pub mod menu;

use crate::domain::cart::Cart;
use crate::domain::token::SessionId;
use crate::models::catalog;
use crate::models::session::SessionData;
use crate::services::{cart, sessions};
use crate::state::AppState;
use crate::web::cookies;
use crate::web::error::AppResult;
use crate::web::guards::Visitor;
use rocket::http::CookieJar;
use rocket::serde::Serialize;

#[derive(Serialize)]
pub struct CartView {
    pub pizzeria_id: i64,
    pub pizzeria_name: String,
    pub pizzeria_phone: String,
    /// Whether the pizzeria still takes orders.
    pub pizzeria_active: bool,
    pub lines: Vec<LineView>,
    pub count: u32,
    pub total: String,
    pub orderable: bool,
    /// The version of this recap, and its lines: the checkout form carries both.
    pub version: String,
    pub shown: String,
    /// Products the page showed that the cart no longer holds.
    pub removed: Vec<String>,
}

#[derive(Serialize)]
pub struct LineView {
    pub product_id: i64,
    pub name: String,
    pub qty: u32,
    pub unit: String,
    pub subtotal: String,
    pub offered: bool,
    /// What changed since the page the customer confirmed.
    pub change: Option<String>,
    /// Why a quantity typed for this line was refused (the line keeps its quantity).
    pub error: Option<String>,
}

impl From<cart::CartView> for CartView {
    fn from(v: cart::CartView) -> CartView {
        let r = v.recap;
        CartView {
            pizzeria_id: r.pizzeria.0,
            pizzeria_name: v.pizzeria_name,
            pizzeria_phone: v.pizzeria_phone,
            pizzeria_active: v.pizzeria_active,
            count: r.item_count(),
            total: r.total().to_string(),
            orderable: r.orderable() && v.pizzeria_active,
            version: r.version().as_str().to_string(),
            shown: r.shown_text(),
            removed: Vec::new(),
            lines: r
                .lines
                .into_iter()
                .map(|l| LineView {
                    product_id: l.product.0,
                    qty: l.qty,
                    unit: l.unit_price.to_string(),
                    subtotal: l.subtotal().to_string(),
                    offered: l.offered,
                    name: l.name,
                    change: None,
                    error: None,
                })
                .collect(),
        }
    }
}

/// The cart as it is now, each line marked with what changed since a page showed `shown`
/// (the checkout form's `cart_shown`), and the products gone named.
pub async fn cart_view_since(
    state: &AppState,
    cart: Option<Cart>,
    shown: &str,
) -> AppResult<Option<CartView>> {
    let Some(cart) = cart else {
        return Ok(None);
    };
    let view = state.db.run(move |c| cart::view(c, &cart)).await??;
    if shown.is_empty() {
        return Ok(Some(view.into()));
    }
    let shown = crate::domain::recap::parse_shown(shown);
    let (changes, gone) = view.recap.changes_since(&shown);
    let names = if gone.is_empty() {
        Vec::new()
    } else {
        let ids = gone.clone();
        state.db.run(move |c| catalog::names(c, &ids)).await??
    };
    let mut page = CartView::from(view);
    for line in &mut page.lines {
        let id = crate::domain::ids::ProductId(line.product_id);
        line.change = changes
            .iter()
            .find(|(p, _)| *p == id)
            .map(|(_, c)| c.note());
    }
    page.removed = names.into_iter().map(|(_, name)| name).collect();
    Ok(Some(page))
}

/// A cart as shown, read from the database (names, today's prices).
pub async fn cart_view(state: &AppState, cart: Option<Cart>) -> AppResult<Option<CartView>> {
    let Some(cart) = cart else {
        return Ok(None);
    };
    let view = state.db.run(move |c| cart::view(c, &cart)).await??;
    Ok(Some(view.into()))
}

/// The cart of the visitor's session, if any.
pub fn session_cart(visitor: &Visitor) -> Option<Cart> {
    visitor.session.as_ref().and_then(|s| s.data().cart)
}

/// The session to write to: the visitor's, or a new one (its cookie set on this response).
pub async fn ensure_session(
    state: &AppState,
    visitor: &Visitor,
    jar: &CookieJar<'_>,
) -> AppResult<SessionId> {
    if let Some(s) = &visitor.session {
        return Ok(s.id.clone());
    }
    let token = state
        .db
        .run(|c| sessions::start(c, None, &SessionData::default()))
        .await??;
    cookies::set_session(jar, &token, state.settings.secure_cookies);
    Ok(SessionId::of(&token))
}

/// What the cart's stock no longer allows, one sentence per line (empty when all is well).
pub async fn cart_warnings(state: &AppState, cart: Option<Cart>) -> AppResult<Vec<String>> {
    let Some(cart) = cart else {
        return Ok(Vec::new());
    };
    let short = state.db.run(move |c| cart::shortages(c, &cart)).await??;
    Ok(short.iter().map(|s| s.message_for_cart()).collect())
}

/// A short name for a list of warnings, so that a page and its stream can tell whether they
/// show the same.
pub fn warnings_version(warnings: &[String]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(warnings.join("\n").as_bytes());
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// The online payments offered here, as (value, label) for the payment choices of a form.
pub fn online_choices(state: &AppState) -> Vec<(&'static str, &'static str)> {
    state
        .payments
        .offered()
        .into_iter()
        .map(|m| (m.as_str(), m.label()))
        .collect()
}
