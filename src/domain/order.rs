//! The order lifecycle of DOMAIN.md: which status changes are allowed, and for whom.

use super::text_enum::text_enum;

text_enum!(OrderStatus {
    AwaitingPayment = "AWAITING_PAYMENT" / "En attente de paiement",
    Received = "RECEIVED" / "Reçue",
    InPreparation = "IN_PREPARATION" / "En préparation",
    Ready = "READY" / "Prête",
    OutForDelivery = "OUT_FOR_DELIVERY" / "En livraison",
    Delivered = "DELIVERED" / "Livrée",
    PickedUp = "PICKED_UP" / "Retirée",
    Cancelled = "CANCELLED" / "Annulée",
});

text_enum!(PaymentStatus {
    Unpaid = "UNPAID" / "Non payée",
    Pending = "PENDING" / "Paiement en cours",
    Paid = "PAID" / "Payée",
    Refunded = "REFUNDED" / "Remboursée",
    PartiallyRefunded = "PARTIALLY_REFUNDED" / "Partiellement remboursée",
    Failed = "FAILED" / "Paiement échoué",
});

text_enum!(Fulfilment {
    Delivery = "delivery" / "Livraison",
    Pickup = "pickup" / "À emporter",
});

text_enum!(Channel {
    Web = "web" / "Site web",
    Phone = "phone" / "Téléphone",
    Counter = "counter" / "Comptoir",
});

text_enum!(PaymentMethod {
    OnDelivery = "on_delivery" / "À la livraison",
    AtPickup = "at_pickup" / "Au retrait",
    AtCounter = "at_counter" / "Au comptoir",
    Stripe = "stripe" / "Carte bancaire (Stripe)",
    Paypal = "paypal" / "PayPal",
    Gocardless = "gocardless" / "Virement instantané (GoCardless)",
});

text_enum!(
    /// Who asks for a status change.
    Actor {
        Customer = "customer" / "Client",
        Staff = "staff" / "Équipe",
        System = "system" / "Système",
        Provider = "provider" / "Prestataire de paiement",
    }
);

impl PaymentStatus {
    /// The order's money is in: nothing to collect at the door or the counter (a paid order
    /// made smaller and refunded the difference is still paid).
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Paid | Self::PartiallyRefunded)
    }
}

impl PaymentMethod {
    /// Online methods start in AWAITING_PAYMENT; the others go straight to RECEIVED.
    pub fn is_online(self) -> bool {
        matches!(self, Self::Stripe | Self::Paypal | Self::Gocardless)
    }
}

impl OrderStatus {
    pub fn initial(method: PaymentMethod) -> Self {
        if method.is_online() {
            Self::AwaitingPayment
        } else {
            Self::Received
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Delivered | Self::PickedUp | Self::Cancelled)
    }

    /// The customer may modify or cancel only before the kitchen starts.
    pub fn customer_may_change(self) -> bool {
        matches!(self, Self::AwaitingPayment | Self::Received)
    }
}

/// An order's number of the day as people say it: "#042" (or "#—" before it has one).
pub fn number_label(number: Option<i32>) -> String {
    match number {
        Some(n) => format!("#{n:03}"),
        None => "#—".to_string(),
    }
}

/// A requested status change.
#[derive(Debug, Clone, Copy)]
pub struct Transition<'a> {
    pub to: OrderStatus,
    pub actor: Actor,
    pub fulfilment: Fulfilment,
    pub reason: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("Une commande « {} » ne peut pas passer à « {} ».", .from.label(), .to.label())]
    NotAllowed { from: OrderStatus, to: OrderStatus },
    #[error(
        "La préparation a commencé : la commande ne peut plus être modifiée ni annulée en ligne."
    )]
    TooLateForCustomer,
    #[error("Cette étape ne concerne pas ce mode de retrait.")]
    WrongFulfilment,
    #[error("Une raison est obligatoire pour annuler une commande déjà en préparation.")]
    ReasonRequired,
    #[error("Seule l'équipe de la pizzeria peut faire avancer une commande.")]
    NotPermitted,
    #[error("Indiquez pourquoi la livraison a échoué.")]
    FailureReasonRequired,
    #[error("La commande est partie en livraison : le livreur doit d'abord signaler l'échec de la livraison.")]
    AlreadyLeft,
}

