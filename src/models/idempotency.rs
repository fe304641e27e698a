//! Idempotency keys: what a key already did (the order a checkout form placed).

use crate::db::schema::{idempotency_keys as keys, orders};
use crate::db::DbConn;
use crate::domain::ids::OrderId;
use crate::domain::token::{CheckoutKey, OrderToken};
use chrono::NaiveDateTime;
use diesel::prelude::*;

const CHECKOUT: &str = "checkout";

/// The order a checkout form placed, if any: (id, tracking token).
pub fn checkout_order(
    conn: &mut DbConn,
    key: &CheckoutKey,
) -> QueryResult<Option<(OrderId, OrderToken)>> {
    keys::table
        .inner_join(orders::table)
        .filter(keys::scope.eq(CHECKOUT))
        .filter(keys::idem_key.eq(key))
        .select((orders::id, orders::token))
        .first(conn)
        .optional()
}

/// Unique per key: the same form placed by two requests at once fails here for the second.
pub fn insert_checkout(
    conn: &mut DbConn,
    key: &CheckoutKey,
    order: OrderId,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(keys::table)
        .values((
            keys::scope.eq(CHECKOUT),
            keys::idem_key.eq(key),
            keys::order_id.eq(order),
            keys::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn delete_checkout_keys_before(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        keys::table
            .filter(keys::scope.eq(CHECKOUT))
            .filter(keys::created_at.lt(before)),
    )
    .execute(conn)
}
