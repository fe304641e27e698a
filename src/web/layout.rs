//! What every page's layout shows, and the answers a handler gives.

use super::error::{AppError, AppResult};
use super::glance::Glance;
use super::guards::{Csrf, Visitor};
use crate::domain::cart::Cart;
use crate::live::shared_html::SharedHtml;
use rocket::response::content::RawHtml;
use rocket_dyn_templates::{Metadata, Template};

/// The CSRF token for forms and htmx, who is signed in, the cart's size. Built from the session
/// already loaded: no extra query.
#[derive(serde::Serialize)]
pub struct Layout {
    pub csrf: String,
    pub user_name: Option<String>,
    pub cart_count: u32,
    pub cart_pizzeria: Option<i64>,
}

impl Layout {
    pub fn new(visitor: &Visitor, csrf: &Csrf) -> Layout {
        let data = visitor
            .session
            .as_ref()
            .map(|s| s.data())
            .unwrap_or_default();
        Layout {
            csrf: csrf.0.to_string(),
            user_name: visitor.user().and(data.user_name),
            cart_count: data.cart.as_ref().map_or(0, Cart::item_count),
            cart_pizzeria: data.cart.map(|c| c.pizzeria.0),
        }
    }

    /// The layout of a page shared by every visitor, from what its header shows of them.
    pub fn of_glance(glance: &Glance, csrf: &Csrf) -> Layout {
        Layout {
            csrf: csrf.0.to_string(),
            user_name: glance.user_name.clone(),
            cart_count: glance.cart_count,
            cart_pizzeria: None,
        }
    }

    /// The layout once the cart has changed during this request.
    pub fn with_cart(visitor: &Visitor, csrf: &Csrf, cart: Option<&Cart>) -> Layout {
        Layout {
            cart_count: cart.map_or(0, Cart::item_count),
            cart_pizzeria: cart.map(|c| c.pizzeria.0),
            ..Layout::new(visitor, csrf)
        }
    }
}

/// The answers a handler gives.
#[derive(rocket::Responder)]
pub enum Reply {
    Html(Template),
    /// A fragment rendered already (a live board).
    Raw(rocket::response::content::RawHtml<String>),
    Redirect(rocket::response::Redirect),
    #[response(status = 404)]
    NotFound(Template),
    #[response(status = 409)]
    Conflict(Template),
    #[response(status = 413)]
    TooLarge(Template),
    #[response(status = 422)]
    Invalid(Template),
    #[response(status = 429)]
    TooMany(Template),
}

/// Where a page's shell takes the part rendered once for every visitor.
const SHARED_MARK: &str = "<!--shared-->";

/// A page for this visitor: its shell rendered from the template `name` with `ctx`, and
/// `shared` (rendered once for every visitor, the larger part by far) written straight where
/// the shell shows `field`, with the visitor's `token` in its gaps. The shared part never goes
/// through a template again: no copy into a context, no second escape or UTF-8 check.
pub fn spliced(
    md: &Metadata<'_>,
    name: &'static str,
    ctx: impl serde::Serialize,
    field: &str,
    shared: &SharedHtml,
    token: &str,
) -> AppResult<RawHtml<String>> {
    let mut ctx = serde_json::to_value(ctx).map_err(AppError::internal)?;
    if let Some(fields) = ctx.as_object_mut() {
        fields.insert(field.into(), SHARED_MARK.into());
    }
    let (_, shell) = md
        .render(name, ctx)
        .ok_or_else(|| AppError::internal(format!("template {name} missing")))?;
    // Every variable of a shell is escaped, so the mark can only be the one `field` wrote;
    // a shell showing it twice (a `| safe` value holding it) is refused rather than cut wrong.
    if shell.matches(SHARED_MARK).count() != 1 {
        return Err(AppError::internal(format!(
            "template {name} must show {field} once"
        )));
    }
    let (head, tail) = shell
        .split_once(SHARED_MARK)
        .ok_or_else(|| AppError::internal(format!("template {name} shows no {field}")))?;
    let mut html = String::with_capacity(head.len() + shared.len_with(token) + tail.len());
    html.push_str(head);
    shared.write_with(token, &mut html);
    html.push_str(tail);
    Ok(RawHtml(html))
}
