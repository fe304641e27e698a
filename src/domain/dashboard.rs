//! A pizzeria's day in figures: orders by status, sales and revenue, the average time from
//! order to start, to ready and to delivered, late orders, top products, orders and revenue
//! per hour (Paris). The models read the day's rows; this sums them, for one pizzeria or for
//! the group (figures merge).

use super::hours::paris;
use super::ids::OrderId;
use super::money::Money;
use super::order::{Fulfilment, OrderStatus, PaymentStatus};
use chrono::{NaiveDateTime, Timelike};
use std::collections::{HashMap, HashSet};

/// One order of the day, with the times of its steps (UTC). A step undone and done again
/// counts at its last time.
#[derive(Debug, Clone)]
pub struct DayOrder {
    pub id: OrderId,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub fulfilment: Fulfilment,
    pub total: Money,
    pub placed_at: NaiveDateTime,
    pub promised_at: Option<NaiveDateTime>,
    pub started_at: Option<NaiveDateTime>,
    pub ready_at: Option<NaiveDateTime>,
    /// Delivered, or picked up.
    pub done_at: Option<NaiveDateTime>,
}

impl DayOrder {
    /// A sale: placed and paid for or to be paid, neither cancelled, nor still waiting for an
    /// online payment, nor refunded.
    pub fn is_sale(&self) -> bool {
        !matches!(
            self.status,
            OrderStatus::Cancelled | OrderStatus::AwaitingPayment
        ) && self.payment_status != PaymentStatus::Refunded
    }

    /// When the promise is kept: a delivery at the door, a pickup on the counter.
    fn kept_at(&self) -> Option<NaiveDateTime> {
        match self.fulfilment {
            Fulfilment::Delivery => self.done_at,
            Fulfilment::Pickup => self.ready_at.or(self.done_at),
        }
    }
}

/// One line of a day's order: which product, how many, at what unit price.
#[derive(Debug, Clone)]
pub struct DayLine {
    pub order: OrderId,
    pub product: String,
    pub quantity: i64,
    pub unit_price: Money,
}

/// A mean of durations, kept as a sum and a count so that figures merge exactly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mean {
    pub seconds: i64,
    pub count: i64,
}

impl Mean {
    fn add(&mut self, from: NaiveDateTime, to: Option<NaiveDateTime>) {
        if let Some(to) = to {
            self.seconds += (to - from).num_seconds().max(0);
            self.count += 1;
        }
    }

    /// Whole minutes, rounded; None with nothing measured.
    pub fn minutes(self) -> Option<i64> {
        (self.count > 0).then(|| (self.seconds + self.count * 30) / (self.count * 60))
    }
}

/// Orders and revenue of one hour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hour {
    pub orders: i64,
    pub revenue: Money,
}

/// A product's day: pizzas (or drinks) sold and what they brought in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Top {
    pub product: String,
    pub quantity: i64,
    pub revenue: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    /// Every status with its count, in the lifecycle's order.
    pub by_status: Vec<(OrderStatus, i64)>,
    /// Sales (see `DayOrder::is_sale`) and their revenue.
    pub sales: i64,
    pub revenue: Money,
    pub to_start: Mean,
    pub to_ready: Mean,
    pub to_done: Mean,
    /// Past their promised time and the promise still not kept.
    pub late_now: i64,
    /// Promise kept, but after the promised time.
    pub served_late: i64,
    /// Every product sold, most sold first.
    pub top: Vec<Top>,
    /// By Paris hour of the order, 0 to 23.
    pub hours: [Hour; 24],
}

impl Default for Figures {
    fn default() -> Self {
        Figures {
            by_status: OrderStatus::ALL.iter().map(|&s| (s, 0)).collect(),
            sales: 0,
            revenue: Money::ZERO,
            to_start: Mean::default(),
            to_ready: Mean::default(),
            to_done: Mean::default(),
            late_now: 0,
            served_late: 0,
            top: Vec::new(),
            hours: [Hour::default(); 24],
        }
    }
}

