//! The kitchen: "Commencer" (consumes the reservation), "Prête", and taking the last of these
//! back within a minute (the log and the ledger say so).

use super::{advance, load, stale, FloorError, Member};
use crate::db::{write_tx, DbConn};
use crate::domain::floor::{self as lifecycle, LastStep};
use crate::domain::ids::OrderId;
use crate::domain::order::{Actor, OrderStatus};
use crate::models::order as order_rows;
use crate::models::stock::Context;
use crate::models::{floor, now};
use crate::services::orders::{record_event, Step};
use crate::services::stock::{self, Need};

pub fn start(conn: &mut DbConn, by: Member, id: OrderId) -> Result<(), FloorError> {
    write_tx(conn, |tx| {
        let order = load(tx, by, id)?;
        advance(
            tx,
            by,
            &order,
            &[OrderStatus::Received],
            OrderStatus::InPreparation,
            None,
        )
    })
}

pub fn ready(conn: &mut DbConn, by: Member, id: OrderId) -> Result<(), FloorError> {
    write_tx(conn, |tx| {
        let order = load(tx, by, id)?;
        advance(
            tx,
            by,
            &order,
            &[OrderStatus::InPreparation],
            OrderStatus::Ready,
            None,
        )
    })
}

/// Takes back the order's last kitchen step (started, or ready) if it is less than a minute
/// old: the order returns to its previous status with an event saying so; an undone start
/// gives the consumed ingredients back to the order's reservation.
pub fn undo(conn: &mut DbConn, by: Member, id: OrderId) -> Result<OrderStatus, FloorError> {
    write_tx(conn, |tx| {
        let order = load(tx, by, id)?;
        let last = order
            .last_step()
            .map(|s| LastStep {
                from: s.from,
                to: s.to,
                actor: s.actor,
                at: s.at,
            })
            .ok_or_else(|| FloorError::Invalid(lifecycle::UndoError::Nothing.to_string()))?;
        let back = lifecycle::undo(order.order.status, last, now())
            .map_err(|e| FloorError::Invalid(e.to_string()))?;
        let from = order.order.status;
        if !order_rows::set_status_if(tx, id, &[from], back, now())? {
            return Err(stale(&load(tx, by, id)?));
        }
        if from == OrderStatus::InPreparation {
            let consumed: Vec<Need> = floor::consumed_for(tx, id)?
                .into_iter()
                .map(|(ingredient, qty)| Need { ingredient, qty })
                .collect();
            let ctx = Context {
                order: Some(id),
                user: Some(by.user),
                note: Some("Annulation de « Commencer »"),
            };
            stock::restore_in(tx, by.pizzeria, &consumed, ctx)?;
        }
        let reason = match from {
            OrderStatus::InPreparation => "Retour en arrière : « Commencer » annulé",
            _ => "Retour en arrière : « Prête » annulé",
        };
        let step = Step {
            from: Some(from),
            to: back,
            actor: Actor::Staff,
            user: Some(by.user),
            reason: Some(reason),
        };
        record_event(tx, &order.order, step)?;
        Ok(back)
    })
}
