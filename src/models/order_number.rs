//! The numbers of the day: one counter row per pizzeria and day, bumped by one statement that
//! returns the new value (backend-specific: docs/decisions/0004-backend-specific-sql.md).

use crate::db::DbConn;
use crate::domain::ids::PizzeriaId;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer};

#[derive(QueryableByName)]
struct Given {
    #[diesel(sql_type = Integer)]
    last_number: i32,
}

/// The next number of `day` at this pizzeria. Locks the day's counter row until the commit:
/// call it as late in the transaction as possible.
pub fn next(conn: &mut DbConn, pizzeria: PizzeriaId, day: NaiveDate) -> QueryResult<i32> {
    match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(c) => {
            // LAST_INSERT_ID(expr) remembers the value for this connection: one round trip to
            // bump, one to read, and no read-then-write.
            diesel::sql_query(
                "INSERT INTO order_numbers (pizzeria_id, service_date, last_number) \
                 VALUES (?, ?, LAST_INSERT_ID(1)) \
                 ON DUPLICATE KEY UPDATE last_number = LAST_INSERT_ID(last_number + 1)",
            )
            .bind::<BigInt, _>(pizzeria)
            .bind::<Date, _>(day)
            .execute(c)?;
            let n: i64 =
                diesel::select(diesel::dsl::sql::<BigInt>("LAST_INSERT_ID()")).get_result(c)?;
            Ok(n as i32)
        }
        DbConn::Sqlite(c) => diesel::sql_query(
            "INSERT INTO order_numbers (pizzeria_id, service_date, last_number) VALUES (?, ?, 1) \
             ON CONFLICT (pizzeria_id, service_date) DO UPDATE SET last_number = last_number + 1 \
             RETURNING last_number",
        )
        .bind::<BigInt, _>(pizzeria)
        .bind::<Date, _>(day)
        .get_result::<Given>(c)
        .map(|g| g.last_number),
    }
}
