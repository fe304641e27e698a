//! A pizzeria's team, kept by its manager: new members (who choose their own password through
//! a one-time link sent to them, never one chosen for them), a role changed, an account
//! deactivated (its sessions end at once) or brought back. Each is one transaction.

use crate::db::{write_tx, AsDieselError, DbConn};
use crate::domain::ids::{PizzeriaId, UserId};
use crate::domain::staff::StaffRole;
use crate::models::pizzeria::Pizzeria;
use crate::models::staff::{self, NewMembership};
use crate::models::user::{self, NewUser};
use crate::models::{account_token, now, session};
use crate::services::accounts;
use diesel::result::Error as DieselError;

#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error("Cette adresse e-mail a déjà un compte.")]
    EmailTaken,
    #[error("Cette personne ne fait pas partie de l'équipe de cette pizzeria.")]
    NotInTeam,
    #[error("Vous ne pouvez pas changer votre propre rôle ni désactiver votre propre compte : demandez-le à la direction.")]
    Yourself,
    #[error("Aucun membre d'une équipe n'a cette adresse : créez plutôt un nouveau gérant.")]
    NotStaff,
    #[error(transparent)]
    Db(#[from] DieselError),
}

impl AsDieselError for TeamError {
    fn as_diesel(&self) -> Option<&DieselError> {
        match self {
            TeamError::Db(e) => Some(e),
            _ => None,
        }
    }
}

/// A new member, checked already (`domain`): name, e-mail, role.
#[derive(Debug, Clone)]
pub struct Newcomer {
    pub full_name: String,
    pub email: String,
    pub role: StaffRole,
}

/// No password verifies against this: the account is unusable until its link is opened.
const NO_PASSWORD_YET: &str = "!invited";

/// Creates the account, its membership and the e-mail with its link, all or nothing.
pub fn add_member(conn: &mut DbConn, p: PizzeriaId, who: &Newcomer) -> Result<UserId, TeamError> {
    write_tx(conn, |c| {
        if user::email_taken(c, &who.email)? {
            return Err(TeamError::EmailTaken);
        }
        let at = now();
        let row = NewUser {
            email: &who.email,
            password_hash: NO_PASSWORD_YET,
            full_name: &who.full_name,
            phone: None,
            is_admin: false,
            active: true,
            created_at: at,
            email_verified_at: Some(at),
        };
        let id = user::insert(c, &row)?;
        let m = NewMembership {
            user_id: id,
            pizzeria_id: p,
            role: who.role,
            created_at: at,
        };
        staff::insert_membership(c, &m)?;
        let pizzeria = Pizzeria::find(c, p)?.map(|z| z.name).unwrap_or_default();
        let to = (id, who.email.as_str());
        accounts::send_invitation(c, to, &who.full_name, (&pizzeria, who.role.label()))?;
        Ok(id)
    })
}

fn other_member(
    c: &mut DbConn,
    p: PizzeriaId,
    by: UserId,
    member: UserId,
) -> Result<(), TeamError> {
    if member == by {
        return Err(TeamError::Yourself);
    }
    match staff::member_of(c, p, member)? {
        Some(_) => Ok(()),
        None => Err(TeamError::NotInTeam),
    }
}

/// Another role for a member of the team (not the manager asking).
pub fn set_role(
    conn: &mut DbConn,
    p: PizzeriaId,
    by: UserId,
    member: UserId,
    role: StaffRole,
) -> Result<(), TeamError> {
    write_tx(conn, |c| {
        other_member(c, p, by, member)?;
        Ok(staff::set_role(c, member, role)?)
    })
}

/// Deactivates a member: signed out everywhere at once, their pending links void; or brings
/// them back (they sign in with the password they had).
pub fn set_active(
    conn: &mut DbConn,
    p: PizzeriaId,
    by: UserId,
    member: UserId,
    active: bool,
) -> Result<(), TeamError> {
    write_tx(conn, |c| {
        other_member(c, p, by, member)?;
        staff::set_active(c, member, active)?;
        if !active {
            session::delete_of_user(c, member, None)?;
            account_token::delete_of_user(c, member)?;
        }
        Ok(())
    })
}

/// A new link for a member to choose their password (the first expired, or was lost).
pub fn resend_invitation(
    conn: &mut DbConn,
    p: PizzeriaId,
    member: UserId,
) -> Result<(), TeamError> {
    write_tx(conn, |c| {
        let Some(m) = staff::member_of(c, p, member)?.filter(|m| m.active) else {
            return Err(TeamError::NotInTeam);
        };
        let pizzeria = Pizzeria::find(c, p)?.map(|z| z.name).unwrap_or_default();
        let to = (member, m.email.as_str());
        accounts::send_invitation(c, to, &m.full_name, (&pizzeria, m.role.label()))?;
        Ok(())
    })
}

/// The direction makes a member of any team (by e-mail) manager of pizzeria `p`: their
/// membership moves there, in one transaction. Their sessions stay: every page reads the
/// membership again.
pub fn appoint_manager(conn: &mut DbConn, p: PizzeriaId, email: &str) -> Result<UserId, TeamError> {
    write_tx(conn, |c| {
        let Some((user, _)) = staff::member_by_email(c, email)? else {
            return Err(TeamError::NotStaff);
        };
        staff::set_membership(c, user, p, StaffRole::Manager)?;
        Ok(user)
    })
}