/// Checks a status change against the lifecycle and returns the new status.
pub fn transition(from: OrderStatus, t: Transition<'_>) -> Result<OrderStatus, TransitionError> {
    use Actor::*;
    use OrderStatus::*;
    let refuse = Err(TransitionError::NotAllowed { from, to: t.to });
    match (from, t.to) {
        (AwaitingPayment, Received) => match t.actor {
            Provider | System => Ok(Received),
            _ => Err(TransitionError::NotPermitted),
        },
        // Staff always say why they cancel; the customer and the system need not.
        (AwaitingPayment | Received, Cancelled) => match t.actor {
            Staff => with_reason(t, TransitionError::ReasonRequired),
            _ => Ok(Cancelled),
        },
        (InPreparation | Ready, Cancelled) => match t.actor {
            Staff => with_reason(t, TransitionError::ReasonRequired),
            Customer => Err(TransitionError::TooLateForCustomer),
            _ => refuse,
        },
        (OutForDelivery, Cancelled) => match t.actor {
            Staff => Err(TransitionError::AlreadyLeft),
            Customer => Err(TransitionError::TooLateForCustomer),
            _ => refuse,
        },
        (Received, InPreparation) | (InPreparation, Ready) => staff_only(t),
        (Ready, OutForDelivery) | (OutForDelivery, Delivered) => {
            fulfilment_is(t, Fulfilment::Delivery).and_then(staff_only)
        }
        // A failed delivery comes back to the pizzeria, with its reason, for the manager.
        (OutForDelivery, Ready) => fulfilment_is(t, Fulfilment::Delivery)
            .and_then(staff_only)
            .and_then(|_| with_reason(t, TransitionError::FailureReasonRequired)),
        (Ready, PickedUp) => fulfilment_is(t, Fulfilment::Pickup).and_then(staff_only),
        _ => refuse,
    }
}

fn with_reason(
    t: Transition<'_>,
    missing: TransitionError,
) -> Result<OrderStatus, TransitionError> {
    if t.reason.is_some_and(|r| !r.trim().is_empty()) {
        Ok(t.to)
    } else {
        Err(missing)
    }
}

fn staff_only(t: Transition<'_>) -> Result<OrderStatus, TransitionError> {
    if t.actor == Actor::Staff {
        Ok(t.to)
    } else {
        Err(TransitionError::NotPermitted)
    }
}

