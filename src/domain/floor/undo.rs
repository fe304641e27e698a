//! Steps back: a mistaken tap in the kitchen taken back (only the last step, only staff's,
//! within a minute); the lifecycle's own ways back are tested here with it.

use crate::domain::order::{Actor, OrderStatus};
use chrono::NaiveDateTime;

/// How long a mistaken tap in the kitchen can be taken back.
pub const UNDO_SECONDS: i64 = 60;

/// The last step of an order's log, as the undo judges it.
#[derive(Debug, Clone, Copy)]
pub struct LastStep {
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    pub actor: Actor,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UndoError {
    #[error("Il n'y a plus rien à annuler sur cette commande.")]
    Nothing,
    #[error("Plus d'une minute a passé : cette action ne peut plus être annulée ici.")]
    TooLate,
}

/// Takes back the kitchen's last step (started, or ready) within a minute: the status it
/// returns to. Only a step made by staff, and only while it is still the order's last.
pub fn undo(
    current: OrderStatus,
    last: LastStep,
    now: NaiveDateTime,
) -> Result<OrderStatus, UndoError> {
    use OrderStatus::*;
    let back = match (last.from, last.to) {
        (Some(Received), InPreparation) => Received,
        (Some(InPreparation), Ready) => InPreparation,
        _ => return Err(UndoError::Nothing),
    };
    if last.to != current || last.actor != Actor::Staff {
        return Err(UndoError::Nothing);
    }
    if (now - last.at).num_seconds() > UNDO_SECONDS {
        return Err(UndoError::TooLate);
    }
    Ok(back)
}

/// Whether this step of the log takes back the one before (it reads as such on the tracking
/// page and the kitchen screen).
pub fn is_undo(from: Option<OrderStatus>, to: OrderStatus) -> bool {
    use OrderStatus::*;
    matches!(
        (from, to),
        (Some(InPreparation), Received) | (Some(Ready), InPreparation)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::order::Fulfilment::{self, Delivery};
    use crate::domain::order::{transition, Transition, TransitionError};
    use Actor::*;
    use OrderStatus::*;

    fn go(
        from: OrderStatus,
        to: OrderStatus,
        actor: Actor,
        fulfilment: Fulfilment,
    ) -> Result<OrderStatus, TransitionError> {
        let t = Transition {
            to,
            actor,
            fulfilment,
            reason: None,
        };
        transition(from, t)
    }

    fn at(s: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_790_000_000 + s, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn the_kitchen_takes_back_its_last_step_within_a_minute() {
        let started = LastStep {
            from: Some(Received),
            to: InPreparation,
            actor: Staff,
            at: at(0),
        };
        assert_eq!(undo(InPreparation, started, at(59)), Ok(Received));
        assert_eq!(
            undo(InPreparation, started, at(61)),
            Err(UndoError::TooLate)
        );
        let ready = LastStep {
            from: Some(InPreparation),
            to: Ready,
            ..started
        };
        assert_eq!(undo(Ready, ready, at(10)), Ok(InPreparation));
        assert!(is_undo(Some(Ready), InPreparation));
        assert!(!is_undo(Some(Received), InPreparation));
    }

    #[test]
    fn only_the_last_step_of_the_kitchen_can_be_taken_back() {
        let t = at(0);
        let step = |from, to, actor| LastStep {
            from,
            to,
            actor,
            at: t,
        };
        // Placed, cancelled, sent out, or already taken back: nothing to undo.
        for last in [
            step(None, Received, Customer),
            step(Some(Received), Cancelled, Customer),
            step(Some(Ready), OutForDelivery, Staff),
            step(Some(InPreparation), Received, Staff),
        ] {
            assert_eq!(undo(last.to, last, t), Err(UndoError::Nothing), "{last:?}");
        }
        // The order moved on since the step.
        let started = step(Some(Received), InPreparation, Staff);
        assert_eq!(undo(Ready, started, t), Err(UndoError::Nothing));
    }

    #[test]
    fn nobody_cancels_an_order_on_its_way() {
        let t = Transition {
            to: Cancelled,
            actor: Staff,
            fulfilment: Delivery,
            reason: Some("client absent"),
        };
        assert_eq!(
            transition(OutForDelivery, t),
            Err(TransitionError::AlreadyLeft)
        );
        assert_eq!(
            go(OutForDelivery, Cancelled, Customer, Delivery),
            Err(TransitionError::TooLateForCustomer)
        );
    }

    #[test]
    fn a_failed_delivery_comes_back_ready_with_its_reason() {
        let failed = Transition {
            to: Ready,
            actor: Staff,
            fulfilment: Delivery,
            reason: Some("Client absent"),
        };
        assert_eq!(transition(OutForDelivery, failed), Ok(Ready));
        let silent = Transition {
            reason: Some(" "),
            ..failed
        };
        assert_eq!(
            transition(OutForDelivery, silent),
            Err(TransitionError::FailureReasonRequired)
        );
        let by_customer = Transition {
            actor: Customer,
            ..failed
        };
        assert_eq!(
            transition(OutForDelivery, by_customer),
            Err(TransitionError::NotPermitted)
        );
    }
}
