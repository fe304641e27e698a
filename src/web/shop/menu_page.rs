//! The menu page: rendered once per snapshot of the pizzeria's menu for every visitor, cut
//! where each visitor's token, header and cart summary go, and kept gzipped for the browsers
//! that take it; an `ETag` per copy answers 304 for the same bytes.

use super::views::menu::{
    availability_version, not_found_pizzeria, order_view, pizzeria_view, sections, CSRF_PLACEHOLDER,
};
use crate::domain::ids::{InvalidId, PizzeriaId};
use crate::live::menu_cache::{Lookup, MenuPage, MenuSnapshot};
use crate::models::menu;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::glance::Glance;
use crate::web::guards::Csrf;
use crate::web::headers::{AcceptsGzip, IfNoneMatch};
use crate::web::layout::Layout;
use rocket::http::Header;
use rocket::response::content::RawHtml;
use rocket::{get, routes, Route, State};
use rocket_dyn_templates::{context, Metadata};
use std::sync::Arc;

pub fn routes() -> Vec<Route> {
    routes![show_menu]
}

/// Stand for the header's part about the visitor and the cart summary in the menu page rendered
/// once for everybody (the token's is `CSRF_PLACEHOLDER`).
const NAV_GAP: &str = "<!--visitor-nav-->";
const CART_GAP: &str = "<!--visitor-cart-->";

/// The pizzeria's menu from the cache, or read once for everybody.
async fn menu_snapshot(state: &AppState, id: PizzeriaId) -> AppResult<Arc<MenuSnapshot>> {
    let generation = match state.hub.menus.get(id) {
        Lookup::Fresh(menu) | Lookup::Stale(menu) => return Ok(menu),
        Lookup::Load(generation) => generation,
    };
    let Some(read) = state.db.run(move |c| menu::read_menu(c, id)).await?? else {
        state.hub.menus.remove(id);
        return Err(not_found_pizzeria());
    };
    let snapshot = Arc::new(MenuSnapshot::new(
        read.pizzeria,
        read.slots,
        read.products,
        read.counts,
        read.allergens,
    ));
    state.hub.menus.put(id, snapshot.clone(), generation);
    Ok(snapshot)
}

/// The menu page is the same for every visitor but for their token, header and cart summary:
/// rendered once per snapshot, cut where those go.
fn menu_page<'m>(md: &Metadata<'_>, menu: &'m MenuSnapshot, few: i64) -> AppResult<&'m MenuPage> {
    if let Some(page) = menu.page.get() {
        return Ok(page);
    }
    let pizzeria = pizzeria_view(menu.pizzeria.clone(), &menu.slots);
    let sections = sections(menu, few);
    let layout = context! { csrf: CSRF_PLACEHOLDER, nav_gap: NAV_GAP, cart_gap: CART_GAP };
    let order = order_view(&menu.slots);
    let live_version = menu.version.get_or_init(|| {
        availability_version(menu.products.iter().map(|p| &p.id), &menu.counts, few)
    });
    let ctx = context! { layout, pizzeria, sections, order, live_version };
    let (_, html) = md
        .render("pizzerias/menu", ctx)
        .ok_or_else(|| AppError::internal("menu template failed to render"))?;
    let page = MenuPage::cut(&html, [CSRF_PLACEHOLDER, NAV_GAP, CART_GAP]);
    // Every value of the template is escaped: the gaps can only be the ones the layout wrote.
    if page.html.count(1) != 1 || page.html.count(2) != 1 {
        return Err(AppError::internal(
            "the menu page must show the header and cart once",
        ));
    }
    Ok(menu.page.get_or_init(|| page))
}

/// The visitor's own parts of a menu page, rendered from the same templates as every other
/// page's.
fn visitor_parts(md: &Metadata<'_>, layout: &Layout) -> AppResult<(String, String)> {
    let part = |name: &'static str| {
        md.render(name, context! { layout })
            .map(|(_, html)| html)
            .ok_or_else(|| AppError::internal(format!("template {name} missing")))
    };
    Ok((part("_visitor_nav")?, part("cart/_summary")?))
}

/// A menu page (as it is, or gzipped for a browser that takes it), or "not modified" when the
/// browser holds these very bytes.
#[derive(rocket::Responder)]
enum MenuReply {
    Page(
        RawHtml<String>,
        Header<'static>,
        Header<'static>,
        Header<'static>,
    ),
    Gzip(
        RawHtml<Vec<u8>>,
        Header<'static>,
        Header<'static>,
        Header<'static>,
        Header<'static>,
    ),
    #[response(status = 304)]
    NotModified((), Header<'static>, Header<'static>, Header<'static>),
}

#[get("/pizzerias/<id>")]
async fn show_menu(
    id: Result<PizzeriaId, InvalidId>,
    state: &State<AppState>,
    md: Metadata<'_>,
    glance: Glance,
    csrf: Csrf,
    held: IfNoneMatch,
    gzip: AcceptsGzip,
) -> AppResult<MenuReply> {
    let id = id.map_err(|_| not_found_pizzeria())?;
    let menu = menu_snapshot(state, id).await?;
    let page = menu_page(&md, &menu, state.settings.few_left_threshold)?;
    let layout = Layout::of_glance(&glance, &csrf);
    let (nav, cart) = visitor_parts(&md, &layout)?;
    let values = [layout.csrf.as_str(), nav.as_str(), cart.as_str()];
    let gzipped = gzip.0 && page.html.gzips(&values);
    let mut etag = page.etag_for(&values);
    if gzipped {
        // Another representation: its own tag.
        etag.insert_str(etag.len() - 1, "-gz");
    }
    // A guest's page may be kept by the browser, asking each time whether it changed; the
    // page of a visitor with a session is kept by none (web::headers).
    let cache = Header::new("Cache-Control", "private, no-cache");
    let vary = Header::new("Vary", "Accept-Encoding");
    let tag = Header::new("ETag", etag.clone());
    if held.matches(&etag) {
        return Ok(MenuReply::NotModified((), tag, cache, vary));
    }
    if gzipped {
        let mut packed = Vec::new();
        page.html.write_gzip_filled(&values, &mut packed);
        let encoding = Header::new("Content-Encoding", "gzip");
        let body = RawHtml(packed);
        return Ok(MenuReply::Gzip(body, tag, cache, vary, encoding));
    }
    let mut html = String::with_capacity(page.html.len_filled(&values));
    page.html.write_filled(&values, &mut html);
    Ok(MenuReply::Page(RawHtml(html), tag, cache, vary))
}
