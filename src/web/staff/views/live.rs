//! The floor's screens live: each kitchen, driver and counter screen holds one stream that
//! sends its board again when an order of its pizzeria changes (whichever process changed it)
//! or when the board changes by itself (a struck ticket leaves, a later order enters the queue).
//! The floor is read once per change for all screens of the process (`FloorCache`).

use super::runs;
use super::tickets;
use crate::domain::ids::UserId;
use crate::live::shared_html::SharedHtml;
use crate::live::LiveEvent;
use crate::models::floor::Floor;
use crate::models::now;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::guards::PizzeriaStaff;
use crate::web::guards::{Csrf, Htmx};
use crate::web::layout::Reply;
use crate::web::stream::{live_stream, LivePage, Subscription};
use chrono::NaiveDateTime;
use rocket::response::content::RawHtml;
use rocket::response::stream::Event;
use rocket::response::stream::EventStream;
use rocket::response::Redirect;
use rocket::Shutdown;
use rocket_dyn_templates::{context, Metadata};
use std::sync::Arc;

#[derive(Debug, Clone, Copy)]
pub enum Screen {
    Kitchen,
    Delivery(UserId),
    /// The counter, with its search.
    Counter,
}

/// A board as rendered once for every screen, and when it changes by itself.
pub struct Board {
    pub shared: Arc<SharedHtml>,
    pub wake: Option<NaiveDateTime>,
}

/// Stands for the viewer's CSRF token in a board rendered once for every screen.
const CSRF_PLACEHOLDER: &str = "__CSRF_TOKEN__";

impl Screen {
    /// What a board depends on besides the floor: the screen, and who looks at it.
    fn key(self, manager: bool) -> String {
        match self {
            Screen::Kitchen => "kitchen".into(),
            Screen::Delivery(me) => format!("delivery:{me}:{manager}"),
            Screen::Counter => format!("counter:{manager}"),
        }
    }
}

/// One screen's board from the floor as last read: rendered once per change (and whenever it
/// changes by itself) for every screen alike, with gaps for each viewer's CSRF token.
pub async fn board(
    state: &AppState,
    md: &Metadata<'_>,
    staff: &PizzeriaStaff,
    screen: Screen,
) -> Result<Board, String> {
    let floor = state.hub.floors.get(&state.db, staff.pizzeria).await?;
    let manager = staff
        .access
        .covers(crate::domain::staff::StaffRole::Manager);
    let key = screen.key(manager);
    let t = now();
    let wake = match screen {
        Screen::Kitchen => tickets::kitchen_wake(&floor, t),
        _ => None,
    };
    let floors = &state.hub.floors;
    let shared = match floors.rendered(staff.pizzeria, &key, &floor) {
        Some(shared) => shared,
        None => {
            let html = render(md, staff, screen, &floor, manager)?;
            let shared = Arc::new(SharedHtml::cut(&html, CSRF_PLACEHOLDER));
            floors.keep_rendered(staff.pizzeria, &key, &floor, wake, shared.clone());
            shared
        }
    };
    Ok(Board { shared, wake })
}

fn render(
    md: &Metadata<'_>,
    staff: &PizzeriaStaff,
    screen: Screen,
    floor: &Floor,
    manager: bool,
) -> Result<String, String> {
    let t = now();
    let layout = context! { csrf: CSRF_PLACEHOLDER };
    let pizzeria = staff.pizzeria.0;
    let (name, ctx) = match screen {
        Screen::Kitchen => {
            let k = tickets::kitchen(floor, t);
            let ctx = context! { k, layout, pizzeria };
            ("staff/_kitchen_board", json(ctx)?)
        }
        Screen::Delivery(me) => {
            let d = runs::delivery(floor, me);
            let ctx = context! { d, layout, pizzeria, manager };
            ("staff/_delivery_board", json(ctx)?)
        }
        Screen::Counter => {
            let c = runs::counter(floor, "");
            let ctx = context! { c, layout, pizzeria, manager };
            ("staff/_counter_board", json(ctx)?)
        }
    };
    md.render(name, ctx)
        .map(|(_, html)| html)
        .ok_or_else(|| format!("template {name} missing"))
}

fn json(ctx: impl serde::Serialize) -> Result<serde_json::Value, String> {
    serde_json::to_value(ctx).map_err(|e| e.to_string())
}

