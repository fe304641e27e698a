//! Whether a database already holds business data (before loading demo data into it).

use crate::db::schema::{orders, pizzerias, products, users};
use crate::db::DbConn;
use diesel::prelude::*;

/// The first of the main tables that holds a row, if any.
pub fn first_filled_table(conn: &mut DbConn) -> QueryResult<Option<&'static str>> {
    let filled = [
        (
            "pizzerias",
            pizzerias::table
                .select(pizzerias::id)
                .first::<i64>(conn)
                .optional()?,
        ),
        (
            "users",
            users::table
                .select(users::id)
                .first::<i64>(conn)
                .optional()?,
        ),
        (
            "products",
            products::table
                .select(products::id)
                .first::<i64>(conn)
                .optional()?,
        ),
        (
            "orders",
            orders::table
                .select(orders::id)
                .first::<i64>(conn)
                .optional()?,
        ),
    ];
    Ok(filled
        .into_iter()
        .find(|(_, row)| row.is_some())
        .map(|(table, _)| table))
}

/// Orders of a service day by status.
pub fn orders_by_status(
    conn: &mut DbConn,
    day: chrono::NaiveDate,
) -> QueryResult<Vec<(crate::domain::order::OrderStatus, i64)>> {
    orders::table
        .filter(orders::service_date.eq(day))
        .group_by(orders::status)
        .select((orders::status, diesel::dsl::count_star()))
        .load(conn)
}
