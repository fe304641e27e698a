//! Logging in: throttled as `domain::login` says, checked on the blocking pool. A try is
//! claimed before its password is checked: the client's recent failures are read and the try
//! recorded as a failure in one transaction (the account's row locked on MySQL), so tries sent
//! together are judged one after the other; a matching password then turns it into a success.

use super::{home_of, sign_in, AccountError, SignedIn};
use crate::db::{write_tx, Db, DbConn};
use crate::domain::login;
use crate::models::login_attempt::{self, Client};
use crate::models::now;
use crate::models::session::SessionRow;
use crate::models::user::{self, Credentials};
use crate::services::tokens;
use crate::services::users::{dummy_hash, verify_password};

/// A login as typed: the e-mail (normalised), the password, the client (its address, or its
/// network for IPv6: `domain::login::client_key`), and the nonce of the browser's device cookie
/// when that cookie names this e-mail.
#[derive(Debug, Clone)]
pub struct LoginAttempt {
    pub email: String,
    pub password: String,
    pub ip: String,
    pub device: Option<String>,
}

impl LoginAttempt {
    fn client(&self) -> Client<'_> {
        Client {
            email: &self.email,
            ip: &self.ip,
            device: self.device.as_deref(),
        }
    }
}

/// Checks a password and signs the account in. Unknown e-mails take as long as wrong
/// passwords; guessing slows down as `domain::login` says, and a refused try is not checked.
pub async fn log_in(
    db: &Db,
    attempt: LoginAttempt,
    old: Option<SessionRow>,
) -> Result<SignedIn, AccountError> {
    let (tried, credentials) = checked_password(db, &attempt).await?;
    let client = attempt.clone();
    let mut outcome = db
        .run(move |c| record_success(c, tried, &credentials, client.client(), old.as_ref()))
        .await??;
    if outcome.device.is_empty() {
        outcome.device = tokens::device_nonce();
    }
    Ok(outcome)
}

/// The account, once its password was claimed, checked and found right: (the try's row, the
/// account). A wrong password is `WrongCredentials`, a client that must wait `Throttled`.
pub(crate) async fn checked_password(
    db: &Db,
    attempt: &LoginAttempt,
) -> Result<(i64, Credentials), AccountError> {
    let a = attempt.clone();
    let (tried, found) = db.run(move |c| claim_try(c, a.client())).await??;
    let hash = found.as_ref().map(|c| c.password_hash.clone());
    let password = attempt.password.clone();
    let verified = tokio::task::spawn_blocking(move || {
        verify_password(&password, hash.as_deref().unwrap_or_else(|| dummy_hash()))
    })
    .await?;
    match found {
        Some(credentials) if verified => Ok((tried, credentials)),
        _ => Err(AccountError::WrongCredentials),
    }
}

/// Whether this client may try now, and if so the try, recorded as a failure until proven
/// right, with the account's credentials.
fn claim_try(
    conn: &mut DbConn,
    client: Client<'_>,
) -> Result<(i64, Option<Credentials>), AccountError> {
    write_tx(conn, |tx| {
        user::lock_email(tx, client.email)?;
        let t = now();
        let pressure = login_attempt::pressure(tx, client, t)?;
        login::may_try(&pressure, t).map_err(AccountError::Throttled)?;
        let tried = login_attempt::insert(tx, client, false, t)?;
        Ok((tried, user::credentials(tx, client.email)?))
    })
}

/// The try succeeded: it says so, and the new session opens.
fn record_success(
    conn: &mut DbConn,
    tried: i64,
    c: &Credentials,
    client: Client<'_>,
    old: Option<&SessionRow>,
) -> Result<SignedIn, AccountError> {
    write_tx(conn, |tx| {
        login_attempt::set_succeeded(tx, tried)?;
        Ok(SignedIn {
            user: c.id,
            token: sign_in(tx, c.id, &c.full_name, old)?,
            home: home_of(tx, c.id)?,
            device: client.device.unwrap_or_default().to_string(),
        })
    })
}