/// The figures of a day's orders and lines, as they stand at `now` (UTC).
pub fn figures(orders: &[DayOrder], lines: &[DayLine], now: NaiveDateTime) -> Figures {
    let mut f = Figures::default();
    let mut sales = HashSet::new();
    for o in orders {
        if let Some(slot) = f.by_status.iter_mut().find(|(s, _)| *s == o.status) {
            slot.1 += 1;
        }
        if o.status == OrderStatus::Cancelled {
            continue;
        }
        if let Some(promised) = o.promised_at {
            match o.kept_at() {
                Some(kept) if kept > promised => f.served_late += 1,
                None if now > promised && o.status != OrderStatus::AwaitingPayment => {
                    f.late_now += 1
                }
                _ => {}
            }
        }
        if !o.is_sale() {
            continue;
        }
        sales.insert(o.id);
        f.sales += 1;
        f.revenue = f.revenue + o.total;
        let hour = &mut f.hours[paris(o.placed_at.and_utc()).hour() as usize];
        hour.orders += 1;
        hour.revenue = hour.revenue + o.total;
        f.to_start.add(o.placed_at, o.started_at);
        f.to_ready.add(o.placed_at, o.ready_at);
        if o.fulfilment == Fulfilment::Delivery {
            f.to_done.add(o.placed_at, o.done_at);
        }
    }
    let mut by_product: HashMap<&str, (i64, Money)> = HashMap::new();
    for l in lines.iter().filter(|l| sales.contains(&l.order)) {
        let entry = by_product.entry(&l.product).or_default();
        entry.0 += l.quantity;
        entry.1 = entry.1 + l.unit_price * l.quantity;
    }
    f.top = by_product
        .into_iter()
        .map(|(product, (quantity, revenue))| Top {
            product: product.to_string(),
            quantity,
            revenue,
        })
        .collect();
    sort_top(&mut f.top);
    f
}

fn sort_top(top: &mut [Top]) {
    top.sort_by(|a, b| {
        b.quantity
            .cmp(&a.quantity)
            .then(b.revenue.cmp(&a.revenue))
            .then(a.product.cmp(&b.product))
    });
}

impl Figures {
    /// The group's figures: every count, sum and hour added, averages over all the orders.
    pub fn merge(&mut self, other: &Figures) {
        for ((_, mine), (_, theirs)) in self.by_status.iter_mut().zip(&other.by_status) {
            *mine += theirs;
        }
        self.sales += other.sales;
        self.revenue = self.revenue + other.revenue;
        for (mine, theirs) in [
            (&mut self.to_start, other.to_start),
            (&mut self.to_ready, other.to_ready),
            (&mut self.to_done, other.to_done),
        ] {
            mine.seconds += theirs.seconds;
            mine.count += theirs.count;
        }
        self.late_now += other.late_now;
        self.served_late += other.served_late;
        for t in &other.top {
            match self.top.iter_mut().find(|m| m.product == t.product) {
                Some(m) => {
                    m.quantity += t.quantity;
                    m.revenue = m.revenue + t.revenue;
                }
                None => self.top.push(t.clone()),
            }
        }
        sort_top(&mut self.top);
        for (mine, theirs) in self.hours.iter_mut().zip(other.hours) {
            mine.orders += theirs.orders;
            mine.revenue = mine.revenue + theirs.revenue;
        }
    }

    /// The average basket, None without a sale.
    pub fn average_basket(&self) -> Option<Money> {
        (self.sales > 0).then(|| Money::from_cents(self.revenue.cents() / self.sales))
    }

