//! Pizzerias and their opening hours.

use crate::db::schema::{opening_hours, pizzerias};
use crate::db::{last_insert_id, DbConn};
use crate::domain::hours::Slot;
use crate::domain::ids::PizzeriaId;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pizzerias)]
pub struct Pizzeria {
    pub id: PizzeriaId,
    pub slug: String,
    pub name: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub phone: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = pizzerias)]
pub struct NewPizzeria<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub street: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    pub phone: &'a str,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = opening_hours)]
pub struct NewOpeningHours {
    pub pizzeria_id: PizzeriaId,
    pub weekday: i32,
    pub opens_at: i32,
    pub closes_at: i32,
}

impl Pizzeria {
    pub fn list_active(conn: &mut DbConn) -> QueryResult<Vec<Pizzeria>> {
        pizzerias::table
            .filter(pizzerias::active.eq(true))
            .order(pizzerias::name.asc())
            .select(Pizzeria::as_select())
            .load(conn)
    }

    pub fn find_active(conn: &mut DbConn, id: PizzeriaId) -> QueryResult<Option<Pizzeria>> {
        pizzerias::table
            .filter(pizzerias::id.eq(id))
            .filter(pizzerias::active.eq(true))
            .select(Pizzeria::as_select())
            .first(conn)
            .optional()
    }

    /// A pizzeria whether it still takes orders or not (its name and phone stay on its orders'
    /// and carts' pages).
    pub fn find(conn: &mut DbConn, id: PizzeriaId) -> QueryResult<Option<Pizzeria>> {
        pizzerias::table
            .find(id)
            .select(Pizzeria::as_select())
            .first(conn)
            .optional()
    }

    pub fn exists(conn: &mut DbConn, id: PizzeriaId) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            pizzerias::table.filter(pizzerias::id.eq(id)),
        ))
        .get_result(conn)
    }
}

/// Every pizzeria's id, active or not.
pub fn all_ids(conn: &mut DbConn) -> QueryResult<Vec<PizzeriaId>> {
    pizzerias::table.select(pizzerias::id).load(conn)
}

pub fn insert(conn: &mut DbConn, row: &NewPizzeria<'_>) -> QueryResult<PizzeriaId> {
    diesel::insert_into(pizzerias::table)
        .values(row)
        .execute(conn)?;
    last_insert_id(conn).map(PizzeriaId)
}

pub fn insert_opening_hours(conn: &mut DbConn, row: &NewOpeningHours) -> QueryResult<()> {
    diesel::insert_into(opening_hours::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Removes every opening window of every pizzeria (before writing new ones).
pub fn delete_all_opening_hours(conn: &mut DbConn) -> QueryResult<usize> {
    diesel::delete(opening_hours::table).execute(conn)
}

/// The weekly windows of the given pizzerias, as the direction set them.
pub fn weekly_slots(
    conn: &mut DbConn,
    ids: &[PizzeriaId],
) -> QueryResult<HashMap<PizzeriaId, Vec<Slot>>> {
    let rows: Vec<(PizzeriaId, i32, i32, i32)> = opening_hours::table
        .filter(opening_hours::pizzeria_id.eq_any(ids))
        .select((
            opening_hours::pizzeria_id,
            opening_hours::weekday,
            opening_hours::opens_at,
            opening_hours::closes_at,
        ))
        .load(conn)?;
    let mut by_pizzeria: HashMap<PizzeriaId, Vec<Slot>> = HashMap::new();
    for (pizzeria, weekday, opens_at, closes_at) in rows {
        by_pizzeria.entry(pizzeria).or_default().push(Slot {
            weekday: weekday as u8,
            opens_at: opens_at as u16,
            closes_at: closes_at as u16,
        });
    }
    Ok(by_pizzeria)
}

/// Opening windows of the given pizzerias, in two queries: a pizzeria closed today (an
/// exceptional closure) has no window today.
pub fn opening_slots(
    conn: &mut DbConn,
    ids: &[PizzeriaId],
) -> QueryResult<HashMap<PizzeriaId, Vec<Slot>>> {
    let mut slots = weekly_slots(conn, ids)?;
    let today = crate::domain::hours::paris(chrono::Utc::now());
    let weekday = chrono::Datelike::weekday(&today).num_days_from_monday() as u8;
    for p in super::pizzeria_admin::closed_on(conn, ids, today.date())? {
        if let Some(list) = slots.get_mut(&p) {
            list.retain(|s| s.weekday != weekday);
        }
    }
    Ok(slots)
}

/// The opening windows of one pizzeria.
pub fn slots_of(conn: &mut DbConn, id: PizzeriaId) -> QueryResult<Vec<Slot>> {
    Ok(opening_slots(conn, &[id])?.remove(&id).unwrap_or_default())
}

/// The active pizzerias, by name, with their opening windows.
pub fn directory(conn: &mut DbConn) -> QueryResult<Vec<(Pizzeria, Vec<Slot>)>> {
    let list = Pizzeria::list_active(conn)?;
    let ids: Vec<PizzeriaId> = list.iter().map(|p| p.id).collect();
    let mut slots = opening_slots(conn, &ids)?;
    Ok(list
        .into_iter()
        .map(|p| {
            let s = slots.remove(&p.id).unwrap_or_default();
            (p, s)
        })
        .collect())
}
