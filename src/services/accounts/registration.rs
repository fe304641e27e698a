//! Registration, confirmed by a link sent to the e-mail address. The answer is the same whether
//! or not the address has an account: an existing one is told by e-mail instead.

use super::{home_of, send_link, sign_in, AccountError, SignedIn};
use crate::db::{write_tx, Db, DbConn};
use crate::domain::account::LinkPurpose;
use crate::domain::ids::UserId;
use crate::domain::token::{hash_hex, AccountToken};
use crate::models::account_token::{self, Pending};
use crate::models::session::SessionRow;
use crate::models::user::{self, NewUser};
use crate::models::{now, outbox};
use crate::services::tokens;
use crate::services::users::hash_password;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
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
/// address with an account already gets an e-mail saying so (at most one a quarter of an
/// hour); one still waiting gets a link of its own, carrying its own details (at most one every
/// two minutes): opening a link applies that link's details, never another registration's.
pub async fn request_registration(db: &Db, r: Registration) -> Result<(), AccountError> {
    let password = r.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password)).await??;
    let registered = db
        .run(move |c| write_tx(c, |tx| register_in(tx, &r, &hash)))
        .await?;
    match registered {
        // The same address registered by another request at the same moment: its link is on
        // its way, and the answer is the same.
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(()),
        other => Ok(other?),
    }
}

fn register_in(tx: &mut DbConn, r: &Registration, hash: &str) -> QueryResult<()> {
    let t = now();
    let pending = Pending {
        full_name: Some(r.full_name.clone()),
        phone: r.phone.clone(),
        password_hash: Some(hash.to_string()),
    };
    let id = match user::by_email(tx, &r.email)? {
        Some((id, true, _)) => return tell_owner(tx, id, r),
        Some((id, false, _)) => {
            let since = t - chrono::Duration::minutes(2);
            if account_token::sent_since(tx, id, LinkPurpose::ConfirmEmail, since)? {
                return Ok(());
            }
            id
        }
        None => user::insert(tx, &waiting_account(r, t))?,
    };
    let confirm = LinkPurpose::ConfirmEmail;
    send_link(tx, (id, &r.email), confirm, &r.full_name, &pending).map(drop)
}

/// An account waiting for its address: no usable password until a link is opened.
fn waiting_account(r: &Registration, t: chrono::NaiveDateTime) -> NewUser<'_> {
    NewUser {
        email: &r.email,
        password_hash: "!",
        full_name: &r.full_name,
        phone: None,
        is_admin: false,
        active: true,
        created_at: t,
        email_verified_at: None,
    }
}

/// "Vous avez déjà un compte": at most one such e-mail a quarter of an hour.
fn tell_owner(tx: &mut DbConn, id: UserId, r: &Registration) -> QueryResult<()> {
    let bucket = now().and_utc().timestamp() / 900;
    let payload = json!({ "name": r.full_name, "login": "/login", "reset": "/password/forgot" });
    let key = format!("account_exists:{id}:{bucket}");
    outbox::enqueue_once(tx, &key, &r.email, "account_exists", &payload, None).map(drop)
}

/// Opens a confirmation link: the account takes that link's details, its address is
/// confirmed, every confirmation link stops working, and the account is signed in (the
/// browser's cart kept).
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
        let pending = account_token::pending_of(tx, id)?;
        let name = pending.full_name.unwrap_or_default();
        user::set_profile(tx, user_id, &name, pending.phone.as_deref())?;
        user::set_password_hash(tx, user_id, pending.password_hash.as_deref().unwrap_or("!"))?;
        user::set_verified(tx, user_id, t)?;
        account_token::set_all_used(tx, user_id, LinkPurpose::ConfirmEmail, t)?;
        Ok(SignedIn {
            user: user_id,
            token: sign_in(tx, user_id, &name, old)?,
            home: home_of(tx, user_id)?,
            device: tokens::device_nonce(),
        })
    })
}