/// An open screen: what it shows, so that an event changing nothing it shows sends nothing.
pub struct LiveFloor<'r> {
    pub md: Metadata<'r>,
    pub state: &'r AppState,
    pub staff: PizzeriaStaff,
    pub screen: Screen,
    pub csrf: String,
    pub shown: String,
    /// The shared board `shown` was copied from: the same one again sends nothing, uncopied.
    pub shown_from: Option<Arc<SharedHtml>>,
    pub wake: Option<NaiveDateTime>,
}

impl LiveFloor<'_> {
    pub async fn board_event(&mut self) -> Result<Vec<Event>, ()> {
        let board = board(self.state, &self.md, &self.staff, self.screen)
            .await
            .map_err(|e| tracing::warn!(error = %e, "floor screen cannot render"))?;
        self.wake = board.wake;
        if self
            .shown_from
            .as_ref()
            .is_some_and(|s| Arc::ptr_eq(s, &board.shared))
        {
            return Ok(Vec::new());
        }
        let html = board.shared.with(&self.csrf);
        self.shown_from = Some(board.shared);
        if html == self.shown {
            return Ok(Vec::new());
        }
        self.shown = html;
        Ok(vec![Event::data(self.shown.clone()).event("board")])
    }
}

impl LivePage for LiveFloor<'_> {
    fn concerns(&self, event: &LiveEvent) -> bool {
        matches!(event, LiveEvent::Order { pizzeria, .. } if *pizzeria == self.staff.pizzeria)
    }

    async fn update(&mut self, _event: Option<&LiveEvent>) -> Result<Vec<Event>, ()> {
        self.board_event().await
    }

    fn wake_at(&self) -> Option<rocket::tokio::time::Instant> {
        let wake = self.wake?;
        let wait = (wake - now()).to_std().unwrap_or_default();
        Some(rocket::tokio::time::Instant::now() + wait + std::time::Duration::from_millis(50))
    }
}

impl Screen {
    /// The screen's own page, where a plain form goes back to.
    fn path(self, staff: &PizzeriaStaff) -> String {
        let name = match self {
            Screen::Kitchen => "kitchen",
            Screen::Delivery(_) => "delivery",
            Screen::Counter => "counter",
        };
        format!("/staff/{}/{name}", staff.pizzeria)
    }
}

/// A screen's stream: its board at once, then again whenever it changes.
pub async fn open<'r>(
    state: &'r AppState,
    md: Metadata<'r>,
    staff: PizzeriaStaff,
    screen: Screen,
    csrf: &Csrf,
    end: Shutdown,
) -> AppResult<EventStream![Event + 'r]> {
    let subscription = Subscription::to(&state.hub);
    let mut page = LiveFloor {
        md,
        state,
        staff,
        screen,
        csrf: csrf.0.to_string(),
        shown: String::new(),
        shown_from: None,
        wake: None,
    };
    let first = page
        .board_event()
        .await
        .map_err(|()| AppError::internal("floor board"))?;
    Ok(live_stream(subscription, first, page, end))
}

/// The board of a screen, rendered now for this browser.
pub async fn board_now(
    state: &AppState,
    md: &Metadata<'_>,
    staff: &PizzeriaStaff,
    screen: Screen,
    csrf: &str,
) -> AppResult<String> {
    board(state, md, staff, screen)
        .await
        .map(|b| b.shared.with(csrf))
        .map_err(AppError::internal)
}

/// A screen's whole page for this viewer: the shell rendered from the template `name` with
/// `ctx`, the board written straight where it shows `board` (see `layout::spliced`).
pub async fn page(
    state: &AppState,
    md: &Metadata<'_>,
    staff: &PizzeriaStaff,
    screen: Screen,
    name: &'static str,
    ctx: impl serde::Serialize,
    csrf: &str,
) -> AppResult<RawHtml<String>> {
    let board = board(state, md, staff, screen)
        .await
        .map_err(AppError::internal)?;
    crate::web::layout::spliced(md, name, ctx, "board", &board.shared, csrf)
}

/// After an action committed: the screens hear of it, htmx gets the board, a plain form goes
/// back to the screen.
pub async fn answer(
    state: &AppState,
    md: &Metadata<'_>,
    staff: &PizzeriaStaff,
    screen: Screen,
    csrf: &Csrf,
    htmx: Htmx,
) -> AppResult<Reply> {
    super::changed(state, staff);
    if !htmx.0 {
        return Ok(Reply::Redirect(Redirect::to(screen.path(staff))));
    }
    let html = board_now(state, md, staff, screen, &csrf.0.to_string()).await?;
    Ok(Reply::Raw(RawHtml(html)))
}
