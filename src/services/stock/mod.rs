//! The stock service used by ordering, the kitchen and managers: reserve, release, consume,
//! receive, adjust and count. Each call is one transaction that writes the ledger; the rows of
//! one change are locked by one statement in index order, so concurrent orders never deadlock
//! each other.

pub mod alerts;
pub mod manager;

use crate::db::{write_tx, AsDieselError, DbConn};
use crate::domain::ids::{IngredientId, PizzeriaId};
use crate::domain::stock::MovementReason;
use crate::models::stock::{self as rows, Change, Context, Level};
use diesel::result::Error as DieselError;
use std::collections::BTreeMap;

/// How much of one ingredient an operation needs, in the ingredient's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    pub ingredient: IngredientId,
    pub qty: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum StockError {
    #[error("Stock insuffisant.")]
    Insufficient { ingredient: IngredientId },
    #[error("La quantité doit être un nombre entier positif.")]
    InvalidQuantity,
    #[error("Le stock ne peut pas descendre sous la quantité déjà réservée pour des commandes.")]
    BelowReserved { ingredient: IngredientId },
    #[error("Aucune réservation correspondante pour cet ingrédient.")]
    NotReserved { ingredient: IngredientId },
    /// Inside a caller's transaction: a row refused the change. Which one is told once the
    /// transaction has rolled back (the standalone `reserve`, `release` and `consume` do).
    #[error("{}", refusal_message(*.0))]
    Refused(Change),
    #[error(transparent)]
    Db(#[from] DieselError),
}

impl AsDieselError for StockError {
    fn as_diesel(&self) -> Option<&DieselError> {
        match self {
            StockError::Db(e) => Some(e),
            _ => None,
        }
    }
}

fn refusal_message(change: Change) -> &'static str {
    match change {
        Change::Reserve => "Stock insuffisant.",
        Change::Release | Change::Consume | Change::Restore => "Aucune réservation correspondante.",
    }
}

/// Largest quantity one operation may move (100 t of flour): rejects absurd or overflowing input.
pub const MAX_QTY: i64 = 100_000_000;

/// Merges needs per ingredient, sorted by ingredient id; every quantity must be positive.
pub fn normalize(needs: &[Need]) -> Result<Vec<Need>, StockError> {
    let mut merged: BTreeMap<IngredientId, i64> = BTreeMap::new();
    for n in needs {
        if n.qty <= 0 || n.qty > MAX_QTY {
            return Err(StockError::InvalidQuantity);
        }
        let total = merged.entry(n.ingredient).or_insert(0);
        *total = total
            .checked_add(n.qty)
            .filter(|t| *t <= MAX_QTY)
            .ok_or(StockError::InvalidQuantity)?;
    }
    Ok(merged
        .into_iter()
        .map(|(ingredient, qty)| Need { ingredient, qty })
        .collect())
}

/// Applies one change to every ingredient in one statement, after writing their ledger rows in
/// one statement: the stock rows, which every order of the pizzeria competes for, are then
/// locked only for that update and the commit. If any row is refused, the caller's transaction
/// rolls back the rest.
fn apply_all(
    conn: &mut DbConn,
    pizzeria: PizzeriaId,
    needs: &[Need],
    ctx: Context<'_>,
    (change, reason, sign): (Change, MovementReason, (i64, i64)),
) -> Result<(), StockError> {
    let needs = normalize(needs)?;
    if needs.is_empty() {
        return Ok(());
    }
    let deltas: Vec<(IngredientId, (i64, i64))> = needs
        .iter()
        .map(|n| (n.ingredient, (sign.0 * n.qty, sign.1 * n.qty)))
        .collect();
    rows::record_many(conn, pizzeria, reason, &deltas, ctx)?;
    let pairs: Vec<(IngredientId, i64)> = needs.iter().map(|n| (n.ingredient, n.qty)).collect();
    match rows::try_change_all(conn, pizzeria, change, &pairs)? {
        n if n != pairs.len() => Err(StockError::Refused(change)),
        _ if matches!(change, Change::Release) => rearm(conn, pizzeria),
        _ => Ok(()),
    }
}

/// Stock back above its threshold in this transaction: the next crossing alerts again, even
/// when it comes before the low-stock check has seen this change (`alerts`).
pub(crate) fn rearm(conn: &mut DbConn, p: PizzeriaId) -> Result<(), StockError> {
    crate::models::stock_view::try_clear_recovered(conn, p)?;
    Ok(())
}

