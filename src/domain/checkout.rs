//! The rules of a checkout that do not depend on the database: which payment fits which way of
//! getting the order, and which times may be asked for.

use super::hours::{self, Slot};
use super::order::{Fulfilment, PaymentMethod};
use chrono::{DateTime, Utc};

/// Minutes between ordering and the earliest later slot, and between two slots.
pub const LEAD_MINUTES: u16 = 30;
pub const SLOT_STEP: u16 = 15;

/// When the customer wants the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// As soon as possible: only while the pizzeria is open.
    Asap,
    /// Today at this many minutes after local midnight, one of the slots offered.
    At(u16),
}

/// What the pizzeria offers right now: open or not, and the later slots of today.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Timing {
    pub open_now: bool,
    /// Minutes after local midnight.
    pub slots: Vec<u16>,
}

impl Timing {
    /// What a pizzeria with these opening hours offers at `now`.
    pub fn at(slots: &[Slot], now: DateTime<Utc>) -> Timing {
        let local = hours::paris(now);
        Timing {
            open_now: hours::is_open(slots, local),
            slots: hours::later_slots(slots, local, LEAD_MINUTES, SLOT_STEP),
        }
    }

    /// Whether anything can still be ordered today.
    pub fn takes_orders(&self) -> bool {
        self.open_now || !self.slots.is_empty()
    }

    /// The slots as shown and posted: "19:30".
    pub fn slot_texts(&self) -> Vec<String> {
        self.slots.iter().map(|m| hours::hhmm(*m)).collect()
    }
}

/// Whether a pizzeria takes orders, and for when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderWindow {
    /// Open: as soon as possible, or a later slot.
    Open,
    /// Closed now, but later slots of today can be ordered, the first at this hour ("18:30").
    LaterToday(String),
    /// Nothing can be ordered today; it opens again then ("demain à 11:30"), if ever.
    Closed(Option<String>),
}

impl OrderWindow {
    pub fn at(slots: &[Slot], now: DateTime<Utc>) -> OrderWindow {
        let timing = Timing::at(slots, now);
        match timing.slots.first() {
            _ if timing.open_now => OrderWindow::Open,
            Some(first) => OrderWindow::LaterToday(hours::hhmm(*first)),
            None => OrderWindow::Closed(
                hours::next_opening(slots, hours::paris(now)).map(hours::opening_text),
            ),
        }
    }

    pub fn takes_orders(&self) -> bool {
        !matches!(self, OrderWindow::Closed(_))
    }

    /// Why a cart cannot be filled now, for `pizzeria` (None while it takes orders).
    pub fn refusal(&self, pizzeria: &str) -> Option<String> {
        match self {
            OrderWindow::Closed(Some(when)) => Some(format!(
                "{pizzeria} est fermée pour aujourd'hui : elle ouvre {when}."
            )),
            OrderWindow::Closed(None) => Some(format!(
                "{pizzeria} ne prend pas de commandes en ce moment."
            )),
            _ => None,
        }
    }
}

pub fn parse_fulfilment(raw: &str) -> Result<Fulfilment, String> {
    match Fulfilment::parse(raw) {
        Some(f) => Ok(f),
        None => Err("Choisissez la livraison ou le retrait à la pizzeria.".into()),
    }
}

/// "asap" or one of the slots offered ("19:30").
pub fn choose_when(raw: &str, timing: &Timing) -> Result<When, String> {
    match raw {
        "asap" if timing.open_now => Ok(When::Asap),
        "asap" => Err("La pizzeria est fermée en ce moment : choisissez un créneau.".into()),
        slot => match hours::parse_hhmm(slot) {
            Some(m) if timing.slots.contains(&m) => Ok(When::At(m)),
            _ => Err("Choisissez « dès que possible » ou un créneau proposé.".into()),
        },
    }
}

