//! Registration, confirmed by a link sent to the e-mail address. The answer is the same whether
//! or not the address has an account: an existing one is told by e-mail instead.

use super::{home_of, send_link, sign_in, AccountError, SignedIn};
use crate::db::{write_tx, Db, DbConn};
use crate::domain::account::LinkPurpose;
use crate::domain::token::{hash_hex, AccountToken};
use crate::models::session::SessionRow;
use crate::models::user::{self, NewUser};
use crate::models::{account_token, now, outbox};
use crate::services::tokens;
use crate::services::users::hash_password;
use diesel::QueryResult;
use serde_json::json;

/// A new customer, as checked by the registration form.
pub struct Registration {
    pub email: String,
    pub full_name: String,
    pub phone: Option<String>,
    pub password: String,
}

/// Registers an account waiting for its address to be confirmed, and sends the link. An
/// address with an account already gets an e-mail saying so (at most one per quarter of an
/// hour); one still waiting gets the new details and a new link (the old ones stop working).
pub async fn request_registration(db: &Db, r: Registration) -> Result<(), AccountError> {
    let password = r.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password)).await??;
    db.run(move |c| write_tx(c, |tx| register_in(tx, &r, &hash)))
        .await??;
    Ok(())
}

fn register_in(tx: &mut DbConn, r: &Registration, hash: &str) -> QueryResult<()> {
    let t = now();
    match user::by_email(tx, &r.email)? {
        Some((id, true, _)) => {
            let bucket = t.and_utc().timestamp() / 900;
            let payload =
                json!({ "name": r.full_name, "login": "/login", "reset": "/password/forgot" });
            let key = format!("account_exists:{id}:{bucket}");
            outbox::enqueue_once(tx, &key, &r.email, "account_exists", &payload).map(drop)
        }
        Some((id, false, _)) => {
            user::set_pending(tx, id, &r.full_name, r.phone.as_deref(), hash)?;
            account_token::set_all_used(tx, id, LinkPurpose::ConfirmEmail, t)?;
            send_link(tx, id, &r.email, LinkPurpose::ConfirmEmail, &r.full_name).map(drop)
        }
        None => {
            let row = NewUser {
                email: &r.email,
                password_hash: hash,
                full_name: &r.full_name,
                phone: r.phone.as_deref(),
                is_admin: false,
                active: true,
                created_at: t,
                email_verified_at: None,
            };
            let id = user::insert(tx, &row)?;
            send_link(tx, id, &r.email, LinkPurpose::ConfirmEmail, &r.full_name).map(drop)
        }
    }
}

/// Opens a confirmation link: the address is confirmed, the link used, the account signed in
/// (the browser's cart kept).
pub fn confirm_registration(
    conn: &mut DbConn,
    token: &AccountToken,
    old: Option<&SessionRow>,
) -> Result<SignedIn, AccountError> {
    let hash = hash_hex(token.as_str());
    write_tx(conn, |tx| {
        let t = now();
        let Some((id, user_id)) =
            account_token::find_valid(tx, &hash, LinkPurpose::ConfirmEmail, t)?
        else {
            return Err(AccountError::LinkExpired);
        };
        if !account_token::try_use(tx, id, t)? {
            return Err(AccountError::LinkExpired);
        }
        user::set_verified(tx, user_id, t)?;
        let name = user::profile(tx, user_id)?
            .map(|p| p.full_name)
            .unwrap_or_default();
        Ok(SignedIn {
            user: user_id,
            token: sign_in(tx, user_id, &name, old)?,
            home: home_of(tx, user_id)?,
            device: tokens::device_nonce(),
        })
    })
}
