//! The manager's stock changes, each one transaction that writes the ledger with the manager:
//! a supplier delivery of several ingredients, an inventory count of several, a threshold.

use super::{normalize, Need, StockError, MAX_QTY};
use crate::db::{write_tx, DbConn};
use crate::domain::ids::{IngredientId, PizzeriaId};
use crate::domain::stock::MovementReason;
use crate::models::stock::{self as rows, Context, Level};
use crate::models::stock_view;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// A supplier delivery: every line's on_hand grows, all or none, in one transaction.
pub fn receive_many(
    conn: &mut DbConn,
    p: PizzeriaId,
    lines: &[Need],
    ctx: Context<'_>,
) -> Result<(), StockError> {
    let lines = normalize(lines)?;
    if lines.is_empty() {
        return Err(StockError::InvalidQuantity);
    }
    write_tx(conn, |c| {
        for need in &lines {
            shift_or_create(c, p, *need)?;
        }
        let deltas: Vec<(IngredientId, (i64, i64))> =
            lines.iter().map(|n| (n.ingredient, (n.qty, 0))).collect();
        rows::record_many(c, p, MovementReason::SupplierDelivery, &deltas, ctx)?;
        super::rearm(c, p)
    })
}

/// on_hand += qty, creating the stock row the first time.
pub(super) fn shift_or_create(c: &mut DbConn, p: PizzeriaId, need: Need) -> Result<(), StockError> {
    if rows::try_shift_on_hand(c, p, need.ingredient, need.qty)? {
        return Ok(());
    }
    let first = rows::NewLevel {
        pizzeria_id: p,
        ingredient_id: need.ingredient,
        on_hand: need.qty,
        reserved: 0,
        low_threshold: 0,
        updated_at: crate::models::now(),
    };
    match rows::insert_level(c, &first) {
        // Another first delivery of this ingredient committed meanwhile (MySQL): add to it.
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _))
            if rows::try_shift_on_hand(c, p, need.ingredient, need.qty)? =>
        {
            Ok(())
        }
        other => Ok(other?),
    }
}

/// What an inventory count changed for one ingredient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub ingredient: IngredientId,
    /// on_hand before the count.
    pub expected: i64,
    pub counted: i64,
}

/// An inventory count of several ingredients: each on_hand becomes what was counted, the
/// ledger keeps the difference (a row even when there is none: the count itself is history).
/// The rows are locked before they are read, so an order placed or started meanwhile waits
/// and then applies to the counted stock: no update is lost.
pub fn count_many(
    conn: &mut DbConn,
    p: PizzeriaId,
    counts: &[(IngredientId, i64)],
    ctx: Context<'_>,
) -> Result<Vec<Counted>, StockError> {
    let mut counts = counts.to_vec();
    counts.sort_by_key(|(i, _)| *i);
    let distinct = counts.windows(2).all(|w| w[0].0 != w[1].0);
    if counts.is_empty() || !distinct || counts.iter().any(|(_, n)| !(0..=MAX_QTY).contains(n)) {
        return Err(StockError::InvalidQuantity);
    }
    write_tx(conn, |c| {
        let ids: Vec<IngredientId> = counts.iter().map(|(i, _)| *i).collect();
        stock_view::touch_levels(c, p, &ids)?;
        let mut done = Vec::with_capacity(counts.len());
        for &(ingredient, counted) in &counts {
            let seen = rows::level(c, p, ingredient)?;
            let expected = seen.map_or(0, |l| l.on_hand);
            match seen {
                Some(Level { reserved, .. }) if counted < reserved => {
                    return Err(StockError::BelowReserved { ingredient })
                }
                // The row is locked: this cannot fail but for a change we did not see.
                Some(_) if !rows::try_set_on_hand(c, p, ingredient, expected, counted)? => {
                    return Err(StockError::Db(DieselError::DatabaseError(
                        DatabaseErrorKind::SerializationFailure,
                        Box::new("stock changed during the count".to_string()),
                    )));
                }
                Some(_) => {}
                None if counted > 0 => shift_or_create(
                    c,
                    p,
                    Need {
                        ingredient,
                        qty: counted,
                    },
                )?,
                None => {}
            }
            rows::record(
                c,
                p,
                ingredient,
                MovementReason::InventoryCount,
                (counted - expected, 0),
                ctx,
            )?;
            done.push(Counted {
                ingredient,
                expected,
                counted,
            });
        }
        super::rearm(c, p)?;
        Ok(done)
    })
}

/// A new low-stock threshold for one ingredient of the pizzeria.
pub fn set_threshold(
    conn: &mut DbConn,
    p: PizzeriaId,
    ingredient: IngredientId,
    threshold: i64,
) -> Result<(), StockError> {
    if !(0..=MAX_QTY).contains(&threshold) {
        return Err(StockError::InvalidQuantity);
    }
    write_tx(conn, |c| {
        if stock_view::set_threshold(c, p, ingredient, threshold)? {
            return Ok(());
        }
        // No stock row yet: create it at 0 with its threshold.
        let first = rows::NewLevel {
            pizzeria_id: p,
            ingredient_id: ingredient,
            on_hand: 0,
            reserved: 0,
            low_threshold: threshold,
            updated_at: crate::models::now(),
        };
        Ok(rows::insert_level(c, &first)?)
    })
}