/// Online through a provider offered here, or by hand: on delivery for a delivery, at the
/// counter for a pickup.
pub fn choose_payment(
    raw: &str,
    fulfilment: Fulfilment,
    online: &[PaymentMethod],
) -> Result<PaymentMethod, String> {
    match (PaymentMethod::parse(raw), fulfilment) {
        (Some(m), _) if m.is_online() && online.contains(&m) => Ok(m),
        (Some(m), _) if m.is_online() => Err(
            "Ce moyen de paiement n'est pas proposé en ce moment : choisissez-en un autre.".into(),
        ),
        (Some(PaymentMethod::OnDelivery), Fulfilment::Delivery) => Ok(PaymentMethod::OnDelivery),
        (Some(PaymentMethod::AtPickup), Fulfilment::Pickup) => Ok(PaymentMethod::AtPickup),
        (_, Fulfilment::Delivery) => Err("Le paiement se fait à la livraison.".into()),
        (_, Fulfilment::Pickup) => Err("Le paiement se fait au retrait.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing(open_now: bool) -> Timing {
        Timing {
            open_now,
            slots: vec![19 * 60 + 30, 19 * 60 + 45],
        }
    }

    #[test]
    fn as_soon_as_possible_only_while_open() {
        assert_eq!(choose_when("asap", &timing(true)), Ok(When::Asap));
        assert!(choose_when("asap", &timing(false))
            .unwrap_err()
            .contains("fermée"));
    }

    #[test]
    fn only_the_slots_offered_may_be_chosen() {
        assert_eq!(
            choose_when("19:45", &timing(false)),
            Ok(When::At(19 * 60 + 45))
        );
        for bad in ["19:40", "25:00", "", "demain"] {
            assert!(choose_when(bad, &timing(true)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_payment_follows_the_way_the_order_is_fetched() {
        use Fulfilment::*;
        let none: &[PaymentMethod] = &[];
        assert_eq!(
            choose_payment("on_delivery", Delivery, none),
            Ok(PaymentMethod::OnDelivery)
        );
        assert_eq!(
            choose_payment("at_pickup", Pickup, none),
            Ok(PaymentMethod::AtPickup)
        );
        assert!(choose_payment("at_pickup", Delivery, none).is_err());
        assert!(choose_payment("on_delivery", Pickup, none).is_err());
        assert!(choose_payment("stripe", Pickup, none).is_err());
        assert!(choose_payment("", Delivery, none).is_err());
        assert!(choose_payment("at_counter", Pickup, none).is_err());
    }

    #[test]
    fn an_online_payment_is_chosen_only_where_it_is_offered() {
        use Fulfilment::*;
        let stripe = &[PaymentMethod::Stripe];
        assert_eq!(
            choose_payment("stripe", Pickup, stripe),
            Ok(PaymentMethod::Stripe)
        );
        assert_eq!(
            choose_payment("stripe", Delivery, stripe),
            Ok(PaymentMethod::Stripe)
        );
        assert!(choose_payment("paypal", Delivery, stripe)
            .unwrap_err()
            .contains("pas proposé"));
    }

    #[test]
    fn a_closed_pizzeria_says_when_orders_can_be_taken() {
        use chrono::TimeZone;
        let wednesday = [
            Slot {
                weekday: 2,
                opens_at: 690,
                closes_at: 870,
            },
            Slot {
                weekday: 2,
                opens_at: 1110,
                closes_at: 1380,
            },
        ];
        // 25 November 2026 (a Wednesday), Paris time is UTC+1.
        let utc = |h, m| Utc.with_ymd_and_hms(2026, 11, 25, h, m, 0).unwrap();
        assert_eq!(OrderWindow::at(&wednesday, utc(11, 0)), OrderWindow::Open);
        assert_eq!(
            OrderWindow::at(&wednesday, utc(14, 0)),
            OrderWindow::LaterToday("18:30".into())
        );
        let closed = OrderWindow::at(&wednesday, utc(22, 30));
        assert_eq!(closed, OrderWindow::Closed(Some("mercredi à 11:30".into())));
        assert_eq!(
            closed.refusal("OC Pizza Bastille").unwrap(),
            "OC Pizza Bastille est fermée pour aujourd'hui : elle ouvre mercredi à 11:30."
        );
        assert!(OrderWindow::Open.refusal("x").is_none());
    }

    #[test]
    fn a_pizzeria_closed_with_no_slot_left_takes_no_order() {
        assert!(!Timing::default().takes_orders());
        assert!(timing(false).takes_orders());
    }
}