/// Runs a change in its own transaction; a refusal names its ingredient, read after the
/// rollback (within the transaction, the rows that did pass would look used up).
fn standalone(
    conn: &mut DbConn,
    p: PizzeriaId,
    needs: &[Need],
    ctx: Context<'_>,
    step: (Change, MovementReason, (i64, i64)),
) -> Result<(), StockError> {
    match write_tx(conn, |c| apply_all(c, p, needs, ctx, step)) {
        Err(StockError::Refused(change)) => {
            let ingredient = first_refused(conn, p, change, &normalize(needs)?)?;
            Err(match change {
                Change::Reserve => StockError::Insufficient { ingredient },
                Change::Release | Change::Consume | Change::Restore => {
                    StockError::NotReserved { ingredient }
                }
            })
        }
        other => other,
    }
}

/// Which ingredient a refused change stumbled on, from the levels as they are now.
fn first_refused(
    conn: &mut DbConn,
    p: PizzeriaId,
    change: Change,
    needs: &[Need],
) -> Result<IngredientId, StockError> {
    let ids: Vec<IngredientId> = needs.iter().map(|n| n.ingredient).collect();
    let levels: BTreeMap<IngredientId, Level> = rows::levels(conn, p, &ids)?.into_iter().collect();
    let covers = |n: &Need| {
        levels.get(&n.ingredient).is_some_and(|l| match change {
            Change::Reserve => l.on_hand - l.reserved >= n.qty,
            Change::Release => l.reserved >= n.qty,
            Change::Consume => l.reserved >= n.qty && l.on_hand >= n.qty,
            Change::Restore => true,
        })
    };
    Ok(needs
        .iter()
        .find(|n| !covers(n))
        .unwrap_or(&needs[0])
        .ingredient)
}

const RESERVE_IN: (Change, MovementReason, (i64, i64)) =
    (Change::Reserve, MovementReason::Reserve, (0, 1));
const RELEASE_IN: (Change, MovementReason, (i64, i64)) =
    (Change::Release, MovementReason::Release, (0, -1));
const CONSUME_IN: (Change, MovementReason, (i64, i64)) =
    (Change::Consume, MovementReason::Consume, (-1, -1));

/// Reserves all needs or none, inside the caller's transaction.
pub fn reserve_in(
    conn: &mut DbConn,
    p: PizzeriaId,
    needs: &[Need],
    ctx: Context<'_>,
) -> Result<(), StockError> {
    apply_all(conn, p, needs, ctx, RESERVE_IN)
}

pub fn release_in(
    conn: &mut DbConn,
    p: PizzeriaId,
    needs: &[Need],
    ctx: Context<'_>,
) -> Result<(), StockError> {
    apply_all(conn, p, needs, ctx, RELEASE_IN)
}

pub fn consume_in(
    conn: &mut DbConn,
    p: PizzeriaId,
    needs: &[Need],
    ctx: Context<'_>,
) -> Result<(), StockError> {
    apply_all(conn, p, needs, ctx, CONSUME_IN)
}

const RESTORE_IN: (Change, MovementReason, (i64, i64)) =
    (Change::Restore, MovementReason::Consume, (1, 1));

/// Takes a consumption back into the order's reservation (the kitchen undid "Commencer").
pub fn restore_in(
    conn: &mut DbConn,
    p: PizzeriaId,
    consumed: &[Need],
    ctx: Context<'_>,
) -> Result<(), StockError> {
    apply_all(conn, p, consumed, ctx, RESTORE_IN)
}

/// Moves a reservation from `old` to `new` quantities in one ascending pass: reserves what
/// grows, releases what shrinks (an order being modified).
pub fn rebalance_in(
    conn: &mut DbConn,
    p: PizzeriaId,
    old: &[Need],
    new: &[Need],
    ctx: Context<'_>,
) -> Result<(), StockError> {
    let mut delta: BTreeMap<IngredientId, i64> = BTreeMap::new();
    for n in normalize(new)? {
        *delta.entry(n.ingredient).or_insert(0) += n.qty;
    }
    for n in normalize(old)? {
        *delta.entry(n.ingredient).or_insert(0) -= n.qty;
    }
    for (ingredient, d) in delta.into_iter().filter(|(_, d)| *d != 0) {
        let one = [Need {
            ingredient,
            qty: d.abs(),
        }];
        if d > 0 {
            reserve_in(conn, p, &one, ctx)?;
        } else {
            release_in(conn, p, &one, ctx)?;
        }
    }
    Ok(())
}

