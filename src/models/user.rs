//! People with an account: customers, staff, group admins; customers' saved addresses.

use crate::db::schema::{customer_addresses, users};
use crate::db::{last_insert_id, DbConn};
use crate::domain::ids::{AddressId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub full_name: &'a str,
    pub phone: Option<&'a str>,
    pub is_admin: bool,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

pub fn email_taken(conn: &mut DbConn, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::email.eq(email)),
    ))
    .get_result(conn)
}

pub fn insert(conn: &mut DbConn, user: &NewUser<'_>) -> QueryResult<UserId> {
    diesel::insert_into(users::table)
        .values(user)
        .execute(conn)?;
    last_insert_id(conn).map(UserId)
}

#[derive(Debug, Clone, Queryable)]
pub struct Profile {
    pub full_name: String,
    pub email: String,
    pub phone: Option<String>,
}

pub fn profile(conn: &mut DbConn, user: UserId) -> QueryResult<Option<Profile>> {
    users::table
        .find(user)
        .select((users::full_name, users::email, users::phone))
        .first(conn)
        .optional()
}

/// What login needs of an active account.
#[derive(Debug, Clone, Queryable)]
pub struct Credentials {
    pub id: UserId,
    pub password_hash: String,
    pub full_name: String,
}

pub fn credentials(conn: &mut DbConn, email: &str) -> QueryResult<Option<Credentials>> {
    users::table
        .filter(users::email.eq(email))
        .filter(users::active.eq(true))
        .select((users::id, users::password_hash, users::full_name))
        .first(conn)
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = customer_addresses)]
pub struct SavedAddress {
    pub id: AddressId,
    pub label: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub instructions: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = customer_addresses)]
pub struct NewAddress<'a> {
    pub user_id: UserId,
    pub label: &'a str,
    pub street: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    pub instructions: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

/// A customer's saved addresses, newest first.
pub fn addresses(conn: &mut DbConn, user: UserId) -> QueryResult<Vec<SavedAddress>> {
    customer_addresses::table
        .filter(customer_addresses::user_id.eq(user))
        .order(customer_addresses::id.desc())
        .select(SavedAddress::as_select())
        .load(conn)
}

/// A customer's profile and saved addresses, for their account page.
pub fn account(
    conn: &mut DbConn,
    user: UserId,
) -> QueryResult<Option<(Profile, Vec<SavedAddress>)>> {
    let Some(p) = profile(conn, user)? else {
        return Ok(None);
    };
    Ok(Some((p, addresses(conn, user)?)))
}

/// What a checkout form is prefilled with for a customer: profile and newest address.
pub fn checkout_prefill(
    conn: &mut DbConn,
    user: UserId,
) -> QueryResult<(Option<Profile>, Option<SavedAddress>)> {
    Ok((
        profile(conn, user)?,
        addresses(conn, user)?.into_iter().next(),
    ))
}

pub fn insert_address(conn: &mut DbConn, a: &NewAddress<'_>) -> QueryResult<()> {
    diesel::insert_into(customer_addresses::table)
        .values(a)
        .execute(conn)
        .map(drop)
}

/// Deletes one of the user's own addresses; another user's id deletes nothing.
pub fn delete_address(conn: &mut DbConn, user: UserId, id: AddressId) -> QueryResult<bool> {
    diesel::delete(
        customer_addresses::table
            .filter(customer_addresses::id.eq(id))
            .filter(customer_addresses::user_id.eq(user)),
    )
    .execute(conn)
    .map(|n| n == 1)
}
