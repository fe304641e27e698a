//! A forgotten password: a one-time link by e-mail (valid an hour), the same answer whether or
//! not the address has an account; using it ends every session of the account.

use super::{home_of, send_link, sign_in, AccountError, SignedIn};
use crate::db::{write_tx, Db, DbConn};
use crate::domain::account::LinkPurpose;
use crate::domain::token::{hash_hex, AccountToken};
use crate::models::account_token::{self, Pending};
use crate::models::session::{self, SessionRow};
use crate::models::{now, user};
use crate::services::tokens;
use crate::services::users::hash_password;
use diesel::QueryResult;

/// Sends a link to choose a new password, if the address has a confirmed account (at most one
/// link every two minutes). Says nothing of whether it has.
pub fn request_password_reset(conn: &mut DbConn, email: &str) -> QueryResult<()> {
    write_tx(conn, |tx| {
        let Some((id, true, true)) = user::by_email(tx, email)? else {
            return Ok(());
        };
        let since = now() - chrono::Duration::minutes(2);
        if account_token::sent_since(tx, id, LinkPurpose::ResetPassword, since)? {
            return Ok(());
        }
        let name = user::profile(tx, id)?
            .map(|p| p.full_name)
            .unwrap_or_default();
        let reset = LinkPurpose::ResetPassword;
        send_link(tx, (id, email), reset, &name, &Pending::default()).map(drop)
    })
}

/// Whether a link still works (to show its form, or say it does not).
pub fn check_link(
    conn: &mut DbConn,
    token: &AccountToken,
    purpose: LinkPurpose,
) -> QueryResult<bool> {
    let hash = hash_hex(token.as_str());
    Ok(account_token::find_valid(conn, &hash, purpose, now())?.is_some())
}

/// Sets the new password through a reset link: the link is used, every session of the account
/// ends, and this browser is signed in anew.
pub async fn reset_password(
    db: &Db,
    token: AccountToken,
    password: String,
    old: Option<SessionRow>,
) -> Result<SignedIn, AccountError> {
    // A made-up link costs one query, not a password hash.
    let t = token.clone();
    let purpose = LinkPurpose::ResetPassword;
    if !db.run(move |c| check_link(c, &t, purpose)).await?? {
        return Err(AccountError::LinkExpired);
    }
    let hash = tokio::task::spawn_blocking(move || hash_password(&password)).await??;
    db.run(move |c| write_tx(c, |tx| reset_in(tx, &token, &hash, old.as_ref())))
        .await?
}

fn reset_in(
    tx: &mut DbConn,
    token: &AccountToken,
    hash: &str,
    old: Option<&SessionRow>,
) -> Result<SignedIn, AccountError> {
    let t = now();
    let found =
        account_token::find_valid(tx, &hash_hex(token.as_str()), LinkPurpose::ResetPassword, t)?;
    let Some((id, user_id)) = found else {
        return Err(AccountError::LinkExpired);
    };
    if !account_token::try_use(tx, id, t)? {
        return Err(AccountError::LinkExpired);
    }
    user::set_password_hash(tx, user_id, hash)?;
    account_token::set_all_used(tx, user_id, LinkPurpose::ResetPassword, t)?;
    session::delete_of_user(tx, user_id, None)?;
    let name = user::profile(tx, user_id)?
        .map(|p| p.full_name)
        .unwrap_or_default();
    Ok(SignedIn {
        user: user_id,
        token: sign_in(tx, user_id, &name, old)?,
        home: home_of(tx, user_id)?,
        device: tokens::device_nonce(),
    })
}