pub fn reserve(
    conn: &mut DbConn,
    p: PizzeriaId,
    needs: &[Need],
    ctx: Context<'_>,
) -> Result<(), StockError> {
    standalone(conn, p, needs, ctx, RESERVE_IN)
}

pub fn release(
    conn: &mut DbConn,
    p: PizzeriaId,
    needs: &[Need],
    ctx: Context<'_>,
) -> Result<(), StockError> {
    standalone(conn, p, needs, ctx, RELEASE_IN)
}

pub fn consume(
    conn: &mut DbConn,
    p: PizzeriaId,
    needs: &[Need],
    ctx: Context<'_>,
) -> Result<(), StockError> {
    standalone(conn, p, needs, ctx, CONSUME_IN)
}

/// A supplier delivery: on_hand grows. Creates the stock row the first time.
pub fn receive(
    conn: &mut DbConn,
    p: PizzeriaId,
    need: Need,
    ctx: Context<'_>,
) -> Result<Level, StockError> {
    let need = normalize(&[need])?[0];
    write_tx(conn, |c| {
        manager::shift_or_create(c, p, need)?;
        rearm(c, p)?;
        rows::record(
            c,
            p,
            need.ingredient,
            MovementReason::SupplierDelivery,
            (need.qty, 0),
            ctx,
        )?;
        current(c, p, need.ingredient)
    })
}

/// A correction (`Adjustment`) or a loss (`Waste`) by `delta` units; never below what is reserved.
pub fn adjust(
    conn: &mut DbConn,
    p: PizzeriaId,
    ingredient: IngredientId,
    delta: i64,
    reason: MovementReason,
    ctx: Context<'_>,
) -> Result<Level, StockError> {
    let valid_reason = matches!(reason, MovementReason::Adjustment | MovementReason::Waste);
    if delta == 0
        || delta.abs() > MAX_QTY
        || !valid_reason
        || (reason == MovementReason::Waste && delta > 0)
    {
        return Err(StockError::InvalidQuantity);
    }
    write_tx(conn, |c| {
        if !rows::try_shift_on_hand(c, p, ingredient, delta)? {
            return Err(StockError::BelowReserved { ingredient });
        }
        if delta > 0 {
            rearm(c, p)?;
        }
        rows::record(c, p, ingredient, reason, (delta, 0), ctx)?;
        current(c, p, ingredient)
    })
}

/// An inventory count: on_hand becomes what was counted; the ledger keeps the difference.
pub fn count(
    conn: &mut DbConn,
    p: PizzeriaId,
    ingredient: IngredientId,
    counted: i64,
    ctx: Context<'_>,
) -> Result<Level, StockError> {
    if !(0..=MAX_QTY).contains(&counted) {
        return Err(StockError::InvalidQuantity);
    }
    write_tx(conn, |c| {
        let seen = current(c, p, ingredient)?;
        if counted < seen.reserved {
            return Err(StockError::BelowReserved { ingredient });
        }
        if !rows::try_set_on_hand(c, p, ingredient, seen.on_hand, counted)? {
            // Changed between our read and our write: roll back and let write_tx retry.
            return Err(StockError::Db(DieselError::DatabaseError(
                diesel::result::DatabaseErrorKind::SerializationFailure,
                Box::new("stock changed during the count".to_string()),
            )));
        }
        rows::record(
            c,
            p,
            ingredient,
            MovementReason::InventoryCount,
            (counted - seen.on_hand, 0),
            ctx,
        )?;
        rearm(c, p)?;
        current(c, p, ingredient)
    })
}

fn current(
    conn: &mut DbConn,
    p: PizzeriaId,
    ingredient: IngredientId,
) -> Result<Level, StockError> {
    rows::level(conn, p, ingredient)?.ok_or(StockError::Insufficient { ingredient })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(i: i64, qty: i64) -> Need {
        Need {
            ingredient: IngredientId(i),
            qty,
        }
    }

    #[test]
    fn needs_are_merged_and_sorted_by_ingredient() {
        let merged = normalize(&[need(3, 10), need(1, 5), need(3, 2)]).unwrap();
        assert_eq!(merged, vec![need(1, 5), need(3, 12)]);
    }

    #[test]
    fn zero_negative_and_huge_quantities_are_refused() {
        for bad in [0, -1, MAX_QTY + 1, i64::MAX] {
            assert!(
                matches!(normalize(&[need(1, bad)]), Err(StockError::InvalidQuantity)),
                "{bad}"
            );
        }
        assert!(matches!(
            normalize(&[need(1, MAX_QTY), need(1, 1)]),
            Err(StockError::InvalidQuantity)
        ));
    }
}
