//! Online payments, the rules: the keys that make a retried call harmless, what a provider can
//! tell us about an attempt, and what a confirmed payment does to the order it pays.

use super::ids::OrderId;
use super::money::Money;
use super::order::{OrderStatus, PaymentStatus};

/// The idempotency key of an order's n-th payment attempt: the same attempt retried after a
/// timeout carries the same key, so the provider creates nothing twice.
pub fn attempt_key(order: OrderId, attempt: i64) -> String {
    format!("ocp-order-{}-attempt-{attempt}", order.0)
}

/// The idempotency key of a refund of a payment (its n-th refund).
pub fn refund_key(payment: i64, refund: i64) -> String {
    format!("ocp-payment-{payment}-refund-{refund}")
}

/// One line of what the provider's page shows, in integer cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeLine {
    pub name: String,
    pub unit: Money,
    pub quantity: i64,
}

/// What a hosted payment page is opened for.
#[derive(Debug, Clone)]
pub struct Charge {
    /// The attempt's idempotency key, also our reference at the provider.
    pub key: String,
    /// The order's tracking token (the return addresses carry it).
    pub order_token: String,
    /// "#042": what the customer reads on the provider's page.
    pub order_label: String,
    pub pizzeria: String,
    pub amount: Money,
    pub lines: Vec<ChargeLine>,
    pub email: String,
    /// When our side gives up waiting (Unix seconds).
    pub expires_at: i64,
}

impl Charge {
    /// The provider shows the lines and charges the total: they must be the same amount.
    pub fn lines_add_up(&self) -> bool {
        let sum = self.lines.iter().try_fold(0i64, |acc, l| {
            l.unit
                .cents()
                .checked_mul(l.quantity)
                .and_then(|c| acc.checked_add(c))
        });
        sum == Some(self.amount.cents()) && self.lines.iter().all(|l| l.quantity > 0)
    }
}

/// A hosted payment page, opened at its provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The provider's id of the attempt.
    pub provider_ref: String,
    /// Where the customer is sent.
    pub url: String,
}

/// What a provider says about a refund we asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundReply {
    pub provider_ref: String,
    /// None while the provider has not settled it.
    pub succeeded: Option<bool>,
}

/// What a provider says happened to an attempt (a webhook, a return, a reconciliation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Happened {
    /// The money is ours: `charge` is the provider's id of the payment (to refund it);
    /// `amount` when the provider says it (GoCardless's events do not).
    Paid {
        amount: Option<Money>,
        charge: Option<String>,
    },
    /// Still waiting (an asynchronous method, or the page still open).
    Pending,
    /// The payer approved; the money is taken only once we capture it (PayPal).
    Approved,
    /// The payer authorised a bank transfer and `charge` is on its way (GoCardless): it can no
    /// longer be stopped, so the order waits for it past its delay and is not paid twice.
    InFlight { charge: String },
    /// The payment failed; the customer may choose again.
    Failed,
    /// The hosted page expired unpaid.
    Expired,
    /// A refund of ours reached an end: `succeeded` or not.
    Refund { key: String, succeeded: bool },
}

impl Happened {
    /// A short name, for the ids of events we make up ourselves (a state read).
    pub fn name(&self) -> &'static str {
        match self {
            Happened::Paid { .. } => "paid",
            Happened::Pending => "pending",
            Happened::Approved => "approved",
            Happened::InFlight { .. } => "in_flight",
            Happened::Failed => "failed",
            Happened::Expired => "expired",
            Happened::Refund { .. } => "refund",
        }
    }
}

/// One piece of news from a provider, deduplicated by `event_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEvent {
    pub event_id: String,
    pub event_type: String,
    /// Our attempt key, when the provider echoes it.
    pub attempt: Option<String>,
    /// The provider's id of the attempt (a Checkout Session).
    pub provider_ref: Option<String>,
    pub happened: Happened,
}

