use crate::db::schema::{opening_hours, pizzerias};
use crate::db::DbConn;
use crate::domain::hours::Slot;
use crate::domain::ids::PizzeriaId;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pizzerias)]
pub struct Pizzeria {
    pub id: i64,
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
    pub pizzeria_id: i64,
    pub weekday: i32,
    pub opens_at: i32,
    pub closes_at: i32,
}

impl Pizzeria {
    pub fn pid(&self) -> PizzeriaId {
        PizzeriaId(self.id)
    }

    pub fn list_active(conn: &mut DbConn) -> QueryResult<Vec<Pizzeria>> {
        pizzerias::table
            .filter(pizzerias::active.eq(true))
            .order(pizzerias::name.asc())
            .select(Pizzeria::as_select())
            .load(conn)
    }

    pub fn find_active(conn: &mut DbConn, id: PizzeriaId) -> QueryResult<Option<Pizzeria>> {
        pizzerias::table
            .filter(pizzerias::id.eq(id.0))
            .filter(pizzerias::active.eq(true))
            .select(Pizzeria::as_select())
            .first(conn)
            .optional()
    }

    pub fn exists(conn: &mut DbConn, id: PizzeriaId) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            pizzerias::table.filter(pizzerias::id.eq(id.0)),
        ))
        .get_result(conn)
    }
}

/// Opening windows of the given pizzerias, in one query.
pub fn opening_slots(conn: &mut DbConn, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<Slot>>> {
    let rows: Vec<(i64, i32, i32, i32)> = opening_hours::table
        .filter(opening_hours::pizzeria_id.eq_any(ids))
        .select((
            opening_hours::pizzeria_id,
            opening_hours::weekday,
            opening_hours::opens_at,
            opening_hours::closes_at,
        ))
        .load(conn)?;
    let mut by_pizzeria: HashMap<i64, Vec<Slot>> = HashMap::new();
    for (pizzeria, weekday, opens_at, closes_at) in rows {
        by_pizzeria.entry(pizzeria).or_default().push(Slot {
            weekday: weekday as u8,
            opens_at: opens_at as u16,
            closes_at: closes_at as u16,
        });
    }
    Ok(by_pizzeria)
}
