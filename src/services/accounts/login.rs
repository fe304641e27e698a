//! Logging in: throttled as `domain::login` says, checked on the blocking pool.

use super::{home_of, sign_in, AccountError, SignedIn};
use crate::db::{write_tx, Db, DbConn};
use crate::domain::login;
use crate::models::login_attempt::{self, Client};
use crate::models::now;
use crate::models::session::SessionRow;
use crate::models::user::{self, Credentials};
use crate::services::tokens;
use crate::services::users::{dummy_hash, verify_password};
use diesel::QueryResult;

/// A login as typed: the e-mail (normalised), the password, the client's address, and the
/// nonce of the browser's device cookie when that cookie names this e-mail.
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
    let attempt = std::sync::Arc::new(attempt);
    let a = attempt.clone();
    let found = db.run(move |c| credentials_for(c, a.client())).await??;
    let hash = found.as_ref().map(|c| c.password_hash.clone());
    let a = attempt.clone();
    let verified = tokio::task::spawn_blocking(move || {
        verify_password(&a.password, hash.as_deref().unwrap_or_else(|| dummy_hash()))
    })
    .await?;
    let signed = found.filter(|_| verified);
    let mut outcome = db
        .run(move |c| record_login(c, attempt.client(), signed, old.as_ref()))
        .await??;
    if outcome.device.is_empty() {
        outcome.device = tokens::device_nonce();
    }
    Ok(outcome)
}

/// The account of an e-mail, unless this client must wait before trying again.
fn credentials_for(
    conn: &mut DbConn,
    client: Client<'_>,
) -> Result<Option<Credentials>, AccountError> {
    let pressure = login_attempt::pressure(conn, client, now())?;
    login::may_try(&pressure, now()).map_err(AccountError::Throttled)?;
    Ok(user::credentials(conn, client.email)?)
}

/// Records the attempt and, when the password matched (`signed`), opens the new session.
fn record_login(
    conn: &mut DbConn,
    client: Client<'_>,
    signed: Option<Credentials>,
    old: Option<&SessionRow>,
) -> Result<SignedIn, AccountError> {
    write_tx(conn, |tx| -> QueryResult<Option<SignedIn>> {
        login_attempt::insert(tx, client, signed.is_some(), now())?;
        match &signed {
            Some(c) => Ok(Some(SignedIn {
                user: c.id,
                token: sign_in(tx, c.id, &c.full_name, old)?,
                home: home_of(tx, c.id)?,
                device: client.device.unwrap_or_default().to_string(),
            })),
            None => Ok(None),
        }
    })?
    .ok_or(AccountError::WrongCredentials)
}
