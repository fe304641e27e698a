//! The direction's pizzerias: a new one (an empty stock row for every ingredient, every product
//! on its menu), its details and weekly hours, its exceptional closures, and whether it takes
//! orders. Each is one transaction.

use crate::db::{write_tx, AsDieselError, DbConn};
use crate::domain::hours::Slot;
use crate::domain::ids::PizzeriaId;
use crate::domain::pizzeria::slug_of;
use crate::models::catalog::{self, NewMenuItem};
use crate::models::pizzeria::{self, NewOpeningHours, NewPizzeria, Pizzeria};
use crate::models::pizzeria_admin::{self, Details};
use crate::models::stock::{self as stock_rows, NewLevel};
use crate::models::{catalog_admin, now};
use chrono::NaiveDate;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum PizzeriaError {
    #[error("Une pizzeria porte déjà ce nom.")]
    DuplicateName,
    #[error("Cette pizzeria n'existe pas.")]
    Unknown,
    #[error("Ce jour est déjà noté comme fermé.")]
    AlreadyClosed,
    #[error(transparent)]
    Db(DieselError),
}

impl From<DieselError> for PizzeriaError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                PizzeriaError::DuplicateName
            }
            e => PizzeriaError::Db(e),
        }
    }
}

impl AsDieselError for PizzeriaError {
    fn as_diesel(&self) -> Option<&DieselError> {
        match self {
            PizzeriaError::Db(e) => Some(e),
            _ => None,
        }
    }
}

fn write_hours(c: &mut DbConn, id: PizzeriaId, slots: &[Slot]) -> Result<(), PizzeriaError> {
    pizzeria_admin::delete_opening_hours_of(c, id)?;
    for s in slots {
        let row = NewOpeningHours {
            pizzeria_id: id,
            weekday: i32::from(s.weekday),
            opens_at: i32::from(s.opens_at),
            closes_at: i32::from(s.closes_at),
        };
        pizzeria::insert_opening_hours(c, &row)?;
    }
    Ok(())
}

/// A new pizzeria, taking orders at once within `slots`.
pub fn create(conn: &mut DbConn, d: &Details, slots: &[Slot]) -> Result<PizzeriaId, PizzeriaError> {
    let slug = slug_of(&d.name);
    write_tx(conn, |c| {
        if pizzeria_admin::taken(c, &d.name, Some(&slug), None)? {
            return Err(PizzeriaError::DuplicateName);
        }
        let row = NewPizzeria {
            slug: &slug,
            name: &d.name,
            street: &d.street,
            postal_code: &d.postal_code,
            city: &d.city,
            phone: &d.phone,
            active: true,
            created_at: now(),
        };
        let id = pizzeria::insert(c, &row)?;
        write_hours(c, id, slots)?;
        for i in catalog_admin::ingredients(c)? {
            let level = NewLevel {
                pizzeria_id: id,
                ingredient_id: i.id,
                on_hand: 0,
                reserved: 0,
                low_threshold: 0,
                updated_at: now(),
            };
            stock_rows::insert_level(c, &level)?;
        }
        for p in catalog_admin::products(c)? {
            let item = NewMenuItem {
                pizzeria_id: id,
                product_id: p.id,
                enabled: true,
            };
            catalog::insert_menu_item(c, &item)?;
        }
        Ok(id)
    })
}

/// New details and weekly hours (the slug, in links already given, stays).
pub fn update(
    conn: &mut DbConn,
    id: PizzeriaId,
    d: &Details,
    slots: &[Slot],
) -> Result<(), PizzeriaError> {
    write_tx(conn, |c| {
        if pizzeria_admin::taken(c, &d.name, None, Some(id))? {
            return Err(PizzeriaError::DuplicateName);
        }
        if !pizzeria_admin::save_details(c, id, d)? {
            return Err(PizzeriaError::Unknown);
        }
        write_hours(c, id, slots)
    })
}

/// Takes orders again, or no more (its menu and its place in the list go; its history stays).
pub fn set_active(conn: &mut DbConn, id: PizzeriaId, active: bool) -> Result<(), PizzeriaError> {
    write_tx(conn, |c| {
        if !pizzeria_admin::set_active(c, id, active)? {
            return Err(PizzeriaError::Unknown);
        }
        Ok(())
    })
}

pub fn add_closure(
    conn: &mut DbConn,
    id: PizzeriaId,
    day: NaiveDate,
    reason: &str,
) -> Result<(), PizzeriaError> {
    write_tx(conn, |c| {
        if Pizzeria::find(c, id)?.is_none() {
            return Err(PizzeriaError::Unknown);
        }
        if !pizzeria_admin::closed_on(c, &[id], day)?.is_empty() {
            return Err(PizzeriaError::AlreadyClosed);
        }
        pizzeria_admin::insert_closure(c, id, day, reason, now())?;
        Ok(())
    })
}

pub fn remove_closure(
    conn: &mut DbConn,
    id: PizzeriaId,
    closure: i64,
) -> Result<bool, PizzeriaError> {
    write_tx(conn, |c| {
        Ok(pizzeria_admin::delete_closure(c, id, closure)?)
    })
}
