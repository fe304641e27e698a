//! Customer accounts: registration confirmed by e-mail, login with throttling, a forgotten
//! password, the account's settings and its deletion, saved addresses. Password work (Argon2,
//! slow on purpose) runs on the blocking pool between two database steps: it never holds a
//! pooled connection, nor a transaction.

mod addresses;
mod login;
mod recovery;
mod registration;
mod settings;

pub(crate) use addresses::new_address;
pub use addresses::{add_address, delete_address};
pub use login::{log_in, LoginAttempt};
pub use recovery::{check_link, request_password_reset, reset_password};
pub use registration::{confirm_registration, request_registration, Registration};
pub use settings::{change_password, delete_account, end_all_sessions, update_profile, Asker};

use super::users::UserError;
use super::{sessions, tokens};
use crate::db::{AsDieselError, DbConn, DbUnavailable};
use crate::domain::account::LinkPurpose;
use crate::domain::ids::{PizzeriaId, UserId};
use crate::domain::token::{hash_hex, AccountToken, SessionToken};
use crate::models::session::SessionRow;
use crate::models::staff::{self, StaffAccount};
use crate::models::{account_token, now, outbox};
use diesel::result::Error as DieselError;
use diesel::QueryResult;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("Trop de tentatives : réessayez dans {}.", crate::domain::login::wait_text(*.0))]
    Throttled(chrono::Duration),
    #[error("E-mail ou mot de passe incorrect.")]
    WrongCredentials,
    #[error("Cette adresse n'existe pas.")]
    NoSuchAddress,
    #[error(
        "Ce lien n'est plus valable : il a déjà servi ou il a expiré. Demandez-en un nouveau."
    )]
    LinkExpired,
    #[error("Le mot de passe actuel est incorrect.")]
    WrongPassword,
    #[error("Vous avez une commande en cours : le compte pourra être supprimé une fois qu'elle sera livrée, retirée ou annulée.")]
    OrderInProgress,
    #[error("Un compte de l'équipe ne se supprime pas ici : demandez-le à la direction.")]
    StaffAccount,
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

pub(crate) fn home_of(conn: &mut DbConn, user: UserId) -> QueryResult<Home> {
    Ok(match staff::account(conn, user)? {
        Some(a) if a.is_admin => Home::GroupAdmin,
        Some(StaffAccount {
            membership: Some((p, _)),
            ..
        }) => Home::Staff(p),
        _ => Home::Customer,
    })
}

/// A fresh session for `user`, replacing the visitor's and keeping its cart.
pub(crate) fn sign_in(
    tx: &mut DbConn,
    user: UserId,
    name: &str,
    old: Option<&SessionRow>,
) -> QueryResult<SessionToken> {
    // A guest's cart comes along; another account's session data does not.
    let old_data = old.filter(|s| s.user_id.is_none() || s.user_id == Some(user));
    let mut data = old_data.map(SessionRow::data).unwrap_or_default();
    data.user_name = Some(name.to_string());
    sessions::rotate_in(tx, old, Some(user), &data)
}

/// A one-time link for `user`: its row (hashed) and its e-mail in the outbox, in the caller's
/// transaction. Returns the token (the link's last segment).
fn send_link(
    tx: &mut DbConn,
    (user, email): (UserId, &str),
    purpose: LinkPurpose,
    name: &str,
    pending: &account_token::Pending,
) -> QueryResult<AccountToken> {
    let (token, hash) = issue_token(tx, user, purpose, purpose.lifetime_minutes(), pending)?;
    let path = match purpose {
        LinkPurpose::ConfirmEmail => format!("/register/confirm/{token}"),
        LinkPurpose::ResetPassword => format!("/password/reset/{token}"),
    };
    let payload =
        json!({ "name": name, "link": path, "valid_minutes": purpose.lifetime_minutes() });
    let template = match purpose {
        LinkPurpose::ConfirmEmail => "account_confirm",
        LinkPurpose::ResetPassword => "password_reset",
    };
    outbox::enqueue(tx, &format!("link:{hash}"), email, template, &payload, None)?;
    Ok(token)
}

/// A one-time token of `user` for `purpose`, valid `minutes`: (the token, its hash as kept).
fn issue_token(
    tx: &mut DbConn,
    user: UserId,
    purpose: LinkPurpose,
    minutes: i64,
    pending: &account_token::Pending,
) -> QueryResult<(AccountToken, String)> {
    let token = tokens::account_token();
    let hash = hash_hex(token.as_str());
    let t = now();
    let expires = t + chrono::Duration::minutes(minutes);
    account_token::insert(tx, user, purpose, &hash, (expires, t), pending)?;
    Ok((token, hash))
}

/// How long the link a new team member chooses their password with stays valid.
pub const INVITATION_HOURS: i64 = 72;

/// The e-mail of a new team member: a one-time link to choose their password (the page of a
/// forgotten password, which signs them in), in the caller's transaction.
pub(crate) fn send_invitation(
    tx: &mut DbConn,
    (user, email): (UserId, &str),
    name: &str,
    (pizzeria, role): (&str, &str),
) -> QueryResult<AccountToken> {
    let minutes = INVITATION_HOURS * 60;
    let pending = account_token::Pending::default();
    let (token, hash) = issue_token(tx, user, LinkPurpose::ResetPassword, minutes, &pending)?;
    let payload = json!({
        "name": name,
        "pizzeria": pizzeria,
        "role": role,
        "link": format!("/password/reset/{token}"),
        "valid_hours": INVITATION_HOURS,
    });
    outbox::enqueue(
        tx,
        &format!("link:{hash}"),
        email,
        "staff_invitation",
        &payload,
        None,
    )?;
    Ok(token)
}
