//! What several customer pages show: the cart and its recap, the session a cart change needs.

use crate::domain::cart::Cart;
use crate::domain::token::SessionId;
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
    pub lines: Vec<LineView>,
    pub count: u32,
    pub total: String,
    pub orderable: bool,
    /// The version of this recap: the checkout form carries it.
    pub version: String,
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

impl From<cart::CartView> for CartView {
    fn from(v: cart::CartView) -> CartView {
        let r = v.recap;
        CartView {
            pizzeria_id: r.pizzeria.0,
            pizzeria_name: v.pizzeria_name,
            count: r.item_count(),
            total: r.total().to_string(),
            orderable: r.orderable(),
            version: r.version().as_str().to_string(),
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
                })
                .collect(),
        }
    }
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
