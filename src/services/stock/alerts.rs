//! Low-stock alerts: when an ingredient's available stock falls to its threshold or below, its
//! crossing is marked and one e-mail per manager of the pizzeria is queued, in one transaction.
//! The mark is conditional, so several processes checking at once queue it once; it is cleared
//! when the stock is back above the threshold, and the next crossing alerts again. A threshold
//! of 0 alerts nobody.
//!
//! The check reads the state, not the change: it runs after every stock change of the
//! pizzeria (the workers hear of it from the live tailer) and once at start, so a crash between
//! a change and its check loses no alert.

use super::StockError;
use crate::db::{write_tx, DbConn};
use crate::domain::ids::PizzeriaId;
use crate::models::pizzeria::Pizzeria;
use crate::models::{now, outbox, staff, stock_view};

/// The outbox template of the alert.
pub const TEMPLATE: &str = "low_stock";

/// Every active pizzeria, for the check at start.
pub fn pizzerias(conn: &mut DbConn) -> Result<Vec<PizzeriaId>, StockError> {
    Ok(Pizzeria::list_active(conn)?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

/// Clears the recovered marks and alerts the new crossings; how many ingredients it alerted.
pub fn check(conn: &mut DbConn, p: PizzeriaId) -> Result<usize, StockError> {
    // Most changes cross nothing: a read says so without taking the writer's turn.
    if stock_view::unalerted_low(conn, p)?.is_empty() && !stock_view::any_recovered(conn, p)? {
        return Ok(0);
    }
    write_tx(conn, |c| {
        stock_view::try_clear_recovered(c, p)?;
        let low = stock_view::unalerted_low(c, p)?;
        if low.is_empty() {
            return Ok(0);
        }
        let managers = staff::managers_of(c, p)?;
        let name = Pizzeria::find(c, p)?.map(|z| z.name).unwrap_or_default();
        let at = now();
        let mut alerted = 0;
        for level in low {
            if !stock_view::try_mark_low(c, p, level.id, at)? {
                continue;
            }
            alerted += 1;
            let payload = serde_json::json!({
                "pizzeria": name,
                "ingredient": level.name,
                "available": level.unit.show(level.available()),
                "threshold": level.unit.show(level.threshold),
                "path": format!("/staff/{p}/stock/ingredients/{}", level.id),
            });
            for (user, email, _) in &managers {
                let key = format!(
                    "low-stock:{p}:{}:{}:{user}",
                    level.id,
                    at.and_utc().timestamp_micros()
                );
                outbox::enqueue(c, &key, email, TEMPLATE, &payload, None)?;
            }
        }
        Ok(alerted)
    })
}
