//! The direction's view of the e-mail outbox: how many wait and since when, how many left in
//! the last day, and every message that could not be sent, with its last error and a button
//! that sends it again from its first attempt.

use crate::services::mail;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::form::Posted;
use crate::web::format::french_time;
use crate::web::guards::{Csrf, GroupAdmin, Visitor};
use crate::web::layout::Layout;
use rocket::response::Redirect;
use rocket::serde::Serialize;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    routes![show_emails, retry_email]
}

#[derive(Serialize)]
struct FailedView {
    id: i64,
    recipient: String,
    template: String,
    attempts: i32,
    error: String,
    queued: String,
}

#[get("/emails?<done>")]
async fn show_emails(
    done: Option<&str>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let outbox = state.db.run(mail::state).await??;
    let failed: Vec<FailedView> = outbox
        .failed
        .into_iter()
        .map(|f| FailedView {
            id: f.id,
            recipient: f.recipient,
            template: f.template,
            attempts: f.attempts,
            error: f.last_error.unwrap_or_default(),
            queued: french_time(f.created_at),
        })
        .collect();
    let notice =
        (done == Some("retry")).then_some("Le message repart : il sera envoyé dans un instant.");
    let ctx = context! {
        layout: Layout::new(&visitor, &csrf),
        pending: outbox.pending,
        oldest: outbox.oldest_pending.map(french_time),
        sent: outbox.sent_last_day,
        failed,
        notice,
    };
    Ok(Template::render("admin/emails", ctx))
}

#[post("/emails/<id>/retry", data = "<form>")]
async fn retry_email(
    id: i64,
    _admin: GroupAdmin,
    state: &State<AppState>,
    form: Posted,
) -> AppResult<Redirect> {
    form.0.expect_empty()?;
    if state.db.run(move |c| mail::retry_failed(c, id)).await?? {
        Ok(Redirect::to("/admin/emails?done=retry"))
    } else {
        Err(AppError::NotFound(
            "Ce message n'est pas (ou plus) en échec.".into(),
        ))
    }
}
