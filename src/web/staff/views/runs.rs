//! The drivers' runs and the counter's pickups and open orders, built from the floor.

use crate::domain::ids::UserId;
use crate::domain::order::{Fulfilment, OrderStatus};
use crate::models::floor::{Floor, FloorOrder};
use crate::web::format::french_hour;
use serde::Serialize;

#[derive(Serialize)]
pub struct RunView {
    pub id: i64,
    pub number: String,
    pub customer: String,
    pub address: String,
    pub map_url: String,
    pub instructions: Option<String>,
    pub phone: String,
    pub phone_href: String,
    pub paid: bool,
    pub due: String,
    pub due_input: String,
    pub ready_since: String,
    pub promised: String,
    pub problem: Option<String>,
    pub driver: Option<String>,
    pub lines: Vec<(i32, String)>,
}

fn address(o: &FloorOrder) -> String {
    format!(
        "{}, {} {}",
        o.order.delivery_street.as_deref().unwrap_or_default(),
        o.order.delivery_postal_code.as_deref().unwrap_or_default(),
        o.order.delivery_city.as_deref().unwrap_or_default()
    )
}

pub fn run_view(o: &FloorOrder) -> RunView {
    let address = address(o);
    let map_url = format!(
        "https://www.google.com/maps/search/?api=1&query={}",
        url::form_urlencoded::byte_serialize(address.as_bytes()).collect::<String>()
    );
    let phone = o.order.customer_phone.clone();
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let paid = o.order.payment_status.is_settled();
    RunView {
        id: o.order.id.0,
        number: o.order.number_label(),
        customer: o.order.customer_name.clone(),
        map_url,
        address,
        instructions: o.order.delivery_instructions.clone(),
        phone_href: match digits.strip_prefix('0') {
            Some(rest) if !rest.is_empty() => format!("tel:+33{rest}"),
            _ => format!("tel:{digits}"),
        },
        phone,
        paid,
        due: o.order.total.to_string(),
        due_input: format!(
            "{},{:02}",
            o.order.total.cents() / 100,
            o.order.total.cents() % 100
        ),
        ready_since: o
            .reached(OrderStatus::Ready)
            .map(french_hour)
            .unwrap_or_default(),
        promised: o.order.promised_at.map(french_hour).unwrap_or_default(),
        problem: o.order.delivery_problem.clone(),
        driver: o.driver.clone(),
        lines: o.lines.iter().map(|l| (l.qty, l.name.clone())).collect(),
    }
}

#[derive(Serialize)]
pub struct DeliveryView {
    /// READY deliveries a driver may take.
    pub ready: Vec<RunView>,
    /// Failed deliveries waiting for the manager.
    pub problems: Vec<RunView>,
    /// On the way with this driver.
    pub mine: Vec<RunView>,
    /// On the way with other drivers.
    pub others: Vec<RunView>,
    /// Being prepared: what comes next.
    pub coming: usize,
}

pub fn delivery(f: &Floor, me: UserId) -> DeliveryView {
    let deliveries = || {
        f.orders
            .iter()
            .filter(|o| o.order.fulfilment == Fulfilment::Delivery)
    };
    let with = |status: OrderStatus| deliveries().filter(move |o| o.order.status == status);
    DeliveryView {
        ready: with(OrderStatus::Ready)
            .filter(|o| o.order.delivery_problem.is_none())
            .map(run_view)
            .collect(),
        problems: with(OrderStatus::Ready)
            .filter(|o| o.order.delivery_problem.is_some())
            .map(run_view)
            .collect(),
        mine: with(OrderStatus::OutForDelivery)
            .filter(|o| o.order.driver_id == Some(me))
            .map(run_view)
            .collect(),
        others: with(OrderStatus::OutForDelivery)
            .filter(|o| o.order.driver_id != Some(me))
            .map(run_view)
            .collect(),
        coming: deliveries()
            .filter(|o| {
                matches!(
                    o.order.status,
                    OrderStatus::Received | OrderStatus::InPreparation
                )
            })
            .count(),
    }
}

#[derive(Serialize)]
pub struct CounterRow {
    pub id: i64,
    pub number: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub channel: &'static str,
    pub fulfilment: &'static str,
    pub customer: String,
    pub phone: String,
    pub paid: bool,
    pub due: String,
    pub due_input: String,
    pub promised: String,
    pub may_cancel: bool,
    pub lines: Vec<(i32, String)>,
}

fn counter_row(o: &FloorOrder) -> CounterRow {
    let run = run_view(o);
    CounterRow {
        id: o.order.id.0,
        number: run.number,
        status: o.order.status.as_str(),
        status_label: o.order.status.label(),
        channel: o.order.channel.label(),
        fulfilment: o.order.fulfilment.label(),
        customer: run.customer,
        phone: run.phone,
        paid: run.paid,
        due: run.due,
        due_input: run.due_input,
        promised: run.promised,
        may_cancel: !matches!(
            o.order.status,
            OrderStatus::OutForDelivery | OrderStatus::Cancelled
        ),
        lines: run.lines,
    }
}

/// Whether an order answers the counter's search: its number ("42", "#042"), a part of the
/// customer's name, or of their phone number.
pub fn matches_search(o: &FloorOrder, q: &str) -> bool {
    let q = q.trim().to_lowercase();
    if q.is_empty() {
        return true;
    }
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let number = q.trim_start_matches('#').trim_start_matches('0');
    o.order
        .number
        .is_some_and(|n| !number.is_empty() && n.to_string() == number)
        || o.order.customer_name.to_lowercase().contains(&q)
        || (digits.len() >= 4
            && o.order
                .customer_phone
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
                .contains(&digits))
}

#[derive(Serialize)]
pub struct CounterView {
    pub pickups: Vec<CounterRow>,
    pub open: Vec<CounterRow>,
    pub q: String,
}

pub fn counter(f: &Floor, q: &str) -> CounterView {
    let live = f
        .orders
        .iter()
        .filter(|o| o.order.status != OrderStatus::Cancelled);
    CounterView {
        pickups: live
            .clone()
            .filter(|o| {
                o.order.status == OrderStatus::Ready && o.order.fulfilment == Fulfilment::Pickup
            })
            .filter(|o| matches_search(o, q))
            .map(counter_row)
            .collect(),
        open: live
            .filter(|o| matches_search(o, q))
            .map(counter_row)
            .collect(),
        q: q.to_string(),
    }
}
