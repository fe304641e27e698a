//! What a customer changes in their account: name and phone, password, where they are signed
//! in, and the account itself (deleted, their identity removed from past orders).

use super::AccountError;
use crate::db::{write_tx, Db, DbConn};
use crate::domain::ids::UserId;
use crate::domain::token::SessionId;
use crate::models::session::{self, SessionData};
use crate::models::{account_token, login_attempt, order, outbox, user};
use crate::services::users::{hash_password, verify_password};
use diesel::QueryResult;

/// New name and phone; the header of this session follows.
pub fn update_profile(
    conn: &mut DbConn,
    user: UserId,
    full_name: &str,
    phone: Option<&str>,
    current: &SessionId,
) -> QueryResult<()> {
    write_tx(conn, |tx| {
        user::set_profile(tx, user, full_name, phone)?;
        let mut data: SessionData = session::find(tx, current)?
            .map(|s| s.data())
            .unwrap_or_default();
        data.user_name = Some(full_name.to_string());
        session::save_data(tx, current, &data)
    })
}

/// Checks a customer's password against their account (on the blocking pool).
async fn check_password(db: &Db, user: UserId, password: String) -> Result<(), AccountError> {
    let hash = db.run(move |c| user::password_hash(c, user)).await??;
    let hash = hash.ok_or(AccountError::WrongPassword)?;
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await?;
    ok.then_some(()).ok_or(AccountError::WrongPassword)
}

/// A new password, given the current one; every other session of the account ends.
pub async fn change_password(
    db: &Db,
    user: UserId,
    current_password: String,
    new_password: String,
    current: SessionId,
) -> Result<(), AccountError> {
    check_password(db, user, current_password).await?;
    let hash = tokio::task::spawn_blocking(move || hash_password(&new_password)).await??;
    db.run(move |c| {
        write_tx(c, |tx| {
            user::set_password_hash(tx, user, &hash)?;
            session::delete_of_user(tx, user, Some(&current)).map(drop)
        })
    })
    .await??;
    Ok(())
}

/// "Se déconnecter de tous les appareils": every session of the account ends, this one too.
pub fn end_all_sessions(conn: &mut DbConn, user: UserId) -> QueryResult<usize> {
    write_tx(conn, |tx| session::delete_of_user(tx, user, None))
}

/// Deletes the account, confirmed by its password: no order may be on its way. Past orders keep
/// their lines and totals without the person's name, phone, e-mail or address; addresses,
/// sessions, links, login attempts and e-mails not yet sent go.
pub async fn delete_account(db: &Db, user: UserId, password: String) -> Result<(), AccountError> {
    check_password(db, user, password).await?;
    db.run(move |c| write_tx(c, |tx| erase(tx, user))).await?
}

fn erase(tx: &mut DbConn, id: UserId) -> Result<(), AccountError> {
    if order::has_open_order(tx, id)? {
        return Err(AccountError::OrderInProgress);
    }
    let email = user::profile(tx, id)?.map(|p| p.email).unwrap_or_default();
    order::set_anonymous_of_user(tx, id)?;
    user::delete_addresses(tx, id)?;
    session::delete_of_user(tx, id, None)?;
    account_token::delete_of_user(tx, id)?;
    login_attempt::delete_of_email(tx, &email)?;
    outbox::delete_pending_to(tx, &email)?;
    user::set_deleted(tx, id)?;
    Ok(())
}
