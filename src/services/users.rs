//! Accounts created by operators (staff and group admins) and password hashing (Argon2id with
//! the OWASP defaults).

use crate::db::{write_tx, AsDieselError, DbConn};
use crate::domain::contact::parse_email;
use crate::domain::ids::{PizzeriaId, UserId};
use crate::domain::password;
use crate::domain::staff::StaffRole;
use crate::models::now;
use crate::models::pizzeria::Pizzeria;
use crate::models::staff::{self, NewMembership};
use crate::models::user::{self, NewUser};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use diesel::result::Error as DieselError;
use std::fmt;
use std::sync::OnceLock;

/// What `create-user` may create: a staff member of one pizzeria, or a group admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Staff(StaffRole, PizzeriaId),
    Admin,
}

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("Adresse e-mail invalide.")]
    InvalidEmail,
    #[error("Cette adresse e-mail est déjà utilisée.")]
    EmailTaken,
    #[error("{0}")]
    WeakPassword(String),
    #[error("Le nom est obligatoire (120 caractères au plus).")]
    InvalidName,
    #[error("Pizzeria inconnue.")]
    UnknownPizzeria,
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error(transparent)]
    Db(#[from] DieselError),
}

impl AsDieselError for UserError {
    fn as_diesel(&self) -> Option<&DieselError> {
        match self {
            UserError::Db(e) => Some(e),
            _ => None,
        }
    }
}

/// Argon2id with the crate's defaults (m = 19 MiB, t = 2, p = 1), of the password's normalised
/// form, after the rules of `domain::password`. Slow on purpose: call it off the async
/// executor, never inside a transaction.
pub fn hash_password(password: &str) -> Result<String, UserError> {
    let normalised = password::check_new(password).map_err(UserError::WeakPassword)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(normalised.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| UserError::Hash(e.to_string()))
}

/// Checks the password's normalised form (and the password as typed, for a hash made before
/// passwords were normalised).
pub fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let matches = |p: &str| {
        Argon2::default()
            .verify_password(p.as_bytes(), &parsed)
            .is_ok()
    };
    let normalised = password::normalised(password);
    matches(&normalised) || (normalised != password && matches(password))
}

/// A hash to verify against when the e-mail is unknown, so that both cases take as long.
pub fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password("a password nobody has").unwrap_or_default())
}

pub struct NewAccount<'a> {
    pub email: &'a str,
    pub full_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
}

/// Creates a staff member or an admin in one transaction.
pub fn create_account(conn: &mut DbConn, account: &NewAccount<'_>) -> Result<UserId, UserError> {
    let email = parse_email(account.email).map_err(|_| UserError::InvalidEmail)?;
    let name = account.full_name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(UserError::InvalidName);
    }
    write_tx(conn, |c| {
        if user::email_taken(c, &email)? {
            return Err(UserError::EmailTaken);
        }
        if let Role::Staff(_, p) = account.role {
            if !Pizzeria::exists(c, p)? {
                return Err(UserError::UnknownPizzeria);
            }
        }
        let row = NewUser {
            email: &email,
            password_hash: account.password_hash,
            full_name: name,
            phone: None,
            is_admin: account.role == Role::Admin,
            active: true,
            created_at: now(),
            email_verified_at: Some(now()),
        };
        let id = user::insert(c, &row)?;
        if let Role::Staff(role, pizzeria_id) = account.role {
            let m = NewMembership {
                user_id: id,
                pizzeria_id,
                role,
                created_at: now(),
            };
            staff::insert_membership(c, &m)?;
        }
        Ok(id)
    })
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Staff(r, p) => write!(f, "{} (pizzeria {p})", r.label()),
            Role::Admin => f.write_str("Direction (admin du groupe)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(matches!(
            hash_password("court"),
            Err(UserError::WeakPassword(_))
        ));
    }
}
