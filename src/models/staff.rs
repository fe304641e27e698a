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

/// The active managers of a pizzeria: (account, e-mail, name).
pub fn managers_of(conn: &mut DbConn, p: PizzeriaId) -> QueryResult<Vec<(UserId, String, String)>> {
    users::table
        .inner_join(staff_memberships::table)
        .filter(staff_memberships::pizzeria_id.eq(p))
        .filter(staff_memberships::role.eq(StaffRole::Manager))
        .filter(users::active.eq(true))
        .order(users::id.asc())
        .select((users::id, users::email, users::full_name))
        .load(conn)
}

/// A member of a pizzeria's team as the manager's team page sees it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct TeamMember {
    pub user: UserId,
    pub full_name: String,
    pub email: String,
    pub role: StaffRole,
    pub active: bool,
}

/// Everyone of a pizzeria's team, active first, by name.
pub fn team_of(conn: &mut DbConn, p: PizzeriaId) -> QueryResult<Vec<TeamMember>> {
    users::table
        .inner_join(staff_memberships::table)
        .filter(staff_memberships::pizzeria_id.eq(p))
        .order((users::active.desc(), users::full_name.asc()))
        .select((
            users::id,
            users::full_name,
            users::email,
            staff_memberships::role,
            users::active,
        ))
        .load(conn)
}

/// One member of a pizzeria's team, None when the account is not of this team.
pub fn member_of(
    conn: &mut DbConn,
    p: PizzeriaId,
    user: UserId,
) -> QueryResult<Option<TeamMember>> {
    users::table
        .inner_join(staff_memberships::table)
        .filter(staff_memberships::pizzeria_id.eq(p))
        .filter(users::id.eq(user))
        .select((
            users::id,
            users::full_name,
            users::email,
            staff_memberships::role,
            users::active,
        ))
        .first(conn)
        .optional()
}

pub fn set_role(conn: &mut DbConn, user: UserId, role: StaffRole) -> QueryResult<()> {
    diesel::update(staff_memberships::table.filter(staff_memberships::user_id.eq(user)))
        .set(staff_memberships::role.eq(role))
        .execute(conn)
        .map(drop)
}

pub fn set_active(conn: &mut DbConn, user: UserId, active: bool) -> QueryResult<()> {
    diesel::update(users::table.filter(users::id.eq(user)))
        .set(users::active.eq(active))
        .execute(conn)
        .map(drop)
}

/// Moves a member to another pizzeria with another role (a member belongs to one pizzeria).
pub fn set_membership(
    conn: &mut DbConn,
    user: UserId,
    p: PizzeriaId,
    role: StaffRole,
) -> QueryResult<bool> {
    diesel::update(staff_memberships::table.filter(staff_memberships::user_id.eq(user)))
        .set((
            staff_memberships::pizzeria_id.eq(p),
            staff_memberships::role.eq(role),
        ))
        .execute(conn)
        .map(|n| n == 1)
}
