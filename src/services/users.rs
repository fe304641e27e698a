//! Accounts: staff and admins created by operators, password hashing (Argon2id, OWASP defaults).

use crate::db::{write_tx, AsDieselError, DbConn};
use crate::domain::ids::{PizzeriaId, UserId};
use crate::domain::order::text_enum;
use crate::models::pizzeria::Pizzeria;
use crate::models::user::{self, NewMembership, NewUser};
use crate::models::{now, user::email_taken};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use diesel::result::Error as DieselError;
use diesel::RunQueryDsl;
use std::fmt;

text_enum!(StaffRole {
    Counter = "counter" / "Accueil",
    Pizzaiolo = "pizzaiolo" / "Pizzaiolo",
    Driver = "driver" / "Livreur",
    Manager = "manager" / "Gérant",
});

/// What `create-user` may create: a staff member of one pizzeria, or a group admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Staff(StaffRole, PizzeriaId),
    Admin,
}

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("adresse e-mail invalide")]
    InvalidEmail,
    #[error("cette adresse e-mail est déjà utilisée")]
    EmailTaken,
    #[error("le mot de passe doit comporter au moins {MIN_PASSWORD_LEN} caractères")]
    WeakPassword,
    #[error("le nom est obligatoire (120 caractères au plus)")]
    InvalidName,
    #[error("pizzeria inconnue")]
    UnknownPizzeria,
    #[error("hachage du mot de passe impossible : {0}")]
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

pub const MIN_PASSWORD_LEN: usize = 10;

/// A normalised e-mail address (trimmed, lower case), or why not.
pub fn parse_email(raw: &str) -> Result<String, UserError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && local.len() <= 64
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
                && domain
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        })
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if valid {
        Ok(email)
    } else {
        Err(UserError::InvalidEmail)
    }
}

/// Argon2id with the crate's defaults (m = 19 MiB, t = 2, p = 1). Slow on purpose: call it off
/// the async executor.
pub fn hash_password(password: &str) -> Result<String, UserError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(UserError::WeakPassword);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| UserError::Hash(e.to_string()))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

pub struct NewAccount<'a> {
    pub email: &'a str,
    pub full_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
}

/// Creates a staff member or an admin in one transaction.
pub fn create_account(conn: &mut DbConn, account: &NewAccount<'_>) -> Result<UserId, UserError> {
    let email = parse_email(account.email)?;
    let name = account.full_name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(UserError::InvalidName);
    }
    write_tx(conn, |c| {
        if email_taken(c, &email)? {
            return Err(UserError::EmailTaken);
        }
        if let Role::Staff(_, p) = account.role {
            if !Pizzeria::exists(c, p)? {
                return Err(UserError::UnknownPizzeria);
            }
        }
        let id = insert_user(
            c,
            &email,
            name,
            account.password_hash,
            account.role == Role::Admin,
        )?;
        if let Role::Staff(role, p) = account.role {
            diesel::insert_into(crate::db::schema::staff_memberships::table)
                .values(&NewMembership {
                    user_id: id.0,
                    pizzeria_id: p.0,
                    role: role.as_str(),
                    created_at: now(),
                })
                .execute(c)?;
        }
        Ok(id)
    })
}

fn insert_user(
    c: &mut DbConn,
    email: &str,
    name: &str,
    hash: &str,
    is_admin: bool,
) -> Result<UserId, UserError> {
    let row = NewUser {
        email,
        password_hash: hash,
        full_name: name,
        phone: None,
        is_admin,
        active: true,
        created_at: now(),
    };
    Ok(user::insert(c, &row)?)
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
    fn emails_are_normalised_or_refused() {
        assert_eq!(
            parse_email("  Marie.Dupont@Example.FR ").unwrap(),
            "marie.dupont@example.fr"
        );
        for bad in [
            "",
            "marie",
            "marie@",
            "@example.fr",
            "marie@example",
            "ma rie@example.fr",
            "m@ex..fr",
            "<a>@b.fr",
        ] {
            assert!(parse_email(bad).is_err(), "{bad:?}");
        }
    }

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
            Err(UserError::WeakPassword)
        ));
    }
}
