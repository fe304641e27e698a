//! The pizzerias as the direction keeps them: all of them (closed ones too), their details,
//! weekly hours, exceptional closures and whether they take orders.

use super::pizzeria::Pizzeria;
use crate::db::schema::{opening_hours, pizzeria_closures, pizzerias};
use crate::db::DbConn;
use crate::domain::ids::PizzeriaId;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// Every pizzeria, active or not, by name.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Pizzeria>> {
    pizzerias::table
        .order(pizzerias::name.asc())
        .select(Pizzeria::as_select())
        .load(conn)
}

/// Whether another pizzeria has this name (whatever its case) or this slug.
pub fn taken(
    conn: &mut DbConn,
    name: &str,
    slug: Option<&str>,
    except: Option<PizzeriaId>,
) -> QueryResult<bool> {
    let wanted = name.to_lowercase();
    let rows: Vec<(PizzeriaId, String, String)> = pizzerias::table
        .select((pizzerias::id, pizzerias::name, pizzerias::slug))
        .load(conn)?;
    Ok(rows.into_iter().any(|(id, n, s)| {
        Some(id) != except && (n.to_lowercase() == wanted || Some(s.as_str()) == slug)
    }))
}

/// A pizzeria's details as the direction typed them (checked already).
#[derive(Debug, Clone)]
pub struct Details {
    pub name: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub phone: String,
}

pub fn save_details(conn: &mut DbConn, id: PizzeriaId, d: &Details) -> QueryResult<bool> {
    diesel::update(pizzerias::table.find(id))
        .set((
            pizzerias::name.eq(&d.name),
            pizzerias::street.eq(&d.street),
            pizzerias::postal_code.eq(&d.postal_code),
            pizzerias::city.eq(&d.city),
            pizzerias::phone.eq(&d.phone),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

pub fn delete_opening_hours_of(conn: &mut DbConn, id: PizzeriaId) -> QueryResult<usize> {
    diesel::delete(opening_hours::table.filter(opening_hours::pizzeria_id.eq(id))).execute(conn)
}

pub fn set_active(conn: &mut DbConn, id: PizzeriaId, active: bool) -> QueryResult<bool> {
    diesel::update(pizzerias::table.find(id))
        .set(pizzerias::active.eq(active))
        .execute(conn)
        .map(|n| n == 1)
}

/// A pizzeria's closures from `from` on, soonest first: (id, day, reason).
pub fn closures_from(
    conn: &mut DbConn,
    id: PizzeriaId,
    from: NaiveDate,
) -> QueryResult<Vec<(i64, NaiveDate, String)>> {
    pizzeria_closures::table
        .filter(pizzeria_closures::pizzeria_id.eq(id))
        .filter(pizzeria_closures::day.ge(from))
        .order(pizzeria_closures::day.asc())
        .select((
            pizzeria_closures::id,
            pizzeria_closures::day,
            pizzeria_closures::reason,
        ))
        .load(conn)
}

pub fn insert_closure(
    conn: &mut DbConn,
    id: PizzeriaId,
    day: NaiveDate,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(pizzeria_closures::table)
        .values((
            pizzeria_closures::pizzeria_id.eq(id),
            pizzeria_closures::day.eq(day),
            pizzeria_closures::reason.eq(reason),
            pizzeria_closures::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn delete_closure(conn: &mut DbConn, id: PizzeriaId, closure: i64) -> QueryResult<bool> {
    diesel::delete(
        pizzeria_closures::table
            .filter(pizzeria_closures::pizzeria_id.eq(id))
            .filter(pizzeria_closures::id.eq(closure)),
    )
    .execute(conn)
    .map(|n| n == 1)
}

/// Which of these pizzerias are closed on `day`.
pub fn closed_on(
    conn: &mut DbConn,
    ids: &[PizzeriaId],
    day: NaiveDate,
) -> QueryResult<Vec<PizzeriaId>> {
    pizzeria_closures::table
        .filter(pizzeria_closures::pizzeria_id.eq_any(ids))
        .filter(pizzeria_closures::day.eq(day))
        .select(pizzeria_closures::pizzeria_id)
        .load(conn)
}
