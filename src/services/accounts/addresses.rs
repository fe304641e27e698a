//! A customer's saved addresses.

use super::AccountError;
use crate::db::{write_tx, DbConn};
use crate::domain::contact::Address;
use crate::domain::ids::{AddressId, UserId};
use crate::models::now;
use crate::models::user::{self, NewAddress};
use diesel::QueryResult;

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
