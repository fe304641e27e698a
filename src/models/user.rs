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
    /// None until the person opens the link sent to the address.
    pub email_verified_at: Option<NaiveDateTime>,
}

/// Locks the account's row until the end of the transaction (`FOR UPDATE` on MySQL; SQLite
/// write transactions are serialised already), so that two logins of one e-mail take turns.
pub fn lock_email(conn: &mut DbConn, email: &str) -> QueryResult<()> {
    match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(c) => users::table
            .filter(users::email.eq(email))
            .select(users::id)
            .for_update()
            .load::<UserId>(c)
            .map(drop),
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// An account found by its e-mail: (id, confirmed, active).
pub fn by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<(UserId, bool, bool)>> {
    let row: Option<(UserId, Option<NaiveDateTime>, bool)> = users::table
        .filter(users::email.eq(email))
        .select((users::id, users::email_verified_at, users::active))
        .first(conn)
        .optional()?;
    Ok(row.map(|(id, verified, active)| (id, verified.is_some(), active)))
}

/// What a registration not yet confirmed holds: replaced by the latest one.
pub fn set_pending(
    conn: &mut DbConn,
    id: UserId,
    full_name: &str,
    phone: Option<&str>,
    password_hash: &str,
) -> QueryResult<()> {
    diesel::update(
        users::table
            .find(id)
            .filter(users::email_verified_at.is_null()),
    )
    .set((
        users::full_name.eq(full_name),
        users::phone.eq(phone),
        users::password_hash.eq(password_hash),
    ))
    .execute(conn)
    .map(drop)
}

pub fn set_verified(conn: &mut DbConn, id: UserId, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::email_verified_at.eq(at))
        .execute(conn)
        .map(drop)
}

pub fn set_password_hash(conn: &mut DbConn, id: UserId, hash: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(hash))
        .execute(conn)
        .map(drop)
}

pub fn set_profile(
    conn: &mut DbConn,
    id: UserId,
    full_name: &str,
    phone: Option<&str>,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((users::full_name.eq(full_name), users::phone.eq(phone)))
        .execute(conn)
        .map(drop)
}

/// The password hash of an active account.
pub fn password_hash(conn: &mut DbConn, id: UserId) -> QueryResult<Option<String>> {
    users::table
        .find(id)
        .filter(users::active.eq(true))
        .select(users::password_hash)
        .first(conn)
        .optional()
}

/// What is left of a deleted account: no name, no e-mail, no phone, no password, inactive.
pub fn set_deleted(conn: &mut DbConn, id: UserId) -> QueryResult<()> {
    use crate::domain::account::{deleted_email, DELETED_NAME};
    diesel::update(users::table.find(id))
        .set((
            users::email.eq(deleted_email(id.0)),
            users::full_name.eq(DELETED_NAME),
            users::phone.eq(None::<String>),
            users::password_hash.eq("!"),
            users::active.eq(false),
            users::email_verified_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
        .map(drop)
}

pub fn delete_addresses(conn: &mut DbConn, user: UserId) -> QueryResult<usize> {
    diesel::delete(customer_addresses::table.filter(customer_addresses::user_id.eq(user)))
        .execute(conn)
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

#[derive(Debug, Clone, Queryable)]
pub struct Credentials {
    pub id: UserId,
    pub password_hash: String,
    pub full_name: String,
}

/// What login needs of an active, confirmed account.
pub fn credentials(conn: &mut DbConn, email: &str) -> QueryResult<Option<Credentials>> {
    users::table
        .filter(users::email.eq(email))
        .filter(users::active.eq(true))
        .filter(users::email_verified_at.is_not_null())
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

/// Registrations never confirmed whose last link was sent before `before` are forgotten (their
/// links first).
pub fn delete_unconfirmed_before(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    use crate::db::schema::account_tokens;
    let recent_link = account_tokens::table
        .filter(account_tokens::user_id.eq(users::id))
        .filter(account_tokens::created_at.ge(before));
    let ids: Vec<UserId> = users::table
        .filter(users::email_verified_at.is_null())
        .filter(users::active.eq(true))
        .filter(users::created_at.lt(before))
        .filter(diesel::dsl::not(diesel::dsl::exists(recent_link)))
        .select(users::id)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::delete(account_tokens::table.filter(account_tokens::user_id.eq_any(&ids)))
        .execute(conn)?;
    diesel::delete(users::table.filter(users::id.eq_any(&ids))).execute(conn)
}
