//! What a customer changes in their account: name and phone, password, where they are signed
//! in, and the account itself (deleted, their identity removed from past orders).

use super::login::{checked_password, LoginAttempt};
use super::AccountError;
use crate::db::{write_tx, Db, DbConn};
use crate::domain::account::LinkPurpose;
use crate::domain::ids::UserId;
use crate::domain::token::SessionId;
use crate::models::session::{self, SessionData};
use crate::models::{account_token, login_attempt, now, order, outbox, staff, user};
use crate::services::users::hash_password;
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

/// Who is asking, for a password typed in the account's settings: throttled like a login.
#[derive(Debug, Clone)]
pub struct Asker {
    pub ip: String,
    /// The browser's device cookie: (the e-mail it names, its nonce).
    pub device: Option<(String, String)>,
}

/// Checks a customer's password against their account: claimed and throttled like a login,
/// checked on the blocking pool.
async fn check_password(
    db: &Db,
    user: UserId,
    password: String,
    asker: &Asker,
) -> Result<(), AccountError> {
    let email = db.run(move |c| user::profile(c, user)).await??;
    let email = email.map(|p| p.email).ok_or(AccountError::WrongPassword)?;
    let device = asker.device.as_ref().filter(|(e, _)| *e == email);
    let attempt = LoginAttempt {
        device: device.map(|(_, nonce)| nonce.clone()),
        email,
        password,
        ip: asker.ip.clone(),
    };
    match checked_password(db, &attempt).await {
        Ok((tried, _)) => {
            db.run(move |c| write_tx(c, |tx| login_attempt::set_succeeded(tx, tried)))
                .await??;
            Ok(())
        }
        Err(AccountError::WrongCredentials) => Err(AccountError::WrongPassword),
        Err(e) => Err(e),
    }
}

/// A new password, given the current one; every other session of the account ends, and the
/// reset links still open stop working.
pub async fn change_password(
    db: &Db,
    user: UserId,
    (current_password, new_password): (String, String),
    current: SessionId,
    asker: &Asker,
) -> Result<(), AccountError> {
    check_password(db, user, current_password, asker).await?;
    let hash = tokio::task::spawn_blocking(move || hash_password(&new_password)).await??;
    db.run(move |c| {
        write_tx(c, |tx| {
            user::set_password_hash(tx, user, &hash)?;
            account_token::set_all_used(tx, user, LinkPurpose::ResetPassword, now())?;
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
pub async fn delete_account(
    db: &Db,
    user: UserId,
    password: String,
    asker: &Asker,
) -> Result<(), AccountError> {
    check_password(db, user, password, asker).await?;
    db.run(move |c| write_tx(c, |tx| erase(tx, user))).await?
}

fn erase(tx: &mut DbConn, id: UserId) -> Result<(), AccountError> {
    if staff::account(tx, id)?.is_some_and(|a| a.is_admin || a.membership.is_some()) {
        return Err(AccountError::StaffAccount);
    }
    if order::has_open_order(tx, id)? {
        return Err(AccountError::OrderInProgress);
    }
    let email = user::profile(tx, id)?.map(|p| p.email).unwrap_or_default();
    order::set_anonymous_of_user(tx, id)?;
    user::delete_addresses(tx, id)?;
    session::delete_of_user(tx, id, None)?;
    account_token::delete_of_user(tx, id)?;
    login_attempt::delete_of_email(tx, &email)?;
    outbox::delete_to(tx, &email)?;
    user::set_deleted(tx, id)?;
    Ok(())
}