/// What a confirmed payment does to its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnPaid {
    /// The order was waiting for it: it goes to the kitchen.
    Receive,
    /// The order went ahead meanwhile, to be paid by hand (the customer chose so): it is paid now.
    MarkPaid,
    /// Nobody wants this money any more (the order was cancelled, or paid already): it goes back.
    Refund,
    /// This attempt was counted already.
    Nothing,
}

/// Decides what a confirmed payment does, from what the order and the attempt are now.
pub fn on_paid(order: OrderStatus, paid: PaymentStatus, attempt_counted: bool) -> OnPaid {
    if attempt_counted {
        return OnPaid::Nothing;
    }
    match (order, paid) {
        (OrderStatus::Cancelled, _) => OnPaid::Refund,
        (_, PaymentStatus::Paid | PaymentStatus::Refunded | PaymentStatus::PartiallyRefunded) => {
            OnPaid::Refund
        }
        (OrderStatus::AwaitingPayment, _) => OnPaid::Receive,
        (OrderStatus::Delivered | OrderStatus::PickedUp, _) => OnPaid::Refund,
        _ => OnPaid::MarkPaid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge(amount: i64, lines: &[(i64, i64)]) -> Charge {
        Charge {
            key: attempt_key(OrderId(7), 1),
            order_token: "t".into(),
            order_label: "#001".into(),
            pizzeria: "Bastille".into(),
            amount: Money::from_cents(amount),
            lines: lines
                .iter()
                .map(|&(unit, quantity)| ChargeLine {
                    name: "Margherita".into(),
                    unit: Money::from_cents(unit),
                    quantity,
                })
                .collect(),
            email: "a@b.fr".into(),
            expires_at: 0,
        }
    }

    #[test]
    fn keys_follow_the_order_and_the_attempt() {
        assert_eq!(attempt_key(OrderId(42), 1), attempt_key(OrderId(42), 1));
        assert_ne!(attempt_key(OrderId(42), 1), attempt_key(OrderId(42), 2));
        assert_ne!(attempt_key(OrderId(4), 21), attempt_key(OrderId(42), 1));
        assert!(attempt_key(OrderId(i64::MAX), i64::MAX).len() <= 64);
        assert!(refund_key(i64::MAX, i64::MAX).len() <= 64);
    }

    #[test]
    fn the_lines_must_add_up_to_the_amount_charged() {
        assert!(charge(3350, &[(1050, 2), (1250, 1)]).lines_add_up());
        assert!(!charge(3351, &[(1050, 2), (1250, 1)]).lines_add_up());
        assert!(!charge(0, &[(1050, 0)]).lines_add_up());
        assert!(!charge(1, &[(i64::MAX, 2)]).lines_add_up());
    }

    #[test]
    fn a_paid_order_made_smaller_still_has_nothing_to_collect() {
        assert!(PaymentStatus::Paid.is_settled());
        assert!(PaymentStatus::PartiallyRefunded.is_settled());
        for s in [
            PaymentStatus::Unpaid,
            PaymentStatus::Pending,
            PaymentStatus::Failed,
            PaymentStatus::Refunded,
        ] {
            assert!(!s.is_settled(), "{s:?}");
        }
    }

    #[test]
    fn a_payment_goes_where_the_order_is() {
        use OrderStatus::*;
        use PaymentStatus::*;
        assert_eq!(on_paid(AwaitingPayment, Pending, false), OnPaid::Receive);
        assert_eq!(on_paid(AwaitingPayment, Failed, false), OnPaid::Receive);
        assert_eq!(on_paid(Received, Unpaid, false), OnPaid::MarkPaid);
        assert_eq!(on_paid(Cancelled, Pending, false), OnPaid::Refund);
        assert_eq!(on_paid(Received, Paid, false), OnPaid::Refund);
        assert_eq!(on_paid(Delivered, Unpaid, false), OnPaid::Refund);
        assert_eq!(on_paid(Received, Paid, true), OnPaid::Nothing);
    }
}