    pub fn count(&self, status: OrderStatus) -> i64 {
        self.by_status
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        // 2 December 2026: Paris is UTC+1.
        NaiveDate::from_ymd_opt(2026, 12, 2)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn order(id: i64, status: OrderStatus, placed: NaiveDateTime) -> DayOrder {
        DayOrder {
            id: OrderId(id),
            status,
            payment_status: PaymentStatus::Unpaid,
            fulfilment: Fulfilment::Delivery,
            total: Money::from_cents(2000),
            placed_at: placed,
            promised_at: Some(placed + chrono::Duration::minutes(40)),
            started_at: None,
            ready_at: None,
            done_at: None,
        }
    }

    fn line(order: i64, product: &str, quantity: i64, cents: i64) -> DayLine {
        DayLine {
            order: OrderId(order),
            product: product.into(),
            quantity,
            unit_price: Money::from_cents(cents),
        }
    }

    #[test]
    fn sales_leave_out_cancelled_unpaid_online_and_refunded_orders() {
        let mut refunded = order(4, OrderStatus::Delivered, at(11, 0));
        refunded.payment_status = PaymentStatus::Refunded;
        let orders = [
            order(1, OrderStatus::Received, at(11, 0)),
            order(2, OrderStatus::Cancelled, at(11, 5)),
            order(3, OrderStatus::AwaitingPayment, at(11, 10)),
            refunded,
        ];
        let lines = [
            line(1, "Margherita", 2, 1000),
            line(2, "Margherita", 5, 1000),
            line(3, "Reine", 1, 2000),
            line(4, "Reine", 1, 2000),
        ];
        let f = figures(&orders, &lines, at(11, 15));
        assert_eq!(f.sales, 1);
        assert_eq!(f.revenue, Money::from_cents(2000));
        assert_eq!(f.count(OrderStatus::Cancelled), 1);
        assert_eq!(f.count(OrderStatus::AwaitingPayment), 1);
        assert_eq!(f.count(OrderStatus::Delivered), 1);
        assert_eq!(
            f.top,
            vec![Top {
                product: "Margherita".into(),
                quantity: 2,
                revenue: Money::from_cents(2000)
            }]
        );
        // 11:00 UTC is 12:00 in Paris.
        assert_eq!(f.hours[12].orders, 1);
        assert_eq!(f.hours[11].orders, 0);
    }

    #[test]
    fn average_times_run_from_the_order_to_each_step() {
        let mut a = order(1, OrderStatus::Delivered, at(18, 0));
        a.started_at = Some(at(18, 4));
        a.ready_at = Some(at(18, 16));
        a.done_at = Some(at(18, 36));
        let mut b = order(2, OrderStatus::Ready, at(18, 10));
        b.started_at = Some(at(18, 16));
        b.ready_at = Some(at(18, 30));
        let f = figures(&[a, b], &[], at(18, 40));
        assert_eq!(f.to_start.minutes(), Some(5));
        assert_eq!(f.to_ready.minutes(), Some(18));
        assert_eq!(f.to_done.minutes(), Some(36));
        assert_eq!(Mean::default().minutes(), None);
    }

    #[test]
    fn late_orders_are_those_past_their_promise() {
        let mut kept_late = order(1, OrderStatus::Delivered, at(18, 0));
        kept_late.done_at = Some(at(18, 45));
        let mut kept = order(2, OrderStatus::Delivered, at(18, 0));
        kept.done_at = Some(at(18, 30));
        let waiting = order(3, OrderStatus::OutForDelivery, at(18, 0));
        let fresh = order(4, OrderStatus::Received, at(18, 30));
        let mut pickup = order(5, OrderStatus::Ready, at(18, 0));
        pickup.fulfilment = Fulfilment::Pickup;
        pickup.ready_at = Some(at(18, 20));
        let gone = order(6, OrderStatus::Cancelled, at(18, 0));
        let f = figures(
            &[kept_late, kept, waiting, fresh, pickup, gone],
            &[],
            at(18, 50),
        );
        assert_eq!(f.served_late, 1);
        assert_eq!(f.late_now, 1);
    }

    #[test]
    fn the_group_adds_its_pizzerias_up() {
        let mut a = order(1, OrderStatus::Ready, at(18, 0));
        a.ready_at = Some(at(18, 20));
        let mut b = order(2, OrderStatus::Ready, at(19, 0));
        b.ready_at = Some(at(19, 10));
        let mut group = figures(&[a], &[line(1, "Reine", 2, 1000)], at(20, 0));
        group.merge(&figures(
            &[b],
            &[line(2, "Reine", 1, 1000), line(2, "Calzone", 1, 1200)],
            at(20, 0),
        ));
        assert_eq!(group.sales, 2);
        assert_eq!(group.revenue, Money::from_cents(4000));
        assert_eq!(group.to_ready.minutes(), Some(15));
        assert_eq!(group.count(OrderStatus::Ready), 2);
        assert_eq!(group.top[0].product, "Reine");
        assert_eq!(group.top[0].quantity, 3);
        assert_eq!(group.hours[19].orders + group.hours[20].orders, 2);
        assert_eq!(group.average_basket(), Some(Money::from_cents(2000)));
    }
}
