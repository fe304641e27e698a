//! The drivers: taking ready deliveries out (one or several at once), bringing each to the
//! door (and the money, when unpaid), or bringing it back with the reason it failed.

use super::{advance, hand_over, load, stale, FloorError, Member};
use crate::db::{write_tx, DbConn};
use crate::domain::floor::parse_reason;
use crate::domain::ids::OrderId;
use crate::domain::order::{Actor, Fulfilment, OrderStatus};
use crate::models::floor as rows;
use crate::models::now;
use crate::models::payment::{self, Shift};
use crate::services::orders::{record_event, Step};

/// Most orders one driver takes out at once.
pub const MAX_TAKEN: usize = 8;

/// "Je pars": the driver takes these READY deliveries out, all or none.
pub fn take(conn: &mut DbConn, by: Member, ids: &[OrderId]) -> Result<usize, FloorError> {
    if ids.is_empty() {
        return Err(FloorError::Invalid(
            "Cochez au moins une commande à emporter.".into(),
        ));
    }
    if ids.len() > MAX_TAKEN {
        return Err(FloorError::Invalid(format!(
            "Au plus {MAX_TAKEN} commandes par tournée."
        )));
    }
    write_tx(conn, |tx| {
        for &id in ids {
            let order = load(tx, by, id)?;
            if order.order.fulfilment != Fulfilment::Delivery {
                return Err(FloorError::Invalid(format!(
                    "La commande {} est à emporter : elle ne part pas en livraison.",
                    order.order.number_label()
                )));
            }
            if order.order.delivery_problem.is_some() && order.order.status == OrderStatus::Ready {
                return Err(FloorError::Invalid(format!(
                    "La commande {} attend la décision du gérant après un échec de livraison.",
                    order.order.number_label()
                )));
            }
            if order.order.status != OrderStatus::Ready {
                return Err(stale(&order));
            }
            crate::domain::order::transition(
                OrderStatus::Ready,
                crate::domain::order::Transition {
                    to: OrderStatus::OutForDelivery,
                    actor: Actor::Staff,
                    fulfilment: order.order.fulfilment,
                    reason: None,
                },
            )
            .map_err(|e| FloorError::Order(e.into()))?;
            if !rows::set_out_with(tx, id, by.user, now())? {
                return Err(stale(&load(tx, by, id)?));
            }
            let step = Step {
                from: Some(OrderStatus::Ready),
                to: OrderStatus::OutForDelivery,
                actor: Actor::Staff,
                user: Some(by.user),
                reason: None,
            };
            record_event(tx, &order.order, step)?;
            crate::services::orders::notify_once(
                tx,
                &order.order,
                "out_for_delivery",
                serde_json::json!({}),
            )?;
        }
        Ok(ids.len())
    })
}

/// "Livrée": the order is at the customer's; an unpaid one records what the driver collected
/// (espèces or carte, exactly the amount due).
pub fn delivered(
    conn: &mut DbConn,
    by: Member,
    id: OrderId,
    hand: &str,
    amount: &str,
) -> Result<(), FloorError> {
    write_tx(conn, |tx| {
        let order = load(tx, by, id)?;
        mine(&order, by)?;
        let step = (OrderStatus::OutForDelivery, OrderStatus::Delivered);
        hand_over(tx, by, &order, step, hand, amount)
    })
}

/// An order on its way is closed by its own driver only.
fn mine(order: &crate::models::floor::FloorOrder, by: Member) -> Result<(), FloorError> {
    if order.order.status == OrderStatus::OutForDelivery && order.order.driver_id != Some(by.user) {
        return Err(FloorError::Invalid(format!(
            "La commande {} est partie avec un autre livreur.",
            order.order.number_label()
        )));
    }
    Ok(())
}

/// "Échec": the driver brings the order back with the reason; it waits, READY, for the
/// manager to send it out again or cancel it.
pub fn failed(conn: &mut DbConn, by: Member, id: OrderId, reason: &str) -> Result<(), FloorError> {
    let reason = parse_reason(reason).map_err(FloorError::Invalid)?;
    write_tx(conn, |tx| {
        let order = load(tx, by, id)?;
        mine(&order, by)?;
        let why = format!("Échec de livraison : {reason}");
        advance(
            tx,
            by,
            &order,
            &[OrderStatus::OutForDelivery],
            OrderStatus::Ready,
            Some(&why),
        )?;
        rows::set_delivery_problem(tx, id, Some(&reason))?;
        Ok(())
    })
}

/// The manager sends a failed delivery out again: drivers see it among the ready ones.
pub fn resend(conn: &mut DbConn, by: Member, id: OrderId) -> Result<(), FloorError> {
    write_tx(conn, |tx| {
        let order = load(tx, by, id)?;
        if order.order.status != OrderStatus::Ready || order.order.delivery_problem.is_none() {
            return Err(FloorError::Invalid(format!(
                "La commande {} n'attend pas de décision.",
                order.order.number_label()
            )));
        }
        rows::set_delivery_problem(tx, id, None)?;
        let step = Step {
            from: Some(OrderStatus::Ready),
            to: OrderStatus::Ready,
            actor: Actor::Staff,
            user: Some(by.user),
            reason: Some("Renvoyée en livraison par le gérant"),
        };
        record_event(tx, &order.order, step)?;
        Ok(())
    })
}

/// The driver's shift since `since` (their service day): deliveries and money collected.
pub fn shift(
    conn: &mut DbConn,
    by: Member,
    day: chrono::NaiveDate,
    since: chrono::NaiveDateTime,
) -> Result<Shift, FloorError> {
    Ok(payment::shift(conn, by.pizzeria, by.user, day, since)?)
}
