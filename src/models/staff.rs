//! Staff memberships (one pizzeria, one role per person) and what an account may open.

use crate::db::schema::{staff_memberships, users};
use crate::db::DbConn;
use crate::domain::ids::{PizzeriaId, UserId};
use crate::domain::staff::{Access, StaffRole};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Insertable)]
#[diesel(table_name = staff_memberships)]
pub struct NewMembership {
    pub user_id: UserId,
    pub pizzeria_id: PizzeriaId,
    pub role: StaffRole,
    pub created_at: NaiveDateTime,
}

pub fn insert_membership(conn: &mut DbConn, row: &NewMembership) -> QueryResult<()> {
    diesel::insert_into(staff_memberships::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// An active account as the staff pages see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    pub user: UserId,
    pub full_name: String,
    pub is_admin: bool,
    /// Where the person works, if they are staff: (pizzeria, role).
    pub membership: Option<(PizzeriaId, StaffRole)>,
}

impl StaffAccount {
    /// What this account may do at `pizzeria`.
    pub fn access_at(&self, pizzeria: PizzeriaId) -> Option<Access> {
        let role_here = self
            .membership
            .filter(|(p, _)| *p == pizzeria)
            .map(|(_, role)| role);
        Access::of(role_here, self.is_admin)
    }
}

type AccountRow = (UserId, String, bool, Option<PizzeriaId>, Option<StaffRole>);

/// An active account with its membership, in one query; None for an unknown or deactivated
/// account.
pub fn account(conn: &mut DbConn, user: UserId) -> QueryResult<Option<StaffAccount>> {
    let row: Option<AccountRow> = users::table
        .left_join(staff_memberships::table)
        .filter(users::id.eq(user))
        .filter(users::active.eq(true))
        .select((
            users::id,
            users::full_name,
            users::is_admin,
            staff_memberships::pizzeria_id.nullable(),
            staff_memberships::role.nullable(),
        ))
        .first(conn)
        .optional()?;
    Ok(
        row.map(|(user, full_name, is_admin, pizzeria, role)| StaffAccount {
            user,
            full_name,
            is_admin,
            membership: pizzeria.zip(role),
        }),
    )
}

/// The member of a pizzeria's team with this e-mail: (account, pizzeria).
pub fn member_by_email(
    conn: &mut DbConn,
    email: &str,
) -> QueryResult<Option<(UserId, PizzeriaId)>> {
    users::table
        .inner_join(staff_memberships::table)
        .filter(users::email.eq(email))
        .select((users::id, staff_memberships::pizzeria_id))
        .first(conn)
        .optional()
}
