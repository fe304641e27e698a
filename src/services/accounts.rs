//! Customer accounts: registration, login with throttling, saved addresses. Password work
//! (Argon2, slow on purpose) runs on the blocking pool between two database steps: it never
//! holds a pooled connection, nor a transaction.

use super::users::{dummy_hash, hash_password, verify_password, UserError};
use super::{sessions, tokens};
use crate::db::{write_tx, AsDieselError, Db, DbConn, DbUnavailable};
use crate::domain::contact::Address;
use crate::domain::ids::{AddressId, PizzeriaId, UserId};
use crate::domain::login;
use crate::domain::token::SessionToken;
use crate::models::login_attempt::{self, Client};
use crate::models::now;
use crate::models::session::SessionRow;
use crate::models::staff::{self, StaffAccount};
use crate::models::user::{self, Credentials, NewAddress, NewUser};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::QueryResult;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("Un compte existe déjà avec cette adresse : connectez-vous.")]
    EmailTaken,
    #[error("Trop de tentatives : réessayez dans {}.", login::wait_text(*.0))]
    Throttled(chrono::Duration),
    #[error("E-mail ou mot de passe incorrect.")]
    WrongCredentials,
    #[error("Cette adresse n'existe pas.")]
    NoSuchAddress,
    #[error(transparent)]
    User(#[from] UserError),
    #[error(transparent)]
    Db(#[from] DieselError),
    #[error(transparent)]
    Unavailable(#[from] DbUnavailable),
    #[error("password task: {0}")]
    Interrupted(#[from] tokio::task::JoinError),
}

impl AsDieselError for AccountError {
    fn as_diesel(&self) -> Option<&DieselError> {
        match self {
            AccountError::Db(e) => Some(e),
            _ => None,
        }
    }
}

/// A new customer, as checked by the registration form.
pub struct Registration {
    pub email: String,
    pub full_name: String,
    pub phone: Option<String>,
    pub password: String,
}

/// Who just signed in, and the cookie token of their new session.
#[derive(Debug)]
pub struct SignedIn {
    pub user: UserId,
    pub token: SessionToken,
    pub home: Home,
    /// The nonce of the browser's device cookie for this account, kept or new.
    pub device: String,
}

/// Where a person lands after signing in, unless they were on their way somewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    Customer,
    Staff(PizzeriaId),
    GroupAdmin,
}

fn home_of(conn: &mut DbConn, user: UserId) -> QueryResult<Home> {
    Ok(match staff::account(conn, user)? {
        Some(a) if a.is_admin => Home::GroupAdmin,
        Some(StaffAccount {
            membership: Some((p, _)),
            ..
        }) => Home::Staff(p),
        _ => Home::Customer,
    })
}

/// Creates a customer account and signs it in (a new session, keeping the cart).
pub async fn register(
    db: &Db,
    r: Registration,
    old: Option<SessionRow>,
) -> Result<SignedIn, AccountError> {
    let password = r.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password)).await??;
    db.run(move |c| create_customer(c, &r, &hash, old.as_ref()))
        .await?
}

fn create_customer(
    conn: &mut DbConn,
    r: &Registration,
    hash: &str,
    old: Option<&SessionRow>,
) -> Result<SignedIn, AccountError> {
    write_tx(conn, |tx| {
        if user::email_taken(tx, &r.email)? {
            return Err(AccountError::EmailTaken);
        }
        let row = NewUser {
            email: &r.email,
            password_hash: hash,
            full_name: &r.full_name,
            phone: r.phone.as_deref(),
            is_admin: false,
            active: true,
            created_at: now(),
        };
        let id = user::insert(tx, &row).map_err(|e| match e {
            // Two registrations of one address at the same moment: the second is told plainly.
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                AccountError::EmailTaken
            }
            other => AccountError::Db(other),
        })?;
        let token = sign_in(tx, id, &r.full_name, old)?;
        Ok(SignedIn {
            user: id,
            token,
            home: Home::Customer,
            device: tokens::device_nonce(),
        })
    })
}

/// A fresh session for `user`, replacing the visitor's and keeping its cart.
fn sign_in(
    tx: &mut DbConn,
    user: UserId,
    name: &str,
    old: Option<&SessionRow>,
) -> QueryResult<SessionToken> {
    let mut data = old.map(SessionRow::data).unwrap_or_default();
    data.user_name = Some(name.to_string());
    sessions::rotate_in(tx, old, Some(user), &data)
}

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

/// Keeps an address in the customer's account.
pub fn add_address(conn: &mut DbConn, user: UserId, label: &str, a: &Address) -> QueryResult<()> {
    write_tx(conn, |tx| {
        user::insert_address(tx, &new_address(user, label, a))
    })
}

pub(crate) fn new_address<'a>(user: UserId, label: &'a str, a: &'a Address) -> NewAddress<'a> {
    NewAddress {
        user_id: user,
        label,
        street: &a.street,
        postal_code: &a.postal_code,
        city: &a.city,
        instructions: a.instructions.as_deref(),
        created_at: now(),
    }
}

/// Deletes one of the customer's own addresses.
pub fn delete_address(conn: &mut DbConn, user: UserId, id: AddressId) -> Result<(), AccountError> {
    match write_tx(conn, |tx| user::delete_address(tx, user, id))? {
        true => Ok(()),
        false => Err(AccountError::NoSuchAddress),
    }
}