fn fulfilment_is(t: Transition<'_>, wanted: Fulfilment) -> Result<Transition<'_>, TransitionError> {
    if t.fulfilment == wanted {
        Ok(t)
    } else {
        Err(TransitionError::WrongFulfilment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Actor::*;
    use Fulfilment::*;
    use OrderStatus::*;

    fn go(
        from: OrderStatus,
        to: OrderStatus,
        actor: Actor,
        f: Fulfilment,
    ) -> Result<OrderStatus, TransitionError> {
        transition(
            from,
            Transition {
                to,
                actor,
                fulfilment: f,
                reason: None,
            },
        )
    }

    #[test]
    fn the_delivery_happy_path_is_allowed_step_by_step() {
        assert_eq!(
            go(AwaitingPayment, Received, Provider, Delivery),
            Ok(Received)
        );
        assert_eq!(
            go(Received, InPreparation, Staff, Delivery),
            Ok(InPreparation)
        );
        assert_eq!(go(InPreparation, Ready, Staff, Delivery), Ok(Ready));
        assert_eq!(
            go(Ready, OutForDelivery, Staff, Delivery),
            Ok(OutForDelivery)
        );
        assert_eq!(
            go(OutForDelivery, Delivered, Staff, Delivery),
            Ok(Delivered)
        );
    }

    #[test]
    fn a_pickup_order_is_picked_up_not_delivered() {
        assert_eq!(go(Ready, PickedUp, Staff, Pickup), Ok(PickedUp));
        assert_eq!(
            go(Ready, OutForDelivery, Staff, Pickup),
            Err(TransitionError::WrongFulfilment)
        );
        assert_eq!(
            go(Ready, PickedUp, Staff, Delivery),
            Err(TransitionError::WrongFulfilment)
        );
    }

    #[test]
    fn the_customer_cancels_only_before_the_kitchen_starts() {
        assert_eq!(
            go(AwaitingPayment, Cancelled, Customer, Delivery),
            Ok(Cancelled)
        );
        assert_eq!(go(Received, Cancelled, Customer, Pickup), Ok(Cancelled));
        for from in [InPreparation, Ready, OutForDelivery] {
            assert_eq!(
                go(from, Cancelled, Customer, Delivery),
                Err(TransitionError::TooLateForCustomer)
            );
        }
    }

    #[test]
    fn staff_cancel_a_started_order_only_with_a_reason() {
        for from in [AwaitingPayment, Received, InPreparation, Ready] {
            assert_eq!(
                go(from, Cancelled, Staff, Delivery),
                Err(TransitionError::ReasonRequired)
            );
            let t = Transition {
                to: Cancelled,
                actor: Staff,
                fulfilment: Delivery,
                reason: Some("four en panne"),
            };
            assert_eq!(transition(from, t), Ok(Cancelled));
            let blank = Transition {
                reason: Some("  "),
                ..t
            };
            assert_eq!(
                transition(from, blank),
                Err(TransitionError::ReasonRequired)
            );
        }
    }

    #[test]
    fn unpaid_online_orders_expire_or_fail_into_cancelled() {
        assert_eq!(
            go(AwaitingPayment, Cancelled, System, Delivery),
            Ok(Cancelled)
        );
        assert_eq!(
            go(AwaitingPayment, Cancelled, Provider, Delivery),
            Ok(Cancelled)
        );
    }

    #[test]
    fn only_payment_moves_an_order_out_of_awaiting_payment() {
        assert_eq!(
            go(AwaitingPayment, Received, Customer, Delivery),
            Err(TransitionError::NotPermitted)
        );
        assert_eq!(
            go(AwaitingPayment, Received, Staff, Delivery),
            Err(TransitionError::NotPermitted)
        );
        assert!(go(AwaitingPayment, InPreparation, Staff, Delivery).is_err());
    }

    #[test]
    fn customers_never_move_the_kitchen() {
        assert_eq!(
            go(Received, InPreparation, Customer, Delivery),
            Err(TransitionError::NotPermitted)
        );
        assert_eq!(
            go(InPreparation, Ready, Customer, Delivery),
            Err(TransitionError::NotPermitted)
        );
        assert_eq!(
            go(OutForDelivery, Delivered, Customer, Delivery),
            Err(TransitionError::NotPermitted)
        );
    }

    #[test]
    fn every_transition_outside_the_lifecycle_is_refused() {
        let allowed = [
            (AwaitingPayment, Received),
            (AwaitingPayment, Cancelled),
            (Received, InPreparation),
            (Received, Cancelled),
            (InPreparation, Ready),
            (InPreparation, Cancelled),
            (Ready, OutForDelivery),
            (Ready, PickedUp),
            (Ready, Cancelled),
            (OutForDelivery, Delivered),
            (OutForDelivery, Ready),
        ];
        for &from in OrderStatus::ALL {
            for &to in OrderStatus::ALL {
                if allowed.contains(&(from, to)) {
                    continue;
                }
                for &actor in Actor::ALL {
                    for f in [Delivery, Pickup] {
                        let t = Transition {
                            to,
                            actor,
                            fulfilment: f,
                            reason: Some("raison"),
                        };
                        assert!(
                            transition(from, t).is_err(),
                            "{from} -> {to} by {actor} should be refused"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn terminal_statuses_go_nowhere() {
        for from in [Delivered, PickedUp, Cancelled] {
            assert!(from.is_terminal());
            for &to in OrderStatus::ALL {
                assert!(go(from, to, Staff, Delivery).is_err());
            }
        }
    }

    #[test]
    fn online_orders_wait_for_payment_the_others_are_received() {
        assert_eq!(OrderStatus::initial(PaymentMethod::Stripe), AwaitingPayment);
        assert_eq!(OrderStatus::initial(PaymentMethod::OnDelivery), Received);
        assert_eq!(OrderStatus::initial(PaymentMethod::AtCounter), Received);
    }

    #[test]
    fn order_numbers_read_aloud_with_three_digits() {
        assert_eq!(number_label(Some(42)), "#042");
        assert_eq!(number_label(Some(1234)), "#1234");
        assert_eq!(number_label(None), "#—");
    }

    #[test]
    fn stored_texts_round_trip() {
        for &s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(OrderStatus::parse("received"), None);
    }
}
